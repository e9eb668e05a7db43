//! The values in a row of an absence export: numbers with a decimal comma
//! or point, dates, and weeks written in the many ways school systems do.
//!
//! Each parser returns a [`Note`] on failure; the importer adds the line
//! number and the column.

use crate::attendance::columns::TimeUnit;
use crate::attendance::note::{Note, NoteCode};
use chrono::{Datelike, NaiveDate, Weekday};

/// No pupil is scheduled more than this in one week (a school week is
/// about 30 hours). A larger figure means the unit was misread: 1 680
/// "hours" is 1 680 minutes.
pub(crate) const MAX_SCHEDULED_MIN_PER_WEEK: u32 = 60 * 60;

/// A non-negative number: decimal comma or point, spaces (also no-break
/// spaces) between thousands. When both `,` and `.` occur, the last one is
/// the decimal separator and the other separates thousands.
pub(crate) fn number(raw: &str) -> Result<f64, Note> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .collect();
    if compact.is_empty() {
        return Err(Note::new(
            NoteCode::EmptyCell,
            [],
            "the cell is empty".into(),
        ));
    }
    let decimal_at = compact.rfind([',', '.']);
    if let Some(at) = decimal_at {
        // Only the last separator is the decimal one; a second of the same
        // kind ("1,5,2") is not a number.
        let separator = char::from(compact.as_bytes()[at]);
        if compact.matches(separator).count() > 1 {
            return Err(not_a_number(raw));
        }
    }
    let normal: String = compact
        .char_indices()
        .filter_map(|(i, c)| match c {
            ',' | '.' if Some(i) == decimal_at => Some('.'),
            ',' | '.' => None,
            c => Some(c),
        })
        .collect();
    let value: f64 = normal.parse().map_err(|_| not_a_number(raw))?;
    if !value.is_finite() || value < 0.0 {
        return Err(Note::new(
            NoteCode::Negative,
            [("value", raw.to_owned())],
            format!("'{raw}' is not a number of zero or more"),
        ));
    }
    Ok(value)
}

fn not_a_number(raw: &str) -> Note {
    Note::new(
        NoteCode::NotANumber,
        [("value", raw.to_owned())],
        format!("'{raw}' is not a number"),
    )
}

/// A time in `unit`, as whole minutes (half a minute rounds up).
pub(crate) fn minutes(raw: &str, unit: TimeUnit) -> Result<u32, Note> {
    let value = number(raw)?;
    let minutes = (value * f64::from(unit.minutes())).round();
    if minutes > f64::from(u32::MAX) {
        return Err(Note::new(
            NoteCode::TooLarge,
            [("value", raw.to_owned())],
            format!("'{raw}' is far too large"),
        ));
    }
    Ok(minutes as u32)
}

/// A calendar date: `YYYY-MM-DD`, `YYYYMMDD` or `YYYY/MM/DD`; a time after
/// the date (`2026-10-05 08:00`, `2026-10-05T08:00`) is ignored.
pub(crate) fn date(raw: &str) -> Result<NaiveDate, Note> {
    let s = raw.trim();
    let day = s.split([' ', 'T']).next().unwrap_or(s);
    ["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(day, f).ok())
        .ok_or_else(|| {
            Note::new(
                NoteCode::NotADate,
                [("value", raw.to_owned())],
                format!("'{raw}' is not a date; expected YYYY-MM-DD"),
            )
        })
}

pub(crate) use brygga_outcomes::absence::monday_of;

/// `2026-W41` for the week starting on `monday`.
pub(crate) fn iso_week_label(monday: NaiveDate) -> String {
    let w = monday.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The Monday of a week written as `2026-W41`, `2026W41`, `2026-41`,
/// `2026 v41`, `202641`, `v.41`, `vecka 41` or just `41`. A week without a
/// year takes `year` (a year column) or else the latest year in which that
/// week has begun by `today`, the way a 10-digit personnummer gets its
/// century: an export is about weeks that have been.
pub(crate) fn week(raw: &str, year: Option<i32>, today: NaiveDate) -> Result<NaiveDate, Note> {
    let bad = || {
        Note::new(
            NoteCode::NotAWeek,
            [("value", raw.to_owned())],
            format!("'{raw}' is not a week; expected e.g. 41, v41 or 2026-W41"),
        )
    };
    let lower = raw.trim().to_lowercase();
    let words = lower
        .replace("vecka", " ")
        .replace("week", " ")
        .replace(['v', 'w', '.', '-', '/'], " ");
    if words
        .chars()
        .any(|c| !c.is_ascii_digit() && !c.is_whitespace())
    {
        return Err(bad());
    }
    let groups: Vec<&str> = words.split_whitespace().collect();
    let (year_in_cell, week_no): (Option<i32>, u32) = match groups.as_slice() {
        [w] if w.len() <= 2 => (None, w.parse().map_err(|_| bad())?),
        [yw] if yw.len() == 6 => (
            Some(yw[..4].parse().map_err(|_| bad())?),
            yw[4..].parse().map_err(|_| bad())?,
        ),
        [a, b] if a.len() == 4 && b.len() <= 2 => (
            Some(a.parse().map_err(|_| bad())?),
            b.parse().map_err(|_| bad())?,
        ),
        [a, b] if b.len() == 4 && a.len() <= 2 => (
            Some(b.parse().map_err(|_| bad())?),
            a.parse().map_err(|_| bad())?,
        ),
        _ => return Err(bad()),
    };
    let monday = |y: i32| NaiveDate::from_isoywd_opt(y, week_no, Weekday::Mon);
    let no_such = |y: i32| {
        Note::new(
            NoteCode::NoSuchWeek,
            [("year", y.to_string()), ("week", week_no.to_string())],
            format!("{y} has no week {week_no}"),
        )
    };
    if let Some(y) = year_in_cell.or(year) {
        return monday(y).ok_or_else(|| no_such(y));
    }
    let this_year = today.iso_week().year();
    match monday(this_year) {
        Some(m) if m <= today => Ok(m),
        _ => monday(this_year - 1).ok_or_else(|| no_such(this_year - 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn numbers_take_a_decimal_comma_or_point_and_spaced_thousands() {
        assert_eq!(number("1680"), Ok(1680.0));
        assert_eq!(number("27,5"), Ok(27.5));
        assert_eq!(number("27.5"), Ok(27.5));
        assert_eq!(number("1 680"), Ok(1680.0));
        assert_eq!(number("1\u{a0}680,5"), Ok(1680.5));
        assert_eq!(number("1.680,5"), Ok(1680.5));
        assert_eq!(number("1,680.5"), Ok(1680.5));
        assert!(number("").is_err());
        assert!(number("abc").is_err());
        assert!(number("-3").is_err());
        assert!(number("1,5,2").is_err());
    }

    #[test]
    fn hours_become_minutes() {
        assert_eq!(minutes("28", TimeUnit::Hours), Ok(1680));
        assert_eq!(minutes("0,75", TimeUnit::Hours), Ok(45));
        assert_eq!(minutes("45", TimeUnit::Minutes), Ok(45));
    }

    #[test]
    fn dates_in_the_usual_forms() {
        assert_eq!(date("2026-10-05"), Ok(d(2026, 10, 5)));
        assert_eq!(date("20261005"), Ok(d(2026, 10, 5)));
        assert_eq!(date("2026-10-05 08:00"), Ok(d(2026, 10, 5)));
        assert!(date("5/10/2026").is_err());
    }

    #[test]
    fn weeks_with_and_without_a_year() {
        let today = d(2026, 11, 25);
        let w41 = d(2026, 10, 5);
        for form in [
            "2026-W41", "2026W41", "2026-41", "2026 v41", "202641", "v.41", "V41", "vecka 41",
            "41", "41 2026",
        ] {
            assert_eq!(week(form, None, today), Ok(w41), "{form}");
        }
        // Week 50 has not begun by 25 November 2026: it is last year's.
        assert_eq!(week("50", None, today), Ok(d(2025, 12, 8)));
        assert_eq!(week("50", Some(2026), today), Ok(d(2026, 12, 7)));
        assert!(week("54", None, today).is_err());
        assert_eq!(
            week("2026-W53", None, today),
            Ok(d(2026, 12, 28)),
            "2026 has 53 weeks"
        );
        assert!(week("2025-W53", None, today).is_err(), "2025 has 52");
        assert!(week("vecka fyrtio", None, today).is_err());
    }

    #[test]
    fn the_monday_and_label_of_a_week() {
        assert_eq!(monday_of(d(2026, 10, 9)), d(2026, 10, 5));
        assert_eq!(iso_week_label(d(2026, 10, 5)), "2026-W41");
    }
}
