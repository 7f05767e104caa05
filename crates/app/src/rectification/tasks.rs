//! Rectification tasks (SPEC §6.3): opened from a source record by someone who handles it,
//! with a responsible person, a verifier and a due day; reported done by the responsible
//! person (saying what was done), verified or reopened by the verifier — never by the
//! responsible person. Every change is audited; the moves are the workflow engine's.

use super::sources::{self, SourceRecord};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::ids::UserId;
use castellan_domain::paging::{Cursor, Page, Sort, parse_limit};
use castellan_domain::permission::Scope;
use castellan_domain::rectification::audit::{RectificationAction, RectificationRecord};
use castellan_domain::rectification::{
    self as rules, FLOW, Plan, Rectification, RectificationConflict, RectificationSource,
    RectificationStatus,
};
use castellan_domain::values::{UserStatus, clean_multiline};
use castellan_domain::workflow::{Caller, MoveRecord, Refusal};
use castellan_domain::{
    Action, Day, DepartmentPath, DomainError, FieldErrorKind, FieldErrors, Resource, Target,
    Timestamp,
};
use castellan_store::Conn;
use castellan_store::org::{departments, users};
use castellan_store::rectification::tasks::{self as store, TaskFilter, Visibility};
use castellan_store::workflow as wf;

const PROCESS: &str = FLOW.process;

/// A new task, as a caller gives it.
#[derive(Debug, Clone, Default)]
pub struct OpenInput {
    /// Source kind code (`incident`).
    pub source: String,
    /// The source record's id.
    pub source_id: i64,
    /// What must be put right.
    pub description: String,
    /// Who puts it right.
    pub responsible_id: Option<UserId>,
    /// The same, by username (forms).
    pub responsible_username: Option<String>,
    /// Who checks it (default: the caller).
    pub verifier_id: Option<UserId>,
    /// The same, by username (forms).
    pub verifier_username: Option<String>,
    /// By when.
    pub due_on: Option<Day>,
}

/// A change to a task's plan (absent fields stay as they are).
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    /// What must be put right.
    pub description: Option<String>,
    /// Who puts it right.
    pub responsible_id: Option<UserId>,
    /// The same, by username (forms).
    pub responsible_username: Option<String>,
    /// Who checks it.
    pub verifier_id: Option<UserId>,
    /// The same, by username (forms).
    pub verifier_username: Option<String>,
    /// By when.
    pub due_on: Option<Day>,
}

/// A task as a caller sees it.
#[derive(Debug, Clone)]
pub struct TaskView {
    /// The record.
    pub task: Rectification,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<RectificationStatus>,
    /// Whether the caller may change its plan (description, people, due day).
    pub may_edit: bool,
    /// Whether it waits for its responsible person past its due day.
    pub overdue: bool,
}

pub(crate) fn today(app: &App) -> Day {
    Day::of_at(Timestamp::now(), app.settings().utc_offset())
}

pub(super) fn forbidden() -> crate::Error {
    DomainError::Forbidden {
        resource: Resource::Rectification,
        action: Action::Update,
    }
    .into()
}

fn not_found() -> crate::Error {
    DomainError::not_found("rectification task").into()
}

pub(super) fn writes(ctx: &Ctx) -> bool {
    ctx.principal
        .may_somewhere(Resource::Rectification, Action::Update)
}

async fn path_of(conn: &mut Conn, t: &Rectification) -> Result<Option<DepartmentPath>> {
    Ok(match t.department_id {
        Some(d) => departments::get(conn, d).await?.map(|d| d.path),
        None => None,
    })
}

/// Whether the caller is one of the task's people: responsible, verifier or opener.
fn is_party(ctx: &Ctx, t: &Rectification) -> bool {
    let me = ctx.principal.user_id;
    t.responsible_id == me || t.verifier_id == me || t.created_by == Some(me)
}

/// Whether the caller reads the task: one of its people, a register reader whose scope
/// covers its department, or a reader of its source.
async fn readable(conn: &mut Conn, ctx: &Ctx, t: &Rectification) -> Result<bool> {
    if is_party(ctx, t) {
        return Ok(true);
    }
    let path = path_of(conn, t).await?;
    let target = path.as_ref().map_or(Target::Global, Target::Department);
    if ctx
        .principal
        .is_allowed(Resource::RectificationRegister, Action::Read, target)
    {
        return Ok(true);
    }
    sources::readable(conn, ctx, t.source, t.source_id).await
}

pub(super) async fn load(conn: &mut Conn, ctx: &Ctx, id: i64) -> Result<Rectification> {
    let t = store::get(conn, id).await?.ok_or_else(not_found)?;
    if !readable(conn, ctx, &t).await? {
        return Err(not_found());
    }
    Ok(t)
}

/// Whether the caller may change the task's plan: whoever opened it, its verifier, or
/// someone who handles its source; never its responsible person, never once it is
/// verified, never an auditor.
pub(super) async fn may_edit(conn: &mut Conn, ctx: &Ctx, t: &Rectification) -> Result<bool> {
    let me = ctx.principal.user_id;
    // The responsible person never moves their own deadline or hands their task on.
    if !writes(ctx) || t.status.is_finished() || t.responsible_id == me {
        return Ok(false);
    }
    if t.created_by == Some(me) || t.verifier_id == me {
        return Ok(true);
    }
    match sources::find(conn, ctx, t.source, t.source_id).await {
        Ok(s) => Ok(s.manages),
        Err(crate::Error::Domain(DomainError::NotFound { .. })) => Ok(false),
        Err(e) => Err(e),
    }
}

fn caller_of<'a>(ctx: &Ctx, t: &Rectification, roles: &'a [castellan_domain::Role]) -> Caller<'a> {
    Caller {
        user: ctx.principal.user_id,
        roles,
        step_approver: t.verifier_id == ctx.principal.user_id,
    }
}

async fn view(conn: &mut Conn, ctx: &Ctx, t: Rectification, today: Day) -> Result<TaskView> {
    let allowed_transitions = if writes(ctx) {
        FLOW.allowed(
            t.status,
            &caller_of(ctx, &t, &[]),
            &rules::subject(&t.responsible_id),
        )
    } else {
        Vec::new()
    };
    let may_edit = may_edit(conn, ctx, &t).await?;
    Ok(TaskView {
        allowed_transitions,
        may_edit,
        overdue: t.overdue(today),
        task: t,
    })
}

/// A list's view of a task: its moves (which need only the task) but not whether the caller
/// may edit it (the task's page says).
pub(crate) fn list_view(ctx: &Ctx, t: Rectification, today: Day) -> TaskView {
    let allowed_transitions = if writes(ctx) {
        FLOW.allowed(
            t.status,
            &caller_of(ctx, &t, &[]),
            &rules::subject(&t.responsible_id),
        )
    } else {
        Vec::new()
    };
    TaskView {
        allowed_transitions,
        may_edit: false,
        overdue: t.overdue(today),
        task: t,
    }
}

fn snapshot(t: &Rectification) -> serde_json::Value {
    serde_json::json!({
        "code": t.code, "source": t.source, "source_id": t.source_id,
        "source_code": t.source_code, "department_id": t.department_id.map(|d| d.0),
        "description": t.description, "responsible_id": t.responsible_id.0,
        "verifier_id": t.verifier_id.0, "due_on": t.due_on, "status": t.status,
        "resolution": t.resolution, "done_at": t.done_at, "verified_at": t.verified_at,
    })
}

/// The id of an active user named by id or username; `None` (and an error on `field`) for
/// anyone else.
async fn active_user(
    conn: &mut Conn,
    id: Option<UserId>,
    username: Option<&str>,
    field: &str,
    errors: &mut FieldErrors,
) -> Result<Option<UserId>> {
    let user = match (id, username.map(str::trim).filter(|s| !s.is_empty())) {
        (Some(id), _) => users::get(conn, id).await?,
        (None, Some(name)) => users::find_by_username(conn, &name.to_lowercase()).await?,
        (None, None) => return Ok(None),
    };
    match user {
        Some(u) if u.status == UserStatus::Active => Ok(Some(u.id)),
        _ => {
            errors.add(field, FieldErrorKind::NoSuchRecord);
            Ok(None)
        }
    }
}

/// Merges the plan's check with the errors found on the people.
fn check_plan(
    mut errors: FieldErrors,
    description: &str,
    responsible: Option<UserId>,
    verifier: Option<UserId>,
    due_on: Option<Day>,
    today: Day,
) -> Result<Plan> {
    match Plan::check(description, responsible, verifier, due_on, today) {
        Ok(plan) => {
            errors.into_result()?;
            Ok(plan)
        }
        Err(DomainError::Validation(e)) => {
            for fe in e.iter() {
                // A person already refused as unknown is not also "required".
                if errors.get(&fe.field).is_none() {
                    errors.add(fe.field.clone(), fe.kind.clone());
                }
            }
            Err(DomainError::Validation(errors).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Opens a task from a source record the caller handles (SPEC §6.3). The verifier is the
/// caller unless another is named; responsible person and verifier are active users and two
/// different people; the due day lies from today to five years ahead.
pub async fn open(app: &App, ctx: &Ctx, input: &OpenInput) -> Result<TaskView> {
    let today = today(app);
    if RectificationSource::from_code(input.source.trim()).is_ok_and(|s| !s.opened_directly()) {
        return Err(FieldErrors::single(
            "source",
            FieldErrorKind::invalid(
                "tasks from an inspection are opened from its failed items, a drill's from its problems",
                "检查的整改任务从其不合格项发起，演练的整改任务从其发现的问题发起",
            ),
        )
        .into());
    }
    let mut tx = app.db().begin().await?;
    let t = open_on(&mut tx, ctx, input, today).await?;
    let v = view(&mut tx, ctx, t, today).await?;
    tx.commit().await?;
    Ok(v)
}

/// Opens a task on the caller's transaction (a source area opening one as part of its own
/// change: an inspection's finding, a drill's problem).
pub(crate) async fn open_on(
    tx: &mut Conn,
    ctx: &Ctx,
    input: &OpenInput,
    today: Day,
) -> Result<Rectification> {
    ctx.principal
        .authorize(Resource::Rectification, Action::Create, Target::Global)?;
    let source = RectificationSource::from_code(input.source.trim())
        .map_err(|k| FieldErrors::single("source", k))?;
    let record: SourceRecord = sources::find(tx, ctx, source, input.source_id).await?;
    if !record.manages {
        return Err(DomainError::Forbidden {
            resource: Resource::Rectification,
            action: Action::Create,
        }
        .into());
    }
    if !record.open {
        return Err(RectificationConflict::SourceNotOpen.into());
    }
    let mut errors = FieldErrors::new();
    let responsible = active_user(
        tx,
        input.responsible_id,
        input.responsible_username.as_deref(),
        "responsible_id",
        &mut errors,
    )
    .await?;
    let named_verifier = input.verifier_id.is_some()
        || input
            .verifier_username
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty());
    let verifier = if named_verifier {
        active_user(
            tx,
            input.verifier_id,
            input.verifier_username.as_deref(),
            "verifier_id",
            &mut errors,
        )
        .await?
    } else {
        (!ctx.system).then_some(ctx.principal.user_id)
    };
    let plan = check_plan(
        errors,
        &input.description,
        responsible,
        verifier,
        input.due_on,
        today,
    )?;
    let now = Timestamp::now();
    let year = now.datetime().year();
    let n = wf::next_number(tx, &format!("RECT-{year}")).await?;
    let mut t = Rectification {
        id: 0,
        code: format!("RECT-{year}-{n:04}"),
        source,
        source_id: record.id,
        source_code: record.code,
        department_id: record.department_id,
        description: plan.description,
        responsible_id: plan.responsible_id,
        verifier_id: plan.verifier_id,
        due_on: plan.due_on,
        status: RectificationStatus::Open,
        resolution: None,
        done_at: None,
        verified_at: None,
        created_by: (!ctx.system).then_some(ctx.principal.user_id),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    t.id = store::insert(tx, &t).await?;
    audit::record(
        tx,
        &ctx.actor(),
        Event::new(Verb::Create, RectificationRecord::Rectification, t.id).after(&snapshot(&t)),
    )
    .await?;
    sources::note_task(tx, ctx, source, record.id, &t.code, &t.description, now).await?;
    Ok(t)
}

/// One task (404 for a caller who may not read it).
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<TaskView> {
    let mut conn = app.db().read().await?;
    let t = load(&mut conn, ctx, id).await?;
    view(&mut conn, ctx, t, today(app)).await
}

fn check_version(t: &Rectification, version: i64) -> Result<()> {
    if t.version != version {
        return Err(DomainError::StaleVersion { current: t.version }.into());
    }
    Ok(())
}

async fn save(conn: &mut Conn, t: &Rectification, now: Timestamp) -> Result<()> {
    if !store::save(conn, t, now).await? {
        return Err(DomainError::StaleVersion { current: t.version }.into());
    }
    Ok(())
}

/// Changes a task's plan if `version` is current: whoever opened it, its verifier or a
/// handler of its source, until it is verified. The plan is checked as a new one (a due
/// day already passed stays allowed only if it is not changed).
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    patch: &TaskPatch,
    version: i64,
) -> Result<TaskView> {
    ctx.principal
        .authorize(Resource::Rectification, Action::Update, Target::Global)
        .or_else(|e| if writes(ctx) { Ok(()) } else { Err(e) })?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let before = load(&mut tx, ctx, id).await?;
    if before.status.is_finished() {
        return Err(RectificationConflict::TaskVerified.into());
    }
    if !may_edit(&mut tx, ctx, &before).await? {
        return Err(forbidden());
    }
    check_version(&before, version)?;
    let mut errors = FieldErrors::new();
    let responsible = if patch.responsible_id.is_some()
        || patch
            .responsible_username
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty())
    {
        active_user(
            &mut tx,
            patch.responsible_id,
            patch.responsible_username.as_deref(),
            "responsible_id",
            &mut errors,
        )
        .await?
    } else {
        Some(before.responsible_id)
    };
    let verifier = if patch.verifier_id.is_some()
        || patch
            .verifier_username
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty())
    {
        active_user(
            &mut tx,
            patch.verifier_id,
            patch.verifier_username.as_deref(),
            "verifier_id",
            &mut errors,
        )
        .await?
    } else {
        Some(before.verifier_id)
    };
    let due_on = patch.due_on.unwrap_or(before.due_on);
    // An unchanged due day that has passed is the task's history, not an error.
    let check_from = if patch.due_on.is_none_or(|d| d == before.due_on) {
        today.min(before.due_on)
    } else {
        today
    };
    let plan = check_plan(
        errors,
        patch.description.as_deref().unwrap_or(&before.description),
        responsible,
        verifier,
        Some(due_on),
        check_from,
    )?;
    let mut t = before.clone();
    t.description = plan.description;
    t.responsible_id = plan.responsible_id;
    t.verifier_id = plan.verifier_id;
    t.due_on = plan.due_on;
    let now = Timestamp::now();
    save(&mut tx, &t, now).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, RectificationRecord::Rectification, id)
            .before(&snapshot(&before))
            .after(&snapshot(&t)),
    )
    .await?;
    let after = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, after, today).await?;
    tx.commit().await?;
    Ok(v)
}

fn refusal(r: Refusal) -> crate::Error {
    crate::workflow::refusal(r, Resource::Rectification)
}

/// Moves a task: `done` by its responsible person with what was done as `comment`;
/// `verified` by its verifier; `reopened` by its verifier with the reason as `comment`.
pub async fn transition(
    app: &App,
    ctx: &Ctx,
    id: i64,
    to: &str,
    comment: Option<&str>,
    version: Option<i64>,
) -> Result<TaskView> {
    let to = RectificationStatus::from_code(to.trim()).map_err(|k| FieldErrors::single("to", k))?;
    let comment =
        clean_multiline(comment, rules::NOTE_MAX).map_err(|k| FieldErrors::single("comment", k))?;
    ctx.principal
        .authorize(Resource::Rectification, Action::Update, Target::Global)
        .or_else(|e| if writes(ctx) { Ok(()) } else { Err(e) })?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let before = load(&mut tx, ctx, id).await?;
    if let Some(v) = version {
        check_version(&before, v)?;
    }
    if before.status.is_finished() {
        return Err(RectificationConflict::TaskVerified.into());
    }
    FLOW.check(
        before.status,
        to,
        &caller_of(ctx, &before, &[]),
        &rules::subject(&before.responsible_id),
        comment.as_deref(),
    )
    .map_err(refusal)?;
    let now = Timestamp::now();
    let mut t = before.clone();
    t.status = to;
    let action = match to {
        RectificationStatus::Done => {
            t.resolution = Some(rules::check_done(comment.as_deref())?);
            t.done_at = Some(now);
            RectificationAction::Done
        }
        RectificationStatus::Verified => {
            t.verified_at = Some(now);
            RectificationAction::Verify
        }
        RectificationStatus::Reopened => RectificationAction::Reopen,
        RectificationStatus::Open => return Err(refusal(Refusal::NotAllowed)),
    };
    save(&mut tx, &t, now).await?;
    let actor = ctx.actor();
    wf::record_move(
        &mut tx,
        PROCESS,
        id,
        before.status.code(),
        to.code(),
        (actor.id, actor.name),
        comment.as_deref(),
        now,
    )
    .await?;
    let mut after_snapshot = snapshot(&t);
    if let (Some(c), Some(obj)) = (comment.as_deref(), after_snapshot.as_object_mut()) {
        obj.insert("comment".into(), serde_json::Value::from(c));
    }
    audit::record(
        &mut tx,
        &actor,
        Event::new(action, RectificationRecord::Rectification, id)
            .before(&snapshot(&before))
            .after(&after_snapshot),
    )
    .await?;
    let after = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, after, today).await?;
    tx.commit().await?;
    Ok(v)
}

/// A task's moves, oldest first.
pub async fn moves(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<MoveRecord>> {
    let mut conn = app.db().read().await?;
    load(&mut conn, ctx, id).await?;
    Ok(wf::moves(&mut conn, PROCESS, id).await?)
}

/// A source record's tasks and whether the caller may open more from it now (404 when the
/// caller may not read the record).
pub async fn of_source(
    app: &App,
    ctx: &Ctx,
    source: RectificationSource,
    source_id: i64,
) -> Result<(Vec<TaskView>, bool)> {
    let mut conn = app.db().read().await?;
    let record = sources::find(&mut conn, ctx, source, source_id).await?;
    let today = today(app);
    let tasks = store::of_source(&mut conn, source, source_id).await?;
    let may_open = record.manages
        && record.open
        && ctx
            .principal
            .is_allowed(Resource::Rectification, Action::Create, Target::Global);
    Ok((
        tasks
            .into_iter()
            .map(|t| list_view(ctx, t, today))
            .collect(),
        may_open,
    ))
}

/// Filters of the task list, as a caller gives them.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    /// Status code.
    pub status: Option<String>,
    /// Source kind code.
    pub source: Option<String>,
    /// Source record id (with `source`).
    pub source_id: Option<i64>,
    /// Responsible person.
    pub responsible_id: Option<i64>,
    /// Verifier.
    pub verifier_id: Option<i64>,
    /// Only tasks past their due day and still with their responsible person.
    pub overdue: bool,
    /// Words of the code, the source's code or the description.
    pub q: Option<String>,
    /// `due_at` (default) or `-due_at`.
    pub sort: Option<String>,
    /// Page cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// One page of the tasks the caller reads (their own; every task in their scope for
/// register readers; every task of a source they read when the list is limited to it),
/// soonest due first, and how many match.
pub async fn list(app: &App, ctx: &Ctx, query: &TaskQuery) -> Result<(Page<TaskView>, i64)> {
    ctx.principal
        .authorize(Resource::Rectification, Action::Read, Target::Global)?;
    let mut errors = FieldErrors::new();
    let limit = errors.check("limit", parse_limit(query.limit));
    let sort = errors.check(
        "sort",
        Sort::parse(
            Some(query.sort.as_deref().unwrap_or("due_at")),
            store::SORTS,
        ),
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
    let mut conn = app.db().read().await?;
    let today = today(app);
    let filter = filter_for(&mut conn, ctx, query, today).await?;
    let (items, next) = store::list(&mut conn, &filter, sort, after.as_ref(), limit).await?;
    let total = store::count(&mut conn, &filter).await?;
    Ok((
        Page {
            items: items
                .into_iter()
                .map(|t| list_view(ctx, t, today))
                .collect(),
            next_cursor: next.map(|c| c.encode()),
        },
        total,
    ))
}

/// The list filter of a query, within what the caller reads (their own tasks; their scope
/// for register readers; every task of one source record they read).
pub(crate) async fn filter_for(
    conn: &mut Conn,
    ctx: &Ctx,
    query: &TaskQuery,
    today: Day,
) -> Result<TaskFilter> {
    let mut errors = FieldErrors::new();
    fn code(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let status =
        code(&query.status).and_then(|s| errors.check("status", RectificationStatus::from_code(s)));
    let source =
        code(&query.source).and_then(|s| errors.check("source", RectificationSource::from_code(s)));
    if query.source_id.is_some() && source.is_none() && errors.get("source").is_none() {
        errors.add("source", FieldErrorKind::Required);
    }
    errors.into_result()?;
    let mut visibility = Visibility {
        party: Some(ctx.principal.user_id),
        ..Visibility::default()
    };
    match ctx
        .principal
        .read_scope(Resource::RectificationRegister, Action::Read)
    {
        Ok(Scope::All) => visibility.all = true,
        Ok(Scope::Departments(ids)) => {
            visibility.scope_paths = ids.iter().map(|d| format!("/{}/", d.0)).collect();
        }
        Err(_) => {}
    }
    if let (Some(s), Some(id)) = (source, query.source_id)
        && !visibility.all
    {
        // A list limited to one source shows all its tasks to whoever reads the source.
        visibility.all = sources::readable(conn, ctx, s, id).await?;
    }
    Ok(TaskFilter {
        status,
        source,
        source_id: query.source_id,
        responsible_id: query.responsible_id.map(UserId),
        verifier_id: query.verifier_id.map(UserId),
        due_before: query.overdue.then_some(today),
        q: query.q.clone(),
        visibility,
    })
}

/// Tasks waiting for `user`: theirs to do (open or reopened) and theirs to verify (done).
pub async fn waiting(
    conn: &mut Conn,
    user: UserId,
    limit: u32,
) -> Result<(Vec<Rectification>, Vec<Rectification>)> {
    Ok((
        store::with_responsible(conn, user, limit).await?,
        store::to_verify(conn, user, limit).await?,
    ))
}
