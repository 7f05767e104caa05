//! `/api/v1/audit-log`: the audit trail, for auditors and administrators.

use crate::api::errors::Errors;
use crate::api::types::{AuditEntryView, AuditList};
use crate::extract::{Allowed, ApiQuery, AuditRead};
use crate::json::Json;
use crate::problem::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use castellan_app::audit::{self, AuditQuery};
use castellan_domain::paging::parse_limit;
use castellan_domain::{FieldErrorKind, FieldErrors, Timestamp};
use castellan_store::audit::AuditFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filters and position of the audit list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Kind of record (`department`, `user`, `session`, `api_token`).
    entity_type: Option<String>,
    /// Record id (with `entity_type`).
    entity_id: Option<String>,
    /// Acting user id.
    actor_id: Option<i64>,
    /// Action (`create`, `update`, `delete`, `login`, `login_failed`, …).
    action: Option<String>,
    /// From this time (RFC 3339, inclusive).
    from: Option<String>,
    /// Until this time (RFC 3339, exclusive).
    to: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// Reads a time filter; a bad value is a validation error on that field.
pub fn parse_time(field: &str, raw: Option<&str>, errors: &mut FieldErrors) -> Option<Timestamp> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let parsed = Timestamp::parse(raw).or_else(|| {
        // A plain date means its start (UTC).
        Timestamp::parse(&format!("{raw}T00:00:00Z"))
    });
    if parsed.is_none() {
        errors.add(
            field,
            FieldErrorKind::invalid(
                "expected a date (2026-01-31) or an RFC 3339 time",
                "请输入日期（如 2026-01-31）或 RFC 3339 格式的时间",
            ),
        );
    }
    parsed
}

/// Entries newest first, filtered.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit", params(ListParams),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("audit_log:read"))),
    responses((status = 200, description = "A page of entries", body = AuditList), Errors))]
pub async fn list(
    Allowed(ctx, _): Allowed<AuditRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<AuditList>> {
    let mut errors = FieldErrors::new();
    let from = parse_time("from", p.from.as_deref(), &mut errors);
    let to = parse_time("to", p.to.as_deref(), &mut errors);
    let limit = errors.check("limit", parse_limit(p.limit));
    errors.into_result()?;
    let query = AuditQuery {
        filter: AuditFilter {
            entity_type: p.entity_type.filter(|s| !s.is_empty()),
            entity_id: p.entity_id.filter(|s| !s.is_empty()),
            actor_id: p.actor_id,
            action: p.action.filter(|s| !s.is_empty()),
            from,
            to,
        },
        cursor: p.cursor,
        limit: limit.unwrap_or(50),
    };
    let page = audit::list(&state.app, &ctx, &query).await?;
    Ok(Json(AuditList {
        items: page.items.into_iter().map(AuditEntryView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// The result of checking the hash chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// True when every entry is intact and none is missing.
    pub intact: bool,
    /// Entries checked.
    pub checked: i64,
    /// Hash of the last intact entry (record it elsewhere to detect later rewrites).
    pub head_hash: String,
    /// The first bad entry, if any.
    pub first_bad_seq: Option<i64>,
    /// What is wrong, if anything.
    pub problem: Option<String>,
}

/// Check the whole hash chain now.
#[utoipa::path(get, path = "/api/v1/audit-log/verification", tag = "audit",
    security(("bearer" = [])),
    extensions(("x-permission" = json!("audit_log:read"))),
    responses((status = 200, description = "Verification result", body = Verification), Errors))]
pub async fn verify(
    Allowed(ctx, _): Allowed<AuditRead>,
    State(state): State<AppState>,
) -> Result<Json<Verification>, crate::problem::ApiError> {
    let v = audit::verify_as(&state.app, &ctx).await?;
    Ok(Json(Verification {
        intact: v.error.is_none(),
        checked: v.checked,
        head_hash: v.head_hash,
        first_bad_seq: v.error.as_ref().map(|e| e.first_bad_seq()),
        problem: v.error.map(|e| e.to_string()),
    }))
}
