//! An assessment's risks: the register with its filters and bulk changes, adding risks
//! one by one or as candidates, the risk page with its rating, treatment and residual
//! forms, and the rating form's live preview.

use super::*;

#[derive(Deserialize, Default, Clone)]
pub struct RiskParams {
    #[serde(default)]
    level: String,
    #[serde(default)]
    likelihood_level: String,
    #[serde(default)]
    loss_level: String,
    #[serde(default)]
    treatment: String,
    #[serde(default)]
    unrated: String,
    #[serde(default)]
    cursor: String,
    /// The cursors of the pages before this one (for "previous page").
    #[serde(default)]
    back: String,
    #[serde(default)]
    notice: Option<String>,
    /// How many risks a bulk change changed.
    #[serde(default)]
    bulk_done: Option<usize>,
}

impl RiskParams {
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("level", &self.level),
            ("likelihood_level", &self.likelihood_level),
            ("loss_level", &self.loss_level),
            ("treatment", &self.treatment),
            ("unrated", &self.unrated),
        ]
    }
}

struct RiskRow {
    id: i64,
    asset_code: String,
    asset_name: String,
    threat: String,
    tva: String,
    likelihood: String,
    loss: String,
    value: String,
    level: u8,
    level_label: String,
    treatment: String,
    approval_needed: bool,
    value_changed: bool,
}

fn rating_cells(
    lang: Lang,
    r: Option<&RiskRating>,
) -> (String, String, String, String, u8, String) {
    match r {
        None => (
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            0,
            String::new(),
        ),
        Some(r) => {
            let e = r.evaluation;
            (
                format!(
                    "T{} V{} A{}",
                    r.threat_frequency.get(),
                    r.vulnerability_severity.get(),
                    r.asset_value_level.get()
                ),
                format!(
                    "{} / {}",
                    shown(e.likelihood_value),
                    e.likelihood_level.get()
                ),
                format!("{} / {}", shown(e.loss_value), e.loss_level.get()),
                shown(e.risk_value),
                e.risk_level.get(),
                level_label(lang, e.risk_level),
            )
        }
    }
}

fn risk_row(lang: Lang, v: &RiskView) -> RiskRow {
    let (tva, likelihood, loss, value, level, label) = rating_cells(lang, v.risk.rating.as_ref());
    RiskRow {
        id: v.risk.id.0,
        asset_code: v.asset_code.clone(),
        asset_name: v.asset_name.clone(),
        threat: format!("{} {}", v.threat_code, v.threat_name.get(lang)),
        tva,
        likelihood,
        loss,
        value,
        level,
        level_label: label,
        treatment: v
            .risk
            .treatment
            .map(|t| t.label().get(lang).to_owned())
            .unwrap_or_default(),
        approval_needed: v.approval_needed,
        value_changed: v
            .risk
            .rating
            .is_some_and(|r| r.asset_value_level.get() != v.asset_value_level_now),
    }
}

#[derive(Template)]
#[template(path = "assessments/risks.html")]
struct RisksPage {
    page: Page,
    tx: &'static texts::Messages,
    a: castellan_domain::risk::register::Assessment,
    phase: String,
    rows: Vec<RiskRow>,
    pager: Pager,
    filters: RiskParams,
    any_filter: bool,
    levels: Vec<CodeOption>,
    treatments: Vec<CodeOption>,
    threats: Vec<(i64, String)>,
    scope_codes: String,
    can_add: bool,
    /// Treatment options can be set for several risks at once.
    can_bulk_treatment: bool,
    /// Residual ratings can be given to several risks at once.
    can_bulk_residual: bool,
    action_error: Option<String>,
}

async fn risks_page(
    state: &AppState,
    web: &Web,
    id: AssessmentId,
    p: RiskParams,
    status: StatusCode,
    action_error: Option<String>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let v = assessments::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let num = |s: &str| s.trim().parse::<i64>().ok();
    let query = RiskQuery {
        level: num(&p.level),
        likelihood_level: num(&p.likelihood_level),
        loss_level: num(&p.loss_level),
        treatment: some(&p.treatment),
        unrated: match p.unrated.as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
        cursor: some(&p.cursor),
        limit: Some(50),
        ..RiskQuery::default()
    };
    let page = risks::list(&state.app, &ctx, id, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let can_add = v.may_edit && v.assessment.phase.allows(Work::Risks);
    let threats = if can_add {
        threats::all(&state.app, &ctx, true)
            .await
            .map_err(|e| web.fail(e))?
            .into_iter()
            .map(|x| (x.id.0, format!("{} {}", x.code, x.name.get(lang))))
            .collect()
    } else {
        Vec::new()
    };
    let scope = assessments::asset_names(&state.app, &ctx, &v.assessment.asset_ids)
        .await
        .map_err(|e| web.fail(e))?;
    let bulk_notice = p
        .bulk_done
        .map(|n| tx.bulk_done.replace("{n}", &n.to_string()));
    let path = format!("/assessments/{}/risks", id);
    let base = p.pairs();
    Ok(render::page_response(
        status,
        &RisksPage {
            page: Page::new(
                web,
                Some(Section::Assessments),
                bulk_notice
                    .as_deref()
                    .or(view::notice(t, p.notice.as_deref())),
            ),
            tx,
            phase: v.assessment.phase.label().get(lang).to_owned(),
            rows: page.items.iter().map(|r| risk_row(lang, r)).collect(),
            pager: Pager::paged(
                &path,
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            any_filter: base.iter().any(|(_, v)| !v.is_empty()),
            levels: view::level_options(lang, &p.level),
            treatments: Treatment::ALL
                .iter()
                .map(|x| CodeOption {
                    code: x.code(),
                    label: x.label().get(lang).to_owned(),
                    selected: p.treatment == x.code(),
                })
                .collect(),
            threats,
            scope_codes: scope
                .iter()
                .map(|(_, c, _)| c.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            can_add,
            can_bulk_treatment: v.may_edit && v.assessment.phase.allows(Work::Treatment),
            can_bulk_residual: v.may_edit && v.assessment.phase.allows(Work::Residual),
            action_error,
            filters: p,
            a: v.assessment,
        },
    ))
}

/// `POST /assessments/{id}/risks/bulk`: the selected risks (`risk`) get the same treatment
/// option (`bulk=treatment`, `treatment`) or residual rating (`bulk=residual`,
/// `residual_threat_frequency`, `residual_vulnerability_severity`), all or none.
pub async fn bulk(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let get = |k: &str| {
        data.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let ids: Vec<i64> = data
        .iter()
        .filter(|(n, _)| n == "risk")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    let num = |k: &str| get(k).parse::<i64>().unwrap_or(0);
    let patch = match get("bulk").as_str() {
        "treatment" => RiskPatch {
            treatment: Some(Some(get("treatment")).filter(|t| !t.is_empty())),
            ..RiskPatch::default()
        },
        _ => RiskPatch {
            residual_threat_frequency: Some(num("residual_threat_frequency")),
            residual_vulnerability_severity: Some(num("residual_vulnerability_severity")),
            ..RiskPatch::default()
        },
    };
    let t = web.t();
    let tx = tx(web.lang());
    match risks::bulk_update(&state.app, &web.ctx(), AssessmentId(id), &ids, &patch).await {
        Ok(n) => {
            Ok(Redirect::to(&format!("/assessments/{id}/risks?bulk_done={n}")).into_response())
        }
        Err(e) => {
            let message = match e.domain() {
                Some(castellan_domain::DomainError::Validation(f)) => {
                    if f.get("risk_ids").is_some() {
                        tx.bulk_none_selected.to_owned()
                    } else {
                        f.iter()
                            .next()
                            .map(|x| {
                                format!(
                                    "{}: {}",
                                    match x.field.as_str() {
                                        "treatment" => t.treatment,
                                        "residual_threat_frequency" => t.residual_threat_frequency,
                                        "residual_vulnerability_severity" => {
                                            t.residual_vulnerability_severity
                                        }
                                        other => other,
                                    },
                                    crate::ui::i18n::field_error(web.lang(), &x.kind)
                                )
                            })
                            .unwrap_or_default()
                    }
                }
                Some(d @ castellan_domain::DomainError::Conflict(_)) => {
                    crate::ui::i18n::domain_error(web.lang(), d)
                }
                _ => return Err(web.fail(e)),
            };
            risks_page(
                &state,
                &web,
                AssessmentId(id),
                RiskParams::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
            )
            .await
        }
    }
}

/// `GET /assessments/{id}/risks`.
pub async fn register(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(p): Query<RiskParams>,
) -> Result<Response, Response> {
    risks_page(&state, &web, AssessmentId(id), p, StatusCode::OK, None).await
}

async fn refused_on_register(
    state: &AppState,
    web: &Web,
    id: i64,
    e: castellan_app::Error,
) -> Result<Response, Response> {
    let Some((status, message)) = refused(web.lang(), &e) else {
        return Err(web.fail(e));
    };
    risks_page(
        state,
        web,
        AssessmentId(id),
        RiskParams::default(),
        status,
        Some(message),
    )
    .await
}

#[derive(Deserialize)]
pub struct AddRiskForm {
    #[serde(default)]
    asset: String,
    #[serde(default)]
    threat_id: String,
    #[serde(default)]
    threat_frequency: String,
    #[serde(default)]
    vulnerability_severity: String,
    #[serde(default)]
    description: String,
}

/// `POST /assessments/{id}/risks`: one risk, by asset code.
pub async fn add_risk(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<AddRiskForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let ctx = web.ctx();
    let code = f.asset.trim().to_owned();
    let found = assessments::assets_by_code(&state.app, &ctx, std::slice::from_ref(&code))
        .await
        .map_err(|e| web.fail(e))?;
    let asset_id = found.first().and_then(|(_, id)| *id).map_or(0, |a| a.0);
    let input = RiskInput {
        asset_id,
        threat_id: f.threat_id.trim().parse().unwrap_or(0),
        vulnerability_id: None,
        description: some(&f.description),
        threat_frequency: f.threat_frequency.trim().parse().ok(),
        vulnerability_severity: f.vulnerability_severity.trim().parse().ok(),
    };
    match risks::create(&state.app, &ctx, AssessmentId(id), &input).await {
        Ok(r) => Ok(Redirect::to(&format!(
            "/assessments/{id}/risks/{}?notice=created",
            r.risk.id
        ))
        .into_response()),
        Err(e) => refused_on_register(&state, &web, id, e).await,
    }
}

/// `POST /assessments/{id}/candidates`: unrated risks for asset codes × chosen threats.
pub async fn add_candidates(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let ctx = web.ctx();
    let mut codes = Vec::new();
    let mut threat_ids = Vec::new();
    for (k, v) in &data {
        match k.as_str() {
            "assets" => codes.extend(words(v)),
            "threats" => threat_ids.extend(v.trim().parse::<i64>().ok()),
            _ => {}
        }
    }
    let found = assessments::assets_by_code(&state.app, &ctx, &codes)
        .await
        .map_err(|e| web.fail(e))?;
    let unknown: Vec<&str> = found
        .iter()
        .filter(|(_, id)| id.is_none())
        .map(|(c, _)| c.as_str())
        .collect();
    if !unknown.is_empty() {
        let message = format!(
            "{} {}",
            tx(web.lang()).unknown_asset_codes,
            unknown.join(", ")
        );
        return risks_page(
            &state,
            &web,
            AssessmentId(id),
            RiskParams::default(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
        )
        .await;
    }
    let asset_ids: Vec<i64> = found.iter().filter_map(|(_, a)| a.map(|a| a.0)).collect();
    match risks::create_candidates(&state.app, &ctx, AssessmentId(id), &asset_ids, &threat_ids)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/assessments/{id}/risks?notice=created")).into_response())
        }
        Err(e) => refused_on_register(&state, &web, id, e).await,
    }
}

// ---------------------------------------------------------------------------------------
// One risk

#[derive(Template)]
#[template(path = "assessments/risk.html")]
struct RiskPage {
    page: Page,
    tx: &'static texts::Messages,
    a: castellan_domain::risk::register::Assessment,
    r: RiskRow,
    risk_version: i64,
    description: Option<String>,
    rating: Option<RatingView>,
    residual: Option<RatingView>,
    asset_id: i64,
    asset_value_now: u8,
    t_value: String,
    v_value: String,
    rt_value: String,
    rv_value: String,
    residual_prefilled: bool,
    treatments: Vec<CodeOption>,
    approval: Option<String>,
    residual_acceptance: Option<String>,
    may_rate: bool,
    may_treat: bool,
    may_residual: bool,
    may_approve: bool,
    may_accept_residual: bool,
    residual_needs_acceptance: bool,
    items: Vec<ItemRow>,
    statuses: Vec<CodeOption>,
    may_plan_items: bool,
    history: Vec<HistoryItem>,
    action_error: Option<String>,
}

/// A treatment-plan item as the risk page and the task list show it.
pub(super) struct ItemRow {
    pub(super) version: i64,
    pub(super) measure: String,
    pub(super) responsible: String,
    pub(super) due: String,
    pub(super) overdue: bool,
    pub(super) status: String,
    pub(super) status_code: &'static str,
    pub(super) progress: Option<String>,
    pub(super) may_report: bool,
    pub(super) context: String,
    pub(super) href: String,
    pub(super) action: String,
}

pub(super) fn status_options(lang: Lang, selected: &str) -> Vec<CodeOption> {
    TreatmentStatus::ALL
        .iter()
        .map(|s| CodeOption {
            code: s.code(),
            label: s.label().get(lang).to_owned(),
            selected: s.code() == selected,
        })
        .collect()
}

struct RatingView {
    tva: String,
    likelihood: String,
    loss: String,
    value: String,
    level: u8,
    level_label: String,
}

fn rating_view(lang: Lang, r: Option<&RiskRating>) -> Option<RatingView> {
    let r = r?;
    let (tva, likelihood, loss, value, level, level_label) = rating_cells(lang, Some(r));
    Some(RatingView {
        tva,
        likelihood,
        loss,
        value,
        level,
        level_label,
    })
}

pub(super) async fn risk_page(
    state: &AppState,
    web: &Web,
    id: AssessmentId,
    risk_id: RiskId,
    notice: Option<&str>,
    status: StatusCode,
    action_error: Option<String>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let v = assessments::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let r = risks::get(&state.app, &ctx, id, risk_id)
        .await
        .map_err(|e| web.fail(e))?;
    let entries = risks::history(&state.app, &ctx, id, risk_id)
        .await
        .map_err(|e| web.fail(e))?;
    let mut ids = Vec::new();
    ids.extend(r.risk.approval.as_ref().map(|x| x.by));
    ids.extend(r.risk.residual_acceptance.as_ref().map(|x| x.by));
    let people = assessments::people(&state.app, &ctx, &ids)
        .await
        .map_err(|e| web.fail(e))?;
    let decision = |x: &castellan_domain::risk::register::Approval| {
        let who = people
            .get(&x.by)
            .map_or_else(|| format!("#{}", x.by), |p| p.display_name.clone());
        let mut s = format!("{who} · {}", view::when(t, Some(x.at)));
        if let Some(c) = &x.comment {
            s.push_str(" · ");
            s.push_str(c);
        }
        s
    };
    let a = v.assessment;
    let phase = a.phase;
    let is_committee = web
        .auth
        .principal
        .grants
        .iter()
        .any(|g| g.role == Role::Committee && g.department_id.is_none());
    let me = web.auth.principal.user_id;
    let independent =
        !a.team.contains(&me) && a.created_by != Some(me) && a.submitted_by != Some(me);
    let threshold = a.acceptance_threshold;
    let residual_needs_acceptance = r.risk.residual_level().is_some_and(|l| l >= threshold)
        && r.risk.residual_acceptance.is_none();
    let plan = castellan_app::risk::treatment::list_for_risk(&state.app, &ctx, id, risk_id)
        .await
        .map_err(|e| web.fail(e))?;
    let responsible: Vec<UserId> = plan.iter().filter_map(|p| p.item.responsible_id).collect();
    let owners = assessments::people(&state.app, &ctx, &responsible)
        .await
        .map_err(|e| web.fail(e))?;
    let progress_phase = phase.allows(Work::Progress);
    let items = plan
        .into_iter()
        .map(|p| item_row(lang, &owners, p, progress_phase && v.may_edit, me))
        .collect();
    let row = risk_row(lang, &r);
    let rt = r.risk.residual;
    let rating = r.risk.rating;
    let empties = |x: Option<u8>| x.map(|n| n.to_string()).unwrap_or_default();
    Ok(render::page_response(
        status,
        &RiskPage {
            page: Page::new(web, Some(Section::Assessments), view::notice(t, notice)),
            tx: tx(web.lang()),
            risk_version: r.risk.version,
            description: r.risk.description.clone(),
            rating: rating_view(lang, rating.as_ref()),
            residual: rating_view(lang, rt.as_ref()),
            asset_id: r.risk.asset_id.0,
            asset_value_now: r.asset_value_level_now,
            t_value: empties(rating.map(|x| x.threat_frequency.get())),
            v_value: empties(rating.map(|x| x.vulnerability_severity.get())),
            // Before the first residual rating, the form starts from the original one: the
            // assessor changes what the treatment changed.
            rt_value: empties(rt.or(rating).map(|x| x.threat_frequency.get())),
            rv_value: empties(rt.or(rating).map(|x| x.vulnerability_severity.get())),
            residual_prefilled: rt.is_none() && rating.is_some(),
            treatments: Treatment::ALL
                .iter()
                .map(|x| CodeOption {
                    code: x.code(),
                    label: x.label().get(lang).to_owned(),
                    selected: r.risk.treatment == Some(*x),
                })
                .collect(),
            approval: r.risk.approval.as_ref().map(decision),
            residual_acceptance: r.risk.residual_acceptance.as_ref().map(decision),
            may_rate: v.may_edit && phase.allows(Work::Risks),
            may_treat: v.may_edit && phase.allows(Work::Treatment),
            may_residual: v.may_edit && phase.allows(Work::Residual) && rating.is_some(),
            may_approve: is_committee
                && independent
                && phase.allows(Work::Acceptance)
                && r.approval_needed,
            may_accept_residual: is_committee
                && independent
                && phase.allows(Work::Acceptance)
                && residual_needs_acceptance,
            residual_needs_acceptance,
            items,
            statuses: status_options(lang, ""),
            may_plan_items: v.may_edit && phase.allows(Work::Treatment),
            history: view::history(
                lang,
                &Names {
                    departments: &HashMap::new(),
                    users: &view::user_names(&state.app, &entries).await,
                },
                &entries,
            ),
            action_error,
            r: row,
            a,
        },
    ))
}

/// `GET /assessments/{id}/risks/{risk_id}`.
pub async fn risk(
    State(state): State<AppState>,
    web: Web,
    Path((id, risk_id)): Path<(i64, i64)>,
    Query(n): Query<view::NoticeParams>,
) -> Result<Response, Response> {
    risk_page(
        &state,
        &web,
        AssessmentId(id),
        RiskId(risk_id),
        n.notice.as_deref(),
        StatusCode::OK,
        None,
    )
    .await
}

#[derive(Deserialize)]
pub struct RiskForm {
    /// Which part of the risk the form changes.
    part: String,
    version: i64,
    #[serde(default)]
    threat_frequency: String,
    #[serde(default)]
    vulnerability_severity: String,
    #[serde(default)]
    treatment: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    refresh: String,
    #[serde(default)]
    comment: String,
}

fn number(s: &str) -> Option<i64> {
    // A blank or non-numeric rating is sent as 0, which the service refuses as out of range.
    Some(s.trim().parse().unwrap_or(0))
}

/// `POST /assessments/{id}/risks/{risk_id}`: rating, treatment, residual rating or a
/// committee decision, by `part`.
pub async fn update_risk(
    State(state): State<AppState>,
    Path((id, risk_id)): Path<(i64, i64)>,
    form: CsrfForm<RiskForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let ctx = web.ctx();
    let (aid, rid) = (AssessmentId(id), RiskId(risk_id));
    let result = match f.part.as_str() {
        "rating" => {
            let patch = RiskPatch {
                threat_frequency: number(&f.threat_frequency),
                vulnerability_severity: number(&f.vulnerability_severity),
                refresh_asset_value: f.refresh == "1",
                description: Some(some(&f.description)),
                ..RiskPatch::default()
            };
            risks::update(&state.app, &ctx, aid, rid, &patch, f.version).await
        }
        "treatment" => {
            let patch = RiskPatch {
                treatment: Some(some(&f.treatment)),
                ..RiskPatch::default()
            };
            risks::update(&state.app, &ctx, aid, rid, &patch, f.version).await
        }
        "residual" => {
            let patch = RiskPatch {
                residual_threat_frequency: number(&f.threat_frequency),
                residual_vulnerability_severity: number(&f.vulnerability_severity),
                ..RiskPatch::default()
            };
            risks::update(&state.app, &ctx, aid, rid, &patch, f.version).await
        }
        "approval" | "residual_acceptance" => {
            let decision = if f.part == "approval" {
                Decision::Treatment
            } else {
                Decision::Residual
            };
            risks::decide(
                &state.app,
                &ctx,
                aid,
                rid,
                decision,
                Some(f.comment.as_str()),
                f.version,
            )
            .await
        }
        _ => Err(DomainError::BadRequest("unknown form".into()).into()),
    };
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/assessments/{id}/risks/{risk_id}?notice=saved"))
                .into_response(),
        ),
        Err(e) => {
            let Some((status, message)) = refused(web.lang(), &e) else {
                return Err(web.fail(e));
            };
            risk_page(&state, &web, aid, rid, None, status, Some(message)).await
        }
    }
}

pub(super) fn item_row(
    lang: Lang,
    owners: &HashMap<UserId, castellan_app::asset::assets::OwnerRef>,
    p: castellan_app::risk::treatment::TreatmentView,
    team_reports: bool,
    me: UserId,
) -> ItemRow {
    let i = p.item;
    let mine = i.responsible_id == Some(me);
    let reporting_phase = p.assessment_phase.allows(Work::Progress);
    ItemRow {
        version: i.version,
        measure: i.measure,
        responsible: i
            .responsible_id
            .map(|u| {
                owners
                    .get(&u)
                    .map_or_else(|| format!("#{u}"), |o| o.display_name.clone())
            })
            .unwrap_or_default(),
        due: i.due_on.map(|d| d.to_db()).unwrap_or_default(),
        overdue: p.overdue,
        status: i.status.label().get(lang).to_owned(),
        status_code: i.status.code(),
        progress: i.progress,
        may_report: reporting_phase && (team_reports || mine),
        context: format!(
            "{} · {} · {}",
            p.assessment_name, p.asset_code, p.threat_code
        ),
        href: format!("/assessments/{}/risks/{}", i.assessment_id, i.risk_id),
        action: format!("/assessments/{}/items/{}", i.assessment_id, i.id),
    }
}

#[derive(Deserialize)]
pub struct PreviewParams {
    t: i64,
    v: i64,
    a: i64,
}

/// `GET /assessments/{id}/preview?t=&v=&a=`: the live preview of the rating form, as JSON,
/// computed with the assessment's method and tables.
pub async fn preview(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(p): Query<PreviewParams>,
) -> Response {
    match risks::preview(&state.app, &web.ctx(), AssessmentId(id), p.t, p.v, p.a).await {
        Ok(e) => Json(serde_json::json!({
            "likelihood": format!("{} / {}", shown(e.likelihood_value), e.likelihood_level.get()),
            "loss": format!("{} / {}", shown(e.loss_value), e.loss_level.get()),
            "value": shown(e.risk_value),
            "level": e.risk_level.get(),
            "label": level_label(web.lang(), e.risk_level),
        }))
        .into_response(),
        Err(_) => StatusCode::UNPROCESSABLE_ENTITY.into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// Threat catalog
