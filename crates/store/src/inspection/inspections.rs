//! Inspections with their inspectors and their items' results.

use super::day;
use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, day_opt, optional_code, ts, ts_opt};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::ids::UserId;
use castellan_domain::inspection::{
    ChecklistItem, Inspection, InspectionStatus, ItemResult, ResultLine,
};
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::{Day, Timestamp};

const COLUMNS: &str = "id, code, plan_id, due_on, performed_at, status, summary, completed_at, completed_by, created_by, version, created_at, updated_at";

fn user(row: &Row, col: &str) -> Result<Option<UserId>, DbError> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(UserId))
}

fn from_row(mut row: Row) -> Result<Inspection, DbError> {
    Ok(Inspection {
        id: row.try_get("id")?,
        code: row.take("code")?,
        plan_id: row.try_get("plan_id")?,
        due_on: day(&mut row, "due_on")?,
        performed_at: day_opt(&mut row, "performed_at")?,
        inspector_ids: Vec::new(),
        status: code_of(&mut row, "status", InspectionStatus::from_code)?,
        summary: row.take("summary")?,
        completed_at: ts_opt(&mut row, "completed_at")?,
        completed_by: user(&row, "completed_by")?,
        created_by: user(&row, "created_by")?,
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

async fn fetch(conn: &mut Conn, q: Sql) -> Result<Vec<Inspection>, DbError> {
    let mut items: Vec<Inspection> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    if items.is_empty() {
        return Ok(items);
    }
    let mut q = Sql::new(
        "SELECT inspection_id, user_id FROM inspection_inspectors WHERE inspection_id IN (",
    );
    q.bind_list(items.iter().map(|i| i.id))
        .push(") ORDER BY inspection_id, user_id");
    for row in q.fetch_all(conn).await? {
        let id: i64 = row.try_get("inspection_id")?;
        let user: i64 = row.try_get("user_id")?;
        if let Some(i) = items.iter_mut().find(|i| i.id == id) {
            i.inspector_ids.push(UserId(user));
        }
    }
    Ok(items)
}

/// Inserts an inspection with its inspectors and its items (the checklist's, as they are
/// now, without results); returns its id.
pub async fn insert(
    conn: &mut Conn,
    i: &Inspection,
    items: &[ChecklistItem],
) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "INSERT INTO inspections (code, plan_id, due_on, performed_at, status, summary, created_by, version, created_at, updated_at) VALUES (",
    );
    q.bind(i.code.clone()).push(", ");
    q.bind(i.plan_id).push(", ");
    q.bind(i.due_on.to_db()).push(", ");
    q.bind(i.performed_at.map(|d| d.to_db())).push(", ");
    q.bind(i.status.code()).push(", ");
    q.bind(i.summary.clone()).push(", ");
    q.bind(i.created_by.map(|u| u.0)).push(", 1, ");
    q.bind(i.created_at.to_db())
        .push(", ")
        .bind(i.updated_at.to_db())
        .push(") RETURNING id");
    let id: i64 = q.fetch_one(conn).await?.try_get("id")?;
    write_inspectors(conn, id, &i.inspector_ids).await?;
    for (n, chunk) in items.chunks(100).enumerate() {
        let mut q = Sql::new(
            "INSERT INTO inspection_results (inspection_id, position, item_code, area, text, text_zh) VALUES ",
        );
        for (k, item) in chunk.iter().enumerate() {
            if k > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(id)
                .push(", ")
                .bind((n * 100 + k) as i64)
                .push(", ")
                .bind(item.code.clone())
                .push(", ")
                .bind(item.area.code())
                .push(", ")
                .bind(item.text.clone())
                .push(", ")
                .bind(item.text_zh.clone())
                .push(")");
        }
        q.execute(conn).await?;
    }
    Ok(id)
}

async fn write_inspectors(conn: &mut Conn, id: i64, users: &[UserId]) -> Result<(), DbError> {
    let mut d = Sql::new("DELETE FROM inspection_inspectors WHERE inspection_id = ");
    d.bind(id);
    d.execute(conn).await?;
    if users.is_empty() {
        return Ok(());
    }
    let mut q = Sql::new("INSERT INTO inspection_inspectors (inspection_id, user_id) VALUES ");
    for (k, u) in users.iter().enumerate() {
        if k > 0 {
            q.push(", ");
        }
        q.push("(").bind(id).push(", ").bind(u.0).push(")");
    }
    q.execute(conn).await?;
    Ok(())
}

/// One inspection.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Inspection>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM inspections WHERE id = "));
    q.bind(id);
    Ok(fetch(conn, q).await?.pop())
}

/// Writes an inspection (and its inspectors) if it is still at `i.version`; false when
/// someone changed it first.
pub async fn save(conn: &mut Conn, i: &Inspection, now: Timestamp) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE inspections SET performed_at = ");
    q.bind(i.performed_at.map(|d| d.to_db()));
    q.push(", status = ").bind(i.status.code());
    q.push(", summary = ").bind(i.summary.clone());
    q.push(", completed_at = ")
        .bind(i.completed_at.map(|t| t.to_db()));
    q.push(", completed_by = ")
        .bind(i.completed_by.map(|u| u.0));
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(i.id)
        .push(" AND version = ")
        .bind(i.version);
    if q.execute(conn).await? != 1 {
        return Ok(false);
    }
    write_inspectors(conn, i.id, &i.inspector_ids).await?;
    Ok(true)
}

const RESULT_COLUMNS: &str = "id, inspection_id, position, item_code, area, text, text_zh, result, note, rectification_id, recorded_by, recorded_at";

fn line_from_row(mut row: Row) -> Result<ResultLine, DbError> {
    Ok(ResultLine {
        id: row.try_get("id")?,
        inspection_id: row.try_get("inspection_id")?,
        position: row.try_get("position")?,
        item: crate::inspection::checklists::item_from_row(&mut row, "item_code")?,
        result: optional_code(&mut row, "result", ItemResult::from_code)?,
        note: row.take("note")?,
        rectification_id: row.try_get("rectification_id")?,
        recorded_by: user(&row, "recorded_by")?,
        recorded_at: ts_opt(&mut row, "recorded_at")?,
    })
}

/// An inspection's items and results, in the checklist's order.
pub async fn results(conn: &mut Conn, inspection_id: i64) -> Result<Vec<ResultLine>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {RESULT_COLUMNS} FROM inspection_results WHERE inspection_id = "
    ));
    q.bind(inspection_id).push(" ORDER BY position");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(line_from_row)
        .collect()
}

/// Records an item's result.
pub async fn set_result(
    conn: &mut Conn,
    line_id: i64,
    result: ItemResult,
    note: Option<&str>,
    by: UserId,
    at: Timestamp,
) -> Result<(), DbError> {
    let mut q = Sql::new("UPDATE inspection_results SET result = ");
    q.bind(result.code())
        .push(", note = ")
        .bind(note.map(str::to_owned))
        .push(", recorded_by = ")
        .bind(by.0)
        .push(", recorded_at = ")
        .bind(at.to_db())
        .push(" WHERE id = ")
        .bind(line_id);
    q.execute(conn).await?;
    Ok(())
}

/// Names a failed item's rectification task; false when it already has one.
pub async fn set_rectification(
    conn: &mut Conn,
    line_id: i64,
    task_id: i64,
) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE inspection_results SET rectification_id = ");
    q.bind(task_id)
        .push(" WHERE id = ")
        .bind(line_id)
        .push(" AND rectification_id IS NULL");
    Ok(q.execute(conn).await? == 1)
}

/// Filters of the inspection list.
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    /// Status.
    pub status: Option<InspectionStatus>,
    /// Plan.
    pub plan_id: Option<i64>,
    /// Inspections this user performs.
    pub inspector: Option<UserId>,
    /// Only those not completed and due before this day (overdue).
    pub due_before: Option<Day>,
    /// Words of the code or the plan's title.
    pub q: Option<String>,
    /// Only inspections this user performs or scheduled, or of plans they inspect.
    pub party: Option<UserId>,
}

fn push_filter(q: &mut Sql, f: &InspectionFilter) {
    if let Some(s) = f.status {
        q.push(" AND status = ").bind(s.code());
    }
    if let Some(p) = f.plan_id {
        q.push(" AND plan_id = ").bind(p);
    }
    if let Some(u) = f.inspector {
        q.push(" AND id IN (SELECT inspection_id FROM inspection_inspectors WHERE user_id = ")
            .bind(u.0)
            .push(")");
    }
    if let Some(d) = f.due_before {
        q.push(" AND status <> 'completed' AND due_on < ")
            .bind(d.to_db());
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = contains_pattern(text);
        q.push(" AND (code LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR plan_id IN (SELECT id FROM inspection_plans WHERE title LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\'))");
    }
    if let Some(u) = f.party {
        q.push(" AND (created_by = ")
            .bind(u.0)
            .push(" OR id IN (SELECT inspection_id FROM inspection_inspectors WHERE user_id = ")
            .bind(u.0)
            .push(
                ") OR plan_id IN (SELECT plan_id FROM inspection_plan_inspectors WHERE user_id = ",
            )
            .bind(u.0)
            .push("))");
    }
}

/// The sort key of the inspection list: the due day.
pub const SORTS: &[&str] = &["due_on"];

/// One page of inspections, latest due first unless sorted otherwise.
pub async fn list(
    conn: &mut Conn,
    filter: &InspectionFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Inspection>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM inspections WHERE 1 = 1"));
    push_filter(&mut q, filter);
    crate::paging::keyset(&mut q, "due_on", crate::paging::Kind::Text, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items = fetch(conn, q).await?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |i| {
        vec![KeyValue::Text(i.due_on.to_db()), KeyValue::Int(i.id)]
    });
    Ok((items, next))
}

/// How many inspections match the filter.
pub async fn count(conn: &mut Conn, filter: &InspectionFilter) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM inspections WHERE 1 = 1");
    push_filter(&mut q, filter);
    q.fetch_one(conn).await?.try_get("n")
}

/// The plan's inspection that is not completed, if any.
pub async fn open_of_plan(conn: &mut Conn, plan_id: i64) -> Result<Option<Inspection>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM inspections WHERE plan_id = "
    ));
    q.bind(plan_id)
        .push(" AND status <> 'completed' ORDER BY id LIMIT 1");
    Ok(fetch(conn, q).await?.pop())
}

/// Inspections `user` performs that are not completed, soonest due first.
pub async fn open_for(
    conn: &mut Conn,
    user: UserId,
    limit: u32,
) -> Result<Vec<Inspection>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM inspections WHERE status <> 'completed' AND id IN (SELECT inspection_id FROM inspection_inspectors WHERE user_id = "
    ));
    q.bind(user.0)
        .push(") ORDER BY due_on, id LIMIT ")
        .bind(i64::from(limit));
    fetch(conn, q).await
}

/// Counts of items per inspection: (items, pass, fail, na, failed with a task).
pub async fn tallies(
    conn: &mut Conn,
    ids: &[i64],
) -> Result<Vec<(i64, castellan_domain::inspection::Tally)>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT inspection_id, COUNT(*) AS items, SUM(CASE WHEN result = 'pass' THEN 1 ELSE 0 END) AS pass, SUM(CASE WHEN result = 'fail' THEN 1 ELSE 0 END) AS fail, SUM(CASE WHEN result = 'na' THEN 1 ELSE 0 END) AS na, SUM(CASE WHEN result = 'fail' AND rectification_id IS NOT NULL THEN 1 ELSE 0 END) AS with_task FROM inspection_results WHERE inspection_id IN (",
    );
    q.bind_list(ids.iter().copied())
        .push(") GROUP BY inspection_id");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|row| {
            Ok((
                row.try_get("inspection_id")?,
                castellan_domain::inspection::Tally {
                    items: row.try_get("items")?,
                    pass: row.try_get("pass")?,
                    fail: row.try_get("fail")?,
                    na: row.try_get("na")?,
                    with_task: row.try_get("with_task")?,
                },
            ))
        })
        .collect()
}
