//! A request's moves on the workflow engine: submitting, withdrawing, carrying out and
//! closing, and the approvers' decisions step by step along the approval chain.

use super::*;

fn refusal(r: Refusal) -> crate::Error {
    crate::workflow::refusal(r, Resource::Request)
}

/// The first step from `from` that has an approver: a `department_head` step is skipped
/// when neither the requester's department nor any above it names a head.
fn first_open_step(steps: &[chain::Step], from: usize, head: Option<UserId>) -> Option<usize> {
    steps
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, s)| s.approver_role != StepRole::DepartmentHead || head.is_some())
        .map(|(i, _)| i)
}

fn key_for(r: &Request, f: &Facts) -> Option<StepKeyRow> {
    let step = r.step()?;
    let (path, head) = origin_of(f);
    let origin = ItemOrigin {
        department: &path,
        department_head: head,
    };
    let key = chain::step_key(step, &origin);
    Some(StepKeyRow::new(&key, f.path.as_ref().map(|p| p.to_db())))
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
            let chain_row = wf::chain_for(&mut tx, r.kind.chain_subject(), r.impact)
                .await?
                .ok_or(KernelConflict::NoChain)?;
            r.chain_id = Some(chain_row.id);
            r.chain_version = Some(chain_row.version);
            r.steps = chain_row.steps;
            r.round += 1;
            r.submitted_by = Some(ctx.principal.user_id);
            r.submitted_at = Some(now);
            match first_open_step(&r.steps, 0, f.head) {
                Some(i) => {
                    r.current_step = Some(i as i64);
                    key = key_for(&r, &f);
                }
                None => {
                    r.current_step = None;
                    r.status = RequestStatus::Approved;
                }
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
    let (path, head) = origin_of(&f);
    let origin = ItemOrigin {
        department: &path,
        department_head: head,
    };
    let step_index = before.current_step.unwrap_or(0);
    let Some(step) = before.step().cloned() else {
        return Err(KernelConflict::PhaseMove.into());
    };
    let named =
        chain::is_step_approver(&step, ctx.principal.user_id, &ctx.principal.grants, &origin);
    let already = wf::approvals(&mut tx, PROCESS, id)
        .await?
        .into_iter()
        .any(|a| {
            a.round == before.round
                && a.step == step_index
                && a.approver_id == Some(ctx.principal.user_id)
        });
    if named && already {
        return Err(KernelConflict::AlreadyDecided.into());
    }
    let roles = ctx.principal.roles_over(f.path.as_ref());
    let caller = Caller {
        user: ctx.principal.user_id,
        roles: &roles,
        step_approver: named,
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
    if !wf::record_approval(
        &mut tx,
        &NewApproval {
            process: PROCESS,
            item_id: id,
            round: before.round,
            step: step_index,
            step_name: &step.name,
            approver: (actor.id, actor.name),
            decision,
            comment: comment.as_deref(),
            at: now,
        },
    )
    .await?
    {
        return Err(KernelConflict::AlreadyDecided.into());
    }
    let mut r = before.clone();
    let mut key = None;
    match decision {
        Decision::Approve => {
            let n = wf::approvals_on_step(&mut tx, PROCESS, id, before.round, step_index).await?;
            let idx = usize::try_from(step_index).unwrap_or(0);
            match chain::progress(&r.steps, idx, u32::try_from(n).unwrap_or(u32::MAX)) {
                Progress::SameStep => key = key_for(&r, &f),
                Progress::NextStep(next) => match first_open_step(&r.steps, next, f.head) {
                    Some(i) => {
                        r.current_step = Some(i as i64);
                        key = key_for(&r, &f);
                    }
                    None => {
                        r.current_step = None;
                        r.status = RequestStatus::Approved;
                    }
                },
                Progress::Approved => {
                    r.current_step = None;
                    r.status = RequestStatus::Approved;
                }
            }
        }
        Decision::Reject => {
            r.status = RequestStatus::Rejected;
            r.current_step = None;
        }
        _ => {
            r.status = RequestStatus::Draft;
            r.current_step = None;
        }
    }
    save(&mut tx, &r, key.as_ref()).await?;
    audit::record(
        &mut tx,
        &actor,
        Event::new(Verb::Decide, RequestRecord::Request, id).after(&serde_json::json!({
            "step": step.name, "decision": decision, "comment": comment,
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
