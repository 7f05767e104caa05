//! Strict quote checking for CSV.
//!
//! The `csv` crate is lenient: a quoted cell that is never closed silently
//! swallows the rest of the file, and text after a closing quote (`"a"b`) is
//! glued on. Both are almost always a stray quote in a hand-edited file, so
//! [`QuoteTracker`] watches the bytes on their way into the parser, follows
//! the RFC 4180 quoting rules, and remembers the byte offset of the first
//! violation. The reader then reports the record that contains that offset.
//!
//! Only quote characters are inspected (found with `memchr`), so the cost is
//! negligible next to parsing.

use std::io::{self, Read};

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

/// Passes bytes through unchanged while tracking the quoting state.
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
}

impl<R: Read> QuoteTracker<R> {
    /// Wraps `inner`, which yields UTF-8 (or ASCII-compatible) bytes.
    pub(crate) fn new(inner: R, delimiter: u8) -> Self {
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

    fn scan(&mut self, data: &[u8]) {
        let base = self.offset;
        let mut i = 0;
        if let Some(quote_at) = self.pending_quote.take() {
            match data.first() {
                Some(&QUOTE) => i = 1, // an escaped "" split across two chunks
                Some(&next) => self.close(quote_at, next),
                None => {}
            }
        }
        while let Some(found) = data.get(i..).and_then(|rest| memchr::memchr(QUOTE, rest)) {
            let j = i + found;
            let at = base + j as u64;
            if self.in_quotes {
                match data.get(j + 1) {
                    Some(&QUOTE) => i = j + 2,
                    Some(&next) => {
                        self.close(at, next);
                        i = j + 1;
                    }
                    None => {
                        self.pending_quote = Some(at);
                        i = j + 1;
                    }
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
                }
                // Otherwise a quote inside an unquoted cell: literal text.
                i = j + 1;
            }
        }
        if let Some(&last) = data.last() {
            self.prev = last;
        }
        self.offset += data.len() as u64;
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

impl<R: Read> Read for QuoteTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        match buf.get(..n) {
            Some(data) if n > 0 => self.scan(data),
            _ => self.finish(),
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &[u8], chunk: usize) -> Option<Violation> {
        // `&[u8]` fills at most `buf.len()` bytes per read: `chunk` sets the
        // chunk size the tracker sees.
        let mut tracker = QuoteTracker::new(input, b',');
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
