//! Vulnerability findings against assets and existing security controls (SPEC §4.1). A
//! finding belongs to its asset's department: a department-limited grant reaches the
//! findings of that department's assets only.

use crate::asset::assets::{path_of, target};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::asset::Rating;
use castellan_domain::ids::{AssetId, ControlId, VulnerabilityId};
use castellan_domain::paging::{Cursor, Page, Sort, parse_limit};
use castellan_domain::permission::Target;
use castellan_domain::risk::finding::{ControlKind, Effectiveness, FoundBy, VulnerabilityStatus};
use castellan_domain::risk::register::{Control, Vulnerability};
use castellan_domain::values::{clean_multiline, clean_optional, clean_text};
use castellan_domain::{
    Action, Day, DomainError, FieldErrorKind, FieldErrors, Resource, Timestamp,
};
use castellan_store::Conn;
use castellan_store::asset::assets as asset_store;
use castellan_store::risk::findings::{
    self as store, ControlFields, ControlFilter, VulnerabilityFields, VulnerabilityFilter,
};

/// A finding as submitted.
#[derive(Debug, Clone, Default)]
pub struct VulnerabilityInput {
    /// The asset.
    pub asset_id: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Severity 1–5.
    pub severity: i64,
    /// Status code (default `open`).
    pub status: Option<String>,
    /// CVE or other reference.
    pub reference: Option<String>,
    /// How it was found (code).
    pub found_by: String,
    /// When (YYYY-MM-DD).
    pub found_on: Option<String>,
}

/// A partial change of a finding.
#[derive(Debug, Clone, Default)]
pub struct VulnerabilityPatch {
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<Option<String>>,
    /// Severity.
    pub severity: Option<i64>,
    /// Status.
    pub status: Option<String>,
    /// Reference.
    pub reference: Option<Option<String>>,
    /// How it was found.
    pub found_by: Option<String>,
    /// When.
    pub found_on: Option<Option<String>>,
}

struct ValidFinding {
    asset_id: AssetId,
    title: String,
    description: Option<String>,
    severity: Rating,
    status: VulnerabilityStatus,
    reference: Option<String>,
    found_by: FoundBy,
    found_on: Option<Day>,
}

impl ValidFinding {
    fn fields(&self) -> VulnerabilityFields<'_> {
        VulnerabilityFields {
            asset_id: self.asset_id,
            title: &self.title,
            description: self.description.as_deref(),
            severity: self.severity,
            status: self.status,
            reference: self.reference.as_deref(),
            found_by: self.found_by,
            found_on: self.found_on,
        }
    }
}

fn optional_day(raw: Option<&str>) -> std::result::Result<Option<Day>, FieldErrorKind> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Day::parse(s).map(Some),
    }
}

fn validate_finding(input: &VulnerabilityInput) -> Result<ValidFinding> {
    let mut errors = FieldErrors::new();
    let title = errors.check("title", clean_text(&input.title, 1, 200));
    let description = errors.check(
        "description",
        clean_multiline(input.description.as_deref(), 8000),
    );
    let severity = errors.check("severity", Rating::new(input.severity));
    let status = errors.check(
        "status",
        VulnerabilityStatus::from_code(input.status.as_deref().map_or("open", str::trim)),
    );
    let reference = errors.check("reference", clean_optional(input.reference.as_deref(), 200));
    let found_by = errors.check("found_by", FoundBy::from_code(input.found_by.trim()));
    let found_on = errors.check("found_on", optional_day(input.found_on.as_deref()));
    errors.into_result()?;
    match (
        title,
        description,
        severity,
        status,
        reference,
        found_by,
        found_on,
    ) {
        (
            Some(title),
            Some(description),
            Some(severity),
            Some(status),
            Some(reference),
            Some(found_by),
            Some(found_on),
        ) => Ok(ValidFinding {
            asset_id: AssetId(input.asset_id),
            title,
            description,
            severity,
            status,
            reference,
            found_by,
            found_on,
        }),
        _ => Err(DomainError::BadRequest("invalid finding".into()).into()),
    }
}

/// Checks that the caller may do `action` to the findings of `asset`; an asset they may not
/// even read is reported as `field` naming no record.
async fn authorize_asset(
    conn: &mut Conn,
    ctx: &Ctx,
    resource: Resource,
    action: Action,
    asset: AssetId,
    field: &str,
) -> Result<()> {
    let Some(a) = asset_store::get(conn, asset).await? else {
        return Err(FieldErrors::single(field, FieldErrorKind::NoSuchRecord).into());
    };
    let path = path_of(conn, a.department_id).await?;
    if !ctx
        .principal
        .is_allowed(Resource::Asset, Action::Read, target(path.as_ref()))
    {
        return Err(FieldErrors::single(field, FieldErrorKind::NoSuchRecord).into());
    }
    ctx.principal
        .authorize(resource, action, target(path.as_ref()))?;
    Ok(())
}

/// Records a finding.
pub async fn create_vulnerability(
    app: &App,
    ctx: &Ctx,
    input: &VulnerabilityInput,
) -> Result<Vulnerability> {
    ctx.principal
        .read_scope(Resource::Vulnerability, Action::Create)?;
    let valid = validate_finding(input)?;
    let mut tx = app.db().begin().await?;
    authorize_asset(
        &mut tx,
        ctx,
        Resource::Vulnerability,
        Action::Create,
        valid.asset_id,
        "asset_id",
    )
    .await?;
    let v = store::insert_vulnerability(&mut tx, &valid.fields(), Timestamp::now()).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Create,
            castellan_domain::risk::audit::RiskRecord::Vulnerability,
            v.id,
        )
        .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

async fn load_vulnerability(
    conn: &mut Conn,
    ctx: &Ctx,
    id: VulnerabilityId,
    action: Action,
) -> Result<Vulnerability> {
    let v = store::get_vulnerability(conn, id)
        .await?
        .ok_or(DomainError::not_found("vulnerability"))?;
    match authorize_asset(conn, ctx, Resource::Vulnerability, action, v.asset_id, "id").await {
        Ok(()) => Ok(v),
        Err(crate::Error::Domain(DomainError::Validation(_))) => {
            Err(DomainError::not_found("vulnerability").into())
        }
        Err(e) => Err(e),
    }
}

/// One finding.
pub async fn get_vulnerability(app: &App, ctx: &Ctx, id: VulnerabilityId) -> Result<Vulnerability> {
    let mut conn = app.db().read().await?;
    load_vulnerability(&mut conn, ctx, id, Action::Read).await
}

/// Changes a finding if `version` is current (its asset does not change).
pub async fn update_vulnerability(
    app: &App,
    ctx: &Ctx,
    id: VulnerabilityId,
    patch: &VulnerabilityPatch,
    version: i64,
) -> Result<Vulnerability> {
    let mut tx = app.db().begin().await?;
    let before = load_vulnerability(&mut tx, ctx, id, Action::Update).await?;
    if before.version != version {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let p = patch.clone();
    let input = VulnerabilityInput {
        asset_id: before.asset_id.0,
        title: p.title.unwrap_or_else(|| before.title.clone()),
        description: p.description.unwrap_or_else(|| before.description.clone()),
        severity: p
            .severity
            .unwrap_or_else(|| i64::from(before.severity.get())),
        status: Some(p.status.unwrap_or_else(|| before.status.code().into())),
        reference: p.reference.unwrap_or_else(|| before.reference.clone()),
        found_by: p.found_by.unwrap_or_else(|| before.found_by.code().into()),
        found_on: p
            .found_on
            .unwrap_or_else(|| before.found_on.map(Day::to_db)),
    };
    let valid = validate_finding(&input)?;
    let after =
        store::update_vulnerability(&mut tx, id, &valid.fields(), version, Timestamp::now())
            .await?
            .ok_or(DomainError::StaleVersion {
                current: before.version,
            })?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Update,
            castellan_domain::risk::audit::RiskRecord::Vulnerability,
            id,
        )
        .before(&before)
        .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Filters of the finding list.
#[derive(Debug, Clone, Default)]
pub struct VulnerabilityQuery {
    /// Asset id.
    pub asset_id: Option<i64>,
    /// Status code.
    pub status: Option<String>,
    /// Minimum severity.
    pub min_severity: Option<i64>,
    /// How found.
    pub found_by: Option<String>,
    /// Substring of title or reference.
    pub q: Option<String>,
    /// Sort (`-severity` by default).
    pub sort: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// One page of the findings the caller may see.
pub async fn list_vulnerabilities(
    app: &App,
    ctx: &Ctx,
    query: &VulnerabilityQuery,
) -> Result<Page<Vulnerability>> {
    let scope = ctx
        .principal
        .read_scope(Resource::Vulnerability, Action::Read)?;
    let mut errors = FieldErrors::new();
    let limit = errors.check("limit", parse_limit(query.limit));
    let sort = errors.check(
        "sort",
        Sort::parse(
            Some(query.sort.as_deref().unwrap_or("-severity")),
            store::VULNERABILITY_SORTS,
        ),
    );
    let status = present(&query.status)
        .and_then(|c| errors.check("status", VulnerabilityStatus::from_code(c)));
    let found_by =
        present(&query.found_by).and_then(|c| errors.check("found_by", FoundBy::from_code(c)));
    let min_severity = query
        .min_severity
        .and_then(|s| errors.check("min_severity", Rating::new(s)));
    errors.into_result()?;
    let (Some(limit), Some(sort)) = (limit, sort) else {
        return Err(DomainError::BadRequest("invalid query".into()).into());
    };
    let after = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, &sort.code(), 2))
        .transpose()?;
    let filter = VulnerabilityFilter {
        asset_id: query.asset_id.map(AssetId),
        status,
        min_severity,
        found_by,
        q: query.q.clone(),
    };
    let mut conn = app.db().read().await?;
    let (items, next) =
        store::list_vulnerabilities(&mut conn, &filter, &scope, sort, after.as_ref(), limit)
            .await?;
    Ok(Page {
        items,
        next_cursor: next.map(|c| c.encode()),
    })
}

/// A control as submitted.
#[derive(Debug, Clone, Default)]
pub struct ControlInput {
    /// Name.
    pub name: String,
    /// Kind code.
    pub kind: String,
    /// Description.
    pub description: Option<String>,
    /// Effectiveness code (default `not_assessed`).
    pub effectiveness: Option<String>,
    /// The asset protected (`None`: organization-wide).
    pub asset_id: Option<i64>,
}

/// A partial change of a control.
#[derive(Debug, Clone, Default)]
pub struct ControlPatch {
    /// Name.
    pub name: Option<String>,
    /// Kind.
    pub kind: Option<String>,
    /// Description.
    pub description: Option<Option<String>>,
    /// Effectiveness.
    pub effectiveness: Option<String>,
    /// Asset.
    pub asset_id: Option<Option<i64>>,
}

struct ValidControl {
    name: String,
    kind: ControlKind,
    description: Option<String>,
    effectiveness: Effectiveness,
    asset_id: Option<AssetId>,
}

async fn validate_control(
    conn: &mut Conn,
    ctx: &Ctx,
    input: &ControlInput,
    action: Action,
) -> Result<ValidControl> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", clean_text(&input.name, 1, 200));
    let kind = errors.check("kind", ControlKind::from_code(input.kind.trim()));
    let description = errors.check(
        "description",
        clean_multiline(input.description.as_deref(), 8000),
    );
    let effectiveness = errors.check(
        "effectiveness",
        Effectiveness::from_code(
            input
                .effectiveness
                .as_deref()
                .map_or("not_assessed", str::trim),
        ),
    );
    errors.into_result()?;
    let asset_id = input.asset_id.map(AssetId);
    match asset_id {
        Some(asset) => {
            authorize_asset(conn, ctx, Resource::Control, action, asset, "asset_id").await?;
        }
        None => ctx
            .principal
            .authorize(Resource::Control, action, Target::Global)?,
    }
    match (name, kind, description, effectiveness) {
        (Some(name), Some(kind), Some(description), Some(effectiveness)) => Ok(ValidControl {
            name,
            kind,
            description,
            effectiveness,
            asset_id,
        }),
        _ => Err(DomainError::BadRequest("invalid control".into()).into()),
    }
}

impl ValidControl {
    fn fields(&self) -> ControlFields<'_> {
        ControlFields {
            name: &self.name,
            kind: self.kind,
            description: self.description.as_deref(),
            effectiveness: self.effectiveness,
            asset_id: self.asset_id,
        }
    }
}

/// Records a control.
pub async fn create_control(app: &App, ctx: &Ctx, input: &ControlInput) -> Result<Control> {
    ctx.principal
        .read_scope(Resource::Control, Action::Create)?;
    let mut tx = app.db().begin().await?;
    let valid = validate_control(&mut tx, ctx, input, Action::Create).await?;
    let c = store::insert_control(&mut tx, &valid.fields(), Timestamp::now()).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Create,
            castellan_domain::risk::audit::RiskRecord::Control,
            c.id,
        )
        .after(&c),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// One control.
pub async fn get_control(app: &App, ctx: &Ctx, id: ControlId) -> Result<Control> {
    ctx.principal.read_scope(Resource::Control, Action::Read)?;
    let mut conn = app.db().read().await?;
    store::get_control(&mut conn, id)
        .await?
        .ok_or_else(|| DomainError::not_found("control").into())
}

/// Changes a control if `version` is current.
pub async fn update_control(
    app: &App,
    ctx: &Ctx,
    id: ControlId,
    patch: &ControlPatch,
    version: i64,
) -> Result<Control> {
    ctx.principal
        .read_scope(Resource::Control, Action::Update)?;
    let mut tx = app.db().begin().await?;
    let before = store::get_control(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("control"))?;
    if before.version != version {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let p = patch.clone();
    let input = ControlInput {
        name: p.name.unwrap_or_else(|| before.name.clone()),
        kind: p.kind.unwrap_or_else(|| before.kind.code().into()),
        description: p.description.unwrap_or_else(|| before.description.clone()),
        effectiveness: Some(
            p.effectiveness
                .unwrap_or_else(|| before.effectiveness.code().into()),
        ),
        asset_id: p.asset_id.unwrap_or(before.asset_id.map(|a| a.0)),
    };
    let valid = validate_control(&mut tx, ctx, &input, Action::Update).await?;
    let after = store::update_control(&mut tx, id, &valid.fields(), version, Timestamp::now())
        .await?
        .ok_or(DomainError::StaleVersion {
            current: before.version,
        })?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Update,
            castellan_domain::risk::audit::RiskRecord::Control,
            id,
        )
        .before(&before)
        .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Filters of the control list.
#[derive(Debug, Clone, Default)]
pub struct ControlQuery {
    /// Protecting this asset (organization-wide controls included).
    pub asset_id: Option<i64>,
    /// Kind code.
    pub kind: Option<String>,
    /// Effectiveness code.
    pub effectiveness: Option<String>,
    /// Substring of the name.
    pub q: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// One page of controls, by name.
pub async fn list_controls(app: &App, ctx: &Ctx, query: &ControlQuery) -> Result<Page<Control>> {
    ctx.principal.read_scope(Resource::Control, Action::Read)?;
    let mut errors = FieldErrors::new();
    let limit = errors.check("limit", parse_limit(query.limit));
    let kind = present(&query.kind).and_then(|c| errors.check("kind", ControlKind::from_code(c)));
    let effectiveness = present(&query.effectiveness)
        .and_then(|c| errors.check("effectiveness", Effectiveness::from_code(c)));
    errors.into_result()?;
    let Some(limit) = limit else {
        return Err(DomainError::BadRequest("invalid query".into()).into());
    };
    let after = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, "name", 2))
        .transpose()?;
    let filter = ControlFilter {
        asset_id: query.asset_id.map(AssetId),
        kind,
        effectiveness,
        q: query.q.clone(),
    };
    let mut conn = app.db().read().await?;
    let (items, next) = store::list_controls(&mut conn, &filter, after.as_ref(), limit).await?;
    Ok(Page {
        items,
        next_cursor: next.map(|c| c.encode()),
    })
}
