//! The goal area's rows of the permission table.

use super::SETTERS;
use crate::permission::{ALL_BUT_AUDITOR, Action, Resource, Rule, Who, rule};

/// Security goals: everyone reads the goal tree; everyone but auditors (who write nothing) drafts the goals they own under a
/// published goal (the service checks the level's rules); the company's goal is set by the
/// security officer or the committee.
pub const PERMISSIONS: &[Rule] = &[
    rule(Resource::Goal, Action::Read, Who::AnyUser),
    rule(Resource::Goal, Action::Create, Who::Roles(ALL_BUT_AUDITOR)),
    rule(Resource::Goal, Action::Update, Who::Roles(ALL_BUT_AUDITOR)),
    rule(Resource::CompanyGoal, Action::Create, Who::Roles(SETTERS)),
];
