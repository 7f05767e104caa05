//! Security incidents (SPEC §5): reported by anyone, triaged by class, GB/T 20986 level and
//! category, handled by a team on a timeline, closed with a root cause and lessons learned.

pub mod audit;
mod conflict;
mod model;
pub mod permissions;

pub use conflict::IncidentConflict;
pub use model::*;
