//! `Read` adapters below the CSV parser: a byte counter that enforces the size
//! limit, and a streaming GB18030 → UTF-8 decoder.
//!
//! Both report their failures as `std::io::Error`s carrying a private marker
//! ([`TooLargeFault`], [`EncodingFault`], and [`LimitFault`] from the quote
//! tracker) that [`fault_to_read_error`] turns back into the right
//! [`ReadError`] after the error has passed through the `csv` crate.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use encoding_rs::{DecoderResult, GB18030};

use crate::{Limit, ReadError};

/// Marker: more bytes than the limit were consumed.
#[derive(Debug)]
struct TooLargeFault {
    limit: u64,
}

/// Marker: undecodable bytes near `line`.
#[derive(Debug)]
struct EncodingFault {
    line: u64,
}

/// Marker: a record went beyond a [`Limit`] at `line`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LimitFault {
    pub(crate) what: Limit,
    pub(crate) limit: u64,
    pub(crate) line: u64,
}

impl LimitFault {
    /// The I/O error that carries this marker through the `csv` crate.
    pub(crate) fn into_io_error(self) -> io::Error {
        io::Error::other(self)
    }
}

impl std::fmt::Display for LimitFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "limit {} exceeded at line {}",
            self.what.code(),
            self.line
        )
    }
}

impl std::error::Error for LimitFault {}

impl std::fmt::Display for TooLargeFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "input larger than {} bytes", self.limit)
    }
}

impl std::fmt::Display for EncodingFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "undecodable bytes near line {}", self.line)
    }
}

impl std::error::Error for TooLargeFault {}
impl std::error::Error for EncodingFault {}

/// Turns an I/O error from the adapter stack back into the [`ReadError`] it
/// stands for.
pub(crate) fn fault_to_read_error(err: io::Error) -> ReadError {
    if let Some(inner) = err.get_ref() {
        if let Some(fault) = inner.downcast_ref::<TooLargeFault>() {
            return ReadError::TooLarge { limit: fault.limit };
        }
        if let Some(fault) = inner.downcast_ref::<EncodingFault>() {
            return ReadError::Encoding { line: fault.line };
        }
        if let Some(fault) = inner.downcast_ref::<LimitFault>() {
            return ReadError::Limit {
                what: fault.what,
                limit: fault.limit,
                line: Some(fault.line),
                cell: None,
            };
        }
    }
    ReadError::Io(err)
}

/// Counts the bytes read from the source (shared with the [`crate::TableReader`]
/// for its progress report) and fails once more than `limit` were read.
pub(crate) struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
    read: u64,
    limit: u64,
}

impl<R: Read> CountingReader<R> {
    /// Wraps `inner`; `count` receives the running total.
    pub(crate) fn new(inner: R, count: Arc<AtomicU64>, limit: u64) -> Self {
        CountingReader {
            inner,
            count,
            read: 0,
            limit,
        }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read = self.read.saturating_add(n as u64);
        self.count.store(self.read, Ordering::Relaxed);
        if self.read > self.limit {
            return Err(io::Error::other(TooLargeFault { limit: self.limit }));
        }
        Ok(n)
    }
}

const CHUNK: usize = 64 * 1024;

/// Decodes GB18030 from `inner` into UTF-8, one chunk at a time, so memory
/// stays constant whatever the file size. Undecodable bytes become an
/// [`EncodingFault`] with the line computed from the newlines decoded so far.
pub(crate) struct Gb18030Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    input_done: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    finished: bool,
    newlines: u64,
    /// Line of undecodable bytes, reported once the text before them has been
    /// handed out (so the rows before a bad one are still read).
    failed_at: Option<u64>,
}

impl<R: Read> Gb18030Reader<R> {
    /// Wraps `inner`, which must not start with a byte-order mark.
    pub(crate) fn new(inner: R) -> Self {
        Gb18030Reader {
            inner,
            decoder: GB18030.new_decoder_without_bom_handling(),
            input: vec![0; CHUNK],
            in_start: 0,
            in_end: 0,
            input_done: false,
            // GB18030 never takes more than 3 UTF-8 bytes for 2 input bytes
            // (4 for 4); the decoder reports `OutputFull` when it needs more.
            output: vec![0; CHUNK * 2],
            out_start: 0,
            out_end: 0,
            finished: false,
            newlines: 0,
            failed_at: None,
        }
    }

    /// Decodes the next piece of input into `output`; returns `false` at the
    /// end of the input.
    fn refill(&mut self) -> io::Result<bool> {
        loop {
            if let Some(line) = self.failed_at {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    EncodingFault { line },
                ));
            }
            if self.finished {
                return Ok(false);
            }
            if self.in_start == self.in_end && !self.input_done {
                self.in_start = 0;
                self.in_end = self.inner.read(&mut self.input)?;
                self.input_done = self.in_end == 0;
            }
            let src = self.input.get(self.in_start..self.in_end).unwrap_or(&[]);
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                src,
                &mut self.output,
                self.input_done,
            );
            self.in_start += read;
            let produced = self.output.get(..written).unwrap_or(&[]);
            self.newlines += produced.iter().filter(|&&b| b == b'\n').count() as u64;
            self.out_start = 0;
            self.out_end = written;
            match result {
                DecoderResult::Malformed(_, _) => self.failed_at = Some(self.newlines + 1),
                DecoderResult::InputEmpty if self.input_done => self.finished = true,
                DecoderResult::InputEmpty | DecoderResult::OutputFull => {}
            }
            if written > 0 {
                return Ok(true);
            }
        }
    }
}

impl<R: Read> Read for Gb18030Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.out_start == self.out_end && !self.refill()? {
            return Ok(0);
        }
        let available = self.output.get(self.out_start..self.out_end).unwrap_or(&[]);
        let n = available.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), available.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte per call, to exercise chunk borders.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((first, rest)), Some(slot)) => {
                    *slot = *first;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn decodes_gb18030_split_across_reads() {
        let (bytes, _, _) = GB18030.encode("资产编号,名称\nA-1,核心交换机\n");
        let mut out = String::new();
        Gb18030Reader::new(Trickle(&bytes))
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "资产编号,名称\nA-1,核心交换机\n");
    }

    #[test]
    fn undecodable_bytes_report_the_line() {
        let bytes = b"a,b\n1,2\n3,\xff\n".to_vec();
        let err = Gb18030Reader::new(&bytes[..])
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(matches!(
            fault_to_read_error(err),
            ReadError::Encoding { line: 3 }
        ));
    }

    #[test]
    fn counting_reader_enforces_the_limit() {
        let count = Arc::new(AtomicU64::new(0));
        let mut ok = CountingReader::new(&b"12345"[..], Arc::clone(&count), 5);
        ok.read_to_end(&mut Vec::new()).unwrap();
        assert_eq!(count.load(Ordering::Relaxed), 5);

        let mut over = CountingReader::new(&b"123456"[..], count, 5);
        let err = over.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(matches!(
            fault_to_read_error(err),
            ReadError::TooLarge { limit: 5 }
        ));
    }

    #[test]
    fn other_io_errors_pass_through() {
        let err = fault_to_read_error(io::Error::other("disk gone"));
        assert!(matches!(err, ReadError::Io(_)));
    }
}
