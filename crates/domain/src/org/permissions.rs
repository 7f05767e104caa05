//! The organization area's rows of the permission table.

use crate::permission::{ADMIN, ALL_BUT_STAFF, Action, EVERY_ROLE, Resource, Rule, Who, rule};

/// Departments are seen by every role and kept by administrators; users are seen by every
/// role but `staff` and kept by administrators (who act on a user only within the scope of
/// every grant that user holds: `Principal::authorize_on_user`).
pub const PERMISSIONS: &[Rule] = &[
    rule(Resource::Department, Action::Read, Who::Roles(EVERY_ROLE)),
    rule(Resource::Department, Action::Create, Who::Roles(ADMIN)),
    rule(Resource::Department, Action::Update, Who::Roles(ADMIN)),
    rule(Resource::Department, Action::Delete, Who::Roles(ADMIN)),
    rule(Resource::User, Action::Read, Who::Roles(ALL_BUT_STAFF)),
    rule(Resource::User, Action::Create, Who::Roles(ADMIN)),
    rule(Resource::User, Action::Update, Who::Roles(ADMIN)),
    rule(Resource::User, Action::AssignRoles, Who::Roles(ADMIN)),
    // Forms that name people (a team, a responsible person, an approver) find them by name
    // or pinyin: every role but `staff`, within its department scope.
    rule(Resource::People, Action::Read, Who::Roles(ALL_BUT_STAFF)),
];
