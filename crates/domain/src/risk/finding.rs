//! What risk identification finds besides threats (SPEC §4.1): vulnerabilities of assets and
//! the security controls already in place, and the status of treatment-plan items.

use crate::macros::coded_enum;

coded_enum! {
    /// Where a vulnerability finding stands.
    pub enum VulnerabilityStatus {
        /// Not yet remedied.
        Open => ("open", "Open", "未修复"),
        /// Remedied and verified.
        Fixed => ("fixed", "Fixed", "已修复"),
        /// Knowingly left as it is.
        Accepted => ("accepted", "Accepted", "已接受"),
    }
}

coded_enum! {
    /// How a vulnerability was found.
    pub enum FoundBy {
        /// A vulnerability scanner.
        Scan => ("scan", "Vulnerability scan", "漏洞扫描"),
        /// A penetration test.
        Pentest => ("pentest", "Penetration test", "渗透测试"),
        /// A configuration or code audit, or a document review.
        Audit => ("audit", "Audit", "审计核查"),
        /// Interviews with the people who run the asset.
        Interview => ("interview", "Interview", "人员访谈"),
    }
}

coded_enum! {
    /// What kind of safeguard a control is.
    pub enum ControlKind {
        /// Technical (firewalls, encryption, backups …).
        Technical => ("technical", "Technical", "技术措施"),
        /// Organizational (policies, procedures, training …).
        Management => ("management", "Management", "管理措施"),
        /// Physical (locks, guards, fire suppression …).
        Physical => ("physical", "Physical", "物理措施"),
    }
}

coded_enum! {
    /// How well an existing control works.
    pub enum Effectiveness {
        /// It reliably does its job.
        Effective => ("effective", "Effective", "有效"),
        /// It works only in part or not always.
        PartiallyEffective => ("partially_effective", "Partially effective", "部分有效"),
        /// It does not achieve its purpose.
        Ineffective => ("ineffective", "Ineffective", "无效"),
        /// Nobody has checked yet.
        NotAssessed => ("not_assessed", "Not assessed", "未评价"),
    }
}

coded_enum! {
    /// Where a treatment-plan item stands.
    pub enum TreatmentStatus {
        /// Decided, not started.
        Planned => ("planned", "Planned", "计划中"),
        /// Work has started.
        InProgress => ("in_progress", "In progress", "实施中"),
        /// Finished.
        Done => ("done", "Done", "已完成"),
        /// Dropped (the note says why).
        Cancelled => ("cancelled", "Cancelled", "已取消"),
    }
}

impl TreatmentStatus {
    /// Whether the item still needs work (and can become overdue).
    pub fn is_open(self) -> bool {
        matches!(self, TreatmentStatus::Planned | TreatmentStatus::InProgress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldErrorKind;

    #[test]
    fn codes_round_trip_and_unknown_codes_list_the_allowed_ones() {
        for s in VulnerabilityStatus::ALL {
            assert_eq!(VulnerabilityStatus::from_code(s.code()), Ok(s));
        }
        for f in FoundBy::ALL {
            assert_eq!(FoundBy::parse_cell(f.label().zh), Some(f));
        }
        assert_eq!(
            Effectiveness::from_code("great"),
            Err(FieldErrorKind::UnknownValue {
                allowed: vec![
                    "effective",
                    "partially_effective",
                    "ineffective",
                    "not_assessed"
                ]
            })
        );
        assert_eq!(ControlKind::ALL.len(), 3);
    }

    #[test]
    fn only_planned_and_started_items_are_open() {
        let open: Vec<_> = TreatmentStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(
            open,
            vec![TreatmentStatus::Planned, TreatmentStatus::InProgress]
        );
    }
}
