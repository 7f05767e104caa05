//! Documents of the register: the record, the register in reference order with its
//! filters (each on an index that keeps that order), and the reviews falling due.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, day_opt, ts, ts_opt};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::document::{Document, DocumentFamily, DocumentKind, VersionStatus};
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::{Day, Timestamp};

const COLUMNS: &str = "id, code, title, kind, family, owner_id, department_id, status, current_version, pending_version, effective_at, review_interval_months, next_review_at, reviewed_at, created_by, version, created_at, updated_at";

fn from_row(mut row: Row) -> Result<Document, DbError> {
    Ok(Document {
        id: row.try_get("id")?,
        code: row.take("code")?,
        title: row.take("title")?,
        kind: code_of(&mut row, "kind", DocumentKind::from_code)?,
        family: code_of(&mut row, "family", DocumentFamily::from_code)?,
        owner_id: UserId(row.try_get("owner_id")?),
        department_id: row
            .try_get::<Option<i64>, _>("department_id")?
            .map(DepartmentId),
        status: code_of(&mut row, "status", VersionStatus::from_code)?,
        current_version: row.take("current_version")?,
        pending_version: row.take("pending_version")?,
        effective_at: day_opt(&mut row, "effective_at")?,
        review_interval_months: u8::try_from(row.try_get::<i64, _>("review_interval_months")?)
            .unwrap_or(12),
        next_review_at: day_opt(&mut row, "next_review_at")?,
        reviewed_at: ts_opt(&mut row, "reviewed_at")?,
        created_by: row.try_get::<Option<i64>, _>("created_by")?.map(UserId),
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

fn search_text(d: &Document) -> String {
    format!("{} {}", d.code, d.title).to_lowercase()
}

async fn fetch(conn: &mut Conn, q: Sql) -> Result<Vec<Document>, DbError> {
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Inserts a document (its `id` and `version` are ignored); returns its id, or `None` when
/// its reference is taken.
pub async fn insert(conn: &mut Conn, d: &Document) -> Result<Option<i64>, DbError> {
    let mut q = Sql::new(
        "INSERT INTO documents (code, title, kind, family, owner_id, department_id, status, current_version, pending_version, effective_at, review_interval_months, next_review_at, reviewed_at, created_by, search_text, version, created_at, updated_at) VALUES (",
    );
    q.bind(d.code.clone()).push(", ");
    q.bind(d.title.clone()).push(", ");
    q.bind(d.kind.code()).push(", ");
    q.bind(d.family.code()).push(", ");
    q.bind(d.owner_id.0).push(", ");
    q.bind(d.department_id.map(|x| x.0)).push(", ");
    q.bind(d.status.code()).push(", ");
    q.bind(d.current_version.clone()).push(", ");
    q.bind(d.pending_version.clone()).push(", ");
    q.bind(d.effective_at.map(|x| x.to_db())).push(", ");
    q.bind(i64::from(d.review_interval_months)).push(", ");
    q.bind(d.next_review_at.map(|x| x.to_db())).push(", ");
    q.bind(d.reviewed_at.map(|x| x.to_db())).push(", ");
    q.bind(d.created_by.map(|u| u.0)).push(", ");
    q.bind(search_text(d)).push(", 1, ");
    q.bind(d.created_at.to_db())
        .push(", ")
        .bind(d.updated_at.to_db())
        .push(") ON CONFLICT (code) DO NOTHING RETURNING id");
    match q.fetch_optional(conn).await? {
        Some(row) => Ok(Some(row.try_get("id")?)),
        None => Ok(None),
    }
}

/// One document.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Document>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM documents WHERE id = "));
    q.bind(id);
    Ok(fetch(conn, q).await?.pop())
}

/// The document with a reference.
pub async fn get_by_code(conn: &mut Conn, code: &str) -> Result<Option<Document>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM documents WHERE code = "));
    q.bind(code.to_owned());
    Ok(fetch(conn, q).await?.pop())
}

/// Writes a document's changing fields if it is still at `d.version`: `Ok(false)` when
/// someone changed it first, `Err(Taken)` when its new reference belongs to another.
pub async fn save(conn: &mut Conn, d: &Document, now: Timestamp) -> Result<Saved, DbError> {
    let mut check = Sql::new("SELECT id FROM documents WHERE code = ");
    check.bind(d.code.clone()).push(" AND id <> ").bind(d.id);
    if check.fetch_optional(conn).await?.is_some() {
        return Ok(Saved::CodeTaken);
    }
    let mut q = Sql::new("UPDATE documents SET code = ");
    q.bind(d.code.clone());
    q.push(", title = ").bind(d.title.clone());
    q.push(", kind = ").bind(d.kind.code());
    q.push(", family = ").bind(d.family.code());
    q.push(", owner_id = ").bind(d.owner_id.0);
    q.push(", department_id = ")
        .bind(d.department_id.map(|x| x.0));
    q.push(", status = ").bind(d.status.code());
    q.push(", current_version = ")
        .bind(d.current_version.clone());
    q.push(", pending_version = ")
        .bind(d.pending_version.clone());
    q.push(", effective_at = ")
        .bind(d.effective_at.map(|x| x.to_db()));
    q.push(", review_interval_months = ")
        .bind(i64::from(d.review_interval_months));
    q.push(", next_review_at = ")
        .bind(d.next_review_at.map(|x| x.to_db()));
    q.push(", reviewed_at = ")
        .bind(d.reviewed_at.map(|x| x.to_db()));
    q.push(", search_text = ").bind(search_text(d));
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(d.id)
        .push(" AND version = ")
        .bind(d.version);
    Ok(if q.execute(conn).await? == 1 {
        Saved::Saved
    } else {
        Saved::Stale
    })
}

/// What saving a document did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Written.
    Saved,
    /// Someone changed it first.
    Stale,
    /// Its reference belongs to another document.
    CodeTaken,
}

/// Which documents a caller reads.
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    /// Every document, drafts included.
    pub all: bool,
    /// Otherwise: documents in force, and those this user owns or wrote a version of.
    pub party: Option<UserId>,
}

/// Which reviews a list keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewFilter {
    /// Reviews due on or before the day (due soon and overdue).
    DueBy(Day),
    /// Reviews past due (before the day).
    Before(Day),
}

/// Filters of the register.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    /// Status.
    pub status: Option<VersionStatus>,
    /// Kind.
    pub kind: Option<DocumentKind>,
    /// Family.
    pub family: Option<DocumentFamily>,
    /// Owner.
    pub owner_id: Option<UserId>,
    /// Department.
    pub department_id: Option<DepartmentId>,
    /// Reviews falling due.
    pub review: Option<ReviewFilter>,
    /// Words of the reference or the title.
    pub q: Option<String>,
    /// What the caller may read.
    pub visibility: Visibility,
}

/// The sort keys of the register.
pub const SORTS: &[&str] = &["code"];

/// One page of the register, in reference order.
pub async fn list(
    conn: &mut Conn,
    filter: &DocumentFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Document>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM documents WHERE 1 = 1"));
    push_filter(&mut q, filter);
    crate::paging::keyset(&mut q, "code", crate::paging::Kind::Text, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items = fetch(conn, q).await?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |d| {
        vec![KeyValue::Text(d.code.clone()), KeyValue::Int(d.id)]
    });
    Ok((items, next))
}

/// How many documents match the filter.
pub async fn count(conn: &mut Conn, filter: &DocumentFilter) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM documents WHERE 1 = 1");
    push_filter(&mut q, filter);
    q.fetch_one(conn).await?.try_get("n")
}

fn push_filter(q: &mut Sql, f: &DocumentFilter) {
    if let Some(s) = f.status {
        q.push(" AND status = ").bind(s.code());
    }
    if let Some(k) = f.kind {
        q.push(" AND kind = ").bind(k.code());
    }
    if let Some(k) = f.family {
        q.push(" AND family = ").bind(k.code());
    }
    if let Some(u) = f.owner_id {
        q.push(" AND owner_id = ").bind(u.0);
    }
    if let Some(d) = f.department_id {
        q.push(" AND department_id = ").bind(d.0);
    }
    match f.review {
        Some(ReviewFilter::DueBy(d)) => {
            q.push(" AND next_review_at IS NOT NULL AND next_review_at <= ")
                .bind(d.to_db());
        }
        Some(ReviewFilter::Before(d)) => {
            q.push(" AND next_review_at IS NOT NULL AND next_review_at < ")
                .bind(d.to_db());
        }
        None => {}
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
    q.push(" AND (status = 'effective'");
    if let Some(u) = v.party {
        q.push(" OR owner_id = ")
            .bind(u.0)
            .push(" OR id IN (SELECT document_id FROM document_versions WHERE author_id = ")
            .bind(u.0)
            .push(")");
    }
    q.push(")");
}

/// Documents of `owner` whose review falls due on or before `by`, soonest first.
pub async fn reviews_due(
    conn: &mut Conn,
    owner: UserId,
    by: Day,
    limit: u32,
) -> Result<Vec<Document>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM documents WHERE owner_id = "
    ));
    q.bind(owner.0)
        .push(" AND next_review_at IS NOT NULL AND next_review_at <= ")
        .bind(by.to_db())
        .push(" ORDER BY next_review_at, id LIMIT ")
        .bind(i64::from(limit));
    fetch(conn, q).await
}

/// How many documents are due for review by `soon`, and how many of those are overdue
/// (before `today`).
pub async fn review_counts(conn: &mut Conn, today: Day, soon: Day) -> Result<(i64, i64), DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS due, COALESCE(SUM(CASE WHEN next_review_at < ");
    q.bind(today.to_db())
        .push(" THEN 1 ELSE 0 END), 0) AS overdue FROM documents WHERE next_review_at IS NOT NULL AND next_review_at <= ")
        .bind(soon.to_db());
    let row = q.fetch_one(conn).await?;
    Ok((row.try_get("due")?, row.try_get("overdue")?))
}
