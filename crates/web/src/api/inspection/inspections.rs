//! `/api/v1/inspections` (SPEC §6.3).

use super::plans::day;
use super::types::{
    FindingBody, FindingOut, InspectionDetail, InspectionList, InspectionMoveBody, InspectionOut,
    ResultsBody, ScheduleBody,
};
use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::rectification::types::TaskOut;
use crate::api::request::types::MoveListOut;
use crate::attachments::{AttachmentList, AttachmentUpload};
use crate::extract::{Allowed, ApiJson, ApiPath, ApiQuery, InspectionRead, OptionalIfMatch};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::inspection::inspections::{
    self, FindingInput, InspectionQuery, InspectionView, ResultInput, ScheduleInput,
};
use castellan_domain::ids::UserId;
use castellan_domain::{DomainError, Lang};
use serde::Deserialize;
use utoipa::IntoParams;

fn detail(v: InspectionView, status: StatusCode) -> Response {
    let version = v.inspection.version;
    let loc =
        (status == StatusCode::CREATED).then(|| format!("/api/v1/inspections/{}", v.inspection.id));
    with_etag(status, version, InspectionDetail::from(v), loc)
}

/// Filters of the inspection list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `planned`, `in_progress`, `completed`.
    status: Option<String>,
    /// One plan's inspections.
    plan_id: Option<i64>,
    /// Only those not completed past their due day.
    #[serde(default)]
    overdue: bool,
    /// Only those the caller performs.
    #[serde(default)]
    mine: bool,
    /// Words of the code or the plan's title.
    q: Option<String>,
    /// `-due_on` (default) or `due_on`.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// Inspections: all of them for inspection readers; otherwise those the caller performs,
/// scheduled, or whose plan they inspect. Latest due first.
#[utoipa::path(get, path = "/api/v1/inspections", tag = "inspections", params(ListParams),
    security(("bearer" = [])), extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 200, description = "A page of inspections", body = InspectionList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<InspectionList>> {
    let q = InspectionQuery {
        status: p.status,
        plan_id: p.plan_id,
        overdue: p.overdue,
        mine: p.mine,
        q: p.q,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let (page, total) = inspections::list(&state.app, &ctx, &q).await?;
    Ok(Json(InspectionList {
        items: page.items.into_iter().map(InspectionOut::from).collect(),
        next_cursor: page.next_cursor,
        total,
    }))
}

/// Schedule the next inspection of an approved plan (a manager or one of the plan's
/// inspectors; one at a time per plan: 409 `inspection_open`). Its items are the
/// checklist's as they are now.
#[utoipa::path(post, path = "/api/v1/inspections", tag = "inspections", request_body = ScheduleBody,
    security(("bearer" = [])), extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 201, description = "Scheduled", body = InspectionDetail), Errors))]
pub async fn schedule(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<ScheduleBody>,
) -> ApiResult<Response> {
    let input = ScheduleInput {
        plan_id: b.plan_id,
        due_on: day("due_on", b.due_on.as_deref())?,
        inspector_ids: b.inspector_ids.into_iter().map(UserId).collect(),
    };
    let v = inspections::schedule(&state.app, &ctx, &input).await?;
    Ok(detail(v, StatusCode::CREATED))
}

/// One inspection with its items, results and rectification tasks.
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "inspections",
    params(("id" = i64, Path, description = "Inspection id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 200, description = "The inspection", body = InspectionDetail), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(detail(
        inspections::get(&state.app, &ctx, id).await?,
        StatusCode::OK,
    ))
}

/// Record results (an inspector of it, or a manager, until it is completed): every line is
/// checked first — an item not on its checklist, a repeated item, a bad result — and a
/// refusal (422 on `results[i].…`) changes nothing. The first results start a planned
/// inspection.
#[utoipa::path(put, path = "/api/v1/inspections/{id}/results", tag = "inspections",
    params(("id" = i64, Path, description = "Inspection id"), ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = ResultsBody, security(("bearer" = [])), extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 200, description = "Recorded", body = InspectionDetail), Errors))]
pub async fn record_results(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<ResultsBody>,
) -> ApiResult<Response> {
    let lines: Vec<ResultInput> = b
        .results
        .into_iter()
        .map(|r| ResultInput {
            item_code: r.item_code,
            result: r.result,
            note: r.note,
        })
        .collect();
    let performed_at = day("performed_at", b.performed_at.as_deref())?;
    let v =
        inspections::record_results(&state.app, &ctx, id, &lines, performed_at, version).await?;
    Ok(detail(v, StatusCode::OK))
}

/// Open the rectification task of a failed item (an inspector of it, or a manager, while
/// it is in progress). The caller verifies it; the responsible person is someone else. One
/// task per finding (409 `inspection_finding_has_task`).
#[utoipa::path(post, path = "/api/v1/inspections/{id}/findings", tag = "inspections",
    params(("id" = i64, Path, description = "Inspection id")),
    request_body = FindingBody, security(("bearer" = [])), extensions(("x-permission" = json!("rectification:create"))),
    responses((status = 201, description = "Opened", body = FindingOut), Errors))]
pub async fn open_finding(
    Allowed(ctx, _): Allowed<crate::extract::RectificationCreate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<FindingBody>,
) -> ApiResult<(StatusCode, Json<FindingOut>)> {
    let input = FindingInput {
        item_code: b.item_code,
        description: b.description,
        responsible_id: b.responsible_id.map(UserId),
        responsible_username: None,
        due_on: day("due_at", b.due_at.as_deref())?,
        lang: Some(Lang::En),
    };
    let (v, task) = inspections::open_finding(&state.app, &ctx, id, &input).await?;
    let task = castellan_app::rectification::tasks::get(&state.app, &ctx, task.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(FindingOut {
            rectification: TaskOut::from(task),
            inspection: InspectionDetail::from(v),
        }),
    ))
}

/// Move an inspection: `in_progress` (start it), `completed` (every item has its result —
/// else 409 `inspection_results_missing` — and every finding its task — else 409
/// `inspection_finding_without_task`), with the summary as `comment`. Completing moves the
/// plan's next due day on.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/transitions", tag = "inspections",
    params(("id" = i64, Path, description = "Inspection id"), ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = InspectionMoveBody, security(("bearer" = [])), extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 200, description = "Moved", body = InspectionDetail), Errors))]
pub async fn transition(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<InspectionMoveBody>,
) -> ApiResult<Response> {
    let v =
        inspections::transition(&state.app, &ctx, id, &b.to, b.comment.as_deref(), version).await?;
    Ok(detail(v, StatusCode::OK))
}

/// The moves of an inspection, oldest first.
#[utoipa::path(get, path = "/api/v1/inspections/{id}/transitions", tag = "inspections",
    params(("id" = i64, Path, description = "Inspection id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 200, description = "The moves", body = MoveListOut), Errors))]
pub async fn moves(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MoveListOut>> {
    let moves = inspections::moves(&state.app, &ctx, id).await?;
    Ok(Json(MoveListOut {
        items: moves.into_iter().map(Into::into).collect(),
    }))
}

/// Which item an evidence file belongs to.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemParams {
    /// The checklist item's code.
    item_code: Option<String>,
}

fn item(p: &ItemParams) -> Result<&str, DomainError> {
    p.item_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            castellan_domain::FieldErrors::single(
                "item_code",
                castellan_domain::FieldErrorKind::Required,
            )
        })
}

/// Attach an evidence file to an item (`?item_code=NET-02`; an inspector of it, or a
/// manager, until it is completed). Multipart with the field `file`; stored with its
/// SHA-256. 413 over the attachment limit; nothing is stored then.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/attachments", tag = "inspections",
    params(("id" = i64, Path, description = "Inspection id"), ItemParams),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])), extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 201, description = "Stored", body = crate::attachments::AttachmentOut), Errors))]
pub async fn attach(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<ItemParams>,
    headers: axum::http::HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<crate::attachments::AttachmentOut>)> {
    let code = item(&p)?.to_owned();
    let multipart = multipart.map_err(|e| {
        DomainError::BadRequest(format!("expected a multipart/form-data body: {e}"))
    })?;
    let file = crate::attachments::receive_file(&state.app, &headers, multipart).await?;
    let saved = inspections::attach(
        &state.app,
        &ctx,
        id,
        &code,
        file.name(),
        file.media_type(),
        file.content()?,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// The evidence files of an item (`?item_code=`), oldest first; without `item_code`, every
/// item's.
#[utoipa::path(get, path = "/api/v1/inspections/{id}/attachments", tag = "inspections",
    params(("id" = i64, Path, description = "Inspection id"), ItemParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 200, description = "The attachments", body = AttachmentList), Errors))]
pub async fn attachments(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<ItemParams>,
) -> ApiResult<Json<AttachmentList>> {
    let wanted = p
        .item_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let items = inspections::evidence(&state.app, &ctx, id)
        .await?
        .into_iter()
        .filter(|(code, _)| wanted.is_none_or(|w| code.eq_ignore_ascii_case(w)))
        .flat_map(|(_, files)| files)
        .map(Into::into)
        .collect();
    Ok(Json(AttachmentList { items }))
}

/// Download an evidence file (`Content-Disposition: attachment`, `nosniff`), streamed.
#[utoipa::path(get, path = "/api/v1/inspections/{id}/attachments/{attachment_id}", tag = "inspections",
    params(("id" = i64, Path, description = "Inspection id"),
           ("attachment_id" = i64, Path, description = "Attachment id")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), Errors))]
pub async fn download(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiPath((id, attachment)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    let (a, content) = inspections::open_evidence(&state.app, &ctx, id, attachment).await?;
    Ok(crate::attachments::download(&a, content))
}
