//! The browser side of authentication: the session cookie, the language a page is shown in,
//! and forms whose CSRF token is checked before anything else reads them.

use super::assets::Assets;
use super::i18n::{self, Messages};
use super::render::{self, ErrorPage};
use crate::extract::request_meta;
use crate::state::AppState;
use axum::body::to_bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::org::auth::{self, Authenticated, Presented};
use castellan_app::{Ctx, RequestMeta, secret};
use castellan_domain::Lang;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "castellan_session";
/// Name of the cookie holding the CSRF token of forms shown before sign-in.
pub const PRE_COOKIE: &str = "castellan_pre";
/// Name of the language cookie of visitors who are not signed in.
pub const LANG_COOKIE: &str = "castellan_lang";

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path /, and `Secure` whenever the visitor
/// reached Castellan over HTTPS (see [`arrived_over_https`]) or the settings ask for it.
pub fn set_cookie(
    visitor: &Visitor,
    name: &str,
    value: &str,
    max_age_secs: Option<i64>,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if visitor.https {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Whether the request reached Castellan over HTTPS: `secure_cookies` is set, the request
/// line names `https` (an absolute URI, or HTTP/2's `:scheme`), or — only when the proxy is
/// trusted (`trust_forwarded_for`) — the proxy says so in `X-Forwarded-Proto: https` or
/// `Forwarded: proto=https`. Behind an untrusted hop, a client could claim HTTPS to get a
/// cookie marked Secure, which would only lose it the session; the reverse is what matters,
/// and a trusted proxy's word is taken.
pub fn arrived_over_https(parts: &Parts, state: &AppState) -> bool {
    let settings = state.app.settings();
    if settings.secure_cookies || parts.uri.scheme_str() == Some("https") {
        return true;
    }
    if !settings.trust_forwarded_for {
        return false;
    }
    // The first value is the one the client-facing proxy wrote.
    let first = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
    };
    let is_https = |v: &str| v.trim().trim_matches('"').eq_ignore_ascii_case("https");
    first("x-forwarded-proto").is_some_and(is_https)
        || first("forwarded").is_some_and(|element| {
            element.split(';').any(|pair| {
                pair.split_once('=')
                    .is_some_and(|(k, v)| k.trim().eq_ignore_ascii_case("proto") && is_https(v))
            })
        })
}

/// The language of a request: the user's setting, else the switch's cookie, else the
/// browser's `Accept-Language`, else English.
pub fn resolve_lang(headers: &HeaderMap, user_setting: Option<Lang>) -> Lang {
    user_setting
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::parse))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// A path and query of this site, safe to redirect to after sign-in (never another host).
pub fn local_path(raw: &str) -> String {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && !raw.chars().any(|c| c.is_control());
    if ok { raw.to_owned() } else { "/".to_owned() }
}

/// What every page handler gets: the request's language, facts and (when signed in) user.
#[derive(Clone)]
pub struct Visitor {
    /// Language to render in.
    pub lang: Lang,
    /// Texts of that language.
    pub t: &'static Messages,
    /// Request facts.
    pub meta: RequestMeta,
    /// Path and query of this request.
    pub path: String,
    /// The signed-in user, if any.
    pub auth: Option<Authenticated>,
    /// Token for forms shown to visitors who are not signed in.
    pub pre_csrf: Option<String>,
    /// Stylesheet and script paths.
    pub assets: Arc<Assets>,
    /// Whether the request reached Castellan over HTTPS (cookies are then `Secure`).
    pub https: bool,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let auth = match cookie(&parts.headers, SESSION_COOKIE) {
            Some(secret_value) => {
                match auth::authenticate(&state.app, secret_value, Presented::Cookie).await {
                    Ok(a) => Some(a),
                    Err(castellan_app::Error::Domain(_)) => None,
                    Err(e) => {
                        let lang = resolve_lang(&parts.headers, None);
                        return Err(render::internal(lang, &state.assets, e));
                    }
                }
            }
            None => None,
        };
        let lang = resolve_lang(&parts.headers, auth.as_ref().and_then(|a| a.language));
        Ok(Visitor {
            lang,
            t: i18n::messages(lang),
            meta: request_meta(parts, state),
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into()),
            auth,
            pre_csrf: cookie(&parts.headers, PRE_COOKIE)
                .filter(|v| v.len() >= 16 && v.len() <= 64)
                .map(str::to_owned),
            assets: state.assets.clone(),
            https: arrived_over_https(parts, state),
        })
    }
}

/// A signed-in visitor. Pages that need one redirect to the sign-in page otherwise.
#[derive(Clone)]
pub struct Web {
    /// The visitor.
    pub visitor: Visitor,
    /// The signed-in user.
    pub auth: Authenticated,
}

impl Web {
    /// The service context of this user.
    pub fn ctx(&self) -> Ctx {
        self.auth.ctx(self.visitor.meta.clone())
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.visitor.lang
    }

    /// The texts.
    pub fn t(&self) -> &'static Messages {
        self.visitor.t
    }

    /// The error page for a failed service call.
    pub fn fail(&self, e: castellan_app::Error) -> Response {
        render::error_response(self, e)
    }

    /// The refusal page for an action the user may not take on `resource` anywhere.
    pub fn forbidden(
        &self,
        resource: castellan_domain::Resource,
        action: castellan_domain::Action,
    ) -> Response {
        self.fail(castellan_domain::DomainError::Forbidden { resource, action }.into())
    }

    /// An error page with a status and message.
    pub fn error_page(&self, status: StatusCode, title: &str, message: &str) -> Response {
        render::page_response(
            status,
            &ErrorPage {
                page: super::page::Page::new(self, None, None),
                status: status.as_u16(),
                title: title.to_owned(),
                message: message.to_owned(),
            },
        )
    }
}

impl FromRequestParts<AppState> for Web {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match visitor.auth.clone() {
            Some(auth) => Ok(Web { visitor, auth }),
            None => {
                let next = local_path(&visitor.path);
                let target = if next == "/" {
                    "/login".to_owned()
                } else {
                    format!("/login?next={}", urlencode(&next))
                };
                Err(Redirect::to(&target).into_response())
            }
        }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .map(|e| e.trim_start_matches("v=").to_owned())
        .unwrap_or_default()
}

/// Refuses cross-site form posts outright when the browser says so (`Sec-Fetch-Site`).
pub fn cross_site(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
}

async fn read_form<T: DeserializeOwned>(
    req: Request,
    state: &AppState,
) -> Result<(Parts, Vec<(String, String)>, Result<T, String>), (Parts, StatusCode)> {
    let (parts, body) = req.into_parts();
    let limit = state.app.settings().body_limit_bytes;
    let bytes = match to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return Err((parts, StatusCode::PAYLOAD_TOO_LARGE)),
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let data = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|e| e.to_string());
    Ok((parts, pairs, data))
}

fn csrf_field(pairs: &[(String, String)]) -> &str {
    pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// A form posted by a signed-in user, with its CSRF token checked against the session before
/// the fields are looked at.
pub struct CsrfForm<T> {
    /// The user.
    pub web: Web,
    /// The fields.
    pub data: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let web = Web::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let (parts, pairs, data) = match read_form::<T>(req, state).await {
            Ok(v) => v,
            Err((_, status)) => {
                return Err(web.error_page(
                    status,
                    web.t().error_bad_request,
                    web.t().error_too_large,
                ));
            }
        };
        if cross_site(&parts.headers) || !web.auth.csrf_matches(csrf_field(&pairs)) {
            return Err(web.error_page(
                StatusCode::FORBIDDEN,
                web.t().error_forbidden_title,
                web.t().csrf_failed,
            ));
        }
        match data {
            Ok(data) => Ok(CsrfForm { web, data }),
            Err(e) => {
                tracing::debug!(error = %e, "malformed form");
                Err(web.error_page(
                    StatusCode::BAD_REQUEST,
                    web.t().error_bad_request,
                    web.t().error_bad_request,
                ))
            }
        }
    }
}

/// A form that may come from a visitor who is not signed in (sign-in, language switch): its
/// CSRF token must match the session's, or the pre-session cookie's.
pub struct PublicForm<T> {
    /// The visitor.
    pub visitor: Visitor,
    /// The fields.
    pub data: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for PublicForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let bare = |status: StatusCode, message: &'static str| {
            render::bare_error(visitor.lang, &visitor.assets, status, message)
        };
        let (parts, pairs, data) = match read_form::<T>(req, state).await {
            Ok(v) => v,
            Err((_, status)) => return Err(bare(status, visitor.t.error_too_large)),
        };
        let submitted = csrf_field(&pairs);
        let ok = match (&visitor.auth, &visitor.pre_csrf) {
            (Some(a), _) if a.csrf_matches(submitted) => true,
            (_, Some(pre)) => secret::secrets_equal(pre, submitted),
            _ => false,
        };
        if cross_site(&parts.headers) || !ok {
            return Err(bare(StatusCode::FORBIDDEN, visitor.t.csrf_failed));
        }
        match data {
            Ok(data) => Ok(PublicForm { visitor, data }),
            Err(_) => Err(bare(StatusCode::BAD_REQUEST, visitor.t.error_bad_request)),
        }
    }
}
