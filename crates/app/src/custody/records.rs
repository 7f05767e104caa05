//! Custody records: recorded and changed by the keepers (security officers and
//! administrators); handovers from the holder to someone else before a witness; the
//! password change after a handover entered by a keeper or the new holder. The register's
//! readers read every record, everyone else the records they hold or back up (the list and
//! its warnings are in `register`).

use super::register::{CustodyLine, lines, reads_register};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::custody::audit::{CustodyAction, CustodyRecord};
use castellan_domain::custody::{
    self as rules, Custody, CustodyConflict, CustodyInput, Handover, HandoverInput,
};
use castellan_domain::ids::{AssetId, UserId};
use castellan_domain::values::UserStatus;
use castellan_domain::{
    Action, DomainError, FieldErrorKind, FieldErrors, Resource, Target, Timestamp,
};
use castellan_store::Conn;
use castellan_store::custody::records::{self as store, CustodyFilter};
use castellan_store::org::users;

fn not_found() -> crate::Error {
    DomainError::not_found("custody").into()
}

fn stale(current: i64) -> crate::Error {
    DomainError::StaleVersion { current }.into()
}

/// Whether the caller records holders, handovers and changes.
fn keeps(ctx: &Ctx) -> bool {
    ctx.principal
        .is_allowed(Resource::Custody, Action::Update, Target::Global)
}

/// A record as a caller sees it.
#[derive(Debug, Clone)]
pub struct CustodyView {
    /// The record with its warnings.
    pub line: CustodyLine,
    /// Its handovers, latest first.
    pub handovers: Vec<Handover>,
    /// Whether the caller records changes and handovers.
    pub may_keep: bool,
    /// The handover whose password change the caller may enter now.
    pub may_enter_change: Option<i64>,
}

/// The record if the caller may read it: the register's readers read every record, anyone
/// else the records they hold or back up (others are not found).
async fn visible_line(app: &App, conn: &mut Conn, ctx: &Ctx, id: i64) -> Result<CustodyLine> {
    ctx.principal
        .authorize(Resource::Custody, Action::Read, Target::Global)?;
    let filter = CustodyFilter {
        id: Some(id),
        person: (!reads_register(ctx)).then_some(ctx.principal.user_id),
        ..CustodyFilter::default()
    };
    lines(app, conn, &filter, Timestamp::now())
        .await?
        .pop()
        .ok_or_else(not_found)
}

async fn view(app: &App, conn: &mut Conn, ctx: &Ctx, id: i64) -> Result<CustodyView> {
    let line = visible_line(app, conn, ctx, id).await?;
    let handovers = store::handovers(conn, id).await?;
    let me = ctx.principal.user_id;
    let may_keep = keeps(ctx);
    let c = &line.facts.custody;
    let may_enter_change = handovers
        .first()
        .filter(|h| {
            h.password_changed_at.is_none()
                && c.active
                && (may_keep || (h.to_id == me && c.holder_id == me))
        })
        .map(|h| h.id);
    Ok(CustodyView {
        line,
        handovers,
        may_keep,
        may_enter_change,
    })
}

/// The record if the caller may read it — the register's readers, its holder and its
/// backup holder; not found for anyone else — without computing its warnings.
async fn readable(conn: &mut Conn, ctx: &Ctx, id: i64) -> Result<Custody> {
    ctx.principal
        .authorize(Resource::Custody, Action::Read, Target::Global)?;
    let c = store::get(conn, id).await?.ok_or_else(not_found)?;
    let me = ctx.principal.user_id;
    if reads_register(ctx) || c.holder_id == me || c.backup_holder_id == Some(me) {
        Ok(c)
    } else {
        Err(not_found())
    }
}

/// The handovers of a record the caller may read, latest first.
pub async fn handovers(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<Handover>> {
    let mut conn = app.db().read().await?;
    readable(&mut conn, ctx, id).await?;
    Ok(store::handovers(&mut conn, id).await?)
}

/// One record with its handovers.
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<CustodyView> {
    let mut conn = app.db().read().await?;
    view(app, &mut conn, ctx, id).await
}

fn snapshot(c: &Custody, asset: &str) -> serde_json::Value {
    serde_json::json!({
        "asset_id": c.asset_id.0, "asset": asset, "account": c.account,
        "holder_id": c.holder_id.0, "backup_holder_id": c.backup_holder_id.map(|u| u.0),
        "last_changed_at": c.last_changed_at, "change_interval_days": c.change_interval_days,
        "note": c.note, "active": c.active,
    })
}

fn handover_snapshot(h: &Handover) -> serde_json::Value {
    serde_json::json!({
        "custody_id": h.custody_id, "from_id": h.from_id.0, "to_id": h.to_id.0,
        "witness_id": h.witness_id.0, "at": h.at, "reason": h.reason,
        "password_changed_at": h.password_changed_at,
    })
}

fn disabled() -> FieldErrorKind {
    FieldErrorKind::invalid(
        "the account is disabled; name an active user",
        "该用户账号已停用，请选择在职用户",
    )
}

/// The active user `id`, or an error on `field` (unknown or disabled).
async fn active_user(
    conn: &mut Conn,
    id: UserId,
    field: &str,
    errors: &mut FieldErrors,
) -> Result<Option<castellan_domain::org::User>> {
    match users::get(conn, id).await? {
        Some(u) if u.status == UserStatus::Active => Ok(Some(u)),
        Some(_) => {
            errors.add(field, disabled());
            Ok(None)
        }
        None => {
            errors.add(field, FieldErrorKind::NoSuchRecord);
            Ok(None)
        }
    }
}

fn validation(e: DomainError, errors: &mut FieldErrors) -> Result<()> {
    match e {
        DomainError::Validation(v) => {
            errors.merge(v);
            Ok(())
        }
        other => Err(other.into()),
    }
}

async fn asset_code(conn: &mut Conn, id: AssetId) -> Result<Option<String>> {
    Ok(castellan_store::asset::assets::get(conn, id)
        .await?
        .map(|a| a.code))
}

/// Records who holds the password of a system's account (a keeper): an existing system,
/// active holder and backup holder, one active record per system and account.
pub async fn create(app: &App, ctx: &Ctx, input: &CustodyInput) -> Result<CustodyView> {
    ctx.principal
        .authorize(Resource::Custody, Action::Create, Target::Global)?;
    let now = Timestamp::now();
    let mut tx = app.db().begin().await?;
    let mut errors = FieldErrors::new();
    let fields = match rules::check_custody(input, now) {
        Ok(f) => Some(f),
        Err(e) => {
            validation(e, &mut errors)?;
            None
        }
    };
    let asset = match input.asset_id {
        Some(a) => {
            let code = asset_code(&mut tx, a).await?;
            if code.is_none() {
                errors.add("asset_id", FieldErrorKind::NoSuchRecord);
            }
            code
        }
        None => None,
    };
    let holder = match input.holder_id {
        Some(h) => active_user(&mut tx, h, "holder_id", &mut errors).await?,
        None => None,
    };
    let backup = match input.backup_holder_id {
        Some(b) => active_user(&mut tx, b, "backup_holder_id", &mut errors).await?,
        None => None,
    };
    errors.into_result()?;
    let (Some(f), Some(asset), Some(holder)) = (fields, asset, holder) else {
        return Err(FieldErrors::single("asset_id", FieldErrorKind::Required).into());
    };
    if store::active_duplicate(&mut tx, f.asset_id, &f.account, None)
        .await?
        .is_some()
    {
        return Err(CustodyConflict::Duplicate.into());
    }
    let mut c = Custody {
        id: 0,
        asset_id: f.asset_id,
        account: f.account,
        holder_id: holder.id,
        holder_department_id: holder.department_id,
        backup_holder_id: backup.as_ref().map(|b| b.id),
        backup_department_id: backup.as_ref().and_then(|b| b.department_id),
        last_changed_at: f.last_changed_at,
        change_interval_days: f.change_interval_days,
        note: f.note,
        active: true,
        created_by: (!ctx.system).then_some(ctx.principal.user_id),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    c.id = store::insert(&mut tx, &c).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, CustodyRecord::Custody, c.id).after(&snapshot(&c, &asset)),
    )
    .await?;
    let v = view(app, &mut tx, ctx, c.id).await?;
    tx.commit().await?;
    Ok(v)
}

/// A change of a record; what is not given stays. The holder changes only by a handover.
#[derive(Debug, Clone, Default)]
pub struct CustodyChange {
    /// The account.
    pub account: Option<String>,
    /// The backup holder (`Some(None)` removes them).
    pub backup_holder_id: Option<Option<UserId>>,
    /// When the password was last changed (a routine change).
    pub last_changed_at: Option<Timestamp>,
    /// The change interval.
    pub change_interval_days: Option<i64>,
    /// The note (`Some(None)` clears it).
    pub note: Option<Option<String>>,
    /// Retire (false) or reactivate (true).
    pub active: Option<bool>,
    /// Take the holder's and backup holder's present departments as their own (after a
    /// move the keeper has reviewed).
    pub confirm_departments: bool,
}

/// Changes a record (a keeper) at `version`. A retired record changes only to be
/// reactivated.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    change: &CustodyChange,
    version: i64,
) -> Result<CustodyView> {
    ctx.principal
        .authorize(Resource::Custody, Action::Update, Target::Global)?;
    let now = Timestamp::now();
    let mut tx = app.db().begin().await?;
    let before = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    if before.version != version {
        return Err(stale(before.version));
    }
    if !before.active && change.active != Some(true) {
        return Err(CustodyConflict::Retired.into());
    }
    let backup_id = match change.backup_holder_id {
        Some(b) => b,
        None => before.backup_holder_id,
    };
    let input = CustodyInput {
        asset_id: Some(before.asset_id),
        account: change
            .account
            .clone()
            .unwrap_or_else(|| before.account.clone()),
        holder_id: Some(before.holder_id),
        backup_holder_id: backup_id,
        last_changed_at: change.last_changed_at.or(before.last_changed_at),
        change_interval_days: Some(
            change
                .change_interval_days
                .unwrap_or(before.change_interval_days),
        ),
        note: match &change.note {
            Some(n) => n.clone(),
            None => before.note.clone(),
        },
    };
    let mut errors = FieldErrors::new();
    let fields = match rules::check_custody(&input, now) {
        Ok(f) => Some(f),
        Err(e) => {
            validation(e, &mut errors)?;
            None
        }
    };
    if let Some(t) = change.last_changed_at
        && before.last_changed_at.is_some_and(|b| t < b)
    {
        errors.add(
            "last_changed_at",
            FieldErrorKind::invalid(
                "lies before the change already recorded",
                "早于已登记的更换时间",
            ),
        );
    }
    let backup_changed = backup_id != before.backup_holder_id;
    let backup = match backup_id {
        Some(b) if backup_changed => {
            active_user(&mut tx, b, "backup_holder_id", &mut errors).await?
        }
        Some(b) => users::get(&mut tx, b).await?,
        None => None,
    };
    errors.into_result()?;
    let Some(f) = fields else {
        return Err(FieldErrors::single("account", FieldErrorKind::Required).into());
    };
    let active = change.active.unwrap_or(before.active);
    if active
        && store::active_duplicate(&mut tx, before.asset_id, &f.account, Some(id))
            .await?
            .is_some()
    {
        return Err(CustodyConflict::Duplicate.into());
    }
    let mut c = before.clone();
    c.account = f.account;
    c.backup_holder_id = backup_id;
    if backup_changed || change.confirm_departments {
        c.backup_department_id = backup.as_ref().and_then(|b| b.department_id);
    }
    if change.confirm_departments {
        c.holder_department_id = users::get(&mut tx, c.holder_id)
            .await?
            .and_then(|u| u.department_id);
    }
    c.last_changed_at = f.last_changed_at;
    c.change_interval_days = f.change_interval_days;
    c.note = f.note;
    c.active = active;
    if !store::save(&mut tx, &c, now).await? {
        return Err(stale(before.version));
    }
    let asset = asset_code(&mut tx, c.asset_id).await?.unwrap_or_default();
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, CustodyRecord::Custody, id)
            .before(&snapshot(&before, &asset))
            .after(&snapshot(&c, &asset)),
    )
    .await?;
    let v = view(app, &mut tx, ctx, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// Records a handover of an active record's password (a keeper), at the record's
/// `version` if given: from the holder to another active user before an active witness.
/// The new holder takes the holder's place (their department with them); a backup holder
/// who becomes the holder leaves the backup place empty unless another is named. With the
/// change date given, the password counts as changed.
pub async fn hand_over(
    app: &App,
    ctx: &Ctx,
    id: i64,
    input: &HandoverInput,
    version: Option<i64>,
) -> Result<CustodyView> {
    ctx.principal
        .authorize(Resource::Custody, Action::Update, Target::Global)?;
    let now = Timestamp::now();
    let mut tx = app.db().begin().await?;
    let before = store::get(&mut tx, id).await?.ok_or_else(not_found)?;
    if let Some(v) = version
        && v != before.version
    {
        return Err(stale(before.version));
    }
    if !before.active {
        return Err(CustodyConflict::Retired.into());
    }
    let last_at = store::handovers(&mut tx, id).await?.first().map(|h| h.at);
    let mut errors = FieldErrors::new();
    let fields = match rules::check_handover(&before, input, last_at, now) {
        Ok(f) => Some(f),
        Err(e) => {
            validation(e, &mut errors)?;
            None
        }
    };
    let to = match input.to_id {
        Some(t) if t != before.holder_id => active_user(&mut tx, t, "to_id", &mut errors).await?,
        _ => None,
    };
    if let Some(w) = input.witness_id {
        active_user(&mut tx, w, "witness_id", &mut errors).await?;
    }
    let new_backup = match input.backup_holder_id {
        Some(b) => active_user(&mut tx, b, "backup_holder_id", &mut errors).await?,
        None => None,
    };
    errors.into_result()?;
    let (Some(f), Some(to)) = (fields, to) else {
        return Err(FieldErrors::single("to_id", FieldErrorKind::Required).into());
    };
    let mut c = before.clone();
    c.holder_id = to.id;
    c.holder_department_id = to.department_id;
    if let Some(b) = &new_backup {
        c.backup_holder_id = Some(b.id);
        c.backup_department_id = b.department_id;
    } else if c.backup_holder_id == Some(to.id) {
        c.backup_holder_id = None;
        c.backup_department_id = None;
    }
    if let Some(t) = f.password_changed_at {
        c.last_changed_at = Some(t);
    }
    if !store::save(&mut tx, &c, now).await? {
        return Err(stale(before.version));
    }
    let mut h = Handover {
        id: 0,
        custody_id: id,
        from_id: f.from_id,
        to_id: f.to_id,
        at: f.at,
        witness_id: f.witness_id,
        reason: f.reason,
        password_changed_at: f.password_changed_at,
        created_by: (!ctx.system).then_some(ctx.principal.user_id),
        version: 1,
        created_at: now,
    };
    h.id = store::insert_handover(&mut tx, &h).await?;
    let asset = asset_code(&mut tx, c.asset_id).await?.unwrap_or_default();
    let actor = ctx.actor();
    audit::record(
        &mut tx,
        &actor,
        Event::new(CustodyAction::Handover, CustodyRecord::Handover, h.id)
            .after(&handover_snapshot(&h)),
    )
    .await?;
    audit::record(
        &mut tx,
        &actor,
        Event::new(CustodyAction::Handover, CustodyRecord::Custody, id)
            .before(&snapshot(&before, &asset))
            .after(&snapshot(&c, &asset)),
    )
    .await?;
    let v = view(app, &mut tx, ctx, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// Enters when the password was changed after a handover (a keeper, or the new holder
/// while they hold it), at the handover's `version` if given; entered once. The record's
/// last change moves to it.
pub async fn enter_change(
    app: &App,
    ctx: &Ctx,
    id: i64,
    handover_id: i64,
    changed_at: Option<Timestamp>,
    version: Option<i64>,
) -> Result<CustodyView> {
    let now = Timestamp::now();
    let mut tx = app.db().begin().await?;
    let c = readable(&mut tx, ctx, id).await?;
    let h = store::handover(&mut tx, id, handover_id)
        .await?
        .ok_or_else(|| DomainError::not_found("custody_handover"))?;
    let me = ctx.principal.user_id;
    let latest = store::handovers(&mut tx, id)
        .await?
        .first()
        .is_some_and(|l| l.id == h.id);
    let new_holder = h.to_id == me && c.holder_id == me && latest;
    if !(keeps(ctx) || new_holder) {
        return Err(DomainError::Forbidden {
            resource: Resource::Custody,
            action: Action::Update,
        }
        .into());
    }
    if let Some(v) = version
        && v != h.version
    {
        return Err(stale(h.version));
    }
    if h.password_changed_at.is_some() {
        return Err(CustodyConflict::AlreadyChanged.into());
    }
    if !c.active {
        return Err(CustodyConflict::Retired.into());
    }
    let changed = rules::check_password_change(&h, changed_at, now)?;
    let mut after = h.clone();
    after.password_changed_at = Some(changed);
    if !store::save_handover(&mut tx, &after).await? {
        return Err(stale(h.version));
    }
    if latest && c.last_changed_at.is_none_or(|t| t < changed) {
        let mut nc = c.clone();
        nc.last_changed_at = Some(changed);
        if !store::save(&mut tx, &nc, now).await? {
            return Err(stale(c.version));
        }
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            CustodyAction::PasswordChanged,
            CustodyRecord::Handover,
            h.id,
        )
        .before(&serde_json::json!({"custody_id": id, "password_changed_at": null}))
        .after(&serde_json::json!({"custody_id": id, "password_changed_at": changed})),
    )
    .await?;
    let v = view(app, &mut tx, ctx, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// What a keeper's form names by code and username, resolved: the system and the people.
#[derive(Debug, Clone, Default)]
pub struct FormNames {
    /// The system's code.
    pub asset_code: Option<String>,
    /// Usernames by field (`holder_id`, `backup_holder_id`, `to_id`, `witness_id`).
    pub people: Vec<(&'static str, String)>,
}

/// The ids a keeper's form names: the system by code (on `asset_id`) and each person by
/// username (on their field); an unknown one is an error on its field.
pub async fn resolve(
    app: &App,
    ctx: &Ctx,
    names: &FormNames,
) -> Result<(Option<AssetId>, Vec<(&'static str, UserId)>)> {
    ctx.principal
        .authorize(Resource::Custody, Action::Update, Target::Global)?;
    let mut conn = app.db().read().await?;
    let mut errors = FieldErrors::new();
    let asset = match names.asset_code.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => {
            // The datalist offers "CODE — name"; the code is what counts.
            let code = code.split(" — ").next().unwrap_or(code).trim();
            let found = castellan_store::asset::assets::find_by_code(&mut conn, code).await?;
            if found.is_none() {
                errors.add("asset_id", FieldErrorKind::NoSuchRecord);
            }
            found.map(|a| a.id)
        }
        _ => None,
    };
    let mut people = Vec::new();
    for (field, name) in &names.people {
        let name = name.trim().to_lowercase();
        if name.is_empty() {
            continue;
        }
        match users::find_by_username(&mut conn, &name).await? {
            Some(u) => people.push((*field, u.id)),
            None => errors.add(*field, FieldErrorKind::NoSuchRecord),
        }
    }
    errors.into_result()?;
    Ok((asset, people))
}

/// The key systems a keeper picks from (value level 4 and above), as (code, name).
pub async fn key_systems(app: &App, ctx: &Ctx) -> Result<Vec<(String, String)>> {
    ctx.principal
        .authorize(Resource::Custody, Action::Create, Target::Global)?;
    let mut conn = app.db().read().await?;
    Ok(store::key_systems(&mut conn, 4, 1000).await?)
}

/// The record's changes and handovers from the audit trail, newest first (whoever may read
/// the record).
pub async fn history(
    app: &App,
    ctx: &Ctx,
    id: i64,
) -> Result<Vec<castellan_domain::audit::AuditEntry>> {
    let handovers = handovers(app, ctx, id).await?;
    let mut entries =
        crate::audit::history_of(app, CustodyRecord::Custody, &id.to_string()).await?;
    for h in &handovers {
        entries.extend(
            crate::audit::history_of(app, CustodyRecord::Handover, &h.id.to_string())
                .await?
                .into_iter()
                .filter(|e| e.action != CustodyAction::Handover.code()),
        );
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.seq));
    Ok(entries)
}
