//! `/api/v1/users`: accounts and role assignments.

use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::types::{PasswordSet, UserCreate, UserList, UserUpdate, UserView};
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, IfMatch, UserCreate as Create, UserRead as Read,
    UserUpdate as Update,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::org::users::{self, ListQuery, NewUserInput, UserPatch};
use castellan_domain::UserId;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters, sort and position of the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Search in username, display name, e-mail and position.
    q: Option<String>,
    /// Only members of this department and its sub-departments.
    department_id: Option<i64>,
    /// Only holders of this role.
    role: Option<String>,
    /// Only `active` or `disabled` users.
    status: Option<String>,
    /// `username` (default), `display_name`, `created_at`, `last_login_at`; `-` for descending.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// List users (within the caller's department scope).
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    params(ListParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("user:read"))),
    responses((status = 200, description = "A page of users", body = UserList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<UserList>> {
    let query = ListQuery {
        q: p.q,
        department_id: p.department_id,
        role: p.role,
        status: p.status,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let page = users::list(&state.app, &ctx, &query).await?;
    Ok(Json(UserList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Create a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users",
    request_body = UserCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("user:create"))),
    responses((status = 201, description = "Created", body = UserView), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<Create>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<UserCreate>,
) -> ApiResult<Response> {
    let input = NewUserInput {
        username: body.username,
        display_name: body.display_name,
        email: body.email,
        department_id: body.department_id,
        position: body.position,
        password: body.password,
        roles: body.roles.into_iter().map(Into::into).collect(),
        language: body.language,
    };
    let u = users::create(&state.app, &ctx, &input).await?;
    let location = format!("/api/v1/users/{}", u.id);
    Ok(with_etag(
        StatusCode::CREATED,
        u.version,
        UserView::from(u),
        Some(location),
    ))
}

/// Read a user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "User id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("user:read"))),
    responses((status = 200, description = "The user", body = UserView), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let u = users::get(&state.app, &ctx, UserId(id)).await?;
    Ok(with_etag(
        StatusCode::OK,
        u.version,
        UserView::from(u),
        None,
    ))
}

/// Change a user: profile, status, roles. Disabling ends all sessions and tokens at once.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "User id"),
           ("If-Match" = String, Header, description = "The version read, e.g. \"3\"")),
    request_body = UserUpdate, security(("bearer" = [])),
    extensions(("x-permission" = json!("user:update"))),
    responses((status = 200, description = "Updated", body = UserView), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<UserUpdate>,
) -> ApiResult<Response> {
    let patch = UserPatch {
        display_name: body.display_name,
        email: body.email,
        department_id: body.department_id,
        position: body.position,
        status: body.status,
        language: body.language,
        roles: body.roles.map(|r| r.into_iter().map(Into::into).collect()),
    };
    let u = users::update(&state.app, &ctx, UserId(id), &patch, version).await?;
    Ok(with_etag(
        StatusCode::OK,
        u.version,
        UserView::from(u),
        None,
    ))
}

/// Set a user's password (administrators). Ends that user's sessions and tokens.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    request_body = PasswordSet, security(("bearer" = [])),
    extensions(("x-permission" = json!("user:update"))),
    responses((status = 204, description = "Password set"), Errors))]
pub async fn set_password(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PasswordSet>,
) -> ApiResult<StatusCode> {
    users::set_password(&state.app, &ctx, UserId(id), &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
