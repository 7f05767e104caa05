//! Continuity (SPEC §6.7, seeds 000 and 004 §6.2): backup plans per asset with their recovery
//! point and time objectives and the last restore test, disaster-recovery plans over a set
//! of assets with their document, and drills of those plans whose problems — and a missed
//! recovery time — open rectification tasks.

pub mod audit;
mod conflict;
mod model;
pub mod permissions;

pub use conflict::ContinuityConflict;
pub use model::*;
