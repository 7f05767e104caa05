//! The error responses every API operation documents.

use crate::problem::Problem;
use utoipa::IntoResponses;

/// Problem responses (RFC 9457) an operation may answer with.
#[allow(dead_code)]
#[derive(IntoResponses)]
pub enum Errors {
    /// The request is malformed: bad JSON, a bad parameter or cursor.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No valid credentials.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The caller's roles do not allow this.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such record.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The current state does not allow the change.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The record changed since it was read (stale `If-Match`).
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
    /// The body is too large.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is not JSON.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Some fields are invalid; `errors` names them.
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
    /// The update has no `If-Match`.
    #[response(status = 428, content_type = "application/problem+json")]
    PreconditionRequired(Problem),
    /// Too many failed sign-ins; see `Retry-After`.
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
}
