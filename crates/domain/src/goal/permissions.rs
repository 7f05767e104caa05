//! The goal area's rows of the permission table.

use super::SETTERS;
use crate::permission::{Action, Resource, Rule, Who, rule};

/// Security goals: everyone reads the goal tree and drafts the goals they own under a
/// published goal (the service checks the level's rules); the company's goal is set by the
/// security officer or the committee.
pub const PERMISSIONS: &[Rule] = &[
    rule(Resource::Goal, Action::Read, Who::AnyUser),
    rule(Resource::Goal, Action::Create, Who::AnyUser),
    rule(Resource::Goal, Action::Update, Who::AnyUser),
    rule(Resource::CompanyGoal, Action::Create, Who::Roles(SETTERS)),
];
