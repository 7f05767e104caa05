//! XLSX reading through `calamine`: the first worksheet, refused if it has
//! merged cells or formulas, loaded in one pass of calamine's cell reader
//! (memory in proportion to the non-empty cells; a sheet is capped at
//! 1,048,576 rows), then handed out row by row.

use std::io::{Read, Seek};

use calamine::{Data, Reader, SheetType, Xlsx};

use crate::{ReadError, Record};

/// One non-empty cell at its zero-based sheet position.
struct SheetCell {
    row: u32,
    col: u32,
    data: Data,
}

/// A loaded worksheet positioned after the header row.
pub(crate) struct XlsxSource {
    /// Non-empty cells in row-major order.
    cells: Vec<SheetCell>,
    /// Index in `cells` of the first cell not handed out yet.
    next: usize,
    /// The leftmost column with a value anywhere in the sheet.
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
pub(crate) fn open<RS: Read + Seek>(rs: RS) -> Result<OpenedXlsx, ReadError> {
    let bad = |err: calamine::XlsxError| ReadError::NotXlsx(err.to_string());
    let mut workbook: Xlsx<RS> = Xlsx::new(rs).map_err(bad)?;
    let name = workbook
        .sheets_metadata()
        .iter()
        .find(|sheet| matches!(sheet.typ, SheetType::WorkSheet))
        .map(|sheet| sheet.name.clone())
        .ok_or(ReadError::Empty)?;

    let merged = workbook.merge_cells_by_sheet_name(&name).map_err(bad)?;
    if let Some(first) = merged.iter().min() {
        let range = format!(
            "{}:{}",
            cell_name(first.start.0, first.start.1),
            cell_name(first.end.0, first.end.1)
        );
        return Err(ReadError::MergedCells { range });
    }

    // One pass over the sheet collects the values and stops at the first
    // formula (calamine's `worksheet_formula` plus `worksheet_range` would
    // parse the sheet twice).
    let mut reader = workbook.worksheet_cells_reader(&name).map_err(bad)?;
    let mut cells = Vec::new();
    let mut in_order = true;
    while let Some(cell) = reader.next_cell_with_formula_metadata().map_err(bad)? {
        let (row, col) = cell.pos;
        if cell.formula.is_some() {
            return Err(ReadError::Formula {
                cell: cell_name(row, col),
            });
        }
        let data = Data::from(cell.value);
        if is_empty(&data) {
            continue;
        }
        if let Some(last) = cells.last().map(|c: &SheetCell| (c.row, c.col)) {
            in_order &= last < (row, col);
        }
        cells.push(SheetCell { row, col, data });
    }
    if !in_order {
        // The format asks for row-major order; tolerate writers that differ.
        cells.sort_by_key(|c| (c.row, c.col));
    }

    let left = cells.iter().map(|c| c.col).min().ok_or(ReadError::Empty)?;
    let mut source = XlsxSource {
        cells,
        next: 0,
        left,
        width: usize::MAX,
    };
    let header = source.next_row().ok_or(ReadError::Empty)?;
    let width = header
        .cells
        .iter()
        .rposition(|cell| !cell.is_empty())
        .map_or(0, |last| last + 1);
    source.width = width;
    let headers = header
        .cells
        .into_iter()
        .take(width)
        .map(|cell| cell.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    Ok(OpenedXlsx { source, headers })
}

impl XlsxSource {
    /// The next data row; rows without any value do not exist in `cells`.
    pub(crate) fn next_record(&mut self) -> Option<Result<Record, ReadError>> {
        let width = self.width;
        let record = self.next_row()?;
        if let Some(extra) = record
            .cells
            .iter()
            .skip(width)
            .position(|cell| !cell.is_empty())
        {
            let col = self.left + (width + extra) as u32;
            let reason = format!(
                "cell {} has a value but its column has no header",
                cell_name(record.line.saturating_sub(1) as u32, col)
            );
            return Some(Err(ReadError::Malformed {
                line: record.line,
                reason,
            }));
        }
        Some(Ok(record))
    }

    /// Takes the cells of the next sheet row, as texts from column `left`
    /// on (at least `width` of them, more if the row reaches further right).
    fn next_row(&mut self) -> Option<Record> {
        let row = self.cells.get(self.next)?.row;
        let mut texts = Vec::new();
        if self.width != usize::MAX {
            texts.resize(self.width, String::new());
        }
        while let Some(cell) = self.cells.get_mut(self.next).filter(|c| c.row == row) {
            let index = (cell.col - self.left) as usize;
            if texts.len() <= index {
                texts.resize(index + 1, String::new());
            }
            if let Some(slot) = texts.get_mut(index) {
                // Take the value out so its memory goes as the rows are read.
                *slot = into_text(std::mem::take(&mut cell.data));
            }
            self.next += 1;
        }
        Some(Record {
            line: u64::from(row) + 1,
            cells: texts,
        })
    }
}

fn is_empty(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(text) => text.is_empty(),
        _ => false,
    }
}

/// Like [`render`], but moves a string out instead of copying it.
fn into_text(cell: Data) -> String {
    match cell {
        Data::String(text) => text,
        other => render(&other),
    }
}

/// Zero-based `(row, col)` → `"C7"`.
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

/// A cell as text: whole numbers without `.0`, dates as ISO 8601, booleans as
/// Excel shows them, error values as their `#` code.
fn render(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => render_number(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(dt) if dt.is_duration() => render_duration(dt.as_f64()),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            let time = if ms > 0 {
                format!("{h:02}:{mi:02}:{s:02}.{ms:03}")
            } else {
                format!("{h:02}:{mi:02}:{s:02}")
            };
            if dt.as_f64() < 1.0 {
                time
            } else if (h, mi, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02}T{time}")
            }
        }
        Data::Error(err) => err.to_string(),
    }
}

fn render_number(f: f64) -> String {
    // Below 2^53 a whole f64 converts to i64 exactly.
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        (f as i64).to_string()
    } else {
        f.to_string()
    }
}

/// A duration in days → `H:MM:SS` with unbounded hours, as Excel's `[h]:mm:ss`.
fn render_duration(days: f64) -> String {
    let total = (days * 86_400.0).round() as i64;
    let sign = if total < 0 { "-" } else { "" };
    let total = total.abs();
    format!(
        "{sign}{}:{:02}:{:02}",
        total / 3600,
        total % 3600 / 60,
        total % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 2), "C7");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(0, 701), "ZZ1");
        assert_eq!(cell_name(0, 702), "AAA1");
    }

    #[test]
    fn numbers_render_like_a_person_typed_them() {
        assert_eq!(render(&Data::Float(3.0)), "3");
        assert_eq!(render(&Data::Float(-0.0)), "0");
        assert_eq!(render(&Data::Float(2.5)), "2.5");
        assert_eq!(render(&Data::Float(1e20)), "100000000000000000000");
        assert_eq!(render(&Data::Int(-7)), "-7");
        assert_eq!(render(&Data::Bool(true)), "TRUE");
        assert_eq!(render(&Data::Empty), "");
    }

    #[test]
    fn dates_render_as_iso() {
        use calamine::{ExcelDateTime, ExcelDateTimeType::*};
        let date = |v| render(&Data::DateTime(ExcelDateTime::new(v, DateTime, false)));
        assert_eq!(date(45_943.0), "2025-10-13");
        assert_eq!(date(45_943.5), "2025-10-13T12:00:00");
        assert_eq!(date(0.75), "18:00:00");
        let duration = render(&Data::DateTime(ExcelDateTime::new(1.5, TimeDelta, false)));
        assert_eq!(duration, "36:00:00");
    }
}
