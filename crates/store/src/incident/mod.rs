//! The incident area's storage: incidents, their assets, teams and timelines.

pub mod incidents;
