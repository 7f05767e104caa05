//! Streaming CSV reading: encoding and delimiter detection, then one record at
//! a time through the `csv` crate with a reused [`csv::ByteRecord`].
//!
//! The reader stack, from the source up:
//! source → [`CountingReader`] (size limit, progress) → first 64 KiB replayed
//! from memory (BOM skipped) → [`Gb18030Reader`] when needed →
//! [`QuoteTracker`] (strict quoting, cell and column limits) → `csv::Reader`.

use std::io::{Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::decode::{CountingReader, Gb18030Reader, fault_to_read_error};
use crate::quotes::{CellLimits, QuoteTracker};
use crate::{Encoding, ReadError, ReadOptions, Record};

/// How much of the file is examined to choose the encoding and delimiter.
const SNIFF_BYTES: usize = 64 * 1024;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

type Parser = csv::Reader<QuoteTracker<Box<dyn Read + Send>>>;

/// An open CSV stream positioned after the header row.
pub(crate) struct CsvSource {
    parser: Parser,
    record: csv::ByteRecord,
    consumed: Arc<AtomicU64>,
    width: usize,
    delimiter: u8,
}

/// What [`open`] found.
pub(crate) struct OpenedCsv {
    pub(crate) source: CsvSource,
    pub(crate) headers: Vec<String>,
    pub(crate) encoding: Encoding,
}

/// Detects encoding and delimiter, then reads the header row.
pub(crate) fn open(raw: Box<dyn Read + Send>, opts: &ReadOptions) -> Result<OpenedCsv, ReadError> {
    let consumed = Arc::new(AtomicU64::new(0));
    let mut counted = CountingReader::new(raw, Arc::clone(&consumed), opts.max_bytes);
    let (prefix, at_eof) = read_prefix(&mut counted)?;

    let (encoding, body_start) = if prefix.starts_with(UTF8_BOM) {
        (Encoding::Utf8Bom, UTF8_BOM.len())
    } else {
        (sniff_encoding(&prefix, at_eof), 0)
    };
    let body = prefix.get(body_start..).unwrap_or(&[]);
    if body.is_empty() {
        return Err(ReadError::Empty);
    }
    let delimiter = detect_delimiter(body);

    let mut replay = Cursor::new(prefix);
    replay.set_position(body_start as u64);
    let chained = replay.chain(counted);
    let decoded: Box<dyn Read + Send> = match encoding {
        Encoding::Gb18030 => Box::new(Gb18030Reader::new(chained)),
        Encoding::Utf8 | Encoding::Utf8Bom => Box::new(chained),
    };
    let parser = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(SNIFF_BYTES)
        .from_reader(QuoteTracker::new(
            decoded,
            delimiter,
            CellLimits {
                max_columns: opts.max_columns,
                max_cell_chars: opts.max_cell_chars,
            },
        ));

    let mut source = CsvSource {
        parser,
        record: csv::ByteRecord::new(),
        consumed,
        width: 0,
        delimiter,
    };
    let Some(line) = source.next_nonempty()? else {
        return Err(ReadError::Empty);
    };
    let mut headers = source.cells(line)?;
    for header in &mut headers {
        *header = header.trim_start_matches('\u{feff}').trim().to_owned();
    }
    source.width = headers.len();
    Ok(OpenedCsv {
        source,
        headers,
        encoding,
    })
}

/// Reads up to [`SNIFF_BYTES`]; the flag tells whether the input ended.
fn read_prefix(reader: &mut impl Read) -> Result<(Vec<u8>, bool), ReadError> {
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    let n = reader
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut prefix)
        .map_err(fault_to_read_error)?;
    Ok((prefix, n < SNIFF_BYTES))
}

/// Valid UTF-8 (allowing a character cut off at the end of the sample) means
/// UTF-8; anything else is taken for GB18030, whose decoder then reports
/// bytes that are not GB18030 either.
fn sniff_encoding(sample: &[u8], at_eof: bool) -> Encoding {
    match std::str::from_utf8(sample) {
        Ok(_) => Encoding::Utf8,
        Err(err) if err.error_len().is_none() && !at_eof => Encoding::Utf8,
        Err(_) => Encoding::Gb18030,
    }
}

/// `,` unless the header line has none outside quotes but has `;` or TAB.
fn detect_delimiter(sample: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut tabs) = (0, 0, 0);
    let mut in_quotes = false;
    for &byte in sample {
        match byte {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => break,
            b',' if !in_quotes => commas += 1,
            b';' if !in_quotes => semicolons += 1,
            b'\t' if !in_quotes => tabs += 1,
            _ => {}
        }
    }
    if commas == 0 && semicolons > 0 {
        b';'
    } else if commas == 0 && tabs > 0 {
        b'\t'
    } else {
        b','
    }
}

impl CsvSource {
    /// Bytes taken from the source so far (read-ahead included).
    pub(crate) fn bytes_read(&self) -> u64 {
        self.consumed.load(Ordering::Relaxed)
    }

    /// The next data row, skipping rows whose cells are all empty.
    pub(crate) fn next_record(&mut self) -> Option<Result<Record, ReadError>> {
        let line = match self.next_nonempty() {
            Ok(Some(line)) => line,
            Ok(None) => return None,
            Err(err) => return Some(Err(err)),
        };
        let count = self.record.len();
        if count != self.width {
            let reason = format!(
                "row has {count} {}, the header has {} — check for a stray quote (\") \
                 or a missing or extra {}",
                if count == 1 { "cell" } else { "cells" },
                self.width,
                separator_name(self.delimiter),
            );
            return Some(Err(ReadError::Malformed { line, reason }));
        }
        Some(self.cells(line).map(|cells| Record { line, cells }))
    }

    /// Reads records into `self.record` until one has a non-empty cell;
    /// returns its starting line, or `None` at the end of the input.
    fn next_nonempty(&mut self) -> Result<Option<u64>, ReadError> {
        loop {
            match self.parser.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(err) => return Err(csv_error(err, self.parser.position().line())),
            }
            let line = self.start_line();
            let end = self.parser.position().byte();
            if let Some(violation) = self.parser.get_ref().violation()
                && violation.offset < end
            {
                let reason = violation.problem.reason().to_owned();
                return Err(ReadError::Malformed { line, reason });
            }
            if !record_bytes(&self.record).is_empty() {
                return Ok(Some(line));
            }
        }
    }

    /// The line where the record just read starts.
    ///
    /// The parser counts the newlines it has consumed, but blank lines before
    /// a record are consumed with it, so the line is worked out backwards
    /// from the end of the record: its terminating `\n` (absent only at the
    /// end of the input) and the newlines inside its quoted cells.
    fn start_line(&self) -> u64 {
        let end = self.parser.position();
        let ended_by_eof = self.parser.get_ref().ends_with_terminator(end.byte()) == Some(false);
        let inside = memchr::memchr_iter(b'\n', self.record.as_slice()).count() as u64;
        end.line()
            .saturating_sub(inside + u64::from(!ended_by_eof))
            .max(1)
    }

    /// The cells of `self.record` as UTF-8 strings.
    fn cells(&self, line: u64) -> Result<Vec<String>, ReadError> {
        let bad = || ReadError::Encoding { line };
        let bytes = record_bytes(&self.record);
        let text = std::str::from_utf8(bytes).map_err(|_| bad())?;
        (0..self.record.len())
            .map(|i| {
                let range = self.record.range(i).ok_or_else(bad)?;
                let range = range.start.min(bytes.len())..range.end.min(bytes.len());
                // `get` also refuses a range that splits a character, which
                // happens when a separator sat inside a broken sequence.
                text.get(range).map(str::to_owned).ok_or_else(bad)
            })
            .collect()
    }
}

/// The record's cell bytes without the `\r` of a CRLF line end.
///
/// The parser splits records at `\n` only (so that it counts lines as it
/// goes); the `\r` before it lands at the end of the last cell and is cut
/// here, which the range clamp in [`CsvSource::cells`] then respects.
fn record_bytes(record: &csv::ByteRecord) -> &[u8] {
    let all = record.as_slice();
    all.strip_suffix(b"\r").unwrap_or(all)
}

fn separator_name(delimiter: u8) -> &'static str {
    match delimiter {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    }
}

fn csv_error(err: csv::Error, line: u64) -> ReadError {
    match err.into_kind() {
        csv::ErrorKind::Io(io) => fault_to_read_error(io),
        // With `flexible` byte records the parser itself reports nothing else;
        // keep a plain message for whatever a future `csv` version adds.
        _ => ReadError::Malformed {
            line,
            reason: "the row cannot be read as CSV".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_detection() {
        assert_eq!(detect_delimiter(b"a,b;c\n"), b',');
        assert_eq!(detect_delimiter(b"a;b;c\n1,5;2;3"), b';');
        assert_eq!(detect_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(detect_delimiter(b"\"x,y\";b\n"), b';');
        assert_eq!(detect_delimiter(b"single\n"), b',');
    }

    #[test]
    fn encoding_sniffing() {
        assert_eq!(sniff_encoding("资产".as_bytes(), true), Encoding::Utf8);
        // A character cut off by the end of the sample, input continues.
        assert_eq!(sniff_encoding(&"资".as_bytes()[..2], false), Encoding::Utf8);
        assert_eq!(
            sniff_encoding(&"资".as_bytes()[..2], true),
            Encoding::Gb18030
        );
        assert_eq!(sniff_encoding(b"\xd7\xca\xb2\xfa", true), Encoding::Gb18030);
    }
}
