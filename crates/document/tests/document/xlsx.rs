//! The XLSX renderer.

use castellan_document::{Block, Cell, Column, Document, Lang, Table, to_xlsx};

use crate::xml::assert_well_formed;
use crate::{big, sample, unzip};

#[test]
fn sheets_are_named_from_captions_sanitized_and_unique() {
    let entries = unzip(&to_xlsx(&sample()).unwrap());
    let workbook = &entries["xl/workbook.xml"];
    assert!(workbook.contains(r#"<sheet name="概要" sheetId="1""#));
    assert!(workbook.contains(r#"<sheet name="风险清单 _全部__ a_b" sheetId="2""#));
    assert!(workbook.contains(r#"<sheet name="风险清单 _全部__ a_b (2)" sheetId="3""#));
    for (name, text) in entries.iter().filter(|(n, _)| n.ends_with(".xml")) {
        assert_well_formed(name, text);
    }

    let mut doc = sample();
    doc.lang = Lang::En;
    let entries = unzip(&to_xlsx(&doc).unwrap());
    assert!(entries["xl/workbook.xml"].contains(r#"<sheet name="Summary" sheetId="1""#));
}

#[test]
fn tables_have_a_frozen_filtered_header_and_real_numbers() {
    let entries = unzip(&to_xlsx(&sample()).unwrap());
    let sheet = &entries["xl/worksheets/sheet2.xml"];
    let pane = &sheet[sheet.find("<pane ").unwrap()..];
    let pane = &pane[..pane.find("/>").unwrap()];
    assert!(pane.contains(r#"ySplit="1""#) && pane.contains(r#"state="frozen""#));
    assert!(sheet.contains(r#"<autoFilter ref="A1:C8"/>"#));
    // Column widths from the model.
    assert!(sheet.contains(r#"<col min="2" max="2" width="30.7109375" customWidth="1"/>"#));
    // Scores are numbers (no t="s"), 1 × 4.5 = 4.5 in C2.
    let c2 = &sheet[sheet.find(r#"<c r="C2""#).unwrap()..];
    let c2 = &c2[..c2.find("</c>").unwrap()];
    assert!(!c2.contains("t=\""), "{c2}");
    assert!(c2.ends_with("<v>4.5</v>"), "{c2}");
    // Texts are shared strings.
    let b2 = &sheet[sheet.find(r#"<c r="B2""#).unwrap()..];
    assert!(
        b2.starts_with(r#"<c r="B2" s=""#) && b2[..b2.find("</c>").unwrap()].contains(r#"t="s""#)
    );
    // The header row repeats when printed, on A4.
    assert!(entries["xl/workbook.xml"].contains("_xlnm.Print_Titles"));
    assert!(sheet.contains(r#"paperSize="9""#));
}

#[test]
fn formula_like_texts_stay_strings() {
    let entries = unzip(&to_xlsx(&sample()).unwrap());
    for (name, text) in &entries {
        assert!(
            !text.contains("<f>") && !text.contains("<f "),
            "formula in {name}"
        );
    }
    let strings = &entries["xl/sharedStrings.xml"];
    for text in [
        "=1+1",
        "@SUM(A1)",
        "-2",
        "&lt;script&gt;alert('x')&lt;/script&gt;",
    ] {
        assert!(strings.contains(&format!("<t>{text}</t>")), "{text}");
    }
    // Formula-like text is quote-prefixed, so editing the cell keeps it text.
    assert!(entries["xl/styles.xml"].contains(r#"quotePrefix="1""#));
    // Control characters are dropped rather than escaped as _xHHHH_.
    assert!(!strings.contains("_x00"));
    assert!(strings.contains("第一行\n第二行</t>"));
}

#[test]
fn the_summary_holds_title_facts_and_paragraphs() {
    let entries = unzip(&to_xlsx(&sample()).unwrap());
    let strings = &entries["xl/sharedStrings.xml"];
    for text in [
        "信息安全风险评估报告 &amp; &lt;Report&gt;",
        "示例公司 · 2025 年度",
        "1 评估范围 Scope",
        "评估方法",
        "矩阵法 (GB/T 20984)",
        "Alice \"Ops\" O'Neil",
        "结束 End.",
    ] {
        assert!(strings.contains(text), "{text}");
    }
    assert!(strings.contains("本次评估覆盖\n全部核心系统。 Critical: &lt;script&gt;"));
    let summary = &entries["xl/worksheets/sheet1.xml"];
    assert!(summary.contains(r#"<c r="A1""#));
    assert!(summary.contains(r#"<c r="B"#));
    assert!(
        entries["docProps/core.xml"]
            .contains("<dc:title>信息安全风险评估报告 &amp; &lt;Report&gt;</dc:title>")
    );
}

#[test]
fn edge_cases_do_not_fail() {
    let mut doc = Document::new("", Lang::En);
    doc.blocks = vec![
        Block::Table(Table {
            caption: String::new(),
            columns: Vec::new(),
            rows: vec![vec![Cell::text("ignored")]],
        }),
        Block::Table(Table {
            caption: "''".to_owned(),
            columns: vec![Column::numeric("n", f64::INFINITY)],
            rows: vec![
                vec![Cell::number(f64::NAN)],
                vec![],
                vec![Cell::text("").with_fill(castellan_document::Fill::Warn)],
            ],
        }),
    ];
    let entries = unzip(&to_xlsx(&doc).unwrap());
    let workbook = &entries["xl/workbook.xml"];
    assert!(workbook.contains(r#"<sheet name="Table 1""#));
    assert!(workbook.contains(r#"<sheet name="Table 2""#));
    // NaN is not a number Excel can read: it is written as its text.
    assert!(entries["xl/sharedStrings.xml"].contains("<t>NaN</t>"));
}

#[test]
fn ten_thousand_rows_render() {
    let bytes = to_xlsx(&big(10_000)).unwrap();
    let entries = unzip(&bytes);
    let sheet = &entries["xl/worksheets/sheet2.xml"];
    assert!(sheet.contains(r#"<autoFilter ref="A1:L10001"/>"#));
    assert_eq!(sheet.matches("<row ").count(), 10_001);
}
