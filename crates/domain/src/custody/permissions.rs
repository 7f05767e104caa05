//! The custody area's rows of the permission table.

use super::KEEPERS;
use crate::permission::{Action, Resource, Rule, Who, rule};
use crate::role::Role;

/// Who reads every custody record, handover and warning (besides the keepers).
pub const READERS: &[Role] = &[
    Role::Admin,
    Role::Committee,
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::ComplianceAdmin,
    Role::Auditor,
];

/// Custody: everyone reads the records they hold, back up or witnessed (and records the
/// password change after a handover to them); the readers read the register; the keepers
/// record holders, handovers and changes.
pub const PERMISSIONS: &[Rule] = &[
    rule(Resource::Custody, Action::Read, Who::AnyUser),
    rule(Resource::CustodyRegister, Action::Read, Who::Roles(READERS)),
    rule(Resource::Custody, Action::Create, Who::Roles(KEEPERS)),
    rule(Resource::Custody, Action::Update, Who::Roles(KEEPERS)),
];
