//! What the risk area writes to the audit trail.

use crate::audit::audit_code;
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
