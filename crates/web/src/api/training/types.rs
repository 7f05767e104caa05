//! JSON shapes of the training area.

use crate::api::request::types::{ApprovalOut, StepBody};
use crate::api::types::non_null;
use castellan_app::training::plans::PlanView;
use castellan_app::training::trainings::TrainingView;
use castellan_domain::Timestamp;
use castellan_domain::training::{Attendance, Training, TrainingPlan};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new plan, or its title and description as changed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// The year it covers (2000–2100; one plan per year; ignored on changes).
    #[serde(default)]
    pub year: i64,
    /// Title (1–200 characters).
    #[serde(default)]
    pub title: String,
    /// What it aims at.
    pub description: Option<String>,
}

/// A plan as returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanOut {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i32,
    /// Title.
    pub title: String,
    /// Aims.
    pub description: Option<String>,
    /// `draft`, `in_review`, `approved`.
    pub status: String,
    /// The chain step waiting (0-based), while in review.
    pub current_step: Option<i64>,
    /// The chain's steps it was submitted with.
    pub steps: Vec<StepBody>,
    /// Who approved it.
    pub approved_by: Option<i64>,
    /// When.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub approved_at: Option<Timestamp>,
    /// Who created it.
    pub created_by: Option<i64>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<&TrainingPlan> for PlanOut {
    fn from(p: &TrainingPlan) -> Self {
        PlanOut {
            id: p.id,
            year: p.year,
            title: p.title.clone(),
            description: p.description.clone(),
            status: p.status.code().into(),
            current_step: p.run.current_step,
            steps: p.run.steps.iter().map(StepBody::from).collect(),
            approved_by: p.approved_by.map(|u| u.0),
            approved_at: p.approved_at,
            created_by: p.created_by.map(|u| u.0),
            version: p.version,
            created_at: p.created_at,
        }
    }
}

/// A plan with what the caller may do with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDetail {
    /// The plan.
    #[serde(flatten)]
    pub plan: PlanOut,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<String>,
    /// Its decisions, oldest first.
    pub approvals: Vec<ApprovalOut>,
}

impl From<PlanView> for PlanDetail {
    fn from(v: PlanView) -> Self {
        PlanDetail {
            plan: PlanOut::from(&v.plan),
            allowed_transitions: v
                .allowed_transitions
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            approvals: v.approvals.into_iter().map(ApprovalOut::from).collect(),
        }
    }
}

/// Plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanList {
    /// Newest year first.
    pub items: Vec<PlanOut>,
}

/// A move of a plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanMoveBody {
    /// `in_review` (submit), `approved` or `draft` (the approver decides; returning needs a
    /// `comment`).
    #[serde(default)]
    pub to: String,
    /// Why.
    pub comment: Option<String>,
}

/// A new training, or its fields as changed (every field is sent again).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingBody {
    /// Its plan (new trainings only; ignored on changes).
    #[serde(default)]
    pub plan_id: i64,
    /// Title (1–200 characters).
    #[serde(default)]
    pub title: String,
    /// What it covers.
    pub topic: Option<String>,
    /// Audience: departments (each with everything below it).
    #[serde(default)]
    pub audience_department_ids: Vec<i64>,
    /// Audience: role codes. No department and no role: everyone.
    #[serde(default)]
    pub audience_roles: Vec<String>,
    /// The month it is planned for (1–12).
    #[serde(default)]
    pub planned_month: i64,
    /// Who gives it.
    pub trainer: Option<String>,
    /// Its material: a document of the register.
    pub document_id: Option<i64>,
    /// `planned`, `held` (with `held_at`) or `cancelled` (changes only; needs an approved
    /// plan).
    #[serde(default, deserialize_with = "non_null")]
    pub status: Option<String>,
    /// The day it was held (`2027-03-15`; within the plan's year, not after today).
    #[serde(default, deserialize_with = "non_null")]
    pub held_at: Option<String>,
}

/// A training as returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingOut {
    /// Id.
    pub id: i64,
    /// Its plan.
    pub plan_id: i64,
    /// Title.
    pub title: String,
    /// Topic.
    pub topic: Option<String>,
    /// Audience departments.
    pub audience_department_ids: Vec<i64>,
    /// Audience roles.
    pub audience_roles: Vec<String>,
    /// Month (1–12).
    pub planned_month: u8,
    /// The day it was held.
    #[schema(value_type = Option<String>, format = Date)]
    pub held_at: Option<String>,
    /// Trainer.
    pub trainer: Option<String>,
    /// Material.
    pub document_id: Option<i64>,
    /// `planned`, `held`, `cancelled`.
    pub status: String,
    /// Version for `If-Match`.
    pub version: i64,
}

impl From<&Training> for TrainingOut {
    fn from(t: &Training) -> Self {
        TrainingOut {
            id: t.id,
            plan_id: t.plan_id,
            title: t.title.clone(),
            topic: t.topic.clone(),
            audience_department_ids: t.audience_department_ids.iter().map(|d| d.0).collect(),
            audience_roles: t
                .audience_roles
                .iter()
                .map(|r| r.code().to_owned())
                .collect(),
            planned_month: t.planned_month,
            held_at: t.held_at.map(|d| d.to_string()),
            trainer: t.trainer.clone(),
            document_id: t.document_id,
            status: t.status.code().into(),
            version: t.version,
        }
    }
}

/// A training with its numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingDetail {
    /// The training.
    #[serde(flatten)]
    pub training: TrainingOut,
    /// The plan's year.
    pub year: i32,
    /// People it is for.
    pub audience: i64,
    /// Recorded as attended.
    pub attended: i64,
    /// Recorded as absent.
    pub absent: i64,
}

impl From<TrainingView> for TrainingDetail {
    fn from(v: TrainingView) -> Self {
        TrainingDetail {
            training: TrainingOut::from(&v.training),
            year: v.plan.year,
            audience: v.audience,
            attended: v.attended,
            absent: v.absent,
        }
    }
}

/// Trainings.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingList {
    /// By month.
    pub items: Vec<TrainingOut>,
}

/// An attendance line.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceLine {
    /// Who.
    pub user_id: i64,
    /// Whether they attended.
    #[serde(default = "yes")]
    pub attended: bool,
    /// Their score (0–100).
    pub score: Option<i64>,
}

fn yes() -> bool {
    true
}

impl From<Attendance> for AttendanceLine {
    fn from(a: Attendance) -> Self {
        AttendanceLine {
            user_id: a.user_id.0,
            attended: a.attended,
            score: a.score.map(i64::from),
        }
    }
}

/// Someone a training is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct AudienceOut {
    /// User id.
    pub user_id: i64,
    /// Username.
    pub username: String,
    /// Name.
    pub display_name: String,
    /// Department.
    pub department_id: Option<i64>,
    /// Whether they attended (`null`: nothing recorded).
    pub attended: Option<bool>,
    /// Their score.
    pub score: Option<i64>,
}

/// The people a training is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct AudienceList {
    /// By name (at most 5,000).
    pub items: Vec<AudienceOut>,
}

/// What an attendance file did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    /// Lines recorded.
    pub recorded: usize,
    /// The encoding the CSV was read in.
    pub encoding: Option<String>,
}

/// One department's completion.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionLineOut {
    /// Department (`null`: people without one).
    pub department_id: Option<i64>,
    /// Attendances expected at the trainings held (each person once per training).
    pub expected: i64,
    /// Of them, attended.
    pub attended: i64,
    /// attended / expected, 0–1.
    pub rate: f64,
}

/// Completion per department of a plan's trainings held.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionOut {
    /// The plan's year.
    pub year: i32,
    /// Attendances expected.
    pub expected: i64,
    /// Attended.
    pub attended: i64,
    /// Per department.
    pub departments: Vec<CompletionLineOut>,
}

/// One of the caller's trainings.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyTrainingOut {
    /// The training.
    #[serde(flatten)]
    pub training: TrainingOut,
    /// Whether the caller attended (`null`: nothing recorded).
    pub attended: Option<bool>,
    /// Their score.
    pub score: Option<i64>,
}

/// The caller's trainings of a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyTrainingList {
    /// By month.
    pub items: Vec<MyTrainingOut>,
}
