//! The document area's storage: the register and each document's versions (their
//! approvals and moves are the workflow engine's).

pub mod acknowledgements;
pub mod documents;
pub mod versions;
