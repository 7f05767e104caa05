//! Inspection plans: prepared by an inspection manager with their frequency, scope,
//! checklist, inspectors and responsibilities, approved — or returned with a comment — by
//! the approver of their chain (a security officer by default), never by whoever prepared or
//! submitted them. An approved plan's next due day moves on as its inspections complete.

use super::{active_users, manages, reads_all, today};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::workflow::runs::{self, Origin, Outcome};
use crate::workflow::{Expected, Waiting};
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::ids::DepartmentId;
use castellan_domain::inspection::audit::InspectionRecord;
use castellan_domain::inspection::{
    self as rules, InspectionConflict, InspectionPlan, PLAN_FLOW, PlanInput, PlanStatus,
};
use castellan_domain::paging::Page;
use castellan_domain::values::clean_multiline;
use castellan_domain::workflow::chain::Impact;
use castellan_domain::workflow::run::ChainRun;
use castellan_domain::workflow::{Approval, Caller, MoveRecord};
use castellan_domain::{
    Action, Day, DomainError, FieldErrorKind, FieldErrors, Resource, Target, Timestamp,
};
use castellan_store::Conn;
use castellan_store::inspection::checklists as cstore;
use castellan_store::inspection::plans::{self as store, PlanFilter};
use castellan_store::org::departments;
use castellan_store::workflow as wf;

const PROCESS: &str = PLAN_FLOW.process;

pub(crate) fn not_found() -> crate::Error {
    DomainError::not_found("inspection plan").into()
}

/// Whether the caller reads the plan: a reader of every plan, or one of its inspectors or
/// its author.
pub(crate) fn may_read(ctx: &Ctx, p: &InspectionPlan) -> bool {
    let me = ctx.principal.user_id;
    reads_all(ctx) || manages(ctx) || p.inspector_ids.contains(&me) || p.created_by == Some(me)
}

/// The plan, if the caller reads it (404 otherwise).
pub(crate) async fn load(conn: &mut Conn, ctx: &Ctx, id: i64) -> Result<InspectionPlan> {
    let p = store::get(conn, id).await?.ok_or_else(not_found)?;
    if !may_read(ctx, &p) {
        return Err(not_found());
    }
    Ok(p)
}

/// A plan as a caller sees it.
#[derive(Debug, Clone)]
pub struct PlanView {
    /// The record.
    pub plan: InspectionPlan,
    /// Its checklist's name (English and Chinese) and number of items.
    pub checklist: (String, Option<String>, i64),
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<PlanStatus>,
    /// Whether the caller may change it (a draft) and schedule its inspections.
    pub may_manage: bool,
    /// Whether the caller may schedule its next inspection now.
    pub may_schedule: bool,
    /// Whether its inspection is past due.
    pub overdue: bool,
    /// Its decisions, oldest first.
    pub approvals: Vec<Approval>,
}

async fn origin(conn: &mut Conn, p: &InspectionPlan) -> Result<Origin> {
    Origin::of(conn, p.department_id, p.created_by).await
}

async fn view(conn: &mut Conn, ctx: &Ctx, p: InspectionPlan, today: Day) -> Result<PlanView> {
    let approvals = wf::approvals(conn, PROCESS, p.id).await?;
    let origin = origin(conn, &p).await?;
    let decided = approvals.iter().any(|a| {
        a.round == p.run.round
            && Some(a.step) == p.run.current_step
            && a.approver_id == Some(ctx.principal.user_id)
    });
    let named = p.status == PlanStatus::InReview
        && !decided
        && p.run.step().is_some_and(|s| origin.names(ctx, s));
    let roles = ctx.principal.roles_over(origin.path.as_ref());
    let allowed_transitions = PLAN_FLOW.allowed(
        p.status,
        &Caller {
            user: ctx.principal.user_id,
            roles: &roles,
            step_approver: named,
        },
        &rules::plan_subject(p.created_by, p.run.submitted_by),
    );
    let checklist = match cstore::get(conn, p.checklist_id).await? {
        Some(c) => (c.name, c.name_zh, c.items.len() as i64),
        None => (String::new(), None, 0),
    };
    let may_schedule = p.status == PlanStatus::Approved
        && (manages(ctx) || p.inspector_ids.contains(&ctx.principal.user_id))
        && castellan_store::inspection::inspections::open_of_plan(conn, p.id)
            .await?
            .is_none();
    Ok(PlanView {
        may_manage: manages(ctx),
        may_schedule,
        overdue: p.is_overdue(today),
        allowed_transitions,
        approvals,
        checklist,
        plan: p,
    })
}

fn snapshot(p: &InspectionPlan) -> serde_json::Value {
    serde_json::json!({
        "code": p.code, "title": p.title, "scope": p.scope, "frequency": p.frequency,
        "checklist_id": p.checklist_id, "department_id": p.department_id.map(|d| d.0),
        "inspector_ids": p.inspector_ids.iter().map(|u| u.0).collect::<Vec<_>>(),
        "responsibilities": p.responsibilities, "next_due_at": p.next_due_at,
        "status": p.status,
    })
}

async fn checked(
    conn: &mut Conn,
    input: &PlanInput,
    today: Day,
) -> Result<(rules::PlanFields, Option<DepartmentId>)> {
    let mut errors = FieldErrors::new();
    let mut input = input.clone();
    for name in input.inspector_usernames.iter().map(|n| n.trim()) {
        if name.is_empty() {
            continue;
        }
        match castellan_store::org::users::find_by_username(conn, &name.to_lowercase()).await? {
            Some(u) if u.status == castellan_domain::values::UserStatus::Active => {
                input.inspector_ids.push(u.id);
            }
            _ => errors.add("inspector_ids", FieldErrorKind::NoSuchRecord),
        }
    }
    let input = &input;
    let fields = match rules::check_plan(input, today) {
        Ok(f) => Some(f),
        Err(DomainError::Validation(e)) => {
            errors.merge(e);
            None
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(c) = input.checklist_id {
        match cstore::get(conn, c).await? {
            None => errors.add("checklist_id", FieldErrorKind::NoSuchRecord),
            Some(c) if c.items.is_empty() => {
                return Err(InspectionConflict::ChecklistEmpty.into());
            }
            Some(_) => {}
        }
    }
    if let Some(d) = input.department_id
        && departments::get(conn, d).await?.is_none()
    {
        errors.add("department_id", FieldErrorKind::NoSuchRecord);
    }
    active_users(conn, &input.inspector_ids, "inspector_ids", &mut errors).await?;
    errors.into_result()?;
    let fields = fields.ok_or_else(|| FieldErrors::single("title", FieldErrorKind::Required))?;
    Ok((fields, input.department_id))
}

/// Opens a plan as a draft (inspection managers).
pub async fn create(app: &App, ctx: &Ctx, input: &PlanInput) -> Result<PlanView> {
    ctx.principal
        .authorize(Resource::Inspection, Action::Create, Target::Global)?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let (f, department_id) = checked(&mut tx, input, today).await?;
    let now = Timestamp::now();
    let year = now.datetime().year();
    let n = wf::next_number(&mut tx, &format!("IP-{year}")).await?;
    let mut p = InspectionPlan {
        id: 0,
        code: format!("IP-{year}-{n:04}"),
        title: f.title,
        scope: f.scope,
        frequency: f.frequency,
        checklist_id: f.checklist_id,
        department_id,
        inspector_ids: f.inspector_ids,
        responsibilities: f.responsibilities,
        next_due_at: f.next_due_at,
        status: PlanStatus::Draft,
        run: ChainRun::default(),
        approved_by: None,
        approved_at: None,
        created_by: (!ctx.system).then_some(ctx.principal.user_id),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    p.id = store::insert(&mut tx, &p).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, InspectionRecord::InspectionPlan, p.id).after(&snapshot(&p)),
    )
    .await?;
    let v = view(&mut tx, ctx, p, today).await?;
    tx.commit().await?;
    Ok(v)
}

/// The plan list's query.
#[derive(Debug, Clone, Default)]
pub struct PlanQuery {
    /// Status code.
    pub status: Option<String>,
    /// Only approved plans past their due day.
    pub overdue: bool,
    /// Only plans the caller inspects.
    pub mine: bool,
    /// Words of the code or title.
    pub q: Option<String>,
    /// `next_due_at` (default) or `-next_due_at`.
    pub sort: Option<String>,
    /// Page cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// One page of the plans the caller reads (all for readers; otherwise those they inspect
/// or wrote), soonest due first, and how many match.
pub async fn list(app: &App, ctx: &Ctx, query: &PlanQuery) -> Result<(Page<PlanView>, i64)> {
    let args = crate::paging::args(
        query.limit,
        query.sort.as_deref(),
        "next_due_at",
        store::SORTS,
        query.cursor.as_deref(),
    )?;
    let status = match query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(PlanStatus::from_code(s).map_err(|k| FieldErrors::single("status", k))?),
        None => None,
    };
    let today = today(app);
    let me = ctx.principal.user_id;
    let filter = PlanFilter {
        status,
        due_before: query.overdue.then_some(today),
        inspector: query.mine.then_some(me),
        q: query.q.clone(),
        party: (!reads_all(ctx) && !manages(ctx)).then_some(me),
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
    let mut out = Vec::with_capacity(items.len());
    for p in items {
        out.push(PlanView {
            may_manage: manages(ctx),
            may_schedule: false,
            overdue: p.is_overdue(today),
            allowed_transitions: Vec::new(),
            approvals: Vec::new(),
            checklist: (String::new(), None, 0),
            plan: p,
        });
    }
    Ok((
        Page {
            items: out,
            next_cursor: next.map(|c| c.encode()),
        },
        total,
    ))
}

/// One plan (404 for a caller who does not read it).
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<PlanView> {
    let mut conn = app.db().read().await?;
    let p = load(&mut conn, ctx, id).await?;
    view(&mut conn, ctx, p, today(app)).await
}

/// Changes a draft plan (inspection managers).
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    input: &PlanInput,
    version: i64,
) -> Result<PlanView> {
    ctx.principal
        .authorize(Resource::Inspection, Action::Update, Target::Global)?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let before = load(&mut tx, ctx, id).await?;
    if before.status != PlanStatus::Draft {
        return Err(InspectionConflict::PlanLocked.into());
    }
    if before.version != version {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let (f, department_id) = checked(&mut tx, input, today).await?;
    let mut p = before.clone();
    p.title = f.title;
    p.scope = f.scope;
    p.frequency = f.frequency;
    p.checklist_id = f.checklist_id;
    p.department_id = department_id;
    p.inspector_ids = f.inspector_ids;
    p.responsibilities = f.responsibilities;
    p.next_due_at = f.next_due_at;
    let now = Timestamp::now();
    if !store::save(&mut tx, &p, None, now).await? {
        return Err(DomainError::StaleVersion { current: p.version }.into());
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, InspectionRecord::InspectionPlan, id)
            .before(&snapshot(&before))
            .after(&snapshot(&p)),
    )
    .await?;
    let p = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, p, today).await?;
    tx.commit().await?;
    Ok(v)
}

/// Moves a plan: `in_review` (a manager submits the draft), `approved` or `draft` (the
/// approver of its step approves it or returns it with a comment), `draft` again (a manager
/// revises an approved plan) or `retired`.
pub async fn transition(
    app: &App,
    ctx: &Ctx,
    id: i64,
    to: &str,
    comment: Option<&str>,
    version: Option<i64>,
) -> Result<PlanView> {
    let to = PlanStatus::from_code(to.trim()).map_err(|k| FieldErrors::single("to", k))?;
    let comment = clean_multiline(comment, 4000).map_err(|k| FieldErrors::single("comment", k))?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let before = load(&mut tx, ctx, id).await?;
    if let Some(v) = version
        && v != before.version
    {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let origin = origin(&mut tx, &before).await?;
    let turn = if before.status == PlanStatus::InReview {
        Some(runs::turn(&mut tx, ctx, PROCESS, id, &before.run, &origin).await?)
    } else {
        None
    };
    let roles = ctx.principal.roles_over(origin.path.as_ref());
    let caller = Caller {
        user: ctx.principal.user_id,
        roles: &roles,
        step_approver: turn.as_ref().is_some_and(|t| t.named),
    };
    let m = PLAN_FLOW
        .check(
            before.status,
            to,
            &caller,
            &rules::plan_subject(before.created_by, before.run.submitted_by),
            comment.as_deref(),
        )
        .map_err(|r| crate::workflow::refusal(r, Resource::Inspection))?;
    let now = Timestamp::now();
    let actor = ctx.actor();
    let mut p = before.clone();
    let mut key = None;
    use castellan_domain::workflow::MoveKind;
    match m.kind {
        MoveKind::Work => p.status = to,
        _ => {
            if m.kind == MoveKind::Submit && p.next_due_at < today {
                return Err(FieldErrors::single(
                    "next_due_at",
                    FieldErrorKind::invalid(
                        "from today up to two years ahead",
                        "须在今天至两年之内",
                    ),
                )
                .into());
            }
            let item = runs::Item {
                process: PROCESS,
                chain_subject: PROCESS,
                id,
                impact: Impact::Normal,
                record: InspectionRecord::InspectionPlan,
                resource: Resource::Inspection,
            };
            let done = runs::advance(
                &mut tx,
                ctx,
                item,
                &mut p.run,
                m.kind,
                turn.as_ref(),
                comment.as_deref(),
                now,
                &origin,
            )
            .await?;
            p.status = match done.outcome {
                Outcome::AtStep => PlanStatus::InReview,
                Outcome::Approved => {
                    if done.decision.is_some() {
                        p.approved_by = Some(ctx.principal.user_id);
                        p.approved_at = Some(now);
                    }
                    PlanStatus::Approved
                }
                Outcome::Stopped => PlanStatus::Draft,
            };
            key = done.key;
        }
    }
    if !store::save(&mut tx, &p, key.as_ref(), now).await? {
        return Err(DomainError::StaleVersion { current: p.version }.into());
    }
    if p.status != before.status {
        wf::record_move(
            &mut tx,
            PROCESS,
            id,
            before.status.code(),
            p.status.code(),
            (actor.id, actor.name),
            comment.as_deref(),
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            &actor,
            Event::new(Verb::Transition, InspectionRecord::InspectionPlan, id)
                .before(&serde_json::json!({"status": before.status}))
                .after(&serde_json::json!({"status": p.status, "comment": comment})),
        )
        .await?;
    }
    let p = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, p, today).await?;
    tx.commit().await?;
    Ok(v)
}

/// The moves of a plan, oldest first.
pub async fn moves(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<MoveRecord>> {
    let mut conn = app.db().read().await?;
    load(&mut conn, ctx, id).await?;
    Ok(wf::moves(&mut conn, PROCESS, id).await?)
}

/// How soon before its due day a plan's inspection shows in its inspectors' "waiting for
/// me".
pub const DUE_SOON_DAYS: i64 = 14;

/// Plans waiting for the caller: those to approve, and those due within two weeks (or
/// overdue) with no inspection under way, for their inspectors; and the inspections under
/// way the caller performs.
pub(crate) async fn waiting(
    conn: &mut Conn,
    ctx: &Ctx,
    today: Day,
    offset: time::UtcOffset,
    limit: u32,
    out: &mut Vec<Waiting>,
) -> Result<()> {
    let me = ctx.principal.user_id;
    let grants = crate::request::requests::approver_grants(conn, ctx).await?;
    for p in store::waiting_for_approval(conn, me, &grants, limit).await? {
        out.push(Waiting {
            process: "inspection_plan",
            id: p.id,
            code: p.code.clone(),
            title: p.title.clone(),
            state: p.status.code(),
            state_label: p.status.label(),
            expected: Expected::Decide,
            step: p.run.step().cloned(),
            since: p.run.submitted_at.unwrap_or(p.updated_at),
            due_at: None,
            overdue: false,
            pending_risks: None,
        });
    }
    let soon = Day::from_date(today.date() + time::Duration::days(DUE_SOON_DAYS));
    for p in store::due_for(conn, me, soon, limit).await? {
        out.push(Waiting {
            process: "inspection_plan",
            id: p.id,
            code: p.code.clone(),
            title: p.title.clone(),
            state: p.status.code(),
            state_label: p.status.label(),
            expected: Expected::Inspect,
            step: None,
            since: p.next_due_at.start_at(offset),
            due_at: Some(p.next_due_at.end_at(offset)),
            overdue: p.next_due_at < today,
            pending_risks: None,
        });
    }
    for i in castellan_store::inspection::inspections::open_for(conn, me, limit).await? {
        let title = store::get(conn, i.plan_id)
            .await?
            .map(|p| p.title)
            .unwrap_or_default();
        out.push(Waiting {
            process: "inspection",
            id: i.id,
            code: i.code.clone(),
            title,
            state: i.status.code(),
            state_label: i.status.label(),
            expected: Expected::Inspect,
            step: None,
            since: i.due_on.start_at(offset),
            due_at: Some(i.due_on.end_at(offset)),
            overdue: i.is_overdue(today),
            pending_risks: None,
        });
    }
    Ok(())
}
