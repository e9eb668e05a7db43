//! The return ladder, replayed: each step reached is one row written
//! once, in its place in the order (so the latest is the current step on
//! every device); the planned next step is a last-writer-wins value.

use super::{ensure_exists, lww, scope};
use crate::error::Result;
use crate::ladder::{next_value, NEXT_FIELD};
use crate::store;
use brygga_protocol::op::{Operation, Payload};
use rusqlite::{params, Connection};

pub(super) fn apply(conn: &Connection, op: &Operation) -> Result<()> {
    match &op.payload {
        Payload::LadderStepSet {
            record_id,
            case_id,
            step,
            decided_on,
            note,
        } => {
            ensure_exists(conn, "cases", "case", case_id)?;
            store::exec(
                conn,
                "INSERT INTO ladder_steps (id, case_id, step, decided_on, note, order_key, decided_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    record_id.to_string(),
                    case_id.to_string(),
                    step,
                    decided_on.to_string(),
                    note,
                    scope::order_key(op),
                    op.author
                ],
            )?;
            Ok(())
        }
        Payload::LadderNextPlanned {
            case_id,
            step,
            on,
            replaces,
        } => lww::set_case_field(
            conn,
            op,
            case_id,
            NEXT_FIELD,
            &next_value(step, *on),
            *replaces,
        ),
        _ => Ok(()),
    }
}
