//! Items on their approval chains, for every process that submits items for approval: the
//! submission (which chain, which first step), the caller's turn on the current step, and
//! the recording of a decision with what it does to the item's [`ChainRun`]. The area keeps
//! its own states and asks the engine (`FLOW.check`) between [`turn`] and [`decide`].

use crate::Ctx;
use crate::audit::{self, Actor, Event};
use crate::error::Result;
use castellan_domain::audit::{AuditCode, Verb};
use castellan_domain::error::KernelConflict;
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::permission::DepartmentPath;
use castellan_domain::workflow::Decision;
use castellan_domain::workflow::MoveKind;
use castellan_domain::workflow::chain::{self, Impact, ItemOrigin, Step};
use castellan_domain::workflow::run::{ChainPick, ChainRun, RunState};
use castellan_domain::{Action, DomainError, Resource, Timestamp};
use castellan_store::Conn;
use castellan_store::org::departments;
use castellan_store::workflow::{self as store, NewApproval, StepKeyRow};

/// Where an item comes from, as its chain needs it: its department's path and the head who
/// approves a `department_head` step (the nearest head above the department, never the
/// requester themself).
#[derive(Debug, Clone, Default)]
pub(crate) struct Origin {
    /// The department's path (`None`: the item has no department).
    pub path: Option<DepartmentPath>,
    /// The department head who approves.
    pub head: Option<UserId>,
}

impl Origin {
    /// Looks up the department's path and head.
    pub async fn of(
        conn: &mut Conn,
        department: Option<DepartmentId>,
        requester: Option<UserId>,
    ) -> Result<Origin> {
        let Some(d) = department else {
            return Ok(Origin::default());
        };
        let path = departments::get(conn, d).await?.map(|d| d.path);
        let head = match &path {
            Some(p) => departments::head_of(conn, p, requester).await?,
            None => None,
        };
        Ok(Origin { path, head })
    }

    fn with<T>(&self, f: impl FnOnce(&ItemOrigin<'_>) -> T) -> T {
        let path = self.path.clone().unwrap_or_default();
        f(&ItemOrigin {
            department: &path,
            department_head: self.head,
        })
    }

    /// Whether `ctx`'s caller approves `step` of an item from here.
    pub fn names(&self, ctx: &Ctx, step: &Step) -> bool {
        self.with(|o| {
            chain::is_step_approver(step, ctx.principal.user_id, &ctx.principal.grants, o)
        })
    }

    /// The stored key of the run's current step ("waiting for me" finds items by it).
    pub fn step_key(&self, run: &ChainRun) -> Option<StepKeyRow> {
        let step = run.step()?;
        let key = self.with(|o| chain::step_key(step, o));
        Some(StepKeyRow::new(&key, self.path.as_ref().map(|p| p.to_db())))
    }
}

/// Submits an item: a new round on the chain that applies to `subject` items of `impact`
/// (409 `no_chain` when none does).
pub(crate) async fn submit(
    conn: &mut Conn,
    run: &mut ChainRun,
    subject: &str,
    impact: Impact,
    by: UserId,
    now: Timestamp,
    origin: &Origin,
) -> Result<RunState> {
    let row = store::chain_for(conn, subject, impact)
        .await?
        .ok_or(KernelConflict::NoChain)?;
    Ok(run.submit(
        ChainPick {
            id: row.id,
            version: row.version,
            steps: &row.steps,
        },
        by,
        now,
        origin.head,
    ))
}

/// The caller's turn on an item's current step.
#[derive(Debug, Clone)]
pub(crate) struct Turn {
    /// The step's index.
    pub index: usize,
    /// The step.
    pub step: Step,
    /// Whether the caller is one of its approvers (the engine's `Who::Approver`).
    pub named: bool,
}

/// The caller's turn on the current step of `process` item `id`: 409 `phase_move` when no
/// step waits, 409 `already_decided` when the caller, one of its approvers, decided on it in
/// this round.
pub(crate) async fn turn(
    conn: &mut Conn,
    ctx: &Ctx,
    process: &str,
    id: i64,
    run: &ChainRun,
    origin: &Origin,
) -> Result<Turn> {
    let (Some(index), Some(step)) = (run.step_index(), run.step().cloned()) else {
        return Err(KernelConflict::PhaseMove.into());
    };
    let named = origin.names(ctx, &step);
    if named {
        let already = store::approvals(conn, process, id)
            .await?
            .into_iter()
            .any(|a| {
                a.round == run.round
                    && a.step == index as i64
                    && a.approver_id == Some(ctx.principal.user_id)
            });
        if already {
            return Err(KernelConflict::AlreadyDecided.into());
        }
    }
    Ok(Turn { index, step, named })
}

/// Records a decision the engine allowed and moves the run: an approval completes the step
/// after its required approvals (`Some(state)`: the same step, the next, or approved); a
/// rejection or a return ends the round (`None`).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn decide(
    conn: &mut Conn,
    process: &str,
    id: i64,
    run: &mut ChainRun,
    turn: &Turn,
    decision: Decision,
    actor: &Actor<'_>,
    comment: Option<&str>,
    now: Timestamp,
    origin: &Origin,
) -> Result<Option<RunState>> {
    let recorded = store::record_approval(
        conn,
        &NewApproval {
            process,
            item_id: id,
            round: run.round,
            step: turn.index as i64,
            step_name: &turn.step.name,
            approver: (actor.id, actor.name),
            decision,
            comment,
            at: now,
        },
    )
    .await?;
    if !recorded {
        return Err(KernelConflict::AlreadyDecided.into());
    }
    if decision != Decision::Approve {
        run.stop();
        return Ok(None);
    }
    let n = store::approvals_on_step(conn, process, id, run.round, turn.index as i64).await?;
    Ok(Some(run.approve(
        u32::try_from(n).unwrap_or(u32::MAX),
        origin.head,
    )))
}

/// An item moving on its chain, as [`advance`] needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<R: AuditCode> {
    /// The process (its approvals are recorded under it).
    pub process: &'static str,
    /// What its chains apply to (`applies_to`).
    pub chain_subject: &'static str,
    /// Its id.
    pub id: i64,
    /// The impact that picks its chain.
    pub impact: Impact,
    /// Its kind of record in the audit trail.
    pub record: R,
    /// Its resource, for a refusal.
    pub resource: Resource,
}

/// Where a submission or a decision left an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// At a step of its chain, waiting for its approvers.
    AtStep,
    /// Through its chain: approved.
    Approved,
    /// Returned (or rejected): the round is over.
    Stopped,
}

/// What [`advance`] did.
#[derive(Debug, Clone)]
pub(crate) struct Advanced {
    /// Where the item is now.
    pub outcome: Outcome,
    /// Who approves its current step now (store it with the item).
    pub key: Option<StepKeyRow>,
    /// The decision recorded, if the move was one.
    pub decision: Option<Decision>,
}

/// Carries out a move the engine allowed on an item with a chain: a `Submit` starts a new
/// round; an `Approve`, `Return` or `Reject` by the approver of the current step (`turn`)
/// records the decision, with its audit entry, and moves the run. Any other kind of move is
/// the area's own (403 here).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn advance<R: AuditCode>(
    conn: &mut Conn,
    ctx: &Ctx,
    item: Item<R>,
    run: &mut ChainRun,
    kind: MoveKind,
    turn: Option<&Turn>,
    comment: Option<&str>,
    now: Timestamp,
    origin: &Origin,
) -> Result<Advanced> {
    let at = |run: &ChainRun, state: Option<RunState>| match state {
        Some(RunState::AtStep(_)) => (Outcome::AtStep, origin.step_key(run)),
        Some(RunState::Approved) => (Outcome::Approved, None),
        None => (Outcome::Stopped, None),
    };
    let decision = match (kind, turn) {
        (MoveKind::Submit, _) => {
            let state = submit(
                conn,
                run,
                item.chain_subject,
                item.impact,
                ctx.principal.user_id,
                now,
                origin,
            )
            .await?;
            let (outcome, key) = at(run, Some(state));
            return Ok(Advanced {
                outcome,
                key,
                decision: None,
            });
        }
        (MoveKind::Approve, Some(_)) => Decision::Approve,
        (MoveKind::Return, Some(_)) => Decision::Return,
        (MoveKind::Reject, Some(_)) => Decision::Reject,
        _ => {
            return Err(DomainError::Forbidden {
                resource: item.resource,
                action: Action::Update,
            }
            .into());
        }
    };
    let Some(turn) = turn else {
        return Err(KernelConflict::PhaseMove.into());
    };
    let actor = ctx.actor();
    let state = decide(
        conn,
        item.process,
        item.id,
        run,
        turn,
        decision,
        &actor,
        comment,
        now,
        origin,
    )
    .await?;
    audit::record(
        conn,
        &actor,
        Event::new(Verb::Decide, item.record, item.id).after(&serde_json::json!({
            "step": turn.step.name, "decision": decision, "comment": comment,
        })),
    )
    .await?;
    let (outcome, key) = at(run, state);
    Ok(Advanced {
        outcome,
        key,
        decision: Some(decision),
    })
}
