//! Training plans: one per year, with the chain state of their approval.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, corrupt, ts, ts_opt};
use crate::sql::Sql;
use crate::workflow::{ApproverGrant, StepKeyRow};
use castellan_domain::Timestamp;
use castellan_domain::ids::UserId;
use castellan_domain::training::{PlanStatus, TrainingPlan};

const COLUMNS: &str = "id, year, title, description, status, chain_id, chain_version, steps, round, current_step, submitted_by, submitted_at, approved_by, approved_at, created_by, version, created_at, updated_at";

fn user(row: &Row, col: &str) -> Result<Option<UserId>, DbError> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(UserId))
}

fn from_row(mut row: Row) -> Result<TrainingPlan, DbError> {
    let year: i64 = row.try_get("year")?;
    Ok(TrainingPlan {
        id: row.try_get("id")?,
        year: i32::try_from(year).map_err(|_| corrupt("year", &year.to_string()))?,
        title: row.take("title")?,
        description: row.take("description")?,
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

/// Inserts a plan; `None` when its year already has one.
pub async fn insert(conn: &mut Conn, p: &TrainingPlan) -> Result<Option<i64>, DbError> {
    let mut q = Sql::new(
        "INSERT INTO training_plans (year, title, description, status, round, created_by, version, created_at, updated_at) VALUES (",
    );
    q.bind(i64::from(p.year)).push(", ");
    q.bind(p.title.clone()).push(", ");
    q.bind(p.description.clone()).push(", ");
    q.bind(p.status.code()).push(", 0, ");
    q.bind(p.created_by.map(|u| u.0)).push(", 1, ");
    q.bind(p.created_at.to_db())
        .push(", ")
        .bind(p.updated_at.to_db())
        .push(") ON CONFLICT (year) DO NOTHING RETURNING id");
    match q.fetch_optional(conn).await? {
        Some(row) => Ok(Some(row.try_get("id")?)),
        None => Ok(None),
    }
}

/// One plan.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<TrainingPlan>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM training_plans WHERE id = "));
    q.bind(id);
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// Every plan, newest year first.
pub async fn list(conn: &mut Conn) -> Result<Vec<TrainingPlan>, DbError> {
    let q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM training_plans ORDER BY year DESC"
    ));
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Writes a plan if it is still at `p.version`; false when someone changed it first.
pub async fn save(
    conn: &mut Conn,
    p: &TrainingPlan,
    key: Option<&StepKeyRow>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE training_plans SET title = ");
    q.bind(p.title.clone());
    q.push(", description = ").bind(p.description.clone());
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
    Ok(q.execute(conn).await? == 1)
}

/// Plans in review whose current step `user` approves and has not decided on, leaving out
/// those they created or submitted.
pub async fn waiting_for_approval(
    conn: &mut Conn,
    user: UserId,
    grants: &[ApproverGrant],
    limit: u32,
) -> Result<Vec<TrainingPlan>, DbError> {
    let cols: String = COLUMNS
        .split(", ")
        .map(|c| format!("p.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut q = Sql::new(&format!(
        "SELECT {cols} FROM training_plans p WHERE p.status = 'in_review' AND ("
    ));
    crate::workflow::push_step_match(&mut q, "p", user, grants);
    q.push(") AND COALESCE(p.created_by, 0) <> ").bind(user.0);
    q.push(" AND COALESCE(p.submitted_by, 0) <> ").bind(user.0);
    crate::workflow::push_not_decided(&mut q, "training_plan", "p", user);
    q.push(" ORDER BY p.submitted_at, p.id LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}
