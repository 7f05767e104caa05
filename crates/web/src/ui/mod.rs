//! The server-rendered web UI (SPEC §10.3): askama templates with auto-escaping, one
//! stylesheet and one small script of our own, every form usable without JavaScript and
//! protected by a CSRF token.

pub mod assets;
pub mod i18n;
pub mod list;
pub mod page;
pub mod pages;
pub mod render;
pub mod session;
pub mod view;

use crate::state::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use pages::{audit, home, roles};

/// Every page route: the kernel's, then each area's.
pub fn router() -> Router<AppState> {
    let kernel = Router::new()
        .route("/", get(home::show))
        .route("/roles", get(roles::show))
        .route("/audit", get(audit::show))
        .route("/audit/verify", get(audit::verify))
        .route("/static/{file}", get(assets::serve));
    [
        pages::org::routes,
        pages::asset::routes,
        pages::risk::routes,
        pages::request::routes,
        pages::incident::routes,
        pages::rectification::routes,
        pages::document::routes,
        pages::training::routes,
        pages::inspection::routes,
        pages::goal::routes,
        pages::custody::routes,
        pages::continuity::routes,
    ]
    .into_iter()
    .fold(kernel, |router, area| area(router))
}

/// Turns the framework's plain-text errors on pages (unknown path, an id that is not a
/// number, a wrong method) into an error page in the visitor's language.
pub async fn page_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let lang = session::resolve_lang(req.headers(), None);
    let response = next.run(req).await;
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if status.as_u16() < 400 || is_html {
        return response;
    }
    let t = i18n::messages(lang);
    let (status, message) = match status {
        StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST => {
            (StatusCode::NOT_FOUND, t.error_not_found)
        }
        StatusCode::METHOD_NOT_ALLOWED => (status, t.error_bad_request),
        StatusCode::PAYLOAD_TOO_LARGE => (status, t.error_too_large),
        s if s.is_server_error() => (s, t.error_internal),
        s => (s, t.error_bad_request),
    };
    render::bare_error(lang, &state.assets, status, message)
}
