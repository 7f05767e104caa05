//! `/api/v1/backup-plans` (SPEC §6.7).

use super::day;
use super::types::{
    BackupPlanBody, BackupPlanList, BackupPlanOut, UncoveredAssetList, UncoveredAssetOut,
    VerificationBody, VerificationList, VerificationOut,
};
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
use castellan_app::continuity::backup_plans::{
    self as plans, BackupPlanForm, BackupPlanQuery, BackupPlanView, VerificationForm,
};
use castellan_domain::ids::{AssetId, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

fn detail(v: BackupPlanView, status: StatusCode) -> Response {
    let version = v.line.plan.version;
    let loc =
        (status == StatusCode::CREATED).then(|| format!("/api/v1/backup-plans/{}", v.line.plan.id));
    with_etag(status, version, BackupPlanOut::from(v), loc)
}

fn form(b: BackupPlanBody) -> BackupPlanForm {
    BackupPlanForm {
        asset_id: b.asset_id.map(AssetId),
        asset_code: None,
        scope: b.scope,
        frequency: b.frequency,
        retention: b.retention,
        location: b.location,
        rpo_hours: b.rpo_hours,
        rto_hours: b.rto_hours,
        owner_id: b.owner_id.map(UserId),
        owner_username: None,
    }
}

/// Filters of the backup plan list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BackupPlanParams {
    /// The asset.
    asset_id: Option<i64>,
    /// The owner.
    owner_id: Option<i64>,
    /// Only plans whose restore waits for a test (never tested or more than 90 days ago).
    #[serde(default)]
    verification_due: bool,
    /// Words of the asset's code or name, the scope or the location.
    q: Option<String>,
    /// `asset_code` (default), `rpo_hours`, `rto_hours`, `last_verified_at`; `-` first for
    /// descending.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// Backup plans (everyone but plain staff reads them), by asset code.
#[utoipa::path(get, path = "/api/v1/backup-plans", tag = "continuity", params(BackupPlanParams),
    security(("bearer" = [])), extensions(("x-permission" = json!("continuity:read"))),
    responses((status = 200, description = "A page of backup plans", body = BackupPlanList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<ContinuityRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<BackupPlanParams>,
) -> ApiResult<Json<BackupPlanList>> {
    let q = BackupPlanQuery {
        asset_id: p.asset_id,
        owner_id: p.owner_id,
        verification_due: p.verification_due,
        q: p.q,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let (page, total) = plans::list(&state.app, &ctx, &q).await?;
    Ok(Json(BackupPlanList {
        items: page.items.into_iter().map(BackupPlanOut::from).collect(),
        total,
        next_cursor: page.next_cursor,
    }))
}

/// Create a backup plan for an asset: RPO and RTO of at least one hour (422 otherwise, on
/// `rpo_hours` / `rto_hours`), a known asset (422 on `asset_id`), not retired (409).
#[utoipa::path(post, path = "/api/v1/backup-plans", tag = "continuity", request_body = BackupPlanBody,
    security(("bearer" = [])), extensions(("x-permission" = json!("continuity:create"))),
    responses((status = 201, description = "Created", body = BackupPlanOut), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<ContinuityCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<BackupPlanBody>,
) -> ApiResult<Response> {
    let v = plans::create(&state.app, &ctx, &form(b)).await?;
    Ok(detail(v, StatusCode::CREATED))
}

/// Paging of the uncovered assets.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UncoveredParams {
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// The assets of value level 4 or 5 (not retired) that have no backup plan, by code.
#[utoipa::path(get, path = "/api/v1/backup-plans/uncovered", tag = "continuity", params(UncoveredParams),
    security(("bearer" = [])), extensions(("x-permission" = json!("continuity:read"))),
    responses((status = 200, description = "A page of uncovered assets", body = UncoveredAssetList), Errors))]
pub async fn uncovered(
    Allowed(ctx, _): Allowed<ContinuityRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<UncoveredParams>,
) -> ApiResult<Json<UncoveredAssetList>> {
    let (page, total) = plans::uncovered(&state.app, &ctx, p.cursor.as_deref(), p.limit).await?;
    Ok(Json(UncoveredAssetList {
        items: page
            .items
            .into_iter()
            .map(UncoveredAssetOut::from)
            .collect(),
        total,
        next_cursor: page.next_cursor,
    }))
}

/// One backup plan.
#[utoipa::path(get, path = "/api/v1/backup-plans/{id}", tag = "continuity",
    params(("id" = i64, Path, description = "Backup plan id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("continuity:read"))),
    responses((status = 200, description = "The plan", body = BackupPlanOut), Errors))]
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

/// Change a backup plan (absent fields stay; the asset stays). 412 for a stale `If-Match`.
#[utoipa::path(patch, path = "/api/v1/backup-plans/{id}", tag = "continuity",
    params(("id" = i64, Path, description = "Backup plan id"), ("If-Match" = String, Header, description = "The version read")),
    request_body = BackupPlanBody, security(("bearer" = [])), extensions(("x-permission" = json!("continuity:update"))),
    responses((status = 200, description = "Changed", body = BackupPlanOut), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<ContinuityUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<BackupPlanBody>,
) -> ApiResult<Response> {
    let v = plans::update(&state.app, &ctx, id, &form(b), version).await?;
    Ok(detail(v, StatusCode::OK))
}

/// A backup plan's restore tests, latest first.
#[utoipa::path(get, path = "/api/v1/backup-plans/{id}/verifications", tag = "continuity",
    params(("id" = i64, Path, description = "Backup plan id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("continuity:read"))),
    responses((status = 200, description = "The tests", body = VerificationList), Errors))]
pub async fn verifications(
    Allowed(ctx, _): Allowed<ContinuityRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<VerificationList>> {
    let items = plans::verifications(&state.app, &ctx, id).await?;
    Ok(Json(VerificationList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Record a restore test of a backup plan (the caller is the tester); the plan's last test
/// becomes it unless a later one is recorded.
#[utoipa::path(post, path = "/api/v1/backup-plans/{id}/verifications", tag = "continuity",
    params(("id" = i64, Path, description = "Backup plan id")), request_body = VerificationBody,
    security(("bearer" = [])), extensions(("x-permission" = json!("continuity:update"))),
    responses((status = 201, description = "Recorded", body = VerificationOut), Errors))]
pub async fn verify(
    Allowed(ctx, _): Allowed<ContinuityUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VerificationBody>,
) -> ApiResult<(StatusCode, Json<VerificationOut>)> {
    let form = VerificationForm {
        verified_at: day("verified_at", b.verified_at.as_deref())?,
        result: b.result,
        note: b.note,
    };
    let (_, v) = plans::verify(&state.app, &ctx, id, &form).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}
