//! The asset area's tables: the register with its lifecycle events and search index, bulk
//! loads, and import files waiting for their commit.

pub mod assets;
pub mod bulk;
pub mod uploads;
