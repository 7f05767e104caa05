//! The phases of a risk assessment and who may move it between them (SPEC §4):
//! preparation → identification → analysis → treatment planning → review (returned with
//! comments, or approved by a security officer) → implementing → residual assessment →
//! residual review (returned, or closed by a committee member). Nobody approves or returns
//! what they submitted.

use crate::macros::coded_enum;
use crate::role::Role;
use crate::sod::Authors;
use crate::workflow::{self, Move, MoveKind, Subject, Who, Workflow};

pub use crate::workflow::{Caller, Refusal as MoveRefusal};

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

/// The assessment's team moves it through its work: its members, or a security officer.
pub const TEAM: Who = Who::Team(&[Role::SecurityOfficer]);
/// The plan's reviewers: a security officer or a committee member.
pub const REVIEWER: Who = Who::Roles(&[Role::SecurityOfficer, Role::Committee]);
/// The committee: closes the assessment, and approves keeping or accepting high risks.
pub const COMMITTEE: Who = Who::Roles(&[Role::Committee]);

/// The assessment workflow on the engine.
pub const FLOW: Workflow<Phase> = Workflow {
    process: "assessment",
    moves: &[
        Move::new(
            Phase::Preparation,
            Phase::Identification,
            TEAM,
            MoveKind::Work,
        ),
        Move::new(Phase::Identification, Phase::Analysis, TEAM, MoveKind::Work),
        Move::new(
            Phase::Identification,
            Phase::Preparation,
            TEAM,
            MoveKind::Work,
        ),
        Move::new(
            Phase::Analysis,
            Phase::TreatmentPlanning,
            TEAM,
            MoveKind::Work,
        ),
        Move::new(Phase::Analysis, Phase::Identification, TEAM, MoveKind::Work),
        Move::new(
            Phase::TreatmentPlanning,
            Phase::Analysis,
            TEAM,
            MoveKind::Work,
        ),
        Move::new(
            Phase::TreatmentPlanning,
            Phase::Review,
            TEAM,
            MoveKind::Submit,
        ),
        Move::new(
            Phase::Review,
            Phase::TreatmentPlanning,
            REVIEWER,
            MoveKind::Return,
        ),
        Move::new(Phase::Review, Phase::Approved, REVIEWER, MoveKind::Approve),
        Move::new(Phase::Approved, Phase::Implementing, TEAM, MoveKind::Work),
        Move::new(
            Phase::Implementing,
            Phase::ResidualAssessment,
            TEAM,
            MoveKind::Work,
        ),
        Move::new(
            Phase::ResidualAssessment,
            Phase::ResidualReview,
            TEAM,
            MoveKind::Submit,
        ),
        Move::new(
            Phase::ResidualReview,
            Phase::ResidualAssessment,
            COMMITTEE,
            MoveKind::Return,
        ),
        Move::new(
            Phase::ResidualReview,
            Phase::Closed,
            COMMITTEE,
            MoveKind::Close,
        ),
    ],
};

/// Every move of the workflow.
pub const MOVES: &[Move<Phase>] = FLOW.moves;

/// The assessment as the engine sees it: its creator, submitter and team.
pub fn subject<'a>(authors: Authors<'a>) -> Subject<'a> {
    Subject {
        authors,
        requester: None,
    }
}

/// The phases `caller` may move an assessment in `phase` to now; `authors` are the
/// assessment's creator, submitter and team.
pub fn allowed_moves(phase: Phase, caller: &Caller<'_>, authors: &Authors<'_>) -> Vec<Phase> {
    FLOW.allowed(phase, caller, &subject(*authors))
}

/// Checks a move; returns the move (whether it submits, whether it needed a comment).
/// `authors` are the assessment's creator, submitter and team: none of them approves,
/// returns as reviewer or closes it.
pub fn check_move(
    from: Phase,
    to: Phase,
    caller: &Caller<'_>,
    authors: &Authors<'_>,
    comment: Option<&str>,
) -> Result<&'static Move<Phase>, MoveRefusal> {
    FLOW.check(from, to, caller, &subject(*authors), comment)
}

/// Whether a committee member may record a decision on one of the assessment's risks
/// (accepting a high risk, or a residual one): the same rule as the committee's moves.
pub fn check_committee_decision(
    caller: &Caller<'_>,
    authors: &Authors<'_>,
) -> Result<(), MoveRefusal> {
    workflow::check_actor(COMMITTEE, MoveKind::Approve, caller, &subject(*authors))
}

impl Phase {
    /// Whether the assessment can still be edited (everything but a closed one).
    pub fn is_open(self) -> bool {
        self != Phase::Closed
    }

    /// Whether `work` can be done in this phase.
    pub fn allows(self, work: Work) -> bool {
        use Phase::*;
        match work {
            Work::Plan => matches!(self, Preparation | Identification),
            Work::Risks => matches!(self, Identification | Analysis | TreatmentPlanning),
            Work::Treatment => matches!(self, Analysis | TreatmentPlanning),
            Work::Progress => matches!(self, Approved | Implementing | ResidualAssessment),
            Work::Residual => matches!(self, Implementing | ResidualAssessment),
            Work::Acceptance => {
                matches!(
                    self,
                    TreatmentPlanning | Review | ResidualAssessment | ResidualReview
                )
            }
        }
    }
}

/// Kinds of change to an assessment's content, each possible in some phases only (a
/// submitted plan is frozen while it is reviewed; a closed assessment allows nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Name, scope, team, dates, method, checklist.
    Plan,
    /// Adding, removing and rating risks.
    Risks,
    /// Choosing treatment options and planning treatment items.
    Treatment,
    /// Reporting progress on treatment items.
    Progress,
    /// Rating residual risk.
    Residual,
    /// A committee member accepting a risk at or above the threshold.
    Acceptance,
}

/// Whether the caller may change the assessment's content (its team, or a security officer).
pub fn may_edit(caller: &Caller<'_>, authors: &Authors<'_>) -> bool {
    workflow::may_act(TEAM, MoveKind::Work, caller, &subject(*authors))
}

/// Facts about an assessment's risks that decide whether it can move on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Readiness {
    /// Risks without T and V.
    pub unrated: u64,
    /// Risks without a treatment option.
    pub untreated: u64,
    /// Risks at or above the threshold kept or accepted without a committee approval.
    pub acceptance_missing: u64,
    /// Risks without residual T and V.
    pub residual_unrated: u64,
    /// Residual risks at or above the threshold without a committee acceptance.
    pub residual_open: u64,
}

/// Why an assessment cannot move on yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotReady {
    /// Some risks are not rated.
    Unrated(u64),
    /// Some risks have no treatment option.
    Untreated(u64),
    /// High risks are kept or accepted without the committee.
    AcceptanceMissing(u64),
    /// Some residual risks are not rated.
    ResidualUnrated(u64),
    /// Residual risks at or above the threshold are neither treated again nor accepted.
    ResidualOpen(u64),
}

/// Checks that the assessment's risks allow moving to `to`: the plan goes to review only
/// when every risk is rated and treated (high ones kept or accepted only with the committee's
/// approval); the residual report goes to review, and is closed, only when every residual
/// risk is rated and none at or above the threshold is left without the committee's
/// acceptance.
pub fn check_ready(to: Phase, facts: &Readiness) -> Result<(), NotReady> {
    match to {
        Phase::Review => {
            nonzero(facts.unrated, NotReady::Unrated)?;
            nonzero(facts.untreated, NotReady::Untreated)?;
            nonzero(facts.acceptance_missing, NotReady::AcceptanceMissing)
        }
        Phase::ResidualReview | Phase::Closed => {
            nonzero(facts.residual_unrated, NotReady::ResidualUnrated)?;
            nonzero(facts.residual_open, NotReady::ResidualOpen)
        }
        _ => Ok(()),
    }
}

fn nonzero(n: u64, e: fn(u64) -> NotReady) -> Result<(), NotReady> {
    if n == 0 { Ok(()) } else { Err(e(n)) }
}

coded_enum! {
    /// An area the assessment examines (the rows of its checklist).
    pub enum Area {
        /// Security organization, policies, people, operations.
        Management => ("management", "Security management", "管理测评"),
        /// Machine rooms, access control, environment.
        Physical => ("physical", "Physical security", "物理测评"),
        /// Network architecture and boundaries.
        Network => ("network", "Network architecture", "网络状况测评"),
        /// Routers, switches, firewalls and other network devices.
        NetworkDevices => ("network_devices", "Network devices", "网络设备测评"),
        /// Servers, terminals and their operating systems.
        Hosts => ("hosts", "Hosts", "主机设备测评"),
        /// Data protection, backup and recovery.
        Data => ("data", "Data security and backup", "数据安全及备份恢复测评"),
        /// Business applications.
        Applications => ("applications", "Applications", "应用系统测评"),
    }
}

coded_enum! {
    /// How an area is examined (the columns of the checklist).
    pub enum Technique {
        /// Talking to the people responsible.
        Interview => ("interview", "Interview", "访谈"),
        /// Reading policies, records, designs and configurations.
        DocumentReview => ("document_review", "Document review", "文档审核"),
        /// Looking at the site.
        Observation => ("observation", "Site observation", "现场观察"),
        /// Checking on the systems themselves.
        Verification => ("verification", "Verification", "验证"),
        /// Running a vulnerability scanner.
        VulnerabilityScan => ("vulnerability_scan", "Vulnerability scan", "漏洞扫描"),
    }
}

/// The checklist a new assessment starts with: three techniques per area, as an assessment
/// team usually plans them (people and paper for management, the systems themselves for
/// devices and hosts).
pub fn default_checklist() -> Vec<(Area, Technique)> {
    use Area::*;
    use Technique::*;
    let plan: [(Area, [Technique; 3]); 7] = [
        (Management, [Interview, DocumentReview, Observation]),
        (Physical, [Interview, DocumentReview, Observation]),
        (Network, [Interview, DocumentReview, Verification]),
        (
            NetworkDevices,
            [Verification, DocumentReview, VulnerabilityScan],
        ),
        (Hosts, [Verification, DocumentReview, VulnerabilityScan]),
        (Data, [Interview, Verification, DocumentReview]),
        (Applications, [Interview, Verification, DocumentReview]),
    ];
    plan.into_iter()
        .flat_map(|(area, ts)| ts.into_iter().map(move |t| (area, t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    const ALICE: UserId = UserId(1);
    const BOB: UserId = UserId(2);
    const CAROL: UserId = UserId(3);
    const DAVE: UserId = UserId(4);
    const TEAM: &[UserId] = &[ALICE];

    /// An assessment ALICE created and prepared, submitted by `submitted_by`.
    fn by_alice(submitted_by: Option<UserId>) -> Authors<'static> {
        Authors {
            created_by: Some(ALICE),
            submitted_by,
            team: TEAM,
        }
    }

    fn assessor(user: UserId) -> Caller<'static> {
        Caller::new(user, &[Role::Assessor])
    }

    fn officer(user: UserId) -> Caller<'static> {
        Caller::new(user, &[Role::SecurityOfficer])
    }

    fn committee(user: UserId) -> Caller<'static> {
        Caller::new(user, &[Role::Committee])
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
                allowed_moves(from, &caller, &by_alice(Some(ALICE))).contains(&to),
                "{from:?} → {to:?}"
            );
            assert!(
                check_move(from, to, &caller, &by_alice(Some(ALICE)), comment).is_ok(),
                "{from:?} → {to:?}"
            );
        }
    }

    #[test]
    fn moves_outside_the_workflow_are_refused() {
        let everyone = Caller::new(CAROL, &[Role::SecurityOfficer, Role::Committee]);
        for from in Phase::ALL {
            for to in Phase::ALL {
                let listed = MOVES.iter().any(|m| m.from == from && m.to == to);
                let r = check_move(from, to, &everyone, &by_alice(Some(ALICE)), Some("ok"));
                assert_eq!(r.is_ok(), listed, "{from:?} → {to:?}");
                if !listed {
                    assert_eq!(r, Err(MoveRefusal::NotAllowed));
                }
            }
        }
        assert!(allowed_moves(Phase::Closed, &everyone, &by_alice(None)).is_empty());
        assert!(!Phase::Closed.is_open() && Phase::Review.is_open());
    }

    #[test]
    fn roles_decide_who_moves() {
        // Staff outside the team move nothing; assessors do not approve.
        let outsider = Caller::new(CAROL, &[Role::Staff]);
        assert_eq!(
            check_move(
                Phase::Preparation,
                Phase::Identification,
                &outsider,
                &by_alice(None),
                None
            ),
            Err(MoveRefusal::NotYours)
        );
        assert_eq!(
            check_move(
                Phase::Review,
                Phase::Approved,
                &assessor(CAROL),
                &by_alice(Some(ALICE)),
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
                &by_alice(Some(ALICE)),
                None
            )
            .is_ok()
        );
        assert_eq!(
            check_move(
                Phase::ResidualReview,
                Phase::Closed,
                &officer(BOB),
                &by_alice(Some(ALICE)),
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
                &by_alice(Some(ALICE)),
                None
            )
            .is_ok()
        );
        assert_eq!(
            allowed_moves(Phase::Review, &assessor(ALICE), &by_alice(Some(ALICE))),
            Vec::<Phase>::new()
        );
    }

    #[test]
    fn nobody_decides_on_an_assessment_they_created_submitted_or_prepared() {
        // BOB holds every deciding role; he is refused each decision whenever he is one of the
        // assessment's authors, and allowed when he is not.
        let bob = Caller::new(BOB, &[Role::SecurityOfficer, Role::Committee]);
        let team_with_bob = [ALICE, BOB];
        let shapes = [
            (
                "creator",
                Authors {
                    created_by: Some(BOB),
                    submitted_by: Some(ALICE),
                    team: TEAM,
                },
            ),
            (
                "submitter",
                Authors {
                    created_by: Some(ALICE),
                    submitted_by: Some(BOB),
                    team: TEAM,
                },
            ),
            (
                "team member",
                Authors {
                    created_by: Some(ALICE),
                    submitted_by: Some(ALICE),
                    team: &team_with_bob,
                },
            ),
        ];
        let decisions: Vec<&Move<Phase>> = MOVES.iter().filter(|m| m.kind.decides()).collect();
        assert_eq!(
            decisions.len(),
            4,
            "approve, return, close, return residual"
        );
        for (who, authors) in &shapes {
            for m in &decisions {
                assert_eq!(
                    check_move(m.from, m.to, &bob, authors, Some("x")),
                    Err(MoveRefusal::SelfApproval),
                    "{who}: {:?} → {:?}",
                    m.from,
                    m.to
                );
                assert!(
                    !allowed_moves(m.from, &bob, authors).contains(&m.to),
                    "{who}"
                );
            }
            // The team's own moves stay open to a security officer who prepared it.
            assert!(check_move(Phase::Approved, Phase::Implementing, &bob, authors, None).is_ok());
        }
        for m in &decisions {
            assert!(check_move(m.from, m.to, &bob, &by_alice(Some(ALICE)), Some("x")).is_ok());
        }
        // Someone without the deciding role is told it is not theirs, author or not.
        let dave = Caller::new(DAVE, &[Role::Assessor]);
        let dave_authored = Authors {
            created_by: Some(DAVE),
            submitted_by: Some(DAVE),
            team: &[],
        };
        assert_eq!(
            check_move(Phase::Review, Phase::Approved, &dave, &dave_authored, None),
            Err(MoveRefusal::NotYours)
        );
        assert_eq!(
            allowed_moves(Phase::ResidualReview, &bob, &by_alice(Some(ALICE))),
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
                    check_move(from, to, &caller, &by_alice(Some(ALICE)), comment),
                    Err(MoveRefusal::CommentRequired)
                );
            }
            assert!(check_move(from, to, &caller, &by_alice(Some(ALICE)), Some("请补充")).is_ok());
        }
        let submit = check_move(
            Phase::TreatmentPlanning,
            Phase::Review,
            &assessor(ALICE),
            &by_alice(None),
            None,
        )
        .unwrap();
        assert!(submit.submits() && !submit.comment_required());
    }

    #[test]
    fn each_kind_of_work_has_its_phases_and_closed_allows_none() {
        let phases_for = |w: Work| -> Vec<&str> {
            Phase::ALL
                .into_iter()
                .filter(|p| p.allows(w))
                .map(Phase::code)
                .collect()
        };
        assert_eq!(phases_for(Work::Plan), ["preparation", "identification"]);
        assert_eq!(
            phases_for(Work::Risks),
            ["identification", "analysis", "treatment_planning"]
        );
        assert_eq!(
            phases_for(Work::Treatment),
            ["analysis", "treatment_planning"]
        );
        assert_eq!(
            phases_for(Work::Progress),
            ["approved", "implementing", "residual_assessment"]
        );
        assert_eq!(
            phases_for(Work::Residual),
            ["implementing", "residual_assessment"]
        );
        assert_eq!(
            phases_for(Work::Acceptance),
            [
                "treatment_planning",
                "review",
                "residual_assessment",
                "residual_review"
            ]
        );
        for w in [
            Work::Plan,
            Work::Risks,
            Work::Treatment,
            Work::Progress,
            Work::Residual,
            Work::Acceptance,
        ] {
            assert!(!Phase::Closed.allows(w));
            assert!(!Phase::Review.allows(w) || w == Work::Acceptance);
        }
    }

    #[test]
    fn the_team_and_security_officers_edit_content_nobody_else() {
        assert!(may_edit(&assessor(ALICE), &by_alice(None)));
        assert!(may_edit(&officer(BOB), &by_alice(None)));
        assert!(!may_edit(&committee(CAROL), &by_alice(None)));
        let outsider = Caller::new(CAROL, &[Role::Assessor]);
        assert!(!may_edit(&outsider, &by_alice(None)));
    }

    #[test]
    fn review_and_closing_wait_for_complete_ratings_and_acceptances() {
        let ready = Readiness::default();
        for to in Phase::ALL {
            assert_eq!(check_ready(to, &ready), Ok(()));
        }
        let facts = Readiness {
            unrated: 2,
            ..Readiness::default()
        };
        assert_eq!(
            check_ready(Phase::Review, &facts),
            Err(NotReady::Unrated(2))
        );
        assert_eq!(check_ready(Phase::Analysis, &facts), Ok(()));
        let facts = Readiness {
            untreated: 1,
            acceptance_missing: 3,
            ..Readiness::default()
        };
        assert_eq!(
            check_ready(Phase::Review, &facts),
            Err(NotReady::Untreated(1))
        );
        let facts = Readiness {
            acceptance_missing: 3,
            residual_open: 1,
            ..Readiness::default()
        };
        assert_eq!(
            check_ready(Phase::Review, &facts),
            Err(NotReady::AcceptanceMissing(3))
        );
        assert_eq!(
            check_ready(Phase::Closed, &facts),
            Err(NotReady::ResidualOpen(1))
        );
        let facts = Readiness {
            residual_unrated: 4,
            ..Readiness::default()
        };
        assert_eq!(
            check_ready(Phase::ResidualReview, &facts),
            Err(NotReady::ResidualUnrated(4))
        );
    }

    #[test]
    fn the_default_checklist_covers_every_area_three_ways() {
        let list = default_checklist();
        assert_eq!(list.len(), 21);
        for area in Area::ALL {
            assert_eq!(list.iter().filter(|(a, _)| *a == area).count(), 3);
        }
        assert!(list.contains(&(Area::Hosts, Technique::VulnerabilityScan)));
        assert!(list.contains(&(Area::Physical, Technique::Observation)));
        assert!(!list.contains(&(Area::Management, Technique::VulnerabilityScan)));
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
