//! `/api/v1/dr-plans` (SPEC §6.7).

use super::day;
use super::types::{DrPlanBody, DrPlanDetail, DrPlanList, DrPlanOut};
use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, ContinuityCreate, ContinuityRead, ContinuityUpdate,
    IfMatch,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::continuity::dr_plans::{self as plans, DrPlanForm, DrPlanQuery, DrPlanView};
use castellan_domain::DomainError;
use castellan_domain::ids::{AssetId, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

fn detail(v: DrPlanView, status: StatusCode) -> Response {
    let version = v.plan.version;
    let loc = (status == StatusCode::CREATED).then(|| format!("/api/v1/dr-plans/{}", v.plan.id));
    with_etag(status, version, DrPlanDetail::from(v), loc)
}

fn form(b: DrPlanBody) -> Result<DrPlanForm, DomainError> {
    Ok(DrPlanForm {
        title: b.title,
        asset_ids: b
            .asset_ids
            .map(|ids| ids.into_iter().map(AssetId).collect()),
        asset_codes: None,
        document_id: b.document_id,
        document_code: None,
        owner_id: b.owner_id.map(UserId),
        owner_username: None,
        rto_hours: b.rto_hours,
        adopted_at: day("adopted_at", b.adopted_at.as_deref())?,
        description: b.description,
    })
}

/// Filters of the DR plan list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DrPlanParams {
    /// Plans that recover this asset.
    asset_id: Option<i64>,
    /// The owner.
    owner_id: Option<i64>,
    /// Words of the code or title.
    q: Option<String>,
    /// `code` (default), `title`, `rto_hours`; `-` first for descending.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// Disaster-recovery plans, by code.
#[utoipa::path(get, path = "/api/v1/dr-plans", tag = "continuity", params(DrPlanParams),
    security(("bearer" = [])), extensions(("x-permission" = json!("continuity:read"))),
    responses((status = 200, description = "A page of DR plans", body = DrPlanList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<ContinuityRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<DrPlanParams>,
) -> ApiResult<Json<DrPlanList>> {
    let q = DrPlanQuery {
        asset_id: p.asset_id,
        owner_id: p.owner_id,
        q: p.q,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let (page, total) = plans::list(&state.app, &ctx, &q).await?;
    Ok(Json(DrPlanList {
        items: page.items.iter().map(DrPlanOut::from).collect(),
        total,
        next_cursor: page.next_cursor,
    }))
}

/// Create a DR plan: a title, known assets (422 on `asset_ids[i]`), a known document (422 on
/// `document_id`), an RTO of at least one hour.
#[utoipa::path(post, path = "/api/v1/dr-plans", tag = "continuity", request_body = DrPlanBody,
    security(("bearer" = [])), extensions(("x-permission" = json!("continuity:create"))),
    responses((status = 201, description = "Created", body = DrPlanDetail), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<ContinuityCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<DrPlanBody>,
) -> ApiResult<Response> {
    let v = plans::create(&state.app, &ctx, &form(b)?).await?;
    Ok(detail(v, StatusCode::CREATED))
}

/// One DR plan with its document and drills.
#[utoipa::path(get, path = "/api/v1/dr-plans/{id}", tag = "continuity",
    params(("id" = i64, Path, description = "DR plan id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("continuity:read"))),
    responses((status = 200, description = "The plan", body = DrPlanDetail), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<ContinuityRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(detail(
        plans::get(&state.app, &ctx, id).await?,
        StatusCode::OK,
    ))
}

/// Change a DR plan (absent fields stay). 412 for a stale `If-Match`.
#[utoipa::path(patch, path = "/api/v1/dr-plans/{id}", tag = "continuity",
    params(("id" = i64, Path, description = "DR plan id"), ("If-Match" = String, Header, description = "The version read")),
    request_body = DrPlanBody, security(("bearer" = [])), extensions(("x-permission" = json!("continuity:update"))),
    responses((status = 200, description = "Changed", body = DrPlanDetail), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<ContinuityUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<DrPlanBody>,
) -> ApiResult<Response> {
    let v = plans::update(&state.app, &ctx, id, &form(b)?, version).await?;
    Ok(detail(v, StatusCode::OK))
}
