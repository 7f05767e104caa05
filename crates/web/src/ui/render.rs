//! Turning templates and errors into responses. The one mapping of application errors to
//! HTML lives here.

use super::assets::Assets;
use super::i18n;
use super::page::Page;
use super::session::Web;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use castellan_app::Error;
use castellan_domain::{DomainError, Lang};

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Shared context.
    pub page: Page,
    /// HTTP status.
    pub status: u16,
    /// Heading.
    pub title: String,
    /// Explanation.
    pub message: String,
}

/// Renders a template with a status. Pages are never cached: they show personal data.
pub fn page_response<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
        }
    }
}

/// Renders a page with 200 OK.
pub fn ok<T: Template>(template: &T) -> Response {
    page_response(StatusCode::OK, template)
}

/// The page for an application error, in the user's language.
pub fn error_response(web: &Web, e: Error) -> Response {
    let t = web.t();
    let (status, title) = match &e {
        Error::Domain(d) => {
            let status = crate::problem::status_of(d);
            let title = match d {
                DomainError::Forbidden { .. } => t.error_forbidden_title,
                DomainError::NotFound { .. } => t.error_not_found_title,
                DomainError::Conflict(_) | DomainError::StaleVersion { .. } => {
                    t.error_conflict_title
                }
                _ => t.error_bad_request,
            };
            (status, title)
        }
        Error::Internal(cause) => {
            tracing::error!(error = %cause, "internal error");
            (StatusCode::INTERNAL_SERVER_ERROR, t.error_internal_title)
        }
    };
    let message = match &e {
        Error::Domain(d) => i18n::domain_error(web.lang(), d),
        Error::Internal(_) => t.error_internal.to_owned(),
    };
    web.error_page(status, title, &message)
}

/// An error page for a visitor who is not signed in.
pub fn bare_error(
    lang: Lang,
    assets: &std::sync::Arc<Assets>,
    status: StatusCode,
    message: &str,
) -> Response {
    let t = i18n::messages(lang);
    let page = Page {
        lang,
        t,
        user: None,
        nav: Vec::new(),
        csrf: String::new(),
        current_path: "/".into(),
        languages: Vec::new(),
        notice: None,
        assets: assets.clone(),
    };
    let title = match status {
        StatusCode::NOT_FOUND => t.error_not_found_title,
        StatusCode::FORBIDDEN => t.error_forbidden_title,
        s if s.is_server_error() => t.error_internal_title,
        _ => t.error_bad_request,
    };
    page_response(
        status,
        &ErrorPage {
            page,
            status: status.as_u16(),
            title: title.to_owned(),
            message: message.to_owned(),
        },
    )
}

/// The page for an internal error before the user is known.
pub fn internal(lang: Lang, assets: &std::sync::Arc<Assets>, e: Error) -> Response {
    tracing::error!(error = %e, "internal error");
    bare_error(
        lang,
        assets,
        StatusCode::INTERNAL_SERVER_ERROR,
        i18n::messages(lang).error_internal,
    )
}
