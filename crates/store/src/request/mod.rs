//! The request area's storage: approval requests.

pub mod requests;
