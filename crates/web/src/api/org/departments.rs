//! `/api/v1/departments`: the department tree.

use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::types::{DepartmentCreate, DepartmentList, DepartmentUpdate, DepartmentView};
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, DepartmentCreate as Create, DepartmentDelete as Delete,
    DepartmentRead as Read, DepartmentUpdate as Update, IfMatch, OptionalIfMatch,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::org::departments::{self, DepartmentInput, DepartmentPatch, ListQuery};
use castellan_domain::DepartmentId;
use castellan_store::org::departments::DepartmentFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters, sort and position of the department list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Search in name and code (substring, case-insensitive).
    q: Option<String>,
    /// Only the direct children of this department.
    parent_id: Option<i64>,
    /// Only root departments.
    roots: Option<bool>,
    /// Only this department and its sub-departments.
    within: Option<i64>,
    /// `name` (default), `code`, `created_at`; prefix `-` for descending.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// List departments.
#[utoipa::path(get, path = "/api/v1/departments", tag = "departments",
    params(ListParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("department:read"))),
    responses((status = 200, description = "A page of departments", body = DepartmentList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<DepartmentList>> {
    let within = match p.within {
        None => None,
        Some(id) => Some(
            departments::get(&state.app, &ctx, DepartmentId(id))
                .await?
                .path,
        ),
    };
    let query = ListQuery {
        filter: DepartmentFilter {
            q: p.q,
            parent_id: p.parent_id.map(DepartmentId),
            roots_only: p.roots.unwrap_or(false),
            within,
        },
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let page = departments::list(&state.app, &ctx, &query).await?;
    Ok(Json(DepartmentList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Create a department.
#[utoipa::path(post, path = "/api/v1/departments", tag = "departments",
    request_body = DepartmentCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("department:create"))),
    responses((status = 201, description = "Created", body = DepartmentView), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<Create>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<DepartmentCreate>,
) -> ApiResult<Response> {
    let input = DepartmentInput {
        name: body.name,
        code: body.code,
        parent_id: body.parent_id,
    };
    let d = departments::create(&state.app, &ctx, &input).await?;
    let location = format!("/api/v1/departments/{}", d.id);
    Ok(with_etag(
        StatusCode::CREATED,
        d.version,
        DepartmentView::from(d),
        Some(location),
    ))
}

/// Read a department.
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "departments",
    params(("id" = i64, Path, description = "Department id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("department:read"))),
    responses((status = 200, description = "The department", body = DepartmentView), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let d = departments::get(&state.app, &ctx, DepartmentId(id)).await?;
    Ok(with_etag(
        StatusCode::OK,
        d.version,
        DepartmentView::from(d),
        None,
    ))
}

/// Change or move a department.
#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "departments",
    params(("id" = i64, Path, description = "Department id"),
           ("If-Match" = String, Header, description = "The version read, e.g. \"3\"")),
    request_body = DepartmentUpdate, security(("bearer" = [])),
    extensions(("x-permission" = json!("department:update"))),
    responses((status = 200, description = "Updated", body = DepartmentView), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<DepartmentUpdate>,
) -> ApiResult<Response> {
    let patch = DepartmentPatch {
        name: body.name,
        code: body.code,
        parent_id: body.parent_id,
        head_id: body.head_id,
    };
    let d = departments::update(&state.app, &ctx, DepartmentId(id), &patch, version).await?;
    Ok(with_etag(
        StatusCode::OK,
        d.version,
        DepartmentView::from(d),
        None,
    ))
}

/// Delete an empty department.
#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = "departments",
    params(("id" = i64, Path, description = "Department id"),
           ("If-Match" = Option<String>, Header, description = "Optional version check")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("department:delete"))),
    responses((status = 204, description = "Deleted"), Errors))]
pub async fn delete(
    Allowed(ctx, _): Allowed<Delete>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
) -> ApiResult<StatusCode> {
    departments::delete(&state.app, &ctx, DepartmentId(id), version).await?;
    Ok(StatusCode::NO_CONTENT)
}
