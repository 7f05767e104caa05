//! Validated values of the organization: a value of one of these types is always valid.

use crate::error::FieldErrorKind;
use crate::lang::Text;
use serde::{Deserialize, Serialize};

/// Trims `raw` and checks its length in characters and that it holds no control characters.
pub fn clean_text(raw: &str, min: usize, max: usize) -> Result<String, FieldErrorKind> {
    let value = raw.trim();
    let len = value.chars().count();
    if len == 0 && min > 0 {
        return Err(FieldErrorKind::Required);
    }
    if len < min {
        return Err(FieldErrorKind::TooShort { min });
    }
    if len > max {
        return Err(FieldErrorKind::TooLong { max });
    }
    if value.chars().any(char::is_control) {
        return Err(FieldErrorKind::invalid(
            "control characters are not allowed",
            "不能包含控制字符",
        ));
    }
    Ok(value.to_owned())
}

/// Like [`clean_text`] for optional fields: blank becomes `None`.
pub fn clean_optional(raw: Option<&str>, max: usize) -> Result<Option<String>, FieldErrorKind> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => clean_text(value, 1, max).map(Some),
    }
}

/// Like [`clean_optional`] for longer texts that may span lines (descriptions, notes of a
/// finding): line breaks and tabs are kept (`\r\n` becomes `\n`), other control characters
/// are refused.
pub fn clean_multiline(raw: Option<&str>, max: usize) -> Result<Option<String>, FieldErrorKind> {
    let Some(value) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let value = value.replace("\r\n", "\n");
    if value.chars().count() > max {
        return Err(FieldErrorKind::TooLong { max });
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(FieldErrorKind::invalid(
            "control characters other than line breaks are not allowed",
            "除换行外不能包含控制字符",
        ));
    }
    Ok(Some(value))
}

/// A login name: 2–64 characters of `a–z`, `0–9`, `.`, `_`, `-`, starting with a letter or
/// digit; stored in lower case so `Alice` and `alice` are the same account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// Checks and normalizes a submitted username.
    pub fn parse(raw: &str) -> Result<Self, FieldErrorKind> {
        let value = raw.trim().to_lowercase();
        let len = value.chars().count();
        if len == 0 {
            return Err(FieldErrorKind::Required);
        }
        if len < 2 {
            return Err(FieldErrorKind::TooShort { min: 2 });
        }
        if len > 64 {
            return Err(FieldErrorKind::TooLong { max: 64 });
        }
        let hint = Text {
            en: "use letters a–z, digits, '.', '_' or '-', starting with a letter or digit",
            zh: "只能使用小写字母、数字、“.”、“_”、“-”，并以字母或数字开头",
        };
        let valid_char =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c);
        let starts_well = value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !starts_well || !value.chars().all(valid_char) {
            return Err(FieldErrorKind::Invalid { hint });
        }
        Ok(Username(value))
    }

    /// The normalized name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Minimum password length in characters.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Maximum password length in bytes (bounds the hashing work an attacker can ask for).
pub const PASSWORD_MAX_BYTES: usize = 1024;

/// Checks a new password against the policy: at least 12 characters, at most 1024 bytes,
/// not containing the username.
pub fn check_password_policy(password: &str, username: &str) -> Result<(), FieldErrorKind> {
    if password.is_empty() {
        return Err(FieldErrorKind::Required);
    }
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(FieldErrorKind::TooShort {
            min: PASSWORD_MIN_CHARS,
        });
    }
    if password.len() > PASSWORD_MAX_BYTES {
        return Err(FieldErrorKind::TooLong {
            max: PASSWORD_MAX_BYTES,
        });
    }
    let lower_password = password.to_lowercase();
    let lower_user = username.trim().to_lowercase();
    let contains = if lower_user.chars().count() >= 3 {
        lower_password.contains(&lower_user)
    } else {
        lower_password == lower_user
    };
    if !lower_user.is_empty() && contains {
        return Err(FieldErrorKind::PasswordContainsUsername);
    }
    Ok(())
}

/// An e-mail address, checked for shape only (one `@`, a dotted domain, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Checks a submitted address.
    pub fn parse(raw: &str) -> Result<Self, FieldErrorKind> {
        let value = raw.trim();
        let hint = Text {
            en: "expected an address like name@example.com",
            zh: "请输入类似 name@example.com 的邮箱地址",
        };
        if value.len() > 254 {
            return Err(FieldErrorKind::TooLong { max: 254 });
        }
        let mut parts = value.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(FieldErrorKind::Invalid { hint });
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty()
            || !domain_ok
            || value.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(FieldErrorKind::Invalid { hint });
        }
        Ok(Email(value.to_owned()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether an account can sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Can sign in.
    Active,
    /// Cannot sign in; all sessions and tokens were ended when it was disabled.
    Disabled,
}

impl UserStatus {
    /// Every status.
    pub const ALL: [UserStatus; 2] = [UserStatus::Active, UserStatus::Disabled];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Result<Self, FieldErrorKind> {
        UserStatus::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or_else(|| FieldErrorKind::UnknownValue {
                allowed: UserStatus::ALL.iter().map(|s| s.code()).collect(),
            })
    }

    /// Label in both languages.
    pub fn label(self) -> Text {
        match self {
            UserStatus::Active => Text {
                en: "Active",
                zh: "启用",
            },
            UserStatus::Disabled => Text {
                en: "Disabled",
                zh: "停用",
            },
        }
    }
}

/// A department code: optional short identifier, 1–32 characters of letters, digits,
/// `.`, `_`, `-`; unique across the organization.
pub fn parse_department_code(raw: &str) -> Result<String, FieldErrorKind> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldErrorKind::Required);
    }
    if value.chars().count() > 32 {
        return Err(FieldErrorKind::TooLong { max: 32 });
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
    {
        return Err(FieldErrorKind::invalid(
            "use letters, digits, '.', '_' or '-'",
            "只能使用字母、数字、“.”、“_”、“-”",
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_texts_keep_line_breaks_and_refuse_other_controls() {
        assert_eq!(
            clean_multiline(Some(" a\r\nb\tc "), 10),
            Ok(Some("a\nb\tc".into()))
        );
        assert_eq!(clean_multiline(Some("  "), 10), Ok(None));
        assert_eq!(clean_multiline(None, 10), Ok(None));
        assert!(clean_multiline(Some("a\u{0}b"), 10).is_err());
        assert_eq!(
            clean_multiline(Some("abcdef"), 5),
            Err(FieldErrorKind::TooLong { max: 5 })
        );
    }

    #[test]
    fn usernames_are_normalized_and_checked() {
        assert_eq!(Username::parse("  Alice.W ").unwrap().as_str(), "alice.w");
        assert_eq!(Username::parse(""), Err(FieldErrorKind::Required));
        assert_eq!(
            Username::parse("a"),
            Err(FieldErrorKind::TooShort { min: 2 })
        );
        assert!(matches!(
            Username::parse("_x"),
            Err(FieldErrorKind::Invalid { .. })
        ));
        assert!(matches!(
            Username::parse("张三"),
            Err(FieldErrorKind::Invalid { .. })
        ));
        assert!(matches!(
            Username::parse("a b"),
            Err(FieldErrorKind::Invalid { .. })
        ));
        assert!(Username::parse(&"a".repeat(64)).is_ok());
        assert_eq!(
            Username::parse(&"a".repeat(65)),
            Err(FieldErrorKind::TooLong { max: 64 })
        );
    }

    #[test]
    fn password_policy() {
        assert_eq!(
            check_password_policy("short", "bob"),
            Err(FieldErrorKind::TooShort { min: 12 })
        );
        // Twelve characters counted as characters, not bytes.
        assert!(check_password_policy("密码密码密码密码密码密码", "bob").is_ok());
        assert_eq!(
            check_password_policy("my-Alice-password", "alice"),
            Err(FieldErrorKind::PasswordContainsUsername)
        );
        assert!(check_password_policy("correct horse battery", "alice").is_ok());
        // Two-letter names only forbid the name itself, not every word containing it.
        assert!(check_password_policy("about the boat!", "bo").is_ok());
        assert_eq!(
            check_password_policy(&"x".repeat(1025), "alice"),
            Err(FieldErrorKind::TooLong { max: 1024 })
        );
        assert_eq!(
            check_password_policy("", "alice"),
            Err(FieldErrorKind::Required)
        );
    }

    #[test]
    fn emails() {
        assert!(Email::parse("li.lei@example.cn").is_ok());
        for bad in ["a@b", "@x.cn", "a@@x.cn", "a b@x.cn", "a@x..cn", "a@.cn"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts() {
        assert_eq!(clean_text("  研发部 ", 1, 100).unwrap(), "研发部");
        assert_eq!(clean_text("   ", 1, 100), Err(FieldErrorKind::Required));
        assert_eq!(
            clean_text("abc", 1, 2),
            Err(FieldErrorKind::TooLong { max: 2 })
        );
        assert!(clean_text("a\u{0}b", 1, 10).is_err());
        assert_eq!(clean_optional(Some("  "), 10), Ok(None));
        assert_eq!(parse_department_code(" IT-01 "), Ok("IT-01".into()));
        assert!(parse_department_code("IT 01").is_err());
    }
}
