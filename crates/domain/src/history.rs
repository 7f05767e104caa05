//! How a record's history shows the fields of its audit snapshots. Each area declares the
//! fields of its records next to its audit codes (`<area>/audit.rs`), with their labels in
//! both languages and how their values read; the kernel declares the bookkeeping fields and
//! those of file imports and exports that every area shares. The integration tests check
//! every snapshot they write against these declarations, so a field nobody labels fails a
//! test instead of showing its raw key on a page.

use crate::lang::Text;

/// How a history shows a field's stored value.
#[derive(Debug, Clone, Copy)]
pub enum Shown {
    /// Never shown: ids, versions and other bookkeeping.
    Hidden,
    /// As stored (text or number).
    Plain,
    /// A timestamp, in the reader's words.
    Time,
    /// Yes or no.
    Bool,
    /// A department id, by name.
    Department,
    /// A list of department ids, by name.
    Departments,
    /// A user id, by display name.
    User,
    /// A list of user ids, by display name.
    Users,
    /// A list of texts.
    List,
    /// A list, by its number of entries.
    Count,
    /// A stored code, by its label (`None`: shown as stored).
    Code(fn(&str) -> Option<Text>),
    /// Role grants (role and department limit).
    Grants,
    /// A language code, by the language's own name.
    Language,
    /// A text the organization wrote in both languages (`{"en", "zh"}`), in the reader's.
    Bilingual,
}

/// One field of an audited record's snapshot.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The key in the snapshot.
    pub key: &'static str,
    /// Its label in both languages.
    pub label: Text,
    /// How its value reads.
    pub shown: Shown,
}

impl Field {
    /// A field `key` labelled `en` / `zh`, shown as `shown`.
    pub const fn new(key: &'static str, en: &'static str, zh: &'static str, shown: Shown) -> Field {
        Field {
            key,
            label: Text { en, zh },
            shown,
        }
    }

    /// A bookkeeping field that a history never shows.
    pub const fn hidden(key: &'static str) -> Field {
        Field::new(key, "", "", Shown::Hidden)
    }
}

/// A kind of audited record whose snapshots a history shows.
pub trait Fields: crate::audit::AuditCode {
    /// The fields of this kind of record's snapshots (besides the kernel's [`COMMON`]).
    fn fields(self) -> &'static [Field];
}

/// Fields every record may carry: bookkeeping (hidden), and the summaries of imports and
/// exports.
pub const COMMON: &[Field] = &[
    Field::hidden("id"),
    Field::hidden("version"),
    Field::hidden("created_at"),
    Field::hidden("updated_at"),
    Field::hidden("path"),
    Field::hidden("search_text"),
    Field::new("comment", "Comment", "意见说明", Shown::Plain),
    Field::new("format", "Format", "格式", Shown::Plain),
    Field::new("sha256", "SHA-256", "SHA-256", Shown::Plain),
    Field::new("rows", "Rows", "行数", Shown::Plain),
    Field::new("created", "Created", "新增", Shown::Plain),
    Field::new("updated", "Updated", "更新", Shown::Plain),
    Field::new("unchanged", "Unchanged", "未变", Shown::Plain),
];

/// The field `key` of a record of kind `record` (a stored record code), if declared: the
/// record's own declaration first, then the common one.
pub fn field(record: &str, key: &str) -> Option<&'static Field> {
    crate::audit::record_fields(record)
        .unwrap_or(&[])
        .iter()
        .chain(COMMON)
        .find(|f| f.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_declares_distinct_labelled_fields() {
        for (code, _) in crate::audit::records() {
            let fields = crate::audit::record_fields(code).expect("declared");
            // A record's own field may override a common one (a threat's `path` is how it
            // reaches an asset, not a department path), but not repeat one of its own.
            let mut keys: Vec<&str> = fields.iter().map(|f| f.key).collect();
            keys.sort_unstable();
            let before = keys.len();
            keys.dedup();
            assert_eq!(before, keys.len(), "{code}: a field is declared twice");
            for f in fields.iter().chain(COMMON) {
                if !matches!(f.shown, Shown::Hidden) {
                    assert!(
                        !f.label.en.is_empty() && !f.label.zh.is_empty(),
                        "{code}.{}",
                        f.key
                    );
                }
            }
        }
    }

    #[test]
    fn the_same_key_reads_by_its_record() {
        let user = field("user", "status").expect("user status");
        let asset = field("asset", "status").expect("asset status");
        let (Shown::Code(u), Shown::Code(a)) = (user.shown, asset.shown) else {
            panic!("statuses are codes");
        };
        assert_eq!(u("disabled").map(|t| t.en), Some("Disabled"));
        assert_eq!(a("in_use").map(|t| t.zh), Some("在用"));
        assert!(field("user", "no_such_field").is_none());
        assert!(field("asset", "version").is_some_and(|f| matches!(f.shown, Shown::Hidden)));
        assert!(field("department", "path").is_some_and(|f| matches!(f.shown, Shown::Hidden)));
        assert!(field("threat", "path").is_some_and(|f| matches!(f.shown, Shown::Code(_))));
    }
}
