//! Inspections (SPEC §6.3): checklists, plans approved on the workflow engine, inspections
//! performed item by item whose failed items open rectification tasks, evidence files and
//! the report's contents.

pub mod checklists;
pub mod inspections;
pub mod plans;
pub mod report;

use crate::Ctx;
use crate::error::Result;
use castellan_domain::ids::UserId;
use castellan_domain::values::UserStatus;
use castellan_domain::{Action, Day, FieldErrorKind, FieldErrors, Resource, Target, Timestamp};
use castellan_store::Conn;
use castellan_store::org::users;

/// Whether the caller keeps checklists, prepares plans and schedules inspections.
pub(crate) fn manages(ctx: &Ctx) -> bool {
    ctx.principal
        .is_allowed(Resource::Inspection, Action::Update, Target::Global)
}

/// Whether the caller reads every plan and inspection.
pub(crate) fn reads_all(ctx: &Ctx) -> bool {
    ctx.principal
        .is_allowed(Resource::InspectionRegister, Action::Read, Target::Global)
}

pub(crate) fn today(app: &crate::App) -> Day {
    Day::of_at(Timestamp::now(), app.settings().utc_offset())
}

/// Checks that each id names an active user (`field[i]` otherwise).
pub(crate) async fn active_users(
    conn: &mut Conn,
    ids: &[UserId],
    field: &str,
    errors: &mut FieldErrors,
) -> Result<()> {
    for (i, id) in ids.iter().enumerate() {
        match users::get(conn, *id).await? {
            Some(u) if u.status == UserStatus::Active => {}
            _ => errors.add(format!("{field}[{i}]"), FieldErrorKind::NoSuchRecord),
        }
    }
    Ok(())
}
