//! What the custody area writes to the audit trail.

use crate::audit::audit_code;
use crate::history::{Field, Fields, Shown};
use crate::macros::coded_enum;

coded_enum! {
    /// The area's own actions (besides creating and changing).
    pub enum CustodyAction {
        /// A password was handed over to another holder.
        Handover => ("custody_handover", "Password handed over", "密码交接"),
        /// The password was changed (the date, never the password).
        PasswordChanged => ("custody_password_changed", "Password change recorded", "登记密码更换"),
    }
}

coded_enum! {
    /// The area's records.
    pub enum CustodyRecord {
        /// A custody record: a system's account, its holder and backup holder.
        Custody => ("custody", "Password custody", "特权密码保管"),
        /// A handover of a password.
        Handover => ("custody_handover", "Password handover", "密码交接记录"),
    }
}

audit_code!(CustodyAction, CustodyRecord);

/// The area's actions, for the trail's filters and labels.
pub const ACTIONS: &[CustodyAction] = &CustodyAction::ALL;
/// The area's records, for the trail's filters and labels.
pub const RECORDS: &[CustodyRecord] = &CustodyRecord::ALL;

impl Fields for CustodyRecord {
    fn fields(self) -> &'static [Field] {
        const CUSTODY: &[Field] = &[
            Field::new("asset_id", "", "", Shown::Hidden),
            Field::new("asset", "System", "系统", Shown::Plain),
            Field::new("account", "Account", "账号", Shown::Plain),
            Field::new("holder_id", "Holder", "保管人", Shown::User),
            Field::new(
                "backup_holder_id",
                "Backup holder",
                "备份保管人",
                Shown::User,
            ),
            Field::new(
                "last_changed_at",
                "Password last changed",
                "最近更换密码",
                Shown::Time,
            ),
            Field::new(
                "change_interval_days",
                "Change every (days)",
                "更换周期（天）",
                Shown::Plain,
            ),
            Field::new("note", "Note", "备注", Shown::Plain),
            Field::new("active", "Active", "有效", Shown::Bool),
        ];
        const HANDOVER: &[Field] = &[
            Field::new("custody_id", "", "", Shown::Hidden),
            Field::new("from_id", "From", "移交人", Shown::User),
            Field::new("to_id", "To", "接收人", Shown::User),
            Field::new("witness_id", "Witness", "监交人", Shown::User),
            Field::new("at", "Handed over at", "交接时间", Shown::Time),
            Field::new("reason", "Reason", "交接原因", Shown::Plain),
            Field::new(
                "password_changed_at",
                "Password changed at",
                "密码更换时间",
                Shown::Time,
            ),
        ];
        match self {
            CustodyRecord::Custody => CUSTODY,
            CustodyRecord::Handover => HANDOVER,
        }
    }
}
