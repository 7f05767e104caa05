//! The records of risk assessment (SPEC §4): catalog threats, vulnerability findings,
//! existing controls, assessments with their moves and checklist, risks with their ratings,
//! approvals and residual ratings, and treatment-plan items. The rules they follow live in
//! [`crate::risk`], [`crate::risk::assessment`] and [`crate::risk::finding`].

use crate::asset::Rating;
use crate::ids::{
    AssessmentId, AssetId, ControlId, DepartmentId, RiskId, ThreatId, TreatmentItemId, UserId,
    VulnerabilityId,
};
use crate::lang::Lang;
use crate::risk::assessment::{Area, Phase, Technique};
use crate::risk::finding::{
    ControlKind, Effectiveness, FoundBy, TreatmentStatus, VulnerabilityStatus,
};
use crate::risk::threat::{ThreatMethod, ThreatPath, ThreatSource};
use crate::risk::{Level, RiskEvaluation, RiskMethod, RiskTables, Treatment};
use crate::time::{Day, Timestamp};
use serde::Serialize;

/// A text the organization writes in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bilingual {
    /// English.
    pub en: String,
    /// Simplified Chinese.
    pub zh: String,
}

impl Bilingual {
    /// The text in `lang`, or the other language's when this one is empty.
    pub fn get(&self, lang: Lang) -> &str {
        let (first, second) = match lang {
            Lang::En => (&self.en, &self.zh),
            Lang::ZhCn => (&self.zh, &self.en),
        };
        if first.is_empty() { second } else { first }
    }
}

/// An entry of the threat catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Threat {
    /// System id.
    pub id: ThreatId,
    /// Catalog code (`T001`, or the organization's own), unique.
    pub code: String,
    /// Where it comes from.
    pub source: ThreatSource,
    /// How it reaches the asset.
    pub path: ThreatPath,
    /// What it does.
    pub method: ThreatMethod,
    /// Name.
    pub name: Bilingual,
    /// Description.
    pub description: Bilingual,
    /// Shipped with Castellan (as opposed to added by the organization).
    pub builtin: bool,
    /// Offered for new risks (retired entries stay for the risks that name them).
    pub active: bool,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A weakness found in an asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vulnerability {
    /// System id.
    pub id: VulnerabilityId,
    /// The asset it was found in.
    pub asset_id: AssetId,
    /// Short title.
    pub title: String,
    /// What was found, how to reproduce it.
    pub description: Option<String>,
    /// Severity V, 1–5.
    pub severity: Rating,
    /// Open, fixed or accepted.
    pub status: VulnerabilityStatus,
    /// CVE, CNVD or scanner reference.
    pub reference: Option<String>,
    /// How it was found.
    pub found_by: FoundBy,
    /// When it was found.
    pub found_on: Option<Day>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A security measure already in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Control {
    /// System id.
    pub id: ControlId,
    /// Name.
    pub name: String,
    /// Technical, management or physical.
    pub kind: ControlKind,
    /// What it does.
    pub description: Option<String>,
    /// How well it works.
    pub effectiveness: Effectiveness,
    /// The asset it protects (`None`: organization-wide).
    pub asset_id: Option<AssetId>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// One row of an assessment's checklist: an area examined by a technique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    /// The area.
    pub area: Area,
    /// The technique.
    pub technique: Technique,
    /// Carried out.
    pub done: bool,
    /// What was done or found.
    pub note: Option<String>,
}

/// A risk assessment project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// System id.
    pub id: AssessmentId,
    /// Name.
    pub name: String,
    /// Purpose and background.
    pub description: Option<String>,
    /// How its risks are computed.
    pub method: RiskMethod,
    /// The version of the organization's risk tables it is computed with.
    pub tables_version: i64,
    /// Those tables.
    pub tables: RiskTables,
    /// Risks at or above this level cannot be kept or accepted without the committee.
    pub acceptance_threshold: Level,
    /// Where it is in the workflow.
    pub phase: Phase,
    /// Who handed it over for the current review.
    pub submitted_by: Option<UserId>,
    /// Planned start.
    pub planned_start: Option<Day>,
    /// Planned end.
    pub planned_end: Option<Day>,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// Departments in scope.
    pub department_ids: Vec<DepartmentId>,
    /// Assets in scope.
    pub asset_ids: Vec<AssetId>,
    /// The assessment team.
    pub team: Vec<UserId>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl Assessment {
    /// The planned period as shown: `2026-12-01 – 2026-12-31`, open ends with a dash, empty
    /// when no date is planned.
    pub fn planned_period(&self) -> String {
        match (self.planned_start, self.planned_end) {
            (Some(s), Some(e)) => format!("{s} – {e}"),
            (Some(s), None) => format!("{s} –"),
            (None, Some(e)) => format!("– {e}"),
            (None, None) => String::new(),
        }
    }
}

/// A move of an assessment between phases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseMove {
    /// Id.
    pub id: i64,
    /// From.
    pub from: Phase,
    /// To.
    pub to: Phase,
    /// Who (`None` for the host operator).
    pub actor_id: Option<UserId>,
    /// Their username at the time.
    pub actor: String,
    /// When.
    pub at: Timestamp,
    /// Why (required for returns).
    pub comment: Option<String>,
}

/// A rating: the inputs and everything computed from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RiskRating {
    /// Threat frequency T.
    pub threat_frequency: Rating,
    /// Vulnerability severity V.
    pub vulnerability_severity: Rating,
    /// Asset value level A, as it was when rated.
    pub asset_value_level: Rating,
    /// The computed values and levels.
    pub evaluation: RiskEvaluation,
}

/// A committee member's decision on a risk, which cannot be edited afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// Who.
    pub by: UserId,
    /// When.
    pub at: Timestamp,
    /// Why.
    pub comment: Option<String>,
}

/// A risk: an asset exposed to a threat through (optionally) a vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    /// System id.
    pub id: RiskId,
    /// The assessment.
    pub assessment_id: AssessmentId,
    /// The asset.
    pub asset_id: AssetId,
    /// The threat.
    pub threat_id: ThreatId,
    /// The vulnerability it exploits.
    pub vulnerability_id: Option<VulnerabilityId>,
    /// How the threat would play out.
    pub description: Option<String>,
    /// The rating (`None` until rated).
    pub rating: Option<RiskRating>,
    /// The treatment option.
    pub treatment: Option<Treatment>,
    /// The committee's approval of keeping or accepting it.
    pub approval: Option<Approval>,
    /// The residual rating after treatment (A as in `rating`).
    pub residual: Option<RiskRating>,
    /// The committee's acceptance of the residual risk.
    pub residual_acceptance: Option<Approval>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl Risk {
    /// The risk level, if rated.
    pub fn level(&self) -> Option<Level> {
        self.rating.map(|r| r.evaluation.risk_level)
    }

    /// The residual risk level, if rated.
    pub fn residual_level(&self) -> Option<Level> {
        self.residual.map(|r| r.evaluation.risk_level)
    }
}

/// One step of a risk's treatment plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreatmentItem {
    /// System id.
    pub id: TreatmentItemId,
    /// The risk.
    pub risk_id: RiskId,
    /// The assessment.
    pub assessment_id: AssessmentId,
    /// What will be done.
    pub measure: String,
    /// The control it puts in place or improves.
    pub control_id: Option<ControlId>,
    /// Responsible department.
    pub department_id: Option<DepartmentId>,
    /// Responsible person.
    pub responsible_id: Option<UserId>,
    /// Due date.
    pub due_on: Option<Day>,
    /// Status.
    pub status: TreatmentStatus,
    /// Progress notes.
    pub progress: Option<String>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl TreatmentItem {
    /// Open and past its due date on `today`.
    pub fn is_overdue(&self, today: Day) -> bool {
        self.status.is_open() && self.due_on.is_some_and(|d| d < today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilingual_texts_fall_back_to_the_other_language() {
        let both = Bilingual {
            en: "Fire".into(),
            zh: "火灾".into(),
        };
        assert_eq!(both.get(Lang::En), "Fire");
        assert_eq!(both.get(Lang::ZhCn), "火灾");
        let en_only = Bilingual {
            en: "Fire".into(),
            zh: String::new(),
        };
        assert_eq!(en_only.get(Lang::ZhCn), "Fire");
    }

    #[test]
    fn only_open_items_past_their_due_date_are_overdue() {
        let now = Timestamp::now();
        let mut item = TreatmentItem {
            id: TreatmentItemId(1),
            risk_id: RiskId(1),
            assessment_id: AssessmentId(1),
            measure: "Patch".into(),
            control_id: None,
            department_id: None,
            responsible_id: None,
            due_on: Day::parse("2026-03-01").ok(),
            status: TreatmentStatus::InProgress,
            progress: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let (before, on, after) = (
            Day::parse("2026-02-28").unwrap(),
            Day::parse("2026-03-01").unwrap(),
            Day::parse("2026-03-02").unwrap(),
        );
        assert!(!item.is_overdue(before));
        assert!(!item.is_overdue(on));
        assert!(item.is_overdue(after));
        item.status = TreatmentStatus::Done;
        assert!(!item.is_overdue(after));
        item.status = TreatmentStatus::Planned;
        item.due_on = None;
        assert!(!item.is_overdue(after));
    }
}
