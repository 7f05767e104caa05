//! Vulnerability findings against assets and the security controls already in place.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, day_opt, rating, ts};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::asset::Rating;
use castellan_domain::ids::{AssetId, ControlId, VulnerabilityId};
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::risk::finding::{ControlKind, Effectiveness, FoundBy, VulnerabilityStatus};
use castellan_domain::risk::register::{Control, Vulnerability};
use castellan_domain::{Day, Scope, Timestamp};

const VULN_COLUMNS: &str = "id, asset_id, title, description, severity, status, reference, found_by, found_on, version, created_at, updated_at";
const VULN_FIELDS: &str =
    "asset_id, title, description, severity, status, reference, found_by, found_on";

/// The sort keys of the vulnerability list.
pub const VULNERABILITY_SORTS: &[&str] = &["severity", "created_at"];

fn vulnerability(mut row: Row) -> Result<Vulnerability, DbError> {
    Ok(Vulnerability {
        id: VulnerabilityId(row.try_get("id")?),
        asset_id: AssetId(row.try_get("asset_id")?),
        title: row.take("title")?,
        description: row.take("description")?,
        severity: rating(&row, "severity")?,
        status: code_of(&mut row, "status", VulnerabilityStatus::from_code)?,
        reference: row.take("reference")?,
        found_by: code_of(&mut row, "found_by", FoundBy::from_code)?,
        found_on: day_opt(&mut row, "found_on")?,
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// A vulnerability as written.
#[derive(Debug, Clone, Copy)]
pub struct VulnerabilityFields<'a> {
    /// The asset.
    pub asset_id: AssetId,
    /// Title.
    pub title: &'a str,
    /// Description.
    pub description: Option<&'a str>,
    /// Severity.
    pub severity: Rating,
    /// Status.
    pub status: VulnerabilityStatus,
    /// Reference.
    pub reference: Option<&'a str>,
    /// How it was found.
    pub found_by: FoundBy,
    /// When.
    pub found_on: Option<Day>,
}

fn bind_vulnerability(q: &mut Sql, f: &VulnerabilityFields<'_>) {
    q.bind(f.asset_id.0)
        .push(", ")
        .bind(f.title.to_owned())
        .push(", ")
        .bind(f.description.map(str::to_owned))
        .push(", ")
        .bind(i64::from(f.severity.get()))
        .push(", ")
        .bind(f.status.code())
        .push(", ")
        .bind(f.reference.map(str::to_owned))
        .push(", ")
        .bind(f.found_by.code())
        .push(", ")
        .bind(f.found_on.map(Day::to_db));
}

/// Records a finding.
pub async fn insert_vulnerability(
    conn: &mut Conn,
    f: &VulnerabilityFields<'_>,
    now: Timestamp,
) -> Result<Vulnerability, DbError> {
    let mut q = Sql::new(&format!(
        "INSERT INTO vulnerabilities ({VULN_FIELDS}, version, created_at, updated_at) VALUES ("
    ));
    bind_vulnerability(&mut q, f);
    q.push(", 1, ")
        .bind(now.to_db())
        .push(", ")
        .bind(now.to_db())
        .push(&format!(") RETURNING {VULN_COLUMNS}"));
    vulnerability(q.fetch_one(conn).await?)
}

/// Rewrites a finding if its version is still `expected_version`.
pub async fn update_vulnerability(
    conn: &mut Conn,
    id: VulnerabilityId,
    f: &VulnerabilityFields<'_>,
    expected_version: i64,
    now: Timestamp,
) -> Result<Option<Vulnerability>, DbError> {
    let mut q = Sql::new(&format!("UPDATE vulnerabilities SET ({VULN_FIELDS}) = ("));
    bind_vulnerability(&mut q, f);
    q.push("), version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(id.0)
        .push(" AND version = ")
        .bind(expected_version)
        .push(&format!(" RETURNING {VULN_COLUMNS}"));
    q.fetch_optional(conn).await?.map(vulnerability).transpose()
}

/// One finding.
pub async fn get_vulnerability(
    conn: &mut Conn,
    id: VulnerabilityId,
) -> Result<Option<Vulnerability>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {VULN_COLUMNS} FROM vulnerabilities WHERE id = "
    ));
    q.bind(id.0);
    q.fetch_optional(conn).await?.map(vulnerability).transpose()
}

/// Which findings a list shows.
#[derive(Debug, Clone, Default)]
pub struct VulnerabilityFilter {
    /// Of this asset.
    pub asset_id: Option<AssetId>,
    /// In this status.
    pub status: Option<VulnerabilityStatus>,
    /// At least this severe.
    pub min_severity: Option<Rating>,
    /// Found this way.
    pub found_by: Option<FoundBy>,
    /// Substring of title or reference.
    pub q: Option<String>,
}

/// Restricts a query over a table with an `asset_id` column to the assets of `scope`.
fn push_asset_scope(q: &mut Sql, scope: &Scope) {
    if let Scope::Departments(ids) = scope {
        q.push(" AND asset_id IN (SELECT a.id FROM assets a JOIN departments d ON a.department_id = d.id JOIN departments s ON d.path LIKE s.path || '%' WHERE s.id IN (")
            .bind_list(ids.iter().map(|d| d.0))
            .push("))");
    }
}

/// One page of findings (most severe first by default).
pub async fn list_vulnerabilities(
    conn: &mut Conn,
    filter: &VulnerabilityFilter,
    scope: &Scope,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Vulnerability>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {VULN_COLUMNS} FROM vulnerabilities WHERE 1 = 1"
    ));
    if let Some(a) = filter.asset_id {
        q.push(" AND asset_id = ").bind(a.0);
    }
    if let Some(s) = filter.status {
        q.push(" AND status = ").bind(s.code());
    }
    if let Some(s) = filter.min_severity {
        q.push(" AND severity >= ").bind(i64::from(s.get()));
    }
    if let Some(f) = filter.found_by {
        q.push(" AND found_by = ").bind(f.code());
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = contains_pattern(text);
        q.push(" AND (LOWER(title) LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(reference, '')) LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\')");
    }
    push_asset_scope(&mut q, scope);
    let by_severity = sort.field == "severity";
    let (column, kind) = if by_severity {
        ("severity", crate::paging::Kind::Int)
    } else {
        ("created_at", crate::paging::Kind::Text)
    };
    crate::paging::keyset(&mut q, column, kind, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items: Vec<Vulnerability> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(vulnerability)
        .collect::<Result<_, _>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |v| {
        let key = if by_severity {
            KeyValue::Int(i64::from(v.severity.get()))
        } else {
            KeyValue::Text(v.created_at.to_db())
        };
        vec![key, KeyValue::Int(v.id.0)]
    });
    Ok((items, next))
}

/// The findings of some assets (for an assessment's pickers and reports).
pub async fn of_assets(conn: &mut Conn, assets: &[AssetId]) -> Result<Vec<Vulnerability>, DbError> {
    if assets.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(&format!(
        "SELECT {VULN_COLUMNS} FROM vulnerabilities WHERE asset_id IN ("
    ));
    q.bind_list(assets.iter().map(|a| a.0))
        .push(") ORDER BY asset_id, severity DESC, id");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(vulnerability)
        .collect()
}

const CONTROL_COLUMNS: &str =
    "id, name, kind, description, effectiveness, asset_id, version, created_at, updated_at";
const CONTROL_FIELDS: &str = "name, kind, description, effectiveness, asset_id";

fn control(mut row: Row) -> Result<Control, DbError> {
    Ok(Control {
        id: ControlId(row.try_get("id")?),
        name: row.take("name")?,
        kind: code_of(&mut row, "kind", ControlKind::from_code)?,
        description: row.take("description")?,
        effectiveness: code_of(&mut row, "effectiveness", Effectiveness::from_code)?,
        asset_id: row.try_get::<Option<i64>, _>("asset_id")?.map(AssetId),
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// A control as written.
#[derive(Debug, Clone, Copy)]
pub struct ControlFields<'a> {
    /// Name.
    pub name: &'a str,
    /// Kind.
    pub kind: ControlKind,
    /// Description.
    pub description: Option<&'a str>,
    /// Effectiveness.
    pub effectiveness: Effectiveness,
    /// The asset protected (`None`: organization-wide).
    pub asset_id: Option<AssetId>,
}

fn bind_control(q: &mut Sql, f: &ControlFields<'_>) {
    q.bind(f.name.to_owned())
        .push(", ")
        .bind(f.kind.code())
        .push(", ")
        .bind(f.description.map(str::to_owned))
        .push(", ")
        .bind(f.effectiveness.code())
        .push(", ")
        .bind(f.asset_id.map(|a| a.0));
}

/// Records a control.
pub async fn insert_control(
    conn: &mut Conn,
    f: &ControlFields<'_>,
    now: Timestamp,
) -> Result<Control, DbError> {
    let mut q = Sql::new(&format!(
        "INSERT INTO controls ({CONTROL_FIELDS}, version, created_at, updated_at) VALUES ("
    ));
    bind_control(&mut q, f);
    q.push(", 1, ")
        .bind(now.to_db())
        .push(", ")
        .bind(now.to_db())
        .push(&format!(") RETURNING {CONTROL_COLUMNS}"));
    control(q.fetch_one(conn).await?)
}

/// Rewrites a control if its version is still `expected_version`.
pub async fn update_control(
    conn: &mut Conn,
    id: ControlId,
    f: &ControlFields<'_>,
    expected_version: i64,
    now: Timestamp,
) -> Result<Option<Control>, DbError> {
    let mut q = Sql::new(&format!("UPDATE controls SET ({CONTROL_FIELDS}) = ("));
    bind_control(&mut q, f);
    q.push("), version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(id.0)
        .push(" AND version = ")
        .bind(expected_version)
        .push(&format!(" RETURNING {CONTROL_COLUMNS}"));
    q.fetch_optional(conn).await?.map(control).transpose()
}

/// One control.
pub async fn get_control(conn: &mut Conn, id: ControlId) -> Result<Option<Control>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {CONTROL_COLUMNS} FROM controls WHERE id = "
    ));
    q.bind(id.0);
    q.fetch_optional(conn).await?.map(control).transpose()
}

/// Which controls a list shows.
#[derive(Debug, Clone, Default)]
pub struct ControlFilter {
    /// Protecting this asset (organization-wide controls are included).
    pub asset_id: Option<AssetId>,
    /// Of this kind.
    pub kind: Option<ControlKind>,
    /// With this effectiveness.
    pub effectiveness: Option<Effectiveness>,
    /// Substring of the name.
    pub q: Option<String>,
}

/// One page of controls, by name.
pub async fn list_controls(
    conn: &mut Conn,
    filter: &ControlFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Control>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {CONTROL_COLUMNS} FROM controls WHERE 1 = 1"
    ));
    if let Some(a) = filter.asset_id {
        q.push(" AND (asset_id = ")
            .bind(a.0)
            .push(" OR asset_id IS NULL)");
    }
    if let Some(k) = filter.kind {
        q.push(" AND kind = ").bind(k.code());
    }
    if let Some(e) = filter.effectiveness {
        q.push(" AND effectiveness = ").bind(e.code());
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND LOWER(name) LIKE ")
            .bind(contains_pattern(text))
            .push(" ESCAPE '\\'");
    }
    let sort = Sort {
        field: "name",
        descending: false,
    };
    crate::paging::keyset(&mut q, "name", crate::paging::Kind::Text, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items: Vec<Control> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(control)
        .collect::<Result<_, _>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |c| {
        vec![KeyValue::Text(c.name.clone()), KeyValue::Int(c.id.0)]
    });
    Ok((items, next))
}
