//! A case's programme as the therapist reads it: the planned sessions,
//! which are done and by which entry, and what is next.

use super::{Started, RETURN_FIELD, SESSION_FIELD};
use crate::audit::{Action, Event};
use crate::clock;
use crate::error::{Error, Result};
use crate::journal::Journal;
use crate::store;
use crate::views::ConflictView;
use brygga_protocol::programme::{Module, SessionKind};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A planned session was held: the first signed entry that names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionDone {
    pub entry_id: String,
    /// YYYY-MM-DD, local: the day of the entry's event.
    pub on: String,
}

/// One planned session of a case's programme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProgrammeSession {
    pub number: u32,
    pub kind: SessionKind,
    pub title: String,
    pub module: bool,
    pub done: Option<SessionDone>,
}

/// A case's programme: the template it started with, the planned return
/// date (with any concurrent plans kept as conflicts), the sessions and
/// the next one (the first in order not done).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProgrammeView {
    pub case_id: String,
    pub programme_id: String,
    pub template_key: String,
    pub template_version: u32,
    pub name: String,
    /// YYYY-MM-DD, local.
    pub started_on: String,
    pub started_by: String,
    /// YYYY-MM-DD.
    pub return_date: Option<String>,
    pub return_conflicts: Vec<ConflictView>,
    pub sessions: Vec<ProgrammeSession>,
    pub next: Option<u32>,
    pub modules: Vec<Module>,
    /// The graded exposure steps, easiest first.
    pub exposure_steps: Vec<String>,
}

/// The next session of a case's programme, as the caseload shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NextSession {
    /// The programme's name (its template's).
    pub programme: String,
    pub number: u32,
    pub title: String,
}

impl Journal {
    /// The next session of every open case that follows a programme with
    /// a session still to hold, by case id. Not logged: the caseload that
    /// shows it logs its own read.
    pub(crate) fn next_sessions(&self) -> Result<BTreeMap<String, NextSession>> {
        let cases = store::text_rows::<1>(
            &self.conn,
            "SELECT p.case_id FROM programmes p JOIN cases c ON c.id = p.case_id
             WHERE c.status = ?1",
            "open",
        )?;
        let mut next = BTreeMap::new();
        for [case_id] in cases {
            let id = Uuid::parse_str(&case_id)
                .map_err(|e| Error::Damaged(format!("programme of case {case_id}: {e}")))?;
            let Some(started) = self.started_programme(&id)? else {
                continue;
            };
            // Only which sessions are done: not the whole view, whose
            // return date the caseload does not show.
            let done = self.sessions_done(&id)?;
            let t = started.template;
            if let Some(s) = t
                .sessions
                .into_iter()
                .find(|s| !done.contains_key(&s.number))
            {
                let session = NextSession {
                    programme: t.name,
                    number: s.number,
                    title: s.title,
                };
                next.insert(case_id, session);
            }
        }
        Ok(next)
    }

    /// A case's programme, or None when it follows none; the read is
    /// logged.
    pub fn programme(&self, case_id: Uuid) -> Result<Option<ProgrammeView>> {
        let pupil_id = self.pupil_of_case(&case_id)?;
        let view = match self.started_programme(&case_id)? {
            Some(started) => Some(self.view_of(&case_id, started)?),
            None => None,
        };
        let detail = view.as_ref().map_or("none".to_owned(), |v| {
            let done = v.sessions.iter().filter(|s| s.done.is_some()).count();
            format!("{} {done}/{} done", v.template_key, v.sessions.len())
        });
        self.record(Event {
            action: Action::Read,
            object_type: "programme",
            object_id: Some(case_id.to_string()),
            pupil_id: Some(pupil_id),
            detail,
        })?;
        Ok(view)
    }

    fn view_of(&self, case_id: &Uuid, started: Started) -> Result<ProgrammeView> {
        let done = self.sessions_done(case_id)?;
        let ret = self.field_state("case", &case_id.to_string(), RETURN_FIELD)?;
        let t = started.template;
        let sessions: Vec<ProgrammeSession> = t
            .sessions
            .into_iter()
            .map(|s| ProgrammeSession {
                done: done.get(&s.number).cloned(),
                number: s.number,
                kind: s.kind,
                title: s.title,
                module: s.module,
            })
            .collect();
        Ok(ProgrammeView {
            case_id: case_id.to_string(),
            programme_id: started.id,
            template_key: t.key,
            template_version: t.version,
            name: t.name,
            started_on: started.started_on,
            started_by: started.started_by,
            return_date: ret.value,
            return_conflicts: ret.conflicts,
            next: sessions.iter().find(|s| s.done.is_none()).map(|s| s.number),
            sessions,
            modules: t.modules,
            exposure_steps: t.exposure_steps,
        })
    }

    /// The first signed entry of the case naming each session, by the
    /// entry's event time: a draft may still change, so only a signed
    /// entry marks a session done.
    fn sessions_done(&self, case_id: &Uuid) -> Result<BTreeMap<u32, SessionDone>> {
        let rows = store::text_rows::<3>(
            &self.conn,
            "SELECT id, event_at, fields FROM entries
             WHERE case_id = ?1 AND status = 'signed' ORDER BY event_at, id",
            &case_id.to_string(),
        )?;
        let mut done = BTreeMap::new();
        for [entry_id, event_at, fields] in rows {
            let fields: BTreeMap<String, String> = serde_json::from_str(&fields)
                .map_err(|e| Error::Damaged(format!("entry {entry_id} has bad fields: {e}")))?;
            let Some(number) = fields.get(SESSION_FIELD).and_then(|n| n.parse().ok()) else {
                continue;
            };
            let on = clock::local_date(&event_at).map_or(event_at, |d| d.to_string());
            done.entry(number).or_insert(SessionDone { entry_id, on });
        }
        Ok(done)
    }
}
