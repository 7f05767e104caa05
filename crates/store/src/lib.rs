//! Castellan's storage. One code path for SQLite and PostgreSQL: portable SQL with `$n`
//! placeholders, run by a thin core (`conn`) over rusqlite and sqlx-postgres; the dialect is
//! consulted only where the engines truly differ (each place says so). Repositories are plain async functions taking a
//! connection, so a service can run several of them, and its audit entry, in one
//! transaction.

// The kernel: the storage core, migrations, the SQL builder, paging, the audit trail and
// settings shared by every area, and the files attached to any area's records.
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod conn;
pub mod db;
pub mod migrate;
mod paging;
mod rows;
pub mod settings;
pub mod sql;
pub mod workflow;

// The areas, one folder each.
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

pub use conn::{Conn, DbError, Row, Tx, Value};
pub use db::{Backend, Db, DbOptions, OpenError, ReadConn};
