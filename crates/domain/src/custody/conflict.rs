//! The custody area's conflicts (HTTP 409), each with its stable code and its message in
//! both languages.

use crate::macros::coded_enum;

coded_enum! {
    /// What forbids a change to a custody record.
    pub enum CustodyConflict {
        /// A retired record keeps its history and changes no more.
        Retired => ("custody_retired", "The custody record is retired; reactivate it before recording changes.", "该保管记录已停用，请先重新启用。"),
        /// A handover's password change is entered once.
        AlreadyChanged => ("custody_password_already_changed", "The password change after this handover is already recorded.", "该次交接后的密码更换已登记。"),
        /// The account of a system is held under one active record.
        Duplicate => ("custody_duplicate", "This account of the system already has an active custody record.", "该系统的此账号已有有效的保管记录。"),
    }
}
