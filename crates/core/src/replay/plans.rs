//! Plans in replay: a plan is written once with its actions; a revision
//! puts its version on the plan (the latest in the order shows) and its
//! actions on the plan's actions. Actions are never removed: one a
//! revision does not carry keeps its last words, so two revisions made at
//! once lose no action either of them added. Every version stays in the
//! log, where [`crate::Journal::plan_versions`] reads them.

use super::{ensure_exists, lww, op_time};
use crate::error::{Error, Result};
use crate::key_persons::OWNER_FIELD;
use crate::store;
use brygga_protocol::op::{Operation, Payload, PlanAction};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

pub(super) fn apply(conn: &Connection, op: &Operation) -> Result<()> {
    match &op.payload {
        Payload::PlanCreated {
            plan_id,
            case_id,
            needs,
            goals,
            lead_party,
            follow_up_on,
            actions,
        } => {
            store::exec(conn,
                "INSERT INTO plans (id, case_id, needs, goals, lead_party, follow_up_on, created_at, author)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    plan_id.to_string(),
                    case_id.to_string(),
                    needs,
                    serde_json::to_string(goals).unwrap_or_default(),
                    lead_party,
                    follow_up_on.to_string(),
                    op_time(op.hlc),
                    op.author
                ],
            )?;
            for (position, a) in actions.iter().enumerate() {
                add_action(conn, op, plan_id, position, a)?;
            }
            Ok(())
        }
        Payload::PlanRevised {
            plan_id,
            needs,
            goals,
            lead_party,
            follow_up_on,
            actions,
            new_actions,
            ..
        } => {
            ensure_exists(conn, "plans", "plan", plan_id)?;
            for a in actions {
                ensure_action_of(conn, plan_id, &a.action_id)?;
            }
            store::exec(
                conn,
                "UPDATE plans SET needs = ?2, goals = ?3, lead_party = ?4, follow_up_on = ?5
                 WHERE id = ?1",
                params![
                    plan_id.to_string(),
                    needs,
                    serde_json::to_string(goals).unwrap_or_default(),
                    lead_party,
                    follow_up_on.to_string()
                ],
            )?;
            for (position, a) in actions.iter().enumerate() {
                store::exec(
                    conn,
                    "UPDATE plan_actions SET position = ?2, who = ?3, what = ?4, due_on = ?5
                     WHERE id = ?1",
                    params![
                        a.action_id.to_string(),
                        position as i64,
                        a.who,
                        a.what,
                        a.due_on.map(|d| d.to_string())
                    ],
                )?;
                revise_owner(conn, op, a)?;
            }
            for (position, a) in new_actions.iter().enumerate() {
                add_action(conn, op, plan_id, actions.len() + position, a)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn add_action(
    conn: &Connection,
    op: &Operation,
    plan_id: &Uuid,
    position: usize,
    a: &PlanAction,
) -> Result<()> {
    store::exec(
        conn,
        "INSERT INTO plan_actions (id, plan_id, position, who, what, due_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            a.action_id.to_string(),
            plan_id.to_string(),
            position as i64,
            a.who,
            a.what,
            a.due_on.map(|d| d.to_string())
        ],
    )?;
    if let Some(contact_id) = a.contact_id {
        lww::set_field(conn, op, owner(a), &contact_id.to_string(), None)?;
    }
    Ok(())
}

/// An action's owner, a key person named as data (ADR 0031): the action's
/// value `owner`, where the directory's current words are found.
fn owner(a: &PlanAction) -> lww::Field {
    lww::Field::new("plan-action", &a.action_id, OWNER_FIELD)
}

/// A revision names the action's owner again, or no key person (the
/// empty value). It overwrites in the order: two revisions made at once
/// are the plan's conflict, kept as its versions, not the owner's own.
fn revise_owner(conn: &Connection, op: &Operation, a: &PlanAction) -> Result<()> {
    let contact = a.contact_id.map(|c| c.to_string()).unwrap_or_default();
    lww::write_field(conn, op, &owner(a), &contact, None)
}

/// A revision carries only actions of its own plan.
fn ensure_action_of(conn: &Connection, plan_id: &Uuid, action_id: &Uuid) -> Result<()> {
    let plan: Option<String> = store::row(
        conn,
        "SELECT plan_id FROM plan_actions WHERE id = ?1",
        [action_id.to_string()],
        |r| r.get(0),
    )
    .optional()?;
    match plan {
        Some(p) if p == plan_id.to_string() => Ok(()),
        _ => Err(Error::not_found("plan action", action_id)),
    }
}
