//! Castellan's integration tests: one binary, every test on SQLite and on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod harness;

mod api_assets;
mod api_auth;
mod api_departments;
mod api_risk;
mod api_treatment;
mod api_users;
mod attachments;
mod audit_trail;
mod authorization;
mod bad_input;
mod cli;
mod continuity;
mod cursors;
mod custody;
mod demo;
mod documents;
mod goals;
mod import_export;
mod incidents;
mod inspections;
mod rectifications;
mod reports;
mod request_matrix;
mod requests;
mod storage;
mod threat_transfer;
mod training;
mod ui;
mod ui_continuity;
mod ui_custody;
mod ui_documents;
mod ui_goals;
mod ui_incidents;
mod ui_inspections;
mod ui_rectifications;
mod ui_requests;
mod ui_risk;
mod ui_training;
mod user_scope;
