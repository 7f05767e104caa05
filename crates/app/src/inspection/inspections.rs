//! Inspections: scheduled from an approved plan (its due day, its inspectors, its
//! checklist's items as they are then), performed item by item by their inspectors — pass,
//! fail or not applicable, a note, evidence files —, each failed item a finding that opens
//! a rectification task (verified by the inspector who opened it), completed once every item
//! has its result and every finding its task; completing moves the plan's next due day on.

use super::plans::{self, load as load_plan};
use super::{active_users, manages, reads_all, today};
use crate::attachments::{self, Attachment, Owner};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::rectification::tasks::{self as tasks, OpenInput};
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::ids::UserId;
use castellan_domain::inspection::audit::{InspectionAction, InspectionRecord};
use castellan_domain::inspection::{
    self as rules, FLOW, Inspection, InspectionConflict, InspectionPlan, InspectionStatus,
    ItemResult, PlanStatus, ResultLine, Tally,
};
use castellan_domain::paging::Page;
use castellan_domain::rectification::{Rectification, RectificationSource};
use castellan_domain::values::clean_multiline;
use castellan_domain::workflow::{Caller, MoveRecord};
use castellan_domain::{
    Action, Day, DomainError, FieldErrorKind, FieldErrors, Resource, Timestamp,
};
use castellan_store::Conn;
use castellan_store::inspection::checklists as cstore;
use castellan_store::inspection::inspections::{self as store, InspectionFilter};
use castellan_store::inspection::plans as pstore;
use castellan_store::workflow as wf;

const PROCESS: &str = FLOW.process;

/// Evidence files of an inspection's item belong to its result line under this kind.
const EVIDENCE_OWNER: &str = "inspection_result";

fn evidence_owner(line: i64) -> Owner {
    Owner {
        kind: EVIDENCE_OWNER,
        id: line,
    }
}

pub(crate) fn not_found() -> crate::Error {
    DomainError::not_found("inspection").into()
}

fn forbidden() -> crate::Error {
    DomainError::Forbidden {
        resource: Resource::Inspection,
        action: Action::Update,
    }
    .into()
}

/// Whether the caller performs the inspection: one of its inspectors, or a manager.
fn performs(ctx: &Ctx, i: &Inspection) -> bool {
    manages(ctx) || i.inspector_ids.contains(&ctx.principal.user_id)
}

/// The inspection and its plan, if the caller reads them: a reader of every inspection,
/// one of its inspectors, or a reader of its plan (404 otherwise).
pub(crate) async fn load(
    conn: &mut Conn,
    ctx: &Ctx,
    id: i64,
) -> Result<(Inspection, InspectionPlan)> {
    let i = store::get(conn, id).await?.ok_or_else(not_found)?;
    let p = pstore::get(conn, i.plan_id).await?.ok_or_else(not_found)?;
    let me = ctx.principal.user_id;
    if !(reads_all(ctx)
        || manages(ctx)
        || i.inspector_ids.contains(&me)
        || plans::may_read(ctx, &p))
    {
        return Err(not_found());
    }
    Ok((i, p))
}

/// An inspection as a caller sees it.
#[derive(Debug, Clone)]
pub struct InspectionView {
    /// The record.
    pub inspection: Inspection,
    /// Its plan.
    pub plan: InspectionPlan,
    /// Its items and results, in the checklist's order.
    pub lines: Vec<ResultLine>,
    /// How many items are in each state.
    pub tally: Tally,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<InspectionStatus>,
    /// Whether the caller records its results, findings and evidence.
    pub may_perform: bool,
    /// Whether it is not completed past its due day.
    pub overdue: bool,
    /// Its rectification tasks.
    pub tasks: Vec<tasks::TaskView>,
}

async fn view(
    conn: &mut Conn,
    ctx: &Ctx,
    i: Inspection,
    plan: InspectionPlan,
    today: Day,
) -> Result<InspectionView> {
    let lines = store::results(conn, i.id).await?;
    let tally = Tally::of(&lines);
    let may_perform = performs(ctx, &i);
    let roles = ctx.principal.roles_over(None);
    let allowed_transitions = if may_perform {
        FLOW.allowed(
            i.status,
            &Caller {
                user: ctx.principal.user_id,
                roles: &roles,
                step_approver: false,
            },
            &rules::subject(i.created_by, &i.inspector_ids),
        )
    } else {
        Vec::new()
    };
    let tasks = castellan_store::rectification::tasks::of_source(
        conn,
        RectificationSource::Inspection,
        i.id,
    )
    .await?
    .into_iter()
    .map(|t| tasks::list_view(ctx, t, today))
    .collect();
    Ok(InspectionView {
        overdue: i.is_overdue(today),
        may_perform,
        allowed_transitions,
        lines,
        tally,
        tasks,
        plan,
        inspection: i,
    })
}

fn snapshot(i: &Inspection) -> serde_json::Value {
    serde_json::json!({
        "code": i.code, "plan_id": i.plan_id, "due_on": i.due_on,
        "performed_at": i.performed_at,
        "inspector_ids": i.inspector_ids.iter().map(|u| u.0).collect::<Vec<_>>(),
        "status": i.status, "summary": i.summary,
    })
}

/// A new inspection, as its scheduler gives it (absent: the plan's).
#[derive(Debug, Clone, Default)]
pub struct ScheduleInput {
    /// The plan.
    pub plan_id: i64,
    /// The day it is due (default: the plan's next due day).
    pub due_on: Option<Day>,
    /// Its inspectors (default: the plan's).
    pub inspector_ids: Vec<UserId>,
}

/// Schedules the next inspection of an approved plan (a manager or one of the plan's
/// inspectors): one at a time per plan; its items are the checklist's as they are now.
pub async fn schedule(app: &App, ctx: &Ctx, input: &ScheduleInput) -> Result<InspectionView> {
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let plan = load_plan(&mut tx, ctx, input.plan_id).await?;
    if !(manages(ctx) || plan.inspector_ids.contains(&ctx.principal.user_id)) {
        return Err(DomainError::Forbidden {
            resource: Resource::Inspection,
            action: Action::Create,
        }
        .into());
    }
    if plan.status != PlanStatus::Approved {
        return Err(InspectionConflict::PlanNotApproved.into());
    }
    if store::open_of_plan(&mut tx, plan.id).await?.is_some() {
        return Err(InspectionConflict::InspectionOpen.into());
    }
    let mut errors = FieldErrors::new();
    let inspectors = if input.inspector_ids.is_empty() {
        plan.inspector_ids.clone()
    } else {
        let mut v = Vec::new();
        for u in &input.inspector_ids {
            if !v.contains(u) {
                v.push(*u);
            }
        }
        active_users(&mut tx, &v, "inspector_ids", &mut errors).await?;
        v
    };
    if inspectors.len() > 20 {
        errors.add(
            "inspector_ids",
            FieldErrorKind::invalid("at most 20 inspectors", "最多 20 名检查人员"),
        );
    }
    let due_on = input.due_on.unwrap_or(plan.next_due_at);
    if due_on > today.plus_months(24) {
        errors.add(
            "due_on",
            FieldErrorKind::invalid("at most two years ahead", "须在两年之内"),
        );
    }
    errors.into_result()?;
    let items = cstore::items(&mut tx, plan.checklist_id).await?;
    if items.is_empty() {
        return Err(InspectionConflict::ChecklistEmpty.into());
    }
    let now = Timestamp::now();
    let year = now.datetime().year();
    let n = wf::next_number(&mut tx, &format!("INSP-{year}")).await?;
    let mut i = Inspection {
        id: 0,
        code: format!("INSP-{year}-{n:04}"),
        plan_id: plan.id,
        due_on,
        performed_at: None,
        inspector_ids: inspectors,
        status: InspectionStatus::Planned,
        summary: None,
        completed_at: None,
        completed_by: None,
        created_by: (!ctx.system).then_some(ctx.principal.user_id),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    i.id = store::insert(&mut tx, &i, &items).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, InspectionRecord::Inspection, i.id).after(&snapshot(&i)),
    )
    .await?;
    let v = view(&mut tx, ctx, i, plan, today).await?;
    tx.commit().await?;
    Ok(v)
}

/// One inspection (404 for a caller who does not read it).
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<InspectionView> {
    let mut conn = app.db().read().await?;
    let (i, p) = load(&mut conn, ctx, id).await?;
    view(&mut conn, ctx, i, p, today(app)).await
}

/// The inspection list's query.
#[derive(Debug, Clone, Default)]
pub struct InspectionQuery {
    /// Status code.
    pub status: Option<String>,
    /// Plan.
    pub plan_id: Option<i64>,
    /// Only those not completed past their due day.
    pub overdue: bool,
    /// Only those the caller performs.
    pub mine: bool,
    /// Words of the code or the plan's title.
    pub q: Option<String>,
    /// `-due_on` (default) or `due_on`.
    pub sort: Option<String>,
    /// Page cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// A line of the inspection list.
#[derive(Debug, Clone)]
pub struct ListedInspection {
    /// The record.
    pub inspection: Inspection,
    /// Its plan's code and title.
    pub plan: (String, String),
    /// Its items' counts.
    pub tally: Tally,
    /// Whether it is not completed past its due day.
    pub overdue: bool,
}

/// One page of the inspections the caller reads, latest due first, and how many match.
pub async fn list(
    app: &App,
    ctx: &Ctx,
    query: &InspectionQuery,
) -> Result<(Page<ListedInspection>, i64)> {
    let args = crate::paging::args(
        query.limit,
        query.sort.as_deref(),
        "-due_on",
        store::SORTS,
        query.cursor.as_deref(),
    )?;
    let status = match query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => {
            Some(InspectionStatus::from_code(s).map_err(|k| FieldErrors::single("status", k))?)
        }
        None => None,
    };
    let today = today(app);
    let me = ctx.principal.user_id;
    let filter = InspectionFilter {
        status,
        plan_id: query.plan_id,
        inspector: query.mine.then_some(me),
        due_before: query.overdue.then_some(today),
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
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let tallies = store::tallies(&mut conn, &ids).await?;
    let mut plans: Vec<(i64, String, String)> = Vec::new();
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        if !plans.iter().any(|p| p.0 == i.plan_id)
            && let Some(p) = pstore::get(&mut conn, i.plan_id).await?
        {
            plans.push((p.id, p.code, p.title));
        }
        let plan = plans
            .iter()
            .find(|p| p.0 == i.plan_id)
            .map(|p| (p.1.clone(), p.2.clone()))
            .unwrap_or_default();
        let tally = tallies
            .iter()
            .find(|t| t.0 == i.id)
            .map(|t| t.1)
            .unwrap_or_default();
        out.push(ListedInspection {
            overdue: i.is_overdue(today),
            inspection: i,
            plan,
            tally,
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

/// An item's result, as an inspector gives it.
#[derive(Debug, Clone, Default)]
pub struct ResultInput {
    /// The checklist item's code.
    pub item_code: String,
    /// `pass`, `fail` or `na`.
    pub result: String,
    /// What was seen.
    pub note: Option<String>,
}

/// Records results (an inspector of it, or a manager) while the inspection is not completed;
/// a planned inspection starts with its first results (performed today unless a day is
/// given). Every line is checked before any is written: an item not on the inspection's
/// checklist, a repeated item, a bad result or an over-long note is refused on
/// `results[i].…` and nothing changes. A failed item with a rectification task stays failed.
pub async fn record_results(
    app: &App,
    ctx: &Ctx,
    id: i64,
    results: &[ResultInput],
    performed_at: Option<Day>,
    version: Option<i64>,
) -> Result<InspectionView> {
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let (before, plan) = load(&mut tx, ctx, id).await?;
    if !performs(ctx, &before) {
        return Err(forbidden());
    }
    if before.status == InspectionStatus::Completed {
        return Err(InspectionConflict::InspectionCompleted.into());
    }
    if let Some(v) = version
        && v != before.version
    {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let lines = store::results(&mut tx, id).await?;
    let mut errors = FieldErrors::new();
    if results.is_empty() {
        errors.add("results", FieldErrorKind::Required);
    }
    if results.len() > rules::MAX_ITEMS {
        errors.add(
            "results",
            FieldErrorKind::invalid("at most 500 items", "最多 500 项"),
        );
    }
    if let Some(d) = performed_at
        && (d > today || d < Day::of_at(before.created_at, app.settings().utc_offset()))
    {
        errors.add(
            "performed_at",
            FieldErrorKind::invalid(
                "from the day it was scheduled up to today",
                "须在安排检查之日至今天之间",
            ),
        );
    }
    let mut checked: Vec<(&ResultLine, ItemResult, Option<String>)> = Vec::new();
    for (k, r) in results.iter().enumerate().take(rules::MAX_ITEMS) {
        let code = r.item_code.trim();
        let line = lines
            .iter()
            .find(|l| l.item.code.eq_ignore_ascii_case(code));
        let Some(line) = line else {
            errors.add(
                format!("results[{k}].item_code"),
                FieldErrorKind::invalid(
                    "is not an item of this inspection's checklist",
                    "不是本次检查的检查项",
                ),
            );
            continue;
        };
        if checked.iter().any(|c| c.0.id == line.id) {
            errors.add(format!("results[{k}].item_code"), FieldErrorKind::Duplicate);
            continue;
        }
        let result = errors.check(
            &format!("results[{k}].result"),
            ItemResult::from_code(r.result.trim()),
        );
        let note = errors.check(
            &format!("results[{k}].note"),
            clean_multiline(r.note.as_deref(), 4000),
        );
        if let (Some(result), Some(note)) = (result, note) {
            if line.rectification_id.is_some() && result != ItemResult::Fail {
                return Err(InspectionConflict::ResultHasTask.into());
            }
            checked.push((line, result, note));
        }
    }
    errors.into_result()?;
    let now = Timestamp::now();
    let me = ctx.principal.user_id;
    for (line, result, note) in &checked {
        store::set_result(&mut tx, line.id, *result, note.as_deref(), me, now).await?;
    }
    let mut i = before.clone();
    if i.status == InspectionStatus::Planned {
        i.status = InspectionStatus::InProgress;
        i.performed_at = Some(performed_at.unwrap_or(today));
    } else if let Some(d) = performed_at {
        i.performed_at = Some(d);
    }
    if !store::save(&mut tx, &i, now).await? {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let actor = ctx.actor();
    if i.status != before.status {
        wf::record_move(
            &mut tx,
            PROCESS,
            id,
            before.status.code(),
            i.status.code(),
            (actor.id, actor.name),
            None,
            now,
        )
        .await?;
    }
    let summary: Vec<String> = checked
        .iter()
        .map(|(l, r, _)| format!("{}: {}", l.item.code, r.code()))
        .collect();
    audit::record(
        &mut tx,
        &actor,
        Event::new(InspectionAction::Results, InspectionRecord::Inspection, id)
            .before(&serde_json::json!({"status": before.status}))
            .after(&serde_json::json!({"status": i.status, "results": summary, "performed_at": i.performed_at})),
    )
    .await?;
    let i = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, i, plan, today).await?;
    tx.commit().await?;
    Ok(v)
}

/// A finding's rectification task, as the inspector gives it.
#[derive(Debug, Clone, Default)]
pub struct FindingInput {
    /// The failed item's code.
    pub item_code: String,
    /// What must be put right (default: the item and the inspector's note).
    pub description: Option<String>,
    /// Who puts it right.
    pub responsible_id: Option<UserId>,
    /// The same, by username (forms).
    pub responsible_username: Option<String>,
    /// By when.
    pub due_on: Option<Day>,
    /// The language of the default description.
    pub lang: Option<castellan_domain::Lang>,
}

/// Opens the rectification task of a failed item (an inspector of it, or a manager, while
/// it is in progress): the caller verifies it, so the responsible person must be someone
/// else. One task per finding.
pub async fn open_finding(
    app: &App,
    ctx: &Ctx,
    id: i64,
    input: &FindingInput,
) -> Result<(InspectionView, Rectification)> {
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let (i, plan) = load(&mut tx, ctx, id).await?;
    if !performs(ctx, &i) {
        return Err(forbidden());
    }
    if i.status == InspectionStatus::Completed {
        return Err(InspectionConflict::InspectionCompleted.into());
    }
    let lines = store::results(&mut tx, id).await?;
    let code = input.item_code.trim();
    let line = lines
        .iter()
        .find(|l| l.item.code.eq_ignore_ascii_case(code))
        .ok_or_else(|| {
            crate::Error::from(FieldErrors::single(
                "item_code",
                FieldErrorKind::invalid(
                    "is not an item of this inspection's checklist",
                    "不是本次检查的检查项",
                ),
            ))
        })?;
    if line.result != Some(ItemResult::Fail) {
        return Err(InspectionConflict::NotAFinding.into());
    }
    if line.rectification_id.is_some() {
        return Err(InspectionConflict::FindingHasTask.into());
    }
    let description = match input
        .description
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => d.to_owned(),
        None => {
            let mut d = format!(
                "[{}] {}",
                line.item.code,
                line.item
                    .text_in(input.lang.unwrap_or(castellan_domain::Lang::En))
            );
            if let Some(n) = &line.note {
                d.push('\n');
                d.push_str(n);
            }
            d.chars().take(4000).collect()
        }
    };
    let task = tasks::open_on(
        &mut tx,
        ctx,
        &OpenInput {
            source: RectificationSource::Inspection.code().to_owned(),
            source_id: id,
            description,
            responsible_id: input.responsible_id,
            responsible_username: input.responsible_username.clone(),
            verifier_id: None,
            verifier_username: None,
            due_on: input.due_on,
        },
        today,
    )
    .await?;
    if !store::set_rectification(&mut tx, line.id, task.id).await? {
        return Err(InspectionConflict::FindingHasTask.into());
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(InspectionAction::Finding, InspectionRecord::Inspection, id)
            .after(&serde_json::json!({"item_code": line.item.code, "rectification": task.code})),
    )
    .await?;
    let i = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, i, plan, today).await?;
    tx.commit().await?;
    Ok((v, task))
}

/// Moves an inspection: `in_progress` (started without results yet) or `completed` (every
/// item has its result and every finding its task: 409 otherwise), with the inspectors'
/// summary. Completing moves the plan's next due day past the day it was performed.
pub async fn transition(
    app: &App,
    ctx: &Ctx,
    id: i64,
    to: &str,
    summary: Option<&str>,
    version: Option<i64>,
) -> Result<InspectionView> {
    let to = InspectionStatus::from_code(to.trim()).map_err(|k| FieldErrors::single("to", k))?;
    let summary = clean_multiline(summary, 4000).map_err(|k| FieldErrors::single("comment", k))?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let (before, plan) = load(&mut tx, ctx, id).await?;
    if let Some(v) = version
        && v != before.version
    {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let roles = ctx.principal.roles_over(None);
    FLOW.check(
        before.status,
        to,
        &Caller {
            user: ctx.principal.user_id,
            roles: &roles,
            step_approver: false,
        },
        &rules::subject(before.created_by, &before.inspector_ids),
        summary.as_deref(),
    )
    .map_err(|r| crate::workflow::refusal(r, Resource::Inspection))?;
    let now = Timestamp::now();
    let mut i = before.clone();
    i.status = to;
    if to == InspectionStatus::InProgress && i.performed_at.is_none() {
        i.performed_at = Some(today);
    }
    let mut plan_after = None;
    if to == InspectionStatus::Completed {
        let lines = store::results(&mut tx, id).await?;
        rules::check_complete(&lines)?;
        i.summary = summary.clone().or(i.summary);
        i.completed_at = Some(now);
        i.completed_by = Some(ctx.principal.user_id);
        let performed = i.performed_at.unwrap_or(today);
        let next = plan.frequency.next_due(i.due_on, performed);
        if next > plan.next_due_at && plan.status == PlanStatus::Approved {
            let mut p = plan.clone();
            p.next_due_at = next;
            plan_after = Some(p);
        }
    }
    if !store::save(&mut tx, &i, now).await? {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let actor = ctx.actor();
    wf::record_move(
        &mut tx,
        PROCESS,
        id,
        before.status.code(),
        i.status.code(),
        (actor.id, actor.name),
        summary.as_deref(),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        &actor,
        Event::new(Verb::Transition, InspectionRecord::Inspection, id)
            .before(&serde_json::json!({"status": before.status}))
            .after(&serde_json::json!({"status": i.status, "summary": i.summary, "performed_at": i.performed_at})),
    )
    .await?;
    if let Some(p) = plan_after {
        let key = None;
        // The plan keeps its chain columns: an approved plan waits for nobody.
        if !pstore::save(&mut tx, &p, key, now).await? {
            return Err(DomainError::StaleVersion { current: p.version }.into());
        }
        audit::record(
            &mut tx,
            &actor,
            Event::new(Verb::Update, InspectionRecord::InspectionPlan, p.id)
                .before(&serde_json::json!({"next_due_at": plan.next_due_at}))
                .after(&serde_json::json!({"next_due_at": p.next_due_at})),
        )
        .await?;
    }
    let i = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let plan = pstore::get(&mut tx, plan.id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, i, plan, today).await?;
    tx.commit().await?;
    Ok(v)
}

/// The moves of an inspection, oldest first.
pub async fn moves(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<MoveRecord>> {
    let mut conn = app.db().read().await?;
    load(&mut conn, ctx, id).await?;
    Ok(wf::moves(&mut conn, PROCESS, id).await?)
}

fn line_of<'a>(lines: &'a [ResultLine], code: &str) -> Result<&'a ResultLine> {
    lines
        .iter()
        .find(|l| l.item.code.eq_ignore_ascii_case(code.trim()))
        .ok_or_else(|| DomainError::not_found("inspection item").into())
}

/// Attaches an evidence file to an item (an inspector of it, or a manager, until it is
/// completed). Over the limit it is refused (413) and nothing is stored.
pub async fn attach<S, E>(
    app: &App,
    ctx: &Ctx,
    id: i64,
    item_code: &str,
    name: &str,
    media_type: Option<&str>,
    body: S,
) -> Result<Attachment>
where
    S: futures_util::Stream<Item = std::result::Result<bytes::Bytes, E>>,
    E: Into<crate::Error>,
{
    let line = {
        let mut conn = app.db().read().await?;
        let (i, _) = load(&mut conn, ctx, id).await?;
        if !performs(ctx, &i) {
            return Err(forbidden());
        }
        if i.status == InspectionStatus::Completed {
            return Err(InspectionConflict::InspectionCompleted.into());
        }
        let lines = store::results(&mut conn, id).await?;
        line_of(&lines, item_code)?.id
    };
    let limit = app.settings().attachment_limit_bytes;
    attachments::save(
        app,
        ctx,
        evidence_owner(line),
        name,
        media_type,
        body,
        limit,
    )
    .await
}

/// The evidence files of an inspection, per item code (items without files left out).
pub async fn evidence(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<(String, Vec<Attachment>)>> {
    let lines = {
        let mut conn = app.db().read().await?;
        load(&mut conn, ctx, id).await?;
        store::results(&mut conn, id).await?
    };
    let mut out = Vec::new();
    for l in lines {
        let files = attachments::list(app, evidence_owner(l.id)).await?;
        if !files.is_empty() {
            out.push((l.item.code, files));
        }
    }
    Ok(out)
}

/// One evidence file of an inspection and its content (404 for another record's file).
pub async fn open_evidence(
    app: &App,
    ctx: &Ctx,
    id: i64,
    attachment: i64,
) -> Result<(
    Attachment,
    impl futures_util::Stream<Item = Result<bytes::Bytes>> + Send + 'static + use<>,
)> {
    let lines = {
        let mut conn = app.db().read().await?;
        load(&mut conn, ctx, id).await?;
        store::results(&mut conn, id).await?
    };
    let line = attachments::owner_id(app, EVIDENCE_OWNER, attachment)
        .await?
        .filter(|owner| lines.iter().any(|l| l.id == *owner))
        .ok_or_else(|| crate::Error::from(DomainError::not_found("attachment")))?;
    attachments::open(app, evidence_owner(line), attachment).await
}

/// The inspection as a source of rectification tasks: read by the caller (else 404),
/// handled by its inspectors and the managers, open while in progress.
pub(crate) async fn as_source(
    conn: &mut Conn,
    ctx: &Ctx,
    id: i64,
) -> Result<(Inspection, InspectionPlan, bool)> {
    let (i, p) = load(conn, ctx, id).await?;
    let manages = performs(ctx, &i);
    Ok((i, p, manages))
}
