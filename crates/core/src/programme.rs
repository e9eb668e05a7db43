//! Programmes (docs/programmes.md): a case follows a template such as
//! Back2School, with a planned return date; a signed entry that names a
//! programme session marks it done.
//!
//! The templates are the municipality's: the built-in ones, each replaced
//! by the municipality's template of its key once that reaches the laptop
//! in a signed notice, and the municipality's other keys
//! ([`Journal::programme_templates`] is the one place that says which
//! there are).

use crate::audit::{Action, Event};
use crate::clock;
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::municipality::{self, SettingSource};
use brygga_protocol::op::Payload;
use brygga_protocol::programme as protocol;
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

mod view;

pub use brygga_protocol::programme::{
    check_template_key, Module, SessionKind, Template, TemplateSession,
};
pub use view::{NextSession, ProgrammeSession, ProgrammeView, SessionDone};

/// The field of `mutable_fields` (on the case) that holds the planned
/// return date.
pub(crate) const RETURN_FIELD: &str = "programme-return";

/// The entry field that names the programme session an entry records.
pub const SESSION_FIELD: &str = "programme_session";

/// A template in force on this laptop and where it comes from: built in,
/// or the municipality's (a notice of the server's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplateInForce {
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub template: Template,
    pub from: SettingSource,
}

/// The templates in force given the municipality's (oldest notice
/// first), each with where it comes from.
fn in_force(municipality: Vec<Template>) -> Vec<TemplateInForce> {
    protocol::in_force(municipality)
        .into_iter()
        .map(|(template, theirs)| TemplateInForce {
            template,
            from: if theirs {
                SettingSource::Municipality
            } else {
                SettingSource::BuiltIn
            },
        })
        .collect()
}

/// The built-in templates, for where there is no journal to hold the
/// municipality's.
pub fn built_in_templates() -> Vec<TemplateInForce> {
    in_force(Vec::new())
}

impl Journal {
    /// The templates in force, built-in ones first: see
    /// [`brygga_protocol::programme::in_force`].
    pub fn programme_templates(&self) -> Result<Vec<TemplateInForce>> {
        Ok(in_force(municipality::programme_templates(&self.conn)?))
    }

    /// The template in force by its key.
    pub fn programme_template(&self, key: &str) -> Result<Template> {
        let mut templates = self.programme_templates()?;
        match templates.iter().position(|t| t.template.key == key) {
            Some(i) => Ok(templates.swap_remove(i).template),
            None => {
                let known: Vec<_> = templates.into_iter().map(|t| t.template.key).collect();
                Err(Error::invalid(
                    ReasonCode::ProgrammeTemplateUnknown,
                    format!(
                        "'{key}' is not a programme template (templates: {})",
                        known.join(", ")
                    ),
                )
                .with("template", key))
            }
        }
    }
}

/// Refuses a planned return date before today: a plan looks ahead.
pub fn check_return_date(on: NaiveDate) -> Result<()> {
    if on < clock::today() {
        return Err(Error::invalid(
            ReasonCode::ReturnDateInPast,
            format!("the planned return date {on} is in the past"),
        )
        .with("on", on));
    }
    Ok(())
}

/// A case starts following a programme, optionally with its planned return
/// date.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewProgramme {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub case_id: Uuid,
    /// The template's key (`back2school`).
    pub template: String,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub return_date: Option<NaiveDate>,
}

/// A case's programme as stored: its id, who started it when, and the
/// template it carries.
pub(crate) struct Started {
    pub id: String,
    pub started_on: String,
    pub started_by: String,
    pub template: Template,
}

impl Journal {
    /// Starts a programme for an open case that follows none: one
    /// transaction, with the planned return date if it is given.
    pub fn start_programme(&mut self, new: NewProgramme) -> Result<Uuid> {
        self.start_programme_on(new, clock::today())
    }

    /// [`Journal::start_programme`] started on another day: the demo
    /// caseload's history.
    pub(crate) fn start_programme_on(
        &mut self,
        new: NewProgramme,
        started_on: NaiveDate,
    ) -> Result<Uuid> {
        let template = self.programme_template(&new.template)?;
        if let Some(on) = new.return_date {
            check_return_date(on)?;
        }
        self.ensure_case_open(&new.case_id)?;
        if let Some(started) = self.started_programme(&new.case_id)? {
            return Err(Error::not_allowed(
                ReasonCode::ProgrammeAlreadyStarted,
                format!(
                    "case {} already follows the programme {}",
                    new.case_id, started.template.key
                ),
            )
            .with("template", started.template.key));
        }
        let programme_id = Uuid::now_v7();
        let mut items = vec![(
            Payload::ProgrammeStarted {
                programme_id,
                case_id: new.case_id,
                started_on,
                template: template.clone(),
            },
            self.programme_event(&new.case_id, Action::Create, "programme", template.key)?,
        )];
        if let Some(on) = new.return_date {
            items.push(self.return_planned(&new.case_id, on)?);
        }
        self.commit_batch(items, None)?;
        Ok(programme_id)
    }

    /// Plans (or moves) the return date of a case's programme.
    pub fn plan_return_date(&mut self, case_id: Uuid, on: NaiveDate) -> Result<()> {
        check_return_date(on)?;
        self.ensure_case_open(&case_id)?;
        if self.started_programme(&case_id)?.is_none() {
            return Err(not_started(&case_id));
        }
        let item = self.return_planned(&case_id, on)?;
        self.commit_batch(vec![item], None)?;
        Ok(())
    }

    fn return_planned(&self, case_id: &Uuid, on: NaiveDate) -> Result<(Payload, Event<'static>)> {
        let replaces = self.current_op_of("case", case_id, RETURN_FIELD)?;
        // Moving a planned date is an update; the first plan creates it.
        let action = if replaces.is_some() {
            Action::Update
        } else {
            Action::Create
        };
        Ok((
            Payload::ProgrammeReturnPlanned {
                case_id: *case_id,
                on,
                replaces,
            },
            self.programme_event(case_id, action, "programme-return", on.to_string())?,
        ))
    }

    fn programme_event(
        &self,
        case_id: &Uuid,
        action: Action,
        object_type: &'static str,
        detail: String,
    ) -> Result<Event<'static>> {
        Ok(Event {
            action,
            object_type,
            object_id: Some(case_id.to_string()),
            pupil_id: Some(self.pupil_of_case(case_id)?),
            detail,
        })
    }

    /// The programme a case follows, if any.
    pub(crate) fn started_programme(&self, case_id: &Uuid) -> Result<Option<Started>> {
        let row: Option<(String, String, String, String)> = self
            .conn
            .query_row(
                "SELECT id, started_on, started_by, template FROM programmes WHERE case_id = ?1",
                [case_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(|(id, started_on, started_by, template)| {
            Ok(Started {
                template: serde_json::from_str(&template).map_err(|e| {
                    Error::Damaged(format!("the template of programme {id} does not read: {e}"))
                })?,
                id,
                started_on,
                started_by,
            })
        })
        .transpose()
    }

    /// An entry's fields may name a session of its case's programme, and
    /// nothing else: a session that is not planned would never show as
    /// done.
    pub(crate) fn check_programme_session(
        &self,
        case_id: &Uuid,
        fields: &BTreeMap<String, String>,
    ) -> Result<()> {
        let Some(value) = fields.get(SESSION_FIELD) else {
            return Ok(());
        };
        let Some(started) = self.started_programme(case_id)? else {
            return Err(not_started(case_id));
        };
        let planned = value
            .parse::<u32>()
            .ok()
            .and_then(|n| started.template.session(n));
        if planned.is_none() {
            let sessions = &started.template.sessions;
            let first = sessions.first().map_or(0, |s| s.number);
            let last = sessions.last().map_or(0, |s| s.number);
            return Err(Error::invalid(
                ReasonCode::ProgrammeSessionUnknown,
                format!(
                    "'{value}' is not a session of the programme {} (sessions {first}–{last})",
                    started.template.key
                ),
            )
            .with("session", value));
        }
        Ok(())
    }
}

fn not_started(case_id: &Uuid) -> Error {
    Error::not_allowed(
        ReasonCode::ProgrammeNotStarted,
        format!("case {case_id} follows no programme; start one first"),
    )
}

#[cfg(test)]
mod tests;
