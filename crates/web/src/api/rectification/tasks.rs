//! `/api/v1/rectifications` (SPEC §6.3).

use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::rectification::types::{OpenBody, TaskList, TaskMoveBody, TaskOut, TaskPatchBody};
use crate::api::request::types::MoveListOut;
use crate::attachments::{AttachmentList, AttachmentUpload};
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, IfMatch, OptionalIfMatch, RectificationCreate,
    RectificationRead, RectificationUpdate,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::rectification::evidence;
use castellan_app::rectification::tasks::{self, OpenInput, TaskPatch, TaskQuery};
use castellan_domain::ids::UserId;
use castellan_domain::{Day, DomainError, FieldErrors};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters of the task list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `open`, `done`, `verified`, `reopened`.
    status: Option<String>,
    /// The kind of source: `incident`.
    source: Option<String>,
    /// One source record (with `source`): all its tasks, for whoever reads the record.
    source_id: Option<i64>,
    /// Responsible person.
    responsible_id: Option<i64>,
    /// Verifier.
    verifier_id: Option<i64>,
    /// Only tasks past their due day and still with their responsible person.
    #[serde(default)]
    overdue: bool,
    /// Words of the code, the source's code or the description.
    q: Option<String>,
    /// `due_at` (default) or `-due_at`.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

fn day(field: &str, raw: Option<&str>) -> Result<Option<Day>, DomainError> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Day::parse(s).map_err(|k| FieldErrors::single(field, k)))
        .transpose()
}

/// List rectification tasks: the caller's own (responsible, verifier, opener); every task
/// of their scope for those who oversee them; every task of one source record for whoever
/// reads it (`source` + `source_id`). Soonest due first.
#[utoipa::path(get, path = "/api/v1/rectifications", tag = "rectifications",
    params(ListParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("rectification:read"))),
    responses((status = 200, description = "A page of tasks", body = TaskList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<RectificationRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<TaskList>> {
    let q = TaskQuery {
        status: p.status,
        source: p.source,
        source_id: p.source_id,
        responsible_id: p.responsible_id,
        verifier_id: p.verifier_id,
        overdue: p.overdue,
        q: p.q,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let (page, total) = tasks::list(&state.app, &ctx, &q).await?;
    Ok(Json(TaskList {
        items: page.items.into_iter().map(TaskOut::from).collect(),
        next_cursor: page.next_cursor,
        total,
    }))
}

/// Open a rectification task from a record the caller handles (an incident: its team or a
/// security officer or administrator, once it is triaged). The verifier defaults to the
/// caller and must differ from the responsible person.
#[utoipa::path(post, path = "/api/v1/rectifications", tag = "rectifications",
    request_body = OpenBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("rectification:create"))),
    responses((status = 201, description = "Opened", body = TaskOut), Errors))]
pub async fn open(
    Allowed(ctx, _): Allowed<RectificationCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<OpenBody>,
) -> ApiResult<Response> {
    let input = OpenInput {
        source: b.source,
        source_id: b.source_id,
        description: b.description,
        responsible_id: b.responsible_id.map(UserId),
        responsible_username: None,
        verifier_id: b.verifier_id.map(UserId),
        verifier_username: None,
        due_on: day("due_at", b.due_at.as_deref())?,
    };
    let v = tasks::open(&state.app, &ctx, &input).await?;
    let version = v.task.version;
    let location = format!("/api/v1/rectifications/{}", v.task.id);
    Ok(with_etag(
        StatusCode::CREATED,
        version,
        TaskOut::from(v),
        Some(location),
    ))
}

/// One task. Someone who may not read it is told it does not exist (404).
#[utoipa::path(get, path = "/api/v1/rectifications/{id}", tag = "rectifications",
    params(("id" = i64, Path, description = "Task id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("rectification:read"))),
    responses((status = 200, description = "The task", body = TaskOut), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<RectificationRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let v = tasks::get(&state.app, &ctx, id).await?;
    let version = v.task.version;
    Ok(with_etag(StatusCode::OK, version, TaskOut::from(v), None))
}

/// Change a task's plan (description, responsible person, verifier, due day) until it is
/// verified: whoever opened it, its verifier, or someone who handles its source.
#[utoipa::path(patch, path = "/api/v1/rectifications/{id}", tag = "rectifications",
    params(("id" = i64, Path, description = "Task id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = TaskPatchBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("rectification:update"))),
    responses((status = 200, description = "Changed", body = TaskOut), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<RectificationUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<TaskPatchBody>,
) -> ApiResult<Response> {
    let patch = TaskPatch {
        description: b.description,
        responsible_id: b.responsible_id.map(UserId),
        responsible_username: None,
        verifier_id: b.verifier_id.map(UserId),
        verifier_username: None,
        due_on: day("due_at", b.due_at.as_deref())?,
    };
    let v = tasks::update(&state.app, &ctx, id, &patch, version).await?;
    let version = v.task.version;
    Ok(with_etag(StatusCode::OK, version, TaskOut::from(v), None))
}

/// Move a task: `done` (its responsible person, saying what was done in `comment`),
/// `verified` or `reopened` (its verifier — never the responsible person; reopening needs
/// a `comment`). 409 for a move the workflow does not have, 403 for one that is not the
/// caller's.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/transitions", tag = "rectifications",
    params(("id" = i64, Path, description = "Task id"),
           ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = TaskMoveBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("rectification:update"))),
    responses((status = 200, description = "Moved", body = TaskOut), Errors))]
pub async fn transition(
    Allowed(ctx, _): Allowed<RectificationUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<TaskMoveBody>,
) -> ApiResult<Response> {
    let v = tasks::transition(&state.app, &ctx, id, &b.to, b.comment.as_deref(), version).await?;
    let version = v.task.version;
    Ok(with_etag(StatusCode::OK, version, TaskOut::from(v), None))
}

/// The moves of a task, oldest first.
#[utoipa::path(get, path = "/api/v1/rectifications/{id}/transitions", tag = "rectifications",
    params(("id" = i64, Path, description = "Task id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("rectification:read"))),
    responses((status = 200, description = "The moves", body = MoveListOut), Errors))]
pub async fn moves(
    Allowed(ctx, _): Allowed<RectificationRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MoveListOut>> {
    let moves = tasks::moves(&state.app, &ctx, id).await?;
    Ok(Json(MoveListOut {
        items: moves.into_iter().map(Into::into).collect(),
    }))
}

/// Attach evidence of the fix (a screenshot, a sign-in sheet, a configuration export) until
/// the task is verified: its responsible person, its verifier, or whoever may change its
/// plan. Multipart with the field `file`; stored with its SHA-256. 413 over the attachment
/// limit, 422 for an empty file or a bad name; nothing is stored then.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/attachments", tag = "rectifications",
    params(("id" = i64, Path, description = "Task id")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("rectification:update"))),
    responses((status = 201, description = "Stored", body = crate::attachments::AttachmentOut), Errors))]
pub async fn attach(
    Allowed(ctx, _): Allowed<RectificationUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    headers: axum::http::HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<crate::attachments::AttachmentOut>)> {
    let multipart = multipart.map_err(|e| {
        DomainError::BadRequest(format!("expected a multipart/form-data body: {e}"))
    })?;
    let file = crate::attachments::receive_file(&state.app, &headers, multipart).await?;
    let saved = evidence::attach(
        &state.app,
        &ctx,
        id,
        file.name(),
        file.media_type(),
        file.content()?,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// The evidence files of a task, oldest first.
#[utoipa::path(get, path = "/api/v1/rectifications/{id}/attachments", tag = "rectifications",
    params(("id" = i64, Path, description = "Task id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("rectification:read"))),
    responses((status = 200, description = "The attachments", body = AttachmentList), Errors))]
pub async fn attachments(
    Allowed(ctx, _): Allowed<RectificationRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AttachmentList>> {
    let items = evidence::list(&state.app, &ctx, id).await?;
    Ok(Json(AttachmentList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Download an evidence file (`Content-Disposition: attachment`, `nosniff`), streamed.
#[utoipa::path(get, path = "/api/v1/rectifications/{id}/attachments/{attachment_id}", tag = "rectifications",
    params(("id" = i64, Path, description = "Task id"),
           ("attachment_id" = i64, Path, description = "Attachment id")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("rectification:read"))),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), Errors))]
pub async fn download(
    Allowed(ctx, _): Allowed<RectificationRead>,
    State(state): State<AppState>,
    ApiPath((id, attachment)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    let (a, content) = evidence::open(&state.app, &ctx, id, attachment).await?;
    Ok(crate::attachments::download(&a, content))
}
