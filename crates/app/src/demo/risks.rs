//! Demo risk assessment: findings, existing controls and three assessments — last year's,
//! closed; this year's, being planned, with one rated risk per asset up to 100,000 (the
//! register benchmarks run on it); and a special review just started.

use super::DemoRng;
use crate::error::Result;
use castellan_domain::asset::Rating;
use castellan_domain::ids::{AssessmentId, AssetId, ThreatId, UserId};
use castellan_domain::risk::assessment::{Phase, default_checklist};
use castellan_domain::risk::finding::{ControlKind, Effectiveness, FoundBy, VulnerabilityStatus};
use castellan_domain::risk::register::{Approval, RiskRating};
use castellan_domain::risk::{self, Level, RiskMethod, RiskTables, Treatment};
use castellan_domain::{Day, Timestamp};
use castellan_store::risk::assessments::{self, AssessmentFields};
use castellan_store::risk::findings::{self, ControlFields, VulnerabilityFields};
use castellan_store::risk::risks::{self, NewRisk};
use castellan_store::{Conn, asset::assets, risk::threats};
use time::Duration;

/// The people of the demo workflow.
pub(super) struct Cast {
    /// The assessor who runs the assessments.
    pub assessor: UserId,
    /// The security officer who reviews them.
    pub officer: UserId,
    /// The committee member who accepts risks and closes them.
    pub committee: UserId,
}

/// What was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RiskReport {
    /// Assessments.
    pub assessments: u64,
    /// Risks, over all assessments.
    pub risks: u64,
    /// Vulnerability findings.
    pub vulnerabilities: u64,
}

const FINDINGS: &[(&str, &str)] = &[
    ("管理后台使用弱口令", ""),
    ("操作系统安全补丁未及时安装", ""),
    ("SSH 服务对互联网开放", ""),
    ("仍启用 TLS 1.0 协议", ""),
    ("未配置登录失败处理", ""),
    ("审计日志留存不足六个月", ""),
    ("备份从未做过恢复演练", ""),
    ("Apache Log4j2 远程代码执行漏洞", "CVE-2021-44228"),
    ("OpenSSL 缓冲区溢出漏洞", "CVE-2022-3602"),
    ("数据库默认账号未禁用", ""),
    ("Web 应用存在 SQL 注入", "CNVD-2026-10231"),
    ("机房门禁记录未定期审查", ""),
];

const CONTROLS: &[(&str, ControlKind, Effectiveness)] = &[
    (
        "边界防火墙访问控制策略",
        ControlKind::Technical,
        Effectiveness::Effective,
    ),
    (
        "终端防病毒与统一补丁管理",
        ControlKind::Technical,
        Effectiveness::PartiallyEffective,
    ),
    (
        "运维堡垒机与操作审计",
        ControlKind::Technical,
        Effectiveness::Effective,
    ),
    (
        "数据库审计系统",
        ControlKind::Technical,
        Effectiveness::PartiallyEffective,
    ),
    (
        "核心数据异地备份",
        ControlKind::Technical,
        Effectiveness::Effective,
    ),
    (
        "机房门禁与视频监控",
        ControlKind::Physical,
        Effectiveness::Effective,
    ),
    (
        "机房气体灭火与温湿度监控",
        ControlKind::Physical,
        Effectiveness::Effective,
    ),
    (
        "信息安全管理制度汇编",
        ControlKind::Management,
        Effectiveness::Effective,
    ),
    (
        "年度安全意识培训",
        ControlKind::Management,
        Effectiveness::PartiallyEffective,
    ),
    (
        "第三方人员访问审批",
        ControlKind::Management,
        Effectiveness::Ineffective,
    ),
    (
        "变更管理流程",
        ControlKind::Management,
        Effectiveness::NotAssessed,
    ),
];

fn rating(n: usize) -> Rating {
    Rating::clamped(n)
}

fn rate(tables: &RiskTables, t: Rating, v: Rating, a: Rating) -> RiskRating {
    RiskRating {
        threat_frequency: t,
        vulnerability_severity: v,
        asset_value_level: a,
        evaluation: risk::evaluate(RiskMethod::Multiplication, tables, t, v, a),
    }
}

fn days_ago(now: Timestamp, days: i64) -> Timestamp {
    now.plus(Duration::days(-days))
}

/// Creates an assessment record in `preparation`.
async fn assessment(
    conn: &mut Conn,
    name: &str,
    description: &str,
    cast: &Cast,
    scope: &[AssetId],
    start: Timestamp,
) -> Result<AssessmentId> {
    let tables = RiskTables::default();
    let fields = AssessmentFields {
        name,
        description: Some(description),
        method: RiskMethod::Multiplication,
        tables_version: 0,
        tables: &tables,
        acceptance_threshold: Level::new(4).unwrap_or(risk::DEFAULT_ACCEPTANCE_THRESHOLD),
        planned_start: Some(Day::of(start)),
        planned_end: Some(Day::of(start.plus(Duration::days(45)))),
    };
    let id = assessments::insert(
        conn,
        &fields,
        Some(cast.assessor),
        &default_checklist(),
        start,
    )
    .await?;
    assessments::set_members(conn, id, &[], scope, &[cast.assessor]).await?;
    Ok(id)
}

/// Walks an assessment through `path`, one move a day from `start`.
async fn walk(
    conn: &mut Conn,
    id: AssessmentId,
    path: &[(Phase, UserId, &str, Option<&str>)],
    start: Timestamp,
    cast: &Cast,
) -> Result<()> {
    let mut from = Phase::Preparation;
    for (day, (to, who, name, comment)) in path.iter().enumerate() {
        let submits = matches!(to, Phase::Review | Phase::ResidualReview);
        let submitted_by = submits.then_some(cast.assessor);
        let at = start.plus(Duration::days(i64::try_from(day).unwrap_or(0) * 3 + 1));
        assessments::move_phase(
            conn,
            id,
            from,
            *to,
            submitted_by,
            (Some(*who), name),
            *comment,
            at,
        )
        .await?;
        from = *to;
    }
    Ok(())
}

/// Generates the risk data of the demo organization.
pub(super) async fn generate(
    conn: &mut Conn,
    rng: &mut DemoRng,
    scale: u64,
    cast: &Cast,
    now: Timestamp,
) -> Result<RiskReport> {
    let mut report = RiskReport::default();
    let sample = u32::try_from(scale.clamp(60, 100_000)).unwrap_or(60);
    let assets = assets::id_levels(conn, sample).await?;
    let threat_ids: Vec<ThreatId> = threats::all(conn, true)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    if assets.is_empty() || threat_ids.is_empty() {
        return Ok(report);
    }
    let threat = |i: usize| {
        threat_ids
            .get(i % threat_ids.len())
            .copied()
            .unwrap_or(ThreatId(0))
    };
    let tables = RiskTables::default();
    let level_of = |v: i64| Rating::new(v).unwrap_or(Rating::MIN);

    // Findings on the first few hundred assets, and the controls in place.
    let mut findings = Vec::new();
    for (i, (asset, _)) in assets.iter().take(400).enumerate() {
        if rng.below(3) != 0 {
            continue;
        }
        let (title, reference) = rng.pick(FINDINGS).copied().unwrap_or(("弱口令", ""));
        let status = match rng.below(6) {
            0 => VulnerabilityStatus::Fixed,
            1 => VulnerabilityStatus::Accepted,
            _ => VulnerabilityStatus::Open,
        };
        let found_by = *rng
            .pick(&[
                FoundBy::Scan,
                FoundBy::Pentest,
                FoundBy::Audit,
                FoundBy::Interview,
            ])
            .unwrap_or(&FoundBy::Scan);
        let v = findings::insert_vulnerability(
            conn,
            &VulnerabilityFields {
                asset_id: *asset,
                title,
                description: None,
                severity: rating(2 + rng.below(4)),
                status,
                reference: (!reference.is_empty()).then_some(reference),
                found_by,
                found_on: Some(Day::of(days_ago(now, 10 + (i as i64 % 60)))),
            },
            now,
        )
        .await?;
        findings.push(v);
    }
    report.vulnerabilities = findings.len() as u64;
    for (i, (name, kind, effectiveness)) in CONTROLS.iter().enumerate() {
        findings::insert_control(
            conn,
            &ControlFields {
                name,
                kind: *kind,
                description: None,
                effectiveness: *effectiveness,
                asset_id: assets.get(i * 3).map(|(a, _)| *a).filter(|_| i % 4 == 1),
            },
            now,
        )
        .await?;
    }

    // Last year's assessment, closed: 40 assets, two threats each.
    let last_start = days_ago(now, 330);
    let scope: Vec<AssetId> = assets.iter().take(40).map(|(a, _)| *a).collect();
    let closed = assessment(
        conn,
        "2025 年度信息安全风险评估",
        "按 GB/T 20984 对集团核心信息系统开展的年度风险评估。",
        cast,
        &scope,
        last_start,
    )
    .await?;
    let mut rows = Vec::new();
    for (i, (asset, level)) in assets.iter().take(40).enumerate() {
        for k in 0..2 {
            let threat = threat(i * 5 + k * 17);
            let r = rate(
                &tables,
                rating(1 + rng.below(5)),
                rating(1 + rng.below(5)),
                level_of(*level),
            );
            rows.push((*asset, threat, r));
        }
    }
    let news: Vec<NewRisk<'_>> = rows
        .iter()
        .map(|(asset, threat, r)| NewRisk {
            assessment_id: closed,
            asset_id: *asset,
            threat_id: *threat,
            vulnerability_id: None,
            description: None,
            rating: Some(r),
        })
        .collect();
    report.risks += risks::insert_candidates(conn, &news, last_start).await?;
    for mut r in risks::all(conn, closed).await? {
        let level = r.level().map_or(1, Level::get);
        r.treatment = Some(if level >= 4 {
            Treatment::Control
        } else {
            Treatment::Keep
        });
        if let Some(base) = r.rating {
            let t = rating(
                usize::from(base.threat_frequency.get())
                    .saturating_sub(2)
                    .max(1),
            );
            r.residual = Some(rate(
                &tables,
                t,
                base.vulnerability_severity,
                base.asset_value_level,
            ));
            if r.residual_level().is_some_and(|l| l.get() >= 4) {
                r.residual_acceptance = Some(Approval {
                    by: cast.committee,
                    at: days_ago(now, 280),
                    comment: Some("已采取补偿措施，同意接受残余风险。".into()),
                });
            }
        }
        risks::save(conn, &r, days_ago(now, 290)).await?;
    }
    walk(
        conn,
        closed,
        &[
            (Phase::Identification, cast.assessor, "wang.na", None),
            (Phase::Analysis, cast.assessor, "wang.na", None),
            (Phase::TreatmentPlanning, cast.assessor, "wang.na", None),
            (
                Phase::Review,
                cast.assessor,
                "wang.na",
                Some("风险评估报告与处置计划已完成，请审核。"),
            ),
            (
                Phase::TreatmentPlanning,
                cast.officer,
                "chen.jing",
                Some("请补充数据库服务器的访问控制措施。"),
            ),
            (
                Phase::Review,
                cast.assessor,
                "wang.na",
                Some("已补充，请再次审核。"),
            ),
            (Phase::Approved, cast.officer, "chen.jing", Some("同意。")),
            (Phase::Implementing, cast.assessor, "wang.na", None),
            (Phase::ResidualAssessment, cast.assessor, "wang.na", None),
            (
                Phase::ResidualReview,
                cast.assessor,
                "wang.na",
                Some("残余风险评估报告请领导小组审批。"),
            ),
            (
                Phase::Closed,
                cast.committee,
                "zhou.min",
                Some("同意关闭。"),
            ),
        ],
        last_start,
        cast,
    )
    .await?;
    report.assessments += 1;

    // This year's: one rated risk per asset, up to 100,000, in treatment planning.
    let start = days_ago(now, 20);
    let scope: Vec<AssetId> = assets.iter().take(50).map(|(a, _)| *a).collect();
    let current = assessment(
        conn,
        "2026 年度信息安全风险评估",
        "覆盖集团全部在册资产的年度风险评估；本年度新增云平台与移动办公系统。",
        cast,
        &scope,
        start,
    )
    .await?;
    const CHUNK: usize = 5_000;
    for (c, chunk) in assets.chunks(CHUNK).enumerate() {
        let mut rows = Vec::with_capacity(chunk.len());
        for (j, (asset, level)) in chunk.iter().enumerate() {
            let i = c * CHUNK + j;
            let threat = threat(i * 7 + 3);
            // One in eight is still unrated.
            let r = (rng.below(8) != 0).then(|| {
                rate(
                    &tables,
                    rating(1 + rng.below(5)),
                    rating(1 + rng.below(5)),
                    level_of(*level),
                )
            });
            rows.push((*asset, threat, r));
        }
        let news: Vec<NewRisk<'_>> = rows
            .iter()
            .map(|(asset, threat, r)| NewRisk {
                assessment_id: current,
                asset_id: *asset,
                threat_id: *threat,
                vulnerability_id: None,
                description: None,
                rating: r.as_ref(),
            })
            .collect();
        report.risks += risks::insert_candidates(conn, &news, start).await?;
    }
    // Treatment chosen for the highest risks first page or so; a few accepted ones wait for
    // the committee.
    let (top, _) = risks::list(conn, current, &risks::RiskFilter::default(), None, 60).await?;
    for (i, mut r) in top.into_iter().enumerate() {
        r.treatment = Some(match i % 6 {
            0 => Treatment::Accept,
            1 => Treatment::Transfer,
            _ => Treatment::Control,
        });
        if i % 12 == 0 {
            r.approval = Some(Approval {
                by: cast.committee,
                at: days_ago(now, 2),
                comment: Some("业务连续性要求高，同意暂时接受，下季度复评。".into()),
            });
        }
        risks::save(conn, &r, days_ago(now, 3)).await?;
    }
    walk(
        conn,
        current,
        &[
            (
                Phase::Identification,
                cast.assessor,
                "wang.na",
                Some("资产清单已确认，开始风险识别。"),
            ),
            (Phase::Analysis, cast.assessor, "wang.na", None),
            (Phase::TreatmentPlanning, cast.assessor, "wang.na", None),
        ],
        start,
        cast,
    )
    .await?;
    report.assessments += 1;

    // A special review of the core systems, just started.
    let special = assessment(
        conn,
        "核心业务系统专项评估",
        "针对核心交易系统上线前的专项风险评估。",
        cast,
        &assets.iter().take(8).map(|(a, _)| *a).collect::<Vec<_>>(),
        days_ago(now, 4),
    )
    .await?;
    walk(
        conn,
        special,
        &[(Phase::Identification, cast.assessor, "wang.na", None)],
        days_ago(now, 4),
        cast,
    )
    .await?;
    report.assessments += 1;
    Ok(report)
}
