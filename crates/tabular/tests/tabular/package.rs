//! Workbooks assembled byte by byte, for tests that need what a spreadsheet
//! program would never write: parts that inflate to gigabytes, ZIP headers
//! that lie, hand-written XML.
//!
//! Big parts are cheap to build: after a full flush, DEFLATE output for the
//! same input is the same bytes, so one compressed chunk repeated N times is
//! a valid stream that inflates to N chunks.

use flate2::{Compress, Compression, FlushCompress};

pub const MIB: u64 = 1024 * 1024;
pub const GIB: u64 = 1024 * MIB;

/// The compressed bytes of a part, and what a ZIP header should declare.
pub struct Part {
    pub name: String,
    pub data: Vec<u8>,
    pub deflated: bool,
    pub crc32: u32,
    /// The uncompressed size written in the headers (may be a lie).
    pub declared_size: u32,
}

impl Part {
    /// A part compressed whole, with its true size and checksum.
    pub fn new(name: &str, xml: &[u8]) -> Part {
        let mut compress = Compress::new(Compression::fast(), false);
        let data = run(&mut compress, xml, FlushCompress::Finish);
        let mut crc = flate2::Crc::new();
        crc.update(xml);
        Part {
            name: name.to_owned(),
            data,
            deflated: true,
            crc32: crc.sum(),
            declared_size: xml.len() as u32,
        }
    }

    /// A part of `head`, then `chunk` repeated until `total` bytes of
    /// chunks, then `tail`, compressed without ever being held inflated.
    /// Its checksum is right; its declared size says 1 KiB whatever the
    /// truth.
    pub fn repeated(name: &str, head: &[u8], chunk: &[u8], total: u64, tail: &[u8]) -> Part {
        let crc_of = |bytes: &[u8]| {
            let mut crc = flate2::Crc::new();
            crc.update(bytes);
            crc
        };
        let mut crc = crc_of(head);
        let chunk_crc = crc_of(chunk);
        for _ in 0..total / chunk.len() as u64 {
            crc.combine(&chunk_crc);
        }
        crc.combine(&crc_of(tail));
        let mut compress = Compress::new(Compression::fast(), false);
        let mut data = run(&mut compress, head, FlushCompress::Full);
        let once = run(&mut compress, chunk, FlushCompress::Full);
        let again = run(&mut compress, chunk, FlushCompress::Full);
        assert_eq!(once, again, "a fully flushed chunk compresses the same");
        for _ in 1..total / chunk.len() as u64 {
            data.extend_from_slice(&once);
        }
        data.extend_from_slice(&once);
        data.extend(run(&mut compress, tail, FlushCompress::Finish));
        Part {
            name: name.to_owned(),
            data,
            deflated: true,
            crc32: crc.sum(),
            declared_size: 1024,
        }
    }

    /// The same part, stored without compression.
    pub fn stored(name: &str, xml: &[u8]) -> Part {
        let mut crc = flate2::Crc::new();
        crc.update(xml);
        Part {
            name: name.to_owned(),
            data: xml.to_vec(),
            deflated: false,
            crc32: crc.sum(),
            declared_size: xml.len() as u32,
        }
    }
}

fn run(compress: &mut Compress, input: &[u8], flush: FlushCompress) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2 + 1024);
    let mut consumed = 0;
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve(64 * 1024);
        }
        let before = compress.total_in();
        let status = compress
            .compress_vec(&input[consumed..], &mut out, flush)
            .unwrap();
        consumed += (compress.total_in() - before) as usize;
        let done = match flush {
            FlushCompress::Finish => status == flate2::Status::StreamEnd,
            _ => consumed == input.len() && out.capacity() - out.len() >= 1024,
        };
        if done {
            return out;
        }
    }
}

/// A ZIP archive of `parts`, written by hand (local headers, central
/// directory, end record; no ZIP64).
pub fn zip(parts: &[Part]) -> Vec<u8> {
    fn u16le(out: &mut Vec<u8>, v: u16) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, v: u32) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for part in parts {
        let offset = out.len() as u32;
        let method = if part.deflated { 8 } else { 0 };
        let size = part.data.len() as u32;
        let name = part.name.as_bytes();
        // Local header.
        u32le(&mut out, 0x0403_4b50);
        for v in [20, 0, method, 0, 0x21] {
            u16le(&mut out, v);
        }
        for v in [part.crc32, size, part.declared_size] {
            u32le(&mut out, v);
        }
        u16le(&mut out, name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(name);
        out.extend_from_slice(&part.data);
        // Central directory entry.
        u32le(&mut central, 0x0201_4b50);
        for v in [20, 20, 0, method, 0, 0x21] {
            u16le(&mut central, v);
        }
        for v in [part.crc32, size, part.declared_size] {
            u32le(&mut central, v);
        }
        for v in [name.len() as u16, 0, 0, 0, 0] {
            u16le(&mut central, v);
        }
        u32le(&mut central, 0);
        u32le(&mut central, offset);
        central.extend_from_slice(name);
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    for v in [0, 0, parts.len() as u16, parts.len() as u16] {
        u16le(&mut out, v);
    }
    u32le(&mut out, central.len() as u32);
    u32le(&mut out, central_offset);
    u16le(&mut out, 0);
    out
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// A worksheet part's XML: `rows` inside `<sheetData>`, then `after` (e.g.
/// merged cells).
pub fn sheet_xml(rows: &str, after: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetData>{rows}</sheetData>{after}</worksheet>"#
    )
    .into_bytes()
}

/// The head and tail around the rows of a worksheet part.
pub fn sheet_head_tail() -> (Vec<u8>, Vec<u8>) {
    let xml = String::from_utf8(sheet_xml("@", "")).unwrap();
    let (head, tail) = xml.split_once('@').unwrap();
    (head.as_bytes().to_vec(), tail.as_bytes().to_vec())
}

/// A shared-string part of `texts`.
pub fn shared_xml(texts: &[&str]) -> Vec<u8> {
    let items: String = texts
        .iter()
        .map(|t| format!("<si><t>{t}</t></si>"))
        .collect();
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{items}</sst>"#)
        .into_bytes()
}

/// What goes into a workbook besides its sheet.
#[derive(Default)]
pub struct Book {
    pub shared: Option<Part>,
    pub styles: Option<Part>,
    /// Inside `<workbookPr …/>`, e.g. `date1904="1"`.
    pub workbook_pr: &'static str,
    /// Relationship target of the sheet, e.g. `worksheets/sheet1.xml`.
    pub sheet_target: Option<&'static str>,
}

/// A workbook whose first sheet is the part `sheet` (named
/// `xl/worksheets/sheet1.xml`).
pub fn workbook(sheet: Part, book: Book) -> Vec<u8> {
    let target = book.sheet_target.unwrap_or("worksheets/sheet1.xml");
    let mut rels = format!(r#"<Relationship Id="rId1" Type="{REL}/worksheet" Target="{target}"/>"#);
    let mut parts = vec![
        Part::new(
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            )
            .as_bytes(),
        ),
        Part::new(
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr {}/><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
                book.workbook_pr
            )
            .as_bytes(),
        ),
    ];
    if let Some(shared) = book.shared {
        rels.push_str(&format!(
            r#"<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="{}"/>"#,
            shared.name.trim_start_matches("xl/")
        ));
        parts.push(shared);
    }
    if let Some(styles) = book.styles {
        rels.push_str(&format!(
            r#"<Relationship Id="rId3" Type="{REL}/styles" Target="{}"/>"#,
            styles.name.trim_start_matches("xl/")
        ));
        parts.push(styles);
    }
    parts.push(Part::new(
        "xl/_rels/workbook.xml.rels",
        format!(r#"<?xml version="1.0"?><Relationships xmlns="{PKG}">{rels}</Relationships>"#)
            .as_bytes(),
    ));
    parts.push(sheet);
    zip(&parts)
}

/// A workbook with the sheet XML `rows` (and `after`) and shared `texts`.
pub fn simple(rows: &str, after: &str, texts: &[&str]) -> Vec<u8> {
    let shared = (!texts.is_empty()).then(|| Part::new("xl/sharedStrings.xml", &shared_xml(texts)));
    workbook(
        Part::new("xl/worksheets/sheet1.xml", &sheet_xml(rows, after)),
        Book {
            shared,
            ..Book::default()
        },
    )
}

/// A styles part whose cell style 1 has number format `format_id`, plus
/// custom formats `(id, code)`.
pub fn styles_xml(formats: &[(u32, &str)], xf_formats: &[u32]) -> Vec<u8> {
    let custom: String = formats
        .iter()
        .map(|(id, code)| format!(r#"<numFmt numFmtId="{id}" formatCode="{code}"/>"#))
        .collect();
    let xfs: String = xf_formats
        .iter()
        .map(|id| format!(r#"<xf numFmtId="{id}" fontId="0"/>"#))
        .collect();
    format!(
        r#"<?xml version="1.0"?><styleSheet xmlns="{MAIN}"><numFmts>{custom}</numFmts><cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs><xf numFmtId="0"/>{xfs}</cellXfs></styleSheet>"#
    )
    .into_bytes()
}
