//! Versions of a document: drafting, editing a draft, and the moves on the workflow engine —
//! submitting for review, the chain's approvals and returns, publishing (which supersedes
//! the version in force) and retiring. The document's status and version columns follow
//! from its versions after every move.

use super::documents::{self, Access, forbidden, load, manages, not_found, today};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::workflow::runs::{self, Origin, Outcome};
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::document::audit::{DocumentAction, DocumentRecord};
use castellan_domain::document::{
    self as rules, Document, DocumentConflict, DocumentVersion, FLOW, VersionInput, VersionNumber,
    VersionStatus, document_status,
};
use castellan_domain::values::clean_multiline;
use castellan_domain::workflow::run::ChainRun;
use castellan_domain::workflow::{Caller, Decision, MoveKind};
use castellan_domain::{
    Action, Day, DomainError, FieldErrorKind, FieldErrors, Resource, Target, Timestamp,
};
use castellan_store::Conn;
use castellan_store::document::documents as dstore;
use castellan_store::document::versions as store;
use castellan_store::workflow as wf;

const PROCESS: &str = FLOW.process;

fn version_not_found() -> crate::Error {
    DomainError::not_found("document version").into()
}

fn refusal(r: castellan_domain::workflow::Refusal) -> crate::Error {
    crate::workflow::refusal(r, Resource::Document)
}

/// The version as the engine sees it: its owner answers for it, its author wrote it; neither
/// approves it.
fn subject_of<'a>(
    d: &Document,
    v: &DocumentVersion,
    team: &'a [castellan_domain::UserId],
) -> castellan_domain::workflow::Subject<'a> {
    rules::subject(d.owner_id, Some(v.author_id), v.run.submitted_by, team)
}

/// Whether the caller approves the current step of `v` (a version in review of `d`).
pub(crate) async fn names_approver(
    conn: &mut Conn,
    ctx: &Ctx,
    d: &Document,
    v: &DocumentVersion,
) -> Result<bool> {
    let Some(step) = v.run.step() else {
        return Ok(false);
    };
    let origin = Origin::of(conn, d.department_id, Some(d.owner_id)).await?;
    Ok(origin.names(ctx, step))
}

/// A version as a caller sees it.
#[derive(Debug, Clone)]
pub struct VersionView {
    /// The document.
    pub document: Document,
    /// The version, with its text.
    pub version: DocumentVersion,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<VersionStatus>,
    /// Whether the caller may edit it (a draft, its owner, author or a publisher).
    pub may_edit: bool,
    /// The decisions on it, oldest first.
    pub approvals: Vec<castellan_domain::workflow::Approval>,
    /// Its moves, oldest first.
    pub moves: Vec<castellan_domain::workflow::MoveRecord>,
}

pub(crate) fn may_edit(ctx: &Ctx, d: &Document, v: &DocumentVersion) -> bool {
    v.status == VersionStatus::Draft
        && d.status != VersionStatus::Retired
        && (manages(ctx, d) || (documents::writes(ctx) && v.author_id == ctx.principal.user_id))
}

async fn version_view(
    conn: &mut Conn,
    ctx: &Ctx,
    d: Document,
    v: DocumentVersion,
) -> Result<VersionView> {
    let origin = Origin::of(conn, d.department_id, Some(d.owner_id)).await?;
    let approvals = wf::approvals(conn, PROCESS, v.id).await?;
    let decided = approvals.iter().any(|a| {
        a.round == v.run.round
            && Some(a.step) == v.run.current_step
            && a.approver_id == Some(ctx.principal.user_id)
    });
    let named = v.status == VersionStatus::InReview
        && !decided
        && v.run.step().is_some_and(|s| origin.names(ctx, s));
    let roles = ctx.principal.roles_over(origin.path.as_ref());
    let team = [d.owner_id];
    let allowed_transitions = if documents::writes(ctx) && d.status != VersionStatus::Retired {
        FLOW.allowed(
            v.status,
            &Caller {
                user: ctx.principal.user_id,
                roles: &roles,
                step_approver: named,
            },
            &subject_of(&d, &v, &team),
        )
    } else {
        Vec::new()
    };
    let moves = wf::moves(conn, PROCESS, v.id).await?;
    Ok(VersionView {
        may_edit: may_edit(ctx, &d, &v),
        allowed_transitions,
        approvals,
        moves,
        document: d,
        version: v,
    })
}

pub(crate) async fn load_version(
    conn: &mut Conn,
    ctx: &Ctx,
    document_id: i64,
    id: i64,
) -> Result<(Document, Access, DocumentVersion)> {
    let (d, access) = load(conn, ctx, document_id).await?;
    let v = store::get(conn, id)
        .await?
        .filter(|v| v.document_id == d.id && access.reads(v))
        .ok_or_else(version_not_found)?;
    Ok((d, access, v))
}

/// One version with its text (404 for a caller who does not read it).
pub async fn get(app: &App, ctx: &Ctx, document_id: i64, id: i64) -> Result<VersionView> {
    ctx.principal
        .authorize(Resource::Document, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    let (d, _, v) = load_version(&mut conn, ctx, document_id, id).await?;
    version_view(&mut conn, ctx, d, v).await
}

fn snapshot(v: &DocumentVersion) -> serde_json::Value {
    serde_json::json!({
        "number": v.number.to_string(), "status": v.status, "change_note": v.change_note,
        "body": v.body.as_ref().map(|b| format!("{} characters", b.chars().count())),
        "author_id": v.author_id.0,
    })
}

/// Recomputes the document's status and version columns from its versions and saves it.
async fn refresh(conn: &mut Conn, d: &Document, now: Timestamp) -> Result<Document> {
    let versions = store::of_document(conn, d.id).await?;
    let mut next = d.clone();
    let statuses: Vec<VersionStatus> = versions.iter().map(|v| v.status).collect();
    next.status = document_status(&statuses, d.status == VersionStatus::Retired);
    let effective = versions
        .iter()
        .find(|v| v.status == VersionStatus::Effective);
    next.current_version = effective.map(|v| v.number.to_string());
    next.effective_at = effective.and_then(|v| v.effective_at);
    next.pending_version = versions
        .iter()
        .find(|v| v.status.is_pending())
        .map(|v| v.number.to_string());
    if next.status != VersionStatus::Effective {
        next.next_review_at = None;
    }
    if next != *d {
        documents::save(conn, &next, now).await?;
    }
    dstore::get(conn, d.id).await?.ok_or_else(not_found)
}

/// Drafts a new version (the owner, or a publisher): its number (by default the next
/// minor after the latest; any other must be higher than every existing one), what
/// changed and its text in Markdown. Only one version is prepared at a time.
pub async fn create(
    app: &App,
    ctx: &Ctx,
    document_id: i64,
    input: &VersionInput,
) -> Result<VersionView> {
    ctx.principal
        .authorize(Resource::Document, Action::Update, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let (d, _) = load(&mut tx, ctx, document_id).await?;
    if !manages(ctx, &d) {
        return Err(forbidden());
    }
    if d.status == VersionStatus::Retired {
        return Err(DocumentConflict::Retired.into());
    }
    let existing = store::of_document(&mut tx, d.id).await?;
    if existing.iter().any(|v| v.status.is_pending()) {
        return Err(DocumentConflict::VersionPending.into());
    }
    let numbers: Vec<VersionNumber> = existing.iter().map(|v| v.number).collect();
    let fields = input.check(&numbers, None)?;
    let now = Timestamp::now();
    let mut v = DocumentVersion {
        id: 0,
        document_id: d.id,
        number: fields.number,
        status: VersionStatus::Draft,
        change_note: fields.change_note,
        body: fields.body,
        author_id: ctx.principal.user_id,
        authored_at: now,
        run: ChainRun::default(),
        reviewer_id: None,
        reviewed_at: None,
        approver_id: None,
        approved_at: None,
        effective_at: None,
        published_by: None,
        ended_at: None,
        version: 1,
        updated_at: now,
    };
    v.id = store::insert(&mut tx, &v)
        .await?
        .ok_or_else(|| FieldErrors::single("version", FieldErrorKind::Taken))?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, DocumentRecord::DocumentVersion, v.id).after(&snapshot(&v)),
    )
    .await?;
    let d = refresh(&mut tx, &d, now).await?;
    let view = version_view(&mut tx, ctx, d, v).await?;
    tx.commit().await?;
    Ok(view)
}

/// Changes a draft (its owner, author or a publisher) if `version` is current: its number,
/// change note and text.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    document_id: i64,
    id: i64,
    input: &VersionInput,
    version: i64,
) -> Result<VersionView> {
    ctx.principal
        .authorize(Resource::Document, Action::Update, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let (d, _, before) = load_version(&mut tx, ctx, document_id, id).await?;
    if d.status == VersionStatus::Retired {
        return Err(DocumentConflict::Retired.into());
    }
    if before.status != VersionStatus::Draft {
        return Err(DocumentConflict::VersionLocked.into());
    }
    if !may_edit(ctx, &d, &before) {
        return Err(forbidden());
    }
    if before.version != version {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let others: Vec<VersionNumber> = store::of_document(&mut tx, d.id)
        .await?
        .iter()
        .filter(|v| v.id != id)
        .map(|v| v.number)
        .collect();
    let fields = input.check(&others, Some(before.number))?;
    let mut v = before.clone();
    v.number = fields.number;
    v.change_note = fields.change_note;
    v.body = fields.body;
    let now = Timestamp::now();
    save(&mut tx, &v, None, now).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, DocumentRecord::DocumentVersion, id)
            .before(&snapshot(&before))
            .after(&snapshot(&v)),
    )
    .await?;
    let d = refresh(&mut tx, &d, now).await?;
    let v = store::get(&mut tx, id)
        .await?
        .ok_or_else(version_not_found)?;
    let view = version_view(&mut tx, ctx, d, v).await?;
    tx.commit().await?;
    Ok(view)
}

async fn save(
    conn: &mut Conn,
    v: &DocumentVersion,
    key: Option<&castellan_store::workflow::StepKeyRow>,
    now: Timestamp,
) -> Result<()> {
    if !store::save(conn, v, key, now).await? {
        return Err(DomainError::StaleVersion { current: v.version }.into());
    }
    Ok(())
}

/// What a move carries besides its target.
#[derive(Debug, Clone, Default)]
pub struct MoveInput {
    /// Target status code.
    pub to: String,
    /// Comment (required to return a version).
    pub comment: Option<String>,
    /// The version's version, for optimistic concurrency.
    pub version: Option<i64>,
    /// Publishing: the day it applies from (default today; not before its approval, not
    /// after today).
    pub effective_at: Option<Day>,
}

/// Moves a version (SPEC §6.2, §6.0): submit a draft for review (it needs a text or a
/// file), approve or return it at its chain step (approvers who neither wrote, submitted
/// nor own it; returning needs a comment), publish an approved version (which supersedes
/// the version in force and starts the review schedule), or retire the document with its
/// version in force.
pub async fn transition(
    app: &App,
    ctx: &Ctx,
    document_id: i64,
    id: i64,
    input: &MoveInput,
) -> Result<VersionView> {
    ctx.principal
        .authorize(Resource::Document, Action::Update, Target::Global)?;
    let to = VersionStatus::from_code(input.to.trim()).map_err(|k| FieldErrors::single("to", k))?;
    let comment = clean_multiline(input.comment.as_deref(), 4000)
        .map_err(|k| FieldErrors::single("comment", k))?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let (d, _, before) = load_version(&mut tx, ctx, document_id, id).await?;
    if let Some(v) = input.version
        && v != before.version
    {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    if d.status == VersionStatus::Retired {
        return Err(DocumentConflict::Retired.into());
    }
    let origin = Origin::of(&mut tx, d.department_id, Some(d.owner_id)).await?;
    let deciding = before.status == VersionStatus::InReview
        && matches!(to, VersionStatus::Approved | VersionStatus::Draft);
    let turn = if deciding {
        Some(runs::turn(&mut tx, ctx, PROCESS, id, &before.run, &origin).await?)
    } else {
        None
    };
    let roles = ctx.principal.roles_over(origin.path.as_ref());
    let team = [d.owner_id];
    let caller = Caller {
        user: ctx.principal.user_id,
        roles: &roles,
        step_approver: turn.as_ref().is_some_and(|t| t.named),
    };
    let m = FLOW
        .check(
            before.status,
            to,
            &caller,
            &subject_of(&d, &before, &team),
            comment.as_deref(),
        )
        .map_err(refusal)?;
    let now = Timestamp::now();
    let actor = ctx.actor();
    let mut v = before.clone();
    let mut key = None;
    let mut action = None;
    let item = runs::Item {
        process: PROCESS,
        chain_subject: "document",
        id,
        impact: d.kind.impact(),
        record: DocumentRecord::DocumentVersion,
        resource: Resource::Document,
    };
    match m.kind {
        MoveKind::Submit | MoveKind::Approve | MoveKind::Return => {
            if m.kind == MoveKind::Submit {
                let files = crate::attachments::count(&mut tx, owner(id)).await?;
                if v.body.as_deref().is_none_or(|b| b.trim().is_empty()) && files == 0 {
                    return Err(DocumentConflict::Empty.into());
                }
                v.reviewer_id = None;
                v.reviewed_at = None;
                v.approver_id = None;
                v.approved_at = None;
            }
            let steps = v.run.steps.len();
            let done = runs::advance(
                &mut tx,
                ctx,
                item,
                &mut v.run,
                m.kind,
                turn.as_ref(),
                comment.as_deref(),
                now,
                &origin,
            )
            .await?;
            if let (Some(Decision::Approve), Some(turn)) = (done.decision, &turn) {
                // The seeds' history names a reviewer (the first of several steps) and an
                // approver (the last).
                if steps > 1 && turn.index == 0 {
                    v.reviewer_id = Some(ctx.principal.user_id);
                    v.reviewed_at = Some(now);
                }
                if turn.index + 1 >= steps {
                    v.approver_id = Some(ctx.principal.user_id);
                    v.approved_at = Some(now);
                }
            }
            v.status = match done.outcome {
                Outcome::AtStep => VersionStatus::InReview,
                Outcome::Approved => VersionStatus::Approved,
                Outcome::Stopped => VersionStatus::Draft,
            };
            key = done.key;
        }
        MoveKind::Work => {
            let approved_on = v
                .approved_at
                .map(|t| Day::of_at(t, app.settings().utc_offset()))
                .unwrap_or(today);
            let day = input.effective_at.unwrap_or(today);
            if day > today || day < approved_on {
                return Err(FieldErrors::single(
                    "effective_at",
                    FieldErrorKind::invalid(
                        "from the day of approval up to today",
                        "须在批准之日至今天之间",
                    ),
                )
                .into());
            }
            // The version in force is superseded by this one.
            for old in store::of_document(&mut tx, d.id).await? {
                if old.status == VersionStatus::Effective {
                    if !store::end(&mut tx, &old, VersionStatus::Superseded, now).await? {
                        return Err(DomainError::StaleVersion {
                            current: old.version,
                        }
                        .into());
                    }
                    wf::record_move(
                        &mut tx,
                        PROCESS,
                        old.id,
                        old.status.code(),
                        VersionStatus::Superseded.code(),
                        (actor.id, actor.name),
                        Some(&format!("V{}", v.number)),
                        now,
                    )
                    .await?;
                }
            }
            v.status = VersionStatus::Effective;
            v.effective_at = Some(day);
            v.published_by = Some(ctx.principal.user_id);
            action = Some(DocumentAction::Publish);
        }
        MoveKind::Withdraw => {
            if store::of_document(&mut tx, d.id)
                .await?
                .iter()
                .any(|x| x.status.is_pending())
            {
                return Err(DocumentConflict::VersionPending.into());
            }
            v.status = VersionStatus::Retired;
            v.ended_at = Some(now);
        }
        _ => return Err(forbidden()),
    }
    save(&mut tx, &v, key.as_ref(), now).await?;
    if v.status != before.status {
        wf::record_move(
            &mut tx,
            PROCESS,
            id,
            before.status.code(),
            v.status.code(),
            (actor.id, actor.name),
            comment.as_deref(),
            now,
        )
        .await?;
    }
    let event = match action {
        Some(a) => Event::new(a, DocumentRecord::DocumentVersion, id),
        None => Event::new(Verb::Transition, DocumentRecord::DocumentVersion, id),
    };
    audit::record(
        &mut tx,
        &actor,
        event
            .before(&serde_json::json!({"status": before.status}))
            .after(&serde_json::json!({
                "status": v.status, "comment": comment, "effective_at": v.effective_at,
            })),
    )
    .await?;
    // The document follows its versions; publishing starts its review schedule, retiring
    // ends it.
    let mut doc = d.clone();
    if v.status == VersionStatus::Retired {
        doc.status = VersionStatus::Retired;
    }
    if v.status == VersionStatus::Effective
        && let Some(day) = v.effective_at
    {
        doc.next_review_at = Some(rules::next_review(day, doc.review_interval_months));
        doc.reviewed_at = None;
    }
    if doc != d {
        documents::save(&mut tx, &doc, now).await?;
        doc = dstore::get(&mut tx, d.id).await?.ok_or_else(not_found)?;
    }
    let after_doc = refresh(&mut tx, &doc, now).await?;
    if after_doc.status != d.status {
        audit::record(
            &mut tx,
            &actor,
            Event::new(Verb::Transition, DocumentRecord::Document, d.id)
                .before(
                    &serde_json::json!({"status": d.status, "current_version": d.current_version}),
                )
                .after(&serde_json::json!({
                    "status": after_doc.status, "current_version": after_doc.current_version,
                    "next_review_at": after_doc.next_review_at,
                })),
        )
        .await?;
    }
    let v = store::get(&mut tx, id)
        .await?
        .ok_or_else(version_not_found)?;
    let view = version_view(&mut tx, ctx, after_doc, v).await?;
    tx.commit().await?;
    Ok(view)
}

/// The attachments' owner of a version.
pub(crate) fn owner(id: i64) -> crate::attachments::Owner {
    crate::attachments::Owner {
        kind: "document_version",
        id,
    }
}

/// Two versions of a document with their texts, for a comparison (404 for a version the
/// caller does not read).
pub async fn pair(
    app: &App,
    ctx: &Ctx,
    document_id: i64,
    from: i64,
    to: i64,
) -> Result<(Document, DocumentVersion, DocumentVersion)> {
    ctx.principal
        .authorize(Resource::Document, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    let (d, _, a) = load_version(&mut conn, ctx, document_id, from).await?;
    let (_, _, b) = load_version(&mut conn, ctx, document_id, to).await?;
    Ok((d, a, b))
}

/// A version with everything its printed form shows: the document, the version with its
/// text, and the document's versions the caller reads (the change history), oldest first.
pub async fn printable(
    app: &App,
    ctx: &Ctx,
    document_id: i64,
    id: i64,
) -> Result<(Document, DocumentVersion, Vec<DocumentVersion>)> {
    ctx.principal
        .authorize(Resource::Document, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    let (d, access, v) = load_version(&mut conn, ctx, document_id, id).await?;
    let mut history: Vec<DocumentVersion> = store::of_document(&mut conn, d.id)
        .await?
        .into_iter()
        .filter(|x| access.reads(x))
        .collect();
    history.reverse();
    Ok((d, v, history))
}
