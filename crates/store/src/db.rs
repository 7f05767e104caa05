//! Opening the database. One `Db` serves SQLite and PostgreSQL through sqlx's `Any` driver;
//! the backend is chosen once, from the URL, and only the few places where the dialects
//! truly differ ask which one it is.

use crate::migrate::{self, MigrateError};
use sqlx::AnyConnection;
use sqlx::any::AnyPoolOptions;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::Duration;

/// A write transaction. Every change, and its audit entry, happens inside one.
pub type Tx = Transaction<'static, Any>;

/// A pooled connection for reads.
pub type ReadConn = PoolConnection<Any>;

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
        source: sqlx::Error,
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
    /// How long a request waits for a free connection.
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

/// The database: a pool for reads and a pool for writes.
///
/// On SQLite the write pool has a single connection, so Castellan's own writers queue in
/// process instead of failing with "database is locked", and the read connections are
/// `query_only`, so a write that forgets to open a write transaction fails loudly. On
/// PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    redacted_url: String,
}

static INSTALL_DRIVERS: Once = Once::new();

impl Db {
    /// Opens (and on SQLite creates) the database, applying migrations when asked.
    pub async fn open(url: &str, options: &DbOptions) -> Result<Db, OpenError> {
        INSTALL_DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = backend_of(url)?;
        let redacted_url = redact_url(url);
        let connect_err = |source| OpenError::Connect {
            url: redacted_url.clone(),
            source,
        };
        let db = match backend {
            Backend::Sqlite => {
                let (url, path) = sqlite_url(url)?;
                check_sqlite_path(&path)?;
                // The single writer: WAL, NORMAL sync (durable at checkpoints, safe in WAL).
                let write = sqlite_pool(1, options, false)
                    .connect(&url)
                    .await
                    .map_err(connect_err)?;
                let read = sqlite_pool(options.max_connections.max(1), options, true)
                    .connect(&url)
                    .await
                    .map_err(connect_err)?;
                Db {
                    read,
                    write,
                    backend,
                    redacted_url: redacted_url.clone(),
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(options.max_connections.max(2))
                    .acquire_timeout(options.acquire_timeout)
                    .connect(url)
                    .await
                    .map_err(connect_err)?;
                Db {
                    read: pool.clone(),
                    write: pool,
                    backend,
                    redacted_url: redacted_url.clone(),
                }
            }
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
    pub async fn read(&self) -> Result<ReadConn, sqlx::Error> {
        self.read.acquire().await
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so it never fails half-way with a lock upgrade error.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.write.begin().await,
        }
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let mut conn = self.read().await?;
        conn.execute("SELECT 1").await.map(|_| ())
    }

    /// Current pool usage: (connections open, connections idle), reads and writes together.
    pub fn pool_stats(&self) -> (u32, usize) {
        if self.backend == Backend::Postgres {
            (self.read.size(), self.read.num_idle())
        } else {
            (
                self.read.size() + self.write.size(),
                self.read.num_idle() + self.write.num_idle(),
            )
        }
    }

    /// Closes every connection (waits for running queries).
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// The write pool, for the few operations (migrations, backup) that need their own
    /// statement sequence.
    pub(crate) fn write_pool(&self) -> &AnyPool {
        &self.write
    }
}

fn sqlite_pool(max: u32, options: &DbOptions, read_only: bool) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(if read_only { 0 } else { 1 })
        .acquire_timeout(options.acquire_timeout)
        .after_connect(move |conn: &mut AnyConnection, _meta| {
            Box::pin(async move {
                // SQLite-specific settings; sqlx already turns foreign keys on.
                if !read_only {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                }
                conn.execute("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32000")
                    .await?;
                if read_only {
                    conn.execute("PRAGMA query_only = ON").await?;
                }
                Ok(())
            })
        })
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

/// True when the error is a unique-constraint violation (the same on both engines).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

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
