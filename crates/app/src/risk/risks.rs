//! Risks of an assessment (SPEC §4.2–4.4): identification (asset × threat ×
//! vulnerability, one by one or as candidates in bulk), rating with the assessment's method
//! and tables (A taken from the asset at rating time), treatment with the committee's
//! approval where the threshold demands it, residual rating and acceptance; the register
//! and the heat map.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::risk::assessments::{ensure_may, global_roles, load};
use crate::{App, Ctx};
use castellan_domain::asset::Rating;
use castellan_domain::error::KernelConflict;
use castellan_domain::ids::{AssessmentId, AssetId, RiskId, ThreatId, VulnerabilityId};
use castellan_domain::paging::{Cursor, Page, parse_limit};
use castellan_domain::risk::RiskConflict;
use castellan_domain::risk::assessment::Work;
use castellan_domain::risk::register::{Approval, Assessment, Risk, RiskRating, Threat};
use castellan_domain::risk::{self, Level, Treatment, needs_committee_approval};
use castellan_domain::values::clean_multiline;
use castellan_domain::{Action, DomainError, FieldErrorKind, FieldErrors, Resource, Timestamp};
use castellan_store::risk::risks::{self as store, NewRisk, RiskFilter};
use castellan_store::{Conn, asset::assets as asset_store, risk::findings, risk::threats};
use std::collections::HashMap;

mod bulk;
mod candidates;
mod committee;

pub use bulk::{BULK_MAX, bulk_update};
pub use candidates::{Candidates, create_candidates};
pub use committee::{Decision, decide};

/// A risk as submitted.
#[derive(Debug, Clone, Default)]
pub struct RiskInput {
    /// The asset.
    pub asset_id: i64,
    /// The threat.
    pub threat_id: i64,
    /// The vulnerability it exploits (a finding of the same asset).
    pub vulnerability_id: Option<i64>,
    /// How the threat would play out.
    pub description: Option<String>,
    /// T, when rated at once.
    pub threat_frequency: Option<i64>,
    /// V, when rated at once (default: the vulnerability's severity).
    pub vulnerability_severity: Option<i64>,
}

/// A partial change of a risk. Ratings, treatment and residual ratings each need their
/// phase; a change of rating or treatment withdraws an earlier committee approval.
#[derive(Debug, Clone, Default)]
pub struct RiskPatch {
    /// Description.
    pub description: Option<Option<String>>,
    /// T.
    pub threat_frequency: Option<i64>,
    /// V.
    pub vulnerability_severity: Option<i64>,
    /// Take A from the asset again (after its value changed).
    pub refresh_asset_value: bool,
    /// Treatment option code (`None` inside clears it).
    pub treatment: Option<Option<String>>,
    /// Residual T.
    pub residual_threat_frequency: Option<i64>,
    /// Residual V.
    pub residual_vulnerability_severity: Option<i64>,
}

/// A risk with what the register shows beside it.
#[derive(Debug, Clone)]
pub struct RiskView {
    /// The risk.
    pub risk: Risk,
    /// Asset code.
    pub asset_code: String,
    /// Asset name.
    pub asset_name: String,
    /// The asset's value level now (differs from the rating's A when it changed since).
    pub asset_value_level_now: u8,
    /// The threat.
    pub threat_code: String,
    /// The threat's name.
    pub threat_name: castellan_domain::risk::register::Bilingual,
    /// Whether keeping or accepting it still needs the committee's approval.
    pub approval_needed: bool,
}

/// A risk as its audit entries record it: flat, with the API's field names and values as
/// numbers, so a history shows "risk level 3 → 4" rather than nested hundredths.
fn snapshot(r: &Risk) -> serde_json::Value {
    // Whole values as integers, `sqrt` values with their two decimals.
    let num = |s: castellan_domain::risk::Score| -> serde_json::Value {
        if s.hundredths().is_multiple_of(100) {
            (s.hundredths() / 100).into()
        } else {
            s.as_f64().into()
        }
    };
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, v: serde_json::Value| {
        m.insert(k.to_owned(), v);
    };
    put("asset_id", r.asset_id.0.into());
    put("threat_id", r.threat_id.0.into());
    put("vulnerability_id", r.vulnerability_id.map(|v| v.0).into());
    put("description", r.description.clone().into());
    for (prefix, rating) in [("", r.rating), ("residual_", r.residual)] {
        let e = rating.map(|x| x.evaluation);
        put(
            &format!("{prefix}threat_frequency"),
            rating.map(|x| x.threat_frequency.get()).into(),
        );
        put(
            &format!("{prefix}vulnerability_severity"),
            rating.map(|x| x.vulnerability_severity.get()).into(),
        );
        if prefix.is_empty() {
            put(
                "asset_value_level",
                rating.map(|x| x.asset_value_level.get()).into(),
            );
        }
        put(
            &format!("{prefix}likelihood_value"),
            e.map(|e| num(e.likelihood_value)).into(),
        );
        put(
            &format!("{prefix}likelihood_level"),
            e.map(|e| e.likelihood_level.get()).into(),
        );
        put(
            &format!("{prefix}loss_value"),
            e.map(|e| num(e.loss_value)).into(),
        );
        put(
            &format!("{prefix}loss_level"),
            e.map(|e| e.loss_level.get()).into(),
        );
        put(
            &format!("{prefix}risk_value"),
            e.map(|e| num(e.risk_value)).into(),
        );
        put(
            &format!("{prefix}risk_level"),
            e.map(|e| e.risk_level.get()).into(),
        );
    }
    put("treatment", r.treatment.map(Treatment::code).into());
    for (key, a) in [
        ("approval", &r.approval),
        ("residual_acceptance", &r.residual_acceptance),
    ] {
        put(&format!("{key}_by"), a.as_ref().map(|x| x.by.0).into());
        put(
            &format!("{key}_comment"),
            a.as_ref().and_then(|x| x.comment.clone()).into(),
        );
    }
    serde_json::Value::Object(m)
}

fn rate(a: &Assessment, t: Rating, v: Rating, value: Rating) -> RiskRating {
    RiskRating {
        threat_frequency: t,
        vulnerability_severity: v,
        asset_value_level: value,
        evaluation: risk::evaluate(a.method, &a.tables, t, v, value),
    }
}

fn asset_value(level: u8) -> Result<Rating> {
    Rating::new(i64::from(level))
        .map_err(|_| crate::Error::internal("asset value level out of range"))
}

async fn views(conn: &mut Conn, a: &Assessment, risks: Vec<Risk>) -> Result<Vec<RiskView>> {
    let mut asset_ids: Vec<AssetId> = risks.iter().map(|r| r.asset_id).collect();
    asset_ids.sort();
    asset_ids.dedup();
    let assets: HashMap<AssetId, _> = asset_store::get_many(conn, &asset_ids)
        .await?
        .into_iter()
        .map(|x| (x.id, x))
        .collect();
    let mut threat_cache: HashMap<ThreatId, Threat> = HashMap::new();
    let mut out = Vec::with_capacity(risks.len());
    for r in risks {
        if let std::collections::hash_map::Entry::Vacant(e) = threat_cache.entry(r.threat_id)
            && let Some(t) = threats::get(conn, r.threat_id).await?
        {
            e.insert(t);
        }
        let asset = assets.get(&r.asset_id);
        let threat = threat_cache.get(&r.threat_id);
        let approval_needed = match (r.treatment, r.level()) {
            (Some(t), Some(l)) => {
                needs_committee_approval(t, l, a.acceptance_threshold) && r.approval.is_none()
            }
            _ => false,
        };
        out.push(RiskView {
            asset_code: asset.map(|x| x.code.clone()).unwrap_or_default(),
            asset_name: asset.map(|x| x.name.clone()).unwrap_or_default(),
            asset_value_level_now: asset.map_or(0, |x| x.value_level.get()),
            threat_code: threat.map(|t| t.code.clone()).unwrap_or_default(),
            threat_name: threat.map(|t| t.name.clone()).unwrap_or(
                castellan_domain::risk::register::Bilingual {
                    en: String::new(),
                    zh: String::new(),
                },
            ),
            approval_needed,
            risk: r,
        });
    }
    Ok(out)
}

async fn one_view(conn: &mut Conn, a: &Assessment, r: Risk) -> Result<RiskView> {
    views(conn, a, vec![r])
        .await?
        .pop()
        .ok_or_else(|| DomainError::not_found("risk").into())
}

/// Adds a risk, rated at once when T (and V, or a vulnerability) are given.
pub async fn create(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    input: &RiskInput,
) -> Result<RiskView> {
    let mut tx = app.db().begin().await?;
    let a = load(&mut tx, ctx, assessment).await?;
    ensure_may(ctx, &a, Work::Risks)?;
    let mut errors = FieldErrors::new();
    let description = errors.check(
        "description",
        clean_multiline(input.description.as_deref(), 4000),
    );
    let t = input
        .threat_frequency
        .and_then(|t| errors.check("threat_frequency", Rating::new(t)));
    let mut v = input
        .vulnerability_severity
        .and_then(|v| errors.check("vulnerability_severity", Rating::new(v)));
    let asset = asset_store::get(&mut tx, AssetId(input.asset_id)).await?;
    if asset.is_none() {
        errors.add("asset_id", FieldErrorKind::NoSuchRecord);
    }
    match threats::get(&mut tx, ThreatId(input.threat_id)).await? {
        None => errors.add("threat_id", FieldErrorKind::NoSuchRecord),
        Some(t) if !t.active => errors.add(
            "threat_id",
            FieldErrorKind::invalid(
                "the threat is retired from the catalog",
                "该威胁已从威胁库中停用",
            ),
        ),
        Some(_) => {}
    }
    let vulnerability = match input.vulnerability_id {
        None => None,
        Some(id) => match findings::get_vulnerability(&mut tx, VulnerabilityId(id)).await? {
            Some(f) if f.asset_id.0 == input.asset_id => Some(f),
            Some(_) => {
                errors.add(
                    "vulnerability_id",
                    FieldErrorKind::invalid(
                        "the vulnerability belongs to another asset",
                        "该脆弱性属于另一项资产",
                    ),
                );
                None
            }
            None => {
                errors.add("vulnerability_id", FieldErrorKind::NoSuchRecord);
                None
            }
        },
    };
    // The finding's severity is V when the risk is rated at once.
    if t.is_some() && v.is_none() && input.vulnerability_severity.is_none() {
        v = vulnerability.as_ref().map(|f| f.severity);
    }
    if t.is_some() != v.is_some() && errors.is_empty() {
        let field = if t.is_none() {
            "threat_frequency"
        } else {
            "vulnerability_severity"
        };
        errors.add(field, FieldErrorKind::Required);
    }
    errors.into_result()?;
    let (Some(asset), Some(description)) = (asset, description) else {
        return Err(DomainError::BadRequest("invalid risk".into()).into());
    };
    let rating = match (t, v) {
        (Some(t), Some(v)) => Some(rate(&a, t, v, asset_value(asset.value_level.get())?)),
        _ => None,
    };
    let new = NewRisk {
        assessment_id: a.id,
        asset_id: asset.id,
        threat_id: ThreatId(input.threat_id),
        vulnerability_id: vulnerability.map(|f| f.id),
        description: description.as_deref(),
        rating: rating.as_ref(),
    };
    let now = Timestamp::now();
    let r = match store::insert(&mut tx, &new, now).await {
        Ok(r) => r,
        Err(e) if e.is_unique_violation() => return Err(RiskConflict::RiskExists.into()),
        Err(e) => return Err(e.into()),
    };
    castellan_store::risk::assessments::touch(&mut tx, a.id, now).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Create,
            castellan_domain::risk::audit::RiskRecord::Risk,
            r.id,
        )
        .after(&snapshot(&r)),
    )
    .await?;
    let v = one_view(&mut tx, &a, r).await?;
    tx.commit().await?;
    Ok(v)
}

async fn load_risk(
    conn: &mut Conn,
    ctx: &Ctx,
    assessment: AssessmentId,
    id: RiskId,
) -> Result<(Risk, Assessment)> {
    ctx.principal
        .read_scope(Resource::Assessment, Action::Read)?;
    let r = store::get(conn, id)
        .await?
        .filter(|r| r.assessment_id == assessment)
        .ok_or(DomainError::not_found("risk"))?;
    let a = load(conn, ctx, r.assessment_id).await?;
    Ok((r, a))
}

/// One risk.
pub async fn get(app: &App, ctx: &Ctx, assessment: AssessmentId, id: RiskId) -> Result<RiskView> {
    let mut conn = app.db().read().await?;
    let (r, a) = load_risk(&mut conn, ctx, assessment, id).await?;
    one_view(&mut conn, &a, r).await
}

fn check_version(r: &Risk, version: i64) -> Result<()> {
    if r.version == version {
        Ok(())
    } else {
        Err(DomainError::StaleVersion { current: r.version }.into())
    }
}

/// Changes a risk if `version` is current. Each part needs its phase: description and
/// rating while risks are identified and analysed, the treatment while it is planned, the
/// residual rating after treatment.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    id: RiskId,
    patch: &RiskPatch,
    version: i64,
) -> Result<RiskView> {
    let mut tx = app.db().begin().await?;
    let (before, a) = load_risk(&mut tx, ctx, assessment, id).await?;
    let rating_change = patch.threat_frequency.is_some()
        || patch.vulnerability_severity.is_some()
        || patch.refresh_asset_value;
    if patch.description.is_some() || rating_change {
        ensure_may(ctx, &a, Work::Risks)?;
    }
    if patch.treatment.is_some() {
        ensure_may(ctx, &a, Work::Treatment)?;
    }
    let residual_change = patch.residual_threat_frequency.is_some()
        || patch.residual_vulnerability_severity.is_some();
    if residual_change {
        ensure_may(ctx, &a, Work::Residual)?;
    }
    if !(patch.description.is_some()
        || rating_change
        || patch.treatment.is_some()
        || residual_change)
    {
        // Nothing to change: still a caller who may not edit gets told so.
        ensure_may(ctx, &a, Work::Risks)?;
    }
    check_version(&before, version)?;
    let after = apply(&mut tx, ctx, &a, &before, patch).await?;
    let v = one_view(&mut tx, &a, after).await?;
    tx.commit().await?;
    Ok(v)
}

/// Applies `patch` to one risk (`before`) of assessment `a` inside the caller's transaction:
/// checks the values, rates, withdraws decisions taken on other facts, saves and records
/// the change. Returns the risk as it is afterwards (unchanged when nothing differs).
async fn apply(
    tx: &mut Conn,
    ctx: &Ctx,
    a: &Assessment,
    before: &Risk,
    patch: &RiskPatch,
) -> Result<Risk> {
    let rating_change = patch.threat_frequency.is_some()
        || patch.vulnerability_severity.is_some()
        || patch.refresh_asset_value;
    let residual_change = patch.residual_threat_frequency.is_some()
        || patch.residual_vulnerability_severity.is_some();
    let mut errors = FieldErrors::new();
    let mut r = before.clone();
    if let Some(d) = &patch.description
        && let Some(d) = errors.check("description", clean_multiline(d.as_deref(), 4000))
    {
        r.description = d;
    }
    if rating_change {
        let t = match patch.threat_frequency {
            Some(t) => errors.check("threat_frequency", Rating::new(t)),
            None => r.rating.map(|x| x.threat_frequency),
        };
        let v = match patch.vulnerability_severity {
            Some(v) => errors.check("vulnerability_severity", Rating::new(v)),
            None => r.rating.map(|x| x.vulnerability_severity),
        };
        if errors.is_empty() {
            match (t, v) {
                (Some(t), Some(v)) => {
                    let asset = asset_store::get(&mut *tx, r.asset_id)
                        .await?
                        .ok_or(DomainError::not_found("asset"))?;
                    let value = match (patch.refresh_asset_value, r.rating) {
                        (false, Some(old)) => old.asset_value_level,
                        _ => asset_value(asset.value_level.get())?,
                    };
                    r.rating = Some(rate(a, t, v, value));
                }
                (None, _) => errors.add("threat_frequency", FieldErrorKind::Required),
                (_, None) => errors.add("vulnerability_severity", FieldErrorKind::Required),
            }
        }
    }
    if let Some(t) = &patch.treatment {
        r.treatment = match t.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(code) => errors.check("treatment", Treatment::from_code(code)),
        };
    }
    if residual_change {
        let base = r.rating;
        let t = match patch.residual_threat_frequency {
            Some(t) => errors.check("residual_threat_frequency", Rating::new(t)),
            None => r.residual.map(|x| x.threat_frequency),
        };
        let v = match patch.residual_vulnerability_severity {
            Some(v) => errors.check("residual_vulnerability_severity", Rating::new(v)),
            None => r.residual.map(|x| x.vulnerability_severity),
        };
        if errors.is_empty() {
            match (t, v, base) {
                (Some(t), Some(v), Some(base)) => {
                    r.residual = Some(rate(a, t, v, base.asset_value_level));
                }
                (_, _, None) => errors.add(
                    "residual_threat_frequency",
                    FieldErrorKind::invalid(
                        "the risk has no rating to re-assess",
                        "该风险尚无可重新评价的赋值",
                    ),
                ),
                (None, _, _) => errors.add("residual_threat_frequency", FieldErrorKind::Required),
                (_, None, _) => {
                    errors.add("residual_vulnerability_severity", FieldErrorKind::Required)
                }
            }
        }
    }
    errors.into_result()?;
    if r == *before {
        // Nothing changes: no new version, no audit entry.
        return Ok(before.clone());
    }
    // A decision taken on other facts no longer holds.
    if r.rating != before.rating || r.treatment != before.treatment {
        r.approval = None;
    }
    if r.residual != before.residual {
        r.residual_acceptance = None;
    }
    let now = Timestamp::now();
    let after = store::save(&mut *tx, &r, now)
        .await?
        .ok_or(DomainError::StaleVersion {
            current: before.version,
        })?;
    castellan_store::risk::assessments::touch(&mut *tx, a.id, now).await?;
    audit::record(
        &mut *tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Update,
            castellan_domain::risk::audit::RiskRecord::Risk,
            before.id,
        )
        .before(&snapshot(before))
        .after(&snapshot(&after)),
    )
    .await?;
    Ok(after)
}

/// Removes a risk while risks are identified and analysed.
pub async fn delete(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    id: RiskId,
    version: i64,
) -> Result<()> {
    let mut tx = app.db().begin().await?;
    let (before, a) = load_risk(&mut tx, ctx, assessment, id).await?;
    ensure_may(ctx, &a, Work::Risks)?;
    check_version(&before, version)?;
    store::delete(&mut tx, id).await?;
    castellan_store::risk::assessments::touch(&mut tx, a.id, Timestamp::now()).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Delete,
            castellan_domain::risk::audit::RiskRecord::Risk,
            id,
        )
        .before(&snapshot(&before)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Filters of the register.
#[derive(Debug, Clone, Default)]
pub struct RiskQuery {
    /// Risk level.
    pub level: Option<i64>,
    /// At least this risk level.
    pub min_level: Option<i64>,
    /// Likelihood level (heat-map row).
    pub likelihood_level: Option<i64>,
    /// Loss level (heat-map column).
    pub loss_level: Option<i64>,
    /// Asset.
    pub asset_id: Option<i64>,
    /// Threat.
    pub threat_id: Option<i64>,
    /// Treatment code.
    pub treatment: Option<String>,
    /// Only unrated (true) or only rated (false).
    pub unrated: Option<bool>,
    /// Cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// One page of an assessment's register, highest risk first.
pub async fn list(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    query: &RiskQuery,
) -> Result<Page<RiskView>> {
    let mut errors = FieldErrors::new();
    let limit = errors.check("limit", parse_limit(query.limit));
    let lvl = |errors: &mut FieldErrors, f: &str, v: Option<i64>| -> Option<Level> {
        v.and_then(|v| errors.check(f, Level::new(v)))
    };
    let filter = RiskFilter {
        level: lvl(&mut errors, "level", query.level),
        min_level: lvl(&mut errors, "min_level", query.min_level),
        likelihood_level: lvl(&mut errors, "likelihood_level", query.likelihood_level),
        loss_level: lvl(&mut errors, "loss_level", query.loss_level),
        asset_id: query.asset_id.map(AssetId),
        threat_id: query.threat_id.map(ThreatId),
        treatment: query
            .treatment
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|t| errors.check("treatment", Treatment::from_code(t))),
        unrated: query.unrated,
    };
    errors.into_result()?;
    let Some(limit) = limit else {
        return Err(DomainError::BadRequest("invalid query".into()).into());
    };
    let after = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, "-risk", 2))
        .transpose()?;
    let mut conn = app.db().read().await?;
    let a = load(&mut conn, ctx, assessment).await?;
    let (items, next) = store::list(&mut conn, a.id, &filter, after.as_ref(), limit).await?;
    Ok(Page {
        items: views(&mut conn, &a, items).await?,
        next_cursor: next.map(|c| c.encode()),
    })
}

/// Every risk of an assessment in register order, with what the register shows (reports).
pub async fn all(app: &App, ctx: &Ctx, assessment: AssessmentId) -> Result<Vec<RiskView>> {
    let mut conn = app.db().read().await?;
    let a = load(&mut conn, ctx, assessment).await?;
    let items = store::all(&mut conn, a.id).await?;
    views(&mut conn, &a, items).await
}

/// Risk counts by likelihood level (rows) and loss level (columns); `residual` counts the
/// residual ratings.
pub async fn heat_map(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    residual: bool,
) -> Result<[[u64; 5]; 5]> {
    let mut conn = app.db().read().await?;
    let a = load(&mut conn, ctx, assessment).await?;
    Ok(store::heat_map(&mut conn, a.id, residual).await?)
}

/// The latest audit entries of a risk, newest first.
pub async fn history(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    id: RiskId,
) -> Result<Vec<castellan_domain::audit::AuditEntry>> {
    get(app, ctx, assessment, id).await?;
    crate::audit::history_of(
        app,
        castellan_domain::risk::audit::RiskRecord::Risk,
        &id.to_string(),
    )
    .await
}

/// Computes a rating with the assessment's own method and tables, storing nothing (the live
/// preview of the rating form).
pub async fn preview(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    t: i64,
    v: i64,
    a: i64,
) -> Result<castellan_domain::risk::RiskEvaluation> {
    let mut errors = FieldErrors::new();
    let t = errors.check("threat_frequency", Rating::new(t));
    let v = errors.check("vulnerability_severity", Rating::new(v));
    let a = errors.check("asset_value_level", Rating::new(a));
    errors.into_result()?;
    let (Some(t), Some(v), Some(a)) = (t, v, a) else {
        return Err(DomainError::BadRequest("invalid rating".into()).into());
    };
    let mut conn = app.db().read().await?;
    let x = load(&mut conn, ctx, assessment).await?;
    Ok(risk::evaluate(x.method, &x.tables, t, v, a))
}

/// The risks of an asset across assessments, highest first, with their assessment's name,
/// for those who read assessments (at most `limit`).
pub async fn of_asset(
    app: &App,
    ctx: &Ctx,
    asset: AssetId,
    limit: u32,
) -> Result<Vec<(Risk, String)>> {
    ctx.principal.authorize(
        Resource::Assessment,
        Action::Read,
        castellan_domain::Target::Global,
    )?;
    let mut conn = app.db().read().await?;
    Ok(store::of_asset(&mut conn, asset, limit).await?)
}
