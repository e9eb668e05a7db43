//! The participant list an ESF project (Europeiska socialfonden) reports:
//! each participant's personnummer and the dates they were in the project,
//! here the case's opening and closing dates.
//!
//! Nothing else goes in: no name, no school, no address — the list is
//! matched against the ESF council's register by personnummer alone. It
//! covers the cases on this device; closed cases leave a laptop once the
//! server has them, so the project's full list comes from the server.

use super::csv_out::csv_bytes;
use crate::audit::{Action, Event};
use crate::clock;
use crate::error::Result;
use crate::journal::Journal;
use crate::personnummer::Personnummer;

impl Journal {
    /// The ESF participant list as CSV: `Personnummer;Startdatum;Slutdatum`,
    /// personnummer as YYYYMMDD-NNNN, dates YYYY-MM-DD (an open case has
    /// no end date), one row per case, oldest first.
    pub fn export_esf_csv(&self) -> Result<Vec<u8>> {
        let mut stmt = self.conn.prepare(
            "SELECT p.personnummer, c.opened_at, c.closed_at FROM cases c
             JOIN pupils p ON p.id = c.pupil_id ORDER BY c.opened_at, c.id",
        )?;
        let cases = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let day = |t: &str| {
            clock::local_date(t)
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        let mut rows = vec![vec![
            "Personnummer".to_owned(),
            "Startdatum".to_owned(),
            "Slutdatum".to_owned(),
        ]];
        for (pnr, opened, closed) in &cases {
            let pnr = Personnummer::try_from(pnr.clone())?;
            let digits = pnr.as_str();
            rows.push(vec![
                format!("{}-{}", &digits[..8], &digits[8..]),
                day(opened),
                closed.as_deref().map(day).unwrap_or_default(),
            ]);
        }
        let bytes = csv_bytes(&rows)?;
        self.record(Event {
            action: Action::Export,
            object_type: "esf-participants",
            object_id: None,
            pupil_id: None,
            detail: format!("CSV, {} cases", cases.len()),
        })?;
        Ok(bytes)
    }
}
