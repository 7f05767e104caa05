//! Demo security incidents: a year of reports across classes, levels and categories — most
//! handled and closed with their root cause and lessons, some still open, a few rejected,
//! some triaged late or noted late by the committee — with their teams, affected assets,
//! timelines and moves.

use super::DemoRng;
use super::requests::{Batch, People, int, opt_int, opt_text, text};
use crate::error::Result;
use castellan_domain::incident::{IncidentCategory, IncidentClass, IncidentLevel, IncidentStatus};
use castellan_domain::{Timestamp, UserId};
use castellan_store::Conn;
use castellan_store::sql::Sql;
use time::Duration;

/// What a demo incident is about: category, title, what was seen, root cause, lesson.
const STORIES: &[(IncidentCategory, &str, &str, &str, &str)] = &[
    (
        IncidentCategory::Malware,
        "办公终端感染勒索病毒",
        "员工电脑桌面文件被加密，出现勒索提示。",
        "员工打开了伪装成发票的邮件附件。",
        "邮件网关拦截宏文档附件，终端启用应用白名单。",
    ),
    (
        IncidentCategory::Malware,
        "服务器发现挖矿程序",
        "监控发现服务器 CPU 持续满载，存在可疑进程。",
        "中间件存在未修补的远程代码执行漏洞。",
        "建立中间件补丁月度检查机制。",
    ),
    (
        IncidentCategory::NetworkAttack,
        "门户网站遭受 DDoS 攻击",
        "门户网站访问缓慢，入口流量异常升高。",
        "攻击者利用僵尸网络发起流量攻击。",
        "与运营商签订流量清洗服务，完善应急联系人。",
    ),
    (
        IncidentCategory::NetworkAttack,
        "钓鱼邮件冒充财务部群发",
        "多名员工收到冒充财务部的邮件，要求登录陌生链接。",
        "外部发件域名仿冒，员工安全意识不足。",
        "开展钓鱼邮件识别培训，启用 DMARC 检查。",
    ),
    (
        IncidentCategory::NetworkAttack,
        "堡垒机出现境外暴力破解",
        "堡垒机日志显示大量来自境外地址的登录失败。",
        "管理入口暴露在互联网且未限制来源地址。",
        "管理入口仅允许 VPN 访问，启用双因素认证。",
    ),
    (
        IncidentCategory::DataSecurity,
        "客户信息表格误发外部邮箱",
        "业务人员将含客户手机号的表格发送给错误的外部地址。",
        "邮件地址自动补全导致误选收件人。",
        "外发含个人信息的附件须加密并经主管确认。",
    ),
    (
        IncidentCategory::DataSecurity,
        "数据库备份文件未授权访问",
        "对象存储中的备份文件被设置为公开读取。",
        "运维人员为临时下载修改了访问权限后未恢复。",
        "存储桶权限纳入变更审批，每周自动检查公开访问。",
    ),
    (
        IncidentCategory::DeviceFailure,
        "核心交换机板卡故障",
        "核心交换机一块业务板卡离线，部分楼层断网。",
        "板卡老化，超出维保期限。",
        "梳理关键设备维保到期情况，提前采购备件。",
    ),
    (
        IncidentCategory::DeviceFailure,
        "机房空调停机导致温度过高",
        "机房温度告警，部分服务器自动关机。",
        "空调压缩机故障且未配置冗余。",
        "机房空调改为 N+1 冗余，温度告警接入值班电话。",
    ),
    (
        IncidentCategory::Violation,
        "员工私自安装远程控制软件",
        "终端管理系统发现未授权的远程控制软件。",
        "员工为居家办公自行安装。",
        "重申软件安装规定，提供正式的远程办公方式。",
    ),
    (
        IncidentCategory::Violation,
        "共享账号在多地同时登录",
        "业务系统同一账号在两个城市同时在线。",
        "部门内多人共用一个账号。",
        "落实一人一号，定期清理共享账号。",
    ),
    (
        IncidentCategory::SecurityHazard,
        "漏洞扫描发现高危弱口令",
        "季度扫描发现多台设备使用默认口令。",
        "设备上线前未修改默认口令。",
        "设备上线检查表增加口令修改项。",
    ),
    (
        IncidentCategory::AbnormalBehavior,
        "离职员工账号深夜登录",
        "已离职员工的 VPN 账号在凌晨成功登录。",
        "离职流程未及时回收 VPN 权限。",
        "离职当日回收全部权限，由系统自动发起权限回收。",
    ),
    (
        IncidentCategory::InformationContent,
        "官网页面被篡改",
        "官网新闻页面出现与单位无关的内容。",
        "内容管理系统后台口令泄露。",
        "后台启用双因素认证，网页防篡改监测。",
    ),
    (
        IncidentCategory::ForceMajeure,
        "台风导致分支机构断电",
        "台风过境，分支机构市电中断，业务系统离线。",
        "不可抗力；UPS 续航不足。",
        "分支机构增配发电机，完善灾备切换演练。",
    ),
    (
        IncidentCategory::Other,
        "门禁系统记录异常",
        "门禁系统出现非工作时间的开门记录。",
        "门禁卡遗失后未及时挂失。",
        "门禁卡遗失须当日报告并挂失。",
    ),
];

const PLACES: &[&str] = &[
    "总部机房",
    "研发中心",
    "客服中心",
    "分支机构",
    "财务部",
    "数据中心 A",
];

/// How many incidents the demo makes at `scale` (250 at scale 2,000).
pub(super) fn count(scale: u64) -> usize {
    usize::try_from((scale / 8).clamp(20, 400_000)).unwrap_or(20)
}

/// Generates the incidents, their teams, assets, timelines and moves; returns how many.
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
    let assets: Option<(i64, i64)> = {
        let rows = Sql::new("SELECT MIN(id) AS lo, MAX(id) AS hi FROM assets")
            .fetch_all(conn)
            .await?;
        rows.first().and_then(|r| {
            Some((
                r.try_get::<Option<i64>, _>("lo").ok()??,
                r.try_get::<Option<i64>, _>("hi").ok()??,
            ))
        })
    };
    let mut incidents = Batch::new(
        "incidents",
        "id, code, title, description, location, occurred_at, detected_at, reported_at, reporter_id, department_id, category, class, level, status, triaged_at, triaged_by, committee_noted_at, committee_noted_by, contained_at, closed_at, root_cause, lessons_learned, rejection_reason, search_text, version, created_at, updated_at",
    );
    let mut handlers = Batch::new("incident_handlers", "incident_id, user_id");
    let mut affected = Batch::new("incident_assets", "incident_id, asset_id, category");
    let mut timeline = Batch::new(
        "incident_timeline",
        "incident_id, at, note, author_id, author, created_at",
    );
    let mut moves = Batch::new(
        "workflow_moves",
        "process, item_id, from_state, to_state, actor_id, actor, at, comment",
    );
    let triagers = [&people.security_admin, &people.officer];
    let mut per_year: std::collections::HashMap<i32, i64> = std::collections::HashMap::new();
    // Rows that refer to incidents, written once the incidents are: (table, row).
    let mut later: Vec<(u8, Vec<castellan_store::Value>)> = Vec::new();
    for i in 0..n {
        let id = 1 + i as i64;
        let minutes_ago = ((n - i) as i64 * 525_600) / n as i64;
        let reported = now.plus(Duration::minutes(-minutes_ago));
        let year = reported.datetime().year();
        let seq = per_year.entry(year).or_insert(0);
        *seq += 1;
        let code = format!("INC-{year}-{seq:04}");
        let Some((reporter, dept, _)) = rng.pick(&people.staff).cloned() else {
            continue;
        };
        let Some(&(category, title, seen, cause, lesson)) = rng.pick(STORIES) else {
            continue;
        };
        let occurred = reported.plus(Duration::minutes(-(30 + rng.below(600) as i64)));
        let detected = reported.plus(Duration::minutes(-(rng.below(30) as i64)));
        let place = rng.pick(PLACES).copied().unwrap_or("总部机房");
        // The newest reports are still being handled; older ones are mostly closed.
        let age_days = minutes_ago / 1440;
        let roll = rng.below(100);
        let status = if roll < 8 {
            IncidentStatus::Rejected
        } else if age_days < 2 && roll < 30 {
            IncidentStatus::Reported
        } else if age_days < 10 {
            rng.pick(&[
                IncidentStatus::Triaged,
                IncidentStatus::Investigating,
                IncidentStatus::Contained,
                IncidentStatus::Recovered,
                IncidentStatus::Closed,
            ])
            .copied()
            .unwrap_or(IncidentStatus::Closed)
        } else if roll < 12 {
            IncidentStatus::Recovered
        } else {
            IncidentStatus::Closed
        };
        let level = match rng.below(100) {
            0..=59 => IncidentLevel::General,
            60..=87 => IncidentLevel::Significant,
            88..=97 => IncidentLevel::Major,
            _ => IncidentLevel::Critical,
        };
        let class = match (category, rng.below(100)) {
            (IncidentCategory::ForceMajeure, _) => IncidentClass::Special,
            (_, 0..=54) => IncidentClass::Normal,
            (_, 55..=89) => IncidentClass::Serious,
            _ => IncidentClass::Special,
        };
        let triager = rng.pick(&triagers).copied().unwrap_or(&people.officer);
        // One triage in ten is late (the default deadline is four hours).
        let triage_after = if rng.below(10) == 0 {
            250 + rng.below(600) as i64
        } else {
            10 + rng.below(200) as i64
        };
        let triaged = (status != IncidentStatus::Reported && status != IncidentStatus::Rejected)
            .then(|| reported.plus(Duration::minutes(triage_after)));
        let rejected_at = (status == IncidentStatus::Rejected)
            .then(|| reported.plus(Duration::minutes(20 + rng.below(120) as i64)));
        let noted = match (triaged, level.needs_committee()) {
            (Some(t), true) if rng.below(8) > 0 => {
                Some(t.plus(Duration::minutes(if rng.below(6) == 0 {
                    70 + rng.below(300) as i64
                } else {
                    5 + rng.below(50) as i64
                })))
            }
            _ => None,
        };
        let step = |k: i64| triaged.map(|t| t.plus(Duration::hours(k * (2 + rng_hours(i)))));
        let contained = matches!(
            status,
            IncidentStatus::Contained | IncidentStatus::Recovered | IncidentStatus::Closed
        )
        .then(|| step(2))
        .flatten();
        let recovered = matches!(status, IncidentStatus::Recovered | IncidentStatus::Closed)
            .then(|| step(4))
            .flatten();
        let closed = match status {
            IncidentStatus::Closed => step(6),
            IncidentStatus::Rejected => rejected_at,
            _ => None,
        };
        let updated = [
            closed,
            recovered,
            contained,
            triaged,
            rejected_at,
            Some(reported),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(reported);
        let done = status == IncidentStatus::Closed;
        let team: Vec<(UserId, String)> = if triaged.is_some() {
            let mut t = vec![people.security_admin.clone()];
            if let Some(s) = rng.pick(&people.staff) {
                t.push((s.0, s.2.clone()));
            }
            if matches!(category, IncidentCategory::DataSecurity) {
                t.push(people.data_admin.clone());
            }
            t.sort_by_key(|(u, _)| *u);
            t.dedup_by_key(|(u, _)| *u);
            t
        } else {
            Vec::new()
        };
        let search = format!("{code} {title} {place}").to_lowercase();
        let code_for_row = code.clone();
        incidents
            .push(
                conn,
                vec![
                    int(id),
                    text(&code_for_row),
                    text(title),
                    text(seen),
                    text(place),
                    text(&occurred.to_db()),
                    text(&detected.to_db()),
                    text(&reported.to_db()),
                    int(reporter.0),
                    int(dept.0),
                    opt_text(triaged.map(|_| category.code().to_owned())),
                    opt_text(triaged.map(|_| class.code().to_owned())),
                    opt_text(triaged.map(|_| level.code().to_owned())),
                    text(status.code()),
                    opt_text(triaged.map(|t| t.to_db())),
                    opt_int(triaged.map(|_| triager.0.0)),
                    opt_text(noted.map(|t| t.to_db())),
                    opt_int(noted.map(|_| people.committee.0.0)),
                    opt_text(contained.map(|t| t.to_db())),
                    opt_text(closed.map(|t| t.to_db())),
                    opt_text(done.then(|| cause.to_owned())),
                    opt_text(done.then(|| lesson.to_owned())),
                    opt_text(
                        (status == IncidentStatus::Rejected)
                            .then(|| "经核实为误报，不属于安全事件。".to_owned()),
                    ),
                    text(&search),
                    int(1),
                    text(&reported.to_db()),
                    text(&updated.to_db()),
                ],
            )
            .await?;
        for (u, _) in &team {
            later.push((1, vec![int(id), int(u.0)]));
        }
        if let Some((lo, hi)) = assets
            && rng.below(10) < 7
        {
            let a = lo + (rng.below(usize::try_from(hi - lo + 1).unwrap_or(1)) as i64);
            // The category is filled from the asset once all rows are written.
            later.push((2, vec![int(id), int(a), text("")]));
        }
        // The moves, and the team's entries along them.
        let mut path: Vec<(IncidentStatus, IncidentStatus, Timestamp, &(UserId, String))> =
            Vec::new();
        if let Some(r) = rejected_at {
            path.push((
                IncidentStatus::Reported,
                IncidentStatus::Rejected,
                r,
                triager,
            ));
        }
        if let Some(t) = triaged {
            path.push((
                IncidentStatus::Reported,
                IncidentStatus::Triaged,
                t,
                triager,
            ));
            if status != IncidentStatus::Triaged {
                let lead = team.first().unwrap_or(triager);
                path.push((
                    IncidentStatus::Triaged,
                    IncidentStatus::Investigating,
                    t.plus(Duration::minutes(15)),
                    lead,
                ));
                for (from, to, at) in [
                    (
                        IncidentStatus::Investigating,
                        IncidentStatus::Contained,
                        contained,
                    ),
                    (
                        IncidentStatus::Contained,
                        IncidentStatus::Recovered,
                        recovered,
                    ),
                    (IncidentStatus::Recovered, IncidentStatus::Closed, closed),
                ] {
                    if let Some(at) = at {
                        path.push((from, to, at, lead));
                    }
                }
            }
        }
        for (from, to, at, who) in &path {
            let comment = (*to == IncidentStatus::Rejected)
                .then(|| "经核实为误报，不属于安全事件。".to_owned());
            later.push((
                4,
                vec![
                    text("incident"),
                    int(id),
                    text(from.code()),
                    text(to.code()),
                    int(who.0.0),
                    text(&who.1),
                    text(&at.to_db()),
                    opt_text(comment),
                ],
            ));
        }
        if let Some(t) = triaged {
            for (k, (author, note)) in team
                .iter()
                .zip([
                    "已确认告警并保存日志，开始排查影响范围。",
                    "已隔离受影响主机，阻断可疑连接。",
                    "已完成修复并验证业务恢复正常。",
                ])
                .enumerate()
            {
                let at = t.plus(Duration::minutes(30 + 90 * k as i64));
                if at > updated && status != IncidentStatus::Closed {
                    break;
                }
                later.push((
                    3,
                    vec![
                        int(id),
                        text(&at.to_db()),
                        text(note),
                        int(author.0.0),
                        text(&author.1),
                        text(&at.to_db()),
                    ],
                ));
            }
        }
    }
    incidents.flush(conn).await?;
    for (table, row) in later {
        match table {
            1 => handlers.push(conn, row).await?,
            2 => affected.push(conn, row).await?,
            3 => timeline.push(conn, row).await?,
            _ => moves.push(conn, row).await?,
        }
    }
    handlers.flush(conn).await?;
    affected.flush(conn).await?;
    // The affected assets' categories, as a report would record them.
    conn.execute(
        "UPDATE incident_assets SET category = (SELECT category FROM assets WHERE assets.id = incident_assets.asset_id)",
        &[],
    )
    .await?;
    timeline.flush(conn).await?;
    moves.flush(conn).await?;
    for (year, last) in per_year {
        let mut q = Sql::new("INSERT INTO code_counters (prefix, last) VALUES (");
        q.bind(format!("INC-{year}"))
            .push(", ")
            .bind(last)
            .push(")");
        q.execute(conn).await?;
    }
    if conn.backend() == castellan_store::Backend::Postgres {
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('incidents', 'id'), (SELECT MAX(id) FROM incidents))",
            &[],
        )
        .await?;
        conn.execute("ANALYZE incidents", &[]).await?;
    }
    Ok(n)
}

/// A small deterministic spread of handling hours per incident.
fn rng_hours(i: usize) -> i64 {
    (i % 5) as i64
}
