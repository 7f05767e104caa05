//! Approval requests: the record, its list with filters, and the queries behind "waiting for
//! me" — each answered from an index on (status, step role) or the step's one approver.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, corrupt, ts, ts_opt};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::Timestamp;
use castellan_domain::ids::{AssetId, DepartmentId, UserId};
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::request::{Origin, Request, RequestKind, RequestStatus};
use castellan_domain::workflow::chain::Impact;

const COLUMNS: &str = "id, code, kind, title, description, impact, requester_id, department_id, asset_id, subject_user_id, origin, status, chain_id, chain_version, steps, round, current_step, submitted_by, submitted_at, due_at, implemented_at, implemented_by, deadline_met, created_by, version, created_at, updated_at";

fn user(row: &Row, col: &str) -> Result<Option<UserId>, DbError> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(UserId))
}

fn from_row(mut row: Row) -> Result<Request, DbError> {
    let steps: Option<String> = row.take("steps")?;
    let steps = match steps {
        Some(s) => serde_json::from_str(&s).map_err(|_| corrupt("steps", &s))?,
        None => Vec::new(),
    };
    Ok(Request {
        id: row.try_get("id")?,
        code: row.take("code")?,
        kind: code_of(&mut row, "kind", RequestKind::from_code)?,
        title: row.take("title")?,
        description: row.take("description")?,
        impact: code_of(&mut row, "impact", Impact::from_code)?,
        requester_id: user(&row, "requester_id")?,
        department_id: row
            .try_get::<Option<i64>, _>("department_id")?
            .map(DepartmentId),
        asset_id: row.try_get::<Option<i64>, _>("asset_id")?.map(AssetId),
        subject_user_id: user(&row, "subject_user_id")?,
        origin: code_of(&mut row, "origin", Origin::from_code)?,
        status: code_of(&mut row, "status", RequestStatus::from_code)?,
        chain_id: row.try_get("chain_id")?,
        chain_version: row.try_get("chain_version")?,
        steps,
        round: row.try_get("round")?,
        current_step: row.try_get("current_step")?,
        submitted_by: user(&row, "submitted_by")?,
        submitted_at: ts_opt(&mut row, "submitted_at")?,
        due_at: ts_opt(&mut row, "due_at")?,
        implemented_at: ts_opt(&mut row, "implemented_at")?,
        implemented_by: user(&row, "implemented_by")?,
        deadline_met: row
            .try_get::<Option<i64>, _>("deadline_met")?
            .map(|v| v != 0),
        created_by: user(&row, "created_by")?,
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

fn steps_json(r: &Request) -> Result<Option<String>, DbError> {
    if r.steps.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(&r.steps)
        .map(Some)
        .map_err(|e| DbError::decode("steps", e.to_string()))
}

/// Inserts a request (its `id`, `version` and times are ignored); returns its id.
pub async fn insert(
    conn: &mut Conn,
    r: &Request,
    key: Option<&StepKeyRow>,
) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "INSERT INTO requests (code, kind, title, description, impact, requester_id, department_id, asset_id, subject_user_id, origin, status, chain_id, chain_version, steps, round, current_step, step_role, step_path, step_user_id, submitted_by, submitted_at, due_at, implemented_at, implemented_by, deadline_met, created_by, version, created_at, updated_at) VALUES (",
    );
    q.bind(r.code.clone())
        .push(", ")
        .bind(r.kind.code())
        .push(", ");
    q.bind(r.title.clone())
        .push(", ")
        .bind(r.description.clone())
        .push(", ");
    q.bind(r.impact.code()).push(", ");
    q.bind(r.requester_id.map(|u| u.0)).push(", ");
    q.bind(r.department_id.map(|d| d.0)).push(", ");
    q.bind(r.asset_id.map(|a| a.0)).push(", ");
    q.bind(r.subject_user_id.map(|u| u.0)).push(", ");
    q.bind(r.origin.code())
        .push(", ")
        .bind(r.status.code())
        .push(", ");
    q.bind(r.chain_id)
        .push(", ")
        .bind(r.chain_version)
        .push(", ");
    q.bind(steps_json(r)?).push(", ").bind(r.round).push(", ");
    q.bind(r.current_step).push(", ");
    push_key(&mut q, key);
    q.bind(r.submitted_by.map(|u| u.0)).push(", ");
    q.bind(r.submitted_at.map(|t| t.to_db())).push(", ");
    q.bind(r.due_at.map(|t| t.to_db())).push(", ");
    q.bind(r.implemented_at.map(|t| t.to_db())).push(", ");
    q.bind(r.implemented_by.map(|u| u.0)).push(", ");
    q.bind(r.deadline_met.map(i64::from)).push(", ");
    q.bind(r.created_by.map(|u| u.0)).push(", 1, ");
    q.bind(r.created_at.to_db())
        .push(", ")
        .bind(r.updated_at.to_db());
    q.push(") RETURNING id");
    q.fetch_one(conn).await?.try_get("id")
}

pub use crate::workflow::StepKeyRow;

fn push_key(q: &mut Sql, key: Option<&StepKeyRow>) {
    q.bind(key.map(|k| k.role)).push(", ");
    q.bind(key.and_then(|k| k.path.clone())).push(", ");
    q.bind(key.and_then(|k| k.user_id.map(|u| u.0))).push(", ");
}

/// One request.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Request>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM requests WHERE id = "));
    q.bind(id);
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// Writes a request's changing fields if it is still at `r.version`; false when someone
/// changed it first. `key` says who approves its current step now.
pub async fn save(
    conn: &mut Conn,
    r: &Request,
    key: Option<&StepKeyRow>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE requests SET title = ");
    q.bind(r.title.clone())
        .push(", description = ")
        .bind(r.description.clone());
    q.push(", kind = ").bind(r.kind.code());
    q.push(", impact = ").bind(r.impact.code());
    q.push(", asset_id = ").bind(r.asset_id.map(|a| a.0));
    q.push(", subject_user_id = ")
        .bind(r.subject_user_id.map(|u| u.0));
    q.push(", status = ").bind(r.status.code());
    crate::workflow::push_chain_columns(&mut q, &r.chain_run(), key)?;
    q.push(", due_at = ").bind(r.due_at.map(|t| t.to_db()));
    q.push(", implemented_at = ")
        .bind(r.implemented_at.map(|t| t.to_db()));
    q.push(", implemented_by = ")
        .bind(r.implemented_by.map(|u| u.0));
    q.push(", deadline_met = ")
        .bind(r.deadline_met.map(i64::from));
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(r.id)
        .push(" AND version = ")
        .bind(r.version);
    Ok(q.execute(conn).await? == 1)
}

/// Filters of the request list.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Status.
    pub status: Option<RequestStatus>,
    /// Kind.
    pub kind: Option<RequestKind>,
    /// Origin.
    pub origin: Option<Origin>,
    /// Only breached (true) or only met (false) deadlines; `now` decides for open ones.
    pub breached: Option<bool>,
    /// Requester.
    pub requester_id: Option<UserId>,
    /// The person concerned.
    pub subject_user_id: Option<UserId>,
    /// The asset concerned.
    pub asset_id: Option<AssetId>,
    /// Words of the title or the code.
    pub q: Option<String>,
    /// Only requests of these departments' subtrees (department paths: the caller's scope and the departments they head); `None` for all.
    pub scope_paths: Option<Vec<String>>,
    /// Also (or, for staff, only) requests this user is a party to: requester, subject.
    pub party: Option<UserId>,
    /// Who reads (others' drafts are left out).
    pub viewer: Option<UserId>,
}

/// The sort keys of the request list.
pub const SORTS: &[&str] = &["created_at", "due_at"];

/// One page of requests, newest first unless sorted otherwise.
pub async fn list(
    conn: &mut Conn,
    filter: &RequestFilter,
    now: Timestamp,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Request>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM requests WHERE 1 = 1"));
    push_filter(&mut q, filter, now);
    let by_due = sort.field == "due_at";
    if by_due {
        q.push(" AND due_at IS NOT NULL");
    }
    let column = if by_due { "due_at" } else { "created_at" };
    crate::paging::keyset(&mut q, column, crate::paging::Kind::Text, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items: Vec<Request> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |r| {
        let key = if by_due {
            r.due_at.map(|t| t.to_db()).unwrap_or_default()
        } else {
            r.created_at.to_db()
        };
        vec![KeyValue::Text(key), KeyValue::Int(r.id)]
    });
    Ok((items, next))
}

/// How many requests match the filter.
pub async fn count(
    conn: &mut Conn,
    filter: &RequestFilter,
    now: Timestamp,
) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM requests WHERE 1 = 1");
    push_filter(&mut q, filter, now);
    q.fetch_one(conn).await?.try_get("n")
}

fn push_filter(q: &mut Sql, f: &RequestFilter, now: Timestamp) {
    if let Some(s) = f.status {
        q.push(" AND status = ").bind(s.code());
    }
    if let Some(k) = f.kind {
        q.push(" AND kind = ").bind(k.code());
    }
    if let Some(o) = f.origin {
        q.push(" AND origin = ").bind(o.code());
    }
    match f.breached {
        Some(true) => {
            q.push(" AND (deadline_met = 0 OR (deadline_met IS NULL AND due_at < ")
                .bind(now.to_db())
                .push(" AND status IN ('draft', 'submitted', 'approved')))");
        }
        Some(false) => {
            q.push(" AND deadline_met = 1");
        }
        None => {}
    }
    if let Some(u) = f.requester_id {
        q.push(" AND requester_id = ").bind(u.0);
    }
    if let Some(u) = f.subject_user_id {
        q.push(" AND subject_user_id = ").bind(u.0);
    }
    if let Some(a) = f.asset_id {
        q.push(" AND asset_id = ").bind(a.0);
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = contains_pattern(text);
        q.push(" AND (LOWER(title) LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(code) LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\')");
    }
    // Scope: the departments the caller reads, or the requests they are a party to.
    if f.scope_paths.is_none() && f.party.is_none() {
        // Readers of every department: everything but others' drafts.
        if let Some(me) = f.viewer {
            q.push(" AND (status <> 'draft' OR requester_id = ")
                .bind(me.0)
                .push(")");
        }
        return;
    }
    q.push(" AND (1 = 0");
    // Drafts are their requester's alone until submitted.
    for p in f.scope_paths.iter().flatten() {
        q.push(" OR (status <> 'draft' AND department_id IN (SELECT id FROM departments WHERE path LIKE ")
            .bind(format!("{p}%"))
            .push("))");
    }
    if let Some(u) = f.party {
        q.push(" OR requester_id = ")
            .bind(u.0)
            .push(" OR (status <> 'draft' AND subject_user_id = ")
            .bind(u.0)
            .push(")");
    }
    q.push(")");
}

pub use crate::workflow::ApproverGrant;

/// The submitted requests whose current step `user` (holding `grants`) approves and on which
/// they have not decided in this round, leaving out those they asked for, created or
/// submitted (separation of duties), oldest submission first.
pub async fn waiting_for_approval(
    conn: &mut Conn,
    user: UserId,
    grants: &[ApproverGrant],
    limit: u32,
) -> Result<Vec<Request>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM requests r WHERE r.status = 'submitted' AND ("
    ));
    crate::workflow::push_step_match(&mut q, "r", user, grants);
    q.push(") AND COALESCE(r.requester_id, 0) <> ").bind(user.0);
    q.push(" AND COALESCE(r.created_by, 0) <> ").bind(user.0);
    q.push(" AND COALESCE(r.submitted_by, 0) <> ").bind(user.0);
    crate::workflow::push_not_decided(&mut q, "request", "r", user);
    q.push(" ORDER BY r.submitted_at, r.id LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Requests in `status` (approved ones waiting to be carried out, carried-out ones waiting
/// to be closed), oldest change first; with `independent`, leaving out those `user` asked
/// for, created or carried out (separation of duties for closing).
pub async fn waiting_in_status(
    conn: &mut Conn,
    status: RequestStatus,
    user: UserId,
    limit: u32,
    independent: bool,
) -> Result<Vec<Request>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM requests WHERE status = "));
    q.bind(status.code());
    if independent {
        q.push(" AND COALESCE(requester_id, 0) <> ")
            .bind(user.0)
            .push(" AND COALESCE(created_by, 0) <> ")
            .bind(user.0)
            .push(" AND COALESCE(submitted_by, 0) <> ")
            .bind(user.0);
    }
    q.push(" ORDER BY updated_at, id LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// The user's own drafts that an approver returned (round > 0), oldest first.
pub async fn returned_to(
    conn: &mut Conn,
    user: UserId,
    limit: u32,
) -> Result<Vec<Request>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM requests WHERE requester_id = "
    ));
    q.bind(user.0)
        .push(" AND status = 'draft' AND round > 0 ORDER BY updated_at, id LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Refreshes the planner's statistics of the request tables after a bulk load (the demo),
/// so "waiting for me" is planned for the real sizes.
pub async fn analyze(conn: &mut Conn) -> Result<(), DbError> {
    for table in ["requests", "approvals", "workflow_moves"] {
        conn.execute_batch(&format!("ANALYZE {table}")).await?;
    }
    Ok(())
}
