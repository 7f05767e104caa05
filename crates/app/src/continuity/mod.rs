//! Continuity (SPEC §6.7): backup plans with their restore tests and the high-value assets
//! without one, disaster-recovery plans, and drills whose problems — and a missed recovery
//! time — open rectification tasks.

pub mod backup_plans;
pub mod dr_plans;
pub mod drills;

use crate::Ctx;
use crate::error::Result;
use castellan_domain::ids::{AssetId, UserId};
use castellan_domain::values::UserStatus;
use castellan_domain::{Action, Day, FieldErrorKind, FieldErrors, Resource, Target, Timestamp};
use castellan_store::Conn;
use castellan_store::org::users;

/// Refuses a caller who does not read the area (403).
pub(crate) fn authorize_read(ctx: &Ctx) -> Result<()> {
    Ok(ctx
        .principal
        .authorize(Resource::Continuity, Action::Read, Target::Global)?)
}

/// Refuses a caller who does not keep plans and drills (403).
pub(crate) fn authorize_write(ctx: &Ctx, action: Action) -> Result<()> {
    Ok(ctx
        .principal
        .authorize(Resource::Continuity, action, Target::Global)?)
}

/// Whether the caller keeps plans and drills.
pub(crate) fn writes(ctx: &Ctx) -> bool {
    ctx.principal
        .is_allowed(Resource::Continuity, Action::Update, Target::Global)
}

pub(crate) fn today(app: &crate::App) -> Day {
    Day::of_at(Timestamp::now(), app.settings().utc_offset())
}

/// A person named by id or, from a form, by username: an active user, else `field` is
/// refused. `None` when neither is given.
pub(crate) async fn person(
    conn: &mut Conn,
    id: Option<UserId>,
    username: Option<&str>,
    field: &str,
    errors: &mut FieldErrors,
) -> Result<Option<UserId>> {
    let user = match (id, username.map(str::trim).filter(|s| !s.is_empty())) {
        (Some(id), _) => users::get(conn, id).await?,
        (None, Some(name)) => users::find_by_username(conn, &name.to_lowercase()).await?,
        (None, None) => return Ok(None),
    };
    match user {
        Some(u) if u.status == UserStatus::Active => Ok(Some(u.id)),
        _ => {
            errors.add(field, FieldErrorKind::NoSuchRecord);
            Ok(None)
        }
    }
}

/// People named by ids or usernames (`field[i]` refused for one that is not an active user,
/// a repeated one left out).
pub(crate) async fn people(
    conn: &mut Conn,
    ids: &[UserId],
    usernames: &[String],
    field: &str,
    errors: &mut FieldErrors,
) -> Result<Vec<UserId>> {
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        if let Some(u) = person(conn, Some(*id), None, &format!("{field}[{i}]"), errors).await?
            && !out.contains(&u)
        {
            out.push(u);
        }
    }
    for (i, name) in usernames.iter().enumerate() {
        if let Some(u) = person(conn, None, Some(name), &format!("{field}[{i}]"), errors).await?
            && !out.contains(&u)
        {
            out.push(u);
        }
    }
    Ok(out)
}

/// Assets named by ids or, from a form, by codes (`field[i]` refused for an unknown one, a
/// repeated one left out).
pub(crate) async fn assets(
    conn: &mut Conn,
    ids: &[AssetId],
    codes: &[String],
    field: &str,
    errors: &mut FieldErrors,
) -> Result<Vec<AssetId>> {
    let mut out: Vec<AssetId> = Vec::new();
    let found = castellan_store::asset::assets::get_many(conn, ids).await?;
    for (i, id) in ids.iter().enumerate() {
        if found.iter().any(|a| a.id == *id) {
            if !out.contains(id) {
                out.push(*id);
            }
        } else {
            errors.add(format!("{field}[{i}]"), FieldErrorKind::NoSuchRecord);
        }
    }
    for (i, code) in codes.iter().enumerate() {
        match castellan_store::asset::assets::find_by_code(conn, code.trim()).await? {
            Some(a) => {
                if !out.contains(&a.id) {
                    out.push(a.id);
                }
            }
            None => errors.add(format!("{field}[{i}]"), FieldErrorKind::NoSuchRecord),
        }
    }
    Ok(out)
}

/// Codes and names of assets, by id.
pub(crate) async fn asset_names(
    conn: &mut Conn,
    ids: &[AssetId],
) -> Result<Vec<(AssetId, String, String)>> {
    Ok(castellan_store::asset::assets::get_many(conn, ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a.code, a.name))
        .collect())
}

fn stale(current: i64) -> crate::Error {
    castellan_domain::DomainError::StaleVersion { current }.into()
}
