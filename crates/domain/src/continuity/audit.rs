//! What the continuity area writes to the audit trail.

use crate::audit::audit_code;
use crate::history::{Field, Fields, Shown};
use crate::macros::coded_enum;

coded_enum! {
    /// The area's own actions (besides creating and changing).
    pub enum ContinuityAction {
        /// A backup's restore was tested.
        BackupVerified => ("backup_verified", "Restore test recorded", "记录恢复验证"),
        /// A drill's problem got its rectification task.
        DrillProblem => ("drill_problem", "Rectification task opened for a drill problem", "为演练问题建立整改任务"),
    }
}

coded_enum! {
    /// The area's records.
    pub enum ContinuityRecord {
        /// A backup plan.
        BackupPlan => ("backup_plan", "Backup plan", "备份计划"),
        /// A disaster-recovery plan.
        DrPlan => ("dr_plan", "Disaster-recovery plan", "灾难恢复预案"),
        /// A drill of a DR plan.
        Drill => ("drill", "Recovery drill", "应急演练"),
    }
}

audit_code!(ContinuityAction, ContinuityRecord);

/// The area's actions, for the trail's filters and labels.
pub const ACTIONS: &[ContinuityAction] = &ContinuityAction::ALL;
/// The area's records, for the trail's filters and labels.
pub const RECORDS: &[ContinuityRecord] = &ContinuityRecord::ALL;

impl Fields for ContinuityRecord {
    fn fields(self) -> &'static [Field] {
        use super::{BackupFrequency, DrillResult, ProblemKind, VerificationResult};
        match self {
            ContinuityRecord::BackupPlan => {
                const FIELDS: &[Field] = &[
                    Field::new("asset", "Asset", "资产", Shown::Plain),
                    Field::hidden("asset_id"),
                    Field::new("scope", "What is backed up", "备份内容", Shown::Plain),
                    Field::new(
                        "frequency",
                        "Frequency",
                        "备份频率",
                        Shown::Code(BackupFrequency::label_of),
                    ),
                    Field::new("retention", "Retention", "保留期限", Shown::Plain),
                    Field::new("location", "Stored at", "存放位置", Shown::Plain),
                    Field::new("rpo_hours", "RPO (hours)", "RPO（小时）", Shown::Plain),
                    Field::new("rto_hours", "RTO (hours)", "RTO（小时）", Shown::Plain),
                    Field::new("owner_id", "Owner", "负责人", Shown::User),
                    Field::new("verified_at", "Restore tested on", "验证日期", Shown::Plain),
                    Field::new(
                        "result",
                        "Test result",
                        "验证结果",
                        Shown::Code(VerificationResult::label_of),
                    ),
                    Field::new("note", "Note", "说明", Shown::Plain),
                ];
                FIELDS
            }
            ContinuityRecord::DrPlan => {
                const FIELDS: &[Field] = &[
                    Field::new("code", "Code", "编号", Shown::Plain),
                    Field::new("title", "Title", "名称", Shown::Plain),
                    Field::new("assets", "Assets", "涉及资产", Shown::List),
                    Field::hidden("asset_ids"),
                    Field::new("document", "Document", "预案文件", Shown::Plain),
                    Field::hidden("document_id"),
                    Field::new("owner_id", "Owner", "负责人", Shown::User),
                    Field::new("rto_hours", "RTO (hours)", "RTO（小时）", Shown::Plain),
                    Field::new("adopted_at", "In force since", "生效日期", Shown::Plain),
                    Field::new("description", "Description", "说明", Shown::Plain),
                ];
                FIELDS
            }
            ContinuityRecord::Drill => {
                const FIELDS: &[Field] = &[
                    Field::new("code", "Code", "编号", Shown::Plain),
                    Field::hidden("dr_plan_id"),
                    Field::new("held_at", "Held on", "演练日期", Shown::Plain),
                    Field::new("scenario", "Scenario", "演练场景", Shown::Plain),
                    Field::new("participant_ids", "Participants", "参演人员", Shown::Users),
                    Field::new(
                        "result",
                        "Result",
                        "演练结果",
                        Shown::Code(DrillResult::label_of),
                    ),
                    Field::new(
                        "achieved_rto_hours",
                        "Achieved RTO (hours)",
                        "实际恢复时间（小时）",
                        Shown::Plain,
                    ),
                    Field::new("summary", "Summary", "演练总结", Shown::Plain),
                    Field::new(
                        "kind",
                        "Problem",
                        "问题类型",
                        Shown::Code(ProblemKind::label_of),
                    ),
                    Field::new("description", "Problem found", "发现的问题", Shown::Plain),
                    Field::new(
                        "rectification",
                        "Rectification task",
                        "整改任务",
                        Shown::Plain,
                    ),
                ];
                FIELDS
            }
        }
    }
}
