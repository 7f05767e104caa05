//! The incident area's conflicts (HTTP 409), each with its stable code and its message in
//! both languages.

use crate::macros::coded_enum;

coded_enum! {
    /// What forbids a change to an incident.
    pub enum IncidentConflict {
        /// A closed or rejected incident keeps its record as it was.
        IncidentFinished => ("incident_finished", "The incident is closed or rejected; its record is kept as it was.", "该事件已关闭或已驳回，记录按原样保留。"),
        /// Only a major or critical incident is noted by the committee, once.
        NoticeNotNeeded => ("notice_not_needed", "Only a major or critical incident is noted by the committee, and only once.", "只有重大或特别重大事件需要领导小组知悉，且只需确认一次。"),
    }
}
