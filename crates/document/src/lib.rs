//! A small document model, rendered as DOCX, XLSX or HTML for printable
//! reports.
//!
//! This crate knows nothing about risks, assets or any other Castellan
//! domain object: a caller builds a [`Document`] — a title and a flat list
//! of [`Block`]s (headings, paragraphs, label/value facts, tables, page
//! breaks) — and hands it to a renderer:
//!
//! - [`to_docx`] writes a Word document (A4, Chinese and Latin fonts set,
//!   table headers repeated on every page), deterministic byte for byte;
//! - [`to_xlsx`] writes a workbook with a summary sheet and one worksheet
//!   per table, texts stored so that none can run as a formula;
//! - [`to_html`] writes a standalone page with no inline style or script,
//!   styled by [`REPORT_CSS`] for screen and A4 print.
//!
//! Every renderer escapes all text and drops control characters (other
//! than tab and newline) that the formats cannot hold.
//!
//! ```
//! use castellan_document::{Block, Cell, Column, Document, Fill, Lang, Table, to_html};
//!
//! let mut doc = Document::new("Quarterly report", Lang::En);
//! doc.blocks.push(Block::heading(1, "Findings"));
//! doc.blocks.push(Block::Table(Table {
//!     caption: "Findings".into(),
//!     columns: vec![Column::new("Finding", 40.0), Column::numeric("Score", 8.0)],
//!     rows: vec![vec![Cell::text("Backups untested"), Cell::number(16.0).with_fill(Fill::Level4)]],
//! }));
//! let html = to_html(&doc, "/assets/report.css");
//! assert!(html.contains(r#"<td class="num fill-level-4">16</td>"#));
//! ```
#![warn(missing_docs)]

pub mod diff;
mod docx;
mod error;
mod html;
pub mod markdown;
mod model;
mod text;
mod xlsx;

pub use docx::to_docx;
pub use error::DocumentError;
pub use html::to_html;
pub use model::{Block, Cell, Column, Document, Fill, Lang, Run, Table};
pub use xlsx::to_xlsx;

/// The stylesheet for [`to_html`]'s pages: an A4 print layout (18 mm
/// margins, table headers repeated on each page, rows kept whole), the fill
/// colours, and a font stack that covers Chinese. Serve it at the address
/// given to `to_html`.
pub const REPORT_CSS: &str = include_str!("../assets/report.css");
