//! The team's key persons, replayed (docs/contacts.md): a person is written
//! once with their kind of organisation, every field they were added with
//! is a last-writer-wins value from then on, and leaving the role is
//! written once — left twice (two laptops at once) is left once, the first
//! in the order stands everywhere.

use super::{ensure_exists, lww, op_time};
use crate::contacts::OBJECT;
use crate::error::Result;
use crate::store;
use brygga_protocol::op::{ContactField, Operation, Payload};
use rusqlite::{params, Connection};

pub(super) fn apply(conn: &Connection, op: &Operation) -> Result<()> {
    match &op.payload {
        Payload::ContactAdded {
            contact_id,
            org_kind,
            org_name,
            role,
            name,
            phone,
            email,
        } => {
            store::exec(
                conn,
                "INSERT INTO contacts (id, org_kind, added_at, added_by) VALUES (?1, ?2, ?3, ?4)",
                params![
                    contact_id.to_string(),
                    org_kind.as_str(),
                    op_time(op.hlc),
                    op.author
                ],
            )?;
            let given = [
                (ContactField::OrgName, Some(org_name)),
                (ContactField::Role, Some(role)),
                (ContactField::Name, Some(name)),
                (ContactField::Phone, phone.as_ref()),
                (ContactField::Email, email.as_ref()),
            ];
            for (field, value) in given {
                if let Some(value) = value {
                    let target = lww::Field::new(OBJECT, contact_id, field.as_str());
                    lww::set_field(conn, op, target, value, None)?;
                }
            }
            Ok(())
        }
        Payload::ContactChanged {
            contact_id,
            field,
            value,
            replaces,
        } => {
            ensure_exists(conn, "contacts", "contact", contact_id)?;
            let target = lww::Field::new(OBJECT, contact_id, field.as_str());
            lww::set_field(conn, op, target, value, *replaces)
        }
        Payload::ContactLeftRole {
            contact_id,
            left_on,
        } => {
            ensure_exists(conn, "contacts", "contact", contact_id)?;
            store::exec(
                conn,
                "UPDATE contacts SET left_on = ?2, left_by = ?3 WHERE id = ?1 AND left_on IS NULL",
                params![contact_id.to_string(), left_on.to_string(), op.author],
            )?;
            Ok(())
        }
        _ => Ok(()),
    }
}
