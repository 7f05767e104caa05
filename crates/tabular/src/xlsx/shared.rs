//! The shared-text table (`xl/sharedStrings.xml`), held compactly: one
//! `String` with every text end to end, and the end offset of each.

use std::io::Read;

use super::value::decode_escapes;
use super::xml::{Event, XmlPart};
use crate::{Limit, ReadError, ReadOptions};

/// The shared texts, in order.
#[derive(Debug, Default)]
pub(crate) struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    /// How many texts there are.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Text number `index` (0-based).
    pub(crate) fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = match index.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)? as usize,
            None => 0,
        };
        self.text.get(start..end)
    }
}

/// Tells which text of a string item (`<si>`, or `<is>` in a cell) belongs
/// to it: `<t>` directly inside or inside a rich-text run `<r>`, but not the
/// phonetic guides `<rPh>` (furigana) and their properties.
#[derive(Debug, Default)]
pub(crate) struct RichText {
    in_t: bool,
    phonetic: u32,
}

impl RichText {
    /// An element inside the item starts.
    pub(crate) fn start(&mut self, name: &[u8]) {
        match name {
            b"t" => self.in_t = true,
            b"rPh" => self.phonetic += 1,
            _ => {}
        }
    }

    /// An element inside the item ends.
    pub(crate) fn end(&mut self, name: &[u8]) {
        match name {
            b"t" => self.in_t = false,
            b"rPh" => self.phonetic = self.phonetic.saturating_sub(1),
            _ => {}
        }
    }

    /// Whether text here is part of the string.
    pub(crate) fn wants_text(&self) -> bool {
        self.in_t && self.phonetic == 0
    }
}

/// Checks a finished text (escapes decoded) against the cell limit.
pub(crate) fn check_length(text: &str, max_cell_chars: u64) -> bool {
    // Characters never outnumber bytes: count only when it can matter.
    text.len() as u64 <= max_cell_chars || text.chars().count() as u64 <= max_cell_chars
}

/// Most characters of raw text, before `_xHHHH_` escapes are decoded, that
/// can still decode to `max_cell_chars` (each escape is 7 characters).
pub(crate) fn raw_limit(max_cell_chars: u64) -> u64 {
    max_cell_chars.saturating_mul(7)
}

/// Reads the table, enforcing the count, size and cell-length limits as the
/// texts come in. `size_hint` is the part's unpacked size as the ZIP claims
/// it: the text buffer is reserved at that size (capped by the limit) so it
/// never grows by copying — with some allocators the copies left behind
/// doubled the peak. A lying hint only reserves address space; pages never
/// written are not resident.
pub(crate) fn read<R: Read>(
    xml: &mut XmlPart<R>,
    opts: &ReadOptions,
    size_hint: u64,
) -> Result<SharedStrings, ReadError> {
    let part = xml.name().to_owned();
    let max_bytes = opts.max_shared_string_bytes.min(u64::from(u32::MAX));
    let limit = |what, limit| ReadError::Limit {
        what,
        limit,
        line: None,
        cell: None,
    };
    let too_long = || limit(Limit::CellLength, opts.max_cell_chars);
    let mut table = SharedStrings::default();
    // The text is shorter than the XML it comes from; one byte more than the
    // limit is where reading stops.
    let reserve = size_hint.min(max_bytes.saturating_add(1));
    table.text.reserve(usize::try_from(reserve).unwrap_or(0));
    // Start offset and raw characters of the item being read.
    let mut item: Option<(usize, u64)> = None;
    let mut rich = RichText::default();
    loop {
        let event = xml.next()?;
        match &event {
            Event::Start(tag) | Event::Empty(tag) if tag.name() == b"si" => {
                if table.ends.len() as u64 >= opts.max_shared_strings {
                    return Err(limit(Limit::SharedStrings, opts.max_shared_strings));
                }
                item = Some((table.text.len(), 0));
                rich = RichText::default();
                if matches!(event, Event::Empty(_)) {
                    finish(&mut table, &mut item, opts.max_cell_chars).map_err(|()| too_long())?;
                }
            }
            Event::Start(tag) if item.is_some() => rich.start(tag.name()),
            Event::Start(tag) if tag.name() == b"sst" => {
                let mut expected = 0u64;
                tag.attributes(&part, |name, value| {
                    if name == b"uniqueCount" {
                        expected = value.trim().parse().unwrap_or(0);
                    }
                    Ok(())
                })?;
                let reserve = expected.min(opts.max_shared_strings).min(1 << 22);
                table.ends.reserve(usize::try_from(reserve).unwrap_or(0));
            }
            Event::End(name) => match *name {
                b"si" => {
                    finish(&mut table, &mut item, opts.max_cell_chars).map_err(|()| too_long())?;
                }
                name => rich.end(name),
            },
            Event::Eof => break,
            Event::Text(text) => {
                let Some((_, raw)) = item.as_mut().filter(|_| rich.wants_text()) else {
                    continue;
                };
                *raw += text.append_to(&mut table.text, &part)?;
                if *raw > raw_limit(opts.max_cell_chars) {
                    return Err(too_long());
                }
                if table.text.len() as u64 > max_bytes {
                    return Err(limit(Limit::SharedStringsSize, max_bytes));
                }
            }
            Event::Start(_) | Event::Empty(_) => {}
        }
    }
    // No `shrink_to_fit`: capacity never written costs no resident memory, while shrinking
    // a block of 100 MiB is a copy with some allocators (mimalloc), briefly doubling it.
    Ok(table)
}

/// Ends the item being read: decodes its escapes and records where it ends.
fn finish(
    table: &mut SharedStrings,
    item: &mut Option<(usize, u64)>,
    max_cell_chars: u64,
) -> Result<(), ()> {
    let Some((start, _)) = item.take() else {
        return Ok(());
    };
    let raw = table.text.get(start..).unwrap_or_default();
    if let std::borrow::Cow::Owned(decoded) = decode_escapes(raw) {
        table.text.truncate(start);
        table.text.push_str(&decoded);
    }
    if !check_length(table.text.get(start..).unwrap_or_default(), max_cell_chars) {
        return Err(());
    }
    // The size limit keeps the text below 4 GiB.
    table
        .ends
        .push(u32::try_from(table.text.len()).unwrap_or(u32::MAX));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_stored_end_to_end() {
        let table = SharedStrings {
            text: "a资产".to_owned(),
            ends: vec![1, 1, 7],
        };
        assert_eq!(table.len(), 3);
        assert_eq!(table.get(0), Some("a"));
        assert_eq!(table.get(1), Some(""));
        assert_eq!(table.get(2), Some("资产"));
        assert_eq!(table.get(3), None);
    }

    #[test]
    fn phonetic_runs_are_not_text() {
        let mut rich = RichText::default();
        assert!(!rich.wants_text());
        rich.start(b"r");
        rich.start(b"t");
        assert!(rich.wants_text());
        rich.end(b"t");
        rich.end(b"r");
        rich.start(b"rPh");
        rich.start(b"t");
        assert!(!rich.wants_text());
        rich.end(b"t");
        rich.end(b"rPh");
        rich.start(b"t");
        assert!(rich.wants_text());
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(check_length("资产", 2));
        assert!(!check_length("资产", 1));
        assert!(check_length("", 0));
    }
}
