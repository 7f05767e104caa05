//! XLSX reading of workbooks built here with `rust_xlsxwriter`.

use castellan_tabular::{Format, ReadError, ReadOptions, TableReader};
use rust_xlsxwriter::{ExcelDateTime, Format as XlsxFormat, Workbook, Worksheet};

use super::{first_error, open, rows, strings};

/// A workbook whose first worksheet is filled by `build`.
fn workbook(build: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
    let mut workbook = Workbook::new();
    build(workbook.add_worksheet());
    workbook.save_to_buffer().unwrap()
}

fn header(sheet: &mut Worksheet, names: &[&str]) {
    for (col, name) in (0u16..).zip(names) {
        sheet.write_string(0, col, *name).unwrap();
    }
}

#[test]
fn values_are_rendered_as_text() {
    let bytes = workbook(|sheet| {
        header(sheet, &["code", "count", "ratio", "bought", "seen", "ok"]);
        sheet.write_string(1, 0, "A-1").unwrap();
        sheet.write_number(1, 1, 3.0).unwrap();
        sheet.write_number(1, 2, 2.5).unwrap();
        let date = XlsxFormat::new().set_num_format("yyyy-mm-dd");
        let stamp = XlsxFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let day = ExcelDateTime::from_ymd(2024, 3, 1).unwrap();
        let moment = ExcelDateTime::from_ymd(2024, 3, 1)
            .unwrap()
            .and_hms(13, 30, 5)
            .unwrap();
        sheet.write_datetime_with_format(1, 3, &day, &date).unwrap();
        sheet
            .write_datetime_with_format(1, 4, &moment, &stamp)
            .unwrap();
        sheet.write_boolean(1, 5, true).unwrap();
    });
    let reader = open(&bytes, Format::Xlsx).unwrap();
    assert_eq!(reader.format(), Format::Xlsx);
    assert_eq!(reader.encoding(), None);
    assert_eq!(
        reader.headers(),
        ["code", "count", "ratio", "bought", "seen", "ok"]
    );
    assert_eq!(
        rows(reader),
        [(
            2,
            strings(&[
                "A-1",
                "3",
                "2.5",
                "2024-03-01",
                "2024-03-01T13:30:05",
                "TRUE"
            ])
        )]
    );
}

#[test]
fn line_numbers_are_sheet_rows_and_empty_rows_are_skipped() {
    let bytes = workbook(|sheet| {
        sheet.write_string(2, 1, " code ").unwrap(); // table starts at B3
        sheet.write_string(2, 2, "name").unwrap();
        sheet.write_string(3, 1, "A-1").unwrap();
        sheet.write_string(5, 2, "only a name").unwrap(); // row 5 is empty
    });
    let reader = open(&bytes, Format::Xlsx).unwrap();
    assert_eq!(reader.headers(), ["code", "name"]);
    assert_eq!(
        rows(reader),
        [
            (4, strings(&["A-1", ""])),
            (6, strings(&["", "only a name"]))
        ]
    );
}

#[test]
fn a_value_right_of_the_last_header_is_malformed() {
    let bytes = workbook(|sheet| {
        header(sheet, &["code", "name"]);
        sheet.write_string(1, 0, "A-1").unwrap();
        sheet.write_string(2, 0, "A-2").unwrap();
        sheet.write_string(2, 3, "stray").unwrap();
    });
    let (ok, err) = first_error(open(&bytes, Format::Xlsx).unwrap());
    assert_eq!(ok.len(), 1);
    let ReadError::Malformed { line, reason } = err else {
        panic!("{err:?}")
    };
    assert_eq!(line, 3);
    assert!(reason.contains("D3"), "{reason}");
}

#[test]
fn a_formula_is_refused_with_its_cell() {
    let bytes = workbook(|sheet| {
        header(sheet, &["a", "b", "sum"]);
        sheet.write_number(1, 0, 1).unwrap();
        sheet.write_number(1, 1, 2).unwrap();
        sheet.write_number(2, 0, 3).unwrap();
        sheet.write_number(2, 1, 4).unwrap();
        sheet.write_formula(6, 2, "=A3+B3").unwrap();
    });
    let err = open(&bytes, Format::Xlsx).err().unwrap();
    assert!(
        matches!(&err, ReadError::Formula { cell } if cell == "C7"),
        "{err:?}"
    );
    assert_eq!(err.code(), "formula");
}

#[test]
fn merged_cells_are_refused_with_their_range() {
    let bytes = workbook(|sheet| {
        header(sheet, &["department", "code"]);
        sheet
            .merge_range(1, 0, 4, 0, "IT", &XlsxFormat::new())
            .unwrap();
        for row in 1..=4 {
            sheet.write_string(row, 1, format!("A-{row}")).unwrap();
        }
    });
    let err = open(&bytes, Format::Xlsx).err().unwrap();
    assert!(
        matches!(&err, ReadError::MergedCells { range } if range == "A2:A5"),
        "{err:?}"
    );
    assert_eq!(err.code(), "merged_cells");
}

#[test]
fn an_empty_worksheet_or_file_has_no_header() {
    let bytes = workbook(|_| {});
    assert!(matches!(
        open(&bytes, Format::Xlsx).err().unwrap(),
        ReadError::Empty
    ));
    assert!(matches!(
        open(b"", Format::Xlsx).err().unwrap(),
        ReadError::Empty
    ));
}

#[test]
fn a_file_that_is_not_a_workbook_is_refused() {
    let err = open(b"code,name\nA-1,x\n", Format::Xlsx).err().unwrap();
    assert!(matches!(err, ReadError::NotXlsx(_)), "{err:?}");
    assert_eq!(err.code(), "bad_workbook");

    let mut truncated = workbook(|sheet| header(sheet, &["code"]));
    truncated.truncate(truncated.len() / 2);
    assert!(matches!(
        open(&truncated, Format::Xlsx).err().unwrap(),
        ReadError::NotXlsx(_)
    ));
}

#[test]
fn size_limit_applies_to_workbooks() {
    let bytes = workbook(|sheet| header(sheet, &["code"]));
    let opts = ReadOptions {
        max_bytes: bytes.len() as u64 - 1,
        ..ReadOptions::default()
    };
    let err = TableReader::from_reader(std::io::Cursor::new(bytes), Format::Xlsx, &opts)
        .err()
        .unwrap();
    assert!(matches!(err, ReadError::TooLarge { .. }), "{err:?}");
}

#[test]
fn open_by_path_with_or_without_extension() {
    let bytes = workbook(|sheet| {
        header(sheet, &["code"]);
        sheet.write_string(1, 0, "A-1").unwrap();
    });
    let dir = tempfile::tempdir().unwrap();
    for name in ["assets.XLSX", "upload.bin"] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let reader = TableReader::open(&path, &ReadOptions::default()).unwrap();
        assert_eq!(reader.format(), Format::Xlsx, "{name}");
        assert_eq!(reader.total_bytes(), Some(bytes.len() as u64));
        assert_eq!(reader.bytes_read(), bytes.len() as u64);
        assert_eq!(rows(reader), [(2, strings(&["A-1"]))]);
    }
}

#[test]
fn a_header_only_sheet_has_no_records() {
    let bytes = workbook(|sheet| header(sheet, &["code", "", "name"]));
    let reader = open(&bytes, Format::Xlsx).unwrap();
    assert_eq!(reader.headers(), ["code", "", "name"]);
    assert!(rows(reader).is_empty());
}
