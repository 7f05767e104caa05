//! Requests: kinds, statuses, the workflow, who reads them, and the default chains.

use crate::ids::{AssetId, DepartmentId, UserId};
use crate::lang::Text;
use crate::macros::coded_enum;
use crate::role::Role;
use crate::sod::Authors;
use crate::time::Timestamp;
use crate::workflow::chain::{Impact, Step, StepRole, StepScope};
use crate::workflow::run::ChainRun;
use crate::workflow::{Move, MoveKind, Subject, Who, Workflow};

coded_enum! {
    /// What is asked for.
    pub enum RequestKind {
        /// A change to a system, network or application.
        Change => ("change", "Change", "变更申请"),
        /// New access for a person.
        AccessGrant => ("access_grant", "Access grant", "权限开通"),
        /// Changed access for a person.
        AccessModify => ("access_modify", "Access change", "权限变更"),
        /// Access taken away from a person.
        AccessRevoke => ("access_revoke", "Access revocation", "权限回收"),
        /// An important operation (a production change window, a data export, …).
        ImportantOperation => ("important_operation", "Important operation", "重要操作"),
    }
}

impl RequestKind {
    /// Whether the request is about a person's access (it names the person).
    pub fn is_access(self) -> bool {
        matches!(
            self,
            RequestKind::AccessGrant | RequestKind::AccessModify | RequestKind::AccessRevoke
        )
    }

    /// The kind of item its approval chain is chosen by (`change`, `access`,
    /// `important_operation`).
    pub fn chain_subject(self) -> &'static str {
        if self.is_access() {
            "access"
        } else {
            self.code()
        }
    }
}

coded_enum! {
    /// Where a request is.
    pub enum RequestStatus {
        /// Being written by the requester (or returned to them with comments).
        Draft => ("draft", "Draft", "草稿"),
        /// Waiting for the approvers of its current step.
        Submitted => ("submitted", "Awaiting approval", "审批中"),
        /// Every step approved; waiting to be carried out.
        Approved => ("approved", "Approved", "已批准"),
        /// Carried out; waiting to be checked and closed.
        Implemented => ("implemented", "Implemented", "已实施"),
        /// Checked and closed.
        Closed => ("closed", "Closed", "已关闭"),
        /// Refused by an approver.
        Rejected => ("rejected", "Rejected", "已驳回"),
        /// Taken back by the requester.
        Withdrawn => ("withdrawn", "Withdrawn", "已撤回"),
    }
}

coded_enum! {
    /// Why a request exists.
    pub enum Origin {
        /// Someone asked.
        User => ("user", "Requested", "人工申请"),
        /// Castellan opened it: the person's department or position changed.
        JobChange => ("job_change", "Job change", "岗位变动"),
        /// Castellan opened it: the person's account was disabled.
        Disabled => ("disabled", "Account disabled", "账号停用"),
    }
}

/// An approval request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Id.
    pub id: i64,
    /// `REQ-2026-00042`.
    pub code: String,
    /// Kind.
    pub kind: RequestKind,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Impact.
    pub impact: Impact,
    /// Who asks (for requests Castellan opened: whoever made the change that opened it).
    pub requester_id: Option<UserId>,
    /// The requester's department (approvers are found from it).
    pub department_id: Option<DepartmentId>,
    /// The asset concerned.
    pub asset_id: Option<AssetId>,
    /// The person whose access it is about.
    pub subject_user_id: Option<UserId>,
    /// Why it exists.
    pub origin: Origin,
    /// Status.
    pub status: RequestStatus,
    /// The chain it was submitted with.
    pub chain_id: Option<i64>,
    /// That chain's version then.
    pub chain_version: Option<i64>,
    /// The steps of that version.
    pub steps: Vec<Step>,
    /// Submissions so far (a return and a new submission start the next round).
    pub round: i64,
    /// The step waiting for approval (0-based), while submitted.
    pub current_step: Option<i64>,
    /// Who submitted it last.
    pub submitted_by: Option<UserId>,
    /// When.
    pub submitted_at: Option<Timestamp>,
    /// The deadline (access changes Castellan opened: end of the next working day).
    pub due_at: Option<Timestamp>,
    /// When it was carried out.
    pub implemented_at: Option<Timestamp>,
    /// By whom.
    pub implemented_by: Option<UserId>,
    /// Whether it was carried out by its deadline.
    pub deadline_met: Option<bool>,
    /// Who created it (`None`: Castellan itself or the host operator).
    pub created_by: Option<UserId>,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
}

impl Request {
    /// Its way through its approval chain.
    pub fn chain_run(&self) -> ChainRun {
        ChainRun {
            chain_id: self.chain_id,
            chain_version: self.chain_version,
            steps: self.steps.clone(),
            round: self.round,
            current_step: self.current_step,
            submitted_by: self.submitted_by,
            submitted_at: self.submitted_at,
        }
    }

    /// Takes the chain state a move left.
    pub fn set_chain_run(&mut self, run: ChainRun) {
        self.chain_id = run.chain_id;
        self.chain_version = run.chain_version;
        self.steps = run.steps;
        self.round = run.round;
        self.current_step = run.current_step;
        self.submitted_by = run.submitted_by;
        self.submitted_at = run.submitted_at;
    }

    /// The step waiting for approval, while submitted.
    pub fn step(&self) -> Option<&Step> {
        self.current_step
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.steps.get(i))
    }

    /// Whether the deadline passed without the request being carried out (at `now`), or it
    /// was carried out late.
    pub fn is_breached(&self, now: Timestamp) -> bool {
        match (self.deadline_met, self.due_at) {
            (Some(met), _) => !met,
            (None, Some(due)) => {
                now > due
                    && matches!(
                        self.status,
                        RequestStatus::Submitted | RequestStatus::Approved | RequestStatus::Draft
                    )
            }
            (None, None) => false,
        }
    }
}

/// Who carries out approved requests: the administrators of accounts, systems, networks
/// and applications.
pub const IMPLEMENTERS: &[Role] = &[
    Role::Admin,
    Role::SecurityAdmin,
    Role::NetworkAdmin,
    Role::ApplicationAdmin,
    Role::DataAdmin,
];

/// Who checks a carried-out request and closes it (never its requester).
pub const CLOSERS: &[Role] = &[Role::SecurityOfficer, Role::SecurityAdmin];

/// The request workflow (SPEC §6.1). An approval moves a request to `approved` only when it
/// completes the last step of its chain; before that the request stays `submitted` and its
/// next step begins (the application applies `chain::progress`).
pub const FLOW: Workflow<RequestStatus> = {
    use RequestStatus::*;
    Workflow {
        process: "request",
        moves: &[
            Move::new(Draft, Submitted, Who::Requester, MoveKind::Submit),
            Move::new(Draft, Withdrawn, Who::Requester, MoveKind::Withdraw),
            Move::new(Submitted, Approved, Who::Approver, MoveKind::Approve),
            Move::new(Submitted, Rejected, Who::Approver, MoveKind::Reject),
            Move::new(Submitted, Draft, Who::Approver, MoveKind::Return),
            Move::new(Submitted, Withdrawn, Who::Requester, MoveKind::Withdraw),
            Move::new(
                Approved,
                Implemented,
                Who::Roles(IMPLEMENTERS),
                MoveKind::Work,
            ),
            Move::new(Implemented, Closed, Who::Roles(CLOSERS), MoveKind::Close),
        ],
    }
};

/// The request as the engine sees it: the requester (who also counts as its creator, and
/// as its submitter once submitted) and whoever created it.
pub fn subject(
    requester: Option<UserId>,
    created_by: Option<UserId>,
    submitted_by: Option<UserId>,
) -> Subject<'static> {
    Subject {
        authors: Authors {
            created_by: created_by.or(requester),
            submitted_by: submitted_by.or(requester),
            team: &[],
        },
        requester,
    }
}

/// The kinds of item approval chains apply to, with their names.
pub const CHAIN_SUBJECTS: &[(&str, Text)] = &[
    (
        "change",
        Text {
            en: "Change requests",
            zh: "变更申请",
        },
    ),
    (
        "access",
        Text {
            en: "Access requests",
            zh: "权限申请",
        },
    ),
    (
        "important_operation",
        Text {
            en: "Important operations",
            zh: "重要操作",
        },
    ),
];

/// A chain Castellan ships.
#[derive(Debug, Clone)]
pub struct DefaultChain {
    /// Stable code.
    pub code: String,
    /// Name (both languages in one text: it is the organization's record from then on).
    pub name: String,
    /// Kind of item.
    pub applies_to: &'static str,
    /// Impact.
    pub impact: Impact,
    /// Steps.
    pub steps: Vec<Step>,
}

/// The shipped chains (SPEC §6.0): the department head, then a security administrator, for
/// normal requests; the committee as well for major ones. Their names and their steps'
/// names are left empty, so each reader sees them named in their own language (by kind,
/// impact and approver) until the organization names them.
pub fn default_chains() -> Vec<DefaultChain> {
    let step = |role: StepRole| Step {
        name: String::new(),
        approver_role: role,
        scope: StepScope::Any,
        min_approvals: 1,
    };
    let mut out = Vec::new();
    for (subject, _) in CHAIN_SUBJECTS {
        for impact in Impact::ALL {
            let mut steps = vec![
                step(StepRole::DepartmentHead),
                step(StepRole::Role(Role::SecurityAdmin)),
            ];
            if impact == Impact::Major {
                steps.push(step(StepRole::Role(Role::Committee)));
            }
            out.push(DefaultChain {
                code: format!("{subject}_{}", impact.code()),
                name: String::new(),
                applies_to: subject,
                impact,
                steps,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::{Caller, Refusal};

    #[test]
    fn a_request_goes_from_draft_to_closed_by_four_hands() {
        let (alice, bob, carol, dave) = (UserId(1), UserId(2), UserId(3), UserId(4));
        let s = subject(Some(alice), None, Some(alice));
        let requester = Caller::new(alice, &[Role::Staff]);
        let approver = Caller {
            step_approver: true,
            ..Caller::new(bob, &[Role::Staff])
        };
        let implementer = Caller::new(carol, &[Role::DataAdmin]);
        let closer = Caller::new(dave, &[Role::SecurityOfficer]);
        use RequestStatus::*;
        assert!(FLOW.check(Draft, Submitted, &requester, &s, None).is_ok());
        assert!(FLOW.check(Submitted, Approved, &approver, &s, None).is_ok());
        assert!(
            FLOW.check(Approved, Implemented, &implementer, &s, None)
                .is_ok()
        );
        assert!(FLOW.check(Implemented, Closed, &closer, &s, None).is_ok());
        // The requester neither implements nor closes their own request as a closer.
        let alice_officer = Caller::new(alice, &[Role::SecurityOfficer]);
        assert_eq!(
            FLOW.check(Implemented, Closed, &alice_officer, &s, None),
            Err(Refusal::SelfApproval)
        );
        assert_eq!(
            FLOW.check(Approved, Implemented, &requester, &s, None),
            Err(Refusal::NotYours)
        );
        assert_eq!(
            FLOW.check(Submitted, Withdrawn, &approver, &s, None),
            Err(Refusal::NotYours)
        );
        assert!(
            FLOW.check(Submitted, Withdrawn, &requester, &s, None)
                .is_ok()
        );
        for end in [Closed, Rejected, Withdrawn] {
            assert!(FLOW.is_final(end));
        }
    }

    #[test]
    fn default_chains_cover_every_subject_and_impact() {
        let chains = default_chains();
        assert_eq!(chains.len(), CHAIN_SUBJECTS.len() * 2);
        for c in &chains {
            assert_eq!(c.steps[0].approver_role, StepRole::DepartmentHead);
            assert_eq!(c.steps.len(), if c.impact == Impact::Major { 3 } else { 2 });
        }
        assert_eq!(RequestKind::AccessRevoke.chain_subject(), "access");
        assert_eq!(RequestKind::Change.chain_subject(), "change");
    }
}
