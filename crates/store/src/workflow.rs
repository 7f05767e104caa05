//! The workflow engine's storage, shared by every process: the moves and approvals of every
//! item (keyed by process code and item id), approval chains, the working-day calendar and
//! per-year code counters.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, corrupt, ts};
use crate::sql::Sql;
use castellan_domain::ids::UserId;
use castellan_domain::workflow::calendar::{CalendarDay, DayKind};
use castellan_domain::workflow::chain::{Impact, Step, StepKey};
use castellan_domain::workflow::run::ChainRun;
use castellan_domain::workflow::{Approval, Decision, MoveRecord};
use castellan_domain::{Day, Role, Timestamp};

/// Records a move.
#[allow(clippy::too_many_arguments)]
pub async fn record_move(
    conn: &mut Conn,
    process: &str,
    item_id: i64,
    from: &str,
    to: &str,
    actor: (Option<UserId>, &str),
    comment: Option<&str>,
    at: Timestamp,
) -> Result<(), DbError> {
    let mut q = Sql::new(
        "INSERT INTO workflow_moves (process, item_id, from_state, to_state, actor_id, actor, at, comment) VALUES (",
    );
    q.bind(process.to_owned())
        .push(", ")
        .bind(item_id)
        .push(", ")
        .bind(from.to_owned())
        .push(", ")
        .bind(to.to_owned())
        .push(", ")
        .bind(actor.0.map(|u| u.0))
        .push(", ")
        .bind(actor.1.to_owned())
        .push(", ")
        .bind(at.to_db())
        .push(", ")
        .bind(comment.map(str::to_owned))
        .push(")");
    q.execute(conn).await?;
    Ok(())
}

/// The moves of an item, oldest first.
pub async fn moves(
    conn: &mut Conn,
    process: &str,
    item_id: i64,
) -> Result<Vec<MoveRecord>, DbError> {
    let mut q = Sql::new(
        "SELECT id, from_state, to_state, actor_id, actor, at, comment FROM workflow_moves WHERE process = ",
    );
    q.bind(process.to_owned())
        .push(" AND item_id = ")
        .bind(item_id)
        .push(" ORDER BY id");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut row| {
            Ok(MoveRecord {
                id: row.try_get("id")?,
                from: row.take("from_state")?,
                to: row.take("to_state")?,
                actor_id: row.try_get::<Option<i64>, _>("actor_id")?.map(UserId),
                actor: row.take("actor")?,
                at: ts(&mut row, "at")?,
                comment: row.take("comment")?,
            })
        })
        .collect()
}

/// A decision to record.
#[derive(Debug, Clone, Copy)]
pub struct NewApproval<'a> {
    /// Process code.
    pub process: &'a str,
    /// Item id.
    pub item_id: i64,
    /// Submission round.
    pub round: i64,
    /// Step (0-based).
    pub step: i64,
    /// Step name.
    pub step_name: &'a str,
    /// Who.
    pub approver: (Option<UserId>, &'a str),
    /// What.
    pub decision: Decision,
    /// Why.
    pub comment: Option<&'a str>,
    /// When.
    pub at: Timestamp,
}

/// Records a decision; false when this person already decided on this step of this round.
pub async fn record_approval(conn: &mut Conn, a: &NewApproval<'_>) -> Result<bool, DbError> {
    let mut q = Sql::new(
        "INSERT INTO approvals (process, item_id, round, step, step_name, approver_id, approver, decision, comment, at) VALUES (",
    );
    q.bind(a.process.to_owned())
        .push(", ")
        .bind(a.item_id)
        .push(", ")
        .bind(a.round)
        .push(", ")
        .bind(a.step)
        .push(", ")
        .bind(a.step_name.to_owned())
        .push(", ")
        .bind(a.approver.0.map(|u| u.0))
        .push(", ")
        .bind(a.approver.1.to_owned())
        .push(", ")
        .bind(a.decision.code())
        .push(", ")
        .bind(a.comment.map(str::to_owned))
        .push(", ")
        .bind(a.at.to_db())
        .push(") ON CONFLICT (process, item_id, round, step, approver_id) DO NOTHING");
    Ok(q.execute(conn).await? == 1)
}

/// The decisions on an item, oldest first.
pub async fn approvals(
    conn: &mut Conn,
    process: &str,
    item_id: i64,
) -> Result<Vec<Approval>, DbError> {
    let mut q = Sql::new(
        "SELECT id, round, step, step_name, approver_id, approver, decision, comment, at FROM approvals WHERE process = ",
    );
    q.bind(process.to_owned())
        .push(" AND item_id = ")
        .bind(item_id)
        .push(" ORDER BY id");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(approval_from_row)
        .collect()
}

fn approval_from_row(mut row: Row) -> Result<Approval, DbError> {
    Ok(Approval {
        id: row.try_get("id")?,
        round: row.try_get("round")?,
        step: row.try_get("step")?,
        step_name: row.take("step_name")?,
        approver_id: row.try_get::<Option<i64>, _>("approver_id")?.map(UserId),
        approver: row.take("approver")?,
        decision: code_of(&mut row, "decision", Decision::from_code)?,
        comment: row.take("comment")?,
        at: ts(&mut row, "at")?,
    })
}

/// The number of approvals on one step of one round.
pub async fn approvals_on_step(
    conn: &mut Conn,
    process: &str,
    item_id: i64,
    round: i64,
    step: i64,
) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM approvals WHERE process = ");
    q.bind(process.to_owned())
        .push(" AND item_id = ")
        .bind(item_id)
        .push(" AND round = ")
        .bind(round)
        .push(" AND step = ")
        .bind(step)
        .push(" AND decision = 'approve'");
    q.fetch_one(conn).await?.try_get("n")
}

/// The next number of a per-year counter (`REQ-2026` → 1, 2, …), inside the caller's
/// transaction.
pub async fn next_number(conn: &mut Conn, prefix: &str) -> Result<i64, DbError> {
    let mut q = Sql::new("INSERT INTO code_counters (prefix, last) VALUES (");
    q.bind(prefix.to_owned()).push(
        ", 1) ON CONFLICT (prefix) DO UPDATE SET last = code_counters.last + 1 RETURNING last",
    );
    q.fetch_one(conn).await?.try_get("last")
}

/// An approval chain as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainRow {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind of item.
    pub applies_to: String,
    /// Impact.
    pub impact: Impact,
    /// Steps.
    pub steps: Vec<Step>,
    /// Version (each edit adds one; items keep the version they were submitted with).
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
}

const CHAIN_COLUMNS: &str =
    "id, code, name, applies_to, impact, steps, version, created_at, updated_at";

fn chain_from_row(mut row: Row) -> Result<ChainRow, DbError> {
    let steps: String = row.take("steps")?;
    Ok(ChainRow {
        id: row.try_get("id")?,
        code: row.take("code")?,
        name: row.take("name")?,
        applies_to: row.take("applies_to")?,
        impact: code_of(&mut row, "impact", Impact::from_code)?,
        steps: serde_json::from_str(&steps).map_err(|_| corrupt("steps", &steps))?,
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// Every chain, by kind of item and impact.
pub async fn chains(conn: &mut Conn) -> Result<Vec<ChainRow>, DbError> {
    let q = Sql::new(&format!(
        "SELECT {CHAIN_COLUMNS} FROM approval_chains ORDER BY applies_to, impact, id"
    ));
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(chain_from_row)
        .collect()
}

/// One chain.
pub async fn chain(conn: &mut Conn, id: i64) -> Result<Option<ChainRow>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {CHAIN_COLUMNS} FROM approval_chains WHERE id = "
    ));
    q.bind(id);
    q.fetch_optional(conn)
        .await?
        .map(chain_from_row)
        .transpose()
}

/// The chain for a kind of item and impact.
pub async fn chain_for(
    conn: &mut Conn,
    applies_to: &str,
    impact: Impact,
) -> Result<Option<ChainRow>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {CHAIN_COLUMNS} FROM approval_chains WHERE applies_to = "
    ));
    q.bind(applies_to.to_owned())
        .push(" AND impact = ")
        .bind(impact.code());
    q.fetch_optional(conn)
        .await?
        .map(chain_from_row)
        .transpose()
}

/// A chain's fields as written.
#[derive(Debug, Clone, Copy)]
pub struct ChainFields<'a> {
    /// Code.
    pub code: &'a str,
    /// Name.
    pub name: &'a str,
    /// Kind of item.
    pub applies_to: &'a str,
    /// Impact.
    pub impact: Impact,
    /// Steps.
    pub steps: &'a [Step],
}

fn steps_json(steps: &[Step]) -> Result<String, DbError> {
    serde_json::to_string(steps).map_err(|e| DbError::decode("steps", e.to_string()))
}

/// Inserts a chain (version 1).
pub async fn insert_chain(
    conn: &mut Conn,
    f: &ChainFields<'_>,
    now: Timestamp,
) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "INSERT INTO approval_chains (code, name, applies_to, impact, steps, version, created_at, updated_at) VALUES (",
    );
    q.bind(f.code.to_owned())
        .push(", ")
        .bind(f.name.to_owned())
        .push(", ")
        .bind(f.applies_to.to_owned())
        .push(", ")
        .bind(f.impact.code())
        .push(", ")
        .bind(steps_json(f.steps)?)
        .push(", 1, ")
        .bind(now.to_db())
        .push(", ")
        .bind(now.to_db())
        .push(") RETURNING id");
    q.fetch_one(conn).await?.try_get("id")
}

/// Updates a chain if it is still at `version`; false when someone changed it first.
pub async fn update_chain(
    conn: &mut Conn,
    id: i64,
    f: &ChainFields<'_>,
    version: i64,
    now: Timestamp,
) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE approval_chains SET code = ");
    q.bind(f.code.to_owned())
        .push(", name = ")
        .bind(f.name.to_owned())
        .push(", applies_to = ")
        .bind(f.applies_to.to_owned())
        .push(", impact = ")
        .bind(f.impact.code())
        .push(", steps = ")
        .bind(steps_json(f.steps)?)
        .push(", version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(id)
        .push(" AND version = ")
        .bind(version);
    Ok(q.execute(conn).await? == 1)
}

/// Fills the approval chains Castellan ships (migration 6).
pub(crate) async fn seed_default_chains(conn: &mut Conn) -> Result<(), DbError> {
    let now = Timestamp::now();
    for c in castellan_domain::request::default_chains() {
        insert_chain(
            conn,
            &ChainFields {
                code: &c.code,
                name: &c.name,
                applies_to: c.applies_to,
                impact: c.impact,
                steps: &c.steps,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// Fills the approval chains Castellan ships for an area's items (`applies_to`), when the
/// migration that creates them runs.
pub(crate) async fn seed_area_chains(
    conn: &mut Conn,
    applies_to: &str,
    chains: Vec<(String, Impact, Vec<Step>)>,
) -> Result<(), DbError> {
    let now = Timestamp::now();
    for (code, impact, steps) in chains {
        insert_chain(
            conn,
            &ChainFields {
                code: &code,
                name: "",
                applies_to,
                impact,
                steps: &steps,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// The entered days of the calendar between two days (inclusive), in order.
pub async fn calendar_days(
    conn: &mut Conn,
    from: Day,
    to: Day,
) -> Result<Vec<CalendarDay>, DbError> {
    let mut q = Sql::new("SELECT day, kind, name FROM calendar_days WHERE day >= ");
    q.bind(from.to_db())
        .push(" AND day <= ")
        .bind(to.to_db())
        .push(" ORDER BY day");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut row| {
            Ok(CalendarDay {
                day: code_of(&mut row, "day", Day::parse)?,
                kind: code_of(&mut row, "kind", DayKind::from_code)?,
                name: row.take("name")?,
            })
        })
        .collect()
}

/// Enters a day; false when it is already entered.
pub async fn insert_calendar_day(
    conn: &mut Conn,
    d: &CalendarDay,
    now: Timestamp,
) -> Result<bool, DbError> {
    let mut q = Sql::new("INSERT INTO calendar_days (day, kind, name, created_at) VALUES (");
    q.bind(d.day.to_db())
        .push(", ")
        .bind(d.kind.code())
        .push(", ")
        .bind(d.name.clone())
        .push(", ")
        .bind(now.to_db())
        .push(") ON CONFLICT (day) DO NOTHING");
    Ok(q.execute(conn).await? == 1)
}

/// Removes an entered day; false when it was not entered.
pub async fn delete_calendar_day(conn: &mut Conn, day: Day) -> Result<bool, DbError> {
    let mut q = Sql::new("DELETE FROM calendar_days WHERE day = ");
    q.bind(day.to_db());
    Ok(q.execute(conn).await? == 1)
}

/// How many times an item entered `state` (a review's round number).
pub async fn times_entered(
    conn: &mut Conn,
    process: &str,
    item_id: i64,
    state: &str,
) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM workflow_moves WHERE process = ");
    q.bind(process.to_owned())
        .push(" AND item_id = ")
        .bind(item_id)
        .push(" AND to_state = ")
        .bind(state.to_owned());
    q.fetch_one(conn).await?.try_get("n")
}

/// The decisions on several items, by item, oldest first.
pub async fn approvals_of(
    conn: &mut Conn,
    process: &str,
    items: &[i64],
) -> Result<Vec<(i64, Approval)>, DbError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT item_id, id, round, step, step_name, approver_id, approver, decision, comment, at FROM approvals WHERE process = ",
    );
    q.bind(process.to_owned())
        .push(" AND item_id IN (")
        .bind_list(items.iter().copied())
        .push(") ORDER BY id");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let item: i64 = row.try_get("item_id")?;
            Ok((item, approval_from_row(row)?))
        })
        .collect()
}

/// The stored form of a step's approvers (see `chain::step_key`), with the department's path
/// for scoped steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepKeyRow {
    /// Role code or `department_head`.
    pub role: &'static str,
    /// The requester department's path, for steps limited to it.
    pub path: Option<String>,
    /// The one approver (department head).
    pub user_id: Option<UserId>,
}

impl StepKeyRow {
    /// From the domain's key and the department's stored path.
    pub fn new(key: &StepKey, path: Option<String>) -> Self {
        StepKeyRow {
            role: key.role,
            path: key.department_id.and(path),
            user_id: key.user_id,
        }
    }
}

/// A grant as "waiting for me" matches steps: the role, and the department path its
/// limit covers (`None`: organization-wide).
#[derive(Debug, Clone)]
pub struct ApproverGrant {
    /// The role.
    pub role: Role,
    /// The path of the department the grant is limited to.
    pub path: Option<String>,
}

/// Adds the condition "the current step of the item (`alias`) is approved by `user` holding
/// `grants`": the step's one approver, or a role the user holds (a limited grant counts for
/// steps open to anyone holding the role, and for steps limited to a department within its
/// subtree). The caller opens and closes the parentheses around it.
pub fn push_step_match(q: &mut Sql, alias: &str, user: UserId, grants: &[ApproverGrant]) {
    q.push(&format!("{alias}.step_user_id = ")).bind(user.0);
    for g in grants {
        q.push(&format!(" OR ({alias}.step_role = "))
            .bind(g.role.code());
        if let Some(p) = &g.path {
            q.push(&format!(
                " AND ({alias}.step_path IS NULL OR {alias}.step_path LIKE "
            ))
            .bind(format!("{p}%"))
            .push(")");
        }
        q.push(")");
    }
}

/// Adds "and `user` has not decided on the item's (`alias`) current step in this round".
pub fn push_not_decided(q: &mut Sql, process: &str, alias: &str, user: UserId) {
    q.push(" AND NOT EXISTS (SELECT 1 FROM approvals a WHERE a.process = ")
        .bind(process.to_owned())
        .push(&format!(
            " AND a.item_id = {alias}.id AND a.round = {alias}.round AND a.step = {alias}.current_step AND a.approver_id = "
        ))
        .bind(user.0)
        .push(")");
}

/// Reads an item's chain state from its row (the columns every process with approvals
/// stores: `chain_id, chain_version, steps, round, current_step, submitted_by,
/// submitted_at`).
pub fn chain_run(row: &mut Row) -> Result<ChainRun, DbError> {
    let steps: Option<String> = row.take("steps")?;
    let steps = match steps {
        Some(s) => serde_json::from_str(&s).map_err(|_| corrupt("steps", &s))?,
        None => Vec::new(),
    };
    Ok(ChainRun {
        chain_id: row.try_get("chain_id")?,
        chain_version: row.try_get("chain_version")?,
        steps,
        round: row.try_get("round")?,
        current_step: row.try_get("current_step")?,
        submitted_by: row.try_get::<Option<i64>, _>("submitted_by")?.map(UserId),
        submitted_at: crate::rows::ts_opt(row, "submitted_at")?,
    })
}

/// Adds the assignments of an item's chain columns to an `UPDATE … SET` (each preceded by
/// a comma): the run's state and `key`, who approves its current step now.
pub fn push_chain_columns(
    q: &mut Sql,
    run: &ChainRun,
    key: Option<&StepKeyRow>,
) -> Result<(), DbError> {
    let steps = if run.steps.is_empty() {
        None
    } else {
        Some(
            serde_json::to_string(&run.steps)
                .map_err(|e| DbError::decode("steps", e.to_string()))?,
        )
    };
    q.push(", chain_id = ").bind(run.chain_id);
    q.push(", chain_version = ").bind(run.chain_version);
    q.push(", steps = ").bind(steps);
    q.push(", round = ").bind(run.round);
    q.push(", current_step = ").bind(run.current_step);
    q.push(", step_role = ").bind(key.map(|k| k.role));
    q.push(", step_path = ")
        .bind(key.and_then(|k| k.path.clone()));
    q.push(", step_user_id = ")
        .bind(key.and_then(|k| k.user_id.map(|u| u.0)));
    q.push(", submitted_by = ")
        .bind(run.submitted_by.map(|u| u.0));
    q.push(", submitted_at = ")
        .bind(run.submitted_at.map(|t| t.to_db()));
    Ok(())
}
