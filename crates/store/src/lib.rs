//! Castellan's storage. One code path for SQLite and PostgreSQL: portable SQL with `$n`
//! placeholders, run by a thin core (`conn`) over rusqlite and sqlx-postgres; the dialect is
//! consulted only where the engines truly differ (each place says so). Repositories are plain async functions taking a
//! connection, so a service can run several of them, and its audit entry, in one
//! transaction.

pub mod assessments;
pub mod assets;
pub mod audit;
pub mod backup;
pub mod bulk;
pub mod conn;
pub mod db;
pub mod departments;
pub mod findings;
pub mod migrate;
mod paging;
pub mod risks;
mod rows;
pub mod settings;
pub mod sql;
pub mod threats;
pub mod throttle;
pub mod tokens;
pub mod treatment;
pub mod uploads;
pub mod users;

pub use conn::{Conn, DbError, Row, Tx, Value};
pub use db::{Backend, Db, DbOptions, OpenError, ReadConn};
