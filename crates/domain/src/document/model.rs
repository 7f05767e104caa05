//! Documents: kinds, families, version numbers, the version workflow, and the review
//! schedule.

use crate::error::{FieldErrorKind, FieldErrors};
use crate::ids::UserId;
use crate::lang::Text;
use crate::macros::coded_enum;
use crate::role::Role;
use crate::sod::Authors;
use crate::time::Day;
use crate::workflow::chain::{Impact, Step, StepRole, StepScope};
use crate::workflow::{Move, MoveKind, Subject, Who, Workflow};

coded_enum! {
    /// What a document is.
    pub enum DocumentKind {
        /// States what the organization wants and forbids.
        Policy => ("policy", "Policy", "方针策略"),
        /// Says who does what, step by step.
        Procedure => ("procedure", "Procedure", "管理程序"),
        /// Sets technical or operational requirements.
        Specification => ("specification", "Specification", "规范"),
        /// Proves that something was done.
        Record => ("record", "Record", "记录"),
        /// A form to fill in.
        Template => ("template", "Template", "模板"),
        /// Says what will be done and when.
        Plan => ("plan", "Plan", "计划"),
    }
}

impl DocumentKind {
    /// Whether a version's approval is a major decision (the committee approves it after
    /// the security officer's review): policies.
    pub fn impact(self) -> Impact {
        if self == DocumentKind::Policy {
            Impact::Major
        } else {
            Impact::Normal
        }
    }
}

coded_enum! {
    /// Which area of security a document governs (the policy families of seed 003).
    pub enum DocumentFamily {
        /// Premises, rooms, equipment.
        Physical => ("physical", "Physical security", "物理安全"),
        /// Networks and their boundaries.
        Network => ("network", "Network security", "网络安全"),
        /// Data and its protection.
        Data => ("data", "Data security", "数据安全"),
        /// Software and its development.
        Software => ("software", "Software security", "软件安全"),
        /// Operating and managing systems.
        System => ("system", "System management", "系统管理"),
        /// Backups and disaster recovery.
        Continuity => ("continuity", "Backup and disaster recovery", "备份与灾难恢复"),
        /// The management system as a whole.
        General => ("general", "General management", "综合管理"),
    }
}

coded_enum! {
    /// Where a version (and so its document) is.
    pub enum VersionStatus {
        /// Being written.
        Draft => ("draft", "Draft", "草稿"),
        /// Submitted: with its reviewer and approvers.
        InReview => ("in_review", "In review", "审核中"),
        /// Approved, not yet in force.
        Approved => ("approved", "Approved", "已批准"),
        /// In force.
        Effective => ("effective", "Effective", "现行有效"),
        /// Replaced by a later effective version.
        Superseded => ("superseded", "Superseded", "已替代"),
        /// Withdrawn with its document.
        Retired => ("retired", "Retired", "已废止"),
    }
}

/// Who publishes approved versions and retires documents, besides a document's owner.
pub const PUBLISHERS: &[Role] = &[Role::SecurityOfficer, Role::ComplianceAdmin];

/// The version workflow (SPEC §6.2, §6.0). The owner (or a publisher) submits a draft; the
/// approvers of the version's chain step approve it or return it with a comment; an approved
/// version is made effective, which supersedes the version in force (the application does
/// that in the same change).
pub const FLOW: Workflow<VersionStatus> = {
    use VersionStatus::*;
    Workflow {
        process: "document",
        moves: &[
            Move::new(Draft, InReview, Who::Team(PUBLISHERS), MoveKind::Submit),
            Move::new(InReview, Approved, Who::Approver, MoveKind::Approve),
            Move::new(InReview, Draft, Who::Approver, MoveKind::Return),
            Move::new(Approved, Effective, Who::Team(PUBLISHERS), MoveKind::Work),
            Move::new(
                Effective,
                Retired,
                Who::Team(PUBLISHERS),
                MoveKind::Withdraw,
            ),
        ],
    }
};

/// A version as the engine sees it: its author wrote it and its owner answers for it;
/// neither approves it.
pub fn subject<'a>(
    owner: UserId,
    author: Option<UserId>,
    submitted_by: Option<UserId>,
    team: &'a [UserId],
) -> Subject<'a> {
    Subject {
        authors: Authors {
            created_by: author,
            submitted_by,
            team,
        },
        requester: Some(owner),
    }
}

/// What approval chains apply to in this area.
pub const CHAIN_SUBJECTS: &[(&str, Text)] = &[(
    "document",
    Text {
        en: "Document versions",
        zh: "文件版本",
    },
)];

/// The chains Castellan ships for documents: the security officer reviews; for policies
/// (major), the committee then approves.
pub fn default_chains() -> Vec<(String, Impact, Vec<Step>)> {
    let step = |role: Role| Step {
        name: String::new(),
        approver_role: StepRole::Role(role),
        scope: StepScope::Any,
        min_approvals: 1,
    };
    Impact::ALL
        .into_iter()
        .map(|impact| {
            let mut steps = vec![step(Role::SecurityOfficer)];
            if impact == Impact::Major {
                steps.push(step(Role::Committee));
            }
            (format!("document_{}", impact.code()), impact, steps)
        })
        .collect()
}

/// A version number: `1.0`, `1.1`, `2.0`. Written with or without the `V` the seeds use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VersionNumber {
    /// Major part.
    pub major: u16,
    /// Minor part.
    pub minor: u16,
}

impl VersionNumber {
    /// The first version.
    pub const FIRST: VersionNumber = VersionNumber { major: 1, minor: 0 };

    /// Parses `1.0`, `V1.2`, `v10.3` (parts 0–999, not both zero).
    pub fn parse(raw: &str) -> Result<VersionNumber, FieldErrorKind> {
        let hint =
            || FieldErrorKind::invalid("a version such as 1.0 or 1.1", "版本号格式如 1.0、1.1");
        let s = raw.trim();
        let s = s
            .strip_prefix('V')
            .or_else(|| s.strip_prefix('v'))
            .unwrap_or(s);
        let (a, b) = s.split_once('.').ok_or_else(hint)?;
        let part = |p: &str| -> Result<u16, FieldErrorKind> {
            if p.is_empty() || p.len() > 3 || !p.bytes().all(|c| c.is_ascii_digit()) {
                return Err(hint());
            }
            p.parse::<u16>().map_err(|_| hint())
        };
        let v = VersionNumber {
            major: part(a)?,
            minor: part(b)?,
        };
        if v.major == 0 && v.minor == 0 {
            return Err(hint());
        }
        Ok(v)
    }

    /// The next minor version (`1.1` after `1.0`), proposed for a new draft.
    pub fn next_minor(self) -> VersionNumber {
        VersionNumber {
            major: self.major,
            minor: self.minor.saturating_add(1),
        }
    }

    /// Checks that a new version comes after every existing one (the version field's
    /// error otherwise).
    pub fn check_after(
        self,
        existing: impl IntoIterator<Item = VersionNumber>,
    ) -> Result<(), FieldErrors> {
        match existing.into_iter().max() {
            Some(last) if self <= last => Err({
                let mut e = FieldErrors::new();
                e.add(
                    "version",
                    FieldErrorKind::invalid(
                        "the version must be higher than the latest one",
                        "版本号必须高于最新版本",
                    ),
                );
                e
            }),
            _ => Ok(()),
        }
    }
}

impl std::fmt::Display for VersionNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The default review interval, in months.
pub const DEFAULT_REVIEW_MONTHS: u8 = 12;
/// The longest review interval, in months (five years).
pub const MAX_REVIEW_MONTHS: u8 = 60;
/// How many days ahead a review counts as due soon.
pub const REVIEW_SOON_DAYS: i64 = 30;

/// Checks a review interval (1–60 months).
pub fn check_review_months(months: i64) -> Result<u8, FieldErrorKind> {
    u8::try_from(months)
        .ok()
        .filter(|m| (1..=MAX_REVIEW_MONTHS).contains(m))
        .ok_or(FieldErrorKind::OutOfRange {
            min: 1,
            max: i64::from(MAX_REVIEW_MONTHS),
        })
}

/// The day a document in force since `from` is next reviewed: `months` later, on the same
/// day of the month or the month's last day (31 January + 1 month = 28 or 29 February).
pub fn next_review(from: Day, months: u8) -> Day {
    from.plus_months(u32::from(months))
}

/// The last day a review counts as due soon from `today`.
pub fn review_soon_until(today: Day) -> Day {
    Day::from_date(today.date() + time::Duration::days(REVIEW_SOON_DAYS))
}

/// How a document's review stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewState {
    /// Not due within the next 30 days.
    Later,
    /// Due within 30 days.
    DueSoon,
    /// Past its review day.
    Overdue,
}

/// The review state of a document due on `due` (`None`: not in force, nothing to review).
pub fn review_state(due: Option<Day>, today: Day) -> Option<ReviewState> {
    let due = due?;
    Some(if due < today {
        ReviewState::Overdue
    } else if (due.date() - today.date()).whole_days() <= REVIEW_SOON_DAYS {
        ReviewState::DueSoon
    } else {
        ReviewState::Later
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::{Caller, Refusal};

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    fn v(s: &str) -> VersionNumber {
        VersionNumber::parse(s).unwrap()
    }

    #[test]
    fn version_numbers_parse_as_the_seeds_write_them_and_must_increase() {
        assert_eq!(v("1.0"), VersionNumber::FIRST);
        assert_eq!(v(" V1.2 "), VersionNumber { major: 1, minor: 2 });
        assert_eq!(v("v10.3").to_string(), "10.3");
        for bad in [
            "", "1", "1.", ".1", "0.0", "1.0.1", "a.b", "1.-1", "1000.0", "１.0",
        ] {
            assert!(VersionNumber::parse(bad).is_err(), "{bad:?}");
        }
        assert!(v("1.10") > v("1.9"), "numeric, not textual, order");
        assert_eq!(v("1.9").next_minor(), v("1.10"));
        assert!(v("1.1").check_after([v("1.0")]).is_ok());
        assert!(v("1.0").check_after([]).is_ok());
        assert!(v("1.0").check_after([v("1.0")]).is_err());
        assert!(v("1.1").check_after([v("1.0"), v("2.0")]).is_err());
    }

    #[test]
    fn reviews_fall_due_on_the_same_day_or_the_months_last() {
        assert_eq!(next_review(day("2026-01-06"), 12), day("2027-01-06"));
        assert_eq!(next_review(day("2026-01-31"), 1), day("2026-02-28"));
        assert_eq!(next_review(day("2027-12-31"), 2), day("2028-02-29"));
        assert_eq!(next_review(day("2026-11-15"), 60), day("2031-11-15"));
        assert_eq!(check_review_months(12), Ok(12));
        assert!(check_review_months(0).is_err() && check_review_months(61).is_err());
        let today = day("2026-12-05");
        assert_eq!(review_state(None, today), None);
        assert_eq!(
            review_state(Some(day("2026-12-04")), today),
            Some(ReviewState::Overdue)
        );
        assert_eq!(
            review_state(Some(day("2027-01-04")), today),
            Some(ReviewState::DueSoon)
        );
        assert_eq!(
            review_state(Some(day("2027-01-05")), today),
            Some(ReviewState::Later)
        );
    }

    #[test]
    fn the_owner_submits_approvers_decide_and_publishers_make_versions_effective() {
        let (owner, author, approver, officer) = (UserId(1), UserId(2), UserId(3), UserId(4));
        let team = [author];
        let s = subject(owner, Some(author), Some(owner), &team);
        use VersionStatus::*;
        let as_owner = Caller::new(owner, &[]);
        let as_author = Caller::new(author, &[]);
        let staff = [Role::Staff];
        let as_staff = Caller::new(UserId(9), &staff);
        assert!(FLOW.check(Draft, InReview, &as_owner, &s, None).is_ok());
        assert!(FLOW.check(Draft, InReview, &as_author, &s, None).is_ok());
        assert_eq!(
            FLOW.check(Draft, InReview, &as_staff, &s, None),
            Err(Refusal::NotYours)
        );
        let as_approver = Caller {
            user: approver,
            roles: &[],
            step_approver: true,
        };
        assert!(
            FLOW.check(InReview, Approved, &as_approver, &s, None)
                .is_ok()
        );
        assert_eq!(
            FLOW.check(InReview, Draft, &as_approver, &s, None),
            Err(Refusal::CommentRequired)
        );
        // Approving one's own document is refused even for a step approver.
        let author_as_approver = Caller {
            user: author,
            roles: &[],
            step_approver: true,
        };
        assert_eq!(
            FLOW.check(InReview, Approved, &author_as_approver, &s, None),
            Err(Refusal::SelfApproval)
        );
        let roles = [Role::SecurityOfficer];
        let as_officer = Caller::new(officer, &roles);
        assert!(
            FLOW.check(Approved, Effective, &as_officer, &s, None)
                .is_ok()
        );
        assert_eq!(
            FLOW.check(Draft, Effective, &as_officer, &s, None),
            Err(Refusal::NotAllowed),
            "publishing without approval"
        );
        assert_eq!(DocumentKind::Policy.impact(), Impact::Major);
        assert_eq!(DocumentKind::Record.impact(), Impact::Normal);
        let chains = default_chains();
        assert_eq!(chains.len(), 2);
        assert!(
            chains
                .iter()
                .any(|(_, i, s)| *i == Impact::Major && s.len() == 2)
        );
    }
}
