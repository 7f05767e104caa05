//! The risk treatment plan (SPEC §4.3): per risk, the measures with their control,
//! responsible department and person, due date, status and progress notes; overdue items
//! flagged; and each person's treatment tasks across assessments.
//!
//! Who may do what: the team (or a security officer) plans items while the assessment is
//! analysed or its treatment planned ([`Work::Treatment`]), and reports status and
//! progress while the plan is carried out ([`Work::Progress`]). In those later phases the
//! person responsible for an item may report its status and progress too, even without a
//! role on the assessment — and change nothing else.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::risk::assessments::{ensure_may, load};
use crate::{App, Ctx};
use castellan_domain::ids::{AssessmentId, ControlId, RiskId, TreatmentItemId};
use castellan_domain::paging::{Cursor, Page, parse_limit};
use castellan_domain::risk::RiskConflict;
use castellan_domain::risk::assessment::{Phase, Work};
use castellan_domain::risk::finding::TreatmentStatus;
use castellan_domain::risk::register::{Assessment, TreatmentItem};
use castellan_domain::values::{clean_multiline, clean_text};
use castellan_domain::{
    Action, Day, DepartmentId, DomainError, FieldErrorKind, FieldErrors, Resource, Timestamp,
    UserId,
};
use castellan_store::risk::treatment::{self as store, ItemFields};
use castellan_store::{Conn, org::departments, org::users, risk::findings, risk::risks};

/// Longest measure description, in characters.
const MEASURE_MAX: usize = 2000;
/// Longest progress notes, in characters.
const PROGRESS_MAX: usize = 8000;

/// A treatment item as submitted for creation.
#[derive(Debug, Clone, Default)]
pub struct TreatmentInput {
    /// What will be done.
    pub measure: String,
    /// The control it puts in place or improves.
    pub control_id: Option<i64>,
    /// Responsible department.
    pub department_id: Option<i64>,
    /// Responsible person.
    pub responsible_id: Option<i64>,
    /// Due date (YYYY-MM-DD).
    pub due_on: Option<String>,
    /// Status code (default `planned`).
    pub status: Option<String>,
}

/// A partial change of an item; `None` leaves a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TreatmentPatch {
    /// What will be done.
    pub measure: Option<String>,
    /// The control.
    pub control_id: Option<Option<i64>>,
    /// Responsible department.
    pub department_id: Option<Option<i64>>,
    /// Responsible person.
    pub responsible_id: Option<Option<i64>>,
    /// Due date.
    pub due_on: Option<Option<String>>,
    /// Status code.
    pub status: Option<String>,
    /// Progress notes.
    pub progress: Option<Option<String>>,
}

impl TreatmentPatch {
    /// Whether it changes the plan itself (anything but status and progress).
    fn plans(&self) -> bool {
        self.measure.is_some()
            || self.control_id.is_some()
            || self.department_id.is_some()
            || self.responsible_id.is_some()
            || self.due_on.is_some()
    }

    /// Whether it reports status or progress.
    fn reports(&self) -> bool {
        self.status.is_some() || self.progress.is_some()
    }
}

/// An item with what the plan and the task list show beside it.
#[derive(Debug, Clone)]
pub struct TreatmentView {
    /// The item.
    pub item: TreatmentItem,
    /// Open and past its due date today (UTC).
    pub overdue: bool,
    /// The assessment's name.
    pub assessment_name: String,
    /// The assessment's phase.
    pub assessment_phase: Phase,
    /// The risk's asset code.
    pub asset_code: String,
    /// The risk's threat code.
    pub threat_code: String,
}

/// Filters of a person's task list.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    /// Only planned and started items.
    pub open: bool,
    /// Cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

async fn views(conn: &mut Conn, items: Vec<TreatmentItem>) -> Result<Vec<TreatmentView>> {
    let mut risk_ids: Vec<RiskId> = items.iter().map(|i| i.risk_id).collect();
    risk_ids.sort();
    risk_ids.dedup();
    let contexts = store::contexts(conn, &risk_ids).await?;
    let today = Day::of(Timestamp::now());
    items
        .into_iter()
        .map(|item| {
            // Foreign keys keep every item's risk, assessment, asset and threat.
            let c = contexts
                .get(&item.risk_id)
                .ok_or_else(|| crate::Error::internal("treatment item without its risk"))?;
            Ok(TreatmentView {
                overdue: item.is_overdue(today),
                assessment_name: c.assessment_name.clone(),
                assessment_phase: c.assessment_phase,
                asset_code: c.asset_code.clone(),
                threat_code: c.threat_code.clone(),
                item,
            })
        })
        .collect()
}

async fn one_view(conn: &mut Conn, item: TreatmentItem) -> Result<TreatmentView> {
    views(conn, vec![item])
        .await?
        .pop()
        .ok_or_else(|| DomainError::not_found("treatment_item").into())
}

struct Valid {
    measure: String,
    control_id: Option<ControlId>,
    department_id: Option<DepartmentId>,
    responsible_id: Option<UserId>,
    due_on: Option<Day>,
    status: TreatmentStatus,
}

fn optional_day(raw: Option<&str>) -> std::result::Result<Option<Day>, FieldErrorKind> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Day::parse(s).map(Some),
    }
}

/// Checks `input`, recording refused fields in `errors`; `None` when any was refused.
async fn validate(
    conn: &mut Conn,
    input: &TreatmentInput,
    errors: &mut FieldErrors,
) -> Result<Option<Valid>> {
    let measure = errors.check("measure", clean_text(&input.measure, 1, MEASURE_MAX));
    let due_on = errors.check("due_on", optional_day(input.due_on.as_deref()));
    let status = errors.check(
        "status",
        TreatmentStatus::from_code(input.status.as_deref().map_or("planned", str::trim)),
    );
    let control_id = input.control_id.map(ControlId);
    if let Some(id) = control_id
        && findings::get_control(conn, id).await?.is_none()
    {
        errors.add("control_id", FieldErrorKind::NoSuchRecord);
    }
    let department_id = input.department_id.map(DepartmentId);
    if let Some(id) = department_id
        && departments::get(conn, id).await?.is_none()
    {
        errors.add("department_id", FieldErrorKind::NoSuchRecord);
    }
    let responsible_id = input.responsible_id.map(UserId);
    if let Some(id) = responsible_id
        && users::get(conn, id).await?.is_none()
    {
        errors.add("responsible_id", FieldErrorKind::NoSuchRecord);
    }
    if !errors.is_empty() {
        return Ok(None);
    }
    Ok(match (measure, due_on, status) {
        (Some(measure), Some(due_on), Some(status)) => Some(Valid {
            measure,
            control_id,
            department_id,
            responsible_id,
            due_on,
            status,
        }),
        _ => None,
    })
}

fn invalid() -> crate::Error {
    DomainError::BadRequest("invalid treatment item".into()).into()
}

fn check_version(item: &TreatmentItem, version: i64) -> Result<()> {
    if item.version == version {
        Ok(())
    } else {
        Err(DomainError::StaleVersion {
            current: item.version,
        }
        .into())
    }
}

/// Whether the caller is the person responsible for `item`.
fn is_responsible(ctx: &Ctx, item: &TreatmentItem) -> bool {
    !ctx.system && item.responsible_id == Some(ctx.principal.user_id)
}

/// The check for reporting status and progress: the team (or a security officer) in the
/// phases that allow it, or the person responsible for the item in the same phases.
fn ensure_may_report(ctx: &Ctx, a: &Assessment, item: &TreatmentItem) -> Result<()> {
    match ensure_may(ctx, a, Work::Progress) {
        Ok(()) => Ok(()),
        Err(_) if is_responsible(ctx, item) => {
            if a.phase.allows(Work::Progress) {
                Ok(())
            } else {
                Err(RiskConflict::AssessmentPhase.into())
            }
        }
        Err(e) => Err(e),
    }
}

/// Loads an item of `assessment` for a change. A caller who may not read assessments sees
/// only the items they are responsible for; others are not found.
async fn load_item(
    conn: &mut Conn,
    ctx: &Ctx,
    assessment: AssessmentId,
    id: TreatmentItemId,
) -> Result<(TreatmentItem, Assessment)> {
    let not_found = || DomainError::not_found("treatment_item");
    let item = store::get(conn, id)
        .await?
        .filter(|i| i.assessment_id == assessment)
        .ok_or_else(not_found)?;
    let reader = ctx
        .principal
        .read_scope(Resource::Assessment, Action::Read)
        .is_ok();
    if !reader && !is_responsible(ctx, &item) {
        return Err(not_found().into());
    }
    let a = castellan_store::risk::assessments::get(conn, assessment)
        .await?
        .ok_or_else(|| DomainError::not_found("assessment"))?;
    Ok((item, a))
}

/// Adds an item to a risk's treatment plan (while the assessment is analysed or its
/// treatment planned; the team or a security officer).
pub async fn create(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    risk: RiskId,
    input: &TreatmentInput,
) -> Result<TreatmentView> {
    let mut tx = app.db().begin().await?;
    let a = load(&mut tx, ctx, assessment).await?;
    let r = risks::get(&mut tx, risk)
        .await?
        .filter(|r| r.assessment_id == a.id)
        .ok_or(DomainError::not_found("risk"))?;
    ensure_may(ctx, &a, Work::Treatment)?;
    let mut errors = FieldErrors::new();
    let valid = validate(&mut tx, input, &mut errors).await?;
    errors.into_result()?;
    let valid = valid.ok_or_else(invalid)?;
    let fields = ItemFields {
        measure: &valid.measure,
        control_id: valid.control_id,
        department_id: valid.department_id,
        responsible_id: valid.responsible_id,
        due_on: valid.due_on,
        status: valid.status,
        progress: None,
    };
    let now = Timestamp::now();
    let item = store::insert(&mut tx, a.id, r.id, &fields, now).await?;
    castellan_store::risk::assessments::touch(&mut tx, a.id, now).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Create,
            castellan_domain::risk::audit::RiskRecord::TreatmentItem,
            item.id,
        )
        .after(&item),
    )
    .await?;
    let v = one_view(&mut tx, item).await?;
    tx.commit().await?;
    Ok(v)
}

/// Changes an item if `version` is current. The measure, control, department, person and
/// due date are planned ([`Work::Treatment`]); status and progress are reported
/// ([`Work::Progress`]), also by the person responsible for the item.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    id: TreatmentItemId,
    patch: &TreatmentPatch,
    version: i64,
) -> Result<TreatmentView> {
    let mut tx = app.db().begin().await?;
    let (before, a) = load_item(&mut tx, ctx, assessment, id).await?;
    if patch.plans() {
        ensure_may(ctx, &a, Work::Treatment)?;
    }
    if patch.reports() || !patch.plans() {
        ensure_may_report(ctx, &a, &before)?;
    }
    check_version(&before, version)?;
    let p = patch.clone();
    let input = TreatmentInput {
        measure: p.measure.unwrap_or_else(|| before.measure.clone()),
        control_id: p.control_id.unwrap_or(before.control_id.map(|c| c.0)),
        department_id: p.department_id.unwrap_or(before.department_id.map(|d| d.0)),
        responsible_id: p
            .responsible_id
            .unwrap_or(before.responsible_id.map(|u| u.0)),
        due_on: p.due_on.unwrap_or_else(|| before.due_on.map(Day::to_db)),
        status: Some(p.status.unwrap_or_else(|| before.status.code().into())),
    };
    let mut errors = FieldErrors::new();
    let progress = match &p.progress {
        None => Some(before.progress.clone()),
        Some(raw) => errors.check("progress", clean_multiline(raw.as_deref(), PROGRESS_MAX)),
    };
    let valid = validate(&mut tx, &input, &mut errors).await?;
    errors.into_result()?;
    let (Some(valid), Some(progress)) = (valid, progress) else {
        return Err(invalid());
    };
    let item = TreatmentItem {
        measure: valid.measure,
        control_id: valid.control_id,
        department_id: valid.department_id,
        responsible_id: valid.responsible_id,
        due_on: valid.due_on,
        status: valid.status,
        progress,
        ..before.clone()
    };
    if item == before {
        // Nothing changes: no write, no audit entry.
        let v = one_view(&mut tx, before).await?;
        tx.commit().await?;
        return Ok(v);
    }
    let now = Timestamp::now();
    let after = store::save(&mut tx, &item, now)
        .await?
        .ok_or(DomainError::StaleVersion {
            current: before.version,
        })?;
    castellan_store::risk::assessments::touch(&mut tx, a.id, now).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Update,
            castellan_domain::risk::audit::RiskRecord::TreatmentItem,
            id,
        )
        .before(&before)
        .after(&after),
    )
    .await?;
    let v = one_view(&mut tx, after).await?;
    tx.commit().await?;
    Ok(v)
}

/// Removes an item from the plan (while the treatment is planned; the team or a security
/// officer).
pub async fn delete(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    id: TreatmentItemId,
    version: i64,
) -> Result<()> {
    let mut tx = app.db().begin().await?;
    let (before, a) = load_item(&mut tx, ctx, assessment, id).await?;
    ensure_may(ctx, &a, Work::Treatment)?;
    check_version(&before, version)?;
    if !store::delete(&mut tx, id, version).await? {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    castellan_store::risk::assessments::touch(&mut tx, a.id, Timestamp::now()).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Delete,
            castellan_domain::risk::audit::RiskRecord::TreatmentItem,
            id,
        )
        .before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The whole treatment plan of an assessment, by risk, with overdue items flagged.
pub async fn list(app: &App, ctx: &Ctx, assessment: AssessmentId) -> Result<Vec<TreatmentView>> {
    let mut conn = app.db().read().await?;
    let a = load(&mut conn, ctx, assessment).await?;
    let items = store::list_for_assessment(&mut conn, a.id).await?;
    views(&mut conn, items).await
}

/// The treatment plan of one risk, with overdue items flagged.
pub async fn list_for_risk(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    risk: RiskId,
) -> Result<Vec<TreatmentView>> {
    let mut conn = app.db().read().await?;
    let a = load(&mut conn, ctx, assessment).await?;
    let r = risks::get(&mut conn, risk)
        .await?
        .filter(|r| r.assessment_id == a.id)
        .ok_or(DomainError::not_found("risk"))?;
    let items = store::list_for_risk(&mut conn, r.id).await?;
    views(&mut conn, items).await
}

/// One page of the items the caller is responsible for, across assessments, soonest due
/// first (undated last). Every signed-in user may list their own.
pub async fn mine(app: &App, ctx: &Ctx, query: &TaskQuery) -> Result<Page<TreatmentView>> {
    ctx.principal
        .read_scope(Resource::OwnAccount, Action::Read)?;
    let limit = parse_limit(query.limit).map_err(|e| FieldErrors::single("limit", e))?;
    let sort = store::TASK_SORT.code();
    let after = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, &sort, 2))
        .transpose()?;
    let mut conn = app.db().read().await?;
    let (items, next) = store::assigned_to(
        &mut conn,
        ctx.principal.user_id,
        query.open,
        after.as_ref(),
        limit,
    )
    .await?;
    Ok(Page {
        items: views(&mut conn, items).await?,
        next_cursor: next.map(|c| c.encode()),
    })
}
