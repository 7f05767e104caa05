//! Inspections (SPEC §6.3, seed 000: at least quarterly): checklists with the one Castellan
//! ships, plans with their frequency, inspectors and responsibilities approved by a security
//! officer on the workflow engine, and inspections performed item by item, whose failed
//! items are findings that open rectification tasks.

pub mod audit;
pub mod checklist;
mod conflict;
mod model;
pub mod permissions;

pub use conflict::InspectionConflict;
pub use model::*;
