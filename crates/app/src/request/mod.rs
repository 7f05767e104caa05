//! The request area's services (SPEC §6.1): approval requests on the workflow engine, and
//! the access changes Castellan opens by itself after a job change or a disabling.

pub mod requests;
