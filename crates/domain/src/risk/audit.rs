//! What the risk area writes to the audit trail.

use crate::audit::audit_code;
use crate::history::{Field, Fields, Shown};
use crate::macros::coded_enum;

coded_enum! {
    /// The area's own actions (besides creating, changing and deleting).
    pub enum RiskAction {
        /// The committee approved keeping or accepting a high risk.
        Approve => ("approve", "Approved by the committee", "领导小组批准"),
        /// The committee accepted a residual risk.
        AcceptResidual => ("accept_residual", "Residual risk accepted", "接受残余风险"),
        /// Candidate risks were added in bulk.
        CreateCandidates => ("create_candidates", "Candidate risks added", "批量生成待评价风险"),
    }
}

coded_enum! {
    /// The area's records.
    pub enum RiskRecord {
        /// A risk assessment.
        Assessment => ("assessment", "Risk assessment", "风险评估"),
        /// A risk of an assessment.
        Risk => ("risk", "Risk", "风险"),
        /// A threat of the catalog.
        Threat => ("threat", "Threat", "威胁"),
        /// A vulnerability finding.
        Vulnerability => ("vulnerability", "Vulnerability", "脆弱性"),
        /// An existing security control.
        Control => ("control", "Security control", "安全措施"),
        /// A treatment measure.
        TreatmentItem => ("treatment_item", "Treatment item", "处置措施"),
        /// An assessment's checklist.
        AssessmentChecklist => ("assessment_checklist", "Assessment checklist", "评估内容清单"),
    }
}

audit_code!(RiskAction, RiskRecord);

/// The area's actions, for the trail's filters and labels.
pub const ACTIONS: &[RiskAction] = &RiskAction::ALL;
/// The area's records, for the trail's filters and labels.
pub const RECORDS: &[RiskRecord] = &RiskRecord::ALL;

impl Fields for RiskRecord {
    fn fields(self) -> &'static [Field] {
        use super::analysis::{RiskMethod, Treatment};
        use super::assessment::{Area, Phase, Technique};
        use super::finding::VulnerabilityStatus;
        use super::finding::{ControlKind, Effectiveness, FoundBy, TreatmentStatus};
        use super::threat::{ThreatMethod, ThreatPath, ThreatSource};
        const NAME: Field = Field::new("name", "Name", "名称", Shown::Plain);
        const DESCRIPTION: Field = Field::new("description", "Description", "说明", Shown::Plain);
        const ASSET: Field = Field::new("asset_id", "Asset", "资产", Shown::Plain);
        match self {
            RiskRecord::Assessment => {
                const FIELDS: &[Field] = &[
                    NAME,
                    DESCRIPTION,
                    Field::new(
                        "method",
                        "Method",
                        "计算方法",
                        Shown::Code(RiskMethod::label_of),
                    ),
                    Field::new(
                        "tables_version",
                        "Risk tables",
                        "风险分级表版本",
                        Shown::Plain,
                    ),
                    Field::hidden("tables"),
                    Field::new(
                        "acceptance_threshold",
                        "Acceptance threshold",
                        "可接受风险阈值",
                        Shown::Plain,
                    ),
                    Field::new("phase", "Phase", "阶段", Shown::Code(Phase::label_of)),
                    Field::new("submitted_by", "Submitted by", "提交人", Shown::User),
                    Field::new("planned_start", "Planned start", "计划开始", Shown::Plain),
                    Field::new("planned_end", "Planned end", "计划结束", Shown::Plain),
                    // Who created it is the entry's actor.
                    Field::hidden("created_by"),
                    Field::new(
                        "department_ids",
                        "Departments in scope",
                        "评估范围（部门）",
                        Shown::Departments,
                    ),
                    Field::new(
                        "asset_ids",
                        "Assets in scope",
                        "评估范围（资产）",
                        Shown::Count,
                    ),
                    Field::new("team", "Assessment team", "评估小组", Shown::Users),
                    Field::new("assets", "Assets", "资产数", Shown::Plain),
                    Field::new("threats", "Threats", "威胁数", Shown::Plain),
                    Field::new("added", "Risks added", "新增风险", Shown::Plain),
                    Field::new("existing", "Risks already there", "已有风险", Shown::Plain),
                ];
                FIELDS
            }
            RiskRecord::Risk => {
                const FIELDS: &[Field] = &[
                    ASSET,
                    DESCRIPTION,
                    Field::new("threat_id", "Threat", "威胁", Shown::Plain),
                    Field::new("vulnerability_id", "Vulnerability", "脆弱性", Shown::Plain),
                    Field::new(
                        "threat_frequency",
                        "Threat frequency",
                        "威胁频率",
                        Shown::Plain,
                    ),
                    Field::new(
                        "vulnerability_severity",
                        "Vulnerability severity",
                        "脆弱性严重程度",
                        Shown::Plain,
                    ),
                    Field::new(
                        "asset_value_level",
                        "Asset value level (A)",
                        "资产价值等级 (A)",
                        Shown::Plain,
                    ),
                    Field::new(
                        "likelihood_value",
                        "Likelihood value",
                        "可能性值",
                        Shown::Plain,
                    ),
                    Field::new(
                        "likelihood_level",
                        "Likelihood level",
                        "可能性等级",
                        Shown::Plain,
                    ),
                    Field::new("loss_value", "Loss value", "损失值", Shown::Plain),
                    Field::new("loss_level", "Loss level", "损失等级", Shown::Plain),
                    Field::new("risk_value", "Risk value", "风险值", Shown::Plain),
                    Field::new("risk_level", "Risk level", "风险等级", Shown::Plain),
                    Field::new(
                        "treatment",
                        "Treatment",
                        "处置方式",
                        Shown::Code(Treatment::label_of),
                    ),
                    // Who decided is the entry's actor.
                    Field::hidden("approval_by"),
                    Field::new(
                        "approval_comment",
                        "Committee approval",
                        "领导小组批准",
                        Shown::Plain,
                    ),
                    Field::new(
                        "residual_threat_frequency",
                        "Residual T",
                        "残余威胁频率 T",
                        Shown::Plain,
                    ),
                    Field::new(
                        "residual_vulnerability_severity",
                        "Residual V",
                        "残余脆弱性 V",
                        Shown::Plain,
                    ),
                    Field::new(
                        "residual_likelihood_value",
                        "Residual likelihood value",
                        "残余可能性值",
                        Shown::Plain,
                    ),
                    Field::new(
                        "residual_likelihood_level",
                        "Residual likelihood level",
                        "残余可能性等级",
                        Shown::Plain,
                    ),
                    Field::new(
                        "residual_loss_value",
                        "Residual loss value",
                        "残余损失值",
                        Shown::Plain,
                    ),
                    Field::new(
                        "residual_loss_level",
                        "Residual loss level",
                        "残余损失等级",
                        Shown::Plain,
                    ),
                    Field::new(
                        "residual_risk_value",
                        "Residual risk value",
                        "残余风险值",
                        Shown::Plain,
                    ),
                    Field::new(
                        "residual_risk_level",
                        "Residual risk level",
                        "残余风险等级",
                        Shown::Plain,
                    ),
                    Field::hidden("residual_acceptance_by"),
                    Field::new(
                        "residual_acceptance_comment",
                        "Committee acceptance",
                        "领导小组接受",
                        Shown::Plain,
                    ),
                ];
                FIELDS
            }
            RiskRecord::Threat => {
                const FIELDS: &[Field] = &[
                    Field::new("code", "Code", "编号", Shown::Plain),
                    Field::new("name", "Name", "名称", Shown::Bilingual),
                    Field::new("description", "Description", "说明", Shown::Bilingual),
                    Field::new(
                        "source",
                        "Source",
                        "来源",
                        Shown::Code(ThreatSource::label_of),
                    ),
                    Field::new("path", "Path", "途径", Shown::Code(ThreatPath::label_of)),
                    Field::new(
                        "method",
                        "Method",
                        "方式",
                        Shown::Code(ThreatMethod::label_of),
                    ),
                    Field::new("builtin", "Shipped with Castellan", "系统内置", Shown::Bool),
                    Field::new(
                        "active",
                        "Offered for new risks",
                        "可用于新风险",
                        Shown::Bool,
                    ),
                    Field::new("created_codes", "Codes created", "新增编号", Shown::List),
                    Field::new("updated_codes", "Codes updated", "更新编号", Shown::List),
                ];
                FIELDS
            }
            RiskRecord::Vulnerability => {
                const FIELDS: &[Field] = &[
                    ASSET,
                    DESCRIPTION,
                    Field::new("title", "Title", "名称", Shown::Plain),
                    Field::new("severity", "Severity", "严重程度", Shown::Plain),
                    Field::new(
                        "status",
                        "Status",
                        "状态",
                        Shown::Code(VulnerabilityStatus::label_of),
                    ),
                    Field::new("reference", "Reference", "编号", Shown::Plain),
                    Field::new(
                        "found_by",
                        "Found by",
                        "发现方式",
                        Shown::Code(FoundBy::label_of),
                    ),
                    Field::new("found_on", "Found on", "发现日期", Shown::Plain),
                ];
                FIELDS
            }
            RiskRecord::Control => {
                const FIELDS: &[Field] = &[
                    NAME,
                    DESCRIPTION,
                    ASSET,
                    Field::new("kind", "Kind", "类型", Shown::Code(ControlKind::label_of)),
                    Field::new(
                        "effectiveness",
                        "Effectiveness",
                        "有效性",
                        Shown::Code(Effectiveness::label_of),
                    ),
                ];
                FIELDS
            }
            RiskRecord::TreatmentItem => {
                const FIELDS: &[Field] = &[
                    Field::hidden("risk_id"),
                    Field::hidden("assessment_id"),
                    Field::new("measure", "Measure", "处置措施", Shown::Plain),
                    Field::new("control_id", "Control", "安全措施", Shown::Plain),
                    Field::new("department_id", "Department", "部门", Shown::Department),
                    Field::new(
                        "responsible_id",
                        "Responsible person",
                        "责任人",
                        Shown::User,
                    ),
                    Field::new("due_on", "Due", "完成期限", Shown::Plain),
                    Field::new(
                        "status",
                        "Status",
                        "状态",
                        Shown::Code(TreatmentStatus::label_of),
                    ),
                    Field::new("progress", "Progress", "进展", Shown::Plain),
                ];
                FIELDS
            }
            RiskRecord::AssessmentChecklist => {
                const FIELDS: &[Field] = &[
                    Field::new("area", "Area", "测评内容", Shown::Code(Area::label_of)),
                    Field::new(
                        "technique",
                        "Technique",
                        "测评方式",
                        Shown::Code(Technique::label_of),
                    ),
                    Field::new("done", "Done", "已完成", Shown::Bool),
                    Field::new("note", "Note", "说明", Shown::Plain),
                ];
                FIELDS
            }
        }
    }
}
