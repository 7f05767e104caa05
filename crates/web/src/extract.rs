//! Request extractors of the API. Each turns its failure into a problem document, so no
//! handler ever sees, or answers with, a framework's plain-text rejection.

use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use castellan_app::org::auth::{self, Presented};
use castellan_app::{Ctx, RequestMeta};
use castellan_domain::{Action, DomainError, Resource};
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::net::SocketAddr;

/// The request id assigned by the request-id middleware.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Facts about the request for audit entries: client address, request id, user agent.
pub fn request_meta(parts: &Parts, state: &AppState) -> RequestMeta {
    let forwarded = state
        .app
        .settings()
        .trust_forwarded_for
        .then(|| {
            parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(|v| v.trim().to_owned())
                .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
        })
        .flatten();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string());
    RequestMeta {
        client_ip: forwarded.or(peer),
        request_id: parts.extensions.get::<RequestId>().map(|r| r.0.clone()),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(200).collect()),
    }
}

/// The request facts, for handlers that run without a signed-in user (sign-in).
pub struct Meta(pub RequestMeta);

impl FromRequestParts<AppState> for Meta {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Meta(request_meta(parts, state)))
    }
}

/// A caller signed in with `Authorization: Bearer <token>`.
pub struct ApiUser(pub Ctx);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    #[tracing::instrument(skip_all)]
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, rest) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .ok_or(DomainError::Unauthenticated)?;
        let authenticated = auth::authenticate(&state.app, token, Presented::Bearer).await?;
        Ok(ApiUser(authenticated.ctx(request_meta(parts, state))))
    }
}

/// A (resource, action) pair of the permission table, as a type.
pub trait Permission {
    /// The resource.
    const RESOURCE: Resource;
    /// The action.
    const ACTION: Action;
}

macro_rules! permissions {
    ($($name:ident = $resource:ident $action:ident;)*) => {
        $(
            #[doc = concat!("`", stringify!($resource), "` × `", stringify!($action), "`.")]
            pub struct $name;
            impl Permission for $name {
                const RESOURCE: Resource = Resource::$resource;
                const ACTION: Action = Action::$action;
            }
        )*
    };
}

permissions! {
    DepartmentRead = Department Read;
    DepartmentCreate = Department Create;
    DepartmentUpdate = Department Update;
    DepartmentDelete = Department Delete;
    UserRead = User Read;
    UserCreate = User Create;
    UserUpdate = User Update;
    RoleRead = Role Read;
    AuditRead = AuditLog Read;
    OwnRead = OwnAccount Read;
    OwnUpdate = OwnAccount Update;
    AssetRead = Asset Read;
    AssetCreate = Asset Create;
    AssetUpdate = Asset Update;
    SettingRead = Setting Read;
    SettingUpdate = Setting Update;
    ThreatRead = Threat Read;
    ThreatCreate = Threat Create;
    ThreatUpdate = Threat Update;
    VulnerabilityRead = Vulnerability Read;
    VulnerabilityCreate = Vulnerability Create;
    VulnerabilityUpdate = Vulnerability Update;
    ControlRead = Control Read;
    ControlCreate = Control Create;
    ControlUpdate = Control Update;
    AssessmentRead = Assessment Read;
    AssessmentCreate = Assessment Create;
    AssessmentUpdate = Assessment Update;
    IncidentRead = Incident Read;
    IncidentCreate = Incident Create;
    IncidentUpdate = Incident Update;
    IncidentDeadlinesUpdate = IncidentDeadlines Update;
    DocumentRead = Document Read;
    DocumentCreate = Document Create;
    DocumentUpdate = Document Update;
    TrainingRead = Training Read;
    TrainingCreate = Training Create;
    TrainingUpdate = Training Update;
    TrainingRecordsRead = TrainingRecords Read;
    GoalRead = Goal Read;
    GoalCreate = Goal Create;
    GoalUpdate = Goal Update;
    CustodyRead = Custody Read;
    CustodyCreate = Custody Create;
    CustodyUpdate = Custody Update;
    ContinuityRead = Continuity Read;
    ContinuityCreate = Continuity Create;
    ContinuityUpdate = Continuity Update;
    InspectionRead = Inspection Read;
    InspectionRegisterRead = InspectionRegister Read;
    InspectionCreate = Inspection Create;
    InspectionUpdate = Inspection Update;
    RectificationRead = Rectification Read;
    RectificationCreate = Rectification Create;
    RectificationUpdate = Rectification Update;
    RequestRead = Request Read;
    RequestCreate = Request Create;
    RequestUpdate = Request Update;
    ChainRead = ApprovalChain Read;
    ChainCreate = ApprovalChain Create;
    ChainUpdate = ApprovalChain Update;
    CalendarRead = Calendar Read;
    CalendarUpdate = Calendar Update;
}

/// A signed-in caller who holds permission `P` somewhere. Checked before the body is read,
/// so a caller without the permission gets 403 whatever they send; the service then checks
/// the exact target (department scope) again.
pub struct Allowed<P: Permission>(pub Ctx, pub PhantomData<P>);

impl<P: Permission> FromRequestParts<AppState> for Allowed<P> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ApiUser(ctx) = ApiUser::from_request_parts(parts, state).await?;
        ctx.principal.read_scope(P::RESOURCE, P::ACTION)?;
        Ok(Allowed(ctx, PhantomData))
    }
}

/// A JSON body; malformed JSON, wrong types and oversize bodies become problems.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_problem(rejection)),
        }
    }
}

fn json_problem(rejection: JsonRejection) -> Problem {
    match rejection {
        JsonRejection::JsonDataError(e) => Problem::new(
            "invalid_body",
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "The body does not match the expected shape: {}",
                e.body_text()
            ),
        ),
        JsonRejection::JsonSyntaxError(e) => {
            Problem::bad_request(format!("The body is not valid JSON: {}", e.body_text()))
        }
        JsonRejection::MissingJsonContentType(_) => Problem::new(
            "unsupported_media_type",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the body as JSON with Content-Type: application/json.",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Problem::new(
            "payload_too_large",
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request body is larger than the server accepts.",
        ),
        other => Problem::bad_request(other.body_text()),
    }
}

/// Query-string parameters; wrong types become a 400 problem.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e @ QueryRejection::FailedToDeserializeQueryString(_)) => Err(
                Problem::bad_request(format!("Invalid query parameters: {}", e.body_text())),
            ),
            Err(e) => Err(Problem::bad_request(e.body_text())),
        }
    }
}

/// Path parameters; an id that is not a number becomes a 400 problem.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(e @ PathRejection::FailedToDeserializePathParams(_)) => Err(Problem::bad_request(
                format!("Invalid path parameter: {}", e.body_text()),
            )),
            Err(e) => Err(Problem::bad_request(e.body_text())),
        }
    }
}

/// The version from `If-Match: "<version>"`, required by every update.
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts
            .headers
            .get(header::IF_MATCH)
            .ok_or(DomainError::PreconditionRequired)?;
        parse_if_match(raw.to_str().unwrap_or(""))
            .map(IfMatch)
            .ok_or_else(|| {
                DomainError::BadRequest(
                    "If-Match must hold the version you read, e.g. If-Match: \"3\"".into(),
                )
                .into()
            })
    }
}

/// Reads `"3"`, `W/"3"` or `3` (0 is the version of a setting still at its default).
pub fn parse_if_match(raw: &str) -> Option<i64> {
    let v = raw.trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    let v = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v);
    v.parse::<i64>().ok().filter(|n| *n >= 0)
}

/// The optional version of a delete (`If-Match` may be left out).
pub struct OptionalIfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for OptionalIfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::IF_MATCH) {
            let IfMatch(v) = IfMatch::from_request_parts(parts, state).await?;
            Ok(OptionalIfMatch(Some(v)))
        } else {
            Ok(OptionalIfMatch(None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_forms() {
        assert_eq!(parse_if_match("\"3\""), Some(3));
        assert_eq!(parse_if_match("W/\"12\""), Some(12));
        assert_eq!(parse_if_match("7"), Some(7));
        assert_eq!(parse_if_match("\"x\""), None);
        assert_eq!(parse_if_match("\"0\""), Some(0));
        assert_eq!(parse_if_match("\"-1\""), None);
        assert_eq!(parse_if_match("*"), None);
    }
}
