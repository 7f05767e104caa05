//! The risk area's conflicts (HTTP 409), each with its stable code and its message in both
//! languages.

use crate::macros::coded_enum;

coded_enum! {
    /// What forbids a change in the risk area.
    pub enum RiskConflict {

    /// The change is not possible in the assessment's current phase.
        AssessmentPhase => ("assessment_phase", "This change is not possible in the assessment's current phase.", "评估当前阶段不允许进行此项修改。"),

    /// Some risks are not rated yet.
        RisksUnrated => ("risks_unrated", "Every risk needs its threat frequency and vulnerability severity first.", "请先为每项风险填写威胁频率和脆弱性严重程度。"),

    /// Some risks have no treatment option yet.
        RisksUntreated => ("risks_untreated", "Every risk needs a treatment option first.", "请先为每项风险选择处置方式。"),

    /// A risk at or above the acceptance threshold is kept or accepted without the
    /// committee's approval.
        CommitteeApprovalMissing => ("committee_approval_missing", "A risk at or above the acceptance threshold is kept or accepted without the committee's approval.", "有达到或超过可接受阈值的风险被保持或接受，但尚未经领导小组批准。"),

    /// Some residual risks are not rated yet.
        ResidualUnrated => ("residual_unrated", "Every risk needs its residual rating first.", "请先为每项风险完成残余风险评价。"),

    /// Residual risks at or above the threshold are neither treated again nor accepted.
        ResidualAboveThreshold => ("residual_above_threshold", "Residual risks at or above the acceptance threshold must be treated again or accepted by the committee.", "达到或超过可接受阈值的残余风险须再次处置，或由领导小组批准接受。"),

    /// The risk is below the acceptance threshold; the committee's approval is not needed.
        ApprovalNotNeeded => ("approval_not_needed", "The risk is below the acceptance threshold; it needs no committee approval.", "该风险低于可接受阈值，无需领导小组批准。"),

    /// The same asset, threat and vulnerability are already a risk of this assessment.
        RiskExists => ("risk_exists", "This asset, threat and vulnerability are already a risk of the assessment.", "该资产、威胁与脆弱性的组合已在本次评估的风险中。"),
    }
}
