//! Schema migrations, embedded in the binary and applied in order.
//!
//! One SQL file per version serves both engines. The few type names that differ are written
//! as tokens (`{{PK}}`), and statements that exist on one engine only (triggers) sit in a
//! `-- @sqlite` or `-- @postgres` section; `-- @all` switches back. Migrations follow the
//! expand/contract rule: a running older binary must keep working while a newer one applies
//! its migrations, so columns are added before they are used and dropped only after no
//! released binary reads them.

use crate::conn::{Conn, DbError};
use crate::db::{Backend, Db};
use crate::sql::Sql;
use castellan_domain::Timestamp;
use sha2::{Digest, Sha256};

/// One embedded migration.
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../migrations/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "assets",
        sql: include_str!("../migrations/0002_assets.sql"),
    },
    Migration {
        version: 3,
        name: "asset search",
        sql: include_str!("../migrations/0003_asset_search.sql"),
    },
    Migration {
        version: 4,
        name: "pending uploads",
        sql: include_str!("../migrations/0004_pending_uploads.sql"),
    },
    Migration {
        version: 5,
        name: "risk assessment",
        sql: include_str!("../migrations/0005_risk.sql"),
    },
    Migration {
        version: 6,
        name: "workflow engine and approval requests",
        sql: include_str!("../migrations/0006_workflow.sql"),
    },
    Migration {
        version: 7,
        name: "people search",
        sql: include_str!("../migrations/0007_people_search.sql"),
    },
    Migration {
        version: 8,
        name: "attachments",
        sql: include_str!("../migrations/0008_attachments.sql"),
    },
    Migration {
        version: 9,
        name: "security incidents",
        sql: include_str!("../migrations/0009_incidents.sql"),
    },
    Migration {
        version: 10,
        name: "rectification tasks",
        sql: include_str!("../migrations/0010_rectifications.sql"),
    },
    Migration {
        version: 11,
        name: "incident count indexes",
        sql: include_str!("../migrations/0011_incident_counts.sql"),
    },
    Migration {
        version: 12,
        name: "documents",
        sql: include_str!("../migrations/0012_documents.sql"),
    },
    Migration {
        version: 13,
        name: "document acknowledgements",
        sql: include_str!("../migrations/0013_document_acknowledgements.sql"),
    },
    Migration {
        version: 14,
        name: "training",
        sql: include_str!("../migrations/0014_training.sql"),
    },
    Migration {
        version: 15,
        name: "inspections",
        sql: include_str!("../migrations/0015_inspections.sql"),
    },
    Migration {
        version: 16,
        name: "security goals",
        sql: include_str!("../migrations/0016_goals.sql"),
    },
    Migration {
        version: 17,
        name: "password custody",
        sql: include_str!("../migrations/0017_custody.sql"),
    },
    Migration {
        version: 18,
        name: "continuity",
        sql: include_str!("../migrations/0018_continuity.sql"),
    },
];

/// The migration that creates the threat catalog, which the runner then fills with the
/// shipped entries (they live in the domain crate, in both languages).
const THREAT_CATALOG_VERSION: i64 = 5;

/// The migration that creates approval chains, which the runner then fills with the
/// default chains (they live in the domain crate).
const CHAINS_VERSION: i64 = 6;

/// The migration that creates documents, which the runner then gives their default approval
/// chains (the security officer reviews; the committee approves policies).
const DOCUMENT_CHAINS_VERSION: i64 = 12;

/// The migration that creates training plans, which the runner then gives their default
/// approval chains (a security officer approves).
const TRAINING_CHAINS_VERSION: i64 = 14;

/// The migration that creates inspections, which the runner then gives the plans' default
/// approval chains and the shipped checklist.
const INSPECTIONS_VERSION: i64 = 15;

/// The migration that adds the people picker's search keys, which the runner then computes
/// for existing users (pinyin lives in the domain crate).
const PEOPLE_SEARCH_VERSION: i64 = 7;

/// The newest schema version this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// Why migrating failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The database was migrated by a newer Castellan.
    #[error(
        "the database schema is at version {database}, newer than this castellan binary understands (version {binary}); run a castellan release at least as new as the one that last migrated it"
    )]
    SchemaTooNew {
        /// Version recorded in the database.
        database: i64,
        /// Newest version this binary knows.
        binary: i64,
    },
    /// An applied migration differs from the one embedded in this binary.
    #[error(
        "migration {version} ({name}) applied to the database differs from the one in this binary"
    )]
    Modified {
        /// The version.
        version: i64,
        /// Its name.
        name: &'static str,
    },
    /// The database refused a statement.
    #[error("migration failed: {0}")]
    Database(#[from] DbError),
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateReport {
    /// Versions applied by this run.
    pub applied: Vec<i64>,
    /// The schema version afterwards.
    pub current: i64,
}

const TABLE: &str = "CREATE TABLE IF NOT EXISTS castellan_schema (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";

/// Applies every pending migration, each in its own transaction. Safe to run from several
/// instances at once: on PostgreSQL they queue on an advisory lock, on SQLite on the write
/// lock.
pub async fn run(db: &Db) -> Result<MigrateReport, MigrateError> {
    let mut applied = Vec::new();
    for migration in MIGRATIONS {
        let mut tx = db.begin().await?;
        if db.backend() == Backend::Postgres {
            // PostgreSQL only: serialize concurrent migrators (held until commit).
            tx.execute("SELECT pg_advisory_xact_lock(7202611220001)", &[])
                .await?;
        }
        tx.execute_batch(TABLE).await?;
        let recorded = recorded_versions(&mut tx).await?;
        check_recorded(&recorded)?;
        if recorded.iter().any(|(v, _)| *v == migration.version) {
            tx.commit().await?;
            continue;
        }
        let sql = render(migration.sql, db.backend());
        tx.execute_batch(&sql).await?;
        if migration.version == THREAT_CATALOG_VERSION {
            crate::risk::threats::seed_catalog(&mut tx).await?;
        }
        if migration.version == CHAINS_VERSION {
            crate::workflow::seed_default_chains(&mut tx).await?;
        }
        if migration.version == DOCUMENT_CHAINS_VERSION {
            crate::workflow::seed_area_chains(
                &mut tx,
                "document",
                castellan_domain::document::default_chains(),
            )
            .await?;
        }
        if migration.version == TRAINING_CHAINS_VERSION {
            crate::workflow::seed_area_chains(
                &mut tx,
                "training_plan",
                castellan_domain::training::default_chains(),
            )
            .await?;
        }
        if migration.version == INSPECTIONS_VERSION {
            crate::workflow::seed_area_chains(
                &mut tx,
                "inspection_plan",
                castellan_domain::inspection::default_chains(),
            )
            .await?;
            crate::inspection::checklists::seed_shipped(&mut tx).await?;
        }
        if migration.version == PEOPLE_SEARCH_VERSION {
            crate::org::users::refresh_all_search_keys(&mut tx).await?;
        }
        let mut q =
            Sql::new("INSERT INTO castellan_schema (version, name, checksum, applied_at) VALUES (");
        q.bind(migration.version)
            .push(", ")
            .bind(migration.name)
            .push(", ")
            .bind(checksum(migration.sql))
            .push(", ")
            .bind(Timestamp::now().to_db())
            .push(")");
        q.execute(&mut tx).await?;
        tx.commit().await?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
        applied.push(migration.version);
    }
    Ok(MigrateReport {
        applied,
        current: latest_version(),
    })
}

/// Refuses a database whose schema is newer than this binary (for commands that do not
/// migrate). A database without the schema table passes: it is new.
pub async fn check_not_newer(db: &Db) -> Result<i64, MigrateError> {
    let mut conn = db.read().await?;
    let exists = table_exists(&mut conn).await?;
    if !exists {
        return Ok(0);
    }
    let recorded = recorded_versions(&mut conn).await?;
    check_recorded(&recorded)?;
    Ok(recorded.iter().map(|(v, _)| *v).max().unwrap_or(0))
}

/// The schema version recorded in the database (0 for an empty database).
pub async fn current_version(db: &Db) -> Result<i64, MigrateError> {
    let mut conn = db.read().await?;
    if !table_exists(&mut conn).await? {
        return Ok(0);
    }
    let recorded = recorded_versions(&mut conn).await?;
    Ok(recorded.iter().map(|(v, _)| *v).max().unwrap_or(0))
}

async fn table_exists(conn: &mut Conn) -> Result<bool, DbError> {
    // Portable probe: selecting from a missing table fails on both engines.
    match conn
        .fetch_optional("SELECT version FROM castellan_schema LIMIT 1", &[])
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if e.is_refusal() => Ok(false),
        Err(e) => Err(e),
    }
}

async fn recorded_versions(conn: &mut Conn) -> Result<Vec<(i64, String)>, DbError> {
    let rows = conn
        .fetch_all(
            "SELECT version, checksum FROM castellan_schema ORDER BY version",
            &[],
        )
        .await?;
    rows.into_iter()
        .map(|mut r| Ok((r.take::<i64, _>(0)?, r.take::<String, _>(1)?)))
        .collect()
}

fn check_recorded(recorded: &[(i64, String)]) -> Result<(), MigrateError> {
    let newest = recorded.iter().map(|(v, _)| *v).max().unwrap_or(0);
    if newest > latest_version() {
        return Err(MigrateError::SchemaTooNew {
            database: newest,
            binary: latest_version(),
        });
    }
    for (version, sum) in recorded {
        if let Some(m) = MIGRATIONS.iter().find(|m| m.version == *version)
            && checksum(m.sql) != *sum
        {
            return Err(MigrateError::Modified {
                version: m.version,
                name: m.name,
            });
        }
    }
    Ok(())
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Keeps the sections meant for `backend` and replaces the type tokens.
fn render(sql: &str, backend: Backend) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut keep = true;
    for line in sql.lines() {
        match line.trim() {
            "-- @all" => keep = true,
            "-- @sqlite" => keep = backend == Backend::Sqlite,
            "-- @postgres" => keep = backend == Backend::Postgres,
            _ if keep => {
                out.push_str(line);
                out.push('\n');
            }
            _ => {}
        }
    }
    let (pk, blob, double) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB", "REAL"),
        Backend::Postgres => (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "BYTEA",
            "DOUBLE PRECISION",
        ),
    };
    out.replace("{{PK}}", pk)
        .replace("{{BLOB}}", blob)
        .replace("{{DOUBLE}}", double)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_tokens() {
        let sql = "CREATE TABLE t (id {{PK}});\n-- @sqlite\nSQLITE ONLY;\n-- @postgres\nPG ONLY;\n-- @all\nBOTH;\n";
        let s = render(sql, Backend::Sqlite);
        assert!(s.contains("INTEGER PRIMARY KEY AUTOINCREMENT"));
        assert!(s.contains("SQLITE ONLY") && !s.contains("PG ONLY") && s.contains("BOTH"));
        let p = render(sql, Backend::Postgres);
        assert!(p.contains("IDENTITY") && p.contains("PG ONLY") && !p.contains("SQLITE ONLY"));
    }

    #[test]
    fn versions_are_increasing() {
        let mut last = 0;
        for m in MIGRATIONS {
            assert!(m.version > last);
            last = m.version;
        }
    }
}
