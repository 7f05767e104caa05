//! The threat catalog (SPEC §4.1): shipped entries in both languages plus the
//! organization's own; entries are retired rather than deleted, so old risks keep them.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::ids::ThreatId;
use castellan_domain::paging::{Cursor, Page, Sort, parse_limit};
use castellan_domain::permission::Target;
use castellan_domain::risk::register::{Bilingual, Threat};
use castellan_domain::risk::threat::{ThreatMethod, ThreatPath, ThreatSource};
use castellan_domain::values::{clean_multiline, clean_text};
use castellan_domain::{Action, DomainError, FieldErrorKind, FieldErrors, Resource, Timestamp};
use castellan_store::risk::threats::{self as store, ThreatFields, ThreatFilter};

/// A threat as submitted (codes for the enums).
#[derive(Debug, Clone, Default)]
pub struct ThreatInput {
    /// Code, unique (letters, digits, `-`, `_`, `.`).
    pub code: String,
    /// Source code.
    pub source: String,
    /// Path code.
    pub path: String,
    /// Method code.
    pub method: String,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: String,
    /// English description.
    pub description_en: String,
    /// Chinese description.
    pub description_zh: String,
    /// Offered for new risks (default true).
    pub active: Option<bool>,
}

impl ThreatInput {
    /// The input that would write `t` unchanged.
    pub(crate) fn of(t: &Threat) -> Self {
        ThreatInput {
            code: t.code.clone(),
            source: t.source.code().into(),
            path: t.path.code().into(),
            method: t.method.code().into(),
            name_en: t.name.en.clone(),
            name_zh: t.name.zh.clone(),
            description_en: t.description.en.clone(),
            description_zh: t.description.zh.clone(),
            active: Some(t.active),
        }
    }
}

/// A partial change.
#[derive(Debug, Clone, Default)]
pub struct ThreatPatch {
    /// Code.
    pub code: Option<String>,
    /// Source.
    pub source: Option<String>,
    /// Path.
    pub path: Option<String>,
    /// Method.
    pub method: Option<String>,
    /// English name.
    pub name_en: Option<String>,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// English description.
    pub description_en: Option<String>,
    /// Chinese description.
    pub description_zh: Option<String>,
    /// Offered for new risks.
    pub active: Option<bool>,
}

/// A threat whose fields passed [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Valid {
    pub(crate) code: String,
    pub(crate) source: ThreatSource,
    pub(crate) path: ThreatPath,
    pub(crate) method: ThreatMethod,
    pub(crate) name: Bilingual,
    pub(crate) description: Bilingual,
    pub(crate) active: bool,
}

impl Valid {
    /// The stored threat's fields, to tell whether a change would change anything.
    pub(crate) fn of(t: &Threat) -> Self {
        Valid {
            code: t.code.clone(),
            source: t.source,
            path: t.path,
            method: t.method,
            name: t.name.clone(),
            description: t.description.clone(),
            active: t.active,
        }
    }

    pub(crate) fn fields(&self) -> ThreatFields<'_> {
        ThreatFields {
            code: &self.code,
            source: self.source,
            path: self.path,
            method: self.method,
            name: &self.name,
            description: &self.description,
            active: self.active,
        }
    }
}

fn check_code(raw: &str) -> std::result::Result<String, FieldErrorKind> {
    let code = clean_text(raw, 1, 32)?;
    if code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Ok(code)
    } else {
        Err(FieldErrorKind::invalid(
            "letters, digits, '-', '_' and '.' only",
            "只能使用字母、数字、“-”、“_”和“.”",
        ))
    }
}

/// Checks every field of a threat on its own (everything but the code being taken).
pub(crate) fn check(input: &ThreatInput) -> std::result::Result<Valid, FieldErrors> {
    let mut errors = FieldErrors::new();
    let code = errors.check("code", check_code(&input.code));
    let source = errors.check("source", ThreatSource::from_code(input.source.trim()));
    let path = errors.check("path", ThreatPath::from_code(input.path.trim()));
    let method = errors.check("method", ThreatMethod::from_code(input.method.trim()));
    let name_en = errors.check("name_en", clean_text(&input.name_en, 1, 200));
    let name_zh = errors.check("name_zh", clean_text(&input.name_zh, 1, 200));
    let long = |s: &str| clean_multiline(Some(s), 4000).map(Option::unwrap_or_default);
    let description_en = errors.check("description_en", long(&input.description_en));
    let description_zh = errors.check("description_zh", long(&input.description_zh));
    match (
        code,
        source,
        path,
        method,
        name_en,
        name_zh,
        description_en,
        description_zh,
    ) {
        (
            Some(code),
            Some(source),
            Some(path),
            Some(method),
            Some(en),
            Some(zh),
            Some(de),
            Some(dz),
        ) if errors.is_empty() => Ok(Valid {
            code,
            source,
            path,
            method,
            name: Bilingual { en, zh },
            description: Bilingual { en: de, zh: dz },
            active: input.active.unwrap_or(true),
        }),
        _ => Err(errors),
    }
}

async fn validate(
    conn: &mut castellan_store::Conn,
    input: &ThreatInput,
    current: Option<ThreatId>,
) -> Result<Valid> {
    let checked = check(input);
    let mut errors = match &checked {
        Ok(_) => FieldErrors::new(),
        Err(e) => e.clone(),
    };
    if let Ok(code) = check_code(&input.code)
        && let Some(other) = store::find_by_code(conn, &code).await?
        && Some(other.id) != current
    {
        errors.add("code", FieldErrorKind::Taken);
    }
    errors.into_result()?;
    checked.map_err(|e| DomainError::Validation(e).into())
}

/// Adds a threat of the organization's own.
pub async fn create(app: &App, ctx: &Ctx, input: &ThreatInput) -> Result<Threat> {
    ctx.principal
        .authorize(Resource::Threat, Action::Create, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let valid = validate(&mut tx, input, None).await?;
    let threat = store::insert(&mut tx, &valid.fields(), false, Timestamp::now()).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Create,
            castellan_domain::risk::audit::RiskRecord::Threat,
            threat.id,
        )
        .after(&threat),
    )
    .await?;
    tx.commit().await?;
    Ok(threat)
}

/// One threat.
pub async fn get(app: &App, ctx: &Ctx, id: ThreatId) -> Result<Threat> {
    ctx.principal
        .authorize(Resource::Threat, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    store::get(&mut conn, id)
        .await?
        .ok_or_else(|| DomainError::not_found("threat").into())
}

/// Changes a threat (shipped ones too: an organization may reword them) if `version` is
/// current. Setting `active` to false retires it.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: ThreatId,
    patch: &ThreatPatch,
    version: i64,
) -> Result<Threat> {
    ctx.principal
        .authorize(Resource::Threat, Action::Update, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let before = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("threat"))?;
    if before.version != version {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let p = patch.clone();
    let mut input = ThreatInput::of(&before);
    input.code = p.code.unwrap_or(input.code);
    input.source = p.source.unwrap_or(input.source);
    input.path = p.path.unwrap_or(input.path);
    input.method = p.method.unwrap_or(input.method);
    input.name_en = p.name_en.unwrap_or(input.name_en);
    input.name_zh = p.name_zh.unwrap_or(input.name_zh);
    input.description_en = p.description_en.unwrap_or(input.description_en);
    input.description_zh = p.description_zh.unwrap_or(input.description_zh);
    input.active = p.active.or(input.active);
    let valid = validate(&mut tx, &input, Some(id)).await?;
    let after = store::update(&mut tx, id, &valid.fields(), version, Timestamp::now())
        .await?
        .ok_or(DomainError::StaleVersion {
            current: before.version,
        })?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Update,
            castellan_domain::risk::audit::RiskRecord::Threat,
            id,
        )
        .before(&before)
        .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Filters of the catalog list.
#[derive(Debug, Clone, Default)]
pub struct ThreatQuery {
    /// Substring of code or name.
    pub q: Option<String>,
    /// Source code.
    pub source: Option<String>,
    /// Path code.
    pub path: Option<String>,
    /// Method code.
    pub method: Option<String>,
    /// Active only (true) or retired only (false).
    pub active: Option<bool>,
    /// Sort.
    pub sort: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// One page of the catalog.
pub async fn list(app: &App, ctx: &Ctx, query: &ThreatQuery) -> Result<Page<Threat>> {
    ctx.principal
        .authorize(Resource::Threat, Action::Read, Target::Global)?;
    let mut errors = FieldErrors::new();
    let limit = errors.check("limit", parse_limit(query.limit));
    let sort = errors.check("sort", Sort::parse(query.sort.as_deref(), store::SORTS));
    let code = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let source =
        code(&query.source).and_then(|c| errors.check("source", ThreatSource::from_code(&c)));
    let path = code(&query.path).and_then(|c| errors.check("path", ThreatPath::from_code(&c)));
    let method =
        code(&query.method).and_then(|c| errors.check("method", ThreatMethod::from_code(&c)));
    errors.into_result()?;
    let (Some(limit), Some(sort)) = (limit, sort) else {
        return Err(DomainError::BadRequest("invalid query".into()).into());
    };
    let after = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, &sort.code(), 2))
        .transpose()?;
    let filter = ThreatFilter {
        q: query.q.clone(),
        source,
        path,
        method,
        active: query.active,
    };
    let mut conn = app.db().read().await?;
    let (items, next) = store::list(&mut conn, &filter, sort, after.as_ref(), limit).await?;
    Ok(Page {
        items,
        next_cursor: next.map(|c| c.encode()),
    })
}

/// The whole catalog in code order (pickers and exports).
pub async fn all(app: &App, ctx: &Ctx, active_only: bool) -> Result<Vec<Threat>> {
    ctx.principal
        .authorize(Resource::Threat, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    Ok(store::all(&mut conn, active_only).await?)
}
