//! The DOCX renderer.

use castellan_document::{Document, Fill, Lang, to_docx};

use crate::xml::assert_well_formed;
use crate::{big, sample, unzip};

#[test]
fn the_package_has_its_parts_and_all_are_well_formed() {
    let entries = unzip(&to_docx(&sample()).unwrap());
    for name in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/_rels/document.xml.rels",
        "word/styles.xml",
        "word/settings.xml",
        "word/footer1.xml",
        "docProps/core.xml",
    ] {
        assert!(entries.contains_key(name), "missing {name}");
    }
    for (name, text) in &entries {
        assert_well_formed(name, text);
    }
    // Every part the content types or relationships name exists.
    let types = &entries["[Content_Types].xml"];
    for name in entries.keys().filter(|n| !n.ends_with(".rels")) {
        if name != "[Content_Types].xml" {
            assert!(types.contains(&format!("PartName=\"/{name}\"")), "{name}");
        }
    }
}

#[test]
fn text_is_escaped_and_cleaned() {
    let entries = unzip(&to_docx(&sample()).unwrap());
    let xml = &entries["word/document.xml"];
    assert!(xml.contains("信息安全风险评估报告 &amp; &lt;Report&gt;"));
    assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(xml.contains("Alice &quot;Ops&quot; O&#39;Neil<"));
    assert!(!xml.contains("<script"));
    assert!(!xml.contains('\u{1}') && !xml.contains('\u{0}') && !xml.contains('\u{1b}'));
    // Newlines (also CRLF) become line breaks.
    assert!(xml.contains("本次评估覆盖</w:t><w:br/><w:t xml:space=\"preserve\">全部核心系统。"));
    assert!(xml.contains("第一行</w:t><w:br/><w:t xml:space=\"preserve\">第二行</w:t>"));
    // Bold runs.
    assert!(xml.contains("<w:rPr><w:b/><w:bCs/></w:rPr><w:t xml:space=\"preserve\"> Critical"));
    let core = &entries["docProps/core.xml"];
    assert!(core.contains("<dc:title>信息安全风险评估报告 &amp; &lt;Report&gt;</dc:title>"));
    assert!(core.contains("<dc:language>zh-CN</dc:language>"));
}

#[test]
fn layout_fonts_and_tables() {
    let entries = unzip(&to_docx(&sample()).unwrap());
    let xml = &entries["word/document.xml"];
    // A4 portrait, 2 cm margins.
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#));
    assert!(xml.contains(r#"<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134""#));
    // Title, headings as built-in styles.
    for style in [
        "Title", "Subtitle", "Heading1", "Heading2", "Heading3", "Caption",
    ] {
        assert!(
            xml.contains(&format!(r#"<w:pStyle w:val="{style}"/>"#)),
            "{style}"
        );
    }
    // Repeated bold header rows, one per data table.
    assert_eq!(xml.matches("<w:tblHeader/>").count(), 2);
    // Shading and text colour of every level.
    for level in 1..=5 {
        let fill = Fill::level(level).unwrap();
        assert!(
            xml.contains(&format!(r#"w:fill="{}""#, fill.background())),
            "{fill:?}"
        );
        assert!(xml.contains(&format!(r#"<w:color w:val="{}"/>"#, fill.foreground())));
    }
    // Numeric columns right-aligned; widths proportional (10:30:12 of 9638).
    assert!(xml.contains(r#"<w:jc w:val="right"/>"#));
    assert!(
        xml.contains(r#"<w:gridCol w:w="1853"/><w:gridCol w:w="5561"/><w:gridCol w:w="2224"/>"#)
    );
    // Page break.
    assert!(xml.contains(r#"<w:br w:type="page"/>"#));

    let styles = &entries["word/styles.xml"];
    assert!(styles.contains(
        r#"<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Microsoft YaHei" w:cs="Calibri" w:hint="eastAsia"/>"#
    ));
    assert!(styles.contains(r#"w:eastAsia="zh-CN""#));
    assert!(styles.contains(r#"<w:lang w:val="en-US" w:eastAsia="zh-CN""#));
    assert!(styles.contains(r#"<w:outlineLvl w:val="0"/>"#));
    assert!(styles.contains(r#"<w:style w:type="paragraph" w:styleId="Heading3">"#));
}

#[test]
fn an_english_document_has_no_east_asian_hint() {
    let mut doc = sample();
    doc.lang = Lang::En;
    let entries = unzip(&to_docx(&doc).unwrap());
    assert!(!entries["word/styles.xml"].contains("w:hint"));
    assert!(entries["docProps/core.xml"].contains("<dc:language>en-US</dc:language>"));
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let doc = sample();
    assert_eq!(to_docx(&doc).unwrap(), to_docx(&doc).unwrap());
    assert_ne!(
        to_docx(&doc).unwrap(),
        to_docx(&Document::new("x", Lang::En)).unwrap()
    );
}

#[test]
fn an_empty_document_is_valid() {
    let entries = unzip(&to_docx(&Document::new("", Lang::En)).unwrap());
    for (name, text) in &entries {
        assert_well_formed(name, text);
    }
}

#[test]
fn ten_thousand_rows_render() {
    let bytes = to_docx(&big(10_000)).unwrap();
    let entries = unzip(&bytes);
    let xml = &entries["word/document.xml"];
    assert_eq!(xml.matches("<w:tr>").count(), 10_001);
    assert_well_formed("word/document.xml", xml);
}
