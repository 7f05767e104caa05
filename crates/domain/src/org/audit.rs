//! What the organization area writes to the audit trail.

use crate::audit::audit_code;
use crate::macros::coded_enum;

coded_enum! {
    /// The area's own actions (besides creating, changing and deleting).
    pub enum OrgAction {
        /// A user signed in.
        Login => ("login", "Signed in", "登录"),
        /// A user signed out.
        Logout => ("logout", "Signed out", "退出"),
        /// A sign-in was refused.
        LoginFailed => ("login_failed", "Failed sign-in", "登录失败"),
        /// An administrator set a user's password.
        PasswordReset => ("password_reset", "Password set by administrator", "管理员重置密码"),
        /// A user changed their own password.
        PasswordChange => ("password_change", "Password changed", "修改密码"),
        /// A credential was revoked.
        Revoke => ("revoke", "Revoked", "吊销"),
    }
}

coded_enum! {
    /// The area's records.
    pub enum OrgRecord {
        /// A department.
        Department => ("department", "Department", "部门"),
        /// A user account.
        User => ("user", "User", "用户"),
        /// A sign-in session.
        Session => ("session", "Sign-in", "登录会话"),
        /// A personal API token.
        ApiToken => ("api_token", "API token", "API 令牌"),
    }
}

audit_code!(OrgAction, OrgRecord);

/// The area's actions, for the trail's filters and labels.
pub const ACTIONS: &[OrgAction] = &OrgAction::ALL;
/// The area's records, for the trail's filters and labels.
pub const RECORDS: &[OrgRecord] = &OrgRecord::ALL;
