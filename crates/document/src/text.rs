//! Text hygiene shared by the renderers: which characters survive, and
//! escaping for XML and HTML.

use std::borrow::Cow;

/// Whether a character is kept in any output: tab, newline, and everything
/// that is neither a control character (C0, DEL, C1) nor one of the
/// non-characters U+FFFE/U+FFFF. XML 1.0 forbids most of the dropped ones,
/// and the rest are invisible noise in a printed report.
fn is_kept(c: char) -> bool {
    c == '\t' || c == '\n' || !(c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')
}

/// `text` with line ends normalized to `\n` (`\r\n` and a lone `\r` both
/// become `\n`) and every character that is not [kept](is_kept) dropped.
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_kept) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() != Some(&'\n') {
                out.push('\n');
            }
        } else if is_kept(c) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends `text`, already [cleaned](clean), escaped for XML and HTML text
/// and attribute values alike.
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        let (plain, tail) = rest.split_at(at);
        out.push_str(plain);
        let mut tail_chars = tail.chars();
        match tail_chars.next() {
            Some('&') => out.push_str("&amp;"),
            Some('<') => out.push_str("&lt;"),
            Some('>') => out.push_str("&gt;"),
            Some('"') => out.push_str("&quot;"),
            Some('\'') => out.push_str("&#39;"),
            Some(other) => out.push(other),
            None => {}
        }
        rest = tail_chars.as_str();
    }
    out.push_str(rest);
}

/// Appends `text` [cleaned](clean) and escaped: for attribute values and
/// texts in which line breaks do not matter.
pub(crate) fn push_clean_escaped(out: &mut String, text: &str) {
    push_escaped(out, &clean(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_dropped_and_line_ends_normalized() {
        assert_eq!(clean("a\u{0}b\u{7}c\u{1b}d\u{7f}e\u{85}f"), "abcdef");
        assert_eq!(clean("1\r\n2\r3\n4\t5"), "1\n2\n3\n4\t5");
        assert_eq!(clean("x\u{FFFE}\u{FFFF}y"), "xy");
        assert!(matches!(clean("风险 ok\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn all_five_markup_characters_are_escaped() {
        let mut out = String::new();
        push_escaped(&mut out, r#"<a href="x">Tom & Jerry's</a> 中文"#);
        assert_eq!(
            out,
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt; 中文"
        );
    }

    #[test]
    fn clean_and_escape_together() {
        let mut out = String::new();
        push_clean_escaped(&mut out, "a\u{1}<b>");
        assert_eq!(out, "a&lt;b&gt;");
    }
}
