//! The organization area (SPEC §1–2): departments and user accounts.

pub mod audit;
mod conflict;
mod model;
pub mod permissions;

pub use conflict::OrgConflict;
pub use model::*;
