//! `/api/v1/training-plans`, `/api/v1/trainings` and `/api/v1/me/trainings` (SPEC §6.4).

use super::types::*;
use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::request::types::MoveListOut;
use crate::attachments::AttachmentUpload;
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, IfMatch, OptionalIfMatch, TrainingCreate, TrainingRead,
    TrainingRecordsRead, TrainingUpdate,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::training::attendance::{self, LineInput};
use castellan_app::training::plans;
use castellan_app::training::trainings::{self, TrainingForm};
use castellan_domain::ids::DepartmentId;
use castellan_domain::training::TrainingInput;
use castellan_domain::{Day, DomainError, FieldErrors};
use serde::Deserialize;
use utoipa::IntoParams;

fn plan_detail(v: plans::PlanView, status: StatusCode) -> Response {
    let version = v.plan.version;
    let loc =
        (status == StatusCode::CREATED).then(|| format!("/api/v1/training-plans/{}", v.plan.id));
    with_etag(status, version, PlanDetail::from(v), loc)
}

fn training_detail(v: trainings::TrainingView, status: StatusCode) -> Response {
    let version = v.training.version;
    let loc =
        (status == StatusCode::CREATED).then(|| format!("/api/v1/trainings/{}", v.training.id));
    with_etag(status, version, TrainingDetail::from(v), loc)
}

/// Training plans, newest year first (everyone reads them).
#[utoipa::path(get, path = "/api/v1/training-plans", tag = "training", security(("bearer" = [])),
    extensions(("x-permission" = json!("training:read"))),
    responses((status = 200, description = "The plans", body = PlanList), Errors))]
pub async fn list_plans(
    Allowed(ctx, _): Allowed<TrainingRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<PlanList>> {
    let plans = plans::list(&state.app, &ctx).await?;
    Ok(Json(PlanList {
        items: plans.iter().map(PlanOut::from).collect(),
    }))
}

/// Open the plan of a year (security officers and administrators, compliance
/// administrators). One plan per year (409 `training_plan_year_taken`).
#[utoipa::path(post, path = "/api/v1/training-plans", tag = "training", request_body = PlanBody,
    security(("bearer" = [])), extensions(("x-permission" = json!("training:create"))),
    responses((status = 201, description = "Opened", body = PlanDetail), Errors))]
pub async fn create_plan(
    Allowed(ctx, _): Allowed<TrainingCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<PlanBody>,
) -> ApiResult<Response> {
    let v = plans::create(&state.app, &ctx, b.year, &b.title, b.description.as_deref()).await?;
    Ok(plan_detail(v, StatusCode::CREATED))
}

/// One plan.
#[utoipa::path(get, path = "/api/v1/training-plans/{id}", tag = "training",
    params(("id" = i64, Path, description = "Plan id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("training:read"))),
    responses((status = 200, description = "The plan", body = PlanDetail), Errors))]
pub async fn get_plan(
    Allowed(ctx, _): Allowed<TrainingRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(plan_detail(
        plans::get(&state.app, &ctx, id).await?,
        StatusCode::OK,
    ))
}

/// Change a draft plan's title and description.
#[utoipa::path(patch, path = "/api/v1/training-plans/{id}", tag = "training",
    params(("id" = i64, Path, description = "Plan id"), ("If-Match" = String, Header, description = "The version read")),
    request_body = PlanBody, security(("bearer" = [])), extensions(("x-permission" = json!("training:update"))),
    responses((status = 200, description = "Changed", body = PlanDetail), Errors))]
pub async fn update_plan(
    Allowed(ctx, _): Allowed<TrainingUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<PlanBody>,
) -> ApiResult<Response> {
    let v = plans::update(
        &state.app,
        &ctx,
        id,
        &b.title,
        b.description.as_deref(),
        version,
    )
    .await?;
    Ok(plan_detail(v, StatusCode::OK))
}

/// Move a plan: `in_review` (a training manager submits it), `approved` or `draft` (the
/// approver of its step — a security officer by default, never whoever prepared or
/// submitted it — approves it or returns it with a `comment`).
#[utoipa::path(post, path = "/api/v1/training-plans/{id}/transitions", tag = "training",
    params(("id" = i64, Path, description = "Plan id"), ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = PlanMoveBody, security(("bearer" = [])), extensions(("x-permission" = json!("training:read"))),
    responses((status = 200, description = "Moved", body = PlanDetail), Errors))]
pub async fn move_plan(
    Allowed(ctx, _): Allowed<TrainingRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<PlanMoveBody>,
) -> ApiResult<Response> {
    let v = plans::transition(&state.app, &ctx, id, &b.to, b.comment.as_deref(), version).await?;
    Ok(plan_detail(v, StatusCode::OK))
}

/// The moves of a plan, oldest first.
#[utoipa::path(get, path = "/api/v1/training-plans/{id}/transitions", tag = "training",
    params(("id" = i64, Path, description = "Plan id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("training:read"))),
    responses((status = 200, description = "The moves", body = MoveListOut), Errors))]
pub async fn plan_moves(
    Allowed(ctx, _): Allowed<TrainingRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MoveListOut>> {
    let moves = plans::moves(&state.app, &ctx, id).await?;
    Ok(Json(MoveListOut {
        items: moves.into_iter().map(Into::into).collect(),
    }))
}

/// Completion per department of the plan's trainings held: for each training held, each
/// person it was for counts once (those who read training records).
#[utoipa::path(get, path = "/api/v1/training-plans/{id}/completion", tag = "training",
    params(("id" = i64, Path, description = "Plan id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("training_records:read"))),
    responses((status = 200, description = "The completion", body = CompletionOut), Errors))]
pub async fn completion(
    Allowed(ctx, _): Allowed<TrainingRecordsRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CompletionOut>> {
    let (plan, lines) = trainings::completion(&state.app, &ctx, id).await?;
    Ok(Json(CompletionOut {
        year: plan.year,
        expected: lines.iter().map(|l| l.expected).sum(),
        attended: lines.iter().map(|l| l.attended).sum(),
        departments: lines
            .into_iter()
            .map(|l| CompletionLineOut {
                department_id: l.department_id.map(|d| d.0),
                expected: l.expected,
                attended: l.attended,
                rate: if l.expected == 0 {
                    0.0
                } else {
                    l.attended as f64 / l.expected as f64
                },
            })
            .collect(),
    }))
}

/// Query of exports.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `zh-CN` (default) or `en`: the language of headers and labels.
    language: Option<String>,
}

/// The plan's training records (every attendance line) as an XLSX workbook; recorded in the
/// audit trail.
#[utoipa::path(get, path = "/api/v1/training-plans/{id}/export", tag = "training",
    params(("id" = i64, Path, description = "Plan id"), ExportParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("training_records:read"))),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), Errors))]
pub async fn export(
    Allowed(ctx, _): Allowed<TrainingRecordsRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    let lang = match p.language.as_deref() {
        None | Some("") => castellan_domain::Lang::ZhCn,
        Some(code) => castellan_domain::Lang::parse(code).ok_or_else(|| {
            FieldErrors::single(
                "language",
                castellan_domain::FieldErrorKind::UnknownValue {
                    allowed: vec!["zh-CN", "en"],
                },
            )
        })?,
    };
    let (plan, body) = trainings::export_xlsx(&state.app, &ctx, id, lang).await?;
    Ok(crate::ui::view::xlsx_download(
        &format!("training-{}", plan.year),
        body,
    ))
}

/// Query of the trainings list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrainingsParams {
    /// The plan.
    plan_id: i64,
}

/// A plan's trainings, by month.
#[utoipa::path(get, path = "/api/v1/trainings", tag = "training", params(TrainingsParams),
    security(("bearer" = [])), extensions(("x-permission" = json!("training:read"))),
    responses((status = 200, description = "The trainings", body = TrainingList), Errors))]
pub async fn list_trainings(
    Allowed(ctx, _): Allowed<TrainingRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<TrainingsParams>,
) -> ApiResult<Json<TrainingList>> {
    let items = trainings::of_plan(&state.app, &ctx, p.plan_id).await?;
    Ok(Json(TrainingList {
        items: items.iter().map(TrainingOut::from).collect(),
    }))
}

fn form(b: TrainingBody) -> Result<TrainingForm, DomainError> {
    let held_at = b
        .held_at
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Day::parse(s).map_err(|k| FieldErrors::single("held_at", k)))
        .transpose()?;
    Ok(TrainingForm {
        fields: TrainingInput {
            title: b.title,
            topic: b.topic,
            planned_month: b.planned_month,
            trainer: b.trainer,
            audience_roles: b.audience_roles,
        },
        department_ids: b
            .audience_department_ids
            .into_iter()
            .map(DepartmentId)
            .collect(),
        document_id: b.document_id,
        status: b.status,
        held_at,
    })
}

/// Add a training to a plan (training managers), while the plan is a draft or approved.
#[utoipa::path(post, path = "/api/v1/trainings", tag = "training", request_body = TrainingBody,
    security(("bearer" = [])), extensions(("x-permission" = json!("training:create"))),
    responses((status = 201, description = "Added", body = TrainingDetail), Errors))]
pub async fn create_training(
    Allowed(ctx, _): Allowed<TrainingCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<TrainingBody>,
) -> ApiResult<Response> {
    let plan = b.plan_id;
    let v = trainings::create(&state.app, &ctx, plan, &form(b)?).await?;
    Ok(training_detail(v, StatusCode::CREATED))
}

/// One training with its audience size and recorded attendance.
#[utoipa::path(get, path = "/api/v1/trainings/{id}", tag = "training",
    params(("id" = i64, Path, description = "Training id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("training:read"))),
    responses((status = 200, description = "The training", body = TrainingDetail), Errors))]
pub async fn get_training(
    Allowed(ctx, _): Allowed<TrainingRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(training_detail(
        trainings::get(&state.app, &ctx, id).await?,
        StatusCode::OK,
    ))
}

/// Change a training (training managers): its fields, and `held` (with the day) or
/// `cancelled` once the plan is approved.
#[utoipa::path(patch, path = "/api/v1/trainings/{id}", tag = "training",
    params(("id" = i64, Path, description = "Training id"), ("If-Match" = String, Header, description = "The version read")),
    request_body = TrainingBody, security(("bearer" = [])), extensions(("x-permission" = json!("training:update"))),
    responses((status = 200, description = "Changed", body = TrainingDetail), Errors))]
pub async fn update_training(
    Allowed(ctx, _): Allowed<TrainingUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<TrainingBody>,
) -> ApiResult<Response> {
    let v = trainings::update(&state.app, &ctx, id, &form(b)?, version).await?;
    Ok(training_detail(v, StatusCode::OK))
}

/// The people a training is for, by name, with their attendance (training managers and
/// those who read training records).
#[utoipa::path(get, path = "/api/v1/trainings/{id}/attendance", tag = "training",
    params(("id" = i64, Path, description = "Training id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("training:read"))),
    responses((status = 200, description = "The audience", body = AudienceList), Errors))]
pub async fn attendance(
    Allowed(ctx, _): Allowed<TrainingRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AudienceList>> {
    let lines = attendance::audience(&state.app, &ctx, id).await?;
    Ok(Json(AudienceList {
        items: lines
            .into_iter()
            .map(|l| AudienceOut {
                user_id: l.user_id.0,
                username: l.username,
                display_name: l.display_name,
                department_id: l.department_id.map(|d| d.0),
                attended: l.attendance.map(|a| a.attended),
                score: l.attendance.and_then(|a| a.score).map(i64::from),
            })
            .collect(),
    }))
}

/// Record attendance lines (training managers; the plan approved, the training not
/// cancelled): each person once, scores 0–100; every bad line is refused on `lines[i]` and
/// nothing is recorded. A person's earlier line is replaced.
#[utoipa::path(put, path = "/api/v1/trainings/{id}/attendance", tag = "training",
    params(("id" = i64, Path, description = "Training id")), request_body = Vec<AttendanceLine>,
    security(("bearer" = [])), extensions(("x-permission" = json!("training:update"))),
    responses((status = 200, description = "Recorded", body = ImportOut), Errors))]
pub async fn record_attendance(
    Allowed(ctx, _): Allowed<TrainingUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(lines): ApiJson<Vec<AttendanceLine>>,
) -> ApiResult<Json<ImportOut>> {
    let input: Vec<LineInput> = lines
        .iter()
        .map(|l| LineInput {
            user_id: l.user_id,
            attended: l.attended,
            score: l.score,
        })
        .collect();
    let recorded = attendance::record(&state.app, &ctx, id, &input).await?;
    Ok(Json(ImportOut {
        recorded,
        encoding: None,
    }))
}

/// Import attendance from a CSV (UTF-8 or GBK) or XLSX file: a `username` column (用户名,
/// 账号), optional `attended` (出勤: yes/no, 是/否) and `score` (成绩). Every bad line is
/// reported (422 with `errors` keyed `line N`) and nothing is recorded unless the whole file
/// is right.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/attendance/import", tag = "training",
    params(("id" = i64, Path, description = "Training id")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])), extensions(("x-permission" = json!("training:update"))),
    responses((status = 200, description = "Recorded", body = ImportOut),
        (status = 422, description = "The file's problems, line by line; nothing recorded", body = crate::problem::Problem), Errors))]
pub async fn import_attendance(
    Allowed(ctx, _): Allowed<TrainingUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    headers: axum::http::HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    let multipart = multipart.map_err(|e| {
        DomainError::BadRequest(format!("expected a multipart/form-data body: {e}"))
    })?;
    let file = crate::attachments::receive_file(&state.app, &headers, multipart).await?;
    let result = attendance::import_file(&state.app, &ctx, id, file.path()).await?;
    if !result.problems.is_empty() {
        let mut problem = crate::problem::Problem::new(
            "invalid_file",
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "The file has {} problem(s); nothing was recorded. See rows.",
                result.problems.len()
            ),
        );
        problem.rows = Some(
            result
                .problems
                .iter()
                .map(|p| crate::problem::RowProblem {
                    line: p.line,
                    column: None,
                    reason: "invalid".into(),
                    detail: p.en.clone(),
                })
                .collect(),
        );
        return Ok(problem.into_response());
    }
    Ok(Json(ImportOut {
        recorded: result.recorded,
        encoding: result.encoding.map(str::to_owned),
    })
    .into_response())
}

/// Query of one's own trainings.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MineParams {
    /// The year (default: this year).
    year: Option<i32>,
}

/// The caller's trainings of a year (under its approved plan), with their attendance.
#[utoipa::path(get, path = "/api/v1/me/trainings", tag = "training", params(MineParams),
    security(("bearer" = [])), extensions(("x-permission" = json!("training:read"))),
    responses((status = 200, description = "The caller's trainings", body = MyTrainingList), Errors))]
pub async fn my_trainings(
    Allowed(ctx, _): Allowed<TrainingRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<MineParams>,
) -> ApiResult<Json<MyTrainingList>> {
    let year = p.year.unwrap_or_else(|| trainings_year(&state));
    let items = trainings::mine(&state.app, &ctx, year).await?;
    Ok(Json(MyTrainingList {
        items: items
            .into_iter()
            .map(|(t, a)| MyTrainingOut {
                training: TrainingOut::from(&t),
                attended: a.map(|a| a.attended),
                score: a.and_then(|a| a.score).map(i64::from),
            })
            .collect(),
    }))
}

fn trainings_year(state: &AppState) -> i32 {
    castellan_app::document::documents::today(&state.app)
        .date()
        .year()
}
