//! The asset area (SPEC §3): the closed lists an asset is described with, valuation, the
//! lifecycle (`model`), and the register's records (`register`).

mod model;
pub mod permissions;
pub mod register;

pub use model::*;
