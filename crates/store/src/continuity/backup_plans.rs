//! Backup plans, their restore tests, and the high-value assets without a plan.

use super::day;
use crate::conn::{Conn, DbError, Row};
use crate::paging::Kind;
use crate::rows::{code_of, day_opt, optional_code, ts};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::continuity::{
    BackupFrequency, BackupPlan, COVERED_LEVEL, Verification, VerificationResult,
};
use castellan_domain::ids::{AssetId, DepartmentId, UserId};
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::{Day, Timestamp};

const COLUMNS: &str = "id, asset_id, scope, frequency, retention, location, rpo_hours, rto_hours, owner_id, last_verified_at, last_result, last_note, last_verified_by, created_by, version, created_at, updated_at";

/// A plan with its asset's code, name and value level (the list's and the page's line).
#[derive(Debug, Clone)]
pub struct PlanLine {
    /// The plan.
    pub plan: BackupPlan,
    /// The asset's code.
    pub asset_code: String,
    /// The asset's name.
    pub asset_name: String,
    /// The asset's value level.
    pub asset_level: i64,
}

fn plan_from_row(row: &mut Row) -> Result<BackupPlan, DbError> {
    Ok(BackupPlan {
        id: row.try_get("id")?,
        asset_id: AssetId(row.try_get("asset_id")?),
        scope: row.take("scope")?,
        frequency: code_of(row, "frequency", BackupFrequency::from_code)?,
        retention: row.take("retention")?,
        location: row.take("location")?,
        rpo_hours: row.try_get("rpo_hours")?,
        rto_hours: row.try_get("rto_hours")?,
        owner_id: UserId(row.try_get("owner_id")?),
        last_verified_at: day_opt(row, "last_verified_at")?,
        last_result: optional_code(row, "last_result", VerificationResult::from_code)?,
        last_note: row.take("last_note")?,
        last_verified_by: row
            .try_get::<Option<i64>, _>("last_verified_by")?
            .map(UserId),
        created_by: row.try_get::<Option<i64>, _>("created_by")?.map(UserId),
        version: row.try_get("version")?,
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
    })
}

fn line_from_row(mut row: Row) -> Result<PlanLine, DbError> {
    Ok(PlanLine {
        plan: plan_from_row(&mut row)?,
        asset_code: row.take("asset_code")?,
        asset_name: row.take("asset_name")?,
        asset_level: row.try_get("asset_level")?,
    })
}

/// The plans joined with their assets, as one relation the list's keyset can name
/// unambiguously (`id` is the plan's).
const LINES: &str = "SELECT * FROM (SELECT b.id, b.asset_id, b.scope, b.frequency, b.retention, b.location, b.rpo_hours, b.rto_hours, b.owner_id, b.last_verified_at, b.last_result, b.last_note, b.last_verified_by, b.created_by, b.version, b.created_at, b.updated_at, a.code AS asset_code, a.name AS asset_name, a.value_level AS asset_level, COALESCE(b.last_verified_at, '') AS verified_key, LOWER(a.code || ' ' || a.name || ' ' || b.scope || ' ' || b.location) AS search FROM backup_plans b JOIN assets a ON a.id = b.asset_id) x WHERE 1 = 1";

async fn fetch(conn: &mut Conn, q: Sql) -> Result<Vec<PlanLine>, DbError> {
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(line_from_row)
        .collect()
}

/// Inserts a plan; returns its id.
pub async fn insert(conn: &mut Conn, p: &BackupPlan) -> Result<i64, DbError> {
    let mut q = Sql::new(&format!(
        "INSERT INTO backup_plans ({}) VALUES (",
        COLUMNS.trim_start_matches("id, ")
    ));
    q.bind(p.asset_id.0).push(", ");
    q.bind(p.scope.clone()).push(", ");
    q.bind(p.frequency.code()).push(", ");
    q.bind(p.retention.clone()).push(", ");
    q.bind(p.location.clone()).push(", ");
    q.bind(p.rpo_hours).push(", ");
    q.bind(p.rto_hours).push(", ");
    q.bind(p.owner_id.0).push(", ");
    q.bind(p.last_verified_at.map(|d| d.to_db())).push(", ");
    q.bind(p.last_result.map(|r| r.code())).push(", ");
    q.bind(p.last_note.clone()).push(", ");
    q.bind(p.last_verified_by.map(|u| u.0)).push(", ");
    q.bind(p.created_by.map(|u| u.0)).push(", 1, ");
    q.bind(p.created_at.to_db())
        .push(", ")
        .bind(p.updated_at.to_db())
        .push(") RETURNING id");
    q.fetch_one(conn).await?.try_get("id")
}

/// One plan with its asset.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<PlanLine>, DbError> {
    let mut q = Sql::new(LINES);
    q.push(" AND id = ").bind(id);
    Ok(fetch(conn, q).await?.pop())
}

/// Writes a plan if it is still at `p.version`; false when someone changed it first.
pub async fn save(conn: &mut Conn, p: &BackupPlan, now: Timestamp) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE backup_plans SET scope = ");
    q.bind(p.scope.clone());
    q.push(", frequency = ").bind(p.frequency.code());
    q.push(", retention = ").bind(p.retention.clone());
    q.push(", location = ").bind(p.location.clone());
    q.push(", rpo_hours = ").bind(p.rpo_hours);
    q.push(", rto_hours = ").bind(p.rto_hours);
    q.push(", owner_id = ").bind(p.owner_id.0);
    q.push(", last_verified_at = ")
        .bind(p.last_verified_at.map(|d| d.to_db()));
    q.push(", last_result = ")
        .bind(p.last_result.map(|r| r.code()));
    q.push(", last_note = ").bind(p.last_note.clone());
    q.push(", last_verified_by = ")
        .bind(p.last_verified_by.map(|u| u.0));
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(p.id)
        .push(" AND version = ")
        .bind(p.version);
    Ok(q.execute(conn).await? == 1)
}

/// Filters of the plan list.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    /// The asset.
    pub asset: Option<AssetId>,
    /// The owner.
    pub owner: Option<UserId>,
    /// Only those whose restore was never tested or last tested before this day.
    pub untested_since: Option<Day>,
    /// Words of the asset's code or name, the scope or the location.
    pub q: Option<String>,
}

fn push_filter(q: &mut Sql, f: &PlanFilter) {
    if let Some(a) = f.asset {
        q.push(" AND asset_id = ").bind(a.0);
    }
    if let Some(u) = f.owner {
        q.push(" AND owner_id = ").bind(u.0);
    }
    if let Some(d) = f.untested_since {
        q.push(" AND verified_key < ").bind(d.to_db());
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND search LIKE ")
            .bind(contains_pattern(text))
            .push(" ESCAPE '\\'");
    }
}

/// The sort keys of the plan list.
pub const SORTS: &[&str] = &["asset_code", "rpo_hours", "rto_hours", "last_verified_at"];

fn sort_column(sort: &Sort) -> (&'static str, Kind) {
    match sort.field {
        "rpo_hours" => ("rpo_hours", Kind::Int),
        "rto_hours" => ("rto_hours", Kind::Int),
        "last_verified_at" => ("verified_key", Kind::Text),
        _ => ("asset_code", Kind::Text),
    }
}

/// One page of plans.
pub async fn list(
    conn: &mut Conn,
    filter: &PlanFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<PlanLine>, Option<Cursor>), DbError> {
    let (column, kind) = sort_column(&sort);
    let mut q = Sql::new(LINES);
    push_filter(&mut q, filter);
    crate::paging::keyset(&mut q, column, kind, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items = fetch(conn, q).await?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |l| {
        let key = match column {
            "rpo_hours" => KeyValue::Int(l.plan.rpo_hours),
            "rto_hours" => KeyValue::Int(l.plan.rto_hours),
            "verified_key" => KeyValue::Text(
                l.plan
                    .last_verified_at
                    .map(|d| d.to_db())
                    .unwrap_or_default(),
            ),
            _ => KeyValue::Text(l.asset_code.clone()),
        };
        vec![key, KeyValue::Int(l.plan.id)]
    });
    Ok((items, next))
}

/// How many plans match the filter.
pub async fn count(conn: &mut Conn, filter: &PlanFilter) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM (");
    q.push(LINES);
    push_filter(&mut q, filter);
    q.push(") c");
    q.fetch_one(conn).await?.try_get("n")
}

/// Records a restore test; returns its id.
pub async fn insert_verification(conn: &mut Conn, v: &Verification) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "INSERT INTO backup_verifications (plan_id, verified_at, result, note, verified_by, created_at) VALUES (",
    );
    q.bind(v.plan_id).push(", ");
    q.bind(v.verified_at.to_db()).push(", ");
    q.bind(v.result.code()).push(", ");
    q.bind(v.note.clone()).push(", ");
    q.bind(v.verified_by.0).push(", ");
    q.bind(v.created_at.to_db()).push(") RETURNING id");
    q.fetch_one(conn).await?.try_get("id")
}

/// A plan's restore tests, latest first.
pub async fn verifications(conn: &mut Conn, plan: i64) -> Result<Vec<Verification>, DbError> {
    let mut q = Sql::new(
        "SELECT id, plan_id, verified_at, result, note, verified_by, created_at FROM backup_verifications WHERE plan_id = ",
    );
    q.bind(plan).push(" ORDER BY verified_at DESC, id DESC");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut row| {
            Ok(Verification {
                id: row.try_get("id")?,
                plan_id: row.try_get("plan_id")?,
                verified_at: day(&mut row, "verified_at")?,
                result: code_of(&mut row, "result", VerificationResult::from_code)?,
                note: row.take("note")?,
                verified_by: UserId(row.try_get("verified_by")?),
                created_at: ts(&mut row, "created_at")?,
            })
        })
        .collect()
}

/// An asset of high value that has no backup plan.
#[derive(Debug, Clone)]
pub struct Uncovered {
    /// The asset.
    pub id: AssetId,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its value level (4 or 5).
    pub value_level: i64,
    /// Its department.
    pub department_id: Option<DepartmentId>,
    /// Its owner.
    pub owner_id: Option<UserId>,
}

/// One page of the assets of value level 4 or 5 (not retired) without a backup plan, by
/// code.
pub async fn uncovered(
    conn: &mut Conn,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Uncovered>, Option<Cursor>), DbError> {
    let mut q = uncovered_sql("SELECT * FROM (");
    q.push(") y WHERE 1 = 1");
    crate::paging::keyset(&mut q, "code", Kind::Text, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items: Vec<Uncovered> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut row| {
            Ok(Uncovered {
                id: AssetId(row.try_get("id")?),
                code: row.take("code")?,
                name: row.take("name")?,
                value_level: row.try_get("value_level")?,
                department_id: row
                    .try_get::<Option<i64>, _>("department_id")?
                    .map(DepartmentId),
                owner_id: row.try_get::<Option<i64>, _>("owner_id")?.map(UserId),
            })
        })
        .collect::<Result<_, DbError>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |u| {
        vec![KeyValue::Text(u.code.clone()), KeyValue::Int(u.id.0)]
    });
    Ok((items, next))
}

fn uncovered_sql(prefix: &str) -> Sql {
    let mut q = Sql::new(prefix);
    q.push("SELECT a.id, a.code, a.name, a.value_level, a.department_id, a.owner_id FROM assets a WHERE a.value_level >= ")
        .bind(COVERED_LEVEL)
        .push(" AND a.status <> 'retired' AND NOT EXISTS (SELECT 1 FROM backup_plans b WHERE b.asset_id = a.id)");
    q
}

/// How many assets of value level 4 or 5 (not retired) have no backup plan.
pub async fn uncovered_count(conn: &mut Conn) -> Result<i64, DbError> {
    let mut q = uncovered_sql("SELECT COUNT(*) AS n FROM (");
    q.push(") c");
    q.fetch_one(conn).await?.try_get("n")
}
