//! Timestamps: always UTC, stored as fixed-width text so they sort and compare the same way
//! on SQLite and PostgreSQL, and shown as RFC 3339 in the API.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, UtcOffset};

/// A moment in time, microsecond precision, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

const DB_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        Timestamp::from_datetime(OffsetDateTime::now_utc())
    }

    /// Wraps a date-time, converting it to UTC and cutting it to microseconds.
    pub fn from_datetime(dt: OffsetDateTime) -> Self {
        let utc = dt.to_offset(UtcOffset::UTC);
        let micros = utc.microsecond();
        Timestamp(utc.replace_nanosecond(micros * 1000).unwrap_or(utc))
    }

    /// The stored form, e.g. `2026-11-22T03:15:00.000000Z` (fixed width, sorts as text).
    pub fn to_db(&self) -> String {
        self.0.format(DB_FORMAT).unwrap_or_default()
    }

    /// Reads the stored form (or any RFC 3339 text).
    pub fn parse(s: &str) -> Option<Self> {
        OffsetDateTime::parse(s, &Rfc3339)
            .ok()
            .map(Timestamp::from_datetime)
    }

    /// RFC 3339 text for the API.
    pub fn to_rfc3339(&self) -> String {
        self.0.format(&Rfc3339).unwrap_or_default()
    }

    /// The inner date-time.
    pub fn datetime(&self) -> OffsetDateTime {
        self.0
    }

    /// This moment plus `d`.
    pub fn plus(&self, d: Duration) -> Self {
        Timestamp(self.0.saturating_add(d))
    }

    /// Seconds from `self` until `later` (0 when `later` is not later).
    pub fn seconds_until(&self, later: &Timestamp) -> u64 {
        let secs = (later.0 - self.0).whole_seconds();
        u64::try_from(secs).unwrap_or(0)
    }

    /// `YYYY-MM-DD HH:MM` in UTC, for tables in the UI.
    pub fn display_minutes(&self) -> String {
        self.0
            .format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
            .unwrap_or_default()
    }
}

/// A calendar day (due dates, planned dates), stored and shown as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(time::Date);

const DAY_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

impl Day {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Day, crate::FieldErrorKind> {
        time::Date::parse(s.trim(), DAY_FORMAT)
            .map(Day)
            .map_err(|_| {
                crate::FieldErrorKind::invalid(
                    "a date as YYYY-MM-DD",
                    "请输入 YYYY-MM-DD 格式的日期",
                )
            })
    }

    /// The day of a moment, in UTC.
    pub fn of(t: Timestamp) -> Day {
        Day(t.0.date())
    }

    /// The day of a moment at a UTC offset (the organization's local day).
    pub fn of_at(t: Timestamp, offset: UtcOffset) -> Day {
        Day(t.0.to_offset(offset).date())
    }

    /// Wraps a date.
    pub fn from_date(d: time::Date) -> Day {
        Day(d)
    }

    /// The inner date.
    pub fn date(self) -> time::Date {
        self.0
    }

    /// The same day `months` later, or that month's last day (31 January + 1 month = 28 or
    /// 29 February).
    pub fn plus_months(self, months: u32) -> Day {
        let d = self.date();
        let Ok(months) = i32::try_from(months) else {
            return self;
        };
        let total = i32::from(d.month() as u8) - 1 + months;
        let year = d.year() + total.div_euclid(12);
        let month = u8::try_from(total.rem_euclid(12) + 1)
            .ok()
            .and_then(|m| time::Month::try_from(m).ok())
            .unwrap_or(time::Month::December);
        let last = time::util::days_in_month(month, year);
        let day = d.day().min(last);
        time::Date::from_calendar_date(year, month, day)
            .map(Day::from_date)
            .unwrap_or(self)
    }

    /// The day after (the same day at the end of the calendar's range).
    pub fn next(self) -> Day {
        Day(self.0.next_day().unwrap_or(self.0))
    }

    /// The first moment of this day at a UTC offset.
    pub fn start_at(self, offset: UtcOffset) -> Timestamp {
        Timestamp::from_datetime(self.0.with_time(time::Time::MIDNIGHT).assume_offset(offset))
    }

    /// The last microsecond of this day at a UTC offset, as a moment.
    pub fn end_at(self, offset: UtcOffset) -> Timestamp {
        let end = time::Time::from_hms_micro(23, 59, 59, 999_999).unwrap_or(time::Time::MIDNIGHT);
        Timestamp::from_datetime(self.0.with_time(end).assume_offset(offset))
    }

    /// `YYYY-MM-DD`.
    pub fn to_db(self) -> String {
        self.0.format(DAY_FORMAT).unwrap_or_default()
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_db())
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_db())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s)
            .ok_or_else(|| serde::de::Error::custom("expected an RFC 3339 timestamp"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_strictly_and_print_back() {
        let d = Day::parse(" 2026-12-31 ").unwrap();
        assert_eq!(d.to_db(), "2026-12-31");
        assert!(Day::parse("2026-02-30").is_err());
        assert!(Day::parse("31.12.2026").is_err());
        assert!(Day::parse("").is_err());
        assert!(Day::parse("2026-01-02").unwrap() < d);
    }

    #[test]
    fn db_form_is_fixed_width_and_round_trips() {
        let t = Timestamp::parse("2026-11-22T11:15:00.5+08:00").unwrap();
        assert_eq!(t.to_db(), "2026-11-22T03:15:00.500000Z");
        assert_eq!(Timestamp::parse(&t.to_db()), Some(t));
        let later = t.plus(Duration::seconds(90));
        assert!(t.to_db() < later.to_db());
        assert_eq!(t.seconds_until(&later), 90);
        assert_eq!(later.seconds_until(&t), 0);
    }
}
