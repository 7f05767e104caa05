//! Cursor paging: lists return `next_cursor`, an opaque token naming the last row's sort
//! key, so the next page is a keyset query (no OFFSET, no COUNT over the table).

use crate::error::{DomainError, FieldErrorKind};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size a client may ask for.
pub const MAX_LIMIT: u32 = 200;

/// Checks a requested page size.
pub fn parse_limit(raw: Option<i64>) -> Result<u32, FieldErrorKind> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=i64::from(MAX_LIMIT)).contains(&n) => Ok(n as u32),
        Some(_) => Err(FieldErrorKind::OutOfRange {
            min: 1,
            max: i64::from(MAX_LIMIT),
        }),
    }
}

/// One sort-key value stored in a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyValue {
    /// An integer key (ids, levels).
    Int(i64),
    /// A text key (names, timestamps).
    Text(String),
}

/// The position after the last row of a page: the sort it belongs to and the row's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort this cursor was made for (`username`, `-created_at`, …).
    #[serde(rename = "s")]
    pub sort: String,
    /// The last row's sort-key values, ending with its id.
    #[serde(rename = "k")]
    pub keys: Vec<KeyValue>,
}

impl Cursor {
    /// The opaque token sent to clients.
    pub fn encode(&self) -> String {
        // Serializing plain strings and integers cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// The refusal of a cursor that is not a `next_cursor` of this list and sort: a
    /// malformed request (400), not an invalid field.
    pub fn invalid() -> DomainError {
        DomainError::BadRequest(
            "the cursor is not a next_cursor of this list with the same sort; \
             start again from the first page"
                .into(),
        )
    }

    /// Reads a token from a client, checking that it belongs to `sort` and has `arity` keys.
    /// (The store checks each key's type against the sort's column when it is used.)
    pub fn decode(token: &str, sort: &str, arity: usize) -> Result<Cursor, DomainError> {
        let invalid = Self::invalid;
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| invalid())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if cursor.sort != sort || cursor.keys.len() != arity {
            return Err(invalid());
        }
        Ok(cursor)
    }
}

/// A requested sort: a field code and a direction (`name` or `-name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// The field, one of the list's allowed codes.
    pub field: &'static str,
    /// Largest first.
    pub descending: bool,
}

impl Sort {
    /// Parses `raw` (`field` or `-field`) against the allowed fields; `None` gives the
    /// first allowed field ascending.
    pub fn parse(raw: Option<&str>, allowed: &[&'static str]) -> Result<Sort, FieldErrorKind> {
        let raw = raw.map(str::trim).filter(|s| !s.is_empty());
        let (name, descending) = match raw {
            None => {
                return allowed
                    .first()
                    .map(|f| Sort {
                        field: f,
                        descending: false,
                    })
                    .ok_or(FieldErrorKind::Required);
            }
            Some(s) => match s.strip_prefix('-') {
                Some(rest) => (rest, true),
                None => (s, false),
            },
        };
        allowed
            .iter()
            .find(|f| **f == name)
            .map(|f| Sort {
                field: f,
                descending,
            })
            .ok_or_else(|| FieldErrorKind::UnknownValue {
                allowed: allowed.to_vec(),
            })
    }

    /// The code as written in a query string and in cursors.
    pub fn code(&self) -> String {
        if self.descending {
            format!("-{}", self.field)
        } else {
            self.field.to_owned()
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Where the next page starts, `None` on the last page.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_sorts() {
        let c = Cursor {
            sort: "-username".into(),
            keys: vec![KeyValue::Text("王五".into()), KeyValue::Int(7)],
        };
        let token = c.encode();
        assert_eq!(Cursor::decode(&token, "-username", 2).unwrap(), c);
        assert!(Cursor::decode(&token, "username", 2).is_err());
        assert!(Cursor::decode(&token, "-username", 1).is_err());
        assert!(Cursor::decode("not base64!", "-username", 2).is_err());
        assert!(Cursor::decode("eyJ4IjoxfQ", "-username", 2).is_err());
    }

    #[test]
    fn limits() {
        assert_eq!(parse_limit(None), Ok(50));
        assert_eq!(parse_limit(Some(200)), Ok(200));
        assert!(parse_limit(Some(0)).is_err());
        assert!(parse_limit(Some(201)).is_err());
        assert!(parse_limit(Some(-5)).is_err());
    }

    #[test]
    fn sorts() {
        let allowed = ["username", "created_at"];
        assert_eq!(
            Sort::parse(None, &allowed).unwrap(),
            Sort {
                field: "username",
                descending: false
            }
        );
        assert_eq!(
            Sort::parse(Some("-created_at"), &allowed).unwrap(),
            Sort {
                field: "created_at",
                descending: true
            }
        );
        assert_eq!(
            Sort::parse(Some("-created_at"), &allowed).unwrap().code(),
            "-created_at"
        );
        assert!(Sort::parse(Some("password_hash"), &allowed).is_err());
    }
}
