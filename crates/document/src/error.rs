//! [`DocumentError`]: why a document could not be rendered.

/// Why a document could not be rendered. The HTML renderer cannot fail;
/// the DOCX and XLSX renderers fail only on what their libraries refuse.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// Writing the output failed.
    #[error("could not write the document: {0}")]
    Io(#[from] std::io::Error),
    /// The ZIP package of the DOCX file could not be built.
    #[error("could not build the DOCX package: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// The XLSX library refused the workbook, e.g. a table of more than
    /// 1,048,575 rows or 16,384 columns.
    #[error("could not write the XLSX workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
