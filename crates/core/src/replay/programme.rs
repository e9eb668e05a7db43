//! Programmes, replayed: a case's programme is written once, and a second
//! start of the same case (two laptops at once) changes nothing — the
//! first in the order stands everywhere; the planned return date is a
//! last-writer-wins value.

use super::{ensure_exists, lww};
use crate::error::Result;
use crate::programme::RETURN_FIELD;
use crate::store;
use brygga_protocol::op::{Operation, Payload};
use rusqlite::{params, Connection};

pub(super) fn apply(conn: &Connection, op: &Operation) -> Result<()> {
    match &op.payload {
        Payload::ProgrammeStarted {
            programme_id,
            case_id,
            template,
            started_on,
        } => {
            ensure_exists(conn, "cases", "case", case_id)?;
            let snapshot = serde_json::to_string(template)
                .map_err(|e| crate::error::Error::Damaged(format!("a template: {e}")))?;
            store::exec(
                conn,
                "INSERT INTO programmes (id, case_id, template_key, template, started_on, started_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (case_id) DO NOTHING",
                params![
                    programme_id.to_string(),
                    case_id.to_string(),
                    template.key,
                    snapshot,
                    started_on.to_string(),
                    op.author
                ],
            )?;
            Ok(())
        }
        Payload::ProgrammeReturnPlanned {
            case_id,
            on,
            replaces,
        } => lww::set_case_field(conn, op, case_id, RETURN_FIELD, &on.to_string(), *replaces),
        _ => Ok(()),
    }
}
