//! Demo assets: realistic bilingual names, categories, locations, valuations and lifecycle
//! histories, written in batches through the bulk loader so a million take seconds.

use super::DemoRng;
use crate::error::Result;
use castellan_domain::asset::{
    self as rules, AssetStatus, Category, Classification, Rating, ValuationMethod, Zone,
};
use castellan_domain::{DepartmentId, Timestamp, UserId};
use castellan_store::Conn;
use castellan_store::asset::assets::AssetFields;
use castellan_store::asset::bulk::{self, BulkEvent};

/// Per category: code prefix, name templates (Chinese, English) and typical C/I/A.
struct Kind {
    category: Category,
    prefix: &'static str,
    names: &'static [(&'static str, &'static str)],
    models: &'static [&'static str],
    cia: (u8, u8, u8),
    zones: &'static [Zone],
}

const KINDS: &[Kind] = &[
    Kind {
        category: Category::NetworkDevice,
        prefix: "NET",
        names: &[
            ("核心交换机", "core switch"),
            ("汇聚交换机", "distribution switch"),
            ("接入交换机", "access switch"),
            ("边界路由器", "border router"),
            ("无线控制器", "wireless controller"),
        ],
        models: &["华为 S6730", "H3C S5560", "锐捷 RG-S6000", "Cisco C9300"],
        cia: (3, 4, 5),
        zones: &[Zone::Intranet, Zone::Dmz, Zone::Extranet],
    },
    Kind {
        category: Category::SecurityDevice,
        prefix: "SEC",
        names: &[
            ("下一代防火墙", "next-generation firewall"),
            ("入侵防御系统", "intrusion prevention system"),
            ("Web 应用防火墙", "web application firewall"),
            ("运维堡垒机", "bastion host"),
            ("VPN 网关", "VPN gateway"),
            ("日志审计系统", "log audit system"),
        ],
        models: &[
            "深信服 AF-1000",
            "奇安信 NSG",
            "天融信 TopGate",
            "绿盟 NIPS",
        ],
        cia: (4, 4, 4),
        zones: &[Zone::Dmz, Zone::Intranet, Zone::Internet],
    },
    Kind {
        category: Category::Server,
        prefix: "SRV",
        names: &[
            ("应用服务器", "application server"),
            ("数据库服务器", "database server"),
            ("文件服务器", "file server"),
            ("域控制器", "domain controller"),
            ("虚拟化宿主机", "virtualization host"),
        ],
        models: &[
            "浪潮 NF5280M6",
            "华为 2288H V6",
            "Dell PowerEdge R750",
            "联想 SR650",
        ],
        cia: (4, 4, 4),
        zones: &[Zone::Intranet, Zone::Dmz],
    },
    Kind {
        category: Category::Terminal,
        prefix: "PC",
        names: &[
            ("办公台式机", "office desktop"),
            ("笔记本电脑", "laptop"),
            ("网络打印机", "network printer"),
            ("门禁终端", "access-control terminal"),
        ],
        models: &[
            "联想 ThinkCentre",
            "华为 MateBook",
            "Dell Latitude",
            "惠普 LaserJet",
        ],
        cia: (2, 2, 2),
        zones: &[Zone::Intranet],
    },
    Kind {
        category: Category::Database,
        prefix: "DB",
        names: &[
            ("客户数据库", "customer database"),
            ("财务数据库", "finance database"),
            ("订单数据库", "order database"),
            ("人事数据库", "HR database"),
        ],
        models: &["Oracle 19c", "MySQL 8.0", "PostgreSQL 16", "达梦 DM8"],
        cia: (5, 5, 4),
        zones: &[Zone::Intranet],
    },
    Kind {
        category: Category::Software,
        prefix: "APP",
        names: &[
            ("ERP 系统", "ERP system"),
            ("OA 协同办公系统", "office automation system"),
            ("CRM 系统", "CRM system"),
            ("邮件系统", "mail system"),
            ("人力资源系统", "HR system"),
        ],
        models: &["用友 U8", "金蝶云星空", "泛微 e-cology", "Coremail"],
        cia: (3, 4, 4),
        zones: &[Zone::Intranet, Zone::Dmz],
    },
    Kind {
        category: Category::Data,
        prefix: "DAT",
        names: &[
            ("客户个人信息", "customer personal data"),
            ("财务报表", "financial statements"),
            ("产品源代码", "product source code"),
            ("设计图纸", "design drawings"),
            ("合同档案", "contract records"),
        ],
        models: &["结构化数据", "非结构化文档", "备份介质"],
        cia: (5, 4, 3),
        zones: &[Zone::Intranet],
    },
    Kind {
        category: Category::Service,
        prefix: "SVC",
        names: &[
            ("门户网站", "corporate website"),
            ("移动应用后端", "mobile app backend"),
            ("在线支付接口", "online payment API"),
            ("短信网关", "SMS gateway"),
        ],
        models: &["Nginx 集群", "Kubernetes 服务", "云主机"],
        cia: (3, 4, 5),
        zones: &[Zone::Internet, Zone::Dmz],
    },
    Kind {
        category: Category::Facility,
        prefix: "FAC",
        names: &[
            ("数据中心机房", "data-centre room"),
            ("UPS 不间断电源", "UPS"),
            ("精密空调", "precision air conditioning"),
            ("视频监控系统", "CCTV system"),
        ],
        models: &["施耐德 Galaxy", "艾默生 Liebert", "海康威视 DS"],
        cia: (2, 3, 5),
        zones: &[Zone::Other],
    },
    Kind {
        category: Category::Personnel,
        prefix: "PER",
        names: &[
            ("系统管理员岗位", "system administrator post"),
            ("外包运维团队", "outsourced operations team"),
        ],
        models: &["岗位"],
        cia: (4, 3, 3),
        zones: &[Zone::Other],
    },
    Kind {
        category: Category::Document,
        prefix: "DOC",
        names: &[
            ("信息安全管理制度", "security policy set"),
            ("应急响应预案", "incident response plan"),
            ("网络拓扑图", "network diagram"),
        ],
        models: &["纸质", "电子"],
        cia: (3, 3, 2),
        zones: &[Zone::Intranet],
    },
    Kind {
        category: Category::Other,
        prefix: "OTH",
        names: &[("域名", "domain name"), ("数字证书", "TLS certificate")],
        models: &["阿里云", "DNSPod", "CFCA"],
        cia: (2, 4, 4),
        zones: &[Zone::Internet],
    },
];

const OTHER: Kind = Kind {
    category: Category::Other,
    prefix: "OTH",
    names: &[("资产", "asset")],
    models: &[""],
    cia: (3, 3, 3),
    zones: &[Zone::Other],
};

const SITES: &[&str] = &[
    "北京总部",
    "上海数据中心",
    "深圳研发中心",
    "成都灾备中心",
    "武汉分公司",
    "广州分公司",
];

const PLACES: &[&str] = &[
    "A 座 3 层机房",
    "B 座 1 层机房",
    "2 号机柜",
    "办公区",
    "档案室",
    "云资源池",
];

const TAGS: &[&str] = &[
    "等保三级",
    "核心业务",
    "互联网暴露",
    "生产",
    "测试",
    "个人信息",
    "PCI",
];

/// Status mix of a working register (per mille).
fn status(rng: &mut DemoRng) -> AssetStatus {
    match rng.below(1000) {
        0..=69 => AssetStatus::Planned,
        70..=819 => AssetStatus::InUse,
        820..=899 => AssetStatus::Idle,
        900..=949 => AssetStatus::InRepair,
        _ => AssetStatus::Retired,
    }
}

fn jitter(rng: &mut DemoRng, base: u8) -> Result<Rating> {
    let v = i64::from(base) + [-1, 0, 0, 0, 1].get(rng.below(5)).copied().unwrap_or(0);
    Rating::new(v.clamp(1, 5)).map_err(|_| crate::Error::internal("demo rating out of range"))
}

fn any<'a, T>(rng: &mut DemoRng, items: &'a [T], fallback: &'a T) -> &'a T {
    rng.pick(items).unwrap_or(fallback)
}

/// One generated asset, owning its texts until the batch is written.
struct Owned {
    code: String,
    name: String,
    category: Category,
    department_id: Option<DepartmentId>,
    /// Index into the owners.
    owner: Option<usize>,
    custodian: Option<String>,
    location: String,
    zone: Zone,
    classification: Option<Classification>,
    c: Rating,
    i: Rating,
    a: Rating,
    status: AssetStatus,
    tags: Vec<String>,
    notes: String,
}

/// Writes `count` assets spread over `departments`, owned by `owners`.
pub async fn generate(
    conn: &mut Conn,
    rng: &mut DemoRng,
    count: u64,
    departments: &[DepartmentId],
    owners: &[(UserId, String)],
    now: Timestamp,
) -> Result<u64> {
    const BATCH: u64 = 5_000;
    let method = ValuationMethod::default();
    let mut serial = 0_u64;
    let now_s = now.to_db();
    while serial < count {
        let n = BATCH.min(count - serial);
        let mut batch: Vec<Owned> = Vec::with_capacity(n as usize);
        for _ in 0..n {
            serial += 1;
            batch.push(one(rng, serial, departments, owners)?);
        }
        let fields: Vec<AssetFields<'_>> = batch
            .iter()
            .map(|o| {
                let v = rules::evaluate(method, o.c, o.i, o.a);
                AssetFields {
                    code: &o.code,
                    name: &o.name,
                    category: o.category,
                    department_id: o.department_id,
                    owner_id: o.owner.and_then(|i| owners.get(i)).map(|(id, _)| *id),
                    custodian: o.custodian.as_deref(),
                    location: Some(&o.location),
                    zone: Some(o.zone),
                    classification: o.classification,
                    confidentiality: o.c,
                    integrity: o.i,
                    availability: o.a,
                    value_score: v.score,
                    value_level: v.level,
                    status: o.status,
                    tags: &o.tags,
                    notes: Some(&o.notes),
                }
            })
            .collect();
        let ids = bulk::insert_assets(conn, &fields, now).await?;
        let mut events = Vec::new();
        for (o, id) in batch.iter().zip(&ids) {
            let owner = o.owner.and_then(|i| owners.get(i));
            let actor = owner.map_or("system", |(_, name)| name.as_str());
            let actor_id = owner.map(|(id, _)| id.0);
            let mut push = |kind: &'static str, from: AssetStatus, to: AssetStatus, note| {
                events.push(BulkEvent {
                    asset_id: *id,
                    kind,
                    at: &now_s,
                    actor_id,
                    actor,
                    note,
                    from_status: from.code(),
                    to_status: to.code(),
                });
            };
            use AssetStatus as S;
            if o.status != S::Planned {
                push("purchase", S::Planned, S::Idle, Some("采购入库"));
            }
            if matches!(o.status, S::InUse | S::InRepair | S::Retired) {
                push("deploy", S::Idle, S::InUse, Some("上线投入使用"));
            }
            if o.status == S::InRepair {
                push("maintenance", S::InUse, S::InRepair, Some("硬件故障送修"));
            }
            if o.status == S::Retired {
                push("retire", S::InUse, S::Retired, Some("设备老化，报废处置"));
            }
        }
        bulk::insert_events(conn, &events).await?;
    }
    Ok(serial)
}

fn one(
    rng: &mut DemoRng,
    serial: u64,
    departments: &[DepartmentId],
    owners: &[(UserId, String)],
) -> Result<Owned> {
    let kind = any(rng, KINDS, &OTHER);
    let (zh, en) = *any(rng, kind.names, &("资产", "asset"));
    let site = *any(rng, SITES, &"总部");
    let model = *any(rng, kind.models, &"");
    let owner = (!owners.is_empty()).then(|| rng.below(owners.len()));
    let department_id = departments.get(rng.below(departments.len())).copied();
    let mut tags = Vec::new();
    for _ in 0..rng.below(3) {
        let t = (*any(rng, TAGS, &"生产")).to_owned();
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    let classification = match kind.category {
        Category::Data | Category::Database => Some(*any(
            rng,
            &[
                Classification::Internal,
                Classification::Confidential,
                Classification::Secret,
            ],
            &Classification::Internal,
        )),
        Category::Document => Some(Classification::Internal),
        _ => None,
    };
    Ok(Owned {
        code: format!("{}-{serial:07}", kind.prefix),
        name: format!("{site}{zh} {:02}", 1 + serial % 40),
        category: kind.category,
        department_id,
        owner,
        custodian: (rng.below(3) == 0).then(|| "运维值班组".to_owned()),
        location: format!("{site} {}", any(rng, PLACES, &"机房")),
        zone: *any(rng, kind.zones, &Zone::Other),
        classification,
        c: jitter(rng, kind.cia.0)?,
        i: jitter(rng, kind.cia.1)?,
        a: jitter(rng, kind.cia.2)?,
        status: status(rng),
        tags,
        notes: format!("{model}；{en}"),
    })
}
