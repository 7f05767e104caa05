//! The user's own account: profile, language, password, personal API tokens.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, FormErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::org::account::{self, ProfilePatch};
use castellan_domain::{DomainError, Timestamp, TokenId};
use serde::Deserialize;

struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    expires: String,
    last_used: String,
    live: bool,
    state: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Page,
    tx: &'static texts::Messages,
    username: String,
    version: i64,
    display_name: String,
    email: String,
    language: String,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    profile_errors: FormErrors,
    profile_error: Option<String>,
    password_errors: FormErrors,
    token_errors: FormErrors,
}

#[derive(Default)]
struct Outcome {
    notice: Option<&'static str>,
    new_token: Option<String>,
    profile: Option<(FormErrors, Option<String>)>,
    password: Option<FormErrors>,
    token: Option<FormErrors>,
    status: Option<StatusCode>,
}

async fn render_page(state: &AppState, web: &Web, outcome: Outcome) -> Result<Response, Response> {
    let ctx = web.ctx();
    let t = web.t();
    let tx = tx(web.lang());
    let me = account::me(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let tokens = account::tokens(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let now = Timestamp::now();
    let (profile_errors, profile_error) = outcome.profile.unwrap_or_default();
    Ok(render::page_response(
        outcome.status.unwrap_or(StatusCode::OK),
        &AccountPage {
            page: Page::new(web, Some(Section::Account), outcome.notice),
            tx,
            username: me.username.clone(),
            version: me.version,
            display_name: me.display_name.clone(),
            email: me.email.clone().unwrap_or_default(),
            language: me.language.map(|l| l.code().to_owned()).unwrap_or_default(),
            tokens: tokens
                .into_iter()
                .map(|tk| {
                    let expired = tk.expires_at.is_some_and(|e| e <= now);
                    let revoked = tk.revoked_at.is_some();
                    TokenRow {
                        id: tk.id.0,
                        name: tk.name.unwrap_or_default(),
                        prefix: tk.prefix,
                        created: view::when(t, Some(tk.created_at)),
                        expires: view::when(t, tk.expires_at),
                        last_used: view::when(t, tk.last_used_at),
                        live: !expired && !revoked,
                        state: if revoked {
                            tx.token_revoked
                        } else {
                            tx.token_expired
                        }
                        .to_owned(),
                    }
                })
                .collect(),
            new_token: outcome.new_token,
            profile_errors,
            profile_error,
            password_errors: outcome.password.unwrap_or_default(),
            token_errors: outcome.token.unwrap_or_default(),
        },
    ))
}

#[derive(Deserialize, Default)]
pub struct NoticeParams {
    notice: Option<String>,
}

/// `GET /account`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<NoticeParams>,
) -> Result<Response, Response> {
    let notice = view::notice(web.t(), p.notice.as_deref());
    render_page(
        &state,
        &web,
        Outcome {
            notice,
            ..Outcome::default()
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    version: String,
}

/// `POST /account/profile`.
pub async fn profile(
    State(state): State<AppState>,
    form: CsrfForm<ProfileForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let patch = ProfilePatch {
        display_name: Some(data.display_name),
        email: Some(Some(data.email)),
        language: Some(Some(data.language)),
    };
    let version = data.version.trim().parse().ok();
    match account::update_profile(&state.app, &web.ctx(), &patch, version).await {
        Ok(_) => Ok(Redirect::to("/account?notice=saved").into_response()),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some(f) => {
                render_page(
                    &state,
                    &web,
                    Outcome {
                        profile: Some(f),
                        status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                        ..Outcome::default()
                    },
                )
                .await
            }
            None => Err(web.fail(e)),
        },
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// `POST /account/password`.
pub async fn password(
    State(state): State<AppState>,
    form: CsrfForm<PasswordForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    match account::change_password(
        &state.app,
        &web.ctx(),
        &data.current_password,
        &data.new_password,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/account?notice=password_changed").into_response()),
        Err(castellan_app::Error::Domain(DomainError::Validation(fields))) => {
            render_page(
                &state,
                &web,
                Outcome {
                    password: Some(FormErrors::from_fields(web.lang(), &fields)),
                    status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                    ..Outcome::default()
                },
            )
            .await
        }
        Err(e) => Err(web.fail(e)),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_in_days: String,
}

/// `POST /account/tokens`: creates a token and shows its secret once (no redirect, so the
/// secret never lands in a URL or the history).
pub async fn create_token(
    State(state): State<AppState>,
    form: CsrfForm<TokenForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let days = data.expires_in_days.trim().parse().ok();
    match account::create_token(&state.app, &web.ctx(), &data.name, days).await {
        Ok((_, secret)) => {
            render_page(
                &state,
                &web,
                Outcome {
                    new_token: Some(secret),
                    status: Some(StatusCode::OK),
                    ..Outcome::default()
                },
            )
            .await
        }
        Err(castellan_app::Error::Domain(DomainError::Validation(fields))) => {
            render_page(
                &state,
                &web,
                Outcome {
                    token: Some(FormErrors::from_fields(web.lang(), &fields)),
                    status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                    ..Outcome::default()
                },
            )
            .await
        }
        Err(e) => Err(web.fail(e)),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Empty>,
) -> Result<Response, Response> {
    let web = form.web;
    account::revoke_token(&state.app, &web.ctx(), TokenId(id))
        .await
        .map_err(|e| web.fail(e))?;
    Ok(Redirect::to("/account?notice=token_revoked").into_response())
}
