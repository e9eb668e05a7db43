//! The views of the unit manager pages, computed from the facts of a team
//! (or every team) for a school (or all) and a period, by the shared rules
//! (`brygga_outcomes`): no group under five, complementary suppression of
//! a view shown with its total.
//!
//! - The population: the pupils with a case open at some time in the
//!   period. Under a school, only pupils whose school is known: a
//!   protected pupil's school is never kept ([`super::facts`]), so they
//!   are counted in the team's figures and under no school.
//! - Absence before and after the first intervention (the earliest entry
//!   event or plan), with and without a collaboration plan, from the weeks
//!   up to the period's end (a week recorded twice: the last writer's).
//! - The return ladder: each pupil's latest step decided by the period's
//!   end.
//! - Deviations noted in the period, by partner and category, with their
//!   last status.
//! - ESF participants: cases opened, and cases closed, in the period.

use super::weeks::{self, unpack, Week};
use crate::store::outcomes::{FactRow, PupilWeeks};
use brygga_outcomes::absence::before_after;
use brygga_outcomes::complementary::{protect, Cell};
use brygga_outcomes::deviations::{DeviationFigures, DeviationTally};
use brygga_outcomes::labels::{category_label, partner_label};
use brygga_outcomes::{count, Figure, OutcomeStats, PupilOutcome};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// What a page shows: one school or all, over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub school: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A view of counts that partition the population, with its total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountView {
    pub rows: Vec<(String, Cell)>,
    pub total: Cell,
}

impl CountView {
    fn of(rows: Vec<(String, u32)>) -> CountView {
        let counts: Vec<u32> = rows.iter().map(|r| r.1).collect();
        let protected = protect(&counts);
        CountView {
            rows: rows.into_iter().map(|r| r.0).zip(protected.cells).collect(),
            total: protected.total,
        }
    }

    /// A header and one row per count, then the total, for the CSV and PDF.
    pub fn table(&self, what: &str) -> Vec<Vec<String>> {
        std::iter::once(vec![what.to_owned(), "Elever".to_owned()])
            .chain(self.rows.iter().map(|(l, c)| vec![l.clone(), c.text()]))
            .chain(std::iter::once(vec![
                "Totalt".to_owned(),
                self.total.text(),
            ]))
            .collect()
    }
}

/// The deviations of one partner and category.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviationRow {
    pub partner: String,
    pub category: String,
    pub figures: DeviationFigures,
}

/// Every view of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Views {
    /// Pupils followed, by school (protected pupils and pupils without a
    /// school in a row of their own).
    pub followed: CountView,
    /// Pupils with and without a collaboration plan.
    pub plans: CountView,
    pub outcomes: OutcomeStats,
    /// Pupils by their latest step on the return ladder.
    pub ladder: CountView,
    pub deviations: Vec<DeviationRow>,
    /// ESF participants: cases opened and closed in the period.
    pub esf_started: Figure,
    pub esf_ended: Figure,
    /// The schools known among the facts, for the form.
    pub schools: Vec<String>,
}

/// The row of pupils counted under no school.
pub const NO_SCHOOL: &str = "Ingen skola redovisas (skyddade personuppgifter)";

pub(super) fn day(f: &FactRow) -> Option<NaiveDate> {
    f.on_date.as_deref()?.parse().ok()
}

#[derive(Default)]
struct Case {
    pupil: String,
    opened: Option<NaiveDate>,
    closed: Option<NaiveDate>,
    /// The order key of the last close or reopen.
    closed_by: String,
}

/// The facts of each kind, indexed.
#[derive(Default)]
struct Index<'f> {
    /// pupil → school (None: protected or not known).
    schools: HashMap<&'f str, Option<&'f str>>,
    cases: HashMap<Uuid, Case>,
    /// case → days of entries and plans.
    interventions: HashMap<Uuid, Vec<NaiveDate>>,
    plans: BTreeSet<Uuid>,
    /// case → (decided on, order key, step).
    ladder: HashMap<Uuid, Vec<(NaiveDate, &'f str, &'f str)>>,
    deviations: Vec<&'f FactRow>,
    /// deviation → (order key, status).
    statuses: HashMap<&'f str, (&'f str, &'f str)>,
}

impl<'f> Index<'f> {
    fn of(facts: &'f [FactRow]) -> Index<'f> {
        let mut ix = Index::default();
        for f in facts {
            match (f.kind.as_str(), f.case_id) {
                ("pupil", _) => {
                    let school = f.label.as_deref().filter(|_| f.n[0] == 0);
                    ix.schools.insert(&f.subject, school);
                }
                ("case-opened", Some(case)) => {
                    let c = ix.cases.entry(case).or_default();
                    c.pupil = f.subject.clone();
                    c.opened = day(f);
                }
                ("case-closed" | "case-reopened", Some(case)) => {
                    let c = ix.cases.entry(case).or_default();
                    if f.order_key > c.closed_by {
                        c.closed = day(f).filter(|_| f.kind == "case-closed");
                        c.closed_by = f.order_key.clone();
                    }
                }
                ("entry" | "plan", Some(case)) => {
                    if f.kind == "plan" {
                        ix.plans.insert(case);
                    }
                    ix.interventions.entry(case).or_default().extend(day(f));
                }
                ("ladder", Some(case)) => {
                    if let (Some(d), Some(step)) = (day(f), f.label.as_deref()) {
                        ix.ladder
                            .entry(case)
                            .or_default()
                            .push((d, &f.order_key, step));
                    }
                }
                ("deviation", Some(_)) => ix.deviations.push(f),
                ("deviation-status", _) => {
                    if let Some(status) = f.label.as_deref() {
                        let slot = ix
                            .statuses
                            .entry(&f.subject)
                            .or_insert((&f.order_key, status));
                        if f.order_key.as_str() > slot.0 {
                            *slot = (&f.order_key, status);
                        }
                    }
                }
                _ => {}
            }
        }
        ix
    }
}

/// The views of `facts` for `filter`, computed on `today`: what a page
/// shows from the facts its rows were taken from.
pub fn compute(facts: &[FactRow], filter: &Filter, today: NaiveDate) -> Views {
    compute_page(facts, &weeks::pack(facts), filter, today)
}

/// The views of a page's rows ([`crate::store::outcomes::OutcomeRows`]):
/// the facts but the weeks (any week among them is not read), and the
/// pupils' weeks.
pub fn compute_page(
    facts: &[FactRow],
    packed: &[PupilWeeks],
    filter: &Filter,
    today: NaiveDate,
) -> Views {
    let ix = Index::of(facts);
    let open_in_period = |c: &Case| {
        c.opened.is_some_and(|o| o <= filter.to) && c.closed.is_none_or(|e| e >= filter.from)
    };
    let school_of = |pupil: &str| ix.schools.get(pupil).copied().flatten();
    let in_school = |pupil: &str| match &filter.school {
        None => true,
        Some(s) => school_of(pupil) == Some(s.as_str()),
    };
    // The population's cases, by pupil.
    let mut pupils: BTreeMap<&str, Vec<Uuid>> = BTreeMap::new();
    for (id, c) in &ix.cases {
        if open_in_period(c) && in_school(&c.pupil) {
            pupils.entry(c.pupil.as_str()).or_default().push(*id);
        }
    }
    let mut weeks: HashMap<&str, Vec<Week>> = HashMap::new();
    for p in packed {
        if pupils.contains_key(p.pupil.as_str()) {
            weeks
                .entry(p.pupil.as_str())
                .or_default()
                .extend(unpack(&p.weeks).filter(|w| w.monday <= filter.to));
        }
    }
    let mut by_school: BTreeMap<&str, u32> = BTreeMap::new();
    let mut no_school = 0;
    let mut with_plan = 0;
    let mut steps: BTreeMap<&str, u32> = BTreeMap::new();
    let mut outcomes = Vec::with_capacity(pupils.len());
    for (pupil, cases) in &pupils {
        match school_of(pupil) {
            Some(s) => *by_school.entry(s).or_default() += 1,
            None => no_school += 1,
        }
        let has_plan = cases.iter().any(|c| ix.plans.contains(c));
        with_plan += u32::from(has_plan);
        let first = cases
            .iter()
            .filter_map(|c| ix.interventions.get(c))
            .flatten()
            .min()
            .copied();
        let figures = match (first, weeks.get_mut(pupil)) {
            (Some(first), Some(w)) => {
                w.sort_by_key(|w| w.monday);
                before_after(w, first)
            }
            _ => None,
        };
        outcomes.push(PupilOutcome { has_plan, figures });
        let latest = cases
            .iter()
            .filter_map(|c| ix.ladder.get(c))
            .flatten()
            .filter(|(d, _, _)| *d <= filter.to)
            .max_by_key(|(d, key, _)| (*d, *key));
        if let Some((_, _, step)) = latest {
            *steps.entry(step).or_default() += 1;
        }
    }
    let mut followed: Vec<(String, u32)> = by_school
        .into_iter()
        .map(|(s, n)| (s.to_owned(), n))
        .collect();
    if no_school > 0 {
        followed.push((NO_SCHOOL.to_owned(), no_school));
    }
    let total = pupils.len() as u32;
    let cases: BTreeSet<Uuid> = pupils.values().flatten().copied().collect();
    let in_period = |d: Option<NaiveDate>| d.is_some_and(|d| d >= filter.from && d <= filter.to);
    let started = cases
        .iter()
        .filter(|c| in_period(ix.cases[c].opened))
        .count();
    let ended = cases
        .iter()
        .filter(|c| in_period(ix.cases[c].closed))
        .count();
    let mut schools: Vec<String> = ix
        .schools
        .values()
        .flatten()
        .map(|s| (*s).to_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    schools.sort();
    Views {
        followed: CountView::of(followed),
        plans: CountView::of(vec![
            ("Med samverkansplan".to_owned(), with_plan),
            ("Utan samverkansplan".to_owned(), total - with_plan),
        ]),
        outcomes: OutcomeStats::of(today.to_string(), &outcomes),
        ladder: CountView::of(steps.into_iter().map(|(s, n)| (s.to_owned(), n)).collect()),
        deviations: deviations(&ix, &cases, &in_period),
        esf_started: count(started as u32),
        esf_ended: count(ended as u32),
        schools,
    }
}

/// The deviations of the population's cases noted in the period.
fn deviations(
    ix: &Index<'_>,
    cases: &BTreeSet<Uuid>,
    in_period: &dyn Fn(Option<NaiveDate>) -> bool,
) -> Vec<DeviationRow> {
    let mut tallies: BTreeMap<(&str, &str), DeviationTally<'_, &str>> = BTreeMap::new();
    for f in &ix.deviations {
        let (Some(case), Some(partner), Some(category)) =
            (f.case_id, f.label.as_deref(), f.label2.as_deref())
        else {
            continue;
        };
        if !cases.contains(&case) || !in_period(day(f)) {
            continue;
        }
        let status = ix.statuses.get(f.subject.as_str()).map_or("open", |s| s.1);
        tallies
            .entry((partner, category))
            .or_default()
            .add(ix.cases[&case].pupil.as_str(), status);
    }
    tallies
        .into_iter()
        .map(|((partner, category), t)| DeviationRow {
            partner: partner_label(partner).to_owned(),
            category: category_label(category).to_owned(),
            figures: t.figures(),
        })
        .collect()
}
