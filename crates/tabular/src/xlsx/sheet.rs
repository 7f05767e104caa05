//! The rows of a worksheet, parsed from the XML stream one at a time.
//!
//! Only the row being read is held: its non-empty cells as texts. Rows must
//! come in increasing order (a row number that goes back is
//! [`ReadError::Malformed`]); cells within a row may come in any order and
//! are sorted, a cell given twice is malformed. A row or cell without an `r`
//! reference is the one after the previous.

use std::io::Read;

use super::shared::{RichText, SharedStrings, check_length, raw_limit};
use super::styles::Styles;
use super::value::{
    NumberKind, cell_name, decode_escapes, parse_ref_bytes, render_datetime, render_duration,
    render_iso, render_number,
};
use super::xml::{Event, Tag, XmlPart, attribute_text};
use crate::{Limit, ReadError};

/// What the cells of a sheet need to be turned into text.
pub(crate) struct SheetContext {
    pub(crate) shared: SharedStrings,
    pub(crate) styles: Styles,
    pub(crate) date1904: bool,
    pub(crate) max_columns: u64,
    pub(crate) max_cell_chars: u64,
    pub(crate) max_row_bytes: u64,
    pub(crate) max_text_bytes: u64,
}

/// One sheet row with a value.
#[derive(Debug)]
pub(crate) struct SheetRow {
    /// The 1-based row number.
    pub(crate) line: u64,
    /// The non-empty cells by zero-based column, left to right.
    pub(crate) cells: Vec<(u32, String)>,
}

/// The rows of one worksheet part.
pub(crate) struct SheetRows<R> {
    xml: XmlPart<R>,
    part: String,
    /// Raw text of the value being read, reused from cell to cell.
    value: String,
    in_sheet_data: bool,
    done: bool,
    /// Number of the last row seen (0 before the first).
    last_row: u32,
    /// Bytes of text of the cells read so far.
    text_bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellType {
    Number,
    Shared,
    Inline,
    Str,
    Bool,
    Error,
    Date,
    Unknown,
}

/// The row being read.
struct Row {
    number: Option<u32>,
    cells: Vec<(u32, String)>,
    /// Bytes of text in `cells`.
    bytes: u64,
    next_col: u32,
    sorted: bool,
}

/// The cell being read.
struct Cell {
    row: u32,
    col: u32,
    style: u32,
    kind: CellType,
    in_v: bool,
    in_is: bool,
    rich: RichText,
    raw_chars: u64,
}

impl Cell {
    fn name(&self) -> String {
        cell_name(self.row.saturating_sub(1), self.col)
    }

    fn wants_text(&self) -> bool {
        self.in_v || (self.in_is && self.rich.wants_text())
    }
}

fn malformed(line: u32, reason: String) -> ReadError {
    ReadError::Malformed {
        line: u64::from(line),
        reason,
    }
}

impl<R: Read> SheetRows<R> {
    /// Reads the rows of `xml`, a worksheet part.
    pub(crate) fn new(xml: XmlPart<R>) -> Self {
        SheetRows {
            part: xml.name().to_owned(),
            xml,
            value: String::new(),
            in_sheet_data: false,
            done: false,
            last_row: 0,
            text_bytes: 0,
        }
    }

    /// The next row with at least one non-empty cell, or `None` after the
    /// last. A formula is [`ReadError::Formula`].
    pub(crate) fn next_row(&mut self, ctx: &SheetContext) -> Result<Option<SheetRow>, ReadError> {
        let SheetRows {
            xml,
            part,
            value,
            in_sheet_data,
            done,
            last_row,
            text_bytes,
        } = self;
        let mut row: Option<Row> = None;
        let mut cell: Option<Cell> = None;
        while !*done {
            let event = match xml.next() {
                Ok(event) => event,
                Err(err) => return Err(locate(err, row.as_ref(), cell.as_ref(), *last_row)),
            };
            let empty = matches!(event, Event::Empty(_));
            match &event {
                Event::Start(tag) | Event::Empty(tag) => {
                    let name = tag.name();
                    if !*in_sheet_data {
                        if name == b"sheetData" {
                            *in_sheet_data = !empty;
                            *done = empty;
                        }
                        continue;
                    }
                    match (name, row.as_mut(), cell.as_mut()) {
                        (b"row", None, _) => {
                            let started = begin_row(tag, part, *last_row)?;
                            if empty {
                                *last_row = started.number.unwrap_or(last_row.saturating_add(1));
                            } else {
                                row = Some(started);
                            }
                        }
                        (b"c", Some(open_row), None) => {
                            value.clear();
                            let started = begin_cell(tag, part, open_row, *last_row)?;
                            if empty {
                                finish_cell(started, "", open_row, ctx, text_bytes)?;
                            } else {
                                cell = Some(started);
                            }
                        }
                        (_, Some(_), Some(open_cell)) => match name {
                            b"f" => {
                                return Err(ReadError::Formula {
                                    cell: open_cell.name(),
                                });
                            }
                            b"v" => open_cell.in_v = !empty,
                            b"is" => open_cell.in_is = !empty,
                            other if open_cell.in_is && !empty => open_cell.rich.start(other),
                            _ => {}
                        },
                        _ => {}
                    }
                }
                Event::End(name) => match *name {
                    b"sheetData" => *done = true,
                    b"row" => {
                        if let Some(ended) = row.take()
                            && let Some(found) = finish_row(ended, last_row)?
                        {
                            return Ok(Some(found));
                        }
                    }
                    b"c" => {
                        if let (Some(ended), Some(open_row)) = (cell.take(), row.as_mut()) {
                            finish_cell(ended, value, open_row, ctx, text_bytes)?;
                        }
                    }
                    b"v" => cell.iter_mut().for_each(|c| c.in_v = false),
                    b"is" => cell.iter_mut().for_each(|c| c.in_is = false),
                    other => cell
                        .iter_mut()
                        .filter(|c| c.in_is)
                        .for_each(|c| c.rich.end(other)),
                },
                Event::Eof => *done = true,
                Event::Text(text) => {
                    let Some(open_cell) = cell.as_mut().filter(|c| c.wants_text()) else {
                        continue;
                    };
                    open_cell.raw_chars += text.append_to(value, part)?;
                    if open_cell.raw_chars > raw_limit(ctx.max_cell_chars) {
                        return Err(too_long(open_cell, ctx.max_cell_chars));
                    }
                }
            }
        }
        Ok(None)
    }
}

fn too_long(cell: &Cell, max_cell_chars: u64) -> ReadError {
    ReadError::Limit {
        what: Limit::CellLength,
        limit: max_cell_chars,
        line: Some(u64::from(cell.row)),
        cell: Some(cell.name()),
    }
}

/// Gives a cell-length error from the XML layer its place.
fn locate(err: ReadError, row: Option<&Row>, cell: Option<&Cell>, last_row: u32) -> ReadError {
    match err {
        ReadError::Limit {
            what: Limit::CellLength,
            limit,
            line: None,
            cell: None,
        } => match cell {
            Some(cell) => too_long(cell, limit),
            None => ReadError::Limit {
                what: Limit::CellLength,
                limit,
                line: Some(u64::from(
                    row.and_then(|r| r.number)
                        .unwrap_or(last_row.saturating_add(1)),
                )),
                cell: None,
            },
        },
        other => other,
    }
}

/// Checks that row `number` comes after `last_row`.
fn check_order(number: u32, last_row: u32) -> Result<u32, ReadError> {
    if number > last_row {
        Ok(number)
    } else {
        Err(malformed(
            number,
            format!(
                "row {number} comes after row {last_row}; \
                 the rows of the sheet must be in order"
            ),
        ))
    }
}

fn begin_row(tag: &Tag<'_>, part: &str, last_row: u32) -> Result<Row, ReadError> {
    let mut number = None;
    tag.raw_attributes(part, |name, value| {
        if name == b"r" {
            let parsed = parse_number(value).filter(|&n| n > 0);
            let Some(parsed) = parsed else {
                return Err(malformed(
                    last_row.saturating_add(1),
                    format!(
                        "the row number \"{}\" is not valid",
                        String::from_utf8_lossy(value)
                    ),
                ));
            };
            number = Some(check_order(parsed, last_row)?);
        }
        Ok(())
    })?;
    Ok(Row {
        number,
        cells: Vec::new(),
        bytes: 0,
        next_col: 0,
        sorted: true,
    })
}

// One caller, in the loop over every cell: inlined, its result is not
// written to memory and read back for each of millions of cells.
#[inline(always)]
fn begin_cell(tag: &Tag<'_>, part: &str, row: &mut Row, last_row: u32) -> Result<Cell, ReadError> {
    let mut reference = None;
    let mut kind = CellType::Number;
    let mut unknown_type: &[u8] = b"";
    let mut style = 0;
    tag.raw_attributes(part, |name, value| {
        match name {
            b"r" => {
                let line = row.number.unwrap_or(last_row.saturating_add(1));
                reference = Some(parse_ref_bytes(value.trim_ascii()).ok_or_else(|| {
                    malformed(
                        line,
                        format!(
                            "the cell reference \"{}\" is not valid",
                            String::from_utf8_lossy(value)
                        ),
                    )
                })?);
            }
            b"t" => {
                kind = match value.trim_ascii() {
                    b"n" => CellType::Number,
                    b"s" => CellType::Shared,
                    b"inlineStr" => CellType::Inline,
                    b"str" => CellType::Str,
                    b"b" => CellType::Bool,
                    b"e" => CellType::Error,
                    b"d" => CellType::Date,
                    _ => {
                        unknown_type = value;
                        CellType::Unknown
                    }
                };
            }
            b"s" => style = parse_number(value).unwrap_or(0),
            _ => {}
        }
        Ok(())
    })?;
    let (number, col) = match reference {
        Some((row0, col)) => {
            let number = row0.saturating_add(1);
            match row.number {
                None => row.number = Some(check_order(number, last_row)?),
                Some(expected) if expected != number => {
                    return Err(malformed(
                        expected,
                        format!("cell {} is inside row {expected}", cell_name(row0, col)),
                    ));
                }
                Some(_) => {}
            }
            (number, col)
        }
        None => {
            let number = *row.number.get_or_insert_with(|| last_row.saturating_add(1));
            (number, row.next_col)
        }
    };
    row.next_col = col.saturating_add(1);
    if kind == CellType::Unknown {
        let shown: String = attribute_text(unknown_type, part)?
            .chars()
            .take(20)
            .collect();
        return Err(malformed(
            number,
            format!(
                "cell {} has an unknown type \"{shown}\"",
                cell_name(number.saturating_sub(1), col)
            ),
        ));
    }
    Ok(Cell {
        row: number,
        col,
        style,
        kind,
        in_v: false,
        in_is: false,
        rich: RichText::default(),
        raw_chars: 0,
    })
}

/// A decimal number of ASCII digits (surrounding spaces allowed).
fn parse_number(text: &[u8]) -> Option<u32> {
    let text = text.trim_ascii();
    if text.is_empty() || text.len() > 10 {
        return None;
    }
    let mut n = 0u64;
    for &b in text {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    u32::try_from(n).ok()
}

/// Turns the raw value of a finished cell into its text and adds it to the
/// row if it is not empty.
#[inline]
fn finish_cell(
    cell: Cell,
    raw: &str,
    row: &mut Row,
    ctx: &SheetContext,
    text_bytes: &mut u64,
) -> Result<(), ReadError> {
    if raw.is_empty() {
        return Ok(());
    }
    let bad = |reason: String| malformed(cell.row, reason);
    let trimmed = raw.trim();
    let text = match cell.kind {
        CellType::Shared => {
            let index = trimmed.parse::<usize>().ok();
            match index.and_then(|i| ctx.shared.get(i)) {
                Some(text) => text.to_owned(),
                None => {
                    return Err(bad(format!(
                        "cell {} refers to shared text number {trimmed}, \
                         but the workbook has only {}",
                        cell.name(),
                        ctx.shared.len()
                    )));
                }
            }
        }
        CellType::Inline | CellType::Str => decode_escapes(raw).into_owned(),
        CellType::Bool => match trimmed {
            "1" | "true" => "TRUE".to_owned(),
            "0" | "false" => "FALSE".to_owned(),
            other => {
                return Err(bad(format!(
                    "cell {} should hold TRUE or FALSE but holds \"{}\"",
                    cell.name(),
                    other.chars().take(40).collect::<String>()
                )));
            }
        },
        CellType::Error => trimmed.to_owned(),
        CellType::Date => render_iso(trimmed),
        CellType::Number => {
            let Ok(number) = trimmed.parse::<f64>() else {
                return Err(bad(format!(
                    "cell {} should hold a number but holds \"{}\"",
                    cell.name(),
                    trimmed.chars().take(40).collect::<String>()
                )));
            };
            match ctx.styles.kind(cell.style as usize) {
                NumberKind::Plain => render_number(number),
                NumberKind::DateTime => render_datetime(number, ctx.date1904),
                NumberKind::Duration => render_duration(number),
            }
        }
        CellType::Unknown => return Ok(()),
    };
    if text.is_empty() {
        return Ok(());
    }
    if !check_length(&text, ctx.max_cell_chars) {
        return Err(too_long(&cell, ctx.max_cell_chars));
    }
    if u64::from(cell.col) >= ctx.max_columns {
        return Err(ReadError::Limit {
            what: Limit::Columns,
            limit: ctx.max_columns,
            line: Some(u64::from(cell.row)),
            cell: Some(cell.name()),
        });
    }
    let limit = |what, limit| ReadError::Limit {
        what,
        limit,
        line: Some(u64::from(cell.row)),
        cell: None,
    };
    row.bytes += text.len() as u64;
    if row.bytes > ctx.max_row_bytes {
        return Err(limit(Limit::RowSize, ctx.max_row_bytes));
    }
    *text_bytes += text.len() as u64;
    if *text_bytes > ctx.max_text_bytes {
        return Err(limit(Limit::TextSize, ctx.max_text_bytes));
    }
    if row.cells.last().is_some_and(|(last, _)| *last >= cell.col) {
        row.sorted = false;
    }
    row.cells.push((cell.col, text));
    Ok(())
}

/// Ends a row: its number is settled, and its cells sorted; `None` if it
/// has no value.
fn finish_row(mut row: Row, last_row: &mut u32) -> Result<Option<SheetRow>, ReadError> {
    let number = match row.number {
        Some(number) => number,
        None => check_order(last_row.saturating_add(1), *last_row)?,
    };
    *last_row = number;
    if row.cells.is_empty() {
        return Ok(None);
    }
    if !row.sorted {
        row.cells.sort_by_key(|(col, _)| *col);
        let mut previous = None;
        for (col, _) in &row.cells {
            if previous == Some(*col) {
                return Err(malformed(
                    number,
                    format!(
                        "cell {} is given twice",
                        cell_name(number.saturating_sub(1), *col)
                    ),
                ));
            }
            previous = Some(*col);
        }
    }
    Ok(Some(SheetRow {
        line: u64::from(number),
        cells: row.cells,
    }))
}
