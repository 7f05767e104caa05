//! The rectification area's rows of the permission table.

use crate::permission::{Action, Resource, Rule, Who, rule};
use crate::role::Role;

/// Who sees every rectification task of their department scope (besides a task's own
/// people: its responsible person, its verifier and whoever opened it; and those who read
/// its source see the source's tasks).
pub const REGISTER_READERS: &[Role] = &[
    Role::Admin,
    Role::Committee,
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::ComplianceAdmin,
    Role::Auditor,
];

/// Who may act on tasks (open them from a source they handle, carry out their own, verify
/// those they are named for): everyone but auditors, who write nothing. Which task is whose
/// is the application's and the workflow's decision.
pub const WRITERS: &[Role] = &[
    Role::Admin,
    Role::Committee,
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::NetworkAdmin,
    Role::ApplicationAdmin,
    Role::DataAdmin,
    Role::ComplianceAdmin,
    Role::Assessor,
    Role::Staff,
];

/// Rectification tasks.
pub const PERMISSIONS: &[Rule] = &[
    rule(Resource::Rectification, Action::Read, Who::AnyUser),
    rule(Resource::Rectification, Action::Create, Who::Roles(WRITERS)),
    rule(Resource::Rectification, Action::Update, Who::Roles(WRITERS)),
    rule(
        Resource::RectificationRegister,
        Action::Read,
        Who::Roles(REGISTER_READERS),
    ),
];
