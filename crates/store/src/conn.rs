//! The storage core: values, rows, connections and transactions over SQLite (rusqlite, run
//! on the calling thread with cached prepared statements) and PostgreSQL (sqlx). Callers
//! write one SQL text with `$n` placeholders; this module runs it on either engine.

use crate::db::Backend;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Arguments, Column, Postgres, Row as _, TypeInfo, ValueRef as _};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The type of a value, kept for NULLs so PostgreSQL receives typed parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 64-bit integer.
    Int,
    /// Double-precision float.
    Real,
    /// UTF-8 text.
    Text,
    /// Bytes.
    Blob,
}

/// One SQL value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// NULL of a kind.
    Null(Kind),
    /// An integer.
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

/// A Rust value that can be bound as a parameter.
pub trait ToValue {
    /// The kind of NULL an absent value of this type is.
    const KIND: Kind;
    /// The value.
    fn to_value(self) -> Value;
}

macro_rules! to_value {
    ($t:ty, $kind:ident, |$v:ident| $e:expr) => {
        impl ToValue for $t {
            const KIND: Kind = Kind::$kind;
            fn to_value(self) -> Value {
                let $v = self;
                $e
            }
        }
    };
}

to_value!(i64, Int, |v| Value::Int(v));
to_value!(i32, Int, |v| Value::Int(i64::from(v)));
to_value!(u32, Int, |v| Value::Int(i64::from(v)));
to_value!(bool, Int, |v| Value::Int(i64::from(v)));
to_value!(f64, Real, |v| Value::Real(v));
to_value!(String, Text, |v| Value::Text(v));
to_value!(&str, Text, |v| Value::Text(v.to_owned()));
to_value!(&String, Text, |v| Value::Text(v.clone()));
to_value!(Vec<u8>, Blob, |v| Value::Blob(v));

impl<T: ToValue> ToValue for Option<T> {
    const KIND: Kind = T::KIND;
    fn to_value(self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null(T::KIND),
        }
    }
}

impl ToValue for Value {
    const KIND: Kind = Kind::Text;
    fn to_value(self) -> Value {
        self
    }
}

/// Why a database call failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite refused or failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL refused or failed.
    #[error("postgres: {0}")]
    Postgres(#[from] sqlx::Error),
    /// A stored value has an unexpected type or content.
    #[error("cannot read column {column}: {reason}")]
    Decode {
        /// The column.
        column: String,
        /// What was wrong.
        reason: String,
    },
    /// A statement that must return a row returned none.
    #[error("the statement returned no row")]
    RowNotFound,
    /// No connection could be had (pool closed).
    #[error("no database connection: {0}")]
    Pool(String),
    /// A list was given a cursor whose keys do not fit its sort (a client's own making):
    /// the caller's mistake, not the database's.
    #[error("the cursor does not fit the list's sort")]
    BadCursor,
}

impl DbError {
    /// True when a unique index refused the change (the same on both engines).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY.
                e.extended_code == 2067 || e.extended_code == 1555
            }
            DbError::Postgres(sqlx::Error::Database(d)) => d.is_unique_violation(),
            _ => false,
        }
    }

    /// True when the database itself refused the statement (a missing table, a constraint,
    /// a trigger), as opposed to a connection failure.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            DbError::Sqlite(rusqlite::Error::SqliteFailure(_, _))
                | DbError::Postgres(sqlx::Error::Database(_))
        )
    }

    /// A decode error for a column.
    pub fn decode(column: &str, reason: impl Into<String>) -> Self {
        DbError::Decode {
            column: column.to_owned(),
            reason: reason.into(),
        }
    }
}

/// A Rust value that can be read from a column.
pub trait FromValue: Sized {
    /// Converts, or says why not.
    fn from_value(v: Value) -> Result<Self, &'static str>;
}

impl FromValue for i64 {
    fn from_value(v: Value) -> Result<Self, &'static str> {
        match v {
            Value::Int(i) => Ok(i),
            Value::Null(_) => Err("unexpected NULL"),
            _ => Err("expected an integer"),
        }
    }
}

impl FromValue for i32 {
    fn from_value(v: Value) -> Result<Self, &'static str> {
        i64::from_value(v).and_then(|i| i32::try_from(i).map_err(|_| "integer out of range"))
    }
}

impl FromValue for bool {
    fn from_value(v: Value) -> Result<Self, &'static str> {
        i64::from_value(v).map(|i| i != 0)
    }
}

impl FromValue for f64 {
    fn from_value(v: Value) -> Result<Self, &'static str> {
        match v {
            Value::Real(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            Value::Null(_) => Err("unexpected NULL"),
            _ => Err("expected a number"),
        }
    }
}

impl FromValue for String {
    fn from_value(v: Value) -> Result<Self, &'static str> {
        match v {
            Value::Text(s) => Ok(s),
            Value::Null(_) => Err("unexpected NULL"),
            _ => Err("expected text"),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: Value) -> Result<Self, &'static str> {
        match v {
            Value::Blob(b) => Ok(b),
            Value::Text(s) => Ok(s.into_bytes()),
            Value::Null(_) => Err("unexpected NULL"),
            _ => Err("expected bytes"),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value) -> Result<Self, &'static str> {
        match v {
            Value::Null(_) => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// A column position or name.
pub trait ColumnIndex {
    /// The position in `columns`.
    fn position(&self, columns: &[String]) -> Option<usize>;
    /// The position in `columns`, trying `hint` first (rows are mostly read in column order,
    /// so a by-name read is one comparison instead of a search).
    fn position_near(&self, columns: &[String], hint: usize) -> Option<usize> {
        let _ = hint;
        self.position(columns)
    }
    /// How to name it in errors.
    fn describe(&self) -> String;
}

impl ColumnIndex for usize {
    fn position(&self, columns: &[String]) -> Option<usize> {
        (*self < columns.len()).then_some(*self)
    }
    fn describe(&self) -> String {
        format!("#{self}")
    }
}

impl ColumnIndex for &str {
    fn position(&self, columns: &[String]) -> Option<usize> {
        columns.iter().position(|c| c == self)
    }
    fn position_near(&self, columns: &[String], hint: usize) -> Option<usize> {
        match columns.get(hint) {
            Some(c) if c == self => Some(hint),
            _ => self.position(columns),
        }
    }
    fn describe(&self) -> String {
        (*self).to_owned()
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
    /// Where the next by-name read probably is: just after the last column taken.
    next: usize,
}

impl Row {
    /// Reads a column, copying the value.
    pub fn try_get<T: FromValue, I: ColumnIndex>(&self, index: I) -> Result<T, DbError> {
        let pos = index
            .position_near(&self.columns, self.next)
            .ok_or_else(|| DbError::decode(&index.describe(), "no such column"))?;
        let value = self
            .values
            .get(pos)
            .cloned()
            .ok_or_else(|| DbError::decode(&index.describe(), "no such column"))?;
        T::from_value(value).map_err(|r| DbError::decode(&index.describe(), r))
    }

    /// Reads a column, moving the value out of the row (no copy; read each column once).
    pub fn take<T: FromValue, I: ColumnIndex>(&mut self, index: I) -> Result<T, DbError> {
        let pos = index
            .position_near(&self.columns, self.next)
            .ok_or_else(|| DbError::decode(&index.describe(), "no such column"))?;
        let slot = self
            .values
            .get_mut(pos)
            .ok_or_else(|| DbError::decode(&index.describe(), "no such column"))?;
        let value = std::mem::replace(slot, Value::Null(Kind::Text));
        self.next = pos + 1;
        T::from_value(value).map_err(|r| DbError::decode(&index.describe(), r))
    }
}

/// Idle SQLite connections of one kind (readers or the writer), and how to open more.
pub(crate) struct Shelf {
    size: usize,
    idle: Mutex<Vec<rusqlite::Connection>>,
    permits: Arc<Semaphore>,
    open: Box<dyn Fn() -> Result<rusqlite::Connection, rusqlite::Error> + Send + Sync>,
}

impl Shelf {
    pub(crate) fn new(
        size: usize,
        open: impl Fn() -> Result<rusqlite::Connection, rusqlite::Error> + Send + Sync + 'static,
    ) -> Arc<Shelf> {
        Arc::new(Shelf {
            size,
            idle: Mutex::new(Vec::with_capacity(size)),
            permits: Arc::new(Semaphore::new(size)),
            open: Box::new(open),
        })
    }

    /// Lends a connection, waiting for a free one.
    pub(crate) async fn lease(self: &Arc<Self>) -> Result<SqliteLease, DbError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| DbError::Pool("the database is closed".into()))?;
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let conn = match idle {
            Some(c) => c,
            None => (self.open)()?,
        };
        Ok(SqliteLease {
            conn: Some(conn),
            shelf: self.clone(),
            _permit: permit,
        })
    }

    /// The idle connections, to seed the shelf with one already opened.
    pub(crate) fn idle_mut(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, Vec<rusqlite::Connection>>, ()> {
        self.idle.lock().map_err(|_| ())
    }

    /// Connections open and idle.
    pub(crate) fn stats(&self) -> (usize, usize) {
        let idle = self.idle.lock().map(|v| v.len()).unwrap_or(0);
        let in_use = self.size.saturating_sub(self.permits.available_permits());
        (idle + in_use, idle)
    }

    /// Closes idle connections and refuses new leases.
    pub(crate) fn close(&self) {
        self.permits.close();
        if let Ok(mut v) = self.idle.lock() {
            v.clear();
        }
    }
}

/// A lent SQLite connection; goes back to its shelf when dropped.
pub(crate) struct SqliteLease {
    conn: Option<rusqlite::Connection>,
    shelf: Arc<Shelf>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for SqliteLease {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take()
            && let Ok(mut idle) = self.shelf.idle.lock()
        {
            // A connection left inside a transaction is not reused.
            if conn.is_autocommit() {
                idle.push(conn);
            }
        }
    }
}

enum Inner {
    Sqlite(SqliteLease),
    Pg(sqlx::pool::PoolConnection<Postgres>),
    PgTx(sqlx::Transaction<'static, Postgres>),
}

/// A database connection: for reads, or inside a [`Tx`].
pub struct Conn {
    inner: Inner,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.inner {
            Inner::Sqlite(_) => "Conn(sqlite)",
            Inner::Pg(_) => "Conn(postgres)",
            Inner::PgTx(_) => "Conn(postgres, in transaction)",
        })
    }
}

fn sqlite_of(lease: &SqliteLease) -> Result<&rusqlite::Connection, DbError> {
    lease
        .conn
        .as_ref()
        .ok_or_else(|| DbError::Pool("connection already returned".into()))
}

/// How many `$n` parameters `sql` has, if they first appear as `$1`, `$2`, `$3`, … in that
/// order (quoted text skipped). SQLite numbers named parameters by first appearance, so
/// then parameter `i` is `$i` and no name needs looking up — SQLite finds a parameter's
/// name by walking its list, which made binding a 500-value `IN` list cost 125,000 steps.
fn numbered_in_order(sql: &str) -> Option<usize> {
    let bytes = sql.as_bytes();
    let (mut i, mut next, mut quoted) = (0, 1_usize, false);
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            b'\'' => quoted = !quoted,
            b'$' if !quoted => {
                let start = i;
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                let n = sql.get(start..i).and_then(|d| d.parse::<usize>().ok())?;
                if n == next {
                    next += 1;
                } else if n >= next {
                    return None;
                }
            }
            _ => {}
        }
    }
    Some(next - 1)
}

fn bind_sqlite(
    stmt: &mut rusqlite::CachedStatement<'_>,
    sql: &str,
    params: &[Value],
) -> Result<(), DbError> {
    // The count must agree too: a text the scan misreads falls back to the names.
    let in_order = numbered_in_order(sql) == Some(stmt.parameter_count());
    for i in 1..=stmt.parameter_count() {
        // Parameters are `$n`; bind by name so their order in the text does not matter.
        let n = if in_order {
            i
        } else {
            stmt.parameter_name(i)
                .and_then(|name| name.strip_prefix('$'))
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(i)
        };
        let value = params
            .get(n.wrapping_sub(1))
            .ok_or_else(|| DbError::decode(&format!("${n}"), "no value bound"))?;
        match value {
            Value::Null(_) => stmt.raw_bind_parameter(i, rusqlite::types::Null)?,
            Value::Int(v) => stmt.raw_bind_parameter(i, v)?,
            Value::Real(v) => stmt.raw_bind_parameter(i, v)?,
            Value::Text(v) => stmt.raw_bind_parameter(i, v.as_str())?,
            Value::Blob(v) => stmt.raw_bind_parameter(i, v.as_slice())?,
        }
    }
    Ok(())
}

fn sqlite_rows(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Value],
) -> Result<Vec<Row>, DbError> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind_sqlite(&mut stmt, sql, params)?;
    let columns: Arc<[String]> = stmt.column_names().map(str::to_owned).collect();
    let width = columns.len();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            use rusqlite::types::ValueRef;
            values.push(match r.get_ref(i)? {
                ValueRef::Null => Value::Null(Kind::Text),
                ValueRef::Integer(v) => Value::Int(v),
                ValueRef::Real(v) => Value::Real(v),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            });
        }
        out.push(Row {
            columns: columns.clone(),
            values,
            next: 0,
        });
    }
    Ok(out)
}

fn pg_args(params: &[Value]) -> Result<PgArguments, DbError> {
    let mut args = PgArguments::default();
    let add = |r: Result<(), sqlx::error::BoxDynError>| {
        r.map_err(|e| DbError::Postgres(sqlx::Error::Encode(e)))
    };
    for v in params {
        match v {
            Value::Null(Kind::Int) => add(args.add(Option::<i64>::None))?,
            Value::Null(Kind::Real) => add(args.add(Option::<f64>::None))?,
            Value::Null(Kind::Text) => add(args.add(Option::<String>::None))?,
            Value::Null(Kind::Blob) => add(args.add(Option::<Vec<u8>>::None))?,
            Value::Int(i) => add(args.add(*i))?,
            Value::Real(f) => add(args.add(*f))?,
            Value::Text(s) => add(args.add(s.as_str()))?,
            Value::Blob(b) => add(args.add(b.as_slice()))?,
        }
    }
    Ok(args)
}

fn pg_row(row: &PgRow, columns: &Arc<[String]>) -> Result<Row, DbError> {
    let mut values = Vec::with_capacity(columns.len());
    for (i, name) in columns.iter().enumerate() {
        let raw = row.try_get_raw(i)?;
        if raw.is_null() {
            values.push(Value::Null(Kind::Text));
            continue;
        }
        let type_name = raw.type_info().name().to_owned();
        let value = match type_name.as_str() {
            "INT8" => Value::Int(row.try_get::<i64, _>(i)?),
            "INT4" => Value::Int(i64::from(row.try_get::<i32, _>(i)?)),
            "INT2" => Value::Int(i64::from(row.try_get::<i16, _>(i)?)),
            "BOOL" => Value::Int(i64::from(row.try_get::<bool, _>(i)?)),
            "FLOAT8" => Value::Real(row.try_get::<f64, _>(i)?),
            "FLOAT4" => Value::Real(f64::from(row.try_get::<f32, _>(i)?)),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Value::Text(row.try_get::<String, _>(i)?),
            "BYTEA" => Value::Blob(row.try_get::<Vec<u8>, _>(i)?),
            other => {
                return Err(DbError::decode(
                    name,
                    format!("unsupported column type {other}"),
                ));
            }
        };
        values.push(value);
    }
    Ok(Row {
        columns: columns.clone(),
        values,
        next: 0,
    })
}

fn pg_columns(row: &PgRow) -> Arc<[String]> {
    row.columns().iter().map(|c| c.name().to_owned()).collect()
}

impl Conn {
    pub(crate) fn sqlite(lease: SqliteLease) -> Conn {
        Conn {
            inner: Inner::Sqlite(lease),
        }
    }

    pub(crate) fn pg(conn: sqlx::pool::PoolConnection<Postgres>) -> Conn {
        Conn {
            inner: Inner::Pg(conn),
        }
    }

    pub(crate) fn pg_tx(tx: sqlx::Transaction<'static, Postgres>) -> Conn {
        Conn {
            inner: Inner::PgTx(tx),
        }
    }

    /// The engine behind this connection.
    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Pg(_) | Inner::PgTx(_) => Backend::Postgres,
        }
    }

    /// Runs a query and returns every row.
    pub async fn fetch_all(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        self.fetch_all_with(sql, params, true).await
    }

    /// [`Conn::fetch_all`]; on PostgreSQL `prepared = false` runs an unnamed statement,
    /// planned for the values bound.
    pub(crate) async fn fetch_all_with(
        &mut self,
        sql: &str,
        params: &[Value],
        prepared: bool,
    ) -> Result<Vec<Row>, DbError> {
        match &mut self.inner {
            Inner::Sqlite(lease) => sqlite_rows(sqlite_of(lease)?, sql, params),
            inner => {
                let args = pg_args(params)?;
                let q = sqlx::query_with(sqlx::AssertSqlSafe(sql.to_owned()), args)
                    .persistent(prepared);
                let rows: Vec<PgRow> = match inner {
                    Inner::Pg(c) => q.fetch_all(&mut **c).await?,
                    Inner::PgTx(t) => q.fetch_all(&mut **t).await?,
                    Inner::Sqlite(_) => return Err(DbError::Pool("wrong backend".into())),
                };
                let Some(first) = rows.first() else {
                    return Ok(Vec::new());
                };
                let columns = pg_columns(first);
                rows.iter().map(|r| pg_row(r, &columns)).collect()
            }
        }
    }

    /// Runs a query and returns its first row, if any.
    pub async fn fetch_optional(
        &mut self,
        sql: &str,
        params: &[Value],
    ) -> Result<Option<Row>, DbError> {
        Ok(self.fetch_all(sql, params).await?.into_iter().next())
    }

    /// Runs a statement and returns the number of rows it changed.
    pub async fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        match &mut self.inner {
            Inner::Sqlite(lease) => {
                let conn = sqlite_of(lease)?;
                let mut stmt = conn.prepare_cached(sql)?;
                bind_sqlite(&mut stmt, sql, params)?;
                Ok(stmt.raw_execute()? as u64)
            }
            inner => {
                let args = pg_args(params)?;
                let q = sqlx::query_with(sqlx::AssertSqlSafe(sql.to_owned()), args);
                let done = match inner {
                    Inner::Pg(c) => q.execute(&mut **c).await?,
                    Inner::PgTx(t) => q.execute(&mut **t).await?,
                    Inner::Sqlite(_) => return Err(DbError::Pool("wrong backend".into())),
                };
                Ok(done.rows_affected())
            }
        }
    }

    /// Runs several statements without parameters (migrations, maintenance).
    pub async fn execute_batch(&mut self, sql: &str) -> Result<(), DbError> {
        match &mut self.inner {
            Inner::Sqlite(lease) => Ok(sqlite_of(lease)?.execute_batch(sql)?),
            Inner::Pg(c) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                    .execute(&mut **c)
                    .await?;
                Ok(())
            }
            Inner::PgTx(t) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                    .execute(&mut **t)
                    .await?;
                Ok(())
            }
        }
    }

    /// The SQLite connection, for the few operations that need the native API (bulk loads,
    /// backups). `None` on PostgreSQL.
    pub fn sqlite_native(&mut self) -> Option<&rusqlite::Connection> {
        match &self.inner {
            Inner::Sqlite(lease) => lease.conn.as_ref(),
            _ => None,
        }
    }

    /// The PostgreSQL connection, for the few operations that need the native API (COPY).
    /// `None` on SQLite.
    pub fn postgres_native(&mut self) -> Option<&mut sqlx::PgConnection> {
        match &mut self.inner {
            Inner::Pg(c) => Some(&mut **c),
            Inner::PgTx(t) => Some(&mut **t),
            Inner::Sqlite(_) => None,
        }
    }
}

/// A write transaction. Commit it explicitly; dropping it rolls back.
pub struct Tx {
    conn: Option<Conn>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tx")
    }
}

impl Tx {
    pub(crate) fn new(conn: Conn) -> Tx {
        Tx { conn: Some(conn) }
    }

    /// Makes every change of the transaction durable.
    pub async fn commit(mut self) -> Result<(), DbError> {
        let Some(conn) = self.conn.take() else {
            return Ok(());
        };
        match conn.inner {
            Inner::Sqlite(lease) => {
                let result = sqlite_of(&lease).and_then(|c| Ok(c.execute_batch("COMMIT")?));
                if result.is_err() {
                    // Leave no open transaction behind on a failed commit.
                    if let Ok(c) = sqlite_of(&lease) {
                        let _ = c.execute_batch("ROLLBACK");
                    }
                }
                result
            }
            Inner::PgTx(tx) => Ok(tx.commit().await?),
            Inner::Pg(_) => Ok(()),
        }
    }

    /// Discards every change of the transaction now (dropping it does the same, later).
    pub async fn rollback(mut self) -> Result<(), DbError> {
        let Some(conn) = self.conn.take() else {
            return Ok(());
        };
        match conn.inner {
            Inner::Sqlite(lease) => {
                let c = sqlite_of(&lease)?;
                if !c.is_autocommit() {
                    c.execute_batch("ROLLBACK")?;
                }
                Ok(())
            }
            Inner::PgTx(tx) => Ok(tx.rollback().await?),
            Inner::Pg(_) => Ok(()),
        }
    }
}

impl std::ops::Deref for Tx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        // Present until commit consumes the transaction.
        self.conn.as_ref().unwrap_or_else(|| unreachable_conn())
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        match self.conn.as_mut() {
            Some(c) => c,
            None => unreachable_conn_mut(),
        }
    }
}

#[allow(clippy::panic)]
fn unreachable_conn() -> &'static Conn {
    // `commit` takes `self` by value, so a `Tx` without a connection cannot be reached.
    panic!("transaction used after commit")
}

#[allow(clippy::panic)]
fn unreachable_conn_mut() -> &'static mut Conn {
    panic!("transaction used after commit")
}

impl Drop for Tx {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take()
            && let Inner::Sqlite(lease) = &conn.inner
            && let Ok(c) = sqlite_of(lease)
            && !c.is_autocommit()
        {
            // SQLite: roll back now. PostgreSQL: sqlx rolls its transaction back on drop.
            let _ = c.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> Row {
        Row {
            columns: ["id", "code", "name"].map(str::to_owned).into(),
            values: vec![
                Value::Int(7),
                Value::Text("SRV-1".into()),
                Value::Text("核心交换机".into()),
            ],
            next: 0,
        }
    }

    #[test]
    fn parameters_in_order_are_recognised_and_others_are_not() {
        assert_eq!(numbered_in_order("SELECT 1"), Some(0));
        assert_eq!(
            numbered_in_order("SELECT a FROM t WHERE x = $1 AND y IN ($2, $3)"),
            Some(3)
        );
        assert_eq!(
            numbered_in_order("UPDATE t SET a = $1, b = $2 WHERE c = $1"),
            Some(2)
        );
        assert_eq!(
            numbered_in_order("SELECT '$9' || $1 FROM t WHERE y = $2"),
            Some(2)
        );
        assert_eq!(numbered_in_order("INSERT INTO t VALUES ($2, $1)"), None);
        assert_eq!(numbered_in_order("SELECT $1, $3"), None);
        assert_eq!(numbered_in_order("SELECT $a"), None);
    }

    #[test]
    fn values_bind_to_their_numbers_in_any_order() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let sql_of = |sql: &str| -> Vec<Row> {
            sqlite_rows(
                &c,
                sql,
                &[Value::Int(1), Value::Text("two".into()), Value::Int(3)],
            )
            .unwrap()
        };
        for sql in [
            "SELECT $1 AS a, $2 AS b, $3 AS c",
            "SELECT $1 AS a, $2 AS b, $3 AS c, $1 AS d",
        ] {
            let mut r = sql_of(sql).remove(0);
            assert_eq!(
                (
                    r.take::<i64, _>("a").unwrap(),
                    r.take::<String, _>("b").unwrap(),
                    r.take::<i64, _>("c").unwrap()
                ),
                (1, "two".to_owned(), 3)
            );
        }
        // Out of order: bound by name.
        let mut r = sql_of("SELECT $3 AS c, $1 AS a, $2 AS b").remove(0);
        assert_eq!(
            (
                r.take::<i64, _>("a").unwrap(),
                r.take::<String, _>("b").unwrap(),
                r.take::<i64, _>("c").unwrap()
            ),
            (1, "two".to_owned(), 3)
        );
    }

    #[test]
    fn reads_by_name_in_column_order_and_out_of_it() {
        let mut r = row();
        assert_eq!(r.take::<i64, _>("id").ok(), Some(7));
        assert_eq!(r.take::<String, _>("code").ok().as_deref(), Some("SRV-1"));
        // Out of order: the hint misses and the search finds the column.
        let mut r2 = row();
        assert_eq!(
            r2.take::<String, _>("name").ok().as_deref(),
            Some("核心交换机")
        );
        assert_eq!(r2.try_get::<i64, _>("id").ok(), Some(7));
        assert_eq!(r2.take::<String, _>("code").ok().as_deref(), Some("SRV-1"));
        assert!(r2.take::<String, _>("missing").is_err());
        assert_eq!(r2.try_get::<i64, _>(0_usize).ok(), Some(7));
    }
}
