//! Cell values as text (numbers, dates, durations), cell references, and
//! Excel's `_xHHHH_` escapes.

use std::borrow::Cow;

/// How a numeric cell is shown, from its number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberKind {
    /// A plain number.
    Plain,
    /// A date, a time of day, or both.
    DateTime,
    /// An elapsed time (`[h]:mm:ss`).
    Duration,
}

/// Excel's last column, `XFD`.
const MAX_COLUMN: u32 = 16_384;

/// Zero-based `(row, col)` → `"C7"`.
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

/// `"C7"` → zero-based `(row, col)`; `None` unless one to three letters (up
/// to `XFD`) are followed by a row number from 1.
pub(crate) fn parse_ref(text: &str) -> Option<(u32, u32)> {
    parse_ref_bytes(text.as_bytes())
}

/// [`parse_ref`] on the raw bytes of an attribute.
pub(crate) fn parse_ref_bytes(text: &[u8]) -> Option<(u32, u32)> {
    let letters = text.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = text.get(letters..)?;
    if letters == 0 || letters > 3 || digits.is_empty() || digits.len() > 10 {
        return None;
    }
    let mut col = 0u32;
    for &b in text.get(..letters)? {
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1;
    }
    let mut row = 0u64;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        row = row * 10 + u64::from(b - b'0');
    }
    if col > MAX_COLUMN {
        return None;
    }
    let row = u32::try_from(row).ok()?.checked_sub(1)?;
    Some((row, col - 1))
}

/// `"A2:A5"` (or a single `"A2"`) → zero-based `((row, col), (row, col))`.
pub(crate) fn parse_range(text: &str) -> Option<((u32, u32), (u32, u32))> {
    match text.split_once(':') {
        Some((start, end)) => Some((parse_ref(start)?, parse_ref(end)?)),
        None => parse_ref(text).map(|cell| (cell, cell)),
    }
}

/// A number as a person would type it: whole numbers without `.0`.
pub(crate) fn render_number(f: f64) -> String {
    // Below 2^53 a whole f64 converts to i64 exactly.
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        (f as i64).to_string()
    } else {
        f.to_string()
    }
}

/// A duration in days → `H:MM:SS` with unbounded hours, as Excel's `[h]:mm:ss`.
pub(crate) fn render_duration(days: f64) -> String {
    if !days.is_finite() || days.abs() > 1e12 {
        return render_number(days);
    }
    let total = (days * 86_400.0).round() as i64;
    let sign = if total < 0 { "-" } else { "" };
    let total = total.abs();
    format!(
        "{sign}{}:{:02}:{:02}",
        total / 3600,
        total % 3600 / 60,
        total % 60
    )
}

const MS_PER_DAY: i64 = 86_400_000;
/// Serial of 9999-12-31 in the 1900 system; later dates do not exist in Excel.
const LAST_SERIAL: f64 = 2_958_466.0;

/// A date serial → `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS(.mmm)`, or `HH:MM:SS`
/// below one day. Serials out of Excel's range stay numbers.
pub(crate) fn render_datetime(serial: f64, date1904: bool) -> String {
    if !serial.is_finite() || !(0.0..LAST_SERIAL).contains(&serial) {
        return render_number(serial);
    }
    let total = (serial * MS_PER_DAY as f64).round() as i64;
    let (days, ms_of_day) = (total / MS_PER_DAY, total % MS_PER_DAY);
    let (h, mi) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60);
    let (s, ms) = (ms_of_day / 1000 % 60, ms_of_day % 1000);
    let time = if ms > 0 {
        format!("{h:02}:{mi:02}:{s:02}.{ms:03}")
    } else {
        format!("{h:02}:{mi:02}:{s:02}")
    };
    if days == 0 {
        return time;
    }
    let (y, m, d) = serial_date(days, date1904);
    if ms_of_day == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{time}")
    }
}

/// Days since 1970-01-01 of 1899-12-30, day 0 of the 1900 system from
/// 1900-03-01 on (Excel counts a 1900-02-29 that never was).
const EPOCH_1900: i64 = -25_569;
/// Days since 1970-01-01 of 1904-01-01, day 0 of the 1904 system.
const EPOCH_1904: i64 = -24_107;

/// A whole serial day → `(year, month, day)`.
fn serial_date(days: i64, date1904: bool) -> (i64, u32, u32) {
    if date1904 {
        civil_from_days(EPOCH_1904 + days)
    } else if days == 60 {
        (1900, 2, 29)
    } else if days < 60 {
        civil_from_days(EPOCH_1900 + 1 + days)
    } else {
        civil_from_days(EPOCH_1900 + days)
    }
}

/// Days since 1970-01-01 → proleptic Gregorian `(year, month, day)`,
/// counting in 400-year eras of 146,097 days that start on 1 March.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097); // 0..=146_096
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153; // 0 = March … 11 = February
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

/// The ISO 8601 text of a `t="d"` cell, shown by the same rules as a date
/// serial: no `Z`, no zero fraction of a second, a date alone when the time
/// is midnight, a time alone when there is no date.
pub(crate) fn render_iso(text: &str) -> String {
    let text = text.trim();
    let text = text.strip_suffix('Z').unwrap_or(text);
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None if text.contains(':') => ("", Some(text)),
        None => (text, None),
    };
    let time = time.map(|time| match time.split_once('.') {
        Some((whole, fraction)) if fraction.bytes().all(|b| b == b'0') => whole,
        _ => time,
    });
    match time {
        Some(time) if date.is_empty() => time.to_owned(),
        Some(time) if !time.bytes().all(|b| b == b'0' || b == b':') => format!("{date}T{time}"),
        _ => date.to_owned(),
    }
}

/// Decodes Excel's escapes of characters XML cannot hold: `_x000D_` → CR,
/// `_x005F_` → `_` (so `_x005F_x000D_` is the literal text `_x000D_`); a
/// pair of escaped surrogates becomes one character. Anything else stays.
pub(crate) fn decode_escapes(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    if memchr::memmem::find(bytes, b"_x").is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut from) = (0, 0);
    while let Some(found) = bytes
        .get(from..)
        .and_then(|rest| memchr::memmem::find(rest, b"_x"))
    {
        let at = from + found;
        match escaped_char(bytes, at) {
            Some((ch, len)) => {
                out.push_str(text.get(copied..at).unwrap_or_default());
                out.push(ch);
                from = at + len;
                copied = from;
            }
            None => from = at + 1,
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

/// The character escaped at `at` (`_xHHHH_`, or two of them for a surrogate
/// pair) and the length of its escape.
fn escaped_char(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let unit = escaped_unit(bytes, at)?;
    if (0xD800..0xDC00).contains(&unit) {
        let low = escaped_unit(bytes, at + 7).filter(|low| (0xDC00..0xE000).contains(low))?;
        let ch = char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?;
        return Some((ch, 14));
    }
    char::from_u32(unit).map(|ch| (ch, 7))
}

/// The code unit of `_xHHHH_` at `at`.
fn escaped_unit(bytes: &[u8], at: usize) -> Option<u32> {
    let escape = bytes.get(at..at + 7)?;
    let (head, rest) = escape.split_at(2);
    let (hex, tail) = rest.split_at(4);
    if head != b"_x" || tail != b"_" || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 2), "C7");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(0, 701), "ZZ1");
        assert_eq!(cell_name(0, 702), "AAA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn references_parse_back() {
        for (row, col) in [(0, 0), (6, 2), (0, 26), (0, 701), (1_048_575, 16_383)] {
            assert_eq!(parse_ref(&cell_name(row, col)), Some((row, col)));
        }
        assert_eq!(parse_ref("c7"), Some((6, 2)));
        for bad in [
            "",
            "A",
            "7",
            "A0",
            "XFE1",
            "ABCD1",
            "A1B",
            "A-1",
            "$A$1",
            "A99999999999",
        ] {
            assert_eq!(parse_ref(bad), None, "{bad}");
        }
        assert_eq!(parse_range("A2:A5"), Some(((1, 0), (4, 0))));
        assert_eq!(parse_range("B3"), Some(((2, 1), (2, 1))));
        assert_eq!(parse_range("B3:"), None);
    }

    #[test]
    fn numbers_render_like_a_person_typed_them() {
        assert_eq!(render_number(3.0), "3");
        assert_eq!(render_number(-0.0), "0");
        assert_eq!(render_number(2.5), "2.5");
        assert_eq!(render_number(1e20), "100000000000000000000");
        assert_eq!(render_number(-7.0), "-7");
        assert_eq!(render_number(0.1), "0.1");
    }

    #[test]
    fn dates_render_as_iso() {
        let date = |v| render_datetime(v, false);
        assert_eq!(date(45_943.0), "2025-10-13");
        assert_eq!(date(45_943.5), "2025-10-13T12:00:00");
        assert_eq!(date(45_943.5 + 0.001 / 86_400.0), "2025-10-13T12:00:00.001");
        assert_eq!(date(0.75), "18:00:00");
        assert_eq!(date(0.0), "00:00:00");
        assert_eq!(date(1.0), "1900-01-01");
        assert_eq!(date(59.0), "1900-02-28");
        assert_eq!(date(60.0), "1900-02-29");
        assert_eq!(date(61.0), "1900-03-01");
        assert_eq!(date(25_569.0), "1970-01-01");
        assert_eq!(date(36_526.0), "2000-01-01");
        assert_eq!(date(2_958_465.0), "9999-12-31");
        // Just under a whole day rounds up to midnight of the next one.
        assert_eq!(date(45_943.999_999_999_9), "2025-10-14");
        // Out of Excel's range: the number.
        assert_eq!(date(-1.0), "-1");
        assert_eq!(date(3e6), "3000000");
        assert_eq!(date(f64::NAN), "NaN");
    }

    #[test]
    fn the_1904_system_starts_four_years_later() {
        let date = |v| render_datetime(v, true);
        assert_eq!(date(1.0), "1904-01-02");
        assert_eq!(date(44_481.0), "2025-10-13");
        assert_eq!(date(44_481.25), "2025-10-13T06:00:00");
        assert_eq!(date(0.5), "12:00:00");
    }

    #[test]
    fn civil_dates_around_leap_years_and_eras() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert_eq!(civil_from_days(-25_508), (1900, 3, 1));
        assert_eq!(civil_from_days(-719_468), (0, 3, 1));
    }

    #[test]
    fn durations_have_unbounded_hours() {
        assert_eq!(render_duration(1.5), "36:00:00");
        assert_eq!(render_duration(0.5 / 24.0), "0:30:00");
        assert_eq!(render_duration(-0.25), "-6:00:00");
        assert_eq!(render_duration(100.0 + 1.0 / 86_400.0), "2400:00:01");
    }

    #[test]
    fn iso_dates_follow_the_serial_rules() {
        assert_eq!(render_iso("2024-03-01T00:00:00Z"), "2024-03-01");
        assert_eq!(render_iso("2024-03-01T00:00:00.000"), "2024-03-01");
        assert_eq!(render_iso("2024-03-01T13:30:05Z"), "2024-03-01T13:30:05");
        assert_eq!(
            render_iso("2024-03-01T13:30:05.000Z"),
            "2024-03-01T13:30:05"
        );
        assert_eq!(
            render_iso("2024-03-01T13:30:05.120"),
            "2024-03-01T13:30:05.120"
        );
        assert_eq!(render_iso(" 2024-03-01 "), "2024-03-01");
        assert_eq!(render_iso("T18:00:00"), "18:00:00");
        assert_eq!(render_iso("18:00:00"), "18:00:00");
        assert_eq!(render_iso(""), "");
    }

    #[test]
    fn excel_escapes_are_decoded_once() {
        assert_eq!(decode_escapes("plain"), "plain");
        assert_eq!(decode_escapes("a_x000D_\nb"), "a\r\nb");
        assert_eq!(decode_escapes("_x005F_x000D_"), "_x000D_");
        assert_eq!(decode_escapes("_x005f_"), "_");
        assert_eq!(
            decode_escapes("_x00_ _xZZZZ_ _x000D"),
            "_x00_ _xZZZZ_ _x000D"
        );
        assert_eq!(decode_escapes("_xD83D__xDE00_!"), "😀!");
        assert_eq!(decode_escapes("_xD83D_"), "_xD83D_");
        assert_eq!(decode_escapes("资产_x0009_编号"), "资产\t编号");
    }
}
