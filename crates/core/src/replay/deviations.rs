//! Deviations in collaboration, replayed (docs/deviations.md): written
//! once against a case (and optionally one of its plan actions); the
//! status is a last-writer-wins value, so a change made on two laptops at
//! once ends the same everywhere and the loser is kept for review.

use super::{ensure_exists, lww, op_time};
use crate::deviations::{OBJECT, STATUS_FIELD};
use crate::error::{Error, Result};
use crate::store;
use brygga_protocol::op::{Operation, Payload};
use rusqlite::{params, Connection, OptionalExtension};

pub(super) fn apply(conn: &Connection, op: &Operation) -> Result<()> {
    match &op.payload {
        Payload::DeviationRecorded {
            deviation_id,
            case_id,
            action_id,
            partner,
            category,
            text,
            noted_on,
        } => {
            ensure_exists(conn, "cases", "case", case_id)?;
            if let Some(action) = action_id {
                // The server checks the same case for a pushed operation;
                // one that names another case's action is not applied.
                let of_case: Option<i64> = store::row(
                    conn,
                    "SELECT 1 FROM plan_actions a JOIN plans p ON p.id = a.plan_id
                     WHERE a.id = ?1 AND p.case_id = ?2",
                    [action.to_string(), case_id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
                of_case.ok_or_else(|| Error::not_found("plan action of this case", action))?;
            }
            store::exec(
                conn,
                "INSERT INTO deviations (id, case_id, action_id, partner, category, text, noted_on,
                                         recorded_at, recorded_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    deviation_id.to_string(),
                    case_id.to_string(),
                    action_id.map(|a| a.to_string()),
                    partner.as_str(),
                    category.as_str(),
                    text,
                    noted_on.to_string(),
                    op_time(op.hlc),
                    op.author
                ],
            )?;
            Ok(())
        }
        Payload::DeviationStatusSet {
            deviation_id,
            status,
            replaces,
        } => {
            ensure_exists(conn, "deviations", "deviation", deviation_id)?;
            lww::set_field(
                conn,
                op,
                lww::Field::new(OBJECT, deviation_id, STATUS_FIELD),
                status.as_str(),
                *replaces,
            )
        }
        _ => Ok(()),
    }
}
