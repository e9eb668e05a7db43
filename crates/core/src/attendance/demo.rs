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

/// The week of the turn: the demo's plans and ladder steps fall around
/// it (eight weeks ago), so the chart shows what they were for.
const TURN_WEEK: i64 = 8;

/// Pupil `i`'s absence in percent in demo week `k`: it rises over the
/// autumn until the turn, then falls week by week as the pupil comes back;
/// every fifth pupil's stays high (not every return works).
fn story_pct(i: i64, k: i64) -> i64 {
    let start = 8 + 6 * (i % 4);
    let peak = start + 2 * TURN_WEEK;
    if k <= TURN_WEEK {
        start + 2 * k
    } else if i % 5 == 4 {
        peak - (k % 3)
    } else {
        peak - peak * (k - TURN_WEEK) / 9
    }
}

impl Journal {
    /// Records fictional absence for the last weeks of every pupil with an
    /// open case ([`story_pct`]); different for each pupil. Running it
    /// again changes nothing.
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
                let pct = story_pct(i, k);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absence_rises_until_the_turn_then_falls_for_most() {
        for i in 0..20 {
            let weeks: Vec<i64> = (0..DEMO_WEEKS).map(|k| story_pct(i, k)).collect();
            let peak = (0..DEMO_WEEKS).max_by_key(|k| weeks[*k as usize]);
            assert!(weeks.iter().all(|p| (1..=60).contains(p)), "{weeks:?}");
            assert!(weeks[..=TURN_WEEK as usize].windows(2).all(|w| w[0] < w[1]));
            if i % 5 != 4 {
                assert_eq!(peak, Some(TURN_WEEK), "pupil {i}: {weeks:?}");
                assert!(
                    weeks[DEMO_WEEKS as usize - 1] < weeks[0],
                    "pupil {i} ends better: {weeks:?}"
                );
            }
        }
    }
}
