//! Demo approval requests: a year of change, access and important-operation requests in
//! every status, decided along the shipped chains by the department heads, the security
//! administrators and the committee; and access changes after job changes and disablings,
//! most carried out within the working day, some late.

use super::DemoRng;
use crate::error::Result;
use castellan_domain::request::{Origin, RequestKind, RequestStatus};
use castellan_domain::workflow::calendar::Calendar;
use castellan_domain::workflow::chain::{Impact, Step, StepRole, StepScope};
use castellan_domain::{DepartmentId, Role, Timestamp, UserId};
use castellan_store::sql::Sql;
use castellan_store::{Conn, Value};
use time::{Duration, UtcOffset};

/// Who the requests involve.
pub(super) struct People {
    /// Staff by team, with the team's division head.
    pub staff: Vec<(UserId, DepartmentId, String)>,
    /// The head of each team's division (by team).
    pub heads: std::collections::HashMap<DepartmentId, (UserId, String)>,
    /// Security administrator.
    pub security_admin: (UserId, String),
    /// Committee member.
    pub committee: (UserId, String),
    /// Data administrator (carries out access changes).
    pub data_admin: (UserId, String),
    /// Security officer (closes).
    pub officer: (UserId, String),
}

const TITLES: &[(RequestKind, &str)] = &[
    (RequestKind::AccessGrant, "开通 OA 系统账号"),
    (RequestKind::AccessGrant, "申请 CRM 客户数据只读权限"),
    (RequestKind::AccessGrant, "申请 VPN 远程访问"),
    (RequestKind::AccessGrant, "申请财务系统报表查询权限"),
    (RequestKind::AccessModify, "调整代码仓库权限为维护者"),
    (RequestKind::AccessRevoke, "回收外包人员堡垒机账号"),
    (RequestKind::Change, "核心交换机固件升级"),
    (RequestKind::Change, "防火墙新增访问策略"),
    (RequestKind::Change, "生产数据库参数调整"),
    (RequestKind::Change, "邮件网关反垃圾规则更新"),
    (RequestKind::ImportantOperation, "导出客户数据用于审计"),
    (RequestKind::ImportantOperation, "生产环境紧急停机维护"),
];

fn steps(impact: Impact) -> Vec<Step> {
    let step = |role| Step {
        name: String::new(),
        approver_role: role,
        scope: StepScope::Any,
        min_approvals: 1,
    };
    let mut s = vec![
        step(StepRole::DepartmentHead),
        step(StepRole::Role(Role::SecurityAdmin)),
    ];
    if impact == Impact::Major {
        s.push(step(StepRole::Role(Role::Committee)));
    }
    s
}

/// A move to write: from, to, who, when, why.
type MoveRow = (String, String, (UserId, String), Timestamp, Option<String>);

/// Rows written in batches of this many.
pub(super) const BATCH: usize = 400;

pub(super) struct Batch {
    table: &'static str,
    columns: &'static str,
    rows: Vec<Vec<Value>>,
}

impl Batch {
    pub(super) fn new(table: &'static str, columns: &'static str) -> Self {
        Batch {
            table,
            columns,
            rows: Vec::new(),
        }
    }

    pub(super) async fn push(&mut self, conn: &mut Conn, row: Vec<Value>) -> Result<()> {
        self.rows.push(row);
        if self.rows.len() >= BATCH {
            self.flush(conn).await?;
        }
        Ok(())
    }

    pub(super) async fn flush(&mut self, conn: &mut Conn) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut q = Sql::new(&format!(
            "INSERT INTO {} ({}) VALUES ",
            self.table, self.columns
        ));
        for (i, row) in std::mem::take(&mut self.rows).into_iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            for (j, v) in row.into_iter().enumerate() {
                if j > 0 {
                    q.push(", ");
                }
                q.bind(v);
            }
            q.push(")");
        }
        q.execute(conn).await?;
        Ok(())
    }
}

pub(super) fn int(v: i64) -> Value {
    Value::Int(v)
}

pub(super) fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

pub(super) fn opt_int(v: Option<i64>) -> Value {
    v.map_or(Value::Null(castellan_store::conn::Kind::Int), Value::Int)
}

pub(super) fn opt_text(v: Option<String>) -> Value {
    v.map_or(Value::Null(castellan_store::conn::Kind::Text), Value::Text)
}

/// How many requests the demo makes at `scale` (100,000 at the scale that gives 5,000
/// users).
pub(super) fn count(scale: u64) -> usize {
    usize::try_from((scale * 2 / 5).clamp(40, 400_000)).unwrap_or(40)
}

/// Generates the requests, their decisions and their moves.
pub(super) async fn generate(
    conn: &mut Conn,
    rng: &mut DemoRng,
    scale: u64,
    people: &People,
    now: Timestamp,
) -> Result<usize> {
    if people.staff.is_empty() {
        return Ok(0);
    }
    let n = count(scale);
    let cal = Calendar::default();
    let offset = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
    let mut requests = Batch::new(
        "requests",
        "id, code, kind, title, description, impact, requester_id, department_id, subject_user_id, origin, status, steps, round, current_step, step_role, step_user_id, submitted_by, submitted_at, due_at, implemented_at, implemented_by, deadline_met, created_by, version, created_at, updated_at",
    );
    let mut approvals = Batch::new(
        "approvals",
        "process, item_id, round, step, step_name, approver_id, approver, decision, comment, at",
    );
    let mut moves = Batch::new(
        "workflow_moves",
        "process, item_id, from_state, to_state, actor_id, actor, at, comment",
    );
    // Ids are given here (the table is empty in a demo database), so decisions and moves
    // can refer to them before the rows are written.
    let first_id = 1_i64;
    let mut per_year: std::collections::HashMap<i32, i64> = std::collections::HashMap::new();
    let mut made = 0;
    // Oldest first: created over the last year, spread evenly.
    for i in 0..n {
        let id = first_id + i as i64;
        let minutes_ago = ((n - i) as i64 * 525_600) / n as i64;
        let created = now.plus(Duration::minutes(-minutes_ago));
        let year = created.datetime().year();
        let seq = per_year.entry(year).or_insert(0);
        *seq += 1;
        let code = format!("REQ-{year}-{seq:05}");
        let Some((requester, dept, requester_name)) = rng.pick(&people.staff).cloned() else {
            continue;
        };
        let head = people.heads.get(&dept).cloned();
        let roll = rng.below(100);
        // One request in five is an access change Castellan opened after a job change or a
        // disabling (approved at once, due the next working day).
        let auto = roll < 20;
        let (kind, title, origin) = if auto {
            if roll < 14 {
                (
                    RequestKind::AccessModify,
                    format!("{requester_name}：岗位变动，调整权限"),
                    Origin::JobChange,
                )
            } else {
                (
                    RequestKind::AccessRevoke,
                    format!("{requester_name}：账号停用，回收全部权限"),
                    Origin::Disabled,
                )
            }
        } else {
            let (k, t) = rng
                .pick(TITLES)
                .copied()
                .unwrap_or((RequestKind::Change, "防火墙新增访问策略"));
            (k, t.to_owned(), Origin::User)
        };
        let impact = if kind == RequestKind::Change && rng.below(6) == 0 {
            Impact::Major
        } else {
            Impact::Normal
        };
        let chain = if auto { Vec::new() } else { steps(impact) };
        let recent = minutes_ago < 60 * 24 * 30;
        // Some recent drafts were submitted and returned with comments.
        let mut returned = false;
        let status_roll = rng.below(100);
        let status = if auto {
            if recent && status_roll < 40 {
                RequestStatus::Approved
            } else if status_roll < 60 {
                RequestStatus::Implemented
            } else {
                RequestStatus::Closed
            }
        } else if recent {
            match status_roll {
                0..=29 => RequestStatus::Submitted,
                30..=37 => RequestStatus::Draft,
                38..=44 => {
                    returned = true;
                    RequestStatus::Draft
                }
                45..=64 => RequestStatus::Approved,
                65..=79 => RequestStatus::Implemented,
                _ => RequestStatus::Closed,
            }
        } else {
            match status_roll {
                0..=4 => RequestStatus::Rejected,
                5..=7 => RequestStatus::Withdrawn,
                8..=9 => RequestStatus::Submitted,
                10..=12 => RequestStatus::Approved,
                13..=16 => RequestStatus::Implemented,
                _ => RequestStatus::Closed,
            }
        };
        let mut at = created;
        let next = |rng: &mut DemoRng, at: &mut Timestamp| {
            *at = at.plus(Duration::minutes(30 + rng.below(60 * 20) as i64));
            *at
        };
        let mut current_step: Option<i64> = None;
        let mut round = 0;
        let mut submitted_at = None;
        let mut due_at = None;
        let mut implemented = None;
        let mut met = None;
        let mut step_key: (Option<&str>, Option<i64>) = (None, None);
        let mut last_state = RequestStatus::Draft;
        let mv = |moves_rows: &mut Vec<MoveRow>,
                  from: RequestStatus,
                  to: RequestStatus,
                  who: &(UserId, String),
                  at: Timestamp,
                  comment: Option<&str>| {
            moves_rows.push((
                from.code().into(),
                to.code().into(),
                who.clone(),
                at,
                comment.map(str::to_owned),
            ));
        };
        let mut move_rows = Vec::new();
        let requester_ref = (requester, requester_name.clone());
        if auto {
            submitted_at = Some(created);
            due_at = Some(cal.end_of_next_working_day(created, offset));
            mv(
                &mut move_rows,
                RequestStatus::Draft,
                RequestStatus::Approved,
                &people.data_admin,
                created,
                Some(origin.code()),
            );
            last_state = RequestStatus::Approved;
        } else if (status != RequestStatus::Draft || returned)
            && !(status == RequestStatus::Withdrawn && rng.below(2) == 0)
        {
            round = 1;
            submitted_at = Some(at);
            mv(
                &mut move_rows,
                RequestStatus::Draft,
                RequestStatus::Submitted,
                &requester_ref,
                at,
                None,
            );
            last_state = RequestStatus::Submitted;
            // Walk the chain until the request's final status says it stopped.
            let approvers: Vec<(UserId, String)> = chain
                .iter()
                .map(|s| match s.approver_role {
                    StepRole::DepartmentHead => head
                        .clone()
                        .unwrap_or_else(|| people.security_admin.clone()),
                    StepRole::Role(Role::Committee) => people.committee.clone(),
                    _ => people.security_admin.clone(),
                })
                .collect();
            let stop_at = match status {
                RequestStatus::Submitted | RequestStatus::Draft => rng.below(chain.len()),
                RequestStatus::Rejected | RequestStatus::Withdrawn => rng.below(chain.len()),
                _ => chain.len(),
            };
            for (s, who) in approvers.iter().enumerate().take(stop_at) {
                let t = next(rng, &mut at);
                approvals
                    .push(
                        conn,
                        vec![
                            text("request"),
                            int(id),
                            int(1),
                            int(s as i64),
                            text(""),
                            int(who.0.0),
                            text(&who.1),
                            text("approve"),
                            Value::Null(castellan_store::conn::Kind::Text),
                            text(&t.to_db()),
                        ],
                    )
                    .await?;
            }
            match status {
                RequestStatus::Submitted => {
                    current_step = Some(stop_at as i64);
                    step_key = match chain.get(stop_at).map(|s| s.approver_role) {
                        Some(StepRole::DepartmentHead) => {
                            (Some("department_head"), head.as_ref().map(|h| h.0.0))
                        }
                        Some(StepRole::Role(r)) => (Some(r.code()), None),
                        None => (None, None),
                    };
                }
                RequestStatus::Rejected => {
                    let who = approvers
                        .get(stop_at)
                        .cloned()
                        .unwrap_or_else(|| people.security_admin.clone());
                    let t = next(rng, &mut at);
                    approvals
                        .push(
                            conn,
                            vec![
                                text("request"),
                                int(id),
                                int(1),
                                int(stop_at as i64),
                                text(""),
                                int(who.0.0),
                                text(&who.1),
                                text("reject"),
                                text("与安全策略不符，请重新评估必要性"),
                                text(&t.to_db()),
                            ],
                        )
                        .await?;
                    mv(
                        &mut move_rows,
                        RequestStatus::Submitted,
                        RequestStatus::Rejected,
                        &who,
                        t,
                        Some("与安全策略不符，请重新评估必要性"),
                    );
                }
                RequestStatus::Withdrawn => {
                    let t = next(rng, &mut at);
                    mv(
                        &mut move_rows,
                        RequestStatus::Submitted,
                        RequestStatus::Withdrawn,
                        &requester_ref,
                        t,
                        None,
                    );
                }
                RequestStatus::Draft => {
                    let who = approvers
                        .get(stop_at)
                        .cloned()
                        .unwrap_or_else(|| people.security_admin.clone());
                    let t = next(rng, &mut at);
                    let why = "请补充业务必要性说明和使用期限";
                    approvals
                        .push(
                            conn,
                            vec![
                                text("request"),
                                int(id),
                                int(1),
                                int(stop_at as i64),
                                text(""),
                                int(who.0.0),
                                text(&who.1),
                                text("return"),
                                text(why),
                                text(&t.to_db()),
                            ],
                        )
                        .await?;
                    mv(
                        &mut move_rows,
                        RequestStatus::Submitted,
                        RequestStatus::Draft,
                        &who,
                        t,
                        Some(why),
                    );
                }
                _ => {
                    mv(
                        &mut move_rows,
                        RequestStatus::Submitted,
                        RequestStatus::Approved,
                        approvers.last().unwrap_or(&people.security_admin),
                        at,
                        None,
                    );
                    last_state = RequestStatus::Approved;
                }
            }
        } else if status == RequestStatus::Withdrawn {
            let t = next(rng, &mut at);
            mv(
                &mut move_rows,
                RequestStatus::Draft,
                RequestStatus::Withdrawn,
                &requester_ref,
                t,
                None,
            );
        }
        if matches!(status, RequestStatus::Implemented | RequestStatus::Closed)
            && last_state == RequestStatus::Approved
        {
            // Access changes: most within the working day, one in six late.
            let t = if auto && rng.below(6) == 0 {
                created.plus(Duration::hours(30 + rng.below(72) as i64))
            } else if auto {
                created.plus(Duration::minutes(20 + rng.below(240) as i64))
            } else {
                next(rng, &mut at)
            };
            at = t;
            implemented = Some(t);
            met = due_at.map(|d| t <= d);
            mv(
                &mut move_rows,
                RequestStatus::Approved,
                RequestStatus::Implemented,
                &people.data_admin,
                t,
                None,
            );
            if status == RequestStatus::Closed {
                let c = next(rng, &mut at);
                mv(
                    &mut move_rows,
                    RequestStatus::Implemented,
                    RequestStatus::Closed,
                    &people.officer,
                    c,
                    None,
                );
            }
        }
        let updated = move_rows.last().map_or(created, |m| m.3);
        for (from, to, who, t, comment) in move_rows {
            moves
                .push(
                    conn,
                    vec![
                        text("request"),
                        int(id),
                        text(&from),
                        text(&to),
                        int(who.0.0),
                        text(&who.1),
                        text(&t.to_db()),
                        opt_text(comment),
                    ],
                )
                .await?;
        }
        let steps_json = if chain.is_empty() {
            None
        } else {
            serde_json::to_string(&chain).ok()
        };
        let submitted_by = submitted_at.map(|_| {
            if auto {
                people.data_admin.0.0
            } else {
                requester.0
            }
        });
        requests
            .push(
                conn,
                vec![
                    int(id),
                    text(&code),
                    text(kind.code()),
                    text(&title),
                    opt_text((!auto).then(|| "业务需要，已与部门负责人沟通。".to_owned())),
                    text(impact.code()),
                    int(if auto {
                        people.data_admin.0.0
                    } else {
                        requester.0
                    }),
                    int(dept.0),
                    opt_int(kind.is_access().then_some(requester.0)),
                    text(origin.code()),
                    text(status.code()),
                    opt_text(steps_json),
                    int(round),
                    opt_int(current_step),
                    opt_text(step_key.0.map(str::to_owned)),
                    opt_int(step_key.1),
                    opt_int(submitted_by),
                    opt_text(submitted_at.map(|t| t.to_db())),
                    opt_text(due_at.map(|t| t.to_db())),
                    opt_text(implemented.map(|t| t.to_db())),
                    opt_int(implemented.map(|_| people.data_admin.0.0)),
                    opt_int(met.map(i64::from)),
                    opt_int((!auto).then_some(requester.0)),
                    int(1),
                    text(&created.to_db()),
                    text(&updated.to_db()),
                ],
            )
            .await?;
        made += 1;
    }
    requests.flush(conn).await?;
    approvals.flush(conn).await?;
    moves.flush(conn).await?;
    // Keep the per-year counters and (PostgreSQL) the id sequence where the demo left them.
    for (year, last) in per_year {
        let mut q = Sql::new("INSERT INTO code_counters (prefix, last) VALUES (");
        q.bind(format!("REQ-{year}"))
            .push(", ")
            .bind(last)
            .push(")");
        q.execute(conn).await?;
    }
    if conn.backend() == castellan_store::Backend::Postgres {
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('requests', 'id'), (SELECT MAX(id) FROM requests))",
            &[],
        )
        .await?;
    }
    Ok(made)
}
