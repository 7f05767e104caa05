//! The risk treatment plan (SPEC §4.3): items per risk, the whole plan of an assessment
//! with overdue items flagged, and the caller's own treatment tasks across assessments.

use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::risk::types::PhaseCode;
use crate::api::types::{codes, double_option, non_null};
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, AssessmentRead as Read, AssessmentUpdate as Update,
    IfMatch, OwnRead, OwnUpdate,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::risk::treatment::{
    self, TaskQuery, TreatmentInput, TreatmentPatch, TreatmentView,
};
use castellan_domain::ids::{AssessmentId, RiskId, TreatmentItemId};
use castellan_domain::risk::finding::TreatmentStatus;
use castellan_domain::{Day, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, PartialSchema, ToSchema};

codes!(
    TreatmentStatusCode,
    "Status of a treatment-plan item.",
    TreatmentStatus::ALL,
    false
);

/// One item of a risk's treatment plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct TreatmentItemView {
    /// System id.
    pub id: i64,
    /// The assessment.
    pub assessment_id: i64,
    /// Its name.
    pub assessment_name: String,
    /// Its phase.
    #[schema(schema_with = PhaseCode::schema)]
    pub assessment_phase: &'static str,
    /// The risk.
    pub risk_id: i64,
    /// The risk's asset code.
    pub asset_code: String,
    /// The risk's threat code.
    pub threat_code: String,
    /// What will be done.
    pub measure: String,
    /// The control it puts in place or improves.
    pub control_id: Option<i64>,
    /// Responsible department.
    pub department_id: Option<i64>,
    /// Responsible person.
    pub responsible_id: Option<i64>,
    /// Due date (YYYY-MM-DD).
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Day>,
    /// Status.
    #[schema(schema_with = TreatmentStatusCode::schema)]
    pub status: &'static str,
    /// Progress notes.
    pub progress: Option<String>,
    /// Open and past its due date (UTC).
    pub overdue: bool,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<TreatmentView> for TreatmentItemView {
    fn from(v: TreatmentView) -> Self {
        let i = v.item;
        TreatmentItemView {
            id: i.id.0,
            assessment_id: i.assessment_id.0,
            assessment_name: v.assessment_name,
            assessment_phase: v.assessment_phase.code(),
            risk_id: i.risk_id.0,
            asset_code: v.asset_code,
            threat_code: v.threat_code,
            measure: i.measure,
            control_id: i.control_id.map(|c| c.0),
            department_id: i.department_id.map(|d| d.0),
            responsible_id: i.responsible_id.map(|u| u.0),
            due_on: i.due_on,
            status: i.status.code(),
            progress: i.progress,
            overdue: v.overdue,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

/// A treatment plan (of a risk or of a whole assessment).
#[derive(Debug, Serialize, ToSchema)]
pub struct TreatmentPlan {
    /// The items, by risk and then in the order they were added.
    pub items: Vec<TreatmentItemView>,
}

/// A page of the caller's treatment tasks.
#[derive(Debug, Serialize, ToSchema)]
pub struct TreatmentTaskList {
    /// The items, soonest due first (undated last).
    pub items: Vec<TreatmentItemView>,
    /// Where the next page starts; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A new treatment-plan item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TreatmentItemCreate {
    /// What will be done (1–2000 characters).
    pub measure: String,
    /// The control it puts in place or improves.
    pub control_id: Option<i64>,
    /// Responsible department.
    pub department_id: Option<i64>,
    /// Responsible person.
    pub responsible_id: Option<i64>,
    /// Due date (YYYY-MM-DD).
    pub due_on: Option<String>,
    /// Status (default `planned`).
    #[schema(schema_with = TreatmentStatusCode::schema)]
    pub status: Option<String>,
}

/// A change to a treatment-plan item; `null` clears an optional field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TreatmentItemUpdate {
    /// What will be done.
    #[serde(default, deserialize_with = "non_null")]
    pub measure: Option<String>,
    /// The control.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub control_id: Option<Option<i64>>,
    /// Responsible department.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<Option<i64>>,
    /// Responsible person.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub responsible_id: Option<Option<i64>>,
    /// Due date (YYYY-MM-DD).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub due_on: Option<Option<String>>,
    /// Status.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(schema_with = TreatmentStatusCode::schema)]
    pub status: Option<String>,
    /// Progress notes.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub progress: Option<Option<String>>,
}

fn plan(items: Vec<TreatmentView>) -> Json<TreatmentPlan> {
    Json(TreatmentPlan {
        items: items.into_iter().map(Into::into).collect(),
    })
}

/// The treatment plan of one risk.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/risks/{risk_id}/treatment-items", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"),
           ("risk_id" = i64, Path, description = "Risk id")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:read"))),
    responses((status = 200, description = "The risk's items", body = TreatmentPlan), Errors))]
pub async fn list_for_risk(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath((id, risk_id)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<TreatmentPlan>> {
    let items =
        treatment::list_for_risk(&state.app, &ctx, AssessmentId(id), RiskId(risk_id)).await?;
    Ok(plan(items))
}

/// Add an item to a risk's treatment plan (while the assessment is analysed or its
/// treatment planned; the team or a security officer). A risk of another assessment is
/// not found.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/risks/{risk_id}/treatment-items", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"),
           ("risk_id" = i64, Path, description = "Risk id")),
    request_body = TreatmentItemCreate, security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:update"))),
    responses((status = 201, description = "Created", body = TreatmentItemView), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath((id, risk_id)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<TreatmentItemCreate>,
) -> ApiResult<Response> {
    let input = TreatmentInput {
        measure: b.measure,
        control_id: b.control_id,
        department_id: b.department_id,
        responsible_id: b.responsible_id,
        due_on: b.due_on,
        status: b.status,
    };
    let v = treatment::create(&state.app, &ctx, AssessmentId(id), RiskId(risk_id), &input).await?;
    let location = format!("/api/v1/assessments/{id}/treatment-items/{}", v.item.id);
    Ok(with_etag(
        StatusCode::CREATED,
        v.item.version,
        TreatmentItemView::from(v),
        Some(location),
    ))
}

/// Change a treatment-plan item. The measure, control, department, person and due date
/// are planned by the team (or a security officer) while the assessment is analysed or its
/// treatment planned; status and progress are reported while the plan is carried out
/// (approved, implementing, residual assessment) — by the team, or by the person
/// responsible for the item, who need not hold a role on the assessment. That is why the
/// coarse check here is only `own_account:update` (every signed-in user): the service
/// decides, answering 403 to a caller who is neither, and 404 to one who may not read
/// assessments for an item that is not theirs.
#[utoipa::path(patch, path = "/api/v1/assessments/{id}/treatment-items/{item_id}", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"),
           ("item_id" = i64, Path, description = "Treatment item id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = TreatmentItemUpdate, security(("bearer" = [])),
    extensions(("x-permission" = json!("own_account:update"))),
    responses((status = 200, description = "Updated", body = TreatmentItemView), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<OwnUpdate>,
    State(state): State<AppState>,
    ApiPath((id, item_id)): ApiPath<(i64, i64)>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<TreatmentItemUpdate>,
) -> ApiResult<Response> {
    let patch = TreatmentPatch {
        measure: b.measure,
        control_id: b.control_id,
        department_id: b.department_id,
        responsible_id: b.responsible_id,
        due_on: b.due_on,
        status: b.status,
        progress: b.progress,
    };
    let v = treatment::update(
        &state.app,
        &ctx,
        AssessmentId(id),
        TreatmentItemId(item_id),
        &patch,
        version,
    )
    .await?;
    Ok(with_etag(
        StatusCode::OK,
        v.item.version,
        TreatmentItemView::from(v),
        None,
    ))
}

/// Remove a treatment-plan item (while the treatment is planned; the team or a security
/// officer).
#[utoipa::path(delete, path = "/api/v1/assessments/{id}/treatment-items/{item_id}", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id"),
           ("item_id" = i64, Path, description = "Treatment item id"),
           ("If-Match" = String, Header, description = "The version read")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:update"))),
    responses((status = 204, description = "Deleted"), Errors))]
pub async fn delete(
    Allowed(ctx, _): Allowed<Update>,
    State(state): State<AppState>,
    ApiPath((id, item_id)): ApiPath<(i64, i64)>,
    IfMatch(version): IfMatch,
) -> ApiResult<StatusCode> {
    treatment::delete(
        &state.app,
        &ctx,
        AssessmentId(id),
        TreatmentItemId(item_id),
        version,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The whole treatment plan of an assessment, by risk, with overdue items flagged.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/treatment-plan", tag = "risk",
    params(("id" = i64, Path, description = "Assessment id")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("assessment:read"))),
    responses((status = 200, description = "The plan", body = TreatmentPlan), Errors))]
pub async fn whole_plan(
    Allowed(ctx, _): Allowed<Read>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TreatmentPlan>> {
    let items = treatment::list(&state.app, &ctx, AssessmentId(id)).await?;
    Ok(plan(items))
}

/// Filters of the caller's task list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskParams {
    /// Only planned and started items.
    #[serde(default)]
    open: bool,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// The treatment-plan items the caller is responsible for, across assessments, soonest
/// due first (undated last), with overdue items flagged. Every signed-in user may list
/// their own.
#[utoipa::path(get, path = "/api/v1/me/treatment-tasks", tag = "me",
    params(TaskParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("own_account:read"))),
    responses((status = 200, description = "A page of tasks", body = TreatmentTaskList), Errors))]
pub async fn my_tasks(
    Allowed(ctx, _): Allowed<OwnRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<TaskParams>,
) -> ApiResult<Json<TreatmentTaskList>> {
    let q = TaskQuery {
        open: p.open,
        cursor: p.cursor,
        limit: p.limit,
    };
    let page = treatment::mine(&state.app, &ctx, &q).await?;
    Ok(Json(TreatmentTaskList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}
