//! `/api/v1/documents/{id}/addressees` and `/acknowledgements` (SPEC §6.2): who a document
//! in force is addressed to, confirmations of reading, and the coverage per department.

use crate::api::document::types::{
    AcknowledgementOut, AddresseesBody, CoverageLineOut, CoverageOut, PendingList, PendingOut,
};
use crate::api::errors::Errors;
use crate::extract::{Allowed, ApiJson, ApiPath, ApiQuery, DocumentRead, DocumentUpdate};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use castellan_app::document::acknowledgements as acks;
use castellan_domain::ids::DepartmentId;
use serde::Deserialize;
use utoipa::IntoParams;

/// Who a document is addressed to.
#[utoipa::path(get, path = "/api/v1/documents/{id}/addressees", tag = "documents",
    params(("id" = i64, Path, description = "Document id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("document:read"))),
    responses((status = 200, description = "The addressees", body = AddresseesBody), Errors))]
pub async fn addressees(
    Allowed(ctx, _): Allowed<DocumentRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AddresseesBody>> {
    Ok(Json(acks::addressees(&state.app, &ctx, id).await?.into()))
}

/// Address a document to departments (each with everything below it) and roles: its
/// owner or a publisher. Replaces the addressees; the people addressed then confirm
/// reading its version in force.
#[utoipa::path(put, path = "/api/v1/documents/{id}/addressees", tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    request_body = AddresseesBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("document:update"))),
    responses((status = 200, description = "The addressees", body = AddresseesBody), Errors))]
pub async fn set_addressees(
    Allowed(ctx, _): Allowed<DocumentUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AddresseesBody>,
) -> ApiResult<Json<AddresseesBody>> {
    let depts: Vec<DepartmentId> = b.department_ids.iter().map(|d| DepartmentId(*d)).collect();
    Ok(Json(
        acks::set_addressees(&state.app, &ctx, id, &depts, &b.roles)
            .await?
            .into(),
    ))
}

/// Confirm reading the version in force ("I have read it"): only people the document is
/// addressed to (409 `document_not_addressed` otherwise). 201 the first time, 200 after.
#[utoipa::path(post, path = "/api/v1/documents/{id}/acknowledgements", tag = "documents",
    params(("id" = i64, Path, description = "Document id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("document:read"))),
    responses((status = 201, description = "Confirmed", body = AcknowledgementOut),
        (status = 200, description = "Already confirmed", body = AcknowledgementOut), Errors))]
pub async fn acknowledge(
    Allowed(ctx, _): Allowed<DocumentRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<AcknowledgementOut>)> {
    let a = acks::acknowledge(&state.app, &ctx, id).await?;
    let status = if a.new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(AcknowledgementOut {
            version: a.version,
            at: a.at,
        }),
    ))
}

/// Who confirmed the version in force, per department of the people addressed: its owner,
/// publishers and those who read the whole register.
#[utoipa::path(get, path = "/api/v1/documents/{id}/acknowledgements", tag = "documents",
    params(("id" = i64, Path, description = "Document id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("document:read"))),
    responses((status = 200, description = "The coverage", body = CoverageOut), Errors))]
pub async fn coverage(
    Allowed(ctx, _): Allowed<DocumentRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CoverageOut>> {
    let c = acks::coverage(&state.app, &ctx, id).await?;
    Ok(Json(CoverageOut {
        version: c.version,
        addressees: c.addressees.into(),
        total: c.total,
        acknowledged: c.acknowledged,
        departments: c
            .lines
            .into_iter()
            .map(|l| CoverageLineOut {
                department_id: l.department_id.map(|d| d.0),
                total: l.total,
                acknowledged: l.acknowledged,
            })
            .collect(),
    }))
}

/// Filters of the people who have not confirmed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PendingParams {
    /// Only this department's people.
    department_id: Option<i64>,
    /// Only people without a department.
    #[serde(default)]
    without_department: bool,
}

/// The people addressed who have not confirmed the version in force, by name (at most
/// 1,000).
#[utoipa::path(get, path = "/api/v1/documents/{id}/acknowledgements/pending", tag = "documents",
    params(("id" = i64, Path, description = "Document id"), PendingParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("document:read"))),
    responses((status = 200, description = "Who has not confirmed", body = PendingList), Errors))]
pub async fn pending(
    Allowed(ctx, _): Allowed<DocumentRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<PendingParams>,
) -> ApiResult<Json<PendingList>> {
    let department = if p.without_department {
        Some(None)
    } else {
        p.department_id.map(|d| Some(DepartmentId(d)))
    };
    let people = acks::pending(&state.app, &ctx, id, department).await?;
    Ok(Json(PendingList {
        items: people
            .into_iter()
            .map(|(u, name, d)| PendingOut {
                user_id: u.0,
                display_name: name,
                department_id: d.map(|d| d.0),
            })
            .collect(),
    }))
}
