//! Fictional weekly absence for the demo caseload, so the trend chart and
//! the caseload's absence column have something to show.
//!
//! The figures are made up and go through the real importer (as a CSV
//! file named "demo (fiktiv)"), so the demo exercises the same path as a
//! school's export. `Journal::load_demo` runs it.

use super::import::{ImportOptions, ImportReport};
use super::values::{iso_week_label, monday_of};
use crate::clock;
use crate::error::{Error, Result};
use crate::journal::Journal;
use chrono::Duration;

/// Weeks of demo figures, ending with last week.
const DEMO_WEEKS: i64 = 16;

impl Journal {
    /// Records fictional absence for the last weeks of every pupil with an
    /// open case: for most, falling over the later weeks; different for
    /// each pupil. Running it again changes nothing.
    pub fn load_demo_absence(&mut self) -> Result<ImportReport> {
        let mut stmt = self.conn.prepare(
            "SELECT p.personnummer FROM pupils p
             WHERE EXISTS (SELECT 1 FROM cases c WHERE c.pupil_id = p.id AND c.status = 'open')
             ORDER BY p.id",
        )?;
        let pupils = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(stmt);
        let last_week = monday_of(clock::today()) - Duration::weeks(1);
        let mut csv = String::from(
            "Personnummer;Vecka;Schemalagd tid (min);Giltig frånvaro (min);Ogiltig frånvaro (min)\n",
        );
        for (i, pnr) in pupils.iter().enumerate() {
            let i = i as i64;
            for k in 0..DEMO_WEEKS {
                let week = last_week - Duration::weeks(DEMO_WEEKS - 1 - k);
                let scheduled = 1500 + 60 * ((i + k) % 4);
                // Percent: 8–26 % at first; after six weeks it falls week
                // by week, except for every fifth pupil, whose stays.
                let start = 8 + 6 * (i % 4);
                let pct = if k < 6 || i % 5 == 4 {
                    start + (k % 3)
                } else {
                    start - start * (k - 5) / 12
                };
                let absent = scheduled * pct / 100;
                let invalid = absent * (1 + i % 3) / 4;
                csv.push_str(&format!(
                    "{pnr};{};{scheduled};{};{invalid}\n",
                    iso_week_label(week),
                    absent - invalid
                ));
            }
        }
        let report = self.import_absence(
            csv.as_bytes(),
            &ImportOptions {
                source: "demo (fiktiv)".into(),
                ..ImportOptions::default()
            },
        )?;
        match report.problems.first() {
            None => Ok(report),
            Some(p) => Err(Error::Damaged(format!(
                "the demo absence does not import: {}",
                p.note.message
            ))),
        }
    }
}
