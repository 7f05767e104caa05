//! The approval-request area (SPEC §6.1): change requests, access requests (grant, modify,
//! revoke) and important operations, on the workflow engine with approval chains; and the
//! one-working-day deadline of access changes that Castellan opens by itself when a user
//! changes job or is disabled (seed 003).

pub mod audit;
mod model;
pub mod permissions;

pub use model::*;
