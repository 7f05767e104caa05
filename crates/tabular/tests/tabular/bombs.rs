//! Files built to exhaust memory are refused while they stream.
//!
//! The XLSX bombs inflate to gigabytes (built cheaply, see `package.rs`);
//! reading one whole before checking would take minutes and gigabytes, so a
//! test that finishes at all shows the limit was enforced on the way. The CSV
//! bombs are generated lazily by a `Read` implementation for the same reason.

use std::io::{self, Cursor, Read};

use castellan_tabular::{Format, Limit, ReadError, ReadOptions, TableReader};

use super::first_error;
use super::package::{
    Book, GIB, MIB, Part, shared_xml, sheet_head_tail, sheet_xml, simple, workbook,
};

fn open_xlsx(bytes: Vec<u8>, opts: &ReadOptions) -> Result<TableReader, ReadError> {
    TableReader::from_reader(Cursor::new(bytes), Format::Xlsx, opts)
}

/// The limit an error names, with its place.
fn limit_of(err: &ReadError) -> (Limit, Option<u64>, Option<&str>) {
    match err {
        ReadError::Limit {
            what, line, cell, ..
        } => (*what, *line, cell.as_deref()),
        other => panic!("expected a limit, got {other:?}"),
    }
}

const HEADER_ROW: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>"#;

#[test]
fn an_inline_cell_of_64_mib_is_refused_at_the_cell_limit() {
    let (head, tail) = sheet_head_tail();
    let head = [
        head,
        HEADER_ROW.as_bytes().to_vec(),
        br#"<row r="2"><c r="A2" t="inlineStr"><is><t>"#.to_vec(),
    ]
    .concat();
    let tail = [b"</t></is></c></row>".to_vec(), tail].concat();
    let sheet = Part::repeated(
        "xl/worksheets/sheet1.xml",
        &head,
        &[b'A'; 1 << 20],
        64 * MIB,
        &tail,
    );
    let bytes = workbook(sheet, Book::default());
    assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());

    let reader = open_xlsx(bytes, &ReadOptions::default()).unwrap();
    assert_eq!(reader.headers(), ["code"]);
    let (ok, err) = first_error(reader);
    assert!(ok.is_empty());
    assert_eq!(limit_of(&err), (Limit::CellLength, Some(2), Some("A2")));
    assert_eq!(err.code(), "limit_cell_length");
    assert_eq!(err.to_string(), "cell A2 is longer than 32,767 characters");
}

#[test]
fn a_sheet_inflating_to_4_gib_is_refused_at_the_part_limit() {
    // The finding's second shape: rows of 256 shared-text cells without
    // references, here 4 GiB of them.
    let (head, tail) = sheet_head_tail();
    let row = format!("<row>{}</row>", r#"<c t="s"><v>0</v></c>"#.repeat(256));
    let chunk = row.repeat((1 << 20) / row.len()).into_bytes();
    let sheet = Part::repeated("xl/worksheets/sheet1.xml", &head, &chunk, 4 * GIB, &tail);
    let bytes = workbook(
        sheet,
        Book {
            shared: Some(Part::new("xl/sharedStrings.xml", &shared_xml(&["x"]))),
            ..Book::default()
        },
    );
    let opts = ReadOptions {
        max_part_bytes: 8 * MIB,
        ..ReadOptions::default()
    };
    let err = open_xlsx(bytes, &opts).err().unwrap();
    assert_eq!(limit_of(&err), (Limit::PartSize, None, None));
    assert_eq!(
        err.to_string(),
        "the workbook unpacks to more than 8 MiB in one of its parts; \
         split the table into smaller files"
    );
}

#[test]
fn a_zip_header_that_lies_about_the_size_is_not_trusted() {
    // `Part::repeated` declares 1 KiB for a part that inflates to 4 GiB.
    let (head, tail) = sheet_head_tail();
    let sheet = Part::repeated(
        "xl/worksheets/sheet1.xml",
        &head,
        &[b' '; 1 << 20],
        4 * GIB,
        &tail,
    );
    assert_eq!(sheet.declared_size, 1024);
    let opts = ReadOptions {
        max_part_bytes: 2 * MIB,
        ..ReadOptions::default()
    };
    let err = open_xlsx(workbook(sheet, Book::default()), &opts)
        .err()
        .unwrap();
    assert_eq!(limit_of(&err), (Limit::PartSize, None, None));

    // A size declared far too large is no reason to refuse a small part.
    let mut sheet = Part::new(
        "xl/worksheets/sheet1.xml",
        &sheet_xml(
            r#"<row><c t="inlineStr"><is><t>code</t></is></c></row>"#,
            "",
        ),
    );
    sheet.declared_size = u32::MAX;
    let reader = open_xlsx(workbook(sheet, Book::default()), &opts).unwrap();
    assert_eq!(reader.headers(), ["code"]);
}

#[test]
fn a_shared_text_of_4_gib_is_refused_while_it_inflates() {
    let head = br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>"#;
    let shared = Part::repeated(
        "xl/sharedStrings.xml",
        head,
        &[b'A'; 1 << 20],
        4 * GIB,
        b"</t></si></sst>",
    );
    let sheet = Part::new(
        "xl/worksheets/sheet1.xml",
        &sheet_xml(r#"<row><c t="s"><v>0</v></c></row>"#, ""),
    );
    let bytes = workbook(
        sheet,
        Book {
            shared: Some(shared),
            ..Book::default()
        },
    );
    let err = open_xlsx(bytes, &ReadOptions::default()).err().unwrap();
    assert_eq!(limit_of(&err), (Limit::CellLength, None, None));
    assert_eq!(
        err.to_string(),
        "a text in the workbook is longer than 32,767 characters"
    );
}

#[test]
fn the_shared_text_table_is_bounded_in_count_and_size() {
    let head = br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;
    let item = "<si><t>ab</t></si>".repeat(1 << 16).into_bytes();
    let many = || Part::repeated("xl/sharedStrings.xml", head, &item, 4 * GIB, b"</sst>");
    let sheet = || Part::new("xl/worksheets/sheet1.xml", &sheet_xml("", ""));
    let book = |shared| Book {
        shared: Some(shared),
        ..Book::default()
    };

    let opts = ReadOptions {
        max_shared_strings: 100_000,
        ..ReadOptions::default()
    };
    let err = open_xlsx(workbook(sheet(), book(many())), &opts)
        .err()
        .unwrap();
    assert_eq!(limit_of(&err), (Limit::SharedStrings, None, None));
    assert_eq!(
        err.to_string(),
        "the workbook holds more than 100,000 different texts; split it into smaller files"
    );

    let opts = ReadOptions {
        max_shared_string_bytes: MIB,
        ..ReadOptions::default()
    };
    let err = open_xlsx(workbook(sheet(), book(many())), &opts)
        .err()
        .unwrap();
    assert_eq!(limit_of(&err), (Limit::SharedStringsSize, None, None));
    assert_eq!(err.code(), "limit_shared_strings_size");
}

#[test]
fn rows_beyond_the_limit_are_refused_at_the_first_one_over() {
    let rows: String = (1..=2_000)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#))
        .collect();
    let opts = ReadOptions {
        max_rows: 1_000,
        ..ReadOptions::default()
    };
    let (ok, err) = first_error(open_xlsx(simple(&rows, "", &[]), &opts).unwrap());
    assert_eq!(ok.len(), 999, "the header is a row");
    assert_eq!(limit_of(&err), (Limit::Rows, Some(1_001), None));
    assert_eq!(
        err.to_string(),
        "line 1001: the table has more than 1,000 rows; split it into smaller files"
    );
}

#[test]
fn a_value_beyond_the_last_allowed_column_is_refused() {
    let rows = r#"<row r="1"><c r="A1"><v>1</v></c><c r="K1"><v>2</v></c></row>"#;
    let opts = ReadOptions {
        max_columns: 10,
        ..ReadOptions::default()
    };
    let err = open_xlsx(simple(rows, "", &[]), &opts).err().unwrap();
    assert_eq!(limit_of(&err), (Limit::Columns, Some(1), Some("K1")));
    assert_eq!(
        err.to_string(),
        "cell K1 lies beyond the limit of 10 columns"
    );
    // Empty cells far right (formatting only) are no reason to refuse.
    let rows = r#"<row r="1"><c r="A1"><v>1</v></c><c r="XFD1" s="1"/></row>"#;
    assert!(open_xlsx(simple(rows, "", &[]), &opts).is_ok());
}

#[test]
fn a_long_text_repeated_across_a_row_is_bounded() {
    // One shared text of 30,000 characters, referenced by 200 cells: 6 MB
    // of text from a few kilobytes of XML.
    let long = "x".repeat(30_000);
    let header: String = (0..200)
        .map(|c| format!(r#"<c t="inlineStr"><is><t>h{c}</t></is></c>"#))
        .collect();
    let row: String = r#"<c t="s"><v>0</v></c>"#.repeat(200);
    let rows = format!("<row>{header}</row><row>{row}</row>");
    let bytes = simple(&rows, "", &[&long]);
    let (ok, err) = first_error(open_xlsx(bytes.clone(), &ReadOptions::default()).unwrap());
    assert!(ok.is_empty());
    assert_eq!(limit_of(&err), (Limit::RowSize, Some(2), None));
    assert_eq!(err.code(), "limit_row_size");

    let opts = ReadOptions {
        max_row_bytes: u64::MAX,
        max_text_bytes: 3 * MIB,
        ..ReadOptions::default()
    };
    let (_, err) = first_error(open_xlsx(bytes, &opts).unwrap());
    assert_eq!(limit_of(&err), (Limit::TextSize, Some(2), None));
}

/// A CSV produced on the fly: `head`, then `fill` repeated `count` times,
/// then `tail`.
struct Lazy {
    parts: Vec<(Vec<u8>, u64)>,
    pos: usize,
}

impl Lazy {
    fn new(head: &str, fill: &str, count: u64, tail: &str) -> Self {
        let mut parts = vec![
            (head.as_bytes().to_vec(), 1),
            (fill.as_bytes().to_vec(), count),
            (tail.as_bytes().to_vec(), 1),
        ];
        parts.retain(|(bytes, count)| !bytes.is_empty() && *count > 0);
        parts.reverse();
        Lazy { parts, pos: 0 }
    }
}

impl Read for Lazy {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some((bytes, count)) = self.parts.last_mut() else {
            return Ok(0);
        };
        let n = (bytes.len() - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&bytes[self.pos..self.pos + n]);
        self.pos += n;
        if self.pos == bytes.len() {
            self.pos = 0;
            *count -= 1;
            if *count == 0 {
                self.parts.pop();
            }
        }
        Ok(n)
    }
}

fn open_csv(source: Lazy, opts: &ReadOptions) -> Result<TableReader, ReadError> {
    TableReader::from_reader(source, Format::Csv, opts)
}

#[test]
fn a_quoted_csv_cell_of_200_mib_is_not_buffered() {
    let source = Lazy::new("code,notes\nA-1,ok\nA-2,\"", "x", 200 * MIB, "\"\n");
    let (ok, err) = first_error(open_csv(source, &ReadOptions::default()).unwrap());
    assert_eq!(ok.len(), 1);
    assert_eq!(limit_of(&err), (Limit::CellLength, Some(3), None));
    assert_eq!(
        err.to_string(),
        "line 3: a cell is longer than 32,767 characters"
    );
    // Unquoted, and in the header.
    let source = Lazy::new("", "y", 200 * MIB, "\n");
    let err = open_csv(source, &ReadOptions::default()).err().unwrap();
    assert_eq!(limit_of(&err), (Limit::CellLength, Some(1), None));
}

#[test]
fn csv_cell_length_counts_characters_not_bytes_or_quotes() {
    let opts = ReadOptions {
        max_cell_chars: 4,
        ..ReadOptions::default()
    };
    let fits = "a,b\r\n资产编号,\"\"\"x\"\"\"\r\n\"ab\nc\",1\r\n";
    let rows: Vec<_> = TableReader::from_reader(Cursor::new(fits), Format::Csv, &opts)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].cells, ["资产编号", "\"x\""]);
    for too_long in [
        "a,b\n1,资产编号表\n",
        "a,b\n1,\"ab\"\"cd\"\n",
        "a,b\n1,\"abc\r\nd\"\n",
    ] {
        let (_, err) = first_error(
            TableReader::from_reader(Cursor::new(too_long), Format::Csv, &opts).unwrap(),
        );
        assert_eq!(
            limit_of(&err),
            (Limit::CellLength, Some(2), None),
            "{too_long:?}"
        );
    }
}

#[test]
fn a_csv_row_of_a_million_columns_is_refused_at_the_limit() {
    let source = Lazy::new("a", ",", 1_000_000, "\n");
    let err = open_csv(source, &ReadOptions::default()).err().unwrap();
    assert_eq!(limit_of(&err), (Limit::Columns, Some(1), None));
    assert_eq!(
        err.to_string(),
        "line 1: the row has more than 1,024 columns"
    );

    let opts = ReadOptions {
        max_columns: 3,
        ..ReadOptions::default()
    };
    let source = Lazy::new("a,b,c\n1,2,3\n\"x,y\",2,3\n", "1,2,3,4\n", 1, "");
    let (ok, err) = first_error(open_csv(source, &opts).unwrap());
    assert_eq!(ok.len(), 2, "quoted separators are text");
    assert_eq!(limit_of(&err), (Limit::Columns, Some(4), None));
}

#[test]
fn csv_rows_beyond_the_limit_are_refused() {
    let opts = ReadOptions {
        max_rows: 10,
        ..ReadOptions::default()
    };
    let source = Lazy::new("code\n", "A-1\n", 1_000_000_000, "");
    let (ok, err) = first_error(open_csv(source, &opts).unwrap());
    assert_eq!(ok.len(), 9);
    assert_eq!(limit_of(&err), (Limit::Rows, Some(11), None));
}
