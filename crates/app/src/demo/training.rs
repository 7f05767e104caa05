//! Demo training: this year's plan, approved by the security officer, with its trainings —
//! those of past months held, with about nine in ten of their audience attending (some with
//! scores), one cancelled, the rest planned — and next year's plan in draft.

use super::DemoRng;
use super::requests::{Batch, People, int, opt_int, opt_text, text};
use crate::error::Result;
use castellan_domain::training::TrainingStatus;
use castellan_domain::{Day, Timestamp, UserId};
use castellan_store::Conn;

/// The year's trainings (written for the demo): month, title, topic, trainer, for
/// everyone (true) or the security and IT people (false).
const TRAININGS: &[(u8, &str, &str, &str, bool)] = &[
    (
        1,
        "新员工信息安全入职培训",
        "信息安全方针、账号口令、办公终端使用要求",
        "陈静",
        true,
    ),
    (
        3,
        "钓鱼邮件识别与报告",
        "识别钓鱼邮件的常见特征，发现后如何在 Castellan 报告",
        "李强",
        true,
    ),
    (
        4,
        "等级保护 2.0 基本要求解读",
        "安全通用要求与扩展要求要点",
        "外部讲师",
        false,
    ),
    (
        5,
        "数据分级与个人信息保护",
        "数据分级标准、敏感数据处理要求",
        "孙艳",
        true,
    ),
    (
        6,
        "应急响应演练复盘",
        "年度应急演练中发现的问题与改进",
        "李强",
        false,
    ),
    (
        7,
        "安全编码实践",
        "常见 Web 漏洞成因与防范",
        "外部讲师",
        false,
    ),
    (
        9,
        "社会工程学防范",
        "电话、即时通讯中的社会工程攻击",
        "陈静",
        true,
    ),
    (11, "年度制度宣贯", "本年度修订的制度文件要点", "孙艳", true),
];

/// Generates the plans; returns how many trainings were created.
pub(super) async fn generate(
    conn: &mut Conn,
    rng: &mut DemoRng,
    people: &People,
    compliance: (UserId, String),
    now: Timestamp,
) -> Result<usize> {
    let today = Day::of(now);
    let year = today.date().year();
    let month = u8::from(today.date().month());
    let officer = people.officer.0;
    let created = now.plus(time::Duration::days(
        -(i64::from(today.date().ordinal()) + 20),
    ));
    let approved = created.plus(time::Duration::days(5));
    let chain = castellan_store::workflow::chain_for(
        conn,
        "training_plan",
        castellan_domain::workflow::chain::Impact::Normal,
    )
    .await?;
    let steps = chain
        .as_ref()
        .map(|c| serde_json::to_string(&c.steps).unwrap_or_else(|_| "[]".into()));
    let mut plans = Batch::new(
        "training_plans",
        "id, year, title, description, status, chain_id, chain_version, steps, round, submitted_by, submitted_at, approved_by, approved_at, created_by, version, created_at, updated_at",
    );
    plans
        .push(
            conn,
            vec![
                int(1),
                int(i64::from(year)),
                text(&format!("{year} 年度信息安全培训计划")),
                text(
                    "全员安全意识培训每季度不少于一次；安全与信息技术人员专项培训每年不少于三次。",
                ),
                text("approved"),
                opt_int(chain.as_ref().map(|c| c.id)),
                opt_int(chain.as_ref().map(|c| c.version)),
                opt_text(steps.clone()),
                int(1),
                int(compliance.0.0),
                text(&created.plus(time::Duration::days(1)).to_db()),
                int(officer.0),
                text(&approved.to_db()),
                int(compliance.0.0),
                int(1),
                text(&created.to_db()),
                text(&approved.to_db()),
            ],
        )
        .await?;
    plans
        .push(
            conn,
            vec![
                int(2),
                int(i64::from(year + 1)),
                text(&format!("{} 年度信息安全培训计划", year + 1)),
                text("延续全员意识培训，新增供应链安全与云安全专题。"),
                text("draft"),
                opt_int(None),
                opt_int(None),
                opt_text(None),
                int(0),
                opt_int(None),
                opt_text(None),
                opt_int(None),
                opt_text(None),
                int(compliance.0.0),
                int(1),
                text(&now.to_db()),
                text(&now.to_db()),
            ],
        )
        .await?;
    plans.flush(conn).await?;
    let mut moves = Batch::new(
        "workflow_moves",
        "process, item_id, from_state, to_state, actor_id, actor, at, comment",
    );
    for (from, to, who, at) in [
        (
            "draft",
            "in_review",
            &compliance,
            created.plus(time::Duration::days(1)),
        ),
        ("in_review", "approved", &people.officer, approved),
    ] {
        moves
            .push(
                conn,
                vec![
                    text("training_plan"),
                    int(1),
                    text(from),
                    text(to),
                    int(who.0.0),
                    text(&who.1),
                    text(&at.to_db()),
                    opt_text(None),
                ],
            )
            .await?;
    }
    moves.flush(conn).await?;
    // Technical trainings are for the security and IT roles.
    let mut trainings = Batch::new(
        "trainings",
        "id, plan_id, title, topic, planned_month, held_at, trainer, document_id, status, created_by, version, created_at, updated_at",
    );
    let mut audience = Batch::new("training_audience", "training_id, department_id, role");
    let mut id = 0_i64;
    let mut held = Vec::new();
    for (plan, plan_year) in [(1_i64, year), (2, year + 1)] {
        for &(m, title, topic, trainer, everyone) in TRAININGS {
            id += 1;
            let status = if plan == 1 && m < month {
                if m == 6 {
                    TrainingStatus::Cancelled
                } else {
                    TrainingStatus::Held
                }
            } else {
                TrainingStatus::Planned
            };
            let day = Day::parse(&format!("{plan_year:04}-{m:02}-{:02}", 10 + rng.below(15))).ok();
            let held_at = (status == TrainingStatus::Held).then_some(day).flatten();
            if held_at.is_some() {
                held.push(id);
            }
            trainings
                .push(
                    conn,
                    vec![
                        int(id),
                        int(plan),
                        text(title),
                        text(topic),
                        int(i64::from(m)),
                        opt_text(held_at.map(|d| d.to_db())),
                        text(trainer),
                        opt_int(None),
                        text(status.code()),
                        int(compliance.0.0),
                        int(1),
                        text(&created.to_db()),
                        text(&now.to_db()),
                    ],
                )
                .await?;
            if !everyone {
                for role in [
                    "security_officer",
                    "security_admin",
                    "network_admin",
                    "application_admin",
                    "data_admin",
                ] {
                    audience
                        .push(conn, vec![int(id), opt_int(None), text(role)])
                        .await?;
                }
            }
        }
    }
    trainings.flush(conn).await?;
    audience.flush(conn).await?;
    let mut attendance = Batch::new(
        "training_attendance",
        "training_id, user_id, attended, score, recorded_at",
    );
    for t in held {
        for (user, _, _, _, _) in
            castellan_store::training::trainings::audience(conn, t, u32::MAX).await?
        {
            let roll = rng.below(100);
            if roll >= 97 {
                continue;
            }
            let attended = roll < 90;
            let score = (attended && t % 2 == 0).then(|| 70 + rng.below(31) as i64);
            attendance
                .push(
                    conn,
                    vec![
                        int(t),
                        int(user.0),
                        int(i64::from(attended)),
                        opt_int(score),
                        text(&now.to_db()),
                    ],
                )
                .await?;
        }
    }
    attendance.flush(conn).await?;
    if conn.backend() == castellan_store::Backend::Postgres {
        for table in ["training_plans", "trainings"] {
            conn.execute(
                &format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"),
                &[],
            )
            .await?;
        }
    }
    Ok(usize::try_from(id).unwrap_or(0))
}
