//! Demo inspections: the quarterly inspection on the shipped checklist and a monthly
//! machine-room round on the organization's own checklist (both approved, with a year of
//! inspections behind them — findings with their rectification tasks, most verified, the
//! latest open; the machine-room round overdue), an annual data-security plan waiting for
//! the security officer and a network-boundary plan in draft; at larger scales one
//! quarterly plan per further division.

use super::DemoRng;
use super::requests::People;
use crate::error::Result;
use crate::workflow::runs::Origin;
use castellan_domain::inspection::{
    CheckArea, Checklist, ChecklistItem, Frequency, Inspection, InspectionPlan, InspectionStatus,
    ItemResult, PlanStatus,
};
use castellan_domain::rectification::{Rectification, RectificationSource, RectificationStatus};
use castellan_domain::workflow::Decision;
use castellan_domain::workflow::chain::Impact;
use castellan_domain::workflow::run::{ChainPick, ChainRun};
use castellan_domain::{Day, Timestamp, UserId};
use castellan_store::Conn;
use castellan_store::inspection::{checklists, inspections, plans};
use castellan_store::workflow::{self as wf, NewApproval};
use time::Duration;

/// The machine-room round's items (written for the demo).
const ROOM_ITEMS: &[(&str, &str)] = &[
    ("MR-01", "机房温度 18–27℃、湿度 35%–75%，空调运行正常"),
    ("MR-02", "UPS 电池自检正常，负载不超过 70%"),
    ("MR-03", "消防气体灭火装置压力正常，无遮挡"),
    ("MR-04", "门禁与视频监控正常，出入登记完整"),
    ("MR-05", "机柜整洁上锁，线缆标识清晰"),
    ("MR-06", "无告警设备，硬盘、电源指示灯正常"),
];

/// What inspectors typically note on a failed item (written for the demo).
const NOTES: &[&str] = &[
    "抽查 3 台服务器，1 台未安装本季度补丁。",
    "发现 2 条源地址为任意的放行策略。",
    "2 名离职人员账号仍可登录。",
    "备份恢复测试记录缺失。",
    "访客登记表有 3 处未签离。",
    "防病毒特征库超过 30 天未更新的终端 4 台。",
];

/// A plan of the demo: title, scope, frequency, checklist, status, first due day,
/// inspectors, duties.
type Spec = (
    String,
    &'static str,
    Frequency,
    i64,
    PlanStatus,
    Day,
    Vec<UserId>,
    &'static str,
);

/// The organization's day `days` before `now` (its local day: a plan due "today" is not
/// overdue in the evening in UTC+8).
fn day_before(now: Timestamp, days: i64, offset: time::UtcOffset) -> Day {
    Day::of_at(now.plus(Duration::days(-days)), offset)
}

/// Generates the demo's inspections; returns (plans, inspections).
pub(super) async fn generate(
    conn: &mut Conn,
    rng: &mut DemoRng,
    scale: u64,
    people: &People,
    now: Timestamp,
    offset: time::UtcOffset,
) -> Result<(usize, usize)> {
    let shipped = checklists::id_of_code(conn, castellan_domain::inspection::checklist::CODE)
        .await?
        .unwrap_or(0);
    let created = now.plus(Duration::days(-400));
    let room = Checklist {
        id: 0,
        code: "machine-room".into(),
        name: "机房月度巡检表".into(),
        name_zh: None,
        description: Some("数据中心机房每月巡检使用。".into()),
        builtin: false,
        items: ROOM_ITEMS
            .iter()
            .map(|(c, t)| ChecklistItem {
                code: (*c).into(),
                area: CheckArea::Physical,
                text: (*t).into(),
                text_zh: None,
            })
            .collect(),
        version: 1,
        created_at: created,
        updated_at: created,
    };
    let room_id = checklists::insert(conn, &room, Some(people.security_admin.0))
        .await?
        .unwrap_or(0);
    let inspector = people
        .staff
        .first()
        .map(|s| (s.0, s.2.clone()))
        .unwrap_or_else(|| people.security_admin.clone());
    let fixers: Vec<(UserId, String)> = people
        .staff
        .iter()
        .skip(1)
        .take(12)
        .map(|s| (s.0, s.2.clone()))
        .collect();
    let today = Day::of_at(now, offset);
    let mut specs: Vec<Spec> = vec![
        (
            "季度综合安全检查".into(),
            "总部及各分支机构的机房、办公网络、核心业务系统与安全管理工作",
            Frequency::Quarterly,
            shipped,
            PlanStatus::Approved,
            day_before(now, 365, offset),
            vec![people.security_admin.0, inspector.0],
            "李强：网络、系统与数据；检查员：物理、人员与管理",
        ),
        (
            "机房月度巡检".into(),
            "数据中心主机房与灾备机房",
            Frequency::Monthly,
            room_id,
            PlanStatus::Approved,
            day_before(now, 330, offset),
            vec![inspector.0],
            "检查员负责全部巡检项",
        ),
        (
            "年度数据安全专项检查".into(),
            "数据分级、备份、对外提供与个人信息保护",
            Frequency::Annual,
            shipped,
            PlanStatus::InReview,
            Day::from_date(today.date() + Duration::days(40)),
            vec![people.data_admin.0, people.security_admin.0],
            "黄芳：数据；李强：系统",
        ),
        (
            "网络边界半年检查".into(),
            "互联网出口、VPN、无线网络",
            Frequency::Semiannual,
            shipped,
            PlanStatus::Draft,
            Day::from_date(today.date() + Duration::days(60)),
            vec![people.security_admin.0],
            "",
        ),
    ];
    let extra = usize::try_from((scale / 400).saturating_sub(5))
        .unwrap_or(0)
        .min(2000);
    for n in 0..extra {
        let member = people.staff.get((n * 7 + 3) % people.staff.len().max(1));
        specs.push((
            format!("分支机构季度安全检查 {:02}", n + 1),
            "分支机构办公网络、终端与人员安全",
            Frequency::Quarterly,
            shipped,
            PlanStatus::Approved,
            day_before(now, 300 + (n as i64 % 60), offset),
            vec![member.map_or(inspector.0, |m| m.0)],
            "",
        ));
    }
    let chain = wf::chain_for(conn, "inspection_plan", Impact::Normal).await?;
    let items_of = |c: i64| if c == room_id { 0 } else { 1 };
    let shipped_items = checklists::items(conn, shipped).await?;
    let room_items = checklists::items(conn, room_id).await?;
    let officer = people.officer.clone();
    let admin = people.security_admin.clone();
    let mut plan_count = 0;
    let mut inspection_count = 0;
    for (title, scope, frequency, checklist, status, first_due, inspectors, duties) in specs {
        let year = created.datetime().year();
        let n = wf::next_number(conn, &format!("IP-{year}")).await?;
        let mut p = InspectionPlan {
            id: 0,
            code: format!("IP-{year}-{n:04}"),
            title,
            scope: Some(scope.into()),
            frequency,
            checklist_id: checklist,
            department_id: None,
            inspector_ids: inspectors.clone(),
            responsibilities: (!duties.is_empty()).then(|| duties.to_owned()),
            next_due_at: first_due,
            status: PlanStatus::Draft,
            run: ChainRun::default(),
            approved_by: None,
            approved_at: None,
            created_by: Some(admin.0),
            version: 1,
            created_at: created,
            updated_at: created,
        };
        p.id = plans::insert(conn, &p).await?;
        plan_count += 1;
        let mut key = None;
        if status != PlanStatus::Draft
            && let Some(c) = &chain
        {
            let submitted = if status == PlanStatus::InReview {
                now.plus(Duration::days(-2))
            } else {
                created.plus(Duration::days(1))
            };
            p.run.submit(
                ChainPick {
                    id: c.id,
                    version: c.version,
                    steps: &c.steps,
                },
                admin.0,
                submitted,
                None,
            );
            record_move(
                conn,
                "inspection_plan",
                p.id,
                "draft",
                "in_review",
                &admin,
                submitted,
            )
            .await?;
            p.status = PlanStatus::InReview;
            key = Origin::default().step_key(&p.run);
            if status == PlanStatus::Approved {
                let at = submitted.plus(Duration::days(2));
                wf::record_approval(
                    conn,
                    &NewApproval {
                        process: "inspection_plan",
                        item_id: p.id,
                        round: p.run.round,
                        step: 0,
                        step_name: "",
                        approver: (Some(officer.0), &officer.1),
                        decision: Decision::Approve,
                        comment: Some("同意按计划实施。"),
                        at,
                    },
                )
                .await?;
                p.run.approve(1, None);
                record_move(
                    conn,
                    "inspection_plan",
                    p.id,
                    "in_review",
                    "approved",
                    &officer,
                    at,
                )
                .await?;
                p.status = PlanStatus::Approved;
                p.approved_by = Some(officer.0);
                p.approved_at = Some(at);
                key = None;
            }
        }
        // A year of inspections: every due day up to today.
        if p.status == PlanStatus::Approved {
            let items = if items_of(checklist) == 0 {
                &room_items
            } else {
                &shipped_items
            };
            let mut due = p.next_due_at;
            let overdue_round = frequency == Frequency::Monthly;
            loop {
                let next = frequency.next_due(due, due);
                // The machine-room round missed its latest due day: the plan is overdue.
                let last = next > today;
                if last && overdue_round {
                    break;
                }
                inspection_count += 1;
                let performed = Day::from_date(due.date() + Duration::days(rng.below(5) as i64));
                let open = performed > today || last;
                perform(
                    conn,
                    rng,
                    &p,
                    items,
                    due,
                    performed.min(today),
                    open,
                    &inspectors,
                    &fixers,
                    now,
                )
                .await?;
                if last {
                    break;
                }
                due = next;
            }
            p.next_due_at = due;
        }
        plans::save(conn, &p, key.as_ref(), now).await?;
    }
    Ok((plan_count, inspection_count))
}

async fn record_move(
    conn: &mut Conn,
    process: &str,
    id: i64,
    from: &str,
    to: &str,
    who: &(UserId, String),
    at: Timestamp,
) -> Result<()> {
    wf::record_move(conn, process, id, from, to, (Some(who.0), &who.1), None, at).await?;
    Ok(())
}

/// One inspection: every item recorded, a few failed with their tasks; completed unless
/// `open` (the latest, in progress with its findings' tasks open).
#[allow(clippy::too_many_arguments)]
async fn perform(
    conn: &mut Conn,
    rng: &mut DemoRng,
    p: &InspectionPlan,
    items: &[ChecklistItem],
    due: Day,
    performed: Day,
    open: bool,
    inspectors: &[UserId],
    fixers: &[(UserId, String)],
    now: Timestamp,
) -> Result<()> {
    let at = performed
        .start_at(time::UtcOffset::UTC)
        .plus(Duration::hours(10));
    let year = at.datetime().year();
    let n = wf::next_number(conn, &format!("INSP-{year}")).await?;
    let mut i = Inspection {
        id: 0,
        code: format!("INSP-{year}-{n:04}"),
        plan_id: p.id,
        due_on: due,
        performed_at: Some(performed),
        inspector_ids: inspectors.to_vec(),
        status: InspectionStatus::InProgress,
        summary: None,
        completed_at: None,
        completed_by: None,
        created_by: inspectors.first().copied(),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    i.id = inspections::insert(conn, &i, items).await?;
    let inspector = inspectors.first().copied().unwrap_or(UserId(1));
    let lines = inspections::results(conn, i.id).await?;
    let failures = rng.below(4);
    let mut failed = 0;
    for (k, line) in lines.iter().enumerate() {
        let fail =
            failed < failures && rng.below(6) == 0 || (k == 1 && failures > 0 && failed == 0);
        let result = if fail {
            failed += 1;
            ItemResult::Fail
        } else if rng.below(20) == 0 {
            ItemResult::Na
        } else {
            ItemResult::Pass
        };
        let note = fail.then(|| *rng.pick(NOTES).unwrap_or(&""));
        inspections::set_result(conn, line.id, result, note, inspector, at).await?;
        if fail && let Some(fixer) = rng.pick(fixers) {
            let due_on = Day::from_date(performed.date() + Duration::days(30));
            let status = if open {
                RectificationStatus::Open
            } else if due_on < Day::of(now) {
                RectificationStatus::Verified
            } else {
                RectificationStatus::Done
            };
            let year = at.datetime().year();
            let rn = wf::next_number(conn, &format!("RECT-{year}")).await?;
            let done = at.plus(Duration::days(20));
            let t = Rectification {
                id: 0,
                code: format!("RECT-{year}-{rn:04}"),
                source: RectificationSource::Inspection,
                source_id: i.id,
                source_code: i.code.clone(),
                department_id: p.department_id,
                description: format!(
                    "[{}] {}\n{}",
                    line.item.code,
                    line.item.text_in(castellan_domain::Lang::ZhCn),
                    note.unwrap_or_default()
                ),
                responsible_id: fixer.0,
                verifier_id: inspector,
                due_on,
                status,
                resolution: (status != RectificationStatus::Open).then(|| "已按要求整改。".into()),
                done_at: (status != RectificationStatus::Open).then_some(done),
                verified_at: (status == RectificationStatus::Verified)
                    .then(|| done.plus(Duration::days(2))),
                created_by: Some(inspector),
                version: 1,
                created_at: at,
                updated_at: at,
            };
            let tid = castellan_store::rectification::tasks::insert(conn, &t).await?;
            inspections::set_rectification(conn, line.id, tid).await?;
        }
    }
    if !open {
        i.status = InspectionStatus::Completed;
        i.summary = Some(if failed == 0 {
            "检查项全部符合要求。".into()
        } else {
            format!("发现 {failed} 项问题，已建立整改任务。")
        });
        i.completed_at = Some(at.plus(Duration::hours(6)));
        i.completed_by = Some(inspector);
    }
    inspections::save(conn, &i, now).await?;
    Ok(())
}
