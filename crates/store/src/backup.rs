//! Backups of the embedded SQLite database: a consistent snapshot taken while the server
//! runs (`VACUUM INTO`), and a checked restore. PostgreSQL backups use the server's own
//! tools (pg_dump / pg_restore); the command-line tool drives them.

use crate::db::{Backend, Db, DbOptions};
use crate::migrate;
use std::path::Path;

/// Why a backup or restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The destination exists already.
    #[error("{0} already exists; choose a new file name (a backup never overwrites a file)")]
    Exists(String),
    /// The destination's directory is missing or unwritable.
    #[error("cannot write {path}: {reason}")]
    Unwritable {
        /// The destination.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file to restore is not a usable Castellan database.
    #[error("{path} is not a Castellan backup: {reason}")]
    NotABackup {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// This operation is for SQLite only.
    #[error("this database is {0}; use pg_dump/pg_restore (see docs/operations.md)")]
    WrongBackend(&'static str),
    /// The database refused.
    #[error("database error: {0}")]
    Database(#[from] crate::conn::DbError),
    /// Copying files failed.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes a consistent snapshot of a SQLite database to `dest` (which must not exist).
pub async fn sqlite_snapshot(db: &Db, dest: &Path) -> Result<u64, BackupError> {
    if db.backend() != Backend::Sqlite {
        return Err(BackupError::WrongBackend(db.backend().name()));
    }
    let shown = dest.display().to_string();
    if dest.exists() {
        return Err(BackupError::Exists(shown));
    }
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(BackupError::Unwritable {
            path: shown,
            reason: format!("directory {} does not exist", dir.display()),
        });
    }
    let Some(dest_str) = dest.to_str() else {
        return Err(BackupError::Unwritable {
            path: shown,
            reason: "the path is not valid UTF-8".into(),
        });
    };
    // SQLite only: VACUUM INTO copies a transaction-consistent image while readers and the
    // server keep running.
    let mut conn = db.maintenance().await?;
    conn.execute(
        "VACUUM INTO $1",
        &[crate::conn::Value::Text(dest_str.to_owned())],
    )
    .await
    .map_err(|e| {
        if e.is_refusal() {
            BackupError::Unwritable {
                path: shown.clone(),
                reason: e.to_string(),
            }
        } else {
            BackupError::Database(e)
        }
    })?;
    Ok(std::fs::metadata(dest)?.len())
}

/// Checks that `src` is a SQLite Castellan database this binary can use, then replaces the
/// database file at `target` with a copy of it. The server must be stopped.
pub async fn sqlite_restore(src: &Path, target: &Path) -> Result<i64, BackupError> {
    let shown = src.display().to_string();
    let not_backup = |reason: String| BackupError::NotABackup {
        path: shown.clone(),
        reason,
    };
    let mut header = [0_u8; 16];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(src).map_err(|e| not_backup(e.to_string()))?;
        f.read_exact(&mut header)
            .map_err(|_| not_backup("the file is too short".into()))?;
    }
    if &header != b"SQLite format 3\0" {
        return Err(not_backup("it is not a SQLite database".into()));
    }
    // Work on a copy beside the target, so the original backup is never modified and the
    // target is replaced in one rename.
    let staging = target.with_extension("restore-tmp");
    let _ = std::fs::remove_file(&staging);
    std::fs::copy(src, &staging)?;
    let url = format!("sqlite://{}", staging.display());
    let check = async {
        let options = DbOptions {
            max_connections: 1,
            migrate: false,
            ..DbOptions::default()
        };
        let db = Db::open(&url, &options)
            .await
            .map_err(|e| not_backup(e.to_string()))?;
        let version = migrate::current_version(&db)
            .await
            .map_err(|e| not_backup(e.to_string()))?;
        let integrity: String = {
            let mut conn = db.read().await?;
            let mut row = conn
                .fetch_optional("PRAGMA integrity_check", &[])
                .await?
                .ok_or(crate::conn::DbError::RowNotFound)?;
            row.take(0)?
        };
        db.close().await;
        if version == 0 {
            return Err(not_backup("it holds no Castellan schema".into()));
        }
        if integrity != "ok" {
            return Err(not_backup(format!("integrity check failed: {integrity}")));
        }
        Ok(version)
    };
    let version = match check.await {
        Ok(v) => v,
        Err(e) => {
            remove_db_files(&staging);
            return Err(e);
        }
    };
    remove_db_files(target);
    std::fs::rename(&staging, target)?;
    remove_db_files(&staging);
    Ok(version)
}

fn remove_db_files(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
}
