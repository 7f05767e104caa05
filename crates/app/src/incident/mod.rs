//! The incident area's services (SPEC §5).

pub mod export;
pub mod incidents;
