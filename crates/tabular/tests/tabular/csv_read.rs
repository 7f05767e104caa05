//! CSV reading: encodings, structure errors, delimiters, limits.

use std::io::Write;

use castellan_tabular::{Encoding, Format, ReadError, ReadOptions, TableReader};
use encoding_rs::GB18030;

use super::{first_error, open, rows, strings};

#[test]
fn utf8_without_bom() {
    let reader = open(
        "code,name\nA-1,核心交换机\nA-2, spaced \n".as_bytes(),
        Format::Csv,
    )
    .unwrap();
    assert_eq!(reader.format(), Format::Csv);
    assert_eq!(reader.encoding(), Some(Encoding::Utf8));
    assert_eq!(reader.headers(), ["code", "name"]);
    assert_eq!(
        rows(reader),
        [
            (2, strings(&["A-1", "核心交换机"])),
            (3, strings(&["A-2", " spaced "]))
        ]
    );
}

#[test]
fn utf8_with_bom_is_stripped_from_the_first_header() {
    let reader = open("\u{feff}code,name\nA-1,防火墙\n".as_bytes(), Format::Csv).unwrap();
    assert_eq!(reader.encoding(), Some(Encoding::Utf8Bom));
    assert_eq!(reader.headers(), ["code", "name"]);
    assert_eq!(rows(reader), [(2, strings(&["A-1", "防火墙"]))]);
}

#[test]
fn headers_are_trimmed_but_cells_are_not() {
    let reader = open(b" code ,\tname \n a , b \n", Format::Csv).unwrap();
    assert_eq!(reader.headers(), ["code", "name"]);
    assert_eq!(rows(reader), [(2, strings(&[" a ", " b "]))]);
}

#[test]
fn gb18030_is_detected_and_decoded() {
    let (bytes, _, unmappable) = GB18030.encode("资产编号,名称\nA-1,核心交换机\n");
    assert!(!unmappable);
    let reader = open(&bytes, Format::Csv).unwrap();
    assert_eq!(reader.encoding(), Some(Encoding::Gb18030));
    assert_eq!(reader.headers(), ["资产编号", "名称"]);
    assert_eq!(rows(reader), [(2, strings(&["A-1", "核心交换机"]))]);
}

#[test]
fn gb18030_streams_across_many_chunks() {
    let mut text = String::from("编号,名称,位置\n");
    for i in 0..20_000 {
        text.push_str(&format!("A-{i},核心交换机{i},机房{}\n", i % 7));
    }
    let (bytes, _, _) = GB18030.encode(&text);
    assert!(bytes.len() > 4 * 64 * 1024);
    let reader = open(&bytes, Format::Csv).unwrap();
    assert_eq!(reader.encoding(), Some(Encoding::Gb18030));
    let all = rows(reader);
    assert_eq!(all.len(), 20_000);
    assert_eq!(
        all[19_999],
        (20_001, strings(&["A-19999", "核心交换机19999", "机房0"]))
    );
}

#[test]
fn bytes_that_are_neither_utf8_nor_gb18030_are_refused() {
    let reader = open(b"code,name\nA-1,ok\nA-2,\xff\xfe\n", Format::Csv).unwrap();
    let (ok, err) = first_error(reader);
    assert_eq!(ok.len(), 1);
    assert!(matches!(err, ReadError::Encoding { line: 3 }), "{err:?}");
    assert_eq!(err.code(), "bad_encoding");
}

#[test]
fn utf8_broken_after_the_sniffed_prefix_is_refused_with_its_line() {
    let mut bytes = b"code,name\n".to_vec();
    for i in 0..10_000 {
        bytes.extend_from_slice(format!("A-{i},交换机\n").as_bytes());
    }
    assert!(bytes.len() > 64 * 1024);
    bytes.extend_from_slice(b"BAD,\xd7\xca\xb2\xfa\n"); // GBK bytes in a UTF-8 file
    let reader = open(&bytes, Format::Csv).unwrap();
    assert_eq!(reader.encoding(), Some(Encoding::Utf8));
    let (ok, err) = first_error(reader);
    assert_eq!(ok.len(), 10_000);
    assert!(
        matches!(err, ReadError::Encoding { line: 10_002 }),
        "{err:?}"
    );
}

#[test]
fn empty_inputs_have_no_header() {
    for bytes in [&b""[..], b"\xEF\xBB\xBF", b"\n\n\r\n", b",,\n,,\n"] {
        let err = open(bytes, Format::Csv).err().unwrap();
        assert!(matches!(err, ReadError::Empty), "{bytes:?}: {err:?}");
        assert_eq!(err.code(), "empty_file");
    }
}

#[test]
fn header_only_file_has_no_records() {
    let reader = open(b"code,name\r\n", Format::Csv).unwrap();
    assert_eq!(reader.headers(), ["code", "name"]);
    assert!(rows(reader).is_empty());
}

#[test]
fn stray_quote_after_a_closing_quote_is_malformed_at_its_line() {
    let reader = open(
        b"code,name,notes\nA-1,x,y\nA-2,\"bad\"x,z\nA-3,q,r\n",
        Format::Csv,
    )
    .unwrap();
    let (ok, err) = first_error(reader);
    assert_eq!(ok.len(), 1);
    let ReadError::Malformed { line, reason } = err else {
        panic!("{err:?}")
    };
    assert_eq!(line, 3);
    assert!(reason.contains("stray quote"), "{reason}");
}

#[test]
fn stray_opening_quote_in_the_middle_shows_as_a_cell_count() {
    let csv = b"code,name,notes\nA-1,x,y\nA-2,\"a,b\nA-3,c,d\",e,f,g\nA-4,h,i\n";
    let (ok, err) = first_error(open(csv, Format::Csv).unwrap());
    assert_eq!(ok.len(), 1);
    let ReadError::Malformed { line, reason } = err else {
        panic!("{err:?}")
    };
    assert_eq!(line, 3);
    assert_eq!(
        reason,
        "row has 5 cells, the header has 3 — check for a stray quote (\") or a missing or extra comma"
    );
}

#[test]
fn unclosed_quote_at_the_end_is_malformed_at_the_row_where_it_opens() {
    let csv = b"code,name\nA-1,x\nA-2,\"never closed\nA-3,y\n";
    let (ok, err) = first_error(open(csv, Format::Csv).unwrap());
    assert_eq!(ok.len(), 1);
    let ReadError::Malformed { line, reason } = err else {
        panic!("{err:?}")
    };
    assert_eq!(line, 3);
    assert!(reason.contains("never closed"), "{reason}");
}

#[test]
fn unclosed_quote_in_the_last_cell_without_newline() {
    let (_, err) = first_error(open(b"code,name\nA-1,\"x", Format::Csv).unwrap());
    assert!(
        matches!(err, ReadError::Malformed { line: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn unequal_row_lengths_are_malformed() {
    let (ok, err) = first_error(open(b"a,b,c\n1,2,3\n1,2\n", Format::Csv).unwrap());
    assert_eq!(ok.len(), 1);
    let ReadError::Malformed { line, reason } = err else {
        panic!("{err:?}")
    };
    assert_eq!(line, 3);
    assert!(
        reason.starts_with("row has 2 cells, the header has 3"),
        "{reason}"
    );

    let (_, err) = first_error(open(b"a,b\n1,2,3,4\n", Format::Csv).unwrap());
    let ReadError::Malformed { line, reason } = err else {
        panic!("{err:?}")
    };
    assert_eq!(line, 2);
    assert!(
        reason.starts_with("row has 4 cells, the header has 2"),
        "{reason}"
    );
    assert_eq!(ReadError::Malformed { line, reason }.code(), "malformed");
}

#[test]
fn a_single_cell_row_says_cell() {
    let (_, err) = first_error(open(b"a,b\nonly\n", Format::Csv).unwrap());
    assert!(
        err.to_string()
            .starts_with("line 2: row has 1 cell, the header has 2"),
        "{err}"
    );
}

#[test]
fn crlf_line_ends() {
    let reader = open(b"code,name\r\nA-1,x\r\nA-2,y\r\n", Format::Csv).unwrap();
    assert_eq!(reader.headers(), ["code", "name"]);
    assert_eq!(
        rows(reader),
        [(2, strings(&["A-1", "x"])), (3, strings(&["A-2", "y"]))]
    );
}

#[test]
fn quoted_cells_with_newlines_keep_later_line_numbers_right() {
    let csv =
        "code,notes\r\nA-1,\"first\r\nsecond\nthird\"\r\nA-2,\"say \"\"hi\"\", ok\"\r\nA-3,z\r\n";
    let reader = open(csv.as_bytes(), Format::Csv).unwrap();
    assert_eq!(
        rows(reader),
        [
            (2, strings(&["A-1", "first\r\nsecond\nthird"])),
            (5, strings(&["A-2", "say \"hi\", ok"])),
            (6, strings(&["A-3", "z"])),
        ]
    );
}

#[test]
fn quote_inside_an_unquoted_cell_is_text() {
    let reader = open(b"item,size\npipe,5\" wide\n", Format::Csv).unwrap();
    assert_eq!(rows(reader), [(2, strings(&["pipe", "5\" wide"]))]);
}

#[test]
fn semicolon_and_tab_delimiters_are_detected() {
    let reader = open(b"code;name;note\nA-1;x,y;\n", Format::Csv).unwrap();
    assert_eq!(reader.headers(), ["code", "name", "note"]);
    assert_eq!(rows(reader), [(2, strings(&["A-1", "x,y", ""]))]);

    let reader = open(b"code\tname\nA-1\tx;y\n", Format::Csv).unwrap();
    assert_eq!(reader.headers(), ["code", "name"]);
    assert_eq!(rows(reader), [(2, strings(&["A-1", "x;y"]))]);

    let (_, err) = first_error(open(b"a;b\n1;2;3\n", Format::Csv).unwrap());
    assert!(
        err.to_string().ends_with("a missing or extra semicolon"),
        "{err}"
    );
}

#[test]
fn completely_empty_rows_are_skipped() {
    let reader = open(b"a,b\n1,2\n\n,\n3,\n\r\n,4\n,,,\n", Format::Csv).unwrap();
    assert_eq!(
        rows(reader),
        [
            (2, strings(&["1", "2"])),
            (5, strings(&["3", ""])),
            (7, strings(&["", "4"]))
        ]
    );
}

#[test]
fn size_limit_applies_to_streamed_input() {
    let bytes = b"code,name\nA-1,x\nA-2,y\n".to_vec();
    let exact = ReadOptions {
        max_bytes: bytes.len() as u64,
        ..ReadOptions::default()
    };
    let reader =
        TableReader::from_reader(std::io::Cursor::new(bytes.clone()), Format::Csv, &exact).unwrap();
    assert_eq!(rows(reader).len(), 2);

    let small = ReadOptions {
        max_bytes: 12,
        ..ReadOptions::default()
    };
    let err = TableReader::from_reader(std::io::Cursor::new(bytes), Format::Csv, &small)
        .err()
        .unwrap();
    assert!(matches!(err, ReadError::TooLarge { limit: 12 }), "{err:?}");
    assert_eq!(err.code(), "too_large");
}

#[test]
fn size_limit_beyond_the_sniffed_prefix_stops_the_stream() {
    let mut bytes = b"code,name\n".to_vec();
    while bytes.len() < 200 * 1024 {
        bytes.extend_from_slice(b"A-1,xxxxxxxxxxxxxxxxxxxx\n");
    }
    let opts = ReadOptions {
        max_bytes: 100 * 1024,
        ..ReadOptions::default()
    };
    let reader = TableReader::from_reader(std::io::Cursor::new(bytes), Format::Csv, &opts).unwrap();
    let (ok, err) = first_error(reader);
    assert!(!ok.is_empty());
    assert!(
        matches!(err, ReadError::TooLarge { limit } if limit == 100 * 1024),
        "{err:?}"
    );
}

#[test]
fn open_checks_the_file_length_and_reports_progress() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("assets.CSV");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(b"code,name\nA-1,x\nA-2,y\n").unwrap();
    drop(file);

    let err = TableReader::open(
        &path,
        &ReadOptions {
            max_bytes: 10,
            ..ReadOptions::default()
        },
    )
    .err()
    .unwrap();
    assert!(matches!(err, ReadError::TooLarge { limit: 10 }), "{err:?}");

    let mut reader = TableReader::open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(reader.format(), Format::Csv);
    assert_eq!(reader.total_bytes(), Some(22));
    assert_eq!(reader.by_ref().count(), 2);
    assert_eq!(reader.bytes_read(), 22);
}

#[test]
fn open_without_extension_sniffs_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("upload");
    std::fs::write(&path, b"code\nA-1\n").unwrap();
    let reader = TableReader::open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(reader.format(), Format::Csv);
    assert_eq!(rows(reader), [(2, strings(&["A-1"]))]);
}

#[test]
fn open_missing_file_is_an_io_error() {
    let err = TableReader::open(
        std::path::Path::new("/nonexistent/x.csv"),
        &ReadOptions::default(),
    )
    .err()
    .unwrap();
    assert_eq!(err.code(), "io");
}

#[test]
fn reader_is_send() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<TableReader>();
}

#[test]
fn line_numbers_survive_blank_lines_and_a_missing_final_newline() {
    let reader = open(
        b"\n\r\ncode,notes\n\nA-1,x\nA-2,\"multi\nline\"",
        Format::Csv,
    )
    .unwrap();
    assert_eq!(reader.headers(), ["code", "notes"]);
    assert_eq!(
        rows(reader),
        [
            (5, strings(&["A-1", "x"])),
            (6, strings(&["A-2", "multi\nline"]))
        ]
    );

    let reader = open(b"code\r\nA-1\r\n\r\nA-2", Format::Csv).unwrap();
    assert_eq!(
        rows(reader),
        [(2, strings(&["A-1"])), (4, strings(&["A-2"]))]
    );
}
