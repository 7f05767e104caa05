//! Trainings of a plan: added and changed by training managers, held (with the day) or
//! cancelled once the plan is approved; completion per department; everyone's own trainings;
//! the year's records as a workbook.

use super::plans::{manages, not_found as plan_not_found};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::ids::DepartmentId;
use castellan_domain::training::audit::{TrainingAction, TrainingRecord};
use castellan_domain::training::{
    self as rules, Attendance, PlanStatus, Training, TrainingConflict, TrainingInput, TrainingPlan,
    TrainingStatus,
};
use castellan_domain::{
    Action, Day, DomainError, FieldErrorKind, FieldErrors, Lang, Resource, Target, Text, Timestamp,
};
use castellan_store::Conn;
use castellan_store::org::departments;
use castellan_store::training::{plans as pstore, trainings as store};

pub(crate) fn not_found() -> crate::Error {
    DomainError::not_found("training").into()
}

pub(crate) fn today(app: &App) -> Day {
    Day::of_at(Timestamp::now(), app.settings().utc_offset())
}

/// Whether the caller reads everyone's attendance and the completion.
pub fn reads_records(ctx: &Ctx) -> bool {
    ctx.principal
        .is_allowed(Resource::TrainingRecords, Action::Read, Target::Global)
}

/// A training as a caller sees it.
#[derive(Debug, Clone)]
pub struct TrainingView {
    /// The record.
    pub training: Training,
    /// Its plan.
    pub plan: TrainingPlan,
    /// How many people it is for.
    pub audience: i64,
    /// Recorded: attended, absent.
    pub attended: i64,
    /// Recorded absent.
    pub absent: i64,
    /// Whether the caller may change it and record attendance.
    pub may_manage: bool,
}

pub(crate) async fn load(conn: &mut Conn, id: i64) -> Result<(Training, TrainingPlan)> {
    let t = store::get(conn, id).await?.ok_or_else(not_found)?;
    let p = pstore::get(conn, t.plan_id).await?.ok_or_else(not_found)?;
    Ok((t, p))
}

async fn view(conn: &mut Conn, ctx: &Ctx, t: Training, plan: TrainingPlan) -> Result<TrainingView> {
    let audience = store::audience_size(conn, t.id).await?;
    let (attended, absent) = store::attendance_counts(conn, t.id).await?;
    Ok(TrainingView {
        may_manage: manages(ctx),
        audience,
        attended,
        absent,
        training: t,
        plan,
    })
}

fn snapshot(t: &Training) -> serde_json::Value {
    serde_json::json!({
        "plan_id": t.plan_id, "title": t.title, "topic": t.topic,
        "audience_department_ids": t.audience_department_ids.iter().map(|d| d.0).collect::<Vec<_>>(),
        "audience_roles": t.audience_roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
        "planned_month": t.planned_month, "held_at": t.held_at, "trainer": t.trainer,
        "document_id": t.document_id, "status": t.status,
    })
}

/// A training as its editor gives it.
#[derive(Debug, Clone, Default)]
pub struct TrainingForm {
    /// Title, topic, month, trainer, audience roles.
    pub fields: TrainingInput,
    /// Audience departments.
    pub department_ids: Vec<DepartmentId>,
    /// Material (a document of the register).
    pub document_id: Option<i64>,
    /// Status code (changes only).
    pub status: Option<String>,
    /// The day it was held (with `held`).
    pub held_at: Option<Day>,
}

async fn checked(
    conn: &mut Conn,
    form: &TrainingForm,
) -> Result<(
    castellan_domain::training::TrainingFields,
    Vec<DepartmentId>,
)> {
    let mut errors = FieldErrors::new();
    let mut depts = Vec::new();
    for (i, d) in form.department_ids.iter().enumerate() {
        if departments::get(conn, *d).await?.is_none() {
            errors.add(
                format!("audience_department_ids[{i}]"),
                FieldErrorKind::NoSuchRecord,
            );
        } else if !depts.contains(d) {
            depts.push(*d);
        }
    }
    if let Some(doc) = form.document_id
        && castellan_store::document::documents::get(conn, doc)
            .await?
            .is_none()
    {
        errors.add("document_id", FieldErrorKind::NoSuchRecord);
    }
    let fields = form.fields.check(errors)?;
    Ok((fields, depts))
}

/// Adds a training to a plan (training managers), while the plan is a draft or approved.
pub async fn create(
    app: &App,
    ctx: &Ctx,
    plan_id: i64,
    form: &TrainingForm,
) -> Result<TrainingView> {
    ctx.principal
        .authorize(Resource::Training, Action::Create, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let plan = pstore::get(&mut tx, plan_id)
        .await?
        .ok_or_else(plan_not_found)?;
    if plan.status == PlanStatus::InReview {
        return Err(TrainingConflict::PlanLocked.into());
    }
    let (f, depts) = checked(&mut tx, form).await?;
    let now = Timestamp::now();
    let mut t = Training {
        id: 0,
        plan_id,
        title: f.title,
        topic: f.topic,
        audience_department_ids: depts,
        audience_roles: f.audience_roles,
        planned_month: f.planned_month,
        held_at: None,
        trainer: f.trainer,
        document_id: form.document_id,
        status: TrainingStatus::Planned,
        created_by: (!ctx.system).then_some(ctx.principal.user_id),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    t.id = store::insert(&mut tx, &t).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, TrainingRecord::Training, t.id).after(&snapshot(&t)),
    )
    .await?;
    let v = view(&mut tx, ctx, t, plan).await?;
    tx.commit().await?;
    Ok(v)
}

/// One training.
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<TrainingView> {
    ctx.principal
        .authorize(Resource::Training, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    let (t, p) = load(&mut conn, id).await?;
    view(&mut conn, ctx, t, p).await
}

/// A plan's trainings, by month.
pub async fn of_plan(app: &App, ctx: &Ctx, plan_id: i64) -> Result<Vec<Training>> {
    ctx.principal
        .authorize(Resource::Training, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    pstore::get(&mut conn, plan_id)
        .await?
        .ok_or_else(plan_not_found)?;
    Ok(store::of_plan(&mut conn, plan_id).await?)
}

/// Changes a training (training managers) if `version` is current. Holding it (`held`,
/// with the day, within the plan's year and not after today) or cancelling it needs an
/// approved plan; a held training keeps its attendance, a cancelled one loses it.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    form: &TrainingForm,
    version: i64,
) -> Result<TrainingView> {
    ctx.principal
        .authorize(Resource::Training, Action::Update, Target::Global)?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let (before, plan) = load(&mut tx, id).await?;
    if before.version != version {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    if plan.status == PlanStatus::InReview {
        return Err(TrainingConflict::PlanLocked.into());
    }
    let (f, depts) = checked(&mut tx, form).await?;
    let status = match form.status.as_deref().map(str::trim) {
        None | Some("") => before.status,
        Some(code) => {
            TrainingStatus::from_code(code).map_err(|k| FieldErrors::single("status", k))?
        }
    };
    let mut t = before.clone();
    t.title = f.title;
    t.topic = f.topic;
    t.planned_month = f.planned_month;
    t.trainer = f.trainer;
    t.audience_roles = f.audience_roles;
    t.audience_department_ids = depts;
    t.document_id = form.document_id;
    t.status = status;
    match status {
        TrainingStatus::Held => {
            if plan.status != PlanStatus::Approved {
                return Err(TrainingConflict::PlanNotApproved.into());
            }
            let day = form
                .held_at
                .or(before.held_at)
                .ok_or_else(|| FieldErrors::single("held_at", FieldErrorKind::Required))?;
            t.held_at = Some(
                rules::check_held(day, plan.year, today)
                    .map_err(|k| FieldErrors::single("held_at", k))?,
            );
        }
        TrainingStatus::Cancelled => {
            if plan.status != PlanStatus::Approved {
                return Err(TrainingConflict::PlanNotApproved.into());
            }
            t.held_at = None;
            store::clear(&mut tx, id).await?;
        }
        TrainingStatus::Planned => t.held_at = None,
    }
    let now = Timestamp::now();
    if !store::save(&mut tx, &t, now).await? {
        return Err(DomainError::StaleVersion { current: t.version }.into());
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, TrainingRecord::Training, id)
            .before(&snapshot(&before))
            .after(&snapshot(&t)),
    )
    .await?;
    let (t, p) = load(&mut tx, id).await?;
    let v = view(&mut tx, ctx, t, p).await?;
    tx.commit().await?;
    Ok(v)
}

/// One department's completion.
#[derive(Debug, Clone)]
pub struct CompletionLine {
    /// The department (`None`: people without one).
    pub department_id: Option<DepartmentId>,
    /// Attendances expected at the trainings held.
    pub expected: i64,
    /// Of them, attended.
    pub attended: i64,
}

/// Completion per department of the trainings held under a plan (those who read training
/// records): for each training held, each person it was for counts once.
pub async fn completion(
    app: &App,
    ctx: &Ctx,
    plan_id: i64,
) -> Result<(TrainingPlan, Vec<CompletionLine>)> {
    ctx.principal
        .authorize(Resource::TrainingRecords, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    let plan = pstore::get(&mut conn, plan_id)
        .await?
        .ok_or_else(plan_not_found)?;
    let lines = store::completion(&mut conn, plan_id)
        .await?
        .into_iter()
        .map(|c| CompletionLine {
            department_id: c.department_id,
            expected: c.expected,
            attended: c.attended,
        })
        .collect();
    Ok((plan, lines))
}

/// The caller's trainings of `year` (under its approved plan), with their attendance.
pub async fn mine(app: &App, ctx: &Ctx, year: i32) -> Result<Vec<(Training, Option<Attendance>)>> {
    ctx.principal
        .authorize(Resource::Training, Action::Read, Target::Global)?;
    if !(2000..=2100).contains(&year) {
        return Err(FieldErrors::single(
            "year",
            FieldErrorKind::OutOfRange {
                min: 2000,
                max: 2100,
            },
        )
        .into());
    }
    let mut conn = app.db().read().await?;
    Ok(store::of_person(&mut conn, ctx.principal.user_id, year).await?)
}

/// The plan's attendance records as an XLSX workbook in `lang` (those who read training
/// records); the export is recorded in the audit trail.
pub async fn export_xlsx(
    app: &App,
    ctx: &Ctx,
    plan_id: i64,
    lang: Lang,
) -> Result<(TrainingPlan, Vec<u8>)> {
    use castellan_tabular::{Cell, TableWriter};
    ctx.principal
        .authorize(Resource::TrainingRecords, Action::Read, Target::Global)?;
    let zh = lang == Lang::ZhCn;
    let label = |t: Text| if zh { t.zh } else { t.en };
    let mut conn = app.db().read().await?;
    let plan = pstore::get(&mut conn, plan_id)
        .await?
        .ok_or_else(plan_not_found)?;
    let trainings = store::of_plan(&mut conn, plan_id).await?;
    let records = store::records_of_plan(&mut conn, plan_id).await?;
    let names: std::collections::HashMap<i64, String> = departments::all(&mut conn, 100_000)
        .await?
        .into_iter()
        .map(|d| (d.id.0, d.name))
        .collect();
    drop(conn);
    let headers: Vec<&str> = [
        ("Training", "培训"),
        ("Month", "计划月份"),
        ("Held on", "举办日期"),
        ("Trainer", "讲师"),
        ("Username", "用户名"),
        ("Name", "姓名"),
        ("Department", "部门"),
        ("Attended", "出勤"),
        ("Score", "成绩"),
    ]
    .iter()
    .map(|(en, z)| if zh { *z } else { *en })
    .collect();
    let mut writer = TableWriter::xlsx(
        Vec::new(),
        if zh {
            "培训记录"
        } else {
            "training records"
        },
        &headers,
    )
    .map_err(crate::Error::internal)?;
    let (yes, no) = (
        label(Text {
            en: "Yes",
            zh: "是",
        }),
        label(Text {
            en: "No", zh: "否"
        }),
    );
    for (training, username, name, dept, attended, score) in &records {
        let Some(t) = trainings.iter().find(|t| t.id == *training) else {
            continue;
        };
        let month = t.planned_month.to_string();
        let held = t.held_at.map(|d| d.to_string());
        let dept_name = dept.and_then(|d| names.get(&d.0).cloned());
        let score_text = score.map(|s| s.to_string());
        writer
            .row(&[
                Cell::Text(&t.title),
                Cell::Text(&month),
                held.as_deref().map_or(Cell::Empty, Cell::Text),
                t.trainer.as_deref().map_or(Cell::Empty, Cell::Text),
                Cell::Text(username),
                Cell::Text(name),
                dept_name.as_deref().map_or(Cell::Empty, Cell::Text),
                Cell::Text(if *attended { yes } else { no }),
                score_text.as_deref().map_or(Cell::Empty, Cell::Text),
            ])
            .map_err(crate::Error::internal)?;
    }
    let bytes = writer.finish().map_err(crate::Error::internal)?;
    let mut tx = app.db().begin().await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            TrainingAction::Export,
            TrainingRecord::TrainingPlan,
            plan_id,
        )
        .after(&serde_json::json!({"trainings": records.len(), "format": "xlsx"})),
    )
    .await?;
    tx.commit().await?;
    Ok((plan, bytes))
}
