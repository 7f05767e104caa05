//! The asset area's rows of the permission table.

use crate::permission::{ALL_BUT_STAFF, Action, Resource, Rule, Who, rule};
use crate::role::Role;

/// The roles that keep the asset register (SPEC §1: the security, network, application and
/// data administrators, and the security officer who runs the ISMS).
pub const ASSET_KEEPERS: &[Role] = &[
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::NetworkAdmin,
    Role::ApplicationAdmin,
    Role::DataAdmin,
];

/// The register is read by every role but `staff` and kept by the asset keepers.
pub const PERMISSIONS: &[Rule] = &[
    rule(Resource::Asset, Action::Read, Who::Roles(ALL_BUT_STAFF)),
    rule(Resource::Asset, Action::Create, Who::Roles(ASSET_KEEPERS)),
    rule(Resource::Asset, Action::Update, Who::Roles(ASSET_KEEPERS)),
];
