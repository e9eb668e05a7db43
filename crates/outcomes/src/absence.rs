//! Absence over weeks: the sums of a span of weeks, and a pupil's absence
//! before and after the first intervention (docs/attendance.md).

use chrono::{Datelike, Duration, NaiveDate};

/// Weeks before and after the first intervention.
pub const WINDOW_WEEKS: u32 = 8;

/// One recorded week of a pupil, in minutes.
pub trait AbsenceWeek {
    /// The Monday the week starts on.
    fn week_start(&self) -> NaiveDate;
    fn scheduled_min(&self) -> u32;
    fn valid_min(&self) -> u32;
    fn invalid_min(&self) -> u32;
}

/// The sums of a span of weeks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sums {
    pub weeks: u32,
    pub scheduled: u32,
    pub valid: u32,
    pub invalid: u32,
}

impl Sums {
    pub fn total_pct(&self) -> Option<f64> {
        pct(self.valid + self.invalid, self.scheduled)
    }
}

/// `part` of `whole` in percent, one decimal; None when nothing was scheduled.
pub fn pct(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0)
}

/// One decimal, as the percentages are shown.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The Monday of the ISO week `date` falls in.
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// The first week of the `n` calendar weeks ending with `last`.
pub fn weeks_back(last: NaiveDate, n: u32) -> NaiveDate {
    last - Duration::weeks(i64::from(n.saturating_sub(1)))
}

/// The sums over weeks starting `first..=last` that had scheduled time.
pub fn sum<W: AbsenceWeek>(weeks: &[W], first: NaiveDate, last: NaiveDate) -> Sums {
    weeks
        .iter()
        .filter(|w| w.week_start() >= first && w.week_start() <= last && w.scheduled_min() > 0)
        .fold(Sums::default(), |s, w| Sums {
            weeks: s.weeks + 1,
            scheduled: s.scheduled + w.scheduled_min(),
            valid: s.valid + w.valid_min(),
            invalid: s.invalid + w.invalid_min(),
        })
}

/// A pupil's absence in the [`WINDOW_WEEKS`] weeks before the week of the
/// first intervention (`first`), and in the latest [`WINDOW_WEEKS`] weeks
/// after it; None unless both have scheduled time. `weeks` in week order.
pub fn before_after<W: AbsenceWeek>(weeks: &[W], first: NaiveDate) -> Option<(Sums, Sums)> {
    let week = monday_of(first);
    let last_before = week - Duration::weeks(1);
    let before = sum(weeks, weeks_back(last_before, WINDOW_WEEKS), last_before);
    let latest = weeks.last()?.week_start();
    let first_after = week + Duration::weeks(1);
    let after = sum(
        weeks,
        weeks_back(latest, WINDOW_WEEKS).max(first_after),
        latest,
    );
    (before.scheduled > 0 && after.scheduled > 0).then_some((before, after))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A week of a test: its Monday and minutes scheduled, valid, invalid.
    #[derive(Clone, Copy, Debug)]
    pub(crate) struct W(pub NaiveDate, pub u32, pub u32, pub u32);

    impl AbsenceWeek for W {
        fn week_start(&self) -> NaiveDate {
            self.0
        }
        fn scheduled_min(&self) -> u32 {
            self.1
        }
        fn valid_min(&self) -> u32 {
            self.2
        }
        fn invalid_min(&self) -> u32 {
            self.3
        }
    }

    /// `n` weeks from the Monday `from`, each 1000 minutes scheduled and
    /// `absent` invalid.
    pub(crate) fn weeks(from: NaiveDate, n: i64, absent: u32) -> Vec<W> {
        (0..n)
            .map(|i| W(from + Duration::weeks(i), 1000, 0, absent))
            .collect()
    }

    fn monday(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).expect("date")
    }

    #[test]
    fn the_week_of_the_intervention_counts_in_neither_window() {
        let mut w = weeks(monday(5), 10, 200);
        w.extend(weeks(monday(5) + Duration::weeks(10), 10, 50));
        // The intervention on a Wednesday of week 11: weeks 3–10 before,
        // the latest eight (13–20) after.
        let first = monday(5) + Duration::weeks(10) + Duration::days(2);
        let (b, a) = before_after(&w, first).expect("both windows");
        assert_eq!((b.weeks, b.invalid), (8, 1600));
        assert_eq!((a.weeks, a.invalid), (8, 400));
        assert_eq!(b.total_pct(), Some(20.0));
        assert_eq!(a.total_pct(), Some(5.0));
    }

    #[test]
    fn no_weeks_after_is_no_figures() {
        let w = weeks(monday(5), 4, 100);
        assert_eq!(before_after(&w, monday(5) + Duration::weeks(3)), None);
        assert_eq!(before_after::<W>(&[], monday(5)), None);
    }
}
