//! Finding the parts: the workbook, its first worksheet, its shared texts and
//! styles, through the package relationships; and the date system.

use std::collections::HashMap;

use super::package::Package;
use super::xml::{Event, XmlPart, is_true};
use crate::ReadError;

/// Cap on the small parts read here and on `styles.xml` (Excel writes a few
/// kilobytes; a workbook bloated with thousands of styles, a few megabytes).
pub(crate) const SMALL_PART_BYTES: u64 = 64 * 1024 * 1024;
/// Sheets and relationships looked at: a person's workbook has far fewer.
const MAX_SHEETS: usize = 65_536;

/// Where the parts of the workbook are.
#[derive(Debug)]
pub(crate) struct Workbook {
    /// The first worksheet, e.g. `xl/worksheets/sheet1.xml`.
    pub(crate) sheet: String,
    pub(crate) shared_strings: Option<String>,
    pub(crate) styles: Option<String>,
    /// Dates count from 1904-01-01 (`<workbookPr date1904="1"/>`).
    pub(crate) date1904: bool,
}

/// What a relationship points to, by the last segment of its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    OfficeDocument,
    Worksheet,
    SharedStrings,
    Styles,
}

/// Reads the relationships and the workbook part.
pub(crate) fn read(package: &mut Package, max_cell_chars: u64) -> Result<Workbook, ReadError> {
    let root = relationships(package, "_rels/.rels", "", max_cell_chars)?;
    let workbook = root
        .values()
        .find(|(kind, _)| *kind == Kind::OfficeDocument)
        .map_or_else(
            || "xl/workbook.xml".to_owned(),
            |(_, target)| target.clone(),
        );
    let dir = workbook.rsplit_once('/').map_or("", |(dir, _)| dir);
    let rels_name = format!("{dir}/_rels/{}.rels", file_name(&workbook));
    let rels = relationships(
        package,
        rels_name.trim_start_matches('/'),
        dir,
        max_cell_chars,
    )?;
    let find = |wanted: Kind, fallback: &str| {
        rels.values()
            .find(|(kind, _)| *kind == wanted)
            .map(|(_, target)| target.clone())
            .or_else(|| Some(fallback.to_owned()))
    };
    let shared_strings = find(Kind::SharedStrings, "xl/sharedStrings.xml");
    let styles = find(Kind::Styles, "xl/styles.xml");

    let Some(part) = package.part(&workbook, SMALL_PART_BYTES)? else {
        return Err(ReadError::NotXlsx(format!(
            "the part {workbook} is missing"
        )));
    };
    let mut xml = XmlPart::new(part, max_cell_chars);
    let mut date1904 = false;
    let mut sheet = None;
    let mut sheets_seen = 0usize;
    let part = xml.name().to_owned();
    while sheet.is_none() {
        match xml.next()? {
            Event::Start(tag) | Event::Empty(tag) => match tag.name() {
                b"workbookPr" => tag.attributes(&part, |name, value| {
                    if name == b"date1904" {
                        date1904 = is_true(value);
                    }
                    Ok(())
                })?,
                b"sheet" => {
                    sheets_seen += 1;
                    if sheets_seen > MAX_SHEETS {
                        break;
                    }
                    tag.attributes(&part, |name, value| {
                        if name == b"id"
                            && let Some((Kind::Worksheet, target)) = rels.get(value)
                        {
                            sheet = Some(target.clone());
                        }
                        Ok(())
                    })?;
                }
                _ => {}
            },
            Event::End(b"sheets") => break,
            Event::Eof => break,
            _ => {}
        }
    }
    let sheet = sheet.ok_or(ReadError::Empty)?;
    Ok(Workbook {
        sheet,
        shared_strings: shared_strings.filter(|name| package.has(name)),
        styles: styles.filter(|name| package.has(name)),
        date1904,
    })
}

fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// The relationships of interest in a `.rels` part, by id, with their
/// targets resolved against `base` (the directory of the source part).
fn relationships(
    package: &mut Package,
    name: &str,
    base: &str,
    max_cell_chars: u64,
) -> Result<HashMap<String, (Kind, String)>, ReadError> {
    let mut found = HashMap::new();
    let Some(part) = package.part(name, SMALL_PART_BYTES)? else {
        return Ok(found);
    };
    let mut xml = XmlPart::new(part, max_cell_chars);
    let part = xml.name().to_owned();
    loop {
        match xml.next()? {
            Event::Start(tag) | Event::Empty(tag) if tag.name() == b"Relationship" => {
                let (mut id, mut kind, mut target, mut external) = (None, None, None, false);
                tag.attributes(&part, |attr, value| {
                    match attr {
                        b"Id" => id = Some(value.to_owned()),
                        b"Type" => kind = relationship_kind(value),
                        b"Target" => target = Some(value.to_owned()),
                        b"TargetMode" => external = value == "External",
                        _ => {}
                    }
                    Ok(())
                })?;
                if let (Some(id), Some(kind), Some(target), false) = (id, kind, target, external) {
                    if found.len() >= MAX_SHEETS {
                        return Err(ReadError::NotXlsx(format!(
                            "{part} lists more than {MAX_SHEETS} parts"
                        )));
                    }
                    found.insert(id, (kind, resolve(base, &target)));
                }
            }
            Event::Eof => return Ok(found),
            _ => {}
        }
    }
}

fn relationship_kind(uri: &str) -> Option<Kind> {
    match uri.rsplit_once('/').map(|(_, last)| last) {
        Some("officeDocument") => Some(Kind::OfficeDocument),
        Some("worksheet") => Some(Kind::Worksheet),
        Some("sharedStrings") => Some(Kind::SharedStrings),
        Some("styles") => Some(Kind::Styles),
        _ => None,
    }
}

/// A relationship target as a part name: `/xl/x.xml` from the package root,
/// `worksheets/sheet1.xml` relative to `base`; `.` and `..` resolved.
fn resolve(base: &str, target: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("{base}/{target}"),
    };
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    segments.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_like_paths() {
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl", "/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(resolve("xl", "./styles.xml"), "xl/styles.xml");
        assert_eq!(
            resolve("xl/sub", "../sharedStrings.xml"),
            "xl/sharedStrings.xml"
        );
        assert_eq!(resolve("", "xl/workbook.xml"), "xl/workbook.xml");
        assert_eq!(resolve("xl", "../../../x.xml"), "x.xml");
    }

    #[test]
    fn relationship_types_by_their_last_segment() {
        let transitional = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let strict = "http://purl.oclc.org/ooxml/officeDocument/relationships";
        for base in [transitional, strict] {
            assert_eq!(
                relationship_kind(&format!("{base}/worksheet")),
                Some(Kind::Worksheet)
            );
            assert_eq!(
                relationship_kind(&format!("{base}/styles")),
                Some(Kind::Styles)
            );
            assert_eq!(relationship_kind(&format!("{base}/chartsheet")), None);
        }
    }
}
