//! Failed sign-in counters, kept in the database so every instance sees them.

use crate::conn::{Conn, DbError};
use crate::rows::{ts, ts_opt};
use crate::sql::Sql;
use castellan_domain::Timestamp;

/// The state of one throttle key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleState {
    /// Failures in the current window.
    pub failures: i64,
    /// Start of the current window.
    pub window_start: Timestamp,
    /// Sign-ins are refused until then.
    pub locked_until: Option<Timestamp>,
}

/// The state of `key`, if it has one.
pub async fn get(conn: &mut Conn, key: &str) -> Result<Option<ThrottleState>, DbError> {
    let mut q = Sql::new(
        "SELECT failures, window_start, locked_until FROM login_throttle WHERE throttle_key = ",
    );
    q.bind(key.to_owned());
    let Some(mut row) = q.fetch_optional(conn).await? else {
        return Ok(None);
    };
    Ok(Some(ThrottleState {
        failures: row.try_get("failures")?,
        window_start: ts(&mut row, "window_start")?,
        locked_until: ts_opt(&mut row, "locked_until")?,
    }))
}

/// Stores the state of `key`.
pub async fn put(conn: &mut Conn, key: &str, state: &ThrottleState) -> Result<(), DbError> {
    let mut q = Sql::new(
        "INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until) VALUES (",
    );
    q.bind(key.to_owned())
        .push(", ")
        .bind(state.failures)
        .push(", ")
        .bind(state.window_start.to_db())
        .push(", ")
        .bind(state.locked_until.map(|t| t.to_db()))
        .push(") ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until");
    q.execute(conn).await.map(|_| ())
}

/// Forgets `key` (after a successful sign-in).
pub async fn clear(conn: &mut Conn, key: &str) -> Result<(), DbError> {
    let mut q = Sql::new("DELETE FROM login_throttle WHERE throttle_key = ");
    q.bind(key.to_owned());
    q.execute(conn).await.map(|_| ())
}
