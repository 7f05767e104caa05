//! `/api/v1/goals` (SPEC §6.5).

use super::types::{GoalBody, GoalDetail, GoalList, GoalMoveBody, GoalOut, ProgressBody, TreeOut};
use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::request::types::MoveListOut;
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, GoalCreate, GoalRead, GoalUpdate, IfMatch, OptionalIfMatch,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::goal::goals::{self, GoalQuery, GoalView};
use castellan_domain::goal::GoalInput;
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::{FieldErrorKind, FieldErrors};
use serde::Deserialize;
use utoipa::IntoParams;

fn detail(v: GoalView, status: StatusCode) -> Response {
    let version = v.goal.version;
    let loc = (status == StatusCode::CREATED).then(|| format!("/api/v1/goals/{}", v.goal.id));
    with_etag(status, version, GoalDetail::from(v), loc)
}

fn input(b: GoalBody) -> GoalInput {
    GoalInput {
        year: b.year,
        level: b.level,
        parent_id: b.parent_id,
        department_id: b.department_id.map(DepartmentId),
        position: b.position,
        title: b.title,
        metric: b.metric,
        target: b.target,
        owner_id: b.owner_id.map(UserId),
        owner_username: None,
    }
}

/// Filters of the goal list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Year.
    year: Option<i64>,
    /// `company`, `department`, `position`.
    level: Option<String>,
    /// `draft`, `in_review`, `published`, `returned`.
    status: Option<String>,
    /// Owner.
    owner_id: Option<i64>,
    /// Department.
    department_id: Option<i64>,
    /// The goal above.
    parent_id: Option<i64>,
    /// Words of the title, metric or position.
    q: Option<String>,
    /// `-year` (default) or `year`.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// Goals (everyone reads the goal tree), latest year first.
#[utoipa::path(get, path = "/api/v1/goals", tag = "goals", params(ListParams),
    security(("bearer" = [])), extensions(("x-permission" = json!("goal:read"))),
    responses((status = 200, description = "A page of goals", body = GoalList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<GoalRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<GoalList>> {
    let q = GoalQuery {
        year: p.year,
        level: p.level,
        status: p.status,
        owner_id: p.owner_id,
        department_id: p.department_id,
        parent_id: p.parent_id,
        q: p.q,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let (page, total) = goals::list(&state.app, &ctx, &q).await?;
    Ok(Json(GoalList {
        items: page.items.iter().map(GoalOut::from).collect(),
        next_cursor: page.next_cursor,
        total,
    }))
}

/// Draft a goal: the company's (security officers and committee members), or one's own below
/// a published goal of the level above and the same year (422 on `parent_id` for a goal of
/// another year or level).
#[utoipa::path(post, path = "/api/v1/goals", tag = "goals", request_body = GoalBody,
    security(("bearer" = [])), extensions(("x-permission" = json!("goal:create"))),
    responses((status = 201, description = "Drafted", body = GoalDetail), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<GoalCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<GoalBody>,
) -> ApiResult<Response> {
    let v = goals::create(&state.app, &ctx, &input(b)).await?;
    Ok(detail(v, StatusCode::CREATED))
}

/// The year whose tree is asked for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TreeParams {
    /// The year (2000–2100).
    year: Option<i64>,
}

/// A year's goals, company first, and the departments without a goal.
#[utoipa::path(get, path = "/api/v1/goals/tree", tag = "goals", params(TreeParams),
    security(("bearer" = [])), extensions(("x-permission" = json!("goal:read"))),
    responses((status = 200, description = "The tree", body = TreeOut), Errors))]
pub async fn tree(
    Allowed(ctx, _): Allowed<GoalRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<TreeParams>,
) -> ApiResult<Json<TreeOut>> {
    let year = match p.year {
        Some(y) if (2000..=2100).contains(&y) => y as i32,
        _ => {
            return Err(FieldErrors::single(
                "year",
                FieldErrorKind::OutOfRange {
                    min: 2000,
                    max: 2100,
                },
            )
            .into());
        }
    };
    Ok(Json(goals::tree(&state.app, &ctx, year).await?.into()))
}

/// One goal with the goals below it.
#[utoipa::path(get, path = "/api/v1/goals/{id}", tag = "goals",
    params(("id" = i64, Path, description = "Goal id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("goal:read"))),
    responses((status = 200, description = "The goal", body = GoalDetail), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<GoalRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(detail(
        goals::get(&state.app, &ctx, id).await?,
        StatusCode::OK,
    ))
}

/// Change a draft or returned goal (its owner or author).
#[utoipa::path(patch, path = "/api/v1/goals/{id}", tag = "goals",
    params(("id" = i64, Path, description = "Goal id"), ("If-Match" = String, Header, description = "The version read")),
    request_body = GoalBody, security(("bearer" = [])), extensions(("x-permission" = json!("goal:update"))),
    responses((status = 200, description = "Changed", body = GoalDetail), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<GoalUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<GoalBody>,
) -> ApiResult<Response> {
    let v = goals::update(&state.app, &ctx, id, &input(b), version).await?;
    Ok(detail(v, StatusCode::OK))
}

/// Move a goal: `in_review` (its owner submits it), `published` or `returned` (the owner
/// of the goal above — a committee member for the company's — decides; never the goal's
/// owner, author or submitter; a return needs a `comment`).
#[utoipa::path(post, path = "/api/v1/goals/{id}/transitions", tag = "goals",
    params(("id" = i64, Path, description = "Goal id"), ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = GoalMoveBody, security(("bearer" = [])), extensions(("x-permission" = json!("goal:read"))),
    responses((status = 200, description = "Moved", body = GoalDetail), Errors))]
pub async fn transition(
    Allowed(ctx, _): Allowed<GoalRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<GoalMoveBody>,
) -> ApiResult<Response> {
    let v = goals::transition(&state.app, &ctx, id, &b.to, b.comment.as_deref(), version).await?;
    Ok(detail(v, StatusCode::OK))
}

/// The moves of a goal, oldest first.
#[utoipa::path(get, path = "/api/v1/goals/{id}/transitions", tag = "goals",
    params(("id" = i64, Path, description = "Goal id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("goal:read"))),
    responses((status = 200, description = "The moves", body = MoveListOut), Errors))]
pub async fn moves(
    Allowed(ctx, _): Allowed<GoalRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MoveListOut>> {
    let moves = goals::moves(&state.app, &ctx, id).await?;
    Ok(Json(MoveListOut {
        items: moves.into_iter().map(Into::into).collect(),
    }))
}

/// Report a published goal's progress (its owner): percent 0–100 and a note.
#[utoipa::path(put, path = "/api/v1/goals/{id}/progress", tag = "goals",
    params(("id" = i64, Path, description = "Goal id"), ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = ProgressBody, security(("bearer" = [])), extensions(("x-permission" = json!("goal:update"))),
    responses((status = 200, description = "Reported", body = GoalDetail), Errors))]
pub async fn progress(
    Allowed(ctx, _): Allowed<GoalUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<ProgressBody>,
) -> ApiResult<Response> {
    let v = goals::report_progress(&state.app, &ctx, id, b.progress, b.note.as_deref(), version)
        .await?;
    Ok(detail(v, StatusCode::OK))
}
