//! JSON shapes of the continuity area. Every name is unique in the whole OpenAPI document.

use crate::api::rectification::types::TaskOut;
use crate::api::types::double_option;
use castellan_app::continuity::backup_plans::BackupPlanView;
use castellan_app::continuity::dr_plans::DrPlanView;
use castellan_app::continuity::drills::{DrillView, ListedDrill};
use castellan_domain::Timestamp;
use castellan_domain::continuity::{DrPlan, DrillProblem, Verification};
use castellan_store::continuity::backup_plans::Uncovered;
use castellan_store::continuity::drills::DrillLine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new backup plan, or a change to one (absent fields stay as they are; the asset stays).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupPlanBody {
    /// The asset backed up (required for a new plan).
    pub asset_id: Option<i64>,
    /// What is backed up (1–500 characters).
    pub scope: Option<String>,
    /// `continuous`, `hourly`, `daily`, `weekly`, `monthly`.
    pub frequency: Option<String>,
    /// How long copies are kept (`30 days`, `1 year`).
    pub retention: Option<String>,
    /// Where copies are kept.
    pub location: Option<String>,
    /// Recovery point objective in hours (1–8760).
    pub rpo_hours: Option<i64>,
    /// Recovery time objective in hours (1–8760).
    pub rto_hours: Option<i64>,
    /// Who keeps it (an active user; default: the caller).
    pub owner_id: Option<i64>,
}

/// A backup plan as returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackupPlanOut {
    /// Id.
    pub id: i64,
    /// The asset.
    pub asset_id: i64,
    /// Its code.
    pub asset_code: String,
    /// Its name.
    pub asset_name: String,
    /// Its value level (1–5).
    pub asset_value_level: i64,
    /// What is backed up.
    pub scope: String,
    /// `continuous`, `hourly`, `daily`, `weekly`, `monthly`.
    pub frequency: String,
    /// How long copies are kept.
    pub retention: String,
    /// Where copies are kept.
    pub location: String,
    /// RPO in hours.
    pub rpo_hours: i64,
    /// RTO in hours.
    pub rto_hours: i64,
    /// Who keeps it.
    pub owner_id: i64,
    /// The day its restore was last tested.
    pub last_verified_at: Option<String>,
    /// `passed` or `failed`.
    pub last_result: Option<String>,
    /// What the tester noted.
    pub last_note: Option<String>,
    /// Who tested it.
    pub last_verified_by: Option<i64>,
    /// Whether its restore waits for a test (never tested, or more than 90 days ago).
    pub verification_due: bool,
    /// Whether the caller may change it and record tests.
    pub may_edit: bool,
    /// Version for `If-Match`.
    pub version: i64,
    /// Created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<BackupPlanView> for BackupPlanOut {
    fn from(v: BackupPlanView) -> Self {
        let p = v.line.plan;
        BackupPlanOut {
            id: p.id,
            asset_id: p.asset_id.0,
            asset_code: v.line.asset_code,
            asset_name: v.line.asset_name,
            asset_value_level: v.line.asset_level,
            scope: p.scope,
            frequency: p.frequency.code().to_owned(),
            retention: p.retention,
            location: p.location,
            rpo_hours: p.rpo_hours,
            rto_hours: p.rto_hours,
            owner_id: p.owner_id.0,
            last_verified_at: p.last_verified_at.map(|d| d.to_db()),
            last_result: p.last_result.map(|r| r.code().to_owned()),
            last_note: p.last_note,
            last_verified_by: p.last_verified_by.map(|u| u.0),
            verification_due: v.verification_due,
            may_edit: v.may_edit,
            version: p.version,
            created_at: p.created_at,
        }
    }
}

/// A page of backup plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackupPlanList {
    /// The plans.
    pub items: Vec<BackupPlanOut>,
    /// How many match.
    pub total: i64,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

/// An asset of value level 4 or 5 without a backup plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct UncoveredAssetOut {
    /// The asset's id.
    pub asset_id: i64,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its value level.
    pub value_level: i64,
    /// Its department.
    pub department_id: Option<i64>,
    /// Its owner.
    pub owner_id: Option<i64>,
}

impl From<Uncovered> for UncoveredAssetOut {
    fn from(u: Uncovered) -> Self {
        UncoveredAssetOut {
            asset_id: u.id.0,
            code: u.code,
            name: u.name,
            value_level: u.value_level,
            department_id: u.department_id.map(|d| d.0),
            owner_id: u.owner_id.map(|u| u.0),
        }
    }
}

/// A page of the high-value assets without a backup plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct UncoveredAssetList {
    /// The assets, by code.
    pub items: Vec<UncoveredAssetOut>,
    /// How many there are.
    pub total: i64,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

/// A restore test.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationBody {
    /// The day of the test (`2026-11-30`; not in the future).
    pub verified_at: Option<String>,
    /// `passed` or `failed`.
    #[serde(default)]
    pub result: String,
    /// What was seen (up to 2,000 characters).
    pub note: Option<String>,
}

/// A restore test as returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationOut {
    /// Id.
    pub id: i64,
    /// The plan.
    pub backup_plan_id: i64,
    /// The day of the test.
    pub verified_at: String,
    /// `passed` or `failed`.
    pub result: String,
    /// What was seen.
    pub note: Option<String>,
    /// Who tested.
    pub verified_by: i64,
    /// Recorded.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<Verification> for VerificationOut {
    fn from(v: Verification) -> Self {
        VerificationOut {
            id: v.id,
            backup_plan_id: v.plan_id,
            verified_at: v.verified_at.to_db(),
            result: v.result.code().to_owned(),
            note: v.note,
            verified_by: v.verified_by.0,
            created_at: v.created_at,
        }
    }
}

/// A backup plan's restore tests, latest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationList {
    /// The tests.
    pub items: Vec<VerificationOut>,
}

/// A new DR plan, or a change to one (absent fields stay as they are).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrPlanBody {
    /// Title (1–200 characters).
    pub title: Option<String>,
    /// The assets it recovers (at least one; replaces the list on a change).
    pub asset_ids: Option<Vec<i64>>,
    /// The controlled document that holds the plan.
    pub document_id: Option<i64>,
    /// Who keeps it (an active user; default: the caller).
    pub owner_id: Option<i64>,
    /// The recovery time objective in hours (1–8760).
    pub rto_hours: Option<i64>,
    /// In force since (`2026-01-15`; default today; not after today nor after its first
    /// drill).
    pub adopted_at: Option<String>,
    /// What it covers.
    pub description: Option<String>,
}

/// A DR plan as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrPlanOut {
    /// Id.
    pub id: i64,
    /// `DRP-2026-0001`.
    pub code: String,
    /// Title.
    pub title: String,
    /// The assets it recovers.
    pub asset_ids: Vec<i64>,
    /// Its document.
    pub document_id: i64,
    /// Who keeps it.
    pub owner_id: i64,
    /// RTO in hours.
    pub rto_hours: i64,
    /// In force since.
    pub adopted_at: String,
    /// What it covers.
    pub description: Option<String>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<&DrPlan> for DrPlanOut {
    fn from(p: &DrPlan) -> Self {
        DrPlanOut {
            id: p.id,
            code: p.code.clone(),
            title: p.title.clone(),
            asset_ids: p.asset_ids.iter().map(|a| a.0).collect(),
            document_id: p.document_id,
            owner_id: p.owner_id.0,
            rto_hours: p.rto_hours,
            adopted_at: p.adopted_at.to_db(),
            description: p.description.clone(),
            version: p.version,
            created_at: p.created_at,
        }
    }
}

/// A DR plan with its document and drills.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrPlanDetail {
    /// The plan.
    #[serde(flatten)]
    pub plan: DrPlanOut,
    /// Its document's reference.
    pub document_code: String,
    /// Its document's title.
    pub document_title: String,
    /// Its drills, latest first.
    pub drills: Vec<DrillOut>,
    /// Whether the caller may change it and record drills.
    pub may_edit: bool,
}

impl From<DrPlanView> for DrPlanDetail {
    fn from(v: DrPlanView) -> Self {
        DrPlanDetail {
            plan: DrPlanOut::from(&v.plan),
            document_code: v.document.0,
            document_title: v.document.1,
            drills: v.drills.into_iter().map(DrillOut::from).collect(),
            may_edit: v.may_edit,
        }
    }
}

/// A page of DR plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrPlanList {
    /// The plans.
    pub items: Vec<DrPlanOut>,
    /// How many match.
    pub total: i64,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

/// A problem found in a drill, with who puts it right.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrillProblemBody {
    /// What is wrong (1–2,000 characters).
    #[serde(default)]
    pub description: String,
    /// Who puts it right (default: the DR plan's owner; not the caller, who verifies).
    pub responsible_id: Option<i64>,
    /// By when (`2027-01-31`; default: a month from today).
    pub due_at: Option<String>,
}

/// A new drill, or a change to one (absent fields stay as they are; `problems` are added).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrillBody {
    /// The DR plan drilled (required for a new drill).
    pub dr_plan_id: Option<i64>,
    /// The day it was held (`2026-06-18`; not before the plan came into force, not in the
    /// future).
    pub held_at: Option<String>,
    /// What was simulated (1–500 characters).
    pub scenario: Option<String>,
    /// Who took part (active users; replaces the list on a change).
    pub participant_ids: Option<Vec<i64>>,
    /// `passed`, `partial`, `failed`.
    pub result: Option<String>,
    /// Hours the recovery took (0–8760; `null` when it did not complete).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub achieved_rto_hours: Option<Option<i64>>,
    /// What the participants concluded.
    pub summary: Option<String>,
    /// Problems found: each opens a rectification task verified by the caller.
    #[serde(default)]
    pub problems: Vec<DrillProblemBody>,
    /// Who puts a missed RTO right (default: the DR plan's owner).
    pub rto_responsible_id: Option<i64>,
    /// By when (default: a month from today).
    pub rto_due_at: Option<String>,
}

/// A problem of a drill as returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrillProblemOut {
    /// Id.
    pub id: i64,
    /// `missed_rto` or `found`.
    pub kind: String,
    /// What is wrong.
    pub description: String,
    /// Its rectification task.
    pub rectification_id: Option<i64>,
    /// The task's code.
    pub rectification_code: Option<String>,
}

impl From<DrillProblem> for DrillProblemOut {
    fn from(p: DrillProblem) -> Self {
        DrillProblemOut {
            id: p.id,
            kind: p.kind.code().to_owned(),
            description: p.description,
            rectification_id: p.rectification_id,
            rectification_code: p.rectification_code,
        }
    }
}

/// A drill as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrillOut {
    /// Id.
    pub id: i64,
    /// `DRL-2026-0003`.
    pub code: String,
    /// The plan drilled.
    pub dr_plan_id: i64,
    /// Its code.
    pub dr_plan_code: String,
    /// Its title.
    pub dr_plan_title: String,
    /// The day it was held.
    pub held_at: String,
    /// What was simulated.
    pub scenario: String,
    /// Who took part.
    pub participant_ids: Vec<i64>,
    /// `passed`, `partial`, `failed`.
    pub result: String,
    /// Hours the recovery took.
    pub achieved_rto_hours: Option<i64>,
    /// The plan's RTO in hours.
    pub plan_rto_hours: i64,
    /// Whether the recovery took longer than the plan's RTO (or never completed).
    pub missed_rto: bool,
    /// What the participants concluded.
    pub summary: Option<String>,
    /// The problems found, with their tasks.
    pub problems: Vec<DrillProblemOut>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<DrillLine> for DrillOut {
    fn from(l: DrillLine) -> Self {
        let missed_rto = l.missed_rto();
        let d = l.drill;
        DrillOut {
            id: d.id,
            code: d.code,
            dr_plan_id: d.dr_plan_id,
            dr_plan_code: l.plan_code,
            dr_plan_title: l.plan_title,
            held_at: d.held_at.to_db(),
            scenario: d.scenario,
            participant_ids: d.participant_ids.iter().map(|u| u.0).collect(),
            result: d.result.code().to_owned(),
            achieved_rto_hours: d.achieved_rto_hours,
            plan_rto_hours: l.plan_rto_hours,
            missed_rto,
            summary: d.summary,
            problems: d.problems.into_iter().map(Into::into).collect(),
            version: d.version,
            created_at: d.created_at,
        }
    }
}

impl From<ListedDrill> for DrillOut {
    fn from(l: ListedDrill) -> Self {
        DrillOut::from(l.line)
    }
}

/// A drill with its rectification tasks.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrillDetail {
    /// The drill.
    #[serde(flatten)]
    pub drill: DrillOut,
    /// Its rectification tasks.
    pub rectifications: Vec<TaskOut>,
    /// Whether the caller may change it.
    pub may_edit: bool,
}

impl From<DrillView> for DrillDetail {
    fn from(v: DrillView) -> Self {
        DrillDetail {
            drill: DrillOut::from(v.line),
            rectifications: v.tasks.into_iter().map(Into::into).collect(),
            may_edit: v.may_edit,
        }
    }
}

/// A page of drills.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrillList {
    /// The drills.
    pub items: Vec<DrillOut>,
    /// How many match.
    pub total: i64,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}
