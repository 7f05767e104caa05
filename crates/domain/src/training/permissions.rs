//! The training area's rows of the permission table.

use super::MANAGERS;
use crate::permission::{Action, Resource, Rule, Who, rule};
use crate::role::Role;

/// Who reads everyone's training records and the completion (besides the managers).
pub const RECORD_READERS: &[Role] = &[
    Role::Admin,
    Role::Committee,
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::ComplianceAdmin,
    Role::Auditor,
];

/// Training plans and trainings: everyone reads the plans and their own trainings; the
/// managers prepare them and record attendance (the plan's approval is the engine's).
pub const PERMISSIONS: &[Rule] = &[
    rule(Resource::Training, Action::Read, Who::AnyUser),
    rule(Resource::Training, Action::Create, Who::Roles(MANAGERS)),
    rule(Resource::Training, Action::Update, Who::Roles(MANAGERS)),
    rule(
        Resource::TrainingRecords,
        Action::Read,
        Who::Roles(RECORD_READERS),
    ),
];
