//! The threat catalog.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, ts};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::Timestamp;
use castellan_domain::ids::ThreatId;
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::risk::register::{Bilingual, Threat};
use castellan_domain::risk::threat::{CATALOG, ThreatMethod, ThreatPath, ThreatSource};

const COLUMNS: &str = "id, code, source, path, method, name_en, name_zh, description_en, description_zh, builtin, active, version, created_at, updated_at";

/// The sort keys of the catalog.
pub const SORTS: &[&str] = &["code", "updated_at"];

fn from_row(mut row: Row) -> Result<Threat, DbError> {
    Ok(Threat {
        id: ThreatId(row.try_get("id")?),
        code: row.take("code")?,
        source: code_of(&mut row, "source", ThreatSource::from_code)?,
        path: code_of(&mut row, "path", ThreatPath::from_code)?,
        method: code_of(&mut row, "method", ThreatMethod::from_code)?,
        name: Bilingual {
            en: row.take("name_en")?,
            zh: row.take("name_zh")?,
        },
        description: Bilingual {
            en: row.take("description_en")?,
            zh: row.take("description_zh")?,
        },
        builtin: row.try_get::<i64, _>("builtin")? != 0,
        active: row.try_get::<i64, _>("active")? != 0,
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// The fields of a threat as written.
#[derive(Debug, Clone, Copy)]
pub struct ThreatFields<'a> {
    /// Catalog code.
    pub code: &'a str,
    /// Source.
    pub source: ThreatSource,
    /// Path.
    pub path: ThreatPath,
    /// Method.
    pub method: ThreatMethod,
    /// Name.
    pub name: &'a Bilingual,
    /// Description.
    pub description: &'a Bilingual,
    /// Offered for new risks.
    pub active: bool,
}

fn bind_fields(q: &mut Sql, f: &ThreatFields<'_>) {
    q.bind(f.code.to_owned())
        .push(", ")
        .bind(f.source.code())
        .push(", ")
        .bind(f.path.code())
        .push(", ")
        .bind(f.method.code())
        .push(", ")
        .bind(f.name.en.clone())
        .push(", ")
        .bind(f.name.zh.clone())
        .push(", ")
        .bind(f.description.en.clone())
        .push(", ")
        .bind(f.description.zh.clone())
        .push(", ")
        .bind(i64::from(f.active));
}

const FIELD_COLUMNS: &str =
    "code, source, path, method, name_en, name_zh, description_en, description_zh, active";

/// Adds a threat (`builtin` for the shipped catalog).
pub async fn insert(
    conn: &mut Conn,
    fields: &ThreatFields<'_>,
    builtin: bool,
    now: Timestamp,
) -> Result<Threat, DbError> {
    let mut q = Sql::new(&format!(
        "INSERT INTO threats ({FIELD_COLUMNS}, builtin, version, created_at, updated_at) VALUES ("
    ));
    bind_fields(&mut q, fields);
    q.push(", ")
        .bind(i64::from(builtin))
        .push(", 1, ")
        .bind(now.to_db())
        .push(", ")
        .bind(now.to_db())
        .push(&format!(") RETURNING {COLUMNS}"));
    from_row(q.fetch_one(conn).await?)
}

/// Rewrites a threat if its version is still `expected_version`; `None` when it is not.
pub async fn update(
    conn: &mut Conn,
    id: ThreatId,
    fields: &ThreatFields<'_>,
    expected_version: i64,
    now: Timestamp,
) -> Result<Option<Threat>, DbError> {
    let mut q = Sql::new(&format!("UPDATE threats SET ({FIELD_COLUMNS}) = ("));
    bind_fields(&mut q, fields);
    q.push("), version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(id.0)
        .push(" AND version = ")
        .bind(expected_version)
        .push(&format!(" RETURNING {COLUMNS}"));
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// Inserts the shipped catalog (run once, by the migration that creates the table).
pub(crate) async fn seed_catalog(conn: &mut Conn) -> Result<(), DbError> {
    let now = Timestamp::now();
    for t in CATALOG {
        let name = Bilingual {
            en: t.name.en.to_owned(),
            zh: t.name.zh.to_owned(),
        };
        let description = Bilingual {
            en: t.description.en.to_owned(),
            zh: t.description.zh.to_owned(),
        };
        let fields = ThreatFields {
            code: t.code,
            source: t.source,
            path: t.path,
            method: t.method,
            name: &name,
            description: &description,
            active: true,
        };
        insert(conn, &fields, true, now).await?;
    }
    Ok(())
}

/// One threat.
pub async fn get(conn: &mut Conn, id: ThreatId) -> Result<Option<Threat>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM threats WHERE id = "));
    q.bind(id.0);
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// The threat with this code.
pub async fn find_by_code(conn: &mut Conn, code: &str) -> Result<Option<Threat>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM threats WHERE code = "));
    q.bind(code.to_owned());
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// Which threats a list shows.
#[derive(Debug, Clone, Default)]
pub struct ThreatFilter {
    /// Substring of code or either name.
    pub q: Option<String>,
    /// Source.
    pub source: Option<ThreatSource>,
    /// Path.
    pub path: Option<ThreatPath>,
    /// Method.
    pub method: Option<ThreatMethod>,
    /// Only active (or only retired) entries.
    pub active: Option<bool>,
}

/// One page of the catalog, and the cursor of the next.
pub async fn list(
    conn: &mut Conn,
    filter: &ThreatFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Threat>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM threats WHERE 1 = 1"));
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = contains_pattern(text);
        q.push(" AND (LOWER(code) LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(name_en) LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(name_zh) LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(s) = filter.source {
        q.push(" AND source = ").bind(s.code());
    }
    if let Some(p) = filter.path {
        q.push(" AND path = ").bind(p.code());
    }
    if let Some(m) = filter.method {
        q.push(" AND method = ").bind(m.code());
    }
    if let Some(a) = filter.active {
        q.push(" AND active = ").bind(i64::from(a));
    }
    let column = if sort.field == "updated_at" {
        "updated_at"
    } else {
        "code"
    };
    crate::paging::keyset(&mut q, column, crate::paging::Kind::Text, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items: Vec<Threat> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |t| {
        let key = if sort.field == "updated_at" {
            KeyValue::Text(t.updated_at.to_db())
        } else {
            KeyValue::Text(t.code.clone())
        };
        vec![key, KeyValue::Int(t.id.0)]
    });
    Ok((items, next))
}

/// Every threat in code order (exports, pickers; the catalog is small).
pub async fn all(conn: &mut Conn, active_only: bool) -> Result<Vec<Threat>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM threats"));
    if active_only {
        q.push(" WHERE active = 1");
    }
    q.push(" ORDER BY code");
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}
