//! Backup plans (SPEC §6.7): one or more per asset, with RPO and RTO in hours and the last
//! restore test; the assets of value level 4 or 5 without a plan.

use super::{authorize_read, authorize_write, person, stale, today, writes};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::asset::AssetStatus;
use castellan_domain::audit::Verb;
use castellan_domain::continuity::audit::{ContinuityAction, ContinuityRecord};
use castellan_domain::continuity::{
    self as rules, BackupPlan, BackupPlanInput, ContinuityConflict, Verification,
};
use castellan_domain::ids::{AssetId, UserId};
use castellan_domain::paging::Page;
use castellan_domain::{Action, Day, DomainError, FieldErrorKind, FieldErrors, Timestamp};
use castellan_store::continuity::backup_plans::{self as store, PlanFilter, PlanLine, Uncovered};

fn not_found() -> crate::Error {
    DomainError::not_found("backup plan").into()
}

/// A backup plan as its keeper gives it. On a change, what is not given stays.
#[derive(Debug, Clone, Default)]
pub struct BackupPlanForm {
    /// The asset (new plans).
    pub asset_id: Option<AssetId>,
    /// The same, by code (forms).
    pub asset_code: Option<String>,
    /// What is backed up.
    pub scope: Option<String>,
    /// `continuous`, `hourly`, `daily`, `weekly`, `monthly`.
    pub frequency: Option<String>,
    /// How long copies are kept.
    pub retention: Option<String>,
    /// Where copies are kept.
    pub location: Option<String>,
    /// RPO in hours (> 0).
    pub rpo_hours: Option<i64>,
    /// RTO in hours (> 0).
    pub rto_hours: Option<i64>,
    /// Who keeps it (default: the caller).
    pub owner_id: Option<UserId>,
    /// The same, by username (forms).
    pub owner_username: Option<String>,
}

/// A backup plan as a caller sees it.
#[derive(Debug, Clone)]
pub struct BackupPlanView {
    /// The plan with its asset's code, name and level.
    pub line: PlanLine,
    /// Whether its restore waits for a test (never tested, or more than 90 days ago).
    pub verification_due: bool,
    /// Whether the caller may change it and record tests.
    pub may_edit: bool,
}

fn view(ctx: &Ctx, line: PlanLine, today: Day) -> BackupPlanView {
    BackupPlanView {
        verification_due: line.plan.verification_due(today),
        may_edit: writes(ctx),
        line,
    }
}

fn snapshot(l: &PlanLine) -> serde_json::Value {
    let p = &l.plan;
    serde_json::json!({
        "asset": format!("{} {}", l.asset_code, l.asset_name), "asset_id": p.asset_id.0,
        "scope": p.scope, "frequency": p.frequency, "retention": p.retention,
        "location": p.location, "rpo_hours": p.rpo_hours, "rto_hours": p.rto_hours,
        "owner_id": p.owner_id.0,
    })
}

fn input_of(form: &BackupPlanForm, before: Option<&BackupPlan>) -> BackupPlanInput {
    fn pick(given: &Option<String>, before: Option<&str>) -> String {
        given
            .clone()
            .or_else(|| before.map(str::to_owned))
            .unwrap_or_default()
    }
    BackupPlanInput {
        scope: pick(&form.scope, before.map(|b| b.scope.as_str())),
        frequency: pick(&form.frequency, before.map(|b| b.frequency.code())),
        retention: pick(&form.retention, before.map(|b| b.retention.as_str())),
        location: pick(&form.location, before.map(|b| b.location.as_str())),
        rpo_hours: form.rpo_hours.or(before.map(|b| b.rpo_hours)),
        rto_hours: form.rto_hours.or(before.map(|b| b.rto_hours)),
    }
}

/// Creates a backup plan for an asset (the continuity writers): RPO and RTO of at least one
/// hour, a known asset that is not retired, an active owner (default: the caller).
pub async fn create(app: &App, ctx: &Ctx, form: &BackupPlanForm) -> Result<BackupPlanView> {
    authorize_write(ctx, Action::Create)?;
    let mut tx = app.db().begin().await?;
    let mut errors = FieldErrors::new();
    let asset = match (form.asset_id, form.asset_code.as_deref().map(str::trim)) {
        (Some(id), _) => castellan_store::asset::assets::get(&mut tx, id).await?,
        (None, Some(code)) if !code.is_empty() => {
            castellan_store::asset::assets::find_by_code(&mut tx, code).await?
        }
        _ => {
            errors.add("asset_id", FieldErrorKind::Required);
            None
        }
    };
    if asset.is_none() && errors.get("asset_id").is_none() {
        errors.add("asset_id", FieldErrorKind::NoSuchRecord);
    }
    let owner = person(
        &mut tx,
        form.owner_id,
        form.owner_username.as_deref(),
        "owner_id",
        &mut errors,
    )
    .await?;
    let fields = rules::check_backup_plan(&input_of(form, None), &mut errors);
    errors.into_result()?;
    let (Some(asset), Some(f)) = (asset, fields) else {
        return Err(FieldErrors::single("asset_id", FieldErrorKind::Required).into());
    };
    if asset.status == AssetStatus::Retired {
        return Err(ContinuityConflict::AssetRetired.into());
    }
    let me = ctx.principal.user_id;
    let now = Timestamp::now();
    let mut p = BackupPlan {
        id: 0,
        asset_id: asset.id,
        scope: f.scope,
        frequency: f.frequency,
        retention: f.retention,
        location: f.location,
        rpo_hours: f.rpo_hours,
        rto_hours: f.rto_hours,
        owner_id: owner.unwrap_or(me),
        last_verified_at: None,
        last_result: None,
        last_note: None,
        last_verified_by: None,
        created_by: (!ctx.system).then_some(me),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    p.id = store::insert(&mut tx, &p).await?;
    let line = store::get(&mut tx, p.id).await?.ok_or_else(not_found)?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, ContinuityRecord::BackupPlan, p.id).after(&snapshot(&line)),
    )
    .await?;
    tx.commit().await?;
    Ok(view(ctx, line, today(app)))
}

/// One plan.
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<BackupPlanView> {
    authorize_read(ctx)?;
    let mut conn = app.db().read().await?;
    let line = store::get(&mut conn, id).await?.ok_or_else(not_found)?;
    Ok(view(ctx, line, today(app)))
}

/// Changes a plan (the continuity writers) at `version` (412 when stale); its asset stays.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    form: &BackupPlanForm,
    version: i64,
) -> Result<BackupPlanView> {
    authorize_write(ctx, Action::Update)?;
    let mut tx = app.db().begin().await?;
    let before = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    if before.plan.version != version {
        return Err(stale(before.plan.version));
    }
    let mut errors = FieldErrors::new();
    if form.asset_id.is_some_and(|a| a != before.plan.asset_id) {
        errors.add(
            "asset_id",
            FieldErrorKind::invalid(
                "a plan stays with its asset; create a plan for the other asset",
                "备份计划不能改到其他资产，请为该资产新建计划",
            ),
        );
    }
    let owner = person(
        &mut tx,
        form.owner_id,
        form.owner_username.as_deref(),
        "owner_id",
        &mut errors,
    )
    .await?;
    let fields = rules::check_backup_plan(&input_of(form, Some(&before.plan)), &mut errors);
    errors.into_result()?;
    let Some(f) = fields else {
        return Err(FieldErrors::single("scope", FieldErrorKind::Required).into());
    };
    let mut p = before.plan.clone();
    p.scope = f.scope;
    p.frequency = f.frequency;
    p.retention = f.retention;
    p.location = f.location;
    p.rpo_hours = f.rpo_hours;
    p.rto_hours = f.rto_hours;
    p.owner_id = owner.unwrap_or(p.owner_id);
    if !store::save(&mut tx, &p, Timestamp::now()).await? {
        return Err(stale(before.plan.version));
    }
    let line = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, ContinuityRecord::BackupPlan, id)
            .before(&snapshot(&before))
            .after(&snapshot(&line)),
    )
    .await?;
    tx.commit().await?;
    Ok(view(ctx, line, today(app)))
}

/// A restore test as its tester gives it.
#[derive(Debug, Clone, Default)]
pub struct VerificationForm {
    /// The day of the test (not in the future).
    pub verified_at: Option<Day>,
    /// `passed` or `failed`.
    pub result: String,
    /// What was seen.
    pub note: Option<String>,
}

/// Records a restore test of a plan (the continuity writers; the caller is the tester). The
/// plan's last test moves to it unless an even later one is recorded.
pub async fn verify(
    app: &App,
    ctx: &Ctx,
    id: i64,
    form: &VerificationForm,
) -> Result<(BackupPlanView, Verification)> {
    authorize_write(ctx, Action::Update)?;
    let today = today(app);
    let (day, result, note) =
        rules::check_verification(form.verified_at, &form.result, form.note.as_deref(), today)?;
    let mut tx = app.db().begin().await?;
    let before = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let now = Timestamp::now();
    let mut v = Verification {
        id: 0,
        plan_id: id,
        verified_at: day,
        result,
        note,
        verified_by: ctx.principal.user_id,
        created_at: now,
    };
    v.id = store::insert_verification(&mut tx, &v).await?;
    if before.plan.last_verified_at.is_none_or(|d| d <= day) {
        let mut p = before.plan.clone();
        p.last_verified_at = Some(day);
        p.last_result = Some(result);
        p.last_note = v.note.clone();
        p.last_verified_by = Some(v.verified_by);
        if !store::save(&mut tx, &p, now).await? {
            return Err(stale(before.plan.version));
        }
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            ContinuityAction::BackupVerified,
            ContinuityRecord::BackupPlan,
            id,
        )
        .after(&serde_json::json!({
            "verified_at": v.verified_at, "result": v.result, "note": v.note,
        })),
    )
    .await?;
    let line = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok((view(ctx, line, today), v))
}

/// A plan's restore tests, latest first.
pub async fn verifications(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<Verification>> {
    authorize_read(ctx)?;
    let mut conn = app.db().read().await?;
    store::get(&mut conn, id).await?.ok_or_else(not_found)?;
    Ok(store::verifications(&mut conn, id).await?)
}

/// The plan list's query.
#[derive(Debug, Clone, Default)]
pub struct BackupPlanQuery {
    /// The asset.
    pub asset_id: Option<i64>,
    /// The owner.
    pub owner_id: Option<i64>,
    /// Only those whose restore waits for a test.
    pub verification_due: bool,
    /// Words of the asset's code or name, the scope or the location.
    pub q: Option<String>,
    /// `asset_code` (default), `rpo_hours`, `rto_hours`, `last_verified_at` (`-` first for
    /// descending).
    pub sort: Option<String>,
    /// Page cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// One page of backup plans and how many match.
pub async fn list(
    app: &App,
    ctx: &Ctx,
    query: &BackupPlanQuery,
) -> Result<(Page<BackupPlanView>, i64)> {
    authorize_read(ctx)?;
    let args = crate::paging::args(
        query.limit,
        query.sort.as_deref(),
        "asset_code",
        store::SORTS,
        query.cursor.as_deref(),
    )?;
    let today = today(app);
    let cutoff = Day::from_date(today.date() - time::Duration::days(rules::VERIFY_EVERY_DAYS));
    let filter = PlanFilter {
        asset: query.asset_id.map(AssetId),
        owner: query.owner_id.map(UserId),
        untested_since: query.verification_due.then_some(cutoff),
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
            items: items.into_iter().map(|l| view(ctx, l, today)).collect(),
            next_cursor: next.map(|c| c.encode()),
        },
        total,
    ))
}

/// One page of the assets of value level 4 or 5 (not retired) that have no backup plan, by
/// code, and how many there are.
pub async fn uncovered(
    app: &App,
    ctx: &Ctx,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<(Page<Uncovered>, i64)> {
    authorize_read(ctx)?;
    let args = crate::paging::args(limit, None, "code", &["code"], cursor)?;
    let mut conn = app.db().read().await?;
    let (items, next) =
        store::uncovered(&mut conn, args.sort, args.after.as_ref(), args.limit).await?;
    let total = store::uncovered_count(&mut conn).await?;
    Ok((
        Page {
            items,
            next_cursor: next.map(|c| c.encode()),
        },
        total,
    ))
}

/// The change history of a record of this kind (latest entries first).
pub async fn history(
    app: &App,
    ctx: &Ctx,
    id: i64,
) -> Result<Vec<castellan_domain::audit::AuditEntry>> {
    get(app, ctx, id).await?;
    audit::history_of(app, ContinuityRecord::BackupPlan, &id.to_string()).await
}

/// Backup plans waiting for their owner (the caller) to test a restore: never tested, or
/// last tested more than the interval ago; longest waiting first.
pub(crate) async fn waiting(
    app: &App,
    conn: &mut castellan_store::Conn,
    ctx: &Ctx,
    limit: u32,
    out: &mut Vec<crate::workflow::Waiting>,
) -> Result<()> {
    if authorize_read(ctx).is_err() {
        return Ok(());
    }
    let today = today(app);
    let cutoff = Day::from_date(today.date() - time::Duration::days(rules::VERIFY_EVERY_DAYS));
    let filter = PlanFilter {
        owner: Some(ctx.principal.user_id),
        untested_since: Some(cutoff),
        ..PlanFilter::default()
    };
    let sort = castellan_domain::paging::Sort {
        field: "last_verified_at",
        descending: false,
    };
    let (items, _) = store::list(conn, &filter, sort, None, limit).await?;
    let offset = app.settings().utc_offset();
    for l in items {
        let since = l
            .plan
            .last_verified_at
            .map(|d| {
                Day::from_date(d.date() + time::Duration::days(rules::VERIFY_EVERY_DAYS))
                    .start_at(offset)
            })
            .unwrap_or(l.plan.created_at);
        out.push(crate::workflow::Waiting {
            process: "backup_plan",
            id: l.plan.id,
            code: l.asset_code,
            title: l.plan.scope,
            state: RESTORE_TEST_DUE,
            state_label: castellan_domain::Text {
                en: "Restore test due",
                zh: "待恢复验证",
            },
            expected: crate::workflow::Expected::TestRestore,
            step: None,
            since,
            due_at: None,
            overdue: true,
            pending_risks: None,
        });
    }
    Ok(())
}

/// The state of a plan waiting for its restore test, in "waiting for me".
const RESTORE_TEST_DUE: &str = "restore_test_due";
