//! `/api/v1/custody` (SPEC §6.6).

use super::types::{
    CustodyBody, CustodyDetail, CustodyList, CustodyOut, CustodyPatchBody, CustodyWarningCount,
    CustodyWarningsOut, HandoverBody, HandoverList, HandoverOut, PasswordChangeBody,
};
use crate::api::audit_log::parse_time;
use crate::api::errors::Errors;
use crate::api::headers::with_etag;
use crate::extract::{
    Allowed, ApiJson, ApiPath, ApiQuery, CustodyCreate, CustodyRead, CustodyUpdate, IfMatch,
    OptionalIfMatch,
};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::custody::records::{self, CustodyChange, CustodyView};
use castellan_app::custody::register::{self, CustodyQuery};
use castellan_domain::FieldErrors;
use castellan_domain::custody::{CustodyInput, HandoverInput};
use castellan_domain::ids::{AssetId, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

fn detail(v: CustodyView, status: StatusCode) -> Response {
    let c = &v.line.facts.custody;
    let version = c.version;
    let loc = (status == StatusCode::CREATED).then(|| format!("/api/v1/custody/{}", c.id));
    with_etag(status, version, CustodyDetail::from(v), loc)
}

/// Filters of the custody list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// A warning code (`no_backup`, `holder_disabled`, `holder_moved`, `backup_disabled`,
    /// `backup_moved`, `change_overdue`, `handover_unchanged`) or `any`.
    warning: Option<String>,
    /// The system.
    asset_id: Option<i64>,
    /// Held or backed up by.
    person_id: Option<i64>,
    /// `active` (default), `retired`, `all`.
    state: Option<String>,
    /// Words of the account, the system's code or name, or a person's name.
    q: Option<String>,
    /// `asset` (default), `change_due`, `warnings`; `-` for descending.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// Custody records with their warnings: every record for the register's readers (security
/// officers and administrators, the committee, compliance, auditors), one's own (held or
/// backed up) for everyone else.
#[utoipa::path(get, path = "/api/v1/custody", tag = "custody", params(ListParams),
    security(("bearer" = [])), extensions(("x-permission" = json!("custody:read"))),
    responses((status = 200, description = "A page of custody records", body = CustodyList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<CustodyRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<CustodyList>> {
    let q = CustodyQuery {
        warning: p.warning,
        asset_id: p.asset_id,
        person_id: p.person_id,
        state: p.state,
        q: p.q,
        sort: p.sort,
        cursor: p.cursor,
        limit: p.limit,
    };
    let (page, total) = register::list(&state.app, &ctx, &q).await?;
    Ok(Json(CustodyList {
        items: page.items.iter().map(CustodyOut::from).collect(),
        next_cursor: page.next_cursor,
        total,
    }))
}

/// Record who holds the password of a system's account (security officers and
/// administrators). Never the password itself: there is no field for it.
#[utoipa::path(post, path = "/api/v1/custody", tag = "custody", request_body = CustodyBody,
    security(("bearer" = [])), extensions(("x-permission" = json!("custody:create"))),
    responses((status = 201, description = "Recorded", body = CustodyDetail), Errors))]
pub async fn create(
    Allowed(ctx, _): Allowed<CustodyCreate>,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<CustodyBody>,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::new();
    let last_changed_at = parse_time("last_changed_at", b.last_changed_at.as_deref(), &mut errors);
    errors.into_result()?;
    let input = CustodyInput {
        asset_id: b.asset_id.map(AssetId),
        account: b.account,
        holder_id: b.holder_id.map(UserId),
        backup_holder_id: b.backup_holder_id.map(UserId),
        last_changed_at,
        change_interval_days: b.change_interval_days,
        note: b.note,
    };
    let v = records::create(&state.app, &ctx, &input).await?;
    Ok(detail(v, StatusCode::CREATED))
}

/// How many active records raise each warning, over the records the caller sees.
#[utoipa::path(get, path = "/api/v1/custody/warnings", tag = "custody",
    security(("bearer" = [])), extensions(("x-permission" = json!("custody:read"))),
    responses((status = 200, description = "The warnings", body = CustodyWarningsOut), Errors))]
pub async fn warnings(
    Allowed(ctx, _): Allowed<CustodyRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<CustodyWarningsOut>> {
    let counts = register::warning_counts(&state.app, &ctx).await?;
    Ok(Json(CustodyWarningsOut {
        items: counts
            .into_iter()
            .map(|(w, count)| CustodyWarningCount {
                warning: w.code().to_owned(),
                label_en: w.label().en.to_owned(),
                label_zh: w.label().zh.to_owned(),
                count,
            })
            .collect(),
    }))
}

/// One custody record with its handovers (the register's readers, or its holder and backup
/// holder).
#[utoipa::path(get, path = "/api/v1/custody/{id}", tag = "custody",
    params(("id" = i64, Path, description = "Custody record id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("custody:read"))),
    responses((status = 200, description = "The record", body = CustodyDetail), Errors))]
pub async fn get(
    Allowed(ctx, _): Allowed<CustodyRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(detail(
        records::get(&state.app, &ctx, id).await?,
        StatusCode::OK,
    ))
}

/// Change a record (security officers and administrators): account, backup holder, a
/// routine password change, interval, note, retire or reactivate, or confirm the people's
/// present departments. The holder changes by a handover.
#[utoipa::path(patch, path = "/api/v1/custody/{id}", tag = "custody",
    params(("id" = i64, Path, description = "Custody record id"), ("If-Match" = String, Header, description = "The version read")),
    request_body = CustodyPatchBody, security(("bearer" = [])), extensions(("x-permission" = json!("custody:update"))),
    responses((status = 200, description = "Changed", body = CustodyDetail), Errors))]
pub async fn update(
    Allowed(ctx, _): Allowed<CustodyUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    IfMatch(version): IfMatch,
    ApiJson(b): ApiJson<CustodyPatchBody>,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::new();
    let last_changed_at = parse_time("last_changed_at", b.last_changed_at.as_deref(), &mut errors);
    errors.into_result()?;
    let change = CustodyChange {
        account: b.account,
        backup_holder_id: b.backup_holder_id.map(|o| o.map(UserId)),
        last_changed_at,
        change_interval_days: b.change_interval_days,
        note: b.note,
        active: b.active,
        confirm_departments: b.confirm_departments,
    };
    let v = records::update(&state.app, &ctx, id, &change, version).await?;
    Ok(detail(v, StatusCode::OK))
}

/// The handovers of a record, latest first.
#[utoipa::path(get, path = "/api/v1/custody/{id}/handovers", tag = "custody",
    params(("id" = i64, Path, description = "Custody record id")), security(("bearer" = [])),
    extensions(("x-permission" = json!("custody:read"))),
    responses((status = 200, description = "The handovers", body = HandoverList), Errors))]
pub async fn handovers(
    Allowed(ctx, _): Allowed<CustodyRead>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<HandoverList>> {
    let items = records::handovers(&state.app, &ctx, id).await?;
    Ok(Json(HandoverList {
        items: items.iter().map(HandoverOut::from).collect(),
    }))
}

/// Record a handover (security officers and administrators): from the current holder to
/// another active user, before an active witness who is neither; a handover to the current
/// holder or to a disabled user is refused (422) and changes nothing.
#[utoipa::path(post, path = "/api/v1/custody/{id}/handovers", tag = "custody",
    params(("id" = i64, Path, description = "Custody record id"), ("If-Match" = Option<String>, Header, description = "Optional version check of the record")),
    request_body = HandoverBody, security(("bearer" = [])), extensions(("x-permission" = json!("custody:update"))),
    responses((status = 201, description = "Handed over", body = CustodyDetail), Errors))]
pub async fn hand_over(
    Allowed(ctx, _): Allowed<CustodyUpdate>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<HandoverBody>,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::new();
    let at = parse_time("at", b.at.as_deref(), &mut errors);
    let changed = parse_time(
        "password_changed_at",
        b.password_changed_at.as_deref(),
        &mut errors,
    );
    errors.into_result()?;
    let input = HandoverInput {
        from_id: b.from_id.map(UserId),
        to_id: b.to_id.map(UserId),
        at,
        witness_id: b.witness_id.map(UserId),
        reason: b.reason,
        password_changed_at: changed,
        backup_holder_id: b.backup_holder_id.map(UserId),
    };
    let v = records::hand_over(&state.app, &ctx, id, &input, version).await?;
    let c = &v.line.facts.custody;
    let (version, loc) = (c.version, format!("/api/v1/custody/{}", c.id));
    Ok(with_etag(
        StatusCode::CREATED,
        version,
        CustodyDetail::from(v),
        Some(loc),
    ))
}

/// Enter when the password was changed after a handover (security officers and
/// administrators, or the new holder while they hold it); entered once (409 after).
#[utoipa::path(put, path = "/api/v1/custody/{id}/handovers/{handover_id}/password-change", tag = "custody",
    params(("id" = i64, Path, description = "Custody record id"), ("handover_id" = i64, Path, description = "Handover id"),
        ("If-Match" = Option<String>, Header, description = "Optional version check of the handover")),
    request_body = PasswordChangeBody, security(("bearer" = [])), extensions(("x-permission" = json!("custody:read"))),
    responses((status = 200, description = "Entered", body = CustodyDetail), Errors))]
pub async fn enter_change(
    Allowed(ctx, _): Allowed<CustodyRead>,
    State(state): State<AppState>,
    ApiPath((id, handover_id)): ApiPath<(i64, i64)>,
    OptionalIfMatch(version): OptionalIfMatch,
    ApiJson(b): ApiJson<PasswordChangeBody>,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::new();
    let changed = parse_time(
        "password_changed_at",
        b.password_changed_at.as_deref(),
        &mut errors,
    );
    errors.into_result()?;
    let v = records::enter_change(&state.app, &ctx, id, handover_id, changed, version).await?;
    Ok(detail(v, StatusCode::OK))
}
