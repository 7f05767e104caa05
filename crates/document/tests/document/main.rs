//! Integration tests of `castellan-document`: one test binary, one module
//! per renderer, a shared sample document and a small XML checker.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod docx;
mod html;
mod xlsx;
mod xml;

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use castellan_document::{Block, Cell, Column, Document, Fill, Lang, Run, Table};

/// A report in Chinese with English mixed in, every kind of block, and
/// hostile texts: formula-like cells, markup, newlines, control characters.
fn sample() -> Document {
    let mut doc = Document::new("信息安全风险评估报告 & <Report>", Lang::ZhCn);
    doc.subtitle = Some("示例公司 · 2025 年度".to_owned());
    doc.blocks = vec![
        Block::heading(1, "1 评估范围 Scope"),
        Block::Paragraph(vec![
            Run::plain("本次评估覆盖\n全部核心系统。"),
            Run::bold(" Critical: <script>alert(1)</script>"),
        ]),
        Block::Facts(vec![
            ("评估方法".to_owned(), "矩阵法 (GB/T 20984)".to_owned()),
            (
                "Owner".to_owned(),
                "Alice \"Ops\" O'Neil\u{1}\u{7}".to_owned(),
            ),
            ("公式".to_owned(), "=1+1".to_owned()),
        ]),
        Block::heading(2, "2 风险清单"),
        Block::Table(levels_table("风险清单 [全部]: a/b")),
        Block::PageBreak,
        Block::heading(3, "附录"),
        Block::Table(levels_table("风险清单 [全部]: a/b")),
        Block::paragraph("结束 End\u{0}."),
    ];
    doc
}

/// A table with one row per level, numbers, formula-like and hostile text.
fn levels_table(caption: &str) -> Table {
    let names = [
        "很低 Very low",
        "低 Low",
        "中 Medium",
        "高 High",
        "很高 Very high",
    ];
    let mut rows: Vec<Vec<Cell>> = (1u8..=5)
        .zip(names)
        .map(|(level, name)| {
            vec![
                Cell::text(format!("R-{level:03}")),
                Cell::text(name).with_fill(Fill::level(level).unwrap()),
                Cell::number(f64::from(level) * 4.5).with_fill(Fill::level(level).unwrap()),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::text("=1+1"),
        Cell::text("@SUM(A1)"),
        Cell::text("-2").with_fill(Fill::Warn),
    ]);
    rows.push(vec![
        Cell::text("<script>alert('x')</script>"),
        Cell::text("第一行\r\n第二行\u{1b}").with_fill(Fill::Muted),
    ]);
    Table {
        caption: caption.to_owned(),
        columns: vec![
            Column::new("编号 ID", 10.0),
            Column::new("等级 Level", 30.0),
            Column::numeric("分值 Score", 12.0),
        ],
        rows,
    }
}

/// A document with one table of `rows` rows and 12 columns.
fn big(rows: usize) -> Document {
    let mut columns = vec![Column::new("编号", 10.0), Column::new("名称 Name", 40.0)];
    columns.extend((0..10).map(|i| Column::numeric(format!("值{i}"), 8.0)));
    let rows = (0..rows)
        .map(|r| {
            let mut row = vec![
                Cell::text(format!("A-{r:05}")),
                Cell::text(format!("资产 asset {r}")),
            ];
            row.extend((0..10u8).map(|c| {
                let level = c % 5 + 1;
                Cell::number(f64::from(u32::try_from(r).unwrap() % 100) + f64::from(c))
                    .with_fill(Fill::level(level).unwrap())
            }));
            row
        })
        .collect();
    let mut doc = Document::new("Big", Lang::En);
    doc.blocks.push(Block::Table(Table {
        caption: "Assets".to_owned(),
        columns,
        rows,
    }));
    doc
}

/// The entries of a ZIP file, by name, as text.
fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut entries = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        entries.insert(file.name().unwrap().into_owned(), text);
    }
    entries
}

#[test]
fn the_stylesheet_covers_print_and_the_fills() {
    let css = castellan_document::REPORT_CSS;
    assert!(css.contains("@page"));
    assert!(css.contains("size: A4"));
    assert!(css.contains("margin: 18mm"));
    assert!(css.contains("@media print"));
    assert!(css.contains("display: table-header-group"));
    assert!(css.contains("break-inside: avoid"));
    assert!(css.contains(r#""Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif"#));
    for fill in Fill::ALL {
        assert!(
            css.contains(&format!(".{} {{", fill.css_class())),
            "{fill:?}"
        );
        let background = format!("background: #{};", fill.background().to_lowercase());
        assert!(css.contains(&background), "{background}");
        let color = format!("color: #{};", fill.foreground().to_lowercase());
        assert!(css.contains(&color), "{color}");
    }
}
