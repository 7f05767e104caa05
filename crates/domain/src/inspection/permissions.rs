//! The inspection area's rows of the permission table.

use super::MANAGERS;
use crate::permission::{Action, Resource, Rule, Who, rule};
use crate::role::Role;

/// Who reads every plan, inspection and report (besides the managers); an inspector reads
/// the plans and inspections they are named on.
pub const READERS: &[Role] = &[
    Role::Admin,
    Role::Committee,
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::ComplianceAdmin,
    Role::Auditor,
];

/// Checklists, plans and inspections: everyone reads those they inspect or wrote, the
/// readers all of them; the managers keep the
/// checklists, prepare the plans and schedule inspections (a plan's approval is the
/// engine's, the inspection's results its inspectors').
pub const PERMISSIONS: &[Rule] = &[
    rule(Resource::Inspection, Action::Read, Who::AnyUser),
    rule(
        Resource::InspectionRegister,
        Action::Read,
        Who::Roles(READERS),
    ),
    rule(Resource::Inspection, Action::Create, Who::Roles(MANAGERS)),
    rule(Resource::Inspection, Action::Update, Who::Roles(MANAGERS)),
];
