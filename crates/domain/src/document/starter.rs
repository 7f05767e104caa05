//! The starter set: skeletons of the policies an information security management system
//! keeps (the families of seed 003, plus the overall policy and document control), each
//! with headings and short guidance, written for Castellan in both languages. An
//! organization imports the ones it lacks as drafts and fills them in.

use super::{DocumentFamily, DocumentKind};
use crate::lang::{Lang, Text};

/// One skeleton.
#[derive(Debug, Clone, Copy)]
pub struct Skeleton {
    /// The reference it is imported under.
    pub code: &'static str,
    /// Kind.
    pub kind: DocumentKind,
    /// Family.
    pub family: DocumentFamily,
    /// Title.
    pub title: Text,
    /// Markdown text, English.
    pub body_en: &'static str,
    /// Markdown text, Chinese.
    pub body_zh: &'static str,
}

impl Skeleton {
    /// The text in `lang`.
    pub fn body(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.body_en,
            Lang::ZhCn => self.body_zh,
        }
    }
}

/// The skeletons, in the order the import page lists them.
pub const STARTER_SET: &[Skeleton] = &[
    Skeleton {
        code: "ISMS-POL-00",
        kind: DocumentKind::Policy,
        family: DocumentFamily::General,
        title: Text {
            en: "Information security policy",
            zh: "信息安全总体方针",
        },
        body_en: "# Purpose\n\nState why the organization protects its information and what it commits to.\n\n# Scope\n\nName the business units, sites, systems and people the management system covers.\n\n# Commitments\n\n- Information is classified and protected according to its value to the business.\n- Risks are assessed at least once a year and treated within the accepted level.\n- Incidents are reported at once and handled to a defined deadline.\n- Everyone receives security awareness training when they join and every year.\n\n# Roles\n\n- **Security committee**: approves this policy and the accepted level of risk.\n- **Security officer**: runs the management system day to day.\n- **Department heads**: apply the policies in their departments.\n\n# Review\n\nThe committee reviews this policy every year and after any major change.\n",
        body_zh: "# 目的\n\n说明组织保护信息的原因，以及在信息安全方面作出的承诺。\n\n# 适用范围\n\n列明管理体系覆盖的业务单元、场所、信息系统和人员。\n\n# 方针承诺\n\n- 按信息对业务的价值进行分级，并采取相应的保护措施。\n- 每年至少开展一次风险评估，将风险控制在可接受水平以内。\n- 安全事件发现后立即报告，并在规定时限内处置。\n- 所有人员入职时及每年接受安全意识培训。\n\n# 职责\n\n- **信息安全领导小组**：批准本方针及可接受的风险水平。\n- **安全管理负责人**：负责管理体系的日常运行。\n- **各部门负责人**：在本部门落实各项制度。\n\n# 复审\n\n领导小组每年及发生重大变化后对本方针进行复审。\n",
    },
    Skeleton {
        code: "ISMS-POL-01",
        kind: DocumentKind::Policy,
        family: DocumentFamily::Physical,
        title: Text {
            en: "Physical and environmental security policy",
            zh: "物理与环境安全管理制度",
        },
        body_en: "# Purpose\n\nProtect premises, rooms and equipment from unauthorized access, damage and interruption.\n\n# Secure areas\n\n- List the server rooms, network closets and archives that count as secure areas.\n- Access is granted by name, reviewed every quarter and logged.\n- Visitors are registered and accompanied at all times.\n\n# Equipment\n\n- Power, cooling, fire detection and water detection are monitored and maintained.\n- Equipment leaving the premises is recorded; storage media are wiped or destroyed before disposal.\n\n# Checks\n\nSay who inspects the secure areas, how often and where the records are kept.\n",
        body_zh: "# 目的\n\n保护办公场所、机房和设备，防止未经授权的进入、损坏和中断。\n\n# 安全区域\n\n- 列明属于安全区域的机房、网络间和档案室。\n- 按人员授权进入，每季度复核一次，并保留进出记录。\n- 来访人员须登记，并由专人全程陪同。\n\n# 设备\n\n- 对供电、空调、火灾和漏水监测设施进行监控和维护。\n- 设备带离须登记；存储介质报废前须彻底擦除或销毁。\n\n# 检查\n\n明确安全区域的检查人、检查频率以及检查记录的保存位置。\n",
    },
    Skeleton {
        code: "ISMS-POL-02",
        kind: DocumentKind::Policy,
        family: DocumentFamily::Network,
        title: Text {
            en: "Network security policy",
            zh: "网络安全管理制度",
        },
        body_en: "# Purpose\n\nKeep the networks and their boundaries under control.\n\n# Network zones\n\n- Describe the zones (office, production, management, guest) and what may cross between them.\n- Every connection to the internet or to a partner passes a managed firewall.\n\n# Changes\n\n- Firewall and switch configuration changes are requested, approved and recorded.\n- Configuration baselines are kept and compared after each change.\n\n# Remote access\n\n- Remote access uses the company VPN with multi-factor sign-in.\n- Accounts unused for 90 days are disabled.\n\n# Monitoring\n\nSay which logs are collected, for how long they are kept (at least six months) and who reviews alerts.\n",
        body_zh: "# 目的\n\n对网络及其边界实施有效管控。\n\n# 网络区域\n\n- 说明各网络区域（办公、生产、管理、访客）及区域之间允许的访问。\n- 所有互联网及合作方连接均须经过受控的防火墙。\n\n# 变更\n\n- 防火墙、交换机配置变更须申请、审批并记录。\n- 保留配置基线，每次变更后进行比对。\n\n# 远程访问\n\n- 远程访问须通过公司 VPN，并启用多因素认证。\n- 连续 90 天未使用的账号予以停用。\n\n# 监控\n\n明确收集哪些日志、保存期限（不少于六个月）以及由谁处理告警。\n",
    },
    Skeleton {
        code: "ISMS-POL-03",
        kind: DocumentKind::Policy,
        family: DocumentFamily::Data,
        title: Text {
            en: "Data security policy",
            zh: "数据安全管理制度",
        },
        body_en: "# Purpose\n\nProtect data according to its classification throughout its life.\n\n# Classification\n\n| Level | Examples | Handling |\n|---|---|---|\n| Public | Published brochures | No restriction |\n| Internal | Procedures, plans | Staff only |\n| Confidential | Customer and personal data | Need to know, encrypted in transit and at rest |\n\n# Handling\n\n- Each data set has an owner who decides who may use it.\n- Confidential data leaves the organization only with the owner's approval.\n- Backups of confidential data are encrypted.\n\n# Retention and disposal\n\nState how long each kind of record is kept and how it is destroyed.\n",
        body_zh: "# 目的\n\n在数据全生命周期内按其级别进行保护。\n\n# 数据分级\n\n| 级别 | 示例 | 处理要求 |\n|---|---|---|\n| 公开 | 已发布的宣传资料 | 无限制 |\n| 内部 | 管理程序、工作计划 | 仅限内部人员 |\n| 敏感 | 客户数据、个人信息 | 按需知悉，传输和存储均须加密 |\n\n# 数据处理\n\n- 每类数据须明确责任人，由其决定使用范围。\n- 敏感数据对外提供须经数据责任人批准。\n- 敏感数据的备份须加密。\n\n# 保存与销毁\n\n说明各类记录的保存期限及销毁方式。\n",
    },
    Skeleton {
        code: "ISMS-POL-04",
        kind: DocumentKind::Policy,
        family: DocumentFamily::Software,
        title: Text {
            en: "Software security policy",
            zh: "软件安全管理制度",
        },
        body_en: "# Purpose\n\nMake sure software is obtained, built and changed safely.\n\n# Acquisition\n\n- Only licensed software from trusted sources is installed.\n- The list of approved software is kept by the IT department.\n\n# Development\n\n- Security requirements are written down with the other requirements.\n- Code is reviewed before release; known vulnerable components are not shipped.\n- Test data never contains real personal data.\n\n# Change and release\n\nChanges to production follow the change approval process and can be rolled back.\n",
        body_zh: "# 目的\n\n确保软件的采购、开发和变更过程安全可控。\n\n# 软件采购\n\n- 仅安装来源可信、授权合法的软件。\n- 由信息技术部门维护允许使用的软件清单。\n\n# 软件开发\n\n- 安全需求与其他需求一并书面明确。\n- 发布前进行代码审查；不得发布含已知漏洞的组件。\n- 测试数据中不得包含真实个人信息。\n\n# 变更与发布\n\n生产环境变更须按变更审批流程执行，并具备回退方案。\n",
    },
    Skeleton {
        code: "ISMS-POL-05",
        kind: DocumentKind::Policy,
        family: DocumentFamily::System,
        title: Text {
            en: "System management policy",
            zh: "系统运维管理制度",
        },
        body_en: "# Purpose\n\nRun servers, databases and applications in a controlled, traceable way.\n\n# Accounts and privileges\n\n- Every administrator has a personal account; shared accounts are not used.\n- Administrative passwords of key systems are held by a named person with a trained backup, handed over with a record and changed afterwards.\n- Privileges are reviewed every quarter.\n\n# Operations\n\n- Security patches are assessed monthly and applied within the agreed time.\n- Anti-malware protection runs on every endpoint and server that supports it.\n\n# Records\n\nState which operations are logged, where, and who reviews the logs.\n",
        body_zh: "# 目的\n\n以受控、可追溯的方式运行服务器、数据库和应用系统。\n\n# 账号与权限\n\n- 每位管理员使用个人账号，不使用共享账号。\n- 重要系统的管理员口令由指定人员保管，并设经过培训的备份人员；交接须有记录，交接后及时修改口令。\n- 每季度复核一次权限。\n\n# 日常运维\n\n- 每月评估安全补丁，并在约定时限内完成安装。\n- 所有支持的终端和服务器均须运行防恶意代码软件。\n\n# 运维记录\n\n明确需要记录的操作、记录位置以及日志的审查人。\n",
    },
    Skeleton {
        code: "ISMS-POL-06",
        kind: DocumentKind::Policy,
        family: DocumentFamily::Continuity,
        title: Text {
            en: "Backup and disaster recovery policy",
            zh: "备份与灾难恢复管理制度",
        },
        body_en: "# Purpose\n\nBe able to restore the business after a failure or a disaster within the agreed time.\n\n# Backup\n\n- Each important system has a backup plan with its recovery point objective (RPO).\n- Backups are kept off site or in another zone and restored on test at least every quarter.\n\n# Disaster recovery\n\n- Each critical system has a recovery plan with its recovery time objective (RTO).\n- Recovery drills are held every year; problems found open rectification tasks.\n\n# Responsibilities\n\nName who keeps the plans, who runs the drills and who decides to invoke a plan.\n",
        body_zh: "# 目的\n\n在发生故障或灾难时，能够在约定时间内恢复业务。\n\n# 数据备份\n\n- 每个重要系统均须制定备份计划，明确恢复点目标（RPO）。\n- 备份须异地或跨区域保存，每季度至少进行一次恢复测试。\n\n# 灾难恢复\n\n- 每个关键系统均须制定恢复预案，明确恢复时间目标（RTO）。\n- 每年至少组织一次恢复演练，发现的问题须提出整改任务。\n\n# 职责\n\n明确预案的维护人、演练的组织人以及启动预案的决策人。\n",
    },
    Skeleton {
        code: "ISMS-PR-01",
        kind: DocumentKind::Procedure,
        family: DocumentFamily::General,
        title: Text {
            en: "Document control procedure",
            zh: "文件控制程序",
        },
        body_en: "# Purpose\n\nKeep the management system's documents current, approved and available where they are needed.\n\n# Writing and approval\n\n1. The owner drafts the document or its new version and notes what changed.\n2. The security officer reviews it; policies then go to the committee for approval.\n3. The approved version is published with its effective date; the previous version is superseded.\n\n# Review\n\nEvery document is reviewed at its interval (twelve months unless stated) and after major changes.\n\n# Records\n\nThe change history (version, author, reviewer, approver, each with the date, effective date and change note) is kept with the document.\n",
        body_zh: "# 目的\n\n确保管理体系文件现行有效、经过批准，并在需要的地方可以获取。\n\n# 编写与审批\n\n1. 文件责任人编写文件或新版本，并说明修订内容。\n2. 安全管理负责人审核；方针策略类文件再提交领导小组批准。\n3. 批准后的版本按生效日期发布，原版本同时作废替代。\n\n# 复审\n\n所有文件按规定周期（未规定的为十二个月）及发生重大变化后进行复审。\n\n# 记录\n\n随文件保留修订记录（版本号、编写人、审核人、批准人及各自日期、生效日期和修订说明）。\n",
    },
    Skeleton {
        code: "ISMS-PR-02",
        kind: DocumentKind::Procedure,
        family: DocumentFamily::General,
        title: Text {
            en: "Security incident management procedure",
            zh: "信息安全事件管理程序",
        },
        body_en: "# Purpose\n\nReport, assess and handle security incidents quickly and learn from them.\n\n# Reporting\n\nAnyone who notices an incident reports it at once in Castellan or to the security officer.\n\n# Assessment\n\nThe security officer or administrator classifies the incident and decides its level within the deadline; major and critical incidents are reported to the committee.\n\n# Handling\n\n1. Contain the incident and keep evidence.\n2. Recover the affected systems.\n3. Record the cause and open rectification tasks so it does not happen again.\n\n# Review\n\nClosed incidents are reviewed every quarter for trends.\n",
        body_zh: "# 目的\n\n及时报告、研判和处置信息安全事件，并从中总结改进。\n\n# 事件报告\n\n任何人发现安全事件均须立即在 Castellan 中报告，或报告安全管理负责人。\n\n# 研判\n\n安全管理负责人或安全管理员在规定时限内对事件分类定级；重大和特别重大事件须报告领导小组。\n\n# 处置\n\n1. 控制事态并保全证据。\n2. 恢复受影响的系统。\n3. 记录事件原因并提出整改任务，防止再次发生。\n\n# 总结\n\n每季度对已关闭的事件进行趋势分析。\n",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_has_a_policy_and_every_skeleton_both_languages() {
        for family in DocumentFamily::ALL {
            assert!(
                STARTER_SET
                    .iter()
                    .any(|s| s.family == family && s.kind == DocumentKind::Policy),
                "{family:?}"
            );
        }
        let mut codes: Vec<&str> = STARTER_SET.iter().map(|s| s.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), STARTER_SET.len());
        for s in STARTER_SET {
            assert!(
                s.body_en.starts_with("# ") && s.body_zh.starts_with("# "),
                "{}",
                s.code
            );
            assert!(!s.body_zh.is_ascii(), "{}", s.code);
            assert!(super::super::record::check_code(s.code).is_ok());
        }
    }
}
