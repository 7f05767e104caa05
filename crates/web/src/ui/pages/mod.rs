//! Page handlers, one module per area.

pub mod account;
pub mod assessments;
pub mod asset_import;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod departments;
pub mod findings;
pub mod home;
pub mod risk_settings;
pub mod roles;
pub mod users;
