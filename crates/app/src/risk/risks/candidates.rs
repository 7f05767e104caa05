//! Candidate risks: every pair of chosen assets and threats added unrated at once.

use super::*;

/// What a bulk creation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidates {
    /// Risks added.
    pub added: u64,
    /// Combinations the assessment already had.
    pub existing: u64,
}

/// Adds an unrated candidate risk for every pair of the given assets and threats (those
/// the assessment already has are skipped). At most 100,000 pairs at once.
pub async fn create_candidates(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    asset_ids: &[i64],
    threat_ids: &[i64],
) -> Result<Candidates> {
    let mut errors = FieldErrors::new();
    if asset_ids.is_empty() {
        errors.add("asset_ids", FieldErrorKind::Required);
    }
    if threat_ids.is_empty() {
        errors.add("threat_ids", FieldErrorKind::Required);
    }
    let pairs = asset_ids.len().saturating_mul(threat_ids.len());
    if pairs > 100_000 {
        errors.add(
            "asset_ids",
            FieldErrorKind::invalid(
                "at most 100000 asset × threat pairs at once",
                "一次最多 100000 个资产×威胁组合",
            ),
        );
    }
    errors.into_result()?;
    let mut errors = FieldErrors::new();
    let mut tx = app.db().begin().await?;
    let a = load(&mut tx, ctx, assessment).await?;
    ensure_may(ctx, &a, Work::Risks)?;
    let mut assets: Vec<AssetId> = asset_ids.iter().copied().map(AssetId).collect();
    assets.sort();
    assets.dedup();
    let found = asset_store::get_many(&mut tx, &assets).await?;
    for (i, id) in asset_ids.iter().enumerate() {
        if !found.iter().any(|x| x.id.0 == *id) {
            errors.add(format!("asset_ids[{i}]"), FieldErrorKind::NoSuchRecord);
        }
    }
    let mut threat_list: Vec<ThreatId> = threat_ids.iter().copied().map(ThreatId).collect();
    threat_list.sort();
    threat_list.dedup();
    for (i, id) in threat_ids.iter().enumerate() {
        match threats::get(&mut tx, ThreatId(*id)).await? {
            Some(t) if t.active => {}
            Some(_) => errors.add(
                format!("threat_ids[{i}]"),
                FieldErrorKind::invalid(
                    "the threat is retired from the catalog",
                    "该威胁已从威胁库中停用",
                ),
            ),
            None => errors.add(format!("threat_ids[{i}]"), FieldErrorKind::NoSuchRecord),
        }
    }
    errors.into_result()?;
    let new: Vec<NewRisk<'_>> = assets
        .iter()
        .flat_map(|asset| {
            threat_list.iter().map(move |threat| NewRisk {
                assessment_id: a.id,
                asset_id: *asset,
                threat_id: *threat,
                vulnerability_id: None,
                description: None,
                rating: None,
            })
        })
        .collect();
    let now = Timestamp::now();
    let added = store::insert_candidates(&mut tx, &new, now).await?;
    let result = Candidates {
        added,
        existing: new.len() as u64 - added,
    };
    castellan_store::risk::assessments::touch(&mut tx, a.id, now).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::risk::audit::RiskAction::CreateCandidates,
            castellan_domain::risk::audit::RiskRecord::Assessment,
            a.id,
        )
        .after(&serde_json::json!({
            "assets": assets.len(),
            "threats": threat_list.len(),
            "added": result.added,
            "existing": result.existing,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(result)
}
