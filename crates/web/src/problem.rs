//! Errors policy of the API: every failure is `application/problem+json` (RFC 9457) with a
//! stable `type`, a human `title` and `detail`, and for validation failures an `errors`
//! object (field → message). Domain errors map here, once; internal errors are logged with
//! their cause and answered with an opaque 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use castellan_app::Error;
use castellan_domain::DomainError;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:castellan:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened in this case.
    pub detail: String,
    /// Per-field messages (validation failures only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, String>>,
    /// Seconds to wait before retrying (throttling only; also sent as `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// The problems of an imported file, row by row (refused imports only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<RowProblem>>,
}

/// One problem of an imported file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowProblem {
    /// The CSV line, or the 1-based position of the YAML entry; 0 for the file as a whole.
    pub line: u64,
    /// The field (API name) when the problem is in one cell.
    pub column: Option<String>,
    /// Stable code: `required`, `unknown_value`, `too_long`, `invalid`,
    /// `duplicate_in_file`, `missing_column`, `unknown_column`, …
    pub reason: String,
    /// English explanation naming the value and what is allowed.
    pub detail: String,
}

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

impl Problem {
    /// A problem with a code, status and detail.
    pub fn new(code: &str, status: StatusCode, detail: impl Into<String>) -> Self {
        Problem {
            kind: format!("urn:castellan:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: None,
            retry_after: None,
            rows: None,
        }
    }

    /// A 400 for a malformed request.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new("bad_request", StatusCode::BAD_REQUEST, detail)
    }

    /// The status as a `StatusCode`.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let retry = self.retry_after;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = retry
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            headers.insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"castellan\""),
            );
        }
        response
    }
}

/// The HTTP status of a domain error.
pub fn status_of(e: &DomainError) -> StatusCode {
    match e {
        DomainError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        DomainError::BadRequest(_) => StatusCode::BAD_REQUEST,
        DomainError::NotFound { .. } => StatusCode::NOT_FOUND,
        DomainError::Conflict(_) => StatusCode::CONFLICT,
        DomainError::StaleVersion { .. } => StatusCode::PRECONDITION_FAILED,
        DomainError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
        DomainError::Unauthenticated | DomainError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        DomainError::Forbidden { .. } => StatusCode::FORBIDDEN,
        DomainError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        DomainError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
    }
}

impl From<&DomainError> for Problem {
    fn from(e: &DomainError) -> Self {
        let mut p = Problem::new(e.code(), status_of(e), e.to_string());
        match e {
            DomainError::Validation(fields) => {
                p.detail = "Some fields are not valid; see errors.".into();
                p.errors = Some(
                    fields
                        .iter()
                        .map(|f| (f.field.clone(), f.kind.to_string()))
                        .collect(),
                );
            }
            DomainError::Throttled { retry_after_secs } => p.retry_after = Some(*retry_after_secs),
            _ => {}
        }
        p
    }
}

/// The one place an application error becomes an API response.
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError(Error::Domain(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            Error::Domain(e) => Problem::from(&e).into_response(),
            Error::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                Problem::new(
                    "internal",
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side. The error was logged.",
                )
                .into_response()
            }
        }
    }
}

impl IntoResponse for &Problem {
    fn into_response(self) -> Response {
        self.clone().into_response()
    }
}

/// Handler result for the API.
pub type ApiResult<T> = Result<T, ApiError>;
