//! `/api/v1/me`: the caller's own account, password and personal API tokens.

use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::types::{
    MeUpdate, PasswordChange, TokenCreate, TokenCreated, TokenList, TokenView, UserView,
};
use crate::extract::{Allowed, ApiJson, ApiPath, IfMatch, OwnRead, OwnUpdate};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use castellan_app::org::account::{self, ProfilePatch};
use castellan_domain::TokenId;

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    extensions(("x-permission" = json!("own_account:read"))),
    responses((status = 200, description = "The caller", body = UserView), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<OwnRead>,
    State(state): State<AppState>,
) -> ApiResult<Response> {
    let u = account::me(&state.app, &ctx).await?;
    Ok(with_etag(
        StatusCode::OK,
        u.version,
        UserView::from(u),
        None,
    ))
}

/// Change one's own display name, e-mail or language.
#[utoipa::path(patch, path = "/api/v1/me", tag = "me",
    params(("If-Match" = String, Header, description = "The version read, e.g. \"3\"")),
    request_body = MeUpdate, security(("bearer" = [])),
    extensions(("x-permission" = json!("own_account:update"))),
    responses((status = 200, description = "Updated", body = UserView), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<OwnUpdate>,
    State(state): State<AppState>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<MeUpdate>,
) -> ApiResult<Response> {
    let patch = ProfilePatch {
        display_name: body.display_name,
        email: body.email,
        language: body.language,
    };
    let u = account::update_profile(&state.app, &ctx, &patch, Some(version)).await?;
    Ok(with_etag(
        StatusCode::OK,
        u.version,
        UserView::from(u),
        None,
    ))
}

/// Change one's own password; other sessions and tokens end, this one stays.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "me",
    request_body = PasswordChange, security(("bearer" = [])),
    extensions(("x-permission" = json!("own_account:update"))),
    responses((status = 204, description = "Password changed"), Errors))]
pub async fn change_password(
    Allowed(ctx, _): Allowed<OwnUpdate>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    account::change_password(&state.app, &ctx, &body.current_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's personal API tokens.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "me", security(("bearer" = [])),
    extensions(("x-permission" = json!("own_account:read"))),
    responses((status = 200, description = "Tokens, newest first", body = TokenList), Errors))]
pub async fn list_tokens(
    Allowed(ctx, _): Allowed<OwnRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<TokenList>> {
    let items = account::tokens(&state.app, &ctx).await?;
    Ok(Json(TokenList {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}

/// Create a personal API token; its secret is in this response only.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "me",
    request_body = TokenCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("own_account:update"))),
    responses((status = 201, description = "Created", body = TokenCreated), Errors))]
pub async fn create_token(
    Allowed(ctx, _): Allowed<OwnUpdate>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TokenCreate>,
) -> ApiResult<Response> {
    let (info, token) =
        account::create_token(&state.app, &ctx, &body.name, body.expires_in_days).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated {
            token,
            info: info.into(),
        }),
    )
        .into_response())
}

/// Revoke one of the caller's personal tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "me",
    params(("id" = i64, Path, description = "Token id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("own_account:update"))),
    responses((status = 200, description = "Revoked", body = TokenView), Errors))]
pub async fn revoke_token(
    Allowed(ctx, _): Allowed<OwnUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TokenView>> {
    let t = account::revoke_token(&state.app, &ctx, TokenId(id)).await?;
    Ok(Json(t.into()))
}
