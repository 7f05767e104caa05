//! Incidents: classes, levels, categories, statuses, the workflow, deadlines and the checks
//! on a report, a triage and a closing.

use crate::error::{DomainError, FieldErrorKind, FieldErrors};
use crate::ids::{AssetId, DepartmentId, UserId};
use crate::lang::Text;
use crate::macros::coded_enum;
use crate::role::Role;
use crate::sod::Authors;
use crate::time::Timestamp;
use crate::values::{clean_multiline, clean_text};
use crate::workflow::{Move, MoveKind, Subject, Who, Workflow};

coded_enum! {
    /// How far an incident reaches (seed 003).
    pub enum IncidentClass {
        /// Harms one terminal or a local network segment, or has stopped spreading.
        Normal => ("normal", "Normal", "一般事件"),
        /// Threatens the information system itself.
        Serious => ("serious", "Serious", "严重事件"),
        /// An attack from outside the organization, or a natural or other emergency.
        Special => ("special", "Special", "特殊事件"),
    }
}

impl IncidentClass {
    /// What the class covers, for the triage form.
    pub fn explanation(self) -> Text {
        match self {
            IncidentClass::Normal => Text {
                en: "Damage limited to a single terminal or one local network segment, or a spread that has already stopped.",
                zh: "损害仅限于单台终端或某个局部网段，或已停止扩散。",
            },
            IncidentClass::Serious => Text {
                en: "A threat to the information system itself: spreading malware, attacks on servers, tampered network devices, unauthorized software.",
                zh: "威胁到信息系统本身：正在扩散的恶意代码、针对服务器的攻击、网络设备被篡改、未经授权的软件。",
            },
            IncidentClass::Special => Text {
                en: "A deliberate attack from outside the organization, or a natural disaster or other emergency.",
                zh: "来自组织外部的蓄意攻击，或自然灾害等其他突发事件。",
            },
        }
    }
}

coded_enum! {
    /// How grave an incident is, in the four levels of GB/T 20986-2023.
    pub enum IncidentLevel {
        /// Level IV.
        General => ("general", "General (IV)", "一般（IV级）"),
        /// Level III.
        Significant => ("significant", "Significant (III)", "较大（III级）"),
        /// Level II.
        Major => ("major", "Major (II)", "重大（II级）"),
        /// Level I.
        Critical => ("critical", "Critical (I)", "特别重大（I级）"),
    }
}

impl IncidentLevel {
    /// Whether the committee must be told (SPEC §5: major and critical incidents).
    pub fn needs_committee(self) -> bool {
        matches!(self, IncidentLevel::Major | IncidentLevel::Critical)
    }

    /// What the level means, for the triage form.
    pub fn explanation(self) -> Text {
        match self {
            IncidentLevel::General => Text {
                en: "Some loss to important systems, or a threat to the organization's operations that is contained quickly.",
                zh: "对重要信息系统造成一定损失，或对单位正常运转造成可迅速控制的影响。",
            },
            IncidentLevel::Significant => Text {
                en: "Noticeable loss to important systems or data, or a disruption of some business for a while.",
                zh: "对重要信息系统或数据造成较明显的损失，或导致部分业务在一段时间内中断。",
            },
            IncidentLevel::Major => Text {
                en: "Serious loss to important systems: large-scale outage, or important data stolen, altered or destroyed.",
                zh: "对重要信息系统造成严重损失：大范围瘫痪，或重要数据被窃取、篡改、破坏。",
            },
            IncidentLevel::Critical => Text {
                en: "Extremely serious loss: core systems down across the organization, or a threat to public order or national security.",
                zh: "造成特别严重的损失：核心系统全面瘫痪，或危及社会秩序、国家安全。",
            },
        }
    }
}

coded_enum! {
    /// What kind of incident it is (GB/T 20986-2023 categories).
    pub enum IncidentCategory {
        /// Viruses, worms, trojans, ransomware, botnets.
        Malware => ("malware", "Malware", "恶意程序事件"),
        /// Denial of service, intrusion, scanning, phishing, backdoors.
        NetworkAttack => ("network_attack", "Network attack", "网络攻击事件"),
        /// Data leaks, tampering, loss or misuse.
        DataSecurity => ("data_security", "Data security", "数据安全事件"),
        /// Unlawful or harmful information published through the organization's systems.
        InformationContent => ("information_content", "Information content", "信息内容安全事件"),
        /// Hardware, software or supporting facility failures.
        DeviceFailure => ("device_failure", "Device failure", "设备设施故障"),
        /// Breaches of rules by staff or contractors.
        Violation => ("violation", "Violation of rules", "违规操作事件"),
        /// A weakness found that could be exploited.
        SecurityHazard => ("security_hazard", "Security hazard", "安全隐患事件"),
        /// Unusual behaviour of systems, accounts or traffic not yet explained.
        AbnormalBehavior => ("abnormal_behavior", "Abnormal behaviour", "异常行为事件"),
        /// Natural disasters and other force majeure.
        ForceMajeure => ("force_majeure", "Force majeure", "不可抗力事件"),
        /// Anything else.
        Other => ("other", "Other", "其他事件"),
    }
}

coded_enum! {
    /// Where an incident is in its handling.
    pub enum IncidentStatus {
        /// Reported, waiting for triage.
        Reported => ("reported", "Reported", "已报告"),
        /// Class, level, category and team set.
        Triaged => ("triaged", "Triaged", "已研判"),
        /// The team is finding out what happened.
        Investigating => ("investigating", "Investigating", "调查中"),
        /// The damage no longer spreads.
        Contained => ("contained", "Contained", "已控制"),
        /// Systems and data are back to normal.
        Recovered => ("recovered", "Recovered", "已恢复"),
        /// Closed with its root cause and lessons learned.
        Closed => ("closed", "Closed", "已关闭"),
        /// Not an incident (with the reason).
        Rejected => ("rejected", "Rejected", "已驳回"),
    }
}

impl IncidentStatus {
    /// Whether handling is over.
    pub fn is_finished(self) -> bool {
        matches!(self, IncidentStatus::Closed | IncidentStatus::Rejected)
    }
}

/// Who triages incidents and may handle any of them.
pub const TRIAGERS: &[Role] = &[Role::SecurityOfficer, Role::SecurityAdmin];

/// The incident workflow (SPEC §5). Triage and rejection are the triagers'; the handling
/// moves are the team's (or a triager's). Rejecting and triaging need what the application
/// checks with [`check_rejection`] and [`Triage::check`]; closing needs [`check_closing`].
pub const FLOW: Workflow<IncidentStatus> = {
    use IncidentStatus::*;
    Workflow {
        process: "incident",
        moves: &[
            Move::new(Reported, Triaged, Who::Roles(TRIAGERS), MoveKind::Work),
            Move::new(Reported, Rejected, Who::Roles(TRIAGERS), MoveKind::Work),
            Move::new(Triaged, Rejected, Who::Roles(TRIAGERS), MoveKind::Work),
            Move::new(Triaged, Investigating, Who::Team(TRIAGERS), MoveKind::Work),
            Move::new(
                Investigating,
                Contained,
                Who::Team(TRIAGERS),
                MoveKind::Work,
            ),
            // Containment failed: back to the investigation.
            Move::new(
                Contained,
                Investigating,
                Who::Team(TRIAGERS),
                MoveKind::Work,
            ),
            Move::new(Contained, Recovered, Who::Team(TRIAGERS), MoveKind::Work),
            Move::new(Recovered, Closed, Who::Team(TRIAGERS), MoveKind::Work),
        ],
    }
};

/// The incident as the engine sees it: its team does the handling; the reporter is not on
/// it by reporting.
pub fn subject<'a>(reporter: Option<UserId>, handlers: &'a [UserId]) -> Subject<'a> {
    Subject {
        authors: Authors {
            created_by: reporter,
            submitted_by: reporter,
            team: handlers,
        },
        requester: None,
    }
}

/// An incident as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// Id.
    pub id: i64,
    /// `INC-2026-0042`.
    pub code: String,
    /// What happened, in a line.
    pub title: String,
    /// What was seen.
    pub description: Option<String>,
    /// Where it was seen (a room, a system, a network segment).
    pub location: Option<String>,
    /// When it happened (as far as known).
    pub occurred_at: Timestamp,
    /// When it was noticed.
    pub detected_at: Option<Timestamp>,
    /// When it was reported in Castellan.
    pub reported_at: Timestamp,
    /// Who reported it (`None`: the host operator).
    pub reporter_id: Option<UserId>,
    /// The reporter's department then (readers within a department scope find it by it).
    pub department_id: Option<DepartmentId>,
    /// Set at triage.
    pub category: Option<IncidentCategory>,
    /// Set at triage.
    pub class: Option<IncidentClass>,
    /// Set at triage.
    pub level: Option<IncidentLevel>,
    /// Where it is.
    pub status: IncidentStatus,
    /// The assets it affected.
    pub affected_asset_ids: Vec<AssetId>,
    /// The handling team.
    pub handler_ids: Vec<UserId>,
    /// When it was triaged.
    pub triaged_at: Option<Timestamp>,
    /// Who triaged it.
    pub triaged_by: Option<UserId>,
    /// When a committee member noted a major or critical incident.
    pub committee_noted_at: Option<Timestamp>,
    /// Who.
    pub committee_noted_by: Option<UserId>,
    /// When the damage stopped spreading.
    pub contained_at: Option<Timestamp>,
    /// When it was closed (or rejected).
    pub closed_at: Option<Timestamp>,
    /// Why it happened (required to close).
    pub root_cause: Option<String>,
    /// What the organization learns (required to close).
    pub lessons_learned: Option<String>,
    /// Why it is not an incident (when rejected).
    pub rejection_reason: Option<String>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
}

/// The organization's incident deadlines (SPEC §5), in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deadlines {
    /// From the report to the triage.
    pub triage_minutes: i64,
    /// From the triage of a major incident to the committee noting it.
    pub major_notice_minutes: i64,
    /// From the triage of a critical incident to the committee noting it.
    pub critical_notice_minutes: i64,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            triage_minutes: 240,
            major_notice_minutes: 60,
            critical_notice_minutes: 60,
        }
    }
}

impl Deadlines {
    /// The longest deadline anyone may set (thirty days).
    pub const MAX_MINUTES: i64 = 30 * 24 * 60;

    /// Checks submitted deadlines: whole minutes from 1 to thirty days.
    pub fn check(self) -> Result<Deadlines, DomainError> {
        let mut errors = FieldErrors::new();
        for (field, v) in [
            ("triage_minutes", self.triage_minutes),
            ("major_notice_minutes", self.major_notice_minutes),
            ("critical_notice_minutes", self.critical_notice_minutes),
        ] {
            if !(1..=Self::MAX_MINUTES).contains(&v) {
                errors.add(
                    field,
                    FieldErrorKind::OutOfRange {
                        min: 1,
                        max: Self::MAX_MINUTES,
                    },
                );
            }
        }
        errors.into_result().map(|()| self)
    }

    /// How long the committee has to note an incident of `level` (`None`: it need not).
    pub fn notice_minutes(self, level: IncidentLevel) -> Option<i64> {
        match level {
            IncidentLevel::Major => Some(self.major_notice_minutes),
            IncidentLevel::Critical => Some(self.critical_notice_minutes),
            IncidentLevel::General | IncidentLevel::Significant => None,
        }
    }
}

fn after(t: Timestamp, minutes: i64) -> Timestamp {
    t.plus(time::Duration::minutes(minutes))
}

impl Incident {
    /// When it must be triaged by.
    pub fn triage_due(&self, d: Deadlines) -> Timestamp {
        after(self.reported_at, d.triage_minutes)
    }

    /// Whether triage is late: still waiting past its deadline at `now`, or done late.
    pub fn triage_overdue(&self, d: Deadlines, now: Timestamp) -> bool {
        let due = self.triage_due(d);
        match self.triaged_at {
            Some(t) => t > due,
            None => self.status == IncidentStatus::Reported && now > due,
        }
    }

    /// When the committee must have noted it by (major and critical incidents, once
    /// triaged).
    pub fn notice_due(&self, d: Deadlines) -> Option<Timestamp> {
        let minutes = d.notice_minutes(self.level?)?;
        Some(after(self.triaged_at?, minutes))
    }

    /// Whether the committee's notice is late: not noted past its deadline at `now`, or
    /// noted late.
    pub fn notice_late(&self, d: Deadlines, now: Timestamp) -> bool {
        let Some(due) = self.notice_due(d) else {
            return false;
        };
        match self.committee_noted_at {
            Some(t) => t > due,
            None => now > due,
        }
    }

    /// Whether the committee still has to note it.
    pub fn awaits_committee(&self) -> bool {
        self.level.is_some_and(IncidentLevel::needs_committee)
            && self.triaged_at.is_some()
            && self.committee_noted_at.is_none()
            && self.status != IncidentStatus::Rejected
    }
}

/// How far in the future a reported time may lie (clocks of reporters' machines drift).
pub const CLOCK_SKEW_MINUTES: i64 = 5;

/// A report as checked: what anyone may say when reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// When it was noticed.
    pub detected_at: Option<Timestamp>,
}

impl Report {
    /// Checks a report at `now`: a title, texts of sane length, an occurrence time that is
    /// not in the future and a detection time between it and now. Every problem is named
    /// by its field.
    pub fn check(
        title: &str,
        description: Option<&str>,
        location: Option<&str>,
        occurred_at: Option<Timestamp>,
        detected_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<Report, DomainError> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", clean_text(title, 1, 200));
        let description = errors.check("description", clean_multiline(description, 20_000));
        let location = match location.map(str::trim).filter(|s| !s.is_empty()) {
            Some(l) => errors.check("location", clean_text(l, 1, 200)).map(Some),
            None => Some(None),
        };
        let latest = after(now, CLOCK_SKEW_MINUTES);
        let occurred = match occurred_at {
            None => {
                errors.add("occurred_at", FieldErrorKind::Required);
                None
            }
            Some(t) if t > latest => {
                errors.add(
                    "occurred_at",
                    FieldErrorKind::invalid("the time lies in the future", "时间不能晚于现在"),
                );
                None
            }
            Some(t) => Some(t),
        };
        if let Some(d) = detected_at {
            if d > latest {
                errors.add(
                    "detected_at",
                    FieldErrorKind::invalid("the time lies in the future", "时间不能晚于现在"),
                );
            } else if occurred.is_some_and(|o| d < o) {
                errors.add(
                    "detected_at",
                    FieldErrorKind::invalid(
                        "an incident is noticed after it happens",
                        "发现时间不能早于发生时间",
                    ),
                );
            }
        }
        errors.into_result()?;
        match (title, description, location, occurred) {
            (Some(title), Some(description), Some(location), Some(occurred_at)) => Ok(Report {
                title,
                description,
                location,
                occurred_at,
                detected_at,
            }),
            _ => Err(FieldErrors::single("title", FieldErrorKind::Required)),
        }
    }
}

/// The most people on one handling team.
pub const MAX_HANDLERS: usize = 20;

/// What triage sets: the class, level and category, and the handling team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triage {
    /// Class.
    pub class: IncidentClass,
    /// Level.
    pub level: IncidentLevel,
    /// Category.
    pub category: IncidentCategory,
    /// The team (at least one person, distinct).
    pub handler_ids: Vec<UserId>,
}

impl Triage {
    /// Checks a triage from its submitted codes; every problem is named by its field.
    pub fn check(
        class: Option<&str>,
        level: Option<&str>,
        category: Option<&str>,
        handler_ids: &[UserId],
    ) -> Result<Triage, DomainError> {
        let mut errors = FieldErrors::new();
        let mut code =
            |field: &'static str, v: Option<&str>| match v.map(str::trim).filter(|s| !s.is_empty())
            {
                None => {
                    errors.add(field, FieldErrorKind::Required);
                    None
                }
                Some(v) => Some((field, v.to_owned())),
            };
        let (c, l, g) = (
            code("class", class),
            code("level", level),
            code("category", category),
        );
        let class = c.and_then(|(f, v)| errors.check(f, IncidentClass::from_code(&v)));
        let level = l.and_then(|(f, v)| errors.check(f, IncidentLevel::from_code(&v)));
        let category = g.and_then(|(f, v)| errors.check(f, IncidentCategory::from_code(&v)));
        let mut team = handler_ids.to_vec();
        team.sort_unstable();
        team.dedup();
        if team.is_empty() {
            errors.add("handler_ids", FieldErrorKind::Required);
        } else if team.len() != handler_ids.len() {
            errors.add("handler_ids", FieldErrorKind::Duplicate);
        } else if team.len() > MAX_HANDLERS {
            errors.add("handler_ids", FieldErrorKind::TooLong { max: MAX_HANDLERS });
        }
        errors.into_result()?;
        match (class, level, category) {
            (Some(class), Some(level), Some(category)) => Ok(Triage {
                class,
                level,
                category,
                handler_ids: handler_ids.to_vec(),
            }),
            _ => Err(FieldErrors::single("class", FieldErrorKind::Required)),
        }
    }
}

/// A rejection needs its reason.
pub fn check_rejection(reason: Option<&str>) -> Result<String, DomainError> {
    match clean_multiline(reason, 5_000) {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(FieldErrors::single("comment", FieldErrorKind::Required)),
        Err(e) => Err(FieldErrors::single("comment", e)),
    }
}

/// Closing needs the root cause and the lessons learned.
pub fn check_closing(incident: &Incident) -> Result<(), DomainError> {
    let mut errors = FieldErrors::new();
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    if blank(&incident.root_cause) {
        errors.add("root_cause", FieldErrorKind::Required);
    }
    if blank(&incident.lessons_learned) {
        errors.add("lessons_learned", FieldErrorKind::Required);
    }
    errors.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::{Caller, Refusal};

    fn has(e: &DomainError, field: &str) -> bool {
        matches!(e, DomainError::Validation(v) if v.get(field).is_some())
    }

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).expect("time")
    }

    fn incident() -> Incident {
        Incident {
            id: 1,
            code: "INC-2026-0001".into(),
            title: "Phishing mail".into(),
            description: None,
            location: None,
            occurred_at: at("2026-03-02T08:00:00Z"),
            detected_at: None,
            reported_at: at("2026-03-02T09:00:00Z"),
            reporter_id: Some(UserId(7)),
            department_id: None,
            category: None,
            class: None,
            level: None,
            status: IncidentStatus::Reported,
            affected_asset_ids: vec![],
            handler_ids: vec![],
            triaged_at: None,
            triaged_by: None,
            committee_noted_at: None,
            committee_noted_by: None,
            contained_at: None,
            closed_at: None,
            root_cause: None,
            lessons_learned: None,
            rejection_reason: None,
            version: 1,
            created_at: at("2026-03-02T09:00:00Z"),
            updated_at: at("2026-03-02T09:00:00Z"),
        }
    }

    #[test]
    fn a_report_needs_a_title_and_a_time_that_is_not_in_the_future() {
        let now = at("2026-03-02T10:00:00Z");
        let e = Report::check(" ", None, None, None, None, now).unwrap_err();
        assert!(has(&e, "title") && has(&e, "occurred_at"), "{e:?}");
        let future = at("2026-03-02T10:06:00Z");
        let e = Report::check("x", None, None, Some(future), None, now).unwrap_err();
        assert!(has(&e, "occurred_at"));
        // A few minutes of clock drift are forgiven.
        assert!(
            Report::check("x", None, None, Some(at("2026-03-02T10:04:00Z")), None, now).is_ok()
        );
        let e = Report::check(
            "x",
            None,
            None,
            Some(at("2026-03-02T09:00:00Z")),
            Some(at("2026-03-02T08:00:00Z")),
            now,
        )
        .unwrap_err();
        assert!(has(&e, "detected_at"));
    }

    #[test]
    fn triage_takes_only_listed_codes_and_a_team() {
        let ok = Triage::check(
            Some("serious"),
            Some("significant"),
            Some("network_attack"),
            &[UserId(1), UserId(2)],
        )
        .unwrap();
        assert_eq!(ok.level, IncidentLevel::Significant);
        let e = Triage::check(Some("grave"), Some("level5"), None, &[]).unwrap_err();
        for f in ["class", "level", "category", "handler_ids"] {
            assert!(has(&e, f), "{f}: {e:?}");
        }
        let e = Triage::check(
            Some("normal"),
            Some("general"),
            Some("other"),
            &[UserId(1), UserId(1)],
        )
        .unwrap_err();
        assert!(has(&e, "handler_ids"));
    }

    #[test]
    fn deadlines_flag_late_triage_and_late_committee_notice() {
        let d = Deadlines::default();
        let mut i = incident();
        assert_eq!(i.triage_due(d), at("2026-03-02T13:00:00Z"));
        assert!(!i.triage_overdue(d, at("2026-03-02T12:59:00Z")));
        assert!(i.triage_overdue(d, at("2026-03-02T13:01:00Z")));
        i.status = IncidentStatus::Triaged;
        i.triaged_at = Some(at("2026-03-02T12:00:00Z"));
        i.level = Some(IncidentLevel::Major);
        assert!(
            !i.triage_overdue(d, at("2026-03-09T00:00:00Z")),
            "triaged in time"
        );
        assert_eq!(i.notice_due(d), Some(at("2026-03-02T13:00:00Z")));
        assert!(i.awaits_committee());
        assert!(!i.notice_late(d, at("2026-03-02T12:30:00Z")));
        assert!(i.notice_late(d, at("2026-03-02T13:30:00Z")));
        i.committee_noted_at = Some(at("2026-03-02T12:40:00Z"));
        assert!(!i.notice_late(d, at("2026-03-05T00:00:00Z")) && !i.awaits_committee());
        i.level = Some(IncidentLevel::Significant);
        assert_eq!(i.notice_due(d), None);
        assert!(
            Deadlines {
                triage_minutes: 0,
                ..d
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn the_team_handles_and_only_triagers_triage() {
        let team = [UserId(2), UserId(3)];
        let s = subject(Some(UserId(7)), &team);
        let member = Caller::new(UserId(2), &[Role::Staff]);
        let reporter = Caller::new(UserId(7), &[Role::Staff]);
        let officer = Caller::new(UserId(9), &[Role::SecurityOfficer]);
        use IncidentStatus::*;
        assert_eq!(
            FLOW.check(Reported, Triaged, &member, &s, None),
            Err(Refusal::NotYours)
        );
        assert!(FLOW.check(Reported, Triaged, &officer, &s, None).is_ok());
        assert!(
            FLOW.check(Triaged, Investigating, &member, &s, None)
                .is_ok()
        );
        assert_eq!(
            FLOW.check(Triaged, Investigating, &reporter, &s, None),
            Err(Refusal::NotYours)
        );
        assert_eq!(
            FLOW.check(Reported, Closed, &officer, &s, None),
            Err(Refusal::NotAllowed)
        );
        let mut i = incident();
        assert!(check_closing(&i).is_err());
        i.root_cause = Some("weak password".into());
        i.lessons_learned = Some("MFA".into());
        assert!(check_closing(&i).is_ok());
        assert!(check_rejection(Some("  ")).is_err());
    }
}
