//! The trend chart's data: a pupil's weekly absence with every
//! intervention on the same time axis, so the therapist (and the family)
//! can see whether attendance changed after a plan or a home visit.
//!
//! Only dates and kinds cross over, never entry text: the chart is shown
//! on a laptop in a school cafeteria.

use super::figures::AbsenceFigures;
use super::values::monday_of;
use crate::audit::{Action, Event};
use crate::clock;
use crate::error::Result;
use crate::journal::Journal;
use brygga_protocol::entry_kind::EntryKind;
use serde::Serialize;
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
}

/// One marker on the chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Intervention {
    /// The day (local time), YYYY-MM-DD.
    pub date: String,
    /// The Monday of its week, to place it on the weekly axis.
    pub week_start: String,
    pub kind: InterventionKind,
    pub entry_kind: Option<EntryKind>,
    /// The entry, plan or case it comes from.
    pub id: String,
    /// For entries: false while a draft.
    pub signed: bool,
}

/// A pupil's chart: the figures and the interventions, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AbsenceChart {
    pub figures: AbsenceFigures,
    pub interventions: Vec<Intervention>,
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
    Some(Intervention {
        date: date.to_string(),
        week_start: monday_of(date).to_string(),
        kind,
        entry_kind,
        id,
        signed,
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
        let mut stmt = self.conn.prepare(
            "SELECT p.id, p.created_at, p.follow_up_on FROM plans p
             JOIN cases c ON c.id = p.case_id WHERE c.pupil_id = ?1",
        )?;
        let plans = stmt
            .query_map([pupil_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (id, created, follow_up) in plans {
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
        Ok(AbsenceChart {
            figures,
            interventions,
        })
    }
}
