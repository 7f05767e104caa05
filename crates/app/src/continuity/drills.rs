//! Drills of DR plans (SPEC §6.7): the day, scenario, participants, result and the recovery
//! time achieved against the plan's RTO; each problem found — and a missed RTO — opens a
//! rectification task in the same transaction (the recorder verifies it), so a drill never
//! keeps a problem without its task. Evidence files are attachments of the drill.

use super::dr_plans::not_found as plan_not_found;
use super::{authorize_read, authorize_write, people, person, stale, today, writes};
use crate::attachments::{self, Attachment, Owner};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::rectification::tasks::{self as tasks, OpenInput};
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::continuity::audit::{ContinuityAction, ContinuityRecord};
use castellan_domain::continuity::{
    self as rules, ContinuityConflict, Drill, DrillInput, DrillResult, ProblemKind,
};
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::paging::Page;
use castellan_domain::rectification::RectificationSource;
use castellan_domain::{Action, Day, DomainError, FieldErrors, Lang, Timestamp};
use castellan_store::Conn;
use castellan_store::continuity::dr_plans as pstore;
use castellan_store::continuity::drills::{self as store, DrillFilter, DrillLine};

/// Files attached to a drill belong to it under this kind.
const ATTACHMENT_OWNER: &str = "drill";

fn owner(id: i64) -> Owner {
    Owner {
        kind: ATTACHMENT_OWNER,
        id,
    }
}

fn not_found() -> crate::Error {
    DomainError::not_found("drill").into()
}

/// A problem found in a drill, with the task it opens.
#[derive(Debug, Clone, Default)]
pub struct ProblemForm {
    /// What is wrong.
    pub description: String,
    /// Who puts it right (default: the DR plan's owner).
    pub responsible_id: Option<UserId>,
    /// The same, by username (forms).
    pub responsible_username: Option<String>,
    /// By when (default: a month from today).
    pub due_at: Option<Day>,
}

/// A drill as its recorder gives it. On a change, what is not given stays, and `problems`
/// are added to those already recorded.
#[derive(Debug, Clone, Default)]
pub struct DrillForm {
    /// The plan drilled (new drills).
    pub dr_plan_id: Option<i64>,
    /// The day it was held.
    pub held_at: Option<Day>,
    /// What was simulated.
    pub scenario: Option<String>,
    /// Who took part (replacing the list when given).
    pub participant_ids: Option<Vec<UserId>>,
    /// The same, by usernames (forms).
    pub participant_usernames: Option<Vec<String>>,
    /// `passed`, `partial`, `failed`.
    pub result: Option<String>,
    /// Hours the recovery took (none when it did not complete).
    pub achieved_rto_hours: Option<i64>,
    /// Whether `achieved_rto_hours` is given at all (a change may clear it).
    pub achieved_given: bool,
    /// Conclusions.
    pub summary: Option<String>,
    /// Problems found (each opens a task).
    pub problems: Vec<ProblemForm>,
    /// Who puts a missed RTO right (default: the DR plan's owner).
    pub rto_responsible_id: Option<UserId>,
    /// The same, by username (forms).
    pub rto_responsible_username: Option<String>,
    /// By when (default: a month from today).
    pub rto_due_at: Option<Day>,
    /// The language of the missed-RTO task's description.
    pub lang: Option<Lang>,
}

/// A drill as a caller sees it.
#[derive(Debug, Clone)]
pub struct DrillView {
    /// The drill with its plan's code, title and RTO.
    pub line: DrillLine,
    /// Whether it missed its plan's RTO.
    pub missed_rto: bool,
    /// Its rectification tasks.
    pub tasks: Vec<tasks::TaskView>,
    /// Whether the caller may change it.
    pub may_edit: bool,
}

async fn view(conn: &mut Conn, ctx: &Ctx, line: DrillLine, today: Day) -> Result<DrillView> {
    let tasks = castellan_store::rectification::tasks::of_source(
        conn,
        RectificationSource::Drill,
        line.drill.id,
    )
    .await?
    .into_iter()
    .map(|t| tasks::list_view(ctx, t, today))
    .collect();
    Ok(DrillView {
        missed_rto: line.missed_rto(),
        may_edit: writes(ctx),
        tasks,
        line,
    })
}

fn snapshot(d: &Drill) -> serde_json::Value {
    serde_json::json!({
        "code": d.code, "dr_plan_id": d.dr_plan_id, "held_at": d.held_at,
        "scenario": d.scenario,
        "participant_ids": d.participant_ids.iter().map(|u| u.0).collect::<Vec<_>>(),
        "result": d.result, "achieved_rto_hours": d.achieved_rto_hours, "summary": d.summary,
    })
}

struct CheckedProblem {
    description: String,
    responsible: Option<UserId>,
    due_at: Option<Day>,
}

async fn check_problems(
    conn: &mut Conn,
    form: &DrillForm,
    errors: &mut FieldErrors,
) -> Result<Vec<CheckedProblem>> {
    let mut out = Vec::new();
    for (i, p) in form.problems.iter().enumerate() {
        let description = rules::check_problem(
            &p.description,
            &format!("problems[{i}].description"),
            errors,
        );
        let responsible = person(
            conn,
            p.responsible_id,
            p.responsible_username.as_deref(),
            &format!("problems[{i}].responsible_id"),
            errors,
        )
        .await?;
        out.push(CheckedProblem {
            description: description.unwrap_or_default(),
            responsible,
            due_at: p.due_at,
        });
    }
    Ok(out)
}

/// Opens the task of a problem just added to the drill; the task's refusals are named on
/// the drill's fields (`prefix` + the task's field).
#[allow(clippy::too_many_arguments)]
async fn open_task(
    tx: &mut Conn,
    ctx: &Ctx,
    drill: i64,
    kind: ProblemKind,
    description: &str,
    responsible: UserId,
    due_at: Day,
    fields: (&str, &str),
    today: Day,
) -> Result<()> {
    let now = Timestamp::now();
    let problem = store::add_problem(tx, drill, kind, description, now).await?;
    let opened = tasks::open_on(
        tx,
        ctx,
        &OpenInput {
            source: RectificationSource::Drill.code().to_owned(),
            source_id: drill,
            description: description.to_owned(),
            responsible_id: Some(responsible),
            responsible_username: None,
            verifier_id: None,
            verifier_username: None,
            due_on: Some(due_at),
        },
        today,
    )
    .await;
    let task = match opened {
        Ok(t) => t,
        Err(crate::Error::Domain(DomainError::Validation(e))) => {
            let mut errors = FieldErrors::new();
            for fe in e.iter() {
                let field = match fe.field.as_str() {
                    "due_at" => fields.1,
                    _ => fields.0,
                };
                if errors.get(field).is_none() {
                    errors.add(field, fe.kind.clone());
                }
            }
            return Err(DomainError::Validation(errors).into());
        }
        Err(e) => return Err(e),
    };
    if !store::set_rectification(tx, problem, task.id).await? {
        return Err(ContinuityConflict::ProblemHasTask.into());
    }
    audit::record(
        tx,
        &ctx.actor(),
        Event::new(ContinuityAction::DrillProblem, ContinuityRecord::Drill, drill).after(
            &serde_json::json!({"kind": kind, "description": description, "rectification": task.code}),
        ),
    )
    .await?;
    Ok(())
}

fn missed_text(lang: Lang, line: &DrillLine, achieved: Option<i64>) -> String {
    match (lang, achieved) {
        (Lang::ZhCn, Some(a)) => format!(
            "演练 {} 恢复用时 {} 小时，超过预案 {}（{}）的恢复时间目标 {} 小时，请查明原因并整改。",
            line.drill.code, a, line.plan_code, line.plan_title, line.plan_rto_hours
        ),
        (Lang::ZhCn, None) => format!(
            "演练 {} 未能完成恢复，未达到预案 {}（{}）的恢复时间目标 {} 小时，请查明原因并整改。",
            line.drill.code, line.plan_code, line.plan_title, line.plan_rto_hours
        ),
        (_, Some(a)) => format!(
            "Drill {}: recovery took {} h, beyond the {} h RTO of {} ({}). Find the cause and put it right.",
            line.drill.code, a, line.plan_rto_hours, line.plan_code, line.plan_title
        ),
        (_, None) => format!(
            "Drill {}: recovery did not complete within the {} h RTO of {} ({}). Find the cause and put it right.",
            line.drill.code, line.plan_rto_hours, line.plan_code, line.plan_title
        ),
    }
}

/// The tasks a drill's change calls for, with who puts them right.
struct TaskPlan<'a> {
    /// The new problems found.
    problems: &'a [CheckedProblem],
    /// Who puts a missed RTO right (else the plan's owner).
    rto_responsible: Option<UserId>,
    /// The DR plan's owner.
    plan_owner: UserId,
}

/// Opens the tasks a drill's change calls for: the missed RTO's (once per drill) and one per
/// new problem.
async fn open_tasks(
    tx: &mut Conn,
    ctx: &Ctx,
    id: i64,
    form: &DrillForm,
    plan: TaskPlan<'_>,
    today: Day,
) -> Result<()> {
    let TaskPlan {
        problems,
        rto_responsible,
        plan_owner,
    } = plan;
    let line = store::get(tx, id).await?.ok_or_else(not_found)?;
    let default_due = today.plus_months(1);
    if line.missed_rto()
        && !line
            .drill
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::MissedRto)
    {
        let text = missed_text(
            form.lang.unwrap_or(Lang::En),
            &line,
            line.drill.achieved_rto_hours,
        );
        open_task(
            tx,
            ctx,
            id,
            ProblemKind::MissedRto,
            &text,
            rto_responsible.unwrap_or(plan_owner),
            form.rto_due_at.unwrap_or(default_due),
            ("rto_responsible_id", "rto_due_at"),
            today,
        )
        .await?;
    }
    for (i, p) in problems.iter().enumerate() {
        let r = format!("problems[{i}].responsible_id");
        let d = format!("problems[{i}].due_at");
        open_task(
            tx,
            ctx,
            id,
            ProblemKind::Found,
            &p.description,
            p.responsible.unwrap_or(plan_owner),
            p.due_at.unwrap_or(default_due),
            (&r, &d),
            today,
        )
        .await?;
    }
    Ok(())
}

/// Records a drill of a DR plan (the continuity writers): held between the day the plan came
/// into force and today, active participants, a known result; its problems and a missed RTO
/// open rectification tasks verified by the recorder. Every refusal leaves nothing behind.
pub async fn create(app: &App, ctx: &Ctx, form: &DrillForm) -> Result<DrillView> {
    authorize_write(ctx, Action::Create)?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let mut errors = FieldErrors::new();
    let plan = match form.dr_plan_id {
        Some(id) => pstore::get(&mut tx, id).await?,
        None => None,
    };
    if plan.is_none() {
        errors.add(
            "dr_plan_id",
            if form.dr_plan_id.is_some() {
                castellan_domain::FieldErrorKind::NoSuchRecord
            } else {
                castellan_domain::FieldErrorKind::Required
            },
        );
    }
    let input = DrillInput {
        held_at: form.held_at,
        scenario: form.scenario.clone().unwrap_or_default(),
        result: form.result.clone().unwrap_or_default(),
        achieved_rto_hours: form.achieved_rto_hours,
        summary: form.summary.clone(),
    };
    let fields = rules::check_drill(
        &input,
        plan.as_ref().map(|p| p.adopted_at),
        today,
        &mut errors,
    );
    let participants = people(
        &mut tx,
        form.participant_ids.as_deref().unwrap_or_default(),
        form.participant_usernames.as_deref().unwrap_or_default(),
        "participant_ids",
        &mut errors,
    )
    .await?;
    let rto_responsible = person(
        &mut tx,
        form.rto_responsible_id,
        form.rto_responsible_username.as_deref(),
        "rto_responsible_id",
        &mut errors,
    )
    .await?;
    let problems = check_problems(&mut tx, form, &mut errors).await?;
    errors.into_result()?;
    let (Some(plan), Some(f)) = (plan, fields) else {
        return Err(plan_not_found());
    };
    let me = ctx.principal.user_id;
    let now = Timestamp::now();
    let year = f.held_at.date().year();
    let n = castellan_store::workflow::next_number(&mut tx, &format!("DRL-{year}")).await?;
    let mut d = Drill {
        id: 0,
        code: format!("DRL-{year}-{n:04}"),
        dr_plan_id: plan.id,
        held_at: f.held_at,
        scenario: f.scenario,
        participant_ids: participants,
        result: f.result,
        achieved_rto_hours: f.achieved_rto_hours,
        summary: f.summary,
        problems: Vec::new(),
        created_by: (!ctx.system).then_some(me),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    d.id = store::insert(&mut tx, &d).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, ContinuityRecord::Drill, d.id).after(&snapshot(&d)),
    )
    .await?;
    open_tasks(
        &mut tx,
        ctx,
        d.id,
        form,
        TaskPlan {
            problems: &problems,
            rto_responsible,
            plan_owner: plan.owner_id,
        },
        today,
    )
    .await?;
    let line = store::get(&mut tx, d.id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, line, today).await?;
    tx.commit().await?;
    Ok(v)
}

/// One drill with its tasks.
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<DrillView> {
    authorize_read(ctx)?;
    let mut conn = app.db().read().await?;
    let line = store::get(&mut conn, id).await?.ok_or_else(not_found)?;
    view(&mut conn, ctx, line, today(app)).await
}

/// Changes a drill (the continuity writers) at `version` (412 when stale): its fields as for
/// a new one; new problems, and an RTO now missed, open their tasks.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    form: &DrillForm,
    version: i64,
) -> Result<DrillView> {
    authorize_write(ctx, Action::Update)?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let before = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    if before.drill.version != version {
        return Err(stale(before.drill.version));
    }
    let plan = pstore::get(&mut tx, before.drill.dr_plan_id)
        .await?
        .ok_or_else(plan_not_found)?;
    let mut errors = FieldErrors::new();
    if form.dr_plan_id.is_some_and(|p| p != plan.id) {
        errors.add(
            "dr_plan_id",
            castellan_domain::FieldErrorKind::invalid(
                "a drill stays with the plan it drilled",
                "演练所属预案不能更改",
            ),
        );
    }
    let b = &before.drill;
    let input = DrillInput {
        held_at: form.held_at.or(Some(b.held_at)),
        scenario: form.scenario.clone().unwrap_or_else(|| b.scenario.clone()),
        result: form
            .result
            .clone()
            .unwrap_or_else(|| b.result.code().to_owned()),
        achieved_rto_hours: if form.achieved_given {
            form.achieved_rto_hours
        } else {
            b.achieved_rto_hours
        },
        summary: form.summary.clone().or_else(|| b.summary.clone()),
    };
    let fields = rules::check_drill(&input, Some(plan.adopted_at), today, &mut errors);
    let participants = if form.participant_ids.is_some() || form.participant_usernames.is_some() {
        Some(
            people(
                &mut tx,
                form.participant_ids.as_deref().unwrap_or_default(),
                form.participant_usernames.as_deref().unwrap_or_default(),
                "participant_ids",
                &mut errors,
            )
            .await?,
        )
    } else {
        None
    };
    let rto_responsible = person(
        &mut tx,
        form.rto_responsible_id,
        form.rto_responsible_username.as_deref(),
        "rto_responsible_id",
        &mut errors,
    )
    .await?;
    let problems = check_problems(&mut tx, form, &mut errors).await?;
    errors.into_result()?;
    let Some(f) = fields else {
        return Err(not_found());
    };
    let mut d = before.drill.clone();
    d.held_at = f.held_at;
    d.scenario = f.scenario;
    d.result = f.result;
    d.achieved_rto_hours = f.achieved_rto_hours;
    d.summary = f.summary;
    if let Some(p) = participants {
        d.participant_ids = p;
    }
    if !store::save(&mut tx, &d, Timestamp::now()).await? {
        return Err(stale(before.drill.version));
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, ContinuityRecord::Drill, id)
            .before(&snapshot(&before.drill))
            .after(&snapshot(&d)),
    )
    .await?;
    open_tasks(
        &mut tx,
        ctx,
        id,
        form,
        TaskPlan {
            problems: &problems,
            rto_responsible,
            plan_owner: plan.owner_id,
        },
        today,
    )
    .await?;
    let line = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, line, today).await?;
    tx.commit().await?;
    Ok(v)
}

/// The drill list's query.
#[derive(Debug, Clone, Default)]
pub struct DrillQuery {
    /// The plan drilled.
    pub dr_plan_id: Option<i64>,
    /// `passed`, `partial`, `failed`.
    pub result: Option<String>,
    /// Only those that missed their plan's RTO.
    pub missed_rto: bool,
    /// Held in this year.
    pub year: Option<i32>,
    /// Words of the code, scenario or plan title.
    pub q: Option<String>,
    /// `-held_at` (default), `held_at`, `code`, `result`.
    pub sort: Option<String>,
    /// Page cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// A line of the drill list.
#[derive(Debug, Clone)]
pub struct ListedDrill {
    /// The drill with its plan.
    pub line: DrillLine,
    /// Whether it missed its plan's RTO.
    pub missed_rto: bool,
}

/// One page of drills and how many match.
pub async fn list(app: &App, ctx: &Ctx, query: &DrillQuery) -> Result<(Page<ListedDrill>, i64)> {
    authorize_read(ctx)?;
    let args = crate::paging::args(
        query.limit,
        query.sort.as_deref(),
        "-held_at",
        store::SORTS,
        query.cursor.as_deref(),
    )?;
    let mut errors = FieldErrors::new();
    let result = query
        .result
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| errors.check("result", DrillResult::from_code(s)));
    let year = match query.year {
        Some(y) if !(2000..=2100).contains(&y) => {
            errors.add(
                "year",
                castellan_domain::FieldErrorKind::OutOfRange {
                    min: 2000,
                    max: 2100,
                },
            );
            None
        }
        y => y,
    };
    errors.into_result()?;
    let bound = |m: time::Month, d: u8, y: i32| {
        time::Date::from_calendar_date(y, m, d)
            .ok()
            .map(Day::from_date)
    };
    let filter = DrillFilter {
        plan: query.dr_plan_id,
        result,
        missed_rto: query.missed_rto,
        from: year.and_then(|y| bound(time::Month::January, 1, y)),
        to: year.and_then(|y| bound(time::Month::December, 31, y)),
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
            items: items
                .into_iter()
                .map(|line| ListedDrill {
                    missed_rto: line.missed_rto(),
                    line,
                })
                .collect(),
            next_cursor: next.map(|c| c.encode()),
        },
        total,
    ))
}

/// Attaches a file (a drill record, screenshots, logs) to a drill (the continuity writers).
/// Over the limit it is refused (413) and nothing is stored.
pub async fn attach<S, E>(
    app: &App,
    ctx: &Ctx,
    id: i64,
    name: &str,
    media_type: Option<&str>,
    body: S,
) -> Result<Attachment>
where
    S: futures_util::Stream<Item = std::result::Result<bytes::Bytes, E>>,
    E: Into<crate::Error>,
{
    authorize_write(ctx, Action::Update)?;
    {
        let mut conn = app.db().read().await?;
        store::get(&mut conn, id).await?.ok_or_else(not_found)?;
    }
    let limit = app.settings().attachment_limit_bytes;
    attachments::save(app, ctx, owner(id), name, media_type, body, limit).await
}

/// A drill's files, oldest first.
pub async fn attachments(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<Attachment>> {
    authorize_read(ctx)?;
    {
        let mut conn = app.db().read().await?;
        store::get(&mut conn, id).await?.ok_or_else(not_found)?;
    }
    attachments::list(app, owner(id)).await
}

/// One file of a drill and its content (404 for another record's file).
pub async fn open_attachment(
    app: &App,
    ctx: &Ctx,
    id: i64,
    attachment: i64,
) -> Result<(
    Attachment,
    impl futures_util::Stream<Item = Result<bytes::Bytes>> + Send + 'static + use<>,
)> {
    authorize_read(ctx)?;
    {
        let mut conn = app.db().read().await?;
        store::get(&mut conn, id).await?.ok_or_else(not_found)?;
    }
    attachments::open(app, owner(id), attachment).await
}

/// The drill as a source of rectification tasks: read by the area's readers (else 404),
/// handled by its writers; its department is the DR plan owner's. Returns the drill's code,
/// its plan's title, that department and whether the caller handles it.
pub(crate) async fn as_source(
    conn: &mut Conn,
    ctx: &Ctx,
    id: i64,
) -> Result<(String, String, Option<DepartmentId>, bool)> {
    if authorize_read(ctx).is_err() {
        return Err(not_found());
    }
    let line = store::get(conn, id).await?.ok_or_else(not_found)?;
    let plan = pstore::get(conn, line.drill.dr_plan_id)
        .await?
        .ok_or_else(plan_not_found)?;
    let department = castellan_store::org::users::get(conn, plan.owner_id)
        .await?
        .and_then(|u| u.department_id);
    Ok((line.drill.code, line.plan_title, department, writes(ctx)))
}

/// The change history of a record of this kind (latest entries first).
pub async fn history(
    app: &App,
    ctx: &Ctx,
    id: i64,
) -> Result<Vec<castellan_domain::audit::AuditEntry>> {
    get(app, ctx, id).await?;
    audit::history_of(app, ContinuityRecord::Drill, &id.to_string()).await
}
