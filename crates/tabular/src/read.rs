//! [`TableReader`]: one header row, then [`Record`]s, from CSV or XLSX.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use crate::{Encoding, Format, Limit, ReadError, csv_read, xlsx};

/// Limits applied while reading.
///
/// Every limit is checked while the file streams through, before whatever
/// exceeds it is held in memory: a small file that unpacks to gigabytes is
/// refused after reading just past the limit, with a [`ReadError::Limit`]
/// naming it. The defaults let any table Excel itself can hold (1,048,576
/// rows, cells of 32,767 characters) through, within a few hundred
/// megabytes of memory.
///
/// Set some fields and keep the defaults for the rest with
/// `ReadOptions { max_bytes: 1 << 20, ..ReadOptions::default() }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Largest accepted input in bytes (checked against the file length when
    /// opening a path, and against the bytes consumed for other readers).
    pub max_bytes: u64,
    /// Most non-empty rows, the header row included (empty rows are skipped
    /// and not counted).
    pub max_rows: u64,
    /// Most cells in a CSV row; for XLSX, the rightmost column that may
    /// hold a value (1-based: `1024` is column `AMJ`).
    pub max_columns: u64,
    /// Most characters (Unicode scalar values) in one cell.
    pub max_cell_chars: u64,
    /// Most text, in UTF-8 bytes, of the cells of one row. XLSX shares
    /// texts between cells, so a few bytes of XML can repeat one long text
    /// in every cell of a row; this bounds the memory of a row.
    pub max_row_bytes: u64,
    /// Most text, in UTF-8 bytes, of all cells handed out together (the
    /// header included); for the same reason, this bounds the work.
    pub max_text_bytes: u64,
    /// XLSX: most bytes one part of the workbook (the worksheet XML, the
    /// shared-text XML…) may unpack to, counted as it is inflated — the
    /// sizes the ZIP declares are not trusted.
    pub max_part_bytes: u64,
    /// XLSX: most entries in the shared-text table.
    pub max_shared_strings: u64,
    /// XLSX: most UTF-8 bytes of all shared texts together (they are held in
    /// memory while the sheet is read). At most 4 GiB.
    pub max_shared_string_bytes: u64,
}

impl Default for ReadOptions {
    /// 256 MiB of input (room for a million-row CSV); Excel's own maxima of
    /// 1,048,576 rows and 32,767 characters per cell; 1,024 columns; 4 MiB
    /// of text per row and 1 GiB in all; XLSX parts of at most 1 GiB
    /// unpacked (a 1,048,576-row sheet of about 25 ordinary columns; the
    /// slowest workbook these limits let through reads in about 8 s, see
    /// `bench/xlsx_bombs.py`); 4,000,000 shared texts of 128 MiB together
    /// (the one thing an XLSX reader holds in memory).
    fn default() -> Self {
        ReadOptions {
            max_bytes: 256 * 1024 * 1024,
            max_rows: 1_048_576,
            max_columns: 1_024,
            max_cell_chars: 32_767,
            max_row_bytes: 4 * 1024 * 1024,
            max_text_bytes: 1024 * 1024 * 1024,
            max_part_bytes: 1024 * 1024 * 1024,
            max_shared_strings: 4_000_000,
            max_shared_string_bytes: 128 * 1024 * 1024,
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
/// Both formats are streamed: memory stays bounded by the
/// [`ReadOptions`] limits whatever the size of the file, and each limit is
/// checked as the bytes go by, so an oversized file is refused with
/// [`ReadError::Limit`] as soon as it crosses one.
///
/// CSV: the encoding comes from the byte-order mark or from the first
/// 64 KiB (valid UTF-8 means UTF-8, anything else is decoded as GB18030
/// chunk by chunk); the delimiter is `,`, or `;` / TAB when the header line
/// has one of those and no comma. Lines end with LF or CRLF (a lone CR is not
/// a line end). Quoting follows RFC 4180, strictly: a quoted cell that is
/// never closed, or text after a closing quote, is [`ReadError::Malformed`]
/// at the line where the record starts. Every record must have as many cells
/// as the header.
///
/// XLSX: the first worksheet is read row by row straight from the
/// compressed file; only the workbook's shared-text table (bounded by
/// [`ReadOptions::max_shared_string_bytes`]) is held in memory. Before the
/// header is returned the worksheet is scanned once for formulas and merged
/// cells, and a sheet with either is refused before any row is returned. The
/// table starts at the leftmost non-empty cell of the header row (the first
/// non-empty row) and ends at its rightmost non-empty cell; a value left or
/// right of that is [`ReadError::Malformed`] at its row, as are rows out of
/// order (cells within a row may come in any order).
/// Whole numbers appear without `.0` (`3.0` → `"3"`), dates as ISO text
/// (`2025-10-13`, `2025-10-13T12:00:00`), times of day as `18:00:00`,
/// durations as `36:00:00`, booleans as `TRUE`/`FALSE`, error values as
/// their code (`#N/A`), empty cells as `""`.
///
/// The iterator skips rows whose cells are all empty and stops after the
/// first error.
pub struct TableReader {
    format: Format,
    encoding: Option<Encoding>,
    headers: Vec<String>,
    source: Source,
    total_bytes: Option<u64>,
    limits: ReadOptions,
    /// Non-empty rows handed out, the header included.
    rows: u64,
    /// UTF-8 bytes of the cells handed out, the header included.
    text_bytes: u64,
    done: bool,
}

/// Boxed: both readers carry a few hundred bytes of buffers and state.
enum Source {
    Csv(Box<csv_read::CsvSource>),
    Xlsx(Box<xlsx::XlsxSource>),
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
            Format::Csv => Self::csv(Box::new(file), opts)?,
            Format::Xlsx => Self::xlsx(Box::new(BufReader::new(file)), len, opts)?,
        };
        reader.total_bytes = Some(len);
        Ok(reader)
    }

    /// Reads from any byte source, e.g. an upload held in memory or spooled
    /// to a temporary file. CSV is streamed; XLSX is read into memory first
    /// (a ZIP needs random access; its parts are then inflated as a stream).
    /// More than `opts.max_bytes` is refused.
    pub fn from_reader<R: Read + Send + 'static>(
        r: R,
        format: Format,
        opts: &ReadOptions,
    ) -> Result<TableReader, ReadError> {
        match format {
            Format::Csv => Self::csv(Box::new(r), opts),
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
                Self::xlsx(Box::new(Cursor::new(bytes)), len, opts)
            }
        }
    }

    fn csv(raw: Box<dyn Read + Send>, opts: &ReadOptions) -> Result<TableReader, ReadError> {
        let opened = csv_read::open(raw, opts)?;
        Self::start(
            Format::Csv,
            Some(opened.encoding),
            opened.headers,
            Source::Csv(Box::new(opened.source)),
            None,
            opts,
        )
    }

    fn xlsx(
        file: Box<dyn xlsx::ReadSeek>,
        len: u64,
        opts: &ReadOptions,
    ) -> Result<TableReader, ReadError> {
        if len == 0 {
            return Err(ReadError::Empty);
        }
        let opened = xlsx::open(file, opts)?;
        Self::start(
            Format::Xlsx,
            None,
            opened.headers,
            Source::Xlsx(Box::new(opened.source)),
            Some(len),
            opts,
        )
    }

    /// Counts the header against the row and text limits.
    fn start(
        format: Format,
        encoding: Option<Encoding>,
        headers: Vec<String>,
        source: Source,
        total_bytes: Option<u64>,
        opts: &ReadOptions,
    ) -> Result<TableReader, ReadError> {
        let mut reader = TableReader {
            format,
            encoding,
            headers: Vec::new(),
            source,
            total_bytes,
            limits: *opts,
            rows: 0,
            text_bytes: 0,
            done: false,
        };
        // The header's line is not known here; it is the first row.
        reader.tally(&headers, 1)?;
        reader.headers = headers;
        Ok(reader)
    }

    /// Adds one row to the row and text counts, failing past a limit.
    fn tally(&mut self, cells: &[String], line: u64) -> Result<(), ReadError> {
        self.rows += 1;
        if self.rows > self.limits.max_rows {
            return Err(ReadError::Limit {
                what: Limit::Rows,
                limit: self.limits.max_rows,
                line: Some(line),
                cell: None,
            });
        }
        let bytes: u64 = cells.iter().map(|cell| cell.len() as u64).sum();
        if bytes > self.limits.max_row_bytes {
            return Err(ReadError::Limit {
                what: Limit::RowSize,
                limit: self.limits.max_row_bytes,
                line: Some(line),
                cell: None,
            });
        }
        self.text_bytes = self.text_bytes.saturating_add(bytes);
        if self.text_bytes > self.limits.max_text_bytes {
            return Err(ReadError::Limit {
                what: Limit::TextSize,
                limit: self.limits.max_text_bytes,
                line: Some(line),
                cell: None,
            });
        }
        Ok(())
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
    /// surrounding whitespace trimmed. For XLSX, columns left of the first
    /// and right of the last non-empty header cell are not part of the table.
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
        let mut item = match &mut self.source {
            Source::Csv(source) => source.next_record(),
            Source::Xlsx(source) => source.next_record(),
        };
        if let Some(Ok(record)) = &item
            && let Err(err) = self.tally(&record.cells, record.line)
        {
            item = Some(Err(err));
        }
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
}
