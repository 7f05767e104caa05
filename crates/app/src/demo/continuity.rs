//! Demo continuity: backup plans for most high-value assets (a few left uncovered, some
//! restore tests months old, one failed, some never tested), four DR plans written in the
//! organization's DR document, and a year of drills — one of them slower than its plan's
//! RTO, its missed RTO and problems open as rectification tasks, an earlier problem put
//! right and verified.

use super::DemoRng;
use super::requests::People;
use crate::error::Result;
use castellan_domain::continuity::{
    BackupFrequency, BackupPlan, DrPlan, Drill, DrillResult, ProblemKind, Verification,
    VerificationResult,
};
use castellan_domain::ids::AssetId;
use castellan_domain::rectification::{Rectification, RectificationSource, RectificationStatus};
use castellan_domain::{Day, Timestamp, UserId};
use castellan_store::Conn;
use castellan_store::continuity::{backup_plans, dr_plans, drills};
use castellan_store::sql::Sql;
use castellan_store::workflow as wf;
use time::Duration;

/// What the demo backs up, how often, how long and where (written for the demo).
const SCOPES: &[(&str, BackupFrequency, &str, &str, i64, i64)] = &[
    (
        "数据库全量备份 + 归档日志",
        BackupFrequency::Daily,
        "30 天",
        "同城灾备机房磁带库",
        24,
        4,
    ),
    (
        "数据库实时复制",
        BackupFrequency::Continuous,
        "7 天",
        "同城灾备机房",
        1,
        2,
    ),
    (
        "应用配置与部署包",
        BackupFrequency::Weekly,
        "90 天",
        "对象存储（异地）",
        168,
        8,
    ),
    (
        "文件服务器增量备份",
        BackupFrequency::Daily,
        "180 天",
        "备份一体机",
        24,
        12,
    ),
    (
        "虚拟机快照",
        BackupFrequency::Hourly,
        "3 天",
        "存储阵列快照区",
        1,
        4,
    ),
];

/// The DR plans: title, RTO in hours, description.
const PLANS: &[(&str, i64, &str)] = &[
    (
        "核心业务系统同城灾备切换预案",
        4,
        "ERP、CRM 等核心系统在主数据中心不可用时切换至同城灾备中心。",
    ),
    (
        "数据中心断电应急恢复预案",
        8,
        "主机房市电中断且 UPS 耗尽后的有序关机与恢复上电。",
    ),
    (
        "勒索病毒数据恢复预案",
        24,
        "隔离感染主机，从离线备份恢复业务数据。",
    ),
    (
        "办公网络中断应急预案",
        12,
        "核心交换机或出口链路故障时切换备用链路。",
    ),
];

/// A drill of the demo year.
struct DrillSpec {
    /// How many days ago it was held.
    days_ago: i64,
    /// Which of `PLANS` it drilled.
    plan: usize,
    /// What was simulated.
    scenario: &'static str,
    /// How it went.
    result: DrillResult,
    /// Hours the recovery took.
    achieved: Option<i64>,
    /// Problems found.
    problems: &'static [&'static str],
}

/// A year of drills (written for the demo).
const DRILLS: &[DrillSpec] = &[
    DrillSpec {
        days_ago: 330,
        plan: 0,
        scenario: "ERP 数据库主库宕机，切换至同城灾备库",
        result: DrillResult::Passed,
        achieved: Some(3),
        problems: &[],
    },
    DrillSpec {
        days_ago: 280,
        plan: 1,
        scenario: "主机房计划外断电，按预案关机并恢复",
        result: DrillResult::Partial,
        achieved: Some(7),
        problems: &["2 号 UPS 电池组放电时间不足 10 分钟，低于设计值。"],
    },
    DrillSpec {
        days_ago: 220,
        plan: 2,
        scenario: "财务文件服务器被勒索软件加密，从离线备份恢复",
        result: DrillResult::Passed,
        achieved: Some(18),
        problems: &[],
    },
    DrillSpec {
        days_ago: 160,
        plan: 3,
        scenario: "核心交换机故障，切换至备用交换机",
        result: DrillResult::Passed,
        achieved: Some(2),
        problems: &[],
    },
    DrillSpec {
        days_ago: 110,
        plan: 0,
        scenario: "CRM 应用服务器集群整体不可用",
        result: DrillResult::Passed,
        achieved: Some(4),
        problems: &[],
    },
    DrillSpec {
        days_ago: 60,
        plan: 1,
        scenario: "数据中心整体断电 12 小时，恢复全部业务系统",
        result: DrillResult::Partial,
        achieved: Some(14),
        problems: &[
            "备用发电机启动后 40 分钟才接入，配电切换步骤未写入预案。",
            "恢复顺序未按业务优先级排列，OA 先于 ERP 恢复。",
        ],
    },
    DrillSpec {
        days_ago: 20,
        plan: 3,
        scenario: "互联网出口链路中断，切换至备用运营商",
        result: DrillResult::Passed,
        achieved: Some(1),
        problems: &[],
    },
];

/// Backup plans, DR plans and drills created.
pub(super) struct ContinuityCounts {
    /// Backup plans.
    pub backup_plans: usize,
    /// DR plans.
    pub dr_plans: usize,
    /// Drills.
    pub drills: usize,
}

/// The `n`th of `people`, round and round.
fn pick(people: &[UserId], n: usize) -> UserId {
    people
        .get(n % people.len().max(1))
        .copied()
        .unwrap_or(UserId(0))
}

/// The most high-value assets the demo plans backups for (the rest stay uncovered).
const COVERED_MAX: i64 = 5_000;

pub(super) async fn generate(
    conn: &mut Conn,
    rng: &mut DemoRng,
    people: &People,
    now: Timestamp,
) -> Result<ContinuityCounts> {
    let today = Day::of(now);
    let day = |days_ago: i64| Day::from_date(today.date() - Duration::days(days_ago));
    let at = |days_ago: i64| now.plus(Duration::days(-days_ago));
    let keepers = [
        people.data_admin.0,
        people.security_admin.0,
        people.officer.0,
    ];

    // Backup plans for the high-value assets, every 97th left without one.
    let mut q = Sql::new(
        "SELECT id, owner_id FROM assets WHERE value_level >= 4 AND status <> 'retired' ORDER BY id LIMIT ",
    );
    q.bind(COVERED_MAX);
    let mut valuable: Vec<(AssetId, Option<UserId>)> = Vec::new();
    for row in q.fetch_all(conn).await? {
        let owner: Option<i64> = row.try_get("owner_id")?;
        valuable.push((AssetId(row.try_get("id")?), owner.map(UserId)));
    }
    let mut backup_count = 0;
    for (n, (asset, owner)) in valuable.iter().enumerate() {
        if n % 97 == 7 {
            continue;
        }
        let Some(&(scope, frequency, retention, location, rpo, rto)) = rng.pick(SCOPES) else {
            continue;
        };
        let keeper = owner.unwrap_or_else(|| pick(&keepers, n));
        let created = at(300 + rng.below(60) as i64);
        // When its restore was last tested: mostly this quarter, some months ago, a few
        // never; now and then a failed test.
        let roll = rng.below(20);
        let last: Option<(i64, VerificationResult)> = match roll {
            0 | 1 => None,
            2..=5 => Some((120 + rng.below(120) as i64, VerificationResult::Passed)),
            6 => Some((10 + rng.below(30) as i64, VerificationResult::Failed)),
            _ => Some((5 + rng.below(80) as i64, VerificationResult::Passed)),
        };
        let note = |r: VerificationResult| match r {
            VerificationResult::Passed => "抽取一份副本恢复到测试环境，数据完整。",
            VerificationResult::Failed => "恢复时发现最近 3 天的归档日志缺失。",
        };
        let mut p = BackupPlan {
            id: 0,
            asset_id: *asset,
            scope: scope.to_owned(),
            frequency,
            retention: retention.to_owned(),
            location: location.to_owned(),
            rpo_hours: rpo,
            rto_hours: rto,
            owner_id: keeper,
            last_verified_at: last.map(|(d, _)| day(d)),
            last_result: last.map(|(_, r)| r),
            last_note: last.map(|(_, r)| note(r).to_owned()),
            last_verified_by: last.map(|_| keeper),
            created_by: Some(people.officer.0),
            version: 1,
            created_at: created,
            updated_at: created,
        };
        p.id = backup_plans::insert(conn, &p).await?;
        if let Some((days_ago, result)) = last {
            // An earlier passing test a quarter before the last one.
            for (d, r) in [
                (days_ago + 90, VerificationResult::Passed),
                (days_ago, result),
            ] {
                if d < 300 {
                    backup_plans::insert_verification(
                        conn,
                        &Verification {
                            id: 0,
                            plan_id: p.id,
                            verified_at: day(d),
                            result: r,
                            note: Some(note(r).to_owned()),
                            verified_by: keeper,
                            created_at: at(d),
                        },
                    )
                    .await?;
                }
            }
        }
        backup_count += 1;
    }

    // The DR plans, written in the organization's DR document.
    let q = Sql::new(
        "SELECT id FROM documents ORDER BY CASE WHEN family = 'continuity' AND kind = 'plan' THEN 0 WHEN family = 'continuity' THEN 1 ELSE 2 END, id LIMIT 1",
    );
    let document: i64 = match q.fetch_optional(conn).await? {
        Some(row) => row.try_get("id")?,
        None => {
            return Ok(ContinuityCounts {
                backup_plans: backup_count,
                dr_plans: 0,
                drills: 0,
            });
        }
    };
    let owners = [
        people.security_admin.0,
        people.data_admin.0,
        people.officer.0,
        people.security_admin.0,
    ];
    let mut plans: Vec<DrPlan> = Vec::new();
    for (i, (title, rto, description)) in PLANS.iter().enumerate() {
        let created = at(400);
        let year = created.datetime().year();
        let n = wf::next_number(conn, &format!("DRP-{year}")).await?;
        let assets: Vec<AssetId> = valuable
            .iter()
            .skip(i * 3)
            .take(3)
            .map(|(a, _)| *a)
            .collect();
        let mut p = DrPlan {
            id: 0,
            code: format!("DRP-{year}-{n:04}"),
            title: (*title).to_owned(),
            asset_ids: assets,
            document_id: document,
            owner_id: pick(&owners, i),
            rto_hours: *rto,
            adopted_at: day(400),
            description: Some((*description).to_owned()),
            created_by: Some(people.officer.0),
            version: 1,
            created_at: created,
            updated_at: created,
        };
        p.id = dr_plans::insert(conn, &p).await?;
        plans.push(p);
    }

    // A year of drills; the one that missed its RTO keeps its tasks open.
    let crew: Vec<UserId> = [
        people.security_admin.0,
        people.data_admin.0,
        people.officer.0,
    ]
    .into_iter()
    .chain(people.staff.iter().take(12).map(|s| s.0))
    .collect();
    let mut drill_count = 0;
    for spec in DRILLS {
        let DrillSpec {
            days_ago,
            plan: plan_index,
            scenario,
            result,
            achieved,
            problems,
        } = spec;
        let Some(plan) = plans.get(*plan_index) else {
            continue;
        };
        let held = day(*days_ago);
        let year = held.date().year();
        let n = wf::next_number(conn, &format!("DRL-{year}")).await?;
        let mut participants: Vec<UserId> = vec![plan.owner_id];
        for _ in 0..3 {
            if let Some(u) = rng.pick(&crew)
                && !participants.contains(u)
            {
                participants.push(*u);
            }
        }
        let recorded = at(*days_ago);
        let mut d = Drill {
            id: 0,
            code: format!("DRL-{year}-{n:04}"),
            dr_plan_id: plan.id,
            held_at: held,
            scenario: (*scenario).to_owned(),
            participant_ids: participants,
            result: *result,
            achieved_rto_hours: *achieved,
            summary: Some(if problems.is_empty() {
                "按预案完成恢复，各岗位配合顺畅。".to_owned()
            } else {
                "恢复完成，但暴露出以下问题，已建立整改任务。".to_owned()
            }),
            problems: Vec::new(),
            created_by: Some(people.officer.0),
            version: 1,
            created_at: recorded,
            updated_at: recorded,
        };
        d.id = drills::insert(conn, &d).await?;
        let missed = castellan_domain::continuity::missed_rto(*result, *achieved, plan.rto_hours);
        let mut found: Vec<(ProblemKind, String)> = Vec::new();
        if missed {
            found.push((
                ProblemKind::MissedRto,
                format!(
                    "演练 {} 恢复用时 {} 小时，超过预案 {}（{}）的恢复时间目标 {} 小时，请查明原因并整改。",
                    d.code,
                    achieved.unwrap_or_default(),
                    plan.code,
                    plan.title,
                    plan.rto_hours
                ),
            ));
        }
        found.extend(
            problems
                .iter()
                .map(|p| (ProblemKind::Found, (*p).to_owned())),
        );
        // Problems of drills older than a quarter have been put right; the latest are open.
        let open = *days_ago < 90;
        for (k, (kind, text)) in found.iter().enumerate() {
            let problem = drills::add_problem(conn, d.id, *kind, text, recorded).await?;
            let responsible = if *kind == ProblemKind::MissedRto {
                plan.owner_id
            } else {
                pick(&keepers, k)
            };
            let verifier = if responsible == people.officer.0 {
                people.security_admin.0
            } else {
                people.officer.0
            };
            let due_on = if open {
                Day::from_date(today.date() + Duration::days(20 + 10 * k as i64))
            } else {
                Day::from_date(held.date() + Duration::days(30))
            };
            let status = if open {
                RectificationStatus::Open
            } else {
                RectificationStatus::Verified
            };
            let year = recorded.datetime().year();
            let rn = wf::next_number(conn, &format!("RECT-{year}")).await?;
            let done = recorded.plus(Duration::days(21));
            let department = castellan_store::org::users::get(conn, plan.owner_id)
                .await?
                .and_then(|u| u.department_id);
            let t = Rectification {
                id: 0,
                code: format!("RECT-{year}-{rn:04}"),
                source: RectificationSource::Drill,
                source_id: d.id,
                source_code: d.code.clone(),
                department_id: department,
                description: text.clone(),
                responsible_id: responsible,
                verifier_id: verifier,
                due_on,
                status,
                resolution: (!open).then(|| "已修订预案并复测通过。".into()),
                done_at: (!open).then_some(done),
                verified_at: (!open).then(|| done.plus(Duration::days(3))),
                created_by: Some(people.officer.0),
                version: 1,
                created_at: recorded,
                updated_at: recorded,
            };
            let task = castellan_store::rectification::tasks::insert(conn, &t).await?;
            drills::set_rectification(conn, problem, task).await?;
        }
        drill_count += 1;
    }
    Ok(ContinuityCounts {
        backup_plans: backup_count,
        dr_plans: plans.len(),
        drills: drill_count,
    })
}
