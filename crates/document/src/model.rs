//! The document model: a title and a flat list of blocks.
//!
//! Every renderer accepts any value of these types; nothing here can be
//! invalid. Where a value is outside what a format supports, the renderers
//! adjust it the same way: a heading level outside 1–3 is clamped, a table
//! row shorter than the column list is padded with empty cells and the cells
//! beyond the last column are ignored.

/// A document: what is printed on top, its language, and its content.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The title, printed on top (and the document's metadata title).
    pub title: String,
    /// An optional line under the title, e.g. the organization and a date.
    pub subtitle: Option<String>,
    /// The language of the text, written into the files' language tags.
    pub lang: Lang,
    /// The content, in reading order.
    pub blocks: Vec<Block>,
}

impl Document {
    /// An empty document with this title and language.
    pub fn new(title: impl Into<String>, lang: Lang) -> Self {
        Document {
            title: title.into(),
            subtitle: None,
            lang,
            blocks: Vec::new(),
        }
    }
}

/// The language of a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese (mainland China).
    ZhCn,
}

impl Lang {
    /// The BCP 47 tag used in HTML `lang` attributes: `en` or `zh-CN`.
    pub fn html_tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The tag Office files use for the language: `en-US` or `zh-CN`.
    pub fn office_tag(self) -> &'static str {
        match self {
            Lang::En => "en-US",
            Lang::ZhCn => "zh-CN",
        }
    }
}

/// One piece of content.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading; `level` 1 is the highest (values outside 1–3 are
    /// clamped). The document title sits above level 1.
    Heading {
        /// 1, 2 or 3.
        level: u8,
        /// The heading's text.
        text: String,
    },
    /// A paragraph made of runs of text.
    Paragraph(Vec<Run>),
    /// A two-column list of label/value pairs, e.g. "Scope: …".
    Facts(Vec<(String, String)>),
    /// A table with a caption and a header row.
    Table(Table),
    /// Starts a new page (a no-op in the spreadsheet).
    PageBreak,
}

impl Block {
    /// A heading of this level (clamped to 1–3).
    pub fn heading(level: u8, text: impl Into<String>) -> Self {
        Block::Heading {
            level,
            text: text.into(),
        }
    }

    /// A paragraph of one plain run.
    pub fn paragraph(text: impl Into<String>) -> Self {
        Block::Paragraph(vec![Run::plain(text)])
    }
}

/// A stretch of text within a paragraph. Newlines in the text become line
/// breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The text.
    pub text: String,
    /// Whether the text is bold.
    pub bold: bool,
}

impl Run {
    /// A run of regular text.
    pub fn plain(text: impl Into<String>) -> Self {
        Run {
            text: text.into(),
            bold: false,
        }
    }

    /// A run of bold text.
    pub fn bold(text: impl Into<String>) -> Self {
        Run {
            text: text.into(),
            bold: true,
        }
    }
}

/// A table: caption, columns (whose titles form the header row), rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Printed above the table; in the spreadsheet also the worksheet's name
    /// (shortened to 31 characters, without `[]:*?/\`, made unique).
    pub caption: String,
    /// The columns, left to right.
    pub columns: Vec<Column>,
    /// The data rows; each row holds one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header text.
    pub title: String,
    /// The width in characters: exact in the spreadsheet, the relative share
    /// of the text width in the word-processing document.
    pub width: f64,
    /// Whether the column holds numbers: right-aligned.
    pub numeric: bool,
}

impl Column {
    /// A text column of this width (in characters).
    pub fn new(title: impl Into<String>, width: f64) -> Self {
        Column {
            title: title.into(),
            width,
            numeric: false,
        }
    }

    /// A right-aligned number column of this width (in characters).
    pub fn numeric(title: impl Into<String>, width: f64) -> Self {
        Column {
            title: title.into(),
            width,
            numeric: true,
        }
    }
}

/// One cell of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The text shown in the document and the web page; in the spreadsheet
    /// too, unless `number` is set.
    pub text: String,
    /// When set (and finite), the spreadsheet stores this number instead of
    /// the text, so it can be sorted and summed.
    pub number: Option<f64>,
    /// The cell's background (and text) colour.
    pub fill: Option<Fill>,
}

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            number: None,
            fill: None,
        }
    }

    /// A number cell, shown as the number's shortest decimal form (`3`,
    /// `2.5`). To show it differently (e.g. `2.50`), set [`Cell::text`] too.
    pub fn number(value: f64) -> Self {
        Cell {
            text: value.to_string(),
            number: Some(value),
            fill: None,
        }
    }

    /// The same cell with this fill.
    #[must_use]
    pub fn with_fill(mut self, fill: Fill) -> Self {
        self.fill = Some(fill);
        self
    }
}

/// The named background colours a cell can have. Each pairs a light
/// background with a dark text colour that stays readable on it and in
/// greyscale print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fill {
    /// The lowest of five levels ("very low"): grey-blue.
    Level1,
    /// "Low": green.
    Level2,
    /// "Medium": yellow.
    Level3,
    /// "High": orange.
    Level4,
    /// The highest of five levels ("very high"): red.
    Level5,
    /// Something that needs attention: amber.
    Warn,
    /// De-emphasised content: light grey.
    Muted,
}

impl Fill {
    /// Every fill, in declaration order.
    pub const ALL: [Fill; 7] = [
        Fill::Level1,
        Fill::Level2,
        Fill::Level3,
        Fill::Level4,
        Fill::Level5,
        Fill::Warn,
        Fill::Muted,
    ];

    /// The fill for a level from 1 (lowest) to 5 (highest); `None` outside.
    pub fn level(level: u8) -> Option<Fill> {
        match level {
            1 => Some(Fill::Level1),
            2 => Some(Fill::Level2),
            3 => Some(Fill::Level3),
            4 => Some(Fill::Level4),
            5 => Some(Fill::Level5),
            _ => None,
        }
    }

    /// The background colour as six hex digits, without `#`.
    pub fn background(self) -> &'static str {
        match self {
            Fill::Level1 => "EEF2F7",
            Fill::Level2 => "EAF5EE",
            Fill::Level3 => "FEF9E3",
            Fill::Level4 => "FDF0E4",
            Fill::Level5 => "FDECEC",
            Fill::Warn => "FEF3C7",
            Fill::Muted => "F1F5F9",
        }
    }

    /// The text colour on this background, six hex digits without `#`.
    pub fn foreground(self) -> &'static str {
        match self {
            Fill::Level1 => "475569",
            Fill::Level2 => "166534",
            Fill::Level3 => "854D0E",
            Fill::Level4 => "9A3412",
            Fill::Level5 => "991B1B",
            Fill::Warn => "92400E",
            Fill::Muted => "64748B",
        }
    }

    /// The CSS class of the HTML renderer, defined in
    /// [`REPORT_CSS`](crate::REPORT_CSS): `fill-level-1` … `fill-level-5`,
    /// `fill-warn`, `fill-muted`.
    pub fn css_class(self) -> &'static str {
        match self {
            Fill::Level1 => "fill-level-1",
            Fill::Level2 => "fill-level-2",
            Fill::Level3 => "fill-level-3",
            Fill::Level4 => "fill-level-4",
            Fill::Level5 => "fill-level-5",
            Fill::Warn => "fill-warn",
            Fill::Muted => "fill-muted",
        }
    }
}

/// `level` clamped to the supported heading levels 1–3.
pub(crate) fn heading_level(level: u8) -> u8 {
    level.clamp(1, 3)
}

/// The cells of `row` under `columns` columns: missing cells are `None`,
/// cells beyond the last column are dropped.
pub(crate) fn row_cells(row: &[Cell], columns: usize) -> impl Iterator<Item = Option<&Cell>> {
    (0..columns).map(move |i| row.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_cells_show_the_shortest_form() {
        assert_eq!(Cell::number(3.0).text, "3");
        assert_eq!(Cell::number(2.5).text, "2.5");
        assert_eq!(Cell::number(-0.25).number, Some(-0.25));
    }

    #[test]
    fn levels_map_to_fills() {
        assert_eq!(Fill::level(1), Some(Fill::Level1));
        assert_eq!(Fill::level(5), Some(Fill::Level5));
        assert_eq!(Fill::level(0), None);
        assert_eq!(Fill::level(6), None);
    }

    #[test]
    fn heading_levels_are_clamped() {
        assert_eq!(heading_level(0), 1);
        assert_eq!(heading_level(2), 2);
        assert_eq!(heading_level(9), 3);
    }

    #[test]
    fn rows_are_padded_and_cut_to_the_columns() {
        let row = vec![Cell::text("a"), Cell::text("b"), Cell::text("c")];
        let two: Vec<_> = row_cells(&row, 2).collect();
        assert_eq!(two.len(), 2);
        let four: Vec<_> = row_cells(&row, 4).collect();
        assert_eq!(four.len(), 4);
        assert!(four[3].is_none());
    }
}
