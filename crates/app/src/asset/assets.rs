//! The asset register (SPEC §3): assets with C/I/A valuation and their lifecycle.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::settings;
use crate::{App, Ctx};
use castellan_domain::asset::AssetConflict;
use castellan_domain::asset::register::{Asset, AssetEvent};
use castellan_domain::asset::{
    self as rules, AssetStatus, Category, Classification, EventKind, Rating, ValuationMethod, Zone,
};
use castellan_domain::ids::AssetId;
use castellan_domain::paging::{Cursor, Page, Sort, parse_limit};
use castellan_domain::permission::Target;
use castellan_domain::values::{clean_optional, clean_text};
use castellan_domain::{
    Action, DepartmentId, DepartmentPath, DomainError, FieldErrorKind, FieldErrors, Resource,
    Timestamp, UserId,
};
use castellan_store::asset::assets::{self as store, AssetFields, AssetFilter, NewEvent};
use castellan_store::{Conn, org::departments, org::users};

/// An asset as submitted for creation. Enum fields are codes and ratings plain numbers, so
/// that every problem is reported against its field.
#[derive(Debug, Clone, Default)]
pub struct AssetInput {
    /// The organization's asset ID.
    pub code: String,
    /// Name.
    pub name: String,
    /// Category code.
    pub category: String,
    /// Department id.
    pub department_id: Option<i64>,
    /// Responsible person (user id).
    pub owner_id: Option<i64>,
    /// Keeper or user, free text.
    pub custodian: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Zone code.
    pub zone: Option<String>,
    /// Classification code.
    pub classification: Option<String>,
    /// Confidentiality 1–5.
    pub confidentiality: i64,
    /// Integrity 1–5.
    pub integrity: i64,
    /// Availability 1–5.
    pub availability: i64,
    /// Initial status (`planned` when absent; `in_use` and `idle` also allowed).
    pub status: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Notes.
    pub notes: Option<String>,
}

impl AssetInput {
    /// The stored asset as input, so an update validates exactly what it will write.
    fn of(a: &Asset) -> Self {
        AssetInput {
            code: a.code.clone(),
            name: a.name.clone(),
            category: a.category.code().to_owned(),
            department_id: a.department_id.map(|d| d.0),
            owner_id: a.owner_id.map(|u| u.0),
            custodian: a.custodian.clone(),
            location: a.location.clone(),
            zone: a.zone.map(|z| z.code().to_owned()),
            classification: a.classification.map(|c| c.code().to_owned()),
            confidentiality: i64::from(a.confidentiality.get()),
            integrity: i64::from(a.integrity.get()),
            availability: i64::from(a.availability.get()),
            status: None,
            tags: a.tags.clone(),
            notes: a.notes.clone(),
        }
    }

    /// This input with the fields `patch` sets.
    fn patched(mut self, patch: &AssetPatch) -> Self {
        let p = patch.clone();
        self.code = p.code.unwrap_or(self.code);
        self.name = p.name.unwrap_or(self.name);
        self.category = p.category.unwrap_or(self.category);
        self.department_id = p.department_id.unwrap_or(self.department_id);
        self.owner_id = p.owner_id.unwrap_or(self.owner_id);
        self.custodian = p.custodian.unwrap_or(self.custodian);
        self.location = p.location.unwrap_or(self.location);
        self.zone = p.zone.unwrap_or(self.zone);
        self.classification = p.classification.unwrap_or(self.classification);
        self.confidentiality = p.confidentiality.unwrap_or(self.confidentiality);
        self.integrity = p.integrity.unwrap_or(self.integrity);
        self.availability = p.availability.unwrap_or(self.availability);
        self.tags = p.tags.unwrap_or(self.tags);
        self.notes = p.notes.unwrap_or(self.notes);
        self
    }
}

/// A partial change; `None` leaves a field, `Some(None)` clears it. Status changes only
/// through lifecycle events.
#[derive(Debug, Clone, Default)]
pub struct AssetPatch {
    /// Asset ID.
    pub code: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// Department (a change is recorded as a transfer).
    pub department_id: Option<Option<i64>>,
    /// Responsible person (a change is recorded as a transfer).
    pub owner_id: Option<Option<i64>>,
    /// Keeper.
    pub custodian: Option<Option<String>>,
    /// Location.
    pub location: Option<Option<String>>,
    /// Zone code.
    pub zone: Option<Option<String>>,
    /// Classification code.
    pub classification: Option<Option<String>>,
    /// Confidentiality.
    pub confidentiality: Option<i64>,
    /// Integrity.
    pub integrity: Option<i64>,
    /// Availability.
    pub availability: Option<i64>,
    /// Tags (the complete new list).
    pub tags: Option<Vec<String>>,
    /// Notes.
    pub notes: Option<Option<String>>,
}

/// A lifecycle event as submitted.
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    /// Event code (`purchase`, `deploy`, `change`, `transfer`, `maintenance`, `retire`).
    pub kind: String,
    /// What happened, in the user's words.
    pub note: Option<String>,
    /// For `change`: take out of service (`idle`) or back into service (`in_use`).
    pub status: Option<String>,
    /// For `transfer`: the new department.
    pub department_id: Option<Option<i64>>,
    /// For `transfer`: the new responsible person.
    pub owner_id: Option<Option<i64>>,
    /// For `transfer`/`change`: the new location.
    pub location: Option<Option<String>>,
}

/// Query of the asset list, as submitted.
#[derive(Debug, Clone, Default)]
pub struct AssetQuery {
    /// Free-text search.
    pub q: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// Department id (with sub-departments).
    pub department_id: Option<i64>,
    /// Zone code.
    pub zone: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Classification code.
    pub classification: Option<String>,
    /// Value level 1–5.
    pub value_level: Option<i64>,
    /// Owner user id.
    pub owner_id: Option<i64>,
    /// Tag.
    pub tag: Option<String>,
    /// Sort (`code`, `-value_score`, …).
    pub sort: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// An asset with what is needed to show and change it.
#[derive(Debug, Clone)]
pub struct AssetView {
    /// The asset.
    pub asset: Asset,
    /// Lifecycle events the caller may record now.
    pub allowed_events: Vec<EventKind>,
}

/// Validated, owned fields of one asset, ready for the store: from a form or the API
/// ([`validate`]) or from a row of a file (the import).
pub(crate) struct Valid {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) category: Category,
    pub(crate) department_id: Option<DepartmentId>,
    pub(crate) department_path: Option<DepartmentPath>,
    pub(crate) owner_id: Option<UserId>,
    pub(crate) custodian: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) zone: Option<Zone>,
    pub(crate) classification: Option<Classification>,
    pub(crate) c: Rating,
    pub(crate) i: Rating,
    pub(crate) a: Rating,
    pub(crate) tags: Vec<String>,
    pub(crate) notes: Option<String>,
}

impl Valid {
    /// The store's fields, valued with `method`.
    pub(crate) fn fields(&self, method: ValuationMethod, status: AssetStatus) -> AssetFields<'_> {
        let v = rules::evaluate(method, self.c, self.i, self.a);
        AssetFields {
            code: &self.code,
            name: &self.name,
            category: self.category,
            department_id: self.department_id,
            owner_id: self.owner_id,
            custodian: self.custodian.as_deref(),
            location: self.location.as_deref(),
            zone: self.zone,
            classification: self.classification,
            confidentiality: self.c,
            integrity: self.i,
            availability: self.a,
            value_score: v.score,
            value_level: v.level,
            status,
            tags: &self.tags,
            notes: self.notes.as_deref(),
        }
    }
}

fn optional_code<T>(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> std::result::Result<T, FieldErrorKind>,
) -> Option<Option<T>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(code) => errors.check(field, parse(code)).map(Some),
    }
}

/// Checks every field of `input`, loading department and owner, recording problems.
/// `current_code` is the code the asset already has (an update), which is not a clash.
async fn validate(
    conn: &mut Conn,
    input: &AssetInput,
    current_code: Option<&str>,
    errors: &mut FieldErrors,
) -> Result<Option<Valid>> {
    let code = errors.check("code", rules::parse_code(&input.code));
    let name = errors.check("name", clean_text(&input.name, 1, 200));
    let category = errors.check("category", Category::from_code(input.category.trim()));
    let custodian = errors.check("custodian", clean_optional(input.custodian.as_deref(), 100));
    let location = errors.check("location", clean_optional(input.location.as_deref(), 200));
    let zone = optional_code(errors, "zone", input.zone.as_deref(), Zone::from_code);
    let classification = optional_code(
        errors,
        "classification",
        input.classification.as_deref(),
        Classification::from_code,
    );
    let c = errors.check("confidentiality", Rating::new(input.confidentiality));
    let i = errors.check("integrity", Rating::new(input.integrity));
    let a = errors.check("availability", Rating::new(input.availability));
    let tags = errors.check("tags", rules::parse_tags(&input.tags));
    let notes = errors.check("notes", clean_optional(input.notes.as_deref(), 4000));
    let mut department_path = None;
    if let Some(id) = input.department_id {
        match departments::get(conn, DepartmentId(id)).await? {
            Some(d) => department_path = Some(d.path),
            None => errors.add("department_id", FieldErrorKind::NoSuchRecord),
        }
    }
    if let Some(id) = input.owner_id
        && users::get(conn, UserId(id)).await?.is_none()
    {
        errors.add("owner_id", FieldErrorKind::NoSuchRecord);
    }
    if let Some(code) = &code
        && Some(code.as_str()) != current_code
        && store::find_by_code(conn, code).await?.is_some()
    {
        errors.add("code", FieldErrorKind::Taken);
    }
    Ok((|| {
        Some(Valid {
            code: code?,
            name: name?,
            category: category?,
            department_id: input.department_id.map(DepartmentId),
            department_path,
            owner_id: input.owner_id.map(UserId),
            custodian: custodian?,
            location: location?,
            zone: zone?,
            classification: classification?,
            c: c?,
            i: i?,
            a: a?,
            tags: tags?,
            notes: notes?,
        })
    })())
}

pub(crate) fn target(path: Option<&DepartmentPath>) -> Target<'_> {
    path.map_or(Target::Global, Target::Department)
}

pub(crate) async fn path_of(
    conn: &mut Conn,
    dept: Option<DepartmentId>,
) -> Result<Option<DepartmentPath>> {
    Ok(match dept {
        None => None,
        Some(id) => departments::get(conn, id).await?.map(|d| d.path),
    })
}

/// The organization's valuation method (the default until someone chooses another).
pub async fn method(conn: &mut Conn) -> Result<ValuationMethod> {
    Ok(settings::valuation(conn).await?.0)
}

/// Registers an asset (asset keepers; a department-limited keeper only in their subtree).
pub async fn create(app: &App, ctx: &Ctx, input: &AssetInput) -> Result<AssetView> {
    ctx.principal.read_scope(Resource::Asset, Action::Create)?;
    let mut tx = app.db().begin().await?;
    let mut errors = FieldErrors::new();
    let valid = validate(&mut tx, input, None, &mut errors).await?;
    let status = match input
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(AssetStatus::Planned),
        Some(code) => match AssetStatus::from_code(code) {
            Ok(s @ (AssetStatus::Planned | AssetStatus::InUse | AssetStatus::Idle)) => Some(s),
            Ok(_) => {
                errors.add(
                    "status",
                    FieldErrorKind::invalid(
                        "a new asset starts as planned, in_use or idle",
                        "新资产的状态只能是规划中、在用或闲置",
                    ),
                );
                None
            }
            Err(e) => {
                errors.add("status", e);
                None
            }
        },
    };
    if let Some(v) = &valid {
        ctx.principal.authorize(
            Resource::Asset,
            Action::Create,
            target(v.department_path.as_ref()),
        )?;
    }
    errors.into_result()?;
    let (Some(valid), Some(status)) = (valid, status) else {
        return Err(DomainError::BadRequest("invalid asset".into()).into());
    };
    let method = method(&mut tx).await?;
    let asset = store::insert(&mut tx, &valid.fields(method, status), Timestamp::now()).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Create,
            castellan_domain::asset::audit::AssetRecord::Asset,
            asset.id,
        )
        .after(&asset),
    )
    .await?;
    tx.commit().await?;
    Ok(view(asset))
}

fn view(asset: Asset) -> AssetView {
    AssetView {
        allowed_events: rules::allowed_events(asset.status),
        asset,
    }
}

/// Loads an asset the caller may see with `action`, or the refusal.
async fn load(
    conn: &mut Conn,
    ctx: &Ctx,
    id: AssetId,
    action: Action,
) -> Result<(Asset, Option<DepartmentPath>)> {
    let asset = store::get(conn, id)
        .await?
        .ok_or(DomainError::not_found("asset"))?;
    let path = path_of(conn, asset.department_id).await?;
    if let Err(e) = ctx
        .principal
        .authorize(Resource::Asset, action, target(path.as_ref()))
    {
        // Someone who may not even read it learns nothing about its existence.
        if action != Action::Read
            && ctx
                .principal
                .is_allowed(Resource::Asset, Action::Read, target(path.as_ref()))
        {
            return Err(e.into());
        }
        return Err(DomainError::not_found("asset").into());
    }
    Ok((asset, path))
}

/// One asset.
pub async fn get(app: &App, ctx: &Ctx, id: AssetId) -> Result<AssetView> {
    let mut conn = app.db().read().await?;
    let (asset, _) = load(&mut conn, ctx, id, Action::Read).await?;
    Ok(view(asset))
}

/// A person named as an asset's owner, as pages show them.
#[derive(Debug, Clone)]
pub struct OwnerRef {
    /// User id.
    pub id: UserId,
    /// Sign-in name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
}

/// The owner of an asset the caller may read (`None` when it has none, or they are gone).
pub async fn owner(app: &App, ctx: &Ctx, id: AssetId) -> Result<Option<OwnerRef>> {
    let mut conn = app.db().read().await?;
    let (asset, _) = load(&mut conn, ctx, id, Action::Read).await?;
    let Some(owner) = asset.owner_id else {
        return Ok(None);
    };
    Ok(users::get(&mut conn, owner).await?.map(|u| OwnerRef {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
    }))
}

/// The user a form names as owner, by username, for someone who may register assets.
pub async fn owner_by_username(app: &App, ctx: &Ctx, username: &str) -> Result<Option<OwnerRef>> {
    ctx.principal.read_scope(Resource::Asset, Action::Read)?;
    let mut conn = app.db().read().await?;
    let name = username.trim().to_lowercase();
    Ok(users::find_by_username(&mut conn, &name)
        .await?
        .map(|u| OwnerRef {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
        }))
}

/// The lifecycle of an asset, oldest first.
pub async fn events(app: &App, ctx: &Ctx, id: AssetId) -> Result<Vec<AssetEvent>> {
    let mut conn = app.db().read().await?;
    load(&mut conn, ctx, id, Action::Read).await?;
    Ok(store::events(&mut conn, id).await?)
}

/// Changes an asset if `version` is current. A new department or owner is recorded as a
/// `transfer` event; ratings are revalued with the organization's method.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: AssetId,
    patch: &AssetPatch,
    version: i64,
) -> Result<AssetView> {
    let mut tx = app.db().begin().await?;
    let (current, _) = load(&mut tx, ctx, id, Action::Update).await?;
    if current.version != version {
        return Err(DomainError::StaleVersion {
            current: current.version,
        }
        .into());
    }
    if current.status == AssetStatus::Retired {
        return Err(AssetConflict::AssetRetired.into());
    }
    let input = AssetInput::of(&current).patched(patch);
    let mut errors = FieldErrors::new();
    let valid = validate(&mut tx, &input, Some(&current.code), &mut errors).await?;
    errors.into_result()?;
    let Some(valid) = valid else {
        return Err(DomainError::BadRequest("invalid asset".into()).into());
    };
    let moved = valid.department_id != current.department_id || valid.owner_id != current.owner_id;
    if valid.department_id != current.department_id {
        // Moving an asset needs the right in the new place as well.
        ctx.principal.authorize(
            Resource::Asset,
            Action::Update,
            target(valid.department_path.as_ref()),
        )?;
    }
    let method = method(&mut tx).await?;
    let now = Timestamp::now();
    let updated = store::update(
        &mut tx,
        id,
        &valid.fields(method, current.status),
        version,
        now,
    )
    .await?
    .ok_or(DomainError::StaleVersion {
        current: current.version,
    })?;
    if moved {
        let details = transfer_details(&current, &updated);
        store::add_event(
            &mut tx,
            &NewEvent {
                asset_id: id,
                kind: EventKind::Transfer,
                at: now,
                actor_id: ctx.actor().id,
                actor: &ctx.principal.username,
                note: None,
                from_status: current.status,
                to_status: current.status,
                details: Some(&details),
            },
        )
        .await?;
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Update,
            castellan_domain::asset::audit::AssetRecord::Asset,
            id,
        )
        .before(&current)
        .after(&updated),
    )
    .await?;
    tx.commit().await?;
    Ok(view(updated))
}

fn transfer_details(before: &Asset, after: &Asset) -> serde_json::Value {
    let mut d = serde_json::Map::new();
    if before.department_id != after.department_id {
        d.insert(
            "department_id".into(),
            serde_json::json!({"from": before.department_id, "to": after.department_id}),
        );
    }
    if before.owner_id != after.owner_id {
        d.insert(
            "owner_id".into(),
            serde_json::json!({"from": before.owner_id, "to": after.owner_id}),
        );
    }
    if before.location != after.location {
        d.insert(
            "location".into(),
            serde_json::json!({"from": before.location, "to": after.location}),
        );
    }
    serde_json::Value::Object(d)
}

/// Records a lifecycle event: moves the status by the lifecycle's rules (409 for a move it
/// does not allow) and, for a transfer, changes department, owner or location.
pub async fn record_event(
    app: &App,
    ctx: &Ctx,
    id: AssetId,
    input: &EventInput,
    version: Option<i64>,
) -> Result<(AssetEvent, AssetView)> {
    let mut errors = FieldErrors::new();
    let kind = errors.check("kind", EventKind::from_code(input.kind.trim()));
    let note = errors.check("note", clean_optional(input.note.as_deref(), 2000));
    let requested = optional_code(
        &mut errors,
        "status",
        input.status.as_deref(),
        AssetStatus::from_code,
    );
    let location = match &input.location {
        None => Some(None),
        Some(l) => errors
            .check("location", clean_optional(l.as_deref(), 200))
            .map(Some),
    };
    let moves_things =
        input.department_id.is_some() || input.owner_id.is_some() || input.location.is_some();
    if moves_things && !matches!(kind, Some(EventKind::Transfer | EventKind::Change)) {
        errors.add(
            "kind",
            FieldErrorKind::invalid(
"only a transfer changes department or owner, and only a transfer or change the location",
"只有“移交”能改变部门或责任人，只有“移交”或“变更”能改变位置",
),
        );
    }
    if (input.department_id.is_some() || input.owner_id.is_some())
        && kind == Some(EventKind::Change)
    {
        errors.add(
            "kind",
            FieldErrorKind::invalid(
                "a new department or owner is a transfer",
                "改变部门或责任人须登记为“移交”",
            ),
        );
    }
    errors.into_result()?;
    let (Some(kind), Some(note), Some(requested), Some(location)) =
        (kind, note, requested, location)
    else {
        return Err(DomainError::BadRequest("invalid event".into()).into());
    };
    let mut tx = app.db().begin().await?;
    let (current, _) = load(&mut tx, ctx, id, Action::Update).await?;
    if let Some(v) = version
        && v != current.version
    {
        return Err(DomainError::StaleVersion {
            current: current.version,
        }
        .into());
    }
    let to_status = rules::next_status(current.status, kind, requested)?;
    let mut input_after = AssetInput::of(&current);
    if let Some(d) = input.department_id {
        input_after.department_id = d;
    }
    if let Some(o) = input.owner_id {
        input_after.owner_id = o;
    }
    if let Some(l) = location {
        input_after.location = l;
    }
    let mut errors = FieldErrors::new();
    let valid = validate(&mut tx, &input_after, Some(&current.code), &mut errors).await?;
    errors.into_result()?;
    let Some(valid) = valid else {
        return Err(DomainError::BadRequest("invalid event".into()).into());
    };
    if valid.department_id != current.department_id {
        ctx.principal.authorize(
            Resource::Asset,
            Action::Update,
            target(valid.department_path.as_ref()),
        )?;
    }
    let method = method(&mut tx).await?;
    let now = Timestamp::now();
    let updated = store::update(
        &mut tx,
        id,
        &valid.fields(method, to_status),
        current.version,
        now,
    )
    .await?
    .ok_or(DomainError::StaleVersion {
        current: current.version,
    })?;
    let details = transfer_details(&current, &updated);
    let details = details
        .as_object()
        .is_some_and(|m| !m.is_empty())
        .then_some(details);
    let event = store::add_event(
        &mut tx,
        &NewEvent {
            asset_id: id,
            kind,
            at: now,
            actor_id: ctx.actor().id,
            actor: &ctx.principal.username,
            note: note.as_deref(),
            from_status: current.status,
            to_status,
            details: details.as_ref(),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(kind, castellan_domain::asset::audit::AssetRecord::Asset, id)
            .before(&current)
            .after(&updated),
    )
    .await?;
    tx.commit().await?;
    Ok((event, view(updated)))
}

/// Turns the submitted query into a store filter, recording problems per field.
pub async fn filter_of(conn: &mut Conn, query: &AssetQuery) -> Result<AssetFilter> {
    let mut errors = FieldErrors::new();
    let category = optional_code(
        &mut errors,
        "category",
        query.category.as_deref(),
        Category::from_code,
    );
    let zone = optional_code(&mut errors, "zone", query.zone.as_deref(), Zone::from_code);
    let status = optional_code(
        &mut errors,
        "status",
        query.status.as_deref(),
        AssetStatus::from_code,
    );
    let classification = optional_code(
        &mut errors,
        "classification",
        query.classification.as_deref(),
        Classification::from_code,
    );
    let value_level = match query.value_level {
        None => Some(None),
        Some(v) => match rules::ValueLevel::new(v) {
            Some(l) => Some(Some(l)),
            None => {
                errors.add("value_level", FieldErrorKind::OutOfRange { min: 1, max: 5 });
                None
            }
        },
    };
    let department = match query.department_id {
        None => None,
        Some(id) => {
            let path = path_of(conn, Some(DepartmentId(id))).await?;
            if path.is_none() {
                errors.add("department_id", FieldErrorKind::NoSuchRecord);
            }
            path
        }
    };
    let q = errors.check("q", clean_optional(query.q.as_deref(), 200));
    let tag = errors.check("tag", clean_optional(query.tag.as_deref(), 32));
    errors.into_result()?;
    Ok(AssetFilter {
        q: q.flatten(),
        category: category.flatten(),
        department,
        zone: zone.flatten(),
        status: status.flatten(),
        classification: classification.flatten(),
        value_level: value_level.flatten(),
        owner_id: query.owner_id.map(UserId),
        tag: tag.flatten(),
    })
}

/// One page of the assets the caller may see.
pub async fn list(app: &App, ctx: &Ctx, query: &AssetQuery) -> Result<Page<Asset>> {
    let scope = ctx.principal.read_scope(Resource::Asset, Action::Read)?;
    let mut errors = FieldErrors::new();
    let limit = errors.check("limit", parse_limit(query.limit));
    let sort = errors.check("sort", Sort::parse(query.sort.as_deref(), store::SORTS));
    errors.into_result()?;
    let (Some(limit), Some(sort)) = (limit, sort) else {
        return Err(DomainError::BadRequest("invalid query".into()).into());
    };
    let after = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, &sort.code(), 2))
        .transpose()?;
    let mut conn = app.db().read().await?;
    let filter = filter_of(&mut conn, query).await?;
    let (items, next) =
        store::list(&mut conn, &filter, &scope, sort, after.as_ref(), limit).await?;
    Ok(Page {
        items,
        next_cursor: next.map(|c| c.encode()),
    })
}

/// The audit entries of an asset, oldest first.
pub async fn history(
    app: &App,
    ctx: &Ctx,
    id: AssetId,
) -> Result<Vec<castellan_domain::audit::AuditEntry>> {
    get(app, ctx, id).await?;
    crate::audit::history_of(
        app,
        castellan_domain::asset::audit::AssetRecord::Asset,
        &id.to_string(),
    )
    .await
}
