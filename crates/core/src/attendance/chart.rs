//! The trend chart's data: a pupil's weekly absence with every
//! intervention on the same time axis, so the therapist (and the family)
//! can see whether attendance changed after a plan or a home visit.
//!
//! Only dates and kinds cross over, never entry text: the chart is shown
//! on a laptop in a school cafeteria.

use super::figures::{AbsenceFigures, WeekFigures};
use super::values::{iso_week_label, monday_of};
use crate::audit::{Action, Event};
use crate::clock;
use crate::error::Result;
use crate::journal::Journal;
use brygga_protocol::entry_kind::EntryKind;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// What happened on the time axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InterventionKind {
    CaseOpened,
    /// A journal entry; its kind is in [`Intervention::entry_kind`].
    Entry,
    /// A collaboration plan was made.
    PlanStart,
    /// A plan's follow-up date.
    FollowUp,
    /// A step of the return ladder reached; the step is in
    /// [`Intervention::ladder_step`].
    LadderStep,
}

/// One marker on the chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Intervention {
    /// The day (local time), YYYY-MM-DD.
    pub date: String,
    /// The Monday of its week, to place it on the weekly axis.
    pub week_start: String,
    /// Its ISO week, 2026-W41: 1 January can lie in week 53 of the year before.
    pub week: String,
    pub kind: InterventionKind,
    pub entry_kind: Option<EntryKind>,
    /// The entry, plan or case it comes from.
    pub id: String,
    /// For entries: false while a draft.
    pub signed: bool,
    /// For a ladder step: its key.
    pub ladder_step: Option<String>,
}

/// One week on the chart's time axis.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChartWeek {
    /// The Monday, YYYY-MM-DD.
    pub week_start: String,
    /// 2026-W41.
    pub week: String,
    /// None in a week with interventions but no imported figures: the chart
    /// leaves a gap there, as 0 % would claim full attendance.
    pub figures: Option<WeekFigures>,
}

/// A pupil's chart: the figures and the interventions, oldest first, and
/// the weeks of both as one time axis.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AbsenceChart {
    pub figures: AbsenceFigures,
    /// Each lies in a week of `axis`.
    pub interventions: Vec<Intervention>,
    /// Every week from the first to the last with figures or an
    /// intervention, oldest first.
    pub axis: Vec<ChartWeek>,
}

/// Every week from the first to the last with figures or an intervention,
/// oldest first. A case is often opened, or a plan made, before the first
/// imported week, and a follow-up lies after the last; the chart asks what
/// changed after them, so the axis reaches them. Weeks between without
/// figures (a holiday, a week not imported) stay on the axis as gaps, so
/// that the axis is true to time.
fn time_axis(weeks: &[WeekFigures], interventions: &[Intervention]) -> Vec<ChartWeek> {
    let figures: BTreeMap<NaiveDate, &WeekFigures> = weeks
        .iter()
        .filter_map(|w| Some((w.week_start.parse().ok()?, w)))
        .collect();
    let mondays = figures.keys().copied().chain(
        interventions
            .iter()
            .filter_map(|m| m.week_start.parse::<NaiveDate>().ok()),
    );
    let (Some(first), Some(last)) = (mondays.clone().min(), mondays.max()) else {
        return Vec::new();
    };
    first
        .iter_weeks()
        .take_while(|monday| *monday <= last)
        .map(|monday| ChartWeek {
            week_start: monday.to_string(),
            week: iso_week_label(monday),
            figures: figures.get(&monday).map(|w| (*w).clone()),
        })
        .collect()
}

fn marker(
    stored: &str,
    kind: InterventionKind,
    entry_kind: Option<EntryKind>,
    id: String,
    signed: bool,
) -> Option<Intervention> {
    let date = clock::local_date(stored)
        .or_else(|| chrono::NaiveDate::parse_from_str(stored, "%Y-%m-%d").ok())?;
    let monday = monday_of(date);
    Some(Intervention {
        date: date.to_string(),
        week_start: monday.to_string(),
        week: iso_week_label(monday),
        kind,
        entry_kind,
        id,
        signed,
        ladder_step: None,
    })
}

impl Journal {
    /// Every intervention for a pupil, across the pupil's cases.
    pub(crate) fn interventions_of(&self, pupil_id: &str) -> Result<Vec<Intervention>> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT e.id, e.kind, e.event_at, e.status FROM entries e
             JOIN cases c ON c.id = e.case_id WHERE c.pupil_id = ?1",
        )?;
        let entries = stmt
            .query_map([pupil_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (id, kind, at, status) in entries {
            out.extend(marker(
                &at,
                InterventionKind::Entry,
                kind.parse().ok(),
                id,
                status == "signed",
            ));
        }
        let plans = crate::store::text_rows::<3>(
            &self.conn,
            "SELECT p.id, p.created_at, p.follow_up_on FROM plans p
             JOIN cases c ON c.id = p.case_id WHERE c.pupil_id = ?1",
            pupil_id,
        )?;
        for [id, created, follow_up] in plans {
            out.extend(marker(
                &created,
                InterventionKind::PlanStart,
                None,
                id.clone(),
                true,
            ));
            out.extend(marker(
                &follow_up,
                InterventionKind::FollowUp,
                None,
                id,
                true,
            ));
        }
        let mut stmt = self.conn.prepare(
            "SELECT l.id, l.decided_on, l.step FROM ladder_steps l
             JOIN cases c ON c.id = l.case_id WHERE c.pupil_id = ?1",
        )?;
        let steps = stmt
            .query_map([pupil_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (id, on, step) in steps {
            out.extend(
                marker(&on, InterventionKind::LadderStep, None, id, true).map(|m| Intervention {
                    ladder_step: Some(step),
                    ..m
                }),
            );
        }
        let mut stmt = self
            .conn
            .prepare("SELECT id, opened_at FROM cases WHERE pupil_id = ?1")?;
        let cases = stmt
            .query_map([pupil_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (id, opened) in cases {
            out.extend(marker(
                &opened,
                InterventionKind::CaseOpened,
                None,
                id,
                true,
            ));
        }
        out.sort_by(|a, b| (&a.date, a.kind, &a.id).cmp(&(&b.date, b.kind, &b.id)));
        Ok(out)
    }

    /// The trend chart of one pupil.
    pub fn absence_chart(&self, pupil_id: Uuid) -> Result<AbsenceChart> {
        let figures = self.absence_figures(pupil_id)?;
        let interventions = self.interventions_of(&figures.pupil_id)?;
        self.record(Event {
            action: Action::Read,
            object_type: "absence-chart",
            object_id: None,
            pupil_id: Some(figures.pupil_id.clone()),
            detail: format!("{} interventions", interventions.len()),
        })?;
        let axis = time_axis(&figures.weeks, &interventions);
        Ok(AbsenceChart {
            figures,
            interventions,
            axis,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attendance::figures::{figures, StoredWeek, Thresholds};
    use crate::attendance::parse::WeekMinutes;

    fn imported(monday: &str) -> StoredWeek {
        StoredWeek {
            week_start: monday.parse().expect("a date"),
            minutes: WeekMinutes {
                scheduled_min: 1680,
                valid_min: 60,
                invalid_min: 108,
            },
            source: "fiktiv.csv".into(),
        }
    }

    fn at(date: &str, kind: InterventionKind) -> Intervention {
        marker(date, kind, None, format!("{kind:?}"), true).expect("a date")
    }

    #[test]
    fn the_axis_reaches_interventions_before_and_after_the_imported_weeks() {
        // Fictional: absence imported for weeks 1–3 of 2027; the case was
        // opened and the plan made two weeks before, in week 52 of 2026; an
        // entry on 1 January 2027 lies in week 53 of 2026; the follow-up
        // is in week 5, after the last imported week.
        let weeks = ["2027-01-04", "2027-01-11", "2027-01-18"].map(imported);
        let f = figures("p", &weeks, Thresholds::DEFAULT);
        let interventions = [
            at("2026-12-21", InterventionKind::CaseOpened),
            at("2026-12-23", InterventionKind::PlanStart),
            at("2027-01-01", InterventionKind::Entry),
            at("2027-01-12", InterventionKind::Entry),
            at("2027-02-03", InterventionKind::FollowUp),
        ];
        let axis = time_axis(&f.weeks, &interventions);
        let shown: Vec<(&str, &str, bool)> = axis
            .iter()
            .map(|w| (w.week.as_str(), w.week_start.as_str(), w.figures.is_some()))
            .collect();
        assert_eq!(
            shown,
            [
                ("2026-W52", "2026-12-21", false),
                ("2026-W53", "2026-12-28", false),
                ("2027-W01", "2027-01-04", true),
                ("2027-W02", "2027-01-11", true),
                ("2027-W03", "2027-01-18", true),
                ("2027-W04", "2027-01-25", false),
                ("2027-W05", "2027-02-01", false),
            ]
        );
        assert_eq!(interventions[2].week, "2026-W53");
        assert_eq!(axis[2].figures.as_ref(), Some(&f.weeks[0]));
        assert_eq!(
            axis[3].figures.as_ref().and_then(|w| w.total_pct),
            Some(10.0)
        );
        for m in &interventions {
            assert!(
                axis.iter().any(|w| w.week_start == m.week_start),
                "{m:?} is on the axis"
            );
        }
    }

    #[test]
    fn a_week_without_figures_between_imported_weeks_is_a_gap() {
        // Week 42 (an autumn break) was not imported: on the axis, empty.
        let weeks = ["2026-10-05", "2026-10-19"].map(imported);
        let f = figures("p", &weeks, Thresholds::DEFAULT);
        let axis = time_axis(&f.weeks, &[]);
        let shown: Vec<(&str, bool)> = axis
            .iter()
            .map(|w| (w.week.as_str(), w.figures.is_some()))
            .collect();
        assert_eq!(
            shown,
            [("2026-W41", true), ("2026-W42", false), ("2026-W43", true)]
        );
        assert!(time_axis(&[], &[]).is_empty());
    }
}
