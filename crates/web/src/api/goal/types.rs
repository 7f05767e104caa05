//! JSON shapes of the goal area.

use crate::api::request::types::ApprovalOut;
use castellan_app::goal::goals::{GoalView, Tree};
use castellan_domain::Timestamp;
use castellan_domain::goal::Goal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new goal, or a draft as changed (year, level and parent are kept on changes).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalBody {
    /// The year (2000–2100).
    #[serde(default)]
    pub year: i64,
    /// `company`, `department`, `position`.
    #[serde(default)]
    pub level: String,
    /// The goal it breaks down: a published goal of the level above, same year.
    pub parent_id: Option<i64>,
    /// The department (department goals).
    pub department_id: Option<i64>,
    /// The position (position goals).
    pub position: Option<String>,
    /// What is to be achieved (1–200 characters).
    #[serde(default)]
    pub title: String,
    /// How it is measured.
    #[serde(default)]
    pub metric: String,
    /// The value to reach.
    #[serde(default)]
    pub target: String,
    /// The owner (default: the caller; only the company's goal may name someone else).
    pub owner_id: Option<i64>,
}

/// A goal as returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalOut {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i32,
    /// `company`, `department`, `position`.
    pub level: String,
    /// The goal it breaks down.
    pub parent_id: Option<i64>,
    /// Department.
    pub department_id: Option<i64>,
    /// Position.
    pub position: Option<String>,
    /// What is to be achieved.
    pub title: String,
    /// How it is measured.
    pub metric: String,
    /// The value to reach.
    pub target: String,
    /// Owner.
    pub owner_id: i64,
    /// `draft`, `in_review`, `published`, `returned`.
    pub status: String,
    /// Progress in percent.
    pub progress: u8,
    /// What the progress stands on.
    pub progress_note: Option<String>,
    /// Who published it.
    pub published_by: Option<i64>,
    /// When.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<Timestamp>,
    /// Who created it.
    pub created_by: Option<i64>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<&Goal> for GoalOut {
    fn from(g: &Goal) -> Self {
        GoalOut {
            id: g.id,
            year: g.year,
            level: g.level.code().into(),
            parent_id: g.parent_id,
            department_id: g.department_id.map(|d| d.0),
            position: g.position.clone(),
            title: g.title.clone(),
            metric: g.metric.clone(),
            target: g.target.clone(),
            owner_id: g.owner_id.0,
            status: g.status.code().into(),
            progress: g.progress,
            progress_note: g.progress_note.clone(),
            published_by: g.published_by.map(|u| u.0),
            published_at: g.published_at,
            created_by: g.created_by.map(|u| u.0),
            version: g.version,
            created_at: g.created_at,
        }
    }
}

/// A goal with the goals around it and what the caller may do.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalDetail {
    /// The goal.
    #[serde(flatten)]
    pub goal: GoalOut,
    /// The goals directly below.
    pub children: Vec<GoalOut>,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<String>,
    /// Whether the caller reports its progress.
    pub may_report: bool,
    /// Its decisions, oldest first.
    pub approvals: Vec<ApprovalOut>,
}

impl From<GoalView> for GoalDetail {
    fn from(v: GoalView) -> Self {
        GoalDetail {
            goal: GoalOut::from(&v.goal),
            children: v.children.iter().map(GoalOut::from).collect(),
            allowed_transitions: v
                .allowed_transitions
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            may_report: v.may_report,
            approvals: v.approvals.into_iter().map(ApprovalOut::from).collect(),
        }
    }
}

/// A page of goals.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalList {
    /// Latest year first.
    pub items: Vec<GoalOut>,
    /// Where the next page starts.
    pub next_cursor: Option<String>,
    /// How many match.
    pub total: i64,
}

/// A move of a goal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalMoveBody {
    /// `in_review` (the owner submits), `published` or `returned` (the approver decides;
    /// returning needs a `comment`).
    #[serde(default)]
    pub to: String,
    /// Why.
    pub comment: Option<String>,
}

/// A progress report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressBody {
    /// Percent, 0–100.
    #[serde(default)]
    pub progress: i64,
    /// What it stands on.
    pub note: Option<String>,
}

/// A department expected to have a goal that has none.
#[derive(Debug, Serialize, ToSchema)]
pub struct UncoveredOut {
    /// Department id.
    pub department_id: i64,
    /// Its name.
    pub name: String,
}

/// A year's goals and their coverage.
#[derive(Debug, Serialize, ToSchema)]
pub struct TreeOut {
    /// The year.
    pub year: i32,
    /// Company goals first, then department goals, then position goals.
    pub goals: Vec<GoalOut>,
    /// Departments of the first level below the organization's top without a goal.
    pub uncovered: Vec<UncoveredOut>,
    /// How many departments are expected to have one.
    pub expected: usize,
}

impl From<Tree> for TreeOut {
    fn from(t: Tree) -> Self {
        TreeOut {
            year: t.year,
            goals: t.goals.iter().map(GoalOut::from).collect(),
            uncovered: t
                .uncovered
                .into_iter()
                .map(|(d, name)| UncoveredOut {
                    department_id: d.0,
                    name,
                })
                .collect(),
            expected: t.expected,
        }
    }
}
