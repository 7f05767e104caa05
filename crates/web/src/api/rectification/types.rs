//! JSON shapes of the rectification area.

use crate::api::types::non_null;
use castellan_app::rectification::tasks::TaskView;
use castellan_domain::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new rectification task.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenBody {
    /// The kind of record it comes from: `incident`.
    #[serde(default)]
    pub source: String,
    /// That record's id.
    #[serde(default)]
    pub source_id: i64,
    /// What must be put right (1–4,000 characters).
    #[serde(default)]
    pub description: String,
    /// Who puts it right (an active user).
    pub responsible_id: Option<i64>,
    /// Who checks it (an active user other than the responsible person; default: the
    /// caller).
    pub verifier_id: Option<i64>,
    /// The day it is due (`2027-03-31`; from today to five years ahead).
    pub due_at: Option<String>,
}

/// A change to a task's plan; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatchBody {
    /// What must be put right.
    #[serde(default, deserialize_with = "non_null")]
    pub description: Option<String>,
    /// Who puts it right.
    #[serde(default, deserialize_with = "non_null")]
    pub responsible_id: Option<i64>,
    /// Who checks it.
    #[serde(default, deserialize_with = "non_null")]
    pub verifier_id: Option<i64>,
    /// By when.
    #[serde(default, deserialize_with = "non_null")]
    pub due_at: Option<String>,
}

/// A move of a task.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskMoveBody {
    /// `done` (the responsible person; `comment` says what was done), `verified` or
    /// `reopened` (the verifier; `comment` says why).
    #[serde(default)]
    pub to: String,
    /// What was done, or why it is reopened.
    pub comment: Option<String>,
}

/// A task as returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskOut {
    /// Id.
    pub id: i64,
    /// `RECT-2026-0007`.
    pub code: String,
    /// The kind of record it comes from.
    pub source: String,
    /// That record's id.
    pub source_id: i64,
    /// That record's code (`INC-2026-0042`).
    pub source_code: String,
    /// The source's department.
    pub department_id: Option<i64>,
    /// What must be put right.
    pub description: String,
    /// Who puts it right.
    pub responsible_id: i64,
    /// Who checks it.
    pub verifier_id: i64,
    /// The day it is due (`2027-03-31`).
    #[schema(value_type = String, format = Date)]
    pub due_at: String,
    /// `open`, `done`, `verified`, `reopened`.
    pub status: String,
    /// Whether it waits for its responsible person past its due day.
    pub overdue: bool,
    /// What was done, as last reported.
    pub resolution: Option<String>,
    /// When it was last reported done.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<Timestamp>,
    /// When it was verified.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub verified_at: Option<Timestamp>,
    /// Who opened it.
    pub created_by: Option<i64>,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<String>,
    /// Whether the caller may change its plan (given by the single-task operations; lists
    /// say `false`).
    pub may_edit: bool,
    /// Version for `If-Match`.
    pub version: i64,
    /// Created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Changed.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<TaskView> for TaskOut {
    fn from(v: TaskView) -> Self {
        let t = v.task;
        TaskOut {
            id: t.id,
            code: t.code,
            source: t.source.code().into(),
            source_id: t.source_id,
            source_code: t.source_code,
            department_id: t.department_id.map(|d| d.0),
            description: t.description,
            responsible_id: t.responsible_id.0,
            verifier_id: t.verifier_id.0,
            due_at: t.due_on.to_string(),
            status: t.status.code().into(),
            overdue: v.overdue,
            resolution: t.resolution,
            done_at: t.done_at,
            verified_at: t.verified_at,
            created_by: t.created_by.map(|u| u.0),
            allowed_transitions: v
                .allowed_transitions
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            may_edit: v.may_edit,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A page of tasks.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskList {
    /// The tasks.
    pub items: Vec<TaskOut>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
    /// How many tasks match the filters.
    pub total: i64,
}
