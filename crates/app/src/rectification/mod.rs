//! Rectification tasks (SPEC §6.3), shared by every area that finds something to put right.

pub mod evidence;
pub mod export;
pub mod sources;
pub mod tasks;
