//! What the organization area writes to the audit trail.

use crate::audit::audit_code;
use crate::history::{Field, Fields, Shown};
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

fn user_status(code: &str) -> Option<crate::lang::Text> {
    crate::values::UserStatus::from_code(code)
        .ok()
        .map(|s| s.label())
}

fn token_kind(code: &str) -> Option<crate::lang::Text> {
    let (en, zh) = match crate::org::TokenKind::from_code(code)? {
        crate::org::TokenKind::Session => ("Browser session", "浏览器会话"),
        crate::org::TokenKind::Login => ("API sign-in token", "API 登录令牌"),
        crate::org::TokenKind::Personal => ("Personal API token", "个人 API 令牌"),
    };
    Some(crate::lang::Text { en, zh })
}

impl Fields for OrgRecord {
    fn fields(self) -> &'static [Field] {
        const NAME: Field = Field::new("name", "Name", "名称", Shown::Plain);
        const KIND: Field = Field::new("kind", "Kind", "类型", Shown::Code(token_kind));
        const EXPIRES: Field = Field::new("expires_at", "Expires", "到期", Shown::Time);
        match self {
            OrgRecord::Department => {
                const FIELDS: &[Field] = &[
                    NAME,
                    Field::new("code", "Code", "编码", Shown::Plain),
                    Field::new(
                        "parent_id",
                        "Parent department",
                        "上级部门",
                        Shown::Department,
                    ),
                    Field::new("head_id", "Department head", "部门负责人", Shown::User),
                ];
                FIELDS
            }
            OrgRecord::User => {
                const FIELDS: &[Field] = &[
                    Field::new("username", "Username", "用户名", Shown::Plain),
                    Field::new("display_name", "Name", "姓名", Shown::Plain),
                    Field::new("email", "E-mail", "邮箱", Shown::Plain),
                    Field::new("department_id", "Department", "部门", Shown::Department),
                    Field::new("position", "Position", "职位", Shown::Plain),
                    Field::new("status", "Status", "状态", Shown::Code(user_status)),
                    Field::new("roles", "Roles", "角色", Shown::Grants),
                    Field::new("language", "Language", "语言", Shown::Language),
                    Field::hidden("last_login_at"),
                    Field::new(
                        "credentials_revoked",
                        "Sessions and tokens ended",
                        "结束的会话与令牌",
                        Shown::Plain,
                    ),
                ];
                FIELDS
            }
            OrgRecord::Session => &[KIND, EXPIRES],
            OrgRecord::ApiToken => {
                const FIELDS: &[Field] = &[
                    NAME,
                    KIND,
                    EXPIRES,
                    Field::hidden("user_id"),
                    Field::new("prefix", "Begins with", "开头", Shown::Plain),
                    Field::new("last_used_at", "Last used", "最近使用", Shown::Time),
                    Field::new("revoked_at", "Revoked", "吊销时间", Shown::Time),
                ];
                FIELDS
            }
        }
    }
}
