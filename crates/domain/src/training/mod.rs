//! Security training (SPEC §6.4, seed 000's annual plans and seed 003's awareness training):
//! the year's plan approved by a security officer on the workflow engine, its trainings with
//! their audience, attendance, and completion per department.

pub mod audit;
mod conflict;
mod model;
pub mod permissions;

pub use conflict::TrainingConflict;
pub use model::*;
