//! Follow-up risks proposed from an incident into an open assessment.

use super::*;

/// What a follow-up risk is about.
#[derive(Debug, Clone, Default)]
pub struct FollowUp {
    /// The open assessment it goes into.
    pub assessment_id: i64,
    /// One of the incident's affected assets.
    pub asset_id: i64,
    /// The threat, by its catalog code (`T014`).
    pub threat_code: String,
}

/// Proposes a follow-up risk from an incident (SPEC §5): an unrated risk of one of its
/// affected assets under the named threat, in an open assessment whose team the caller is
/// on (the assessment's own rules decide: `risk::risks::create`). The risk's description
/// names the incident, and the incident's timeline records the proposal.
pub async fn propose_risk(
    app: &App,
    ctx: &Ctx,
    id: i64,
    follow_up: &FollowUp,
) -> Result<crate::risk::risks::RiskView> {
    let incident = {
        let mut conn = app.db().read().await?;
        let i = load(&mut conn, ctx, id).await?;
        let mut errors = FieldErrors::new();
        if !i.affected_asset_ids.contains(&AssetId(follow_up.asset_id)) {
            errors.add("asset_id", FieldErrorKind::NoSuchRecord);
        }
        let threat =
            castellan_store::risk::threats::find_by_code(&mut conn, follow_up.threat_code.trim())
                .await?;
        if threat.is_none() {
            errors.add("threat_code", FieldErrorKind::NoSuchRecord);
        }
        errors.into_result()?;
        let Some(threat) = threat else {
            return Err(FieldErrors::single("threat_code", FieldErrorKind::NoSuchRecord).into());
        };
        (i, threat)
    };
    let (i, threat) = incident;
    let input = crate::risk::risks::RiskInput {
        asset_id: follow_up.asset_id,
        threat_id: threat.id.0,
        description: Some(format!("{} · {}", i.code, i.title)),
        ..crate::risk::risks::RiskInput::default()
    };
    let risk = crate::risk::risks::create(
        app,
        ctx,
        castellan_domain::ids::AssessmentId(follow_up.assessment_id),
        &input,
    )
    .await?;
    // The timeline keeps the trace (a proposal after closing is still recorded there).
    let mut tx = app.db().begin().await?;
    let actor = ctx.actor();
    let note = format!(
        "→ RA-{} · {} · {}",
        follow_up.assessment_id, risk.asset_code, threat.code
    );
    let now = Timestamp::now();
    store::add_entry(&mut tx, id, now, &note, (actor.id, actor.name), now).await?;
    audit::record(
        &mut tx,
        &actor,
        Event::new(IncidentAction::TimelineEntry, IncidentRecord::Incident, id)
            .after(&serde_json::json!({"at": now, "note": note})),
    )
    .await?;
    tx.commit().await?;
    Ok(risk)
}
