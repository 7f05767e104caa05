//! The continuity area's rows of the permission table.

use crate::permission::{ALL_BUT_STAFF, Action, Resource, Rule, Who, rule};
use crate::role::Role;

/// Who keeps backup plans, DR plans and drills: the security officer and the administrators
/// who run the systems.
pub const WRITERS: &[Role] = &[
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::NetworkAdmin,
    Role::ApplicationAdmin,
    Role::DataAdmin,
];

/// Backup plans, DR plans and drills: read by everyone but plain staff, kept by the writers.
pub const PERMISSIONS: &[Rule] = &[
    rule(
        Resource::Continuity,
        Action::Read,
        Who::Roles(ALL_BUT_STAFF),
    ),
    rule(Resource::Continuity, Action::Create, Who::Roles(WRITERS)),
    rule(Resource::Continuity, Action::Update, Who::Roles(WRITERS)),
];
