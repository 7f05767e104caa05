//! `/api/v1/drills` (SPEC §6.7).

use super::day;
use super::types::{DrillBody, DrillDetail, DrillList, DrillOut};
use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::attachments::{AttachmentList, AttachmentUpload};
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, ContinuityCreate, ContinuityRead, ContinuityUpdate,
    IfMatch,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::continuity::drills::{
    self as drills, DrillForm, DrillQuery, DrillView, ProblemForm,
};
use castellan_domain::DomainError;
use castellan_domain::ids::UserId;
use serde::Deserialize;
use utoipa::IntoParams;

fn detail(v: DrillView, status: StatusCode) -> Response {
    let version = v.line.drill.version;
    let loc =
        (status == StatusCode::CREATED).then(|| format!("/api/v1/drills/{}", v.line.drill.id));
    with_etag(status, version, DrillDetail::from(v), loc)
}

fn form(b: DrillBody) -> Result<DrillForm, DomainError> {
    let mut problems = Vec::with_capacity(b.problems.len());
    for (i, p) in b.problems.into_iter().enumerate() {
        problems.push(ProblemForm {
            description: p.description,
            responsible_id: p.responsible_id.map(UserId),
            responsible_username: None,
            due_at: day(&format!("problems[{i}].due_at"), p.due_at.as_deref())?,
        });
    }
    Ok(DrillForm {
        dr_plan_id: b.dr_plan_id,
        held_at: day("held_at", b.held_at.as_deref())?,
        scenario: b.scenario,
        participant_ids: b
            .participant_ids
            .map(|ids| ids.into_iter().map(UserId).collect()),
        participant_usernames: None,
        result: b.result,
        achieved_given: b.achieved_rto_hours.is_some(),
        achieved_rto_hours: b.achieved_rto_hours.flatten(),
        summary: b.summary,
        problems,
        rto_responsible_id: b.rto_responsible_id.map(UserId),
        rto_responsible_username: None,
        rto_due_at: day("rto_due_at", b.rto_due_at.as_deref())?,
        lang: None,
    })
}

/// Filters of the drill list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DrillParams {
    /// The DR plan drilled.
    dr_plan_id: Option<i64>,
    /// `passed`, `partial`, `failed`.
    result: Option<String>,
    /// Only drills that missed their plan's RTO.
    #[serde(default)]
    missed_rto: bool,
    /// Held in this year.
    year: Option<i32>,
    /// Words of the code, scenario or plan title.
    q: Option<String>,
    /// `-held_at` (default), `held_at`, `code`, `result`.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// Drills, latest first.
#[utoipa::path(get, path = "/api/v1/drills", tag = "continuity", params(DrillParams),
    security(("bearer" = [])), extensions(("x-permission" = json!("continuity:read"))),
    responses((status = 200, description = "A page of drills", body = DrillList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<ContinuityRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<DrillParams>,
) -> ApiResult<Json<DrillList>> {
    let q = DrillQuery {
        dr_plan_id: p.dr_plan_id,
        result: p.result,
        missed_rto: p.missed_rto,
        year: p.year,
        q: p.q,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let (page, total) = drills::list(&state.app, &ctx, &q).await?;
    Ok(Json(DrillList {
        items: page.items.into_iter().map(DrillOut::from).collect(),
        total,
        next_cursor: page.next_cursor,
    }))
}

/// Record a drill of a DR plan: held between the day the plan came into force and today
/// (422 on `held_at` otherwise), known participants (422 on `participant_ids[i]`). Each
/// problem, and a recovery slower than the plan's RTO, opens a rectification task verified
/// by the caller.
#[utoipa::path(post, path = "/api/v1/drills", tag = "continuity", request_body = DrillBody,
    security(("bearer" = [])), extensions(("x-permission" = json!("continuity:create"))),
    responses((status = 201, description = "Recorded", body = DrillDetail), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<ContinuityCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<DrillBody>,
) -> ApiResult<Response> {
    let v = drills::create(&state.app, &ctx, &form(b)?).await?;
    Ok(detail(v, StatusCode::CREATED))
}

/// One drill with its problems and rectification tasks.
#[utoipa::path(get, path = "/api/v1/drills/{id}", tag = "continuity",
    params(("id" = i64, Path, description = "Drill id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("continuity:read"))),
    responses((status = 200, description = "The drill", body = DrillDetail), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<ContinuityRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(detail(
        drills::get(&state.app, &ctx, id).await?,
        StatusCode::OK,
    ))
}

/// Change a drill (absent fields stay; `problems` are added and open their tasks; an RTO
/// now missed opens its task). 412 for a stale `If-Match`.
#[utoipa::path(patch, path = "/api/v1/drills/{id}", tag = "continuity",
    params(("id" = i64, Path, description = "Drill id"), ("If-Match" = String, Header, description = "The version read")),
    request_body = DrillBody, security(("bearer" = [])), extensions(("x-permission" = json!("continuity:update"))),
    responses((status = 200, description = "Changed", body = DrillDetail), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<ContinuityUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<DrillBody>,
) -> ApiResult<Response> {
    let v = drills::update(&state.app, &ctx, id, &form(b)?, version).await?;
    Ok(detail(v, StatusCode::OK))
}

/// Attach a file (the drill's record, screenshots, logs) to a drill. Multipart with the
/// field `file`; 413 over the attachment limit, 422 for an empty file or a bad name.
#[utoipa::path(post, path = "/api/v1/drills/{id}/attachments", tag = "continuity",
    params(("id" = i64, Path, description = "Drill id")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("continuity:update"))),
    responses((status = 201, description = "Stored", body = crate::attachments::AttachmentOut), Errors))]
pub async fn attach(
    Allowed(ctx, _): Allowed<ContinuityUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    headers: axum::http::HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<crate::attachments::AttachmentOut>)> {
    let multipart = multipart.map_err(|e| {
        DomainError::BadRequest(format!("expected a multipart/form-data body: {e}"))
    })?;
    let file = crate::attachments::receive_file(&state.app, &headers, multipart).await?;
    let saved = drills::attach(
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

/// The files of a drill, oldest first.
#[utoipa::path(get, path = "/api/v1/drills/{id}/attachments", tag = "continuity",
    params(("id" = i64, Path, description = "Drill id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("continuity:read"))),
    responses((status = 200, description = "The files", body = AttachmentList), Errors))]
pub async fn attachments(
    Allowed(ctx, _): Allowed<ContinuityRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AttachmentList>> {
    let items = drills::attachments(&state.app, &ctx, id).await?;
    Ok(Json(AttachmentList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Download a drill's file (`Content-Disposition: attachment`, `nosniff`), streamed.
#[utoipa::path(get, path = "/api/v1/drills/{id}/attachments/{attachment_id}", tag = "continuity",
    params(("id" = i64, Path, description = "Drill id"),
           ("attachment_id" = i64, Path, description = "Attachment id")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("continuity:read"))),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), Errors))]
pub async fn download(
    Allowed(ctx, _): Allowed<ContinuityRead>,
    State(state): State<AppState>,
    ApiPath((id, attachment)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    let (a, content) = drills::open_attachment(&state.app, &ctx, id, attachment).await?;
    Ok(crate::attachments::download(&a, content))
}
