//! Demo security goals: this year's company goal, set by the security officer and published
//! by the committee; one goal per division drafted by its head — most published with their
//! progress, one returned with a comment, one waiting for the security officer, one division
//! without a goal —; position goals under the published ones; next year's company goal in
//! draft.

use super::DemoRng;
use super::requests::People;
use crate::error::Result;
use castellan_domain::goal::{Goal, GoalLevel, GoalStatus};
use castellan_domain::workflow::Decision;
use castellan_domain::{DepartmentId, Timestamp, UserId};
use castellan_store::Conn;
use castellan_store::goal::goals as store;
use castellan_store::workflow::{self as wf, NewApproval};
use time::Duration;

/// Division goals (written for the demo): title, metric, target.
const DIVISION_GOALS: &[(&str, &str, &str)] = &[
    (
        "核心业务系统高危漏洞按期修复",
        "高危漏洞 30 天内修复率",
        "≥ 95%",
    ),
    ("敏感数据零泄露", "数据泄露事件数", "0"),
    ("全员完成年度安全意识培训", "培训完成率", "100%"),
    ("重要系统账号权限每季度复核", "复核完成次数", "4 次"),
    ("安全事件按时限报告和处置", "按时报告率", "100%"),
];

/// Position goals (written for the demo): position, title, metric, target.
const POSITION_GOALS: &[(&str, &str, &str, &str)] = &[
    ("系统管理员", "服务器补丁每月更新", "补丁覆盖率", "≥ 98%"),
    ("网络管理员", "防火墙策略每季度复核", "复核次数", "4 次"),
    (
        "数据库管理员",
        "数据库备份每季度恢复测试",
        "恢复测试次数",
        "4 次",
    ),
];

fn goal(
    year: i32,
    level: GoalLevel,
    parent: Option<i64>,
    department: Option<DepartmentId>,
    owner: UserId,
    text: (&str, &str, &str),
    at: Timestamp,
) -> Goal {
    Goal {
        id: 0,
        year,
        level,
        parent_id: parent,
        department_id: department,
        position: None,
        title: text.0.into(),
        metric: text.1.into(),
        target: text.2.into(),
        owner_id: owner,
        status: GoalStatus::Draft,
        progress: 0,
        progress_note: None,
        round: 0,
        submitted_by: None,
        submitted_at: None,
        published_by: None,
        published_at: None,
        created_by: Some(owner),
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// Moves `g` on: submitted by its owner, then decided (`decision`) by `approver`.
async fn decide(
    conn: &mut Conn,
    g: &mut Goal,
    owner_name: &str,
    approver: Option<&(UserId, String)>,
    decision: Option<(Decision, &str)>,
    at: Timestamp,
) -> Result<()> {
    g.round += 1;
    g.submitted_by = Some(g.owner_id);
    g.submitted_at = Some(at);
    g.status = GoalStatus::InReview;
    wf::record_move(
        conn,
        "goal",
        g.id,
        "draft",
        "in_review",
        (Some(g.owner_id), owner_name),
        None,
        at,
    )
    .await?;
    if let (Some(a), Some((d, comment))) = (approver, decision) {
        let when = at.plus(Duration::days(2));
        wf::record_approval(
            conn,
            &NewApproval {
                process: "goal",
                item_id: g.id,
                round: g.round,
                step: 0,
                step_name: "",
                approver: (Some(a.0), &a.1),
                decision: d,
                comment: Some(comment),
                at: when,
            },
        )
        .await?;
        g.status = if d == Decision::Approve {
            g.published_by = Some(a.0);
            g.published_at = Some(when);
            GoalStatus::Published
        } else {
            GoalStatus::Returned
        };
        wf::record_move(
            conn,
            "goal",
            g.id,
            "in_review",
            g.status.code(),
            (Some(a.0), &a.1),
            Some(comment),
            when,
        )
        .await?;
    }
    Ok(())
}

/// Generates the goals; returns how many.
pub(super) async fn generate(
    conn: &mut Conn,
    rng: &mut DemoRng,
    people: &People,
    now: Timestamp,
) -> Result<usize> {
    let year = now.datetime().year();
    let start = now.plus(Duration::days(-i64::from(now.datetime().ordinal()) + 5));
    let officer = people.officer.clone();
    let mut count = 0;
    let mut company = goal(
        year,
        GoalLevel::Company,
        None,
        None,
        officer.0,
        (
            "全年不发生重大及以上信息安全事件",
            "重大及以上信息安全事件数",
            "0",
        ),
        start,
    );
    company.id = store::insert(conn, &company).await?;
    decide(
        conn,
        &mut company,
        &officer.1,
        Some(&people.committee),
        Some((Decision::Approve, "同意。")),
        start.plus(Duration::days(1)),
    )
    .await?;
    company.progress = 80;
    company.progress_note = Some("截至目前未发生重大事件；一般事件均已按时处置。".into());
    store::save(conn, &company, now).await?;
    count += 1;
    // One goal per division (the heads), the last division left without one.
    let mut divisions: Vec<(DepartmentId, (UserId, String))> = Vec::new();
    for (team, head) in &people.heads {
        let division = castellan_store::org::departments::get(conn, *team)
            .await?
            .and_then(|d| d.parent_id)
            .unwrap_or(*team);
        if !divisions.iter().any(|(d, _)| *d == division) {
            divisions.push((division, head.clone()));
        }
    }
    divisions.sort_by_key(|(d, _)| d.0);
    let covered = divisions.len().saturating_sub(1);
    for ((n, (division, head)), &text) in divisions
        .iter()
        .take(covered)
        .enumerate()
        .zip(DIVISION_GOALS.iter().cycle())
    {
        let at = start.plus(Duration::days(10 + n as i64));
        let mut g = goal(
            year,
            GoalLevel::Department,
            Some(company.id),
            Some(*division),
            head.0,
            text,
            at,
        );
        g.id = store::insert(conn, &g).await?;
        count += 1;
        match n % 5 {
            3 => {
                decide(
                    conn,
                    &mut g,
                    &head.1,
                    Some(&officer),
                    Some((Decision::Return, "请将目标量化到季度，并写明衡量方法。")),
                    at,
                )
                .await?
            }
            4 => {
                decide(
                    conn,
                    &mut g,
                    &head.1,
                    None,
                    None,
                    now.plus(Duration::days(-1)),
                )
                .await?
            }
            _ => {
                decide(
                    conn,
                    &mut g,
                    &head.1,
                    Some(&officer),
                    Some((Decision::Approve, "同意。")),
                    at,
                )
                .await?;
                g.progress = (40 + rng.below(50)) as u8;
                g.progress_note = Some("按季度推进，完成情况见月度报告。".into());
            }
        }
        store::save(conn, &g, now).await?;
        if g.status == GoalStatus::Published {
            // Position goals of the division's members.
            let members: Vec<_> = people
                .staff
                .iter()
                .filter(|(u, team, _)| {
                    *u != head.0 && people.heads.get(team).is_some_and(|h| h.0 == head.0)
                })
                .take(2)
                .collect();
            let positions = POSITION_GOALS.iter().cycle().skip(n);
            for (k, ((member, _, name), &(position, title, metric, target))) in
                members.into_iter().zip(positions).enumerate()
            {
                let at = at.plus(Duration::days(7));
                let mut p = goal(
                    year,
                    GoalLevel::Position,
                    Some(g.id),
                    Some(*division),
                    *member,
                    (title, metric, target),
                    at,
                );
                p.position = Some(position.into());
                p.id = store::insert(conn, &p).await?;
                count += 1;
                if k == 0 {
                    decide(
                        conn,
                        &mut p,
                        name,
                        Some(head),
                        Some((Decision::Approve, "同意。")),
                        at,
                    )
                    .await?;
                    p.progress = (30 + rng.below(70)) as u8;
                } else {
                    decide(conn, &mut p, name, None, None, now.plus(Duration::days(-2))).await?;
                }
                store::save(conn, &p, now).await?;
            }
        }
    }
    let next = goal(
        year + 1,
        GoalLevel::Company,
        None,
        None,
        officer.0,
        (
            "全年不发生重大及以上信息安全事件，数据安全事件同比下降 50%",
            "重大事件数；数据安全事件数",
            "0；下降 50%",
        ),
        now,
    );
    store::insert(conn, &next).await?;
    count += 1;
    Ok(count)
}
