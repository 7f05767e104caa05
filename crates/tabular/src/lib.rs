//! Reading and writing spreadsheet-like tables (CSV and XLSX) at CMDB scale.
//!
//! This crate knows nothing about assets, risks or any other Castellan domain
//! object: it turns a file into a header row plus a stream of [`Record`]s, and
//! a header row plus rows of [`Cell`]s back into a file. Validation of the
//! cells (which column means what, which values are allowed) belongs to the
//! caller.
//!
//! # Reading
//!
//! [`TableReader`] streams CSV in constant memory (a 1,000,000-row file is
//! never held in RAM) and detects the text encoding (UTF-8 with or without a
//! byte-order mark, or GB18030/GBK as Excel writes it in China). XLSX is
//! streamed too: the first worksheet is inflated and parsed row by row, and
//! only the workbook's shared-text table is held in memory. A worksheet with
//! formulas or merged cells is refused before any row is returned (one cheap
//! pass over the sheet looks for them first), because neither survives an
//! import unambiguously.
//!
//! Every size is bounded by [`ReadOptions`] and checked while the bytes go
//! by, never after inflating or buffering: the unpacked size of each part of
//! a workbook, rows, columns, the length of one cell and of one row, all
//! text together, the shared-text table. A file that crosses a limit is
//! refused with [`ReadError::Limit`], whose [`Limit`] says which, so a small
//! upload that unpacks to gigabytes costs a fraction of a second and a few
//! megabytes. `bench/xlsx_bombs.py` measures this.
//!
//! # Writing
//!
//! [`TableWriter`] writes CSV (UTF-8 with BOM, CRLF, so Excel opens Chinese
//! text correctly) or XLSX (bold frozen header with an autofilter). Every text
//! cell goes through [`neutralize`] first, the defence against formula
//! injection when the file is opened in a spreadsheet program.

mod csv_read;
mod decode;
mod error;
mod quotes;
mod read;
mod write;
mod xlsx;

use std::path::Path;

pub use error::{Limit, ReadError, WriteError};
pub use read::{ReadOptions, Record, TableReader};
pub use write::{Cell, TableWriter, neutralize};

/// The file formats this crate reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values (RFC 4180), also `;`- or TAB-separated on input.
    Csv,
    /// Office Open XML workbook (Excel 2007 and later).
    Xlsx,
}

impl Format {
    /// The format named by the file extension (`.csv` or `.xlsx`, in any
    /// letter case), or `None` for any other or no extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?;
        if ext.eq_ignore_ascii_case("csv") {
            Some(Format::Csv)
        } else if ext.eq_ignore_ascii_case("xlsx") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }

    /// Guesses the format from the first bytes of a file: a ZIP local file
    /// header (`PK\x03\x04`) means XLSX, anything else is treated as CSV.
    pub fn sniff(first_bytes: &[u8]) -> Format {
        if first_bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

/// The text encoding detected in a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 starting with the byte-order mark `EF BB BF` (Excel's "CSV UTF-8").
    Utf8Bom,
    /// GB18030, the superset of GBK/GB2312 that Excel uses for "CSV" on Chinese
    /// Windows.
    Gb18030,
}

impl Encoding {
    /// A short human-readable name, e.g. for an import report.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Gb18030 => "GB18030",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_extension_ignores_case() {
        assert_eq!(Format::from_path(Path::new("a/b.CSV")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("x.Xlsx")), Some(Format::Xlsx));
        assert_eq!(Format::from_path(Path::new("x.xls")), None);
        assert_eq!(Format::from_path(Path::new("noext")), None);
    }

    #[test]
    fn sniff_recognises_zip_magic() {
        assert_eq!(Format::sniff(b"PK\x03\x04rest"), Format::Xlsx);
        assert_eq!(Format::sniff(b"PK"), Format::Csv);
        assert_eq!(Format::sniff(b"code,name"), Format::Csv);
        assert_eq!(Format::sniff(b""), Format::Csv);
    }

    #[test]
    fn encoding_labels() {
        assert_eq!(Encoding::Utf8.label(), "UTF-8");
        assert_eq!(Encoding::Utf8Bom.label(), "UTF-8 (BOM)");
        assert_eq!(Encoding::Gb18030.label(), "GB18030");
    }
}
