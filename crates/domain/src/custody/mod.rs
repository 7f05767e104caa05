//! Privileged-password custody (SPEC §6.6, seed 003): for each key system (an asset) and
//! administrative account, the one person who holds the password and the trained second
//! who can take over; handovers recorded with a witness and followed by a password change;
//! the warnings a security officer acts on. The product never asks for or stores a
//! password: it records who holds one and when it was changed.

pub mod audit;
mod conflict;
mod model;
pub mod permissions;

pub use conflict::CustodyConflict;
pub use model::*;
