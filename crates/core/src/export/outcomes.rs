//! Follow-up statistics for a project: did absence fall after the first
//! intervention, for pupils with a collaboration plan and without one?
//!
//! The figures and what may be shown of them are `brygga_outcomes`'s
//! (shared with the server's unit manager pages); this module gathers the
//! pupils of this device and records what is read and exported. No
//! personal data leaves: no names, numbers, schools or dates of single
//! pupils.
//!
//! Definitions (docs/attendance.md):
//! - the population is every pupil with a case on this device; "with a
//!   plan" means a collaboration plan in any of the pupil's cases;
//! - the first intervention is the earliest journal entry event or plan
//!   creation of the pupil, and its week is the dividing line.

use super::csv_out::csv_bytes;
use super::pdf::{Document, Style};
use crate::attendance::InterventionKind;
use crate::audit::{Action, Event};
use crate::clock;
use crate::error::Result;
use crate::journal::Journal;
use brygga_outcomes::absence::before_after;
use brygga_outcomes::{OutcomeStats, PupilOutcome, MIN_GROUP};
use chrono::NaiveDate;

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
        Ok(OutcomeStats::of(clock::today().to_string(), &outcomes))
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
        for para in stats.method() {
            doc.text(&para, Style::BODY);
            doc.gap(4.0);
        }
        doc.table(&[0.5, 0.25, 0.25], &stats.table(), Style::BODY);
        let bytes = doc.finish();
        self.record_outcome_export("PDF")?;
        Ok(bytes)
    }
}
