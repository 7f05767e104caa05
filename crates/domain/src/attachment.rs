//! The rules of files attached to records (SPEC §6.0): which file names are accepted and
//! which media types are kept as the client sent them.

use crate::error::FieldErrorKind;
use serde::Serialize;

/// The longest file name kept, in characters.
pub const NAME_MAX: usize = 200;

/// The media type of content whose type is unknown or was not acceptable.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// The longest media type kept, in bytes (RFC 6838 allows 127 for each of its two names).
const MEDIA_TYPE_MAX: usize = 255;

/// A file name that is safe to store and to offer back in a download: not empty, at most
/// [`NAME_MAX`] characters, no path separators (`/`, `\`), no control or text-direction
/// characters (which could make `evil.exe` read as `exe.pdf`), and not `.` or `..`.
/// Leading and trailing spaces are dropped; Chinese and any other script are kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FileName(String);

impl FileName {
    /// Checks a submitted file name.
    pub fn parse(raw: &str) -> Result<FileName, FieldErrorKind> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldErrorKind::Required);
        }
        if name.chars().count() > NAME_MAX {
            return Err(FieldErrorKind::TooLong { max: NAME_MAX });
        }
        if name == "." || name == ".." {
            return Err(FieldErrorKind::invalid(
                "a file name, not . or ..",
                "请填写文件名，不能是 . 或 ..",
            ));
        }
        if name.contains(['/', '\\']) {
            return Err(FieldErrorKind::invalid(
                "a file name without / or \\",
                "文件名不能包含 / 或 \\",
            ));
        }
        if name.chars().any(|c| c.is_control() || is_direction_mark(c)) {
            return Err(FieldErrorKind::invalid(
                "a file name without control or text-direction characters",
                "文件名不能包含控制字符或文字方向字符",
            ));
        }
        Ok(FileName(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Unicode characters that change the direction text is shown in (bidirectional marks,
/// embeddings, overrides and isolates).
fn is_direction_mark(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The media type to store for a client's declared one: kept (in lower case) when it is a
/// plain `type/subtype` of token characters, without parameters; otherwise
/// [`OCTET_STREAM`]. The stored type only labels the download, which is always served as an
/// attachment that browsers must not sniff.
pub fn media_type(declared: Option<&str>) -> String {
    let Some(value) = declared.map(str::trim) else {
        return OCTET_STREAM.to_owned();
    };
    let plain = value.len() <= MEDIA_TYPE_MAX
        && value
            .split_once('/')
            .is_some_and(|(kind, subtype)| is_token(kind) && is_token(subtype));
    if plain {
        value.to_ascii_lowercase()
    } else {
        OCTET_STREAM.to_owned()
    }
}

/// An HTTP token (RFC 9110 `tchar`s), not empty.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_any_script_are_kept_and_trimmed() {
        for name in [
            "report.pdf",
            "安全事件报告（初稿）.docx",
            "巡检记录 2026-Q1.xlsx",
            "Ünïcødé – naïve résumé.txt",
            ".hidden",
            "a..b",
            "𠀀𠀁.png",
        ] {
            assert_eq!(
                FileName::parse(name).map(FileName::into_string),
                Ok(name.to_owned())
            );
        }
        assert_eq!(
            FileName::parse("  日志.txt \t").map(FileName::into_string),
            Ok("日志.txt".to_owned())
        );
        let longest = "文".repeat(NAME_MAX);
        assert!(FileName::parse(&longest).is_ok());
    }

    #[test]
    fn unsafe_names_are_refused() {
        assert_eq!(FileName::parse(""), Err(FieldErrorKind::Required));
        assert_eq!(FileName::parse("   "), Err(FieldErrorKind::Required));
        assert_eq!(
            FileName::parse(&"a".repeat(NAME_MAX + 1)),
            Err(FieldErrorKind::TooLong { max: NAME_MAX })
        );
        for name in [
            ".",
            "..",
            "../etc/passwd",
            "dir/file.txt",
            "C:\\Windows\\x.dll",
            "a\0b",
            "line\nbreak",
            "tab\there",
            "del\u{7f}",
            "c1\u{85}mid",
            "invoice\u{202E}fdp.exe",
            "iso\u{2067}late",
        ] {
            let refused = FileName::parse(name);
            assert!(
                matches!(refused, Err(FieldErrorKind::Invalid { .. })),
                "{name:?}: {refused:?}"
            );
        }
    }

    #[test]
    fn only_plain_media_types_are_kept() {
        assert_eq!(media_type(Some("application/pdf")), "application/pdf");
        assert_eq!(media_type(Some(" Image/PNG ")), "image/png");
        assert_eq!(
            media_type(Some(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            )),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(media_type(Some("text/html")), "text/html");
        for bad in [
            None,
            Some(""),
            Some("pdf"),
            Some("text/"),
            Some("/plain"),
            Some("text/plain; charset=utf-8"),
            Some("text/plain\r\nX-Evil: 1"),
            Some("a/b/c"),
            Some("text /plain"),
            Some("图片/png"),
        ] {
            assert_eq!(media_type(bad), OCTET_STREAM, "{bad:?}");
        }
        assert_eq!(
            media_type(Some(&format!("a/{}", "b".repeat(300)))),
            OCTET_STREAM
        );
    }
}
