//! The threat catalog as a file (SPEC §4.1): the export holds every entry, retired ones too,
//! in code order; the import matches rows by code, adds the new ones and rewords the existing
//! ones, all or nothing, with every bad row reported and one audit entry naming the file's
//! SHA-256 and the counts. CSV (UTF-8 or GBK, API names or Chinese headers) or YAML (a list
//! of mappings with the same keys).

use crate::audit::{self, Event};
use crate::error::{Error, Result};
use crate::risk::threats::{self, ThreatInput, Valid};
use crate::{App, Ctx};
use castellan_domain::permission::Target;
use castellan_domain::risk::register::Threat;
use castellan_domain::risk::threat::{ThreatMethod, ThreatPath, ThreatSource};
use castellan_domain::{Action, DomainError, FieldErrorKind, Resource, Timestamp};
use castellan_store::risk::threats as store;
use castellan_tabular::{Cell, TableWriter};
use serde::Serialize;
use std::collections::HashMap;

mod read;

use read::Row;

/// The file formats of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogFormat {
    /// UTF-8 CSV with a byte-order mark on export; UTF-8 or GB18030/GBK on import.
    Csv,
    /// A YAML list of mappings (UTF-8).
    Yaml,
}

impl CatalogFormat {
    /// `csv`, `yaml` or `yml`, in any letter case.
    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(CatalogFormat::Csv),
            "yaml" | "yml" => Some(CatalogFormat::Yaml),
            _ => None,
        }
    }

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            CatalogFormat::Csv => "csv",
            CatalogFormat::Yaml => "yaml",
        }
    }
}

/// The columns (CSV) or keys (YAML), in export order: API name and Chinese header.
pub const COLUMNS: &[(&str, &str)] = &[
    ("code", "编号"),
    ("source", "威胁来源"),
    ("path", "威胁途径"),
    ("method", "威胁方式"),
    ("name_en", "英文名称"),
    ("name_zh", "中文名称"),
    ("description_en", "英文描述"),
    ("description_zh", "中文描述"),
    ("active", "启用"),
];

/// The columns every CSV file and the keys every YAML entry must have.
pub const REQUIRED: &[&str] = &["code", "source", "path", "method", "name_en", "name_zh"];

/// The largest file accepted (5 MiB).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// The most threats one file may hold.
pub const MAX_ROWS: usize = 10_000;

/// The most problems listed in a report; more are counted in `more_errors`.
pub const MAX_REPORTED: usize = 1_000;

/// Writes the whole catalog, retired entries too, in code order.
pub async fn export(app: &App, ctx: &Ctx, format: CatalogFormat) -> Result<Vec<u8>> {
    let catalog = threats::all(app, ctx, false).await?;
    match format {
        CatalogFormat::Csv => {
            let headers: Vec<&str> = COLUMNS.iter().map(|(api, _)| *api).collect();
            let mut out = TableWriter::csv(Vec::new(), &headers).map_err(Error::internal)?;
            for t in &catalog {
                out.row(&[
                    Cell::Text(&t.code),
                    Cell::Text(t.source.code()),
                    Cell::Text(t.path.code()),
                    Cell::Text(t.method.code()),
                    Cell::Text(&t.name.en),
                    Cell::Text(&t.name.zh),
                    Cell::Text(&t.description.en),
                    Cell::Text(&t.description.zh),
                    Cell::Text(if t.active { "true" } else { "false" }),
                ])
                .map_err(Error::internal)?;
            }
            out.finish().map_err(Error::internal)
        }
        CatalogFormat::Yaml => {
            let entries: Vec<Entry<'_>> = catalog.iter().map(Entry::of).collect();
            serde_yaml_ng::to_string(&entries)
                .map(String::into_bytes)
                .map_err(Error::internal)
        }
    }
}

/// One threat of a YAML export (the keys are [`COLUMNS`]' API names).
#[derive(Serialize)]
struct Entry<'a> {
    code: &'a str,
    source: &'static str,
    path: &'static str,
    method: &'static str,
    name_en: &'a str,
    name_zh: &'a str,
    description_en: &'a str,
    description_zh: &'a str,
    active: bool,
}

impl<'a> Entry<'a> {
    fn of(t: &'a Threat) -> Self {
        Entry {
            code: &t.code,
            source: t.source.code(),
            path: t.path.code(),
            method: t.method.code(),
            name_en: &t.name.en,
            name_zh: &t.name.zh,
            description_en: &t.description.en,
            description_zh: &t.description.zh,
            active: t.active,
        }
    }
}

/// One problem of the file or of one of its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Where: the CSV line, or the 1-based position of the YAML entry; 0 for the file as a
    /// whole (a missing or unknown column, an empty or oversized file, broken YAML).
    pub line: u64,
    /// The field (API name) when the problem is in one cell.
    pub column: Option<String>,
    /// Stable code: `required`, `unknown_value`, `too_long`, `invalid`,
    /// `duplicate_in_file`, `missing_column`, `unknown_column`, `too_many_rows`, …
    pub reason: &'static str,
    /// English explanation naming the value and what is allowed.
    pub detail: String,
}

/// What an import did, or (dry run, or a file with problems) would have done.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Threats read from the file.
    pub rows: u64,
    /// New codes: threats added.
    pub created: u64,
    /// Existing codes whose entry changed.
    pub updated: u64,
    /// Existing codes whose entry is the same as in the file.
    pub unchanged: u64,
    /// Problems found; any problem means nothing was written.
    pub errors: Vec<RowError>,
    /// Problems beyond the first [`MAX_REPORTED`], counted only.
    pub more_errors: u64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// The import was a dry run.
    pub dry_run: bool,
    /// The changes were written (no problem, not a dry run).
    pub written: bool,
}

impl ImportReport {
    fn error(&mut self, line: u64, column: Option<&str>, reason: &'static str, detail: String) {
        if self.errors.len() < MAX_REPORTED {
            self.errors.push(RowError {
                line,
                column: column.map(str::to_owned),
                reason,
                detail,
            });
        } else {
            self.more_errors += 1;
        }
    }

    fn problems(&self) -> u64 {
        self.errors.len() as u64 + self.more_errors
    }

    /// Whether any problem was found.
    pub fn failed(&self) -> bool {
        self.problems() > 0
    }
}

fn field(column: usize) -> &'static str {
    COLUMNS.get(column).map_or("", |(api, _)| *api)
}

fn index_of(field: &str) -> usize {
    COLUMNS
        .iter()
        .position(|(api, _)| *api == field)
        .unwrap_or(usize::MAX)
}

/// An enum cell as its code: the code, English label or Chinese label, else as given (so the
/// check refuses it as an unknown value).
fn enum_code(raw: &str, parse: impl Fn(&str) -> Option<&'static str>) -> String {
    parse(raw).map_or_else(|| raw.to_owned(), str::to_owned)
}

fn parse_active(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "" | "true" | "1" | "是" => Some(true),
        "false" | "0" | "否" => Some(false),
        _ => None,
    }
}

fn describe(name: &str, raw: &str, kind: &FieldErrorKind) -> String {
    match kind {
        FieldErrorKind::Required => format!("{name} is required"),
        FieldErrorKind::TooLong { max } => format!("{name} is longer than {max} characters"),
        FieldErrorKind::Invalid { hint } => format!("{name} {raw:?} is not valid: {}", hint.en),
        FieldErrorKind::UnknownValue { allowed } => format!(
            "{raw:?} is not a known {name}: use one of {} (or its English or Chinese label)",
            allowed.join(", ")
        ),
        other => format!("{name} {other}"),
    }
}

/// The checked threat a row describes, on top of the current entry with its code if any;
/// `None` (with the problems reported) when the row is bad.
fn resolve(
    row: &Row,
    current: Option<&Threat>,
    skip: &[usize],
    report: &mut ImportReport,
) -> Option<Valid> {
    let line = row.line;
    let before = report.problems();
    let mut input = current.map(ThreatInput::of).unwrap_or_default();
    for (c, (name, _)) in COLUMNS.iter().enumerate() {
        let Some(raw) = row.cell(c) else {
            if REQUIRED.contains(name) && !skip.contains(&c) && !row.reported.contains(&c) {
                report.error(
                    line,
                    Some(name),
                    "required",
                    format!("the key {name:?} is missing"),
                );
            }
            continue;
        };
        let raw = raw.to_owned();
        match *name {
            "code" => input.code = raw,
            "source" => {
                input.source = enum_code(&raw, |s| ThreatSource::parse_cell(s).map(|v| v.code()))
            }
            "path" => input.path = enum_code(&raw, |s| ThreatPath::parse_cell(s).map(|v| v.code())),
            "method" => {
                input.method = enum_code(&raw, |s| ThreatMethod::parse_cell(s).map(|v| v.code()))
            }
            "name_en" => input.name_en = raw,
            "name_zh" => input.name_zh = raw,
            "description_en" => input.description_en = raw,
            "description_zh" => input.description_zh = raw,
            _ => match parse_active(&raw) {
                Some(active) => input.active = Some(active),
                None => report.error(
                    line,
                    Some(name),
                    "unknown_value",
                    format!(
                        "active must be true, false, 1, 0, 是 or 否 (blank: true), not {raw:?}"
                    ),
                ),
            },
        }
    }
    match threats::check(&input) {
        Ok(valid) if report.problems() == before => Some(valid),
        Ok(_) => None,
        Err(errors) => {
            for e in errors.iter() {
                let c = index_of(&e.field);
                if skip.contains(&c) || row.reported.contains(&c) {
                    continue;
                }
                let raw = row.cell(c).unwrap_or_default();
                let blank = raw.trim().is_empty();
                let kind = match &e.kind {
                    FieldErrorKind::UnknownValue { .. } if blank => &FieldErrorKind::Required,
                    other => other,
                };
                report.error(
                    line,
                    Some(&e.field),
                    kind.code(),
                    describe(&e.field, raw.trim(), kind),
                );
            }
            None
        }
    }
}

/// A change the import makes.
enum Change<'a> {
    Create(Valid),
    Update(&'a Threat, Valid),
}

/// Imports a catalog file: a new code adds a threat of the organization's own, an existing
/// code rewrites that entry (shipped ones too), an identical entry is left alone. Needs
/// `threat:create` and `threat:update`. All or nothing: when any row is bad, or on a dry
/// run, nothing is written and the report says which rows and why; otherwise the rows and
/// one audit entry are written in one transaction.
pub async fn import(
    app: &App,
    ctx: &Ctx,
    bytes: &[u8],
    format: CatalogFormat,
    dry_run: bool,
) -> Result<ImportReport> {
    ctx.principal
        .authorize(Resource::Threat, Action::Create, Target::Global)?;
    ctx.principal
        .authorize(Resource::Threat, Action::Update, Target::Global)?;
    let sha256 = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(bytes))
    };
    let mut report = ImportReport {
        sha256: sha256.clone(),
        dry_run,
        ..ImportReport::default()
    };
    if bytes.len() > MAX_FILE_BYTES {
        report.error(
            0,
            None,
            "too_large",
            format!("the file is larger than {} MiB", MAX_FILE_BYTES >> 20),
        );
        return Ok(report);
    }
    let (rows, skip) = match format {
        CatalogFormat::Csv => read::csv(bytes, &mut report),
        CatalogFormat::Yaml => (read::yaml(bytes, &mut report), Vec::new()),
    };
    report.rows = rows.len() as u64;
    if rows.is_empty() && !report.failed() {
        report.error(0, None, "no_rows", "the file holds no threats".into());
    }
    if rows.is_empty() {
        return Ok(report);
    }
    let mut tx = app.db().begin().await?;
    let existing: HashMap<String, Threat> = store::all(&mut tx, false)
        .await?
        .into_iter()
        .map(|t| (t.code.clone(), t))
        .collect();
    let code_column = index_of("code");
    let mut first_line: HashMap<&str, u64> = HashMap::new();
    let mut changes = Vec::new();
    for row in &rows {
        let code = row.cell(code_column).map_or("", str::trim);
        if !code.is_empty() {
            if let Some(first) = first_line.get(code) {
                report.error(
                    row.line,
                    Some("code"),
                    "duplicate_in_file",
                    format!("the code {code:?} already appears at line {first}"),
                );
                continue;
            }
            first_line.insert(code, row.line);
        }
        let current = existing.get(code);
        let Some(valid) = resolve(row, current, &skip, &mut report) else {
            continue;
        };
        match current {
            None => {
                report.created += 1;
                changes.push(Change::Create(valid));
            }
            Some(t) if Valid::of(t) == valid => report.unchanged += 1,
            Some(t) => {
                report.updated += 1;
                changes.push(Change::Update(t, valid));
            }
        }
    }
    if report.failed() || dry_run {
        tx.rollback().await?;
        return Ok(report);
    }
    let now = Timestamp::now();
    let mut created_codes = Vec::new();
    let mut updated_codes = Vec::new();
    for change in &changes {
        match change {
            Change::Create(v) => {
                store::insert(&mut tx, &v.fields(), false, now).await?;
                created_codes.push(v.code.as_str());
            }
            Change::Update(t, v) => {
                store::update(&mut tx, t.id, &v.fields(), t.version, now)
                    .await?
                    .ok_or(DomainError::StaleVersion { current: t.version })?;
                updated_codes.push(v.code.as_str());
            }
        }
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Import,
            castellan_domain::risk::audit::RiskRecord::Threat,
            "import",
        )
        .after(&serde_json::json!({
            "format": format.code(),
            "sha256": sha256,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "created_codes": created_codes,
            "updated_codes": updated_codes,
        })),
    )
    .await?;
    tx.commit().await?;
    report.written = true;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_cells() {
        for yes in ["", "true", "TRUE", "1", "是", " 是 "] {
            assert_eq!(parse_active(yes), Some(true), "{yes:?}");
        }
        for no in ["false", "False", "0", "否"] {
            assert_eq!(parse_active(no), Some(false), "{no:?}");
        }
        assert_eq!(parse_active("maybe"), None);
    }

    #[test]
    fn formats() {
        assert_eq!(
            CatalogFormat::from_code(" YAML "),
            Some(CatalogFormat::Yaml)
        );
        assert_eq!(CatalogFormat::from_code("yml"), Some(CatalogFormat::Yaml));
        assert_eq!(CatalogFormat::from_code("csv"), Some(CatalogFormat::Csv));
        assert_eq!(CatalogFormat::from_code("xlsx"), None);
    }
}
