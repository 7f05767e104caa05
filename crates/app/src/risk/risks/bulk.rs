//! One treatment option or residual rating applied to many risks at once, all or none.

use super::*;

/// The most risks one bulk change touches.
pub const BULK_MAX: usize = 1_000;

/// Applies the same change — a treatment option, or a residual rating — to several risks of
/// an assessment at once, all or none (SPEC §4.3, §4.4: a treatment plan and residual
/// ratings are often the same for a group of risks). Only the treatment and the residual
/// rating may be changed this way, each in its phases, by the assessment's team. Returns how
/// many risks changed.
pub async fn bulk_update(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    ids: &[i64],
    patch: &RiskPatch,
) -> Result<usize> {
    let mut errors = FieldErrors::new();
    if ids.is_empty() {
        errors.add("risk_ids", FieldErrorKind::Required);
    } else if ids.len() > BULK_MAX {
        errors.add(
            "risk_ids",
            FieldErrorKind::OutOfRange {
                min: 1,
                max: BULK_MAX as i64,
            },
        );
    }
    if patch.description.is_some()
        || patch.threat_frequency.is_some()
        || patch.vulnerability_severity.is_some()
        || patch.refresh_asset_value
    {
        errors.add(
            "patch",
            FieldErrorKind::invalid(
                "only the treatment and the residual rating change in bulk",
                "批量修改只能设置处置方式和残余风险评价",
            ),
        );
    }
    errors.into_result()?;
    let mut tx = app.db().begin().await?;
    let a = load(&mut tx, ctx, assessment).await?;
    if patch.treatment.is_some() {
        ensure_may(ctx, &a, Work::Treatment)?;
    }
    if patch.residual_threat_frequency.is_some() || patch.residual_vulnerability_severity.is_some()
    {
        ensure_may(ctx, &a, Work::Residual)?;
    }
    let mut changed = 0;
    let mut seen = std::collections::HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        if !seen.insert(*id) {
            return Err(
                FieldErrors::single(format!("risk_ids[{i}]"), FieldErrorKind::Duplicate).into(),
            );
        }
        let (before, _) = load_risk(&mut tx, ctx, assessment, RiskId(*id)).await?;
        let after = apply(&mut tx, ctx, &a, &before, patch).await?;
        if after != before {
            changed += 1;
        }
    }
    tx.commit().await?;
    Ok(changed)
}
