//! `/api/v1/documents/{id}/versions` (SPEC §6.2): versions, their moves and their files.

use crate::api::document::types::{
    VersionBody, VersionDetail, VersionList, VersionMoveBody, VersionOut,
};
use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::request::types::MoveListOut;
use crate::attachments::{AttachmentList, AttachmentUpload};
use crate::extract::{
    Allowed, ApiJson, ApiPath, DocumentRead, DocumentUpdate, IfMatch, OptionalIfMatch,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::document::versions::{self, MoveInput, VersionView};
use castellan_app::document::{documents, files};
use castellan_domain::document::VersionInput;
use castellan_domain::{Day, DomainError, FieldErrors};

fn input(b: VersionBody) -> VersionInput {
    VersionInput {
        version: b.version,
        change_note: b.change_note,
        body: b.body,
    }
}

fn detail(v: VersionView, status: StatusCode, location: bool) -> Response {
    let version = v.version.version;
    let loc = location.then(|| {
        format!(
            "/api/v1/documents/{}/versions/{}",
            v.version.document_id, v.version.id
        )
    });
    with_etag(status, version, VersionDetail::from(v), loc)
}

/// A document's versions the caller reads, newest first (without their texts), with the
/// change history: author, reviewer, approver, each with the date, the effective date and
/// the change note.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions", tag = "documents",
    params(("id" = i64, Path, description = "Document id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("document:read"))),
    responses((status = 200, description = "The versions", body = VersionList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<DocumentRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<VersionList>> {
    let v = documents::get(&state.app, &ctx, id).await?;
    Ok(Json(VersionList {
        items: v.versions.into_iter().map(VersionOut::from).collect(),
    }))
}

/// Draft a new version (the document's owner or a publisher). Only one version is
/// prepared at a time; its number must be higher than every existing one.
#[utoipa::path(post, path = "/api/v1/documents/{id}/versions", tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    request_body = VersionBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("document:update"))),
    responses((status = 201, description = "Drafted", body = VersionDetail), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<DocumentUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<Response> {
    let v = versions::create(&state.app, &ctx, id, &input(b)).await?;
    Ok(detail(v, StatusCode::CREATED, true))
}

/// One version with its text, its decisions and what the caller may do with it.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{version_id}", tag = "documents",
    params(("id" = i64, Path, description = "Document id"),
           ("version_id" = i64, Path, description = "Version id")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("document:read"))),
    responses((status = 200, description = "The version", body = VersionDetail), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<DocumentRead>,
    State(state): State<AppState>,
    ApiPath((id, version_id)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    let v = versions::get(&state.app, &ctx, id, version_id).await?;
    Ok(detail(v, StatusCode::OK, false))
}

/// Change a draft: its number, change note and text (its owner, author or a publisher).
#[utoipa::path(patch, path = "/api/v1/documents/{id}/versions/{version_id}", tag = "documents",
    params(("id" = i64, Path, description = "Document id"),
           ("version_id" = i64, Path, description = "Version id"),
           ("If-Match" = String, Header, description = "The revision read")),
    request_body = VersionBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("document:update"))),
    responses((status = 200, description = "Changed", body = VersionDetail), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<DocumentUpdate>,
    State(state): State<AppState>,
    ApiPath((id, version_id)): ApiPath<(i64, i64)>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<Response> {
    let v = versions::update(&state.app, &ctx, id, version_id, &input(b), version).await?;
    Ok(detail(v, StatusCode::OK, false))
}

/// Move a version: `in_review` (submit a draft with a text or a file), `approved` or
/// `draft` (an approver of the current chain step, who neither wrote, submitted nor owns
/// it; returning needs a `comment`), `effective` (publish an approved version: the version
/// in force is superseded and the review schedule starts), `retired` (retire the document
/// with its version in force). 409 for a move the workflow does not have, 403 for one that
/// is not the caller's.
#[utoipa::path(post, path = "/api/v1/documents/{id}/versions/{version_id}/transitions", tag = "documents",
    params(("id" = i64, Path, description = "Document id"),
           ("version_id" = i64, Path, description = "Version id"),
           ("If-Match" = Option<String>, Header, description = "Optional revision check")),
    request_body = VersionMoveBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("document:update"))),
    responses((status = 200, description = "Moved", body = VersionDetail), Errors))]
pub async fn transition(
    Allowed(ctx, _): Allowed<DocumentUpdate>,
    State(state): State<AppState>,
    ApiPath((id, version_id)): ApiPath<(i64, i64)>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<VersionMoveBody>,
) -> ApiResult<Response> {
    let effective_at = b
        .effective_at
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Day::parse(s).map_err(|k| FieldErrors::single("effective_at", k)))
        .transpose()?;
    let m = MoveInput {
        to: b.to,
        comment: b.comment,
        version,
        effective_at,
    };
    let v = versions::transition(&state.app, &ctx, id, version_id, &m).await?;
    Ok(detail(v, StatusCode::OK, false))
}

/// The moves of a version, oldest first.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{version_id}/transitions", tag = "documents",
    params(("id" = i64, Path, description = "Document id"),
           ("version_id" = i64, Path, description = "Version id")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("document:read"))),
    responses((status = 200, description = "The moves", body = MoveListOut), Errors))]
pub async fn moves(
    Allowed(ctx, _): Allowed<DocumentRead>,
    State(state): State<AppState>,
    ApiPath((id, version_id)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<MoveListOut>> {
    let v = versions::get(&state.app, &ctx, id, version_id).await?;
    Ok(Json(MoveListOut {
        items: v.moves.into_iter().map(Into::into).collect(),
    }))
}

/// Attach a file to a draft version (the signed original, a form): its owner, author or a
/// publisher. Multipart with the field `file`; stored with its SHA-256. 413 over the
/// attachment limit; nothing is stored then.
#[utoipa::path(post, path = "/api/v1/documents/{id}/versions/{version_id}/attachments", tag = "documents",
    params(("id" = i64, Path, description = "Document id"),
           ("version_id" = i64, Path, description = "Version id")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("document:update"))),
    responses((status = 201, description = "Stored", body = crate::attachments::AttachmentOut), Errors))]
pub async fn attach(
    Allowed(ctx, _): Allowed<DocumentUpdate>,
    State(state): State<AppState>,
    ApiPath((id, version_id)): ApiPath<(i64, i64)>,
    headers: axum::http::HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<crate::attachments::AttachmentOut>)> {
    let multipart = multipart.map_err(|e| {
        DomainError::BadRequest(format!("expected a multipart/form-data body: {e}"))
    })?;
    let file = crate::attachments::receive_file(&state.app, &headers, multipart).await?;
    let saved = files::attach(
        &state.app,
        &ctx,
        id,
        version_id,
        file.name(),
        file.media_type(),
        file.content()?,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// The files of a version, oldest first.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{version_id}/attachments", tag = "documents",
    params(("id" = i64, Path, description = "Document id"),
           ("version_id" = i64, Path, description = "Version id")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("document:read"))),
    responses((status = 200, description = "The attachments", body = AttachmentList), Errors))]
pub async fn attachments(
    Allowed(ctx, _): Allowed<DocumentRead>,
    State(state): State<AppState>,
    ApiPath((id, version_id)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<AttachmentList>> {
    let items = files::list(&state.app, &ctx, id, version_id).await?;
    Ok(Json(AttachmentList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Download a file of a version (`Content-Disposition: attachment`, `nosniff`), streamed.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{version_id}/attachments/{attachment_id}", tag = "documents",
    params(("id" = i64, Path, description = "Document id"),
           ("version_id" = i64, Path, description = "Version id"),
           ("attachment_id" = i64, Path, description = "Attachment id")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("document:read"))),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), Errors))]
pub async fn download(
    Allowed(ctx, _): Allowed<DocumentRead>,
    State(state): State<AppState>,
    ApiPath((id, version_id, attachment)): ApiPath<(i64, i64, i64)>,
) -> ApiResult<Response> {
    let (a, content) = files::open(&state.app, &ctx, id, version_id, attachment).await?;
    Ok(crate::attachments::download(&a, content))
}
