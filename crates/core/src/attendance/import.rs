//! Importing weekly absence into the journal.
//!
//! All or nothing: the file is read and checked first ([`super::parse`]),
//! every row's pupil is looked up, and only when nothing is wrong are the
//! weeks written — each as an `absence-week-recorded` operation, all of
//! them in one transaction ([`Journal::commit_batch`]). A row for a pupil
//! not on this device fails the import (it is listed), unless the caller
//! asks to skip such rows, and then they are listed as skipped. A week
//! that is already recorded with other figures is updated, with the old
//! and new figures in its audit row; one with the same figures is left
//! alone. The audit log never gets a personnummer, only pupil ids.

use super::columns::{ColumnMapping, ColumnUse};
use super::note::{Note, NoteCode};
use super::parse::{parse, LineNote, Row, WeekMinutes};
use super::values::iso_week_label;
use crate::audit::{Action, Event};
use crate::error::Result;
use crate::journal::Journal;
use crate::{clock, text};
use brygga_protocol::op::Payload;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Check and report, write nothing.
    pub dry_run: bool,
    /// Leave out rows of pupils not on this device (they are listed)
    /// instead of failing the import.
    pub skip_unknown: bool,
    pub mapping: ColumnMapping,
    /// The file's name, kept with every week as its source.
    pub source: String,
}

/// What happens to one week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum WeekStatus {
    New,
    Updated,
    Unchanged,
}

/// One week of one pupil in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportedWeek {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub line: u64,
    pub pupil_id: String,
    pub pupil_name: String,
    /// The Monday, YYYY-MM-DD.
    pub week_start: String,
    /// 2026-W41.
    pub week: String,
    pub figures: WeekMinutes,
    /// What the journal had for the week before.
    pub previous: Option<WeekMinutes>,
    pub status: WeekStatus,
}

/// A row left out because its pupil is not on this device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SkippedRow {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub line: u64,
    /// YYMMDD-NNNC, so the user can find the pupil.
    pub personnummer: String,
}

/// The outcome of an import or a dry run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    pub source: String,
    pub dry_run: bool,
    /// True only when the weeks were written: no problems, not a dry run.
    pub written: bool,
    /// How the file was decoded, e.g. "UTF-8 with BOM", "windows-1252".
    pub encoding: String,
    /// ";", "," or "\t".
    pub separator: Option<String>,
    pub columns: Vec<ColumnUse>,
    pub weeks: Vec<ImportedWeek>,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub skipped: Vec<SkippedRow>,
    /// Things done to read the file that the user should know of.
    pub notes: Vec<LineNote>,
    /// Why nothing was written; empty when the import is good.
    pub problems: Vec<LineNote>,
}

struct Pupil {
    id: String,
    name: String,
}

/// What is stored for a week: its figures and the operation that wrote them.
struct Stored {
    figures: WeekMinutes,
    op_id: Option<Uuid>,
}

impl Journal {
    fn pupils_by_personnummer(&self) -> Result<HashMap<String, Pupil>> {
        let mut stmt = self
            .conn
            .prepare("SELECT personnummer, id, name FROM pupils")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Pupil {
                        id: r.get(1)?,
                        name: r.get(2)?,
                    },
                ))
            })?
            .collect::<rusqlite::Result<HashMap<_, _>>>()?;
        Ok(rows)
    }

    fn stored_week(&self, pupil_id: &str, week_start: &str) -> Result<Option<Stored>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT scheduled_min, valid_min, invalid_min, op_id FROM absence_weeks
                 WHERE pupil_id = ?1 AND week_start = ?2",
            )?
            .query_row(params![pupil_id, week_start], |r| {
                Ok(Stored {
                    figures: WeekMinutes {
                        scheduled_min: r.get(0)?,
                        valid_min: r.get(1)?,
                        invalid_min: r.get(2)?,
                    },
                    op_id: r.get::<_, String>(3)?.parse().ok(),
                })
            })
            .optional()?)
    }

    /// Imports a school system's weekly absence export (`bytes` as read
    /// from the file). Returns the report; `report.problems` non-empty
    /// means nothing was written. Errors are reserved for the journal
    /// itself failing.
    pub fn import_absence(
        &mut self,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<ImportReport> {
        let source = text::required("source", &options.source)?;
        let parsed = parse(bytes, &options.mapping, clock::today());
        let mut report = ImportReport {
            source,
            dry_run: options.dry_run,
            written: false,
            encoding: parsed.encoding,
            separator: parsed.separator.map(|c| c.to_string()),
            columns: parsed.columns,
            weeks: Vec::new(),
            created: 0,
            updated: 0,
            unchanged: 0,
            skipped: Vec::new(),
            notes: parsed.notes,
            problems: parsed.problems,
        };
        let pupils = self.pupils_by_personnummer()?;
        let mut writes = Vec::new();
        for row in &parsed.rows {
            let Some(pupil) = pupils.get(row.personnummer.as_str()) else {
                if options.skip_unknown {
                    report.skipped.push(SkippedRow {
                        line: row.line,
                        personnummer: row.personnummer.display(),
                    });
                } else {
                    let pnr = row.personnummer.display();
                    report.problems.push(LineNote {
                        line: row.line,
                        note: Note::new(
                            NoteCode::UnknownPupil,
                            [("personnummer", pnr.clone())],
                            format!(
                                "no pupil with personnummer {pnr} on this device; register the pupil, or skip such rows (--skip-unknown)"
                            ),
                        ),
                    });
                }
                continue;
            };
            let (week, replaces) = self.week_of(row, pupil)?;
            match week.status {
                WeekStatus::New => report.created += 1,
                WeekStatus::Updated => report.updated += 1,
                WeekStatus::Unchanged => report.unchanged += 1,
            }
            if week.status != WeekStatus::Unchanged {
                writes.push((week.clone(), replaces));
            }
            report.weeks.push(week);
        }
        report.problems.sort_by_key(|p| p.line);
        let summary = Event {
            action: if report.problems.is_empty() && !options.dry_run {
                Action::Create
            } else {
                Action::Read
            },
            object_type: "absence-import",
            object_id: None,
            pupil_id: None,
            detail: summary_of(&report),
        };
        if !report.problems.is_empty() || options.dry_run {
            self.record(summary)?;
            return Ok(report);
        }
        let items = writes
            .into_iter()
            .map(|(week, replaces)| self.week_op(&week, replaces, &report.source))
            .collect::<Result<Vec<_>>>()?;
        self.commit_batch(items, Some(summary))?;
        report.written = true;
        Ok(report)
    }

    /// The week of a row as it would be written, and the operation it replaces.
    fn week_of(&self, row: &Row, pupil: &Pupil) -> Result<(ImportedWeek, Option<Uuid>)> {
        let week_start = row.week_start.to_string();
        let stored = self.stored_week(&pupil.id, &week_start)?;
        let status = match &stored {
            None => WeekStatus::New,
            Some(s) if s.figures == row.figures => WeekStatus::Unchanged,
            Some(_) => WeekStatus::Updated,
        };
        Ok((
            ImportedWeek {
                line: row.line,
                pupil_id: pupil.id.clone(),
                pupil_name: pupil.name.clone(),
                week_start,
                week: iso_week_label(row.week_start),
                figures: row.figures,
                previous: stored.as_ref().map(|s| s.figures),
                status,
            },
            stored.and_then(|s| s.op_id),
        ))
    }

    fn week_op(
        &self,
        week: &ImportedWeek,
        replaces: Option<Uuid>,
        source: &str,
    ) -> Result<(Payload, Event<'static>)> {
        let pupil_id: Uuid = week.pupil_id.parse().map_err(|_| {
            crate::Error::Damaged(format!("pupil id {} is not a uuid", week.pupil_id))
        })?;
        let week_start = week.week_start.parse().map_err(|_| {
            crate::Error::Damaged(format!("week {} is not a date", week.week_start))
        })?;
        let f = week.figures;
        let detail = match week.previous {
            Some(p) => format!(
                "{}: scheduled {}→{}, valid {}→{}, invalid {}→{} min; from {source}",
                week.week,
                p.scheduled_min,
                f.scheduled_min,
                p.valid_min,
                f.valid_min,
                p.invalid_min,
                f.invalid_min
            ),
            None => format!(
                "{}: scheduled {}, valid {}, invalid {} min; from {source}",
                week.week, f.scheduled_min, f.valid_min, f.invalid_min
            ),
        };
        Ok((
            Payload::AbsenceWeekRecorded {
                pupil_id,
                week_start,
                scheduled_min: f.scheduled_min,
                valid_absent_min: f.valid_min,
                invalid_absent_min: f.invalid_min,
                source: source.to_owned(),
                replaces,
            },
            Event {
                action: if week.previous.is_some() {
                    Action::Update
                } else {
                    Action::Create
                },
                object_type: "absence-week",
                object_id: Some(week.week_start.clone()),
                pupil_id: Some(week.pupil_id.clone()),
                detail,
            },
        ))
    }
}

/// The audit log's one line about an import: counts, never personnummer.
fn summary_of(r: &ImportReport) -> String {
    let what = if !r.problems.is_empty() {
        "refused"
    } else if r.dry_run {
        "dry run"
    } else {
        "imported"
    };
    format!(
        "{what} {}: {} new, {} updated, {} unchanged, {} skipped (unknown pupil), {} problem(s)",
        r.source,
        r.created,
        r.updated,
        r.unchanged,
        r.skipped.len(),
        r.problems.len()
    )
}
