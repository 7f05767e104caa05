//! Rectification tasks: the record, the list in due order with its filters (each on an
//! index that keeps that order), a source's tasks, and the queries behind "waiting for me".

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, ts, ts_opt};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::rectification::{Rectification, RectificationSource, RectificationStatus};
use castellan_domain::{Day, Timestamp};

const COLUMNS: &str = "id, code, source, source_id, source_code, department_id, description, responsible_id, verifier_id, due_on, status, resolution, done_at, verified_at, created_by, version, created_at, updated_at";

fn from_row(mut row: Row) -> Result<Rectification, DbError> {
    Ok(Rectification {
        id: row.try_get("id")?,
        code: row.take("code")?,
        source: code_of(&mut row, "source", RectificationSource::from_code)?,
        source_id: row.try_get("source_id")?,
        source_code: row.take("source_code")?,
        department_id: row
            .try_get::<Option<i64>, _>("department_id")?
            .map(DepartmentId),
        description: row.take("description")?,
        responsible_id: UserId(row.try_get("responsible_id")?),
        verifier_id: UserId(row.try_get("verifier_id")?),
        due_on: code_of(&mut row, "due_on", Day::parse)?,
        status: code_of(&mut row, "status", RectificationStatus::from_code)?,
        resolution: row.take("resolution")?,
        done_at: ts_opt(&mut row, "done_at")?,
        verified_at: ts_opt(&mut row, "verified_at")?,
        created_by: row.try_get::<Option<i64>, _>("created_by")?.map(UserId),
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// The text the list's search matches, lower-cased.
fn search_text(t: &Rectification) -> String {
    format!("{} {} {}", t.code, t.source_code, t.description).to_lowercase()
}

async fn fetch(conn: &mut Conn, q: Sql) -> Result<Vec<Rectification>, DbError> {
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Inserts a task (its `id` and `version` are ignored); returns its id.
pub async fn insert(conn: &mut Conn, t: &Rectification) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "INSERT INTO rectifications (code, source, source_id, source_code, department_id, description, responsible_id, verifier_id, due_on, status, resolution, done_at, verified_at, created_by, search_text, version, created_at, updated_at) VALUES (",
    );
    q.bind(t.code.clone()).push(", ");
    q.bind(t.source.code()).push(", ");
    q.bind(t.source_id).push(", ");
    q.bind(t.source_code.clone()).push(", ");
    q.bind(t.department_id.map(|d| d.0)).push(", ");
    q.bind(t.description.clone()).push(", ");
    q.bind(t.responsible_id.0).push(", ");
    q.bind(t.verifier_id.0).push(", ");
    q.bind(t.due_on.to_db()).push(", ");
    q.bind(t.status.code()).push(", ");
    q.bind(t.resolution.clone()).push(", ");
    q.bind(t.done_at.map(|x| x.to_db())).push(", ");
    q.bind(t.verified_at.map(|x| x.to_db())).push(", ");
    q.bind(t.created_by.map(|u| u.0)).push(", ");
    q.bind(search_text(t)).push(", 1, ");
    q.bind(t.created_at.to_db())
        .push(", ")
        .bind(t.updated_at.to_db())
        .push(") RETURNING id");
    q.fetch_one(conn).await?.try_get("id")
}

/// One task.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Rectification>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM rectifications WHERE id = "));
    q.bind(id);
    Ok(fetch(conn, q).await?.pop())
}

/// Writes a task's changing fields if it is still at `t.version`; false when someone
/// changed it first.
pub async fn save(conn: &mut Conn, t: &Rectification, now: Timestamp) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE rectifications SET description = ");
    q.bind(t.description.clone());
    q.push(", responsible_id = ").bind(t.responsible_id.0);
    q.push(", verifier_id = ").bind(t.verifier_id.0);
    q.push(", due_on = ").bind(t.due_on.to_db());
    q.push(", status = ").bind(t.status.code());
    q.push(", resolution = ").bind(t.resolution.clone());
    q.push(", done_at = ").bind(t.done_at.map(|x| x.to_db()));
    q.push(", verified_at = ")
        .bind(t.verified_at.map(|x| x.to_db()));
    q.push(", search_text = ").bind(search_text(t));
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(t.id)
        .push(" AND version = ")
        .bind(t.version);
    Ok(q.execute(conn).await? == 1)
}

/// Which tasks a caller reads.
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    /// Every task (an organization-wide reader, or a list limited to a source the caller
    /// reads).
    pub all: bool,
    /// Tasks of these departments' subtrees (paths of department-limited readers).
    pub scope_paths: Vec<String>,
    /// Tasks this user is responsible for, verifies or opened.
    pub party: Option<UserId>,
}

/// Filters of the task list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Status.
    pub status: Option<RectificationStatus>,
    /// Kind of source.
    pub source: Option<RectificationSource>,
    /// The source record (with `source`).
    pub source_id: Option<i64>,
    /// Responsible person.
    pub responsible_id: Option<UserId>,
    /// Verifier.
    pub verifier_id: Option<UserId>,
    /// Only tasks still with their responsible person and due before this day.
    pub due_before: Option<Day>,
    /// Words of the code, the source's code or the description.
    pub q: Option<String>,
    /// What the caller may read.
    pub visibility: Visibility,
}

/// The sort key of the task list: the due day.
pub const SORTS: &[&str] = &["due_at"];

/// One page of tasks, soonest due first unless sorted otherwise.
pub async fn list(
    conn: &mut Conn,
    filter: &TaskFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Rectification>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM rectifications WHERE 1 = 1"));
    push_filter(&mut q, filter);
    crate::paging::keyset(&mut q, "due_on", crate::paging::Kind::Text, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items = fetch(conn, q).await?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |t| {
        vec![KeyValue::Text(t.due_on.to_db()), KeyValue::Int(t.id)]
    });
    Ok((items, next))
}

/// How many tasks match the filter.
pub async fn count(conn: &mut Conn, filter: &TaskFilter) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM rectifications WHERE 1 = 1");
    push_filter(&mut q, filter);
    q.fetch_one(conn).await?.try_get("n")
}

fn push_filter(q: &mut Sql, f: &TaskFilter) {
    if let Some(s) = f.status {
        q.push(" AND status = ").bind(s.code());
    }
    if let Some(s) = f.source {
        q.push(" AND source = ").bind(s.code());
    }
    if let Some(id) = f.source_id {
        q.push(" AND source_id = ").bind(id);
    }
    if let Some(u) = f.responsible_id {
        q.push(" AND responsible_id = ").bind(u.0);
    }
    if let Some(u) = f.verifier_id {
        q.push(" AND verifier_id = ").bind(u.0);
    }
    if let Some(d) = f.due_before {
        q.push(" AND status IN ('open', 'reopened') AND due_on < ")
            .bind(d.to_db());
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND search_text LIKE ")
            .bind(contains_pattern(text))
            .push(" ESCAPE '\\'");
    }
    let v = &f.visibility;
    if v.all {
        return;
    }
    q.push(" AND (1 = 0");
    for p in &v.scope_paths {
        q.push(" OR department_id IN (SELECT id FROM departments WHERE path LIKE ")
            .bind(format!("{p}%"))
            .push(")");
    }
    if let Some(u) = v.party {
        q.push(" OR responsible_id = ")
            .bind(u.0)
            .push(" OR verifier_id = ")
            .bind(u.0)
            .push(" OR created_by = ")
            .bind(u.0);
    }
    q.push(")");
}

/// The most tasks one source's page shows.
pub const PER_SOURCE_MAX: u32 = 500;

/// A source record's tasks, soonest due first (at most [`PER_SOURCE_MAX`]).
pub async fn of_source(
    conn: &mut Conn,
    source: RectificationSource,
    source_id: i64,
) -> Result<Vec<Rectification>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM rectifications WHERE source = "
    ));
    q.bind(source.code())
        .push(" AND source_id = ")
        .bind(source_id)
        .push(" ORDER BY due_on, id LIMIT ")
        .bind(i64::from(PER_SOURCE_MAX));
    fetch(conn, q).await
}

/// Tasks waiting for `user` as responsible person (open or reopened), soonest due first.
pub async fn with_responsible(
    conn: &mut Conn,
    user: UserId,
    limit: u32,
) -> Result<Vec<Rectification>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM rectifications WHERE responsible_id = "
    ));
    q.bind(user.0)
        .push(" AND status IN ('open', 'reopened') ORDER BY due_on, id LIMIT ")
        .bind(i64::from(limit));
    fetch(conn, q).await
}

/// Tasks reported done that wait for `user` to verify them, oldest report first.
pub async fn to_verify(
    conn: &mut Conn,
    user: UserId,
    limit: u32,
) -> Result<Vec<Rectification>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM rectifications WHERE verifier_id = "
    ));
    q.bind(user.0)
        .push(" AND status = 'done' ORDER BY due_on, id LIMIT ")
        .bind(i64::from(limit));
    fetch(conn, q).await
}
