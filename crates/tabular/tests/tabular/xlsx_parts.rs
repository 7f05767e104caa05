//! XLSX as other programs write it, from hand-written XML: references left
//! out, rich text, escapes, date systems, number formats, odd orders.

use std::io::Cursor;

use castellan_tabular::{Format, ReadError, ReadOptions, TableReader};

use super::package::{Book, Part, shared_xml, sheet_xml, simple, styles_xml, workbook, zip};
use super::{first_error, rows, strings};

fn open(bytes: Vec<u8>) -> Result<TableReader, ReadError> {
    TableReader::from_reader(Cursor::new(bytes), Format::Xlsx, &ReadOptions::default())
}

fn inline(text: &str) -> String {
    format!(r#"<c t="inlineStr"><is><t>{text}</t></is></c>"#)
}

fn malformed(err: ReadError) -> (u64, String) {
    match err {
        ReadError::Malformed { line, reason } => (line, reason),
        other => panic!("expected malformed, got {other:?}"),
    }
}

#[test]
fn rows_and_cells_without_references_follow_the_previous() {
    let xml = format!(
        r#"<row>{a}{b}</row><row r="3"><c><v>1</v></c><c r="C3"><v>3</v></c></row><row><c/><c><v>5</v></c></row>"#,
        a = inline("code"),
        b = inline("name"),
    );
    let reader = open(simple(&xml, "", &[])).unwrap();
    assert_eq!(reader.headers(), ["code", "name"]);
    let (ok, err) = first_error(reader);
    assert_eq!(ok.len(), 0);
    // Row 3 has a value in C3, right of the header.
    assert_eq!(malformed(err).0, 3);

    let xml = format!(
        r#"<row>{a}{b}</row><row><c><v>1</v></c><c><v>2</v></c></row><row r="9"><c r="B9"><v>5</v></c></row><row><c/><c><v>6</v></c></row>"#,
        a = inline("code"),
        b = inline("name"),
    );
    assert_eq!(
        rows(open(simple(&xml, "", &[])).unwrap()),
        [
            (2, strings(&["1", "2"])),
            (9, strings(&["", "5"])),
            (10, strings(&["", "6"])),
        ]
    );
}

#[test]
fn cells_in_any_order_within_a_row_but_rows_in_order() {
    let header = format!("<row r=\"1\">{}{}</row>", inline("a"), inline("b"));
    let xml = format!(r#"{header}<row r="2"><c r="B2"><v>2</v></c><c r="A2"><v>1</v></c></row>"#);
    assert_eq!(
        rows(open(simple(&xml, "", &[])).unwrap()),
        [(2, strings(&["1", "2"]))]
    );

    let xml = format!(
        r#"{header}<row r="5"><c r="A5"><v>1</v></c></row><row r="4"><c r="A4"><v>1</v></c></row>"#
    );
    let (ok, err) = first_error(open(simple(&xml, "", &[])).unwrap());
    assert_eq!(ok.len(), 1);
    let (line, reason) = malformed(err);
    assert_eq!(line, 4);
    assert!(reason.contains("row 4 comes after row 5"), "{reason}");

    let xml = format!(r#"{header}<row r="2"><c r="B2"><v>2</v></c><c r="B2"><v>3</v></c></row>"#);
    let (_, err) = first_error(open(simple(&xml, "", &[])).unwrap());
    assert_eq!(malformed(err), (2, "cell B2 is given twice".to_owned()));

    let xml = format!(r#"{header}<row r="2"><c r="A3"><v>2</v></c></row>"#);
    let (_, err) = first_error(open(simple(&xml, "", &[])).unwrap());
    assert_eq!(malformed(err), (2, "cell A3 is inside row 2".to_owned()));
}

#[test]
fn a_value_left_of_the_header_is_malformed() {
    let xml = r#"<row r="2"><c r="B2" t="inlineStr"><is><t>code</t></is></c></row><row r="3"><c r="A3"><v>1</v></c></row>"#;
    let reader = open(simple(xml, "", &[])).unwrap();
    assert_eq!(reader.headers(), ["code"]);
    let (_, err) = first_error(reader);
    assert_eq!(
        malformed(err),
        (
            3,
            "cell A3 has a value but its column has no header".to_owned()
        )
    );
}

#[test]
fn rich_text_escapes_and_whitespace() {
    let shared = [
        // Rich runs, with a phonetic guide that is not part of the text.
        r#"<r><rPr><b/></rPr><t>资产</t></r><r><t xml:space="preserve"> 编号 </t></r><rPh sb="0" eb="2"><t>シサン</t></rPh><phoneticPr fontId="1"/>"#,
        // Excel's escapes, and a literal `_x000D_`.
        "<t>a_x000D_&#10;b _x005F_x000D_</t>",
        // Entities and a character reference.
        "<t>&lt;&amp;&gt; &#x4e2d;</t>",
    ];
    let sst = format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{}</sst>"#,
        shared
            .iter()
            .map(|s| format!("<si>{s}</si>"))
            .collect::<String>()
    );
    let xml = format!(
        r#"<row>{h1}{h2}{h3}{h4}</row><row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c><c t="inlineStr"><is><r><t xml:space="preserve">  in</t></r><r><t>line_x0009_</t></r></is></c></row>"#,
        h1 = inline("a"),
        h2 = inline("b"),
        h3 = inline("c"),
        h4 = inline("d"),
    );
    let bytes = workbook(
        Part::new("xl/worksheets/sheet1.xml", &sheet_xml(&xml, "")),
        Book {
            shared: Some(Part::new("xl/sharedStrings.xml", sst.as_bytes())),
            ..Book::default()
        },
    );
    assert_eq!(
        rows(open(bytes).unwrap()),
        [(
            2,
            strings(&["资产 编号 ", "a\r\nb _x000D_", "<&> 中", "  inline\t"])
        )]
    );
}

#[test]
fn an_out_of_range_shared_text_is_malformed() {
    let xml = format!(
        r#"<row>{}</row><row><c r="A2" t="s"><v>7</v></c></row>"#,
        inline("a")
    );
    let (_, err) = first_error(open(simple(&xml, "", &["x", "y"])).unwrap());
    assert_eq!(
        malformed(err),
        (
            2,
            "cell A2 refers to shared text number 7, but the workbook has only 2".to_owned()
        )
    );
}

#[test]
fn every_cell_type_renders_as_text() {
    let header: String = ["n", "b", "e", "str", "d", "d2", "t", "blank"]
        .iter()
        .map(|h| inline(h))
        .collect();
    let xml = format!(
        r#"<row>{header}</row><row><c><v>1.50</v></c><c t="b"><v>0</v></c><c t="e"><v>#N/A</v></c><c t="str"><v>x_x000A_y</v></c><c t="d"><v>2024-03-01T00:00:00Z</v></c><c t="d"><v>2024-03-01T13:30:05.000</v></c><c t="n"><v> 7 </v></c><c t="s"/></row>"#
    );
    assert_eq!(
        rows(open(simple(&xml, "", &[])).unwrap()),
        [(
            2,
            strings(&[
                "1.5",
                "FALSE",
                "#N/A",
                "x\ny",
                "2024-03-01",
                "2024-03-01T13:30:05",
                "7",
                ""
            ])
        )]
    );
    let xml = format!(
        r#"<row>{}</row><row><c t="x"><v>1</v></c></row>"#,
        inline("a")
    );
    let (_, err) = first_error(open(simple(&xml, "", &[])).unwrap());
    assert_eq!(
        malformed(err),
        (2, "cell A2 has an unknown type \"x\"".to_owned())
    );
    let xml = format!(
        r#"<row>{}</row><row><c><v>12abc</v></c></row>"#,
        inline("a")
    );
    let (_, err) = first_error(open(simple(&xml, "", &[])).unwrap());
    assert_eq!(
        malformed(err),
        (
            2,
            "cell A2 should hold a number but holds \"12abc\"".to_owned()
        )
    );
}

fn dated(values: &[(&str, u32)], workbook_pr: &'static str) -> Vec<(u64, Vec<String>)> {
    let header: String = (0..values.len())
        .map(|i| inline(&format!("h{i}")))
        .collect();
    let cells: String = values
        .iter()
        .map(|(v, style)| format!(r#"<c s="{style}"><v>{v}</v></c>"#))
        .collect();
    let xml = format!("<row>{header}</row><row>{cells}</row>");
    // Styles: 1 date (14), 2 duration (46), 3 custom date-time, 4 custom
    // duration, 5 a plain custom format, 6 a time (20).
    let styles = styles_xml(
        &[
            (164, r"yyyy\-mm\-dd\ hh:mm"),
            (165, "[hh]:mm"),
            (166, "#,##0.00_);[Red]\\(#,##0.00\\)"),
        ],
        &[14, 46, 164, 165, 166, 20],
    );
    let bytes = workbook(
        Part::new("xl/worksheets/sheet1.xml", &sheet_xml(&xml, "")),
        Book {
            styles: Some(Part::new("xl/styles.xml", &styles)),
            workbook_pr,
            ..Book::default()
        },
    );
    rows(open(bytes).unwrap())
}

#[test]
fn number_formats_make_dates_times_and_durations() {
    let got = dated(
        &[
            ("45943", 1),
            ("1.5", 2),
            ("45943.5", 3),
            ("2.25", 4),
            ("45943", 5),
            ("0.75", 6),
            ("3", 0),
            ("45943", 9),
        ],
        "",
    );
    assert_eq!(
        got,
        [(
            2,
            strings(&[
                "2025-10-13",
                "36:00:00",
                "2025-10-13T12:00:00",
                "54:00:00",
                "45943",
                "18:00:00",
                "3",
                "45943"
            ])
        )]
    );
}

#[test]
fn the_1904_date_system_is_honoured() {
    for flag in [r#"date1904="1""#, r#"date1904="true""#] {
        let got = dated(&[("44481", 1), ("44481.25", 3), ("0.5", 6)], flag);
        assert_eq!(
            got,
            [(
                2,
                strings(&["2025-10-13", "2025-10-13T06:00:00", "12:00:00"])
            )],
            "{flag}"
        );
    }
    let got = dated(&[("44481", 1)], r#"date1904="0""#);
    assert_eq!(got, [(2, strings(&["2021-10-12"]))]);
}

#[test]
fn formulas_in_cells_are_refused_but_not_elsewhere() {
    let header = format!("<row>{}{}{}</row>", inline("a"), inline("b"), inline("c"));
    let xml = format!(
        r#"{header}<row r="7"><c r="A7"><v>1</v></c><x:c r="C7"><x:f>A7*2</x:f><x:v>2</x:v></x:c></row>"#
    );
    let err = open(simple(&xml, "", &[])).err().unwrap();
    assert!(
        matches!(&err, ReadError::Formula { cell } if cell == "C7"),
        "{err:?}"
    );

    // A data-validation list after the cells is written with `<xm:f>`.
    let after = r#"<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"><x14:dataValidations count="1"><x14:dataValidation type="list"><x14:formula1><xm:f>Lists!$A$1:$A$5</xm:f></x14:formula1><xm:sqref>A2:A100</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>"#;
    let xml = format!(r#"{header}<row r="2"><c r="A2"><v>1</v></c></row>"#);
    assert_eq!(
        rows(open(simple(&xml, after, &[])).unwrap()),
        [(2, strings(&["1", "", ""]))]
    );
}

#[test]
fn merged_cells_are_refused_before_any_row() {
    let xml = format!(r#"<row>{}</row><row><c><v>1</v></c></row>"#, inline("a"));
    let after =
        r#"<mergeCells count="2"><mergeCell ref="B4:C4"/><mergeCell ref="A2:A5"/></mergeCells>"#;
    let err = open(simple(&xml, after, &[])).err().unwrap();
    assert!(
        matches!(&err, ReadError::MergedCells { range } if range == "A2:A5"),
        "{err:?}"
    );
}

#[test]
fn parts_are_found_through_their_relationships() {
    let xml = sheet_xml(&format!("<row>{}</row>", inline("code")), "");
    for target in [
        "/xl/worksheets/other.xml",
        "worksheets/other.xml",
        "./worksheets/../worksheets/other.xml",
    ] {
        let bytes = workbook(
            Part::new("xl/worksheets/other.xml", &xml),
            Book {
                sheet_target: Some(target),
                ..Book::default()
            },
        );
        assert_eq!(open(bytes).unwrap().headers(), ["code"], "{target}");
    }
    // A stored (uncompressed) part reads too.
    let bytes = workbook(
        Part::stored("xl/worksheets/sheet1.xml", &xml),
        Book::default(),
    );
    assert_eq!(open(bytes).unwrap().headers(), ["code"]);
    // A workbook whose sheet part is missing.
    let bytes = workbook(
        Part::new("xl/worksheets/nothere.xml", &xml),
        Book::default(),
    );
    assert!(matches!(open(bytes).err().unwrap(), ReadError::NotXlsx(_)));
}

#[test]
fn a_damaged_part_is_refused_by_its_checksum() {
    let xml = sheet_xml(
        &format!("<row>{}</row><row><c><v>1</v></c></row>", inline("a")),
        "",
    );
    let mut sheet = Part::stored("xl/worksheets/sheet1.xml", &xml);
    sheet.crc32 ^= 1;
    let err = open(workbook(sheet, Book::default())).err().unwrap();
    assert!(
        matches!(&err, ReadError::NotXlsx(m) if m.contains("damaged")),
        "{err:?}"
    );
}

/// A small deterministic generator for the fuzz tests.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn read_all(bytes: Vec<u8>) {
    if let Ok(reader) = open(bytes) {
        for record in reader {
            if record.is_err() {
                break;
            }
        }
    }
}

#[test]
fn mangled_xml_never_panics() {
    let header: String = ["a", "b", "c"].iter().map(|h| inline(h)).collect();
    let sheet = String::from_utf8(sheet_xml(
        &format!(
            r#"<row r="1">{header}</row><row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" s="1"><v>45943.5</v></c><c r="C2" t="inlineStr"><is><r><t>x&amp;y</t></r></is></c></row><row r="3"><c r="A3" t="b"><v>1</v></c><c r="C3" t="d"><v>2024-01-01</v></c></row>"#
        ),
        r#"<mergeCells><mergeCell ref="A9:B9"/></mergeCells>"#,
    ))
    .unwrap()
    .into_bytes();
    let shared = shared_xml(&["资产", "_x000D_"]);
    let styles = styles_xml(&[(164, "yyyy-mm-dd")], &[164]);
    let alphabet = b"<>/=\"' &;#x_:rcvtsfis0123456789ABZ\xe4\xb8\xad\xff\n\r\t![]?-";
    let mut rng = Lcg(42);
    for round in 0..600 {
        let mangle = |xml: &[u8], rng: &mut Lcg| {
            let mut xml = xml.to_vec();
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() as usize) % xml.len();
                match rng.next() % 3 {
                    0 => xml[at] = alphabet[(rng.next() as usize) % alphabet.len()],
                    1 => {
                        xml.remove(at);
                    }
                    _ => xml.insert(at, alphabet[(rng.next() as usize) % alphabet.len()]),
                }
            }
            xml
        };
        let (mut s, mut sh, mut st) = (sheet.clone(), shared.clone(), styles.clone());
        match round % 3 {
            0 => s = mangle(&s, &mut rng),
            1 => sh = mangle(&sh, &mut rng),
            _ => st = mangle(&st, &mut rng),
        }
        read_all(workbook(
            Part::new("xl/worksheets/sheet1.xml", &s),
            Book {
                shared: Some(Part::new("xl/sharedStrings.xml", &sh)),
                styles: Some(Part::new("xl/styles.xml", &st)),
                ..Book::default()
            },
        ));
    }
}

#[test]
fn random_and_truncated_files_never_panic() {
    let xml = sheet_xml(
        &format!("<row>{}</row><row><c><v>1</v></c></row>", inline("a")),
        "",
    );
    let whole = workbook(Part::new("xl/worksheets/sheet1.xml", &xml), Book::default());
    for len in 0..whole.len() {
        read_all(whole[..len].to_vec());
    }
    let mut rng = Lcg(7);
    for _ in 0..300 {
        let mut bytes = whole.clone();
        for _ in 0..1 + rng.next() % 8 {
            let at = (rng.next() as usize) % bytes.len();
            bytes[at] = rng.next() as u8;
        }
        read_all(bytes);
    }
    // Parts that are not XML at all.
    for _ in 0..50 {
        let noise: Vec<u8> = (0..2_000).map(|_| rng.next() as u8).collect();
        read_all(zip(&[
            Part::new("xl/workbook.xml", &noise),
            Part::new("xl/worksheets/sheet1.xml", &noise),
        ]));
        read_all(workbook(
            Part::new("xl/worksheets/sheet1.xml", &noise),
            Book::default(),
        ));
    }
}
