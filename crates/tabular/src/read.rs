//! [`TableReader`]: one header row, then [`Record`]s, from CSV or XLSX.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use crate::{Encoding, Format, ReadError, csv_read, xlsx_read};

/// Limits applied while reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Largest accepted input in bytes (checked against the file length when
    /// opening a path, and against the bytes consumed for other readers).
    pub max_bytes: u64,
}

impl Default for ReadOptions {
    /// 256 MiB: room for a million-row CSV.
    fn default() -> Self {
        ReadOptions {
            max_bytes: 256 * 1024 * 1024,
        }
    }
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line number in the file: for CSV the physical line where the
    /// record starts (quoted cells may span lines), for XLSX the sheet row.
    pub line: u64,
    /// The raw cell texts, one per header column, not trimmed.
    pub cells: Vec<String>,
}

/// Reads a table: the header row at once, the data rows as an iterator.
///
/// CSV is streamed in constant memory, whatever the size of the file. The
/// encoding comes from the byte-order mark or from the first 64 KiB (valid
/// UTF-8 means UTF-8, anything else is decoded as GB18030 chunk by chunk);
/// the delimiter is `,`, or `;` / TAB when the header line has one of those
/// and no comma. Lines end with LF or CRLF (a lone CR is not a line end).
/// Quoting follows RFC 4180, strictly: a quoted cell that is never closed, or
/// text after a closing quote, is [`ReadError::Malformed`] at the line where
/// the record starts. Every record must have as many cells as the header.
///
/// XLSX is read from the first worksheet, which is loaded whole in one pass
/// (memory in proportion to its non-empty cells; Excel caps a sheet at
/// 1,048,576 rows). A sheet with a formula or merged cells is refused before
/// any row is returned; a value in a column right of the last header cell is
/// [`ReadError::Malformed`] at its row.
/// Whole numbers appear without `.0` (`3.0` → `"3"`), dates as ISO text
/// (`2025-10-13`, `2025-10-13T12:00:00`), empty cells as `""`.
///
/// The iterator skips rows whose cells are all empty and stops after the
/// first error.
pub struct TableReader {
    format: Format,
    encoding: Option<Encoding>,
    headers: Vec<String>,
    source: Source,
    total_bytes: Option<u64>,
    done: bool,
}

enum Source {
    Csv(csv_read::CsvSource),
    Xlsx(xlsx_read::XlsxSource),
}

impl TableReader {
    /// Opens a file. The format comes from the extension (`.csv`, `.xlsx`),
    /// otherwise from the first bytes ([`Format::sniff`]). A file longer than
    /// `opts.max_bytes` is refused before anything is read.
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<TableReader, ReadError> {
        let mut file = File::open(path)?;
        let len = file.metadata()?.len();
        if len > opts.max_bytes {
            return Err(ReadError::TooLarge {
                limit: opts.max_bytes,
            });
        }
        let format = match Format::from_path(path) {
            Some(format) => format,
            None => {
                let mut magic = Vec::with_capacity(4);
                (&mut file).take(4).read_to_end(&mut magic)?;
                file.seek(SeekFrom::Start(0))?;
                Format::sniff(&magic)
            }
        };
        let mut reader = match format {
            Format::Csv => Self::csv(Box::new(file), opts.max_bytes)?,
            Format::Xlsx => Self::xlsx(BufReader::new(file), len)?,
        };
        reader.total_bytes = Some(len);
        Ok(reader)
    }

    /// Reads from any byte source, e.g. an upload held in memory or spooled
    /// to a temporary file. CSV is streamed; XLSX is read into memory first
    /// (a ZIP needs random access). More than `opts.max_bytes` is refused.
    pub fn from_reader<R: Read + Send + 'static>(
        r: R,
        format: Format,
        opts: &ReadOptions,
    ) -> Result<TableReader, ReadError> {
        match format {
            Format::Csv => Self::csv(Box::new(r), opts.max_bytes),
            Format::Xlsx => {
                let mut bytes = Vec::new();
                r.take(opts.max_bytes.saturating_add(1))
                    .read_to_end(&mut bytes)?;
                let len = bytes.len() as u64;
                if len > opts.max_bytes {
                    return Err(ReadError::TooLarge {
                        limit: opts.max_bytes,
                    });
                }
                Self::xlsx(Cursor::new(bytes), len)
            }
        }
    }

    fn csv(raw: Box<dyn Read + Send>, max_bytes: u64) -> Result<TableReader, ReadError> {
        let opened = csv_read::open(raw, max_bytes)?;
        Ok(TableReader {
            format: Format::Csv,
            encoding: Some(opened.encoding),
            headers: opened.headers,
            source: Source::Csv(opened.source),
            total_bytes: None,
            done: false,
        })
    }

    fn xlsx<RS: Read + Seek>(rs: RS, len: u64) -> Result<TableReader, ReadError> {
        if len == 0 {
            return Err(ReadError::Empty);
        }
        let opened = xlsx_read::open(rs)?;
        Ok(TableReader {
            format: Format::Xlsx,
            encoding: None,
            headers: opened.headers,
            source: Source::Xlsx(opened.source),
            total_bytes: Some(len),
            done: false,
        })
    }

    /// The format being read.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The detected text encoding; `None` for XLSX.
    pub fn encoding(&self) -> Option<Encoding> {
        self.encoding
    }

    /// The header cells, with a UTF-8 byte-order mark stripped and
    /// surrounding whitespace trimmed. For XLSX, columns right of the last
    /// non-empty header cell are not part of the table.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Bytes consumed so far, for a progress bar. For CSV this runs slightly
    /// ahead of the records returned (read-ahead buffer); for XLSX it is the
    /// whole size from the start.
    pub fn bytes_read(&self) -> u64 {
        match &self.source {
            Source::Csv(source) => source.bytes_read(),
            Source::Xlsx(_) => self.total_bytes.unwrap_or(0),
        }
    }

    /// The size of the input when known: the file length for
    /// [`TableReader::open`], the byte count for an XLSX given to
    /// [`TableReader::from_reader`], `None` for a streamed CSV.
    pub fn total_bytes(&self) -> Option<u64> {
        self.total_bytes
    }
}

impl Iterator for TableReader {
    type Item = Result<Record, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match &mut self.source {
            Source::Csv(source) => source.next_record(),
            Source::Xlsx(source) => source.next_record(),
        };
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
}
