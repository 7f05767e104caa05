//! Rectification tasks: where they come from, their statuses, the workflow, and the checks
//! on a new task and on reporting one done.

use crate::error::{DomainError, FieldErrorKind, FieldErrors};
use crate::ids::{DepartmentId, UserId};
use crate::macros::coded_enum;
use crate::sod::Authors;
use crate::time::{Day, Timestamp};
use crate::values::clean_multiline;
use crate::workflow::{Move, MoveKind, Subject, Who, Workflow};

coded_enum! {
    /// The kind of record a task was opened from (SPEC §6.3: incidents, inspections,
    /// drills and audits share the tasks; each source is added with its area).
    pub enum RectificationSource {
        /// A security incident.
        Incident => ("incident", "Security incident", "安全事件"),
        /// A failed item of an inspection.
        Inspection => ("inspection", "Security inspection", "安全检查"),
        /// A problem found in a recovery drill (or its missed recovery time).
        Drill => ("drill", "Recovery drill", "应急演练"),
    }
}

impl RectificationSource {
    /// Whether tasks are opened from the record itself (`POST /rectifications`); an
    /// inspection's tasks are opened from its failed items instead, one per finding, and a
    /// drill's from its problems (and its missed recovery time) when the drill is recorded.
    pub fn opened_directly(self) -> bool {
        !matches!(
            self,
            RectificationSource::Inspection | RectificationSource::Drill
        )
    }
}

coded_enum! {
    /// Where a task stands.
    pub enum RectificationStatus {
        /// Waiting for the responsible person.
        Open => ("open", "Open", "待整改"),
        /// Reported done, waiting for the verifier.
        Done => ("done", "Done, to verify", "已整改待验证"),
        /// Checked and confirmed by the verifier.
        Verified => ("verified", "Verified", "已验证"),
        /// Sent back by the verifier: not yet put right.
        Reopened => ("reopened", "Reopened", "已退回"),
    }
}

impl RectificationStatus {
    /// Whether the task waits for its responsible person.
    pub fn with_responsible(self) -> bool {
        matches!(
            self,
            RectificationStatus::Open | RectificationStatus::Reopened
        )
    }

    /// Whether the task is finished (verified).
    pub fn is_finished(self) -> bool {
        self == RectificationStatus::Verified
    }
}

/// The rectification workflow (SPEC §6.3): the responsible person reports the task done
/// (saying what was done, see [`check_done`]); the verifier — never the responsible
/// person — verifies it or reopens it with a comment.
pub const FLOW: Workflow<RectificationStatus> = {
    use RectificationStatus::*;
    Workflow {
        process: "rectification",
        moves: &[
            Move::new(Open, Done, Who::Requester, MoveKind::Submit),
            Move::new(Reopened, Done, Who::Requester, MoveKind::Submit),
            Move::new(Done, Verified, Who::Approver, MoveKind::Close),
            Move::new(Done, Reopened, Who::Approver, MoveKind::Return),
        ],
    }
};

/// The task as the engine sees it: its responsible person owns and does the work, so they
/// can never verify it. (Whoever opened the task may verify it: opening it is not doing it.)
pub fn subject(responsible: &UserId) -> Subject<'_> {
    Subject {
        authors: Authors {
            created_by: None,
            submitted_by: Some(*responsible),
            team: std::slice::from_ref(responsible),
        },
        requester: Some(*responsible),
    }
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rectification {
    /// Id.
    pub id: i64,
    /// `RECT-2026-0007`.
    pub code: String,
    /// Where it comes from.
    pub source: RectificationSource,
    /// The source record's id.
    pub source_id: i64,
    /// The source record's readable code (`INC-2026-0042`).
    pub source_code: String,
    /// The source's department, for readers limited to departments.
    pub department_id: Option<DepartmentId>,
    /// What must be put right.
    pub description: String,
    /// Who puts it right.
    pub responsible_id: UserId,
    /// Who checks it.
    pub verifier_id: UserId,
    /// By when.
    pub due_on: Day,
    /// Status.
    pub status: RectificationStatus,
    /// What was done, as the responsible person last reported it.
    pub resolution: Option<String>,
    /// When it was last reported done.
    pub done_at: Option<Timestamp>,
    /// When it was verified.
    pub verified_at: Option<Timestamp>,
    /// Who opened it (`None`: the host operator).
    pub created_by: Option<UserId>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

impl Rectification {
    /// Whether the task waits for its responsible person past its due day (`today` in the
    /// organization's time).
    pub fn overdue(&self, today: Day) -> bool {
        self.status.with_responsible() && today > self.due_on
    }
}

/// The longest description.
pub const DESCRIPTION_MAX: usize = 4_000;
/// The longest report of what was done, or comment.
pub const NOTE_MAX: usize = 4_000;
/// How far ahead a due day may lie, in days (five years).
pub const DUE_MAX_DAYS: i64 = 5 * 366;

/// A new task, or a task's changed plan, as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// What must be put right.
    pub description: String,
    /// Who puts it right.
    pub responsible_id: UserId,
    /// Who checks it.
    pub verifier_id: UserId,
    /// By when.
    pub due_on: Day,
}

impl Plan {
    /// Checks a task's plan: a description, a responsible person and a verifier who are two
    /// different people, and a due day from `today` to five years ahead. Every problem is
    /// reported at once.
    pub fn check(
        description: &str,
        responsible_id: Option<UserId>,
        verifier_id: Option<UserId>,
        due_on: Option<Day>,
        today: Day,
    ) -> Result<Plan, DomainError> {
        let mut errors = FieldErrors::new();
        let description = errors
            .check(
                "description",
                clean_multiline(Some(description), DESCRIPTION_MAX),
            )
            .flatten();
        if description.is_none() && errors.get("description").is_none() {
            errors.add("description", FieldErrorKind::Required);
        }
        if responsible_id.is_none() {
            errors.add("responsible_id", FieldErrorKind::Required);
        }
        if verifier_id.is_none() {
            errors.add("verifier_id", FieldErrorKind::Required);
        }
        if responsible_id.is_some() && responsible_id == verifier_id {
            errors.add(
                "verifier_id",
                FieldErrorKind::invalid(
                    "the verifier must be someone other than the responsible person",
                    "验证人不能是责任人本人",
                ),
            );
        }
        match due_on {
            None => errors.add("due_at", FieldErrorKind::Required),
            Some(d) if d < today => errors.add(
                "due_at",
                FieldErrorKind::invalid("the due day has already passed", "完成期限已过"),
            ),
            Some(d) if (d.date() - today.date()).whole_days() > DUE_MAX_DAYS => errors.add(
                "due_at",
                FieldErrorKind::invalid(
                    "the due day lies more than five years ahead",
                    "完成期限不能超过五年",
                ),
            ),
            Some(_) => {}
        }
        errors.into_result()?;
        match (description, responsible_id, verifier_id, due_on) {
            (Some(description), Some(responsible_id), Some(verifier_id), Some(due_on)) => {
                Ok(Plan {
                    description,
                    responsible_id,
                    verifier_id,
                    due_on,
                })
            }
            _ => Err(FieldErrors::single("description", FieldErrorKind::Required)),
        }
    }
}

/// Checks the report of what was done that must come with "done".
pub fn check_done(note: Option<&str>) -> Result<String, DomainError> {
    match clean_multiline(note, NOTE_MAX) {
        Ok(Some(n)) => Ok(n),
        Ok(None) => Err(FieldErrors::single("comment", FieldErrorKind::Required)),
        Err(k) => Err(FieldErrors::single("comment", k)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Role;
    use crate::workflow::{Caller, Refusal};

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn a_plan_needs_two_people_and_a_reasonable_due_day() {
        let today = day("2026-12-05");
        let (a, b) = (Some(UserId(1)), Some(UserId(2)));
        let ok = Plan::check(" patch the VPN ", a, b, Some(today), today).unwrap();
        assert_eq!(ok.description, "patch the VPN");
        let fields = |r: Result<Plan, DomainError>| match r {
            Err(DomainError::Validation(e)) => {
                e.iter().map(|f| f.field.clone()).collect::<Vec<_>>()
            }
            other => panic!("expected a validation error, got {other:?}"),
        };
        assert_eq!(
            fields(Plan::check(" ", None, None, None, today)),
            ["description", "responsible_id", "verifier_id", "due_at"]
        );
        assert_eq!(
            fields(Plan::check("x", a, a, Some(today), today)),
            ["verifier_id"]
        );
        assert_eq!(
            fields(Plan::check("x", a, b, Some(day("2026-12-04")), today)),
            ["due_at"]
        );
        assert_eq!(
            fields(Plan::check("x", a, b, Some(day("2031-12-31")), today)),
            ["due_at"]
        );
        assert_eq!(
            fields(Plan::check(
                &"x".repeat(DESCRIPTION_MAX + 1),
                a,
                b,
                Some(today),
                today
            )),
            ["description"]
        );
    }

    #[test]
    fn the_responsible_person_does_the_work_and_never_verifies_it() {
        let (resp, verifier, other) = (UserId(1), UserId(2), UserId(3));
        let s = subject(&resp);
        let officer = [Role::SecurityOfficer];
        let as_resp = Caller::new(resp, &officer);
        let as_other = Caller::new(other, &officer);
        let as_verifier = Caller {
            user: verifier,
            roles: &[],
            step_approver: true,
        };
        use RectificationStatus::*;
        assert!(FLOW.check(Open, Done, &as_resp, &s, None).is_ok());
        assert_eq!(
            FLOW.check(Open, Done, &as_other, &s, None),
            Err(Refusal::NotYours)
        );
        assert_eq!(
            FLOW.check(Open, Verified, &as_verifier, &s, None),
            Err(Refusal::NotAllowed)
        );
        assert!(FLOW.check(Done, Verified, &as_verifier, &s, None).is_ok());
        assert_eq!(
            FLOW.check(Done, Reopened, &as_verifier, &s, None),
            Err(Refusal::CommentRequired)
        );
        assert!(
            FLOW.check(Done, Reopened, &as_verifier, &s, Some("still open"))
                .is_ok()
        );
        // Named as verifier of their own task (data from before a change): refused.
        let self_verifier = Caller {
            user: resp,
            roles: &[],
            step_approver: true,
        };
        assert_eq!(
            FLOW.check(Done, Verified, &self_verifier, &s, None),
            Err(Refusal::SelfApproval)
        );
        assert!(FLOW.is_final(Verified));
    }

    #[test]
    fn done_needs_what_was_done_and_overdue_counts_only_open_tasks() {
        assert!(check_done(Some("  ")).is_err());
        assert_eq!(check_done(Some(" rotated keys ")).unwrap(), "rotated keys");
        let now = Timestamp::now();
        let mut t = Rectification {
            id: 1,
            code: "RECT-2026-0001".into(),
            source: RectificationSource::Incident,
            source_id: 1,
            source_code: "INC-2026-0001".into(),
            department_id: None,
            description: "x".into(),
            responsible_id: UserId(1),
            verifier_id: UserId(2),
            due_on: day("2026-12-01"),
            status: RectificationStatus::Open,
            resolution: None,
            done_at: None,
            verified_at: None,
            created_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        assert!(!t.overdue(day("2026-12-01")));
        assert!(t.overdue(day("2026-12-02")));
        t.status = RectificationStatus::Done;
        assert!(!t.overdue(day("2026-12-02")));
        t.status = RectificationStatus::Reopened;
        assert!(t.overdue(day("2026-12-02")));
    }
}
