//! Opens a CSV or XLSX file with the default [`ReadOptions`] and counts its
//! data rows; used by `bench/xlsx_bombs.py` to measure time and memory.
//!
//! ```text
//! cargo run --release -p castellan-tabular --example read_table -- FILE [--max-part-bytes N]
//! ```
//!
//! Prints `rows N` on success, or `error CODE: MESSAGE` (exit code 1).
//! `--max-part-bytes` replaces that one default, to try another limit.

use std::path::PathBuf;
use std::process::ExitCode;

use castellan_tabular::{ReadOptions, TableReader};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts = ReadOptions::default();
    let (path, rest) = match args.as_slice() {
        [path, rest @ ..] => (PathBuf::from(path), rest),
        [] => return usage(),
    };
    match rest {
        [] => {}
        [flag, n] if flag == "--max-part-bytes" => match n.parse() {
            Ok(n) => opts.max_part_bytes = n,
            Err(_) => return usage(),
        },
        _ => return usage(),
    }
    let result = TableReader::open(&path, &opts).and_then(|reader| {
        let mut rows = 0u64;
        for record in reader {
            record?;
            rows += 1;
        }
        Ok(rows)
    });
    match result {
        Ok(rows) => {
            println!("rows {rows}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            println!("error {}: {err}", err.code());
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: read_table FILE [--max-part-bytes N]");
    ExitCode::from(2)
}
