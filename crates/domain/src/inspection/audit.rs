//! What the inspection area writes to the audit trail.

use crate::audit::audit_code;
use crate::history::{Field, Fields, Shown};
use crate::macros::coded_enum;

coded_enum! {
    /// The area's own actions (besides creating, changing, moving and deciding).
    pub enum InspectionAction {
        /// Results were recorded.
        Results => ("inspection_results", "Results recorded", "记录检查结果"),
        /// A finding got its rectification task.
        Finding => ("inspection_finding", "Rectification task opened for a finding", "为问题建立整改任务"),
        /// An inspection report was downloaded.
        Report => ("inspection_report", "Report downloaded", "下载检查报告"),
    }
}

coded_enum! {
    /// The area's records.
    pub enum InspectionRecord {
        /// A checklist.
        Checklist => ("checklist", "Checklist", "检查表"),
        /// An inspection plan.
        InspectionPlan => ("inspection_plan", "Inspection plan", "检查计划"),
        /// An inspection.
        Inspection => ("inspection", "Inspection", "安全检查"),
    }
}

audit_code!(InspectionAction, InspectionRecord);

/// The area's actions, for the trail's filters and labels.
pub const ACTIONS: &[InspectionAction] = &InspectionAction::ALL;
/// The area's records, for the trail's filters and labels.
pub const RECORDS: &[InspectionRecord] = &InspectionRecord::ALL;

const MOVE_FIELDS: [Field; 3] = [
    Field::new("step", "Step", "审批环节", Shown::Plain),
    Field::new("decision", "Decision", "审批结论", Shown::Plain),
    Field::new("comment", "Comment", "意见说明", Shown::Plain),
];

impl Fields for InspectionRecord {
    fn fields(self) -> &'static [Field] {
        use super::{Frequency, InspectionStatus, PlanStatus};
        match self {
            InspectionRecord::Checklist => {
                const FIELDS: &[Field] = &[
                    Field::new("code", "Code", "编号", Shown::Plain),
                    Field::new("name", "Name", "名称", Shown::Plain),
                    Field::new("description", "Description", "说明", Shown::Plain),
                    Field::new("items", "Items", "检查项", Shown::Count),
                    Field::new("copied_from", "Copied from", "复制自", Shown::Plain),
                ];
                FIELDS
            }
            InspectionRecord::InspectionPlan => {
                const FIELDS: &[Field] = &[
                    Field::new("code", "Code", "编号", Shown::Plain),
                    Field::new("title", "Title", "标题", Shown::Plain),
                    Field::new("scope", "Scope", "检查范围", Shown::Plain),
                    Field::new(
                        "frequency",
                        "Frequency",
                        "检查频次",
                        Shown::Code(Frequency::label_of),
                    ),
                    Field::new("checklist_id", "", "", Shown::Hidden),
                    Field::new("department_id", "Department", "部门", Shown::Department),
                    Field::new("inspector_ids", "Inspectors", "检查人员", Shown::Users),
                    Field::new(
                        "responsibilities",
                        "Responsibilities",
                        "职责分工",
                        Shown::Plain,
                    ),
                    Field::new("next_due_at", "Next due", "下次检查日期", Shown::Plain),
                    Field::new(
                        "status",
                        "Status",
                        "状态",
                        Shown::Code(PlanStatus::label_of),
                    ),
                    MOVE_FIELDS[0],
                    MOVE_FIELDS[1],
                    MOVE_FIELDS[2],
                ];
                FIELDS
            }
            InspectionRecord::Inspection => {
                const FIELDS: &[Field] = &[
                    Field::new("code", "Code", "编号", Shown::Plain),
                    Field::new("plan_id", "", "", Shown::Hidden),
                    Field::new("due_on", "Due", "应检查日期", Shown::Plain),
                    Field::new("performed_at", "Performed on", "检查日期", Shown::Plain),
                    Field::new("inspector_ids", "Inspectors", "检查人员", Shown::Users),
                    Field::new(
                        "status",
                        "Status",
                        "状态",
                        Shown::Code(InspectionStatus::label_of),
                    ),
                    Field::new("summary", "Summary", "检查结论", Shown::Plain),
                    Field::new("results", "Results", "检查结果", Shown::List),
                    Field::new("item_code", "Item", "检查项", Shown::Plain),
                    Field::new(
                        "rectification",
                        "Rectification task",
                        "整改任务",
                        Shown::Plain,
                    ),
                    Field::new("format", "Format", "格式", Shown::Plain),
                    Field::new("comment", "Comment", "说明", Shown::Plain),
                ];
                FIELDS
            }
        }
    }
}
