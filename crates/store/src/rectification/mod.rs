//! The rectification area's storage: the tasks (their moves are the workflow engine's).

pub mod tasks;
