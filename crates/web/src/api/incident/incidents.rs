//! `/api/v1/incidents` and `/api/v1/incident-deadlines` (SPEC §5).

use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::api::incident::types::{
    CountList, DeadlinesBody, EntryBody, EntryList, EntryOut, IncidentList, IncidentMoveBody,
    IncidentOut, IncidentPatchBody, ReportBody,
};
use crate::api::request::types::MoveListOut;
use crate::attachments::{AttachmentList, AttachmentUpload};
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, IfMatch, IncidentCreate, IncidentDeadlinesUpdate,
    IncidentRead, IncidentUpdate, OptionalIfMatch,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::incident::incidents::{
    self, IncidentPatch, IncidentQuery, ReportInput, TriageInput,
};
use castellan_domain::ids::{AssetId, UserId};
use castellan_domain::incident::Deadlines;
use castellan_domain::{Day, DomainError, FieldErrors, Timestamp};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters of the incident list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Status code.
    status: Option<String>,
    /// Class code.
    class: Option<String>,
    /// Level code.
    level: Option<String>,
    /// Category code.
    category: Option<String>,
    /// Department (with its sub-departments).
    department_id: Option<i64>,
    /// An affected asset.
    asset_id: Option<i64>,
    /// Reported on or after this day (`2026-01-31`).
    from: Option<String>,
    /// Reported on or before this day.
    to: Option<String>,
    /// Only incidents waiting past a deadline now (triage or the committee's notice).
    #[serde(default)]
    overdue: bool,
    /// Words of the code, title or location.
    q: Option<String>,
    /// `-reported_at` (default) or `reported_at`.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// A day as the start of that day (UTC), or of the next day for the end of a range.
fn day_bound(field: &str, raw: Option<&str>, next: bool) -> Result<Option<Timestamp>, DomainError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let day = Day::parse(raw).map_err(|k| FieldErrors::single(field, k))?;
    Ok(Some(
        if next { day.next() } else { day }.start_at(time::UtcOffset::UTC),
    ))
}

/// List incidents: the caller's own reports and those they handle; all of their scope for
/// those who oversee incidents; those on their kind of asset for network, application and
/// data administrators.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents",
    params(ListParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:read"))),
    responses((status = 200, description = "A page of incidents", body = IncidentList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<IncidentRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<IncidentList>> {
    let q = IncidentQuery {
        status: p.status,
        class: p.class,
        level: p.level,
        category: p.category,
        department_id: p.department_id,
        asset_id: p.asset_id,
        from: day_bound("from", p.from.as_deref(), false)?,
        to: day_bound("to", p.to.as_deref(), true)?,
        overdue: p.overdue,
        q: p.q,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let (page, total) = incidents::list(&state.app, &ctx, &q).await?;
    Ok(Json(IncidentList {
        items: page.items.into_iter().map(IncidentOut::from).collect(),
        next_cursor: page.next_cursor,
        total,
    }))
}

/// Report an incident (everyone but auditors): what, when, where, which assets.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents",
    request_body = ReportBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:create"))),
    responses((status = 201, description = "Reported", body = IncidentOut), Errors))]
pub async fn report(
    Allowed(ctx, _): Allowed<IncidentCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<ReportBody>,
) -> ApiResult<Response> {
    let input = ReportInput {
        title: b.title,
        description: b.description,
        location: b.location,
        occurred_at: b.occurred_at,
        detected_at: b.detected_at,
        asset_ids: b.affected_asset_ids.into_iter().map(AssetId).collect(),
        asset_codes: Vec::new(),
    };
    let v = incidents::report(&state.app, &ctx, &input).await?;
    let version = v.incident.version;
    let location = format!("/api/v1/incidents/{}", v.incident.id);
    Ok(with_etag(
        StatusCode::CREATED,
        version,
        IncidentOut::from(v),
        Some(location),
    ))
}

/// One incident. Someone who may not read it is told it does not exist (404).
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:read"))),
    responses((status = 200, description = "The incident", body = IncidentOut), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<IncidentRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let v = incidents::get(&state.app, &ctx, id).await?;
    let version = v.incident.version;
    Ok(with_etag(
        StatusCode::OK,
        version,
        IncidentOut::from(v),
        None,
    ))
}

/// Change an open incident's record: its team and triagers (root cause and lessons
/// learned included); its reporter, until triage, what they reported.
#[utoipa::path(patch, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id"),
           ("If-Match" = String, Header, description = "The version read")),
    request_body = IncidentPatchBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:update"))),
    responses((status = 200, description = "Updated", body = IncidentOut), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<IncidentUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<IncidentPatchBody>,
) -> ApiResult<Response> {
    let patch = IncidentPatch {
        title: b.title,
        description: b.description,
        location: b.location,
        asset_ids: b
            .affected_asset_ids
            .map(|ids| ids.into_iter().map(AssetId).collect()),
        root_cause: b.root_cause,
        lessons_learned: b.lessons_learned,
    };
    let v = incidents::update(&state.app, &ctx, id, &patch, version).await?;
    let version = v.incident.version;
    Ok(with_etag(
        StatusCode::OK,
        version,
        IncidentOut::from(v),
        None,
    ))
}

/// Move an incident: `triaged` (with class, level, category and the team; security
/// officers and administrators), `rejected` (with the reason as `comment`),
/// `investigating`, `contained`, `recovered`, `closed` (the team; closing needs the root
/// cause and lessons learned). 409 for a move the workflow does not have, 403 for one that
/// is not the caller's.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/transitions", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id"),
           ("If-Match" = Option<String>, Header, description = "Optional version check")),
    request_body = IncidentMoveBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:update"))),
    responses((status = 200, description = "Moved", body = IncidentOut), Errors))]
pub async fn transition(
    Allowed(ctx, _): Allowed<IncidentUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<IncidentMoveBody>,
) -> ApiResult<Response> {
    let triage = TriageInput {
        class: b.class,
        level: b.level,
        category: b.category,
        handler_ids: b.handler_ids.into_iter().map(UserId).collect(),
        handler_usernames: Vec::new(),
    };
    let v = incidents::transition(
        &state.app,
        &ctx,
        id,
        &b.to,
        b.comment.as_deref(),
        Some(&triage),
        version,
    )
    .await?;
    let version = v.incident.version;
    Ok(with_etag(
        StatusCode::OK,
        version,
        IncidentOut::from(v),
        None,
    ))
}

/// The moves of an incident, oldest first.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/transitions", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:read"))),
    responses((status = 200, description = "The moves", body = MoveListOut), Errors))]
pub async fn moves(
    Allowed(ctx, _): Allowed<IncidentRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MoveListOut>> {
    let moves = incidents::moves(&state.app, &ctx, id).await?;
    Ok(Json(MoveListOut {
        items: moves.into_iter().map(Into::into).collect(),
    }))
}

/// The timeline: the team's dated entries, in order of their time (never edited).
#[utoipa::path(get, path = "/api/v1/incidents/{id}/timeline", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:read"))),
    responses((status = 200, description = "The entries", body = EntryList), Errors))]
pub async fn timeline(
    Allowed(ctx, _): Allowed<IncidentRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<EntryList>> {
    let items = incidents::timeline(&state.app, &ctx, id).await?;
    Ok(Json(EntryList {
        items: items.into_iter().map(EntryOut::from).collect(),
    }))
}

/// Add a timeline entry (the team and triagers, while the incident is open).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/timeline", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id")),
    request_body = EntryBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:update"))),
    responses((status = 201, description = "Added", body = EntryOut), Errors))]
pub async fn add_entry(
    Allowed(ctx, _): Allowed<IncidentUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<EntryBody>,
) -> ApiResult<(StatusCode, Json<EntryOut>)> {
    let e = incidents::add_entry(&state.app, &ctx, id, b.at, &b.note).await?;
    Ok((StatusCode::CREATED, Json(EntryOut::from(e))))
}

/// A committee member notes a major or critical incident (once); until then it waits in
/// the committee's "waiting for me".
#[utoipa::path(post, path = "/api/v1/incidents/{id}/committee-notice", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:update"))),
    responses((status = 200, description = "Noted", body = IncidentOut), Errors))]
pub async fn note(
    Allowed(ctx, _): Allowed<IncidentUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let v = incidents::note(&state.app, &ctx, id).await?;
    let version = v.incident.version;
    Ok(with_etag(
        StatusCode::OK,
        version,
        IncidentOut::from(v),
        None,
    ))
}

/// The year of the counts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountParams {
    /// Calendar year (default: this year).
    #[param(minimum = 2000, maximum = 2100)]
    year: Option<i32>,
}

/// Incidents of a year by month of report, class and level (rejected reports left out),
/// within what the caller may read — the KPI "security incidents per year".
#[utoipa::path(get, path = "/api/v1/incidents/counts", tag = "incidents",
    params(CountParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:read"))),
    responses((status = 200, description = "The counts", body = CountList), Errors))]
pub async fn counts(
    Allowed(ctx, _): Allowed<IncidentRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<CountParams>,
) -> ApiResult<Json<CountList>> {
    let year = p.year.unwrap_or_else(|| Timestamp::now().datetime().year());
    let items = incidents::monthly_counts(&state.app, &ctx, year).await?;
    let total = items.iter().map(|c| c.count).sum();
    Ok(Json(CountList {
        year,
        items: items.into_iter().map(Into::into).collect(),
        total,
    }))
}

/// The organization's incident deadlines (anyone signed in reads them).
#[utoipa::path(get, path = "/api/v1/incident-deadlines", tag = "incidents",
    security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:read"))),
    responses((status = 200, description = "The deadlines", body = DeadlinesBody), Errors))]
pub async fn deadlines(
    Allowed(_ctx, _): Allowed<IncidentRead>,
    State(state): State<AppState>,
) -> ApiResult<Response> {
    let (d, version) = incidents::get_deadlines(&state.app).await?;
    Ok(with_etag(
        StatusCode::OK,
        version,
        DeadlinesBody::from(d),
        None,
    ))
}

/// Set the deadlines (administrators and security officers).
#[utoipa::path(put, path = "/api/v1/incident-deadlines", tag = "incidents",
    params(("If-Match" = String, Header, description = "The version read")),
    request_body = DeadlinesBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("incident_deadlines:update"))),
    responses((status = 200, description = "Saved", body = DeadlinesBody), Errors))]
pub async fn set_deadlines(
    Allowed(ctx, _): Allowed<IncidentDeadlinesUpdate>,
    State(state): State<AppState>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<DeadlinesBody>,
) -> ApiResult<Response> {
    let d = Deadlines {
        triage_minutes: b.triage_minutes,
        major_notice_minutes: b.major_notice_minutes,
        critical_notice_minutes: b.critical_notice_minutes,
    };
    let (d, version) = incidents::set_deadlines(&state.app, &ctx, d, version).await?;
    Ok(with_etag(
        StatusCode::OK,
        version,
        DeadlinesBody::from(d),
        None,
    ))
}

/// Attach a file (evidence, a screenshot) to an open incident: its reporter, its team and
/// the triagers. Multipart with the field `file`; stored with its SHA-256. 413 over the
/// attachment limit, 422 for an empty file or a name with path separators or control
/// characters; nothing is stored then.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/attachments", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:update"))),
    responses((status = 201, description = "Stored", body = crate::attachments::AttachmentOut), Errors))]
pub async fn attach(
    Allowed(ctx, _): Allowed<IncidentUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    headers: axum::http::HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<crate::attachments::AttachmentOut>)> {
    let multipart = multipart.map_err(|e| {
        DomainError::BadRequest(format!("expected a multipart/form-data body: {e}"))
    })?;
    let file = crate::attachments::receive_file(&state.app, &headers, multipart).await?;
    let saved = incidents::attach(
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

/// The attachments of an incident, oldest first.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/attachments", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:read"))),
    responses((status = 200, description = "The attachments", body = AttachmentList), Errors))]
pub async fn attachments(
    Allowed(ctx, _): Allowed<IncidentRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AttachmentList>> {
    let items = incidents::attachments(&state.app, &ctx, id).await?;
    Ok(Json(AttachmentList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Download an attachment (`Content-Disposition: attachment`, `nosniff`), streamed.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/attachments/{attachment_id}", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id"),
           ("attachment_id" = i64, Path, description = "Attachment id")),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:read"))),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), Errors))]
pub async fn download(
    Allowed(ctx, _): Allowed<IncidentRead>,
    State(state): State<AppState>,
    ApiPath((id, attachment)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    let (a, content) = incidents::open_attachment(&state.app, &ctx, id, attachment).await?;
    Ok(crate::attachments::download(&a, content))
}

/// A follow-up risk to propose.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpBody {
    /// An open assessment whose team the caller is on.
    pub assessment_id: i64,
    /// One of the incident's affected assets.
    pub asset_id: i64,
    /// The threat's catalog code (`T014`).
    #[serde(default)]
    pub threat_code: String,
}

/// The risk proposed.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FollowUpOut {
    /// The assessment.
    pub assessment_id: i64,
    /// The new (unrated) risk.
    pub risk_id: i64,
}

/// Propose a follow-up risk from an incident: an unrated risk of one of its affected assets
/// under a threat of the catalog, in an open assessment whose team the caller is on (the
/// assessment's rules decide: 403 off the team, 409 in a phase that takes no new risks).
/// The incident's timeline records it.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/follow-up-risks", tag = "incidents",
    params(("id" = i64, Path, description = "Incident id")),
    request_body = FollowUpBody, security(("bearer" = [])),
    extensions(("x-permission" = json!("incident:read"))),
    responses((status = 201, description = "Proposed", body = FollowUpOut), Errors))]
pub async fn follow_up(
    Allowed(ctx, _): Allowed<IncidentRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<FollowUpBody>,
) -> ApiResult<(StatusCode, Json<FollowUpOut>)> {
    let f = incidents::FollowUp {
        assessment_id: b.assessment_id,
        asset_id: b.asset_id,
        threat_code: b.threat_code,
    };
    let risk = incidents::propose_risk(&state.app, &ctx, id, &f).await?;
    Ok((
        StatusCode::CREATED,
        Json(FollowUpOut {
            assessment_id: b.assessment_id,
            risk_id: risk.risk.id.0,
        }),
    ))
}
