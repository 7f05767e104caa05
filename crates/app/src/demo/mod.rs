//! `castellan demo --scale N`: a deterministic synthetic organization for demonstrations,
//! screenshots, tests and benchmarks. The same N always gives the same data.

mod assets;
mod continuity;
mod custody;
mod documents;
mod goals;
mod incidents;
mod inspections;
mod rectifications;
mod requests;
mod risks;
mod training;

pub use risks::RiskReport;

use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx, RequestMeta};
use castellan_domain::org::Department;
use castellan_domain::values::UserStatus;
use castellan_domain::{DepartmentId, DomainError, Grant, Lang, Role, Timestamp, UserId};
use castellan_store::org::departments::{self, NewDepartment};
use castellan_store::org::users::{self, Profile};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "castellan-demo-2026";

/// A small deterministic generator (SplitMix64), so demo data never depends on a crate's
/// random-number algorithm.
#[derive(Debug, Clone)]
pub struct DemoRng(u64);

impl DemoRng {
    /// A generator seeded from the scale.
    pub fn new(seed: u64) -> Self {
        DemoRng(seed ^ 0x6a09_e667_f3bc_c908)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len());
        items.get(i)
    }
}

const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("罗", "luo"),
    ("高", "gao"),
];

const GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("磊", "lei"),
    ("强", "qiang"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀英", "xiuying"),
    ("华", "hua"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂英", "guiying"),
    ("建华", "jianhua"),
    ("晓东", "xiaodong"),
    ("海燕", "haiyan"),
    ("志强", "zhiqiang"),
    ("丽华", "lihua"),
];

/// Top-level departments under the company: (name, code, teams).
const DIVISIONS: &[(&str, &str, &[&str])] = &[
    (
        "信息技术部",
        "IT",
        &["基础设施组", "应用开发组", "运维值班组", "数据库组"],
    ),
    (
        "信息安全部",
        "SEC",
        &["安全运营中心", "安全合规组", "渗透测试组"],
    ),
    ("财务部", "FIN", &["会计组", "资金组"]),
    ("人力资源部", "HR", &["招聘组", "培训组"]),
    ("市场部", "MKT", &["品牌组", "渠道组"]),
    ("研发中心", "RND", &["平台研发组", "移动研发组", "测试组"]),
    ("客户服务部", "CS", &["热线组", "现场服务组"]),
    ("法务合规部", "LGL", &["合同组", "内控组"]),
    ("行政部", "ADM", &["后勤组", "档案室"]),
];

const REGIONS: &[(&str, &str)] = &[
    ("华东分公司", "EAST"),
    ("华南分公司", "SOUTH"),
    ("华北分公司", "NORTH"),
    ("西南分公司", "WEST"),
    ("华中分公司", "CENTRAL"),
];

const POSITIONS: &[&str] = &[
    "工程师",
    "高级工程师",
    "主管",
    "经理",
    "专员",
    "分析师",
    "架构师",
    "助理",
    "总监",
];

/// What a demo run created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoReport {
    /// Departments created.
    pub departments: usize,
    /// Users created.
    pub users: usize,
    /// Assets created.
    pub assets: u64,
    /// Risk assessments, risks and findings created.
    pub risk: risks::RiskReport,
    /// Approval requests created.
    pub requests: usize,
    /// Security incidents created.
    pub incidents: usize,
    /// Rectification tasks created.
    pub rectifications: usize,
    /// Documents created.
    pub documents: usize,
    /// Document versions created.
    pub document_versions: usize,
    /// Trainings created (under this year's and next year's plans).
    pub trainings: usize,
    /// Security goals created (this year's breakdown and next year's draft).
    pub goals: usize,
    /// Password custody records created.
    pub custody: usize,
    /// Inspection plans created.
    pub inspection_plans: usize,
    /// Inspections created (with their results and findings' tasks).
    pub inspections: usize,
    /// Backup plans created (most high-value assets).
    pub backup_plans: usize,
    /// DR plans created.
    pub dr_plans: usize,
    /// Drills created (one missing its RTO, with open rectification tasks).
    pub drills: usize,
}

/// Sizes of the organization for a scale.
pub fn sizes(scale: u64) -> (usize, usize) {
    let users = usize::try_from((scale / 50).clamp(30, 20_000)).unwrap_or(30);
    let regions = (users / 400).clamp(1, REGIONS.len());
    (users, regions)
}

/// Generates the demo organization into an empty database.
pub async fn generate(app: &App, scale: u64) -> Result<DemoReport> {
    {
        let mut conn = app.db().read().await?;
        if departments::count(&mut conn).await? > 0 || users::count(&mut conn).await? > 1 {
            return Err(DomainError::BadRequest(
                "the database already holds an organization; run the demo on an empty database"
                    .into(),
            )
            .into());
        }
    }
    let mut rng = DemoRng::new(scale);
    let (user_count, regions) = sizes(scale);
    let hash = app.hasher().hash(DEMO_PASSWORD).await?;
    let now = Timestamp::now();
    let ctx = Ctx::system(RequestMeta {
        request_id: Some("demo".into()),
        ..RequestMeta::default()
    });
    let mut tx = app.db().begin().await?;

    // The tree: company → (regional branches →) divisions → teams.
    let company = departments::insert(
        &mut tx,
        &NewDepartment {
            name: "星河科技集团",
            code: Some("GROUP"),
            parent: None,
        },
        now,
    )
    .await?;
    let mut all: Vec<Department> = vec![company.clone()];
    let mut roots: Vec<(Department, String)> = vec![(company.clone(), String::new())];
    for (name, code) in REGIONS.iter().take(regions.saturating_sub(1)) {
        let region = departments::insert(
            &mut tx,
            &NewDepartment {
                name,
                code: Some(code),
                parent: Some(&company),
            },
            now,
        )
        .await?;
        all.push(region.clone());
        roots.push((region, format!("{code}-")));
    }
    let mut teams: Vec<Department> = Vec::new();
    let mut division_of: std::collections::HashMap<DepartmentId, DepartmentId> =
        std::collections::HashMap::new();
    let mut security_division: Option<DepartmentId> = None;
    for (root, prefix) in &roots {
        for (name, code, team_names) in DIVISIONS {
            let division = departments::insert(
                &mut tx,
                &NewDepartment {
                    name,
                    code: Some(&format!("{prefix}{code}")),
                    parent: Some(root),
                },
                now,
            )
            .await?;
            if *code == "SEC" && prefix.is_empty() {
                security_division = Some(division.id);
            }
            for (i, team) in team_names.iter().enumerate() {
                let t = departments::insert(
                    &mut tx,
                    &NewDepartment {
                        name: team,
                        code: Some(&format!("{prefix}{code}-{}", i + 1)),
                        parent: Some(&division),
                    },
                    now,
                )
                .await?;
                division_of.insert(t.id, division.id);
                teams.push(t.clone());
                all.push(t);
            }
            all.push(division);
        }
    }

    // People: the security organization first (one of every role), then staff.
    let fixed: Vec<(&str, &str, Role, Option<DepartmentId>)> = vec![
        ("zhou.min", "周敏", Role::Committee, None),
        ("wu.jianhua", "吴建华", Role::Committee, None),
        ("chen.jing", "陈静", Role::SecurityOfficer, None),
        ("li.qiang", "李强", Role::SecurityAdmin, None),
        ("zhang.lei", "张磊", Role::NetworkAdmin, None),
        ("liu.yang", "刘洋", Role::ApplicationAdmin, None),
        ("huang.fang", "黄芳", Role::DataAdmin, None),
        ("sun.yan", "孙艳", Role::ComplianceAdmin, None),
        ("wang.na", "王娜", Role::Assessor, None),
        ("guo.tao", "郭涛", Role::Assessor, security_division),
        ("ma.chao", "马超", Role::Auditor, None),
        ("lin.xiaodong", "林晓东", Role::Admin, None),
    ];
    let mut created = 0;
    let mut taken = std::collections::HashSet::new();
    // Who can be responsible for an asset: the asset keepers and a share of the staff.
    let mut owners: Vec<(UserId, String)> = Vec::new();
    let mut fixed_ids: std::collections::HashMap<&str, (UserId, String)> =
        std::collections::HashMap::new();
    let mut staff: Vec<(UserId, DepartmentId, String)> = Vec::new();
    let mut cast = risks::Cast {
        assessor: UserId(0),
        officer: UserId(0),
        committee: UserId(0),
    };
    for (username, name, role, scope) in &fixed {
        let department = security_division.or(Some(company.id));
        let id = insert_user(
            &mut tx,
            username,
            name,
            department,
            "安全管理",
            &hash,
            &[Grant {
                role: *role,
                department_id: *scope,
            }],
            now,
        )
        .await?;
        fixed_ids.insert(username, (id, (*username).to_owned()));
        match *username {
            "wang.na" => cast.assessor = id,
            "chen.jing" => cast.officer = id,
            "zhou.min" => cast.committee = id,
            _ => {}
        }
        if matches!(
            role,
            Role::SecurityAdmin | Role::NetworkAdmin | Role::ApplicationAdmin | Role::DataAdmin
        ) {
            owners.push((id, (*username).to_owned()));
        }
        taken.insert((*username).to_owned());
        created += 1;
    }
    let mut serial = 0_usize;
    while created < user_count {
        serial += 1;
        let (sur, sur_py) = rng.pick(SURNAMES).copied().unwrap_or(("王", "wang"));
        let (given, given_py) = rng.pick(GIVEN).copied().unwrap_or(("伟", "wei"));
        let mut username = format!("{sur_py}.{given_py}");
        if taken.contains(&username) {
            username = format!("{sur_py}.{given_py}{serial}");
        }
        taken.insert(username.clone());
        let team = rng.pick(&teams).map(|t| t.id);
        let position = rng.pick(POSITIONS).copied().unwrap_or("专员");
        let mut grants = vec![Grant {
            role: Role::Staff,
            department_id: None,
        }];
        // A few department-limited administrators of technical roles.
        if rng.below(25) == 0 {
            let role = *rng
                .pick(&[
                    Role::SecurityAdmin,
                    Role::NetworkAdmin,
                    Role::ApplicationAdmin,
                    Role::DataAdmin,
                ])
                .unwrap_or(&Role::SecurityAdmin);
            grants.push(Grant {
                role,
                department_id: team,
            });
        }
        let display = format!("{sur}{given}");
        let id = insert_user(
            &mut tx, &username, &display, team, position, &hash, &grants, now,
        )
        .await?;
        if let Some(team) = team {
            staff.push((id, team, display.clone()));
        }
        if grants.len() > 1 || rng.below(10) == 0 {
            owners.push((id, username));
        }
        created += 1;
    }
    let team_ids: Vec<DepartmentId> = teams.iter().map(|t| t.id).collect();
    let asset_count = assets::generate(&mut tx, &mut rng, scale, &team_ids, &owners, now).await?;
    let risk = risks::generate(&mut tx, &mut rng, scale, &cast, now).await?;
    // Each division's head: its first member; requests of its teams go to them first.
    let mut division_heads: std::collections::HashMap<DepartmentId, (UserId, String)> =
        std::collections::HashMap::new();
    for (id, team, name) in &staff {
        if let Some(division) = division_of.get(team)
            && !division_heads.contains_key(division)
        {
            departments::set_head(&mut tx, *division, Some(*id)).await?;
            division_heads.insert(*division, (*id, name.clone()));
        }
    }
    let heads = division_of
        .iter()
        .filter_map(|(team, division)| division_heads.get(division).map(|h| (*team, h.clone())))
        .collect();
    let get = |name: &str| {
        fixed_ids
            .get(name)
            .cloned()
            .unwrap_or((UserId(0), String::new()))
    };
    let people = requests::People {
        staff,
        heads,
        security_admin: get("li.qiang"),
        committee: get("zhou.min"),
        data_admin: get("huang.fang"),
        officer: get("chen.jing"),
    };
    let request_count = requests::generate(&mut tx, &mut rng, scale, &people, now).await?;
    let incident_count = incidents::generate(&mut tx, &mut rng, scale, &people, now).await?;
    let rectification_count = rectifications::generate(&mut tx, &mut rng, &people, now).await?;
    let (document_count, version_count) =
        documents::generate(&mut tx, &mut rng, scale, &people, get("sun.yan"), now).await?;
    let training_count =
        training::generate(&mut tx, &mut rng, &people, get("sun.yan"), now).await?;
    let goal_count = goals::generate(&mut tx, &mut rng, &people, now).await?;
    let admins = [
        get("zhang.lei"),
        get("liu.yang"),
        get("huang.fang"),
        get("li.qiang"),
    ];
    let custody_count = custody::generate(&mut tx, &mut rng, &people, &admins, now).await?;
    let (inspection_plans, inspection_count) = inspections::generate(
        &mut tx,
        &mut rng,
        scale,
        &people,
        now,
        app.settings().utc_offset(),
    )
    .await?;
    let continuity = continuity::generate(&mut tx, &mut rng, &people, now).await?;
    castellan_store::request::requests::analyze(&mut tx).await?;
    castellan_store::asset::assets::analyze(&mut tx).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Create,
            castellan_domain::audit::KernelRecord::Demo,
            scale,
        )
        .after(&serde_json::json!({
            "departments": all.len(),
            "users": created,
            "assets": asset_count,
            "assessments": risk.assessments,
            "risks": risk.risks,
            "vulnerabilities": risk.vulnerabilities,
            "requests": request_count,
            "incidents": incident_count,
            "rectifications": rectification_count,
            "documents": document_count,
            "trainings": training_count,
            "goals": goal_count,
            "custody": custody_count,
            "inspection_plans": inspection_plans,
            "inspections": inspection_count,
            "backup_plans": continuity.backup_plans,
            "dr_plans": continuity.dr_plans,
            "drills": continuity.drills,
        })),
    )
    .await?;
    tx.commit().await?;
    // PostgreSQL: leave the bulk-loaded tables as autovacuum would, with their visibility
    // maps set, so counts can use the indexes as on a database that has been running.
    if app.db().backend() == castellan_store::Backend::Postgres {
        let mut conn = app.db().maintenance().await?;
        for table in [
            "incidents",
            "incident_assets",
            "incident_handlers",
            "rectifications",
            "documents",
            "document_versions",
            "training_attendance",
            "requests",
            "assets",
            "risks",
        ] {
            conn.execute(&format!("VACUUM ANALYZE {table}"), &[])
                .await?;
        }
    }
    Ok(DemoReport {
        departments: all.len(),
        users: created,
        assets: asset_count,
        risk,
        requests: request_count,
        incidents: incident_count,
        rectifications: rectification_count,
        documents: document_count,
        document_versions: version_count,
        trainings: training_count,
        goals: goal_count,
        custody: custody_count,
        inspection_plans,
        inspections: inspection_count,
        backup_plans: continuity.backup_plans,
        dr_plans: continuity.dr_plans,
        drills: continuity.drills,
    })
}

#[allow(clippy::too_many_arguments)]
async fn insert_user(
    conn: &mut castellan_store::Conn,
    username: &str,
    display_name: &str,
    department: Option<DepartmentId>,
    position: &str,
    hash: &str,
    grants: &[Grant],
    now: Timestamp,
) -> Result<UserId> {
    let profile = Profile {
        display_name: display_name.to_owned(),
        email: Some(format!("{username}@example.cn")),
        department_id: department,
        position: Some(position.to_owned()),
        status: UserStatus::Active,
        language: Some(Lang::ZhCn),
    };
    Ok(users::insert(conn, username, &profile, hash, grants, now)
        .await?
        .id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic() {
        let a: Vec<u64> = {
            let mut r = DemoRng::new(42);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = DemoRng::new(42);
            (0..5).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, {
            let mut r = DemoRng::new(43);
            (0..5).map(|_| r.next_u64()).collect::<Vec<_>>()
        });
    }

    #[test]
    fn sizes_grow_with_the_scale_within_bounds() {
        assert_eq!(sizes(0), (30, 1));
        assert_eq!(sizes(100_000), (2_000, 5));
        assert_eq!(sizes(10_000_000), (20_000, 5));
    }
}
