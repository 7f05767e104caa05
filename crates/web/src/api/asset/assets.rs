//! `/api/v1/assets`: the asset register and its lifecycle events; the valuation setting.

use crate::api::asset::types::{
    AssetCreate, AssetList, AssetUpdate, AssetView, EventCreate, EventList, EventRecorded,
    ValuationChanged, ValuationSetting,
};
use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, AssetCreate as Create, AssetRead as Read,
    AssetUpdate as Update, IfMatch, OptionalIfMatch, SettingRead, SettingUpdate,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::asset::assets::{self, AssetInput, AssetPatch, AssetQuery, EventInput};
use castellan_app::settings;
use castellan_domain::ids::AssetId;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters, sort and position of the asset list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Search in code, name, location and notes (substring, case-insensitive).
    q: Option<String>,
    /// Category code.
    category: Option<String>,
    /// Only this department and its sub-departments.
    department_id: Option<i64>,
    /// Zone code.
    zone: Option<String>,
    /// Status code.
    status: Option<String>,
    /// Classification code.
    classification: Option<String>,
    /// Value level 1–5.
    #[param(minimum = 1, maximum = 5)]
    value_level: Option<i64>,
    /// Responsible person (user id).
    owner_id: Option<i64>,
    /// A tag.
    tag: Option<String>,
    /// `code` (default), `name`, `value_score`, `updated_at`; prefix `-` for descending.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

impl From<ListParams> for AssetQuery {
    fn from(p: ListParams) -> Self {
        AssetQuery {
            q: p.q,
            category: p.category,
            department_id: p.department_id,
            zone: p.zone,
            status: p.status,
            classification: p.classification,
            value_level: p.value_level,
            owner_id: p.owner_id,
            tag: p.tag,
            sort: p.sort,
            cursor: p.cursor,
            limit: p.limit,
        }
    }
}

/// List assets (within the caller's department scope).
#[utoipa::path(get, path = "/api/v1/assets", tag = "assets",
    params(ListParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("asset:read"))),
    responses((status = 200, description = "A page of assets", body = AssetList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<AssetList>> {
    let page = assets::list(&state.app, &ctx, &p.into()).await?;
    Ok(Json(AssetList {
        items: page
            .items
            .into_iter()
            .map(|a| assets::AssetView {
                allowed_events: castellan_domain::asset::allowed_events(a.status),
                asset: a,
            })
            .map(Into::into)
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Register an asset.
#[utoipa::path(post, path = "/api/v1/assets", tag = "assets",
    request_body = AssetCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("asset:create"))),
    responses((status = 201, description = "Created", body = AssetView), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<Create>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<AssetCreate>,
) -> ApiResult<Response> {
    let input = AssetInput {
        code: b.code,
        name: b.name,
        category: b.category,
        department_id: b.department_id,
        owner_id: b.owner_id,
        custodian: b.custodian,
        location: b.location,
        zone: b.zone,
        classification: b.classification,
        confidentiality: b.confidentiality,
        integrity: b.integrity,
        availability: b.availability,
        status: b.status,
        tags: b.tags,
        notes: b.notes,
    };
    let v = assets::create(&state.app, &ctx, &input).await?;
    let location = format!("/api/v1/assets/{}", v.asset.id);
    Ok(with_etag(
        StatusCode::CREATED,
        v.asset.version,
        AssetView::from(v),
        Some(location),
    ))
}

/// Read an asset.
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = i64, Path, description = "Asset id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("asset:read"))),
    responses((status = 200, description = "The asset", body = AssetView), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let v = assets::get(&state.app, &ctx, AssetId(id)).await?;
    Ok(with_etag(
        StatusCode::OK,
        v.asset.version,
        AssetView::from(v),
        None,
    ))
}

/// Change an asset.
#[utoipa::path(patch, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = i64, Path, description = "Asset id"),
           ("If-Match" = String, Header, description = "The version read, e.g. \"3\"")),
    request_body = AssetUpdate, security(("bearer" = [])),
    extensions(("x-permission" = json!("asset:update"))),
    responses((status = 200, description = "Updated", body = AssetView), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<AssetUpdate>,
) -> ApiResult<Response> {
    let patch = AssetPatch {
        code: b.code,
        name: b.name,
        category: b.category,
        department_id: b.department_id,
        owner_id: b.owner_id,
        custodian: b.custodian,
        location: b.location,
        zone: b.zone,
        classification: b.classification,
        confidentiality: b.confidentiality,
        integrity: b.integrity,
        availability: b.availability,
        tags: b.tags,
        notes: b.notes,
    };
    let v = assets::update(&state.app, &ctx, AssetId(id), &patch, version).await?;
    Ok(with_etag(
        StatusCode::OK,
        v.asset.version,
        AssetView::from(v),
        None,
    ))
}

/// The lifecycle of an asset.
#[utoipa::path(get, path = "/api/v1/assets/{id}/events", tag = "assets",
    params(("id" = i64, Path, description = "Asset id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("asset:read"))),
    responses((status = 200, description = "Events, oldest first", body = EventList), Errors))]
pub async fn events(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<EventList>> {
    let items = assets::events(&state.app, &ctx, AssetId(id)).await?;
    Ok(Json(EventList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Record a lifecycle event (purchase, deploy, change, transfer, maintenance, retire). A
/// move the lifecycle does not allow gets 409 and changes nothing.
#[utoipa::path(post, path = "/api/v1/assets/{id}/events", tag = "assets",
    params(("id" = i64, Path, description = "Asset id"),
           ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = EventCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("asset:update"))),
    responses((status = 201, description = "Recorded", body = EventRecorded), Errors))]
pub async fn record_event(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<EventCreate>,
) -> ApiResult<Response> {
    let input = EventInput {
        kind: b.kind,
        note: b.note,
        status: b.status,
        department_id: b.department_id,
        owner_id: b.owner_id,
        location: b.location,
    };
    let (event, v) = assets::record_event(&state.app, &ctx, AssetId(id), &input, version).await?;
    Ok(with_etag(
        StatusCode::CREATED,
        v.asset.version,
        EventRecorded {
            event: event.into(),
            asset: v.into(),
        },
        None,
    ))
}

/// The asset valuation method (SPEC §3.1).
#[utoipa::path(get, path = "/api/v1/settings/asset-valuation", tag = "settings",
    security(("bearer" = [])),
    extensions(("x-permission" = json!("setting:read"))),
    responses((status = 200, description = "The method", body = ValuationSetting), Errors))]
pub async fn get_valuation(
    Allowed(ctx, _): Allowed<SettingRead>,
    State(state): State<AppState>,
) -> ApiResult<Response> {
    let (method, version) = settings::get_valuation(&state.app, &ctx).await?;
    Ok(with_etag(
        StatusCode::OK,
        version,
        ValuationSetting::from(method),
        None,
    ))
}

/// Choose the asset valuation method; every asset is revalued at once.
#[utoipa::path(put, path = "/api/v1/settings/asset-valuation", tag = "settings",
    params(("If-Match" = String, Header, description = "The version read (\"0\" while the default applies)")),
    request_body = ValuationSetting, security(("bearer" = [])),
    extensions(("x-permission" = json!("setting:update"))),
    responses((status = 200, description = "Changed", body = ValuationChanged), Errors))]
pub async fn set_valuation(
    Allowed(ctx, _): Allowed<SettingUpdate>,
    State(state): State<AppState>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<ValuationSetting>,
) -> ApiResult<Response> {
    let r = settings::set_valuation(&state.app, &ctx, &b.method, b.weights, version).await?;
    let shown = ValuationSetting::from(r.method);
    Ok(with_etag(
        StatusCode::OK,
        r.version,
        ValuationChanged {
            method: shown.method,
            weights: shown.weights,
            version: r.version,
            revalued_assets: r.revalued,
        },
        None,
    ))
}
