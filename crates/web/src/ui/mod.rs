//! The server-rendered web UI (SPEC §10.3): askama templates with auto-escaping, one
//! stylesheet and one small script of our own, every form usable without JavaScript and
//! protected by a CSRF token.

pub mod assets;
pub mod i18n;
pub mod page;
pub mod pages;
pub mod render;
pub mod session;
pub mod view;

use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use pages::{account, audit, auth, departments, home, roles, users};

/// Every page route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(auth::show).post(auth::submit))
        .route("/logout", post(auth::logout))
        .route("/lang", post(auth::switch))
        .route(
            "/departments",
            get(departments::list).post(departments::create),
        )
        .route("/departments/new", get(departments::new))
        .route(
            "/departments/{id}",
            get(departments::show).post(departments::update),
        )
        .route("/departments/{id}/edit", get(departments::edit))
        .route("/departments/{id}/delete", post(departments::delete))
        .route("/users", get(users::list).post(users::create))
        .route("/users/new", get(users::new))
        .route("/users/{id}", get(users::show).post(users::update))
        .route("/users/{id}/edit", get(users::edit))
        .route("/users/{id}/status", post(users::set_status))
        .route("/users/{id}/roles", post(users::add_role))
        .route("/users/{id}/roles/remove", post(users::remove_role))
        .route("/users/{id}/password", post(users::set_password))
        .route(
            "/assets",
            get(pages::assets::list).post(pages::assets::create),
        )
        .route("/assets/new", get(pages::assets::new))
        .route(
            "/assets/import",
            get(pages::asset_import::show)
                .post(pages::asset_import::upload)
                // The import checks the size of the file itself, with its own limit.
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/assets/import/template.csv",
            get(pages::asset_import::template),
        )
        .route("/assets/import/commit", post(pages::asset_import::commit))
        .route(
            "/assets/{id}",
            get(pages::assets::show).post(pages::assets::update),
        )
        .route("/assets/{id}/edit", get(pages::assets::edit))
        .route("/assets/{id}/events", post(pages::assets::record_event))
        .route(
            "/assessments",
            get(pages::assessments::list).post(pages::assessments::create),
        )
        .route("/assessments/new", get(pages::assessments::new))
        .route("/assessments/{id}", get(pages::assessments::show))
        .route(
            "/assessments/{id}/edit",
            get(pages::assessments::edit).post(pages::assessments::update),
        )
        .route(
            "/assessments/{id}/transitions",
            post(pages::assessments::transition),
        )
        .route(
            "/assessments/{id}/checklist",
            post(pages::assessments::check),
        )
        .route(
            "/assessments/{id}/risks",
            get(pages::assessments::register).post(pages::assessments::add_risk),
        )
        .route(
            "/assessments/{id}/candidates",
            post(pages::assessments::add_candidates),
        )
        .route(
            "/assessments/{id}/risks/{risk_id}",
            get(pages::assessments::risk).post(pages::assessments::update_risk),
        )
        .route(
            "/assessments/{id}/preview",
            get(pages::assessments::preview),
        )
        .route(
            "/assessments/{id}/reports/{kind}",
            get(pages::assessments::report),
        )
        .route(
            "/threats",
            get(pages::assessments::threat_catalog).post(pages::assessments::add_threat),
        )
        .route("/threats/export", get(pages::assessments::export_threats))
        .route("/tasks", get(pages::assessments::my_tasks))
        .route(
            "/settings/risk-tables",
            get(pages::risk_settings::show).post(pages::risk_settings::save),
        )
        .route(
            "/vulnerabilities",
            get(pages::findings::list).post(pages::findings::create),
        )
        .route("/vulnerabilities/status", post(pages::findings::set_status))
        .route(
            "/controls",
            get(pages::findings::controls).post(pages::findings::create_control),
        )
        .route(
            "/assessments/{id}/risks/{risk_id}/items",
            post(pages::assessments::add_item),
        )
        .route(
            "/assessments/{id}/items/{item_id}",
            post(pages::assessments::report_progress),
        )
        .route("/roles", get(roles::show))
        .route("/audit", get(audit::show))
        .route("/audit/verify", get(audit::verify))
        .route("/account", get(account::show))
        .route("/account/profile", post(account::profile))
        .route("/account/password", post(account::password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/static/{file}", get(assets::serve))
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
