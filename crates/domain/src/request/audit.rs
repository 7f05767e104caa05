//! What the request area writes to the audit trail.

use crate::audit::audit_code;
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
