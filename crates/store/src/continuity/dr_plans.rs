//! Disaster-recovery plans with their assets.

use super::day;
use crate::conn::{Conn, DbError, Row};
use crate::paging::Kind;
use crate::rows::ts;
use crate::sql::{Sql, contains_pattern};
use castellan_domain::Timestamp;
use castellan_domain::continuity::DrPlan;
use castellan_domain::ids::{AssetId, UserId};
use castellan_domain::paging::{Cursor, KeyValue, Sort};

const COLUMNS: &str = "id, code, title, document_id, owner_id, rto_hours, adopted_at, description, created_by, version, created_at, updated_at";

fn from_row(mut row: Row) -> Result<DrPlan, DbError> {
    Ok(DrPlan {
        id: row.try_get("id")?,
        code: row.take("code")?,
        title: row.take("title")?,
        asset_ids: Vec::new(),
        document_id: row.try_get("document_id")?,
        owner_id: UserId(row.try_get("owner_id")?),
        rto_hours: row.try_get("rto_hours")?,
        adopted_at: day(&mut row, "adopted_at")?,
        description: row.take("description")?,
        created_by: row.try_get::<Option<i64>, _>("created_by")?.map(UserId),
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

async fn fetch(conn: &mut Conn, q: Sql) -> Result<Vec<DrPlan>, DbError> {
    let mut items: Vec<DrPlan> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    if items.is_empty() {
        return Ok(items);
    }
    let mut q = Sql::new("SELECT plan_id, asset_id FROM dr_plan_assets WHERE plan_id IN (");
    q.bind_list(items.iter().map(|p| p.id))
        .push(") ORDER BY plan_id, asset_id");
    for row in q.fetch_all(conn).await? {
        let id: i64 = row.try_get("plan_id")?;
        let asset: i64 = row.try_get("asset_id")?;
        if let Some(p) = items.iter_mut().find(|p| p.id == id) {
            p.asset_ids.push(AssetId(asset));
        }
    }
    Ok(items)
}

async fn write_assets(conn: &mut Conn, id: i64, assets: &[AssetId]) -> Result<(), DbError> {
    let mut d = Sql::new("DELETE FROM dr_plan_assets WHERE plan_id = ");
    d.bind(id);
    d.execute(conn).await?;
    for chunk in assets.chunks(200) {
        let mut q = Sql::new("INSERT INTO dr_plan_assets (plan_id, asset_id) VALUES ");
        for (k, a) in chunk.iter().enumerate() {
            if k > 0 {
                q.push(", ");
            }
            q.push("(").bind(id).push(", ").bind(a.0).push(")");
        }
        q.execute(conn).await?;
    }
    Ok(())
}

/// Inserts a plan with its assets; returns its id.
pub async fn insert(conn: &mut Conn, p: &DrPlan) -> Result<i64, DbError> {
    let mut q = Sql::new(&format!(
        "INSERT INTO dr_plans ({}) VALUES (",
        COLUMNS.trim_start_matches("id, ")
    ));
    q.bind(p.code.clone()).push(", ");
    q.bind(p.title.clone()).push(", ");
    q.bind(p.document_id).push(", ");
    q.bind(p.owner_id.0).push(", ");
    q.bind(p.rto_hours).push(", ");
    q.bind(p.adopted_at.to_db()).push(", ");
    q.bind(p.description.clone()).push(", ");
    q.bind(p.created_by.map(|u| u.0)).push(", 1, ");
    q.bind(p.created_at.to_db())
        .push(", ")
        .bind(p.updated_at.to_db())
        .push(") RETURNING id");
    let id: i64 = q.fetch_one(conn).await?.try_get("id")?;
    write_assets(conn, id, &p.asset_ids).await?;
    Ok(id)
}

/// One plan.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<DrPlan>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM dr_plans WHERE id = "));
    q.bind(id);
    Ok(fetch(conn, q).await?.pop())
}

/// Several plans, by id.
pub async fn get_many(conn: &mut Conn, ids: &[i64]) -> Result<Vec<DrPlan>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM dr_plans WHERE id IN ("));
    q.bind_list(ids.iter().copied()).push(")");
    fetch(conn, q).await
}

/// Writes a plan (and its assets) if it is still at `p.version`; false when someone changed
/// it first.
pub async fn save(conn: &mut Conn, p: &DrPlan, now: Timestamp) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE dr_plans SET title = ");
    q.bind(p.title.clone());
    q.push(", document_id = ").bind(p.document_id);
    q.push(", owner_id = ").bind(p.owner_id.0);
    q.push(", rto_hours = ").bind(p.rto_hours);
    q.push(", adopted_at = ").bind(p.adopted_at.to_db());
    q.push(", description = ").bind(p.description.clone());
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(p.id)
        .push(" AND version = ")
        .bind(p.version);
    if q.execute(conn).await? != 1 {
        return Ok(false);
    }
    write_assets(conn, p.id, &p.asset_ids).await?;
    Ok(true)
}

/// The earliest drill of a plan, if any (a plan's day in force stays on or before it).
pub async fn first_drill(conn: &mut Conn, id: i64) -> Result<Option<String>, DbError> {
    let mut q = Sql::new("SELECT MIN(held_at) AS d FROM drills WHERE dr_plan_id = ");
    q.bind(id);
    q.fetch_one(conn).await?.try_get("d")
}

/// Filters of the plan list.
#[derive(Debug, Clone, Default)]
pub struct DrPlanFilter {
    /// Plans that recover this asset.
    pub asset: Option<AssetId>,
    /// The owner.
    pub owner: Option<UserId>,
    /// Words of the code or title.
    pub q: Option<String>,
}

fn push_filter(q: &mut Sql, f: &DrPlanFilter) {
    if let Some(a) = f.asset {
        q.push(" AND id IN (SELECT plan_id FROM dr_plan_assets WHERE asset_id = ")
            .bind(a.0)
            .push(")");
    }
    if let Some(u) = f.owner {
        q.push(" AND owner_id = ").bind(u.0);
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let p = contains_pattern(text);
        q.push(" AND (LOWER(code) LIKE ")
            .bind(p.clone())
            .push(" ESCAPE '\\' OR LOWER(title) LIKE ")
            .bind(p)
            .push(" ESCAPE '\\')");
    }
}

/// The sort keys of the plan list.
pub const SORTS: &[&str] = &["code", "title", "rto_hours"];

/// One page of plans.
pub async fn list(
    conn: &mut Conn,
    filter: &DrPlanFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<DrPlan>, Option<Cursor>), DbError> {
    let (column, kind) = match sort.field {
        "title" => ("title", Kind::Text),
        "rto_hours" => ("rto_hours", Kind::Int),
        _ => ("code", Kind::Text),
    };
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM dr_plans WHERE 1 = 1"));
    push_filter(&mut q, filter);
    crate::paging::keyset(&mut q, column, kind, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items = fetch(conn, q).await?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |p| {
        let key = match column {
            "title" => KeyValue::Text(p.title.clone()),
            "rto_hours" => KeyValue::Int(p.rto_hours),
            _ => KeyValue::Text(p.code.clone()),
        };
        vec![key, KeyValue::Int(p.id)]
    });
    Ok((items, next))
}

/// How many plans match the filter.
pub async fn count(conn: &mut Conn, filter: &DrPlanFilter) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM dr_plans WHERE 1 = 1");
    push_filter(&mut q, filter);
    q.fetch_one(conn).await?.try_get("n")
}

/// Every plan's id, code and title, by code (the drill form's choice).
pub async fn choices(conn: &mut Conn) -> Result<Vec<(i64, String, String)>, DbError> {
    let q = Sql::new("SELECT id, code, title FROM dr_plans ORDER BY code LIMIT 500");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut r| Ok((r.try_get("id")?, r.take("code")?, r.take("title")?)))
        .collect()
}
