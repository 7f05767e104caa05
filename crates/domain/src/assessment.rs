//! The phases of a risk assessment and who may move it between them (SPEC §4):
//! preparation → identification → analysis → treatment planning → review (returned with
//! comments, or approved by a security officer) → implementing → residual assessment →
//! residual review (returned, or closed by a committee member). Nobody approves or returns
//! what they submitted.

use crate::asset::coded_enum;
use crate::error::FieldErrorKind;
use crate::ids::UserId;
use crate::lang::Text;
use crate::role::Role;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// Where an assessment is.
    pub enum Phase {
        /// Scope, team, plan and checklist are set up.
        Preparation => ("preparation", "Preparation", "评估准备"),
        /// Assets, threats, vulnerabilities and existing controls are identified.
        Identification => ("identification", "Identification", "风险识别"),
        /// Risks are rated.
        Analysis => ("analysis", "Analysis", "风险分析"),
        /// Treatment is planned for each risk.
        TreatmentPlanning => ("treatment_planning", "Treatment planning", "处置计划"),
        /// Report and plan wait for the security officer's review.
        Review => ("review", "Under review", "审核中"),
        /// Report and plan are approved.
        Approved => ("approved", "Approved", "已批准"),
        /// The treatment plan is being carried out.
        Implementing => ("implementing", "Implementing", "处置实施"),
        /// Residual risks are rated after treatment.
        ResidualAssessment => ("residual_assessment", "Residual assessment", "残余风险评估"),
        /// The residual risk report waits for the committee.
        ResidualReview => ("residual_review", "Residual review", "残余风险审批"),
        /// Accepted by the committee; nothing changes any more.
        Closed => ("closed", "Closed", "已关闭"),
    }
}

/// Who may make a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// A member of the assessment's team, or a security officer.
    Team,
    /// A security officer or a committee member, not the submitter.
    Reviewer,
    /// A committee member, not the submitter.
    Committee,
}

/// One allowed move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    /// From.
    pub from: Phase,
    /// To.
    pub to: Phase,
    /// Who may make it.
    pub mover: Mover,
    /// Whether a comment must explain it (returns).
    pub comment_required: bool,
    /// Whether it hands the work over for review (the mover becomes the submitter).
    pub submits: bool,
}

const fn mv(from: Phase, to: Phase, mover: Mover) -> Move {
    Move {
        from,
        to,
        mover,
        comment_required: false,
        submits: false,
    }
}

/// Every move of the workflow.
pub const MOVES: &[Move] = &[
    mv(Phase::Preparation, Phase::Identification, Mover::Team),
    mv(Phase::Identification, Phase::Analysis, Mover::Team),
    mv(Phase::Identification, Phase::Preparation, Mover::Team),
    mv(Phase::Analysis, Phase::TreatmentPlanning, Mover::Team),
    mv(Phase::Analysis, Phase::Identification, Mover::Team),
    mv(Phase::TreatmentPlanning, Phase::Analysis, Mover::Team),
    Move {
        submits: true,
        ..mv(Phase::TreatmentPlanning, Phase::Review, Mover::Team)
    },
    Move {
        comment_required: true,
        ..mv(Phase::Review, Phase::TreatmentPlanning, Mover::Reviewer)
    },
    mv(Phase::Review, Phase::Approved, Mover::Reviewer),
    mv(Phase::Approved, Phase::Implementing, Mover::Team),
    mv(Phase::Implementing, Phase::ResidualAssessment, Mover::Team),
    Move {
        submits: true,
        ..mv(
            Phase::ResidualAssessment,
            Phase::ResidualReview,
            Mover::Team,
        )
    },
    Move {
        comment_required: true,
        ..mv(
            Phase::ResidualReview,
            Phase::ResidualAssessment,
            Mover::Committee,
        )
    },
    mv(Phase::ResidualReview, Phase::Closed, Mover::Committee),
];

/// The caller, as far as moves are concerned.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// Who.
    pub user: UserId,
    /// The roles they hold (anywhere; scopes are the application's concern).
    pub roles: &'a [Role],
    /// Whether they are on the assessment's team.
    pub on_team: bool,
}

impl Caller<'_> {
    fn holds(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    fn may(&self, mover: Mover, submitted_by: Option<UserId>) -> bool {
        let independent = submitted_by != Some(self.user);
        match mover {
            Mover::Team => self.on_team || self.holds(Role::SecurityOfficer),
            Mover::Reviewer => {
                independent && (self.holds(Role::SecurityOfficer) || self.holds(Role::Committee))
            }
            Mover::Committee => independent && self.holds(Role::Committee),
        }
    }
}

/// Why a move is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveRefusal {
    /// The workflow has no such move from the current phase (409).
    NotAllowed,
    /// The move exists but not for this caller's role or team (403).
    NotYours,
    /// The caller submitted what they would approve or return (409, separation of duties).
    SelfApproval,
    /// A return needs a comment (422).
    CommentRequired,
}

/// The phases `caller` may move an assessment in `phase` to now.
pub fn allowed_moves(
    phase: Phase,
    caller: &Caller<'_>,
    submitted_by: Option<UserId>,
) -> Vec<Phase> {
    MOVES
        .iter()
        .filter(|m| m.from == phase && caller.may(m.mover, submitted_by))
        .map(|m| m.to)
        .collect()
}

/// Checks a move; returns the move (whether it submits, whether it needed a comment).
pub fn check_move(
    from: Phase,
    to: Phase,
    caller: &Caller<'_>,
    submitted_by: Option<UserId>,
    comment: Option<&str>,
) -> Result<Move, MoveRefusal> {
    let m = MOVES
        .iter()
        .find(|m| m.from == from && m.to == to)
        .copied()
        .ok_or(MoveRefusal::NotAllowed)?;
    let reviewing = matches!(m.mover, Mover::Reviewer | Mover::Committee);
    if reviewing && submitted_by == Some(caller.user) && caller.may(m.mover, None) {
        return Err(MoveRefusal::SelfApproval);
    }
    if !caller.may(m.mover, submitted_by) {
        return Err(MoveRefusal::NotYours);
    }
    if m.comment_required && comment.is_none_or(|c| c.trim().is_empty()) {
        return Err(MoveRefusal::CommentRequired);
    }
    Ok(m)
}

impl Phase {
    /// Whether the assessment can still be edited (everything but a closed one).
    pub fn is_open(self) -> bool {
        self != Phase::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: UserId = UserId(1);
    const BOB: UserId = UserId(2);
    const CAROL: UserId = UserId(3);

    fn assessor(user: UserId) -> Caller<'static> {
        Caller {
            user,
            roles: &[Role::Assessor],
            on_team: true,
        }
    }

    fn officer(user: UserId) -> Caller<'static> {
        Caller {
            user,
            roles: &[Role::SecurityOfficer],
            on_team: false,
        }
    }

    fn committee(user: UserId) -> Caller<'static> {
        Caller {
            user,
            roles: &[Role::Committee],
            on_team: false,
        }
    }

    #[test]
    fn an_assessment_walks_from_preparation_to_closed_with_three_people() {
        let walk = [
            (
                Phase::Preparation,
                Phase::Identification,
                assessor(ALICE),
                None,
            ),
            (
                Phase::Identification,
                Phase::Analysis,
                assessor(ALICE),
                None,
            ),
            (
                Phase::Analysis,
                Phase::TreatmentPlanning,
                assessor(ALICE),
                None,
            ),
            (
                Phase::TreatmentPlanning,
                Phase::Review,
                assessor(ALICE),
                None,
            ),
            (
                Phase::Review,
                Phase::TreatmentPlanning,
                officer(BOB),
                Some("补充处置措施"),
            ),
            (
                Phase::TreatmentPlanning,
                Phase::Review,
                assessor(ALICE),
                None,
            ),
            (Phase::Review, Phase::Approved, officer(BOB), None),
            (Phase::Approved, Phase::Implementing, assessor(ALICE), None),
            (
                Phase::Implementing,
                Phase::ResidualAssessment,
                assessor(ALICE),
                None,
            ),
            (
                Phase::ResidualAssessment,
                Phase::ResidualReview,
                assessor(ALICE),
                None,
            ),
            (Phase::ResidualReview, Phase::Closed, committee(CAROL), None),
        ];
        for (from, to, caller, comment) in walk {
            assert!(
                allowed_moves(from, &caller, Some(ALICE)).contains(&to),
                "{from:?} → {to:?}"
            );
            assert!(
                check_move(from, to, &caller, Some(ALICE), comment).is_ok(),
                "{from:?} → {to:?}"
            );
        }
    }

    #[test]
    fn moves_outside_the_workflow_are_refused() {
        let everyone = Caller {
            user: CAROL,
            roles: &[Role::SecurityOfficer, Role::Committee],
            on_team: true,
        };
        for from in Phase::ALL {
            for to in Phase::ALL {
                let listed = MOVES.iter().any(|m| m.from == from && m.to == to);
                let r = check_move(from, to, &everyone, Some(ALICE), Some("ok"));
                assert_eq!(r.is_ok(), listed, "{from:?} → {to:?}");
                if !listed {
                    assert_eq!(r, Err(MoveRefusal::NotAllowed));
                }
            }
        }
        assert!(allowed_moves(Phase::Closed, &everyone, None).is_empty());
        assert!(!Phase::Closed.is_open() && Phase::Review.is_open());
    }

    #[test]
    fn roles_decide_who_moves() {
        // Staff outside the team move nothing; assessors do not approve.
        let outsider = Caller {
            user: CAROL,
            roles: &[Role::Staff],
            on_team: false,
        };
        assert_eq!(
            check_move(
                Phase::Preparation,
                Phase::Identification,
                &outsider,
                None,
                None
            ),
            Err(MoveRefusal::NotYours)
        );
        assert_eq!(
            check_move(
                Phase::Review,
                Phase::Approved,
                &assessor(CAROL),
                Some(ALICE),
                None
            ),
            Err(MoveRefusal::NotYours)
        );
        // A security officer approves the plan but not the residual report.
        assert!(
            check_move(
                Phase::Review,
                Phase::Approved,
                &officer(BOB),
                Some(ALICE),
                None
            )
            .is_ok()
        );
        assert_eq!(
            check_move(
                Phase::ResidualReview,
                Phase::Closed,
                &officer(BOB),
                Some(ALICE),
                None
            ),
            Err(MoveRefusal::NotYours)
        );
        // The committee may review the plan too.
        assert!(
            check_move(
                Phase::Review,
                Phase::Approved,
                &committee(CAROL),
                Some(ALICE),
                None
            )
            .is_ok()
        );
        assert_eq!(
            allowed_moves(Phase::Review, &assessor(ALICE), Some(ALICE)),
            Vec::<Phase>::new()
        );
    }

    #[test]
    fn nobody_reviews_what_they_submitted() {
        let both = Caller {
            user: BOB,
            roles: &[Role::SecurityOfficer, Role::Committee],
            on_team: true,
        };
        assert_eq!(
            check_move(Phase::Review, Phase::Approved, &both, Some(BOB), None),
            Err(MoveRefusal::SelfApproval)
        );
        assert_eq!(
            check_move(
                Phase::Review,
                Phase::TreatmentPlanning,
                &both,
                Some(BOB),
                Some("x")
            ),
            Err(MoveRefusal::SelfApproval)
        );
        assert_eq!(
            check_move(Phase::ResidualReview, Phase::Closed, &both, Some(BOB), None),
            Err(MoveRefusal::SelfApproval)
        );
        assert!(allowed_moves(Phase::ResidualReview, &both, Some(BOB)).is_empty());
        assert_eq!(
            allowed_moves(Phase::ResidualReview, &both, Some(ALICE)),
            [Phase::ResidualAssessment, Phase::Closed]
        );
    }

    #[test]
    fn returns_need_a_comment() {
        for (from, to, caller) in [
            (Phase::Review, Phase::TreatmentPlanning, officer(BOB)),
            (
                Phase::ResidualReview,
                Phase::ResidualAssessment,
                committee(CAROL),
            ),
        ] {
            for comment in [None, Some(""), Some("   ")] {
                assert_eq!(
                    check_move(from, to, &caller, Some(ALICE), comment),
                    Err(MoveRefusal::CommentRequired)
                );
            }
            assert!(check_move(from, to, &caller, Some(ALICE), Some("请补充")).is_ok());
        }
        let submit = check_move(
            Phase::TreatmentPlanning,
            Phase::Review,
            &assessor(ALICE),
            None,
            None,
        )
        .unwrap();
        assert!(submit.submits && !submit.comment_required);
    }

    #[test]
    fn phases_have_codes_and_labels() {
        assert_eq!(
            Phase::from_code("residual_review"),
            Ok(Phase::ResidualReview)
        );
        assert!(Phase::from_code("done").is_err());
        assert_eq!(Phase::Review.label().zh, "审核中");
        assert_eq!(Phase::ALL.len(), 10);
    }
}
