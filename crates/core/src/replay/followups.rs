//! Follow-ups, replayed: written once; done once (the first in the order
//! stands, as with a consent withdrawn on two laptops).

use super::ensure_exists;
use crate::error::Result;
use crate::store;
use brygga_protocol::op::{Operation, Payload};
use rusqlite::{params, Connection};

pub(super) fn apply(conn: &Connection, op: &Operation, at: &str) -> Result<()> {
    match &op.payload {
        Payload::FollowupCreated {
            followup_id,
            case_id,
            task,
            due_on,
            entry_id,
        } => {
            ensure_exists(conn, "cases", "case", case_id)?;
            store::exec(
                conn,
                "INSERT INTO followups (id, case_id, task, due_on, entry_id, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    followup_id.to_string(),
                    case_id.to_string(),
                    task.as_str(),
                    due_on.to_string(),
                    entry_id.map(|e| e.to_string()),
                    at,
                    op.author
                ],
            )?;
            Ok(())
        }
        Payload::FollowupDone {
            followup_id,
            done_on,
        } => {
            ensure_exists(conn, "followups", "follow-up", followup_id)?;
            store::exec(
                conn,
                "UPDATE followups SET done_on = ?2, done_by = ?3 WHERE id = ?1 AND done_on IS NULL",
                params![followup_id.to_string(), done_on.to_string(), op.author],
            )?;
            Ok(())
        }
        _ => Ok(()),
    }
}
