//! Reading a catalog file into rows of given cells: CSV through the tabular reader (UTF-8 or
//! GBK, API names or Chinese headers), YAML as a list of mappings. Problems of the file's
//! shape are reported here; what the cells say is checked by the parent module.

use super::{COLUMNS, ImportReport, MAX_FILE_BYTES, MAX_ROWS, REQUIRED, field, index_of};
use castellan_tabular::{Format, ReadOptions, TableReader};
use serde_yaml_ng::Value;

/// The fields of one row as given in the file, indexed like [`COLUMNS`].
pub(super) struct Row {
    /// The CSV line, or the YAML entry's position.
    pub(super) line: u64,
    cells: Vec<Option<String>>,
    /// Fields whose problem is already reported (a list where a value belongs).
    pub(super) reported: Vec<usize>,
}

impl Row {
    fn new(line: u64) -> Self {
        Row {
            line,
            cells: vec![None; COLUMNS.len()],
            reported: Vec::new(),
        }
    }

    pub(super) fn cell(&self, column: usize) -> Option<&str> {
        self.cells.get(column).and_then(Option::as_deref)
    }

    fn set(&mut self, column: usize, value: String) {
        if let Some(slot) = self.cells.get_mut(column) {
            *slot = Some(value);
        }
    }
}

/// The column a header or key names: its API name or Chinese header, ignoring case,
/// surrounding space, a byte-order mark and a trailing `*` (the "required" mark).
fn column_of(header: &str) -> Option<usize> {
    let key = header
        .trim()
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['*', '＊'])
        .trim()
        .to_lowercase();
    COLUMNS
        .iter()
        .position(|(api, zh)| *api == key || *zh == key)
}

fn column_list() -> String {
    COLUMNS
        .iter()
        .map(|(api, zh)| format!("{api} ({zh})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Undoes the export's defence against formula injection (`'=x` → `=x`), so a CSV file
/// exported and imported again keeps its texts.
fn unneutralize(cell: String) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_owned(),
        _ => cell,
    }
}

/// Reads a CSV file into rows; returns them with the columns the header lacks.
pub(super) fn csv(bytes: &[u8], report: &mut ImportReport) -> (Vec<Row>, Vec<usize>) {
    let options = ReadOptions {
        max_bytes: MAX_FILE_BYTES as u64,
        ..ReadOptions::default()
    };
    let reader =
        match TableReader::from_reader(std::io::Cursor::new(bytes.to_vec()), Format::Csv, &options)
        {
            Ok(r) => r,
            Err(e) => {
                report.error(0, None, e.code(), e.to_string());
                return (Vec::new(), Vec::new());
            }
        };
    let mut columns: Vec<Option<usize>> = Vec::with_capacity(reader.headers().len());
    let mut seen = vec![false; COLUMNS.len()];
    for header in reader.headers() {
        match column_of(header) {
            Some(c) if seen.get(c).copied().unwrap_or(false) => {
                report.error(
                    0,
                    Some(field(c)),
                    "duplicate_column",
                    format!("the column {header:?} appears twice"),
                );
                columns.push(None);
            }
            Some(c) => {
                if let Some(s) = seen.get_mut(c) {
                    *s = true;
                }
                columns.push(Some(c));
            }
            None if header.trim().is_empty() => columns.push(None),
            None => {
                report.error(
                    0,
                    None,
                    "unknown_column",
                    format!(
                        "unknown column {header:?}; the columns are {}",
                        column_list()
                    ),
                );
                columns.push(None);
            }
        }
    }
    let mut missing = Vec::new();
    for name in REQUIRED {
        let c = index_of(name);
        if !seen.get(c).copied().unwrap_or(false) {
            report.error(
                0,
                Some(name),
                "missing_column",
                format!("the required column {name:?} is missing"),
            );
            missing.push(c);
        }
    }
    let mut rows = Vec::new();
    for item in reader {
        match item {
            Ok(record) => {
                if rows.len() >= MAX_ROWS {
                    report.error(
                        0,
                        None,
                        "too_many_rows",
                        format!("the file holds more than {MAX_ROWS} threats"),
                    );
                    break;
                }
                let mut row = Row::new(record.line);
                for (cell, column) in record.cells.into_iter().zip(&columns) {
                    if let Some(c) = column {
                        row.set(*c, unneutralize(cell));
                    }
                }
                rows.push(row);
            }
            Err(e) => {
                report.error(e.line().unwrap_or(0), None, e.code(), e.to_string());
                break;
            }
        }
    }
    (rows, missing)
}

/// The text of a YAML scalar; `None` for a list or mapping.
fn scalar(value: Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s),
        Value::Sequence(_) | Value::Mapping(_) | Value::Tagged(_) => None,
    }
}

/// Reads a YAML list of mappings into rows (the entry's position is its line).
pub(super) fn yaml(bytes: &[u8], report: &mut ImportReport) -> Vec<Row> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if text.iter().all(u8::is_ascii_whitespace) {
        report.error(0, None, "empty_file", "the file is empty".into());
        return Vec::new();
    }
    let document: Value = match serde_yaml_ng::from_slice(text) {
        Ok(v) => v,
        Err(e) => {
            report.error(
                0,
                None,
                "malformed",
                format!("the file is not valid YAML: {e}"),
            );
            return Vec::new();
        }
    };
    let entries = match document {
        Value::Sequence(entries) => entries,
        Value::Null => Vec::new(),
        _ => {
            report.error(
                0,
                None,
                "malformed",
                "the file must be a list of threats, each a mapping such as \"- code: T100\""
                    .into(),
            );
            return Vec::new();
        }
    };
    if entries.len() > MAX_ROWS {
        report.error(
            0,
            None,
            "too_many_rows",
            format!("the file holds more than {MAX_ROWS} threats"),
        );
        return Vec::new();
    }
    let mut rows = Vec::with_capacity(entries.len());
    for (line, entry) in (1_u64..).zip(entries) {
        let Value::Mapping(map) = entry else {
            report.error(
                line,
                None,
                "invalid",
                "an entry must be a mapping of keys such as code and name_zh".into(),
            );
            continue;
        };
        let mut row = Row::new(line);
        for (key, value) in map {
            let key = scalar(key).unwrap_or_default();
            let Some(c) = column_of(&key) else {
                report.error(
                    line,
                    None,
                    "unknown_column",
                    format!("unknown key {key:?}; the keys are {}", column_list()),
                );
                continue;
            };
            if row.cell(c).is_some() || row.reported.contains(&c) {
                report.error(
                    line,
                    Some(field(c)),
                    "duplicate_column",
                    format!("the key {:?} is given twice", field(c)),
                );
                row.reported.push(c);
                continue;
            }
            match scalar(value) {
                Some(text) => row.set(c, text),
                None => {
                    report.error(
                        line,
                        Some(field(c)),
                        "invalid",
                        format!("{} must be a single value, not a list or mapping", field(c)),
                    );
                    row.reported.push(c);
                }
            }
        }
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_either_language() {
        assert_eq!(column_of("code"), Some(0));
        assert_eq!(column_of("\u{feff}编号"), Some(0));
        assert_eq!(column_of(" 中文名称* "), Some(5));
        assert_eq!(column_of("Name_EN"), Some(4));
        assert_eq!(column_of("启用"), Some(8));
        assert_eq!(column_of("名字"), None);
    }

    #[test]
    fn the_export_escape_is_undone_and_nothing_else() {
        assert_eq!(unneutralize("'=1+1".into()), "=1+1");
        assert_eq!(unneutralize("'-5".into()), "-5");
        assert_eq!(unneutralize("'quoted'".into()), "'quoted'");
        assert_eq!(unneutralize("plain".into()), "plain");
    }
}
