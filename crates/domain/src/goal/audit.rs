//! What the goal area writes to the audit trail.

use crate::audit::audit_code;
use crate::history::{Field, Fields, Shown};
use crate::macros::coded_enum;

coded_enum! {
    /// The area's own actions (besides creating, changing, moving and deciding).
    pub enum GoalAction {
        /// Progress was reported.
        Progress => ("goal_progress", "Progress reported", "报告进展"),
    }
}

coded_enum! {
    /// The area's records.
    pub enum GoalRecord {
        /// A security goal.
        Goal => ("goal", "Security goal", "安全目标"),
    }
}

audit_code!(GoalAction, GoalRecord);

/// The area's actions, for the trail's filters and labels.
pub const ACTIONS: &[GoalAction] = &GoalAction::ALL;
/// The area's records, for the trail's filters and labels.
pub const RECORDS: &[GoalRecord] = &GoalRecord::ALL;

impl Fields for GoalRecord {
    fn fields(self) -> &'static [Field] {
        use super::{GoalLevel, GoalStatus};
        const FIELDS: &[Field] = &[
            Field::new("year", "Year", "年度", Shown::Plain),
            Field::new("level", "Level", "层级", Shown::Code(GoalLevel::label_of)),
            Field::new("parent_id", "", "", Shown::Hidden),
            Field::new("department_id", "Department", "部门", Shown::Department),
            Field::new("position", "Position", "岗位", Shown::Plain),
            Field::new("title", "Goal", "目标", Shown::Plain),
            Field::new("metric", "Metric", "衡量指标", Shown::Plain),
            Field::new("target", "Target", "目标值", Shown::Plain),
            Field::new("owner_id", "Owner", "负责人", Shown::User),
            Field::new(
                "status",
                "Status",
                "状态",
                Shown::Code(GoalStatus::label_of),
            ),
            Field::new("progress", "Progress (%)", "完成进度（%）", Shown::Plain),
            Field::new("progress_note", "Progress note", "进展说明", Shown::Plain),
            Field::new("decision", "Decision", "审批结论", Shown::Plain),
            Field::new("comment", "Comment", "意见说明", Shown::Plain),
        ];
        match self {
            GoalRecord::Goal => FIELDS,
        }
    }
}
