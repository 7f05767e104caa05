//! `/api/v1/inspection-plans` (SPEC §6.3).

use super::types::{
    InspectionMoveBody, InspectionPlanBody, InspectionPlanDetail, InspectionPlanList,
    InspectionPlanOut,
};
use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::request::types::MoveListOut;
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, IfMatch, InspectionCreate, InspectionRead,
    InspectionUpdate, OptionalIfMatch,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::inspection::plans::{self, PlanQuery, PlanView};
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::inspection::PlanInput;
use castellan_domain::{Day, DomainError, FieldErrors};
use serde::Deserialize;
use utoipa::IntoParams;

pub(super) fn day(field: &str, raw: Option<&str>) -> Result<Option<Day>, DomainError> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Day::parse(s).map_err(|k| FieldErrors::single(field, k)))
        .transpose()
}

fn detail(v: PlanView, status: StatusCode) -> Response {
    let version = v.plan.version;
    let loc =
        (status == StatusCode::CREATED).then(|| format!("/api/v1/inspection-plans/{}", v.plan.id));
    with_etag(status, version, InspectionPlanDetail::from(v), loc)
}

fn input(b: InspectionPlanBody) -> Result<PlanInput, DomainError> {
    Ok(PlanInput {
        title: b.title,
        scope: b.scope,
        frequency: b.frequency,
        checklist_id: b.checklist_id,
        department_id: b.department_id.map(DepartmentId),
        inspector_ids: b.inspector_ids.into_iter().map(UserId).collect(),
        inspector_usernames: Vec::new(),
        responsibilities: b.responsibilities,
        next_due_at: day("next_due_at", b.next_due_at.as_deref())?,
    })
}

/// Filters of the plan list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `draft`, `in_review`, `approved`, `retired`.
    status: Option<String>,
    /// Only approved plans past their due day.
    #[serde(default)]
    overdue: bool,
    /// Only plans the caller inspects.
    #[serde(default)]
    mine: bool,
    /// Words of the code or the title.
    q: Option<String>,
    /// `next_due_at` (default) or `-next_due_at`.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// Inspection plans: all of them for inspection readers; otherwise those the caller
/// inspects or wrote. Soonest due first.
#[utoipa::path(get, path = "/api/v1/inspection-plans", tag = "inspections", params(ListParams),
    security(("bearer" = [])), extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 200, description = "A page of plans", body = InspectionPlanList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<InspectionPlanList>> {
    let q = PlanQuery {
        status: p.status,
        overdue: p.overdue,
        mine: p.mine,
        q: p.q,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let (page, total) = plans::list(&state.app, &ctx, &q).await?;
    Ok(Json(InspectionPlanList {
        items: page
            .items
            .iter()
            .map(|v| InspectionPlanOut::new(&v.plan, v.overdue))
            .collect(),
        next_cursor: page.next_cursor,
        total,
    }))
}

/// Open a plan as a draft (security officers and administrators).
#[utoipa::path(post, path = "/api/v1/inspection-plans", tag = "inspections", request_body = InspectionPlanBody,
    security(("bearer" = [])), extensions(("x-permission" = json!("inspection:create"))),
    responses((status = 201, description = "Opened", body = InspectionPlanDetail), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<InspectionCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<InspectionPlanBody>,
) -> ApiResult<Response> {
    let v = plans::create(&state.app, &ctx, &input(b)?).await?;
    Ok(detail(v, StatusCode::CREATED))
}

/// One plan.
#[utoipa::path(get, path = "/api/v1/inspection-plans/{id}", tag = "inspections",
    params(("id" = i64, Path, description = "Plan id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 200, description = "The plan", body = InspectionPlanDetail), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(detail(
        plans::get(&state.app, &ctx, id).await?,
        StatusCode::OK,
    ))
}

/// Change a draft plan (409 `inspection_plan_locked` once submitted).
#[utoipa::path(patch, path = "/api/v1/inspection-plans/{id}", tag = "inspections",
    params(("id" = i64, Path, description = "Plan id"), ("If-Match" = String, Header, description = "The version read")),
    request_body = InspectionPlanBody, security(("bearer" = [])), extensions(("x-permission" = json!("inspection:update"))),
    responses((status = 200, description = "Changed", body = InspectionPlanDetail), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<InspectionUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<InspectionPlanBody>,
) -> ApiResult<Response> {
    let v = plans::update(&state.app, &ctx, id, &input(b)?, version).await?;
    Ok(detail(v, StatusCode::OK))
}

/// Move a plan: `in_review` (a manager submits the draft), `approved` or `draft` (the
/// approver of its step — a security officer by default, never whoever prepared or
/// submitted it — approves it or returns it with a `comment`), `draft` (a manager revises
/// an approved plan) or `retired`.
#[utoipa::path(post, path = "/api/v1/inspection-plans/{id}/transitions", tag = "inspections",
    params(("id" = i64, Path, description = "Plan id"), ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = InspectionMoveBody, security(("bearer" = [])), extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 200, description = "Moved", body = InspectionPlanDetail), Errors))]
pub async fn transition(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<InspectionMoveBody>,
) -> ApiResult<Response> {
    let v = plans::transition(&state.app, &ctx, id, &b.to, b.comment.as_deref(), version).await?;
    Ok(detail(v, StatusCode::OK))
}

/// The moves of a plan, oldest first.
#[utoipa::path(get, path = "/api/v1/inspection-plans/{id}/transitions", tag = "inspections",
    params(("id" = i64, Path, description = "Plan id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("inspection:read"))),
    responses((status = 200, description = "The moves", body = MoveListOut), Errors))]
pub async fn moves(
    Allowed(ctx, _): Allowed<InspectionRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MoveListOut>> {
    let moves = plans::moves(&state.app, &ctx, id).await?;
    Ok(Json(MoveListOut {
        items: moves.into_iter().map(Into::into).collect(),
    }))
}
