//! Custody records, handovers, their checks and the warnings they raise.

use crate::error::{DomainError, FieldErrorKind, FieldErrors};
use crate::ids::{AssetId, DepartmentId, UserId};
use crate::macros::coded_enum;
use crate::role::Role;
use crate::time::Timestamp;
use crate::values::{clean_multiline, clean_text};
use time::Duration;

/// Who records holders, handovers and password changes.
pub const KEEPERS: &[Role] = &[Role::SecurityOfficer, Role::SecurityAdmin];

/// The default password change interval (SPEC §6.6).
pub const DEFAULT_INTERVAL_DAYS: i64 = 90;

/// How far a recorded time may lie ahead of the server's clock.
const CLOCK_SKEW_MINUTES: i64 = 5;

coded_enum! {
    /// What a security officer must act on for a custody record (SPEC §6.6).
    pub enum CustodyWarning {
        /// Nobody trained could take over if the holder is away.
        NoBackup => ("no_backup", "No trained backup holder", "无经培训的备份保管人"),
        /// The holder's account is disabled: they have left or been suspended.
        HolderDisabled => ("holder_disabled", "Holder's account is disabled", "保管人账号已停用"),
        /// The holder is in another department than when they were given the password.
        HolderMoved => ("holder_moved", "Holder moved to another department", "保管人已调至其他部门"),
        /// The backup holder's account is disabled.
        BackupDisabled => ("backup_disabled", "Backup holder's account is disabled", "备份保管人账号已停用"),
        /// The backup holder is in another department than when named.
        BackupMoved => ("backup_moved", "Backup holder moved to another department", "备份保管人已调至其他部门"),
        /// The password is older than the change interval.
        ChangeOverdue => ("change_overdue", "Password change overdue", "密码超期未更换"),
        /// The last handover was not followed by a password change within one working day.
        HandoverUnchanged => ("handover_unchanged", "Not changed after the handover", "交接后未及时更换密码"),
    }
}

/// A custody record: who holds the password of an account of a system, and who backs them
/// up. Never the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Custody {
    /// Id.
    pub id: i64,
    /// The system.
    pub asset_id: AssetId,
    /// The account (`root`, `sa`, `admin`).
    pub account: String,
    /// Who holds the password.
    pub holder_id: UserId,
    /// The holder's department when they were given it (a move raises a warning).
    pub holder_department_id: Option<DepartmentId>,
    /// The trained second.
    pub backup_holder_id: Option<UserId>,
    /// The backup holder's department when they were named.
    pub backup_department_id: Option<DepartmentId>,
    /// When the password was last changed, if known.
    pub last_changed_at: Option<Timestamp>,
    /// How often it must be changed.
    pub change_interval_days: i64,
    /// Where the sealed copy is kept, how the backup was trained, …
    pub note: Option<String>,
    /// Whether the account is still in use (a retired record raises no warnings).
    pub active: bool,
    /// Who recorded it.
    pub created_by: Option<UserId>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Changed.
    pub updated_at: Timestamp,
}

impl Custody {
    /// When the password must be changed next: the interval after the last change (after
    /// the record's creation when no change is known).
    pub fn change_due_at(&self) -> Timestamp {
        self.last_changed_at
            .unwrap_or(self.created_at)
            .plus(Duration::days(self.change_interval_days))
    }
}

/// A handover of a password from one holder to another, before a witness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    /// Id.
    pub id: i64,
    /// The custody record.
    pub custody_id: i64,
    /// The holder who handed it over.
    pub from_id: UserId,
    /// The new holder.
    pub to_id: UserId,
    /// When.
    pub at: Timestamp,
    /// Who witnessed it.
    pub witness_id: UserId,
    /// Why.
    pub reason: String,
    /// When the password was changed afterwards.
    pub password_changed_at: Option<Timestamp>,
    /// Who recorded it.
    pub created_by: Option<UserId>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
}

/// A person named on a record, as they are now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    /// Whether their account is active.
    pub active: bool,
    /// Their department now.
    pub department_id: Option<DepartmentId>,
}

/// The last handover of a record, as the warnings need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastHandover {
    /// When it happened.
    pub at: Timestamp,
    /// When the password was changed afterwards.
    pub password_changed_at: Option<Timestamp>,
    /// The end of the next working day after it (the change's deadline).
    pub deadline: Timestamp,
}

/// The warnings of an active record at `now` (none for a retired one): no backup holder,
/// holder or backup disabled or moved, change overdue, and a last handover not followed by
/// a password change by its deadline (a change of the record after the handover counts).
pub fn warnings(
    c: &Custody,
    holder: Person,
    backup: Option<Person>,
    last: Option<LastHandover>,
    now: Timestamp,
) -> Vec<CustodyWarning> {
    let mut out = Vec::new();
    if !c.active {
        return out;
    }
    match backup {
        None => out.push(CustodyWarning::NoBackup),
        Some(b) => {
            if !b.active {
                out.push(CustodyWarning::BackupDisabled);
            } else if b.department_id != c.backup_department_id {
                out.push(CustodyWarning::BackupMoved);
            }
        }
    }
    if !holder.active {
        out.push(CustodyWarning::HolderDisabled);
    } else if holder.department_id != c.holder_department_id {
        out.push(CustodyWarning::HolderMoved);
    }
    if now > c.change_due_at() {
        out.push(CustodyWarning::ChangeOverdue);
    }
    if let Some(h) = last {
        let changed =
            h.password_changed_at.is_some() || c.last_changed_at.is_some_and(|t| t >= h.at);
        if !changed && now > h.deadline {
            out.push(CustodyWarning::HandoverUnchanged);
        }
    }
    out.sort_by_key(|w| *w as u8);
    out
}

/// A custody record as a keeper gives it.
#[derive(Debug, Clone, Default)]
pub struct CustodyInput {
    /// The system.
    pub asset_id: Option<AssetId>,
    /// The account.
    pub account: String,
    /// The holder.
    pub holder_id: Option<UserId>,
    /// The backup holder.
    pub backup_holder_id: Option<UserId>,
    /// When the password was last changed.
    pub last_changed_at: Option<Timestamp>,
    /// How often it must be changed (default 90 days).
    pub change_interval_days: Option<i64>,
    /// A note.
    pub note: Option<String>,
}

/// A custody record's checked fields.
#[derive(Debug, Clone)]
pub struct CustodyFields {
    /// The system.
    pub asset_id: AssetId,
    /// The account.
    pub account: String,
    /// The holder.
    pub holder_id: UserId,
    /// The backup holder.
    pub backup_holder_id: Option<UserId>,
    /// The last change.
    pub last_changed_at: Option<Timestamp>,
    /// The interval.
    pub change_interval_days: i64,
    /// The note.
    pub note: Option<String>,
}

fn in_future(t: Timestamp, now: Timestamp) -> bool {
    t > now.plus(Duration::minutes(CLOCK_SKEW_MINUTES))
}

fn future() -> FieldErrorKind {
    FieldErrorKind::invalid("the time lies in the future", "时间不能晚于现在")
}

/// Checks a record at `now`: a system, an account of 1–100 characters, a holder and a
/// different backup holder, a last change not in the future, an interval of 1–3,650 days,
/// a note of at most 2,000 characters. (The service checks that the system and people
/// exist and are active.)
pub fn check_custody(input: &CustodyInput, now: Timestamp) -> Result<CustodyFields, DomainError> {
    let mut errors = FieldErrors::new();
    if input.asset_id.is_none() {
        errors.add("asset_id", FieldErrorKind::Required);
    }
    let account = errors.check("account", clean_text(&input.account, 1, 100));
    if input.holder_id.is_none() {
        errors.add("holder_id", FieldErrorKind::Required);
    }
    if input.backup_holder_id.is_some() && input.backup_holder_id == input.holder_id {
        errors.add(
            "backup_holder_id",
            FieldErrorKind::invalid(
                "must be another person than the holder",
                "须为保管人以外的另一人",
            ),
        );
    }
    if input.last_changed_at.is_some_and(|t| in_future(t, now)) {
        errors.add("last_changed_at", future());
    }
    let interval = input.change_interval_days.unwrap_or(DEFAULT_INTERVAL_DAYS);
    if !(1..=3650).contains(&interval) {
        errors.add(
            "change_interval_days",
            FieldErrorKind::OutOfRange { min: 1, max: 3650 },
        );
    }
    let note = errors.check("note", clean_multiline(input.note.as_deref(), 2000));
    errors.into_result()?;
    match (input.asset_id, account, input.holder_id, note) {
        (Some(asset_id), Some(account), Some(holder_id), Some(note)) => Ok(CustodyFields {
            asset_id,
            account,
            holder_id,
            backup_holder_id: input.backup_holder_id,
            last_changed_at: input.last_changed_at,
            change_interval_days: interval,
            note,
        }),
        _ => Err(FieldErrors::single("account", FieldErrorKind::Required)),
    }
}

/// A handover as recorded.
#[derive(Debug, Clone, Default)]
pub struct HandoverInput {
    /// The holder handing over (default: the current holder; another is refused).
    pub from_id: Option<UserId>,
    /// The new holder.
    pub to_id: Option<UserId>,
    /// When (default: now).
    pub at: Option<Timestamp>,
    /// The witness.
    pub witness_id: Option<UserId>,
    /// Why.
    pub reason: String,
    /// When the password was changed afterwards, if already done.
    pub password_changed_at: Option<Timestamp>,
    /// The new backup holder, if the old one becomes the holder or another is named.
    pub backup_holder_id: Option<UserId>,
}

/// A handover's checked fields.
#[derive(Debug, Clone)]
pub struct HandoverFields {
    /// From.
    pub from_id: UserId,
    /// To.
    pub to_id: UserId,
    /// When.
    pub at: Timestamp,
    /// Witness.
    pub witness_id: UserId,
    /// Why.
    pub reason: String,
    /// The change afterwards.
    pub password_changed_at: Option<Timestamp>,
}

/// Checks a handover of `c` at `now`, after the record's last handover (`last_at`): from
/// the current holder to someone else, before a witness who is neither of them, at a time
/// not in the future nor before the last handover, with a reason; a password change, if
/// given, after the handover and not in the future. (The service checks that the people
/// exist and are active.)
pub fn check_handover(
    c: &Custody,
    input: &HandoverInput,
    last_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<HandoverFields, DomainError> {
    let mut errors = FieldErrors::new();
    let from = input.from_id.unwrap_or(c.holder_id);
    if from != c.holder_id {
        errors.add(
            "from_id",
            FieldErrorKind::invalid("must be the current holder", "须为当前保管人"),
        );
    }
    match input.to_id {
        None => errors.add("to_id", FieldErrorKind::Required),
        Some(to) if to == c.holder_id => errors.add(
            "to_id",
            FieldErrorKind::invalid(
                "already holds the password; hand it over to someone else",
                "已是当前保管人，请移交给其他人",
            ),
        ),
        Some(_) => {}
    }
    match input.witness_id {
        None => errors.add("witness_id", FieldErrorKind::Required),
        Some(w) if w == from || Some(w) == input.to_id => errors.add(
            "witness_id",
            FieldErrorKind::invalid(
                "must be someone other than the two who hand over and take over",
                "监交人须为移交人和接收人以外的人",
            ),
        ),
        Some(_) => {}
    }
    if input.backup_holder_id.is_some() && input.backup_holder_id == input.to_id {
        errors.add(
            "backup_holder_id",
            FieldErrorKind::invalid(
                "must be another person than the new holder",
                "须为新保管人以外的另一人",
            ),
        );
    }
    let at = input.at.unwrap_or(now);
    if in_future(at, now) {
        errors.add("at", future());
    } else if last_at.is_some_and(|l| at < l) {
        errors.add(
            "at",
            FieldErrorKind::invalid(
                "lies before the last handover of this account",
                "早于该账号上一次交接的时间",
            ),
        );
    }
    let reason = errors.check("reason", clean_text(&input.reason, 1, 500));
    if let Some(p) = input.password_changed_at {
        check_change_after(p, at, now, "password_changed_at", &mut errors);
    }
    errors.into_result()?;
    match (input.to_id, input.witness_id, reason) {
        (Some(to_id), Some(witness_id), Some(reason)) => Ok(HandoverFields {
            from_id: from,
            to_id,
            at,
            witness_id,
            reason,
            password_changed_at: input.password_changed_at,
        }),
        _ => Err(FieldErrors::single("to_id", FieldErrorKind::Required)),
    }
}

fn check_change_after(
    changed: Timestamp,
    handed: Timestamp,
    now: Timestamp,
    field: &str,
    errors: &mut FieldErrors,
) {
    if in_future(changed, now) {
        errors.add(field, future());
    } else if changed < handed {
        errors.add(
            field,
            FieldErrorKind::invalid(
                "lies before the handover; the password is changed after it",
                "早于交接时间，密码应在交接后更换",
            ),
        );
    }
}

/// Checks the password change entered after handover `h` at `now`: after the handover and
/// not in the future.
pub fn check_password_change(
    h: &Handover,
    changed: Option<Timestamp>,
    now: Timestamp,
) -> Result<Timestamp, DomainError> {
    let mut errors = FieldErrors::new();
    match changed {
        None => errors.add("password_changed_at", FieldErrorKind::Required),
        Some(t) => check_change_after(t, h.at, now, "password_changed_at", &mut errors),
    }
    errors.into_result()?;
    changed.ok_or_else(|| FieldErrors::single("password_changed_at", FieldErrorKind::Required))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days_ago: i64) -> Timestamp {
        Timestamp::now().plus(Duration::days(-days_ago))
    }

    fn record() -> Custody {
        Custody {
            id: 1,
            asset_id: AssetId(7),
            account: "root".into(),
            holder_id: UserId(1),
            holder_department_id: Some(DepartmentId(3)),
            backup_holder_id: Some(UserId(2)),
            backup_department_id: Some(DepartmentId(3)),
            last_changed_at: Some(at(10)),
            change_interval_days: 90,
            note: None,
            active: true,
            created_by: None,
            version: 1,
            created_at: at(400),
            updated_at: at(10),
        }
    }

    const HERE: Person = Person {
        active: true,
        department_id: Some(DepartmentId(3)),
    };

    #[test]
    fn a_record_in_order_raises_nothing_and_each_fault_its_warning() {
        let c = record();
        let now = Timestamp::now();
        assert!(warnings(&c, HERE, Some(HERE), None, now).is_empty());
        assert_eq!(
            warnings(&c, HERE, None, None, now),
            [CustodyWarning::NoBackup]
        );
        let gone = Person {
            active: false,
            ..HERE
        };
        let moved = Person {
            department_id: Some(DepartmentId(9)),
            ..HERE
        };
        assert_eq!(
            warnings(&c, gone, Some(moved), None, now),
            [CustodyWarning::HolderDisabled, CustodyWarning::BackupMoved]
        );
        let mut old = c.clone();
        old.last_changed_at = Some(at(91));
        assert_eq!(
            warnings(&old, HERE, Some(HERE), None, now),
            [CustodyWarning::ChangeOverdue]
        );
        old.last_changed_at = None;
        assert_eq!(
            warnings(&old, HERE, Some(HERE), None, now),
            [CustodyWarning::ChangeOverdue],
            "never changed since the record was made 400 days ago"
        );
        old.active = false;
        assert!(warnings(&old, gone, None, None, now).is_empty(), "retired");
    }

    #[test]
    fn a_handover_waits_one_working_day_for_its_password_change() {
        let c = record();
        let now = Timestamp::now();
        let mut h = LastHandover {
            at: at(3),
            password_changed_at: None,
            deadline: at(1),
        };
        assert_eq!(
            warnings(&c, HERE, Some(HERE), Some(h), now),
            [CustodyWarning::HandoverUnchanged]
        );
        h.deadline = now.plus(Duration::hours(5));
        assert!(
            warnings(&c, HERE, Some(HERE), Some(h), now).is_empty(),
            "not yet due"
        );
        h.deadline = at(1);
        h.password_changed_at = Some(at(2));
        assert!(warnings(&c, HERE, Some(HERE), Some(h), now).is_empty());
        h.password_changed_at = None;
        let mut changed = c.clone();
        changed.last_changed_at = Some(at(2));
        assert!(
            warnings(&changed, HERE, Some(HERE), Some(h), now).is_empty(),
            "a change of the record after the handover counts"
        );
    }

    fn fields(r: Result<impl Sized, DomainError>) -> Vec<String> {
        match r {
            Err(DomainError::Validation(e)) => e.iter().map(|f| f.field.clone()).collect(),
            Err(e) => panic!("{e:?}"),
            Ok(_) => vec![],
        }
    }

    #[test]
    fn handovers_go_from_the_holder_to_someone_else_before_a_third_person() {
        let c = record();
        let now = Timestamp::now();
        let good = HandoverInput {
            to_id: Some(UserId(2)),
            witness_id: Some(UserId(5)),
            reason: "岗位调整".into(),
            at: Some(at(1)),
            ..HandoverInput::default()
        };
        let h = check_handover(&c, &good, None, now).unwrap();
        assert_eq!((h.from_id, h.to_id), (UserId(1), UserId(2)));
        let with = |f: &dyn Fn(&mut HandoverInput)| {
            let mut i = good.clone();
            f(&mut i);
            fields(check_handover(&c, &i, Some(at(2)), now))
        };
        assert_eq!(with(&|i| i.to_id = Some(UserId(1))), ["to_id"]);
        assert_eq!(with(&|i| i.from_id = Some(UserId(9))), ["from_id"]);
        assert_eq!(with(&|i| i.witness_id = Some(UserId(2))), ["witness_id"]);
        assert_eq!(with(&|i| i.reason = "  ".into()), ["reason"]);
        assert_eq!(with(&|i| i.at = Some(at(-1))), ["at"]);
        assert_eq!(
            with(&|i| i.at = Some(at(3))),
            ["at"],
            "before the last handover"
        );
        assert_eq!(
            with(&|i| i.password_changed_at = Some(at(2))),
            ["password_changed_at"]
        );
        assert_eq!(
            with(&|i| i.backup_holder_id = Some(UserId(2))),
            ["backup_holder_id"]
        );
    }

    #[test]
    fn records_name_two_different_people_and_a_sane_interval() {
        let now = Timestamp::now();
        let good = CustodyInput {
            asset_id: Some(AssetId(1)),
            account: "root".into(),
            holder_id: Some(UserId(1)),
            backup_holder_id: Some(UserId(2)),
            ..CustodyInput::default()
        };
        assert_eq!(check_custody(&good, now).unwrap().change_interval_days, 90);
        let mut bad = good.clone();
        bad.backup_holder_id = Some(UserId(1));
        bad.change_interval_days = Some(0);
        bad.account = String::new();
        bad.last_changed_at = Some(at(-2));
        assert_eq!(
            fields(check_custody(&bad, now)),
            [
                "account",
                "backup_holder_id",
                "last_changed_at",
                "change_interval_days"
            ]
        );
    }
}
