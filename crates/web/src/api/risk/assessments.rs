//! `/api/v1/assessments`: risk assessments, their workflow, checklist, risks, committee
//! decisions and heat map (SPEC §4).

use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::risk::types::{
    AssessmentCreate, AssessmentList, AssessmentUpdate, AssessmentView, CandidatesCreate,
    CandidatesCreated, Checklist, ChecklistUpdate, DecisionCreate, HeatMap, MoveList, RiskCreate,
    RiskList, RiskUpdate, RiskView, TransitionCreate,
};
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, AssessmentCreate as Create, AssessmentRead as Read,
    AssessmentUpdate as Update, IfMatch, OptionalIfMatch,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::risk::assessments::{self, AssessmentInput, AssessmentPatch, AssessmentQuery};
use castellan_app::risk::risks::{self, Decision, RiskInput, RiskPatch, RiskQuery};
use castellan_domain::ids::{AssessmentId, RiskId};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters of the assessment list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Phase code.
    phase: Option<String>,
    /// Substring of the name.
    q: Option<String>,
    /// Only assessments whose team the caller is on.
    #[serde(default)]
    mine: bool,
    /// `-updated_at` (default), `updated_at`, `name`, `-name`.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// List risk assessments.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "risk",
    params(ListParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:read"))),
    responses((status = 200, description = "A page of assessments", body = AssessmentList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<AssessmentList>> {
    let q = AssessmentQuery {
        phase: p.phase,
        q: p.q,
        mine: p.mine,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let page = assessments::list(&state.app, &ctx, &q).await?;
    Ok(Json(AssessmentList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Start an assessment (in `preparation`, with the organization's current risk tables and
/// the default checklist).
#[utoipa::path(post, path = "/api/v1/assessments", tag = "risk",
    request_body = AssessmentCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:create"))),
    responses((status = 201, description = "Created", body = AssessmentView), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<Create>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<AssessmentCreate>,
) -> ApiResult<Response> {
    let input = AssessmentInput {
        name: b.name,
        description: b.description,
        method: b.method,
        acceptance_threshold: b.acceptance_threshold,
        planned_start: b.planned_start,
        planned_end: b.planned_end,
        department_ids: b.department_ids,
        asset_ids: b.asset_ids,
        team: b.team,
    };
    let v = assessments::create(&state.app, &ctx, &input).await?;
    let location = format!("/api/v1/assessments/{}", v.assessment.id);
    Ok(with_etag(
        StatusCode::CREATED,
        v.assessment.version,
        AssessmentView::from(v),
        Some(location),
    ))
}

/// Read an assessment, with the moves the caller may make now.
#[utoipa::path(get, path = "/api/v1/assessments/{id}", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:read"))),
    responses((status = 200, description = "The assessment", body = AssessmentView), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let v = assessments::get(&state.app, &ctx, AssessmentId(id)).await?;
    Ok(with_etag(
        StatusCode::OK,
        v.assessment.version,
        AssessmentView::from(v),
        None,
    ))
}

/// Change the plan: name, scope, team, dates, method, threshold (in preparation and
/// identification; the team or a security officer).
#[utoipa::path(patch, path = "/api/v1/assessments/{id}", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = AssessmentUpdate, security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:update"))),
    responses((status = 200, description = "Updated", body = AssessmentView), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<AssessmentUpdate>,
) -> ApiResult<Response> {
    let patch = AssessmentPatch {
        name: b.name,
        description: b.description,
        method: b.method,
        acceptance_threshold: b.acceptance_threshold,
        planned_start: b.planned_start,
        planned_end: b.planned_end,
        department_ids: b.department_ids,
        asset_ids: b.asset_ids,
        team: b.team,
    };
    let v = assessments::update(&state.app, &ctx, AssessmentId(id), &patch, version).await?;
    Ok(with_etag(
        StatusCode::OK,
        v.assessment.version,
        AssessmentView::from(v),
        None,
    ))
}

/// Move an assessment to another phase. A move the workflow does not have from the
/// current phase gets 409; one the caller's role or team does not allow, 403; a return
/// without a comment, 422; an approval by the submitter, 409.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/transitions", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"),
           ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = TransitionCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:update"))),
    responses((status = 200, description = "Moved", body = AssessmentView), Errors))]
pub async fn transition(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<TransitionCreate>,
) -> ApiResult<Response> {
    let v = assessments::transition(
        &state.app,
        &ctx,
        AssessmentId(id),
        &b.to,
        b.comment.as_deref(),
        version,
    )
    .await?;
    Ok(with_etag(
        StatusCode::OK,
        v.assessment.version,
        AssessmentView::from(v),
        None,
    ))
}

/// The phase moves of an assessment (who, when, why), oldest first.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/transitions", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:read"))),
    responses((status = 200, description = "The moves", body = MoveList), Errors))]
pub async fn moves(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MoveList>> {
    let items = assessments::moves(&state.app, &ctx, AssessmentId(id)).await?;
    Ok(Json(MoveList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// The checklist of assessment areas × techniques.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/checklist", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:read"))),
    responses((status = 200, description = "The checklist", body = Checklist), Errors))]
pub async fn checklist(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Checklist>> {
    let items = assessments::checklist(&state.app, &ctx, AssessmentId(id)).await?;
    Ok(Json(Checklist {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Mark a checklist row done or not (added when not planned yet).
#[utoipa::path(put, path = "/api/v1/assessments/{id}/checklist", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id")),
    request_body = ChecklistUpdate, security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:update"))),
    responses((status = 200, description = "The checklist", body = Checklist), Errors))]
pub async fn set_checklist(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ChecklistUpdate>,
) -> ApiResult<Json<Checklist>> {
    let items = assessments::set_checklist_item(
        &state.app,
        &ctx,
        AssessmentId(id),
        &b.area,
        &b.technique,
        b.done,
        b.note.as_deref(),
    )
    .await?;
    Ok(Json(Checklist {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Filters of the risk register.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskParams {
    /// Risk level 1–5.
    #[param(minimum = 1, maximum = 5)]
    level: Option<i64>,
    /// At least this risk level.
    #[param(minimum = 1, maximum = 5)]
    min_level: Option<i64>,
    /// Likelihood level (a heat-map row).
    #[param(minimum = 1, maximum = 5)]
    likelihood_level: Option<i64>,
    /// Loss level (a heat-map column).
    #[param(minimum = 1, maximum = 5)]
    loss_level: Option<i64>,
    /// Asset id.
    asset_id: Option<i64>,
    /// Threat id.
    threat_id: Option<i64>,
    /// Treatment code.
    treatment: Option<String>,
    /// Only unrated (true) or only rated (false) risks.
    unrated: Option<bool>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// The risk register of an assessment, highest risk first.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/risks", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"), RiskParams),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:read"))),
    responses((status = 200, description = "A page of risks", body = RiskList), Errors))]
pub async fn list_risks(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<RiskParams>,
) -> ApiResult<Json<RiskList>> {
    let q = RiskQuery {
        level: p.level,
        min_level: p.min_level,
        likelihood_level: p.likelihood_level,
        loss_level: p.loss_level,
        asset_id: p.asset_id,
        threat_id: p.threat_id,
        treatment: p.treatment,
        unrated: p.unrated,
        cursor: p.cursor,
        limit: p.limit,
    };
    let page = risks::list(&state.app, &ctx, AssessmentId(id), &q).await?;
    Ok(Json(RiskList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Add a risk (rated at once when T and V — or a vulnerability — are given; A comes from
/// the asset's value level).
#[utoipa::path(post, path = "/api/v1/assessments/{id}/risks", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id")),
    request_body = RiskCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:update"))),
    responses((status = 201, description = "Created", body = RiskView), Errors))]
pub async fn create_risk(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RiskCreate>,
) -> ApiResult<Response> {
    let input = RiskInput {
        asset_id: b.asset_id,
        threat_id: b.threat_id,
        vulnerability_id: b.vulnerability_id,
        description: b.description,
        threat_frequency: b.threat_frequency,
        vulnerability_severity: b.vulnerability_severity,
    };
    let v = risks::create(&state.app, &ctx, AssessmentId(id), &input).await?;
    let location = format!("/api/v1/assessments/{id}/risks/{}", v.risk.id);
    Ok(with_etag(
        StatusCode::CREATED,
        v.risk.version,
        RiskView::from(v),
        Some(location),
    ))
}

/// Add an unrated candidate risk for every asset × threat pair (pairs already present are
/// skipped).
#[utoipa::path(post, path = "/api/v1/assessments/{id}/risks/candidates", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id")),
    request_body = CandidatesCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:update"))),
    responses((status = 201, description = "Added", body = CandidatesCreated), Errors))]
pub async fn create_candidates(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CandidatesCreate>,
) -> ApiResult<(StatusCode, Json<CandidatesCreated>)> {
    let r = risks::create_candidates(
        &state.app,
        &ctx,
        AssessmentId(id),
        &b.asset_ids,
        &b.threat_ids,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CandidatesCreated {
            added: r.added,
            existing: r.existing,
        }),
    ))
}

/// Read a risk.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/risks/{risk_id}", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"),
           ("risk_id" = i64, Path, description = "Risk id")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:read"))),
    responses((status = 200, description = "The risk", body = RiskView), Errors))]
pub async fn get_risk(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath((id, risk_id)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    let v = risks::get(&state.app, &ctx, AssessmentId(id), RiskId(risk_id)).await?;
    Ok(with_etag(
        StatusCode::OK,
        v.risk.version,
        RiskView::from(v),
        None,
    ))
}

/// Rate, describe, treat or re-rate (residual) a risk; each in its phase.
#[utoipa::path(patch, path = "/api/v1/assessments/{id}/risks/{risk_id}", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"),
           ("risk_id" = i64, Path, description = "Risk id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = RiskUpdate, security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:update"))),
    responses((status = 200, description = "Updated", body = RiskView), Errors))]
pub async fn update_risk(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath((id, risk_id)): ApiPath<(i64, i64)>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<RiskUpdate>,
) -> ApiResult<Response> {
    let patch = RiskPatch {
        description: b.description,
        threat_frequency: b.threat_frequency,
        vulnerability_severity: b.vulnerability_severity,
        refresh_asset_value: b.refresh_asset_value,
        treatment: b.treatment,
        residual_threat_frequency: b.residual_threat_frequency,
        residual_vulnerability_severity: b.residual_vulnerability_severity,
    };
    let v = risks::update(
        &state.app,
        &ctx,
        AssessmentId(id),
        RiskId(risk_id),
        &patch,
        version,
    )
    .await?;
    Ok(with_etag(
        StatusCode::OK,
        v.risk.version,
        RiskView::from(v),
        None,
    ))
}

/// Remove a risk (while risks are identified and analysed).
#[utoipa::path(delete, path = "/api/v1/assessments/{id}/risks/{risk_id}", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"),
           ("risk_id" = i64, Path, description = "Risk id"),
           ("If-Match" = String, Header, description = "The version read")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:update"))),
    responses((status = 204, description = "Deleted"), Errors))]
pub async fn delete_risk(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath((id, risk_id)): ApiPath<(i64, i64)>,
    IfMatch(version): IfMatch,
) -> ApiResult<StatusCode> {
    risks::delete(&state.app, &ctx, AssessmentId(id), RiskId(risk_id), version).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn decide(
    state: &AppState,
    ctx: &castellan_app::Ctx,
    (id, risk_id): (i64, i64),
    decision: Decision,
    comment: Option<&str>,
    version: i64,
) -> ApiResult<Response> {
    let v = risks::decide(
        &state.app,
        ctx,
        AssessmentId(id),
        RiskId(risk_id),
        decision,
        comment,
        version,
    )
    .await?;
    Ok(with_etag(
        StatusCode::OK,
        v.risk.version,
        RiskView::from(v),
        None,
    ))
}

/// A committee member approves keeping or accepting a risk at or above the acceptance
/// threshold (not a member of the assessment's team; once).
#[utoipa::path(post, path = "/api/v1/assessments/{id}/risks/{risk_id}/approval", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"),
           ("risk_id" = i64, Path, description = "Risk id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = DecisionCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:update"))),
    responses((status = 200, description = "Approved", body = RiskView), Errors))]
pub async fn approve_risk(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath(ids): ApiPath<(i64, i64)>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<DecisionCreate>,
) -> ApiResult<Response> {
    decide(
        &state,
        &ctx,
        ids,
        Decision::Treatment,
        b.comment.as_deref(),
        version,
    )
    .await
}

/// A committee member accepts a residual risk at or above the acceptance threshold.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/risks/{risk_id}/residual-acceptance", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"),
           ("risk_id" = i64, Path, description = "Risk id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = DecisionCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:update"))),
    responses((status = 200, description = "Accepted", body = RiskView), Errors))]
pub async fn accept_residual(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath(ids): ApiPath<(i64, i64)>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<DecisionCreate>,
) -> ApiResult<Response> {
    decide(
        &state,
        &ctx,
        ids,
        Decision::Residual,
        b.comment.as_deref(),
        version,
    )
    .await
}

/// Which ratings the heat map counts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HeatMapParams {
    /// Count residual ratings instead.
    #[serde(default)]
    residual: bool,
}

/// Risk counts by likelihood level × loss level (5×5).
#[utoipa::path(get, path = "/api/v1/assessments/{id}/heat-map", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"), HeatMapParams),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:read"))),
    responses((status = 200, description = "The counts", body = HeatMap), Errors))]
pub async fn heat_map(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<HeatMapParams>,
) -> ApiResult<Json<HeatMap>> {
    let cells = risks::heat_map(&state.app, &ctx, AssessmentId(id), p.residual).await?;
    Ok(Json(HeatMap {
        cells,
        residual: p.residual,
    }))
}

/// Format and language of a report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// `html` (default, with a print stylesheet), `xlsx` or `docx` (the printable document).
    format: Option<String>,
    /// `zh-CN` or `en` (default: the caller's `Accept-Language`, else English).
    lang: Option<String>,
}

/// An assessment report (SPEC §4.5): `assessment` (the risk assessment report),
/// `treatment-plan` or `residual`, as HTML, XLSX or DOCX, in Chinese or English.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/reports/{kind}", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"),
           ("kind" = String, Path, description = "assessment, treatment-plan or residual"),
           ReportParams),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:read"))),
    responses((status = 200, description = "The report", content(
        ("text/html"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"))), Errors))]
pub async fn report(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath((id, kind)): ApiPath<(i64, String)>,
    ApiQuery(p): ApiQuery<ReportParams>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    use castellan_app::risk::reports::{self, ReportKind};
    use castellan_domain::{FieldErrorKind, FieldErrors, Lang};
    let mut errors = FieldErrors::new();
    let kind = ReportKind::from_code(&kind);
    if kind.is_none() {
        errors.add(
            "kind",
            FieldErrorKind::UnknownValue {
                allowed: vec!["assessment", "treatment-plan", "residual"],
            },
        );
    }
    let format = crate::report::Format::from_code(p.format.as_deref().unwrap_or("html").trim());
    if format.is_none() {
        errors.add(
            "format",
            FieldErrorKind::UnknownValue {
                allowed: vec!["html", "xlsx", "docx"],
            },
        );
    }
    let lang = match p.lang.as_deref() {
        Some(code) => Lang::parse(code.trim()),
        None => Some(
            headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
                .unwrap_or_default(),
        ),
    };
    if lang.is_none() {
        errors.add(
            "lang",
            FieldErrorKind::UnknownValue {
                allowed: vec!["zh-CN", "en"],
            },
        );
    }
    errors.into_result()?;
    let (Some(kind), Some(format), Some(lang)) = (kind, format, lang) else {
        return Err(castellan_domain::DomainError::BadRequest("invalid report".into()).into());
    };
    let data = reports::data(&state.app, &ctx, AssessmentId(id)).await?;
    Ok(crate::report::render(
        data,
        kind,
        format,
        lang,
        state.assets.report_css_path.clone(),
    )
    .await?)
}
