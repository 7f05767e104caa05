//! The document area's rows of the permission table.

use crate::permission::{Action, Resource, Rule, Who, rule};
use crate::role::Role;

/// Who sees every document of the register, drafts included (everyone else sees the
/// documents in force, those they own or wrote, and those waiting for their approval).
pub const REGISTER_READERS: &[Role] = &[
    Role::Admin,
    Role::Committee,
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::ComplianceAdmin,
    Role::Auditor,
];

/// Who opens documents in the register (and owns them, or names their owner).
pub const CREATORS: &[Role] = &[Role::SecurityOfficer, Role::ComplianceAdmin];

/// Who may act on documents (owners draft, approvers decide, staff acknowledge): everyone
/// but auditors. Which document is whose is the application's and the workflow's decision.
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

/// Documents.
pub const PERMISSIONS: &[Rule] = &[
    rule(Resource::Document, Action::Read, Who::AnyUser),
    rule(Resource::Document, Action::Create, Who::Roles(CREATORS)),
    rule(Resource::Document, Action::Update, Who::Roles(WRITERS)),
    rule(
        Resource::DocumentRegister,
        Action::Read,
        Who::Roles(REGISTER_READERS),
    ),
];
