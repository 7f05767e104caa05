//! The stylesheet, script and icon, embedded in the binary and served under fingerprinted
//! names so browsers may cache them forever. Nothing is loaded from elsewhere.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const CSS: &str = include_str!("../../assets/app.css");
const JS: &str = include_str!("../../assets/app.js");
const ICON: &str = include_str!("../../assets/icon.svg");

/// The assets with their public paths.
#[derive(Debug, Clone)]
pub struct Assets {
    /// Path of the stylesheet.
    pub css_path: String,
    /// Path of the script.
    pub js_path: String,
    /// Path of the icon.
    pub icon_path: String,
    /// Path of the stylesheet of printable reports.
    pub report_css_path: String,
}

fn fingerprint(content: &str) -> String {
    hex::encode(Sha256::digest(content.as_bytes()))
        .chars()
        .take(12)
        .collect()
}

impl Default for Assets {
    fn default() -> Self {
        Assets {
            css_path: format!("/static/app.{}.css", fingerprint(CSS)),
            js_path: format!("/static/app.{}.js", fingerprint(JS)),
            icon_path: format!("/static/icon.{}.svg", fingerprint(ICON)),
            report_css_path: format!(
                "/static/report.{}.css",
                fingerprint(castellan_document::REPORT_CSS)
            ),
        }
    }
}

/// Serves `/static/{file}`.
pub async fn serve(
    State(state): State<crate::state::AppState>,
    Path(file): Path<String>,
) -> Response {
    let path = format!("/static/{file}");
    let assets = &state.assets;
    let (body, content_type) = if path == assets.css_path {
        (CSS, "text/css; charset=utf-8")
    } else if path == assets.js_path {
        (JS, "text/javascript; charset=utf-8")
    } else if path == assets.icon_path {
        (ICON, "image/svg+xml")
    } else if path == assets.report_css_path {
        (castellan_document::REPORT_CSS, "text/css; charset=utf-8")
    } else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    r
}
