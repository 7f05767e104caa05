//! Worksheet names: what Excel accepts, and unique within the workbook.

use std::collections::HashSet;

use crate::text::clean;

/// Excel's longest worksheet name, in UTF-16 code units.
const MAX_NAME: usize = 31;

/// The names handed out so far, compared as Excel does: ignoring case.
#[derive(Default)]
pub(super) struct SheetNames {
    used: HashSet<String>,
}

impl SheetNames {
    /// A valid, not yet used name made from `wanted` (or from `fallback`
    /// when nothing of `wanted` is left), with " (2)", " (3)"… appended when
    /// taken. The name is then taken.
    pub(super) fn claim(&mut self, wanted: &str, fallback: &str) -> String {
        let mut base = sanitize(wanted);
        if base.is_empty() {
            base = sanitize(fallback);
        }
        if base.is_empty() {
            base = "Sheet".to_owned();
        }
        let mut number = 1u32;
        loop {
            let candidate = if number == 1 {
                base.clone()
            } else {
                let suffix = format!(" ({number})");
                let room = MAX_NAME.saturating_sub(suffix.len());
                format!("{}{suffix}", trim(truncate_utf16(&base, room)))
            };
            let key = candidate.to_lowercase();
            // "History" is reserved by Excel.
            if key != "history" && !self.used.contains(&key) {
                self.used.insert(key);
                return candidate;
            }
            number += 1;
        }
    }
}

/// `raw` as a worksheet name: no control characters, `[]:*?/\` replaced
/// by `_`, line breaks and tabs by spaces, at most 31 UTF-16 units, no
/// apostrophe or space at either end. May be empty.
fn sanitize(raw: &str) -> String {
    let replaced: String = clean(raw)
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    trim(truncate_utf16(trim(&replaced), MAX_NAME)).to_owned()
}

/// `text` without apostrophes and whitespace at either end.
fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c == '\'' || c.is_whitespace())
}

/// The longest prefix of `text` that takes at most `max` UTF-16 units.
fn truncate_utf16(text: &str, max: usize) -> &str {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > max {
            return text.get(..at).unwrap_or(text);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_and_edges_are_cleaned() {
        assert_eq!(sanitize("Risks [2025]: a/b\\c*?"), "Risks _2025__ a_b_c__");
        assert_eq!(sanitize("  'quoted'  "), "quoted");
        assert_eq!(sanitize("two\nlines\u{1}"), "two lines");
        assert_eq!(sanitize("''"), "");
    }

    #[test]
    fn names_are_at_most_31_units() {
        let long = "风险评估报告".repeat(10);
        let name = sanitize(&long);
        assert_eq!(name.encode_utf16().count(), MAX_NAME);
        let emoji = "😀".repeat(20);
        assert!(sanitize(&emoji).encode_utf16().count() <= MAX_NAME);
    }

    #[test]
    fn names_are_unique_ignoring_case() {
        let mut names = SheetNames::default();
        assert_eq!(names.claim("Risks", "x"), "Risks");
        assert_eq!(names.claim("risks", "x"), "risks (2)");
        assert_eq!(names.claim("RISKS", "x"), "RISKS (3)");
        assert_eq!(names.claim("", "Table 4"), "Table 4");
        assert_eq!(names.claim("History", "x"), "History (2)");
        let long = "a".repeat(40);
        assert_eq!(names.claim(&long, "x"), "a".repeat(31));
        assert_eq!(names.claim(&long, "x"), format!("{} (2)", "a".repeat(27)));
    }
}
