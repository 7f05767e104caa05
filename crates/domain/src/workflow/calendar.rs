//! The working-day calendar (SPEC §6.0): Saturdays and Sundays are days off, except the
//! make-up working days the organization enters (调休); public holidays the organization
//! enters are days off too. The product ships with no entries: the organization enters its
//! year. Every "working day" deadline is computed here.

use crate::macros::coded_enum;
use crate::time::{Day, Timestamp};
use std::collections::BTreeMap;
use time::{UtcOffset, Weekday};

coded_enum! {
    /// What an entered day is.
    pub enum DayKind {
        /// A public holiday: no work, even on a weekday.
        Holiday => ("holiday", "Public holiday", "法定节假日"),
        /// A make-up working day: work, even on a weekend.
        Workday => ("workday", "Make-up working day", "调休工作日"),
    }
}

/// One entered day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CalendarDay {
    /// The day.
    pub day: Day,
    /// Holiday or make-up working day.
    pub kind: DayKind,
    /// Its name ("国庆节", "春节调休").
    pub name: String,
}

/// A day entered twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicateDay(pub Day);

/// The calendar: the entered days over the weekly rule.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days: BTreeMap<Day, DayKind>,
}

/// How far ahead a deadline is looked for: a calendar that makes every day a holiday for ten
/// years is a mistake, and the deadline then falls on the next calendar day.
const HORIZON_DAYS: u32 = 3_660;

impl Calendar {
    /// A calendar from its entered days; a day entered twice is refused.
    pub fn new(entries: impl IntoIterator<Item = (Day, DayKind)>) -> Result<Self, DuplicateDay> {
        let mut days = BTreeMap::new();
        for (day, kind) in entries {
            if days.insert(day, kind).is_some() {
                return Err(DuplicateDay(day));
            }
        }
        Ok(Calendar { days })
    }

    /// Whether work is done on `day`.
    pub fn is_working_day(&self, day: Day) -> bool {
        match self.days.get(&day) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(day.date().weekday(), Weekday::Saturday | Weekday::Sunday),
        }
    }

    /// The first working day after `day`.
    pub fn next_working_day(&self, day: Day) -> Day {
        let mut d = day.next();
        for _ in 0..HORIZON_DAYS {
            if self.is_working_day(d) {
                return d;
            }
            d = d.next();
        }
        day.next()
    }

    /// The deadline "within one working day" of `at` (seed 003): the end of the next working
    /// day after the day of `at`, in the organization's local time at `offset`. A change on
    /// Friday is due at the end of Monday; a change before a holiday is due after it.
    pub fn end_of_next_working_day(&self, at: Timestamp, offset: UtcOffset) -> Timestamp {
        self.next_working_day(Day::of_at(at, offset)).end_at(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    fn cst() -> UtcOffset {
        UtcOffset::from_hms(8, 0, 0).unwrap()
    }

    #[test]
    fn weekends_are_off_unless_made_up_and_holidays_are_off() {
        let cal = Calendar::new([
            (d("2026-10-01"), DayKind::Holiday),
            (d("2026-10-10"), DayKind::Workday),
        ])
        .unwrap();
        assert!(cal.is_working_day(d("2026-12-04"))); // Friday
        assert!(!cal.is_working_day(d("2026-12-05"))); // Saturday
        assert!(!cal.is_working_day(d("2026-10-01"))); // Thursday, holiday
        assert!(cal.is_working_day(d("2026-10-10"))); // Saturday, made up
    }

    #[test]
    fn a_friday_change_is_due_monday_and_a_change_before_a_holiday_after_it() {
        let cal = Calendar::default();
        // Friday 2026-12-04 15:00 in Beijing.
        let friday = Timestamp::parse("2026-12-04T15:00:00+08:00").unwrap();
        let due = cal.end_of_next_working_day(friday, cst());
        assert_eq!(
            due,
            Timestamp::parse("2026-12-07T23:59:59.999999+08:00").unwrap()
        );
        // Late Friday in UTC is already Saturday in Beijing: still due Monday.
        let late = Timestamp::parse("2026-12-04T17:30:00Z").unwrap();
        assert_eq!(Day::of_at(late, cst()), d("2026-12-05"));
        assert_eq!(cal.next_working_day(d("2026-12-05")), d("2026-12-07"));
        // National Day week: 1–7 October off, Saturday 10 October made up.
        let mut entries: Vec<(Day, DayKind)> = (1..=7)
            .map(|n| (d(&format!("2026-10-0{n}")), DayKind::Holiday))
            .collect();
        entries.push((d("2026-10-10"), DayKind::Workday));
        let cal = Calendar::new(entries).unwrap();
        assert_eq!(cal.next_working_day(d("2026-09-30")), d("2026-10-08"));
        assert_eq!(cal.next_working_day(d("2026-10-09")), d("2026-10-10"));
    }

    #[test]
    fn a_day_entered_twice_is_refused_and_an_all_holiday_calendar_still_ends() {
        assert_eq!(
            Calendar::new([
                (d("2026-05-01"), DayKind::Holiday),
                (d("2026-05-01"), DayKind::Workday)
            ])
            .unwrap_err(),
            DuplicateDay(d("2026-05-01"))
        );
        let start = d("2026-01-01");
        let mut all = Vec::new();
        let mut x = start;
        for _ in 0..4000 {
            x = x.next();
            all.push((x, DayKind::Holiday));
        }
        let cal = Calendar::new(all).unwrap();
        assert_eq!(cal.next_working_day(start), d("2026-01-02"));
    }
}
