//! Items on their approval chains, for every process that submits items for approval: the
//! submission (which chain, which first step), the caller's turn on the current step, and
//! the recording of a decision with what it does to the item's [`ChainRun`]. The area keeps
//! its own states and asks the engine (`FLOW.check`) between [`turn`] and [`decide`].

use crate::Ctx;
use crate::audit::Actor;
use crate::error::Result;
use castellan_domain::Timestamp;
use castellan_domain::error::KernelConflict;
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::permission::DepartmentPath;
use castellan_domain::workflow::Decision;
use castellan_domain::workflow::chain::{self, Impact, ItemOrigin, Step};
use castellan_domain::workflow::run::{ChainPick, ChainRun, RunState};
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
