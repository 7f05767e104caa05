//! Inspection plans with their inspectors and the chain state of their approval.

use super::day;
use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, ts, ts_opt};
use crate::sql::{Sql, contains_pattern};
use crate::workflow::{ApproverGrant, StepKeyRow};
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::inspection::{Frequency, InspectionPlan, PlanStatus};
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::{Day, Timestamp};

const COLUMNS: &str = "id, code, title, scope, frequency, checklist_id, department_id, responsibilities, next_due_at, status, chain_id, chain_version, steps, round, current_step, submitted_by, submitted_at, approved_by, approved_at, created_by, version, created_at, updated_at";

fn user(row: &Row, col: &str) -> Result<Option<UserId>, DbError> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(UserId))
}

fn from_row(mut row: Row) -> Result<InspectionPlan, DbError> {
    Ok(InspectionPlan {
        id: row.try_get("id")?,
        code: row.take("code")?,
        title: row.take("title")?,
        scope: row.take("scope")?,
        frequency: code_of(&mut row, "frequency", Frequency::from_code)?,
        checklist_id: row.try_get("checklist_id")?,
        department_id: row
            .try_get::<Option<i64>, _>("department_id")?
            .map(DepartmentId),
        inspector_ids: Vec::new(),
        responsibilities: row.take("responsibilities")?,
        next_due_at: day(&mut row, "next_due_at")?,
        status: code_of(&mut row, "status", PlanStatus::from_code)?,
        run: crate::workflow::chain_run(&mut row)?,
        approved_by: user(&row, "approved_by")?,
        approved_at: ts_opt(&mut row, "approved_at")?,
        created_by: user(&row, "created_by")?,
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// Fills the plans' inspectors (one query).
async fn with_inspectors(
    conn: &mut Conn,
    mut plans: Vec<InspectionPlan>,
) -> Result<Vec<InspectionPlan>, DbError> {
    if plans.is_empty() {
        return Ok(plans);
    }
    let mut q =
        Sql::new("SELECT plan_id, user_id FROM inspection_plan_inspectors WHERE plan_id IN (");
    q.bind_list(plans.iter().map(|p| p.id))
        .push(") ORDER BY plan_id, user_id");
    for row in q.fetch_all(conn).await? {
        let plan: i64 = row.try_get("plan_id")?;
        let user: i64 = row.try_get("user_id")?;
        if let Some(p) = plans.iter_mut().find(|p| p.id == plan) {
            p.inspector_ids.push(UserId(user));
        }
    }
    Ok(plans)
}

async fn write_inspectors(conn: &mut Conn, p: &InspectionPlan) -> Result<(), DbError> {
    let mut d = Sql::new("DELETE FROM inspection_plan_inspectors WHERE plan_id = ");
    d.bind(p.id);
    d.execute(conn).await?;
    if p.inspector_ids.is_empty() {
        return Ok(());
    }
    let mut q = Sql::new("INSERT INTO inspection_plan_inspectors (plan_id, user_id) VALUES ");
    for (i, u) in p.inspector_ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push("(").bind(p.id).push(", ").bind(u.0).push(")");
    }
    q.execute(conn).await?;
    Ok(())
}

/// Inserts a plan with its inspectors; returns its id.
pub async fn insert(conn: &mut Conn, p: &InspectionPlan) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "INSERT INTO inspection_plans (code, title, scope, frequency, checklist_id, department_id, responsibilities, next_due_at, status, round, created_by, version, created_at, updated_at) VALUES (",
    );
    q.bind(p.code.clone()).push(", ");
    q.bind(p.title.clone()).push(", ");
    q.bind(p.scope.clone()).push(", ");
    q.bind(p.frequency.code()).push(", ");
    q.bind(p.checklist_id).push(", ");
    q.bind(p.department_id.map(|d| d.0)).push(", ");
    q.bind(p.responsibilities.clone()).push(", ");
    q.bind(p.next_due_at.to_db()).push(", ");
    q.bind(p.status.code()).push(", 0, ");
    q.bind(p.created_by.map(|u| u.0)).push(", 1, ");
    q.bind(p.created_at.to_db())
        .push(", ")
        .bind(p.updated_at.to_db())
        .push(") RETURNING id");
    let id: i64 = q.fetch_one(conn).await?.try_get("id")?;
    let mut p = p.clone();
    p.id = id;
    write_inspectors(conn, &p).await?;
    Ok(id)
}

/// One plan.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<InspectionPlan>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM inspection_plans WHERE id = "
    ));
    q.bind(id);
    let plans: Vec<_> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    Ok(with_inspectors(conn, plans).await?.pop())
}

/// Writes a plan (and its inspectors) if it is still at `p.version`; false when someone
/// changed it first. `key` says who approves its current step now.
pub async fn save(
    conn: &mut Conn,
    p: &InspectionPlan,
    key: Option<&StepKeyRow>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE inspection_plans SET title = ");
    q.bind(p.title.clone());
    q.push(", scope = ").bind(p.scope.clone());
    q.push(", frequency = ").bind(p.frequency.code());
    q.push(", checklist_id = ").bind(p.checklist_id);
    q.push(", department_id = ")
        .bind(p.department_id.map(|d| d.0));
    q.push(", responsibilities = ")
        .bind(p.responsibilities.clone());
    q.push(", next_due_at = ").bind(p.next_due_at.to_db());
    q.push(", status = ").bind(p.status.code());
    crate::workflow::push_chain_columns(&mut q, &p.run, key)?;
    q.push(", approved_by = ").bind(p.approved_by.map(|u| u.0));
    q.push(", approved_at = ")
        .bind(p.approved_at.map(|t| t.to_db()));
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(p.id)
        .push(" AND version = ")
        .bind(p.version);
    if q.execute(conn).await? != 1 {
        return Ok(false);
    }
    write_inspectors(conn, p).await?;
    Ok(true)
}

/// Filters of the plan list.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    /// Status.
    pub status: Option<PlanStatus>,
    /// Only approved plans due before this day (overdue).
    pub due_before: Option<Day>,
    /// Plans this user inspects.
    pub inspector: Option<UserId>,
    /// Words of the code or the title.
    pub q: Option<String>,
    /// Only plans this user inspects or created (callers who read no others).
    pub party: Option<UserId>,
}

fn push_filter(q: &mut Sql, f: &PlanFilter) {
    if let Some(s) = f.status {
        q.push(" AND status = ").bind(s.code());
    }
    if let Some(d) = f.due_before {
        q.push(" AND status = 'approved' AND next_due_at < ")
            .bind(d.to_db());
    }
    if let Some(u) = f.inspector {
        q.push(" AND id IN (SELECT plan_id FROM inspection_plan_inspectors WHERE user_id = ")
            .bind(u.0)
            .push(")");
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = contains_pattern(text);
        q.push(" AND (title LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR code LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(u) = f.party {
        q.push(" AND (created_by = ")
            .bind(u.0)
            .push(" OR id IN (SELECT plan_id FROM inspection_plan_inspectors WHERE user_id = ")
            .bind(u.0)
            .push("))");
    }
}

/// The sort key of the plan list: the next due day.
pub const SORTS: &[&str] = &["next_due_at"];

/// One page of plans, soonest due first unless sorted otherwise.
pub async fn list(
    conn: &mut Conn,
    filter: &PlanFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<InspectionPlan>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM inspection_plans WHERE 1 = 1"
    ));
    push_filter(&mut q, filter);
    crate::paging::keyset(
        &mut q,
        "next_due_at",
        crate::paging::Kind::Text,
        sort,
        after,
    )?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items: Vec<InspectionPlan> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |p| {
        vec![KeyValue::Text(p.next_due_at.to_db()), KeyValue::Int(p.id)]
    });
    Ok((with_inspectors(conn, items).await?, next))
}

/// How many plans match the filter.
pub async fn count(conn: &mut Conn, filter: &PlanFilter) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM inspection_plans WHERE 1 = 1");
    push_filter(&mut q, filter);
    q.fetch_one(conn).await?.try_get("n")
}

/// Plans in review whose current step `user` approves and has not decided on, leaving out
/// those they created or submitted.
pub async fn waiting_for_approval(
    conn: &mut Conn,
    user: UserId,
    grants: &[ApproverGrant],
    limit: u32,
) -> Result<Vec<InspectionPlan>, DbError> {
    let cols: String = COLUMNS
        .split(", ")
        .map(|c| format!("p.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut q = Sql::new(&format!(
        "SELECT {cols} FROM inspection_plans p WHERE p.status = 'in_review' AND ("
    ));
    crate::workflow::push_step_match(&mut q, "p", user, grants);
    q.push(") AND COALESCE(p.created_by, 0) <> ").bind(user.0);
    q.push(" AND COALESCE(p.submitted_by, 0) <> ").bind(user.0);
    crate::workflow::push_not_decided(&mut q, "inspection_plan", "p", user);
    q.push(" ORDER BY p.submitted_at, p.id LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Approved plans `user` inspects that are due by `by` and have no inspection under way
/// (scheduled or in progress), soonest due first.
pub async fn due_for(
    conn: &mut Conn,
    user: UserId,
    by: Day,
    limit: u32,
) -> Result<Vec<InspectionPlan>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM inspection_plans p WHERE status = 'approved' AND next_due_at <= "
    ));
    q.bind(by.to_db())
        .push(" AND id IN (SELECT plan_id FROM inspection_plan_inspectors WHERE user_id = ")
        .bind(user.0)
        .push(") AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.plan_id = p.id AND i.status <> 'completed') ORDER BY next_due_at, id LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// How many approved plans are past due on `today`.
pub async fn overdue_count(conn: &mut Conn, today: Day) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "SELECT COUNT(*) AS n FROM inspection_plans WHERE status = 'approved' AND next_due_at < ",
    );
    q.bind(today.to_db());
    q.fetch_one(conn).await?.try_get("n")
}
