//! The training area's storage: plans (their approvals and moves are the workflow
//! engine's), trainings with their audience, attendance and completion.

pub mod plans;
pub mod trainings;
