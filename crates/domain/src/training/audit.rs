//! What the training area writes to the audit trail.

use crate::audit::audit_code;
use crate::history::{Field, Fields, Shown};
use crate::macros::coded_enum;

coded_enum! {
    /// The area's own actions (besides creating, changing, moving and deciding).
    pub enum TrainingAction {
        /// Attendance was recorded (on the page or from a file).
        Attendance => ("training_attendance", "Attendance recorded", "记录出勤"),
        /// Training records were exported.
        Export => ("training_export", "Exported", "导出"),
    }
}

coded_enum! {
    /// The area's records.
    pub enum TrainingRecord {
        /// A year's training plan.
        TrainingPlan => ("training_plan", "Training plan", "培训计划"),
        /// A training.
        Training => ("training", "Training", "培训"),
    }
}

audit_code!(TrainingAction, TrainingRecord);

/// The area's actions, for the trail's filters and labels.
pub const ACTIONS: &[TrainingAction] = &TrainingAction::ALL;
/// The area's records, for the trail's filters and labels.
pub const RECORDS: &[TrainingRecord] = &TrainingRecord::ALL;

impl Fields for TrainingRecord {
    fn fields(self) -> &'static [Field] {
        use super::{PlanStatus, TrainingStatus};
        match self {
            TrainingRecord::TrainingPlan => {
                const FIELDS: &[Field] = &[
                    Field::new("year", "Year", "年度", Shown::Plain),
                    Field::new("title", "Title", "标题", Shown::Plain),
                    Field::new("description", "Aims", "计划说明", Shown::Plain),
                    Field::new(
                        "status",
                        "Status",
                        "状态",
                        Shown::Code(PlanStatus::label_of),
                    ),
                    Field::new("step", "Step", "审批环节", Shown::Plain),
                    Field::new("decision", "Decision", "审批结论", Shown::Plain),
                    Field::new("comment", "Comment", "意见说明", Shown::Plain),
                    Field::new(
                        "trainings",
                        "Trainings exported",
                        "导出培训数",
                        Shown::Plain,
                    ),
                ];
                FIELDS
            }
            TrainingRecord::Training => {
                const FIELDS: &[Field] = &[
                    Field::new("plan_id", "", "", Shown::Hidden),
                    Field::new("title", "Title", "标题", Shown::Plain),
                    Field::new("topic", "Topic", "培训内容", Shown::Plain),
                    Field::new(
                        "audience_department_ids",
                        "Audience departments",
                        "培训对象部门",
                        Shown::Plain,
                    ),
                    Field::new(
                        "audience_roles",
                        "Audience roles",
                        "培训对象角色",
                        Shown::Plain,
                    ),
                    Field::new("planned_month", "Month", "计划月份", Shown::Plain),
                    Field::new("held_at", "Held on", "举办日期", Shown::Plain),
                    Field::new("trainer", "Trainer", "讲师", Shown::Plain),
                    Field::new("document_id", "", "", Shown::Hidden),
                    Field::new(
                        "status",
                        "Status",
                        "状态",
                        Shown::Code(TrainingStatus::label_of),
                    ),
                    Field::new("attended", "Attended", "出勤人数", Shown::Plain),
                    Field::new("absent", "Absent", "缺勤人数", Shown::Plain),
                    Field::new("source", "From", "来源", Shown::Plain),
                    Field::new("comment", "Comment", "说明", Shown::Plain),
                ];
                FIELDS
            }
        }
    }
}
