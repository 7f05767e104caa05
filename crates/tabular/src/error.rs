//! Errors of reading and writing tables. Messages are written for the person
//! who made the file, not for a programmer; `code()` gives a stable
//! machine-readable name for each kind.

/// Why a table could not be read. Reading stops at the first error.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file has no header row at all (zero bytes, only blank lines or an
    /// empty worksheet).
    #[error("the file is empty: there is no header row")]
    Empty,
    /// The input is larger than [`crate::ReadOptions::max_bytes`].
    #[error("the file is larger than the limit of {}", human_size(*limit))]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The bytes are neither UTF-8 nor GB18030, or UTF-8 breaks off mid-file.
    #[error(
        "line {line}: the text is neither UTF-8 nor GB18030 (GBK); \
         save the file again as \"CSV UTF-8\" and retry"
    )]
    Encoding {
        /// The (approximate, for GB18030) 1-based line of the bad bytes.
        line: u64,
    },
    /// The CSV structure is broken: a row has the wrong number of cells, or a
    /// quote is stray or never closed.
    #[error("line {line}: {reason}")]
    Malformed {
        /// The 1-based line where the broken row starts.
        line: u64,
        /// What is wrong, in words a non-programmer understands.
        reason: String,
    },
    /// The worksheet contains a formula.
    #[error(
        "cell {cell} contains a formula; formulas are not imported \
         (copy the sheet and paste it as values only)"
    )]
    Formula {
        /// The first cell with a formula, e.g. `C7`.
        cell: String,
    },
    /// The worksheet contains merged cells.
    #[error("cells {range} are merged; unmerge them and fill in every cell")]
    MergedCells {
        /// The first merged range, e.g. `A2:A5`.
        range: String,
    },
    /// The file goes beyond one of the limits of [`crate::ReadOptions`]. It is
    /// noticed while the file is read, before the oversized part is held in
    /// memory, so a small file that unpacks to gigabytes is refused cheaply.
    #[error("{}", limit_message(*what, *limit, *line, cell.as_deref()))]
    Limit {
        /// Which limit.
        what: Limit,
        /// The limit's value (rows, columns, characters, texts or bytes, as
        /// [`Limit`] says).
        limit: u64,
        /// The 1-based line (CSV) or sheet row (XLSX) where it was noticed,
        /// when there is one.
        line: Option<u64>,
        /// The XLSX cell where it was noticed, e.g. `C7`, when there is one.
        cell: Option<String>,
    },
    /// The workbook cannot be opened: not an XLSX file, or a corrupt one.
    #[error("the file is not a readable XLSX workbook: {0}")]
    NotXlsx(String),
    /// Reading the input failed.
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
}

impl ReadError {
    /// A stable snake_case code for this kind of error, e.g. for an API.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Empty => "empty_file",
            ReadError::TooLarge { .. } => "too_large",
            ReadError::Encoding { .. } => "bad_encoding",
            ReadError::Malformed { .. } => "malformed",
            ReadError::Formula { .. } => "formula",
            ReadError::MergedCells { .. } => "merged_cells",
            ReadError::Limit { what, .. } => what.code(),
            ReadError::NotXlsx(_) => "bad_workbook",
            ReadError::Io(_) => "io",
        }
    }

    /// The 1-based line (CSV) or sheet row (XLSX) the error is at, when it is
    /// at one rather than about the whole file.
    pub fn line(&self) -> Option<u64> {
        match self {
            ReadError::Encoding { line } | ReadError::Malformed { line, .. } => Some(*line),
            ReadError::Limit { line, .. } => *line,
            _ => None,
        }
    }
}

/// The limits of [`crate::ReadOptions`] that a file can exceed, for
/// [`ReadError::Limit`]. Public so that a caller can word the message in its
/// own language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// One part of an XLSX workbook (its worksheet, its shared texts…)
    /// unpacks to more bytes than [`crate::ReadOptions::max_part_bytes`].
    PartSize,
    /// More non-empty rows (the header included) than
    /// [`crate::ReadOptions::max_rows`].
    Rows,
    /// A CSV row with more cells than [`crate::ReadOptions::max_columns`], or
    /// an XLSX value right of that column.
    Columns,
    /// A cell with more characters than [`crate::ReadOptions::max_cell_chars`].
    CellLength,
    /// More shared texts in an XLSX workbook than
    /// [`crate::ReadOptions::max_shared_strings`].
    SharedStrings,
    /// Shared texts of an XLSX workbook totalling more bytes (UTF-8) than
    /// [`crate::ReadOptions::max_shared_string_bytes`].
    SharedStringsSize,
    /// One row whose cells total more bytes (UTF-8) of text than
    /// [`crate::ReadOptions::max_row_bytes`].
    RowSize,
    /// Cells of the table totalling more bytes (UTF-8) of text than
    /// [`crate::ReadOptions::max_text_bytes`].
    TextSize,
}

impl Limit {
    /// Whether the limit is a size in bytes (the others count rows, columns,
    /// characters or texts).
    pub fn in_bytes(self) -> bool {
        matches!(
            self,
            Limit::PartSize | Limit::SharedStringsSize | Limit::RowSize | Limit::TextSize
        )
    }

    /// The stable code, also returned by [`ReadError::code`], e.g.
    /// `limit_rows`.
    pub fn code(self) -> &'static str {
        match self {
            Limit::PartSize => "limit_part_size",
            Limit::Rows => "limit_rows",
            Limit::Columns => "limit_columns",
            Limit::CellLength => "limit_cell_length",
            Limit::SharedStrings => "limit_shared_strings",
            Limit::SharedStringsSize => "limit_shared_strings_size",
            Limit::RowSize => "limit_row_size",
            Limit::TextSize => "limit_text_size",
        }
    }
}

/// The message of [`ReadError::Limit`].
fn limit_message(what: Limit, limit: u64, line: Option<u64>, cell: Option<&str>) -> String {
    let n = thousands(limit);
    let size = human_size(limit);
    let at_line = line.map(|l| format!("line {l}: ")).unwrap_or_default();
    match (what, cell) {
        (Limit::PartSize, _) => format!(
            "the workbook unpacks to more than {size} in one of its parts; \
             split the table into smaller files"
        ),
        (Limit::Rows, _) => {
            format!("{at_line}the table has more than {n} rows; split it into smaller files")
        }
        (Limit::Columns, Some(cell)) => {
            format!("cell {cell} lies beyond the limit of {n} columns")
        }
        (Limit::Columns, None) => format!("{at_line}the row has more than {n} columns"),
        (Limit::CellLength, Some(cell)) => {
            format!("cell {cell} is longer than {n} characters")
        }
        (Limit::CellLength, None) if line.is_some() => {
            format!("{at_line}a cell is longer than {n} characters")
        }
        (Limit::CellLength, None) => {
            format!("a text in the workbook is longer than {n} characters")
        }
        (Limit::SharedStrings, _) => {
            format!("the workbook holds more than {n} different texts; split it into smaller files")
        }
        (Limit::SharedStringsSize, _) => format!(
            "the texts of the workbook unpack to more than {size}; split it into smaller files"
        ),
        (Limit::RowSize, _) => format!(
            "{at_line}the row holds more than {size} of text; \
             split its long texts or leave some out"
        ),
        (Limit::TextSize, _) => format!(
            "{at_line}the cells of the table hold more than {size} of text; \
             split it into smaller files"
        ),
    }
}

/// `1048576` → `1,048,576`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Why a table could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Writing to the output failed, or a row did not match the header
    /// (kind `InvalidInput`).
    #[error("could not write the file: {0}")]
    Io(#[from] std::io::Error),
    /// The XLSX library refused the data, e.g. more than 1,048,576 rows or a
    /// cell longer than 32,767 characters.
    #[error("could not write the XLSX workbook: {0}")]
    Xlsx(String),
}

impl From<rust_xlsxwriter::XlsxError> for WriteError {
    fn from(err: rust_xlsxwriter::XlsxError) -> Self {
        match err {
            rust_xlsxwriter::XlsxError::IoError(io) => WriteError::Io(io),
            other => WriteError::Xlsx(other.to_string()),
        }
    }
}

/// `268435456` → `256 MiB`, `1073741824` → `1 GiB`; sizes that are not
/// whole MiB stay in bytes (`1,000 bytes`).
fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    const GIB: u64 = 1024 * MIB;
    if bytes >= GIB && bytes.is_multiple_of(GIB) {
        format!("{} GiB", bytes / GIB)
    } else if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{} bytes", thousands(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(what: Limit) -> ReadError {
        ReadError::Limit {
            what,
            limit: 1,
            line: None,
            cell: None,
        }
    }

    #[test]
    fn lines_and_units() {
        assert_eq!(ReadError::Encoding { line: 3 }.line(), Some(3));
        assert_eq!(ReadError::Empty.line(), None);
        let at = |line| ReadError::Limit {
            what: Limit::Rows,
            limit: 1,
            line,
            cell: None,
        };
        assert_eq!(at(Some(9)).line(), Some(9));
        assert_eq!(at(None).line(), None);
        assert!(Limit::PartSize.in_bytes() && Limit::RowSize.in_bytes());
        assert!(!Limit::Rows.in_bytes() && !Limit::CellLength.in_bytes());
    }

    #[test]
    fn codes_are_stable() {
        let cases = [
            (ReadError::Empty, "empty_file"),
            (ReadError::TooLarge { limit: 1 }, "too_large"),
            (ReadError::Encoding { line: 1 }, "bad_encoding"),
            (
                ReadError::Malformed {
                    line: 1,
                    reason: String::new(),
                },
                "malformed",
            ),
            (ReadError::Formula { cell: "A1".into() }, "formula"),
            (
                ReadError::MergedCells {
                    range: "A1:A2".into(),
                },
                "merged_cells",
            ),
            (ReadError::NotXlsx(String::new()), "bad_workbook"),
            (limit(Limit::PartSize), "limit_part_size"),
            (limit(Limit::Rows), "limit_rows"),
            (limit(Limit::Columns), "limit_columns"),
            (limit(Limit::CellLength), "limit_cell_length"),
            (limit(Limit::SharedStrings), "limit_shared_strings"),
            (limit(Limit::SharedStringsSize), "limit_shared_strings_size"),
            (limit(Limit::RowSize), "limit_row_size"),
            (limit(Limit::TextSize), "limit_text_size"),
            (ReadError::Io(std::io::Error::other("x")), "io"),
        ];
        for (err, code) in cases {
            assert_eq!(err.code(), code);
        }
    }

    #[test]
    fn messages_are_readable() {
        let err = ReadError::TooLarge {
            limit: 256 * 1024 * 1024,
        };
        assert_eq!(
            err.to_string(),
            "the file is larger than the limit of 256 MiB"
        );
        let err = ReadError::TooLarge { limit: 100 };
        assert_eq!(
            err.to_string(),
            "the file is larger than the limit of 100 bytes"
        );
        let err = ReadError::Formula { cell: "C7".into() };
        assert!(err.to_string().starts_with("cell C7 contains a formula"));
    }

    #[test]
    fn limit_messages_name_the_limit() {
        let message = |what, limit, line, cell: Option<&str>| {
            ReadError::Limit {
                what,
                limit,
                line,
                cell: cell.map(str::to_owned),
            }
            .to_string()
        };
        assert_eq!(
            message(Limit::PartSize, 1 << 30, None, None),
            "the workbook unpacks to more than 1 GiB in one of its parts; \
             split the table into smaller files"
        );
        assert_eq!(
            message(Limit::Rows, 1_048_576, Some(1_048_578), None),
            "line 1048578: the table has more than 1,048,576 rows; split it into smaller files"
        );
        assert_eq!(
            message(Limit::Columns, 1024, Some(2), Some("AMK2")),
            "cell AMK2 lies beyond the limit of 1,024 columns"
        );
        assert_eq!(
            message(Limit::Columns, 1024, Some(3), None),
            "line 3: the row has more than 1,024 columns"
        );
        assert_eq!(
            message(Limit::CellLength, 32_767, Some(7), Some("C7")),
            "cell C7 is longer than 32,767 characters"
        );
        assert_eq!(
            message(Limit::CellLength, 32_767, Some(12), None),
            "line 12: a cell is longer than 32,767 characters"
        );
        assert_eq!(
            message(Limit::CellLength, 32_767, None, None),
            "a text in the workbook is longer than 32,767 characters"
        );
        assert_eq!(
            message(Limit::SharedStrings, 4_000_000, None, None),
            "the workbook holds more than 4,000,000 different texts; split it into smaller files"
        );
        assert_eq!(
            message(Limit::SharedStringsSize, 256 << 20, None, None),
            "the texts of the workbook unpack to more than 256 MiB; split it into smaller files"
        );
        assert_eq!(
            message(Limit::RowSize, 4 << 20, Some(9), None),
            "line 9: the row holds more than 4 MiB of text; \
             split its long texts or leave some out"
        );
        assert_eq!(
            message(Limit::TextSize, 1 << 30, Some(9), None),
            "line 9: the cells of the table hold more than 1 GiB of text; \
             split it into smaller files"
        );
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(32_767), "32,767");
        assert_eq!(thousands(1_048_576), "1,048,576");
        assert_eq!(human_size(1000), "1,000 bytes");
        assert_eq!(human_size(3 << 20), "3 MiB");
        assert_eq!(human_size(2 << 30), "2 GiB");
    }
}
