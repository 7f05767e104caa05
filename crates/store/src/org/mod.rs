//! The organization area's tables: departments, users and their grants, credentials
//! (sessions and API tokens) and sign-in throttling.

pub mod departments;
pub mod throttle;
pub mod tokens;
pub mod users;
