//! `/api/v1/requests` and `/api/v1/me/approvals` (SPEC §6.0, §6.1).

use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::request::types::{
    ApprovalList, DecisionBody, MoveBody, MoveListOut, RequestBody, RequestList, RequestOut,
    WaitingList, WaitingOut,
};
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, IfMatch, OptionalIfMatch, RequestCreate, RequestRead,
    RequestUpdate,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::request::requests::{self, RequestInput, RequestQuery};
use castellan_domain::workflow::Decision;
use castellan_domain::{FieldErrors, Timestamp};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters of the request list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Status code.
    status: Option<String>,
    /// Kind code.
    kind: Option<String>,
    /// `user`, `job_change`, `disabled`.
    origin: Option<String>,
    /// `true`: only breached deadlines; `false`: only met ones.
    breached: Option<bool>,
    /// Only the caller's own requests.
    #[serde(default)]
    mine: bool,
    /// The person concerned.
    subject_user_id: Option<i64>,
    /// The asset concerned.
    asset_id: Option<i64>,
    /// Words of the title or code.
    q: Option<String>,
    /// `-created_at` (default), `created_at`, `due_at`, `-due_at`.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

fn input(b: RequestBody) -> RequestInput {
    RequestInput {
        kind: b.kind,
        title: b.title,
        description: b.description,
        impact: b.impact,
        asset_id: b.asset_id,
        subject_user_id: b.subject_user_id,
        asset_code: None,
        subject_username: None,
    }
}

/// List approval requests: those in the caller's scope for those who oversee requests, and
/// the caller's own (asked for, or about them) for everyone.
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests",
    params(ListParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("request:read"))),
    responses((status = 200, description = "A page of requests", body = RequestList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<RequestRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<RequestList>> {
    let q = RequestQuery {
        status: p.status,
        kind: p.kind,
        origin: p.origin,
        breached: p.breached,
        mine: p.mine,
        subject_user_id: p.subject_user_id,
        asset_id: p.asset_id,
        q: p.q,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let (page, total) = requests::list(&state.app, &ctx, &q).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for v in page.items {
        items.push(RequestOut::new(v));
    }
    Ok(Json(RequestList {
        items,
        next_cursor: page.next_cursor,
        total,
    }))
}

/// Ask for something: a draft of the caller's (submit it with a transition to `submitted`).
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests",
    request_body = RequestBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("request:create"))),
    responses((status = 201, description = "Created", body = RequestOut), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<RequestCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<RequestBody>,
) -> ApiResult<Response> {
    let v = requests::create(&state.app, &ctx, &input(b)).await?;
    let version = v.request.version;
    let location = format!("/api/v1/requests/{}", v.request.id);
    Ok(with_etag(
        StatusCode::CREATED,
        version,
        RequestOut::new(v),
        Some(location),
    ))
}

/// One request. Someone who may not read it is told it does not exist (404).
#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "requests",
    params(("id" = i64, Path, description = "Request id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("request:read"))),
    responses((status = 200, description = "The request", body = RequestOut), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<RequestRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let v = requests::get(&state.app, &ctx, id).await?;
    let version = v.request.version;
    Ok(with_etag(StatusCode::OK, version, RequestOut::new(v), None))
}

/// Change a draft (its requester only).
#[utoipa::path(patch, path = "/api/v1/requests/{id}", tag = "requests",
    params(("id" = i64, Path, description = "Request id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = RequestBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("request:update"))),
    responses((status = 200, description = "Updated", body = RequestOut), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<RequestUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<RequestBody>,
) -> ApiResult<Response> {
    let v = requests::update(&state.app, &ctx, id, &input(b), version).await?;
    let version = v.request.version;
    Ok(with_etag(StatusCode::OK, version, RequestOut::new(v), None))
}

/// Move a request: `submitted` (the requester submits it along its approval chain),
/// `withdrawn`, `implemented`, `closed`; `approved`, `rejected` and `draft` (return) are
/// decisions of the current step's approvers. 409 for a move the workflow does not have,
/// 403 for one that is not the caller's, 422 for a rejection or return without a comment.
#[utoipa::path(post, path = "/api/v1/requests/{id}/transitions", tag = "requests",
    params(("id" = i64, Path, description = "Request id"),
           ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = MoveBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("request:update"))),
    responses((status = 200, description = "Moved", body = RequestOut), Errors))]
pub async fn transition(
    Allowed(ctx, _): Allowed<RequestUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<MoveBody>,
) -> ApiResult<Response> {
    let v =
        requests::transition(&state.app, &ctx, id, &b.to, b.comment.as_deref(), version).await?;
    let version = v.request.version;
    Ok(with_etag(StatusCode::OK, version, RequestOut::new(v), None))
}

/// The moves of a request, oldest first.
#[utoipa::path(get, path = "/api/v1/requests/{id}/transitions", tag = "requests",
    params(("id" = i64, Path, description = "Request id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("request:read"))),
    responses((status = 200, description = "The moves", body = MoveListOut), Errors))]
pub async fn moves(
    Allowed(ctx, _): Allowed<RequestRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MoveListOut>> {
    let moves = requests::moves(&state.app, &ctx, id).await?;
    Ok(Json(MoveListOut {
        items: moves.into_iter().map(Into::into).collect(),
    }))
}

/// Decide on the current step: `approve`, `reject` or `return` (the last two with a
/// comment). 403 when the step is not the caller's, 409 on one's own request or a second
/// decision on the same step.
#[utoipa::path(post, path = "/api/v1/requests/{id}/decisions", tag = "requests",
    params(("id" = i64, Path, description = "Request id"),
           ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = DecisionBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("request:update"))),
    responses((status = 200, description = "Recorded", body = RequestOut), Errors))]
pub async fn decide(
    Allowed(ctx, _): Allowed<RequestUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<DecisionBody>,
) -> ApiResult<Response> {
    let decision = match Decision::from_code(b.decision.trim()) {
        Ok(d) if d != Decision::Close => d,
        _ => {
            return Err(FieldErrors::single(
                "decision",
                castellan_domain::FieldErrorKind::UnknownValue {
                    allowed: vec!["approve", "reject", "return"],
                },
            )
            .into());
        }
    };
    let v = requests::decide(
        &state.app,
        &ctx,
        id,
        decision,
        b.comment.as_deref(),
        version,
    )
    .await?;
    let version = v.request.version;
    Ok(with_etag(StatusCode::OK, version, RequestOut::new(v), None))
}

/// The decisions on a request, oldest first.
#[utoipa::path(get, path = "/api/v1/requests/{id}/decisions", tag = "requests",
    params(("id" = i64, Path, description = "Request id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("request:read"))),
    responses((status = 200, description = "The decisions", body = ApprovalList), Errors))]
pub async fn approvals(
    Allowed(ctx, _): Allowed<RequestRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ApprovalList>> {
    let approvals = requests::get(&state.app, &ctx, id).await?.approvals;
    Ok(Json(ApprovalList {
        items: approvals.into_iter().map(Into::into).collect(),
    }))
}

/// Everything waiting for the caller's decision or action, across processes, oldest first.
#[utoipa::path(get, path = "/api/v1/me/approvals", tag = "requests",
    security(("bearer" = [])),
    extensions(("x-permission" = json!("request:read"))),
    responses((status = 200, description = "The items", body = WaitingList), Errors))]
pub async fn waiting_for_me(
    Allowed(ctx, _): Allowed<RequestRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<WaitingList>> {
    let items = castellan_app::workflow::waiting_for_me(&state.app, &ctx).await?;
    let now = Timestamp::now();
    let items: Vec<WaitingOut> = items.into_iter().map(|w| WaitingOut::new(w, now)).collect();
    Ok(Json(WaitingList {
        total: items.len(),
        items,
    }))
}
