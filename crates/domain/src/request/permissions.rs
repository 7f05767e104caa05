//! The request area's rows of the permission table.

use crate::permission::{Action, Resource, Rule, Who, rule};
use crate::role::Role;

/// Who sees every request in their scope (besides a request's own people: its requester,
/// the person it concerns, its approvers — see `request::is_party`).
pub const REQUEST_READERS: &[Role] = &[
    Role::Admin,
    Role::Committee,
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::NetworkAdmin,
    Role::ApplicationAdmin,
    Role::DataAdmin,
    Role::Auditor,
];

/// Who asks for things and takes part in decisions: everyone but auditors, who write
/// nothing (an auditor who is also an employee holds `staff` as well).
pub const REQUESTERS: &[Role] = crate::permission::ALL_BUT_AUDITOR;

/// Who edits approval chains.
pub const CHAIN_EDITORS: &[Role] = &[Role::Admin, Role::SecurityOfficer];

/// Requests, approval chains and the working-day calendar.
pub const PERMISSIONS: &[Rule] = &[
    // Everyone may ask and read what they asked for or decide on; who may move a request is
    // the workflow's decision.
    rule(Resource::Request, Action::Read, Who::AnyUser),
    rule(Resource::Request, Action::Create, Who::Roles(REQUESTERS)),
    rule(Resource::Request, Action::Update, Who::Roles(REQUESTERS)),
    rule(
        Resource::RequestRegister,
        Action::Read,
        Who::Roles(REQUEST_READERS),
    ),
    rule(Resource::ApprovalChain, Action::Read, Who::AnyUser),
    rule(
        Resource::ApprovalChain,
        Action::Create,
        Who::Roles(CHAIN_EDITORS),
    ),
    rule(
        Resource::ApprovalChain,
        Action::Update,
        Who::Roles(CHAIN_EDITORS),
    ),
    rule(Resource::Calendar, Action::Read, Who::AnyUser),
    rule(
        Resource::Calendar,
        Action::Update,
        Who::Roles(&[Role::Admin]),
    ),
];
