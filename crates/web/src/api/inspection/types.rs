//! JSON shapes of the inspection area.

use crate::api::rectification::types::TaskOut;
use crate::api::request::types::{ApprovalOut, StepBody};
use castellan_app::inspection::inspections::{InspectionView, ListedInspection};
use castellan_app::inspection::plans::PlanView;
use castellan_domain::Timestamp;
use castellan_domain::inspection::{Checklist, ChecklistItem, InspectionPlan, ResultLine, Tally};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An item of a checklist.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// Code, unique in the checklist (letters, digits, `-`, `_`; at most 40).
    #[serde(default)]
    pub code: String,
    /// `physical`, `network`, `systems`, `data`, `personnel`, `management`.
    #[serde(default)]
    pub area: String,
    /// What to check (1–1,000 characters).
    #[serde(default)]
    pub text: String,
    /// The same in Chinese (optional; the shipped checklist has both).
    #[serde(default)]
    pub text_zh: Option<String>,
}

impl From<&ChecklistItem> for ItemBody {
    fn from(i: &ChecklistItem) -> Self {
        ItemBody {
            code: i.code.clone(),
            area: i.area.code().into(),
            text: i.text.clone(),
            text_zh: i.text_zh.clone(),
        }
    }
}

/// A new checklist, or one as changed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistBody {
    /// Code (letters, digits, `-`, `_`; unique).
    #[serde(default)]
    pub code: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// Its items, in order (1–500). On creation, may be left out with `copy_of`.
    #[serde(default)]
    pub items: Vec<ItemBody>,
    /// On creation: start from this checklist's items.
    pub copy_of: Option<i64>,
}

/// A checklist as returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistOut {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The name in Chinese, when it carries both languages.
    pub name_zh: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// Shipped with Castellan (not changed; copy it instead).
    pub builtin: bool,
    /// How many items.
    pub item_count: i64,
    /// Its items (given by the single-checklist operations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ItemBody>>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Changed.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl ChecklistOut {
    /// A checklist with its items.
    pub fn full(c: &Checklist) -> Self {
        ChecklistOut {
            items: Some(c.items.iter().map(ItemBody::from).collect()),
            ..ChecklistOut::listed(c, c.items.len() as i64)
        }
    }

    /// A line of the list.
    pub fn listed(c: &Checklist, n: i64) -> Self {
        ChecklistOut {
            id: c.id,
            code: c.code.clone(),
            name: c.name.clone(),
            name_zh: c.name_zh.clone(),
            description: c.description.clone(),
            builtin: c.builtin,
            item_count: n,
            items: None,
            version: c.version,
            updated_at: c.updated_at,
        }
    }
}

/// Checklists.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistList {
    /// The shipped one first, then by name.
    pub items: Vec<ChecklistOut>,
}

/// A new plan, or a draft as changed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionPlanBody {
    /// Title (1–200 characters).
    #[serde(default)]
    pub title: String,
    /// What it covers: sites, systems, departments.
    pub scope: Option<String>,
    /// `monthly`, `quarterly`, `semiannual`, `annual`.
    #[serde(default)]
    pub frequency: String,
    /// The checklist its inspections follow.
    pub checklist_id: Option<i64>,
    /// The department it covers (its rectification tasks belong to it).
    pub department_id: Option<i64>,
    /// The inspectors (1–20 active users).
    #[serde(default)]
    pub inspector_ids: Vec<i64>,
    /// Who does what.
    pub responsibilities: Option<String>,
    /// The day the first inspection is due (`2027-03-31`; today up to two years ahead).
    pub next_due_at: Option<String>,
}

/// A plan as returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionPlanOut {
    /// Id.
    pub id: i64,
    /// `IP-2026-0003`.
    pub code: String,
    /// Title.
    pub title: String,
    /// Scope.
    pub scope: Option<String>,
    /// `monthly`, `quarterly`, `semiannual`, `annual`.
    pub frequency: String,
    /// Its checklist.
    pub checklist_id: i64,
    /// The department it covers.
    pub department_id: Option<i64>,
    /// Its inspectors.
    pub inspector_ids: Vec<i64>,
    /// Who does what.
    pub responsibilities: Option<String>,
    /// The day the next inspection is due.
    #[schema(value_type = String, format = Date)]
    pub next_due_at: String,
    /// Whether that day has passed (an approved plan).
    pub overdue: bool,
    /// `draft`, `in_review`, `approved`, `retired`.
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

impl InspectionPlanOut {
    /// A plan, and whether it is overdue.
    pub fn new(p: &InspectionPlan, overdue: bool) -> Self {
        InspectionPlanOut {
            id: p.id,
            code: p.code.clone(),
            title: p.title.clone(),
            scope: p.scope.clone(),
            frequency: p.frequency.code().into(),
            checklist_id: p.checklist_id,
            department_id: p.department_id.map(|d| d.0),
            inspector_ids: p.inspector_ids.iter().map(|u| u.0).collect(),
            responsibilities: p.responsibilities.clone(),
            next_due_at: p.next_due_at.to_db(),
            overdue,
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
pub struct InspectionPlanDetail {
    /// The plan.
    #[serde(flatten)]
    pub plan: InspectionPlanOut,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<String>,
    /// Whether the caller may schedule its next inspection now.
    pub may_schedule: bool,
    /// Its decisions, oldest first.
    pub approvals: Vec<ApprovalOut>,
}

impl From<PlanView> for InspectionPlanDetail {
    fn from(v: PlanView) -> Self {
        InspectionPlanDetail {
            plan: InspectionPlanOut::new(&v.plan, v.overdue),
            allowed_transitions: v
                .allowed_transitions
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            may_schedule: v.may_schedule,
            approvals: v.approvals.into_iter().map(ApprovalOut::from).collect(),
        }
    }
}

/// A page of plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionPlanList {
    /// Soonest due first (unless sorted otherwise).
    pub items: Vec<InspectionPlanOut>,
    /// Where the next page starts.
    pub next_cursor: Option<String>,
    /// How many match.
    pub total: i64,
}

/// A move of a plan or an inspection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionMoveBody {
    /// The status to move to.
    #[serde(default)]
    pub to: String,
    /// Why (required to return a plan); for an inspection, the summary.
    pub comment: Option<String>,
}

/// A new inspection of a plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    /// The approved plan.
    #[serde(default)]
    pub plan_id: i64,
    /// Due day (default: the plan's next due day).
    pub due_on: Option<String>,
    /// Inspectors (default: the plan's).
    #[serde(default)]
    pub inspector_ids: Vec<i64>,
}

/// Counts of an inspection's items.
#[derive(Debug, Serialize, ToSchema)]
pub struct TallyOut {
    /// Items.
    pub items: i64,
    /// Passed.
    pub pass: i64,
    /// Failed (findings).
    pub fail: i64,
    /// Not applicable.
    pub na: i64,
    /// Without a result yet.
    pub open: i64,
    /// Findings with their rectification task.
    pub with_task: i64,
}

impl From<Tally> for TallyOut {
    fn from(t: Tally) -> Self {
        TallyOut {
            items: t.items,
            pass: t.pass,
            fail: t.fail,
            na: t.na,
            open: t.open(),
            with_task: t.with_task,
        }
    }
}

/// An inspection as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionOut {
    /// Id.
    pub id: i64,
    /// `INSP-2026-0012`.
    pub code: String,
    /// Its plan.
    pub plan_id: i64,
    /// The plan's code.
    pub plan_code: String,
    /// The plan's title.
    pub plan_title: String,
    /// The day it is due.
    #[schema(value_type = String, format = Date)]
    pub due_on: String,
    /// The day it was performed.
    #[schema(value_type = Option<String>, format = Date)]
    pub performed_at: Option<String>,
    /// Its inspectors.
    pub inspector_ids: Vec<i64>,
    /// `planned`, `in_progress`, `completed`.
    pub status: String,
    /// Whether it is not completed past its due day.
    pub overdue: bool,
    /// The inspectors' summary.
    pub summary: Option<String>,
    /// Counts of its items.
    pub tally: TallyOut,
    /// When it was completed.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub completed_at: Option<Timestamp>,
    /// Version for `If-Match`.
    pub version: i64,
}

impl From<ListedInspection> for InspectionOut {
    fn from(l: ListedInspection) -> Self {
        let i = l.inspection;
        InspectionOut {
            id: i.id,
            code: i.code,
            plan_id: i.plan_id,
            plan_code: l.plan.0,
            plan_title: l.plan.1,
            due_on: i.due_on.to_db(),
            performed_at: i.performed_at.map(|d| d.to_db()),
            inspector_ids: i.inspector_ids.iter().map(|u| u.0).collect(),
            status: i.status.code().into(),
            overdue: l.overdue,
            summary: i.summary,
            tally: l.tally.into(),
            completed_at: i.completed_at,
            version: i.version,
        }
    }
}

/// An item of an inspection with its result.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultOut {
    /// The item's code.
    pub item_code: String,
    /// Its area.
    pub area: String,
    /// What to check.
    pub text: String,
    /// The same in Chinese, if the checklist has it.
    pub text_zh: Option<String>,
    /// `pass`, `fail`, `na`, or none yet.
    pub result: Option<String>,
    /// What was seen.
    pub note: Option<String>,
    /// A failed item's rectification task.
    pub rectification_id: Option<i64>,
    /// Who recorded the result.
    pub recorded_by: Option<i64>,
    /// When.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub recorded_at: Option<Timestamp>,
}

impl From<&ResultLine> for ResultOut {
    fn from(l: &ResultLine) -> Self {
        ResultOut {
            item_code: l.item.code.clone(),
            area: l.item.area.code().into(),
            text: l.item.text.clone(),
            text_zh: l.item.text_zh.clone(),
            result: l.result.map(|r| r.code().into()),
            note: l.note.clone(),
            rectification_id: l.rectification_id,
            recorded_by: l.recorded_by.map(|u| u.0),
            recorded_at: l.recorded_at,
        }
    }
}

/// An inspection with its items, findings and what the caller may do.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionDetail {
    /// The inspection.
    #[serde(flatten)]
    pub inspection: InspectionOut,
    /// Its items and results, in the checklist's order.
    pub results: Vec<ResultOut>,
    /// Its rectification tasks.
    pub rectifications: Vec<TaskOut>,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<String>,
    /// Whether the caller records its results, findings and evidence.
    pub may_perform: bool,
}

impl From<InspectionView> for InspectionDetail {
    fn from(v: InspectionView) -> Self {
        let results = v.lines.iter().map(ResultOut::from).collect();
        let rectifications = v.tasks.into_iter().map(TaskOut::from).collect();
        InspectionDetail {
            allowed_transitions: v
                .allowed_transitions
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            may_perform: v.may_perform,
            results,
            rectifications,
            inspection: InspectionOut::from(ListedInspection {
                overdue: v.overdue,
                plan: (v.plan.code, v.plan.title),
                tally: v.tally,
                inspection: v.inspection,
            }),
        }
    }
}

/// A page of inspections.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionList {
    /// Latest due first (unless sorted otherwise).
    pub items: Vec<InspectionOut>,
    /// Where the next page starts.
    pub next_cursor: Option<String>,
    /// How many match.
    pub total: i64,
}

/// An item's result.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultBody {
    /// The checklist item's code.
    #[serde(default)]
    pub item_code: String,
    /// `pass`, `fail`, `na`.
    #[serde(default)]
    pub result: String,
    /// What was seen.
    pub note: Option<String>,
}

/// Results to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultsBody {
    /// One line per item (1–500).
    #[serde(default)]
    pub results: Vec<ResultBody>,
    /// The day it was performed (default: the day the first results are recorded).
    pub performed_at: Option<String>,
}

/// A finding's rectification task.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingBody {
    /// The failed item's code.
    #[serde(default)]
    pub item_code: String,
    /// What must be put right (default: the item and its note).
    pub description: Option<String>,
    /// Who puts it right (not the caller, who verifies it).
    pub responsible_id: Option<i64>,
    /// By when (`2027-01-31`; today up to five years ahead).
    pub due_at: Option<String>,
}

/// A finding's task as opened, with the inspection.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingOut {
    /// The task.
    pub rectification: TaskOut,
    /// The inspection now.
    pub inspection: InspectionDetail,
}
