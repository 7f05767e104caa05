//! The threat catalog as a file: export and import as CSV or YAML (the parsing and writing
//! happen in `castellan_app::risk::threat_transfer`; this module passes bytes).

use crate::api::errors::Errors;
use crate::extract::{Allowed, ApiQuery, ThreatCreate, ThreatRead};
use crate::json::Json;
use crate::problem::{ApiResult, Problem, RowProblem};
use crate::state::AppState;
use axum::body::{Body, HttpBody};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use castellan_app::risk::threat_transfer::{
    self, CatalogFormat, ImportReport, MAX_FILE_BYTES, RowError,
};
use castellan_domain::{DomainError, FieldErrorKind, FieldErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The format of an export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` (default; UTF-8 with a byte-order mark) or `yaml`.
    format: Option<String>,
}

/// The format of an import, and whether to only check it.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `csv` (default; UTF-8 or GBK, API names or Chinese headers) or `yaml`.
    format: Option<String>,
    /// Check the file and report, write nothing (default false).
    dry_run: Option<bool>,
}

/// What an import did, or (dry run) would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreatImportReport {
    /// Threats read from the file.
    pub rows: u64,
    /// Threats added (new codes).
    pub created: u64,
    /// Existing threats changed.
    pub updated: u64,
    /// Existing threats the file leaves as they are.
    pub unchanged: u64,
    /// Problems of the file (a dry run only; a refused import answers 422 with `rows`).
    pub errors: Vec<RowProblem>,
    /// Problems beyond those listed, counted only.
    pub more_errors: u64,
    /// SHA-256 of the file, hex (also in the audit entry).
    pub sha256: String,
    /// The import was a dry run.
    pub dry_run: bool,
    /// The changes were written.
    pub written: bool,
}

impl From<&RowError> for RowProblem {
    fn from(e: &RowError) -> Self {
        RowProblem {
            line: e.line,
            column: e.column.clone(),
            reason: e.reason.to_owned(),
            detail: e.detail.clone(),
        }
    }
}

impl From<ImportReport> for ThreatImportReport {
    fn from(r: ImportReport) -> Self {
        ThreatImportReport {
            rows: r.rows,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            errors: r.errors.iter().map(RowProblem::from).collect(),
            more_errors: r.more_errors,
            sha256: r.sha256,
            dry_run: r.dry_run,
            written: r.written,
        }
    }
}

fn format_of(code: Option<&str>) -> Result<CatalogFormat, DomainError> {
    CatalogFormat::from_code(code.unwrap_or("csv")).ok_or_else(|| {
        FieldErrors::single(
            "format",
            FieldErrorKind::UnknownValue {
                allowed: vec!["csv", "yaml"],
            },
        )
    })
}

/// Export the whole threat catalog, retired entries too, in code order: CSV with the API
/// field names as headers, or YAML (a list of mappings with the same keys).
#[utoipa::path(get, path = "/api/v1/threats/export", tag = "risk",
    params(ExportParams), security(("bearer" = [])),
    extensions(("x-permission" = json!("threat:read"))),
    responses((status = 200, description = "The catalog file (threats.csv or threats.yaml)",
        content(("text/csv"), ("application/yaml"))), Errors))]
pub async fn export(
    Allowed(ctx, _): Allowed<ThreatRead>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    let format = format_of(p.format.as_deref())?;
    let bytes = threat_transfer::export(&state.app, &ctx, format).await?;
    let (content_type, disposition) = match format {
        CatalogFormat::Csv => (
            "text/csv; charset=utf-8",
            "attachment; filename=\"threats.csv\"",
        ),
        CatalogFormat::Yaml => ("application/yaml", "attachment; filename=\"threats.yaml\""),
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static(disposition),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}

/// Import a catalog file sent as the raw body (at most 5 MiB and 10,000 threats): rows are
/// matched by `code`; a new code adds a threat, an existing one is rewritten (shipped
/// entries too), an identical one is left alone. Enum cells take the code or the English or
/// Chinese label; CSV headers may be the API names or the Chinese ones. All or nothing: a
/// file with any bad row writes nothing and is answered with 422 listing every problem in
/// `rows`. Needs `threat:update` as well.
#[utoipa::path(post, path = "/api/v1/threats/import", tag = "risk",
    params(ImportParams),
    request_body(description = "The file", content(("text/csv"), ("application/yaml"))),
    security(("bearer" = [])),
    extensions(("x-permission" = json!("threat:create"))),
    responses((status = 200, description = "Imported, or checked (dry run)", body = ThreatImportReport), Errors))]
pub async fn import(
    Allowed(ctx, _): Allowed<ThreatCreate>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ImportParams>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let format = format_of(p.format.as_deref())?;
    let configured = usize::try_from(state.app.settings().upload_limit_bytes).unwrap_or(usize::MAX);
    let bytes = read_body(&headers, body, configured.min(MAX_FILE_BYTES)).await?;
    let report =
        threat_transfer::import(&state.app, &ctx, &bytes, format, p.dry_run.unwrap_or(false))
            .await?;
    if report.failed() && !report.dry_run {
        let listed = report.errors.len() as u64;
        let mut problem = Problem::new(
            "invalid_file",
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "The file has {} problem(s); nothing was imported. See rows.",
                listed + report.more_errors
            ),
        );
        problem.rows = Some(report.errors.iter().map(RowProblem::from).collect());
        return Ok(problem.into_response());
    }
    Ok(Json(ThreatImportReport::from(report)).into_response())
}

/// Reads the body, refusing more than `limit` bytes with 413 before reading on when the
/// declared length already says so.
async fn read_body(headers: &HeaderMap, mut body: Body, limit: usize) -> ApiResult<Vec<u8>> {
    let too_large = || DomainError::PayloadTooLarge { limit };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large().into());
    }
    let mut out = Vec::new();
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame = frame
            .map_err(|_| DomainError::BadRequest("the request body could not be read".into()))?;
        if let Ok(data) = frame.into_data() {
            if out.len().saturating_add(data.len()) > limit {
                return Err(too_large().into());
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}
