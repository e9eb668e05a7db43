//! Follow-up statistics of a population of pupils: did absence fall after
//! the first intervention, for pupils with a collaboration plan and
//! without one?
//!
//! No group smaller than [`MIN_GROUP`] pupils is shown: a count of 1–4
//! pupils is shown as "<5", and so is every mean over fewer than 5 pupils.
//! "Lower absence after" is a count whose complement is known (the pupils
//! with figures), so it is shown only when both it and its complement are
//! at least 5. A group's percentage is the mean of its pupils'
//! percentages, so every pupil weighs the same.

use crate::absence::{round1, Sums, WINDOW_WEEKS};
use crate::figure::{count, too_small, Figure, MIN_GROUP};
use serde::Serialize;

/// One pupil of the population: a collaboration plan or not, and absence
/// before and after the first intervention when both are known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PupilOutcome {
    pub has_plan: bool,
    pub figures: Option<(Sums, Sums)>,
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

/// The follow-up statistics of a population.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutcomeStats {
    /// YYYY-MM-DD.
    pub generated_on: String,
    pub min_group: u32,
    pub window_weeks: u32,
    pub groups: Vec<OutcomeGroup>,
}

fn pct_of(s: &Sums, part: fn(&Sums) -> u32) -> f64 {
    f64::from(part(s)) * 100.0 / f64::from(s.scheduled)
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
    /// The statistics of `pupils`, in a group with a plan and one without.
    pub fn of(generated_on: String, pupils: &[PupilOutcome]) -> OutcomeStats {
        let with: Vec<&PupilOutcome> = pupils.iter().filter(|o| o.has_plan).collect();
        let without: Vec<&PupilOutcome> = pupils.iter().filter(|o| !o.has_plan).collect();
        OutcomeStats {
            generated_on,
            min_group: MIN_GROUP,
            window_weeks: WINDOW_WEEKS,
            groups: vec![
                group("with_plan", "Med samverkansplan", &with),
                group("without_plan", "Utan samverkansplan", &without),
            ],
        }
    }

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

    /// How the figures are computed, for the PDF and the pages.
    pub fn method(&self) -> [String; 2] {
        [
            format!(
                "Frånvaro i procent av schemalagd tid under {w} veckor före veckan för elevens första insats \
                 (första journalanteckning eller samverkansplan) och de senaste {w} veckorna efter den. \
                 Giltig och ogiltig frånvaro redovisas var för sig. Gruppens värde är medelvärdet av elevernas värden.",
                w = self.window_weeks
            ),
            format!(
                "Endast sammanräknade uppgifter. Grupper och antal med färre än {n} elever visas som \"<{n}\".",
                n = self.min_group
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pupil(has_plan: bool, before: u32, after: u32) -> PupilOutcome {
        let s = |invalid| Sums {
            weeks: 8,
            scheduled: 8000,
            valid: 0,
            invalid,
        };
        PupilOutcome {
            has_plan,
            figures: Some((s(before), s(after))),
        }
    }

    #[test]
    fn a_group_of_five_shows_its_means_and_a_smaller_one_nothing() {
        let mut pupils: Vec<_> = (0..5).map(|_| pupil(true, 1600, 400)).collect();
        pupils.extend((0..2).map(|_| pupil(false, 800, 800)));
        let stats = OutcomeStats::of("2026-06-01".into(), &pupils);
        let with = &stats.groups[0];
        assert_eq!(with.pupils, Figure::Count(5));
        assert_eq!(with.before_total_pct, Figure::Percent(20.0));
        assert_eq!(with.change_total_pct_points, Figure::Percent(-15.0));
        // All five improved: showing 5 would say none did not.
        assert_eq!(with.improved, Figure::Suppressed);
        let without = &stats.groups[1];
        assert_eq!(without.pupils, Figure::Suppressed);
        assert_eq!(without.after_total_pct, Figure::Suppressed);
        assert_eq!(stats.table()[1], ["Antal elever", "5", "<5"]);
    }
}
