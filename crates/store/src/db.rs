//! Opening the database. One `Db` serves SQLite and PostgreSQL; the backend is chosen once,
//! from the URL, and only the few places where the dialects truly differ ask which one it is.

use crate::conn::{Conn, DbError, Shelf, Tx};
use crate::migrate::{self, MigrateError};
use sqlx::postgres::PgPoolOptions;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A pooled connection for reads.
pub type ReadConn = Conn;

/// Which database engine is behind the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file (the default).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Short name for messages and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Why the database could not be opened. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The URL names no supported engine.
    #[error(
        "unsupported database URL {0:?}: use sqlite://FILE (e.g. sqlite://castellan.db) or postgres://USER@HOST:PORT/DATABASE"
    )]
    UnsupportedUrl(String),
    /// SQLite in-memory databases cannot be shared by a pool.
    #[error(
        "in-memory SQLite databases are not supported: give a file, e.g. sqlite://castellan.db"
    )]
    InMemory,
    /// The SQLite file's directory is missing or not writable.
    #[error("cannot use SQLite database {path}: {reason}")]
    SqlitePath {
        /// The database file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The server or file could not be opened.
    #[error("cannot open the database at {url}: {source}")]
    Connect {
        /// The URL with any password hidden.
        url: String,
        /// The driver's error.
        source: DbError,
    },
    /// Migrations failed or the schema is newer than this binary.
    #[error(transparent)]
    Migrate(#[from] MigrateError),
}

/// Pool sizes and timeouts.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Maximum connections for reads (and, on PostgreSQL, writes).
    pub max_connections: u32,
    /// How long a request waits for a free connection (PostgreSQL).
    pub acquire_timeout: Duration,
    /// Apply pending migrations on open (`serve` does; `migrate` does it explicitly).
    pub migrate: bool,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(10),
            migrate: true,
        }
    }
}

enum Pools {
    /// Read connections are `query_only`, so a write that forgets to open a write
    /// transaction fails loudly; the single writer makes Castellan's own writers queue in
    /// process instead of failing with "database is locked".
    Sqlite {
        readers: Arc<Shelf>,
        writer: Arc<Shelf>,
    },
    Postgres(sqlx::PgPool),
}

/// The database.
#[derive(Clone)]
pub struct Db {
    pools: Arc<Pools>,
    backend: Backend,
    redacted_url: String,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("url", &self.redacted_url)
            .finish()
    }
}

/// How much of the database file a reader connection maps into memory.
const READER_MMAP_BYTES: i64 = 1 << 31;

/// Opens one SQLite connection with Castellan's settings (SQLite only: WAL, NORMAL
/// synchronisation — durable at checkpoints and safe in WAL —, foreign keys, a busy timeout).
/// Each SQLite connection's page cache, in KiB.
pub(crate) const CACHE_KIB: i64 = 32_000;

fn open_sqlite(path: &Path, writer: bool) -> Result<rusqlite::Connection, rusqlite::Error> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let c = rusqlite::Connection::open_with_flags(path, flags)?;
    c.busy_timeout(Duration::from_secs(10))?;
    if writer {
        c.pragma_update(None, "journal_mode", "WAL")?;
    }
    c.pragma_update(None, "synchronous", "NORMAL")?;
    c.pragma_update(None, "foreign_keys", "ON")?;
    c.pragma_update(None, "temp_store", "MEMORY")?;
    c.pragma_update(None, "cache_size", -CACHE_KIB)?;
    if !writer {
        c.pragma_update(None, "query_only", "ON")?;
        // Readers map the file instead of copying each page out of the OS cache with a
        // system call: a search that visits 50,000 scattered rows of a million-asset
        // register takes 60 ms instead of 90 ms. Pages read this way are the OS's file
        // cache, shared by every connection, not memory of the process. (SQLite caps the
        // size at its compiled limit, 2 GiB; the rest of a larger file is read as before.)
        c.pragma_update(None, "mmap_size", READER_MMAP_BYTES)?;
    }
    // Castellan's statements are prepared once and cached. Without the planner stability
    // guarantee SQLite re-plans a cached statement whenever a bound value could change the
    // plan (`LIMIT ?`, `LIKE ?`), which costs a full re-prepare on every call.
    c.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    c.set_prepared_statement_cache_capacity(256);
    Ok(c)
}

/// Runs a call that may wait on another process's lock without stalling the async workers.
pub(crate) fn may_block<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

impl Db {
    /// Opens (and on SQLite creates) the database, applying migrations when asked.
    pub async fn open(url: &str, options: &DbOptions) -> Result<Db, OpenError> {
        let backend = backend_of(url)?;
        let redacted_url = redact_url(url);
        let connect_err = |source: DbError| OpenError::Connect {
            url: redacted_url.clone(),
            source,
        };
        let pools = match backend {
            Backend::Sqlite => {
                let (_, path) = sqlite_url(url)?;
                check_sqlite_path(&path)?;
                let first = open_sqlite(&path, true).map_err(|e| connect_err(e.into()))?;
                let writer_path = path.clone();
                let writer = Shelf::new(1, move || open_sqlite(&writer_path, true));
                if let Ok(mut idle) = writer_idle(&writer) {
                    idle.push(first);
                }
                let reader_path = path.clone();
                let readers = Shelf::new(options.max_connections.max(1) as usize, move || {
                    open_sqlite(&reader_path, false)
                });
                Pools::Sqlite { readers, writer }
            }
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections.max(2))
                    .acquire_timeout(options.acquire_timeout)
                    .connect(url)
                    .await
                    .map_err(|e| connect_err(e.into()))?;
                Pools::Postgres(pool)
            }
        };
        let db = Db {
            pools: Arc::new(pools),
            backend,
            redacted_url,
        };
        if options.migrate {
            migrate::run(&db).await?;
        } else {
            migrate::check_not_newer(&db).await?;
        }
        Ok(db)
    }

    /// Which engine this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL with its password hidden, for messages.
    pub fn redacted_url(&self) -> &str {
        &self.redacted_url
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<ReadConn, DbError> {
        match &*self.pools {
            Pools::Sqlite { readers, .. } => Ok(Conn::sqlite(readers.lease().await?)),
            Pools::Postgres(pool) => Ok(Conn::pg(pool.acquire().await?)),
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so it never fails half-way with a lock upgrade error.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        match &*self.pools {
            Pools::Sqlite { writer, .. } => {
                let mut conn = Conn::sqlite(writer.lease().await?);
                let native = conn
                    .sqlite_native()
                    .ok_or_else(|| DbError::Pool("no SQLite connection".into()))?;
                may_block(|| native.execute_batch("BEGIN IMMEDIATE"))?;
                Ok(Tx::new(conn))
            }
            Pools::Postgres(pool) => Ok(Tx::new(Conn::pg_tx(pool.begin().await?))),
        }
    }

    /// The write connection outside a transaction (SQLite), for maintenance such as
    /// `VACUUM INTO`; a pooled connection on PostgreSQL.
    pub async fn maintenance(&self) -> Result<Conn, DbError> {
        match &*self.pools {
            Pools::Sqlite { writer, .. } => Ok(Conn::sqlite(writer.lease().await?)),
            Pools::Postgres(pool) => Ok(Conn::pg(pool.acquire().await?)),
        }
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), DbError> {
        let mut conn = self.read().await?;
        conn.fetch_all("SELECT 1", &[]).await.map(|_| ())
    }

    /// Current pool usage: (connections open, connections idle).
    pub fn pool_stats(&self) -> (usize, usize) {
        match &*self.pools {
            Pools::Sqlite { readers, writer } => {
                let (ro, ri) = readers.stats();
                let (wo, wi) = writer.stats();
                (ro + wo, ri + wi)
            }
            Pools::Postgres(pool) => (pool.size() as usize, pool.num_idle()),
        }
    }

    /// Closes the pools (running queries finish).
    pub async fn close(&self) {
        match &*self.pools {
            Pools::Sqlite { readers, writer } => {
                readers.close();
                writer.close();
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}

fn writer_idle(
    shelf: &Arc<Shelf>,
) -> Result<std::sync::MutexGuard<'_, Vec<rusqlite::Connection>>, ()> {
    shelf.idle_mut().map_err(|_| ())
}

/// Which backend a URL names.
pub fn backend_of(url: &str) -> Result<Backend, OpenError> {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(OpenError::UnsupportedUrl(redact_url(url)))
    }
}

/// The file a SQLite URL names, and the URL sqlx should open (creating the file).
pub fn sqlite_url(url: &str) -> Result<(String, PathBuf), OpenError> {
    let rest = url.trim();
    let rest = rest
        .strip_prefix("sqlite://")
        .or_else(|| rest.strip_prefix("sqlite:"))
        .unwrap_or(rest);
    let (path_part, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if path_part.is_empty()
        || path_part.contains(":memory:")
        || query.is_some_and(|q| q.contains("mode=memory"))
    {
        return Err(OpenError::InMemory);
    }
    let path = PathBuf::from(path_part);
    let mut params: Vec<&str> = query
        .map(|q| q.split('&').filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    if !params.iter().any(|p| p.starts_with("mode=")) {
        params.push("mode=rwc");
    }
    Ok((format!("sqlite://{}?{}", path_part, params.join("&")), path))
}

fn check_sqlite_path(path: &Path) -> Result<(), OpenError> {
    let fail = |reason: String| OpenError::SqlitePath {
        path: path.to_path_buf(),
        reason,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let meta = std::fs::metadata(&dir)
        .map_err(|e| fail(format!("directory {} is not usable: {e}", dir.display())))?;
    if !meta.is_dir() {
        return Err(fail(format!("{} is not a directory", dir.display())));
    }
    if path.is_dir() {
        return Err(fail("it is a directory, not a file".into()));
    }
    // SQLite needs to create the -wal and -shm files beside the database.
    let probe = dir.join(format!(".castellan-write-test-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(fail(format!(
            "directory {} is not writable: {e}",
            dir.display()
        ))),
    }
}

/// Hides the password of a URL (`postgres://user:secret@host` → `postgres://user:***@host`).
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let after = scheme_end + 3;
    let rest = url.get(after..).unwrap_or("");
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = rest.get(..authority_end).unwrap_or("");
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = authority.get(..at).unwrap_or("");
    let Some(colon) = userinfo.find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:***{}",
        url.get(..after).unwrap_or(""),
        userinfo.get(..colon).unwrap_or(""),
        rest.get(at..).unwrap_or("")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_map_the_file_and_the_writer_does_not() {
        let dir = std::env::temp_dir().join(format!("castellan-mmap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let mapped = |writer: bool| -> i64 {
            let c = open_sqlite(&path, writer).unwrap();
            c.query_row("PRAGMA mmap_size", [], |r| r.get(0)).unwrap()
        };
        assert_eq!(mapped(true), 0);
        assert!(mapped(false) >= 1 << 30, "{}", mapped(false));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn urls() {
        assert_eq!(backend_of("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(backend_of("postgresql://h/db").unwrap(), Backend::Postgres);
        assert!(matches!(
            backend_of("mysql://h/db"),
            Err(OpenError::UnsupportedUrl(_))
        ));
        assert_eq!(
            redact_url("postgres://castellan:s3cret@db:5432/c"),
            "postgres://castellan:***@db:5432/c"
        );
        assert_eq!(redact_url("postgres://db/c"), "postgres://db/c");
        let (u, p) = sqlite_url("sqlite://data/c.db").unwrap();
        assert_eq!(u, "sqlite://data/c.db?mode=rwc");
        assert_eq!(p, PathBuf::from("data/c.db"));
        assert!(matches!(
            sqlite_url("sqlite::memory:"),
            Err(OpenError::InMemory)
        ));
    }
}
