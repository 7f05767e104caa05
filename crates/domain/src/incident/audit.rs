//! What the incident area writes to the audit trail.

use crate::audit::audit_code;
use crate::history::{Field, Fields, Shown};
use crate::macros::coded_enum;

coded_enum! {
    /// The area's own actions (besides creating, changing and moving).
    pub enum IncidentAction {
        /// Class, level, category and team were set.
        Triage => ("triage", "Triaged", "研判"),
        /// A committee member noted a major or critical incident.
        CommitteeNote => ("committee_note", "Noted by the committee", "领导小组已知悉"),
        /// The team added an entry to the timeline.
        TimelineEntry => ("timeline_entry", "Timeline entry added", "添加处置记录"),
    }
}

coded_enum! {
    /// The area's records.
    pub enum IncidentRecord {
        /// A security incident.
        Incident => ("incident", "Security incident", "安全事件"),
        /// The organization's incident deadlines.
        IncidentDeadlines => ("incident_deadlines", "Incident deadlines", "事件处置时限"),
    }
}

audit_code!(IncidentAction, IncidentRecord);

/// The area's actions, for the trail's filters and labels.
pub const ACTIONS: &[IncidentAction] = &IncidentAction::ALL;
/// The area's records, for the trail's filters and labels.
pub const RECORDS: &[IncidentRecord] = &IncidentRecord::ALL;

impl Fields for IncidentRecord {
    fn fields(self) -> &'static [Field] {
        use super::{IncidentCategory, IncidentClass, IncidentLevel, IncidentStatus};
        match self {
            IncidentRecord::Incident => {
                const FIELDS: &[Field] = &[
                    Field::new("code", "Code", "编号", Shown::Plain),
                    Field::new("title", "Title", "标题", Shown::Plain),
                    Field::new("description", "What was seen", "事件描述", Shown::Plain),
                    Field::new("location", "Where", "发生地点", Shown::Plain),
                    Field::new("occurred_at", "Occurred", "发生时间", Shown::Time),
                    Field::new("detected_at", "Detected", "发现时间", Shown::Time),
                    Field::new("reported_at", "Reported", "报告时间", Shown::Time),
                    Field::new("reporter_id", "Reporter", "报告人", Shown::User),
                    Field::new("department_id", "Department", "部门", Shown::Department),
                    Field::new(
                        "category",
                        "Category",
                        "事件分类",
                        Shown::Code(IncidentCategory::label_of),
                    ),
                    Field::new(
                        "class",
                        "Class",
                        "事件类别",
                        Shown::Code(IncidentClass::label_of),
                    ),
                    Field::new(
                        "level",
                        "Level",
                        "事件级别",
                        Shown::Code(IncidentLevel::label_of),
                    ),
                    Field::new(
                        "status",
                        "Status",
                        "状态",
                        Shown::Code(IncidentStatus::label_of),
                    ),
                    Field::new(
                        "affected_asset_ids",
                        "Affected assets",
                        "受影响资产",
                        Shown::Count,
                    ),
                    Field::new("handler_ids", "Handling team", "处置小组", Shown::Users),
                    Field::new("triaged_at", "Triaged", "研判时间", Shown::Time),
                    Field::new("triaged_by", "Triaged by", "研判人", Shown::User),
                    Field::new(
                        "committee_noted_at",
                        "Noted by the committee",
                        "领导小组知悉时间",
                        Shown::Time,
                    ),
                    Field::new(
                        "committee_noted_by",
                        "Committee member",
                        "知悉的领导小组成员",
                        Shown::User,
                    ),
                    Field::new("contained_at", "Contained", "控制时间", Shown::Time),
                    Field::new("closed_at", "Closed", "关闭时间", Shown::Time),
                    Field::new("root_cause", "Root cause", "根本原因", Shown::Plain),
                    Field::new(
                        "lessons_learned",
                        "Lessons learned",
                        "经验教训",
                        Shown::Plain,
                    ),
                    Field::new(
                        "rejection_reason",
                        "Why it is not an incident",
                        "驳回理由",
                        Shown::Plain,
                    ),
                    Field::new("at", "When", "时间", Shown::Time),
                    Field::new("note", "Entry", "记录内容", Shown::Plain),
                    Field::new("incidents", "Incidents", "事件数", Shown::Plain),
                ];
                FIELDS
            }
            IncidentRecord::IncidentDeadlines => {
                const FIELDS: &[Field] = &[
                    Field::new(
                        "triage_minutes",
                        "Triage within (minutes)",
                        "研判时限（分钟）",
                        Shown::Plain,
                    ),
                    Field::new(
                        "major_notice_minutes",
                        "Major: committee notice within (minutes)",
                        "重大事件报告领导小组时限（分钟）",
                        Shown::Plain,
                    ),
                    Field::new(
                        "critical_notice_minutes",
                        "Critical: committee notice within (minutes)",
                        "特别重大事件报告领导小组时限（分钟）",
                        Shown::Plain,
                    ),
                ];
                FIELDS
            }
        }
    }
}
