//! `/api/v1/auth`: bearer tokens for API clients.

use crate::api::errors::Errors;
use crate::api::types::{LoginRequest, LoginResponse};
use crate::extract::{Allowed, ApiJson, Meta, OwnUpdate};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use castellan_app::org::auth::{self, LoginAttempt};
use castellan_domain::org::TokenKind;

/// Sign in and receive a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    extensions(("x-permission" = json!("public"))),
    responses((status = 200, description = "Signed in", body = LoginResponse), Errors))]
pub async fn login(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let issued = auth::login(
        &state.app,
        &LoginAttempt {
            username: &body.username,
            password: &body.password,
            kind: TokenKind::Login,
            meta: &meta,
        },
    )
    .await?;
    Ok(Json(LoginResponse {
        token: issued.secret,
        expires_at: issued.token.expires_at,
        user: issued.user.into(),
    }))
}

/// Revoke the token used for this request.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    security(("bearer" = [])),
    extensions(("x-permission" = json!("own_account:update"))),
    responses((status = 204, description = "Signed out"), Errors))]
pub async fn logout(
    Allowed(ctx, _): Allowed<OwnUpdate>,
    State(state): State<AppState>,
) -> ApiResult<StatusCode> {
    auth::logout(&state.app, &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}
