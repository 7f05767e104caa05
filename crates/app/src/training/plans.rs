//! Training plans: one per year, prepared by a training manager and approved — or returned
//! with a comment — by the approver of its chain (a security officer by default), never by
//! whoever prepared or submitted it.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::workflow::runs::{self, Origin, Outcome};
use crate::workflow::{Expected, Waiting};
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::training::audit::TrainingRecord;
use castellan_domain::training::{self as rules, FLOW, PlanStatus, TrainingConflict, TrainingPlan};
use castellan_domain::values::clean_multiline;
use castellan_domain::workflow::Caller;
use castellan_domain::workflow::chain::Impact;
use castellan_domain::workflow::run::ChainRun;
use castellan_domain::{Action, DomainError, FieldErrors, Resource, Target, Timestamp};
use castellan_store::Conn;
use castellan_store::training::plans as store;
use castellan_store::workflow as wf;

const PROCESS: &str = FLOW.process;

pub(crate) fn not_found() -> crate::Error {
    DomainError::not_found("training plan").into()
}

/// Whether the caller prepares plans and trainings.
pub(crate) fn manages(ctx: &Ctx) -> bool {
    ctx.principal
        .may_somewhere(Resource::Training, Action::Update)
}

/// A plan as a caller sees it.
#[derive(Debug, Clone)]
pub struct PlanView {
    /// The record.
    pub plan: TrainingPlan,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<PlanStatus>,
    /// Whether the caller may change it and its trainings.
    pub may_manage: bool,
    /// Its decisions, oldest first.
    pub approvals: Vec<castellan_domain::workflow::Approval>,
}

async fn view(conn: &mut Conn, ctx: &Ctx, p: TrainingPlan) -> Result<PlanView> {
    let approvals = wf::approvals(conn, PROCESS, p.id).await?;
    let origin = Origin::default();
    let decided = approvals.iter().any(|a| {
        a.round == p.run.round
            && Some(a.step) == p.run.current_step
            && a.approver_id == Some(ctx.principal.user_id)
    });
    let named = p.status == PlanStatus::InReview
        && !decided
        && p.run.step().is_some_and(|s| origin.names(ctx, s));
    let roles = ctx.principal.roles_over(None);
    let allowed_transitions = if manages(ctx) || named {
        FLOW.allowed(
            p.status,
            &Caller {
                user: ctx.principal.user_id,
                roles: &roles,
                step_approver: named,
            },
            &rules::subject(p.created_by, p.run.submitted_by),
        )
    } else {
        Vec::new()
    };
    Ok(PlanView {
        may_manage: manages(ctx),
        allowed_transitions,
        approvals,
        plan: p,
    })
}

fn snapshot(p: &TrainingPlan) -> serde_json::Value {
    serde_json::json!({"year": p.year, "title": p.title, "description": p.description, "status": p.status})
}

/// Opens the plan of a year (training managers). One plan per year.
pub async fn create(
    app: &App,
    ctx: &Ctx,
    year: i64,
    title: &str,
    description: Option<&str>,
) -> Result<PlanView> {
    ctx.principal
        .authorize(Resource::Training, Action::Create, Target::Global)?;
    let (year, title, description) = rules::check_plan(year, title, description)?;
    let now = Timestamp::now();
    let mut p = TrainingPlan {
        id: 0,
        year,
        title,
        description,
        status: PlanStatus::Draft,
        run: ChainRun::default(),
        approved_by: None,
        approved_at: None,
        created_by: (!ctx.system).then_some(ctx.principal.user_id),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.db().begin().await?;
    p.id = store::insert(&mut tx, &p)
        .await?
        .ok_or(TrainingConflict::YearTaken)?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, TrainingRecord::TrainingPlan, p.id).after(&snapshot(&p)),
    )
    .await?;
    let v = view(&mut tx, ctx, p).await?;
    tx.commit().await?;
    Ok(v)
}

/// Every plan, newest year first.
pub async fn list(app: &App, ctx: &Ctx) -> Result<Vec<TrainingPlan>> {
    ctx.principal
        .authorize(Resource::Training, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    Ok(store::list(&mut conn).await?)
}

/// One plan.
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<PlanView> {
    ctx.principal
        .authorize(Resource::Training, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    let p = store::get(&mut conn, id).await?.ok_or_else(not_found)?;
    view(&mut conn, ctx, p).await
}

/// Changes a draft plan's title and description.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    title: &str,
    description: Option<&str>,
    version: i64,
) -> Result<PlanView> {
    ctx.principal
        .authorize(Resource::Training, Action::Update, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let before = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    if before.status != PlanStatus::Draft {
        return Err(TrainingConflict::PlanLocked.into());
    }
    if before.version != version {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let (_, title, description) = rules::check_plan(i64::from(before.year), title, description)?;
    let mut p = before.clone();
    p.title = title;
    p.description = description;
    let now = Timestamp::now();
    if !store::save(&mut tx, &p, None, now).await? {
        return Err(DomainError::StaleVersion { current: p.version }.into());
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, TrainingRecord::TrainingPlan, id)
            .before(&snapshot(&before))
            .after(&snapshot(&p)),
    )
    .await?;
    let p = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, p).await?;
    tx.commit().await?;
    Ok(v)
}

/// Moves a plan: `in_review` (a manager submits the draft), `approved` or `draft` (the
/// approver of its step approves it or returns it with a comment).
pub async fn transition(
    app: &App,
    ctx: &Ctx,
    id: i64,
    to: &str,
    comment: Option<&str>,
    version: Option<i64>,
) -> Result<PlanView> {
    ctx.principal
        .authorize(Resource::Training, Action::Read, Target::Global)?;
    let to = PlanStatus::from_code(to.trim()).map_err(|k| FieldErrors::single("to", k))?;
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
    let origin = Origin::default();
    let turn = if before.status == PlanStatus::InReview {
        Some(runs::turn(&mut tx, ctx, PROCESS, id, &before.run, &origin).await?)
    } else {
        None
    };
    let roles = ctx.principal.roles_over(None);
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
            &rules::subject(before.created_by, before.run.submitted_by),
            comment.as_deref(),
        )
        .map_err(|r| crate::workflow::refusal(r, Resource::Training))?;
    let now = Timestamp::now();
    let actor = ctx.actor();
    let mut p = before.clone();
    let item = runs::Item {
        process: PROCESS,
        chain_subject: PROCESS,
        id,
        impact: Impact::Normal,
        record: TrainingRecord::TrainingPlan,
        resource: Resource::Training,
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
    let key = done.key;
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
            Event::new(Verb::Transition, TrainingRecord::TrainingPlan, id)
                .before(&serde_json::json!({"status": before.status}))
                .after(&serde_json::json!({"status": p.status, "comment": comment})),
        )
        .await?;
    }
    let p = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, p).await?;
    tx.commit().await?;
    Ok(v)
}

/// The moves of a plan, oldest first.
pub async fn moves(
    app: &App,
    ctx: &Ctx,
    id: i64,
) -> Result<Vec<castellan_domain::workflow::MoveRecord>> {
    ctx.principal
        .authorize(Resource::Training, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    store::get(&mut conn, id).await?.ok_or_else(not_found)?;
    Ok(wf::moves(&mut conn, PROCESS, id).await?)
}

/// Plans waiting for the caller's approval.
pub(crate) async fn waiting(
    conn: &mut Conn,
    ctx: &Ctx,
    limit: u32,
    out: &mut Vec<Waiting>,
) -> Result<()> {
    let grants = crate::request::requests::approver_grants(conn, ctx).await?;
    for p in store::waiting_for_approval(conn, ctx.principal.user_id, &grants, limit).await? {
        out.push(Waiting {
            process: "training_plan",
            id: p.id,
            code: p.year.to_string(),
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
    Ok(())
}
