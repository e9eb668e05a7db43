//! Well-prepared collaboration meetings (docs/meetings.md,
//! docs/adr/0032-well-prepared-meetings.md): an agenda made from a case's
//! plans — their open actions and whether their follow-up is due — and
//! its follow-ups due; minutes written against it become the signed
//! collaboration-meeting entry, whose fields hold each action's result.
//! The plan's actions read their results back from the signed minutes.

use crate::audit::{Action, Event};
use crate::clock;
use crate::entry_fields::{self, result_key};
use crate::error::{Error, ReasonCode, Result};
use crate::followups::FollowupView;
use crate::journal::Journal;
use crate::views::PlanView;
use crate::NewEntry;
use brygga_protocol::entry_kind::EntryKind;
use brygga_protocol::op::ActionStatus;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// What one signed collaboration meeting recorded of a plan action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActionResult {
    /// The signed minutes.
    pub entry_id: String,
    pub result: String,
    /// When the meeting was held.
    pub met_at: String,
    pub signed_by: String,
}

/// A plan on the agenda: its open actions only (planned or ongoing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgendaPlan {
    pub plan: PlanView,
    /// The plan's follow-up date is today or past.
    pub follow_up_due: bool,
}

/// What a collaboration meeting of a case goes through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgendaView {
    pub case_id: String,
    /// The day it was made, YYYY-MM-DD: what "due" is measured by.
    pub day: String,
    pub plans: Vec<AgendaPlan>,
    /// The case's follow-ups not done and due by `day`.
    pub followups: Vec<FollowupView>,
}

/// The result of one action, as written in the minutes.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MinutesResult {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub action_id: Uuid,
    pub result: String,
}

/// The minutes of a collaboration meeting, written against its agenda.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewMinutes {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub case_id: Uuid,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub event_at: DateTime<Utc>,
    pub participants: Vec<String>,
    /// The team's key persons who took part, by their contact id.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub key_persons: Vec<Uuid>,
    /// Who took part, by organisation (the entry's `parties`).
    pub parties: String,
    pub text: String,
    /// A blank result is left out: the action was not followed up.
    pub results: Vec<MinutesResult>,
}

fn is_open(status: &str) -> bool {
    status == ActionStatus::Planned.as_str() || status == ActionStatus::Ongoing.as_str()
}

impl Journal {
    /// The agenda of a collaboration meeting of a case, as of today.
    pub fn meeting_agenda(&self, case_id: Uuid) -> Result<AgendaView> {
        let pupil_id = self.pupil_of_case(&case_id)?;
        let day = clock::today().to_string();
        let plans = self
            .plans_of(&case_id)?
            .into_iter()
            .map(|mut plan| {
                plan.actions.retain(|a| is_open(&a.status));
                AgendaPlan {
                    follow_up_due: plan.follow_up_on <= day,
                    plan,
                }
            })
            .collect();
        let followups = self
            .open_followups()?
            .into_iter()
            .filter(|f| f.case_id == case_id.to_string() && f.due_on <= day)
            .collect();
        self.record(Event {
            action: Action::Read,
            object_type: "meeting-agenda",
            object_id: Some(case_id.to_string()),
            pupil_id: Some(pupil_id),
            detail: String::new(),
        })?;
        Ok(AgendaView {
            case_id: case_id.to_string(),
            day,
            plans,
            followups,
        })
    }

    /// Writes the minutes as a collaboration-meeting entry and signs it,
    /// in one transaction: the draft and its signature, or nothing.
    pub fn write_minutes(&mut self, minutes: NewMinutes) -> Result<Uuid> {
        let mut fields = BTreeMap::from([("parties".to_owned(), minutes.parties)]);
        for r in minutes
            .results
            .iter()
            .filter(|r| !r.result.trim().is_empty())
        {
            if fields
                .insert(result_key(&r.action_id), r.result.clone())
                .is_some()
            {
                return Err(Error::invalid(
                    ReasonCode::MinutesResultTwice,
                    format!("the minutes give action {} two results", r.action_id),
                )
                .with("action", r.action_id.to_string()));
            }
        }
        let entry = NewEntry {
            kind: EntryKind::CollaborationMeeting,
            event_at: minutes.event_at,
            participants: minutes.participants,
            key_persons: minutes.key_persons,
            fields,
            text: minutes.text,
        };
        let case_id = minutes.case_id;
        self.atomically(|j| {
            let entry_id = j.draft_entry(case_id, entry)?;
            j.sign_entry(entry_id)?;
            Ok(entry_id)
        })
    }

    /// A result in the minutes names an action of one of the case's plans.
    pub(crate) fn check_results(
        &self,
        case_id: &Uuid,
        kind: EntryKind,
        fields: &BTreeMap<String, String>,
    ) -> Result<()> {
        for action_id in fields
            .keys()
            .filter_map(|k| entry_fields::result_action(kind, k))
        {
            match self.case_of_action(&action_id) {
                Ok(of) if of == *case_id => {}
                Ok(_) | Err(Error::NotFound { .. }) => {
                    return Err(Error::invalid(
                        ReasonCode::MinutesActionUnknown,
                        format!("action {action_id} is not an action of this case's plans"),
                    )
                    .with("action", action_id.to_string()))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// What the signed minutes of a case recorded of an action, oldest
    /// meeting first.
    pub(crate) fn results_of(&self, case_id: &Uuid, action_id: &str) -> Result<Vec<ActionResult>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, f.value, e.event_at, e.signed_by FROM entries e, json_each(e.fields) f
             WHERE e.case_id = ?1 AND e.status = 'signed' AND e.kind = 'collaboration-meeting'
               AND f.key = ?2
             ORDER BY e.event_at, e.id",
        )?;
        let key = format!("{}{action_id}", entry_fields::RESULT_PREFIX);
        let rows = stmt
            .query_map([case_id.to_string(), key], |r| {
                Ok(ActionResult {
                    entry_id: r.get(0)?,
                    result: r.get(1)?,
                    met_at: r.get(2)?,
                    signed_by: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests;
