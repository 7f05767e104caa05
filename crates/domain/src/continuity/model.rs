//! Backup plans, DR plans and drills: their values and the checks on what their keepers give.

use crate::error::{DomainError, FieldErrorKind, FieldErrors};
use crate::ids::{AssetId, UserId};
use crate::macros::coded_enum;
use crate::time::{Day, Timestamp};
use crate::values::{clean_multiline, clean_optional, clean_text};
use serde::Serialize;

/// The longest recovery objective accepted, in hours (one year).
pub const OBJECTIVE_MAX_HOURS: i64 = 8760;

/// A backup whose restore was last tested longer ago than this (or never) is shown as
/// waiting for its test.
pub const VERIFY_EVERY_DAYS: i64 = 90;

/// The lowest asset value level that must have a backup plan.
pub const COVERED_LEVEL: i64 = 4;

coded_enum! {
    /// How often a backup is taken.
    pub enum BackupFrequency {
        /// Replicated as it changes.
        Continuous => ("continuous", "Continuous", "实时"),
        /// Every hour.
        Hourly => ("hourly", "Hourly", "每小时"),
        /// Every day.
        Daily => ("daily", "Daily", "每天"),
        /// Every week.
        Weekly => ("weekly", "Weekly", "每周"),
        /// Every month.
        Monthly => ("monthly", "Monthly", "每月"),
    }
}

coded_enum! {
    /// How a restore test went.
    pub enum VerificationResult {
        /// The data came back complete within the objectives.
        Passed => ("passed", "Restored", "恢复成功"),
        /// Something could not be restored, or not in time.
        Failed => ("failed", "Failed", "恢复失败"),
    }
}

coded_enum! {
    /// How a drill went.
    pub enum DrillResult {
        /// Everything recovered as planned.
        Passed => ("passed", "Passed", "通过"),
        /// Recovered, with problems.
        Partial => ("partial", "Partially passed", "部分通过"),
        /// Not recovered.
        Failed => ("failed", "Failed", "未通过"),
    }
}

coded_enum! {
    /// Why a drill's problem was recorded.
    pub enum ProblemKind {
        /// The recovery took longer than the plan's RTO.
        MissedRto => ("missed_rto", "Recovery time objective missed", "未达到恢复时间目标"),
        /// Something the participants found.
        Found => ("found", "Problem found", "发现的问题"),
    }
}

/// A backup plan of one asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupPlan {
    /// Id.
    pub id: i64,
    /// The asset backed up.
    pub asset_id: AssetId,
    /// What is backed up (databases, files, configuration…).
    pub scope: String,
    /// How often.
    pub frequency: BackupFrequency,
    /// How long copies are kept.
    pub retention: String,
    /// Where copies are kept.
    pub location: String,
    /// Recovery point objective: how much data may be lost, in hours.
    pub rpo_hours: i64,
    /// Recovery time objective: how long a restore may take, in hours.
    pub rto_hours: i64,
    /// Who keeps it.
    pub owner_id: UserId,
    /// The day its restore was last tested.
    pub last_verified_at: Option<Day>,
    /// How that test went.
    pub last_result: Option<VerificationResult>,
    /// What the tester noted.
    pub last_note: Option<String>,
    /// Who tested it.
    pub last_verified_by: Option<UserId>,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
}

impl BackupPlan {
    /// Whether its restore waits for a test: never tested, or last tested more than
    /// [`VERIFY_EVERY_DAYS`] before `today`.
    pub fn verification_due(&self, today: Day) -> bool {
        self.last_verified_at
            .is_none_or(|d| (today.date() - d.date()).whole_days() > VERIFY_EVERY_DAYS)
    }
}

/// One restore test of a backup plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Id.
    pub id: i64,
    /// The plan.
    pub plan_id: i64,
    /// The day of the test.
    pub verified_at: Day,
    /// How it went.
    pub result: VerificationResult,
    /// What was seen.
    pub note: Option<String>,
    /// Who tested.
    pub verified_by: UserId,
    /// Recorded.
    pub created_at: Timestamp,
}

/// A disaster-recovery plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrPlan {
    /// Id.
    pub id: i64,
    /// `DRP-2026-0001`.
    pub code: String,
    /// Title.
    pub title: String,
    /// The assets it recovers.
    pub asset_ids: Vec<AssetId>,
    /// The controlled document that holds the plan.
    pub document_id: i64,
    /// Who keeps it.
    pub owner_id: UserId,
    /// The recovery time objective it promises, in hours.
    pub rto_hours: i64,
    /// The day it came into force (no drill of it happens earlier).
    pub adopted_at: Day,
    /// What it covers.
    pub description: Option<String>,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
}

/// A problem found in a drill, with its rectification task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrillProblem {
    /// Id.
    pub id: i64,
    /// Why it was recorded.
    pub kind: ProblemKind,
    /// What is wrong.
    pub description: String,
    /// Its rectification task.
    pub rectification_id: Option<i64>,
    /// The task's code.
    pub rectification_code: Option<String>,
}

/// A drill of a DR plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drill {
    /// Id.
    pub id: i64,
    /// `DRL-2026-0003`.
    pub code: String,
    /// The plan drilled.
    pub dr_plan_id: i64,
    /// The day it was held.
    pub held_at: Day,
    /// What was simulated.
    pub scenario: String,
    /// Who took part.
    pub participant_ids: Vec<UserId>,
    /// How it went.
    pub result: DrillResult,
    /// How long the recovery took, in hours (none when it did not complete).
    pub achieved_rto_hours: Option<i64>,
    /// What the participants concluded.
    pub summary: Option<String>,
    /// The problems found, with their tasks.
    pub problems: Vec<DrillProblem>,
    /// Who recorded it.
    pub created_by: Option<UserId>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
}

/// Whether a drill missed its plan's RTO: the recovery took longer than `plan_rto` hours, or
/// a failed drill never completed it.
pub fn missed_rto(result: DrillResult, achieved: Option<i64>, plan_rto: i64) -> bool {
    match achieved {
        Some(a) => a > plan_rto,
        None => result == DrillResult::Failed,
    }
}

fn hours(errors: &mut FieldErrors, field: &str, value: Option<i64>) -> Option<i64> {
    match value {
        None => {
            errors.add(field, FieldErrorKind::Required);
            None
        }
        Some(h) if !(1..=OBJECTIVE_MAX_HOURS).contains(&h) => {
            errors.add(
                field,
                FieldErrorKind::OutOfRange {
                    min: 1,
                    max: OBJECTIVE_MAX_HOURS,
                },
            );
            None
        }
        Some(h) => Some(h),
    }
}

/// A backup plan as its keeper gives it.
#[derive(Debug, Clone, Default)]
pub struct BackupPlanInput {
    /// What is backed up.
    pub scope: String,
    /// Frequency code.
    pub frequency: String,
    /// How long copies are kept.
    pub retention: String,
    /// Where copies are kept.
    pub location: String,
    /// RPO in hours.
    pub rpo_hours: Option<i64>,
    /// RTO in hours.
    pub rto_hours: Option<i64>,
}

/// A backup plan's checked fields.
#[derive(Debug, Clone)]
pub struct BackupPlanFields {
    /// What is backed up.
    pub scope: String,
    /// Frequency.
    pub frequency: BackupFrequency,
    /// Retention.
    pub retention: String,
    /// Location.
    pub location: String,
    /// RPO in hours (1 to [`OBJECTIVE_MAX_HOURS`]).
    pub rpo_hours: i64,
    /// RTO in hours (1 to [`OBJECTIVE_MAX_HOURS`]).
    pub rto_hours: i64,
}

/// Checks a backup plan: its texts, a known frequency, and RPO and RTO of at least one hour.
/// Every problem is added to `errors` (the caller's checks of the asset and owner join them).
pub fn check_backup_plan(
    input: &BackupPlanInput,
    errors: &mut FieldErrors,
) -> Option<BackupPlanFields> {
    let scope = errors.check("scope", clean_text(&input.scope, 1, 500));
    let frequency = errors.check(
        "frequency",
        BackupFrequency::from_code(input.frequency.trim()),
    );
    let retention = errors.check("retention", clean_text(&input.retention, 1, 100));
    let location = errors.check("location", clean_text(&input.location, 1, 200));
    let rpo_hours = hours(errors, "rpo_hours", input.rpo_hours);
    let rto_hours = hours(errors, "rto_hours", input.rto_hours);
    Some(BackupPlanFields {
        scope: scope?,
        frequency: frequency?,
        retention: retention?,
        location: location?,
        rpo_hours: rpo_hours?,
        rto_hours: rto_hours?,
    })
}

/// Checks a restore test: a day not after `today`, a known result, a note of up to 2000
/// characters.
pub fn check_verification(
    verified_at: Option<Day>,
    result: &str,
    note: Option<&str>,
    today: Day,
) -> Result<(Day, VerificationResult, Option<String>), DomainError> {
    let mut errors = FieldErrors::new();
    let day = match verified_at {
        None => {
            errors.add("verified_at", FieldErrorKind::Required);
            None
        }
        Some(d) if d > today => {
            errors.add(
                "verified_at",
                FieldErrorKind::invalid(
                    "the test cannot lie in the future",
                    "验证日期不能晚于今天",
                ),
            );
            None
        }
        Some(d) => Some(d),
    };
    let result = errors.check("result", VerificationResult::from_code(result.trim()));
    let note = errors.check("note", clean_multiline(note, 2000));
    errors.into_result()?;
    match (day, result, note) {
        (Some(d), Some(r), Some(n)) => Ok((d, r, n)),
        _ => Err(FieldErrors::single("verified_at", FieldErrorKind::Required)),
    }
}

/// A DR plan as its keeper gives it (assets, document and owner are checked by the service).
#[derive(Debug, Clone, Default)]
pub struct DrPlanInput {
    /// Title.
    pub title: String,
    /// RTO in hours.
    pub rto_hours: Option<i64>,
    /// In force since.
    pub adopted_at: Option<Day>,
    /// What it covers.
    pub description: Option<String>,
}

/// Checks a DR plan's own fields: a title, an RTO of at least one hour, the day it came into
/// force (not after `today`).
pub fn check_dr_plan(
    input: &DrPlanInput,
    today: Day,
    errors: &mut FieldErrors,
) -> Option<(String, i64, Day, Option<String>)> {
    let title = errors.check("title", clean_text(&input.title, 1, 200));
    let rto = hours(errors, "rto_hours", input.rto_hours);
    let adopted = match input.adopted_at {
        Some(d) if d > today => {
            errors.add(
                "adopted_at",
                FieldErrorKind::invalid(
                    "a plan comes into force today at the latest",
                    "生效日期不能晚于今天",
                ),
            );
            None
        }
        Some(d) => Some(d),
        None => Some(today),
    };
    let description = errors
        .check(
            "description",
            clean_multiline(input.description.as_deref(), 4000),
        )
        .flatten();
    Some((title?, rto?, adopted?, description))
}

/// A drill's own fields as its recorder gives them (plan and people are checked by the
/// service).
#[derive(Debug, Clone, Default)]
pub struct DrillInput {
    /// The day it was held.
    pub held_at: Option<Day>,
    /// What was simulated.
    pub scenario: String,
    /// Result code.
    pub result: String,
    /// Hours the recovery took.
    pub achieved_rto_hours: Option<i64>,
    /// Conclusions.
    pub summary: Option<String>,
}

/// A drill's checked fields.
#[derive(Debug, Clone)]
pub struct DrillFields {
    /// Held on.
    pub held_at: Day,
    /// Scenario.
    pub scenario: String,
    /// Result.
    pub result: DrillResult,
    /// Achieved recovery time in hours.
    pub achieved_rto_hours: Option<i64>,
    /// Summary.
    pub summary: Option<String>,
}

/// Checks a drill: held between the day its plan came into force (`adopted_at`) and `today`,
/// a scenario, a known result, a recovery time from 0 to [`OBJECTIVE_MAX_HOURS`] hours.
pub fn check_drill(
    input: &DrillInput,
    adopted_at: Option<Day>,
    today: Day,
    errors: &mut FieldErrors,
) -> Option<DrillFields> {
    let held_at = match input.held_at {
        None => {
            errors.add("held_at", FieldErrorKind::Required);
            None
        }
        Some(d) if d > today => {
            errors.add(
                "held_at",
                FieldErrorKind::invalid(
                    "a drill is recorded once it has been held",
                    "演练结束后再记录，日期不能晚于今天",
                ),
            );
            None
        }
        Some(d) if adopted_at.is_some_and(|a| d < a) => {
            errors.add(
                "held_at",
                FieldErrorKind::invalid(
                    "the drill lies before its DR plan came into force",
                    "演练日期早于预案生效日期",
                ),
            );
            None
        }
        Some(d) => Some(d),
    };
    let scenario = errors.check("scenario", clean_text(&input.scenario, 1, 500));
    let result = errors.check("result", DrillResult::from_code(input.result.trim()));
    let achieved = match input.achieved_rto_hours {
        Some(h) if !(0..=OBJECTIVE_MAX_HOURS).contains(&h) => {
            errors.add(
                "achieved_rto_hours",
                FieldErrorKind::OutOfRange {
                    min: 0,
                    max: OBJECTIVE_MAX_HOURS,
                },
            );
            None
        }
        h => Some(h),
    };
    let summary = errors
        .check("summary", clean_multiline(input.summary.as_deref(), 4000))
        .flatten();
    Some(DrillFields {
        held_at: held_at?,
        scenario: scenario?,
        result: result?,
        achieved_rto_hours: achieved?,
        summary,
    })
}

/// Checks a problem's description (1–2000 characters) on `field`.
pub fn check_problem(description: &str, field: &str, errors: &mut FieldErrors) -> Option<String> {
    errors
        .check(field, clean_multiline(Some(description), 2000))
        .flatten()
        .or_else(|| {
            if errors.get(field).is_none() {
                errors.add(field, FieldErrorKind::Required);
            }
            None
        })
}

/// Checks an optional short text (`clean_optional`) on `field`.
pub fn optional_text(
    raw: Option<&str>,
    max: usize,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<String> {
    errors.check(field, clean_optional(raw, max)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    fn plan(rpo: Option<i64>, rto: Option<i64>) -> BackupPlanInput {
        BackupPlanInput {
            scope: "ERP database".into(),
            frequency: "daily".into(),
            retention: "30 days".into(),
            location: "Site B".into(),
            rpo_hours: rpo,
            rto_hours: rto,
        }
    }

    #[test]
    fn objectives_are_at_least_an_hour() {
        for (rpo, rto, bad) in [
            (Some(0), Some(4), "rpo_hours"),
            (Some(24), Some(-1), "rto_hours"),
            (None, Some(4), "rpo_hours"),
            (Some(24), Some(OBJECTIVE_MAX_HOURS + 1), "rto_hours"),
        ] {
            let mut e = FieldErrors::new();
            assert!(check_backup_plan(&plan(rpo, rto), &mut e).is_none());
            assert!(e.get(bad).is_some(), "{bad}");
        }
        let mut e = FieldErrors::new();
        let f = check_backup_plan(&plan(Some(24), Some(4)), &mut e).unwrap();
        assert!(e.is_empty());
        assert_eq!((f.rpo_hours, f.rto_hours), (24, 4));
    }

    #[test]
    fn a_drill_lies_between_its_plan_and_today() {
        let input = |d: &str| DrillInput {
            held_at: Some(day(d)),
            scenario: "Data centre power loss".into(),
            result: "passed".into(),
            achieved_rto_hours: Some(3),
            summary: None,
        };
        let today = day("2026-12-01");
        let adopted = Some(day("2026-03-01"));
        let mut e = FieldErrors::new();
        assert!(check_drill(&input("2026-02-28"), adopted, today, &mut e).is_none());
        assert!(e.get("held_at").is_some());
        let mut e = FieldErrors::new();
        assert!(check_drill(&input("2026-12-02"), adopted, today, &mut e).is_none());
        let mut e = FieldErrors::new();
        assert!(check_drill(&input("2026-03-01"), adopted, today, &mut e).is_some());
        assert!(e.is_empty());
    }

    #[test]
    fn a_recovery_longer_than_the_plan_misses_it() {
        assert!(missed_rto(DrillResult::Partial, Some(9), 8));
        assert!(!missed_rto(DrillResult::Passed, Some(8), 8));
        assert!(missed_rto(DrillResult::Failed, None, 8));
        assert!(!missed_rto(DrillResult::Partial, None, 8));
    }

    #[test]
    fn tests_wait_after_ninety_days() {
        let mut p = BackupPlan {
            id: 1,
            asset_id: AssetId(1),
            scope: String::new(),
            frequency: BackupFrequency::Daily,
            retention: String::new(),
            location: String::new(),
            rpo_hours: 24,
            rto_hours: 4,
            owner_id: UserId(1),
            last_verified_at: None,
            last_result: None,
            last_note: None,
            last_verified_by: None,
            created_by: None,
            version: 1,
            created_at: Timestamp::now(),
            updated_at: Timestamp::now(),
        };
        let today = day("2026-12-01");
        assert!(p.verification_due(today));
        p.last_verified_at = Some(day("2026-09-02"));
        assert!(!p.verification_due(today));
        p.last_verified_at = Some(day("2026-09-01"));
        assert!(p.verification_due(today));
    }
}
