//! The incident area's rows of the permission table.

use crate::permission::{Action, Resource, Rule, Who, rule};
use crate::role::Role;

/// Who sees every incident of their department scope (besides an incident's own people:
/// its reporter and its team; network, application and data administrators also see the
/// incidents on assets of their kind — see the application's read rule).
pub const INCIDENT_READERS: &[Role] = &[
    Role::Admin,
    Role::Committee,
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::Auditor,
];

/// Who takes part in handling (as triagers or on a team): everyone but auditors, who write
/// nothing. Which move or entry is whose is the workflow's decision.
pub const INCIDENT_WRITERS: &[Role] = crate::permission::ALL_BUT_AUDITOR;

/// Who sets the organization's incident deadlines.
pub const DEADLINE_EDITORS: &[Role] = &[Role::Admin, Role::SecurityOfficer];

/// Incidents.
pub const PERMISSIONS: &[Rule] = &[
    // Everyone who notices something reports it (auditors, who write nothing, report as the
    // employees they also are, with `staff`), and reads what they reported or handle.
    rule(Resource::Incident, Action::Read, Who::AnyUser),
    rule(
        Resource::Incident,
        Action::Create,
        Who::Roles(INCIDENT_WRITERS),
    ),
    rule(
        Resource::Incident,
        Action::Update,
        Who::Roles(INCIDENT_WRITERS),
    ),
    rule(
        Resource::IncidentRegister,
        Action::Read,
        Who::Roles(INCIDENT_READERS),
    ),
    rule(
        Resource::IncidentDeadlines,
        Action::Update,
        Who::Roles(DEADLINE_EDITORS),
    ),
];
