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
            ReadError::NotXlsx(_) => "bad_workbook",
            ReadError::Io(_) => "io",
        }
    }
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

/// `268435456` → `256 MiB`; sizes that are not whole MiB stay in bytes.
fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
