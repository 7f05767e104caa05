//! The organization's records: departments and user accounts (SPEC §2).

use crate::ids::{DepartmentId, TokenId, UserId};
use crate::lang::Lang;
use crate::permission::{DepartmentPath, Grant};
use crate::time::Timestamp;
use crate::values::UserStatus;
use serde::Serialize;

/// A node of the department tree (company → department → team).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Department {
    /// System id.
    pub id: DepartmentId,
    /// Name, unique among its siblings.
    pub name: String,
    /// Optional short code, unique in the organization.
    pub code: Option<String>,
    /// The department above, `None` for a root.
    pub parent_id: Option<DepartmentId>,
    /// Its head: the approver of `department_head` steps in approval chains.
    pub head_id: Option<UserId>,
    /// Ids from the root down to this department.
    #[serde(skip)]
    pub path: DepartmentPath,
    /// Optimistic-concurrency version, starting at 1.
    pub version: i64,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl Department {
    /// Depth in the tree: 0 for a root.
    pub fn depth(&self) -> usize {
        self.path.0.len().saturating_sub(1)
    }
}

/// A user account. The password hash is deliberately not part of it, so it can be shown,
/// serialized and written to the audit log without any risk of leaking the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// System id.
    pub id: UserId,
    /// Login name (lower case).
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// The user's department.
    pub department_id: Option<DepartmentId>,
    /// Job title.
    pub position: Option<String>,
    /// Whether the account can sign in.
    pub status: UserStatus,
    /// The roles held, each optionally limited to a department.
    pub roles: Vec<Grant>,
    /// Preferred language; `None` follows the browser.
    pub language: Option<Lang>,
    /// Last successful sign-in.
    pub last_login_at: Option<Timestamp>,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// How a credential was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A browser session (cookie), with a CSRF token.
    Session,
    /// A bearer token from `POST /api/v1/auth/login`.
    Login,
    /// A personal API token the user created.
    Personal,
}

impl TokenKind {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            TokenKind::Session => "session",
            TokenKind::Login => "login",
            TokenKind::Personal => "personal",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "session" => Some(TokenKind::Session),
            "login" => Some(TokenKind::Login),
            "personal" => Some(TokenKind::Personal),
            _ => None,
        }
    }
}

/// A credential's public facts (never the secret, never its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// System id.
    pub id: TokenId,
    /// Owner.
    pub user_id: UserId,
    /// How it was issued.
    pub kind: TokenKind,
    /// The name the user gave a personal token.
    pub name: Option<String>,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
    /// Last use (updated at most once a minute).
    pub last_used_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
}

/// What a person is found by in a people picker: the username, the display name, and the
/// display name's pinyin, whole and as initials, all in lower case (陈静, chen.jing →
/// "chen.jing 陈静 chenjing cj"). A search matches any part of it.
pub fn person_search_key(username: &str, display_name: &str) -> String {
    use pinyin::ToPinyin;
    let mut whole = String::new();
    let mut initials = String::new();
    for (c, p) in display_name.chars().zip(display_name.to_pinyin()) {
        match p {
            Some(p) => {
                whole.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None if c.is_ascii_alphanumeric() => {
                whole.push(c.to_ascii_lowercase());
                initials.push(c.to_ascii_lowercase());
            }
            None => {}
        }
    }
    format!(
        "{} {} {whole} {initials}",
        username.to_lowercase(),
        display_name.to_lowercase()
    )
}

#[cfg(test)]
mod search_key_tests {
    use super::person_search_key;

    #[test]
    fn people_are_found_by_name_pinyin_initials_and_username() {
        let key = person_search_key("chen.jing", "陈静");
        for q in ["chen.jing", "陈静", "陈", "chenjing", "cj", "jing"] {
            assert!(key.contains(q), "{q} in {key}");
        }
        let key = person_search_key("Li.Qiang2", "李强 Lee");
        assert!(
            key.contains("li.qiang2") && key.contains("lq") && key.contains("liqianglee"),
            "{key}"
        );
    }
}
