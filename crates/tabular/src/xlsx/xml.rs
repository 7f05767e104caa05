//! A small pull tokenizer for the XML of workbook parts, over the inflated
//! stream, with bounded memory.
//!
//! Why not a general XML library: a worksheet of a million rows is around a
//! hundred million events, and an event loop that copies every event into
//! its own buffer (as `quick-xml`'s streaming reader does) spent over 4 s on
//! the 755 MB sheet of `bench/xlsx_bombs.py`'s legitimate file before any
//! cell was looked at. This tokenizer hands out slices of its read buffer
//! instead, and knows only what Office XML needs: start, empty and end
//! tags (names without their namespace prefix), text with the five
//! predefined entities and character references, CDATA; comments,
//! processing instructions and a DOCTYPE are skipped. It does not check
//! that end tags match their start tags; the readers built on it follow the
//! elements they know and ignore the rest.
//!
//! Memory: a tag, comment or CDATA section must fit in
//! [`event_budget`] bytes (a longer one is refused: a broken workbook, or a
//! cell longer than the limit for CDATA), while text of any length comes out
//! in pieces, so the caller counts a cell's characters as they arrive.

use std::borrow::Cow;
use std::io::Read;

use super::package::{PartReader, part_error};
use crate::{Limit, ReadError};

/// Bytes of markup allowed in one token for a cell limit of
/// `max_cell_chars`: a CDATA cell whose every character takes 4 bytes,
/// with room to spare, and never less than 64 KiB.
pub(crate) fn event_budget(max_cell_chars: u64) -> usize {
    let budget = max_cell_chars.saturating_mul(8).saturating_add(64 * 1024);
    usize::try_from(budget).unwrap_or(usize::MAX)
}

/// Text runs longer than this come out in pieces.
const PIECE: usize = 64 * 1024;
/// Read size from the inflater.
const READ: usize = 256 * 1024;

/// One token.
#[derive(Debug)]
pub(crate) enum Event<'a> {
    /// `<name …>`.
    Start(Tag<'a>),
    /// `<name …/>`.
    Empty(Tag<'a>),
    /// `</name>`: the local name.
    End(&'a [u8]),
    /// Text (a whole run or a piece of one) or a CDATA section.
    Text(Text<'a>),
    /// The end of the part.
    Eof,
}

/// A start or empty tag.
#[derive(Debug)]
pub(crate) struct Tag<'a> {
    name: &'a [u8],
    attributes: &'a [u8],
}

/// Text as it appears in the XML.
#[derive(Debug)]
pub(crate) struct Text<'a> {
    raw: &'a [u8],
    cdata: bool,
}

/// What the tokenizer found at the read position, as offsets into the
/// buffer (the borrowed event is built from it once the buffer stops moving).
enum Found {
    Start {
        name: (usize, usize),
        attributes: (usize, usize),
        empty: bool,
    },
    End {
        name: (usize, usize),
    },
    Text {
        raw: (usize, usize),
        cdata: bool,
    },
    Skip,
    Eof,
}

/// The tokens of one part.
pub(crate) struct XmlPart<R> {
    source: PartReader<R>,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    started: bool,
    max_event: usize,
    max_cell_chars: u64,
    part: String,
}

impl<R: Read> XmlPart<R> {
    /// Tokenizes `part`; `max_cell_chars` sets the markup budget.
    pub(crate) fn new(part: PartReader<R>, max_cell_chars: u64) -> Self {
        let name = part.name().to_owned();
        XmlPart {
            source: part,
            buf: Vec::new(),
            pos: 0,
            end: 0,
            eof: false,
            started: false,
            max_event: event_budget(max_cell_chars),
            max_cell_chars,
            part: name,
        }
    }

    /// The part's name, for messages.
    pub(crate) fn name(&self) -> &str {
        &self.part
    }

    /// The next token. CDATA over the budget is a [`Limit::CellLength`]
    /// without a place; the caller knows which cell it was in.
    #[inline]
    pub(crate) fn next(&mut self) -> Result<Event<'_>, ReadError> {
        let found = loop {
            match self.scan()? {
                Some(Found::Skip) => {}
                Some(found) => break found,
                None => self.refill()?,
            }
        };
        let slice = |(start, end): (usize, usize)| self.buf.get(start..end).unwrap_or_default();
        Ok(match found {
            Found::Start {
                name,
                attributes,
                empty,
            } => {
                let tag = Tag {
                    name: local(slice(name)),
                    attributes: slice(attributes),
                };
                if empty {
                    Event::Empty(tag)
                } else {
                    Event::Start(tag)
                }
            }
            Found::End { name } => Event::End(local(slice(name))),
            Found::Text { raw, cdata } => Event::Text(Text {
                raw: slice(raw),
                cdata,
            }),
            Found::Skip | Found::Eof => Event::Eof,
        })
    }

    /// Moves the unread bytes to the front and reads more; grows the buffer
    /// for a token that does not fit, up to the budget.
    fn refill(&mut self) -> Result<(), ReadError> {
        if self.eof {
            return Ok(());
        }
        self.buf.copy_within(self.pos..self.end, 0);
        self.end -= self.pos;
        self.pos = 0;
        if self.buf.len() - self.end < READ {
            if self.end > self.max_event {
                return Err(self.too_long());
            }
            self.buf.resize(self.end + READ, 0);
        }
        let free = self.buf.get_mut(self.end..).unwrap_or_default();
        let n = self
            .source
            .read(free)
            .map_err(|err| part_error(&err, &self.part))?;
        self.end += n;
        self.eof = n == 0;
        if !self.started && (self.end >= 3 || self.eof) {
            self.started = true;
            if self
                .buf
                .get(..self.end)
                .is_some_and(|b| b.starts_with(b"\xEF\xBB\xBF"))
            {
                self.pos = 3;
            }
        }
        Ok(())
    }

    fn broken(&self) -> ReadError {
        ReadError::NotXlsx(format!(
            "{} is not well-formed XML (a tag is cut off)",
            self.part
        ))
    }

    fn too_long(&self) -> ReadError {
        let data = self.buf.get(self.pos..self.end).unwrap_or_default();
        if data.starts_with(b"<![CDATA[") {
            ReadError::Limit {
                what: Limit::CellLength,
                limit: self.max_cell_chars,
                line: None,
                cell: None,
            }
        } else {
            ReadError::NotXlsx(format!("{} has an XML tag that is far too long", self.part))
        }
    }

    /// Tokenizes at the read position; `None` when more bytes are needed.
    #[inline]
    fn scan(&mut self) -> Result<Option<Found>, ReadError> {
        if !self.started && !self.eof {
            return Ok(None);
        }
        let (pos, data) = (
            self.pos,
            self.buf.get(self.pos..self.end).unwrap_or_default(),
        );
        let Some(&first) = data.first() else {
            return Ok(self.eof.then_some(Found::Eof));
        };
        if first != b'<' {
            let len = match find_markup(data) {
                Some(len) => len,
                None if self.eof => data.len(),
                None if data.len() >= PIECE => text_piece(data),
                None => return Ok(None),
            };
            self.pos += len;
            return Ok(Some(Found::Text {
                raw: (pos, pos + len),
                cdata: false,
            }));
        }
        let rest = data.get(1..).unwrap_or_default();
        // `(bytes to consume, token)`, offsets in `rest` being one past `<`.
        let found = match rest.first() {
            Some(b'/') => {
                let name = rest.get(1..).unwrap_or_default();
                let end = name.iter().position(|&b| b == b'>' || b == b'<');
                if end.is_some_and(|at| name.get(at) == Some(&b'<')) {
                    return Err(self.broken());
                }
                end.map(|at| {
                    let trimmed = name.get(..at).unwrap_or_default().trim_ascii_end().len();
                    (
                        at + 3,
                        Found::End {
                            name: (pos + 2, pos + 2 + trimmed),
                        },
                    )
                })
            }
            Some(b'!') if rest.starts_with(b"!--") => {
                past(rest, 3, b"-->").map(|end| (1 + end, Found::Skip))
            }
            Some(b'!') if rest.starts_with(b"![CDATA[") => {
                let body = rest.get(8..).unwrap_or_default();
                memchr::memmem::find(body, b"]]>").map(|close| {
                    let raw = (pos + 9, pos + 9 + close);
                    (9 + close + 3, Found::Text { raw, cdata: true })
                })
            }
            // Not yet known whether a comment or CDATA starts here.
            Some(b'!') if rest.len() < 8 && !self.eof => None,
            Some(b'!') => memchr::memchr(b'>', rest).map(|at| (at + 2, Found::Skip)),
            Some(b'?') => past(rest, 1, b"?>").map(|end| (1 + end, Found::Skip)),
            _ => start_tag(rest)
                .map_err(|()| self.broken())?
                .map(|(name_len, at, empty)| {
                    let inside = at - usize::from(empty);
                    let found = Found::Start {
                        name: (pos + 1, pos + 1 + name_len),
                        attributes: (pos + 1 + name_len, pos + 1 + inside),
                        empty,
                    };
                    (at + 2, found)
                }),
        };
        match found {
            Some((len, found)) => {
                self.pos += len;
                Ok(Some(found))
            }
            None if self.eof => Err(ReadError::NotXlsx(format!(
                "{} ends in the middle of an XML tag",
                self.part
            ))),
            None => Ok(None),
        }
    }
}

/// The index in `data` just past the first `needle` at or after `from`.
fn past(data: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(data.get(from..)?, needle).map(|at| from + at + needle.len())
}

/// The index of the next `<`. Most texts in a sheet are a few bytes long,
/// where a plain loop beats a `memchr` call.
fn find_markup(data: &[u8]) -> Option<usize> {
    let head = data.get(..32).unwrap_or(data);
    match head.iter().position(|&b| b == b'<') {
        Some(at) => Some(at),
        None => memchr::memchr(b'<', data.get(head.len()..)?).map(|at| at + head.len()),
    }
}

/// A start tag after its `<`: the length of its name, the index of the
/// closing `>`, and whether it is empty (`/>`); one pass, quotes respected.
/// `Err` for a `<` inside the tag (XML allows none, not even quoted: it is
/// how a cut or broken part shows).
fn start_tag(tag: &[u8]) -> Result<Option<(usize, usize, bool)>, ()> {
    let Some(name_len) = tag
        .iter()
        .position(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>' | b'<'))
    else {
        return Ok(None);
    };
    let Some(end) = tag_end(tag.get(name_len..).unwrap_or_default())? else {
        return Ok(None);
    };
    let end = name_len + end;
    let empty = end > 0 && tag.get(end - 1) == Some(&b'/');
    Ok(Some((name_len, end, empty)))
}

/// The index of the `>` that closes a tag, quotes respected (tags are
/// short: a plain loop); `Err` for a `<` on the way.
fn tag_end(tag: &[u8]) -> Result<Option<usize>, ()> {
    let mut quote = None;
    for (i, &b) in tag.iter().enumerate() {
        match (quote, b) {
            (_, b'<') => return Err(()),
            (Some(q), _) if q == b => quote = None,
            (Some(_), _) => {}
            (None, b'>') => return Ok(Some(i)),
            (None, b'"' | b'\'') => quote = Some(b),
            (None, _) => {}
        }
    }
    Ok(None)
}

/// How much of a long text run to hand out now: not inside an entity
/// reference, a UTF-8 sequence or a CR LF pair.
fn text_piece(data: &[u8]) -> usize {
    let mut cut = data.len();
    if let Some(amp) = memchr::memrchr(b'&', data)
        && memchr::memchr(b';', data.get(amp..).unwrap_or_default()).is_none()
    {
        cut = amp;
    }
    while cut > 0 && data.get(cut - 1).is_some_and(|b| b & 0x80 != 0) {
        // Back to before the last non-ASCII character, complete or not.
        cut -= 1;
        if data.get(cut).is_some_and(|b| b & 0xC0 == 0xC0) {
            break;
        }
    }
    if cut > 0 && data.get(cut - 1) == Some(&b'\r') {
        cut -= 1;
    }
    cut.max(1)
}

/// The name after its namespace prefix, if any.
fn local(name: &[u8]) -> &[u8] {
    // Names are short: a plain loop beats a `memchr` call here.
    match name.iter().rposition(|&b| b == b':') {
        Some(colon) => name.get(colon + 1..).unwrap_or_default(),
        None => name,
    }
}

/// Whether an attribute value means true (`1` or `true`).
pub(crate) fn is_true(value: &str) -> bool {
    matches!(value.trim(), "1" | "true")
}

impl<'a> Tag<'a> {
    /// The tag between `<` and `>` (`/` of an empty tag removed), e.g.
    /// `mergeCell ref="A2:A5"`.
    pub(crate) fn from_inside(inside: &'a [u8]) -> Tag<'a> {
        let name_len = inside
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(inside.len());
        let (name, attributes) = inside.split_at(name_len);
        Tag {
            name: local(name),
            attributes,
        }
    }

    /// The tag's name without its namespace prefix, e.g. `b"row"`.
    pub(crate) fn name(&self) -> &[u8] {
        self.name
    }

    /// Calls `visit` with the local name and the value (entities decoded,
    /// whitespace normalised) of each attribute; malformed attributes are a
    /// broken workbook.
    pub(crate) fn attributes(
        &self,
        part: &str,
        mut visit: impl FnMut(&[u8], &str) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        self.raw_attributes(part, |name, raw| visit(name, &attribute_text(raw, part)?))
    }

    /// Like [`Tag::attributes`], but with the raw bytes of each value as
    /// they stand in the XML (for values that are plain ASCII, such as cell
    /// references; decode others with [`attribute_text`]).
    #[inline]
    pub(crate) fn raw_attributes(
        &self,
        part: &str,
        mut visit: impl FnMut(&'a [u8], &'a [u8]) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        let bad = || broken_attribute(part);
        let mut rest = self.attributes;
        loop {
            rest = rest.trim_ascii_start();
            if rest.is_empty() {
                return Ok(());
            }
            let eq = rest.iter().position(|&b| b == b'=').ok_or_else(bad)?;
            let name = local(rest.get(..eq).unwrap_or_default().trim_ascii_end());
            let after = rest.get(eq + 1..).unwrap_or_default().trim_ascii_start();
            let quote = *after
                .first()
                .filter(|q| matches!(q, b'"' | b'\''))
                .ok_or_else(bad)?;
            let body = after.get(1..).unwrap_or_default();
            let close = body.iter().position(|&b| b == quote).ok_or_else(bad)?;
            rest = body.get(close + 1..).unwrap_or_default();
            visit(name, body.get(..close).unwrap_or_default())?;
        }
    }
}

fn broken_attribute(part: &str) -> ReadError {
    ReadError::NotXlsx(format!("{part} has a broken XML attribute"))
}

/// The text of a raw attribute value: entities decoded, whitespace
/// normalised.
pub(crate) fn attribute_text<'a>(raw: &'a [u8], part: &str) -> Result<Cow<'a, str>, ReadError> {
    let raw = std::str::from_utf8(raw).map_err(|_| broken_attribute(part))?;
    if !raw
        .bytes()
        .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
    {
        return Ok(Cow::Borrowed(raw));
    }
    let mut value = String::with_capacity(raw.len());
    decode(raw, &mut value, true).map_err(|_| broken_attribute(part))?;
    Ok(Cow::Owned(value))
}

impl Text<'_> {
    /// Appends the text, entities decoded and line ends normalised as XML
    /// requires, to `out`; returns the characters added.
    pub(crate) fn append_to(&self, out: &mut String, part: &str) -> Result<u64, ReadError> {
        let text = std::str::from_utf8(self.raw)
            .map_err(|_| ReadError::NotXlsx(format!("{part} is not UTF-8 text")))?;
        let before = out.len();
        if self.cdata {
            push_normalised(text, out, false);
        } else {
            decode(text, out, false).map_err(|reference| {
                ReadError::NotXlsx(format!(
                    "{part} uses an unknown character reference &{reference};"
                ))
            })?;
        }
        Ok(out.get(before..).unwrap_or_default().chars().count() as u64)
    }
}

/// Decodes entity and character references into `out`, normalising line
/// ends (and, in attributes, whitespace to spaces); on an unknown reference,
/// returns it.
fn decode(text: &str, out: &mut String, attribute: bool) -> Result<(), String> {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        push_normalised(rest.get(..amp).unwrap_or_default(), out, attribute);
        let after = rest.get(amp + 1..).unwrap_or_default();
        let Some(semi) = after.find(';') else {
            return Err(after.chars().take(10).collect());
        };
        let name = after.get(..semi).unwrap_or_default();
        let ch = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => name
                .strip_prefix("#x")
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| name.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .filter(|&code| code != 0)
                .and_then(char::from_u32),
        };
        out.push(ch.ok_or_else(|| name.chars().take(10).collect::<String>())?);
        rest = after.get(semi + 1..).unwrap_or_default();
    }
    push_normalised(rest, out, attribute);
    Ok(())
}

/// Appends `text` with CR LF and lone CR turned into LF (attributes: every
/// TAB, CR and LF into a space).
fn push_normalised(text: &str, out: &mut String, attribute: bool) {
    if !text
        .bytes()
        .any(|b| b == b'\r' || (attribute && matches!(b, b'\t' | b'\n')))
    {
        out.push_str(text);
        return;
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' | '\t' if attribute => out.push(' '),
            '\r' => out.push('\n'),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> String {
        let mut out = String::new();
        decode(text, &mut out, false).unwrap();
        out
    }

    #[test]
    fn references_and_line_ends_are_decoded() {
        assert_eq!(decoded("a &lt;b&gt; &amp; &quot;&apos;"), "a <b> & \"'");
        assert_eq!(decoded("&#13;&#x41;&#x4e2d;"), "\rA中");
        assert_eq!(decoded("a\r\nb\rc\n"), "a\nb\nc\n");
        let mut out = String::new();
        assert_eq!(decode("&nbsp;", &mut out, false), Err("nbsp".to_owned()));
        assert!(decode("&#0;", &mut out, false).is_err());
        assert!(decode("&#xD800;", &mut out, false).is_err());
        assert!(decode("a & b", &mut out, false).is_err());
        let mut out = String::new();
        decode("a\tb\r\nc&#10;", &mut out, true).unwrap();
        assert_eq!(out, "a b c\n");
    }

    #[test]
    fn tags_end_outside_quotes() {
        assert_eq!(tag_end(br#"c r="A1">"#), Ok(Some(8)));
        assert_eq!(tag_end(br#"c a="x>y" b='>'>rest"#), Ok(Some(15)));
        assert_eq!(tag_end(br#"c a="x>"#), Ok(None));
        assert_eq!(tag_end(b"c"), Ok(None));
        assert_eq!(tag_end(b"c</sheetData>"), Err(()));
        assert_eq!(start_tag(b"c r=\"A1\"/>"), Ok(Some((1, 9, true))));
        assert_eq!(start_tag(b"row>"), Ok(Some((3, 3, false))));
        assert_eq!(start_tag(b"c</sheetData>"), Err(()));
    }

    #[test]
    fn text_pieces_do_not_split_references_or_characters() {
        assert_eq!(text_piece(b"abc"), 3);
        assert_eq!(text_piece(b"ab&amp"), 2);
        assert_eq!(text_piece(b"ab&amp;c"), 8);
        assert_eq!(text_piece("ab中".as_bytes()), 2);
        assert_eq!(text_piece(&"ab中".as_bytes()[..4]), 2);
        assert_eq!(text_piece(b"ab\r"), 2);
    }

    #[test]
    fn local_names_drop_the_prefix() {
        assert_eq!(local(b"x:row"), b"row");
        assert_eq!(local(b"row"), b"row");
    }
}
