//! Demo documents: the starter set's policies and procedures in force with a few versions
//! of history each, and the organization's own specifications, records, templates and plans
//! — most in force, some with a new version in preparation or waiting for approval, a few
//! only drafted, a few retired, and reviews spread so that some are due soon and some
//! overdue. Scale 2,000 makes about 50 documents; 800,000 makes 20,000 with about 100,000
//! versions.

use super::DemoRng;
use super::requests::{Batch, People, int, opt_int, opt_text, text};
use crate::error::Result;
use castellan_domain::document::starter::STARTER_SET;
use castellan_domain::document::{
    DocumentFamily, DocumentKind, VersionNumber, VersionStatus, next_review,
};
use castellan_domain::{Day, Lang, Timestamp};
use castellan_store::Conn;
use time::Duration;

/// The organization's own documents (written for the demo): kind, family, title.
const OWN: &[(DocumentKind, DocumentFamily, &str)] = &[
    (
        DocumentKind::Specification,
        DocumentFamily::Network,
        "防火墙策略配置规范",
    ),
    (
        DocumentKind::Specification,
        DocumentFamily::System,
        "服务器安全基线配置规范",
    ),
    (
        DocumentKind::Specification,
        DocumentFamily::Data,
        "数据库访问控制规范",
    ),
    (
        DocumentKind::Specification,
        DocumentFamily::Software,
        "安全编码规范",
    ),
    (
        DocumentKind::Procedure,
        DocumentFamily::System,
        "账号与权限管理程序",
    ),
    (
        DocumentKind::Procedure,
        DocumentFamily::Continuity,
        "数据备份与恢复操作规程",
    ),
    (
        DocumentKind::Procedure,
        DocumentFamily::Physical,
        "机房出入管理规程",
    ),
    (
        DocumentKind::Record,
        DocumentFamily::Physical,
        "机房巡检记录",
    ),
    (DocumentKind::Record, DocumentFamily::System, "系统变更记录"),
    (
        DocumentKind::Template,
        DocumentFamily::General,
        "保密协议模板",
    ),
    (
        DocumentKind::Template,
        DocumentFamily::Data,
        "数据对外提供审批表",
    ),
    (
        DocumentKind::Plan,
        DocumentFamily::General,
        "年度信息安全工作计划",
    ),
    (
        DocumentKind::Plan,
        DocumentFamily::Continuity,
        "核心业务系统灾难恢复预案",
    ),
    (
        DocumentKind::Plan,
        DocumentFamily::General,
        "年度安全意识培训计划",
    ),
];

/// Change notes of later versions (written for the demo).
const NOTES: &[&str] = &[
    "根据年度复审意见修订职责分工。",
    "补充远程办公场景的要求。",
    "按照等级保护测评整改意见更新条款。",
    "调整审批流程，明确时限要求。",
    "合并相关附件，删除过时内容。",
    "根据组织架构调整更新部门名称。",
];

const SHORT_BODY: &str = "# 目的\n\n明确本文件适用的工作要求。\n\n# 适用范围\n\n本组织相关部门及人员。\n\n# 要求\n\n- 按本文件执行并保留记录。\n- 发现问题及时报告安全管理负责人。\n";

/// Generates the documents; returns (documents, versions).
pub(super) async fn generate(
    conn: &mut Conn,
    rng: &mut DemoRng,
    scale: u64,
    people: &People,
    compliance: (castellan_domain::UserId, String),
    now: Timestamp,
) -> Result<(usize, usize)> {
    let count = usize::try_from((scale / 40).clamp(30, 20_000)).unwrap_or(30);
    let today = Day::of(now);
    let mut docs = Batch::new(
        "documents",
        "id, code, title, kind, family, owner_id, department_id, status, current_version, pending_version, effective_at, review_interval_months, next_review_at, reviewed_at, created_by, search_text, version, created_at, updated_at",
    );
    let mut versions = Batch::new(
        "document_versions",
        "id, document_id, major, minor, status, change_note, body, author_id, authored_at, round, current_step, step_role, submitted_by, submitted_at, reviewer_id, reviewed_at, approver_id, approved_at, effective_at, published_by, ended_at, version, updated_at, chain_id, chain_version, steps",
    );
    // The chains versions were submitted with (the shipped ones).
    let mut chains = std::collections::HashMap::new();
    for impact in castellan_domain::workflow::chain::Impact::ALL {
        if let Some(c) = castellan_store::workflow::chain_for(conn, "document", impact).await? {
            let steps = serde_json::to_string(&c.steps).unwrap_or_else(|_| "[]".into());
            chains.insert(impact, (c.id, c.version, steps));
        }
    }
    // The security officer reviews and approves: they own none, so none waits on themself.
    let owners: Vec<(castellan_domain::UserId, String)> = [
        compliance.clone(),
        compliance.clone(),
        people.security_admin.clone(),
        people.data_admin.clone(),
    ]
    .into_iter()
    .filter(|(u, _)| u.0 != 0)
    .collect();
    let officer = people.officer.0;
    let committee = people.committee.0;
    let mut vid = 0_i64;
    // Versions are written after their documents: the two batches fill at different paces.
    let mut version_rows: Vec<Vec<castellan_store::Value>> = Vec::new();
    let mut per_kind: std::collections::HashMap<&'static str, i64> =
        std::collections::HashMap::new();
    for id in 1..=count as i64 {
        let i = (id - 1) as usize;
        let (code, kind, family, title, body): (
            String,
            DocumentKind,
            DocumentFamily,
            String,
            &str,
        ) = if let Some(s) = STARTER_SET.get(i) {
            (
                s.code.to_owned(),
                s.kind,
                s.family,
                s.title.zh.to_owned(),
                s.body(Lang::ZhCn),
            )
        } else {
            let Some(&(kind, family, title)) = OWN.get((i - STARTER_SET.len()) % OWN.len()) else {
                continue;
            };
            let prefix = match kind {
                DocumentKind::Policy => "POL",
                DocumentKind::Procedure => "PR",
                DocumentKind::Specification => "SP",
                DocumentKind::Record => "RC",
                DocumentKind::Template => "TP",
                DocumentKind::Plan => "PL",
            };
            let n = per_kind.entry(prefix).or_insert(0);
            *n += 1;
            let round = (i - STARTER_SET.len()) / OWN.len();
            let title = if round == 0 {
                title.to_owned()
            } else {
                format!("{title}（{}）", round + 1)
            };
            (
                format!("ISMS-{prefix}-{:04}", *n + 10),
                kind,
                family,
                title,
                SHORT_BODY,
            )
        };
        let Some((owner, _)) = rng.pick(&owners).cloned() else {
            continue;
        };
        let department = people
            .staff
            .get(rng.below(people.staff.len().max(1)))
            .map(|s| s.1.0);
        // How many versions were in force, and what is on top of them.
        let in_force = 1 + rng.below(8);
        let roll = rng.below(100);
        let (top, retired) = match roll {
            0..=4 => (Some(VersionStatus::Draft), false),
            5..=9 => (Some(VersionStatus::InReview), false),
            10..=11 => (Some(VersionStatus::Approved), false),
            12..=14 => (None, true),
            _ => (None, false),
        };
        // Documents drafted only: no version was ever in force.
        let never = roll < 3;
        let in_force = if never { 0 } else { in_force };
        let months: u8 = if rng.below(4) == 0 { 24 } else { 12 };
        let created = now.plus(Duration::days(
            -(30 + 400 * in_force as i64 + rng.below(60) as i64),
        ));
        let chain = chains.get(&kind.impact());
        let mut at = created;
        let mut number = VersionNumber::FIRST;
        let mut effective_day = None;
        let mut current = None;
        for n in 0..in_force {
            vid += 1;
            let authored = at;
            let reviewed = authored.plus(Duration::days(3));
            let approved = reviewed.plus(Duration::days(2));
            let eff = Day::of(approved.plus(Duration::days(1)));
            let last = n + 1 == in_force;
            let status = if !last {
                VersionStatus::Superseded
            } else if retired {
                VersionStatus::Retired
            } else {
                VersionStatus::Effective
            };
            // The next version comes a review interval or so later.
            let next_at = authored.plus(Duration::days(300 + rng.below(120) as i64));
            let ended = (status != VersionStatus::Effective).then(|| {
                if last {
                    now.plus(Duration::days(-20))
                } else {
                    next_at
                }
            });
            let policy = kind == DocumentKind::Policy;
            version_rows.push(vec![
                int(vid),
                int(id),
                int(i64::from(number.major)),
                int(i64::from(number.minor)),
                text(status.code()),
                text(if n == 0 {
                    "首次发布"
                } else {
                    rng.pick(NOTES).copied().unwrap_or("修订")
                }),
                text(body),
                int(owner.0),
                text(&authored.to_db()),
                int(1),
                opt_int(None),
                opt_text(None),
                int(owner.0),
                text(&authored.plus(Duration::days(1)).to_db()),
                opt_int(policy.then_some(officer.0)),
                opt_text(policy.then(|| reviewed.to_db())),
                int(if policy { committee.0 } else { officer.0 }),
                text(&approved.to_db()),
                text(&eff.to_db()),
                int(owner.0),
                opt_text(ended.map(|t| t.to_db())),
                int(1),
                text(&approved.to_db()),
                opt_int(chain.map(|c| c.0)),
                opt_int(chain.map(|c| c.1)),
                opt_text(chain.map(|c| c.2.clone())),
            ]);
            effective_day = Some(eff);
            current = Some(number);
            at = next_at.min(now.plus(Duration::days(-10)));
            number = if rng.below(5) == 0 {
                VersionNumber {
                    major: number.major + 1,
                    minor: 0,
                }
            } else {
                number.next_minor()
            };
        }
        let mut pending = None;
        if let Some(status) = top.filter(|_| !retired) {
            vid += 1;
            let authored = now.plus(Duration::days(-(1 + rng.below(20) as i64)));
            let submitted =
                (status != VersionStatus::Draft).then(|| authored.plus(Duration::hours(6)));
            let approved =
                (status == VersionStatus::Approved).then(|| authored.plus(Duration::days(2)));
            let policy = kind == DocumentKind::Policy;
            version_rows.push(vec![
                int(vid),
                int(id),
                int(i64::from(number.major)),
                int(i64::from(number.minor)),
                text(status.code()),
                text(if current.is_none() {
                    "首次发布"
                } else {
                    rng.pick(NOTES).copied().unwrap_or("修订")
                }),
                text(body),
                int(owner.0),
                text(&authored.to_db()),
                int(i64::from(status != VersionStatus::Draft)),
                opt_int((status == VersionStatus::InReview).then_some(0)),
                opt_text(
                    (status == VersionStatus::InReview).then(|| "security_officer".to_owned()),
                ),
                opt_int(submitted.map(|_| owner.0)),
                opt_text(submitted.map(|t| t.to_db())),
                opt_int(approved.filter(|_| policy).map(|_| officer.0)),
                opt_text(approved.filter(|_| policy).map(|t| t.to_db())),
                opt_int(approved.map(|_| if policy { committee.0 } else { officer.0 })),
                opt_text(approved.map(|t| t.to_db())),
                opt_text(None),
                opt_int(None),
                opt_text(None),
                int(1),
                text(&authored.to_db()),
                opt_int(chain.filter(|_| submitted.is_some()).map(|c| c.0)),
                opt_int(chain.filter(|_| submitted.is_some()).map(|c| c.1)),
                opt_text(chain.filter(|_| submitted.is_some()).map(|c| c.2.clone())),
            ]);
            pending = Some(number);
        }
        let status = if retired {
            VersionStatus::Retired
        } else if current.is_some() {
            VersionStatus::Effective
        } else {
            top.unwrap_or(VersionStatus::Draft)
        };
        // Reviews: from the effective day; a few were confirmed since, a few are overdue.
        let next = (status == VersionStatus::Effective)
            .then(|| effective_day.map(|d| next_review(d, months)))
            .flatten()
            .map(|d| {
                // Keep most reviews ahead: an overdue review is the exception.
                if d < today && rng.below(4) != 0 {
                    next_review(today, months).min(Day::of(
                        now.plus(Duration::days(10 + rng.below(300) as i64)),
                    ))
                } else {
                    d
                }
            });
        let search = format!("{code} {title}").to_lowercase();
        docs.push(
            conn,
            vec![
                int(id),
                text(&code),
                text(&title),
                text(kind.code()),
                text(family.code()),
                int(owner.0),
                opt_int(department),
                text(status.code()),
                opt_text(current.map(|v| v.to_string())),
                opt_text(pending.map(|v| v.to_string())),
                opt_text(
                    effective_day
                        .filter(|_| status == VersionStatus::Effective)
                        .map(|d| d.to_db()),
                ),
                int(i64::from(months)),
                opt_text(next.map(|d| d.to_db())),
                opt_text(None),
                int(owner.0),
                text(&search),
                int(1),
                text(&created.to_db()),
                text(&now.to_db()),
            ],
        )
        .await?;
    }
    docs.flush(conn).await?;
    for row in version_rows {
        versions.push(conn, row).await?;
    }
    versions.flush(conn).await?;
    acknowledgements(conn, rng, now).await?;
    if conn.backend() == castellan_store::Backend::Postgres {
        for table in ["documents", "document_versions"] {
            conn.execute(
                &format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"),
                &[],
            )
            .await?;
        }
    }
    Ok((count, usize::try_from(vid).unwrap_or(0)))
}

/// The overall policy and the network policy are addressed: the overall one to the whole
/// organization (its top departments), the network one to the information technology
/// division and network administrators. About three in four people addressed have confirmed
/// the version in force.
async fn acknowledgements(conn: &mut Conn, rng: &mut DemoRng, now: Timestamp) -> Result<()> {
    use castellan_store::sql::Sql;
    let tops = Sql::new("SELECT id FROM departments WHERE parent_id IS NULL ORDER BY id")
        .fetch_all(conn)
        .await?;
    let mut addressees = Batch::new(
        "document_addressees",
        "document_id, department_id, role, created_at",
    );
    let mut acks = Batch::new(
        "document_acknowledgements",
        "document_id, version_id, user_id, at",
    );
    for (code, to_all) in [("ISMS-POL-00", true), ("ISMS-POL-02", false)] {
        let mut q = Sql::new(
            "SELECT d.id, v.id AS version_id, v.effective_at FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.status = 'effective' WHERE d.code = ",
        );
        q.bind(code.to_owned());
        let Some(row) = q.fetch_optional(conn).await? else {
            continue;
        };
        let id: i64 = row.try_get("id")?;
        let version: i64 = row.try_get("version_id")?;
        if to_all {
            for t in &tops {
                let d: i64 = t.try_get("id")?;
                addressees
                    .push(
                        conn,
                        vec![int(id), int(d), opt_text(None), text(&now.to_db())],
                    )
                    .await?;
            }
        } else {
            addressees
                .push(
                    conn,
                    vec![
                        int(id),
                        opt_int(None),
                        text("network_admin"),
                        text(&now.to_db()),
                    ],
                )
                .await?;
            addressees
                .push(
                    conn,
                    vec![
                        int(id),
                        opt_int(None),
                        text("security_admin"),
                        text(&now.to_db()),
                    ],
                )
                .await?;
        }
        addressees.flush(conn).await?;
        // Who is addressed, as the application computes it.
        let audience =
            castellan_store::document::acknowledgements::pending(conn, id, version, None, u32::MAX)
                .await?;
        for (user, _, _) in audience {
            if rng.below(4) == 0 {
                continue;
            }
            let at = now.plus(Duration::hours(-(1 + rng.below(24 * 60) as i64)));
            acks.push(
                conn,
                vec![int(id), int(version), int(user.0), text(&at.to_db())],
            )
            .await?;
        }
        acks.flush(conn).await?;
    }
    Ok(())
}
