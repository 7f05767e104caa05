//! The organization area's services: departments, users and their roles, one's own account
//! and API tokens, sign-in and sessions, and the first administrator.

pub mod account;
pub mod auth;
pub mod bootstrap;
pub mod departments;
pub mod users;
