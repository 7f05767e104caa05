//! Sign-in, sign-out and the language switch.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::Page;
use crate::ui::render;
use crate::ui::session::{
    CsrfForm, LANG_COOKIE, PRE_COOKIE, PublicForm, SESSION_COOKIE, Visitor, local_path, set_cookie,
};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::org::account::{self, ProfilePatch};
use castellan_app::org::auth::{self, LoginAttempt};
use castellan_app::secret;
use castellan_domain::org::TokenKind;
use castellan_domain::{DomainError, Lang};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    tx: &'static texts::Messages,
    error: Option<String>,
    username: String,
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Gives the visitor a pre-session CSRF token if they have none.
fn pre_token(visitor: &Visitor) -> (String, bool) {
    match &visitor.pre_csrf {
        Some(t) => (t.clone(), false),
        None => (secret::random_b64(24), true),
    }
}

fn login_page(
    visitor: &Visitor,
    status: StatusCode,
    error: Option<String>,
    username: &str,
    next: &str,
) -> Response {
    let (csrf, fresh) = pre_token(visitor);
    let mut r = render::page_response(
        status,
        &LoginPage {
            page: Page::anonymous(visitor, &csrf),
            tx: tx(visitor.lang),
            error,
            username: username.to_owned(),
            next: local_path(next),
        },
    );
    if fresh {
        r.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(visitor, PRE_COOKIE, &csrf, None),
        );
    }
    r
}

/// `GET /login`.
pub async fn show(visitor: Visitor, Query(q): Query<NextQuery>) -> Response {
    let next = q.next.unwrap_or_else(|| "/".into());
    if visitor.auth.is_some() {
        return Redirect::to(&local_path(&next)).into_response();
    }
    login_page(&visitor, StatusCode::OK, None, "", &next)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /login`.
pub async fn submit(State(state): State<AppState>, form: PublicForm<LoginForm>) -> Response {
    let PublicForm { visitor, data } = form;
    let attempt = LoginAttempt {
        username: &data.username,
        password: &data.password,
        kind: TokenKind::Session,
        meta: &visitor.meta,
    };
    match auth::login(&state.app, &attempt).await {
        Ok(issued) => {
            let max_age = state.app.settings().session_lifetime_hours * 3600;
            let mut r = Redirect::to(&local_path(&data.next)).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&visitor, SESSION_COOKIE, &issued.secret, Some(max_age)),
            );
            r
        }
        Err(castellan_app::Error::Domain(e)) => {
            let status = match e {
                DomainError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            let message = crate::ui::i18n::domain_error(visitor.lang, &e);
            let mut r = login_page(&visitor, status, Some(message), &data.username, &data.next);
            if let DomainError::Throttled { retry_after_secs } = e
                && let Ok(v) = retry_after_secs.to_string().parse()
            {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Err(e) => render::internal(visitor.lang, &visitor.assets, e),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

/// `POST /logout`.
pub async fn logout(State(state): State<AppState>, form: CsrfForm<Empty>) -> Response {
    let web = form.web;
    if let Err(e) = auth::logout(&state.app, &web.ctx()).await {
        return web.fail(e);
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&web.visitor, SESSION_COOKIE, "", Some(0)),
    );
    r
}

#[derive(Deserialize)]
pub struct LangForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    next: String,
}

/// `POST /lang`: remembers the language, in the user's settings when signed in, else in a
/// cookie.
pub async fn switch(State(state): State<AppState>, form: PublicForm<LangForm>) -> Response {
    let PublicForm { visitor, data } = form;
    let Some(lang) = Lang::parse(&data.lang) else {
        return render::bare_error(
            visitor.lang,
            &visitor.assets,
            StatusCode::BAD_REQUEST,
            visitor.t.error_bad_request,
        );
    };
    let mut r = Redirect::to(&local_path(&data.next)).into_response();
    if let Some(auth) = &visitor.auth {
        let patch = ProfilePatch {
            language: Some(Some(lang.code().to_owned())),
            ..ProfilePatch::default()
        };
        if let Err(e) =
            account::update_profile(&state.app, &auth.ctx(visitor.meta.clone()), &patch, None).await
        {
            return render::internal(visitor.lang, &visitor.assets, e);
        }
    }
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&visitor, LANG_COOKIE, lang.code(), Some(365 * 24 * 3600)),
    );
    r
}
