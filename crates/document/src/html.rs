//! The HTML renderer: a standalone HTML5 page styled only by an external
//! stylesheet (no `style` attribute, no `<style>` or `<script>` element), so
//! it passes a Content-Security-Policy without `unsafe-inline`.
//!
//! The markup is built by hand rather than with a template engine: it is
//! small and regular, and every text and attribute value goes through one
//! escaping function.

use crate::model::{Block, Cell, Column, Document, Run, Table, heading_level, row_cells};
use crate::text::{clean, push_clean_escaped, push_escaped};

/// Renders `doc` as a complete HTML page that links the stylesheet at
/// `stylesheet_href` (serve [`REPORT_CSS`](crate::REPORT_CSS) there).
///
/// The title is the `<h1>`, headings of level 1–3 are `<h2>`–`<h4>`, facts
/// lists are `<dl class="facts">`, tables are `<table class="report-table">`
/// with a `<caption>` and a `<thead>`; cells carry the class of their
/// [`Fill`](crate::Fill) and `num` in numeric columns; a page break is
/// `<div class="page-break">`. Newlines in texts become `<br>`.
pub fn to_html(doc: &Document, stylesheet_href: &str) -> String {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"");
    out.push_str(doc.lang.html_tag());
    out.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>");
    push_clean_escaped(&mut out, &doc.title);
    out.push_str("</title>\n<link rel=\"stylesheet\" href=\"");
    push_clean_escaped(&mut out, stylesheet_href);
    out.push_str("\">\n</head>\n<body>\n<main class=\"report\">\n<header>\n<h1>");
    push_text(&mut out, &doc.title);
    out.push_str("</h1>\n");
    if let Some(subtitle) = &doc.subtitle {
        out.push_str("<p class=\"subtitle\">");
        push_text(&mut out, subtitle);
        out.push_str("</p>\n");
    }
    out.push_str("</header>\n");
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => heading(&mut out, *level, text),
            Block::Paragraph(runs) => paragraph(&mut out, runs),
            Block::Facts(facts) => facts_list(&mut out, facts),
            Block::Table(table) => data_table(&mut out, table),
            Block::PageBreak => out.push_str("<div class=\"page-break\"></div>\n"),
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// `<h2>`–`<h4>` for levels 1–3.
fn heading(out: &mut String, level: u8, text: &str) {
    let tag = match heading_level(level) {
        1 => "h2",
        2 => "h3",
        _ => "h4",
    };
    push_all(out, &["<", tag, ">"]);
    push_text(out, text);
    push_all(out, &["</", tag, ">\n"]);
}

fn paragraph(out: &mut String, runs: &[Run]) {
    out.push_str("<p>");
    for run in runs {
        if run.bold {
            out.push_str("<strong>");
            push_text(out, &run.text);
            out.push_str("</strong>");
        } else {
            push_text(out, &run.text);
        }
    }
    out.push_str("</p>\n");
}

/// A description list; each pair in a `<div>` (valid HTML5) so the
/// stylesheet can lay pairs out as grid rows and keep them on one page.
fn facts_list(out: &mut String, facts: &[(String, String)]) {
    if facts.is_empty() {
        return;
    }
    out.push_str("<dl class=\"facts\">\n");
    for (label, value) in facts {
        out.push_str("<div><dt>");
        push_text(out, label);
        out.push_str("</dt><dd>");
        push_text(out, value);
        out.push_str("</dd></div>\n");
    }
    out.push_str("</dl>\n");
}

fn data_table(out: &mut String, table: &Table) {
    out.push_str("<table class=\"report-table\">\n");
    if !table.caption.is_empty() {
        out.push_str("<caption>");
        push_text(out, &table.caption);
        out.push_str("</caption>\n");
    }
    out.push_str("<thead>\n<tr>");
    for column in &table.columns {
        out.push_str("<th scope=\"col\"");
        if column.numeric {
            out.push_str(" class=\"num\"");
        }
        out.push('>');
        push_text(out, &column.title);
        out.push_str("</th>");
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for (cell, column) in row_cells(row, table.columns.len()).zip(&table.columns) {
            data_cell(out, cell, column);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn data_cell(out: &mut String, cell: Option<&Cell>, column: &Column) {
    let fill = cell.and_then(|c| c.fill).map(|f| f.css_class());
    out.push_str("<td");
    match (column.numeric, fill) {
        (false, None) => {}
        (true, None) => out.push_str(" class=\"num\""),
        (false, Some(fill)) => push_all(out, &[" class=\"", fill, "\""]),
        (true, Some(fill)) => push_all(out, &[" class=\"num ", fill, "\""]),
    }
    out.push('>');
    if let Some(cell) = cell {
        push_text(out, &cell.text);
    }
    out.push_str("</td>");
}

/// Element content: cleaned, escaped, newlines as `<br>`.
fn push_text(out: &mut String, text: &str) {
    let text = clean(text);
    let mut lines = text.split('\n');
    if let Some(first) = lines.next() {
        push_escaped(out, first);
    }
    for line in lines {
        out.push_str("<br>");
        push_escaped(out, line);
    }
}

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
    fn newlines_become_line_breaks() {
        let mut out = String::new();
        push_text(&mut out, "a\r\nb <c>\n");
        assert_eq!(out, "a<br>b &lt;c&gt;<br>");
    }

    #[test]
    fn cells_carry_fill_and_number_classes() {
        let mut doc = Document::new("t", Lang::En);
        doc.blocks.push(Block::Table(Table {
            caption: String::new(),
            columns: vec![Column::new("a", 5.0), Column::numeric("n", 5.0)],
            rows: vec![vec![
                Cell::text("x").with_fill(Fill::Muted),
                Cell::number(4.0).with_fill(Fill::Level4),
            ]],
        }));
        let html = to_html(&doc, "/r.css");
        assert!(
            html.contains(r#"<td class="fill-muted">x</td><td class="num fill-level-4">4</td>"#)
        );
        assert!(html.contains(r#"<th scope="col" class="num">n</th>"#));
        assert!(!html.contains("<caption>"));
    }

    #[test]
    fn headings_shift_below_the_title() {
        let mut out = String::new();
        heading(&mut out, 1, "A");
        heading(&mut out, 7, "B");
        assert_eq!(out, "<h2>A</h2>\n<h4>B</h4>\n");
    }
}
