//! One person, one pupil: registrations of the same personnummer on two
//! laptops become one pupil. The registration first in the total order
//! keeps its id; a later one becomes an alias of it, so its cases, entries
//! and weeks of absence all land on the one pupil. Nothing is quarantined
//! for it, and every device comes to the same choice.

use super::op_time;
use crate::error::{Error, ReasonCode, Result};
use crate::store;
use brygga_protocol::op::{Operation, Payload};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

pub(super) fn register(conn: &Connection, op: &Operation) -> Result<()> {
    let Payload::PupilRegistered {
        pupil_id,
        name,
        personnummer,
        school,
        grade,
        protected_identity,
    } = &op.payload
    else {
        return Err(Error::Damaged("not a pupil registration".into()));
    };
    let at = op_time(op.hlc);
    let first: Option<String> = store::row(
        conn,
        "SELECT id FROM pupils WHERE personnummer = ?1",
        [personnummer],
        |r| r.get(0),
    )
    .optional()?;
    let Some(first) = first else {
        store::exec(
            conn,
            "INSERT INTO pupils (id, name, personnummer, school, grade, protected_identity,
                                 registered_at, registered_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                pupil_id.to_string(),
                name,
                personnummer,
                school,
                grade,
                protected_identity,
                at,
                op.author
            ],
        )?;
        return Ok(());
    };
    if first == pupil_id.to_string() {
        return Err(Error::not_allowed(
            ReasonCode::PupilAlreadyRegistered,
            format!("pupil {pupil_id} is already registered"),
        ));
    }
    store::exec(
        conn,
        "INSERT INTO pupil_aliases (alias_id, pupil_id, name, school, grade, registered_at,
                                    registered_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            pupil_id.to_string(),
            first,
            name,
            school,
            grade,
            at,
            op.author
        ],
    )?;
    // Either laptop's word that the identity is protected protects it.
    if *protected_identity {
        store::exec(
            conn,
            "UPDATE pupils SET protected_identity = 1 WHERE id = ?1",
            [&first],
        )?;
    }
    Ok(())
}

/// The pupil an id stands for: itself, or the pupil it is an alias of.
/// Fails when neither is known.
pub(crate) fn resolve(conn: &Connection, id: &Uuid) -> Result<String> {
    let found: Option<String> = store::row(
        conn,
        "SELECT id FROM pupils WHERE id = ?1
             UNION ALL SELECT pupil_id FROM pupil_aliases WHERE alias_id = ?1",
        [id.to_string()],
        |r| r.get(0),
    )
    .optional()?;
    found.ok_or_else(|| Error::not_found("pupil", id))
}
