//! The asset area (SPEC §3): the closed lists an asset is described with, valuation, the
//! lifecycle (`model`), and the register's records (`register`).

pub mod audit;
mod conflict;
mod model;
pub mod permissions;
pub mod register;

pub use conflict::AssetConflict;
pub use model::*;
