//! `/api/v1/approval-chains` and `/api/v1/calendar` (SPEC §6.0).

use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::request::types::{ChainBody, ChainList, ChainOut, DayList};
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, CalendarRead, CalendarUpdate, ChainCreate, ChainRead,
    ChainUpdate, IfMatch,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use castellan_app::workflow::{self, ChainInput, DayInput};
use castellan_domain::workflow::chain::StepInput;
use serde::Deserialize;
use utoipa::IntoParams;

fn chain_input(b: ChainBody) -> ChainInput {
    ChainInput {
        code: b.code,
        name: b.name,
        applies_to: b.applies_to,
        impact: b.impact,
        steps: b
            .steps
            .into_iter()
            .map(|s| StepInput {
                name: s.name,
                approver_role: s.approver_role,
                scope: s.scope,
                min_approvals: s.min_approvals,
            })
            .collect(),
    }
}

/// Every approval chain.
#[utoipa::path(get, path = "/api/v1/approval-chains", tag = "requests",
    security(("bearer" = [])),
    extensions(("x-permission" = json!("approval_chain:read"))),
    responses((status = 200, description = "The chains", body = ChainList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<ChainRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<ChainList>> {
    let items = workflow::chains(&state.app, &ctx).await?;
    Ok(Json(ChainList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Create a chain (one per kind of item and impact).
#[utoipa::path(post, path = "/api/v1/approval-chains", tag = "requests",
    request_body = ChainBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("approval_chain:create"))),
    responses((status = 201, description = "Created", body = ChainOut), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<ChainCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<ChainBody>,
) -> ApiResult<Response> {
    let c = workflow::create_chain(&state.app, &ctx, &chain_input(b)).await?;
    let location = format!("/api/v1/approval-chains/{}", c.id);
    Ok(with_etag(
        StatusCode::CREATED,
        c.version,
        ChainOut::from(c),
        Some(location),
    ))
}

/// One chain.
#[utoipa::path(get, path = "/api/v1/approval-chains/{id}", tag = "requests",
    params(("id" = i64, Path, description = "Chain id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("approval_chain:read"))),
    responses((status = 200, description = "The chain", body = ChainOut), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<ChainRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let c = workflow::chain(&state.app, &ctx, id).await?;
    Ok(with_etag(
        StatusCode::OK,
        c.version,
        ChainOut::from(c),
        None,
    ))
}

/// Replace a chain's fields and steps. Items already submitted keep the version they were
/// submitted with.
#[utoipa::path(patch, path = "/api/v1/approval-chains/{id}", tag = "requests",
    params(("id" = i64, Path, description = "Chain id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = ChainBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("approval_chain:update"))),
    responses((status = 200, description = "Updated", body = ChainOut), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<ChainUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<ChainBody>,
) -> ApiResult<Response> {
    let c = workflow::update_chain(&state.app, &ctx, id, &chain_input(b), version).await?;
    Ok(with_etag(
        StatusCode::OK,
        c.version,
        ChainOut::from(c),
        None,
    ))
}

/// The calendar year to show.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// The year (default: this year).
    year: Option<i32>,
}

/// The entered days of a year: public holidays and make-up working days (weekends are days
/// off unless made up).
#[utoipa::path(get, path = "/api/v1/calendar", tag = "requests",
    params(YearParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("calendar:read"))),
    responses((status = 200, description = "The days", body = DayList), Errors))]
pub async fn calendar(
    Allowed(ctx, _): Allowed<CalendarRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<YearParams>,
) -> ApiResult<Json<DayList>> {
    let year = p
        .year
        .unwrap_or_else(|| castellan_domain::Timestamp::now().datetime().year());
    let days = workflow::calendar_year(&state.app, &ctx, year).await?;
    Ok(Json(DayList {
        days: days.into_iter().map(Into::into).collect(),
    }))
}

/// Enter days (all or none); a day given twice or already entered is refused (422).
#[utoipa::path(post, path = "/api/v1/calendar", tag = "requests",
    request_body = DayList, security(("bearer" = [])),
    extensions(("x-permission" = json!("calendar:update"))),
    responses((status = 201, description = "Entered", body = DayList), Errors))]
pub async fn add_days(
    Allowed(ctx, _): Allowed<CalendarUpdate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<DayList>,
) -> ApiResult<Response> {
    let input: Vec<DayInput> = b
        .days
        .into_iter()
        .map(|d| DayInput {
            day: d.day,
            kind: d.kind,
            name: d.name,
        })
        .collect();
    let days = workflow::add_days(&state.app, &ctx, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(DayList {
            days: days.into_iter().map(Into::into).collect(),
        }),
    )
        .into_response())
}

/// Remove an entered day.
#[utoipa::path(delete, path = "/api/v1/calendar/{day}", tag = "requests",
    params(("day" = String, Path, description = "YYYY-MM-DD")), security(("bearer" = [])),
    extensions(("x-permission" = json!("calendar:update"))),
    responses((status = 204, description = "Removed"), Errors))]
pub async fn remove_day(
    Allowed(ctx, _): Allowed<CalendarUpdate>,
    State(state): State<AppState>,
    ApiPath(day): ApiPath<String>,
) -> ApiResult<StatusCode> {
    workflow::remove_day(&state.app, &ctx, &day).await?;
    Ok(StatusCode::NO_CONTENT)
}
