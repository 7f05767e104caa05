//! XLSX reading as a stream: the first worksheet of a workbook, row by row.
//!
//! The pieces, in the order [`open`] uses them:
//! - [`package`]: the ZIP directory, and each part inflated as a stream
//!   whose bytes are counted against [`ReadOptions::max_part_bytes`] as they
//!   come out (declared sizes are not trusted);
//! - [`xml`]: a small XML tokenizer over the inflated stream, handing out
//!   slices of its buffer (a general XML library copying every event was too
//!   slow for a million rows), with tags bounded in size and long texts
//!   handed out in pieces;
//! - [`workbook`]: the relationships, the first worksheet, the date system;
//! - [`styles`]: which cell styles are dates, times or durations;
//! - [`shared`]: the shared-text table, the one thing held in memory, with
//!   its count and size limits;
//! - [`prescan`]: one cheap pass over the worksheet for merged cells and
//!   formulas, so that such a sheet is refused before any row is returned
//!   (and an oversized sheet before the slower parse starts); it costs about
//!   0.6 s per GiB of sheet XML, an eighth of the time of reading the rows;
//! - [`sheet`]: the rows, parsed one at a time as the caller iterates;
//! - [`value`]: numbers, dates and references as text.

mod package;
mod prescan;
mod shared;
mod sheet;
mod styles;
mod value;
mod workbook;
mod xml;

pub(crate) use package::ReadSeek;

use crate::{ReadError, ReadOptions, Record};
use package::Package;
use sheet::{SheetContext, SheetRows};
use workbook::SMALL_PART_BYTES;
use xml::XmlPart;

/// The first worksheet positioned after the header row.
pub(crate) struct XlsxSource {
    rows: SheetRows<Box<dyn ReadSeek>>,
    ctx: SheetContext,
    /// The leftmost non-empty column of the header row.
    left: u32,
    /// Number of columns from `left` to the last non-empty header cell.
    width: usize,
}

/// What [`open`] found.
pub(crate) struct OpenedXlsx {
    pub(crate) source: XlsxSource,
    pub(crate) headers: Vec<String>,
}

/// Opens the workbook, checks the first worksheet and reads its header row.
pub(crate) fn open(file: Box<dyn ReadSeek>, opts: &ReadOptions) -> Result<OpenedXlsx, ReadError> {
    let mut package = Package::open(file)?;
    let book = workbook::read(&mut package, opts.max_cell_chars)?;

    let styles = match &book.styles {
        Some(name) => match package.part(name, SMALL_PART_BYTES.min(opts.max_part_bytes))? {
            Some(part) => styles::read(&mut XmlPart::new(part, opts.max_cell_chars))?,
            None => styles::Styles::default(),
        },
        None => styles::Styles::default(),
    };
    let shared = match &book.shared_strings {
        Some(name) => match (
            package.declared_size(name),
            package.part(name, opts.max_part_bytes)?,
        ) {
            (hint, Some(part)) => {
                shared::read(&mut XmlPart::new(part, opts.max_cell_chars), opts, hint)?
            }
            (_, None) => shared::SharedStrings::default(),
        },
        None => shared::SharedStrings::default(),
    };
    let missing = || ReadError::NotXlsx(format!("the worksheet {} is missing", book.sheet));

    let part = package
        .part(&book.sheet, opts.max_part_bytes)?
        .ok_or_else(missing)?;
    let findings = prescan::scan(part)?;
    if let Some(range) = findings.merged {
        return Err(ReadError::MergedCells { range });
    }
    let ctx = SheetContext {
        shared,
        styles,
        date1904: book.date1904,
        max_columns: opts.max_columns,
        max_cell_chars: opts.max_cell_chars,
        max_row_bytes: opts.max_row_bytes,
        max_text_bytes: opts.max_text_bytes,
    };
    if findings.formula {
        // The scan does not follow cells; a full pass names the first one.
        // (If it finds none, the scan saw something else named `f`.)
        let part = package
            .part(&book.sheet, opts.max_part_bytes)?
            .ok_or_else(missing)?;
        let mut rows = SheetRows::new(XmlPart::new(part, opts.max_cell_chars));
        while rows.next_row(&ctx)?.is_some() {}
    }

    // The scan has read the part whole and checked its checksum.
    let part = package
        .into_part(&book.sheet, opts.max_part_bytes)?
        .ok_or_else(missing)?
        .without_checksum();
    let mut rows = SheetRows::new(XmlPart::new(part, opts.max_cell_chars));
    let header = rows.next_row(&ctx)?.ok_or(ReadError::Empty)?;
    let (left, right) = match (header.cells.first(), header.cells.last()) {
        (Some((left, _)), Some((right, _))) => (*left, *right),
        _ => return Err(ReadError::Empty),
    };
    let width = (right - left) as usize + 1;
    let mut headers = vec![String::new(); width];
    for (col, text) in header.cells {
        if let Some(slot) = headers.get_mut((col - left) as usize) {
            *slot = text.trim_start_matches('\u{feff}').trim().to_owned();
        }
    }
    Ok(OpenedXlsx {
        source: XlsxSource {
            rows,
            ctx,
            left,
            width,
        },
        headers,
    })
}

impl XlsxSource {
    /// The next data row; rows without any value are skipped.
    pub(crate) fn next_record(&mut self) -> Option<Result<Record, ReadError>> {
        let row = match self.rows.next_row(&self.ctx) {
            Ok(row) => row?,
            Err(err) => return Some(Err(err)),
        };
        let mut cells = vec![String::new(); self.width];
        for (col, text) in row.cells {
            let slot = col
                .checked_sub(self.left)
                .and_then(|index| cells.get_mut(index as usize));
            let Some(slot) = slot else {
                let reason = format!(
                    "cell {} has a value but its column has no header",
                    value::cell_name(row.line.saturating_sub(1) as u32, col)
                );
                return Some(Err(ReadError::Malformed {
                    line: row.line,
                    reason,
                }));
            };
            *slot = text;
        }
        Some(Ok(Record {
            line: row.line,
            cells,
        }))
    }
}
