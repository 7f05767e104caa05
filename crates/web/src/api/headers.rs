//! Response helpers shared by the resource modules.

use crate::json::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A JSON body with `ETag: "<version>"`, so clients can send it back as `If-Match`.
pub fn with_etag<T: Serialize>(
    status: StatusCode,
    version: i64,
    body: T,
    location: Option<String>,
) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        headers.insert(header::ETAG, v);
    }
    if let Some(loc) = location
        && let Ok(v) = HeaderValue::from_str(&loc)
    {
        headers.insert(header::LOCATION, v);
    }
    (status, headers, Json(body)).into_response()
}
