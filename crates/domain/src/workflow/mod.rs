//! The one workflow engine (SPEC §6.0). A process declares its states and moves as data
//! ([`Workflow`]): who may make each move ([`Who`]) and what kind of move it is
//! ([`MoveKind`]: plain work, submitting, approving, rejecting, returning, closing,
//! withdrawing). The engine answers the two questions every process asks — which moves may
//! this caller make now ([`Workflow::allowed`]), and may they make this one
//! ([`Workflow::check`]) — and applies separation of duties to every deciding move through
//! [`sod::ensure_independent_approver`], the one place the rule lives. Whether the item's
//! content is ready for a move stays with each process.
//!
//! Approval chains ([`chain`]) say who approves a submitted item step by step, and the
//! working-day calendar ([`calendar`]) computes "working day" deadlines.

pub mod calendar;
pub mod chain;
pub mod run;

use crate::ids::UserId;
use crate::macros::coded_enum;
use crate::role::Role;
use crate::sod::{self, Authors};
use crate::time::Timestamp;
use serde::Serialize;

coded_enum! {
    /// What an approver decided.
    pub enum Decision {
        /// Approved.
        Approve => ("approve", "Approved", "同意"),
        /// Refused for good.
        Reject => ("reject", "Rejected", "驳回"),
        /// Sent back with comments.
        Return => ("return", "Returned", "退回修改"),
        /// Closed after checking.
        Close => ("close", "Closed", "关闭"),
    }
}

impl Decision {
    /// The kind of move this decision makes.
    pub fn kind(self) -> MoveKind {
        match self {
            Decision::Approve => MoveKind::Approve,
            Decision::Reject => MoveKind::Reject,
            Decision::Return => MoveKind::Return,
            Decision::Close => MoveKind::Close,
        }
    }
}

/// A recorded move of an item (states as their codes; each process reads its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoveRecord {
    /// Id.
    pub id: i64,
    /// From (state code).
    pub from: String,
    /// To (state code).
    pub to: String,
    /// Who (`None` for the host operator or Castellan itself).
    pub actor_id: Option<UserId>,
    /// Their username at the time.
    pub actor: String,
    /// When.
    pub at: Timestamp,
    /// Why.
    pub comment: Option<String>,
}

/// A recorded decision (SPEC §6.0): never edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// Id.
    pub id: i64,
    /// Which submission of the item it belongs to (1 for the first).
    pub round: i64,
    /// The step (0-based).
    pub step: i64,
    /// The step's name.
    pub step_name: String,
    /// Who decided.
    pub approver_id: Option<UserId>,
    /// Their username at the time.
    pub approver: String,
    /// What.
    pub decision: Decision,
    /// Why.
    pub comment: Option<String>,
    /// When.
    pub at: Timestamp,
}

/// What a move does, which decides the rules around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveKind {
    /// Work goes on (or back a step) within the team.
    Work,
    /// Hands the item over for a decision; the mover becomes its submitter.
    Submit,
    /// An approver approves.
    Approve,
    /// An approver refuses, for good; needs a comment.
    Reject,
    /// An approver sends the item back to its authors; needs a comment.
    Return,
    /// Someone independent of the item closes it.
    Close,
    /// The requester takes the item back.
    Withdraw,
}

impl MoveKind {
    /// Whether the move decides on the work of others: separation of duties applies.
    pub fn decides(self) -> bool {
        matches!(
            self,
            MoveKind::Approve | MoveKind::Reject | MoveKind::Return | MoveKind::Close
        )
    }

    /// Whether a comment must explain the move.
    pub fn needs_comment(self) -> bool {
        matches!(self, MoveKind::Reject | MoveKind::Return)
    }

    /// Stable code of the decision an approval records (`approve`, `reject`, `return`,
    /// `close`), or `None` for moves that decide nothing.
    pub fn decision_code(self) -> Option<&'static str> {
        match self {
            MoveKind::Approve => Some("approve"),
            MoveKind::Reject => Some("reject"),
            MoveKind::Return => Some("return"),
            MoveKind::Close => Some("close"),
            _ => None,
        }
    }
}

/// Who may make a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A holder of one of these roles.
    Roles(&'static [Role]),
    /// The item's team (its requester or owner, and its members), or a holder of one of
    /// these roles.
    Team(&'static [Role]),
    /// The item's requester or owner only.
    Requester,
    /// An approver of the item's current step in its approval chain.
    Approver,
}

/// One move of a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move<S: 'static> {
    /// From.
    pub from: S,
    /// To.
    pub to: S,
    /// Who may make it.
    pub who: Who,
    /// What it does.
    pub kind: MoveKind,
}

impl<S: Copy> Move<S> {
    /// A move.
    pub const fn new(from: S, to: S, who: Who, kind: MoveKind) -> Self {
        Move {
            from,
            to,
            who,
            kind,
        }
    }

    /// Whether a comment must explain the move.
    pub fn comment_required(&self) -> bool {
        self.kind.needs_comment()
    }

    /// Whether the move hands the item over for review (the mover becomes its submitter).
    pub fn submits(&self) -> bool {
        self.kind == MoveKind::Submit
    }
}

/// A process: its name (the stable code its moves and approvals are stored under) and its
/// moves.
#[derive(Debug)]
pub struct Workflow<S: 'static> {
    /// Stable code (`assessment`, `request`, …).
    pub process: &'static str,
    /// Every move.
    pub moves: &'static [Move<S>],
}

/// The caller, as far as moves are concerned.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// Who.
    pub user: UserId,
    /// The roles that reach the item (scopes are the application's concern: it passes the
    /// roles whose grants cover the item).
    pub roles: &'a [Role],
    /// Whether the caller is an approver of the item's current step (the application
    /// resolves the chain: role, scope, department head). False for items without a chain.
    pub step_approver: bool,
}

impl<'a> Caller<'a> {
    /// A caller with these roles, approving no chain step.
    pub fn new(user: UserId, roles: &'a [Role]) -> Self {
        Caller {
            user,
            roles,
            step_approver: false,
        }
    }

    fn holds_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.roles.contains(r))
    }
}

/// The people an item belongs to: its authors (for separation of duties) and, where the
/// process has one, its requester or owner.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    /// Creator, submitter and team.
    pub authors: Authors<'a>,
    /// The requester or owner.
    pub requester: Option<UserId>,
}

impl Subject<'_> {
    fn is_team(&self, user: UserId) -> bool {
        self.requester == Some(user) || self.authors.team.contains(&user)
    }
}

/// Why a move is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The process has no such move from the current state (409).
    NotAllowed,
    /// The move exists but not for this caller (403).
    NotYours,
    /// The caller created, submitted or helped prepare what they would decide on (409,
    /// separation of duties).
    SelfApproval,
    /// The move needs a comment (422).
    CommentRequired,
}

/// Whether `caller` is among those `who` names for `subject`, leaving separation of duties
/// aside.
pub fn is_named(who: Who, caller: &Caller<'_>, subject: &Subject<'_>) -> bool {
    match who {
        Who::Roles(roles) => caller.holds_any(roles),
        Who::Team(roles) => subject.is_team(caller.user) || caller.holds_any(roles),
        Who::Requester => subject.requester == Some(caller.user),
        Who::Approver => caller.step_approver,
    }
}

/// Whether `caller` may make a move of `kind` by `who`: named by `who`, and, for deciding
/// moves, independent of the item. Processes that record a decision outside a move (a
/// committee accepting one risk) call this too, so the rule exists once.
pub fn may_act(who: Who, kind: MoveKind, caller: &Caller<'_>, subject: &Subject<'_>) -> bool {
    check_actor(who, kind, caller, subject).is_ok()
}

/// [`may_act`] with the reason of a refusal.
pub fn check_actor(
    who: Who,
    kind: MoveKind,
    caller: &Caller<'_>,
    subject: &Subject<'_>,
) -> Result<(), Refusal> {
    if !is_named(who, caller, subject) {
        return Err(Refusal::NotYours);
    }
    if kind.decides() && sod::ensure_independent_approver(caller.user, &subject.authors).is_err() {
        return Err(Refusal::SelfApproval);
    }
    Ok(())
}

impl<S: Copy + PartialEq + 'static> Workflow<S> {
    /// The move from `from` to `to`, if the process has one.
    pub fn find(&self, from: S, to: S) -> Option<&'static Move<S>> {
        self.moves.iter().find(|m| m.from == from && m.to == to)
    }

    /// The states `caller` may move an item in `state` to now, in declaration order.
    pub fn allowed(&self, state: S, caller: &Caller<'_>, subject: &Subject<'_>) -> Vec<S> {
        self.moves
            .iter()
            .filter(|m| m.from == state && may_act(m.who, m.kind, caller, subject))
            .map(|m| m.to)
            .collect()
    }

    /// Checks a move and returns it: it must exist, be the caller's, respect separation of
    /// duties, and carry a comment where one is needed.
    pub fn check(
        &self,
        from: S,
        to: S,
        caller: &Caller<'_>,
        subject: &Subject<'_>,
        comment: Option<&str>,
    ) -> Result<&'static Move<S>, Refusal> {
        let m = self.find(from, to).ok_or(Refusal::NotAllowed)?;
        check_actor(m.who, m.kind, caller, subject)?;
        if m.comment_required() && comment.is_none_or(|c| c.trim().is_empty()) {
            return Err(Refusal::CommentRequired);
        }
        Ok(m)
    }

    /// The states no move leaves.
    pub fn is_final(&self, state: S) -> bool {
        !self.moves.iter().any(|m| m.from == state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine finds a move by (from, to): a second move between the same two states
    /// would never be reached.
    fn moves_are_unique<S: Copy + PartialEq + std::fmt::Debug>(w: &Workflow<S>) {
        for (i, m) in w.moves.iter().enumerate() {
            assert!(
                !w.moves[..i]
                    .iter()
                    .any(|o| o.from == m.from && o.to == m.to),
                "{}: two moves {:?} → {:?}",
                w.process,
                m.from,
                m.to
            );
        }
    }

    #[test]
    fn every_process_has_one_move_per_pair_of_states() {
        moves_are_unique(&crate::risk::assessment::FLOW);
        moves_are_unique(&crate::request::FLOW);
        moves_are_unique(&crate::incident::FLOW);
        moves_are_unique(&crate::rectification::FLOW);
        moves_are_unique(&crate::document::FLOW);
        moves_are_unique(&crate::training::FLOW);
        moves_are_unique(&crate::inspection::PLAN_FLOW);
        moves_are_unique(&crate::inspection::FLOW);
        moves_are_unique(&crate::goal::FLOW);
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum S {
        Draft,
        Submitted,
        Approved,
        Rejected,
        Withdrawn,
    }

    const FLOW: Workflow<S> = Workflow {
        process: "test",
        moves: &[
            Move::new(S::Draft, S::Submitted, Who::Requester, MoveKind::Submit),
            Move::new(S::Draft, S::Withdrawn, Who::Requester, MoveKind::Withdraw),
            Move::new(S::Submitted, S::Approved, Who::Approver, MoveKind::Approve),
            Move::new(S::Submitted, S::Rejected, Who::Approver, MoveKind::Reject),
            Move::new(S::Submitted, S::Draft, Who::Approver, MoveKind::Return),
            Move::new(
                S::Approved,
                S::Withdrawn,
                Who::Roles(&[Role::SecurityOfficer]),
                MoveKind::Close,
            ),
        ],
    };

    const ALICE: UserId = UserId(1);
    const BOB: UserId = UserId(2);

    fn alices() -> Subject<'static> {
        Subject {
            authors: Authors {
                created_by: Some(ALICE),
                submitted_by: Some(ALICE),
                team: &[],
            },
            requester: Some(ALICE),
        }
    }

    #[test]
    fn the_requester_submits_and_an_independent_approver_decides() {
        let alice = Caller::new(ALICE, &[Role::Staff]);
        assert_eq!(
            FLOW.allowed(S::Draft, &alice, &alices()),
            [S::Submitted, S::Withdrawn]
        );
        let bob = Caller {
            step_approver: true,
            ..Caller::new(BOB, &[Role::Staff])
        };
        assert!(FLOW.allowed(S::Draft, &bob, &alices()).is_empty());
        assert_eq!(
            FLOW.allowed(S::Submitted, &bob, &alices()),
            [S::Approved, S::Rejected, S::Draft]
        );
        // Alice as a step approver of her own request decides nothing.
        let alice_approver = Caller {
            step_approver: true,
            ..alice
        };
        assert!(
            FLOW.allowed(S::Submitted, &alice_approver, &alices())
                .is_empty()
        );
        assert_eq!(
            FLOW.check(S::Submitted, S::Approved, &alice_approver, &alices(), None),
            Err(Refusal::SelfApproval)
        );
        assert_eq!(
            FLOW.check(S::Submitted, S::Approved, &alice, &alices(), None),
            Err(Refusal::NotYours)
        );
        assert_eq!(
            FLOW.check(S::Approved, S::Draft, &bob, &alices(), None),
            Err(Refusal::NotAllowed)
        );
    }

    #[test]
    fn rejections_and_returns_need_a_comment_and_approvals_do_not() {
        let bob = Caller {
            step_approver: true,
            ..Caller::new(BOB, &[])
        };
        for to in [S::Rejected, S::Draft] {
            for c in [None, Some(""), Some(" \n")] {
                assert_eq!(
                    FLOW.check(S::Submitted, to, &bob, &alices(), c),
                    Err(Refusal::CommentRequired)
                );
            }
            assert!(
                FLOW.check(S::Submitted, to, &bob, &alices(), Some("why"))
                    .is_ok()
            );
        }
        let m = FLOW
            .check(S::Submitted, S::Approved, &bob, &alices(), None)
            .unwrap();
        assert_eq!(m.kind.decision_code(), Some("approve"));
        assert!(!m.submits() && !m.comment_required());
    }

    #[test]
    fn closing_is_a_decision_and_final_states_have_no_moves() {
        let officer = Caller::new(ALICE, &[Role::SecurityOfficer]);
        assert_eq!(
            FLOW.check(S::Approved, S::Withdrawn, &officer, &alices(), None),
            Err(Refusal::SelfApproval)
        );
        let other = Caller::new(BOB, &[Role::SecurityOfficer]);
        assert!(
            FLOW.check(S::Approved, S::Withdrawn, &other, &alices(), None)
                .is_ok()
        );
        assert!(FLOW.is_final(S::Rejected) && FLOW.is_final(S::Withdrawn));
        assert!(!FLOW.is_final(S::Draft));
    }

    #[test]
    fn the_team_is_requester_and_members_or_the_named_roles() {
        let team = [BOB];
        let subject = Subject {
            authors: Authors {
                created_by: Some(UserId(5)),
                submitted_by: None,
                team: &team,
            },
            requester: Some(ALICE),
        };
        assert!(!is_named(
            Who::Team(&[]),
            &Caller::new(UserId(5), &[]),
            &subject
        ));
        let who = Who::Team(&[Role::SecurityOfficer]);
        assert!(is_named(who, &Caller::new(ALICE, &[]), &subject));
        assert!(is_named(who, &Caller::new(BOB, &[]), &subject));
        assert!(!is_named(
            who,
            &Caller::new(UserId(3), &[Role::Assessor]),
            &subject
        ));
        assert!(is_named(
            who,
            &Caller::new(UserId(3), &[Role::SecurityOfficer]),
            &subject
        ));
    }
}
