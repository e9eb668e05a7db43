//! Follow-ups: something to do about a pupil the same day, made when an
//! expected pupil is not seen at the morning check-in, shown on the
//! caseload until marked done (docs/return-path.md).

use crate::audit::{Action, Event};
use crate::clock;
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use brygga_protocol::op::{FollowupTask, Payload};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde::Serialize;
use uuid::Uuid;

/// An open follow-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FollowupView {
    pub id: String,
    pub case_id: String,
    pub pupil_id: String,
    pub pupil_name: String,
    /// `call-guardian` or `book-home-visit`.
    pub task: String,
    /// YYYY-MM-DD.
    pub due_on: String,
    /// The check-in entry it came from.
    pub entry_id: Option<String>,
    pub created_by: String,
}

impl Journal {
    /// The operation that makes a follow-up for `case_id` due on `day`,
    /// from the check-in entry `entry_id`, and its audit event: it is
    /// committed with the check-in's signature, so a signed "not seen" of
    /// an expected pupil never lacks its follow-up.
    pub(crate) fn followup_created(
        &self,
        case_id: Uuid,
        task: FollowupTask,
        day: NaiveDate,
        entry_id: Uuid,
    ) -> Result<(Payload, Event<'static>)> {
        let followup_id = Uuid::now_v7();
        Ok((
            Payload::FollowupCreated {
                followup_id,
                case_id,
                task,
                due_on: day,
                entry_id: Some(entry_id),
            },
            Event {
                action: Action::Create,
                object_type: "followup",
                object_id: Some(followup_id.to_string()),
                pupil_id: Some(self.pupil_of_case(&case_id)?),
                detail: task.as_str().to_owned(),
            },
        ))
    }

    /// Every follow-up not yet done, oldest first.
    pub fn followups(&self) -> Result<Vec<FollowupView>> {
        let out = self.open_followups()?;
        self.record(Event {
            action: Action::List,
            object_type: "followup",
            object_id: None,
            pupil_id: None,
            detail: format!("{} open", out.len()),
        })?;
        Ok(out)
    }

    pub(crate) fn open_followups(&self) -> Result<Vec<FollowupView>> {
        let mut stmt = self.conn.prepare(
            "SELECT f.id, f.case_id, p.id, p.name, f.task, f.due_on, f.entry_id, f.created_by
             FROM followups f JOIN cases c ON c.id = f.case_id JOIN pupils p ON p.id = c.pupil_id
             WHERE f.done_on IS NULL ORDER BY f.due_on, p.name, f.id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(FollowupView {
                    id: r.get(0)?,
                    case_id: r.get(1)?,
                    pupil_id: r.get(2)?,
                    pupil_name: r.get(3)?,
                    task: r.get(4)?,
                    due_on: r.get(5)?,
                    entry_id: r.get(6)?,
                    created_by: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Marks a follow-up done today; one already done is refused.
    pub fn followup_done(&mut self, followup_id: Uuid) -> Result<()> {
        let row: Option<(String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT case_id, done_on FROM followups WHERE id = ?1",
                [followup_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (case_id, done_on) = row.ok_or_else(|| Error::not_found("follow-up", followup_id))?;
        if let Some(on) = done_on {
            return Err(Error::not_allowed(
                ReasonCode::FollowupAlreadyDone,
                format!("follow-up {followup_id} was already done on {on}"),
            )
            .with("on", on));
        }
        let case_id = Uuid::parse_str(&case_id)
            .map_err(|_| Error::Damaged(format!("follow-up {followup_id} has a bad case id")))?;
        self.commit(
            Payload::FollowupDone {
                followup_id,
                done_on: clock::today(),
            },
            Event {
                action: Action::Update,
                object_type: "followup",
                object_id: Some(followup_id.to_string()),
                pupil_id: Some(self.pupil_of_case(&case_id)?),
                detail: "done".into(),
            },
        )?;
        Ok(())
    }
}
