//! Versions of documents: the record with its chain state, a document's versions newest
//! first, and the queries behind "waiting for me" (versions to approve, to publish).

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, corrupt, day_opt, ts, ts_opt};
use crate::sql::Sql;
use crate::workflow::{ApproverGrant, StepKeyRow};
use castellan_domain::Timestamp;
use castellan_domain::document::{DocumentVersion, VersionNumber, VersionStatus};
use castellan_domain::ids::UserId;

const COLUMNS: &str = "id, document_id, major, minor, status, change_note, body, author_id, authored_at, chain_id, chain_version, steps, round, current_step, submitted_by, submitted_at, reviewer_id, reviewed_at, approver_id, approved_at, effective_at, published_by, ended_at, version, updated_at";

/// The columns of the list of a document's versions (without their texts).
const SHORT_COLUMNS: &str = "id, document_id, major, minor, status, change_note, NULL AS body, author_id, authored_at, chain_id, chain_version, steps, round, current_step, submitted_by, submitted_at, reviewer_id, reviewed_at, approver_id, approved_at, effective_at, published_by, ended_at, version, updated_at";

fn user(row: &Row, col: &str) -> Result<Option<UserId>, DbError> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(UserId))
}

fn part(row: &Row, col: &str) -> Result<u16, DbError> {
    let v: i64 = row.try_get(col)?;
    u16::try_from(v).map_err(|_| corrupt(col, &v.to_string()))
}

fn from_row(mut row: Row) -> Result<DocumentVersion, DbError> {
    Ok(DocumentVersion {
        id: row.try_get("id")?,
        document_id: row.try_get("document_id")?,
        number: VersionNumber {
            major: part(&row, "major")?,
            minor: part(&row, "minor")?,
        },
        status: code_of(&mut row, "status", VersionStatus::from_code)?,
        change_note: row.take("change_note")?,
        body: row.take("body")?,
        author_id: UserId(row.try_get("author_id")?),
        authored_at: ts(&mut row, "authored_at")?,
        run: crate::workflow::chain_run(&mut row)?,
        reviewer_id: user(&row, "reviewer_id")?,
        reviewed_at: ts_opt(&mut row, "reviewed_at")?,
        approver_id: user(&row, "approver_id")?,
        approved_at: ts_opt(&mut row, "approved_at")?,
        effective_at: day_opt(&mut row, "effective_at")?,
        published_by: user(&row, "published_by")?,
        ended_at: ts_opt(&mut row, "ended_at")?,
        version: row.try_get("version")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

async fn fetch(conn: &mut Conn, q: Sql) -> Result<Vec<DocumentVersion>, DbError> {
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Inserts a version (its `id` and `version` are ignored); returns its id, or `None` when
/// the document already has a version of that number.
pub async fn insert(conn: &mut Conn, v: &DocumentVersion) -> Result<Option<i64>, DbError> {
    let mut q = Sql::new(
        "INSERT INTO document_versions (document_id, major, minor, status, change_note, body, author_id, authored_at, round, version, updated_at) VALUES (",
    );
    q.bind(v.document_id).push(", ");
    q.bind(i64::from(v.number.major)).push(", ");
    q.bind(i64::from(v.number.minor)).push(", ");
    q.bind(v.status.code()).push(", ");
    q.bind(v.change_note.clone()).push(", ");
    q.bind(v.body.clone()).push(", ");
    q.bind(v.author_id.0).push(", ");
    q.bind(v.authored_at.to_db()).push(", ");
    q.bind(v.run.round).push(", 1, ");
    q.bind(v.updated_at.to_db())
        .push(") ON CONFLICT (document_id, major, minor) DO NOTHING RETURNING id");
    match q.fetch_optional(conn).await? {
        Some(row) => Ok(Some(row.try_get("id")?)),
        None => Ok(None),
    }
}

/// One version, with its text.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<DocumentVersion>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM document_versions WHERE id = "
    ));
    q.bind(id);
    Ok(fetch(conn, q).await?.pop())
}

/// A document's versions, newest first, without their texts.
pub async fn of_document(
    conn: &mut Conn,
    document_id: i64,
) -> Result<Vec<DocumentVersion>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {SHORT_COLUMNS} FROM document_versions WHERE document_id = "
    ));
    q.bind(document_id).push(" ORDER BY major DESC, minor DESC");
    fetch(conn, q).await
}

/// Writes a version's changing fields if it is still at `v.version`; false when someone
/// changed it first. `key` says who approves its current step now.
pub async fn save(
    conn: &mut Conn,
    v: &DocumentVersion,
    key: Option<&StepKeyRow>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE document_versions SET major = ");
    q.bind(i64::from(v.number.major));
    q.push(", minor = ").bind(i64::from(v.number.minor));
    q.push(", status = ").bind(v.status.code());
    q.push(", change_note = ").bind(v.change_note.clone());
    q.push(", body = ").bind(v.body.clone());
    crate::workflow::push_chain_columns(&mut q, &v.run, key)?;
    q.push(", reviewer_id = ").bind(v.reviewer_id.map(|u| u.0));
    q.push(", reviewed_at = ")
        .bind(v.reviewed_at.map(|t| t.to_db()));
    q.push(", approver_id = ").bind(v.approver_id.map(|u| u.0));
    q.push(", approved_at = ")
        .bind(v.approved_at.map(|t| t.to_db()));
    q.push(", effective_at = ")
        .bind(v.effective_at.map(|d| d.to_db()));
    q.push(", published_by = ")
        .bind(v.published_by.map(|u| u.0));
    q.push(", ended_at = ").bind(v.ended_at.map(|t| t.to_db()));
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(v.id)
        .push(" AND version = ")
        .bind(v.version);
    Ok(q.execute(conn).await? == 1)
}

/// Ends a version (superseded by a later one) if it is still at `v.version`, leaving its text
/// and history as they are; false when someone changed it first.
pub async fn end(
    conn: &mut Conn,
    v: &DocumentVersion,
    status: VersionStatus,
    at: Timestamp,
) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE document_versions SET status = ");
    q.bind(status.code())
        .push(", ended_at = ")
        .bind(at.to_db())
        .push(", version = version + 1, updated_at = ")
        .bind(at.to_db())
        .push(" WHERE id = ")
        .bind(v.id)
        .push(" AND version = ")
        .bind(v.version);
    Ok(q.execute(conn).await? == 1)
}

/// A version waiting for someone, with its document's reference and title.
#[derive(Debug, Clone)]
pub struct Waiting {
    /// The version.
    pub version: DocumentVersion,
    /// Its document's reference.
    pub code: String,
    /// Its document's title.
    pub title: String,
}

const WAITING_COLUMNS: &str = "v.id, v.document_id, v.major, v.minor, v.status, v.change_note, NULL AS body, v.author_id, v.authored_at, v.chain_id, v.chain_version, v.steps, v.round, v.current_step, v.submitted_by, v.submitted_at, v.reviewer_id, v.reviewed_at, v.approver_id, v.approved_at, v.effective_at, v.published_by, v.ended_at, v.version, v.updated_at, d.code AS doc_code, d.title AS doc_title";

async fn fetch_waiting(conn: &mut Conn, q: Sql) -> Result<Vec<Waiting>, DbError> {
    let mut out = Vec::new();
    for mut row in q.fetch_all(conn).await? {
        let code = row.take("doc_code")?;
        let title = row.take("doc_title")?;
        out.push(Waiting {
            version: from_row(row)?,
            code,
            title,
        });
    }
    Ok(out)
}

/// Versions in review whose current step `user` (holding `grants`) approves and on which
/// they have not decided in this round, leaving out those they wrote, submitted or own
/// (separation of duties), oldest submission first.
pub async fn waiting_for_approval(
    conn: &mut Conn,
    user: UserId,
    grants: &[ApproverGrant],
    limit: u32,
) -> Result<Vec<Waiting>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {WAITING_COLUMNS} FROM document_versions v JOIN documents d ON d.id = v.document_id WHERE v.status = 'in_review' AND ("
    ));
    crate::workflow::push_step_match(&mut q, "v", user, grants);
    q.push(") AND v.author_id <> ").bind(user.0);
    q.push(" AND COALESCE(v.submitted_by, 0) <> ").bind(user.0);
    q.push(" AND d.owner_id <> ").bind(user.0);
    crate::workflow::push_not_decided(&mut q, "document", "v", user);
    q.push(" ORDER BY v.submitted_at, v.id LIMIT ")
        .bind(i64::from(limit));
    fetch_waiting(conn, q).await
}

/// Approved versions waiting to be published: those of documents `owner` owns, or every
/// one (`owner` = `None`, for publishers), oldest approval first.
pub async fn approved(
    conn: &mut Conn,
    owner: Option<UserId>,
    limit: u32,
) -> Result<Vec<Waiting>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {WAITING_COLUMNS} FROM document_versions v JOIN documents d ON d.id = v.document_id WHERE v.status = 'approved'"
    ));
    if let Some(u) = owner {
        q.push(" AND d.owner_id = ").bind(u.0);
    }
    q.push(" ORDER BY v.approved_at, v.id LIMIT ")
        .bind(i64::from(limit));
    fetch_waiting(conn, q).await
}
