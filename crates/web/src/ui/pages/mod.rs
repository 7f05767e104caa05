//! Page handlers: the kernel's (home, the permission table, the audit log), then one folder
//! per area.

pub mod audit;
pub mod home;
pub mod roles;

pub mod asset;
pub mod org;
pub mod risk;
