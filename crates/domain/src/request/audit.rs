//! What the request area writes to the audit trail.

use crate::audit::audit_code;
use crate::history::{Field, Fields, Shown};
use crate::macros::coded_enum;

coded_enum! {
    /// The area's own actions (besides creating, changing and deleting).
    pub enum RequestAction {
        /// Castellan opened an access change after a job change or a disabling.
        OpenAccessChange => ("open_access_change", "Access change opened", "自动发起权限变更"),
    }
}

coded_enum! {
    /// The area's records.
    pub enum RequestRecord {
        /// An approval request.
        Request => ("request", "Approval request", "审批申请"),
        /// An approval chain.
        ApprovalChain => ("approval_chain", "Approval chain", "审批流程"),
        /// A day of the working-day calendar.
        CalendarDay => ("calendar_day", "Calendar day", "工作日历"),
    }
}

audit_code!(RequestAction, RequestRecord);

/// The area's actions, for the trail's filters and labels.
pub const ACTIONS: &[RequestAction] = &RequestAction::ALL;
/// The area's records, for the trail's filters and labels.
pub const RECORDS: &[RequestRecord] = &RequestRecord::ALL;

impl Fields for RequestRecord {
    fn fields(self) -> &'static [Field] {
        use super::model::{Origin, RequestKind, RequestStatus};
        use crate::workflow::Decision;
        use crate::workflow::calendar::DayKind;
        use crate::workflow::chain::Impact;
        const NAME: Field = Field::new("name", "Name", "名称", Shown::Plain);
        const CODE: Field = Field::new("code", "Code", "编号", Shown::Plain);
        const IMPACT: Field = Field::new(
            "impact",
            "Impact",
            "影响程度",
            Shown::Code(Impact::label_of),
        );
        match self {
            RequestRecord::Request => {
                const FIELDS: &[Field] = &[
                    CODE,
                    IMPACT,
                    Field::new("kind", "Kind", "类型", Shown::Code(RequestKind::label_of)),
                    Field::new("title", "Title", "标题", Shown::Plain),
                    Field::new("description", "Description", "说明", Shown::Plain),
                    Field::new(
                        "status",
                        "Status",
                        "状态",
                        Shown::Code(RequestStatus::label_of),
                    ),
                    Field::new("origin", "Origin", "来源", Shown::Code(Origin::label_of)),
                    Field::new("asset_id", "Asset", "资产", Shown::Plain),
                    Field::new(
                        "subject_user_id",
                        "Person concerned",
                        "涉及人员",
                        Shown::User,
                    ),
                    Field::new("due_at", "Due", "完成时限", Shown::Time),
                    Field::new("current_step", "Current step", "当前环节", Shown::Plain),
                    Field::new("step", "Step", "审批环节", Shown::Plain),
                    Field::new(
                        "decision",
                        "Decision",
                        "审批意见",
                        Shown::Code(Decision::label_of),
                    ),
                    Field::new("requests", "Requests", "申请数", Shown::Plain),
                    Field::new("breached", "Breaches only", "仅超时", Shown::Bool),
                ];
                FIELDS
            }
            RequestRecord::ApprovalChain => {
                const FIELDS: &[Field] = &[
                    CODE,
                    NAME,
                    IMPACT,
                    Field::new("applies_to", "Applies to", "适用于", Shown::Plain),
                    Field::new("steps", "Steps", "审批环节", Shown::Count),
                ];
                FIELDS
            }
            RequestRecord::CalendarDay => {
                const FIELDS: &[Field] = &[
                    NAME,
                    Field::new("day", "Day", "日期", Shown::Plain),
                    Field::new("kind", "Kind", "类型", Shown::Code(DayKind::label_of)),
                ];
                FIELDS
            }
        }
    }
}
