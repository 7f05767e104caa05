//! Demo password custody: the administrative accounts of the key systems (value level 4 and
//! above), each held by an administrator with a trained backup, changed on schedule and
//! handed over before a witness — and the cases a security officer must act on: records
//! without a backup holder, a holder who has left (their account disabled), a holder and a
//! backup holder who moved to another team, passwords past their change interval, a handover last week not
//! followed by a change, one handed over yesterday still within its day, and a retired
//! account.

use super::DemoRng;
use super::requests::People;
use crate::error::Result;
use castellan_domain::custody::{Custody, DEFAULT_INTERVAL_DAYS, Handover};
use castellan_domain::values::UserStatus;
use castellan_domain::{AssetId, DepartmentId, Timestamp, UserId};
use castellan_store::Conn;
use castellan_store::custody::records as store;
use castellan_store::org::users;
use time::Duration;

/// Administrative accounts by kind of system (written for the demo).
const ACCOUNTS: &[&str] = &[
    "root",
    "administrator",
    "sa",
    "admin",
    "enable",
    "oracle",
    "postgres",
    "sysadmin",
];

/// Handover reasons (written for the demo).
const REASONS: &[&str] = &[
    "岗位调整，系统运维工作移交",
    "原保管人休产假，由备份保管人接管",
    "年度轮岗",
    "外包运维合同到期，收回管理员密码",
];

/// What happens to one demo record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    InOrder,
    NoBackup,
    HolderLeft,
    BackupMoved,
    HolderMoved,
    Overdue,
    HandedOverUnchanged,
    HandedOverYesterday,
    HandedOverChanged,
    Retired,
}

const CASES: &[Case] = &[
    Case::HandedOverUnchanged,
    Case::NoBackup,
    Case::HolderLeft,
    Case::BackupMoved,
    Case::Overdue,
    Case::HandedOverYesterday,
    Case::HandedOverChanged,
    Case::Retired,
    Case::HolderMoved,
    Case::Overdue,
    Case::NoBackup,
];

fn record(
    asset: AssetId,
    account: &str,
    holder: (UserId, Option<DepartmentId>),
    backup: Option<(UserId, Option<DepartmentId>)>,
    changed: Timestamp,
    created: Timestamp,
    by: UserId,
) -> Custody {
    Custody {
        id: 0,
        asset_id: asset,
        account: account.into(),
        holder_id: holder.0,
        holder_department_id: holder.1,
        backup_holder_id: backup.map(|b| b.0),
        backup_department_id: backup.and_then(|b| b.1),
        last_changed_at: Some(changed),
        change_interval_days: DEFAULT_INTERVAL_DAYS,
        note: Some("管理员密码密封件存放于机房保险柜，备份保管人已完成操作培训。".into()),
        active: true,
        created_by: Some(by),
        version: 1,
        created_at: created,
        updated_at: created,
    }
}

/// Disables a staff member (they have left); their records then raise a warning.
async fn leave(conn: &mut Conn, id: UserId, now: Timestamp) -> Result<()> {
    if let Some(u) = users::get(conn, id).await? {
        let profile = users::Profile {
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            department_id: u.department_id,
            position: u.position.clone(),
            status: UserStatus::Disabled,
            language: u.language,
        };
        users::update_profile(conn, id, &profile, u.version, now).await?;
    }
    Ok(())
}

/// Creates the custody records; returns how many.
pub(super) async fn generate(
    conn: &mut Conn,
    rng: &mut DemoRng,
    people: &People,
    admins: &[(UserId, String)],
    now: Timestamp,
) -> Result<usize> {
    let systems = store::key_systems(conn, 4, 40).await?;
    let officer = people.officer.0;
    let witness = people.security_admin.0;
    // Holders: the administrators, and staff outside the division heads (operators).
    let heads: Vec<UserId> = people.heads.values().map(|h| h.0).collect();
    let operators: Vec<(UserId, DepartmentId)> = people
        .staff
        .iter()
        .filter(|(id, _, _)| !heads.contains(id))
        .map(|(id, team, _)| (*id, *team))
        .take(12)
        .collect();
    // Each with the department they are in now (recorded as theirs when named).
    let mut holders: Vec<(UserId, Option<DepartmentId>)> = Vec::new();
    for id in admins
        .iter()
        .map(|(id, _)| *id)
        .chain(operators.iter().map(|(id, _)| *id))
    {
        if let Some(u) = users::get(conn, id).await? {
            holders.push((u.id, u.department_id));
        }
    }
    if holders.len() < 3 || systems.is_empty() {
        return Ok(0);
    }
    let mut count = 0;
    let mut left = false;
    for (i, (code, _)) in systems.iter().enumerate() {
        let Some(asset) = castellan_store::asset::assets::find_by_code(conn, code).await? else {
            continue;
        };
        let case = CASES.get(i).copied().unwrap_or(Case::InOrder);
        let account = ACCOUNTS.get(i % ACCOUNTS.len()).copied().unwrap_or("root");
        let pick = |k: usize| holders.get(k % holders.len()).copied();
        let h = i % holders.len();
        let (Some(mut holder), Some(mut backup), Some(next), Some(first)) = (
            pick(h),
            pick(h + 1 + rng.below(holders.len() - 1)),
            pick(h + 1),
            pick(0),
        ) else {
            continue;
        };
        if backup.0 == holder.0 {
            backup = next;
        }
        let created = now.plus(Duration::days(-300 - rng.below(60) as i64));
        let changed = match case {
            Case::Overdue => now.plus(Duration::days(-100 - rng.below(80) as i64)),
            _ => now.plus(Duration::days(-5 - rng.below(70) as i64)),
        };
        if case == Case::HolderLeft {
            // An operator who has left: their account is disabled below.
            if let Some(op) = operators
                .first()
                .and_then(|op| holders.iter().find(|h| h.0 == op.0))
            {
                holder = *op;
                if backup.0 == holder.0 {
                    backup = first;
                }
            }
        }
        if matches!(case, Case::BackupMoved | Case::HolderMoved) {
            // People who stay active (not the operator who leaves).
            let leaver = operators.first().map(|o| o.0);
            if let Some(p) = holders
                .iter()
                .find(|p| Some(p.0) != leaver && p.0 != holder.0)
            {
                backup = *p;
            }
            if Some(holder.0) == leaver
                && let Some(p) = holders
                    .iter()
                    .find(|p| Some(p.0) != leaver && p.0 != backup.0)
            {
                holder = *p;
            }
        }
        let backup_recorded = match case {
            Case::NoBackup => None,
            // Recorded in another team than the one they are in now.
            Case::BackupMoved => Some((
                backup.0,
                operators
                    .iter()
                    .map(|o| Some(o.1))
                    .find(|d| *d != backup.1)
                    .unwrap_or(None),
            )),
            _ => Some(backup),
        };
        let mut c = record(
            asset.id,
            account,
            holder,
            backup_recorded,
            changed,
            created,
            officer,
        );
        if case == Case::HolderMoved {
            // Named when they were in another team than the one they are in now.
            c.holder_department_id = operators
                .iter()
                .map(|o| Some(o.1))
                .find(|d| *d != holder.1)
                .unwrap_or(None);
        }
        if case == Case::BackupMoved && c.backup_department_id == backup.1 {
            // Nobody else to have come from: the backup was recorded without a team.
            c.backup_department_id = None;
        }
        if case == Case::Retired {
            c.active = false;
            c.note = Some("系统已下线，账号停用。".into());
        }
        let handover = match case {
            Case::HandedOverUnchanged => Some((7, false)),
            Case::HandedOverYesterday => Some((1, false)),
            Case::HandedOverChanged => Some((40, true)),
            _ => None,
        };
        if let Some((days, changed_after)) = handover {
            // The backup holder took over; the former holder is the backup now.
            let at = now.plus(Duration::days(-days) + Duration::hours(-3));
            c.holder_id = backup.0;
            c.holder_department_id = backup.1;
            c.backup_holder_id = Some(holder.0);
            c.backup_department_id = holder.1;
            c.last_changed_at = Some(if changed_after {
                at.plus(Duration::hours(2))
            } else {
                at.plus(Duration::days(-30))
            });
            c.id = store::insert(conn, &c).await?;
            let h = Handover {
                id: 0,
                custody_id: c.id,
                from_id: holder.0,
                to_id: backup.0,
                at,
                witness_id: if witness == holder.0 || witness == backup.0 {
                    officer
                } else {
                    witness
                },
                reason: rng.pick(REASONS).copied().unwrap_or("岗位调整").into(),
                password_changed_at: changed_after.then(|| at.plus(Duration::hours(2))),
                created_by: Some(officer),
                version: 1,
                created_at: at,
            };
            store::insert_handover(conn, &h).await?;
        } else {
            c.id = store::insert(conn, &c).await?;
        }
        if case == Case::HolderLeft && !left {
            leave(conn, holder.0, now).await?;
            left = true;
        }
        count += 1;
    }
    Ok(count)
}
