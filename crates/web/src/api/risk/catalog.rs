//! The inputs of risk analysis: the method preview, the organization's risk tables, the
//! threat catalog, vulnerability findings and existing controls.

use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::risk::types::{
    ControlCreate, ControlList, ControlUpdate, ControlView, EvaluateRequest, EvaluateResponse,
    RiskTablesBody, RiskTablesChanged, RiskTablesView, ThreatCreate, ThreatList, ThreatUpdate,
    ThreatView, VulnerabilityCreate, VulnerabilityList, VulnerabilityUpdate, VulnerabilityView,
};
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, AssessmentRead, ControlCreate as CCreate,
    ControlRead as CRead, ControlUpdate as CUpdate, IfMatch, SettingRead, SettingUpdate,
    ThreatCreate as TCreate, ThreatRead as TRead, ThreatUpdate as TUpdate,
    VulnerabilityCreate as VCreate, VulnerabilityRead as VRead, VulnerabilityUpdate as VUpdate,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::risk::findings::{
    self, ControlInput, ControlPatch, ControlQuery, VulnerabilityInput, VulnerabilityPatch,
    VulnerabilityQuery,
};
use castellan_app::risk::risk_tables::{self, TablesInput};
use castellan_app::risk::threats::{self, ThreatInput, ThreatPatch, ThreatQuery};
use castellan_domain::ids::{ControlId, ThreatId, VulnerabilityId};
use serde::Deserialize;
use utoipa::IntoParams;

/// Compute a rating with the organization's current tables, storing nothing (SPEC §4.2).
#[utoipa::path(post, path = "/api/v1/risk-methods/evaluate", tag = "risk",
    request_body = EvaluateRequest, security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:read"))),
    responses((status = 200, description = "The computed values", body = EvaluateResponse), Errors))]
pub async fn evaluate(
    Allowed(ctx, _): Allowed<AssessmentRead>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<EvaluateRequest>,
) -> ApiResult<Json<EvaluateResponse>> {
    let (method, e) = risk_tables::evaluate(
        &state.app,
        &ctx,
        &b.method,
        b.threat_frequency,
        b.vulnerability_severity,
        b.asset_value_level,
    )
    .await?;
    Ok(Json(EvaluateResponse {
        method: method.code(),
        threat_frequency: b.threat_frequency,
        vulnerability_severity: b.vulnerability_severity,
        asset_value_level: b.asset_value_level,
        evaluation: e.into(),
    }))
}

/// The organization's risk grading tables and matrices.
#[utoipa::path(get, path = "/api/v1/settings/risk-tables", tag = "settings",
    security(("bearer" = [])),
    extensions(("x-permission" = json!("setting:read"))),
    responses((status = 200, description = "The tables", body = RiskTablesView), Errors))]
pub async fn get_tables(
    Allowed(ctx, _): Allowed<SettingRead>,
    State(state): State<AppState>,
) -> ApiResult<Response> {
    let (tables, version) = risk_tables::get(&state.app, &ctx).await?;
    Ok(with_etag(
        StatusCode::OK,
        version,
        RiskTablesView {
            tables: (&tables).into(),
            version,
        },
        None,
    ))
}

/// Replace the risk tables: each must cover 1–25 without gaps or overlaps, matrices must
/// not decrease. Assessments not yet submitted for review are re-rated at once.
#[utoipa::path(put, path = "/api/v1/settings/risk-tables", tag = "settings",
    params(("If-Match" = String, Header, description = "The version read (\"0\" while the defaults apply)")),
    request_body = RiskTablesBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("setting:update"))),
    responses((status = 200, description = "Changed", body = RiskTablesChanged), Errors))]
pub async fn set_tables(
    Allowed(ctx, _): Allowed<SettingUpdate>,
    State(state): State<AppState>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<RiskTablesBody>,
) -> ApiResult<Response> {
    let input = TablesInput {
        likelihood: b.likelihood,
        loss: b.loss,
        risk: b.risk,
        likelihood_matrix: b.likelihood_matrix,
        loss_matrix: b.loss_matrix,
        risk_matrix: b.risk_matrix,
    };
    let r = risk_tables::set(&state.app, &ctx, &input, version).await?;
    Ok(with_etag(
        StatusCode::OK,
        r.version,
        RiskTablesChanged {
            tables: (&r.tables).into(),
            version: r.version,
            rerated_assessments: r.assessments,
            rerated_ratings: r.ratings,
        },
        None,
    ))
}

/// Filters of the threat catalog.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreatParams {
    /// Substring of code or name (either language).
    q: Option<String>,
    /// Source code.
    source: Option<String>,
    /// Path code.
    path: Option<String>,
    /// Method code.
    method: Option<String>,
    /// Only active (true) or only retired (false) entries.
    active: Option<bool>,
    /// `code` (default) or `updated_at`; prefix `-` for descending.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// List the threat catalog.
#[utoipa::path(get, path = "/api/v1/threats", tag = "risk",
    params(ThreatParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("threat:read"))),
    responses((status = 200, description = "A page of threats", body = ThreatList), Errors))]
pub async fn list_threats(
    Allowed(ctx, _): Allowed<TRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ThreatParams>,
) -> ApiResult<Json<ThreatList>> {
    let q = ThreatQuery {
        q: p.q,
        source: p.source,
        path: p.path,
        method: p.method,
        active: p.active,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let page = threats::list(&state.app, &ctx, &q).await?;
    Ok(Json(ThreatList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Add a threat of the organization's own.
#[utoipa::path(post, path = "/api/v1/threats", tag = "risk",
    request_body = ThreatCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("threat:create"))),
    responses((status = 201, description = "Created", body = ThreatView), Errors))]
pub async fn create_threat(
    Allowed(ctx, _): Allowed<TCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<ThreatCreate>,
) -> ApiResult<Response> {
    let input = ThreatInput {
        code: b.code,
        source: b.source,
        path: b.path,
        method: b.method,
        name_en: b.name_en,
        name_zh: b.name_zh,
        description_en: b.description_en,
        description_zh: b.description_zh,
        active: b.active,
    };
    let t = threats::create(&state.app, &ctx, &input).await?;
    let location = format!("/api/v1/threats/{}", t.id);
    Ok(with_etag(
        StatusCode::CREATED,
        t.version,
        ThreatView::from(t),
        Some(location),
    ))
}

/// Read a threat.
#[utoipa::path(get, path = "/api/v1/threats/{id}", tag = "risk",
    params(("id" = i64, Path, description = "Threat id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("threat:read"))),
    responses((status = 200, description = "The threat", body = ThreatView), Errors))]
pub async fn get_threat(
    Allowed(ctx, _): Allowed<TRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let t = threats::get(&state.app, &ctx, ThreatId(id)).await?;
    Ok(with_etag(
        StatusCode::OK,
        t.version,
        ThreatView::from(t),
        None,
    ))
}

/// Change a threat; `active: false` retires it (risks naming it keep it).
#[utoipa::path(patch, path = "/api/v1/threats/{id}", tag = "risk",
    params(("id" = i64, Path, description = "Threat id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = ThreatUpdate, security(("bearer" = [])),
    extensions(("x-permission" = json!("threat:update"))),
    responses((status = 200, description = "Updated", body = ThreatView), Errors))]
pub async fn update_threat(
    Allowed(ctx, _): Allowed<TUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<ThreatUpdate>,
) -> ApiResult<Response> {
    let patch = ThreatPatch {
        code: b.code,
        source: b.source,
        path: b.path,
        method: b.method,
        name_en: b.name_en,
        name_zh: b.name_zh,
        description_en: b.description_en,
        description_zh: b.description_zh,
        active: b.active,
    };
    let t = threats::update(&state.app, &ctx, ThreatId(id), &patch, version).await?;
    Ok(with_etag(
        StatusCode::OK,
        t.version,
        ThreatView::from(t),
        None,
    ))
}

/// Filters of the finding list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VulnerabilityParams {
    /// Of this asset.
    asset_id: Option<i64>,
    /// Status code.
    status: Option<String>,
    /// At least this severe (1–5).
    #[param(minimum = 1, maximum = 5)]
    min_severity: Option<i64>,
    /// How found.
    found_by: Option<String>,
    /// Substring of title or reference.
    q: Option<String>,
    /// `-severity` (default), `severity`, `created_at`, `-created_at`.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// List vulnerability findings (within the caller's department scope).
#[utoipa::path(get, path = "/api/v1/vulnerabilities", tag = "risk",
    params(VulnerabilityParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("vulnerability:read"))),
    responses((status = 200, description = "A page of findings", body = VulnerabilityList), Errors))]
pub async fn list_vulnerabilities(
    Allowed(ctx, _): Allowed<VRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<VulnerabilityParams>,
) -> ApiResult<Json<VulnerabilityList>> {
    let q = VulnerabilityQuery {
        asset_id: p.asset_id,
        status: p.status,
        min_severity: p.min_severity,
        found_by: p.found_by,
        q: p.q,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let page = findings::list_vulnerabilities(&state.app, &ctx, &q).await?;
    Ok(Json(VulnerabilityList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Record a vulnerability finding against an asset.
#[utoipa::path(post, path = "/api/v1/vulnerabilities", tag = "risk",
    request_body = VulnerabilityCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("vulnerability:create"))),
    responses((status = 201, description = "Created", body = VulnerabilityView), Errors))]
pub async fn create_vulnerability(
    Allowed(ctx, _): Allowed<VCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<VulnerabilityCreate>,
) -> ApiResult<Response> {
    let input = VulnerabilityInput {
        asset_id: b.asset_id,
        title: b.title,
        description: b.description,
        severity: b.severity,
        status: b.status,
        reference: b.reference,
        found_by: b.found_by,
        found_on: b.found_on,
    };
    let v = findings::create_vulnerability(&state.app, &ctx, &input).await?;
    let location = format!("/api/v1/vulnerabilities/{}", v.id);
    Ok(with_etag(
        StatusCode::CREATED,
        v.version,
        VulnerabilityView::from(v),
        Some(location),
    ))
}

/// Read a finding.
#[utoipa::path(get, path = "/api/v1/vulnerabilities/{id}", tag = "risk",
    params(("id" = i64, Path, description = "Finding id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("vulnerability:read"))),
    responses((status = 200, description = "The finding", body = VulnerabilityView), Errors))]
pub async fn get_vulnerability(
    Allowed(ctx, _): Allowed<VRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let v = findings::get_vulnerability(&state.app, &ctx, VulnerabilityId(id)).await?;
    Ok(with_etag(
        StatusCode::OK,
        v.version,
        VulnerabilityView::from(v),
        None,
    ))
}

/// Change a finding (its status when fixed or accepted, its severity …).
#[utoipa::path(patch, path = "/api/v1/vulnerabilities/{id}", tag = "risk",
    params(("id" = i64, Path, description = "Finding id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = VulnerabilityUpdate, security(("bearer" = [])),
    extensions(("x-permission" = json!("vulnerability:update"))),
    responses((status = 200, description = "Updated", body = VulnerabilityView), Errors))]
pub async fn update_vulnerability(
    Allowed(ctx, _): Allowed<VUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<VulnerabilityUpdate>,
) -> ApiResult<Response> {
    let patch = VulnerabilityPatch {
        title: b.title,
        description: b.description,
        severity: b.severity,
        status: b.status,
        reference: b.reference,
        found_by: b.found_by,
        found_on: b.found_on,
    };
    let v = findings::update_vulnerability(&state.app, &ctx, VulnerabilityId(id), &patch, version)
        .await?;
    Ok(with_etag(
        StatusCode::OK,
        v.version,
        VulnerabilityView::from(v),
        None,
    ))
}

/// Filters of the control list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ControlParams {
    /// Protecting this asset (organization-wide controls included).
    asset_id: Option<i64>,
    /// Kind code.
    kind: Option<String>,
    /// Effectiveness code.
    effectiveness: Option<String>,
    /// Substring of the name.
    q: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// List existing controls, by name.
#[utoipa::path(get, path = "/api/v1/controls", tag = "risk",
    params(ControlParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("control:read"))),
    responses((status = 200, description = "A page of controls", body = ControlList), Errors))]
pub async fn list_controls(
    Allowed(ctx, _): Allowed<CRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ControlParams>,
) -> ApiResult<Json<ControlList>> {
    let q = ControlQuery {
        asset_id: p.asset_id,
        kind: p.kind,
        effectiveness: p.effectiveness,
        q: p.q,
        cursor: p.cursor,
        limit: p.limit,
    };
    let page = findings::list_controls(&state.app, &ctx, &q).await?;
    Ok(Json(ControlList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Record an existing control.
#[utoipa::path(post, path = "/api/v1/controls", tag = "risk",
    request_body = ControlCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("control:create"))),
    responses((status = 201, description = "Created", body = ControlView), Errors))]
pub async fn create_control(
    Allowed(ctx, _): Allowed<CCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<ControlCreate>,
) -> ApiResult<Response> {
    let input = ControlInput {
        name: b.name,
        kind: b.kind,
        description: b.description,
        effectiveness: b.effectiveness,
        asset_id: b.asset_id,
    };
    let c = findings::create_control(&state.app, &ctx, &input).await?;
    let location = format!("/api/v1/controls/{}", c.id);
    Ok(with_etag(
        StatusCode::CREATED,
        c.version,
        ControlView::from(c),
        Some(location),
    ))
}

/// Read a control.
#[utoipa::path(get, path = "/api/v1/controls/{id}", tag = "risk",
    params(("id" = i64, Path, description = "Control id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("control:read"))),
    responses((status = 200, description = "The control", body = ControlView), Errors))]
pub async fn get_control(
    Allowed(ctx, _): Allowed<CRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let c = findings::get_control(&state.app, &ctx, ControlId(id)).await?;
    Ok(with_etag(
        StatusCode::OK,
        c.version,
        ControlView::from(c),
        None,
    ))
}

/// Change a control (its effectiveness after a check …).
#[utoipa::path(patch, path = "/api/v1/controls/{id}", tag = "risk",
    params(("id" = i64, Path, description = "Control id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = ControlUpdate, security(("bearer" = [])),
    extensions(("x-permission" = json!("control:update"))),
    responses((status = 200, description = "Updated", body = ControlView), Errors))]
pub async fn update_control(
    Allowed(ctx, _): Allowed<CUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<ControlUpdate>,
) -> ApiResult<Response> {
    let patch = ControlPatch {
        name: b.name,
        kind: b.kind,
        description: b.description,
        effectiveness: b.effectiveness,
        asset_id: b.asset_id,
    };
    let c = findings::update_control(&state.app, &ctx, ControlId(id), &patch, version).await?;
    Ok(with_etag(
        StatusCode::OK,
        c.version,
        ControlView::from(c),
        None,
    ))
}
