//! The journal's side of attendance: reading recorded weeks, the warning
//! thresholds, and the figures the screens and the CLI show.

use super::figures::{
    figures, overview_item, AbsenceFigures, AbsenceOverviewItem, StoredWeek, Thresholds,
};
use super::parse::WeekMinutes;
use crate::audit::{Action, Event};
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::municipality::{self, SettingSource};
use rusqlite::OptionalExtension;
use std::collections::BTreeMap;

const THRESHOLDS_KEY: &str = "absence_thresholds";

fn stored_week(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, StoredWeek)> {
    let start: String = r.get(1)?;
    let week_start = start.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok((
        r.get(0)?,
        StoredWeek {
            week_start,
            minutes: WeekMinutes {
                scheduled_min: r.get(2)?,
                valid_min: r.get(3)?,
                invalid_min: r.get(4)?,
            },
            source: r.get(5)?,
        },
    ))
}

const WEEK_COLUMNS: &str = "pupil_id, week_start, scheduled_min, valid_min, invalid_min, source";

impl Journal {
    /// Every recorded week of every pupil, oldest first per pupil.
    pub(crate) fn all_absence_weeks(&self) -> Result<BTreeMap<String, Vec<StoredWeek>>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {WEEK_COLUMNS} FROM absence_weeks ORDER BY pupil_id, week_start"
        ))?;
        let mut by_pupil: BTreeMap<String, Vec<StoredWeek>> = BTreeMap::new();
        for row in stmt.query_map([], stored_week)? {
            let (pupil, week) = row?;
            by_pupil.entry(pupil).or_default().push(week);
        }
        Ok(by_pupil)
    }

    /// One pupil's recorded weeks, oldest first.
    pub(crate) fn absence_weeks_of(&self, pupil_id: &str) -> Result<Vec<StoredWeek>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {WEEK_COLUMNS} FROM absence_weeks WHERE pupil_id = ?1 ORDER BY week_start"
        ))?;
        let weeks = stmt
            .query_map([pupil_id], stored_week)?
            .map(|r| r.map(|(_, w)| w))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(weeks)
    }

    /// The thresholds that warn, in percent of the scheduled time.
    pub fn absence_thresholds(&self) -> Result<Thresholds> {
        self.thresholds_in_force().map(|(t, _)| t)
    }

    /// The thresholds in force and where they come from: the
    /// municipality's notice, else this laptop's own setting, else the
    /// built-in ones.
    pub(crate) fn thresholds_in_force(&self) -> Result<(Thresholds, SettingSource)> {
        if let Some(thresholds) = municipality::absence_thresholds(&self.conn)? {
            return Ok((thresholds, SettingSource::Municipality));
        }
        let stored: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [THRESHOLDS_KEY],
                |r| r.get(0),
            )
            .optional()?;
        let thresholds = match stored {
            None => Thresholds::DEFAULT,
            Some(json) => {
                let levels: [u8; 3] = serde_json::from_str(&json).map_err(|e| {
                    Error::Damaged(format!("the absence thresholds setting is unreadable: {e}"))
                })?;
                Thresholds::new(levels)?
            }
        };
        // A new journal holds the built-in ones as its own setting.
        let source = if thresholds == Thresholds::DEFAULT {
            SettingSource::BuiltIn
        } else {
            SettingSource::ThisLaptop
        };
        Ok((thresholds, source))
    }

    /// Sets this laptop's thresholds, until the municipality sets its own
    /// (then they are read-only here). A setting of this journal, not
    /// journal data: it is audited but not synced.
    pub fn set_absence_thresholds(&mut self, thresholds: Thresholds) -> Result<()> {
        if let Some(theirs) = municipality::absence_thresholds(&self.conn)? {
            return Err(Error::not_allowed(
                ReasonCode::ThresholdsByMunicipality,
                format!(
                    "the municipality has set the absence thresholds ({},{},{} %); they are changed on the server with `brygga-server settings set --absence-thresholds`",
                    theirs.0[0], theirs.0[1], theirs.0[2]
                ),
            ));
        }
        let thresholds = Thresholds::new(thresholds.0)?;
        let old = self.absence_thresholds()?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [
                THRESHOLDS_KEY,
                &serde_json::to_string(&thresholds.0).expect("three numbers serialise"),
            ],
        )?;
        crate::audit::append(
            &tx,
            &self.device.author,
            &self.device.id.to_string(),
            crate::clock::now(),
            Event {
                action: Action::Update,
                object_type: "setting",
                object_id: Some(THRESHOLDS_KEY.to_owned()),
                pupil_id: None,
                detail: format!("absence thresholds {:?} → {:?} %", old.0, thresholds.0),
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A pupil's absence: weekly series, rolling windows, warning.
    pub fn absence_figures(&self, pupil_id: uuid::Uuid) -> Result<AbsenceFigures> {
        let pupil = self.pupil_view(&pupil_id.to_string())?;
        let weeks = self.absence_weeks_of(&pupil.id)?;
        let out = figures(&pupil.id, &weeks, self.absence_thresholds()?);
        self.record(Event {
            action: Action::Read,
            object_type: "absence",
            object_id: None,
            pupil_id: Some(pupil.id),
            detail: format!("{} weeks", out.weeks.len()),
        })?;
        Ok(out)
    }

    /// Every pupil with recorded absence: the last 4 weeks, the 4 before
    /// and the trend, most absence first. The caseload joins it by pupil
    /// id to sort by absence or by trend.
    pub fn absence_overview(&self) -> Result<Vec<AbsenceOverviewItem>> {
        let thresholds = self.absence_thresholds()?;
        let mut items: Vec<AbsenceOverviewItem> = self
            .all_absence_weeks()?
            .iter()
            .filter_map(|(pupil, weeks)| overview_item(pupil, weeks, &thresholds))
            .collect();
        items.sort_by(|a, b| {
            b.last4_total_pct
                .unwrap_or(-1.0)
                .total_cmp(&a.last4_total_pct.unwrap_or(-1.0))
                .then_with(|| a.pupil_id.cmp(&b.pupil_id))
        });
        self.record(Event {
            action: Action::List,
            object_type: "absence",
            object_id: None,
            pupil_id: None,
            detail: format!("{} pupils", items.len()),
        })?;
        Ok(items)
    }
}
