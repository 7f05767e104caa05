//! Goals: levels, statuses, the workflow, and the checks on what their owners give.

use crate::error::{DomainError, FieldErrorKind, FieldErrors};
use crate::ids::{DepartmentId, UserId};
use crate::macros::coded_enum;
use crate::role::Role;
use crate::sod::Authors;
use crate::time::Timestamp;
use crate::values::{clean_multiline, clean_text};
use crate::workflow::{Move, MoveKind, Subject, Who, Workflow};
use serde::Serialize;

coded_enum! {
    /// Where a goal sits in the breakdown.
    pub enum GoalLevel {
        /// The company's goal for the year.
        Company => ("company", "Company", "公司"),
        /// A department's, under the company's.
        Department => ("department", "Department", "部门"),
        /// A position's, under its department's.
        Position => ("position", "Position", "岗位"),
    }
}

impl GoalLevel {
    /// The level of the goal above (`None` for the company's).
    pub fn parent(self) -> Option<GoalLevel> {
        match self {
            GoalLevel::Company => None,
            GoalLevel::Department => Some(GoalLevel::Company),
            GoalLevel::Position => Some(GoalLevel::Department),
        }
    }
}

coded_enum! {
    /// Where a goal stands.
    pub enum GoalStatus {
        /// Being drafted by its owner.
        Draft => ("draft", "Draft", "草稿"),
        /// With the owner of the level above (the committee for the company's).
        InReview => ("in_review", "In review", "审批中"),
        /// Approved: in force, its progress reported.
        Published => ("published", "Published", "已发布"),
        /// Sent back with a comment, to be changed and submitted again.
        Returned => ("returned", "Returned", "已退回"),
    }
}

/// Who sets the company's goal.
pub const SETTERS: &[Role] = &[Role::SecurityOfficer, Role::Committee];

/// The goal's workflow (SPEC §6.5): its owner submits it; the approver — the owner of the
/// goal above, or a committee member for the company's goal — publishes it or returns it
/// with a comment; a returned goal is changed and submitted again.
pub const FLOW: Workflow<GoalStatus> = {
    use GoalStatus::*;
    Workflow {
        process: "goal",
        moves: &[
            Move::new(Draft, InReview, Who::Requester, MoveKind::Submit),
            Move::new(Returned, InReview, Who::Requester, MoveKind::Submit),
            Move::new(InReview, Published, Who::Approver, MoveKind::Approve),
            Move::new(InReview, Returned, Who::Approver, MoveKind::Return),
        ],
    }
};

/// A goal as the engine sees it: its owner submits it; neither its owner nor whoever
/// created or submitted it approves it.
pub fn subject<'a>(
    created_by: Option<UserId>,
    submitted_by: Option<UserId>,
    owner: &'a [UserId],
) -> Subject<'a> {
    Subject {
        authors: Authors {
            created_by,
            submitted_by,
            team: owner,
        },
        requester: owner.first().copied(),
    }
}

/// A security goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Goal {
    /// Id.
    pub id: i64,
    /// The year it is for.
    pub year: i32,
    /// Its level.
    pub level: GoalLevel,
    /// The goal it breaks down (none for the company's).
    pub parent_id: Option<i64>,
    /// The department (department and position goals).
    pub department_id: Option<DepartmentId>,
    /// The position (position goals).
    pub position: Option<String>,
    /// What is to be achieved.
    pub title: String,
    /// How it is measured.
    pub metric: String,
    /// The value to reach.
    pub target: String,
    /// Who owns it (drafts it, reports its progress, approves the goals below it).
    pub owner_id: UserId,
    /// Status.
    pub status: GoalStatus,
    /// Progress in percent (0–100).
    pub progress: u8,
    /// What the progress stands on.
    pub progress_note: Option<String>,
    /// Submissions so far.
    pub round: i64,
    /// Who submitted it last.
    pub submitted_by: Option<UserId>,
    /// When.
    pub submitted_at: Option<Timestamp>,
    /// Who published it.
    pub published_by: Option<UserId>,
    /// When.
    pub published_at: Option<Timestamp>,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
}

/// A goal as its owner gives it.
#[derive(Debug, Clone, Default)]
pub struct GoalInput {
    /// Year.
    pub year: i64,
    /// Level code.
    pub level: String,
    /// The goal it breaks down.
    pub parent_id: Option<i64>,
    /// Department (department goals).
    pub department_id: Option<DepartmentId>,
    /// Position (position goals).
    pub position: Option<String>,
    /// What is to be achieved.
    pub title: String,
    /// How it is measured.
    pub metric: String,
    /// The value to reach.
    pub target: String,
    /// Owner (default: the caller).
    pub owner_id: Option<UserId>,
    /// The owner by username (forms; used when `owner_id` is not given).
    pub owner_username: Option<String>,
}

/// A goal's checked fields.
#[derive(Debug, Clone)]
pub struct GoalFields {
    /// Year.
    pub year: i32,
    /// Level.
    pub level: GoalLevel,
    /// Department.
    pub department_id: Option<DepartmentId>,
    /// Position.
    pub position: Option<String>,
    /// Title.
    pub title: String,
    /// Metric.
    pub metric: String,
    /// Target.
    pub target: String,
}

/// Checks a goal against the goal above it (`parent`, looked up by the service): a company
/// goal has none; a department goal sits under a company goal of the same year and names
/// its department; a position goal sits under a department goal of the same year, in its
/// department, and names the position. A parent of another year or level is refused on
/// `parent_id`.
pub fn check_goal(input: &GoalInput, parent: Option<&Goal>) -> Result<GoalFields, DomainError> {
    let mut errors = FieldErrors::new();
    let year = if (2000..=2100).contains(&input.year) {
        Some(input.year as i32)
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
    let level = errors.check("level", GoalLevel::from_code(input.level.trim()));
    let title = errors.check("title", clean_text(&input.title, 1, 200));
    let metric = errors.check("metric", clean_text(&input.metric, 1, 200));
    let target = errors.check("target", clean_text(&input.target, 1, 200));
    let mut department_id = input.department_id;
    let mut position = None;
    if let Some(level) = level {
        match (level.parent(), parent) {
            (None, Some(_)) => errors.add(
                "parent_id",
                FieldErrorKind::invalid(
                    "the company's goal has no goal above it",
                    "公司目标没有上级目标",
                ),
            ),
            (Some(_), None) => errors.add("parent_id", FieldErrorKind::Required),
            (Some(want), Some(p)) => {
                if p.level != want {
                    errors.add(
                        "parent_id",
                        FieldErrorKind::invalid(
                            "must be a goal of the level just above",
                            "须为上一层级的目标",
                        ),
                    );
                } else if year.is_some_and(|y| y != p.year) {
                    errors.add(
                        "parent_id",
                        FieldErrorKind::invalid(
                            "must be a goal of the same year",
                            "须为同一年度的目标",
                        ),
                    );
                }
            }
            (None, None) => {}
        }
        match level {
            GoalLevel::Company => department_id = None,
            GoalLevel::Department => {
                if department_id.is_none() {
                    errors.add("department_id", FieldErrorKind::Required);
                }
            }
            GoalLevel::Position => {
                // A position's goal is in its department goal's department.
                if let Some(p) = parent {
                    department_id = p.department_id;
                }
                position = errors.check(
                    "position",
                    clean_text(input.position.as_deref().unwrap_or_default(), 1, 100),
                );
            }
        }
    }
    errors.into_result()?;
    match (year, level, title, metric, target) {
        (Some(year), Some(level), Some(title), Some(metric), Some(target)) => Ok(GoalFields {
            year,
            level,
            department_id,
            position,
            title,
            metric,
            target,
        }),
        _ => Err(FieldErrors::single("title", FieldErrorKind::Required)),
    }
}

/// Checks a progress report: 0–100 percent and a note of at most 2,000 characters.
pub fn check_progress(
    progress: i64,
    note: Option<&str>,
) -> Result<(u8, Option<String>), DomainError> {
    let mut errors = FieldErrors::new();
    let p = if (0..=100).contains(&progress) {
        Some(progress as u8)
    } else {
        errors.add("progress", FieldErrorKind::OutOfRange { min: 0, max: 100 });
        None
    };
    let note = errors.check("progress_note", clean_multiline(note, 2000));
    errors.into_result()?;
    match (p, note) {
        (Some(p), Some(n)) => Ok((p, n)),
        _ => Err(FieldErrors::single("progress", FieldErrorKind::Required)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goal(level: GoalLevel, year: i32) -> Goal {
        Goal {
            id: 1,
            year,
            level,
            parent_id: None,
            department_id: Some(DepartmentId(3)),
            position: None,
            title: "x".into(),
            metric: "x".into(),
            target: "x".into(),
            owner_id: UserId(1),
            status: GoalStatus::Published,
            progress: 0,
            progress_note: None,
            round: 1,
            submitted_by: None,
            submitted_at: None,
            published_by: None,
            published_at: None,
            created_by: None,
            version: 1,
            created_at: Timestamp::now(),
            updated_at: Timestamp::now(),
        }
    }

    fn input(level: &str) -> GoalInput {
        GoalInput {
            year: 2027,
            level: level.into(),
            title: "t".into(),
            metric: "m".into(),
            target: "100%".into(),
            department_id: Some(DepartmentId(3)),
            position: Some("网络管理员".into()),
            ..GoalInput::default()
        }
    }

    fn refused(r: Result<GoalFields, DomainError>) -> Vec<String> {
        match r {
            Err(DomainError::Validation(e)) => e.iter().map(|f| f.field.clone()).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_goal_sits_under_the_level_above_in_the_same_year() {
        let company = goal(GoalLevel::Company, 2027);
        let dept = goal(GoalLevel::Department, 2027);
        assert!(check_goal(&input("company"), None).is_ok());
        assert!(check_goal(&input("department"), Some(&company)).is_ok());
        let p = check_goal(&input("position"), Some(&dept)).unwrap();
        assert_eq!(p.department_id, Some(DepartmentId(3)));
        assert_eq!(
            refused(check_goal(&input("department"), None)),
            ["parent_id"]
        );
        assert_eq!(
            refused(check_goal(&input("position"), Some(&company))),
            ["parent_id"]
        );
        assert_eq!(
            refused(check_goal(
                &input("department"),
                Some(&goal(GoalLevel::Company, 2026))
            )),
            ["parent_id"]
        );
        assert_eq!(
            refused(check_goal(&input("company"), Some(&company))),
            ["parent_id"]
        );
        let mut no_position = input("position");
        no_position.position = None;
        assert_eq!(refused(check_goal(&no_position, Some(&dept))), ["position"]);
    }

    #[test]
    fn progress_is_a_percentage() {
        assert_eq!(check_progress(40, Some("ok")).unwrap().0, 40);
        assert!(check_progress(101, None).is_err());
        assert!(check_progress(-1, None).is_err());
    }
}
