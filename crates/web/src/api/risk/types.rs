//! JSON shapes of risk assessment (SPEC §4): threats, findings, controls, assessments,
//! risks, the grading tables and the method preview.

use crate::api::types::{codes, double_option, non_null};
use castellan_app::risk::assessments::AssessmentView as Viewed;
use castellan_app::risk::risks::RiskView as RiskViewed;
use castellan_domain::risk::assessment::{Area, Phase, Technique};
use castellan_domain::risk::finding::{ControlKind, Effectiveness, FoundBy, VulnerabilityStatus};
use castellan_domain::risk::register::{
    Approval, ChecklistItem, Control, PhaseMove, RiskRating, Threat, Vulnerability,
};
use castellan_domain::risk::threat::{ThreatMethod, ThreatPath, ThreatSource};
use castellan_domain::risk::{RiskEvaluation, RiskMethod, RiskTables, Score, Treatment};
use castellan_domain::{Day, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{PartialSchema, ToSchema};

codes!(
    MethodCode,
    "Risk calculation method.",
    RiskMethod::ALL,
    false
);
codes!(PhaseCode, "Assessment phase.", Phase::ALL, false);
codes!(SourceCode, "Threat source.", ThreatSource::ALL, false);
codes!(PathCode, "Threat path.", ThreatPath::ALL, false);
codes!(ThreatMethodCode, "Threat method.", ThreatMethod::ALL, false);
codes!(
    FindingStatusCode,
    "Vulnerability status.",
    VulnerabilityStatus::ALL,
    false
);
codes!(
    FoundByCode,
    "How a vulnerability was found.",
    FoundBy::ALL,
    false
);
codes!(ControlKindCode, "Kind of control.", ControlKind::ALL, false);
codes!(
    EffectivenessCode,
    "Effectiveness of a control.",
    Effectiveness::ALL,
    false
);
codes!(
    TreatmentCode,
    "Treatment option, or null.",
    Treatment::ALL,
    true
);
codes!(AreaCode, "Assessment area.", Area::ALL, false);
codes!(
    TechniqueCode,
    "Assessment technique.",
    Technique::ALL,
    false
);

/// A value as a JSON number: whole values without decimals, `sqrt` values with two.
fn number(s: Score) -> serde_json::Number {
    let h = s.hundredths();
    if h.is_multiple_of(100) {
        serde_json::Number::from(h / 100)
    } else {
        serde_json::Number::from_f64(s.as_f64()).unwrap_or_else(|| serde_json::Number::from(0))
    }
}

/// Computed values of a rating.
#[derive(Debug, Serialize, ToSchema)]
pub struct Evaluation {
    /// Likelihood value.
    #[schema(value_type = f64)]
    pub likelihood_value: serde_json::Number,
    /// Likelihood level 1–5.
    pub likelihood_level: u8,
    /// Loss value.
    #[schema(value_type = f64)]
    pub loss_value: serde_json::Number,
    /// Loss level 1–5.
    pub loss_level: u8,
    /// Risk value.
    #[schema(value_type = f64)]
    pub risk_value: serde_json::Number,
    /// Risk level 1–5.
    pub risk_level: u8,
}

impl From<RiskEvaluation> for Evaluation {
    fn from(e: RiskEvaluation) -> Self {
        Evaluation {
            likelihood_value: number(e.likelihood_value),
            likelihood_level: e.likelihood_level.get(),
            loss_value: number(e.loss_value),
            loss_level: e.loss_level.get(),
            risk_value: number(e.risk_value),
            risk_level: e.risk_level.get(),
        }
    }
}

/// A rating to preview.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    /// Method.
    #[schema(schema_with = MethodCode::schema)]
    pub method: String,
    /// Threat frequency T, 1–5.
    pub threat_frequency: i64,
    /// Vulnerability severity V, 1–5.
    pub vulnerability_severity: i64,
    /// Asset value level A, 1–5.
    pub asset_value_level: i64,
}

/// A previewed rating.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluateResponse {
    /// Method.
    #[schema(schema_with = MethodCode::schema)]
    pub method: &'static str,
    /// T.
    pub threat_frequency: i64,
    /// V.
    pub vulnerability_severity: i64,
    /// A.
    pub asset_value_level: i64,
    /// The computed values.
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

/// The organization's grading tables and matrices.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RiskTablesBody {
    /// Likelihood value ranges `[from, to]` of levels 1–5.
    pub likelihood: Vec<(i64, i64)>,
    /// Loss value ranges of levels 1–5.
    pub loss: Vec<(i64, i64)>,
    /// Risk value ranges of levels 1–5.
    pub risk: Vec<(i64, i64)>,
    /// Likelihood value by V (rows) and T (columns), for the matrix method.
    pub likelihood_matrix: Vec<Vec<i64>>,
    /// Loss value by V (rows) and A (columns).
    pub loss_matrix: Vec<Vec<i64>>,
    /// Risk value by likelihood level (rows) and loss level (columns).
    pub risk_matrix: Vec<Vec<i64>>,
}

impl From<&RiskTables> for RiskTablesBody {
    fn from(t: &RiskTables) -> Self {
        let ranges = |r: [(u16, u16); 5]| {
            r.iter()
                .map(|&(a, b)| (i64::from(a), i64::from(b)))
                .collect()
        };
        let cells = |m: [[u8; 5]; 5]| {
            m.iter()
                .map(|row| row.iter().map(|&c| i64::from(c)).collect())
                .collect()
        };
        RiskTablesBody {
            likelihood: ranges(t.likelihood.ranges()),
            loss: ranges(t.loss.ranges()),
            risk: ranges(t.risk.ranges()),
            likelihood_matrix: cells(t.likelihood_matrix.cells()),
            loss_matrix: cells(t.loss_matrix.cells()),
            risk_matrix: cells(t.risk_matrix.cells()),
        }
    }
}

/// The tables with their version.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskTablesView {
    /// The tables.
    #[serde(flatten)]
    pub tables: RiskTablesBody,
    /// Version (0 while the defaults apply); send it back as `If-Match`.
    pub version: i64,
}

/// The outcome of a change of tables.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskTablesChanged {
    /// The tables now in force.
    #[serde(flatten)]
    pub tables: RiskTablesBody,
    /// Their version.
    pub version: i64,
    /// Assessments (not yet submitted for review) moved to the new tables.
    pub rerated_assessments: u64,
    /// Ratings whose values changed.
    pub rerated_ratings: u64,
}

/// An entry of the threat catalog.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreatView {
    /// System id.
    pub id: i64,
    /// Catalog code.
    pub code: String,
    /// Source.
    #[schema(schema_with = SourceCode::schema)]
    pub source: &'static str,
    /// Path.
    #[schema(schema_with = PathCode::schema)]
    pub path: &'static str,
    /// Method.
    #[schema(schema_with = ThreatMethodCode::schema)]
    pub method: &'static str,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: String,
    /// English description.
    pub description_en: String,
    /// Chinese description.
    pub description_zh: String,
    /// Shipped with Castellan.
    pub builtin: bool,
    /// Offered for new risks.
    pub active: bool,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Threat> for ThreatView {
    fn from(t: Threat) -> Self {
        ThreatView {
            id: t.id.0,
            code: t.code,
            source: t.source.code(),
            path: t.path.code(),
            method: t.method.code(),
            name_en: t.name.en,
            name_zh: t.name.zh,
            description_en: t.description.en,
            description_zh: t.description.zh,
            builtin: t.builtin,
            active: t.active,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A page of threats.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreatList {
    /// The threats.
    pub items: Vec<ThreatView>,
    /// Cursor of the next page, `null` on the last.
    pub next_cursor: Option<String>,
}

/// A new threat.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreatCreate {
    /// Code (letters, digits, `-`, `_`, `.`), unique.
    pub code: String,
    /// Source.
    #[schema(schema_with = SourceCode::schema)]
    pub source: String,
    /// Path.
    #[schema(schema_with = PathCode::schema)]
    pub path: String,
    /// Method.
    #[schema(schema_with = ThreatMethodCode::schema)]
    pub method: String,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: String,
    /// English description.
    #[serde(default)]
    pub description_en: String,
    /// Chinese description.
    #[serde(default)]
    pub description_zh: String,
    /// Offered for new risks (default true).
    pub active: Option<bool>,
}

/// A change to a threat; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreatUpdate {
    /// Code.
    #[serde(default, deserialize_with = "non_null")]
    pub code: Option<String>,
    /// Source.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(schema_with = SourceCode::schema)]
    pub source: Option<String>,
    /// Path.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(schema_with = PathCode::schema)]
    pub path: Option<String>,
    /// Method.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(schema_with = ThreatMethodCode::schema)]
    pub method: Option<String>,
    /// English name.
    #[serde(default, deserialize_with = "non_null")]
    pub name_en: Option<String>,
    /// Chinese name.
    #[serde(default, deserialize_with = "non_null")]
    pub name_zh: Option<String>,
    /// English description.
    #[serde(default, deserialize_with = "non_null")]
    pub description_en: Option<String>,
    /// Chinese description.
    #[serde(default, deserialize_with = "non_null")]
    pub description_zh: Option<String>,
    /// Offered for new risks; false retires the entry.
    #[serde(default, deserialize_with = "non_null")]
    pub active: Option<bool>,
}

/// A vulnerability finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct VulnerabilityView {
    /// System id.
    pub id: i64,
    /// The asset.
    pub asset_id: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Severity 1–5.
    pub severity: u8,
    /// Status.
    #[schema(schema_with = FindingStatusCode::schema)]
    pub status: &'static str,
    /// CVE or other reference.
    pub reference: Option<String>,
    /// How it was found.
    #[schema(schema_with = FoundByCode::schema)]
    pub found_by: &'static str,
    /// When (YYYY-MM-DD).
    #[schema(value_type = Option<String>, format = Date)]
    pub found_on: Option<Day>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Vulnerability> for VulnerabilityView {
    fn from(v: Vulnerability) -> Self {
        VulnerabilityView {
            id: v.id.0,
            asset_id: v.asset_id.0,
            title: v.title,
            description: v.description,
            severity: v.severity.get(),
            status: v.status.code(),
            reference: v.reference,
            found_by: v.found_by.code(),
            found_on: v.found_on,
            version: v.version,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// A page of findings.
#[derive(Debug, Serialize, ToSchema)]
pub struct VulnerabilityList {
    /// The findings.
    pub items: Vec<VulnerabilityView>,
    /// Cursor of the next page, `null` on the last.
    pub next_cursor: Option<String>,
}

/// A new finding.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityCreate {
    /// The asset.
    pub asset_id: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Severity 1–5.
    pub severity: i64,
    /// Status (default `open`).
    #[schema(schema_with = FindingStatusCode::schema)]
    pub status: Option<String>,
    /// CVE or other reference.
    pub reference: Option<String>,
    /// How it was found.
    #[schema(schema_with = FoundByCode::schema)]
    pub found_by: String,
    /// When (YYYY-MM-DD).
    pub found_on: Option<String>,
}

/// A change to a finding.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityUpdate {
    /// Title.
    #[serde(default, deserialize_with = "non_null")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Severity.
    #[serde(default, deserialize_with = "non_null")]
    pub severity: Option<i64>,
    /// Status.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(schema_with = FindingStatusCode::schema)]
    pub status: Option<String>,
    /// Reference.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub reference: Option<Option<String>>,
    /// How it was found.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(schema_with = FoundByCode::schema)]
    pub found_by: Option<String>,
    /// When.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub found_on: Option<Option<String>>,
}

/// An existing security control.
#[derive(Debug, Serialize, ToSchema)]
pub struct ControlView {
    /// System id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    #[schema(schema_with = ControlKindCode::schema)]
    pub kind: &'static str,
    /// Description.
    pub description: Option<String>,
    /// Effectiveness.
    #[schema(schema_with = EffectivenessCode::schema)]
    pub effectiveness: &'static str,
    /// The asset protected (`null`: organization-wide).
    pub asset_id: Option<i64>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Control> for ControlView {
    fn from(c: Control) -> Self {
        ControlView {
            id: c.id.0,
            name: c.name,
            kind: c.kind.code(),
            description: c.description,
            effectiveness: c.effectiveness.code(),
            asset_id: c.asset_id.map(|a| a.0),
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A page of controls.
#[derive(Debug, Serialize, ToSchema)]
pub struct ControlList {
    /// The controls.
    pub items: Vec<ControlView>,
    /// Cursor of the next page, `null` on the last.
    pub next_cursor: Option<String>,
}

/// A new control.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlCreate {
    /// Name.
    pub name: String,
    /// Kind.
    #[schema(schema_with = ControlKindCode::schema)]
    pub kind: String,
    /// Description.
    pub description: Option<String>,
    /// Effectiveness (default `not_assessed`).
    #[schema(schema_with = EffectivenessCode::schema)]
    pub effectiveness: Option<String>,
    /// The asset protected (absent: organization-wide).
    pub asset_id: Option<i64>,
}

/// A change to a control.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlUpdate {
    /// Name.
    #[serde(default, deserialize_with = "non_null")]
    pub name: Option<String>,
    /// Kind.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(schema_with = ControlKindCode::schema)]
    pub kind: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Effectiveness.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(schema_with = EffectivenessCode::schema)]
    pub effectiveness: Option<String>,
    /// The asset protected.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub asset_id: Option<Option<i64>>,
}

/// A risk assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentView {
    /// System id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Purpose and background.
    pub description: Option<String>,
    /// Method.
    #[schema(schema_with = MethodCode::schema)]
    pub method: &'static str,
    /// Version of the organization's risk tables the ratings use.
    pub tables_version: i64,
    /// Risks at or above this level are kept or accepted only with the committee.
    pub acceptance_threshold: u8,
    /// Phase.
    #[schema(schema_with = PhaseCode::schema)]
    pub phase: &'static str,
    /// Who submitted it for the current review.
    pub submitted_by: Option<i64>,
    /// Planned start.
    #[schema(value_type = Option<String>, format = Date)]
    pub planned_start: Option<Day>,
    /// Planned end.
    #[schema(value_type = Option<String>, format = Date)]
    pub planned_end: Option<Day>,
    /// Who created it.
    pub created_by: Option<i64>,
    /// Departments in scope.
    pub department_ids: Vec<i64>,
    /// Assets in scope.
    pub asset_ids: Vec<i64>,
    /// The team (user ids).
    pub team: Vec<i64>,
    /// Number of risks.
    pub risk_count: i64,
    /// Phases the caller may move it to now.
    #[schema(value_type = Vec<String>)]
    pub allowed_transitions: Vec<&'static str>,
    /// Whether the caller may change its content.
    pub may_edit: bool,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Viewed> for AssessmentView {
    fn from(v: Viewed) -> Self {
        let a = v.assessment;
        AssessmentView {
            id: a.id.0,
            name: a.name,
            description: a.description,
            method: a.method.code(),
            tables_version: a.tables_version,
            acceptance_threshold: a.acceptance_threshold.get(),
            phase: a.phase.code(),
            submitted_by: a.submitted_by.map(|u| u.0),
            planned_start: a.planned_start,
            planned_end: a.planned_end,
            created_by: a.created_by.map(|u| u.0),
            department_ids: a.department_ids.iter().map(|d| d.0).collect(),
            asset_ids: a.asset_ids.iter().map(|x| x.0).collect(),
            team: a.team.iter().map(|u| u.0).collect(),
            risk_count: v.risk_count,
            allowed_transitions: v.allowed_transitions.iter().map(|p| p.code()).collect(),
            may_edit: v.may_edit,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// A page of assessments.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentList {
    /// The assessments.
    pub items: Vec<AssessmentView>,
    /// Cursor of the next page, `null` on the last.
    pub next_cursor: Option<String>,
}

/// A new assessment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentCreate {
    /// Name.
    pub name: String,
    /// Purpose and background.
    pub description: Option<String>,
    /// Method (default `multiplication`).
    #[schema(schema_with = MethodCode::schema)]
    pub method: Option<String>,
    /// Acceptance threshold 1–5 (default 4).
    pub acceptance_threshold: Option<i64>,
    /// Planned start (YYYY-MM-DD).
    pub planned_start: Option<String>,
    /// Planned end (YYYY-MM-DD).
    pub planned_end: Option<String>,
    /// Departments in scope.
    #[serde(default)]
    pub department_ids: Vec<i64>,
    /// Assets in scope.
    #[serde(default)]
    pub asset_ids: Vec<i64>,
    /// Team (user ids holding the assessor or security officer role); the creator when
    /// empty.
    #[serde(default)]
    pub team: Vec<i64>,
}

/// A change to an assessment's plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentUpdate {
    /// Name.
    #[serde(default, deserialize_with = "non_null")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Method.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(schema_with = MethodCode::schema)]
    pub method: Option<String>,
    /// Acceptance threshold.
    #[serde(default, deserialize_with = "non_null")]
    pub acceptance_threshold: Option<i64>,
    /// Planned start.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub planned_start: Option<Option<String>>,
    /// Planned end.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub planned_end: Option<Option<String>>,
    /// Departments in scope.
    #[serde(default, deserialize_with = "non_null")]
    pub department_ids: Option<Vec<i64>>,
    /// Assets in scope.
    #[serde(default, deserialize_with = "non_null")]
    pub asset_ids: Option<Vec<i64>>,
    /// Team.
    #[serde(default, deserialize_with = "non_null")]
    pub team: Option<Vec<i64>>,
}

/// A workflow move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionCreate {
    /// The phase to move to.
    #[schema(schema_with = PhaseCode::schema)]
    pub to: String,
    /// Why (required when returning it).
    pub comment: Option<String>,
}

/// A recorded move.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoveView {
    /// Id.
    pub id: i64,
    /// From.
    #[schema(schema_with = PhaseCode::schema)]
    pub from: &'static str,
    /// To.
    #[schema(schema_with = PhaseCode::schema)]
    pub to: &'static str,
    /// Who (user id).
    pub actor_id: Option<i64>,
    /// Who (username).
    pub actor: String,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// Why.
    pub comment: Option<String>,
}

impl From<PhaseMove> for MoveView {
    fn from(m: PhaseMove) -> Self {
        MoveView {
            id: m.id,
            from: m.from.code(),
            to: m.to.code(),
            actor_id: m.actor_id.map(|u| u.0),
            actor: m.actor,
            at: m.at,
            comment: m.comment,
        }
    }
}

/// The moves of an assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoveList {
    /// Oldest first.
    pub items: Vec<MoveView>,
}

/// A row of the checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistItemView {
    /// Area.
    #[schema(schema_with = AreaCode::schema)]
    pub area: &'static str,
    /// Technique.
    #[schema(schema_with = TechniqueCode::schema)]
    pub technique: &'static str,
    /// Carried out.
    pub done: bool,
    /// Note.
    pub note: Option<String>,
}

impl From<ChecklistItem> for ChecklistItemView {
    fn from(c: ChecklistItem) -> Self {
        ChecklistItemView {
            area: c.area.code(),
            technique: c.technique.code(),
            done: c.done,
            note: c.note,
        }
    }
}

/// The checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct Checklist {
    /// Rows by area and technique.
    pub items: Vec<ChecklistItemView>,
}

/// A change of one checklist row (added when not planned yet).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistUpdate {
    /// Area.
    #[schema(schema_with = AreaCode::schema)]
    pub area: String,
    /// Technique.
    #[schema(schema_with = TechniqueCode::schema)]
    pub technique: String,
    /// Carried out.
    pub done: bool,
    /// Note.
    pub note: Option<String>,
}

/// A recorded committee decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalView {
    /// Who (user id).
    pub by: i64,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// Why.
    pub comment: Option<String>,
}

impl From<Approval> for ApprovalView {
    fn from(a: Approval) -> Self {
        ApprovalView {
            by: a.by.0,
            at: a.at,
            comment: a.comment,
        }
    }
}

/// A risk with its ratings.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskView {
    /// System id.
    pub id: i64,
    /// The assessment.
    pub assessment_id: i64,
    /// The asset.
    pub asset_id: i64,
    /// Its code.
    pub asset_code: String,
    /// Its name.
    pub asset_name: String,
    /// The threat.
    pub threat_id: i64,
    /// Its catalog code.
    pub threat_code: String,
    /// Its English name.
    pub threat_name_en: String,
    /// Its Chinese name.
    pub threat_name_zh: String,
    /// The vulnerability exploited.
    pub vulnerability_id: Option<i64>,
    /// How the threat would play out.
    pub description: Option<String>,
    /// T.
    pub threat_frequency: Option<u8>,
    /// V.
    pub vulnerability_severity: Option<u8>,
    /// A, from the asset when rated.
    pub asset_value_level: Option<u8>,
    /// The asset's value level now.
    pub current_asset_value_level: u8,
    /// True when the asset's value level changed since the rating.
    pub asset_value_changed: bool,
    /// Likelihood value.
    #[schema(value_type = Option<f64>)]
    pub likelihood_value: Option<serde_json::Number>,
    /// Likelihood level.
    pub likelihood_level: Option<u8>,
    /// Loss value.
    #[schema(value_type = Option<f64>)]
    pub loss_value: Option<serde_json::Number>,
    /// Loss level.
    pub loss_level: Option<u8>,
    /// Risk value.
    #[schema(value_type = Option<f64>)]
    pub risk_value: Option<serde_json::Number>,
    /// Risk level.
    pub risk_level: Option<u8>,
    /// Treatment option.
    #[schema(schema_with = TreatmentCode::schema)]
    pub treatment: Option<&'static str>,
    /// True when keeping or accepting it still needs the committee's approval.
    pub approval_needed: bool,
    /// The committee's approval.
    pub approval: Option<ApprovalView>,
    /// Residual T.
    pub residual_threat_frequency: Option<u8>,
    /// Residual V.
    pub residual_vulnerability_severity: Option<u8>,
    /// Residual likelihood value.
    #[schema(value_type = Option<f64>)]
    pub residual_likelihood_value: Option<serde_json::Number>,
    /// Residual likelihood level.
    pub residual_likelihood_level: Option<u8>,
    /// Residual loss value.
    #[schema(value_type = Option<f64>)]
    pub residual_loss_value: Option<serde_json::Number>,
    /// Residual loss level.
    pub residual_loss_level: Option<u8>,
    /// Residual risk value.
    #[schema(value_type = Option<f64>)]
    pub residual_risk_value: Option<serde_json::Number>,
    /// Residual risk level.
    pub residual_risk_level: Option<u8>,
    /// The committee's acceptance of the residual risk.
    pub residual_acceptance: Option<ApprovalView>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

fn parts(r: Option<RiskRating>) -> (Option<u8>, Option<u8>, Option<u8>, Option<Evaluation>) {
    match r {
        None => (None, None, None, None),
        Some(r) => (
            Some(r.threat_frequency.get()),
            Some(r.vulnerability_severity.get()),
            Some(r.asset_value_level.get()),
            Some(r.evaluation.into()),
        ),
    }
}

impl From<RiskViewed> for RiskView {
    fn from(v: RiskViewed) -> Self {
        let r = v.risk;
        let (t, vs, a, e) = parts(r.rating);
        let (rt, rvs, _, re) = parts(r.residual);
        RiskView {
            id: r.id.0,
            assessment_id: r.assessment_id.0,
            asset_id: r.asset_id.0,
            asset_code: v.asset_code,
            asset_name: v.asset_name,
            threat_id: r.threat_id.0,
            threat_code: v.threat_code,
            threat_name_en: v.threat_name.en,
            threat_name_zh: v.threat_name.zh,
            vulnerability_id: r.vulnerability_id.map(|x| x.0),
            description: r.description,
            threat_frequency: t,
            vulnerability_severity: vs,
            asset_value_level: a,
            current_asset_value_level: v.asset_value_level_now,
            asset_value_changed: a.is_some_and(|a| a != v.asset_value_level_now),
            likelihood_value: e.as_ref().map(|e| e.likelihood_value.clone()),
            likelihood_level: e.as_ref().map(|e| e.likelihood_level),
            loss_value: e.as_ref().map(|e| e.loss_value.clone()),
            loss_level: e.as_ref().map(|e| e.loss_level),
            risk_value: e.as_ref().map(|e| e.risk_value.clone()),
            risk_level: e.as_ref().map(|e| e.risk_level),
            treatment: r.treatment.map(Treatment::code),
            approval_needed: v.approval_needed,
            approval: r.approval.map(Into::into),
            residual_threat_frequency: rt,
            residual_vulnerability_severity: rvs,
            residual_likelihood_value: re.as_ref().map(|e| e.likelihood_value.clone()),
            residual_likelihood_level: re.as_ref().map(|e| e.likelihood_level),
            residual_loss_value: re.as_ref().map(|e| e.loss_value.clone()),
            residual_loss_level: re.as_ref().map(|e| e.loss_level),
            residual_risk_value: re.as_ref().map(|e| e.risk_value.clone()),
            residual_risk_level: re.as_ref().map(|e| e.risk_level),
            residual_acceptance: r.residual_acceptance.map(Into::into),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A page of the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskList {
    /// Highest risk first; unrated last.
    pub items: Vec<RiskView>,
    /// Cursor of the next page, `null` on the last.
    pub next_cursor: Option<String>,
}

/// A new risk.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskCreate {
    /// The asset.
    pub asset_id: i64,
    /// The threat.
    pub threat_id: i64,
    /// The vulnerability exploited (a finding of the same asset).
    pub vulnerability_id: Option<i64>,
    /// How the threat would play out.
    pub description: Option<String>,
    /// T, to rate at once.
    pub threat_frequency: Option<i64>,
    /// V, to rate at once (default: the vulnerability's severity).
    pub vulnerability_severity: Option<i64>,
}

/// A change to a risk.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskUpdate {
    /// Description.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// T.
    #[serde(default, deserialize_with = "non_null")]
    pub threat_frequency: Option<i64>,
    /// V.
    #[serde(default, deserialize_with = "non_null")]
    pub vulnerability_severity: Option<i64>,
    /// Take A from the asset again (after its value changed).
    #[serde(default)]
    pub refresh_asset_value: bool,
    /// Treatment option (`null` clears it).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = TreatmentCode::schema)]
    pub treatment: Option<Option<String>>,
    /// Residual T.
    #[serde(default, deserialize_with = "non_null")]
    pub residual_threat_frequency: Option<i64>,
    /// Residual V.
    #[serde(default, deserialize_with = "non_null")]
    pub residual_vulnerability_severity: Option<i64>,
}

/// Candidate risks for every asset × threat pair.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidatesCreate {
    /// Assets.
    pub asset_ids: Vec<i64>,
    /// Threats.
    pub threat_ids: Vec<i64>,
}

/// What a bulk creation did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidatesCreated {
    /// Risks added.
    pub added: u64,
    /// Pairs the assessment already had.
    pub existing: u64,
}

/// A committee decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionCreate {
    /// Why.
    pub comment: Option<String>,
}

/// Risk counts by likelihood level and loss level.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeatMap {
    /// `cells[l - 1][f - 1]`: risks with likelihood level l and loss level f.
    pub cells: [[u64; 5]; 5],
    /// Whether these are residual ratings.
    pub residual: bool,
}
