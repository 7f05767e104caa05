//! Security incidents (SPEC §5): anyone reports; security officers and administrators
//! triage (class, level, category, team) and reject; the team handles the incident on its
//! timeline and closes it with the root cause and lessons learned; the committee notes
//! major and critical incidents.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::asset::Category;
use castellan_domain::audit::Verb;
use castellan_domain::ids::{AssetId, UserId};
use castellan_domain::incident::audit::{IncidentAction, IncidentRecord};
use castellan_domain::incident::{
    self as rules, Deadlines, FLOW, Incident, IncidentCategory, IncidentClass, IncidentConflict,
    IncidentLevel, IncidentStatus, Report, Triage,
};
use castellan_domain::paging::{Cursor, Page, Sort, parse_limit};
use castellan_domain::permission::Scope;
use castellan_domain::values::clean_multiline;
use castellan_domain::workflow::{Caller, MoveRecord, Refusal};
use castellan_domain::{
    Action, DepartmentPath, DomainError, FieldErrorKind, FieldErrors, Resource, Role, Target,
    Timestamp,
};
use castellan_store::Conn;
use castellan_store::incident::incidents::{
    self as store, IncidentFilter, MonthCount, Overdue, TimelineEntry, Visibility,
};
use castellan_store::org::{departments, users};
use castellan_store::workflow as wf;

mod evidence;
mod follow_up;
mod page;
mod rectification;

pub use evidence::{attach, attachments, open_attachment};
pub use follow_up::{FollowUp, propose_risk};
pub use page::{AffectedAsset, IncidentPage, page};
pub(crate) use rectification::{as_source, note_task};

const PROCESS: &str = FLOW.process;

/// The settings key of the deadlines.
const DEADLINES: &str = "incident_deadlines";

/// The most assets one incident names.
pub const MAX_ASSETS: usize = 100;

/// What a reporter says.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// What happened, in a line.
    pub title: String,
    /// What was seen.
    pub description: Option<String>,
    /// Where.
    pub location: Option<String>,
    /// When it happened.
    pub occurred_at: Option<Timestamp>,
    /// When it was noticed.
    pub detected_at: Option<Timestamp>,
    /// The assets affected, from the register.
    pub asset_ids: Vec<AssetId>,
    /// More affected assets, by their asset IDs (codes) as the register knows them (forms).
    pub asset_codes: Vec<String>,
}

/// What triage sets.
#[derive(Debug, Clone, Default)]
pub struct TriageInput {
    /// Class code.
    pub class: Option<String>,
    /// Level code.
    pub level: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// The handling team.
    pub handler_ids: Vec<UserId>,
    /// More of the team, by username (forms).
    pub handler_usernames: Vec<String>,
}

/// A change to an open incident's record (absent fields stay as they are).
#[derive(Debug, Clone, Default)]
pub struct IncidentPatch {
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<Option<String>>,
    /// Location.
    pub location: Option<Option<String>>,
    /// Affected assets.
    pub asset_ids: Option<Vec<AssetId>>,
    /// Root cause.
    pub root_cause: Option<Option<String>>,
    /// Lessons learned.
    pub lessons_learned: Option<Option<String>>,
}

/// An incident as a caller sees it.
#[derive(Debug, Clone)]
pub struct IncidentView {
    /// The record.
    pub incident: Incident,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<IncidentStatus>,
    /// Whether the caller may change its record and add timeline entries.
    pub may_handle: bool,
    /// Whether the caller may note it for the committee now.
    pub may_note: bool,
    /// When it must be triaged by.
    pub triage_due: Timestamp,
    /// Whether triage is (or was) late.
    pub triage_overdue: bool,
    /// When the committee must note it by (major and critical).
    pub notice_due: Option<Timestamp>,
    /// Whether the committee's notice is (or was) late.
    pub notice_late: bool,
}

/// The organization's deadlines and their version.
pub async fn deadlines(conn: &mut Conn) -> Result<(Deadlines, i64)> {
    let Some(s) = castellan_store::settings::get(conn, DEADLINES).await? else {
        return Ok((Deadlines::default(), 0));
    };
    let d = serde_json::from_value(s.value).map_err(crate::Error::internal)?;
    Ok((d, s.version))
}

/// The deadlines, for anyone signed in.
pub async fn get_deadlines(app: &App) -> Result<(Deadlines, i64)> {
    let mut conn = app.db().read().await?;
    deadlines(&mut conn).await
}

/// Sets the deadlines if `version` is current.
pub async fn set_deadlines(
    app: &App,
    ctx: &Ctx,
    d: Deadlines,
    version: i64,
) -> Result<(Deadlines, i64)> {
    ctx.principal
        .authorize(Resource::IncidentDeadlines, Action::Update, Target::Global)?;
    let d = d.check()?;
    let mut tx = app.db().begin().await?;
    let (before, current) = deadlines(&mut tx).await?;
    if current != version {
        return Err(DomainError::StaleVersion { current }.into());
    }
    let value = serde_json::to_value(d).map_err(crate::Error::internal)?;
    let new_version =
        castellan_store::settings::put(&mut tx, DEADLINES, &value, version, Timestamp::now())
            .await?
            .ok_or(DomainError::StaleVersion { current })?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, IncidentRecord::IncidentDeadlines, DEADLINES)
            .before(&before)
            .after(&d),
    )
    .await?;
    tx.commit().await?;
    Ok((d, new_version))
}

/// The department path of an incident (`None`: no department).
async fn path_of(conn: &mut Conn, i: &Incident) -> Result<Option<DepartmentPath>> {
    Ok(match i.department_id {
        Some(d) => departments::get(conn, d).await?.map(|d| d.path),
        None => None,
    })
}

/// The asset categories whose incidents a role sees (SPEC §1: network, application and
/// data administrators see incidents on their kind of asset).
fn categories_of(role: Role) -> &'static [Category] {
    match role {
        Role::NetworkAdmin => &[Category::NetworkDevice, Category::SecurityDevice],
        Role::ApplicationAdmin => &[Category::Software, Category::Server, Category::Service],
        Role::DataAdmin => &[Category::Database, Category::Data],
        _ => &[],
    }
}

/// The asset categories whose incidents the caller's roles see.
fn admin_categories(ctx: &Ctx) -> Vec<Category> {
    let mut categories: Vec<Category> = ctx
        .principal
        .grants
        .iter()
        .flat_map(|g| categories_of(g.role).iter().copied())
        .collect();
    categories.sort();
    categories.dedup();
    categories
}

/// What the caller reads, as a list filter.
fn visibility(ctx: &Ctx) -> Visibility {
    let me = ctx.principal.user_id;
    let mut v = Visibility {
        party: Some(me),
        ..Visibility::default()
    };
    match ctx
        .principal
        .read_scope(Resource::IncidentRegister, Action::Read)
    {
        Ok(Scope::All) => v.all = true,
        Ok(Scope::Departments(ids)) => {
            v.scope_paths = ids.iter().map(|d| format!("/{}/", d.0)).collect();
        }
        Err(_) => {}
    }
    v.categories = admin_categories(ctx);
    v
}

async fn ensure_readable(conn: &mut Conn, ctx: &Ctx, i: &Incident) -> Result<()> {
    let me = ctx.principal.user_id;
    if i.reporter_id == Some(me) || i.handler_ids.contains(&me) {
        return Ok(());
    }
    let path = path_of(conn, i).await?;
    let target = path.as_ref().map_or(Target::Global, Target::Department);
    if ctx
        .principal
        .is_allowed(Resource::IncidentRegister, Action::Read, target)
    {
        return Ok(());
    }
    let categories = admin_categories(ctx);
    if !categories.is_empty() && !i.affected_asset_ids.is_empty() {
        let recorded = store::recorded_categories(conn, i.id).await?;
        if recorded.iter().any(|c| categories.contains(c)) {
            return Ok(());
        }
    }
    Err(DomainError::not_found("incident").into())
}

async fn load(conn: &mut Conn, ctx: &Ctx, id: i64) -> Result<Incident> {
    let i = store::get(conn, id)
        .await?
        .ok_or(DomainError::not_found("incident"))?;
    ensure_readable(conn, ctx, &i).await?;
    Ok(i)
}

/// Whether the caller handles the incident: on its team, or a triager whose grant reaches
/// it.
fn handles(ctx: &Ctx, i: &Incident, roles: &[Role]) -> bool {
    i.handler_ids.contains(&ctx.principal.user_id)
        || roles.iter().any(|r| rules::TRIAGERS.contains(r))
}

fn writes(ctx: &Ctx) -> bool {
    ctx.principal
        .may_somewhere(Resource::Incident, Action::Update)
}

fn view_with(ctx: &Ctx, i: Incident, path: Option<&DepartmentPath>, d: Deadlines) -> IncidentView {
    let now = Timestamp::now();
    let roles = ctx.principal.roles_over(path);
    let caller = Caller::new(ctx.principal.user_id, &roles);
    let subject = rules::subject(i.reporter_id, &i.handler_ids);
    let write = writes(ctx);
    let allowed_transitions = if write {
        FLOW.allowed(i.status, &caller, &subject)
    } else {
        Vec::new()
    };
    let may_handle = write && !i.status.is_finished() && handles(ctx, &i, &roles);
    let may_note = write && i.awaits_committee() && roles.contains(&Role::Committee);
    IncidentView {
        allowed_transitions,
        may_handle,
        may_note,
        triage_due: i.triage_due(d),
        triage_overdue: i.triage_overdue(d, now),
        notice_due: i.notice_due(d),
        notice_late: i.notice_late(d, now),
        incident: i,
    }
}

async fn view(conn: &mut Conn, ctx: &Ctx, i: Incident) -> Result<IncidentView> {
    let (d, _) = deadlines(conn).await?;
    let path = path_of(conn, &i).await?;
    Ok(view_with(ctx, i, path.as_ref(), d))
}

/// The ids of assets named by their codes; an unknown code is refused on `asset_codes`.
async fn asset_codes(
    conn: &mut Conn,
    codes: &[String],
    errors: &mut FieldErrors,
) -> Result<Vec<AssetId>> {
    let mut ids = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if ids.len() > MAX_ASSETS {
            errors.add("asset_codes", FieldErrorKind::TooLong { max: MAX_ASSETS });
            break;
        }
        match castellan_store::asset::assets::find_by_code(conn, code).await? {
            Some(a) => ids.push(a.id),
            None => {
                errors.add("asset_codes", FieldErrorKind::NoSuchRecord);
                break;
            }
        }
    }
    Ok(ids)
}

async fn check_assets(conn: &mut Conn, ids: &[AssetId], errors: &mut FieldErrors) -> Vec<AssetId> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    if ids.len() > MAX_ASSETS {
        errors.add("asset_ids", FieldErrorKind::TooLong { max: MAX_ASSETS });
        return ids;
    }
    match castellan_store::asset::assets::get_many(conn, &ids).await {
        Ok(found) if found.len() == ids.len() => {}
        _ => errors.add("asset_ids", FieldErrorKind::NoSuchRecord),
    }
    ids
}

fn snapshot(i: &Incident) -> serde_json::Value {
    serde_json::json!({
        "code": i.code, "title": i.title, "description": i.description, "location": i.location,
        "occurred_at": i.occurred_at, "detected_at": i.detected_at, "reported_at": i.reported_at,
        "reporter_id": i.reporter_id.map(|u| u.0), "department_id": i.department_id.map(|d| d.0),
        "category": i.category, "class": i.class, "level": i.level, "status": i.status,
        "affected_asset_ids": i.affected_asset_ids.iter().map(|a| a.0).collect::<Vec<_>>(),
        "handler_ids": i.handler_ids.iter().map(|u| u.0).collect::<Vec<_>>(),
        "root_cause": i.root_cause, "lessons_learned": i.lessons_learned,
        "rejection_reason": i.rejection_reason,
    })
}

/// Reports an incident (everyone but auditors, who write nothing). The reporter's
/// department is recorded with it.
pub async fn report(app: &App, ctx: &Ctx, input: &ReportInput) -> Result<IncidentView> {
    ctx.principal
        .authorize(Resource::Incident, Action::Create, Target::Global)?;
    let now = Timestamp::now();
    let mut errors = FieldErrors::new();
    let checked = Report::check(
        &input.title,
        input.description.as_deref(),
        input.location.as_deref(),
        input.occurred_at,
        input.detected_at,
        now,
    );
    if let Err(DomainError::Validation(e)) = &checked {
        for fe in e.iter() {
            errors.add(fe.field.clone(), fe.kind.clone());
        }
    }
    let mut tx = app.db().begin().await?;
    let mut ids = input.asset_ids.clone();
    ids.extend(asset_codes(&mut tx, &input.asset_codes, &mut errors).await?);
    let assets = check_assets(&mut tx, &ids, &mut errors).await;
    errors.into_result()?;
    let report = checked?;
    let me = users::get(&mut tx, ctx.principal.user_id).await?;
    let year = now.datetime().year();
    let n = wf::next_number(&mut tx, &format!("INC-{year}")).await?;
    let mut i = Incident {
        id: 0,
        code: format!("INC-{year}-{n:04}"),
        title: report.title,
        description: report.description,
        location: report.location,
        occurred_at: report.occurred_at,
        detected_at: report.detected_at,
        reported_at: now,
        reporter_id: (!ctx.system).then_some(ctx.principal.user_id),
        department_id: me.and_then(|u| u.department_id),
        category: None,
        class: None,
        level: None,
        status: IncidentStatus::Reported,
        affected_asset_ids: assets,
        handler_ids: Vec::new(),
        triaged_at: None,
        triaged_by: None,
        committee_noted_at: None,
        committee_noted_by: None,
        contained_at: None,
        closed_at: None,
        root_cause: None,
        lessons_learned: None,
        rejection_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    i.id = store::insert(&mut tx, &i).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, IncidentRecord::Incident, i.id).after(&snapshot(&i)),
    )
    .await?;
    let v = view(&mut tx, ctx, i).await?;
    tx.commit().await?;
    Ok(v)
}

/// One incident.
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<IncidentView> {
    let mut conn = app.db().read().await?;
    let i = load(&mut conn, ctx, id).await?;
    view(&mut conn, ctx, i).await
}

fn check_version(i: &Incident, version: i64) -> Result<()> {
    if i.version != version {
        return Err(DomainError::StaleVersion { current: i.version }.into());
    }
    Ok(())
}

async fn save(conn: &mut Conn, i: &Incident, now: Timestamp) -> Result<()> {
    if !store::save(conn, i, now).await? {
        return Err(DomainError::StaleVersion { current: i.version }.into());
    }
    Ok(())
}

fn forbidden() -> crate::Error {
    DomainError::Forbidden {
        resource: Resource::Incident,
        action: Action::Update,
    }
    .into()
}

/// Loads an incident for a change by someone who handles it (or, while it is only
/// reported, its reporter): 404 when unreadable, 403 when not theirs, 409 when finished.
async fn load_for_change(conn: &mut Conn, ctx: &Ctx, id: i64) -> Result<(Incident, Vec<Role>)> {
    ctx.principal
        .authorize(Resource::Incident, Action::Update, Target::Global)
        .or_else(|e| if writes(ctx) { Ok(()) } else { Err(e) })?;
    let i = load(conn, ctx, id).await?;
    let path = path_of(conn, &i).await?;
    let roles = ctx.principal.roles_over(path.as_ref());
    let reporter_edits =
        i.status == IncidentStatus::Reported && i.reporter_id == Some(ctx.principal.user_id);
    if !handles(ctx, &i, &roles) && !reporter_edits {
        return Err(forbidden());
    }
    if i.status.is_finished() {
        return Err(IncidentConflict::IncidentFinished.into());
    }
    Ok((i, roles))
}

fn text_field(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<Option<String>>,
    max: usize,
    current: &Option<String>,
) -> Option<String> {
    match value {
        None => current.clone(),
        Some(v) => errors
            .check(field, clean_multiline(v.as_deref(), max))
            .flatten(),
    }
}

/// Changes an open incident's record if `version` is current: its handlers (and triagers)
/// edit everything; its reporter, until triage, what they reported.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    patch: &IncidentPatch,
    version: i64,
) -> Result<IncidentView> {
    let mut tx = app.db().begin().await?;
    let (before, roles) = load_for_change(&mut tx, ctx, id).await?;
    check_version(&before, version)?;
    let handler = handles(ctx, &before, &roles);
    if !handler && (patch.root_cause.is_some() || patch.lessons_learned.is_some()) {
        return Err(forbidden());
    }
    let mut errors = FieldErrors::new();
    let mut i = before.clone();
    if let Some(t) = &patch.title
        && let Some(t) = errors.check("title", castellan_domain::values::clean_text(t, 1, 200))
    {
        i.title = t;
    }
    i.description = text_field(
        &mut errors,
        "description",
        &patch.description,
        20_000,
        &before.description,
    );
    i.location = match &patch.location {
        None => before.location.clone(),
        Some(None) => None,
        Some(Some(l)) if l.trim().is_empty() => None,
        Some(Some(l)) => errors.check("location", castellan_domain::values::clean_text(l, 1, 200)),
    };
    i.root_cause = text_field(
        &mut errors,
        "root_cause",
        &patch.root_cause,
        20_000,
        &before.root_cause,
    );
    i.lessons_learned = text_field(
        &mut errors,
        "lessons_learned",
        &patch.lessons_learned,
        20_000,
        &before.lessons_learned,
    );
    if let Some(ids) = &patch.asset_ids {
        i.affected_asset_ids = check_assets(&mut tx, ids, &mut errors).await;
    }
    errors.into_result()?;
    let now = Timestamp::now();
    save(&mut tx, &i, now).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, IncidentRecord::Incident, id)
            .before(&snapshot(&before))
            .after(&snapshot(&i)),
    )
    .await?;
    let after = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("incident"))?;
    let v = view(&mut tx, ctx, after).await?;
    tx.commit().await?;
    Ok(v)
}

fn refusal(r: Refusal) -> crate::Error {
    crate::workflow::refusal(r, Resource::Incident)
}

/// Moves an incident (SPEC §5). Triage (`to: triaged`) needs `triage` (class, level,
/// category and a team of active users); a rejection needs its reason as `comment`;
/// closing needs the root cause and the lessons learned on the record.
pub async fn transition(
    app: &App,
    ctx: &Ctx,
    id: i64,
    to: &str,
    comment: Option<&str>,
    triage: Option<&TriageInput>,
    version: Option<i64>,
) -> Result<IncidentView> {
    let to = IncidentStatus::from_code(to.trim()).map_err(|k| FieldErrors::single("to", k))?;
    let comment = clean_multiline(comment, 5_000).map_err(|k| FieldErrors::single("comment", k))?;
    let mut tx = app.db().begin().await?;
    ctx.principal
        .authorize(Resource::Incident, Action::Update, Target::Global)
        .or_else(|e| if writes(ctx) { Ok(()) } else { Err(e) })?;
    let before = load(&mut tx, ctx, id).await?;
    if let Some(v) = version {
        check_version(&before, v)?;
    }
    let path = path_of(&mut tx, &before).await?;
    let roles = ctx.principal.roles_over(path.as_ref());
    let caller = Caller::new(ctx.principal.user_id, &roles);
    let subject = rules::subject(before.reporter_id, &before.handler_ids);
    FLOW.check(before.status, to, &caller, &subject, comment.as_deref())
        .map_err(refusal)?;
    let now = Timestamp::now();
    let mut i = before.clone();
    i.status = to;
    let mut action = None;
    match to {
        IncidentStatus::Triaged => {
            let mut input = triage.cloned().unwrap_or_default();
            for name in input.handler_usernames.iter().map(|n| n.trim()) {
                if name.is_empty() {
                    continue;
                }
                match users::find_by_username(&mut tx, &name.to_lowercase()).await? {
                    Some(u) => input.handler_ids.push(u.id),
                    None => {
                        return Err(FieldErrors::single(
                            "handler_ids",
                            FieldErrorKind::NoSuchRecord,
                        )
                        .into());
                    }
                }
            }
            let t = Triage::check(
                input.class.as_deref(),
                input.level.as_deref(),
                input.category.as_deref(),
                &input.handler_ids,
            )?;
            let mut active = 0;
            for u in &t.handler_ids {
                if users::get(&mut tx, *u)
                    .await?
                    .is_some_and(|u| u.status == castellan_domain::values::UserStatus::Active)
                {
                    active += 1;
                }
            }
            if active != t.handler_ids.len() {
                return Err(
                    FieldErrors::single("handler_ids", FieldErrorKind::NoSuchRecord).into(),
                );
            }
            i.class = Some(t.class);
            i.level = Some(t.level);
            i.category = Some(t.category);
            i.handler_ids = t.handler_ids;
            i.triaged_at = Some(now);
            i.triaged_by = Some(ctx.principal.user_id);
            action = Some(IncidentAction::Triage);
        }
        IncidentStatus::Rejected => {
            i.rejection_reason = Some(rules::check_rejection(comment.as_deref())?);
            i.closed_at = Some(now);
        }
        IncidentStatus::Contained => i.contained_at = Some(now),
        IncidentStatus::Closed => {
            rules::check_closing(&i)?;
            i.closed_at = Some(now);
        }
        _ => {}
    }
    save(&mut tx, &i, now).await?;
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
    let event = match action {
        Some(a) => Event::new(a, IncidentRecord::Incident, id),
        None => Event::new(Verb::Transition, IncidentRecord::Incident, id),
    };
    audit::record(
        &mut tx,
        &actor,
        event.before(&snapshot(&before)).after(&snapshot(&i)),
    )
    .await?;
    let after = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("incident"))?;
    let v = view(&mut tx, ctx, after).await?;
    tx.commit().await?;
    Ok(v)
}

/// A committee member notes a major or critical incident (once).
pub async fn note(app: &App, ctx: &Ctx, id: i64) -> Result<IncidentView> {
    let mut tx = app.db().begin().await?;
    let before = load(&mut tx, ctx, id).await?;
    let path = path_of(&mut tx, &before).await?;
    let roles = ctx.principal.roles_over(path.as_ref());
    if !roles.contains(&Role::Committee) || !writes(ctx) {
        return Err(forbidden());
    }
    if !before.awaits_committee() {
        return Err(IncidentConflict::NoticeNotNeeded.into());
    }
    let now = Timestamp::now();
    let mut i = before.clone();
    i.committee_noted_at = Some(now);
    i.committee_noted_by = Some(ctx.principal.user_id);
    save(&mut tx, &i, now).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(IncidentAction::CommitteeNote, IncidentRecord::Incident, id)
            .after(&serde_json::json!({"committee_noted_at": now, "committee_noted_by": ctx.principal.user_id.0})),
    )
    .await?;
    let after = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("incident"))?;
    let v = view(&mut tx, ctx, after).await?;
    tx.commit().await?;
    Ok(v)
}

/// An incident's moves, oldest first.
pub async fn moves(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<MoveRecord>> {
    let mut conn = app.db().read().await?;
    load(&mut conn, ctx, id).await?;
    Ok(wf::moves(&mut conn, PROCESS, id).await?)
}

/// An incident's timeline entries, in order of their time.
pub async fn timeline(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<TimelineEntry>> {
    let mut conn = app.db().read().await?;
    load(&mut conn, ctx, id).await?;
    Ok(store::timeline(&mut conn, id).await?)
}

/// Adds a timeline entry (its team and triagers, while the incident is open). `at` is when
/// it happened (default now); never in the future, never before the incident occurred.
pub async fn add_entry(
    app: &App,
    ctx: &Ctx,
    id: i64,
    at: Option<Timestamp>,
    note: &str,
) -> Result<TimelineEntry> {
    let now = Timestamp::now();
    let mut errors = FieldErrors::new();
    let note = errors
        .check("note", clean_multiline(Some(note), 5_000))
        .flatten();
    if note.is_none() && errors.is_empty() {
        errors.add("note", FieldErrorKind::Required);
    }
    let mut tx = app.db().begin().await?;
    let (i, roles) = load_for_change(&mut tx, ctx, id).await?;
    if !handles(ctx, &i, &roles) {
        return Err(forbidden());
    }
    let at = at.unwrap_or(now);
    if at > now.plus(time::Duration::minutes(rules::CLOCK_SKEW_MINUTES)) {
        errors.add(
            "at",
            FieldErrorKind::invalid("the time lies in the future", "时间不能晚于现在"),
        );
    } else if at < i.occurred_at {
        errors.add(
            "at",
            FieldErrorKind::invalid(
                "an entry cannot precede the incident",
                "记录时间不能早于事件发生时间",
            ),
        );
    }
    errors.into_result()?;
    let note = note.unwrap_or_default();
    let actor = ctx.actor();
    let entry_id = store::add_entry(&mut tx, id, at, &note, (actor.id, actor.name), now).await?;
    audit::record(
        &mut tx,
        &actor,
        Event::new(IncidentAction::TimelineEntry, IncidentRecord::Incident, id)
            .after(&serde_json::json!({"at": at, "note": note})),
    )
    .await?;
    let entry = store::timeline(&mut tx, id)
        .await?
        .into_iter()
        .find(|e| e.id == entry_id)
        .ok_or(DomainError::not_found("timeline entry"))?;
    tx.commit().await?;
    Ok(entry)
}

/// Filters of the incident list, as a caller gives them.
#[derive(Debug, Clone, Default)]
pub struct IncidentQuery {
    /// Status code.
    pub status: Option<String>,
    /// Class code.
    pub class: Option<String>,
    /// Level code.
    pub level: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// Department (its subtree).
    pub department_id: Option<i64>,
    /// Asset.
    pub asset_id: Option<i64>,
    /// Reported on or after this day.
    pub from: Option<Timestamp>,
    /// Reported before this time.
    pub to: Option<Timestamp>,
    /// Only those waiting past a deadline now.
    pub overdue: bool,
    /// Words of the code, title or location.
    pub q: Option<String>,
    /// Sort (`reported_at` or `-reported_at`, the default).
    pub sort: Option<String>,
    /// Page cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

pub(crate) async fn filter_for(
    conn: &mut Conn,
    ctx: &Ctx,
    q: &IncidentQuery,
) -> Result<IncidentFilter> {
    let mut errors = FieldErrors::new();
    fn code(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let status = code(&q.status).and_then(|s| errors.check("status", IncidentStatus::from_code(s)));
    let class = code(&q.class).and_then(|s| errors.check("class", IncidentClass::from_code(s)));
    let level = code(&q.level).and_then(|s| errors.check("level", IncidentLevel::from_code(s)));
    let category =
        code(&q.category).and_then(|s| errors.check("category", IncidentCategory::from_code(s)));
    errors.into_result()?;
    let department_path = match q.department_id {
        Some(d) => Some(
            departments::get(conn, castellan_domain::DepartmentId(d))
                .await?
                .map(|d| d.path.to_db())
                .ok_or_else(|| {
                    FieldErrors::single("department_id", FieldErrorKind::NoSuchRecord)
                })?,
        ),
        None => None,
    };
    let overdue = if q.overdue {
        let (d, _) = deadlines(conn).await?;
        let now = Timestamp::now();
        let back = |m: i64| now.plus(time::Duration::minutes(-m));
        Some(Overdue {
            triage_cutoff: back(d.triage_minutes),
            major_cutoff: back(d.major_notice_minutes),
            critical_cutoff: back(d.critical_notice_minutes),
        })
    } else {
        None
    };
    Ok(IncidentFilter {
        status,
        class,
        level,
        category,
        department_path,
        asset_id: q.asset_id.map(AssetId),
        from: q.from,
        to: q.to,
        overdue,
        q: q.q.clone(),
        visibility: visibility(ctx),
    })
}

/// One page of the incidents the caller may read, newest report first, and how many match.
pub async fn list(
    app: &App,
    ctx: &Ctx,
    query: &IncidentQuery,
) -> Result<(Page<IncidentView>, i64)> {
    ctx.principal
        .authorize(Resource::Incident, Action::Read, Target::Global)?;
    let mut errors = FieldErrors::new();
    let limit = errors.check("limit", parse_limit(query.limit));
    let sort = errors.check(
        "sort",
        Sort::parse(
            Some(query.sort.as_deref().unwrap_or("-reported_at")),
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
    let filter = filter_for(&mut conn, ctx, query).await?;
    let (items, next) = store::list(&mut conn, &filter, sort, after.as_ref(), limit).await?;
    let total = store::count(&mut conn, &filter).await?;
    let (d, _) = deadlines(&mut conn).await?;
    let mut views = Vec::with_capacity(items.len());
    let mut paths = std::collections::HashMap::new();
    for i in items {
        let path: Option<DepartmentPath> = match paths.get(&i.department_id) {
            Some(p) => Option::clone(p),
            None => {
                let p = path_of(&mut conn, &i).await?;
                paths.insert(i.department_id, p.clone());
                p
            }
        };
        views.push(view_with(ctx, i, path.as_ref(), d));
    }
    Ok((
        Page {
            items: views,
            next_cursor: next.map(|c| c.encode()),
        },
        total,
    ))
}

/// Incidents by month of report, class and level for the calendar year `year`, within what
/// the caller may read.
pub async fn monthly_counts(app: &App, ctx: &Ctx, year: i32) -> Result<Vec<MonthCount>> {
    ctx.principal
        .authorize(Resource::Incident, Action::Read, Target::Global)?;
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
    Ok(store::monthly_counts(&mut conn, year, &visibility(ctx)).await?)
}
