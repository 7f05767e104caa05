//! Checklists, inspection plans and inspections: their statuses, the plan's workflow and the
//! inspection's, and the checks on what their editors give.

use crate::error::{DomainError, FieldErrorKind, FieldErrors};
use crate::ids::{DepartmentId, UserId};
use crate::lang::{Lang, Text};
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
    /// How often a plan's inspection is due.
    pub enum Frequency {
        /// Every month.
        Monthly => ("monthly", "Monthly", "每月"),
        /// Every three months (the seeds' minimum).
        Quarterly => ("quarterly", "Quarterly", "每季度"),
        /// Every six months.
        Semiannual => ("semiannual", "Every six months", "每半年"),
        /// Every year.
        Annual => ("annual", "Annually", "每年"),
    }
}

impl Frequency {
    /// The months between two inspections.
    pub fn months(self) -> u8 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::Semiannual => 6,
            Frequency::Annual => 12,
        }
    }

    /// The next due day after an inspection due on `due` was performed on `performed`:
    /// the schedule keeps its rhythm, skipping the periods that passed meanwhile.
    pub fn next_due(self, due: Day, performed: Day) -> Day {
        // Counted from `due` each time, so a month-end day stays at month ends. At most a
        // few hundred steps: days are within 2000–2100.
        let step = u32::from(self.months());
        let mut next = due.plus_months(step);
        for k in 2..1300 {
            if next > performed {
                break;
            }
            next = due.plus_months(step * k);
        }
        next
    }
}

coded_enum! {
    /// The part of security a checklist item looks at (the seeds' areas).
    pub enum CheckArea {
        /// Machine rooms, offices, media.
        Physical => ("physical", "Physical", "物理安全"),
        /// Networks and their boundaries.
        Network => ("network", "Network", "网络安全"),
        /// Hosts, applications and databases.
        Systems => ("systems", "Systems", "系统安全"),
        /// Data and backups.
        Data => ("data", "Data", "数据安全"),
        /// People and their accounts.
        Personnel => ("personnel", "Personnel", "人员安全"),
        /// Policies, records and the organization.
        Management => ("management", "Management", "安全管理"),
    }
}

coded_enum! {
    /// Where a plan stands.
    pub enum PlanStatus {
        /// Being prepared.
        Draft => ("draft", "Draft", "草稿"),
        /// Submitted: with its approver.
        InReview => ("in_review", "In review", "审批中"),
        /// Approved: its inspections are scheduled.
        Approved => ("approved", "Approved", "已批准"),
        /// No longer followed.
        Retired => ("retired", "Retired", "已停用"),
    }
}

coded_enum! {
    /// Where an inspection stands.
    pub enum InspectionStatus {
        /// Scheduled for its due day.
        Planned => ("planned", "Planned", "待检查"),
        /// Being performed: results are recorded.
        InProgress => ("in_progress", "In progress", "检查中"),
        /// Done: every item has its result and every finding its task.
        Completed => ("completed", "Completed", "已完成"),
    }
}

coded_enum! {
    /// An item's result.
    pub enum ItemResult {
        /// Meets the requirement.
        Pass => ("pass", "Pass", "通过"),
        /// Does not: a finding, to be put right.
        Fail => ("fail", "Fail", "不通过"),
        /// Does not apply here.
        Na => ("na", "Not applicable", "不适用"),
    }
}

/// Who keeps the checklists, prepares plans and schedules inspections.
pub const MANAGERS: &[Role] = &[Role::SecurityOfficer, Role::SecurityAdmin];

/// The plan's workflow (SPEC §6.3): a manager submits the draft; the approver of its chain
/// step (a security officer by default) approves it or returns it with a comment; an
/// approved plan is revised (back to draft, to be approved again) or retired by a manager.
pub const PLAN_FLOW: Workflow<PlanStatus> = {
    use PlanStatus::*;
    Workflow {
        process: "inspection_plan",
        moves: &[
            Move::new(Draft, InReview, Who::Team(MANAGERS), MoveKind::Submit),
            Move::new(InReview, Approved, Who::Approver, MoveKind::Approve),
            Move::new(InReview, Draft, Who::Approver, MoveKind::Return),
            Move::new(Approved, Draft, Who::Roles(MANAGERS), MoveKind::Work),
            Move::new(Approved, Retired, Who::Roles(MANAGERS), MoveKind::Work),
            Move::new(Draft, Retired, Who::Roles(MANAGERS), MoveKind::Work),
        ],
    }
};

/// The inspection's workflow: its inspectors (or a manager) start it and complete it once
/// every item has a result and every finding its rectification task.
pub const FLOW: Workflow<InspectionStatus> = {
    use InspectionStatus::*;
    Workflow {
        process: "inspection",
        moves: &[
            Move::new(Planned, InProgress, Who::Team(MANAGERS), MoveKind::Work),
            Move::new(InProgress, Completed, Who::Team(MANAGERS), MoveKind::Work),
        ],
    }
};

/// A plan as the engine sees it: whoever created or submitted it never approves it.
pub fn plan_subject(created_by: Option<UserId>, submitted_by: Option<UserId>) -> Subject<'static> {
    Subject {
        authors: Authors {
            created_by,
            submitted_by,
            team: &[],
        },
        requester: created_by,
    }
}

/// An inspection as the engine sees it: its inspectors are its team.
pub fn subject(created_by: Option<UserId>, inspectors: &[UserId]) -> Subject<'_> {
    Subject {
        authors: Authors {
            created_by,
            submitted_by: None,
            team: inspectors,
        },
        requester: created_by,
    }
}

/// What approval chains apply to in this area.
pub const CHAIN_SUBJECTS: &[(&str, Text)] = &[(
    "inspection_plan",
    Text {
        en: "Inspection plans",
        zh: "安全检查计划",
    },
)];

/// The chains Castellan ships for inspection plans: a security officer approves.
pub fn default_chains() -> Vec<(String, Impact, Vec<Step>)> {
    Impact::ALL
        .into_iter()
        .map(|impact| {
            (
                format!("inspection_plan_{}", impact.code()),
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

/// An item of a checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    /// Its code, unique in the checklist (`PHY-01`).
    pub code: String,
    /// The area it looks at.
    pub area: CheckArea,
    /// What to check.
    pub text: String,
    /// The same in Chinese, when the checklist carries both languages (the shipped one).
    pub text_zh: Option<String>,
}

impl ChecklistItem {
    /// The text in `lang` (the Chinese one when there is one).
    pub fn text_in(&self, lang: Lang) -> &str {
        match (lang, &self.text_zh) {
            (Lang::ZhCn, Some(t)) => t,
            _ => &self.text,
        }
    }
}

/// A checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist {
    /// Id.
    pub id: i64,
    /// Its code (`default`, or the organization's own).
    pub code: String,
    /// Name.
    pub name: String,
    /// The name in Chinese, when the checklist carries both languages.
    pub name_zh: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// Shipped with Castellan (kept as shipped).
    pub builtin: bool,
    /// Its items, in order.
    pub items: Vec<ChecklistItem>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
}

impl Checklist {
    /// The name in `lang`.
    pub fn name_in(&self, lang: Lang) -> &str {
        match (lang, &self.name_zh) {
            (Lang::ZhCn, Some(t)) => t,
            _ => &self.name,
        }
    }
}

/// A checklist's fields as its editor gives them.
#[derive(Debug, Clone, Default)]
pub struct ChecklistInput {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Items.
    pub items: Vec<ItemInput>,
}

/// A checklist item as its editor gives it.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    /// Code.
    pub code: String,
    /// Area code.
    pub area: String,
    /// What to check.
    pub text: String,
    /// The same in Chinese (optional).
    pub text_zh: Option<String>,
}

/// The most items a checklist has.
pub const MAX_ITEMS: usize = 500;

/// Checks a checklist: a code of letters, digits, `-` and `_` (1–40), a name, 1–500 items
/// with unique codes (same rule), a known area and a text (1–1,000 characters). Errors
/// are keyed `items[i].code` etc.
pub fn check_checklist(
    input: &ChecklistInput,
) -> Result<(String, String, Option<String>, Vec<ChecklistItem>), DomainError> {
    let mut errors = FieldErrors::new();
    let code = errors.check("code", clean_code(&input.code));
    let name = errors.check("name", clean_text(&input.name, 1, 200));
    let description = errors.check(
        "description",
        clean_multiline(input.description.as_deref(), 4000),
    );
    if input.items.is_empty() {
        errors.add("items", FieldErrorKind::Required);
    } else if input.items.len() > MAX_ITEMS {
        errors.add(
            "items",
            FieldErrorKind::invalid("at most 500 items", "最多 500 项"),
        );
    }
    let mut items = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, it) in input.items.iter().enumerate().take(MAX_ITEMS) {
        let code = errors.check(&format!("items[{i}].code"), clean_code(&it.code));
        if let Some(c) = &code
            && !seen.insert(c.to_ascii_uppercase())
        {
            errors.add(
                format!("items[{i}].code"),
                FieldErrorKind::invalid("used by an earlier item", "与前面的检查项重复"),
            );
        }
        let area = errors.check(
            &format!("items[{i}].area"),
            CheckArea::from_code(it.area.trim()),
        );
        let text = errors.check(&format!("items[{i}].text"), clean_text(&it.text, 1, 1000));
        let text_zh = match it.text_zh.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(t) => errors
                .check(&format!("items[{i}].text_zh"), clean_text(t, 1, 1000))
                .map(Some),
        };
        if let (Some(code), Some(area), Some(text), Some(text_zh)) = (code, area, text, text_zh) {
            items.push(ChecklistItem {
                code,
                area,
                text,
                text_zh,
            });
        }
    }
    errors.into_result()?;
    match (code, name, description) {
        (Some(c), Some(n), Some(d)) => Ok((c, n, d, items)),
        _ => Err(FieldErrors::single("code", FieldErrorKind::Required)),
    }
}

fn clean_code(raw: &str) -> Result<String, FieldErrorKind> {
    let c = raw.trim();
    if c.is_empty() {
        return Err(FieldErrorKind::Required);
    }
    if c.chars().count() > 40
        || !c
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
    {
        return Err(FieldErrorKind::invalid(
            "letters, digits, - and _ (at most 40)",
            "字母、数字、- 和 _（最多 40 个）",
        ));
    }
    Ok(c.to_owned())
}

/// An inspection plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectionPlan {
    /// Id.
    pub id: i64,
    /// Readable code (`IP-2026-0003`).
    pub code: String,
    /// Title.
    pub title: String,
    /// What it covers (sites, systems, departments).
    pub scope: Option<String>,
    /// How often it is due.
    pub frequency: Frequency,
    /// The checklist its inspections follow.
    pub checklist_id: i64,
    /// The department it covers, if one (its tasks belong to it).
    pub department_id: Option<DepartmentId>,
    /// Its inspectors.
    pub inspector_ids: Vec<UserId>,
    /// Who does what.
    pub responsibilities: Option<String>,
    /// The day the next inspection is due.
    pub next_due_at: Day,
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

impl InspectionPlan {
    /// Whether its inspection is past due on `today` (an approved plan only).
    pub fn is_overdue(&self, today: Day) -> bool {
        self.status == PlanStatus::Approved && self.next_due_at < today
    }
}

/// A plan's fields as its editor gives them.
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    /// Title.
    pub title: String,
    /// Scope.
    pub scope: Option<String>,
    /// Frequency code.
    pub frequency: String,
    /// Checklist.
    pub checklist_id: Option<i64>,
    /// Department covered.
    pub department_id: Option<DepartmentId>,
    /// Inspectors.
    pub inspector_ids: Vec<UserId>,
    /// Inspectors by username (forms; added to `inspector_ids`).
    pub inspector_usernames: Vec<String>,
    /// Who does what.
    pub responsibilities: Option<String>,
    /// The first (next) due day.
    pub next_due_at: Option<Day>,
}

/// A plan's checked fields.
#[derive(Debug, Clone)]
pub struct PlanFields {
    /// Title.
    pub title: String,
    /// Scope.
    pub scope: Option<String>,
    /// Frequency.
    pub frequency: Frequency,
    /// Checklist.
    pub checklist_id: i64,
    /// Inspectors (at least one, no repeats, at most 20).
    pub inspector_ids: Vec<UserId>,
    /// Who does what.
    pub responsibilities: Option<String>,
    /// Next due day (from today up to two years ahead).
    pub next_due_at: Day,
}

/// Checks a plan's fields (that the checklist, department and inspectors exist is the
/// service's to check).
pub fn check_plan(input: &PlanInput, today: Day) -> Result<PlanFields, DomainError> {
    let mut errors = FieldErrors::new();
    let title = errors.check("title", clean_text(&input.title, 1, 200));
    let scope = errors.check("scope", clean_multiline(input.scope.as_deref(), 4000));
    let frequency = errors.check("frequency", Frequency::from_code(input.frequency.trim()));
    let responsibilities = errors.check(
        "responsibilities",
        clean_multiline(input.responsibilities.as_deref(), 4000),
    );
    if input.checklist_id.is_none() {
        errors.add("checklist_id", FieldErrorKind::Required);
    }
    let mut inspectors = Vec::new();
    for u in &input.inspector_ids {
        if !inspectors.contains(u) {
            inspectors.push(*u);
        }
    }
    if inspectors.is_empty() {
        errors.add("inspector_ids", FieldErrorKind::Required);
    } else if inspectors.len() > 20 {
        errors.add(
            "inspector_ids",
            FieldErrorKind::invalid("at most 20 inspectors", "最多 20 名检查人员"),
        );
    }
    match input.next_due_at {
        None => errors.add("next_due_at", FieldErrorKind::Required),
        Some(d) if d < today || d > today.plus_months(24) => errors.add(
            "next_due_at",
            FieldErrorKind::invalid("from today up to two years ahead", "须在今天至两年之内"),
        ),
        Some(_) => {}
    }
    errors.into_result()?;
    match (
        title,
        scope,
        frequency,
        responsibilities,
        input.checklist_id,
        input.next_due_at,
    ) {
        (Some(title), Some(scope), Some(frequency), Some(responsibilities), Some(c), Some(d)) => {
            Ok(PlanFields {
                title,
                scope,
                frequency,
                checklist_id: c,
                inspector_ids: inspectors,
                responsibilities,
                next_due_at: d,
            })
        }
        _ => Err(FieldErrors::single("title", FieldErrorKind::Required)),
    }
}

/// An inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    /// Id.
    pub id: i64,
    /// Readable code (`INSP-2026-0012`).
    pub code: String,
    /// Its plan.
    pub plan_id: i64,
    /// The day it was due (the plan's due day when it was scheduled).
    pub due_on: Day,
    /// The day it was performed.
    pub performed_at: Option<Day>,
    /// Its inspectors.
    pub inspector_ids: Vec<UserId>,
    /// Status.
    pub status: InspectionStatus,
    /// The inspectors' summary.
    pub summary: Option<String>,
    /// When it was completed.
    pub completed_at: Option<Timestamp>,
    /// Who completed it.
    pub completed_by: Option<UserId>,
    /// Who scheduled it.
    pub created_by: Option<UserId>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
}

impl Inspection {
    /// Whether it is not completed past its due day on `today`.
    pub fn is_overdue(&self, today: Day) -> bool {
        self.status != InspectionStatus::Completed && self.due_on < today
    }
}

/// An item of an inspection: the checklist's item as it was when the inspection was
/// scheduled, and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultLine {
    /// Id (the owner of its evidence files).
    pub id: i64,
    /// Its inspection.
    pub inspection_id: i64,
    /// Position in the checklist.
    pub position: i64,
    /// The item.
    pub item: ChecklistItem,
    /// Its result, once recorded.
    pub result: Option<ItemResult>,
    /// What the inspector saw.
    pub note: Option<String>,
    /// The rectification task of a failed item.
    pub rectification_id: Option<i64>,
    /// Who recorded the result.
    pub recorded_by: Option<UserId>,
    /// When.
    pub recorded_at: Option<Timestamp>,
}

/// How many items are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Items.
    pub items: i64,
    /// Passed.
    pub pass: i64,
    /// Failed (findings).
    pub fail: i64,
    /// Not applicable.
    pub na: i64,
    /// Failed items with a task.
    pub with_task: i64,
}

impl Tally {
    /// Counts lines.
    pub fn of(lines: &[ResultLine]) -> Tally {
        let mut t = Tally {
            items: lines.len() as i64,
            ..Tally::default()
        };
        for l in lines {
            match l.result {
                Some(ItemResult::Pass) => t.pass += 1,
                Some(ItemResult::Fail) => {
                    t.fail += 1;
                    if l.rectification_id.is_some() {
                        t.with_task += 1;
                    }
                }
                Some(ItemResult::Na) => t.na += 1,
                None => {}
            }
        }
        t
    }

    /// Items without a result.
    pub fn open(&self) -> i64 {
        self.items - self.pass - self.fail - self.na
    }
}

/// What completing an inspection needs: every item a result (409
/// `inspection_results_missing`), every finding its task (409
/// `inspection_finding_without_task`).
pub fn check_complete(lines: &[ResultLine]) -> Result<(), super::InspectionConflict> {
    let t = Tally::of(lines);
    if t.open() > 0 {
        return Err(super::InspectionConflict::ResultsMissing);
    }
    if t.with_task < t.fail {
        return Err(super::InspectionConflict::FindingWithoutTask);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn next_due_keeps_the_rhythm_and_skips_missed_periods() {
        let q = Frequency::Quarterly;
        assert_eq!(
            q.next_due(day("2026-03-31"), day("2026-03-20")),
            day("2026-06-30")
        );
        assert_eq!(
            q.next_due(day("2026-03-31"), day("2026-04-10")),
            day("2026-06-30")
        );
        assert_eq!(
            q.next_due(day("2026-01-31"), day("2026-07-15")),
            day("2026-07-31")
        );
        assert_eq!(
            q.next_due(day("2026-01-31"), day("2026-08-01")),
            day("2026-10-31")
        );
        assert_eq!(
            Frequency::Monthly.next_due(day("2026-01-31"), day("2026-01-31")),
            day("2026-02-28")
        );
        assert_eq!(
            Frequency::Annual.next_due(day("2024-02-29"), day("2024-03-01")),
            day("2025-02-28")
        );
    }

    fn line(result: Option<ItemResult>, task: Option<i64>) -> ResultLine {
        ResultLine {
            id: 1,
            inspection_id: 1,
            position: 0,
            item: ChecklistItem {
                code: "A".into(),
                area: CheckArea::Data,
                text: "x".into(),
                text_zh: None,
            },
            result,
            note: None,
            rectification_id: task,
            recorded_by: None,
            recorded_at: None,
        }
    }

    #[test]
    fn completing_needs_every_result_and_a_task_per_finding() {
        use super::super::InspectionConflict as C;
        assert_eq!(
            check_complete(&[line(Some(ItemResult::Pass), None), line(None, None)]),
            Err(C::ResultsMissing)
        );
        assert_eq!(
            check_complete(&[line(Some(ItemResult::Fail), None)]),
            Err(C::FindingWithoutTask)
        );
        assert_eq!(
            check_complete(&[
                line(Some(ItemResult::Fail), Some(3)),
                line(Some(ItemResult::Na), None)
            ]),
            Ok(())
        );
    }

    #[test]
    fn a_checklist_refuses_repeated_codes_unknown_areas_and_no_items() {
        let bad = ChecklistInput {
            code: "q1".into(),
            name: "Q".into(),
            description: None,
            items: vec![
                ItemInput {
                    code: "A-1".into(),
                    area: "network".into(),
                    text: "x".into(),
                    text_zh: None,
                },
                ItemInput {
                    code: "a-1".into(),
                    area: "space".into(),
                    text: "".into(),
                    text_zh: None,
                },
            ],
        };
        let DomainError::Validation(e) = check_checklist(&bad).unwrap_err() else {
            panic!()
        };
        let keys: Vec<String> = e.iter().map(|f| f.field.clone()).collect();
        assert!(keys.contains(&"items[1].code".to_owned()), "{keys:?}");
        assert!(keys.contains(&"items[1].area".to_owned()));
        assert!(keys.contains(&"items[1].text".to_owned()));
        let empty = ChecklistInput {
            code: "q1".into(),
            name: "Q".into(),
            ..ChecklistInput::default()
        };
        assert!(check_checklist(&empty).is_err());
    }

    #[test]
    fn a_plan_needs_inspectors_and_a_due_day_ahead() {
        let today = day("2026-12-06");
        let mut input = PlanInput {
            title: "Quarterly".into(),
            frequency: "quarterly".into(),
            checklist_id: Some(1),
            inspector_ids: vec![UserId(2), UserId(2)],
            next_due_at: Some(day("2026-12-31")),
            ..PlanInput::default()
        };
        let ok = check_plan(&input, today).unwrap();
        assert_eq!(ok.inspector_ids, vec![UserId(2)]);
        input.next_due_at = Some(day("2026-12-05"));
        input.inspector_ids.clear();
        input.frequency = "weekly".into();
        assert!(check_plan(&input, today).is_err());
    }
}
