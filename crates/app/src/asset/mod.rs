//! The asset area's services: the register and its lifecycle, imports and exports.

pub mod assets;
pub mod export;
pub mod import;
