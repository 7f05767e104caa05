//! Goals: drafted by their owner under a published goal (the company's goal by the security
//! officer or the committee), submitted, published or returned with a comment by the owner
//! of the goal above — a committee member for the company's goal —, never by their owner or
//! whoever created or submitted them; progress reported by their owner; the year's tree with
//! the departments that have no goal yet.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::workflow::{Expected, Waiting};
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::goal::audit::{GoalAction, GoalRecord};
use castellan_domain::goal::{
    self as rules, FLOW, Goal, GoalConflict, GoalInput, GoalLevel, GoalStatus,
};
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::paging::Page;
use castellan_domain::values::{UserStatus, clean_multiline};
use castellan_domain::workflow::{Approval, Caller, Decision, MoveKind, MoveRecord};
use castellan_domain::{
    Action, DomainError, FieldErrorKind, FieldErrors, Resource, Role, Target, Timestamp,
};
use castellan_store::Conn;
use castellan_store::goal::goals::{self as store, GoalFilter};
use castellan_store::org::{departments, users};
use castellan_store::workflow::{self as wf, NewApproval};

const PROCESS: &str = FLOW.process;

pub(crate) fn not_found() -> crate::Error {
    DomainError::not_found("goal").into()
}

fn forbidden(action: Action) -> crate::Error {
    DomainError::Forbidden {
        resource: Resource::Goal,
        action,
    }
    .into()
}

/// Whether the caller approves `g` (with `parent`, the goal above): the committee for the
/// company's goal (a grant without a department limit), the owner of the goal above for
/// the others.
fn approves(ctx: &Ctx, g: &Goal, parent: Option<&Goal>) -> bool {
    match g.level {
        GoalLevel::Company => ctx
            .principal
            .grants
            .iter()
            .any(|gr| gr.role == Role::Committee && gr.department_id.is_none()),
        _ => parent.is_some_and(|p| p.owner_id == ctx.principal.user_id),
    }
}

/// A goal as a caller sees it.
#[derive(Debug, Clone)]
pub struct GoalView {
    /// The record.
    pub goal: Goal,
    /// The goal above.
    pub parent: Option<Goal>,
    /// The goals directly below.
    pub children: Vec<Goal>,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<GoalStatus>,
    /// Whether the caller may change it (its owner or author, as a draft or returned).
    pub may_edit: bool,
    /// Whether the caller reports its progress (its owner, once published).
    pub may_report: bool,
    /// Whether goals may be drafted below it now (published; not a position's).
    pub may_break_down: bool,
    /// Its decisions, oldest first.
    pub approvals: Vec<Approval>,
}

async fn view(conn: &mut Conn, ctx: &Ctx, g: Goal) -> Result<GoalView> {
    let parent = match g.parent_id {
        Some(p) => store::get(conn, p).await?,
        None => None,
    };
    let children = store::children(conn, g.id).await?;
    let approvals = wf::approvals(conn, PROCESS, g.id).await?;
    let me = ctx.principal.user_id;
    let decided = approvals
        .iter()
        .any(|a| a.round == g.round && a.approver_id == Some(me));
    let roles = ctx.principal.roles_over(None);
    let owner = [g.owner_id];
    let allowed_transitions = FLOW.allowed(
        g.status,
        &Caller {
            user: me,
            roles: &roles,
            step_approver: !decided && approves(ctx, &g, parent.as_ref()),
        },
        &rules::subject(g.created_by, g.submitted_by, &owner),
    );
    let mine = g.owner_id == me;
    Ok(GoalView {
        may_edit: (mine || g.created_by == Some(me))
            && matches!(g.status, GoalStatus::Draft | GoalStatus::Returned),
        may_report: mine && g.status == GoalStatus::Published,
        may_break_down: g.status == GoalStatus::Published && g.level != GoalLevel::Position,
        allowed_transitions,
        approvals,
        children,
        parent,
        goal: g,
    })
}

fn snapshot(g: &Goal) -> serde_json::Value {
    serde_json::json!({
        "year": g.year, "level": g.level, "parent_id": g.parent_id,
        "department_id": g.department_id.map(|d| d.0), "position": g.position,
        "title": g.title, "metric": g.metric, "target": g.target, "owner_id": g.owner_id.0,
        "status": g.status, "progress": g.progress,
    })
}

async fn active_owner(conn: &mut Conn, id: UserId, errors: &mut FieldErrors) -> Result<()> {
    match users::get(conn, id).await? {
        Some(u) if u.status == UserStatus::Active => {}
        _ => errors.add("owner_id", FieldErrorKind::NoSuchRecord),
    }
    Ok(())
}

/// The owner the input names, by id or username (an unknown username is refused on
/// `owner_id`).
async fn owner_of(conn: &mut Conn, input: &GoalInput) -> Result<Option<UserId>> {
    if input.owner_id.is_some() {
        return Ok(input.owner_id);
    }
    match input
        .owner_username
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(name) => match users::find_by_username(conn, &name.to_lowercase()).await? {
            Some(u) => Ok(Some(u.id)),
            None => Err(FieldErrors::single("owner_id", FieldErrorKind::NoSuchRecord).into()),
        },
        None => Ok(None),
    }
}

/// The parent named by the input, if it exists (else refused on `parent_id`).
async fn parent_of(conn: &mut Conn, input: &GoalInput) -> Result<Option<Goal>> {
    match input.parent_id {
        Some(p) => Ok(Some(store::get(conn, p).await?.ok_or_else(|| {
            crate::Error::from(FieldErrors::single(
                "parent_id",
                FieldErrorKind::NoSuchRecord,
            ))
        })?)),
        None => Ok(None),
    }
}

/// Checks an input against its parent and the organization.
async fn checked(
    conn: &mut Conn,
    input: &GoalInput,
    parent: Option<&Goal>,
    owner: UserId,
) -> Result<rules::GoalFields> {
    let mut errors = FieldErrors::new();
    let fields = match rules::check_goal(input, parent) {
        Ok(f) => Some(f),
        Err(DomainError::Validation(e)) => {
            errors.merge(e);
            None
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(d) = fields.as_ref().and_then(|f| f.department_id)
        && fields
            .as_ref()
            .is_some_and(|f| f.level == GoalLevel::Department)
        && departments::get(conn, d).await?.is_none()
    {
        errors.add("department_id", FieldErrorKind::NoSuchRecord);
    }
    active_owner(conn, owner, &mut errors).await?;
    errors.into_result()?;
    fields.ok_or_else(|| FieldErrors::single("title", FieldErrorKind::Required).into())
}

/// Drafts a goal. The company's goal: a security officer or committee member (the owner is
/// the caller unless named); a goal below: under a published goal, by its owner.
pub async fn create(app: &App, ctx: &Ctx, input: &GoalInput) -> Result<GoalView> {
    ctx.principal
        .authorize(Resource::Goal, Action::Create, Target::Global)?;
    let me = ctx.principal.user_id;
    let mut tx = app.db().begin().await?;
    let owner = owner_of(&mut tx, input).await?.unwrap_or(me);
    let parent = parent_of(&mut tx, input).await?;
    let f = checked(&mut tx, input, parent.as_ref(), owner).await?;
    match (&parent, f.level) {
        (_, GoalLevel::Company) => {
            ctx.principal
                .authorize(Resource::CompanyGoal, Action::Create, Target::Global)?;
        }
        (Some(p), _) => {
            if p.status != GoalStatus::Published {
                return Err(GoalConflict::ParentNotPublished.into());
            }
            // Each goal below the company's is drafted by its owner (who then cannot be
            // its approver's delegate: the owner above decides independently).
            if owner != me {
                return Err(forbidden(Action::Create));
            }
        }
        (None, _) => return Err(FieldErrors::single("parent_id", FieldErrorKind::Required).into()),
    }
    let now = Timestamp::now();
    let mut g = Goal {
        id: 0,
        year: f.year,
        level: f.level,
        parent_id: parent.as_ref().map(|p| p.id),
        department_id: f.department_id,
        position: f.position,
        title: f.title,
        metric: f.metric,
        target: f.target,
        owner_id: owner,
        status: GoalStatus::Draft,
        progress: 0,
        progress_note: None,
        round: 0,
        submitted_by: None,
        submitted_at: None,
        published_by: None,
        published_at: None,
        created_by: (!ctx.system).then_some(me),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    g.id = store::insert(&mut tx, &g).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, GoalRecord::Goal, g.id).after(&snapshot(&g)),
    )
    .await?;
    let v = view(&mut tx, ctx, g).await?;
    tx.commit().await?;
    Ok(v)
}

/// One goal with the goals around it.
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<GoalView> {
    ctx.principal
        .authorize(Resource::Goal, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    let g = store::get(&mut conn, id).await?.ok_or_else(not_found)?;
    view(&mut conn, ctx, g).await
}

/// Changes a draft or returned goal (its owner or author): title, metric, target, owner,
/// department or position; its year, level and place in the tree stay.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    input: &GoalInput,
    version: i64,
) -> Result<GoalView> {
    ctx.principal
        .authorize(Resource::Goal, Action::Update, Target::Global)?;
    let me = ctx.principal.user_id;
    let mut tx = app.db().begin().await?;
    let before = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    if before.owner_id != me && before.created_by != Some(me) {
        return Err(forbidden(Action::Update));
    }
    if !matches!(before.status, GoalStatus::Draft | GoalStatus::Returned) {
        return Err(GoalConflict::Locked.into());
    }
    if before.version != version {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let parent = match before.parent_id {
        Some(p) => store::get(&mut tx, p).await?,
        None => None,
    };
    let mut input = input.clone();
    input.year = i64::from(before.year);
    input.level = before.level.code().to_owned();
    input.parent_id = before.parent_id;
    // What is not given stays as it is.
    input.department_id = input.department_id.or(before.department_id);
    if input
        .position
        .as_deref()
        .is_none_or(|p| p.trim().is_empty())
    {
        input.position = before.position.clone();
    }
    // Only the company's goal changes hands; a goal below stays its drafter's.
    let owner = match before.level {
        GoalLevel::Company => owner_of(&mut tx, &input).await?.unwrap_or(before.owner_id),
        _ => before.owner_id,
    };
    let f = checked(&mut tx, &input, parent.as_ref(), owner).await?;
    let mut g = before.clone();
    g.department_id = f.department_id;
    g.position = f.position;
    g.title = f.title;
    g.metric = f.metric;
    g.target = f.target;
    g.owner_id = owner;
    let now = Timestamp::now();
    if !store::save(&mut tx, &g, now).await? {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, GoalRecord::Goal, id)
            .before(&snapshot(&before))
            .after(&snapshot(&g)),
    )
    .await?;
    let g = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, g).await?;
    tx.commit().await?;
    Ok(v)
}

/// Moves a goal: `in_review` (its owner submits it), `published` or `returned` (its
/// approver decides; a return needs a comment).
pub async fn transition(
    app: &App,
    ctx: &Ctx,
    id: i64,
    to: &str,
    comment: Option<&str>,
    version: Option<i64>,
) -> Result<GoalView> {
    ctx.principal
        .authorize(Resource::Goal, Action::Read, Target::Global)?;
    let to = GoalStatus::from_code(to.trim()).map_err(|k| FieldErrors::single("to", k))?;
    let comment = clean_multiline(comment, 4000).map_err(|k| FieldErrors::single("comment", k))?;
    let mut tx = app.db().begin().await?;
    let before = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    if let Some(v) = version
        && v != before.version
    {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let parent = match before.parent_id {
        Some(p) => store::get(&mut tx, p).await?,
        None => None,
    };
    let me = ctx.principal.user_id;
    let approver = approves(ctx, &before, parent.as_ref());
    if approver && before.status == GoalStatus::InReview {
        let already = wf::approvals(&mut tx, PROCESS, id)
            .await?
            .iter()
            .any(|a| a.round == before.round && a.approver_id == Some(me));
        if already {
            return Err(castellan_domain::error::KernelConflict::AlreadyDecided.into());
        }
    }
    let roles = ctx.principal.roles_over(None);
    let owner = [before.owner_id];
    let m = FLOW
        .check(
            before.status,
            to,
            &Caller {
                user: me,
                roles: &roles,
                step_approver: approver,
            },
            &rules::subject(before.created_by, before.submitted_by, &owner),
            comment.as_deref(),
        )
        .map_err(|r| crate::workflow::refusal(r, Resource::Goal))?;
    let now = Timestamp::now();
    let actor = ctx.actor();
    let mut g = before.clone();
    g.status = to;
    match m.kind {
        MoveKind::Submit => {
            if let Some(p) = &parent
                && p.status != GoalStatus::Published
            {
                return Err(GoalConflict::ParentNotPublished.into());
            }
            g.round += 1;
            g.submitted_by = Some(me);
            g.submitted_at = Some(now);
        }
        MoveKind::Approve | MoveKind::Return => {
            let decision = if m.kind == MoveKind::Approve {
                Decision::Approve
            } else {
                Decision::Return
            };
            let recorded = wf::record_approval(
                &mut tx,
                &NewApproval {
                    process: PROCESS,
                    item_id: id,
                    round: g.round,
                    step: 0,
                    step_name: "",
                    approver: (actor.id, actor.name),
                    decision,
                    comment: comment.as_deref(),
                    at: now,
                },
            )
            .await?;
            if !recorded {
                return Err(castellan_domain::error::KernelConflict::AlreadyDecided.into());
            }
            if decision == Decision::Approve {
                g.published_by = Some(me);
                g.published_at = Some(now);
            }
            audit::record(
                &mut tx,
                &actor,
                Event::new(Verb::Decide, GoalRecord::Goal, id)
                    .after(&serde_json::json!({"decision": decision, "comment": comment})),
            )
            .await?;
        }
        _ => return Err(forbidden(Action::Update)),
    }
    if !store::save(&mut tx, &g, now).await? {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    wf::record_move(
        &mut tx,
        PROCESS,
        id,
        before.status.code(),
        g.status.code(),
        (actor.id, actor.name),
        comment.as_deref(),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        &actor,
        Event::new(Verb::Transition, GoalRecord::Goal, id)
            .before(&serde_json::json!({"status": before.status}))
            .after(&serde_json::json!({"status": g.status, "comment": comment})),
    )
    .await?;
    let g = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, g).await?;
    tx.commit().await?;
    Ok(v)
}

/// Reports a published goal's progress (its owner): 0–100 percent and what it stands on.
pub async fn report_progress(
    app: &App,
    ctx: &Ctx,
    id: i64,
    progress: i64,
    note: Option<&str>,
    version: Option<i64>,
) -> Result<GoalView> {
    ctx.principal
        .authorize(Resource::Goal, Action::Update, Target::Global)?;
    let (progress, note) = rules::check_progress(progress, note)?;
    let mut tx = app.db().begin().await?;
    let before = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    if before.owner_id != ctx.principal.user_id {
        return Err(forbidden(Action::Update));
    }
    if before.status != GoalStatus::Published {
        return Err(GoalConflict::NotPublished.into());
    }
    if let Some(v) = version
        && v != before.version
    {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let mut g = before.clone();
    g.progress = progress;
    g.progress_note = note;
    let now = Timestamp::now();
    if !store::save(&mut tx, &g, now).await? {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(GoalAction::Progress, GoalRecord::Goal, id)
            .before(&serde_json::json!({"progress": before.progress, "progress_note": before.progress_note}))
            .after(&serde_json::json!({"progress": g.progress, "progress_note": g.progress_note})),
    )
    .await?;
    let g = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, g).await?;
    tx.commit().await?;
    Ok(v)
}

/// The moves of a goal, oldest first.
pub async fn moves(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<MoveRecord>> {
    ctx.principal
        .authorize(Resource::Goal, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    store::get(&mut conn, id).await?.ok_or_else(not_found)?;
    Ok(wf::moves(&mut conn, PROCESS, id).await?)
}

/// The goal list's query.
#[derive(Debug, Clone, Default)]
pub struct GoalQuery {
    /// Year.
    pub year: Option<i64>,
    /// Level code.
    pub level: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Owner.
    pub owner_id: Option<i64>,
    /// Department.
    pub department_id: Option<i64>,
    /// The goal above.
    pub parent_id: Option<i64>,
    /// Words of the title, metric or position.
    pub q: Option<String>,
    /// `-year` (default) or `year`.
    pub sort: Option<String>,
    /// Page cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// One page of goals, latest year first, and how many match.
pub async fn list(app: &App, ctx: &Ctx, query: &GoalQuery) -> Result<(Page<Goal>, i64)> {
    ctx.principal
        .authorize(Resource::Goal, Action::Read, Target::Global)?;
    let args = crate::paging::args(
        query.limit,
        query.sort.as_deref(),
        "-year",
        store::SORTS,
        query.cursor.as_deref(),
    )?;
    let mut errors = FieldErrors::new();
    let code = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let level =
        code(&query.level).and_then(|s| errors.check("level", GoalLevel::from_code(s.trim())));
    let status =
        code(&query.status).and_then(|s| errors.check("status", GoalStatus::from_code(s.trim())));
    let year = match query.year {
        Some(y) if (2000..=2100).contains(&y) => Some(y as i32),
        Some(_) => {
            errors.add(
                "year",
                FieldErrorKind::OutOfRange {
                    min: 2000,
                    max: 2100,
                },
            );
            None
        }
        None => None,
    };
    errors.into_result()?;
    let filter = GoalFilter {
        year,
        level,
        status,
        owner: query.owner_id.map(UserId),
        department: query.department_id.map(DepartmentId),
        parent: query.parent_id,
        q: query.q.clone(),
    };
    let mut conn = app.db().read().await?;
    let (items, next) = store::list(
        &mut conn,
        &filter,
        args.sort,
        args.after.as_ref(),
        args.limit,
    )
    .await?;
    let total = store::count(&mut conn, &filter).await?;
    Ok((
        Page {
            items,
            next_cursor: next.map(|c| c.encode()),
        },
        total,
    ))
}

/// A year's goals as a tree, and the departments without a goal.
#[derive(Debug, Clone)]
pub struct Tree {
    /// The year.
    pub year: i32,
    /// The years that have goals, latest first.
    pub years: Vec<i32>,
    /// Every goal of the year: company first, then departments, then positions.
    pub goals: Vec<Goal>,
    /// The departments that are expected to have a goal (the first level below the
    /// organization's top) without one under a company goal of the year.
    pub uncovered: Vec<(DepartmentId, String)>,
    /// How many departments are expected to have one.
    pub expected: usize,
}

/// A year's goal tree with its coverage.
pub async fn tree(app: &App, ctx: &Ctx, year: i32) -> Result<Tree> {
    ctx.principal
        .authorize(Resource::Goal, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    let goals = store::of_year(&mut conn, year).await?;
    let years = store::years(&mut conn).await?;
    let all = departments::all(&mut conn, 100_000).await?;
    let roots: Vec<_> = all.iter().filter(|d| d.parent_id.is_none()).collect();
    let expected: Vec<_> = match roots.as_slice() {
        [only] => all
            .iter()
            .filter(|d| d.parent_id == Some(only.id))
            .collect(),
        _ => roots,
    };
    let covered = |d: DepartmentId| {
        goals
            .iter()
            .any(|g| g.level == GoalLevel::Department && g.department_id == Some(d))
    };
    let uncovered = expected
        .iter()
        .filter(|d| !covered(d.id))
        .map(|d| (d.id, d.name.clone()))
        .collect();
    Ok(Tree {
        year,
        years,
        goals,
        uncovered,
        expected: expected.len(),
    })
}

/// Goals waiting for the caller: to decide on (the owner of the goal above, or the
/// committee for the company's), and their own returned goals to revise.
pub(crate) async fn waiting(
    conn: &mut Conn,
    ctx: &Ctx,
    limit: u32,
    out: &mut Vec<Waiting>,
) -> Result<()> {
    let me = ctx.principal.user_id;
    let committee = ctx
        .principal
        .grants
        .iter()
        .any(|g| g.role == Role::Committee && g.department_id.is_none());
    let push = |out: &mut Vec<Waiting>, g: Goal, expected: Expected, since: Timestamp| {
        out.push(Waiting {
            process: "goal",
            id: g.id,
            code: g.year.to_string(),
            title: g.title,
            state: g.status.code(),
            state_label: g.status.label(),
            expected,
            step: None,
            since,
            due_at: None,
            overdue: false,
            pending_risks: None,
        });
    };
    for g in store::waiting_for_approval(conn, me, committee, limit).await? {
        let since = g.submitted_at.unwrap_or(g.updated_at);
        push(out, g, Expected::Decide, since);
    }
    for g in store::returned_to(conn, me, limit).await? {
        let since = g.updated_at;
        push(out, g, Expected::Revise, since);
    }
    Ok(())
}
