//! `/api/v1/documents` (SPEC §6.2): the register.

use crate::api::document::types::{
    DocumentBody, DocumentDetail, DocumentList, DocumentOut, ImportBody, ImportedList, ReviewBody,
    SkeletonList, SkeletonOut,
};
use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, DocumentCreate, DocumentRead, DocumentUpdate, IfMatch,
    OptionalIfMatch,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::document::documents::{self, DocumentForm, DocumentQuery};
use castellan_app::document::starter;
use castellan_domain::document::{DocumentInput, review_state};
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::{FieldErrorKind, FieldErrors, Lang};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters of the register.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `draft`, `in_review`, `approved`, `effective`, `retired`.
    status: Option<String>,
    /// `policy`, `procedure`, `specification`, `record`, `template`, `plan`.
    kind: Option<String>,
    /// `physical`, `network`, `data`, `software`, `system`, `continuity`, `general`.
    family: Option<String>,
    /// Owner.
    owner_id: Option<i64>,
    /// Department.
    department_id: Option<i64>,
    /// `due` (review within 30 days or overdue) or `overdue`.
    review: Option<String>,
    /// Words of the reference or the title.
    q: Option<String>,
    /// `code` (default) or `-code`.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

fn form(b: DocumentBody) -> DocumentForm {
    DocumentForm {
        fields: DocumentInput {
            code: b.code,
            title: b.title,
            kind: b.kind,
            family: b.family,
            review_interval_months: b.review_interval_months,
        },
        owner_id: b.owner_id.map(UserId),
        owner_username: None,
        department_id: b.department_id.map(DepartmentId),
    }
}

fn detail(v: documents::DocumentView, status: StatusCode, location: bool) -> Response {
    let version = v.document.version;
    let loc = location.then(|| format!("/api/v1/documents/{}", v.document.id));
    with_etag(status, version, DocumentDetail::from(v), loc)
}

/// The register: documents in force for everyone; drafts too for their owners and authors
/// and for those who read the whole register (security officers and administrators,
/// compliance administrators, the committee, auditors). In reference order.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents",
    params(ListParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("document:read"))),
    responses((status = 200, description = "A page of documents", body = DocumentList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<DocumentRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<DocumentList>> {
    let q = DocumentQuery {
        status: p.status,
        kind: p.kind,
        family: p.family,
        owner_id: p.owner_id.map(UserId),
        department_id: p.department_id.map(DepartmentId),
        review: p.review,
        q: p.q,
        sort: p.sort,
        limit: p.limit,
        cursor: p.cursor,
    };
    let (page, total) = documents::list(&state.app, &ctx, &q).await?;
    let today = documents::today(&state.app);
    Ok(Json(DocumentList {
        items: page
            .items
            .into_iter()
            .map(|d| {
                let r = review_state(d.next_review_at, today);
                DocumentOut::new(d, r)
            })
            .collect(),
        next_cursor: page.next_cursor,
        total,
    }))
}

/// Open a document in the register (security officers and compliance administrators).
/// Its versions are drafted next.
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents",
    request_body = DocumentBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("document:create"))),
    responses((status = 201, description = "Opened", body = DocumentDetail), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<DocumentCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<DocumentBody>,
) -> ApiResult<Response> {
    let v = documents::create(&state.app, &ctx, &form(b)).await?;
    Ok(detail(v, StatusCode::CREATED, true))
}

/// One document with its versions (those the caller reads). Someone who may not read it is
/// told it does not exist (404).
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents",
    params(("id" = i64, Path, description = "Document id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("document:read"))),
    responses((status = 200, description = "The document", body = DocumentDetail), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<DocumentRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let v = documents::get(&state.app, &ctx, id).await?;
    Ok(detail(v, StatusCode::OK, false))
}

/// Change a document's details (its owner or a publisher) until it is retired.
#[utoipa::path(patch, path = "/api/v1/documents/{id}", tag = "documents",
    params(("id" = i64, Path, description = "Document id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = DocumentBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("document:update"))),
    responses((status = 200, description = "Changed", body = DocumentDetail), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<DocumentUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<DocumentBody>,
) -> ApiResult<Response> {
    let v = documents::update(&state.app, &ctx, id, &form(b), version).await?;
    Ok(detail(v, StatusCode::OK, false))
}

/// Confirm the scheduled review of a document in force without changing it (its owner or a
/// publisher): the next review is counted from today.
#[utoipa::path(post, path = "/api/v1/documents/{id}/reviews", tag = "documents",
    params(("id" = i64, Path, description = "Document id"),
           ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = ReviewBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("document:update"))),
    responses((status = 200, description = "Reviewed", body = DocumentDetail), Errors))]
pub async fn review(
    Allowed(ctx, _): Allowed<DocumentUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<ReviewBody>,
) -> ApiResult<Response> {
    let v = documents::confirm_review(&state.app, &ctx, id, b.comment.as_deref(), version).await?;
    Ok(detail(v, StatusCode::OK, false))
}

/// The starter set: skeletons of the policies every management system keeps (headings and
/// short guidance, in Chinese and English), with whether the register already holds each.
#[utoipa::path(get, path = "/api/v1/documents/starter-set", tag = "documents",
    security(("bearer" = [])),
    extensions(("x-permission" = json!("document:create"))),
    responses((status = 200, description = "The skeletons", body = SkeletonList), Errors))]
pub async fn starter_set(
    Allowed(ctx, _): Allowed<DocumentCreate>,
    State(state): State<AppState>,
) -> ApiResult<Json<SkeletonList>> {
    let entries = starter::entries(&state.app, &ctx).await?;
    Ok(Json(SkeletonList {
        items: entries
            .into_iter()
            .map(|e| SkeletonOut {
                code: e.skeleton.code.into(),
                kind: e.skeleton.kind.code().into(),
                family: e.skeleton.family.code().into(),
                title_en: e.skeleton.title.en.into(),
                title_zh: e.skeleton.title.zh.into(),
                present: e.present,
            })
            .collect(),
    }))
}

/// Import skeletons of the starter set as documents owned by the caller, each with a draft
/// 1.0 to complete and submit. All or none: a reference already in the register is refused.
#[utoipa::path(post, path = "/api/v1/documents/starter-set", tag = "documents",
    request_body = ImportBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("document:create"))),
    responses((status = 201, description = "Imported", body = ImportedList), Errors))]
pub async fn import_starter(
    Allowed(ctx, _): Allowed<DocumentCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<ImportBody>,
) -> ApiResult<(StatusCode, Json<ImportedList>)> {
    let lang = match b.language.as_deref().map(str::trim) {
        None | Some("") => Lang::ZhCn,
        Some(code) => Lang::parse(code).ok_or_else(|| {
            FieldErrors::single(
                "language",
                FieldErrorKind::UnknownValue {
                    allowed: vec!["zh-CN", "en"],
                },
            )
        })?,
    };
    let docs = starter::import(&state.app, &ctx, &b.codes, lang).await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportedList {
            items: docs
                .into_iter()
                .map(|d| DocumentOut::new(d, None))
                .collect(),
        }),
    ))
}
