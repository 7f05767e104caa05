//! Page handlers: the kernel's (home, the permission table, the audit log), then one folder
//! per area.

pub mod audit;
pub mod home;
pub mod roles;

pub mod asset;
pub mod continuity;
pub mod custody;
pub mod document;
pub mod goal;
pub mod incident;
pub mod inspection;
pub mod org;
pub mod rectification;
pub mod request;
pub mod risk;
pub mod training;

/// Each area's own text catalog (areas that keep their texts in `texts.rs`).
pub const AREA_TEXTS: &[fn() -> Vec<TextEntry>] = &[
    org::texts::catalog,
    asset::texts::catalog,
    risk::texts::catalog,
    request::texts::catalog,
    incident::texts::catalog,
    rectification::texts::catalog,
    document::texts::catalog,
    training::texts::catalog,
    inspection::texts::catalog,
    goal::texts::catalog,
    custody::texts::catalog,
    continuity::texts::catalog,
];

/// A text as (key, English, Chinese).
pub type TextEntry = (&'static str, &'static str, &'static str);
