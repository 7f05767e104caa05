//! The organization area (SPEC §1–2): departments and user accounts.

mod model;
pub mod permissions;

pub use model::*;
