//! Absence figures: per week and over rolling windows, valid and invalid
//! apart, with warnings at thresholds of the scheduled time.
//!
//! A window's percentage is its absent minutes over its scheduled minutes
//! (not a mean of weekly percentages), so a short week weighs less than a
//! full one. Weeks without figures (holidays, weeks not imported) and weeks
//! with no scheduled time do not count. Windows end at the pupil's latest
//! recorded week: "the last 4 weeks" are the 4 calendar weeks up to and
//! including it; the term is the half-year it falls in (VT: weeks starting
//! January–July, HT: August–December).
//!
//! There is no statutory threshold; the defaults 10 %, 15 % and 20 % are
//! the common practice of Swedish schools. The municipality sets its own
//! on the server (docs/settings.md); until then a laptop may set them
//! (`Journal::set_absence_thresholds`).

use super::parse::WeekMinutes;
use super::values::{iso_week_label, monday_of};
use crate::error::{Error, ReasonCode, Result};
pub(crate) use brygga_outcomes::absence::{pct, round1, sum, weeks_back};
use brygga_protocol::settings;
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Three ascending percentages of the scheduled time that warn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Thresholds(pub [u8; 3]);

impl Thresholds {
    pub const DEFAULT: Thresholds = Thresholds(settings::DEFAULT_ABSENCE_THRESHOLDS);

    /// Refuses thresholds that are not strictly ascending within 1–100
    /// (the rule the server keeps for the municipality's too).
    pub fn new(levels: [u8; 3]) -> Result<Thresholds> {
        settings::check_absence_thresholds(levels)
            .map(|()| Thresholds(levels))
            .map_err(|message| Error::invalid(ReasonCode::Thresholds, message))
    }

    /// `10,15,20` (spaces and a `%` allowed).
    pub fn parse(s: &str) -> Result<Thresholds> {
        let bad = || {
            Error::invalid(
                ReasonCode::Thresholds,
                format!("'{s}' is not three percentages such as 10,15,20"),
            )
        };
        let parts = s
            .split(',')
            .map(|p| p.trim().trim_end_matches('%').trim().parse::<u8>())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|_| bad())?;
        let levels: [u8; 3] = parts.try_into().map_err(|_| bad())?;
        Thresholds::new(levels)
    }

    /// How many thresholds `pct` reaches (0–3), and the highest of them.
    pub fn warning(&self, pct: Option<f64>) -> Warning {
        let reached: Vec<u8> = match pct {
            Some(p) => self
                .0
                .iter()
                .copied()
                .filter(|t| p >= f64::from(*t))
                .collect(),
            None => Vec::new(),
        };
        Warning {
            level: reached.len() as u8,
            threshold_pct: reached.last().copied(),
        }
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds::DEFAULT
    }
}

/// How far a figure is over the thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Warning {
    /// 0 below every threshold, 3 at or over the highest.
    pub level: u8,
    /// The highest threshold reached, in percent.
    pub threshold_pct: Option<u8>,
}

/// One recorded week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredWeek {
    pub week_start: NaiveDate,
    pub minutes: WeekMinutes,
    pub source: String,
}

impl brygga_outcomes::absence::AbsenceWeek for StoredWeek {
    fn week_start(&self) -> NaiveDate {
        self.week_start
    }
    fn scheduled_min(&self) -> u32 {
        self.minutes.scheduled_min
    }
    fn valid_min(&self) -> u32 {
        self.minutes.valid_min
    }
    fn invalid_min(&self) -> u32 {
        self.minutes.invalid_min
    }
}

/// The term a week belongs to: its label and first and last possible Monday.
fn term_of(monday: NaiveDate) -> (String, NaiveDate, NaiveDate) {
    let y = monday.year();
    let date = |m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a fixed calendar date");
    if monday.month() <= 7 {
        (format!("VT {y}"), date(1, 1), date(7, 31))
    } else {
        (format!("HT {y}"), date(8, 1), date(12, 31))
    }
}

/// The first Monday on or after `date`.
fn first_monday(date: NaiveDate) -> NaiveDate {
    let monday = monday_of(date);
    if monday == date {
        date
    } else {
        monday + Duration::weeks(1)
    }
}

/// Which window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    Last4Weeks,
    Last8Weeks,
    Term,
}

/// The figures of one window.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WindowFigures {
    pub kind: WindowKind,
    /// "4 veckor", "8 veckor", "HT 2026".
    pub label: String,
    /// The Mondays the window spans, YYYY-MM-DD.
    pub first_week: String,
    pub last_week: String,
    /// Weeks in the window with scheduled time.
    pub weeks_with_data: u32,
    pub scheduled_min: u32,
    pub valid_min: u32,
    pub invalid_min: u32,
    pub valid_pct: Option<f64>,
    pub invalid_pct: Option<f64>,
    pub total_pct: Option<f64>,
    pub warning: Warning,
}

fn window(
    weeks: &[StoredWeek],
    kind: WindowKind,
    label: String,
    (first, last): (NaiveDate, NaiveDate),
    thresholds: &Thresholds,
) -> WindowFigures {
    let s = sum(weeks, first, last);
    let total_pct = s.total_pct();
    WindowFigures {
        kind,
        label,
        first_week: first_monday(first).to_string(),
        last_week: last.to_string(),
        weeks_with_data: s.weeks,
        scheduled_min: s.scheduled,
        valid_min: s.valid,
        invalid_min: s.invalid,
        valid_pct: pct(s.valid, s.scheduled),
        invalid_pct: pct(s.invalid, s.scheduled),
        total_pct,
        warning: thresholds.warning(total_pct),
    }
}

/// One week, as the table and the chart show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WeekFigures {
    /// The Monday, YYYY-MM-DD.
    pub week_start: String,
    /// 2026-W41.
    pub week: String,
    pub scheduled_min: u32,
    pub valid_min: u32,
    pub invalid_min: u32,
    pub valid_pct: Option<f64>,
    pub invalid_pct: Option<f64>,
    pub total_pct: Option<f64>,
    /// Total absence over the 4 weeks ending with this one: the smoothed
    /// line of the chart.
    pub rolling4_total_pct: Option<f64>,
    /// The file the figures came from.
    pub source: String,
}

/// A pupil's absence: every week, the windows, and the warning.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AbsenceFigures {
    pub pupil_id: String,
    pub thresholds: Thresholds,
    /// The latest recorded week (YYYY-MM-DD); the windows end there.
    pub latest_week: Option<String>,
    /// Oldest first.
    pub weeks: Vec<WeekFigures>,
    /// The last 4 weeks, the last 8 weeks, the term; empty without data.
    pub windows: Vec<WindowFigures>,
    /// The warning of the last 4 weeks' total absence.
    pub warning: Warning,
}

/// `weeks` sorted oldest first.
pub(crate) fn figures(
    pupil_id: &str,
    weeks: &[StoredWeek],
    thresholds: Thresholds,
) -> AbsenceFigures {
    let series = weeks
        .iter()
        .map(|w| {
            let m = w.minutes;
            WeekFigures {
                week_start: w.week_start.to_string(),
                week: iso_week_label(w.week_start),
                scheduled_min: m.scheduled_min,
                valid_min: m.valid_min,
                invalid_min: m.invalid_min,
                valid_pct: pct(m.valid_min, m.scheduled_min),
                invalid_pct: pct(m.invalid_min, m.scheduled_min),
                total_pct: pct(m.valid_min + m.invalid_min, m.scheduled_min),
                rolling4_total_pct: sum(weeks, weeks_back(w.week_start, 4), w.week_start)
                    .total_pct(),
                source: w.source.clone(),
            }
        })
        .collect();
    let latest = weeks.last().map(|w| w.week_start);
    let windows: Vec<WindowFigures> = latest
        .map(|last| {
            let (term, term_first, term_last) = term_of(last);
            vec![
                window(
                    weeks,
                    WindowKind::Last4Weeks,
                    "4 veckor".into(),
                    (weeks_back(last, 4), last),
                    &thresholds,
                ),
                window(
                    weeks,
                    WindowKind::Last8Weeks,
                    "8 veckor".into(),
                    (weeks_back(last, 8), last),
                    &thresholds,
                ),
                window(
                    weeks,
                    WindowKind::Term,
                    term,
                    (term_first, term_last.min(last)),
                    &thresholds,
                ),
            ]
        })
        .unwrap_or_default();
    let warning = windows
        .first()
        .map(|w| w.warning)
        .unwrap_or_else(|| thresholds.warning(None));
    AbsenceFigures {
        pupil_id: pupil_id.to_owned(),
        thresholds,
        latest_week: latest.map(|d| d.to_string()),
        weeks: series,
        windows,
        warning,
    }
}

/// One pupil's line for sorting the caseload by absence and its trend.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AbsenceOverviewItem {
    pub pupil_id: String,
    /// The latest recorded week (YYYY-MM-DD), so stale figures show.
    pub latest_week: String,
    /// Valid + invalid absence over the last 4 weeks, percent.
    pub last4_total_pct: Option<f64>,
    pub last4_valid_pct: Option<f64>,
    pub last4_invalid_pct: Option<f64>,
    /// The same over the 4 weeks before those.
    pub previous4_total_pct: Option<f64>,
    /// `last4_total_pct - previous4_total_pct` in percentage points:
    /// positive means more absence (worse), negative less.
    pub trend_pct_points: Option<f64>,
    pub warning: Warning,
}

/// None for a pupil without recorded weeks.
pub(crate) fn overview_item(
    pupil_id: &str,
    weeks: &[StoredWeek],
    thresholds: &Thresholds,
) -> Option<AbsenceOverviewItem> {
    let last = weeks.last()?.week_start;
    let now = sum(weeks, weeks_back(last, 4), last);
    let before_last = last - Duration::weeks(4);
    let before = sum(weeks, weeks_back(before_last, 4), before_last);
    let (now_pct, before_pct) = (now.total_pct(), before.total_pct());
    Some(AbsenceOverviewItem {
        pupil_id: pupil_id.to_owned(),
        latest_week: last.to_string(),
        last4_total_pct: now_pct,
        last4_valid_pct: pct(now.valid, now.scheduled),
        last4_invalid_pct: pct(now.invalid, now.scheduled),
        previous4_total_pct: before_pct,
        trend_pct_points: now_pct.zip(before_pct).map(|(a, b)| round1(a - b)),
        warning: thresholds.warning(now_pct),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(y: i32, m: u32, d: u32, scheduled: u32, valid: u32, invalid: u32) -> StoredWeek {
        StoredWeek {
            week_start: NaiveDate::from_ymd_opt(y, m, d).expect("date"),
            minutes: WeekMinutes {
                scheduled_min: scheduled,
                valid_min: valid,
                invalid_min: invalid,
            },
            source: "fiktiv.csv".into(),
        }
    }

    #[test]
    fn thresholds_warn_by_level_and_are_checked() {
        let t = Thresholds::DEFAULT;
        assert_eq!(
            t.warning(Some(9.9)),
            Warning {
                level: 0,
                threshold_pct: None
            }
        );
        assert_eq!(
            t.warning(Some(10.0)),
            Warning {
                level: 1,
                threshold_pct: Some(10)
            }
        );
        assert_eq!(
            t.warning(Some(17.0)),
            Warning {
                level: 2,
                threshold_pct: Some(15)
            }
        );
        assert_eq!(
            t.warning(Some(40.0)),
            Warning {
                level: 3,
                threshold_pct: Some(20)
            }
        );
        assert_eq!(t.warning(None).level, 0);
        assert_eq!(
            Thresholds::parse(" 5, 10 ,25% ").expect("ok"),
            Thresholds([5, 10, 25])
        );
        assert!(Thresholds::parse("10,10,20").is_err());
        assert!(Thresholds::parse("0,10,20").is_err());
        assert!(Thresholds::parse("10,20").is_err());
        assert!(Thresholds::parse("10,20,101").is_err());
    }

    #[test]
    fn windows_weigh_minutes_and_keep_valid_and_invalid_apart() {
        // Fictional: eight school weeks in autumn 2026, a holiday in week 44.
        let weeks = vec![
            week(2026, 9, 14, 1000, 0, 0),
            week(2026, 9, 21, 1000, 0, 0),
            week(2026, 9, 28, 1000, 100, 0),
            week(2026, 10, 5, 1000, 100, 0),
            week(2026, 10, 12, 1000, 0, 100),
            week(2026, 10, 19, 1000, 0, 100),
            week(2026, 10, 26, 0, 0, 0),
            week(2026, 11, 2, 500, 100, 150),
        ];
        let f = figures("p", &weeks, Thresholds::DEFAULT);
        assert_eq!(f.latest_week.as_deref(), Some("2026-11-02"));
        let last4 = &f.windows[0];
        // Weeks of 12, 19 Oct and 2 Nov (26 Oct had no schedule).
        assert_eq!(last4.weeks_with_data, 3);
        assert_eq!(last4.scheduled_min, 2500);
        assert_eq!(last4.valid_pct, Some(4.0));
        assert_eq!(last4.invalid_pct, Some(14.0));
        assert_eq!(last4.total_pct, Some(18.0));
        assert_eq!(
            last4.warning,
            Warning {
                level: 2,
                threshold_pct: Some(15)
            }
        );
        assert_eq!(f.warning, last4.warning);
        let last8 = &f.windows[1];
        assert_eq!(last8.weeks_with_data, 7);
        assert_eq!(last8.total_pct, Some(10.0)); // 650 / 6500
        let term = &f.windows[2];
        assert_eq!((term.label.as_str(), term.weeks_with_data), ("HT 2026", 7));
        assert_eq!(f.weeks[7].total_pct, Some(50.0));
        assert_eq!(f.weeks[6].total_pct, None, "no scheduled time");
        assert_eq!(f.weeks[7].rolling4_total_pct, Some(18.0));
    }

    #[test]
    fn the_overview_trend_compares_with_the_four_weeks_before() {
        let weeks = vec![
            week(2026, 9, 14, 1000, 200, 0),
            week(2026, 9, 21, 1000, 200, 0),
            week(2026, 9, 28, 1000, 200, 0),
            week(2026, 10, 5, 1000, 200, 0),
            week(2026, 10, 12, 1000, 50, 0),
            week(2026, 10, 19, 1000, 50, 0),
            week(2026, 10, 26, 1000, 0, 50),
            week(2026, 11, 2, 1000, 0, 50),
        ];
        let o = overview_item("p", &weeks, &Thresholds::DEFAULT).expect("item");
        assert_eq!(o.last4_total_pct, Some(5.0));
        assert_eq!(o.previous4_total_pct, Some(20.0));
        assert_eq!(o.trend_pct_points, Some(-15.0));
        assert_eq!(
            (o.last4_valid_pct, o.last4_invalid_pct),
            (Some(2.5), Some(2.5))
        );
        assert_eq!(o.warning.level, 0);
        assert!(overview_item("p", &[], &Thresholds::DEFAULT).is_none());
    }

    #[test]
    fn spring_weeks_belong_to_the_spring_term() {
        let (label, first, last) = term_of(NaiveDate::from_ymd_opt(2027, 3, 1).expect("date"));
        assert_eq!(label, "VT 2027");
        assert_eq!((first.month(), last.month()), (1, 7));
    }
}
