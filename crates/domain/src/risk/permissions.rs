//! The risk area's rows of the permission table.

use crate::permission::{ALL_BUT_STAFF, Action, Resource, Rule, Who, rule};
use crate::role::Role;

/// Who identifies and analyses risks: the assessors and the security officer who runs them.
pub const RISK_ANALYSTS: &[Role] = &[Role::SecurityOfficer, Role::Assessor];
/// Who records vulnerability findings: the analysts and the administrators of the assets.
pub const FINDERS: &[Role] = &[
    Role::SecurityOfficer,
    Role::Assessor,
    Role::SecurityAdmin,
    Role::NetworkAdmin,
    Role::ApplicationAdmin,
    Role::DataAdmin,
];
/// Who takes part in an assessment's workflow: the team (assessors), the security officer
/// who reviews it and the committee that accepts risks and closes it. The workflow itself
/// (`assessment::check_move`, `assessment::may_edit`) decides which of them may do what.
pub const ASSESSMENT_PARTIES: &[Role] = &[Role::SecurityOfficer, Role::Assessor, Role::Committee];

/// The threat catalog, findings, controls and assessments.
pub const PERMISSIONS: &[Rule] = &[
    rule(Resource::Threat, Action::Read, Who::Roles(ALL_BUT_STAFF)),
    rule(Resource::Threat, Action::Create, Who::Roles(RISK_ANALYSTS)),
    rule(Resource::Threat, Action::Update, Who::Roles(RISK_ANALYSTS)),
    rule(
        Resource::Vulnerability,
        Action::Read,
        Who::Roles(ALL_BUT_STAFF),
    ),
    rule(Resource::Vulnerability, Action::Create, Who::Roles(FINDERS)),
    rule(Resource::Vulnerability, Action::Update, Who::Roles(FINDERS)),
    rule(Resource::Control, Action::Read, Who::Roles(ALL_BUT_STAFF)),
    rule(Resource::Control, Action::Create, Who::Roles(FINDERS)),
    rule(Resource::Control, Action::Update, Who::Roles(FINDERS)),
    rule(
        Resource::Assessment,
        Action::Read,
        Who::Roles(ALL_BUT_STAFF),
    ),
    rule(
        Resource::Assessment,
        Action::Create,
        Who::Roles(RISK_ANALYSTS),
    ),
    rule(
        Resource::Assessment,
        Action::Update,
        Who::Roles(ASSESSMENT_PARTIES),
    ),
];
