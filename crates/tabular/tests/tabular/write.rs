//! Writing CSV and XLSX, and reading the output back.

use std::io::{Cursor, Read};

use castellan_tabular::{
    Cell, Encoding, Format, ReadOptions, TableReader, TableWriter, WriteError, neutralize,
};

use super::{open, rows, strings};

const HEADERS: [&str; 4] = ["code", "name", "count", "notes"];

fn sample_rows(writer: &mut TableWriter<impl std::io::Write + Send>) {
    writer
        .row(&[
            Cell::Text("A-1"),
            Cell::Text("核心交换机"),
            Cell::Int(42),
            Cell::Empty,
        ])
        .unwrap();
    writer
        .row(&[
            Cell::Text("A-2"),
            Cell::Text("=1+1"),
            Cell::Int(-5),
            Cell::Text("-5"),
        ])
        .unwrap();
    writer
        .row(&[
            Cell::Text("A-3"),
            Cell::Text("a, \"b\"\nc"),
            Cell::Int(i64::from(i32::MAX)),
            Cell::Text("@x"),
        ])
        .unwrap();
}

fn expected_rows() -> Vec<(u64, Vec<String>)> {
    vec![
        (2, strings(&["A-1", "核心交换机", "42", ""])),
        (3, strings(&["A-2", "'=1+1", "-5", "'-5"])),
        (4, strings(&["A-3", "a, \"b\"\nc", "2147483647", "'@x"])),
    ]
}

#[test]
fn neutralize_marks_formula_like_text() {
    assert_eq!(neutralize("=1+1"), "'=1+1");
    assert_eq!(neutralize("+86 10 1234"), "'+86 10 1234");
    // Text that looks like a negative number is still text: it is prefixed.
    assert_eq!(neutralize("-5"), "'-5");
    assert_eq!(neutralize("@cmd"), "'@cmd");
    assert_eq!(neutralize("\t=x"), "'\t=x");
    assert_eq!(neutralize("\r=x"), "'\r=x");
    assert_eq!(neutralize("A-1"), "A-1");
    assert_eq!(neutralize(""), "");
}

#[test]
fn csv_output_has_bom_crlf_quoting_and_neutralized_text() {
    let mut writer = TableWriter::csv(Vec::new(), &HEADERS).unwrap();
    sample_rows(&mut writer);
    let bytes = writer.finish().unwrap();
    let expected = "\u{feff}code,name,count,notes\r\n\
                    A-1,核心交换机,42,\r\n\
                    A-2,'=1+1,-5,'-5\r\n\
                    A-3,\"a, \"\"b\"\"\nc\",2147483647,'@x\r\n";
    assert_eq!(String::from_utf8(bytes).unwrap(), expected);
}

#[test]
fn csv_round_trip() {
    let mut writer = TableWriter::csv(Cursor::new(Vec::new()), &HEADERS).unwrap();
    sample_rows(&mut writer);
    let bytes = writer.finish().unwrap().into_inner();
    let reader = open(&bytes, Format::Csv).unwrap();
    assert_eq!(reader.encoding(), Some(Encoding::Utf8Bom));
    assert_eq!(reader.headers(), HEADERS);
    assert_eq!(rows(reader), expected_rows());
}

#[test]
fn csv_headers_are_neutralized_too() {
    let writer = TableWriter::csv(Vec::new(), &["=cmd", "ok"]).unwrap();
    let text = String::from_utf8(writer.finish().unwrap()).unwrap();
    assert_eq!(text, "\u{feff}'=cmd,ok\r\n");
}

#[test]
fn xlsx_round_trip_in_memory() {
    let mut writer = TableWriter::xlsx(Cursor::new(Vec::new()), "资产", &HEADERS).unwrap();
    sample_rows(&mut writer);
    let bytes = writer.finish().unwrap().into_inner();
    let reader = open(&bytes, Format::Xlsx).unwrap();
    assert_eq!(reader.headers(), HEADERS);
    assert_eq!(rows(reader), expected_rows());
}

#[test]
fn xlsx_round_trip_through_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("assets.xlsx");
    let mut writer =
        TableWriter::xlsx(std::fs::File::create(&path).unwrap(), "Assets", &HEADERS).unwrap();
    sample_rows(&mut writer);
    drop(writer.finish().unwrap());
    let reader = TableReader::open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(rows(reader), expected_rows());
}

/// The XML of one part of an XLSX package.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn xlsx_header_is_bold_frozen_and_filtered_and_text_is_never_a_formula() {
    let mut writer = TableWriter::xlsx(Vec::new(), "资产", &HEADERS).unwrap();
    sample_rows(&mut writer);
    let bytes = writer.finish().unwrap();

    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"ySplit="1""#) && sheet.contains(r#"state="frozen""#),
        "{sheet}"
    );
    assert!(sheet.contains(r#"<autoFilter ref="A1:D4"/>"#), "{sheet}");
    assert!(!sheet.contains("<f>"), "no formula may be written: {sheet}");
    // Header cells carry a style, data cells do not.
    assert!(
        sheet.contains(r#"<c r="A1" s="1" t="inlineStr">"#),
        "{sheet}"
    );
    assert!(sheet.contains(r#"<c r="A2" t="inlineStr">"#), "{sheet}");
    assert!(part(&bytes, "xl/styles.xml").contains("<b/>"));
    assert!(part(&bytes, "xl/workbook.xml").contains(r#"name="资产""#));
}

#[test]
fn rows_must_match_the_header() {
    let mut csv = TableWriter::csv(Vec::new(), &HEADERS).unwrap();
    let err = csv.row(&[Cell::Text("A-1")]).unwrap_err();
    assert!(
        matches!(&err, WriteError::Io(io) if io.kind() == std::io::ErrorKind::InvalidInput),
        "{err:?}"
    );

    let mut xlsx = TableWriter::xlsx(Vec::new(), "Sheet1", &HEADERS).unwrap();
    assert!(matches!(
        xlsx.row(&[Cell::Empty; 5]).unwrap_err(),
        WriteError::Io(_)
    ));
}

#[test]
fn invalid_sheet_name_is_an_xlsx_error() {
    let err = TableWriter::xlsx(Vec::new(), "a/b", &HEADERS)
        .err()
        .unwrap();
    assert!(matches!(err, WriteError::Xlsx(_)), "{err:?}");
}

#[test]
fn writer_is_send() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<TableWriter<std::fs::File>>();
    assert_send::<TableWriter<Cursor<Vec<u8>>>>();
}
