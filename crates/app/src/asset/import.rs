//! Importing assets from CSV or XLSX (SPEC §3 "Import and export"): API field names or the
//! UI's Chinese labels as headers, codes or labels in enum cells, all-or-nothing by default
//! with every bad row reported, one audit entry naming the file's SHA-256 and the counts.

use crate::asset::assets::Valid;
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx, settings};
use castellan_domain::asset::{
    self as rules, AssetStatus, Category, Classification, Rating, ValuationMethod, Zone,
};
use castellan_domain::permission::Target;
use castellan_domain::values::clean_text;
use castellan_domain::{
    Action, DepartmentId, DepartmentPath, DomainError, Resource, Timestamp, UserId,
};
use castellan_store::Conn;
use castellan_store::asset::assets as store;
use castellan_store::sql::Sql;
use castellan_store::{asset::bulk, asset::uploads};
pub use castellan_tabular::ReadOptions;
use castellan_tabular::{Record, TableReader};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The columns of an asset file, in export order: API name and Chinese label.
pub const COLUMNS: &[(&str, &str)] = &[
    ("code", "资产编号"),
    ("name", "资产名称"),
    ("category", "资产类别"),
    ("department", "所属部门"),
    ("owner", "责任人"),
    ("custodian", "使用人"),
    ("location", "位置"),
    ("zone", "安全域"),
    ("classification", "数据分级"),
    ("confidentiality", "机密性"),
    ("integrity", "完整性"),
    ("availability", "可用性"),
    ("status", "状态"),
    ("tags", "标签"),
    ("notes", "备注"),
];

/// The columns every file must have.
pub const REQUIRED: &[&str] = &[
    "code",
    "name",
    "category",
    "confidentiality",
    "integrity",
    "availability",
];

/// Other spellings seen in real spreadsheets, mapped to the API name.
const ALIASES: &[(&str, &str)] = &[
    ("编号", "code"),
    ("资产id", "code"),
    ("名称", "name"),
    ("类别", "category"),
    ("分类", "category"),
    ("部门", "department"),
    ("保管人", "custodian"),
    ("使用人/保管人", "custodian"),
    ("存放位置", "location"),
    ("区域", "zone"),
    ("密级", "classification"),
    ("c", "confidentiality"),
    ("i", "integrity"),
    ("a", "availability"),
    ("保密性", "confidentiality"),
    ("资产状态", "status"),
    ("说明", "notes"),
];

/// How an import behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Update assets whose code already exists instead of refusing those rows.
    pub update_existing: bool,
    /// Check everything, write nothing.
    pub dry_run: bool,
}

/// One problem of one row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line in the file (0: the file as a whole, e.g. a missing column).
    pub line: u64,
    /// The column (API name), if the problem is in one cell.
    pub column: Option<String>,
    /// Stable code (`required`, `unknown_value`, `out_of_range`, `duplicate_in_file`,
    /// `exists`, `no_such_department`, …).
    pub code: String,
    /// English explanation (the UI translates by code where it can).
    pub reason: String,
    /// What the cell (or header) held, cut to [`MAX_VALUE_CHARS`] characters, so that the
    /// problem can be explained in any language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The lowest number, or the fewest characters, the cell may hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// The highest number, or the most characters, the cell may hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// The codes the cell may hold (`unknown_value`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<String>,
    /// The line where the same asset ID first appears (`duplicate_in_file`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_line: Option<u64>,
    /// The spreadsheet cell where a file limit was reached (`limit_*`), e.g. `C7`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// The limit a file exceeded, when it counts rows, columns, characters or texts
    /// (`limit_*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// The limit a file exceeded, when it is a size in bytes (`limit_*_size`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_bytes: Option<u64>,
}

impl RowError {
    /// The problem of a file that could not be read (line 0 when it concerns the whole
    /// file), with the limit and cell of a limit it went beyond.
    pub fn of_read_error(e: &castellan_tabular::ReadError) -> RowError {
        let mut problem = RowError::new(e.line().unwrap_or(0), None, e.code(), e.to_string());
        if let castellan_tabular::ReadError::Limit {
            what, limit, cell, ..
        } = e
        {
            if what.in_bytes() {
                problem.limit_bytes = Some(*limit);
            } else {
                problem.limit = Some(*limit);
            }
            problem.cell = cell.clone();
        }
        problem
    }
}

/// The longest cell text a [`RowError`] repeats.
pub const MAX_VALUE_CHARS: usize = 60;

impl RowError {
    /// A problem with only its place, code and English reason.
    pub fn new(line: u64, column: Option<&str>, code: &str, reason: impl Into<String>) -> Self {
        RowError {
            line,
            column: column.map(str::to_owned),
            code: code.to_owned(),
            reason: reason.into(),
            ..RowError::default()
        }
    }

    /// Adds what the cell held.
    fn value(mut self, text: &str) -> Self {
        let mut v: String = text.chars().take(MAX_VALUE_CHARS).collect();
        if text.chars().nth(MAX_VALUE_CHARS).is_some() {
            v.push('…');
        }
        self.value = Some(v);
        self
    }

    /// Adds the limits or choices that `kind` names.
    fn limits(mut self, kind: &castellan_domain::FieldErrorKind) -> Self {
        use castellan_domain::FieldErrorKind as K;
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        match kind {
            K::TooShort { min } => self.min = Some(count(*min)),
            K::TooLong { max } => self.max = Some(count(*max)),
            K::OutOfRange { min, max } => {
                self.min = Some(*min);
                self.max = Some(*max);
            }
            K::UnknownValue { allowed } => {
                self.allowed = allowed.iter().map(|a| (*a).to_owned()).collect();
            }
            _ => {}
        }
        self
    }
}

/// What an import did, or would have done.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: u64,
    /// Assets created (0 when nothing was written).
    pub created: u64,
    /// Assets updated.
    pub updated: u64,
    /// Rows of existing assets that held nothing new (`update_existing`; nothing written).
    pub unchanged: u64,
    /// Problems found; any problem means nothing was written.
    pub errors: Vec<RowError>,
    /// Problems beyond the first [`MAX_REPORTED`] are counted, not listed.
    pub more_errors: u64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// True when nothing was written (errors or a dry run).
    pub rolled_back: bool,
}

/// The most problems listed in a report.
pub const MAX_REPORTED: usize = 1000;

impl ImportReport {
    fn error(&mut self, line: u64, column: Option<&str>, code: &str, reason: impl Into<String>) {
        self.add(RowError::new(line, column, code, reason));
    }

    fn add(&mut self, e: RowError) {
        if self.errors.len() < MAX_REPORTED {
            self.errors.push(e);
        } else {
            self.more_errors += 1;
        }
    }

    /// Whether any problem was found.
    pub fn failed(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// Maps the header cells to API field names, or reports unknown and missing columns.
fn map_headers(headers: &[String], report: &mut ImportReport) -> Vec<Option<&'static str>> {
    let mut mapped = Vec::with_capacity(headers.len());
    let mut seen = HashSet::new();
    for h in headers {
        let key = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        let key = key.trim_end_matches(['*', '＊']).trim();
        let field = COLUMNS
            .iter()
            .find(|(api, zh)| *api == key || *zh == key)
            .map(|(api, _)| *api)
            .or_else(|| ALIASES.iter().find(|(a, _)| *a == key).map(|(_, api)| *api));
        match field {
            Some(f) if !seen.insert(f) => {
                report.add(
                    RowError::new(
                        0,
                        Some(f),
                        "duplicate_column",
                        format!("the column {h:?} appears twice"),
                    )
                    .value(h),
                );
                mapped.push(None);
            }
            Some(f) => mapped.push(Some(f)),
            None if key.is_empty() => mapped.push(None),
            None => {
                report.add(
                    RowError::new(
                        0,
                        None,
                        "unknown_column",
                        format!(
                            "unknown column {h:?}; the columns are {}",
                            COLUMNS
                                .iter()
                                .map(|(a, _)| *a)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .value(h),
                );
                mapped.push(None);
            }
        }
    }
    for r in REQUIRED {
        if !seen.contains(r) {
            report.error(
                0,
                Some(r),
                "missing_column",
                format!("the required column {r:?} is missing"),
            );
        }
    }
    mapped
}

/// A 128-bit fingerprint of a text from two independently keyed hashers.
struct Fingerprint(std::hash::RandomState, std::hash::RandomState);

impl Fingerprint {
    fn new() -> Self {
        Fingerprint(std::hash::RandomState::new(), std::hash::RandomState::new())
    }

    /// As four 32-bit words: with a 32-bit line number a table entry takes 20 bytes, where
    /// a `u128` key (16-byte aligned) and a `u64` line took 32 (64 MB at a million codes,
    /// and half as much again while the table grows).
    fn of(&self, text: &str) -> [u32; 4] {
        use std::hash::BuildHasher;
        let (a, b) = (self.0.hash_one(text), self.1.hash_one(text));
        [(a >> 32) as u32, a as u32, (b >> 32) as u32, b as u32]
    }
}

/// What the rows refer to, loaded once.
struct Lookups {
    departments_by_key: HashMap<String, Option<DepartmentId>>,
    paths: HashMap<DepartmentId, DepartmentPath>,
    users: HashMap<String, UserId>,
}

async fn lookups(conn: &mut Conn) -> Result<Lookups> {
    let mut departments_by_key: HashMap<String, Option<DepartmentId>> = HashMap::new();
    let mut paths = HashMap::new();
    for row in Sql::new("SELECT id, name, code, path FROM departments")
        .fetch_all(conn)
        .await?
    {
        let id = DepartmentId(row.try_get("id")?);
        let name: String = row.try_get("name")?;
        let code: Option<String> = row.try_get("code")?;
        let path: String = row.try_get("path")?;
        if let Some(p) = DepartmentPath::from_db(&path) {
            paths.insert(id, p);
        }
        // A name used twice is ambiguous (None); a code is unique.
        departments_by_key
            .entry(name.to_lowercase())
            .and_modify(|v| *v = None)
            .or_insert(Some(id));
        if let Some(c) = code {
            departments_by_key.insert(c.to_lowercase(), Some(id));
        }
    }
    let mut users = HashMap::new();
    for row in Sql::new("SELECT id, username FROM users")
        .fetch_all(conn)
        .await?
    {
        users.insert(
            row.try_get::<String, _>("username")?,
            UserId(row.try_get("id")?),
        );
    }
    Ok(Lookups {
        departments_by_key,
        paths,
        users,
    })
}

/// One row, validated and owned.
struct Parsed {
    line: u64,
    status: AssetStatus,
    asset: Valid,
}

fn parse_row(
    record: &Record,
    columns: &[Option<&'static str>],
    lookups: &Lookups,
    report: &mut ImportReport,
) -> Option<Parsed> {
    let line = record.line;
    let cell = |name: &str| -> &str {
        columns
            .iter()
            .position(|c| *c == Some(name))
            .and_then(|i| record.cells.get(i))
            .map_or("", |s| s.trim())
    };
    let before = report.errors.len() as u64 + report.more_errors;
    // A refused cell: its place, the rule's code and limits, and what it held.
    let bad = |report: &mut ImportReport,
               col: &str,
               e: &castellan_domain::FieldErrorKind,
               reason: String| {
        let mut problem = RowError::new(line, Some(col), e.code(), reason).limits(e);
        if !cell(col).is_empty() {
            problem = problem.value(cell(col));
        }
        report.add(problem);
    };
    let code = match rules::parse_code(cell("code")) {
        Ok(c) => Some(c),
        Err(e) => {
            bad(
                report,
                "code",
                &e,
                format!("asset ID {:?}: {}", cell("code"), describe(&e)),
            );
            None
        }
    };
    let name = clean_text(cell("name"), 1, 200)
        .map_err(|e| bad(report, "name", &e, describe(&e)))
        .ok();
    let category = enum_cell(
        report,
        line,
        "category",
        cell("category"),
        true,
        Category::parse_cell,
        Category::ALL.iter().map(|c| c.code()),
    );
    let zone = enum_cell(
        report,
        line,
        "zone",
        cell("zone"),
        false,
        Zone::parse_cell,
        Zone::ALL.iter().map(|c| c.code()),
    );
    let classification = enum_cell(
        report,
        line,
        "classification",
        cell("classification"),
        false,
        Classification::parse_cell,
        Classification::ALL.iter().map(|c| c.code()),
    );
    let status = enum_cell(
        report,
        line,
        "status",
        cell("status"),
        false,
        AssetStatus::parse_import_cell,
        AssetStatus::ALL.iter().map(|c| c.code()),
    );
    let mut rating = |col: &str| match Rating::parse_cell(cell(col)) {
        Ok(r) => Some(r),
        Err(e) => {
            bad(
                report,
                col,
                &e,
                format!("{:?}: {}", cell(col), describe(&e)),
            );
            None
        }
    };
    let (c, i, a) = (
        rating("confidentiality"),
        rating("integrity"),
        rating("availability"),
    );
    let department_id = match cell("department") {
        "" => Some(None),
        d => match lookups.departments_by_key.get(&d.to_lowercase()) {
            Some(Some(id)) => Some(Some(*id)),
            Some(None) => {
                report.add(
                    RowError::new(
                        line,
                        Some("department"),
                        "ambiguous_department",
                        format!("several departments are called {d:?}; use the department's code"),
                    )
                    .value(d),
                );
                None
            }
            None => {
                report.add(
                    RowError::new(
                        line,
                        Some("department"),
                        "no_such_department",
                        format!("no department has the name or code {d:?}"),
                    )
                    .value(d),
                );
                None
            }
        },
    };
    let owner_id = match cell("owner") {
        "" => Some(None),
        u => match lookups.users.get(&u.to_lowercase()) {
            Some(id) => Some(Some(*id)),
            None => {
                report.add(
                    RowError::new(
                        line,
                        Some("owner"),
                        "no_such_user",
                        format!("no user has the username {u:?}"),
                    )
                    .value(u),
                );
                None
            }
        },
    };
    let optional = |report: &mut ImportReport, col: &str, max: usize| match cell(col) {
        "" => Some(None),
        v => match clean_text(v, 1, max) {
            Ok(v) => Some(Some(v)),
            Err(e) => {
                bad(report, col, &e, describe(&e));
                None
            }
        },
    };
    let custodian = optional(report, "custodian", 100);
    let location = optional(report, "location", 200);
    let notes = optional(report, "notes", 4000);
    let tags = match rules::parse_tags(&rules::split_tags_cell(cell("tags"))) {
        Ok(t) => Some(t),
        Err(e) => {
            bad(report, "tags", &e, describe(&e));
            None
        }
    };
    if report.errors.len() as u64 + report.more_errors > before {
        return None;
    }
    Some(Parsed {
        line,
        status: status?.unwrap_or(AssetStatus::InUse),
        asset: Valid {
            code: code?,
            name: name?,
            category: category??,
            department_id: department_id?,
            department_path: department_id
                .flatten()
                .and_then(|d| lookups.paths.get(&d).cloned()),
            owner_id: owner_id?,
            custodian: custodian?,
            location: location?,
            zone: zone?,
            classification: classification?,
            c: c?,
            i: i?,
            a: a?,
            tags: tags?,
            notes: notes?,
        },
    })
}

/// Reads an enum cell: `Some(None)` when blank and optional, `None` when refused.
fn enum_cell<T>(
    report: &mut ImportReport,
    line: u64,
    column: &str,
    raw: &str,
    required: bool,
    parse: impl Fn(&str) -> Option<T>,
    codes: impl Iterator<Item = &'static str>,
) -> Option<Option<T>> {
    if raw.is_empty() {
        if required {
            report.error(line, Some(column), "required", "this cell is required");
            return None;
        }
        return Some(None);
    }
    match parse(raw) {
        Some(v) => Some(Some(v)),
        None => {
            let allowed: Vec<&str> = codes.collect();
            let mut problem = RowError::new(
                line,
                Some(column),
                "unknown_value",
                format!(
                    "{raw:?} is not one of {} (or their Chinese or English labels)",
                    allowed.join(", ")
                ),
            )
            .value(raw);
            problem.allowed = allowed.iter().map(|a| (*a).to_owned()).collect();
            report.add(problem);
            None
        }
    }
}

fn describe(e: &castellan_domain::FieldErrorKind) -> String {
    use castellan_domain::FieldErrorKind as K;
    match e {
        K::Required => "this cell is required".into(),
        K::TooShort { min } => format!("at least {min} characters"),
        K::TooLong { max } => format!("at most {max} characters"),
        K::Invalid { hint } => hint.en.into(),
        K::UnknownValue { allowed } => format!("use one of {}", allowed.join(", ")),
        K::OutOfRange { min, max } => format!("a whole number from {min} to {max}"),
        other => other.code().into(),
    }
}

/// Imports every row of `reader` in one transaction. `progress` is called with the bytes
/// read so far after every batch. Nothing is written when any row is bad or on a dry run;
/// the report says which rows and why.
pub async fn import_assets(
    app: &App,
    ctx: &Ctx,
    reader: TableReader,
    sha256: &str,
    options: ImportOptions,
    progress: impl FnMut(u64),
) -> Result<ImportReport> {
    let mut no_sample = Vec::new();
    import_rows(
        app,
        ctx,
        reader,
        sha256,
        options,
        (0, &mut no_sample),
        progress,
    )
    .await
}

/// The first rows of a file as written, with their lines.
type SampleRows = Vec<(u64, Vec<String>)>;

/// [`import_assets`], keeping the first `sample.0` data rows in `sample.1` on the way (one
/// pass over the file: an XLSX is unpacked and its shared texts loaded once).
async fn import_rows(
    app: &App,
    ctx: &Ctx,
    mut reader: TableReader,
    sha256: &str,
    options: ImportOptions,
    sample: (usize, &mut SampleRows),
    mut progress: impl FnMut(u64),
) -> Result<ImportReport> {
    let (sample_rows, sample) = sample;
    let scope = ctx.principal.read_scope(Resource::Asset, Action::Create)?;
    if options.update_existing {
        ctx.principal.read_scope(Resource::Asset, Action::Update)?;
    }
    let mut report = ImportReport {
        sha256: sha256.to_owned(),
        ..ImportReport::default()
    };
    let columns = map_headers(reader.headers(), &mut report);
    if report.failed() {
        report.rolled_back = true;
        return Ok(report);
    }
    let mut tx = app.db().begin().await?;
    let lookups = lookups(&mut tx).await?;
    // A load into a small register rebuilds the secondary indexes at the end instead of
    // maintaining them row by row (SQLite; see bulk::defer_indexes).
    let registered = u64::try_from(store::count(&mut tx).await?).unwrap_or(0);
    let deferred = bulk::defer_indexes(&mut tx, registered < DEFER_BELOW).await?;
    bulk::bulk_cache(&mut tx, true).await?;
    let method = settings::valuation(&mut tx).await?.0;
    let now = Timestamp::now();
    // The codes seen so far, as 128-bit fingerprints (two independently keyed hashes) with
    // their line: a million codes take about 42 MB this way (63 MB for a moment while the
    // table grows) instead of over 100 MB as strings, and a false match would need a 128-bit
    // collision.
    let fingerprint = Fingerprint::new();
    let mut seen_codes: HashMap<[u32; 4], u32> = HashMap::new();
    let code_index = columns.iter().position(|c| *c == Some("code"));
    let mut batch: Vec<Parsed> = Vec::with_capacity(BATCH);
    const BATCH: usize = 5_000;
    loop {
        let next = reader.next();
        let done = next.is_none();
        match next {
            Some(Ok(record)) => {
                report.rows += 1;
                if sample.len() < sample_rows {
                    sample.push((record.line, record.cells.clone()));
                }
                // Duplicates are found on the raw code, whatever else is wrong with a row.
                let raw_code = code_index
                    .and_then(|i| record.cells.get(i))
                    .map(|c| c.trim().to_owned())
                    .unwrap_or_default();
                let key = fingerprint.of(&raw_code);
                let duplicate = !raw_code.is_empty() && seen_codes.contains_key(&key);
                if duplicate {
                    let first = seen_codes.get(&key).copied().unwrap_or_default();
                    let first = u64::from(first);
                    let mut problem = RowError::new(
                        record.line,
                        Some("code"),
                        "duplicate_in_file",
                        format!("asset ID {raw_code:?} already appears on line {first}"),
                    )
                    .value(&raw_code);
                    problem.first_line = Some(first);
                    report.add(problem);
                } else if !raw_code.is_empty() {
                    // Lines past 4 billion (no real file) would all read as the last one.
                    seen_codes.insert(key, u32::try_from(record.line).unwrap_or(u32::MAX));
                }
                if let Some(p) = parse_row(&record, &columns, &lookups, &mut report)
                    && !duplicate
                {
                    let target = p.asset.department_path.as_ref();
                    let allowed = match target {
                        Some(path) => ctx.principal.is_allowed(
                            Resource::Asset,
                            Action::Create,
                            Target::Department(path),
                        ),
                        None => matches!(scope, castellan_domain::Scope::All),
                    };
                    if allowed {
                        batch.push(p);
                    } else {
                        report.error(
                            p.line,
                            Some("department"),
                            "forbidden",
                            "you may not register assets in this department",
                        );
                    }
                }
            }
            Some(Err(e)) => {
                report.add(RowError::of_read_error(&e));
                break;
            }
            None => {}
        }
        if batch.len() >= BATCH || (done && !batch.is_empty()) {
            write_batch(
                &mut tx,
                ctx,
                &lookups,
                &deferred,
                &mut batch,
                method,
                now,
                options,
                &mut report,
            )
            .await?;
            progress(reader.bytes_read());
        }
        if done {
            break;
        }
    }
    if report.rows == 0 && !report.failed() {
        report.error(0, None, "no_rows", "the file has a header but no data rows");
    }
    if report.failed() || options.dry_run {
        report.rolled_back = true;
        report.created = 0;
        report.updated = 0;
        report.unchanged = 0;
        tx.rollback().await?;
        bulk_cache_off(app).await;
        return Ok(report);
    }
    bulk::restore_indexes(&mut tx, deferred).await?;
    // The planner's statistics are refreshed when the register grew by a tenth or more; a
    // full pass costs about a second per million assets, more than a small import itself.
    if report.created.saturating_mul(10) >= registered {
        store::analyze(&mut tx).await?;
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Import,
            castellan_domain::asset::audit::AssetRecord::Asset,
            "bulk",
        )
        .after(&serde_json::json!({
            "sha256": sha256,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        })),
    )
    .await?;
    tx.commit().await?;
    bulk_cache_off(app).await;
    Ok(report)
}

/// Registers smaller than this get their secondary indexes rebuilt after an import.
const DEFER_BELOW: u64 = 200_000;

/// Puts the writer back to in-memory temporary storage (best effort: a failure only
/// leaves temporary files in use).
async fn bulk_cache_off(app: &App) {
    if let Ok(mut tx) = app.db().begin().await {
        let _ = bulk::bulk_cache(&mut tx, false).await;
        let _ = tx.commit().await;
    }
}

#[allow(clippy::too_many_arguments)]
async fn write_batch(
    tx: &mut Conn,
    ctx: &Ctx,
    lookups: &Lookups,
    deferred: &bulk::DeferredIndexes,
    batch: &mut Vec<Parsed>,
    method: ValuationMethod,
    now: Timestamp,
    options: ImportOptions,
    report: &mut ImportReport,
) -> Result<()> {
    let codes: Vec<&str> = batch.iter().map(|p| p.asset.code.as_str()).collect();
    // Codes in the batch that are already registered, with their ids.
    let found: HashMap<String, castellan_domain::AssetId> =
        store::ids_by_code(tx, &codes).await?.into_iter().collect();
    // The current state of the assets to update, read for the whole batch at once.
    let mut current: HashMap<castellan_domain::AssetId, castellan_domain::asset::register::Asset> =
        HashMap::new();
    if options.update_existing && !found.is_empty() && !report.failed() {
        let ids: Vec<_> = found.values().copied().collect();
        current = store::get_many(tx, &ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
    }
    let mut fresh = Vec::with_capacity(batch.len());
    let mut changes = Vec::new();
    for p in batch.iter() {
        match found.get(&p.asset.code) {
            None => fresh.push(p.asset.fields(method, p.status)),
            Some(_) if !options.update_existing => {
                report.add(
                    RowError::new(
                        p.line,
                        Some("code"),
                        "exists",
                        format!(
                            "an asset with ID {:?} already exists (use --update-existing to update it)",
                            p.asset.code
                        ),
                    )
                    .value(&p.asset.code),
                );
            }
            Some(id) => {
                if report.failed() {
                    continue;
                }
                let current = current.get(id).ok_or(DomainError::not_found("asset"))?;
                let target = current.department_id.and_then(|d| lookups.paths.get(&d));
                let may = ctx.principal.is_allowed(
                    Resource::Asset,
                    Action::Update,
                    target.map_or(Target::Global, Target::Department),
                );
                if !may {
                    report.error(
                        p.line,
                        Some("code"),
                        "forbidden",
                        "you may not change this existing asset",
                    );
                    continue;
                }
                let mut fields = p.asset.fields(method, p.status);
                // The lifecycle moves only through events; an update keeps the status.
                fields.status = current.status;
                // A row that says what the register already holds changes nothing: no
                // write, no new version (a monthly re-import of a whole CMDB is mostly such
                // rows).
                if fields.matches(current) {
                    report.unchanged += 1;
                    continue;
                }
                changes.push((*id, fields, current.version));
            }
        }
    }
    if report.failed() {
        batch.clear();
        return Ok(());
    }
    if !changes.is_empty() {
        let ids: Vec<_> = changes.iter().map(|(id, _, _)| *id).collect();
        if deferred.search_by_batch() {
            bulk::unindex_search(tx, &ids).await?;
        }
        for (id, fields, version) in &changes {
            store::update(tx, *id, fields, *version, now).await?;
        }
        if deferred.search_by_batch() {
            bulk::index_search(tx, &ids).await?;
        }
        report.updated += changes.len() as u64;
    }
    if !fresh.is_empty() {
        let ids = bulk::insert_assets(tx, &fresh, now).await?;
        if deferred.search_by_batch() {
            bulk::index_search(tx, &ids).await?;
        }
        report.created += ids.len() as u64;
    }
    batch.clear();
    Ok(())
}

/// The SHA-256 of a file, hex, read in chunks.
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0_u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(hex::encode(hasher.finalize()))
}

/// An import of one file, with what a preview shows about it.
#[derive(Debug, Clone, Default)]
pub struct FileImport {
    /// What the import did or would have done.
    pub report: ImportReport,
    /// `CSV` or `XLSX` (empty when the file could not be opened).
    pub format: &'static str,
    /// The detected text encoding of a CSV file.
    pub encoding: Option<&'static str>,
    /// The header row as written in the file.
    pub headers: Vec<String>,
    /// The first data rows as written, with their lines.
    pub sample: Vec<(u64, Vec<String>)>,
}

/// Imports the file at `path` (see [`import_assets`]): a file that cannot be read at all —
/// empty, too large, not a workbook, a sheet with formulas or merged cells — is reported as
/// a problem of the whole file (line 0). The first `sample` rows are returned as written.
pub async fn import_file(
    app: &App,
    ctx: &Ctx,
    path: &std::path::Path,
    limits: &castellan_tabular::ReadOptions,
    options: ImportOptions,
    sample: usize,
    progress: impl FnMut(u64),
) -> Result<FileImport> {
    let sha256 = sha256_file(path).map_err(|e| crate::Error::Internal(e.into()))?;
    let refused = |e: castellan_tabular::ReadError| {
        let mut report = ImportReport {
            sha256: sha256.clone(),
            rolled_back: true,
            ..ImportReport::default()
        };
        report.add(RowError::of_read_error(&e));
        FileImport {
            report,
            ..FileImport::default()
        }
    };
    // One pass: the sample is kept while the rows are checked.
    let reader = match TableReader::open(path, limits) {
        Ok(reader) => reader,
        Err(e) => return Ok(refused(e)),
    };
    let mut out = FileImport {
        format: match reader.format() {
            castellan_tabular::Format::Csv => "CSV",
            castellan_tabular::Format::Xlsx => "XLSX",
        },
        encoding: reader.encoding().map(castellan_tabular::Encoding::label),
        headers: reader.headers().to_vec(),
        ..FileImport::default()
    };
    out.report = import_rows(
        app,
        ctx,
        reader,
        &sha256,
        options,
        (sample, &mut out.sample),
        progress,
    )
    .await?;
    Ok(out)
}

/// How long a checked upload waits for its commit.
pub const UPLOAD_TTL: time::Duration = time::Duration::hours(1);

/// Keeps a checked file for the caller until they commit it (at most [`UPLOAD_TTL`]), in the
/// database so that any instance can finish the import; returns the token that names it.
/// Files older than that are removed on the way.
pub async fn stash_upload(
    app: &App,
    ctx: &Ctx,
    file_name: &str,
    content: Vec<u8>,
) -> Result<String> {
    ctx.principal.read_scope(Resource::Asset, Action::Create)?;
    let token = crate::secret::random_b64(24);
    let now = Timestamp::now();
    let mut tx = app.db().begin().await?;
    uploads::sweep(&mut tx, now.plus(-UPLOAD_TTL)).await?;
    uploads::insert(
        &mut tx,
        ctx.principal.user_id,
        &crate::secret::token_hash(&token),
        file_name,
        content,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Takes back the file the caller stashed under `token`: (file name, content), removed from
/// the store; `None` when it is not theirs, already taken or too old (old files of anyone
/// are removed on the way).
pub async fn take_upload(app: &App, ctx: &Ctx, token: &str) -> Result<Option<(String, Vec<u8>)>> {
    ctx.principal.read_scope(Resource::Asset, Action::Create)?;
    let now = Timestamp::now();
    let mut tx = app.db().begin().await?;
    uploads::sweep(&mut tx, now.plus(-UPLOAD_TTL)).await?;
    let found = uploads::take(
        &mut tx,
        ctx.principal.user_id,
        &crate::secret::token_hash(token.trim()),
        now.plus(-UPLOAD_TTL),
    )
    .await?;
    tx.commit().await?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use castellan_tabular::{Limit, ReadError};

    #[test]
    fn a_limit_keeps_its_cell_and_is_a_count_or_a_size() {
        let cell = RowError::of_read_error(&ReadError::Limit {
            what: Limit::CellLength,
            limit: 32_767,
            line: Some(2),
            cell: Some("B2".into()),
        });
        assert_eq!((cell.line, cell.code.as_str()), (2, "limit_cell_length"));
        assert_eq!((cell.limit, cell.limit_bytes), (Some(32_767), None));
        assert_eq!(cell.cell.as_deref(), Some("B2"));
        let part = RowError::of_read_error(&ReadError::Limit {
            what: Limit::PartSize,
            limit: 1 << 30,
            line: None,
            cell: None,
        });
        assert_eq!(
            (part.line, part.limit, part.limit_bytes),
            (0, None, Some(1 << 30))
        );
        let whole = RowError::of_read_error(&ReadError::Empty);
        assert_eq!((whole.line, whole.limit, whole.cell), (0, None, None));
    }
}
