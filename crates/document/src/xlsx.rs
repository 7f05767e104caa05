//! The XLSX renderer, on `rust_xlsxwriter` in its normal (in-memory) mode:
//! a report's tables are small enough, and the constant-memory mode's
//! temporary files buy nothing here.
//!
//! Formula injection: every text is written with `write_string*`, which
//! stores a string that Excel never evaluates. Texts that would start a
//! formula if typed (`=`, `+`, `-`, `@` after leading whitespace)
//! additionally get the "quote prefix" cell style, so they stay text even
//! when someone edits the cell and presses Enter.

mod names;

use std::borrow::Cow;
use std::collections::HashMap;

use rust_xlsxwriter::{
    ColNum, DocProperties, Format, FormatAlign, FormatBorder, RowNum, Workbook, Worksheet,
    XlsxError,
};

use crate::DocumentError;
use crate::model::{Block, Cell, Document, Fill, Lang, Table, row_cells};
use crate::text::clean;
use names::SheetNames;

/// Excel's limit for the text of one cell, in UTF-16 code units.
const MAX_CELL_TEXT: usize = 32_767;
/// The width of a column whose width is not a positive finite number.
const DEFAULT_WIDTH: f64 = 10.0;
/// Excel's widest column, in characters.
const MAX_WIDTH: f64 = 255.0;
/// Paper size code for A4.
const A4: u8 = 9;
/// The background of a table's header row.
const HEADER_FILL: &str = "E2E8F0";

/// Renders `doc` as an XLSX workbook.
///
/// The first worksheet, named "Summary" (or "概要"), holds the title,
/// subtitle, headings, paragraphs and facts lists in reading order: headings
/// in column A, paragraphs in column B, facts as label (A) and value (B).
/// Each table follows on its own worksheet, named after its caption: a bold
/// frozen header row with an autofilter, the model's column widths, numbers
/// stored as numbers, fills as cell colours; printed on A4 landscape, one
/// page wide, with the header row repeated. Text longer than Excel's limit
/// of 32,767 characters per cell is cut and ends with `…`.
pub fn to_xlsx(doc: &Document) -> Result<Vec<u8>, DocumentError> {
    let mut workbook = Workbook::new();
    let mut properties = DocProperties::new().set_title(clean(&doc.title));
    if let Some(subtitle) = &doc.subtitle {
        properties = properties.set_subject(clean(subtitle));
    }
    workbook.set_properties(&properties);

    let mut names = SheetNames::default();
    let summary = match doc.lang {
        Lang::En => "Summary",
        Lang::ZhCn => "概要",
    };
    summary_sheet(
        workbook.add_worksheet(),
        doc,
        &names.claim(summary, summary),
    )?;

    let mut formats = CellFormats::default();
    let tables = doc.blocks.iter().filter_map(|block| match block {
        Block::Table(table) => Some(table),
        _ => None,
    });
    for (number, table) in (1..).zip(tables) {
        let fallback = match doc.lang {
            Lang::En => format!("Table {number}"),
            Lang::ZhCn => format!("表{number}"),
        };
        let name = names.claim(&table.caption, &fallback);
        table_sheet(workbook.add_worksheet(), table, &name, &mut formats)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// The first worksheet: everything but the tables, as lines of text.
fn summary_sheet(sheet: &mut Worksheet, doc: &Document, name: &str) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    sheet.set_paper_size(A4).set_print_fit_to_pages(1, 0);
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(1, 80)?;

    let top = Format::new().set_align(FormatAlign::Top);
    let title = TextFormat::new(Format::new().set_bold().set_font_size(16));
    let subtitle = TextFormat::new(Format::new().set_font_color("475569").set_font_size(12));
    let heading = TextFormat::new(top.clone().set_bold().set_font_size(12));
    let label = TextFormat::new(top.clone().set_bold().set_font_color("475569"));
    let body = TextFormat::new(top.set_text_wrap());

    let mut row: RowNum = 0;
    write_text(sheet, row, 0, &doc.title, &title)?;
    if let Some(text) = &doc.subtitle {
        row += 1;
        write_text(sheet, row, 0, text, &subtitle)?;
    }
    // `row` is the last row written; a heading leaves one row blank above.
    for block in &doc.blocks {
        match block {
            Block::Heading { text, .. } => {
                row += 2;
                write_text(sheet, row, 0, text, &heading)?;
            }
            Block::Paragraph(runs) => {
                row += 1;
                let text: String = runs.iter().map(|r| r.text.as_str()).collect();
                write_text(sheet, row, 1, &text, &body)?;
            }
            Block::Facts(facts) => {
                for (fact_label, value) in facts {
                    row += 1;
                    write_text(sheet, row, 0, fact_label, &label)?;
                    write_text(sheet, row, 1, value, &body)?;
                }
            }
            Block::Table(_) | Block::PageBreak => {}
        }
    }
    Ok(())
}

/// One worksheet for one table.
fn table_sheet(
    sheet: &mut Worksheet,
    table: &Table,
    name: &str,
    formats: &mut CellFormats,
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    sheet
        .set_paper_size(A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    let Some(last_col) = table.columns.len().checked_sub(1) else {
        return Ok(());
    };
    let last_col = col_num(last_col)?;

    let header = TextFormat::new(
        Format::new()
            .set_bold()
            .set_background_color(HEADER_FILL)
            .set_border_bottom(FormatBorder::Thin)
            .set_align(FormatAlign::Top)
            .set_text_wrap(),
    );
    for (index, column) in table.columns.iter().enumerate() {
        let col = col_num(index)?;
        sheet.set_column_width(col, column_width(column.width))?;
        write_text(sheet, 0, col, &column.title, &header)?;
    }

    let mut last_row: RowNum = 0;
    for (index, row) in table.rows.iter().enumerate() {
        let row_num = index
            .checked_add(1)
            .and_then(|r| RowNum::try_from(r).ok())
            .ok_or(XlsxError::RowColumnLimitError)?;
        for (col, cell) in (0..).zip(row_cells(row, table.columns.len())) {
            if let Some(cell) = cell {
                write_cell(sheet, row_num, col, cell, formats)?;
            }
        }
        last_row = row_num;
    }

    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, last_col)?;
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

/// One data cell: a finite number as a number, anything else as text.
fn write_cell(
    sheet: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    cell: &Cell,
    formats: &mut CellFormats,
) -> Result<(), XlsxError> {
    if let Some(number) = cell.number.filter(|n| n.is_finite()) {
        let format = formats.get(cell.fill, Kind::Number);
        sheet.write_number_with_format(row, col, number, format)?;
        return Ok(());
    }
    let text = cell_text(&cell.text);
    if text.is_empty() {
        if let Some(fill) = cell.fill {
            sheet.write_blank(row, col, formats.get(Some(fill), Kind::Text))?;
        }
        return Ok(());
    }
    let kind = if looks_like_formula(&text) {
        Kind::QuotedText
    } else {
        Kind::Text
    };
    sheet.write_string_with_format(row, col, text, formats.get(cell.fill, kind))?;
    Ok(())
}

/// Writes a text as a string (never a formula) with `format`'s plain or
/// quote-prefixed variant.
fn write_text(
    sheet: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    text: &str,
    format: &TextFormat,
) -> Result<(), XlsxError> {
    let text = cell_text(text);
    if text.is_empty() {
        return Ok(());
    }
    let format = if looks_like_formula(&text) {
        &format.quoted
    } else {
        &format.plain
    };
    sheet.write_string_with_format(row, col, text, format)?;
    Ok(())
}

/// A format in two variants: as given, and with the quote prefix for text
/// that looks like a formula.
struct TextFormat {
    plain: Format,
    quoted: Format,
}

impl TextFormat {
    fn new(plain: Format) -> Self {
        let quoted = plain.clone().set_quote_prefix();
        TextFormat { plain, quoted }
    }
}

/// What a data cell holds, as far as its format is concerned.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Text,
    /// Text that looks like a formula: quote-prefixed.
    QuotedText,
    Number,
}

/// The formats of data cells, one per fill and kind, each created once.
#[derive(Default)]
struct CellFormats {
    formats: HashMap<(Option<Fill>, Kind), Format>,
}

impl CellFormats {
    fn get(&mut self, fill: Option<Fill>, kind: Kind) -> &Format {
        self.formats.entry((fill, kind)).or_insert_with(|| {
            let mut format = Format::new().set_align(FormatAlign::Top);
            format = match kind {
                Kind::Text => format.set_text_wrap(),
                Kind::QuotedText => format.set_text_wrap().set_quote_prefix(),
                Kind::Number => format,
            };
            if let Some(fill) = fill {
                format = format
                    .set_background_color(fill.background())
                    .set_font_color(fill.foreground());
            }
            format
        })
    }
}

/// Whether a spreadsheet would read `text`, typed into a cell, as a formula.
fn looks_like_formula(text: &str) -> bool {
    matches!(
        text.trim_start().chars().next(),
        Some('=' | '+' | '-' | '@')
    )
}

/// `text` cleaned, and cut with `…` when longer than Excel allows.
fn cell_text(text: &str) -> Cow<'_, str> {
    let text = clean(text);
    if text.len() <= MAX_CELL_TEXT {
        // UTF-16 never needs more units than UTF-8 needs bytes.
        return text;
    }
    let mut units = 0;
    let mut cut = String::with_capacity(MAX_CELL_TEXT);
    for c in text.chars() {
        units += c.len_utf16();
        if units > MAX_CELL_TEXT - 1 {
            cut.push('…');
            return Cow::Owned(cut);
        }
        cut.push(c);
    }
    Cow::Owned(cut)
}

/// A column width in characters, within what Excel accepts.
fn column_width(width: f64) -> f64 {
    if width.is_finite() && width > 0.0 {
        width.min(MAX_WIDTH)
    } else {
        DEFAULT_WIDTH
    }
}

/// A column index as Excel's column number, refused beyond Excel's limit.
fn col_num(index: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(index)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or(XlsxError::RowColumnLimitError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_texts_are_recognized() {
        for text in ["=1+1", "+1", "-2", "@SUM(A1)", "  =cmd", "\t@x"] {
            assert!(looks_like_formula(text), "{text}");
        }
        for text in ["1+1", "a=b", "", "  ", "（=）"] {
            assert!(!looks_like_formula(text), "{text}");
        }
    }

    #[test]
    fn long_texts_are_cut_to_excels_limit() {
        let long = "风".repeat(MAX_CELL_TEXT + 10);
        let cut = cell_text(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_TEXT);
        assert!(cut.ends_with('…'));
        let exact = "a".repeat(MAX_CELL_TEXT);
        assert_eq!(cell_text(&exact).len(), MAX_CELL_TEXT);
        // A character outside the BMP takes two UTF-16 units.
        let wide = "😀".repeat(MAX_CELL_TEXT);
        assert!(cell_text(&wide).encode_utf16().count() <= MAX_CELL_TEXT);
    }

    #[test]
    fn widths_stay_in_excels_range() {
        assert_eq!(column_width(12.5), 12.5);
        assert_eq!(column_width(1000.0), MAX_WIDTH);
        assert_eq!(column_width(f64::NAN), DEFAULT_WIDTH);
        assert_eq!(column_width(0.0), DEFAULT_WIDTH);
    }

    #[test]
    fn each_format_is_created_once() {
        let mut formats = CellFormats::default();
        for _ in 0..3 {
            formats.get(Some(Fill::Level3), Kind::Text);
            formats.get(None, Kind::Number);
        }
        assert_eq!(formats.formats.len(), 2);
    }
}
