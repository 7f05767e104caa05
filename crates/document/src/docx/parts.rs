//! The fixed parts of the DOCX package: content types, relationships,
//! styles, settings, the footer, and the core properties.
//!
//! Element order inside each part follows the schema sequences of ECMA-376
//! (Word rejects a file whose children are out of order).

use crate::model::{Document, Lang};
use crate::text::push_clean_escaped;

/// `[Content_Types].xml`.
pub(super) const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>"#,
    r#"<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>"#,
    r#"<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>"#,
    r#"<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>"#,
    r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#,
    "</Types>"
);

/// `_rels/.rels`: the package's main document and core properties.
pub(super) const ROOT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>"#,
    "</Relationships>"
);

/// The relationship id of the footer, used by the section properties.
pub(super) const FOOTER_REL_ID: &str = "rId3";

/// `word/_rels/document.xml.rels`.
pub(super) const DOCUMENT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>"#,
    r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>"#,
    "</Relationships>"
);

/// `word/footer1.xml`: the page number, centred.
pub(super) const FOOTER: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>"#,
    r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r>"#,
    r#"<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>"#,
    r#"<w:r><w:fldChar w:fldCharType="separate"/></w:r>"#,
    r#"<w:r><w:t>1</w:t></w:r>"#,
    r#"<w:r><w:fldChar w:fldCharType="end"/></w:r>"#,
    "</w:p></w:ftr>"
);

/// `word/settings.xml`: Word 2013+ compatibility mode, and the languages
/// the theme fonts are chosen for.
pub(super) const SETTINGS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:defaultTabStop w:val="420"/>"#,
    r#"<w:characterSpacingControl w:val="compressPunctuation"/>"#,
    r#"<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>"#,
    r#"<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>"#,
    "</w:settings>"
);

/// `word/styles.xml`.
///
/// The default run properties name Calibri for Latin text and Microsoft
/// YaHei for Chinese (LibreOffice substitutes Noto Sans CJK where YaHei is
/// missing), and tag East Asian text as `zh-CN` so Word picks the Chinese
/// font and line-breaking rules. In a Chinese document the `eastAsia` hint
/// also renders characters shared by both scripts (curly quotes, dashes,
/// `·`) in the Chinese font, as Word does for text typed in Chinese.
pub(super) fn styles(lang: Lang) -> String {
    let hint = match lang {
        Lang::En => "",
        Lang::ZhCn => r#" w:hint="eastAsia""#,
    };
    let mut out = String::with_capacity(STYLES_BODY.len() + 1024);
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    out.push('\n');
    out.push_str(
        r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    );
    out.push_str("<w:docDefaults><w:rPrDefault><w:rPr>");
    out.push_str(r#"<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Microsoft YaHei" w:cs="Calibri""#);
    out.push_str(hint);
    out.push_str("/>");
    out.push_str(r#"<w:sz w:val="21"/><w:szCs w:val="21"/>"#);
    out.push_str(r#"<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>"#);
    out.push_str("</w:rPr></w:rPrDefault>");
    out.push_str(r#"<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault>"#);
    out.push_str("</w:docDefaults>");
    out.push_str(STYLES_BODY);
    out.push_str("</w:styles>");
    out
}

/// The style definitions after the document defaults. Heading ids are
/// Word's built-in ones, so the navigation pane and a table of contents
/// find them.
const STYLES_BODY: &str = concat!(
    // Paragraph styles.
    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="10"/><w:qFormat/>"#,
    r#"<w:pPr><w:keepNext/><w:spacing w:before="0" w:after="120"/></w:pPr>"#,
    r#"<w:rPr><w:b/><w:bCs/><w:color w:val="0F172A"/><w:sz w:val="40"/><w:szCs w:val="40"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="11"/><w:qFormat/>"#,
    r#"<w:pPr><w:spacing w:after="360"/></w:pPr>"#,
    r#"<w:rPr><w:color w:val="475569"/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>"#,
    r#"<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr>"#,
    r#"<w:rPr><w:b/><w:bCs/><w:color w:val="1E3A5F"/><w:sz w:val="30"/><w:szCs w:val="30"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>"#,
    r#"<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="100"/><w:outlineLvl w:val="1"/></w:pPr>"#,
    r#"<w:rPr><w:b/><w:bCs/><w:color w:val="1E3A5F"/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>"#,
    r#"<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="80"/><w:outlineLvl w:val="2"/></w:pPr>"#,
    r#"<w:rPr><w:b/><w:bCs/><w:color w:val="334155"/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="35"/><w:unhideWhenUsed/><w:qFormat/>"#,
    r#"<w:pPr><w:keepNext/><w:spacing w:before="120" w:after="80"/></w:pPr>"#,
    r#"<w:rPr><w:b/><w:bCs/><w:color w:val="334155"/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:qFormat/>"#,
    r#"<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>"#,
    r#"<w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="FactLabel"><w:name w:val="Fact Label"/><w:basedOn w:val="Normal"/><w:next w:val="FactValue"/><w:qFormat/>"#,
    r#"<w:pPr><w:spacing w:before="0" w:after="60"/></w:pPr>"#,
    r#"<w:rPr><w:b/><w:bCs/><w:color w:val="475569"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="FactValue"><w:name w:val="Fact Value"/><w:basedOn w:val="Normal"/><w:qFormat/>"#,
    r#"<w:pPr><w:spacing w:before="0" w:after="60"/></w:pPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>"#,
    r#"<w:pPr><w:spacing w:after="0"/></w:pPr>"#,
    r#"<w:rPr><w:color w:val="64748B"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>"#,
    // Character and table styles.
    r#"<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>"#,
    r#"<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>"#,
    r#"<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#,
    r#"<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="39"/>"#,
    r#"<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>"#,
    r#"<w:tblPr><w:tblBorders>"#,
    r#"<w:top w:val="single" w:sz="4" w:space="0" w:color="94A3B8"/>"#,
    r#"<w:left w:val="single" w:sz="4" w:space="0" w:color="94A3B8"/>"#,
    r#"<w:bottom w:val="single" w:sz="4" w:space="0" w:color="94A3B8"/>"#,
    r#"<w:right w:val="single" w:sz="4" w:space="0" w:color="94A3B8"/>"#,
    r#"<w:insideH w:val="single" w:sz="4" w:space="0" w:color="94A3B8"/>"#,
    r#"<w:insideV w:val="single" w:sz="4" w:space="0" w:color="94A3B8"/>"#,
    r#"</w:tblBorders><w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#,
);

/// `docProps/core.xml`: title, subject (the subtitle) and language. No
/// timestamps, so the same document always gives the same bytes.
pub(super) fn core(doc: &Document) -> String {
    let mut out = String::with_capacity(1024);
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    out.push('\n');
    out.push_str(concat!(
        r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties""#,
        r#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/""#,
        r#" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
    ));
    out.push_str("<dc:title>");
    push_clean_escaped(&mut out, &doc.title);
    out.push_str("</dc:title>");
    if let Some(subtitle) = &doc.subtitle {
        out.push_str("<dc:subject>");
        push_clean_escaped(&mut out, subtitle);
        out.push_str("</dc:subject>");
    }
    out.push_str("<dc:language>");
    out.push_str(doc.lang.office_tag());
    out.push_str("</dc:language>");
    out.push_str("</cp:coreProperties>");
    out
}
