//! The organization area (SPEC §1–2): departments and user accounts.

pub mod audit;
mod model;
pub mod permissions;

pub use model::*;
