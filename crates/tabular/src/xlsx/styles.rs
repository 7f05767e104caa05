//! Which cell styles show numbers as dates, times or durations
//! (`xl/styles.xml`: `cellXfs` → number format).

use std::collections::HashMap;
use std::io::Read;

use super::value::NumberKind;
use super::xml::{Event, XmlPart};
use crate::ReadError;

/// The number kind of each cell style (`s` attribute of a cell).
#[derive(Debug, Default)]
pub(crate) struct Styles {
    kinds: Vec<NumberKind>,
}

impl Styles {
    /// The kind of style `index`; plain for an unknown style.
    pub(crate) fn kind(&self, index: usize) -> NumberKind {
        self.kinds.get(index).copied().unwrap_or(NumberKind::Plain)
    }
}

/// Reads the custom number formats and the cell styles.
pub(crate) fn read<R: Read>(xml: &mut XmlPart<R>) -> Result<Styles, ReadError> {
    let part = xml.name().to_owned();
    let mut custom: HashMap<u32, NumberKind> = HashMap::new();
    let mut format_ids: Vec<u32> = Vec::new();
    let mut in_cell_xfs = false;
    loop {
        match xml.next()? {
            Event::Start(tag) if tag.name() == b"cellXfs" => in_cell_xfs = true,
            Event::Start(tag) | Event::Empty(tag) => match tag.name() {
                b"numFmt" => {
                    let (mut id, mut code) = (None, None);
                    tag.attributes(&part, |name, value| {
                        match name {
                            b"numFmtId" => id = value.trim().parse().ok(),
                            b"formatCode" => code = Some(classify(value)),
                            _ => {}
                        }
                        Ok(())
                    })?;
                    if let (Some(id), Some(kind)) = (id, code) {
                        custom.insert(id, kind);
                    }
                }
                b"xf" if in_cell_xfs => {
                    let mut id = 0;
                    tag.attributes(&part, |name, value| {
                        if name == b"numFmtId" {
                            id = value.trim().parse().unwrap_or(0);
                        }
                        Ok(())
                    })?;
                    format_ids.push(id);
                }
                _ => {}
            },
            Event::End(b"cellXfs") => in_cell_xfs = false,
            Event::Eof => break,
            _ => {}
        }
    }
    let kinds = format_ids
        .into_iter()
        .map(|id| custom.get(&id).copied().unwrap_or_else(|| builtin(id)))
        .collect();
    Ok(Styles { kinds })
}

/// The built-in number formats that show dates and times: 14–22, 45–47, and
/// the East Asian date formats 27–36 and 50–58; 46 (`[h]:mm:ss`) is a
/// duration.
fn builtin(id: u32) -> NumberKind {
    match id {
        46 => NumberKind::Duration,
        14..=22 | 27..=36 | 45 | 47 | 50..=58 => NumberKind::DateTime,
        _ => NumberKind::Plain,
    }
}

/// What a custom format code shows. Date and time tokens (`y m d h s`) count
/// outside quoted text, backslash or `_`/`*` escapes and `[...]` brackets;
/// an elapsed-time bracket (`[h]`, `[mm]`, `[ss]`) makes it a duration.
pub(crate) fn classify(code: &str) -> NumberKind {
    let mut chars = code.chars();
    let mut date = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => {
                let mut inside = String::new();
                for b in chars.by_ref() {
                    if b == ']' {
                        break;
                    }
                    inside.push(b);
                }
                let inside = inside.to_ascii_lowercase();
                let unit = inside.chars().next();
                if matches!(unit, Some('h' | 'm' | 's'))
                    && inside.chars().all(|ch| Some(ch) == unit)
                {
                    return NumberKind::Duration;
                }
            }
            'y' | 'Y' | 'm' | 'M' | 'd' | 'D' | 'h' | 'H' | 's' | 'S' => date = true,
            _ => {}
        }
    }
    if date {
        NumberKind::DateTime
    } else {
        NumberKind::Plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_formats() {
        for id in [14, 15, 17, 18, 20, 22, 27, 31, 36, 45, 47, 50, 55, 58] {
            assert_eq!(builtin(id), NumberKind::DateTime, "{id}");
        }
        assert_eq!(builtin(46), NumberKind::Duration);
        for id in [0, 1, 2, 9, 10, 11, 12, 13, 23, 37, 44, 48, 49, 59, 164] {
            assert_eq!(builtin(id), NumberKind::Plain, "{id}");
        }
    }

    #[test]
    fn custom_formats() {
        use NumberKind::*;
        let cases = [
            ("yyyy-mm-dd", DateTime),
            ("yyyy-mm-dd hh:mm:ss", DateTime),
            ("[$-409]m/d/yy h:mm AM/PM;@", DateTime),
            ("[DBNum1][$-804]yyyy\"年\"m\"月\"d\"日\"", DateTime),
            ("mm:ss.0", DateTime),
            ("[h]:mm:ss", Duration),
            ("[hh]:mm", Duration),
            ("[mm]:ss", Duration),
            ("[ss]", Duration),
            ("General", Plain),
            ("0.00", Plain),
            ("@", Plain),
            ("#,##0_);[Red](#,##0)", Plain),
            ("0.00E+00", Plain),
            ("0 \"days\"", Plain),
            ("0\\d", Plain),
            ("#,##0_m", Plain),
            ("[Red]0.0", Plain),
            ("[<=100]0;0", Plain),
        ];
        for (code, kind) in cases {
            assert_eq!(classify(code), kind, "{code}");
        }
    }
}
