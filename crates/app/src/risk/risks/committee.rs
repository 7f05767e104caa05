//! The committee's decisions on risks: keeping or accepting a risk at or above the
//! acceptance threshold, and accepting a residual risk.

use super::*;

/// Which decision a committee member records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Approval of keeping or accepting a risk at or above the threshold.
    Treatment,
    /// Acceptance of a residual risk at or above the threshold.
    Residual,
}

/// A committee member approves keeping or accepting a risk at or above the threshold, or
/// accepts a residual risk. Nobody on the assessment's team, nor its creator, may; a
/// decision once recorded is not recorded again.
pub async fn decide(
    app: &App,
    ctx: &Ctx,
    assessment: AssessmentId,
    id: RiskId,
    decision: Decision,
    comment: Option<&str>,
    version: i64,
) -> Result<RiskView> {
    let mut tx = app.db().begin().await?;
    let (before, a) = load_risk(&mut tx, ctx, assessment, id).await?;
    ensure_may(ctx, &a, Work::Acceptance)?;
    let roles = global_roles(ctx);
    let me = ctx.principal.user_id;
    castellan_domain::risk::assessment::check_committee_decision(
        &crate::risk::assessments::caller(ctx, &roles),
        &crate::risk::assessments::authors(&a),
    )
    .map_err(crate::risk::assessments::refusal)?;
    check_version(&before, version)?;
    let comment = FieldErrors::new().check("comment", clean_multiline(comment, 4000));
    let Some(comment) = comment else {
        return Err(FieldErrors::single("comment", FieldErrorKind::TooLong { max: 4000 }).into());
    };
    let approval = Approval {
        by: me,
        at: Timestamp::now(),
        comment,
    };
    let mut r = before.clone();
    let threshold = a.acceptance_threshold;
    match decision {
        Decision::Treatment => {
            let (Some(t), Some(level)) = (r.treatment, r.level()) else {
                return Err(RiskConflict::ApprovalNotNeeded.into());
            };
            if !needs_committee_approval(t, level, threshold) {
                return Err(RiskConflict::ApprovalNotNeeded.into());
            }
            if r.approval.is_some() {
                return Err(KernelConflict::AlreadyDecided.into());
            }
            r.approval = Some(approval);
        }
        Decision::Residual => {
            if r.residual_level().is_none_or(|l| l < threshold) {
                return Err(RiskConflict::ApprovalNotNeeded.into());
            }
            if r.residual_acceptance.is_some() {
                return Err(KernelConflict::AlreadyDecided.into());
            }
            r.residual_acceptance = Some(approval);
        }
    }
    let now = Timestamp::now();
    let after = store::save(&mut tx, &r, now)
        .await?
        .ok_or(DomainError::StaleVersion {
            current: before.version,
        })?;
    castellan_store::risk::assessments::touch(&mut tx, a.id, now).await?;
    let actor = ctx.actor();
    let (step, step_name) = match decision {
        Decision::Treatment => (0, "treatment_acceptance"),
        Decision::Residual => (1, "residual_acceptance"),
    };
    if !castellan_store::workflow::record_approval(
        &mut tx,
        &castellan_store::workflow::NewApproval {
            process: "risk",
            item_id: id.0,
            round: 1,
            step,
            step_name,
            approver: (actor.id, actor.name),
            decision: castellan_domain::workflow::Decision::Approve,
            comment: after_comment(&after, decision),
            at: now,
        },
    )
    .await?
    {
        return Err(KernelConflict::AlreadyDecided.into());
    }
    let action = match decision {
        Decision::Treatment => castellan_domain::risk::audit::RiskAction::Approve,
        Decision::Residual => castellan_domain::risk::audit::RiskAction::AcceptResidual,
    };
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(action, castellan_domain::risk::audit::RiskRecord::Risk, id)
            .before(&snapshot(&before))
            .after(&snapshot(&after)),
    )
    .await?;
    let v = one_view(&mut tx, &a, after).await?;
    tx.commit().await?;
    Ok(v)
}

fn after_comment(r: &castellan_domain::risk::register::Risk, decision: Decision) -> Option<&str> {
    match decision {
        Decision::Treatment => r.approval.as_ref(),
        Decision::Residual => r.residual_acceptance.as_ref(),
    }
    .and_then(|a| a.comment.as_deref())
}
