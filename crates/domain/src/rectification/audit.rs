//! What the rectification area writes to the audit trail.

use crate::audit::audit_code;
use crate::history::{Field, Fields, Shown};
use crate::macros::coded_enum;

coded_enum! {
    /// The area's own actions (besides creating, changing and moving).
    pub enum RectificationAction {
        /// The responsible person reported the task done.
        Done => ("rectification_done", "Reported done", "报告整改完成"),
        /// The verifier confirmed the task.
        Verify => ("rectification_verify", "Verified", "验证通过"),
        /// The verifier sent the task back.
        Reopen => ("rectification_reopen", "Reopened", "退回重新整改"),
    }
}

coded_enum! {
    /// The area's records.
    pub enum RectificationRecord {
        /// A rectification task.
        Rectification => ("rectification", "Rectification task", "整改任务"),
    }
}

audit_code!(RectificationAction, RectificationRecord);

/// The area's actions, for the trail's filters and labels.
pub const ACTIONS: &[RectificationAction] = &RectificationAction::ALL;
/// The area's records, for the trail's filters and labels.
pub const RECORDS: &[RectificationRecord] = &RectificationRecord::ALL;

impl Fields for RectificationRecord {
    fn fields(self) -> &'static [Field] {
        use super::{RectificationSource, RectificationStatus};
        match self {
            RectificationRecord::Rectification => {
                const FIELDS: &[Field] = &[
                    Field::new("code", "Code", "编号", Shown::Plain),
                    Field::new(
                        "source",
                        "Source",
                        "来源",
                        Shown::Code(RectificationSource::label_of),
                    ),
                    Field::new("source_id", "", "", Shown::Hidden),
                    Field::new("source_code", "Raised by", "来源记录", Shown::Plain),
                    Field::new("department_id", "Department", "部门", Shown::Department),
                    Field::new("description", "What to put right", "整改内容", Shown::Plain),
                    Field::new("responsible_id", "Responsible", "责任人", Shown::User),
                    Field::new("verifier_id", "Verifier", "验证人", Shown::User),
                    Field::new("due_on", "Due", "完成期限", Shown::Plain),
                    Field::new(
                        "status",
                        "Status",
                        "状态",
                        Shown::Code(RectificationStatus::label_of),
                    ),
                    Field::new("resolution", "What was done", "整改情况", Shown::Plain),
                    Field::new("done_at", "Reported done", "完成时间", Shown::Time),
                    Field::new("verified_at", "Verified", "验证时间", Shown::Time),
                    Field::new("comment", "Comment", "意见说明", Shown::Plain),
                    Field::new(
                        "rectifications",
                        "Tasks exported",
                        "导出任务数",
                        Shown::Plain,
                    ),
                ];
                FIELDS
            }
        }
    }
}
