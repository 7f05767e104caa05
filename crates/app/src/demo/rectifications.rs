//! Demo rectification tasks: what the handled incidents led to — most verified, some
//! reported done and waiting for their verifier, some open (a few past their due day), one
//! in a few sent back.

use super::DemoRng;
use super::requests::{Batch, People, int, opt_int, opt_text, text};
use crate::error::Result;
use castellan_domain::rectification::RectificationStatus;
use castellan_domain::{Day, Timestamp};
use castellan_store::Conn;
use castellan_store::sql::Sql;
use time::Duration;

/// What handled incidents typically lead to (written for the demo).
const FIXES: &[&str] = &[
    "为 VPN 网关启用多因素认证，停用仅口令登录方式。",
    "补齐受影响服务器的操作系统安全补丁，并纳入月度补丁计划。",
    "邮件网关增加外发频率阈值告警，超限自动暂停发送。",
    "核查并回收离职及外包人员的遗留账号。",
    "数据库备份改为加密存储，备份介质异地保管。",
    "对全员开展一次钓鱼邮件识别培训并组织演练。",
    "核心交换机配置变更纳入审批流程，保留配置基线。",
    "终端统一部署防病毒软件并开启实时防护。",
    "重要系统日志集中收集，保存不少于六个月。",
    "机房门禁记录每周核查，来访人员全程陪同。",
];

/// Generates tasks for contained, recovered and closed incidents; returns how many.
pub(super) async fn generate(
    conn: &mut Conn,
    rng: &mut DemoRng,
    people: &People,
    now: Timestamp,
) -> Result<usize> {
    if people.staff.is_empty() {
        return Ok(0);
    }
    let rows = Sql::new(
        "SELECT id, code, department_id, triaged_at FROM incidents WHERE status IN ('contained', 'recovered', 'closed') ORDER BY id",
    )
    .fetch_all(conn)
    .await?;
    let mut tasks = Batch::new(
        "rectifications",
        "id, code, source, source_id, source_code, department_id, description, responsible_id, verifier_id, due_on, status, resolution, done_at, verified_at, created_by, search_text, version, created_at, updated_at",
    );
    let mut moves = Batch::new(
        "workflow_moves",
        "process, item_id, from_state, to_state, actor_id, actor, at, comment",
    );
    let mut per_year: std::collections::HashMap<i32, i64> = std::collections::HashMap::new();
    let mut id = 0_i64;
    for row in rows {
        // About two incidents in five lead to tasks.
        if rng.below(5) >= 2 {
            continue;
        }
        let incident: i64 = row.try_get("id")?;
        let source_code: String = row.try_get("code")?;
        let department: Option<i64> = row.try_get("department_id")?;
        let triaged: Option<String> = row.try_get("triaged_at")?;
        let Some(opened) = triaged.as_deref().and_then(Timestamp::parse) else {
            continue;
        };
        let opened = opened.plus(Duration::hours(6));
        for _ in 0..=rng.below(2) {
            let Some(&fix) = rng.pick(FIXES) else {
                continue;
            };
            let Some((responsible, _, responsible_name)) = rng.pick(&people.staff).cloned() else {
                continue;
            };
            let verifier = if rng.below(2) == 0 {
                &people.security_admin
            } else {
                &people.officer
            };
            if verifier.0 == responsible {
                continue;
            }
            id += 1;
            let year = opened.datetime().year();
            let seq = per_year.entry(year).or_insert(0);
            *seq += 1;
            let code = format!("RECT-{year}-{seq:04}");
            let due = Day::of(opened.plus(Duration::days(14 + rng.below(45) as i64)));
            let age_days = (now.datetime() - opened.datetime()).whole_days();
            // Old tasks are verified; recent ones spread over the other statuses.
            let status = if age_days > 75 {
                if rng.below(10) == 0 {
                    RectificationStatus::Open
                } else {
                    RectificationStatus::Verified
                }
            } else {
                match rng.below(6) {
                    0 | 1 => RectificationStatus::Open,
                    2 => RectificationStatus::Reopened,
                    3 | 4 => RectificationStatus::Done,
                    _ => RectificationStatus::Verified,
                }
            };
            let done_at = (status != RectificationStatus::Open).then(|| {
                let at = opened.plus(Duration::days(3 + rng.below(10) as i64));
                if at > now { now } else { at }
            });
            let verified_at = (status == RectificationStatus::Verified)
                .then(|| done_at.map(|d| d.plus(Duration::hours(20))))
                .flatten()
                .map(|v| if v > now { now } else { v });
            let resolution =
                done_at.map(|_| "已按要求完成整改，相关配置截图和记录已存档。".to_owned());
            let mut path = Vec::new();
            if let Some(d) = done_at {
                path.push((
                    "open",
                    "done",
                    d,
                    (responsible, responsible_name.clone()),
                    resolution.clone(),
                ));
                if status == RectificationStatus::Reopened {
                    path.push((
                        "done",
                        "reopened",
                        d.plus(Duration::hours(4)),
                        verifier.clone(),
                        Some("抽查发现仍有两台主机未完成整改，请补齐后再提交。".to_owned()),
                    ));
                }
            }
            if let Some(v) = verified_at {
                path.push(("done", "verified", v, verifier.clone(), None));
            }
            let updated = path.last().map_or(opened, |p| p.2);
            for (from, to, at, who, comment) in path {
                moves
                    .push(
                        conn,
                        vec![
                            text("rectification"),
                            int(id),
                            text(from),
                            text(to),
                            int(who.0.0),
                            text(&who.1),
                            text(&at.to_db()),
                            opt_text(comment),
                        ],
                    )
                    .await?;
            }
            let search = format!("{code} {source_code} {fix}").to_lowercase();
            tasks
                .push(
                    conn,
                    vec![
                        int(id),
                        text(&code),
                        text("incident"),
                        int(incident),
                        text(&source_code),
                        opt_int(department),
                        text(fix),
                        int(responsible.0),
                        int(verifier.0.0),
                        text(&due.to_db()),
                        text(status.code()),
                        opt_text(resolution),
                        opt_text(done_at.map(|t| t.to_db())),
                        opt_text(verified_at.map(|t| t.to_db())),
                        int(verifier.0.0),
                        text(&search),
                        int(1),
                        text(&opened.to_db()),
                        text(&updated.to_db()),
                    ],
                )
                .await?;
        }
    }
    tasks.flush(conn).await?;
    moves.flush(conn).await?;
    for (year, last) in per_year {
        let mut q = Sql::new("INSERT INTO code_counters (prefix, last) VALUES (");
        q.bind(format!("RECT-{year}"))
            .push(", ")
            .bind(last)
            .push(")");
        q.execute(conn).await?;
    }
    if conn.backend() == castellan_store::Backend::Postgres && id > 0 {
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('rectifications', 'id'), (SELECT MAX(id) FROM rectifications))",
            &[],
        )
        .await?;
        conn.execute("ANALYZE rectifications", &[]).await?;
    }
    Ok(usize::try_from(id).unwrap_or(0))
}
