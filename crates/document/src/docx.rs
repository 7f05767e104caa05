//! The DOCX renderer: an Office Open XML word-processing package written
//! by hand with the `zip` crate.
//!
//! The page is A4 portrait with 2 cm margins (17 cm of text width) and a
//! centred page number in the footer. Output is deterministic: the ZIP
//! entries carry a fixed timestamp and the properties no dates, so the same
//! document always gives the same bytes.

mod parts;

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::DocumentError;
use crate::model::{Block, Cell, Column, Document, Run, Table, heading_level, row_cells};
use crate::text::{clean, push_escaped};

/// A4 in twentieths of a point (twips).
const PAGE_WIDTH: u32 = 11_906;
const PAGE_HEIGHT: u32 = 16_838;
/// 2 cm.
const MARGIN: u32 = 1_134;
/// The text width: 17 cm.
const TEXT_WIDTH: u32 = PAGE_WIDTH - 2 * MARGIN;
/// The label column of a facts list: 30 % of the text width.
const FACT_LABEL_WIDTH: u32 = TEXT_WIDTH * 3 / 10;
/// The background of a table's header row.
const HEADER_FILL: &str = "E2E8F0";

/// Renders `doc` as a DOCX file.
///
/// Headings use Word's built-in styles `Heading1`–`Heading3` (so they appear
/// in the navigation pane), tables repeat their bold header row on every
/// page, and a facts list is a borderless two-column table. Text is escaped
/// and cleaned of characters XML cannot hold; newlines become line breaks.
pub fn to_docx(doc: &Document) -> Result<Vec<u8>, DocumentError> {
    let entries: [(&str, &str); 8] = [
        ("[Content_Types].xml", parts::CONTENT_TYPES),
        ("_rels/.rels", parts::ROOT_RELS),
        ("docProps/core.xml", &parts::core(doc)),
        ("word/_rels/document.xml.rels", parts::DOCUMENT_RELS),
        ("word/document.xml", &document_xml(doc)),
        ("word/styles.xml", &parts::styles(doc.lang)),
        ("word/settings.xml", parts::SETTINGS),
        ("word/footer1.xml", parts::FOOTER),
    ];
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::DEFAULT)
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, xml) in entries {
        zip.start_file(name, options)?;
        zip.write_all(xml.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

/// `word/document.xml`.
fn document_xml(doc: &Document) -> String {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    out.push('\n');
    out.push_str(concat!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#,
        r#" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
        "<w:body>"
    ));
    styled_paragraph(&mut out, "Title", &doc.title);
    if let Some(subtitle) = &doc.subtitle {
        styled_paragraph(&mut out, "Subtitle", subtitle);
    }
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => {
                let style = match heading_level(*level) {
                    1 => "Heading1",
                    2 => "Heading2",
                    _ => "Heading3",
                };
                styled_paragraph(&mut out, style, text);
            }
            Block::Paragraph(runs) => paragraph(&mut out, runs),
            Block::Facts(facts) => facts_table(&mut out, facts),
            Block::Table(table) => data_table(&mut out, table),
            Block::PageBreak => out.push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#),
        }
    }
    section_properties(&mut out);
    out.push_str("</w:body></w:document>");
    out
}

/// The one section: A4 portrait, 2 cm margins, the page-number footer.
fn section_properties(out: &mut String) {
    out.push_str("<w:sectPr>");
    out.push_str(r#"<w:footerReference w:type="default" r:id=""#);
    out.push_str(parts::FOOTER_REL_ID);
    out.push_str(r#""/>"#);
    push_all(
        out,
        &[
            r#"<w:pgSz w:w=""#,
            &PAGE_WIDTH.to_string(),
            r#"" w:h=""#,
            &PAGE_HEIGHT.to_string(),
            r#""/>"#,
        ],
    );
    let margin = MARGIN.to_string();
    push_all(
        out,
        &[
            r#"<w:pgMar w:top=""#,
            &margin,
            r#"" w:right=""#,
            &margin,
            r#"" w:bottom=""#,
            &margin,
            r#"" w:left=""#,
            &margin,
            r#"" w:header="567" w:footer="567" w:gutter="0"/>"#,
        ],
    );
    out.push_str(r#"<w:cols w:space="425"/></w:sectPr>"#);
}

/// A paragraph of one plain run in a paragraph style.
fn styled_paragraph(out: &mut String, style: &str, text: &str) {
    push_all(
        out,
        &[r#"<w:p><w:pPr><w:pStyle w:val=""#, style, r#""/></w:pPr>"#],
    );
    run(out, text, RunFormat::default());
    out.push_str("</w:p>");
}

/// A body paragraph of runs.
fn paragraph(out: &mut String, runs: &[Run]) {
    out.push_str("<w:p>");
    for r in runs {
        run(
            out,
            &r.text,
            RunFormat {
                bold: r.bold,
                color: None,
            },
        );
    }
    out.push_str("</w:p>");
}

/// Character formatting of one run beyond its paragraph style.
#[derive(Clone, Copy, Default)]
struct RunFormat<'a> {
    bold: bool,
    /// Six hex digits.
    color: Option<&'a str>,
}

/// One `<w:r>`: the text cleaned and escaped, newlines as `<w:br/>`, tabs
/// as `<w:tab/>`. Nothing is written for empty text.
fn run(out: &mut String, text: &str, format: RunFormat<'_>) {
    let text = clean(text);
    if text.is_empty() {
        return;
    }
    out.push_str("<w:r>");
    if format.bold || format.color.is_some() {
        out.push_str("<w:rPr>");
        if format.bold {
            out.push_str("<w:b/><w:bCs/>");
        }
        if let Some(color) = format.color {
            push_all(out, &[r#"<w:color w:val=""#, color, r#""/>"#]);
        }
        out.push_str("</w:rPr>");
    }
    let mut rest: &str = &text;
    loop {
        let (piece, tail) = match rest.find(['\n', '\t']) {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        if !piece.is_empty() {
            out.push_str(r#"<w:t xml:space="preserve">"#);
            push_escaped(out, piece);
            out.push_str("</w:t>");
        }
        let mut tail_chars = tail.chars();
        match tail_chars.next() {
            Some('\n') => out.push_str("<w:br/>"),
            Some('\t') => out.push_str("<w:tab/>"),
            _ => break,
        }
        rest = tail_chars.as_str();
    }
    out.push_str("</w:r>");
}

/// A facts list: a borderless two-column table, labels bold and grey.
fn facts_table(out: &mut String, facts: &[(String, String)]) {
    if facts.is_empty() {
        return;
    }
    let widths = [FACT_LABEL_WIDTH, TEXT_WIDTH - FACT_LABEL_WIDTH];
    table_start(out, None, &widths);
    for (label, value) in facts {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for ((text, style), width) in [(label, "FactLabel"), (value, "FactValue")]
            .into_iter()
            .zip(widths)
        {
            cell_start(out, width, None);
            push_all(
                out,
                &[r#"<w:p><w:pPr><w:pStyle w:val=""#, style, r#""/></w:pPr>"#],
            );
            run(out, text, RunFormat::default());
            out.push_str("</w:p></w:tc>");
        }
        out.push_str("</w:tr>");
    }
    table_end(out);
}

/// A data table: caption above, bold shaded header row repeated on every
/// page, rows kept whole, fills as shading with their text colour.
fn data_table(out: &mut String, table: &Table) {
    if !table.caption.is_empty() {
        styled_paragraph(out, "Caption", &table.caption);
    }
    if table.columns.is_empty() {
        return;
    }
    let widths = column_widths(&table.columns);
    table_start(out, Some("TableGrid"), &widths);

    out.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
    for (column, width) in table.columns.iter().zip(&widths) {
        cell_start(out, *width, Some(HEADER_FILL));
        cell_paragraph(
            out,
            &column.title,
            column.numeric,
            RunFormat {
                bold: true,
                color: None,
            },
        );
    }
    out.push_str("</w:tr>");

    for row in &table.rows {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for ((cell, column), width) in row_cells(row, table.columns.len())
            .zip(&table.columns)
            .zip(&widths)
        {
            data_cell(out, cell, column, *width);
        }
        out.push_str("</w:tr>");
    }
    table_end(out);
}

/// One body cell (an empty one for a missing cell).
fn data_cell(out: &mut String, cell: Option<&Cell>, column: &Column, width: u32) {
    let fill = cell.and_then(|c| c.fill);
    cell_start(out, width, fill.map(|f| f.background()));
    let format = RunFormat {
        bold: false,
        color: fill.map(|f| f.foreground()),
    };
    cell_paragraph(out, cell.map_or("", |c| &c.text), column.numeric, format);
}

/// `<w:tbl>` up to the first row: full text width, fixed layout, the grid.
fn table_start(out: &mut String, style: Option<&str>, widths: &[u32]) {
    out.push_str("<w:tbl><w:tblPr>");
    if let Some(style) = style {
        push_all(out, &[r#"<w:tblStyle w:val=""#, style, r#""/>"#]);
    }
    push_all(
        out,
        &[
            r#"<w:tblW w:w=""#,
            &TEXT_WIDTH.to_string(),
            r#"" w:type="dxa"/><w:tblLayout w:type="fixed"/>"#,
            r#"<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>"#,
            "</w:tblPr><w:tblGrid>",
        ],
    );
    for width in widths {
        push_all(out, &[r#"<w:gridCol w:w=""#, &width.to_string(), r#""/>"#]);
    }
    out.push_str("</w:tblGrid>");
}

/// Closes a table and adds an empty paragraph: it keeps two tables in a
/// row from merging, and Word wants a paragraph before the section end.
fn table_end(out: &mut String) {
    out.push_str("</w:tbl><w:p/>");
}

/// `<w:tc>` and its properties: width, optional shading.
fn cell_start(out: &mut String, width: u32, shading: Option<&str>) {
    push_all(
        out,
        &[
            r#"<w:tc><w:tcPr><w:tcW w:w=""#,
            &width.to_string(),
            r#"" w:type="dxa"/>"#,
        ],
    );
    if let Some(fill) = shading {
        push_all(
            out,
            &[
                r#"<w:shd w:val="clear" w:color="auto" w:fill=""#,
                fill,
                r#""/>"#,
            ],
        );
    }
    out.push_str("</w:tcPr>");
}

/// The one paragraph of a table cell, then `</w:tc>`.
fn cell_paragraph(out: &mut String, text: &str, numeric: bool, format: RunFormat<'_>) {
    out.push_str(r#"<w:p><w:pPr><w:pStyle w:val="TableText"/>"#);
    if numeric {
        out.push_str(r#"<w:jc w:val="right"/>"#);
    }
    out.push_str("</w:pPr>");
    run(out, text, format);
    out.push_str("</w:p></w:tc>");
}

/// The column widths in twips: each column's share of the text width in
/// proportion to its width in characters, summing exactly to the text
/// width. Widths that are not positive finite numbers count as 10.
fn column_widths(columns: &[Column]) -> Vec<u32> {
    let chars: Vec<f64> = columns
        .iter()
        .map(|c| {
            if c.width.is_finite() && c.width > 0.0 {
                c.width
            } else {
                10.0
            }
        })
        .collect();
    let total: f64 = chars.iter().sum();
    let mut widths = Vec::with_capacity(chars.len());
    let mut used = 0u32;
    let mut share_before = 0.0;
    for w in chars {
        share_before += w;
        // The running total, rounded, so rounding errors do not add up.
        let end = (f64::from(TEXT_WIDTH) * share_before / total).round();
        let end = if end.is_finite() && end >= 0.0 {
            (end as u32).min(TEXT_WIDTH)
        } else {
            TEXT_WIDTH
        };
        widths.push(end.saturating_sub(used));
        used = end.max(used);
    }
    widths
}

/// Appends each piece in order.
fn push_all(out: &mut String, pieces: &[&str]) {
    for piece in pieces {
        out.push_str(piece);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Fill, Lang};

    #[test]
    fn widths_are_proportional_and_fill_the_text_width() {
        let columns = vec![
            Column::new("a", 10.0),
            Column::new("b", 30.0),
            Column::numeric("c", 20.0),
        ];
        let widths = column_widths(&columns);
        assert_eq!(widths.iter().sum::<u32>(), TEXT_WIDTH);
        assert!(widths[1].abs_diff(widths[0] * 3) <= 1, "{widths:?}");
        let odd = vec![Column::new("x", f64::NAN), Column::new("y", -3.0)];
        assert_eq!(column_widths(&odd), vec![TEXT_WIDTH / 2, TEXT_WIDTH / 2]);
    }

    #[test]
    fn runs_turn_newlines_and_tabs_into_elements() {
        let mut out = String::new();
        run(
            &mut out,
            "a\nb\tc<\n",
            RunFormat {
                bold: true,
                color: Some("991B1B"),
            },
        );
        assert_eq!(
            out,
            concat!(
                r#"<w:r><w:rPr><w:b/><w:bCs/><w:color w:val="991B1B"/></w:rPr>"#,
                r#"<w:t xml:space="preserve">a</w:t><w:br/><w:t xml:space="preserve">b</w:t><w:tab/>"#,
                r#"<w:t xml:space="preserve">c&lt;</w:t><w:br/></w:r>"#
            )
        );
        let mut empty = String::new();
        run(&mut empty, "\u{1}", RunFormat::default());
        assert_eq!(empty, "");
    }

    #[test]
    fn short_rows_are_padded_with_empty_cells() {
        let mut doc = Document::new("t", Lang::En);
        doc.blocks.push(Block::Table(Table {
            caption: "c".into(),
            columns: vec![Column::new("a", 5.0), Column::new("b", 5.0)],
            rows: vec![vec![Cell::text("only").with_fill(Fill::Warn)]],
        }));
        let xml = document_xml(&doc);
        // Header row and the data row each have two cells.
        assert_eq!(xml.matches("<w:tc>").count(), 4);
        assert!(xml.contains(r#"w:fill="FEF3C7""#));
    }
}
