//! A cheap first pass over the worksheet part, so that a sheet with merged
//! cells or formulas is refused before any row is handed out (the merged
//! ranges come after the cells in the XML). Being cheap, it also refuses a
//! sheet over the part limit before the slower row-by-row parse starts.
//!
//! It does not tokenize: it only looks for bytes that are rare in a sheet.
//! Inside `<sheetData>` an `f` that names an element (`<f`, `<x:f`) is a
//! formula; after it, `mergeCell` elements give the merged ranges, and the
//! first in reading order is kept. Comments, CDATA and processing
//! instructions (found by their `!` and `?`) are skipped, so text in them
//! cannot pass for either. Nothing but the current chunk and a few bytes
//! (or an unfinished `mergeCell` tag) is held.

use std::io::Read;

use super::package::{PartReader, part_error};
use super::value::{cell_name, parse_range};
use super::xml::Tag;
use crate::ReadError;

const CHUNK: usize = 256 * 1024;
/// The longest `mergeCell` tag kept across chunks.
const MAX_TAG: usize = 64 * 1024;
/// Bytes kept from the end of a chunk when nothing is unfinished: enough to
/// see `</sheetData` or `mergeCell` split across chunks, and the bytes
/// before an `f`.
const OVERLAP: usize = 256;

/// What the scan found.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// A cell has a formula somewhere.
    pub(crate) formula: bool,
    /// The first merged range in reading order, e.g. `A2:A5`.
    pub(crate) merged: Option<String>,
}

type Range = ((u32, u32), (u32, u32));

/// Where the scan is, relative to `<sheetData>` (the cells).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Place {
    #[default]
    Before,
    In,
    After,
}

#[derive(Default)]
struct Scanner {
    part: String,
    place: Place,
    /// Inside a comment, CDATA or the like, until this terminator.
    skip: Option<&'static [u8]>,
    formula: bool,
    merged: Option<Range>,
    /// A merged range whose reference could not be read.
    odd_merge: Option<String>,
}

/// Scans the worksheet part to its end.
pub(crate) fn scan<R: Read>(mut part: PartReader<R>) -> Result<Findings, ReadError> {
    let mut scanner = Scanner {
        part: part.name().to_owned(),
        ..Scanner::default()
    };
    let mut window = vec![0u8; MAX_TAG + CHUNK];
    let mut len = 0;
    loop {
        let free = window.get_mut(len..).unwrap_or_default();
        let n = part
            .read(free)
            .map_err(|err| part_error(&err, &scanner.part))?;
        len += n;
        let data = window.get(..len).unwrap_or_default();
        let used = scanner.feed(data, n == 0)?;
        if n == 0 {
            break;
        }
        window.copy_within(used..len, 0);
        len -= used;
        if len > MAX_TAG {
            return Err(ReadError::NotXlsx(format!(
                "{} has an XML tag that is far too long",
                scanner.part
            )));
        }
    }
    let merged = scanner
        .merged
        .map(|(start, end)| {
            format!(
                "{}:{}",
                cell_name(start.0, start.1),
                cell_name(end.0, end.1)
            )
        })
        .or(scanner.odd_merge);
    Ok(Findings {
        formula: scanner.formula,
        merged,
    })
}

fn is_name_end(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>')
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.') || byte >= 0x80
}

/// Which tag a name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Start,
    End,
}

/// Whether the name at `at` is that of a tag: `<name`, `</name`, or the
/// same with a namespace prefix (`<x:name`).
fn element_at(data: &[u8], at: usize) -> Option<Side> {
    let mut start = at;
    if at.checked_sub(1).and_then(|p| data.get(p)) == Some(&b':') {
        let prefix = data.get(..at - 1)?;
        let first = prefix.iter().rposition(|&b| !is_name_byte(b))? + 1;
        if first == prefix.len() {
            return None;
        }
        start = first;
    }
    match (
        start.checked_sub(2).and_then(|p| data.get(p)),
        data.get(start.checked_sub(1)?),
    ) {
        (Some(b'<'), Some(b'/')) => Some(Side::End),
        (_, Some(b'<')) => Some(Side::Start),
        _ => None,
    }
}

impl Scanner {
    /// Scans `data`; returns how many bytes are done with (the rest comes
    /// again, in front of the next chunk).
    fn feed(&mut self, data: &[u8], at_eof: bool) -> Result<usize, ReadError> {
        // What may be unfinished at the end: kept for the next round.
        let keep = |from: usize| if at_eof { data.len() } else { from };
        let tail = keep(data.len().saturating_sub(OVERLAP));
        let mut i = 0;
        loop {
            if let Some(terminator) = self.skip {
                let rest = data.get(i..).unwrap_or_default();
                match memchr::memmem::find(rest, terminator) {
                    Some(found) => {
                        i += found + terminator.len();
                        self.skip = None;
                    }
                    None => {
                        return Ok(keep(data.len().saturating_sub(terminator.len() - 1).max(i)));
                    }
                }
            }
            let rest = data.get(i..).unwrap_or_default();
            // The next place to look at, by what matters where we are.
            let sheet_data = || memchr::memmem::find(rest, b"sheetData");
            let (found, what) = match self.place {
                Place::Before => (sheet_data(), b's'),
                Place::In => {
                    let special = if self.formula {
                        memchr::memchr2(b'!', b'?', rest)
                    } else {
                        memchr::memchr3(b'f', b'!', b'?', rest)
                    };
                    match (sheet_data(), special) {
                        (Some(end), Some(at)) if end < at => (Some(end), b's'),
                        (None, None) => (None, 0),
                        (end, None) => (end, b's'),
                        (_, Some(at)) => (Some(at), rest.get(at).copied().unwrap_or(0)),
                    }
                }
                Place::After => {
                    let merge = memchr::memmem::find(rest, b"mergeCell");
                    match (merge, memchr::memchr2(b'!', b'?', rest)) {
                        (Some(m), Some(at)) if m < at => (Some(m), b'm'),
                        (None, None) => (None, 0),
                        (merge, None) => (merge, b'm'),
                        (_, Some(at)) => (Some(at), rest.get(at).copied().unwrap_or(0)),
                    }
                }
            };
            let Some(at) = found.map(|at| i + at) else {
                return Ok(tail.max(i));
            };
            // Too close to the end to decide: look again with more bytes
            // (and the bytes before, for a namespace prefix). Everything
            // done here may safely be done twice.
            if at + 16 > data.len() && !at_eof {
                return Ok(at.saturating_sub(OVERLAP));
            }
            let before = at.checked_sub(1).and_then(|p| data.get(p)).copied();
            let name_ends = |len: usize| data.get(at + len).copied().is_some_and(is_name_end);
            i = at + 1;
            match what {
                b's' if name_ends(9) => match element_at(data, at) {
                    Some(Side::Start) if self.place == Place::Before => {
                        // `<sheetData>` opens the cells; `<sheetData/>` has none.
                        let Some(close) = tag_end(data, at + 9) else {
                            return Ok(keep(at.saturating_sub(OVERLAP)));
                        };
                        let empty = data.get(close - 1) == Some(&b'/');
                        self.place = if empty { Place::After } else { Place::In };
                        i = close + 1;
                    }
                    Some(Side::End) => self.place = Place::After,
                    _ => {}
                },
                b'!' | b'?' if before == Some(b'<') => {
                    let bang = data.get(at..).unwrap_or_default();
                    let (terminator, skip) = if bang.starts_with(b"!--") {
                        (&b"-->"[..], 3)
                    } else if bang.starts_with(b"![CDATA[") {
                        (&b"]]>"[..], 8)
                    } else if what == b'?' {
                        (&b"?>"[..], 1)
                    } else {
                        (&b">"[..], 1)
                    };
                    self.skip = Some(terminator);
                    i = at + skip;
                }
                b'f' if name_ends(1) && element_at(data, at) == Some(Side::Start) => {
                    self.formula = true;
                }
                b'm' if name_ends(9) && element_at(data, at) == Some(Side::Start) => {
                    let Some(end) = tag_end(data, at + 9) else {
                        return Ok(keep(at.saturating_sub(OVERLAP)));
                    };
                    self.merge_cell(data.get(at..end).unwrap_or_default())?;
                    i = end + 1;
                }
                _ => {}
            }
        }
    }

    /// Keeps the range of `<mergeCell ref="..."/>` if it is the first yet.
    fn merge_cell(&mut self, tag: &[u8]) -> Result<(), ReadError> {
        let tag = Tag::from_inside(tag.strip_suffix(b"/").unwrap_or(tag));
        let mut reference = None;
        tag.attributes(&self.part, |name, value| {
            if name == b"ref" {
                reference = Some(value.to_owned());
            }
            Ok(())
        })?;
        let reference = reference.unwrap_or_default();
        match parse_range(&reference) {
            Some(range) if self.merged.is_none_or(|first| range < first) => {
                self.merged = Some(range);
            }
            Some(_) => {}
            None if self.odd_merge.is_none() => {
                self.odd_merge = Some(reference.chars().take(40).collect());
            }
            None => {}
        }
        Ok(())
    }
}

/// The index of the `>` closing a tag (quotes respected), from `from`.
fn tag_end(data: &[u8], from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in data.iter().enumerate().skip(from) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `xml` in chunks of `chunk` bytes, carrying what `feed` leaves.
    fn scan_str(xml: &str, chunk: usize) -> (bool, Option<String>) {
        let mut scanner = Scanner::default();
        let mut carry: Vec<u8> = Vec::new();
        for piece in xml.as_bytes().chunks(chunk) {
            carry.extend_from_slice(piece);
            let used = scanner.feed(&carry, false).unwrap();
            carry.drain(..used);
        }
        scanner.feed(&carry, true).unwrap();
        let merged = scanner
            .merged
            .map(|(s, e)| format!("{}:{}", cell_name(s.0, s.1), cell_name(e.0, e.1)))
            .or(scanner.odd_merge);
        (scanner.formula, merged)
    }

    fn all_chunkings(xml: &str) -> (bool, Option<String>) {
        let whole = scan_str(xml, xml.len());
        for chunk in 1..xml.len() {
            assert_eq!(scan_str(xml, chunk), whole, "chunk {chunk}");
        }
        whole
    }

    #[test]
    fn finds_formulas_in_cells_only() {
        let sheet = r#"<worksheet><sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>"#;
        assert_eq!(all_chunkings(sheet), (true, None));
        let prefixed = r#"<x:worksheet><x:sheetData><x:row><x:c><x:f/></x:c></x:row></x:sheetData></x:worksheet>"#;
        assert_eq!(all_chunkings(prefixed), (true, None));
        let validation = r#"<worksheet><sheetData><row><c t="s"><v>0</v></c></row></sheetData><extLst><x14:dataValidation><x14:formula1><xm:f>Lists!$A$1:$A$5</xm:f></x14:formula1></x14:dataValidation></extLst></worksheet>"#;
        assert_eq!(all_chunkings(validation), (false, None));
        let hidden = r#"<worksheet><sheetData><!-- <f>x</f> --><row><c t="inlineStr"><is><t><![CDATA[<f>]]>fff f> a:f> if</t></is></c></row><?pi <f>?></sheetData></worksheet>"#;
        assert_eq!(all_chunkings(hidden), (false, None));
        assert_eq!(
            all_chunkings("<worksheet><sheetData/><f/></worksheet>"),
            (false, None)
        );
        assert_eq!(
            all_chunkings("<worksheet><sheetData><fx/><c fo=\"1\"/></sheetData></worksheet>"),
            (false, None)
        );
    }

    #[test]
    fn keeps_the_first_merged_range() {
        let sheet = r#"<worksheet><sheetData/><mergeCells count="3"><mergeCell ref="C5:D6"/><mergeCell ref="A2:A5"/><mergeCell  ref = 'B2:B3' /></mergeCells></worksheet>"#;
        assert_eq!(all_chunkings(sheet), (false, Some("A2:A5".to_owned())));
        let odd = r#"<x:worksheet><x:sheetData></x:sheetData><x:mergeCells><x:mergeCell ref="nonsense"/></x:mergeCells></x:worksheet>"#;
        assert_eq!(all_chunkings(odd), (false, Some("nonsense".to_owned())));
        let hidden =
            r#"<worksheet><sheetData></sheetData><!-- <mergeCell ref="A1:B1"/> --></worksheet>"#;
        assert_eq!(all_chunkings(hidden), (false, None));
    }

    #[test]
    fn tag_ends_respect_quotes() {
        assert_eq!(tag_end(br#"mergeCell ref="a>b">"#, 9), Some(19));
        assert_eq!(tag_end(br#"mergeCell ref="a>b""#, 9), None);
    }
}
