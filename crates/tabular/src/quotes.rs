//! Strict quote checking and the cell limits for CSV.
//!
//! The `csv` crate is lenient: a quoted cell that is never closed silently
//! swallows the rest of the file, and text after a closing quote (`"a"b`) is
//! glued on. Both are almost always a stray quote in a hand-edited file, so
//! [`QuoteTracker`] watches the bytes on their way into the parser, follows
//! the RFC 4180 quoting rules, and remembers the byte offset of the first
//! violation. The reader then reports the record that contains that offset.
//!
//! The same pass enforces [`CellLimits`]: it counts the cells of each record
//! and the characters of each cell as they go by, and stops the stream just
//! before the parser would have to buffer a cell or a record beyond a limit
//! (the `csv` crate reads a whole field before anyone could look at it).
//!
//! Only quotes, separators and line ends are inspected (found with
//! `memchr`), and characters are counted by a vectorisable byte filter, so the
//! cost is small next to parsing.

use std::io::{self, Read};

use crate::Limit;
use crate::decode::LimitFault;

/// What is wrong with the quoting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuoteProblem {
    /// A quoted cell runs to the end of the file.
    Unclosed,
    /// A closing quote is followed by something other than a separator or a
    /// line end.
    TextAfterClosingQuote,
}

impl QuoteProblem {
    /// The explanation shown to the person who made the file.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            QuoteProblem::Unclosed => {
                "a quoted cell that starts in this row is never closed \
                 — check for a stray quote (\")"
            }
            QuoteProblem::TextAfterClosingQuote => {
                "a quoted cell in this row has text after its closing quote \
                 — check for a stray quote (\"); a quote inside a cell must be doubled (\"\")"
            }
        }
    }
}

/// A quoting violation at a byte offset of the stream the parser sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Violation {
    /// Offset of the offending quote.
    pub(crate) offset: u64,
    /// What is wrong.
    pub(crate) problem: QuoteProblem,
}

const QUOTE: u8 = b'"';

/// The limits [`QuoteTracker`] enforces while streaming.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CellLimits {
    /// Most cells in one record.
    pub(crate) max_columns: u64,
    /// Most characters in one cell (enclosing quotes not counted, an escaped
    /// `""` counted once, the CR of a CRLF not counted).
    pub(crate) max_cell_chars: u64,
}

/// Passes bytes through unchanged while tracking the quoting state and the
/// size of the current record.
pub(crate) struct QuoteTracker<R> {
    inner: R,
    delimiter: u8,
    /// Bytes passed through so far.
    offset: u64,
    in_quotes: bool,
    /// Where the currently open quoted cell started.
    opened_at: u64,
    /// Last byte of the previous chunk (a newline at the start of the stream).
    prev: u8,
    /// A quote inside a quoted cell was the last byte of a chunk; whether it
    /// closes the cell or starts an escaped `""` depends on the next byte.
    pending_quote: Option<u64>,
    violation: Option<Violation>,
    /// The input has ended.
    at_eof: bool,
    /// The input ended inside a quoted cell.
    ended_in_quotes: bool,
    limits: CellLimits,
    /// 1-based physical line of the next byte.
    line: u64,
    /// Line where the current record starts.
    record_line: u64,
    /// Separators outside quotes in the current record.
    separators: u64,
    /// Characters of the current cell so far.
    chars: u64,
    /// A limit was exceeded: the stream stopped before the offending bytes.
    exceeded: Option<LimitFault>,
}

impl<R: Read> QuoteTracker<R> {
    /// Wraps `inner`, which yields UTF-8 (or ASCII-compatible) bytes.
    pub(crate) fn new(inner: R, delimiter: u8, limits: CellLimits) -> Self {
        QuoteTracker {
            inner,
            delimiter,
            offset: 0,
            in_quotes: false,
            opened_at: 0,
            prev: b'\n',
            pending_quote: None,
            violation: None,
            at_eof: false,
            ended_in_quotes: false,
            limits,
            line: 1,
            record_line: 1,
            separators: 0,
            chars: 0,
            exceeded: None,
        }
    }

    /// The first violation seen so far, if any.
    pub(crate) fn violation(&self) -> Option<Violation> {
        self.violation
    }

    /// Whether the stream has ended with a `\n` that terminates a record,
    /// once all `consumed` bytes have passed through; `None` while the end of
    /// the stream is not reached (or not all bytes were consumed).
    pub(crate) fn ends_with_terminator(&self, consumed: u64) -> Option<bool> {
        (self.at_eof && consumed == self.offset)
            .then_some(self.prev == b'\n' && !self.ended_in_quotes)
    }

    fn is_boundary(&self, byte: u8) -> bool {
        byte == self.delimiter || byte == b'\n' || byte == b'\r'
    }

    fn flag(&mut self, offset: u64, problem: QuoteProblem) {
        if self.violation.is_none() {
            self.violation = Some(Violation { offset, problem });
        }
    }

    /// The quote at `offset` closes the open cell; `next` is the byte after it.
    fn close(&mut self, offset: u64, next: u8) {
        self.in_quotes = false;
        if !self.is_boundary(next) {
            self.flag(offset, QuoteProblem::TextAfterClosingQuote);
        }
    }

    /// Records that the current record went beyond `what`; the stream is cut
    /// at `at` (an index in the chunk being scanned).
    fn exceed(&mut self, what: Limit, limit: u64, at: usize) -> Option<usize> {
        self.exceeded = Some(LimitFault {
            what,
            limit,
            line: self.record_line,
        });
        Some(at)
    }

    /// Adds `n` characters to the current cell; past the limit, the cut.
    fn add_chars(&mut self, n: u64, at: usize) -> Option<usize> {
        self.chars = self.chars.saturating_add(n);
        if self.chars > self.limits.max_cell_chars {
            return self.exceed(Limit::CellLength, self.limits.max_cell_chars, at);
        }
        None
    }

    /// Scans one chunk; returns where to cut it when a limit was exceeded.
    fn scan(&mut self, data: &[u8]) -> Option<usize> {
        let base = self.offset;
        let mut i = 0;
        let mut cut = None;
        if let Some(quote_at) = self.pending_quote.take() {
            match data.first() {
                Some(&QUOTE) => {
                    // An escaped "" split across two chunks: one character.
                    i = 1;
                    cut = self.add_chars(1, 0);
                }
                Some(&next) => self.close(quote_at, next),
                None => {}
            }
        }
        while cut.is_none() {
            let rest = data.get(i..).unwrap_or_default();
            let found = if self.in_quotes {
                memchr::memchr2(QUOTE, b'\n', rest)
            } else {
                memchr::memchr3(QUOTE, self.delimiter, b'\n', rest)
            };
            let end = found.map_or(data.len(), |f| i + f);
            let text = data.get(i..end).unwrap_or_default();
            cut = self.add_chars(count_chars(text, !self.in_quotes), i);
            let (Some(j), None) = (found.map(|f| i + f), cut) else {
                break;
            };
            let byte = data.get(j).copied().unwrap_or(b'\n');
            i = j + 1;
            if byte == b'\n' {
                self.line += 1;
                if self.in_quotes {
                    cut = self.add_chars(1, j);
                } else {
                    self.record_line = self.line;
                    self.separators = 0;
                    self.chars = 0;
                }
            } else if byte == QUOTE {
                let at = base + j as u64;
                if self.in_quotes {
                    match data.get(j + 1) {
                        Some(&QUOTE) => {
                            i = j + 2;
                            cut = self.add_chars(1, j);
                        }
                        Some(&next) => self.close(at, next),
                        None => self.pending_quote = Some(at),
                    }
                } else {
                    let prev = j
                        .checked_sub(1)
                        .and_then(|p| data.get(p))
                        .copied()
                        .unwrap_or(self.prev);
                    if self.is_boundary(prev) {
                        self.in_quotes = true;
                        self.opened_at = at;
                    } else {
                        // A quote inside an unquoted cell: literal text.
                        cut = self.add_chars(1, j);
                    }
                }
            } else {
                // The separator, outside quotes.
                self.separators += 1;
                self.chars = 0;
                if self.separators >= self.limits.max_columns {
                    cut = self.exceed(Limit::Columns, self.limits.max_columns, j);
                }
            }
        }
        if let Some(&last) = data.last() {
            self.prev = last;
        }
        self.offset += data.len() as u64;
        cut
    }

    fn finish(&mut self) {
        self.at_eof = true;
        if self.pending_quote.take().is_some() {
            self.in_quotes = false; // the closing quote was the last byte
        }
        if self.in_quotes {
            self.in_quotes = false;
            self.ended_in_quotes = true;
            self.flag(self.opened_at, QuoteProblem::Unclosed);
        }
    }
}

/// Characters in UTF-8 `bytes` (bytes that do not continue a sequence),
/// leaving out CR when `skip_cr` (outside quotes, where it ends a line).
fn count_chars(bytes: &[u8], skip_cr: bool) -> u64 {
    let cr = if skip_cr { b'\r' } else { 0x80 };
    bytes
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80 && b != cr)
        .count() as u64
}

impl<R: Read> Read for QuoteTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(fault) = self.exceeded {
            return Err(fault.into_io_error());
        }
        let n = self.inner.read(buf)?;
        match buf.get(..n) {
            Some(data) if n > 0 => match self.scan(data) {
                // The bytes before the offending record still reach the
                // parser; the next read fails.
                Some(cut) if cut > 0 => Ok(cut),
                Some(_) => Err(self
                    .exceeded
                    .map_or_else(|| io::Error::other("limit"), LimitFault::into_io_error)),
                None => Ok(n),
            },
            _ => {
                self.finish();
                Ok(n)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNLIMITED: CellLimits = CellLimits {
        max_columns: u64::MAX,
        max_cell_chars: u64::MAX,
    };

    fn check(input: &[u8], chunk: usize) -> Option<Violation> {
        // `&[u8]` fills at most `buf.len()` bytes per read: `chunk` sets the
        // chunk size the tracker sees.
        let mut tracker = QuoteTracker::new(input, b',', UNLIMITED);
        let mut buf = vec![0; chunk];
        while tracker.read(&mut buf).unwrap() > 0 {}
        tracker.violation()
    }

    fn check_all_chunkings(input: &[u8]) -> Option<Violation> {
        let first = check(input, input.len().max(1));
        for chunk in 1..=input.len().max(1) {
            assert_eq!(check(input, chunk), first, "chunk size {chunk}");
        }
        first
    }

    #[test]
    fn well_formed_quoting_passes() {
        assert_eq!(
            check_all_chunkings(b"a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"x\ny\",z\n"),
            None
        );
        assert_eq!(check_all_chunkings(b"5\" pipe,12\" rack\n"), None);
        assert_eq!(check_all_chunkings(b"\"\"\n"), None);
        assert_eq!(check_all_chunkings(b"a,\"b\""), None);
    }

    #[test]
    fn unclosed_quote_is_flagged_where_it_opens() {
        let v = check_all_chunkings(b"a,b\n1,\"open\n2,3\n").unwrap();
        assert_eq!(
            v,
            Violation {
                offset: 6,
                problem: QuoteProblem::Unclosed
            }
        );
    }

    /// Reads `input` through a tracker in chunks of `chunk` bytes; returns
    /// the bytes passed on before the first error, and that error.
    fn read_limited(
        input: &[u8],
        chunk: usize,
        limits: CellLimits,
    ) -> (Vec<u8>, Option<LimitFault>) {
        let mut tracker = QuoteTracker::new(input, b',', limits);
        let mut passed = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            match tracker.read(&mut buf) {
                Ok(0) => return (passed, None),
                Ok(n) => passed.extend_from_slice(&buf[..n]),
                Err(err) => {
                    let fault = err.get_ref().and_then(|e| e.downcast_ref::<LimitFault>());
                    return (passed, fault.copied());
                }
            }
        }
    }

    #[test]
    fn limits_stop_the_stream_before_the_offending_record() {
        let cases: [(&[u8], CellLimits, Limit, u64); 4] = [
            (
                b"a,b\n1,2\n123456,4\n5,6\n",
                CellLimits {
                    max_cell_chars: 5,
                    ..UNLIMITED
                },
                Limit::CellLength,
                3,
            ),
            (
                b"a,b\n\"1\n2\",2\n\"12\"\"345\",4\n",
                CellLimits {
                    max_cell_chars: 5,
                    ..UNLIMITED
                },
                Limit::CellLength,
                4,
            ),
            (
                b"a,b\r\n1,2\r\n3,4,5\r\n",
                CellLimits {
                    max_columns: 2,
                    ..UNLIMITED
                },
                Limit::Columns,
                3,
            ),
            (
                b"a,b,c\n",
                CellLimits {
                    max_columns: 2,
                    ..UNLIMITED
                },
                Limit::Columns,
                1,
            ),
        ];
        for (input, limits, what, line) in cases {
            let record_start = input
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .nth((line as usize).saturating_sub(2))
                .map_or(0, |(at, _)| if line == 1 { 0 } else { at + 1 });
            for chunk in 1..=input.len() {
                let (passed, fault) = read_limited(input, chunk, limits);
                let fault = fault.unwrap_or_else(|| panic!("{input:?} chunk {chunk}: no fault"));
                assert_eq!(
                    (fault.what, fault.line),
                    (what, line),
                    "{input:?} chunk {chunk}"
                );
                assert!(
                    passed.len() >= record_start,
                    "{input:?} chunk {chunk}: earlier records cut"
                );
                assert_eq!(&passed[..], &input[..passed.len()]);
            }
        }
        // Within the limits nothing is cut: 5 characters, CR LF not counted.
        let fits = b"12345\r\n\"ab\"\"c\"\n";
        let (passed, fault) = read_limited(
            fits,
            3,
            CellLimits {
                max_cell_chars: 5,
                max_columns: 1,
            },
        );
        assert!(fault.is_none());
        assert_eq!(passed, fits);
    }

    #[test]
    fn text_after_closing_quote_is_flagged() {
        let v = check_all_chunkings(b"a,b\n\"x\"y,2\n").unwrap();
        assert_eq!(
            v,
            Violation {
                offset: 6,
                problem: QuoteProblem::TextAfterClosingQuote
            }
        );
    }
}
