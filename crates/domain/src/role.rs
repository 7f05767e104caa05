//! The default roles (SPEC §1). Codes are stable API values; labels are translated.

use crate::lang::{Lang, Text};
use serde::{Deserialize, Serialize};

/// A role a user can hold, optionally limited to a department subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// System administrator: users, roles, settings, backups; no business approvals.
    Admin,
    /// Information security committee: approves major decisions.
    Committee,
    /// Security management owner: runs the ISMS processes.
    SecurityOfficer,
    /// Security administrator: assets, inspections, trainings, incidents.
    SecurityAdmin,
    /// Network administrator.
    NetworkAdmin,
    /// Application administrator.
    ApplicationAdmin,
    /// User and data administrator.
    DataAdmin,
    /// Compliance administrator.
    ComplianceAdmin,
    /// Risk assessor, penetration tester, code auditor.
    Assessor,
    /// Internal or external auditor: reads everything, writes nothing.
    Auditor,
    /// Every employee.
    Staff,
}

impl Role {
    /// Every role, in the order the product lists them.
    pub const ALL: [Role; 11] = [
        Role::Admin,
        Role::Committee,
        Role::SecurityOfficer,
        Role::SecurityAdmin,
        Role::NetworkAdmin,
        Role::ApplicationAdmin,
        Role::DataAdmin,
        Role::ComplianceAdmin,
        Role::Assessor,
        Role::Auditor,
        Role::Staff,
    ];

    /// The stable code used in the API, the database and the CLI.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Committee => "committee",
            Role::SecurityOfficer => "security_officer",
            Role::SecurityAdmin => "security_admin",
            Role::NetworkAdmin => "network_admin",
            Role::ApplicationAdmin => "application_admin",
            Role::DataAdmin => "data_admin",
            Role::ComplianceAdmin => "compliance_admin",
            Role::Assessor => "assessor",
            Role::Auditor => "auditor",
            Role::Staff => "staff",
        }
    }

    /// Parses a role code exactly as [`Role::code`] writes it.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The role's name in both languages.
    pub fn label(self) -> Text {
        let (en, zh) = match self {
            Role::Admin => ("System administrator", "系统管理员"),
            Role::Committee => ("Security committee", "信息安全领导小组"),
            Role::SecurityOfficer => ("Security officer", "安全管理负责人"),
            Role::SecurityAdmin => ("Security administrator", "安全管理员"),
            Role::NetworkAdmin => ("Network administrator", "网络管理员"),
            Role::ApplicationAdmin => ("Application administrator", "应用管理员"),
            Role::DataAdmin => ("User & data administrator", "用户与数据管理员"),
            Role::ComplianceAdmin => ("Compliance administrator", "合规管理员"),
            Role::Assessor => ("Risk assessor", "风险评估人员"),
            Role::Auditor => ("Auditor", "审计员"),
            Role::Staff => ("Staff", "员工"),
        };
        Text { en, zh }
    }

    /// One sentence on what the role is for, in both languages.
    pub fn summary(self) -> Text {
        let (en, zh) = match self {
            Role::Admin => (
                "Runs the platform: accounts, role assignments, settings and backups. Takes no business decisions.",
                "负责平台本身：账号、角色分配、系统设置与备份，不参与业务审批。",
            ),
            Role::Committee => (
                "Decides on major matters: risk acceptance, final approval of assessments and residual risk, major changes.",
                "对重大事项作出决定：风险接受、评估与残余风险的最终批准、重大变更。",
            ),
            Role::SecurityOfficer => (
                "Owns the security management processes; approves assessments, inspection plans and documents.",
                "统筹安全管理流程，审批风险评估、检查计划和制度文件。",
            ),
            Role::SecurityAdmin => (
                "Looks after assets, inspections, training plans, incidents and the operation of security equipment.",
                "管理资产、安全检查、培训计划、安全事件及安全设备运维。",
            ),
            Role::NetworkAdmin => (
                "Responsible for network assets, network changes and network incidents.",
                "负责网络资产、网络变更和网络类安全事件。",
            ),
            Role::ApplicationAdmin => (
                "Responsible for application assets and changes, and approves access to applications.",
                "负责应用系统资产与变更，审批应用系统的访问权限。",
            ),
            Role::DataAdmin => (
                "Responsible for data assets, business accounts and backups.",
                "负责数据资产、业务账号和数据备份。",
            ),
            Role::ComplianceAdmin => (
                "Maintains documents, compliance frameworks, compliance assessments and audits.",
                "维护制度文件、合规框架、合规评估与审计工作。",
            ),
            Role::Assessor => (
                "Identifies and analyses risks and records vulnerability findings.",
                "开展风险识别与分析，记录脆弱性发现。",
            ),
            Role::Auditor => (
                "Reads everything, including the audit trail, and changes nothing.",
                "可查阅全部内容（包括审计日志），但不能修改任何数据。",
            ),
            Role::Staff => (
                "Every employee: reports incidents, requests access, sees own trainings and tasks.",
                "全体员工：报告安全事件、申请访问权限、查看本人的培训与待办。",
            ),
        };
        Text { en, zh }
    }

    /// The role's name in one language.
    pub fn name(self, lang: Lang) -> &'static str {
        self.label().get(lang)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Role {
    type Err = crate::error::FieldErrorKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::from_code(s).ok_or_else(|| crate::error::FieldErrorKind::UnknownValue {
            allowed: Role::ALL.iter().map(|r| r.code()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.code()));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn every_role_is_labelled_in_both_languages() {
        for role in Role::ALL {
            assert!(!role.label().en.is_empty() && !role.label().zh.is_empty());
            assert!(!role.summary().en.is_empty() && !role.summary().zh.is_empty());
        }
    }
}
