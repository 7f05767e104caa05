//! JSON shapes of the request area.

use castellan_app::request::requests::RequestView as AppView;
use castellan_app::workflow::Waiting;
use castellan_domain::Timestamp;
use castellan_domain::workflow::calendar::CalendarDay;
use castellan_domain::workflow::chain::Step;
use castellan_domain::workflow::{Approval, MoveRecord};
use castellan_store::workflow::ChainRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A step of an approval chain.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// Name of the step.
    #[serde(default)]
    pub name: String,
    /// A role code, or `department_head` (the head of the requester's department).
    #[serde(default)]
    pub approver_role: String,
    /// `any` or `requester_department`.
    #[serde(default = "any")]
    pub scope: String,
    /// How many distinct approvers must approve (1–10).
    #[serde(default = "one")]
    pub min_approvals: i64,
}

fn any() -> String {
    "any".into()
}

fn one() -> i64 {
    1
}

impl From<&Step> for StepBody {
    fn from(s: &Step) -> Self {
        StepBody {
            name: s.name.clone(),
            approver_role: s.approver_role.code().into(),
            scope: s.scope.code().into(),
            min_approvals: i64::from(s.min_approvals),
        }
    }
}

/// A request as returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestOut {
    /// Id.
    pub id: i64,
    /// `REQ-2026-00042`.
    pub code: String,
    /// `change`, `access_grant`, `access_modify`, `access_revoke`, `important_operation`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// What and why.
    pub description: Option<String>,
    /// `normal` or `major`.
    pub impact: String,
    /// Who asks.
    pub requester_id: Option<i64>,
    /// The requester's department.
    pub department_id: Option<i64>,
    /// The asset concerned.
    pub asset_id: Option<i64>,
    /// For access requests: the person concerned.
    pub subject_user_id: Option<i64>,
    /// `user`, or `job_change` / `disabled` for access changes Castellan opened.
    pub origin: String,
    /// `draft`, `submitted`, `approved`, `implemented`, `closed`, `rejected`, `withdrawn`.
    pub status: String,
    /// The step waiting for approval (0-based), while submitted.
    pub current_step: Option<i64>,
    /// The chain it was submitted with and that chain's version then.
    pub chain_id: Option<i64>,
    /// Version of the chain.
    pub chain_version: Option<i64>,
    /// The steps of that version.
    pub steps: Vec<StepBody>,
    /// Submissions so far.
    pub round: i64,
    /// Deadline (RFC 3339).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<Timestamp>,
    /// When it was carried out.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub implemented_at: Option<Timestamp>,
    /// Whether it was carried out by its deadline (`null` until carried out).
    pub deadline_met: Option<bool>,
    /// Whether the deadline is breached now.
    pub breached: bool,
    /// The decisions so far.
    pub approvals: Vec<ApprovalOut>,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<String>,
    /// The decisions the caller may record now.
    pub allowed_decisions: Vec<String>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Changed.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl RequestOut {
    /// From the service's view (with its decisions).
    pub fn new(v: AppView) -> Self {
        let approvals = v.approvals;
        let r = v.request;
        RequestOut {
            id: r.id,
            code: r.code,
            kind: r.kind.code().into(),
            title: r.title,
            description: r.description,
            impact: r.impact.code().into(),
            requester_id: r.requester_id.map(|u| u.0),
            department_id: r.department_id.map(|d| d.0),
            asset_id: r.asset_id.map(|a| a.0),
            subject_user_id: r.subject_user_id.map(|u| u.0),
            origin: r.origin.code().into(),
            status: r.status.code().into(),
            current_step: r.current_step,
            chain_id: r.chain_id,
            chain_version: r.chain_version,
            steps: r.steps.iter().map(StepBody::from).collect(),
            round: r.round,
            due_at: r.due_at,
            implemented_at: r.implemented_at,
            deadline_met: r.deadline_met,
            breached: v.breached,
            approvals: approvals.into_iter().map(ApprovalOut::from).collect(),
            allowed_transitions: v
                .allowed_transitions
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            allowed_decisions: v
                .allowed_decisions
                .iter()
                .map(|d| d.code().to_owned())
                .collect(),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A recorded decision (never edited).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalOut {
    /// Submission round (1 for the first).
    pub round: i64,
    /// Step (0-based).
    pub step: i64,
    /// The step's name.
    pub step_name: String,
    /// Who decided.
    pub approver_id: Option<i64>,
    /// Their username then.
    pub approver: String,
    /// `approve`, `reject`, `return`, `close`.
    pub decision: String,
    /// Why.
    pub comment: Option<String>,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
}

impl From<Approval> for ApprovalOut {
    fn from(a: Approval) -> Self {
        ApprovalOut {
            round: a.round,
            step: a.step,
            step_name: a.step_name,
            approver_id: a.approver_id.map(|u| u.0),
            approver: a.approver,
            decision: a.decision.code().into(),
            comment: a.comment,
            at: a.at,
        }
    }
}

/// A page of requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    /// The requests.
    pub items: Vec<RequestOut>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
    /// How many requests match the filters.
    pub total: i64,
}

/// A request as asked for or changed (a draft).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    /// Kind code.
    #[serde(default)]
    pub kind: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// What and why.
    pub description: Option<String>,
    /// `normal` (default) or `major`.
    pub impact: Option<String>,
    /// The asset concerned.
    pub asset_id: Option<i64>,
    /// For access requests: the person concerned (default: the requester).
    pub subject_user_id: Option<i64>,
}

/// A move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// The status to move to.
    #[serde(default)]
    pub to: String,
    /// Why (required to reject or return).
    pub comment: Option<String>,
}

/// A decision on the current step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// `approve`, `reject` or `return`.
    #[serde(default)]
    pub decision: String,
    /// Why (required to reject or return).
    pub comment: Option<String>,
}

/// A recorded move.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoveOut {
    /// From.
    pub from: String,
    /// To.
    pub to: String,
    /// Who.
    pub actor_id: Option<i64>,
    /// Their username then.
    pub actor: String,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// Why.
    pub comment: Option<String>,
}

impl From<MoveRecord> for MoveOut {
    fn from(m: MoveRecord) -> Self {
        MoveOut {
            from: m.from,
            to: m.to,
            actor_id: m.actor_id.map(|u| u.0),
            actor: m.actor,
            at: m.at,
            comment: m.comment,
        }
    }
}

/// Moves of a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoveListOut {
    /// Oldest first.
    pub items: Vec<MoveOut>,
}

/// Decisions on a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalList {
    /// Oldest first.
    pub items: Vec<ApprovalOut>,
}

/// An item waiting for the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingOut {
    /// `request`, `assessment` (its review waits), `assessment_risks` (some of its risks wait
    /// for the committee's decision), `incident`, `rectification`, `document` (the id is the
    /// document's), `training_plan`, `inspection_plan`, `inspection`, `goal`, `custody`, `backup_plan`.
    pub process: String,
    /// Item id.
    pub id: i64,
    /// Readable code.
    pub code: String,
    /// Title.
    pub title: String,
    /// State code.
    pub state: String,
    /// `decide`, `implement`, `close`, `revise`, `triage`, `note`, `handle`, `rectify`,
    /// `verify`, `publish`, `review`, `acknowledge`, `inspect`, `custody` (act on a custody
    /// warning), `change_password` (change a password handed over to the caller),
    /// `test_restore` (test a restore from a backup the caller owns).
    pub expected: String,
    /// The chain step's name, for decisions on requests (empty for the shipped chains'
    /// steps, which are named by their approver).
    pub step: Option<String>,
    /// The chain step's approver (`department_head` or a role code).
    pub step_approver_role: Option<String>,
    /// Since when it waits.
    #[schema(value_type = String, format = DateTime)]
    pub since: Timestamp,
    /// Seconds it has waited.
    pub age_seconds: u64,
    /// Deadline.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<Timestamp>,
    /// Whether the deadline has passed.
    pub overdue: bool,
    /// For `assessment_risks`: how many risks wait for the committee's decision.
    pub pending_risks: Option<i64>,
    /// API path of the item.
    pub href: String,
}

impl WaitingOut {
    /// From the service's item.
    pub fn new(w: Waiting, now: Timestamp) -> Self {
        let href = match w.process {
            "assessment" | "assessment_risks" => format!("/api/v1/assessments/{}", w.id),
            "incident" => format!("/api/v1/incidents/{}", w.id),
            "rectification" => format!("/api/v1/rectifications/{}", w.id),
            "document" => format!("/api/v1/documents/{}", w.id),
            "training_plan" => format!("/api/v1/training-plans/{}", w.id),
            "inspection_plan" => format!("/api/v1/inspection-plans/{}", w.id),
            "inspection" => format!("/api/v1/inspections/{}", w.id),
            "goal" => format!("/api/v1/goals/{}", w.id),
            "custody" => format!("/api/v1/custody/{}", w.id),
            "backup_plan" => format!("/api/v1/backup-plans/{}", w.id),
            _ => format!("/api/v1/requests/{}", w.id),
        };
        WaitingOut {
            process: w.process.into(),
            id: w.id,
            code: w.code,
            title: w.title,
            state: w.state.into(),
            expected: serde_json::to_value(w.expected)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            step_approver_role: w.step.as_ref().map(|s| s.approver_role.code().to_owned()),
            step: w.step.map(|s| s.name),
            age_seconds: w.since.seconds_until(&now),
            since: w.since,
            due_at: w.due_at,
            overdue: w.overdue,
            pending_risks: w.pending_risks,
            href,
        }
    }
}

/// Everything waiting for the caller, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingList {
    /// The items.
    pub items: Vec<WaitingOut>,
    /// How many.
    pub total: usize,
}

/// An approval chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainOut {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name (empty for the shipped chains until renamed: the UI names them by kind and
    /// impact in the reader's language; their steps likewise by approver).
    pub name: String,
    /// Kind of item (`change`, `access`, `important_operation`).
    pub applies_to: String,
    /// `normal` or `major`.
    pub impact: String,
    /// Steps, in order.
    pub steps: Vec<StepBody>,
    /// Version: each edit adds one; submitted items keep theirs.
    pub version: i64,
}

impl From<ChainRow> for ChainOut {
    fn from(c: ChainRow) -> Self {
        ChainOut {
            id: c.id,
            code: c.code,
            name: c.name,
            applies_to: c.applies_to,
            impact: c.impact.code().into(),
            steps: c.steps.iter().map(StepBody::from).collect(),
            version: c.version,
        }
    }
}

/// Every chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainList {
    /// The chains.
    pub items: Vec<ChainOut>,
}

/// A chain as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainBody {
    /// Code.
    #[serde(default)]
    pub code: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Kind of item.
    #[serde(default)]
    pub applies_to: String,
    /// `normal` or `major`.
    #[serde(default)]
    pub impact: String,
    /// Steps (1–10).
    #[serde(default)]
    pub steps: Vec<StepBody>,
}

/// An entered calendar day.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayBody {
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub day: String,
    /// `holiday` (a day off) or `workday` (a make-up working day).
    #[serde(default)]
    pub kind: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
}

impl From<CalendarDay> for DayBody {
    fn from(d: CalendarDay) -> Self {
        DayBody {
            day: d.day.to_db(),
            kind: d.kind.code().into(),
            name: d.name,
        }
    }
}

/// Days of the calendar.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayList {
    /// The days.
    #[serde(default)]
    pub days: Vec<DayBody>,
}
