//! [`TableWriter`]: a header row and then data rows, as CSV or XLSX.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use rust_xlsxwriter::{Format as XlsxFormat, Workbook};

use crate::WriteError;

/// Excel's limits for one worksheet.
const MAX_XLSX_ROWS: u32 = 1_048_576;
const MAX_XLSX_COLUMNS: usize = 16_384;

/// One cell of an output row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Text, written as a string (never as a formula) after [`neutralize`].
    Text(&'a str),
    /// A whole number; XLSX stores it as a number (exact up to ±2^53).
    Int(i64),
    /// Nothing.
    Empty,
}

/// Defence against formula injection ("CSV injection"): text that starts
/// with `=`, `+`, `-`, `@`, TAB or CR gets a leading apostrophe, so a
/// spreadsheet program shows it as text instead of evaluating it.
///
/// This applies to every [`Cell::Text`], including text that looks like a
/// negative number: `"-5"` becomes `"'-5"`. Pass numbers as [`Cell::Int`] to
/// keep them numeric. The apostrophe stays in the CSV file; a program that
/// reads such a file back decides whether to strip it.
pub fn neutralize(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Writes a table row by row, as CSV or XLSX. Every text cell, headers
/// included, goes through [`neutralize`]. Call [`TableWriter::finish`] at the
/// end: it completes the file and hands back the output.
///
/// Memory: CSV streams straight into `W` through a small buffer. XLSX uses
/// `rust_xlsxwriter`'s constant-memory mode, where rows go to a temporary
/// file in the system temp directory as they are written; `finish` then
/// compresses the workbook into `W` in one pass. With a `std::fs::File` RAM
/// use therefore stays flat; with a `Vec<u8>` or `Cursor` the finished
/// (compressed) workbook is held in memory, as it would be for any download
/// built in memory. Nothing but a `Write` is needed: the ZIP is written as a
/// stream, so `W` does not have to support `Seek`.
pub struct TableWriter<W: Write + Send> {
    inner: Inner<W>,
    columns: usize,
}

/// Both variants are boxed: each state is several hundred bytes.
enum Inner<W: Write> {
    Csv(Box<CsvOut<W>>),
    Xlsx(Box<XlsxOut<W>>),
}

struct CsvOut<W: Write> {
    writer: csv::Writer<W>,
    /// Reused buffer for formatting numbers.
    number: String,
}

struct XlsxOut<W> {
    workbook: Workbook,
    out: W,
    next_row: u32,
}

impl<W: Write + Send> TableWriter<W> {
    /// Starts a CSV file: UTF-8 with a byte-order mark (so Excel opens
    /// Chinese text correctly), CRLF line ends, RFC 4180 quoting.
    pub fn csv(mut out: W, headers: &[&str]) -> Result<Self, WriteError> {
        out.write_all(b"\xEF\xBB\xBF")?;
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        let mut table = TableWriter {
            inner: Inner::Csv(Box::new(CsvOut {
                writer,
                number: String::new(),
            })),
            columns: headers.len(),
        };
        let cells: Vec<Cell<'_>> = headers.iter().map(|h| Cell::Text(h)).collect();
        table.row(&cells)?;
        Ok(table)
    }

    /// Starts an XLSX workbook with one worksheet named `sheet_name`; the
    /// header row is bold and frozen, and carries an autofilter over the
    /// whole table (set when the table is finished).
    pub fn xlsx(out: W, sheet_name: &str, headers: &[&str]) -> Result<Self, WriteError> {
        if headers.len() > MAX_XLSX_COLUMNS {
            return Err(WriteError::Xlsx(format!(
                "a worksheet holds at most {MAX_XLSX_COLUMNS} columns, not {}",
                headers.len()
            )));
        }
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(sheet_name)?;
        sheet.set_freeze_panes(1, 0)?;
        let bold = XlsxFormat::new().set_bold();
        for (col, header) in (0u16..).zip(headers) {
            sheet.write_string_with_format(0, col, neutralize(header), &bold)?;
        }
        let out = Box::new(XlsxOut {
            workbook,
            out,
            next_row: 1,
        });
        Ok(TableWriter {
            inner: Inner::Xlsx(out),
            columns: headers.len(),
        })
    }

    /// Appends one row, which must have one cell per header column.
    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), WriteError> {
        if cells.len() != self.columns {
            return Err(WriteError::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "a row has {} cells but the header has {}",
                    cells.len(),
                    self.columns
                ),
            )));
        }
        match &mut self.inner {
            Inner::Csv(csv_out) => {
                let CsvOut { writer, number } = &mut **csv_out;
                for cell in cells {
                    match cell {
                        Cell::Text(text) => writer.write_field(neutralize(text).as_bytes()),
                        Cell::Int(n) => {
                            number.clear();
                            let _ = write!(number, "{n}"); // writing to a String cannot fail
                            writer.write_field(number.as_bytes())
                        }
                        Cell::Empty => writer.write_field(b""),
                    }
                    .map_err(csv_error)?;
                }
                writer.write_record(None::<&[u8]>).map_err(csv_error)?;
            }
            Inner::Xlsx(xlsx) => {
                let row = xlsx.next_row;
                if row >= MAX_XLSX_ROWS {
                    return Err(WriteError::Xlsx(format!(
                        "a worksheet holds at most {MAX_XLSX_ROWS} rows including the header; \
                         export as CSV instead"
                    )));
                }
                let sheet = xlsx.workbook.worksheet_from_index(0)?;
                for (col, cell) in (0u16..).zip(cells) {
                    match cell {
                        Cell::Text(text) => {
                            sheet.write_string(row, col, neutralize(text))?;
                        }
                        Cell::Int(n) => {
                            sheet.write_number(row, col, *n as f64)?;
                        }
                        Cell::Empty => {}
                    }
                }
                xlsx.next_row += 1;
            }
        }
        Ok(())
    }

    /// Completes the file and returns the output. Dropping the writer
    /// without calling this leaves an XLSX output empty and a CSV output
    /// possibly cut short.
    pub fn finish(self) -> Result<W, WriteError> {
        match self.inner {
            Inner::Csv(csv_out) => csv_out
                .writer
                .into_inner()
                .map_err(|err| WriteError::Io(err.into_error())),
            Inner::Xlsx(xlsx) => {
                let XlsxOut {
                    mut workbook,
                    mut out,
                    next_row,
                } = *xlsx;
                if let Some(last_col) = self.columns.checked_sub(1) {
                    let last_col = u16::try_from(last_col).unwrap_or(u16::MAX);
                    workbook
                        .worksheet_from_index(0)?
                        .autofilter(0, 0, next_row - 1, last_col)?;
                }
                workbook.save_to_writer(&mut out)?;
                out.flush()?;
                Ok(out)
            }
        }
    }
}

fn csv_error(err: csv::Error) -> WriteError {
    match err.into_kind() {
        csv::ErrorKind::Io(io) => WriteError::Io(io),
        other => WriteError::Io(io::Error::other(format!("{other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralize_prefixes_dangerous_leads_only() {
        for danger in ["=1+1", "+1", "-5", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralize(danger), format!("'{danger}"));
        }
        for safe in ["", "1", "a=b", " =1", "'=1", "核心交换机"] {
            assert!(matches!(neutralize(safe), Cow::Borrowed(s) if s == safe));
        }
    }
}
