//! The document register: opening documents, changing their details, who reads which,
//! the register's list with its filters, scheduled reviews, and what waits for whom.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::workflow::{Expected, Waiting};
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::document::audit::{DocumentAction, DocumentRecord};
use castellan_domain::document::{
    self as rules, Document, DocumentConflict, DocumentFamily, DocumentInput, DocumentKind,
    DocumentVersion, PUBLISHERS, VersionStatus, review_soon_until, review_state,
};
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::paging::{Cursor, Page, Sort, parse_limit};
use castellan_domain::values::{UserStatus, clean_multiline};
use castellan_domain::{
    Action, Day, DomainError, FieldErrorKind, FieldErrors, Resource, Target, Timestamp,
};
use castellan_store::Conn;
use castellan_store::document::documents::{
    self as store, DocumentFilter, ReviewFilter, Saved, Visibility,
};
use castellan_store::document::versions as vstore;
use castellan_store::org::{departments, users};
use castellan_store::workflow as wf;

/// Today in the organization's time zone.
pub fn today(app: &App) -> Day {
    Day::of_at(Timestamp::now(), app.settings().utc_offset())
}

pub(crate) fn not_found() -> crate::Error {
    DomainError::not_found("document").into()
}

pub(crate) fn forbidden() -> crate::Error {
    DomainError::Forbidden {
        resource: Resource::Document,
        action: Action::Update,
    }
    .into()
}

/// Whether the caller writes documents at all (auditors read only).
pub(crate) fn writes(ctx: &Ctx) -> bool {
    ctx.principal
        .may_somewhere(Resource::Document, Action::Update)
}

/// Whether the caller reads the whole register, drafts included.
pub(crate) fn reads_register(ctx: &Ctx) -> bool {
    ctx.principal
        .is_allowed(Resource::DocumentRegister, Action::Read, Target::Global)
}

/// Whether the caller publishes and retires documents and edits any document's details.
pub(crate) fn is_publisher(ctx: &Ctx) -> bool {
    PUBLISHERS.iter().any(|r| ctx.principal.has_role(*r))
}

/// Whether the caller answers for the document: its owner or a publisher.
pub(crate) fn manages(ctx: &Ctx, d: &Document) -> bool {
    writes(ctx) && (d.owner_id == ctx.principal.user_id || is_publisher(ctx))
}

/// Whether the caller reads the document: the register's readers, its owner and the
/// authors of its versions read it whole; everyone reads a document in force (its
/// versions that were in force); an approver reads the version waiting for them.
pub(crate) async fn access(conn: &mut Conn, ctx: &Ctx, d: &Document) -> Result<Access> {
    let me = ctx.principal.user_id;
    if reads_register(ctx) || d.owner_id == me {
        return Ok(Access::Whole);
    }
    let versions = vstore::of_document(conn, d.id).await?;
    if versions.iter().any(|v| v.author_id == me) {
        return Ok(Access::Whole);
    }
    let approver = match versions
        .iter()
        .find(|v| v.status == VersionStatus::InReview)
    {
        Some(v) => crate::document::versions::names_approver(conn, ctx, d, v).await?,
        None => false,
    };
    if d.status == VersionStatus::Effective || approver {
        return Ok(Access::InForce { approver });
    }
    Ok(Access::None)
}

/// How much of a document the caller reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Nothing (404).
    None,
    /// The versions that were in force (and, for an approver, the version in review).
    InForce {
        /// Whether the caller approves the version in review.
        approver: bool,
    },
    /// Every version.
    Whole,
}

impl Access {
    /// Whether the caller reads `v`.
    pub fn reads(self, v: &DocumentVersion) -> bool {
        match self {
            Access::None => false,
            Access::Whole => true,
            Access::InForce { approver } => {
                v.status.was_in_force() || (approver && v.status == VersionStatus::InReview)
            }
        }
    }
}

/// Loads a document the caller reads (404 otherwise) and how much of it they read.
pub(crate) async fn load(conn: &mut Conn, ctx: &Ctx, id: i64) -> Result<(Document, Access)> {
    let d = store::get(conn, id).await?.ok_or_else(not_found)?;
    let access = access(conn, ctx, &d).await?;
    if access == Access::None {
        return Err(not_found());
    }
    Ok((d, access))
}

/// A document as a caller sees it.
#[derive(Debug, Clone)]
pub struct DocumentView {
    /// The record.
    pub document: Document,
    /// Its versions the caller reads, newest first (without their texts).
    pub versions: Vec<DocumentVersion>,
    /// Whether the caller may change its details, draft versions and review it.
    pub may_manage: bool,
    /// Whether the caller may start a new version now.
    pub may_draft: bool,
    /// Whether the caller may confirm the scheduled review now.
    pub may_review: bool,
    /// How its review stands today (`None`: not in force).
    pub review: Option<rules::ReviewState>,
    /// Whether it is addressed to the caller and whether they confirmed its version in
    /// force (`None`: not in force).
    pub standing: Option<super::acknowledgements::Standing>,
    /// Whether the caller sees who confirmed it and addresses it.
    pub sees_coverage: bool,
}

pub(crate) async fn view(
    conn: &mut Conn,
    ctx: &Ctx,
    d: Document,
    access: Access,
    today: Day,
) -> Result<DocumentView> {
    let versions: Vec<DocumentVersion> = vstore::of_document(conn, d.id)
        .await?
        .into_iter()
        .filter(|v| access.reads(v))
        .collect();
    let managed = manages(ctx, &d);
    let retired = d.status == VersionStatus::Retired;
    let pending = versions.iter().any(|v| v.status.is_pending());
    let standing = super::acknowledgements::standing(conn, ctx, &d).await?;
    Ok(DocumentView {
        standing,
        sees_coverage: super::acknowledgements::sees_coverage(ctx, &d),
        may_manage: managed && !retired,
        may_draft: managed && !retired && !pending,
        may_review: managed && d.status == VersionStatus::Effective,
        review: review_state(d.next_review_at, today),
        versions,
        document: d,
    })
}

/// The audit snapshot of a document.
pub(crate) fn snapshot(d: &Document) -> serde_json::Value {
    serde_json::json!({
        "code": d.code, "title": d.title, "kind": d.kind, "family": d.family,
        "owner_id": d.owner_id.0, "department_id": d.department_id.map(|x| x.0),
        "status": d.status, "current_version": d.current_version,
        "pending_version": d.pending_version, "effective_at": d.effective_at,
        "review_interval_months": d.review_interval_months,
        "next_review_at": d.next_review_at, "reviewed_at": d.reviewed_at,
    })
}

/// A new document or a change of its details, as an editor gives them.
#[derive(Debug, Clone, Default)]
pub struct DocumentForm {
    /// Reference, kind, family, title, review interval.
    pub fields: DocumentInput,
    /// Owner (default: the caller).
    pub owner_id: Option<UserId>,
    /// The same, by username (forms).
    pub owner_username: Option<String>,
    /// Department.
    pub department_id: Option<DepartmentId>,
}

async fn owner_of(
    conn: &mut Conn,
    ctx: &Ctx,
    form: &DocumentForm,
    errors: &mut FieldErrors,
) -> Result<Option<UserId>> {
    let user = match (
        form.owner_id,
        form.owner_username
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty()),
    ) {
        (Some(id), _) => users::get(conn, id).await?,
        (None, Some(name)) => users::find_by_username(conn, &name.to_lowercase()).await?,
        (None, None) => return Ok((!ctx.system).then_some(ctx.principal.user_id)),
    };
    match user {
        Some(u) if u.status == UserStatus::Active => Ok(Some(u.id)),
        _ => {
            errors.add("owner_id", FieldErrorKind::NoSuchRecord);
            Ok(None)
        }
    }
}

async fn check_department(
    conn: &mut Conn,
    department: Option<DepartmentId>,
    errors: &mut FieldErrors,
) -> Result<()> {
    if let Some(d) = department
        && departments::get(conn, d).await?.is_none()
    {
        errors.add("department_id", FieldErrorKind::NoSuchRecord);
    }
    Ok(())
}

/// Opens a document in the register (security officers and compliance administrators):
/// its reference (one is given when none is), title, kind, family, owner (an active user;
/// the caller by default), department and review interval. Versions are drafted next.
pub async fn create(app: &App, ctx: &Ctx, form: &DocumentForm) -> Result<DocumentView> {
    ctx.principal
        .authorize(Resource::Document, Action::Create, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let mut errors = FieldErrors::new();
    let owner = owner_of(&mut tx, ctx, form, &mut errors).await?;
    check_department(&mut tx, form.department_id, &mut errors).await?;
    if owner.is_none() && errors.get("owner_id").is_none() {
        errors.add("owner_id", FieldErrorKind::Required);
    }
    let fields = form.fields.check(errors)?;
    let Some(owner) = owner else {
        return Err(FieldErrors::single("owner_id", FieldErrorKind::Required).into());
    };
    let now = Timestamp::now();
    let code = match fields.code {
        Some(c) => c,
        None => {
            let year = now.datetime().year();
            let n = wf::next_number(&mut tx, &format!("DOC-{year}")).await?;
            format!("DOC-{year}-{n:04}")
        }
    };
    let mut d = Document {
        id: 0,
        code,
        title: fields.title,
        kind: fields.kind,
        family: fields.family,
        owner_id: owner,
        department_id: form.department_id,
        status: VersionStatus::Draft,
        current_version: None,
        pending_version: None,
        effective_at: None,
        review_interval_months: fields.review_interval_months,
        next_review_at: None,
        reviewed_at: None,
        created_by: (!ctx.system).then_some(ctx.principal.user_id),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    d.id = store::insert(&mut tx, &d)
        .await?
        .ok_or_else(|| FieldErrors::single("code", FieldErrorKind::Taken))?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, DocumentRecord::Document, d.id).after(&snapshot(&d)),
    )
    .await?;
    let v = view(&mut tx, ctx, d, Access::Whole, today(app)).await?;
    tx.commit().await?;
    Ok(v)
}

/// One document (404 for a caller who may not read it).
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<DocumentView> {
    ctx.principal
        .authorize(Resource::Document, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    let (d, access) = load(&mut conn, ctx, id).await?;
    view(&mut conn, ctx, d, access, today(app)).await
}

pub(crate) async fn save(conn: &mut Conn, d: &Document, now: Timestamp) -> Result<()> {
    match store::save(conn, d, now).await? {
        Saved::Saved => Ok(()),
        Saved::Stale => Err(DomainError::StaleVersion { current: d.version }.into()),
        Saved::CodeTaken => Err(FieldErrors::single("code", FieldErrorKind::Taken).into()),
    }
}

/// Changes a document's details if `version` is current: its owner or a publisher, until
/// it is retired. A new review interval moves the next review day of a document in force.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    form: &DocumentForm,
    version: i64,
) -> Result<DocumentView> {
    ctx.principal
        .authorize(Resource::Document, Action::Update, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let (before, access) = load(&mut tx, ctx, id).await?;
    if !manages(ctx, &before) {
        return Err(forbidden());
    }
    if before.status == VersionStatus::Retired {
        return Err(DocumentConflict::Retired.into());
    }
    if before.version != version {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let mut errors = FieldErrors::new();
    let owner = owner_of(&mut tx, ctx, form, &mut errors).await?;
    check_department(&mut tx, form.department_id, &mut errors).await?;
    let fields = form.fields.check(errors)?;
    let mut d = before.clone();
    if let Some(code) = fields.code {
        d.code = code;
    }
    d.title = fields.title;
    // The kind decides the chain: it stays while a version is in review.
    if fields.kind != d.kind
        && vstore::of_document(&mut tx, id)
            .await?
            .iter()
            .any(|v| v.status == VersionStatus::InReview)
    {
        return Err(DocumentConflict::VersionPending.into());
    }
    d.kind = fields.kind;
    d.family = fields.family;
    if let Some(o) = owner {
        d.owner_id = o;
    }
    d.department_id = form.department_id;
    d.review_interval_months = fields.review_interval_months;
    if let Some(from) = d.effective_at {
        let base = d
            .reviewed_at
            .map(|t| Day::of_at(t, app.settings().utc_offset()))
            .map_or(from, |r| r.max(from));
        d.next_review_at = Some(rules::next_review(base, d.review_interval_months));
    }
    let now = Timestamp::now();
    save(&mut tx, &d, now).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, DocumentRecord::Document, id)
            .before(&snapshot(&before))
            .after(&snapshot(&d)),
    )
    .await?;
    let d = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, d, access, today(app)).await?;
    tx.commit().await?;
    Ok(v)
}

/// The owner (or a publisher) reviewed a document in force on schedule and keeps it as it
/// is: the next review is counted from today.
pub async fn confirm_review(
    app: &App,
    ctx: &Ctx,
    id: i64,
    comment: Option<&str>,
    version: Option<i64>,
) -> Result<DocumentView> {
    ctx.principal
        .authorize(Resource::Document, Action::Update, Target::Global)?;
    let comment = clean_multiline(comment, 4000).map_err(|k| FieldErrors::single("comment", k))?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let (before, access) = load(&mut tx, ctx, id).await?;
    if !manages(ctx, &before) {
        return Err(forbidden());
    }
    if before.status != VersionStatus::Effective {
        return Err(DocumentConflict::NotInForce.into());
    }
    if let Some(v) = version
        && v != before.version
    {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let now = Timestamp::now();
    let mut d = before.clone();
    d.reviewed_at = Some(now);
    d.next_review_at = Some(rules::next_review(today, d.review_interval_months));
    save(&mut tx, &d, now).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(DocumentAction::Review, DocumentRecord::Document, id)
            .before(&serde_json::json!({"next_review_at": before.next_review_at}))
            .after(&serde_json::json!({
                "next_review_at": d.next_review_at, "reviewed_at": d.reviewed_at,
                "comment": comment,
            })),
    )
    .await?;
    let d = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, d, access, today).await?;
    tx.commit().await?;
    Ok(v)
}

/// The register's query.
#[derive(Debug, Clone, Default)]
pub struct DocumentQuery {
    /// Status code.
    pub status: Option<String>,
    /// Kind code.
    pub kind: Option<String>,
    /// Family code.
    pub family: Option<String>,
    /// Owner.
    pub owner_id: Option<UserId>,
    /// Department.
    pub department_id: Option<DepartmentId>,
    /// `due` (due within 30 days or overdue) or `overdue`.
    pub review: Option<String>,
    /// Words of the reference or title.
    pub q: Option<String>,
    /// `code` or `-code`.
    pub sort: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
    /// Where the page starts.
    pub cursor: Option<String>,
}

/// The review filters of the register.
pub const REVIEW_FILTERS: &[&str] = &["due", "overdue"];

/// The register's filter of a query, within what the caller reads.
pub(crate) fn filter_for(ctx: &Ctx, q: &DocumentQuery, today: Day) -> Result<DocumentFilter> {
    fn code(s: &Option<String>) -> Option<&str> {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let mut errors = FieldErrors::new();
    let status = code(&q.status).and_then(|s| errors.check("status", VersionStatus::from_code(s)));
    let kind = code(&q.kind).and_then(|s| errors.check("kind", DocumentKind::from_code(s)));
    let family = code(&q.family).and_then(|s| errors.check("family", DocumentFamily::from_code(s)));
    let review = match code(&q.review) {
        None => None,
        Some("due") => Some(ReviewFilter::DueBy(review_soon_until(today))),
        Some("overdue") => Some(ReviewFilter::Before(today)),
        Some(_) => {
            errors.add(
                "review",
                FieldErrorKind::UnknownValue {
                    allowed: REVIEW_FILTERS.to_vec(),
                },
            );
            None
        }
    };
    errors.into_result()?;
    Ok(DocumentFilter {
        status,
        kind,
        family,
        owner_id: q.owner_id,
        department_id: q.department_id,
        review,
        q: q.q.clone(),
        visibility: Visibility {
            all: reads_register(ctx),
            party: Some(ctx.principal.user_id),
        },
    })
}

/// One page of the register the caller reads, in reference order, with the number of
/// documents that match.
pub async fn list(app: &App, ctx: &Ctx, query: &DocumentQuery) -> Result<(Page<Document>, i64)> {
    ctx.principal
        .authorize(Resource::Document, Action::Read, Target::Global)?;
    let mut errors = FieldErrors::new();
    let limit = errors.check("limit", parse_limit(query.limit));
    let sort = errors.check(
        "sort",
        Sort::parse(Some(query.sort.as_deref().unwrap_or("code")), store::SORTS),
    );
    errors.into_result()?;
    let (Some(limit), Some(sort)) = (limit, sort) else {
        return Err(DomainError::BadRequest("invalid query".into()).into());
    };
    let after = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, &sort.code(), 2))
        .transpose()?;
    let filter = filter_for(ctx, query, today(app))?;
    let mut conn = app.db().read().await?;
    let (items, next) = store::list(&mut conn, &filter, sort, after.as_ref(), limit).await?;
    let total = store::count(&mut conn, &filter).await?;
    Ok((
        Page {
            items,
            next_cursor: next.map(|c| c.encode()),
        },
        total,
    ))
}

/// Reviews falling due across the register (for the home page of those who read it
/// whole): how many within 30 days or overdue, and how many overdue.
pub async fn review_counts(app: &App, ctx: &Ctx) -> Result<Option<(i64, i64)>> {
    if !reads_register(ctx) {
        return Ok(None);
    }
    let today = today(app);
    let mut conn = app.db().read().await?;
    Ok(Some(
        store::review_counts(&mut conn, today, review_soon_until(today)).await?,
    ))
}

/// Documents and versions waiting for `ctx`'s caller: versions to approve at their step,
/// approved versions to publish (their owner, or any publisher), and reviews of their
/// documents falling due.
pub(crate) async fn waiting(
    conn: &mut Conn,
    ctx: &Ctx,
    today: Day,
    utc_offset: time::UtcOffset,
    limit: u32,
    out: &mut Vec<Waiting>,
) -> Result<()> {
    let me = ctx.principal.user_id;
    let grants = crate::request::requests::approver_grants(conn, ctx).await?;
    let end_of = |d: Day| d.end_at(utc_offset);
    for w in vstore::waiting_for_approval(conn, me, &grants, limit).await? {
        out.push(Waiting {
            process: "document",
            id: w.version.document_id,
            code: format!("{} V{}", w.code, w.version.number),
            title: w.title,
            state: w.version.status.code(),
            state_label: w.version.status.label(),
            expected: Expected::Decide,
            step: w.version.run.step().cloned(),
            since: w.version.run.submitted_at.unwrap_or(w.version.updated_at),
            due_at: None,
            overdue: false,
            pending_risks: None,
        });
    }
    let owner = if is_publisher(ctx) { None } else { Some(me) };
    for w in vstore::approved(conn, owner, limit).await? {
        out.push(Waiting {
            process: "document",
            id: w.version.document_id,
            code: format!("{} V{}", w.code, w.version.number),
            title: w.title,
            state: w.version.status.code(),
            state_label: w.version.status.label(),
            expected: Expected::Publish,
            step: None,
            since: w.version.approved_at.unwrap_or(w.version.updated_at),
            due_at: None,
            overdue: false,
            pending_risks: None,
        });
    }
    for d in store::reviews_due(conn, me, review_soon_until(today), limit).await? {
        let due = d.next_review_at.unwrap_or(today);
        out.push(Waiting {
            process: "document",
            id: d.id,
            code: d.code,
            title: d.title,
            state: d.status.code(),
            state_label: d.status.label(),
            expected: Expected::Review,
            step: None,
            since: d.reviewed_at.unwrap_or(d.updated_at),
            due_at: Some(end_of(due)),
            overdue: due < today,
            pending_risks: None,
        });
    }
    Ok(())
}

/// The document with a reference, if the caller reads it.
pub async fn by_code(app: &App, ctx: &Ctx, code: &str) -> Result<Option<Document>> {
    ctx.principal
        .authorize(Resource::Document, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    let Some(d) = store::get_by_code(&mut conn, code.trim()).await? else {
        return Ok(None);
    };
    Ok((access(&mut conn, ctx, &d).await? != Access::None).then_some(d))
}
