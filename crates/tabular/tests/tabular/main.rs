//! Integration tests of `castellan-tabular`: one test binary, one module per
//! area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod bombs;
mod csv_read;
mod csv_stream;
mod package;
mod write;
mod xlsx_parts;
mod xlsx_read;

use std::io::Cursor;

use castellan_tabular::{Format, ReadError, ReadOptions, Record, TableReader};

/// Opens in-memory bytes with default options.
fn open(bytes: &[u8], format: Format) -> Result<TableReader, ReadError> {
    TableReader::from_reader(Cursor::new(bytes.to_vec()), format, &ReadOptions::default())
}

/// Reads every record, panicking on any error.
fn records(reader: TableReader) -> Vec<Record> {
    reader.collect::<Result<Vec<_>, _>>().unwrap()
}

/// `(line, cells)` pairs, for compact assertions.
fn rows(reader: TableReader) -> Vec<(u64, Vec<String>)> {
    records(reader)
        .into_iter()
        .map(|r| (r.line, r.cells))
        .collect()
}

/// The first error of a reader, with the records that came before it.
fn first_error(reader: TableReader) -> (Vec<Record>, ReadError) {
    let mut ok = Vec::new();
    let mut reader = reader;
    loop {
        match reader.next() {
            Some(Ok(record)) => ok.push(record),
            Some(Err(err)) => {
                assert!(
                    reader.next().is_none(),
                    "the iterator must stop after an error"
                );
                return (ok, err);
            }
            None => panic!(
                "expected an error, the table ended after {} records",
                ok.len()
            ),
        }
    }
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}
