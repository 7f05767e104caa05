//! Security goals: the record, a year's tree, the list with filters, and the queries behind
//! "waiting for me" and the coverage of departments.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, corrupt, ts, ts_opt};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::Timestamp;
use castellan_domain::goal::{Goal, GoalLevel, GoalStatus};
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::paging::{Cursor, KeyValue, Sort};

const COLUMNS: &str = "id, year, level, parent_id, department_id, position, title, metric, target, owner_id, status, progress, progress_note, round, submitted_by, submitted_at, published_by, published_at, created_by, version, created_at, updated_at";

fn user(row: &Row, col: &str) -> Result<Option<UserId>, DbError> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(UserId))
}

fn from_row(mut row: Row) -> Result<Goal, DbError> {
    let year: i64 = row.try_get("year")?;
    let progress: i64 = row.try_get("progress")?;
    Ok(Goal {
        id: row.try_get("id")?,
        year: i32::try_from(year).map_err(|_| corrupt("year", &year.to_string()))?,
        level: code_of(&mut row, "level", GoalLevel::from_code)?,
        parent_id: row.try_get("parent_id")?,
        department_id: row
            .try_get::<Option<i64>, _>("department_id")?
            .map(DepartmentId),
        position: row.take("position")?,
        title: row.take("title")?,
        metric: row.take("metric")?,
        target: row.take("target")?,
        owner_id: UserId(row.try_get("owner_id")?),
        status: code_of(&mut row, "status", GoalStatus::from_code)?,
        progress: u8::try_from(progress).map_err(|_| corrupt("progress", &progress.to_string()))?,
        progress_note: row.take("progress_note")?,
        round: row.try_get("round")?,
        submitted_by: user(&row, "submitted_by")?,
        submitted_at: ts_opt(&mut row, "submitted_at")?,
        published_by: user(&row, "published_by")?,
        published_at: ts_opt(&mut row, "published_at")?,
        created_by: user(&row, "created_by")?,
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

async fn fetch(conn: &mut Conn, q: Sql) -> Result<Vec<Goal>, DbError> {
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Inserts a goal; returns its id.
pub async fn insert(conn: &mut Conn, g: &Goal) -> Result<i64, DbError> {
    let mut q = Sql::new(&format!(
        "INSERT INTO goals ({}) VALUES (",
        COLUMNS.trim_start_matches("id, ")
    ));
    q.bind(i64::from(g.year)).push(", ");
    q.bind(g.level.code()).push(", ");
    q.bind(g.parent_id).push(", ");
    q.bind(g.department_id.map(|d| d.0)).push(", ");
    q.bind(g.position.clone()).push(", ");
    q.bind(g.title.clone()).push(", ");
    q.bind(g.metric.clone()).push(", ");
    q.bind(g.target.clone()).push(", ");
    q.bind(g.owner_id.0).push(", ");
    q.bind(g.status.code()).push(", ");
    q.bind(i64::from(g.progress)).push(", ");
    q.bind(g.progress_note.clone()).push(", ");
    q.bind(g.round).push(", ");
    q.bind(g.submitted_by.map(|u| u.0)).push(", ");
    q.bind(g.submitted_at.map(|t| t.to_db())).push(", ");
    q.bind(g.published_by.map(|u| u.0)).push(", ");
    q.bind(g.published_at.map(|t| t.to_db())).push(", ");
    q.bind(g.created_by.map(|u| u.0)).push(", 1, ");
    q.bind(g.created_at.to_db())
        .push(", ")
        .bind(g.updated_at.to_db())
        .push(") RETURNING id");
    q.fetch_one(conn).await?.try_get("id")
}

/// One goal.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Goal>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM goals WHERE id = "));
    q.bind(id);
    Ok(fetch(conn, q).await?.pop())
}

/// Writes a goal if it is still at `g.version`; false when someone changed it first.
pub async fn save(conn: &mut Conn, g: &Goal, now: Timestamp) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE goals SET department_id = ");
    q.bind(g.department_id.map(|d| d.0));
    q.push(", position = ").bind(g.position.clone());
    q.push(", title = ").bind(g.title.clone());
    q.push(", metric = ").bind(g.metric.clone());
    q.push(", target = ").bind(g.target.clone());
    q.push(", owner_id = ").bind(g.owner_id.0);
    q.push(", status = ").bind(g.status.code());
    q.push(", progress = ").bind(i64::from(g.progress));
    q.push(", progress_note = ").bind(g.progress_note.clone());
    q.push(", round = ").bind(g.round);
    q.push(", submitted_by = ")
        .bind(g.submitted_by.map(|u| u.0));
    q.push(", submitted_at = ")
        .bind(g.submitted_at.map(|t| t.to_db()));
    q.push(", published_by = ")
        .bind(g.published_by.map(|u| u.0));
    q.push(", published_at = ")
        .bind(g.published_at.map(|t| t.to_db()));
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(g.id)
        .push(" AND version = ")
        .bind(g.version);
    Ok(q.execute(conn).await? == 1)
}

/// Every goal of a year, company first, then by department and position (the tree).
pub async fn of_year(conn: &mut Conn, year: i32) -> Result<Vec<Goal>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM goals WHERE year = "));
    q.bind(i64::from(year))
        .push(" ORDER BY CASE level WHEN 'company' THEN 0 WHEN 'department' THEN 1 ELSE 2 END, id");
    fetch(conn, q).await
}

/// The goals directly under a goal.
pub async fn children(conn: &mut Conn, id: i64) -> Result<Vec<Goal>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM goals WHERE parent_id = "));
    q.bind(id).push(" ORDER BY id");
    fetch(conn, q).await
}

/// The years that have goals, latest first.
pub async fn years(conn: &mut Conn) -> Result<Vec<i32>, DbError> {
    let q = Sql::new("SELECT DISTINCT year FROM goals ORDER BY year DESC");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| {
            let y: i64 = r.try_get("year")?;
            i32::try_from(y).map_err(|_| corrupt("year", &y.to_string()))
        })
        .collect()
}

/// Filters of the goal list.
#[derive(Debug, Clone, Default)]
pub struct GoalFilter {
    /// Year.
    pub year: Option<i32>,
    /// Level.
    pub level: Option<GoalLevel>,
    /// Status.
    pub status: Option<GoalStatus>,
    /// Owner.
    pub owner: Option<UserId>,
    /// Department.
    pub department: Option<DepartmentId>,
    /// The goal above.
    pub parent: Option<i64>,
    /// Words of the title, metric or position.
    pub q: Option<String>,
}

fn push_filter(q: &mut Sql, f: &GoalFilter) {
    if let Some(y) = f.year {
        q.push(" AND year = ").bind(i64::from(y));
    }
    if let Some(l) = f.level {
        q.push(" AND level = ").bind(l.code());
    }
    if let Some(s) = f.status {
        q.push(" AND status = ").bind(s.code());
    }
    if let Some(u) = f.owner {
        q.push(" AND owner_id = ").bind(u.0);
    }
    if let Some(d) = f.department {
        q.push(" AND department_id = ").bind(d.0);
    }
    if let Some(p) = f.parent {
        q.push(" AND parent_id = ").bind(p);
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = contains_pattern(text);
        q.push(" AND (title LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR metric LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR position LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\')");
    }
}

/// The sort key of the goal list: the year.
pub const SORTS: &[&str] = &["year"];

/// One page of goals, latest year first unless sorted otherwise.
pub async fn list(
    conn: &mut Conn,
    filter: &GoalFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Goal>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM goals WHERE 1 = 1"));
    push_filter(&mut q, filter);
    crate::paging::keyset(&mut q, "year", crate::paging::Kind::Int, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items = fetch(conn, q).await?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |g| {
        vec![KeyValue::Int(i64::from(g.year)), KeyValue::Int(g.id)]
    });
    Ok((items, next))
}

/// How many goals match the filter.
pub async fn count(conn: &mut Conn, filter: &GoalFilter) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM goals WHERE 1 = 1");
    push_filter(&mut q, filter);
    q.fetch_one(conn).await?.try_get("n")
}

/// Goals in review that `user` approves — those under a goal they own, and (holding
/// `committee` without a department limit) the company's — and has not decided on in this
/// round, leaving out their own and those they created or submitted; oldest first.
pub async fn waiting_for_approval(
    conn: &mut Conn,
    user: UserId,
    committee: bool,
    limit: u32,
) -> Result<Vec<Goal>, DbError> {
    let cols: String = COLUMNS
        .split(", ")
        .map(|c| format!("g.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut q = Sql::new(&format!(
        "SELECT {cols} FROM goals g WHERE g.status = 'in_review' AND (g.parent_id IN (SELECT id FROM goals WHERE owner_id = "
    ));
    q.bind(user.0).push(")");
    if committee {
        q.push(" OR g.level = 'company'");
    }
    q.push(") AND g.owner_id <> ").bind(user.0);
    q.push(" AND COALESCE(g.created_by, 0) <> ").bind(user.0);
    q.push(" AND COALESCE(g.submitted_by, 0) <> ").bind(user.0);
    q.push(" AND NOT EXISTS (SELECT 1 FROM approvals a WHERE a.process = 'goal' AND a.item_id = g.id AND a.round = g.round AND a.approver_id = ")
        .bind(user.0)
        .push(") ORDER BY g.submitted_at, g.id LIMIT ")
        .bind(i64::from(limit));
    fetch(conn, q).await
}

/// Goals returned to their owner `user`, oldest first.
pub async fn returned_to(conn: &mut Conn, user: UserId, limit: u32) -> Result<Vec<Goal>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM goals WHERE status = 'returned' AND owner_id = "
    ));
    q.bind(user.0)
        .push(" ORDER BY updated_at, id LIMIT ")
        .bind(i64::from(limit));
    fetch(conn, q).await
}
