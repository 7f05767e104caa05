//! `/api/v1/checklists` (SPEC §6.3).

use super::types::{ChecklistBody, ChecklistList, ChecklistOut};
use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::extract::{
    Allowed, ApiJson, ApiPath, IfMatch, InspectionCreate, InspectionRegisterRead, InspectionUpdate,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::inspection::checklists;
use castellan_domain::inspection::{ChecklistInput, ItemInput};

fn input(b: ChecklistBody) -> (ChecklistInput, Option<i64>) {
    (
        ChecklistInput {
            code: b.code,
            name: b.name,
            description: b.description,
            items: b
                .items
                .into_iter()
                .map(|i| ItemInput {
                    code: i.code,
                    area: i.area,
                    text: i.text,
                    text_zh: i.text_zh,
                })
                .collect(),
        },
        b.copy_of,
    )
}

/// Checklists with their number of items, the shipped one first (inspection readers and
/// managers).
#[utoipa::path(get, path = "/api/v1/checklists", tag = "inspections", security(("bearer" = [])),
    extensions(("x-permission" = json!("inspection_register:read"))),
    responses((status = 200, description = "The checklists", body = ChecklistList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<InspectionRegisterRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<ChecklistList>> {
    let items = checklists::list(&state.app, &ctx).await?;
    Ok(Json(ChecklistList {
        items: items
            .iter()
            .map(|(c, n)| ChecklistOut::listed(c, *n))
            .collect(),
    }))
}

/// Create a checklist (security officers and administrators): items given, or copied from
/// another checklist (`copy_of`, e.g. the shipped one) when `items` is empty.
#[utoipa::path(post, path = "/api/v1/checklists", tag = "inspections", request_body = ChecklistBody,
    security(("bearer" = [])), extensions(("x-permission" = json!("inspection:create"))),
    responses((status = 201, description = "Created", body = ChecklistOut), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<InspectionCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<ChecklistBody>,
) -> ApiResult<Response> {
    let (input, copy_of) = input(b);
    let c = checklists::create(&state.app, &ctx, &input, copy_of).await?;
    let loc = format!("/api/v1/checklists/{}", c.id);
    Ok(with_etag(
        StatusCode::CREATED,
        c.version,
        ChecklistOut::full(&c),
        Some(loc),
    ))
}

/// One checklist with its items.
#[utoipa::path(get, path = "/api/v1/checklists/{id}", tag = "inspections",
    params(("id" = i64, Path, description = "Checklist id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("inspection_register:read"))),
    responses((status = 200, description = "The checklist", body = ChecklistOut), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<InspectionRegisterRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let c = checklists::get(&state.app, &ctx, id).await?;
    Ok(with_etag(
        StatusCode::OK,
        c.version,
        ChecklistOut::full(&c),
        None,
    ))
}

/// Change a checklist of the organization's: code, name, description and the whole list of
/// items (the shipped checklist is not changed: 409 `checklist_builtin`). Inspections
/// already scheduled keep their items.
#[utoipa::path(patch, path = "/api/v1/checklists/{id}", tag = "inspections",
    params(("id" = i64, Path, description = "Checklist id"), ("If-Match" = String, Header, description = "The version read")),
    request_body = ChecklistBody, security(("bearer" = [])), extensions(("x-permission" = json!("inspection:update"))),
    responses((status = 200, description = "Changed", body = ChecklistOut), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<InspectionUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<ChecklistBody>,
) -> ApiResult<Response> {
    let (input, _) = input(b);
    let c = checklists::update(&state.app, &ctx, id, &input, version).await?;
    Ok(with_etag(
        StatusCode::OK,
        c.version,
        ChecklistOut::full(&c),
        None,
    ))
}
