//! The goal area's storage: goals (their approvals and moves are the workflow engine's).

pub mod goals;
