//! Disaster-recovery plans (SPEC §6.7): the assets a plan recovers, the controlled document
//! that holds it, its owner and RTO, the day it came into force, and its drills.

use super::{asset_names, assets, authorize_read, authorize_write, person, stale, today, writes};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::continuity::audit::ContinuityRecord;
use castellan_domain::continuity::{self as rules, DrPlan, DrPlanInput};
use castellan_domain::ids::{AssetId, UserId};
use castellan_domain::paging::Page;
use castellan_domain::{Action, Day, DomainError, FieldErrorKind, FieldErrors, Timestamp};
use castellan_store::Conn;
use castellan_store::continuity::dr_plans::{self as store, DrPlanFilter};
use castellan_store::continuity::drills::{self as dstore, DrillFilter, DrillLine};
use castellan_store::document::documents;

pub(crate) fn not_found() -> crate::Error {
    DomainError::not_found("DR plan").into()
}

/// A DR plan as its keeper gives it. On a change, what is not given stays.
#[derive(Debug, Clone, Default)]
pub struct DrPlanForm {
    /// Title.
    pub title: Option<String>,
    /// The assets it recovers (replacing the list when given).
    pub asset_ids: Option<Vec<AssetId>>,
    /// The same, by codes (forms).
    pub asset_codes: Option<Vec<String>>,
    /// The document that holds it.
    pub document_id: Option<i64>,
    /// The same, by reference (forms).
    pub document_code: Option<String>,
    /// Who keeps it (default: the caller).
    pub owner_id: Option<UserId>,
    /// The same, by username (forms).
    pub owner_username: Option<String>,
    /// RTO in hours (> 0).
    pub rto_hours: Option<i64>,
    /// In force since (default: today).
    pub adopted_at: Option<Day>,
    /// What it covers.
    pub description: Option<String>,
}

/// A DR plan as a caller sees it.
#[derive(Debug, Clone)]
pub struct DrPlanView {
    /// The plan.
    pub plan: DrPlan,
    /// Its assets: id, code, name.
    pub assets: Vec<(AssetId, String, String)>,
    /// Its document: code and title.
    pub document: (String, String),
    /// Its drills, latest first (up to 50).
    pub drills: Vec<DrillLine>,
    /// Whether the caller may change it and record drills.
    pub may_edit: bool,
}

async fn view(conn: &mut Conn, ctx: &Ctx, plan: DrPlan) -> Result<DrPlanView> {
    let assets = asset_names(conn, &plan.asset_ids).await?;
    let document = documents::get(conn, plan.document_id)
        .await?
        .map(|d| (d.code, d.title))
        .unwrap_or_default();
    let filter = DrillFilter {
        plan: Some(plan.id),
        ..DrillFilter::default()
    };
    let sort = castellan_domain::paging::Sort {
        field: "held_at",
        descending: true,
    };
    let (drills, _) = dstore::list(conn, &filter, sort, None, 50).await?;
    Ok(DrPlanView {
        assets,
        document,
        drills,
        may_edit: writes(ctx),
        plan,
    })
}

fn snapshot(
    p: &DrPlan,
    assets: &[(AssetId, String, String)],
    doc: &(String, String),
) -> serde_json::Value {
    serde_json::json!({
        "code": p.code, "title": p.title,
        "assets": assets.iter().map(|a| format!("{} {}", a.1, a.2)).collect::<Vec<_>>(),
        "asset_ids": p.asset_ids.iter().map(|a| a.0).collect::<Vec<_>>(),
        "document": format!("{} {}", doc.0, doc.1), "document_id": p.document_id,
        "owner_id": p.owner_id.0, "rto_hours": p.rto_hours, "adopted_at": p.adopted_at,
        "description": p.description,
    })
}

/// The document named by id or reference (`document_id` refused otherwise).
async fn document(
    conn: &mut Conn,
    form: &DrPlanForm,
    errors: &mut FieldErrors,
) -> Result<Option<i64>> {
    let found = match (
        form.document_id,
        form.document_code.as_deref().map(str::trim),
    ) {
        (Some(id), _) => documents::get(conn, id).await?,
        (None, Some(code)) if !code.is_empty() => documents::get_by_code(conn, code).await?,
        _ => return Ok(None),
    };
    match found {
        Some(d) => Ok(Some(d.id)),
        None => {
            errors.add("document_id", FieldErrorKind::NoSuchRecord);
            Ok(None)
        }
    }
}

struct Checked {
    title: String,
    rto_hours: i64,
    adopted_at: Day,
    description: Option<String>,
    assets: Option<Vec<AssetId>>,
    document: Option<i64>,
    owner: Option<UserId>,
}

async fn check(
    conn: &mut Conn,
    form: &DrPlanForm,
    before: Option<&DrPlan>,
    today: Day,
) -> Result<Checked> {
    let mut errors = FieldErrors::new();
    let input = DrPlanInput {
        title: form
            .title
            .clone()
            .or_else(|| before.map(|b| b.title.clone()))
            .unwrap_or_default(),
        rto_hours: form.rto_hours.or(before.map(|b| b.rto_hours)),
        adopted_at: form.adopted_at.or(before.map(|b| b.adopted_at)),
        description: form
            .description
            .clone()
            .or_else(|| before.and_then(|b| b.description.clone())),
    };
    let fields = rules::check_dr_plan(&input, today, &mut errors);
    let assets = if form.asset_ids.is_some() || form.asset_codes.is_some() {
        let a = assets(
            conn,
            form.asset_ids.as_deref().unwrap_or_default(),
            form.asset_codes.as_deref().unwrap_or_default(),
            "asset_ids",
            &mut errors,
        )
        .await?;
        if a.is_empty() && errors.iter().all(|e| !e.field.starts_with("asset_ids")) {
            errors.add("asset_ids", FieldErrorKind::Required);
        }
        Some(a)
    } else {
        if before.is_none() {
            errors.add("asset_ids", FieldErrorKind::Required);
        }
        None
    };
    let document = document(conn, form, &mut errors).await?;
    if document.is_none() && before.is_none() && errors.get("document_id").is_none() {
        errors.add("document_id", FieldErrorKind::Required);
    }
    let owner = person(
        conn,
        form.owner_id,
        form.owner_username.as_deref(),
        "owner_id",
        &mut errors,
    )
    .await?;
    errors.into_result()?;
    let Some((title, rto_hours, adopted_at, description)) = fields else {
        return Err(FieldErrors::single("title", FieldErrorKind::Required).into());
    };
    Ok(Checked {
        title,
        rto_hours,
        adopted_at,
        description,
        assets,
        document,
        owner,
    })
}

/// Creates a DR plan (the continuity writers): a title, at least one known asset, a known
/// document, an RTO of at least one hour, in force since a day not after today.
pub async fn create(app: &App, ctx: &Ctx, form: &DrPlanForm) -> Result<DrPlanView> {
    authorize_write(ctx, Action::Create)?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let c = check(&mut tx, form, None, today).await?;
    let me = ctx.principal.user_id;
    let now = Timestamp::now();
    let year = now.datetime().year();
    let n = castellan_store::workflow::next_number(&mut tx, &format!("DRP-{year}")).await?;
    let mut p = DrPlan {
        id: 0,
        code: format!("DRP-{year}-{n:04}"),
        title: c.title,
        asset_ids: c.assets.unwrap_or_default(),
        document_id: c.document.unwrap_or_default(),
        owner_id: c.owner.unwrap_or(me),
        rto_hours: c.rto_hours,
        adopted_at: c.adopted_at,
        description: c.description,
        created_by: (!ctx.system).then_some(me),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    p.id = store::insert(&mut tx, &p).await?;
    let v = view(&mut tx, ctx, p).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, ContinuityRecord::DrPlan, v.plan.id).after(&snapshot(
            &v.plan,
            &v.assets,
            &v.document,
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// One plan with its assets, document and drills.
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<DrPlanView> {
    authorize_read(ctx)?;
    let mut conn = app.db().read().await?;
    let p = store::get(&mut conn, id).await?.ok_or_else(not_found)?;
    view(&mut conn, ctx, p).await
}

/// Changes a plan (the continuity writers) at `version` (412 when stale). Its day in force
/// stays on or before its first drill.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    form: &DrPlanForm,
    version: i64,
) -> Result<DrPlanView> {
    authorize_write(ctx, Action::Update)?;
    let today = today(app);
    let mut tx = app.db().begin().await?;
    let before = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    if before.version != version {
        return Err(stale(before.version));
    }
    let c = check(&mut tx, form, Some(&before), today).await?;
    if let Some(first) = store::first_drill(&mut tx, id).await?
        && c.adopted_at.to_db() > first
    {
        return Err(FieldErrors::single(
            "adopted_at",
            FieldErrorKind::invalid(
                "the plan has drills before that day; it was in force by its first drill",
                "该预案在此日期前已有演练，生效日期不能晚于首次演练",
            ),
        )
        .into());
    }
    let before_view = view(&mut tx, ctx, before.clone()).await?;
    let mut p = before.clone();
    p.title = c.title;
    p.rto_hours = c.rto_hours;
    p.adopted_at = c.adopted_at;
    p.description = c.description;
    if let Some(a) = c.assets {
        p.asset_ids = a;
    }
    if let Some(d) = c.document {
        p.document_id = d;
    }
    if let Some(o) = c.owner {
        p.owner_id = o;
    }
    if !store::save(&mut tx, &p, Timestamp::now()).await? {
        return Err(stale(before.version));
    }
    let p = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    let v = view(&mut tx, ctx, p).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, ContinuityRecord::DrPlan, id)
            .before(&snapshot(
                &before_view.plan,
                &before_view.assets,
                &before_view.document,
            ))
            .after(&snapshot(&v.plan, &v.assets, &v.document)),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// The plan list's query.
#[derive(Debug, Clone, Default)]
pub struct DrPlanQuery {
    /// Plans recovering this asset.
    pub asset_id: Option<i64>,
    /// The owner.
    pub owner_id: Option<i64>,
    /// Words of the code or title.
    pub q: Option<String>,
    /// `code` (default), `title`, `rto_hours`.
    pub sort: Option<String>,
    /// Page cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// One page of DR plans and how many match.
pub async fn list(app: &App, ctx: &Ctx, query: &DrPlanQuery) -> Result<(Page<DrPlan>, i64)> {
    authorize_read(ctx)?;
    let args = crate::paging::args(
        query.limit,
        query.sort.as_deref(),
        "code",
        store::SORTS,
        query.cursor.as_deref(),
    )?;
    let filter = DrPlanFilter {
        asset: query.asset_id.map(AssetId),
        owner: query.owner_id.map(UserId),
        q: query.q.clone(),
    };
    let mut conn = app.db().read().await?;
    let (items, next) = store::list(
        &mut conn,
        &filter,
        args.sort,
        args.after.as_ref(),
        args.limit,
    )
    .await?;
    let total = store::count(&mut conn, &filter).await?;
    Ok((
        Page {
            items,
            next_cursor: next.map(|c| c.encode()),
        },
        total,
    ))
}

/// Every plan's id, code and title (the drill form's choice).
pub async fn choices(app: &App, ctx: &Ctx) -> Result<Vec<(i64, String, String)>> {
    authorize_read(ctx)?;
    let mut conn = app.db().read().await?;
    Ok(store::choices(&mut conn).await?)
}

/// The change history of a record of this kind (latest entries first).
pub async fn history(
    app: &App,
    ctx: &Ctx,
    id: i64,
) -> Result<Vec<castellan_domain::audit::AuditEntry>> {
    get(app, ctx, id).await?;
    audit::history_of(app, ContinuityRecord::DrPlan, &id.to_string()).await
}
