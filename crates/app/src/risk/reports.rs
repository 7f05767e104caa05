//! What the assessment reports (SPEC §4.5) are made of: one read of everything an
//! assessment's reports show — scope, method and tables, assets with their values, threats,
//! vulnerabilities, existing controls, the risk register, the treatment plan and the
//! approvals. The web crate lays it out as HTML, XLSX or DOCX in the reader's language.

use crate::asset::assets::OwnerRef;
use crate::error::Result;
use crate::risk::assessments::load;
use crate::risk::risks::{self as risk_service, RiskView};
use crate::risk::treatment::{self, TreatmentView};
use crate::{App, Ctx};
use castellan_domain::asset::register::Asset;
use castellan_domain::ids::{AssessmentId, AssetId, ThreatId};
use castellan_domain::risk::register::{Assessment, Control, PhaseMove, Threat, Vulnerability};
use castellan_domain::{Timestamp, UserId};
use castellan_store::risk::findings::{self, ControlFilter};
use castellan_store::{
    asset::assets, org::departments, org::users, risk::assessments, risk::threats,
};
use std::collections::{BTreeSet, HashMap};

/// The three reports of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// The risk assessment report: scope, method, assets, threats, vulnerabilities, the
    /// register and the heat map.
    Assessment,
    /// The risk treatment plan: option, measures, responsibilities and due dates per risk.
    TreatmentPlan,
    /// The residual risk report: residual ratings and acceptances.
    Residual,
}

impl ReportKind {
    /// Parses the path segment (`assessment`, `treatment-plan`, `residual`).
    pub fn from_code(code: &str) -> Option<ReportKind> {
        match code {
            "assessment" => Some(ReportKind::Assessment),
            "treatment-plan" => Some(ReportKind::TreatmentPlan),
            "residual" => Some(ReportKind::Residual),
            _ => None,
        }
    }

    /// The path segment.
    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Assessment => "assessment",
            ReportKind::TreatmentPlan => "treatment-plan",
            ReportKind::Residual => "residual",
        }
    }
}

/// Everything a report shows.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// The assessment.
    pub assessment: Assessment,
    /// When the data was read.
    pub generated_at: Timestamp,
    /// People named anywhere (team, movers, approvers, responsible persons).
    pub people: HashMap<UserId, OwnerRef>,
    /// Department names by id (scope, owners, responsible departments).
    pub department_names: HashMap<i64, String>,
    /// The assets in scope or named by a risk, by code.
    pub assets: Vec<Asset>,
    /// The threats the risks name, by code.
    pub threats: Vec<Threat>,
    /// The findings of those assets.
    pub vulnerabilities: Vec<Vulnerability>,
    /// Existing controls of those assets and the organization-wide ones.
    pub controls: Vec<Control>,
    /// The register, highest risk first.
    pub risks: Vec<RiskView>,
    /// The treatment plan.
    pub plan: Vec<TreatmentView>,
    /// The workflow moves, oldest first.
    pub moves: Vec<PhaseMove>,
}

impl ReportData {
    /// The name shown for a user.
    pub fn person(&self, id: UserId) -> String {
        self.people
            .get(&id)
            .map_or_else(|| format!("#{id}"), |p| p.display_name.clone())
    }

    /// Risk counts by (likelihood level, loss level), residual ratings when `residual`.
    pub fn heat_map(&self, residual: bool) -> [[u64; 5]; 5] {
        let mut cells = [[0_u64; 5]; 5];
        for r in &self.risks {
            let rating = if residual {
                r.risk.residual
            } else {
                r.risk.rating
            };
            if let Some(e) = rating.map(|x| x.evaluation) {
                let l = usize::from(e.likelihood_level.get()).saturating_sub(1);
                let f = usize::from(e.loss_level.get()).saturating_sub(1);
                if let Some(c) = cells.get_mut(l).and_then(|row| row.get_mut(f)) {
                    *c += 1;
                }
            }
        }
        cells
    }
}

/// Reads everything the reports of assessment `id` show, for anyone who may read it.
pub async fn data(app: &App, ctx: &Ctx, id: AssessmentId) -> Result<ReportData> {
    let risks = risk_service::all(app, ctx, id).await?;
    let plan = treatment::list(app, ctx, id).await?;
    let mut conn = app.db().read().await?;
    let assessment = load(&mut conn, ctx, id).await?;
    let moves = assessments::moves(&mut conn, id).await?;

    let mut asset_ids: BTreeSet<AssetId> = assessment.asset_ids.iter().copied().collect();
    asset_ids.extend(risks.iter().map(|r| r.risk.asset_id));
    let asset_ids: Vec<AssetId> = asset_ids.into_iter().collect();
    let mut asset_list = assets::get_many(&mut conn, &asset_ids).await?;
    asset_list.sort_by(|a, b| a.code.cmp(&b.code));

    let threat_ids: BTreeSet<ThreatId> = risks.iter().map(|r| r.risk.threat_id).collect();
    let mut threat_list = Vec::with_capacity(threat_ids.len());
    for t in threat_ids {
        if let Some(t) = threats::get(&mut conn, t).await? {
            threat_list.push(t);
        }
    }
    threat_list.sort_by(|a, b| a.code.cmp(&b.code));

    let mut vulnerabilities = Vec::new();
    for chunk in asset_ids.chunks(500) {
        vulnerabilities.extend(findings::of_assets(&mut conn, chunk).await?);
    }
    let mut controls = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) =
            findings::list_controls(&mut conn, &ControlFilter::default(), cursor.as_ref(), 200)
                .await?;
        controls.extend(page.into_iter().filter(|c| {
            c.asset_id
                .is_none_or(|a| asset_ids.binary_search(&a).is_ok())
        }));
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }

    let mut people_ids: BTreeSet<UserId> = assessment.team.iter().copied().collect();
    people_ids.extend(assessment.created_by);
    people_ids.extend(moves.iter().filter_map(|m| m.actor_id));
    for r in &risks {
        people_ids.extend(r.risk.approval.as_ref().map(|a| a.by));
        people_ids.extend(r.risk.residual_acceptance.as_ref().map(|a| a.by));
    }
    people_ids.extend(plan.iter().filter_map(|p| p.item.responsible_id));
    people_ids.extend(asset_list.iter().filter_map(|a| a.owner_id));
    let mut people = HashMap::new();
    for u in people_ids {
        if let Some(user) = users::get(&mut conn, u).await? {
            people.insert(
                u,
                OwnerRef {
                    id: user.id,
                    username: user.username,
                    display_name: user.display_name,
                },
            );
        }
    }
    let department_names = departments::all(&mut conn, 100_000)
        .await?
        .into_iter()
        .map(|d| (d.id.0, d.name))
        .collect();
    Ok(ReportData {
        assessment,
        generated_at: Timestamp::now(),
        people,
        department_names,
        assets: asset_list,
        threats: threat_list,
        vulnerabilities,
        controls,
        risks,
        plan,
        moves,
    })
}
