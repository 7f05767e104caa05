//! Checklists: the shipped one (kept as shipped) and the organization's own, kept by the
//! inspection managers and read by whoever reads plans.

use super::{manages, reads_all};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::inspection::audit::InspectionRecord;
use castellan_domain::inspection::{
    self as rules, Checklist, ChecklistInput, InspectionConflict, ItemInput,
};
use castellan_domain::{
    Action, DomainError, FieldErrorKind, FieldErrors, Resource, Target, Timestamp,
};
use castellan_store::inspection::checklists as store;

pub(crate) fn not_found() -> crate::Error {
    DomainError::not_found("checklist").into()
}

fn snapshot(c: &Checklist) -> serde_json::Value {
    serde_json::json!({
        "code": c.code, "name": c.name, "description": c.description,
        "items": c.items.iter().map(|i| &i.code).collect::<Vec<_>>(),
    })
}

fn readable(ctx: &Ctx) -> Result<()> {
    if reads_all(ctx) || manages(ctx) {
        Ok(())
    } else {
        Err(DomainError::Forbidden {
            resource: Resource::Inspection,
            action: Action::Read,
        }
        .into())
    }
}

/// Every checklist with its number of items, the shipped one first.
pub async fn list(app: &App, ctx: &Ctx) -> Result<Vec<(Checklist, i64)>> {
    readable(ctx)?;
    let mut conn = app.db().read().await?;
    Ok(store::list(&mut conn).await?)
}

/// One checklist with its items.
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<Checklist> {
    readable(ctx)?;
    let mut conn = app.db().read().await?;
    store::get(&mut conn, id).await?.ok_or_else(not_found)
}

fn taken() -> crate::Error {
    FieldErrors::single("code", FieldErrorKind::Taken).into()
}

/// Creates a checklist (inspection managers); `copy_of` starts from another's items (the
/// shipped one's Chinese texts included) when `input.items` is empty.
pub async fn create(
    app: &App,
    ctx: &Ctx,
    input: &ChecklistInput,
    copy_of: Option<i64>,
) -> Result<Checklist> {
    ctx.principal
        .authorize(Resource::Inspection, Action::Create, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let source = match copy_of {
        Some(id) => Some(store::get(&mut tx, id).await?.ok_or_else(|| {
            crate::Error::from(FieldErrors::single("copy_of", FieldErrorKind::NoSuchRecord))
        })?),
        None => None,
    };
    let mut input = input.clone();
    if let Some(s) = &source
        && input.items.is_empty()
    {
        input.items = s
            .items
            .iter()
            .map(|i| ItemInput {
                code: i.code.clone(),
                area: i.area.code().to_owned(),
                text: i.text.clone(),
                text_zh: i.text_zh.clone(),
            })
            .collect();
    }
    let (code, name, description, items) = rules::check_checklist(&input)?;
    if store::id_of_code(&mut tx, &code).await?.is_some() {
        return Err(taken());
    }
    let now = Timestamp::now();
    let mut c = Checklist {
        id: 0,
        code,
        name,
        name_zh: None,
        description,
        builtin: false,
        items,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    c.id = store::insert(&mut tx, &c, (!ctx.system).then_some(ctx.principal.user_id))
        .await?
        .ok_or_else(taken)?;
    let mut after = snapshot(&c);
    if let (Some(s), Some(map)) = (&source, after.as_object_mut()) {
        map.insert("copied_from".into(), serde_json::json!(s.code));
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, InspectionRecord::Checklist, c.id).after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// Changes a checklist of the organization's (the shipped one is kept as shipped: 409
/// `checklist_builtin`). Inspections already scheduled keep the items they were given.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    input: &ChecklistInput,
    version: i64,
) -> Result<Checklist> {
    ctx.principal
        .authorize(Resource::Inspection, Action::Update, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let before = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    if before.builtin {
        return Err(InspectionConflict::ChecklistBuiltin.into());
    }
    if before.version != version {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let (code, name, description, items) = rules::check_checklist(input)?;
    if code != before.code && store::id_of_code(&mut tx, &code).await?.is_some() {
        return Err(taken());
    }
    let mut c = before.clone();
    c.code = code;
    c.name = name;
    c.description = description;
    c.items = items;
    let now = Timestamp::now();
    if !store::save(&mut tx, &c, now).await? {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, InspectionRecord::Checklist, id)
            .before(&snapshot(&before))
            .after(&snapshot(&c)),
    )
    .await?;
    let c = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(c)
}
