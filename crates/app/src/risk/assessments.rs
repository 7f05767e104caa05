//! Risk assessments (SPEC §4): the project with its scope, team, plan and checklist, and
//! the phase workflow. Who may move it is decided by `assessment::check_move`; what may be
//! changed in each phase by `Phase::allows`; both from the domain crate.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::risk::risk_tables;
use crate::{App, Ctx};
use castellan_domain::ids::{AssessmentId, AssetId};
use castellan_domain::paging::{Cursor, Page, Sort, parse_limit};
use castellan_domain::risk::RiskConflict;
use castellan_domain::risk::assessment::{
    self as flow, Area, Caller, MoveRefusal, NotReady, Phase, Technique, Work,
};
use castellan_domain::risk::register::{Assessment, ChecklistItem, PhaseMove};
use castellan_domain::risk::{DEFAULT_ACCEPTANCE_THRESHOLD, Level, RiskMethod};
use castellan_domain::sod::Authors;
use castellan_domain::values::{clean_multiline, clean_optional, clean_text};
use castellan_domain::{
    Action, Day, DepartmentId, DomainError, FieldErrorKind, FieldErrors, Resource, Role, Timestamp,
    UserId,
};
use castellan_store::risk::assessments::{self as store, AssessmentFields, AssessmentFilter};
use castellan_store::{
    Conn, asset::assets as asset_store, org::departments, org::users, risk::risks,
};

/// An assessment as submitted for creation.
#[derive(Debug, Clone, Default)]
pub struct AssessmentInput {
    /// Name.
    pub name: String,
    /// Purpose and background.
    pub description: Option<String>,
    /// Method code (default `multiplication`).
    pub method: Option<String>,
    /// Acceptance threshold 1–5 (default 4).
    pub acceptance_threshold: Option<i64>,
    /// Planned start (YYYY-MM-DD).
    pub planned_start: Option<String>,
    /// Planned end (YYYY-MM-DD).
    pub planned_end: Option<String>,
    /// Departments in scope.
    pub department_ids: Vec<i64>,
    /// Assets in scope.
    pub asset_ids: Vec<i64>,
    /// Team members (user ids); the creator when empty.
    pub team: Vec<i64>,
}

/// A partial change; `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct AssessmentPatch {
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<Option<String>>,
    /// Method (only before any risk is rated).
    pub method: Option<String>,
    /// Acceptance threshold.
    pub acceptance_threshold: Option<i64>,
    /// Planned start.
    pub planned_start: Option<Option<String>>,
    /// Planned end.
    pub planned_end: Option<Option<String>>,
    /// Departments in scope.
    pub department_ids: Option<Vec<i64>>,
    /// Assets in scope.
    pub asset_ids: Option<Vec<i64>>,
    /// Team.
    pub team: Option<Vec<i64>>,
}

/// An assessment as its readers see it.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    /// The record.
    pub assessment: Assessment,
    /// The phases the caller may move it to now.
    pub allowed_transitions: Vec<Phase>,
    /// Whether the caller may change its content (in the phases that allow it).
    pub may_edit: bool,
    /// Number of risks.
    pub risk_count: i64,
}

/// The caller as the workflow sees them.
pub(crate) fn caller<'a>(ctx: &Ctx, roles: &'a [Role]) -> Caller<'a> {
    Caller::new(ctx.principal.user_id, roles)
}

/// The assessment's authors for separation of duties: its creator, its submitter and its
/// team.
pub(crate) fn authors(a: &Assessment) -> Authors<'_> {
    Authors {
        created_by: a.created_by,
        submitted_by: a.submitted_by,
        team: &a.team,
    }
}

/// The roles the caller holds without a department limit (assessments are
/// organization-wide, so a department-limited grant does not reach them).
pub(crate) fn global_roles(ctx: &Ctx) -> Vec<Role> {
    ctx.principal
        .grants
        .iter()
        .filter(|g| g.department_id.is_none())
        .map(|g| g.role)
        .collect()
}

async fn view(conn: &mut Conn, ctx: &Ctx, assessment: Assessment) -> Result<AssessmentView> {
    let roles = global_roles(ctx);
    let c = caller(ctx, &roles);
    let may_update = ctx.principal.is_allowed(
        Resource::Assessment,
        Action::Update,
        castellan_domain::Target::Global,
    );
    let allowed_transitions = if may_update {
        flow::allowed_moves(assessment.phase, &c, &authors(&assessment))
    } else {
        Vec::new()
    };
    let may_edit =
        may_update && assessment.phase.is_open() && flow::may_edit(&c, &authors(&assessment));
    let risk_count = risks::count(conn, assessment.id).await?;
    Ok(AssessmentView {
        assessment,
        allowed_transitions,
        may_edit,
        risk_count,
    })
}

/// Loads an assessment for reading.
pub(crate) async fn load(conn: &mut Conn, ctx: &Ctx, id: AssessmentId) -> Result<Assessment> {
    ctx.principal
        .read_scope(Resource::Assessment, Action::Read)?;
    store::get(conn, id)
        .await?
        .ok_or_else(|| DomainError::not_found("assessment").into())
}

/// Loads an assessment for a change of kind `work`: the caller must be on its team or a
/// security officer, and the phase must allow the work.
pub(crate) async fn load_for(
    conn: &mut Conn,
    ctx: &Ctx,
    id: AssessmentId,
    work: Work,
) -> Result<Assessment> {
    let a = load(conn, ctx, id).await?;
    ensure_may(ctx, &a, work)?;
    Ok(a)
}

/// The checks of [`load_for`] on an assessment already loaded.
pub(crate) fn ensure_may(ctx: &Ctx, a: &Assessment, work: Work) -> Result<()> {
    ctx.principal.authorize(
        Resource::Assessment,
        Action::Update,
        castellan_domain::Target::Global,
    )?;
    let roles = global_roles(ctx);
    let c = caller(ctx, &roles);
    if work != Work::Acceptance && !flow::may_edit(&c, &authors(a)) {
        return Err(DomainError::Forbidden {
            resource: Resource::Assessment,
            action: Action::Update,
        }
        .into());
    }
    if !a.phase.allows(work) {
        return Err(RiskConflict::AssessmentPhase.into());
    }
    Ok(())
}

struct Valid {
    name: String,
    description: Option<String>,
    method: RiskMethod,
    threshold: Level,
    planned_start: Option<Day>,
    planned_end: Option<Day>,
    departments: Vec<DepartmentId>,
    assets: Vec<AssetId>,
    team: Vec<UserId>,
}

fn day(raw: Option<&str>) -> std::result::Result<Option<Day>, FieldErrorKind> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Day::parse(s).map(Some),
    }
}

fn unique(ids: &[i64]) -> std::result::Result<Vec<i64>, FieldErrorKind> {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if !seen.insert(*id) {
            return Err(FieldErrorKind::Duplicate);
        }
    }
    if ids.len() > 10_000 {
        return Err(FieldErrorKind::TooLong { max: 10_000 });
    }
    Ok(ids.to_vec())
}

async fn validate(conn: &mut Conn, input: &AssessmentInput) -> Result<Valid> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", clean_text(&input.name, 1, 200));
    let description = errors.check(
        "description",
        clean_multiline(input.description.as_deref(), 8000),
    );
    let method = errors.check(
        "method",
        RiskMethod::from_code(input.method.as_deref().map_or("multiplication", str::trim)),
    );
    let threshold = errors.check(
        "acceptance_threshold",
        input
            .acceptance_threshold
            .map_or(Ok(DEFAULT_ACCEPTANCE_THRESHOLD), Level::new),
    );
    let start = errors.check("planned_start", day(input.planned_start.as_deref()));
    let end = errors.check("planned_end", day(input.planned_end.as_deref()));
    if let (Some(Some(s)), Some(Some(e))) = (start, end)
        && e < s
    {
        errors.add(
            "planned_end",
            FieldErrorKind::invalid(
                "the end cannot be before the start",
                "结束日期不能早于开始日期",
            ),
        );
    }
    let departments = errors.check("department_ids", unique(&input.department_ids));
    if let Some(ids) = &departments {
        for (i, id) in ids.iter().enumerate() {
            if departments::get(conn, DepartmentId(*id)).await?.is_none() {
                errors.add(format!("department_ids[{i}]"), FieldErrorKind::NoSuchRecord);
            }
        }
    }
    let assets = errors.check("asset_ids", unique(&input.asset_ids));
    if let Some(ids) = &assets {
        let ids: Vec<AssetId> = ids.iter().copied().map(AssetId).collect();
        let found = asset_store::get_many(conn, &ids).await?;
        for (i, id) in ids.iter().enumerate() {
            if !found.iter().any(|a| a.id == *id) {
                errors.add(format!("asset_ids[{i}]"), FieldErrorKind::NoSuchRecord);
            }
        }
    }
    let team = errors.check("team", unique(&input.team));
    if let Some(ids) = &team {
        for (i, id) in ids.iter().enumerate() {
            match users::get(conn, UserId(*id)).await? {
                None => errors.add(format!("team[{i}]"), FieldErrorKind::NoSuchRecord),
                Some(u)
                    if !u.roles.iter().any(|g| {
                        g.department_id.is_none()
                            && matches!(g.role, Role::Assessor | Role::SecurityOfficer)
                    }) =>
                {
                    errors.add(
                        format!("team[{i}]"),
                        FieldErrorKind::RoleRequired {
                            roles: &[Role::Assessor, Role::SecurityOfficer],
                            organization_wide: true,
                        },
                    )
                }
                Some(_) => {}
            }
        }
    }
    errors.into_result()?;
    match (
        name,
        description,
        method,
        threshold,
        start,
        end,
        departments,
        assets,
        team,
    ) {
        (
            Some(name),
            Some(description),
            Some(method),
            Some(threshold),
            Some(planned_start),
            Some(planned_end),
            Some(d),
            Some(a),
            Some(t),
        ) => Ok(Valid {
            name,
            description,
            method,
            threshold,
            planned_start,
            planned_end,
            departments: d.into_iter().map(DepartmentId).collect(),
            assets: a.into_iter().map(AssetId).collect(),
            team: t.into_iter().map(UserId).collect(),
        }),
        _ => Err(DomainError::BadRequest("invalid assessment".into()).into()),
    }
}

/// Starts an assessment in `preparation` with the organization's current tables and the
/// default checklist. The creator is the team when no team is named.
pub async fn create(app: &App, ctx: &Ctx, input: &AssessmentInput) -> Result<AssessmentView> {
    ctx.principal.authorize(
        Resource::Assessment,
        Action::Create,
        castellan_domain::Target::Global,
    )?;
    let mut input = input.clone();
    if input.team.is_empty() && !ctx.system {
        input.team = vec![ctx.principal.user_id.0];
    }
    let mut tx = app.db().begin().await?;
    let valid = validate(&mut tx, &input).await?;
    let (tables, tables_version) = risk_tables::current(&mut tx).await?;
    let now = Timestamp::now();
    let fields = AssessmentFields {
        name: &valid.name,
        description: valid.description.as_deref(),
        method: valid.method,
        tables_version,
        tables: &tables,
        acceptance_threshold: valid.threshold,
        planned_start: valid.planned_start,
        planned_end: valid.planned_end,
    };
    let creator = (!ctx.system).then_some(ctx.principal.user_id);
    let id = store::insert(&mut tx, &fields, creator, &flow::default_checklist(), now).await?;
    store::set_members(&mut tx, id, &valid.departments, &valid.assets, &valid.team).await?;
    let a = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("assessment"))?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Create,
            castellan_domain::risk::audit::RiskRecord::Assessment,
            id,
        )
        .after(&a),
    )
    .await?;
    let v = view(&mut tx, ctx, a).await?;
    tx.commit().await?;
    Ok(v)
}

/// One assessment.
pub async fn get(app: &App, ctx: &Ctx, id: AssessmentId) -> Result<AssessmentView> {
    let mut conn = app.db().read().await?;
    let a = load(&mut conn, ctx, id).await?;
    view(&mut conn, ctx, a).await
}

/// Changes the plan (name, scope, team, dates, method, threshold) if `version` is current;
/// possible in preparation and identification.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: AssessmentId,
    patch: &AssessmentPatch,
    version: i64,
) -> Result<AssessmentView> {
    let mut tx = app.db().begin().await?;
    let before = load_for(&mut tx, ctx, id, Work::Plan).await?;
    if before.version != version {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let p = patch.clone();
    let input = AssessmentInput {
        name: p.name.unwrap_or_else(|| before.name.clone()),
        description: p.description.unwrap_or_else(|| before.description.clone()),
        method: Some(p.method.unwrap_or_else(|| before.method.code().into())),
        acceptance_threshold: Some(
            p.acceptance_threshold
                .unwrap_or(i64::from(before.acceptance_threshold.get())),
        ),
        planned_start: p
            .planned_start
            .unwrap_or_else(|| before.planned_start.map(Day::to_db)),
        planned_end: p
            .planned_end
            .unwrap_or_else(|| before.planned_end.map(Day::to_db)),
        department_ids: p
            .department_ids
            .unwrap_or_else(|| before.department_ids.iter().map(|d| d.0).collect()),
        asset_ids: p
            .asset_ids
            .unwrap_or_else(|| before.asset_ids.iter().map(|a| a.0).collect()),
        team: p
            .team
            .unwrap_or_else(|| before.team.iter().map(|u| u.0).collect()),
    };
    let valid = validate(&mut tx, &input).await?;
    if valid.team.is_empty() {
        return Err(FieldErrors::single("team", FieldErrorKind::Required).into());
    }
    let now = Timestamp::now();
    let fields = AssessmentFields {
        name: &valid.name,
        description: valid.description.as_deref(),
        method: valid.method,
        tables_version: before.tables_version,
        tables: &before.tables,
        acceptance_threshold: valid.threshold,
        planned_start: valid.planned_start,
        planned_end: valid.planned_end,
    };
    if !store::update(&mut tx, id, &fields, version, now).await? {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    store::set_members(&mut tx, id, &valid.departments, &valid.assets, &valid.team).await?;
    let mut after = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("assessment"))?;
    if after.method != before.method {
        risk_tables::rerate(
            &mut tx,
            &after,
            &after.tables,
            Some((before.method, &before.tables)),
        )
        .await?;
        after = store::get(&mut tx, id)
            .await?
            .ok_or(DomainError::not_found("assessment"))?;
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Update,
            castellan_domain::risk::audit::RiskRecord::Assessment,
            id,
        )
        .before(&before)
        .after(&after),
    )
    .await?;
    let v = view(&mut tx, ctx, after).await?;
    tx.commit().await?;
    Ok(v)
}

pub(crate) fn refusal(r: MoveRefusal) -> crate::Error {
    crate::workflow::refusal(r, Resource::Assessment)
}

fn not_ready(r: NotReady) -> crate::Error {
    match r {
        NotReady::Unrated(_) => RiskConflict::RisksUnrated.into(),
        NotReady::Untreated(_) => RiskConflict::RisksUntreated.into(),
        NotReady::AcceptanceMissing(_) => RiskConflict::CommitteeApprovalMissing.into(),
        NotReady::ResidualUnrated(_) => RiskConflict::ResidualUnrated.into(),
        NotReady::ResidualOpen(_) => RiskConflict::ResidualAboveThreshold.into(),
    }
}

/// Moves an assessment to phase `to` (SPEC §4): the workflow decides who may, returns need
/// a comment, nobody reviews what they submitted, and the plan or residual report go on
/// only when their risks are complete. `version`, when given, must be current.
pub async fn transition(
    app: &App,
    ctx: &Ctx,
    id: AssessmentId,
    to: &str,
    comment: Option<&str>,
    version: Option<i64>,
) -> Result<AssessmentView> {
    ctx.principal.authorize(
        Resource::Assessment,
        Action::Update,
        castellan_domain::Target::Global,
    )?;
    let mut errors = FieldErrors::new();
    let to = errors.check("to", Phase::from_code(to.trim()));
    let comment = errors.check("comment", clean_multiline(comment, 4000));
    errors.into_result()?;
    let (Some(to), Some(comment)) = (to, comment) else {
        return Err(DomainError::BadRequest("invalid transition".into()).into());
    };
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
    let roles = global_roles(ctx);
    let c = caller(ctx, &roles);
    let m = flow::check_move(before.phase, to, &c, &authors(&before), comment.as_deref())
        .map_err(refusal)?;
    let facts = risks::readiness(&mut tx, id, before.acceptance_threshold).await?;
    flow::check_ready(to, &facts).map_err(not_ready)?;
    let submitted_by = if m.submits() {
        Some(ctx.principal.user_id)
    } else {
        None
    };
    let actor = ctx.actor();
    let now = Timestamp::now();
    if !store::move_phase(
        &mut tx,
        id,
        before.phase,
        to,
        submitted_by,
        (actor.id, actor.name),
        comment.as_deref(),
        now,
    )
    .await?
    {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    if let Some(decision) = m.kind.decision_code() {
        // Every decision is an approval record too (SPEC §6.0): the review is step 0, the
        // residual review step 1; the round counts how often the assessment entered it.
        let process = flow::FLOW.process;
        let round =
            castellan_store::workflow::times_entered(&mut tx, process, id.0, before.phase.code())
                .await?;
        let decision = castellan_domain::workflow::Decision::from_code(decision)
            .map_err(|_| crate::Error::internal("decision code"))?;
        castellan_store::workflow::record_approval(
            &mut tx,
            &castellan_store::workflow::NewApproval {
                process,
                item_id: id.0,
                round: round.max(1),
                step: i64::from(before.phase == Phase::ResidualReview),
                step_name: before.phase.code(),
                approver: (actor.id, actor.name),
                decision,
                comment: comment.as_deref(),
                at: now,
            },
        )
        .await?;
    }
    audit::record(
        &mut tx,
        &actor,
        Event::new(
            castellan_domain::audit::Verb::Transition,
            castellan_domain::risk::audit::RiskRecord::Assessment,
            id,
        )
        .before(&serde_json::json!({"phase": before.phase}))
        .after(&serde_json::json!({"phase": to, "comment": comment})),
    )
    .await?;
    let after = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("assessment"))?;
    let v = view(&mut tx, ctx, after).await?;
    tx.commit().await?;
    Ok(v)
}

/// The moves of an assessment, oldest first.
pub async fn moves(app: &App, ctx: &Ctx, id: AssessmentId) -> Result<Vec<PhaseMove>> {
    let mut conn = app.db().read().await?;
    load(&mut conn, ctx, id).await?;
    Ok(store::moves(&mut conn, id).await?)
}

/// The checklist of an assessment.
pub async fn checklist(app: &App, ctx: &Ctx, id: AssessmentId) -> Result<Vec<ChecklistItem>> {
    let mut conn = app.db().read().await?;
    load(&mut conn, ctx, id).await?;
    Ok(store::checklist(&mut conn, id).await?)
}

/// Marks a checklist row (area × technique) done or not, with a note. Possible while the
/// assessment is being identified and analysed.
pub async fn set_checklist_item(
    app: &App,
    ctx: &Ctx,
    id: AssessmentId,
    area: &str,
    technique: &str,
    done: bool,
    note: Option<&str>,
) -> Result<Vec<ChecklistItem>> {
    let mut errors = FieldErrors::new();
    let area = errors.check("area", Area::from_code(area.trim()));
    let technique = errors.check("technique", Technique::from_code(technique.trim()));
    let note = errors.check("note", clean_optional(note, 2000));
    errors.into_result()?;
    let (Some(area), Some(technique), Some(note)) = (area, technique, note) else {
        return Err(DomainError::BadRequest("invalid checklist item".into()).into());
    };
    let mut tx = app.db().begin().await?;
    let a = load(&mut tx, ctx, id).await?;
    // The checklist is worked through from preparation until the risks are analysed.
    let work = if a.phase == Phase::Analysis {
        Work::Risks
    } else {
        Work::Plan
    };
    ensure_may(ctx, &a, work)?;
    let item = ChecklistItem {
        area,
        technique,
        done,
        note,
    };
    store::set_checklist_item(&mut tx, id, &item).await?;
    store::touch(&mut tx, id, Timestamp::now()).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Update,
            castellan_domain::risk::audit::RiskRecord::AssessmentChecklist,
            id,
        )
        .after(&item),
    )
    .await?;
    let list = store::checklist(&mut tx, id).await?;
    tx.commit().await?;
    Ok(list)
}

/// Filters of the assessment list.
#[derive(Debug, Clone, Default)]
pub struct AssessmentQuery {
    /// Phase code.
    pub phase: Option<String>,
    /// Substring of the name.
    pub q: Option<String>,
    /// Only those the caller is on the team of.
    pub mine: bool,
    /// Sort (`-updated_at` by default).
    pub sort: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// One page of assessments.
pub async fn list(app: &App, ctx: &Ctx, query: &AssessmentQuery) -> Result<Page<AssessmentView>> {
    ctx.principal
        .read_scope(Resource::Assessment, Action::Read)?;
    let mut errors = FieldErrors::new();
    let limit = errors.check("limit", parse_limit(query.limit));
    let sort = errors.check(
        "sort",
        Sort::parse(
            Some(query.sort.as_deref().unwrap_or("-updated_at")),
            store::SORTS,
        ),
    );
    let phase = query
        .phase
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|p| errors.check("phase", Phase::from_code(p)));
    errors.into_result()?;
    let (Some(limit), Some(sort)) = (limit, sort) else {
        return Err(DomainError::BadRequest("invalid query".into()).into());
    };
    let after = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, &sort.code(), 2))
        .transpose()?;
    let filter = AssessmentFilter {
        phase,
        q: query.q.clone(),
        member: query.mine.then_some(ctx.principal.user_id),
    };
    let mut conn = app.db().read().await?;
    let (items, next) = store::list(&mut conn, &filter, sort, after.as_ref(), limit).await?;
    let mut views = Vec::with_capacity(items.len());
    for a in items {
        let full = store::get(&mut conn, a.id).await?.unwrap_or(a);
        views.push(view(&mut conn, ctx, full).await?);
    }
    Ok(Page {
        items: views,
        next_cursor: next.map(|c| c.encode()),
    })
}

/// The people an assessment names (team, movers, approvers), by id, for display. Anyone who
/// may read assessments sees the names of those who work on them.
pub async fn people(
    app: &App,
    ctx: &Ctx,
    ids: &[UserId],
) -> Result<std::collections::HashMap<UserId, crate::asset::assets::OwnerRef>> {
    ctx.principal
        .read_scope(Resource::Assessment, Action::Read)?;
    let mut conn = app.db().read().await?;
    let mut out = std::collections::HashMap::new();
    for id in ids {
        if out.contains_key(id) {
            continue;
        }
        if let Some(u) = users::get(&mut conn, *id).await? {
            out.insert(
                *id,
                crate::asset::assets::OwnerRef {
                    id: u.id,
                    username: u.username,
                    display_name: u.display_name,
                },
            );
        }
    }
    Ok(out)
}

/// A user named in a form by username (team members), for someone who may create or change
/// assessments.
pub async fn person_by_username(
    app: &App,
    ctx: &Ctx,
    username: &str,
) -> Result<Option<crate::asset::assets::OwnerRef>> {
    ctx.principal
        .read_scope(Resource::Assessment, Action::Read)?;
    let mut conn = app.db().read().await?;
    let name = username.trim().to_lowercase();
    Ok(users::find_by_username(&mut conn, &name)
        .await?
        .map(|u| crate::asset::assets::OwnerRef {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
        }))
}

/// The assets with these codes, as (code, id) — `None` for a code that names no asset.
pub async fn assets_by_code(
    app: &App,
    ctx: &Ctx,
    codes: &[String],
) -> Result<Vec<(String, Option<AssetId>)>> {
    ctx.principal
        .read_scope(Resource::Assessment, Action::Read)?;
    let mut conn = app.db().read().await?;
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        let found = asset_store::find_by_code(&mut conn, code).await?;
        out.push((code.clone(), found.map(|a| a.id)));
    }
    Ok(out)
}

/// Code and name of some assets (an assessment's scope), in id order.
pub async fn asset_names(
    app: &App,
    ctx: &Ctx,
    ids: &[AssetId],
) -> Result<Vec<(AssetId, String, String)>> {
    ctx.principal
        .read_scope(Resource::Assessment, Action::Read)?;
    let mut conn = app.db().read().await?;
    Ok(asset_store::get_many(&mut conn, ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a.code, a.name))
        .collect())
}

/// The latest audit entries of an assessment, newest first.
pub async fn history(
    app: &App,
    ctx: &Ctx,
    id: AssessmentId,
) -> Result<Vec<castellan_domain::audit::AuditEntry>> {
    get(app, ctx, id).await?;
    crate::audit::history_of(
        app,
        castellan_domain::risk::audit::RiskRecord::Assessment,
        &id.to_string(),
    )
    .await
}
