//! The rectification area's conflicts (HTTP 409), each with its stable code and its
//! message in both languages.

use crate::macros::coded_enum;

coded_enum! {
    /// What forbids a change to a rectification task.
    pub enum RectificationConflict {
        /// A verified task is finished: its record is kept as it was.
        TaskVerified => ("rectification_verified", "The task has been verified; its record is kept as it was.", "该整改任务已验证通过，记录按原样保留。"),
        /// Tasks come from a source that is being handled (not one only reported or rejected).
        SourceNotOpen => ("rectification_source_not_open", "Rectification tasks are opened from an incident once it has been triaged, and never from a rejected one.", "整改任务须在事件研判之后提出，已驳回的事件不能提出整改任务。"),
    }
}
