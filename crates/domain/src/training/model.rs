//! Training plans and trainings: statuses, the plan's workflow, the checks on what their
//! editors give, and the attendance file's lines.

use crate::error::{DomainError, FieldErrorKind, FieldErrors};
use crate::ids::{DepartmentId, UserId};
use crate::lang::Text;
use crate::macros::coded_enum;
use crate::role::Role;
use crate::sod::Authors;
use crate::time::{Day, Timestamp};
use crate::values::{clean_multiline, clean_text};
use crate::workflow::chain::{Impact, Step, StepRole, StepScope};
use crate::workflow::run::ChainRun;
use crate::workflow::{Move, MoveKind, Subject, Who, Workflow};
use serde::Serialize;

coded_enum! {
    /// Where a year's plan stands.
    pub enum PlanStatus {
        /// Being prepared.
        Draft => ("draft", "Draft", "草稿"),
        /// Submitted: with its approver.
        InReview => ("in_review", "In review", "审批中"),
        /// Approved: its trainings are held.
        Approved => ("approved", "Approved", "已批准"),
    }
}

coded_enum! {
    /// Where a training stands.
    pub enum TrainingStatus {
        /// Planned for its month.
        Planned => ("planned", "Planned", "计划中"),
        /// Held: its attendance is recorded.
        Held => ("held", "Held", "已举办"),
        /// Not held.
        Cancelled => ("cancelled", "Cancelled", "已取消"),
    }
}

/// Who prepares plans, adds trainings and records attendance.
pub const MANAGERS: &[Role] = &[
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::ComplianceAdmin,
];

/// The plan's workflow (SPEC §6.4): a manager submits the draft; the approver of its chain
/// step (a security officer by default) approves it or returns it with a comment.
pub const FLOW: Workflow<PlanStatus> = {
    use PlanStatus::*;
    Workflow {
        process: "training_plan",
        moves: &[
            Move::new(Draft, InReview, Who::Team(MANAGERS), MoveKind::Submit),
            Move::new(InReview, Approved, Who::Approver, MoveKind::Approve),
            Move::new(InReview, Draft, Who::Approver, MoveKind::Return),
        ],
    }
};

/// The plan as the engine sees it: whoever created or submitted it never approves it.
pub fn subject(created_by: Option<UserId>, submitted_by: Option<UserId>) -> Subject<'static> {
    Subject {
        authors: Authors {
            created_by,
            submitted_by,
            team: &[],
        },
        requester: created_by,
    }
}

/// What approval chains apply to in this area.
pub const CHAIN_SUBJECTS: &[(&str, Text)] = &[(
    "training_plan",
    Text {
        en: "Training plans",
        zh: "培训计划",
    },
)];

/// The chains Castellan ships for training plans: a security officer approves.
pub fn default_chains() -> Vec<(String, Impact, Vec<Step>)> {
    Impact::ALL
        .into_iter()
        .map(|impact| {
            (
                format!("training_plan_{}", impact.code()),
                impact,
                vec![Step {
                    name: String::new(),
                    approver_role: StepRole::Role(Role::SecurityOfficer),
                    scope: StepScope::Any,
                    min_approvals: 1,
                }],
            )
        })
        .collect()
}

/// A year's training plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainingPlan {
    /// Id.
    pub id: i64,
    /// The year it covers.
    pub year: i32,
    /// Title.
    pub title: String,
    /// What it aims at.
    pub description: Option<String>,
    /// Status.
    pub status: PlanStatus,
    /// Its approval chain.
    #[serde(skip)]
    pub run: ChainRun,
    /// Who approved it.
    pub approved_by: Option<UserId>,
    /// When.
    pub approved_at: Option<Timestamp>,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
}

/// A training of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Training {
    /// Id.
    pub id: i64,
    /// Its plan.
    pub plan_id: i64,
    /// Title.
    pub title: String,
    /// What it covers.
    pub topic: Option<String>,
    /// Audience: departments (each with everything below it).
    pub audience_department_ids: Vec<DepartmentId>,
    /// Audience: roles. With no department and no role, the whole organization.
    pub audience_roles: Vec<Role>,
    /// The month it is planned for (1–12 of the plan's year).
    pub planned_month: u8,
    /// The day it was held.
    pub held_at: Option<Day>,
    /// Who gives it.
    pub trainer: Option<String>,
    /// Its material (a document of the register).
    pub document_id: Option<i64>,
    /// Status.
    pub status: TrainingStatus,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
}

/// Checks a plan's year (2000–2100), title and description.
pub fn check_plan(
    year: i64,
    title: &str,
    description: Option<&str>,
) -> Result<(i32, String, Option<String>), DomainError> {
    let mut errors = FieldErrors::new();
    let year = if (2000..=2100).contains(&year) {
        Some(year as i32)
    } else {
        errors.add(
            "year",
            FieldErrorKind::OutOfRange {
                min: 2000,
                max: 2100,
            },
        );
        None
    };
    let title = errors.check("title", clean_text(title, 1, 200));
    let description = errors.check("description", clean_multiline(description, 4000));
    errors.into_result()?;
    match (year, title, description) {
        (Some(y), Some(t), Some(d)) => Ok((y, t, d)),
        _ => Err(FieldErrors::single("title", FieldErrorKind::Required)),
    }
}

/// A training's fields as its editor gives them.
#[derive(Debug, Clone, Default)]
pub struct TrainingInput {
    /// Title.
    pub title: String,
    /// Topic.
    pub topic: Option<String>,
    /// Month (1–12).
    pub planned_month: i64,
    /// Trainer.
    pub trainer: Option<String>,
    /// Role codes of the audience.
    pub audience_roles: Vec<String>,
}

/// A training's checked fields (departments and the material are checked against the
/// database by the application).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingFields {
    /// Title.
    pub title: String,
    /// Topic.
    pub topic: Option<String>,
    /// Month.
    pub planned_month: u8,
    /// Trainer.
    pub trainer: Option<String>,
    /// Roles.
    pub audience_roles: Vec<Role>,
}

impl TrainingInput {
    /// Checks the fields, adding to `errors` (the application's own findings).
    pub fn check(&self, mut errors: FieldErrors) -> Result<TrainingFields, DomainError> {
        let title = errors.check("title", clean_text(&self.title, 1, 200));
        let topic = errors.check("topic", clean_multiline(self.topic.as_deref(), 4000));
        let trainer = match self.trainer.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(t) => errors.check("trainer", clean_text(t, 1, 100)).map(Some),
        };
        let month = u8::try_from(self.planned_month)
            .ok()
            .filter(|m| (1..=12).contains(m));
        if month.is_none() {
            errors.add(
                "planned_month",
                FieldErrorKind::OutOfRange { min: 1, max: 12 },
            );
        }
        let mut roles = Vec::new();
        for (i, r) in self.audience_roles.iter().enumerate() {
            match Role::from_code(r.trim()) {
                Some(role) if !roles.contains(&role) => roles.push(role),
                Some(_) => {}
                None => errors.add(
                    format!("audience_roles[{i}]"),
                    FieldErrorKind::UnknownValue {
                        allowed: Role::ALL.iter().map(|r| r.code()).collect(),
                    },
                ),
            }
        }
        errors.into_result()?;
        match (title, topic, trainer, month) {
            (Some(title), Some(topic), Some(trainer), Some(planned_month)) => Ok(TrainingFields {
                title,
                topic,
                planned_month,
                trainer,
                audience_roles: roles,
            }),
            _ => Err(FieldErrors::single("title", FieldErrorKind::Required)),
        }
    }
}

/// Checks the day a training was held: within its plan's year and not after today.
pub fn check_held(day: Day, year: i32, today: Day) -> Result<Day, FieldErrorKind> {
    if day.date().year() != year || day > today {
        return Err(FieldErrorKind::invalid(
            "a day of the plan's year, not after today",
            "须为计划年度内且不晚于今天的日期",
        ));
    }
    Ok(day)
}

/// The highest score one may record.
pub const MAX_SCORE: i64 = 100;

/// One attendance line as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Attendance {
    /// Who.
    pub user_id: UserId,
    /// Whether they attended.
    pub attended: bool,
    /// Their score (0–100), if the training was examined.
    pub score: Option<u8>,
}

/// Checks a score (0–100).
pub fn check_score(score: i64) -> Result<u8, FieldErrorKind> {
    u8::try_from(score)
        .ok()
        .filter(|s| i64::from(*s) <= MAX_SCORE)
        .ok_or(FieldErrorKind::OutOfRange {
            min: 0,
            max: MAX_SCORE,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::{Caller, Refusal};

    #[test]
    fn a_plan_is_submitted_by_a_manager_and_approved_by_someone_else() {
        let (author, officer) = (UserId(1), UserId(2));
        let s = subject(Some(author), Some(author));
        let manager = Caller::new(author, &[Role::ComplianceAdmin]);
        assert!(
            FLOW.check(PlanStatus::Draft, PlanStatus::InReview, &manager, &s, None)
                .is_ok()
        );
        let approver = Caller {
            user: officer,
            roles: &[Role::SecurityOfficer],
            step_approver: true,
        };
        assert!(
            FLOW.check(
                PlanStatus::InReview,
                PlanStatus::Approved,
                &approver,
                &s,
                None
            )
            .is_ok()
        );
        let own = Caller {
            user: author,
            roles: &[Role::SecurityOfficer],
            step_approver: true,
        };
        assert_eq!(
            FLOW.check(PlanStatus::InReview, PlanStatus::Approved, &own, &s, None)
                .err(),
            Some(Refusal::SelfApproval)
        );
        assert_eq!(
            FLOW.check(PlanStatus::InReview, PlanStatus::Draft, &approver, &s, None)
                .err(),
            Some(Refusal::CommentRequired)
        );
    }

    #[test]
    fn trainings_need_a_title_a_month_and_known_roles() {
        let Err(DomainError::Validation(e)) = TrainingInput {
            title: " ".into(),
            planned_month: 13,
            audience_roles: vec!["staff".into(), "wizard".into()],
            ..TrainingInput::default()
        }
        .check(FieldErrors::new()) else {
            panic!()
        };
        for f in ["title", "planned_month", "audience_roles[1]"] {
            assert!(e.get(f).is_some(), "{f}");
        }
        let ok = TrainingInput {
            title: "钓鱼邮件识别".into(),
            planned_month: 3,
            audience_roles: vec!["staff".into(), "staff".into()],
            ..TrainingInput::default()
        }
        .check(FieldErrors::new())
        .unwrap();
        assert_eq!((ok.planned_month, ok.audience_roles.len()), (3, 1));
        let today = Day::parse("2027-05-10").unwrap();
        assert!(check_held(Day::parse("2027-03-15").unwrap(), 2027, today).is_ok());
        assert!(check_held(Day::parse("2026-12-31").unwrap(), 2027, today).is_err());
        assert!(check_held(Day::parse("2027-06-01").unwrap(), 2027, today).is_err());
        assert_eq!(check_score(100), Ok(100));
        assert!(check_score(101).is_err() && check_score(-1).is_err());
    }
}
