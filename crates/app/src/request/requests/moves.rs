//! A request's moves on the workflow engine: submitting, withdrawing, carrying out and
//! closing, and the approvers' decisions step by step along the approval chain.

use super::*;
use crate::workflow::runs;
use castellan_domain::workflow::run::RunState;

fn refusal(r: Refusal) -> crate::Error {
    crate::workflow::refusal(r, Resource::Request)
}

/// Moves a request (SPEC §6.1): submit, withdraw, carry out, close — and approve, reject or
/// return, which are decisions of the current step's approvers (see [`decide`]).
pub async fn transition(
    app: &App,
    ctx: &Ctx,
    id: i64,
    to: &str,
    comment: Option<&str>,
    version: Option<i64>,
) -> Result<RequestView> {
    let to = RequestStatus::from_code(to.trim()).map_err(|k| FieldErrors::single("to", k))?;
    match to {
        RequestStatus::Approved => {
            return decide(app, ctx, id, Decision::Approve, comment, version).await;
        }
        RequestStatus::Rejected => {
            return decide(app, ctx, id, Decision::Reject, comment, version).await;
        }
        _ => {}
    }
    let comment = clean_multiline(comment, 4000).map_err(|k| FieldErrors::single("comment", k))?;
    let mut tx = app.db().begin().await?;
    let before = load(&mut tx, ctx, id).await?;
    if let Some(v) = version {
        check_version(&before, v)?;
    }
    if before.status == RequestStatus::Submitted && to == RequestStatus::Draft {
        drop(tx);
        return decide(app, ctx, id, Decision::Return, comment.as_deref(), version).await;
    }
    let f = facts(&mut tx, &before).await?;
    let roles = ctx.principal.roles_over(f.path.as_ref());
    let caller = Caller::new(ctx.principal.user_id, &roles);
    let subject = rules::subject(before.requester_id, before.created_by, before.submitted_by);
    let m = FLOW
        .check(before.status, to, &caller, &subject, comment.as_deref())
        .map_err(refusal)?;
    let now = Timestamp::now();
    let mut r = before.clone();
    r.status = to;
    let mut key = None;
    match m.kind {
        MoveKind::Submit => {
            let mut run = r.chain_run();
            let state = runs::submit(
                &mut tx,
                &mut run,
                r.kind.chain_subject(),
                r.impact,
                ctx.principal.user_id,
                now,
                &f,
            )
            .await?;
            r.set_chain_run(run);
            match state {
                RunState::AtStep(_) => key = f.step_key(&r.chain_run()),
                RunState::Approved => r.status = RequestStatus::Approved,
            }
        }
        MoveKind::Work if to == RequestStatus::Implemented => {
            r.implemented_at = Some(now);
            r.implemented_by = Some(ctx.principal.user_id);
            r.deadline_met = r.due_at.map(|due| now <= due);
        }
        _ => {
            r.current_step = None;
        }
    }
    save(&mut tx, &r, key.as_ref()).await?;
    finish_move(&mut tx, ctx, &before, r.status, comment.as_deref(), now).await?;
    let after = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("request"))?;
    let v = view(&mut tx, ctx, after).await?;
    tx.commit().await?;
    Ok(v)
}

async fn finish_move(
    conn: &mut Conn,
    ctx: &Ctx,
    before: &Request,
    to: RequestStatus,
    comment: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let actor = ctx.actor();
    if to != before.status {
        wf::record_move(
            conn,
            PROCESS,
            before.id,
            before.status.code(),
            to.code(),
            (actor.id, actor.name),
            comment,
            now,
        )
        .await?;
    }
    audit::record(
        conn,
        &actor,
        Event::new(Verb::Transition, RequestRecord::Request, before.id)
            .before(
                &serde_json::json!({"status": before.status, "current_step": before.current_step}),
            )
            .after(&serde_json::json!({"status": to, "comment": comment})),
    )
    .await?;
    Ok(())
}

/// An approver of the current step decides (SPEC §6.0): approve (the step completes after
/// its required approvals, and the last step approves the request), reject (with a comment;
/// final) or return to the requester (with a comment). Nobody decides on what they asked
/// for, created or submitted, or twice on the same step.
pub async fn decide(
    app: &App,
    ctx: &Ctx,
    id: i64,
    decision: Decision,
    comment: Option<&str>,
    version: Option<i64>,
) -> Result<RequestView> {
    if decision == Decision::Close {
        return Err(FieldErrors::single(
            "decision",
            FieldErrorKind::UnknownValue {
                allowed: vec!["approve", "reject", "return"],
            },
        )
        .into());
    }
    let comment = clean_multiline(comment, 4000).map_err(|k| FieldErrors::single("comment", k))?;
    let mut tx = app.db().begin().await?;
    let before = load(&mut tx, ctx, id).await?;
    if let Some(v) = version {
        check_version(&before, v)?;
    }
    if before.status != RequestStatus::Submitted {
        return Err(KernelConflict::PhaseMove.into());
    }
    let f = facts(&mut tx, &before).await?;
    let run = before.chain_run();
    let turn = runs::turn(&mut tx, ctx, PROCESS, id, &run, &f).await?;
    let roles = ctx.principal.roles_over(f.path.as_ref());
    let caller = Caller {
        user: ctx.principal.user_id,
        roles: &roles,
        step_approver: turn.named,
    };
    let subject = rules::subject(before.requester_id, before.created_by, before.submitted_by);
    let target = match decision {
        Decision::Approve => RequestStatus::Approved,
        Decision::Reject => RequestStatus::Rejected,
        _ => RequestStatus::Draft,
    };
    FLOW.check(before.status, target, &caller, &subject, comment.as_deref())
        .map_err(refusal)?;
    let now = Timestamp::now();
    let actor = ctx.actor();
    let mut run = run;
    let state = runs::decide(
        &mut tx,
        PROCESS,
        id,
        &mut run,
        &turn,
        decision,
        &actor,
        comment.as_deref(),
        now,
        &f,
    )
    .await?;
    let mut r = before.clone();
    let mut key = None;
    r.status = match (decision, state) {
        (_, Some(RunState::AtStep(_))) => {
            key = f.step_key(&run);
            RequestStatus::Submitted
        }
        (_, Some(RunState::Approved)) => RequestStatus::Approved,
        (Decision::Reject, None) => RequestStatus::Rejected,
        _ => RequestStatus::Draft,
    };
    r.set_chain_run(run);
    save(&mut tx, &r, key.as_ref()).await?;
    audit::record(
        &mut tx,
        &actor,
        Event::new(Verb::Decide, RequestRecord::Request, id).after(&serde_json::json!({
            "step": turn.step.name, "decision": decision, "comment": comment,
        })),
    )
    .await?;
    if r.status != before.status {
        finish_move(&mut tx, ctx, &before, r.status, comment.as_deref(), now).await?;
    }
    let after = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("request"))?;
    let v = view(&mut tx, ctx, after).await?;
    tx.commit().await?;
    Ok(v)
}
