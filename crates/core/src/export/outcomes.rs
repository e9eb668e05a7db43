//! Follow-up statistics for a project: did absence fall after the first
//! intervention, for pupils with a collaboration plan and without one?
//!
//! Aggregate only, and no group smaller than [`MIN_GROUP`] pupils is
//! shown: a count of 1–4 pupils is shown as "<5", and so is every mean
//! over fewer than 5 pupils. "Lower absence after" is a count whose
//! complement is known (the pupils with figures), so it is shown only when
//! both it and its complement are at least 5. No personal data leaves: no
//! names, numbers, schools or dates of single pupils.
//!
//! Definitions (docs/attendance.md):
//! - the population is every pupil with a case on this device; "with a
//!   plan" means a collaboration plan in any of the pupil's cases;
//! - the first intervention is the earliest journal entry event or plan
//!   creation of the pupil, and its week is the dividing line;
//! - "before" is the [`WINDOW_WEEKS`] weeks before that week, "after" the
//!   latest [`WINDOW_WEEKS`] weeks after it; a pupil counts when both have
//!   scheduled time;
//! - a group's percentage is the mean of its pupils' percentages, so every
//!   pupil weighs the same.

use super::csv_out::{csv_bytes, decimal_sv};
use super::pdf::{Document, Style};
use crate::attendance::{monday_of, round1, sum, weeks_back, InterventionKind, StoredWeek, Sums};
use crate::audit::{Action, Event};
use crate::clock;
use crate::error::Result;
use crate::journal::Journal;
use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// Groups and counts below this are suppressed.
pub const MIN_GROUP: u32 = 5;
/// Weeks before and after the first intervention.
pub const WINDOW_WEEKS: u32 = 8;

/// One cell of the statistics.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Figure {
    Count(u32),
    /// Percent, or percentage points for a change.
    Percent(f64),
    /// Fewer than [`MIN_GROUP`] pupils: shown as "<5".
    Suppressed,
    /// Nothing to show (no pupils with figures).
    NotAvailable,
}

impl Figure {
    /// As the CSV and the PDF print it (decimal comma).
    pub fn text(&self) -> String {
        match self {
            Figure::Count(n) => n.to_string(),
            Figure::Percent(x) => decimal_sv(*x),
            Figure::Suppressed => format!("<{MIN_GROUP}"),
            Figure::NotAvailable => "–".to_owned(),
        }
    }
}

/// One group of pupils.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutcomeGroup {
    /// "with_plan" or "without_plan".
    pub key: String,
    pub label: String,
    pub pupils: Figure,
    /// Pupils with absence figures both before and after.
    pub with_figures: Figure,
    pub before_total_pct: Figure,
    pub after_total_pct: Figure,
    /// After minus before, percentage points (negative: less absence).
    pub change_total_pct_points: Figure,
    pub before_valid_pct: Figure,
    pub after_valid_pct: Figure,
    pub before_invalid_pct: Figure,
    pub after_invalid_pct: Figure,
    /// Pupils whose total absence was lower after than before.
    pub improved: Figure,
}

/// The follow-up statistics of the cases on this device.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutcomeStats {
    /// YYYY-MM-DD.
    pub generated_on: String,
    pub min_group: u32,
    pub window_weeks: u32,
    pub groups: Vec<OutcomeGroup>,
}

/// One pupil's before and after.
struct PupilOutcome {
    has_plan: bool,
    figures: Option<(Sums, Sums)>,
}

fn before_after(weeks: &[StoredWeek], first: NaiveDate) -> Option<(Sums, Sums)> {
    let week = monday_of(first);
    let last_before = week - Duration::weeks(1);
    let before = sum(weeks, weeks_back(last_before, WINDOW_WEEKS), last_before);
    let latest = weeks.last()?.week_start;
    let first_after = week + Duration::weeks(1);
    let after = sum(
        weeks,
        weeks_back(latest, WINDOW_WEEKS).max(first_after),
        latest,
    );
    (before.scheduled > 0 && after.scheduled > 0).then_some((before, after))
}

fn pct_of(s: &Sums, part: fn(&Sums) -> u32) -> f64 {
    f64::from(part(s)) * 100.0 / f64::from(s.scheduled)
}

/// A group of 1 to 4 pupils (under [`MIN_GROUP`]): too small to show at all.
pub(crate) fn too_small(pupils: u32) -> bool {
    pupils > 0 && pupils < MIN_GROUP
}

/// A count as it may be shown: 1 to 4 (under [`MIN_GROUP`]) is suppressed.
pub(crate) fn count(n: u32) -> Figure {
    if too_small(n) {
        Figure::Suppressed
    } else {
        Figure::Count(n)
    }
}

fn group(key: &str, label: &str, pupils: &[&PupilOutcome]) -> OutcomeGroup {
    let n = pupils.len() as u32;
    let pairs: Vec<&(Sums, Sums)> = pupils.iter().filter_map(|p| p.figures.as_ref()).collect();
    let m = pairs.len() as u32;
    let mean = |f: &dyn Fn(&(Sums, Sums)) -> f64| -> Figure {
        if m == 0 {
            Figure::NotAvailable
        } else if m < MIN_GROUP {
            Figure::Suppressed
        } else {
            Figure::Percent(round1(
                pairs.iter().map(|p| f(p)).sum::<f64>() / f64::from(m),
            ))
        }
    };
    let total = |s: &Sums| pct_of(s, |s| s.valid + s.invalid);
    let valid = |s: &Sums| pct_of(s, |s| s.valid);
    let invalid = |s: &Sums| pct_of(s, |s| s.invalid);
    let improved = pairs.iter().filter(|(b, a)| total(a) < total(b)).count() as u32;
    let out = OutcomeGroup {
        key: key.to_owned(),
        label: label.to_owned(),
        pupils: count(n),
        with_figures: count(m),
        before_total_pct: mean(&|(b, _)| total(b)),
        after_total_pct: mean(&|(_, a)| total(a)),
        change_total_pct_points: mean(&|(b, a)| total(a) - total(b)),
        before_valid_pct: mean(&|(b, _)| valid(b)),
        after_valid_pct: mean(&|(_, a)| valid(a)),
        before_invalid_pct: mean(&|(b, _)| invalid(b)),
        after_invalid_pct: mean(&|(_, a)| invalid(a)),
        improved: if m == 0 {
            Figure::NotAvailable
        } else if improved < MIN_GROUP || m - improved < MIN_GROUP {
            Figure::Suppressed
        } else {
            Figure::Count(improved)
        },
    };
    if too_small(n) {
        // A group too small to show at all.
        let s = Figure::Suppressed;
        OutcomeGroup {
            pupils: s,
            with_figures: s,
            before_total_pct: s,
            after_total_pct: s,
            change_total_pct_points: s,
            before_valid_pct: s,
            after_valid_pct: s,
            before_invalid_pct: s,
            after_invalid_pct: s,
            improved: s,
            ..out
        }
    } else {
        out
    }
}

/// A row of the table: its label and the figure it shows of a group.
type Measure = (&'static str, fn(&OutcomeGroup) -> Figure);

impl OutcomeStats {
    /// Rows of measures, one column per group, for the CSV and the PDF.
    pub fn table(&self) -> Vec<Vec<String>> {
        let mut rows = vec![std::iter::once("Mått".to_owned())
            .chain(self.groups.iter().map(|g| g.label.clone()))
            .collect::<Vec<_>>()];
        let measures: [Measure; 10] = [
            ("Antal elever", |g| g.pupils),
            ("Elever med frånvarouppgifter före och efter", |g| {
                g.with_figures
            }),
            ("Frånvaro före, totalt (%)", |g| g.before_total_pct),
            ("Frånvaro efter, totalt (%)", |g| g.after_total_pct),
            ("Förändring, totalt (procentenheter)", |g| {
                g.change_total_pct_points
            }),
            ("Giltig frånvaro före (%)", |g| g.before_valid_pct),
            ("Giltig frånvaro efter (%)", |g| g.after_valid_pct),
            ("Ogiltig frånvaro före (%)", |g| g.before_invalid_pct),
            ("Ogiltig frånvaro efter (%)", |g| g.after_invalid_pct),
            ("Elever med lägre frånvaro efter", |g| g.improved),
        ];
        for (label, figure) in measures {
            rows.push(
                std::iter::once(label.to_owned())
                    .chain(self.groups.iter().map(|g| figure(g).text()))
                    .collect(),
            );
        }
        rows
    }
}

impl Journal {
    /// Computes the statistics without recording anything.
    fn compute_outcomes(&self) -> Result<OutcomeStats> {
        let mut stmt = self.conn.prepare(
            "SELECT p.id, EXISTS (SELECT 1 FROM plans pl JOIN cases c2 ON c2.id = pl.case_id
                                  WHERE c2.pupil_id = p.id)
             FROM pupils p WHERE EXISTS (SELECT 1 FROM cases c WHERE c.pupil_id = p.id)
             ORDER BY p.id",
        )?;
        let pupils = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let weeks = self.all_absence_weeks()?;
        let mut outcomes = Vec::new();
        for (pupil, has_plan) in pupils {
            let first = self
                .interventions_of(&pupil)?
                .into_iter()
                .filter(|i| {
                    matches!(
                        i.kind,
                        InterventionKind::Entry | InterventionKind::PlanStart
                    )
                })
                .filter_map(|i| i.date.parse::<NaiveDate>().ok())
                .min();
            let figures = match (first, weeks.get(&pupil)) {
                (Some(first), Some(w)) => before_after(w, first),
                _ => None,
            };
            outcomes.push(PupilOutcome { has_plan, figures });
        }
        let with: Vec<&PupilOutcome> = outcomes.iter().filter(|o| o.has_plan).collect();
        let without: Vec<&PupilOutcome> = outcomes.iter().filter(|o| !o.has_plan).collect();
        Ok(OutcomeStats {
            generated_on: clock::today().to_string(),
            min_group: MIN_GROUP,
            window_weeks: WINDOW_WEEKS,
            groups: vec![
                group("with_plan", "Med samverkansplan", &with),
                group("without_plan", "Utan samverkansplan", &without),
            ],
        })
    }

    /// The follow-up statistics, for a screen.
    pub fn outcome_stats(&self) -> Result<OutcomeStats> {
        let stats = self.compute_outcomes()?;
        self.record(Event {
            action: Action::Read,
            object_type: "outcome-stats",
            object_id: None,
            pupil_id: None,
            detail: "aggregate".into(),
        })?;
        Ok(stats)
    }

    fn record_outcome_export(&self, format: &str) -> Result<()> {
        self.record(Event {
            action: Action::Export,
            object_type: "outcome-stats",
            object_id: None,
            pupil_id: None,
            detail: format!("{format}, aggregate, groups under {MIN_GROUP} suppressed"),
        })
    }

    /// The follow-up statistics as CSV.
    pub fn export_outcomes_csv(&self) -> Result<Vec<u8>> {
        let bytes = csv_bytes(&self.compute_outcomes()?.table())?;
        self.record_outcome_export("CSV")?;
        Ok(bytes)
    }

    /// The follow-up statistics as PDF, with how they are computed.
    pub fn export_outcomes_pdf(&self) -> Result<Vec<u8>> {
        let stats = self.compute_outcomes()?;
        let mut doc = Document::new("Uppföljning av skolfrånvaro");
        doc.text("Uppföljning av skolfrånvaro", Style::TITLE);
        doc.text(
            &format!("Sammanställd {}", stats.generated_on),
            Style::SMALL,
        );
        doc.gap(8.0);
        for para in [
            format!(
                "Frånvaro i procent av schemalagd tid under {w} veckor före veckan för elevens första insats \
                 (första journalanteckning eller samverkansplan) och de senaste {w} veckorna efter den. \
                 Giltig och ogiltig frånvaro redovisas var för sig. Gruppens värde är medelvärdet av elevernas värden.",
                w = stats.window_weeks
            ),
            format!(
                "Endast sammanräknade uppgifter. Grupper och antal med färre än {n} elever visas som \"<{n}\".",
                n = stats.min_group
            ),
        ] {
            doc.text(&para, Style::BODY);
            doc.gap(4.0);
        }
        doc.table(&[0.5, 0.25, 0.25], &stats.table(), Style::BODY);
        let bytes = doc.finish();
        self.record_outcome_export("PDF")?;
        Ok(bytes)
    }
}
