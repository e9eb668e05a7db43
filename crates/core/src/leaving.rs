//! Cases that leave the laptop (docs/retention.md).
//!
//! A closed case leaves this journal once the server holds every one of
//! its operations and the municipality's waiting time after its last
//! operation has run; a purged case leaves when the server's signed
//! notice says so. Its operations leave the log and its rows the tables
//! (search index included), so the journal stays exactly a replay of its
//! log; only a line in `left_cases` (and the ids of its objects) stays,
//! to list it for fetching back and to know a later operation that names
//! it. The device's own seq and clock live apart from the log
//! (`high_water`), so no later operation reuses a number of one that left.

use crate::audit::{self, Action, Event};
use crate::clock;
use crate::error::Result;
use crate::replay::scope;
use crate::store;
use brygga_protocol::auth::Target;
use brygga_protocol::op::SignedOperation;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::collections::HashSet;
use uuid::Uuid;

/// Why a case left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Why {
    /// Closed, and held by the server.
    Closed,
    /// Purged by the municipality's retention rules.
    Purged,
}

impl Why {
    fn as_str(self) -> &'static str {
        match self {
            Why::Closed => "closed",
            Why::Purged => "purged",
        }
    }
}

/// A case as this journal holds it: its pupil's scope, its operations in
/// replay order and the objects they made.
pub(crate) struct Held {
    scope: String,
    pub ops: Vec<SignedOperation>,
    objects: HashSet<Uuid>,
}

/// The case's part of its pupil's scope. Walking the scope in replay
/// order, an operation belongs to the case when it opens it or names the
/// case or one of its objects; what it creates becomes one of them. None
/// when the case is not here.
pub(crate) fn held(conn: &Connection, case_id: Uuid) -> Result<Option<Held>> {
    let Some(scope) = scope::of_object(conn, &case_id.to_string())? else {
        return Ok(None);
    };
    let mut objects = HashSet::from([case_id]);
    let mut ops = Vec::new();
    for signed in scope::ops_of(conn, &scope)? {
        let s = signed.op.payload.scope();
        let belongs = match s.target {
            Target::NewPupil => false,
            Target::Pupil(_) => s.creates.iter().any(|o| o.id == case_id),
            Target::Case(id) => objects.contains(&id),
            Target::Object(o) => objects.contains(&o.id),
        };
        if belongs {
            objects.extend(s.creates.iter().map(|o| o.id));
            ops.push(signed);
        }
    }
    Ok(Some(Held {
        scope,
        ops,
        objects,
    }))
}

/// Takes a held case out of the journal and records that it left, with
/// an audit row (ids only). In the caller's transaction.
pub(crate) fn leave(
    conn: &Connection,
    actor: (&str, &str),
    case_id: Uuid,
    held: Held,
    why: Why,
) -> Result<()> {
    let (pupil_id, closed_at): (String, Option<String>) = store::row(
        conn,
        "SELECT pupil_id, closed_at FROM cases WHERE id = ?1",
        [case_id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .unwrap_or_default();
    let ops: Vec<String> = held.ops.iter().map(|s| s.op.id.to_string()).collect();
    let objects: Vec<String> = held.objects.iter().map(Uuid::to_string).collect();
    scope::take_out(conn, &held.scope, &ops, &objects)?;
    store::exec(
        conn,
        "INSERT OR REPLACE INTO left_cases (case_id, pupil_id, reason, closed_at, left_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            case_id.to_string(),
            pupil_id,
            why.as_str(),
            closed_at,
            now_text()
        ],
    )?;
    for object in &objects {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO left_objects (object_id, case_id) VALUES (?1, ?2)",
        )?
        .execute(params![object, case_id.to_string()])?;
    }
    audit::append(
        conn,
        actor.0,
        actor.1,
        clock::now(),
        Event {
            action: match why {
                Why::Closed => Action::Leave,
                Why::Purged => Action::Purge,
            },
            object_type: "case",
            object_id: Some(case_id.to_string()),
            pupil_id: (!pupil_id.is_empty()).then_some(pupil_id),
            detail: format!("operations={}", ops.len()),
        },
    )
}

/// A case that left marked purged: it can never be fetched back.
pub(crate) fn mark_purged(conn: &Connection, case_id: Uuid) -> Result<bool> {
    Ok(store::exec(
        conn,
        "UPDATE left_cases SET reason = 'purged' WHERE case_id = ?1",
        [case_id.to_string()],
    )? > 0)
}

/// The case a left object belongs to, and whether it was purged.
pub(crate) fn left_case_of(conn: &Connection, object_id: Uuid) -> Result<Option<(Uuid, Why)>> {
    let row: Option<(String, String)> = store::row(
        conn,
        "SELECT c.case_id, c.reason FROM left_objects o JOIN left_cases c ON c.case_id = o.case_id
         WHERE o.object_id = ?1",
        [object_id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?;
    Ok(row.and_then(|(id, why)| {
        let why = if why == "purged" {
            Why::Purged
        } else {
            Why::Closed
        };
        Uuid::parse_str(&id).ok().map(|id| (id, why))
    }))
}

/// Forgets that a case left: it is being fetched back.
pub(crate) fn forget(conn: &Connection, case_id: Uuid) -> Result<()> {
    store::exec(
        conn,
        "DELETE FROM left_objects WHERE case_id = ?1",
        [case_id.to_string()],
    )?;
    store::exec(
        conn,
        "DELETE FROM left_cases WHERE case_id = ?1",
        [case_id.to_string()],
    )?;
    Ok(())
}

/// What decides whether a closed case may leave now.
pub(crate) struct Readiness {
    pub own_device: Uuid,
    /// Own operations up to this seq are held by the server.
    pub pushed_seq: u64,
    /// A push of everything held (after a restore of the server) is under
    /// way: nothing leaves until it is done.
    pub held_push: bool,
    /// Days after its last operation a closed case leaves.
    pub after_days: u32,
    pub now: DateTime<Utc>,
}

/// The closed cases that may leave now: their last operation is older
/// than the waiting time, and the server holds every one of their
/// operations (this device's own are pushed and none was refused; the
/// others came from the server).
pub(crate) fn ready(conn: &Connection, r: &Readiness) -> Result<Vec<(Uuid, Held)>> {
    if r.held_push {
        return Ok(Vec::new());
    }
    let cutoff = r.now - Duration::days(i64::from(r.after_days));
    let cutoff_text = cutoff.to_rfc3339_opts(SecondsFormat::Millis, true);
    let closed: Vec<String> = conn
        .prepare(
            "SELECT id FROM cases WHERE status = 'closed' AND closed_at <= ?1 ORDER BY closed_at",
        )?
        .query_map([cutoff_text], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for id in closed.iter().filter_map(|c| Uuid::parse_str(c).ok()) {
        let Some(held) = held(conn, id)? else {
            continue;
        };
        if held.ops.iter().all(|s| leaves(conn, r, cutoff, s)) {
            out.push((id, held));
        }
    }
    Ok(out)
}

/// Whether one operation of a closed case lets it leave.
fn leaves(conn: &Connection, r: &Readiness, cutoff: DateTime<Utc>, s: &SignedOperation) -> bool {
    let old_enough = s.op.hlc.wall_ms <= cutoff.timestamp_millis();
    let on_server = s.op.device_id != r.own_device
        || (s.op.seq <= r.pushed_seq && !refused(conn, s.op.id).unwrap_or(true));
    old_enough && on_server
}

/// Whether the server refused this operation when it was pushed.
fn refused(conn: &Connection, op_id: Uuid) -> Result<bool> {
    Ok(store::row(
        conn,
        "SELECT 1 FROM quarantine WHERE op_id = ?1 AND direction = 'push'",
        [op_id.to_string()],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

fn now_text() -> String {
    clock::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A case that left this laptop, as the case list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LeftCase {
    pub case_id: String,
    pub pupil_id: String,
    /// The pupil's name, while the pupil is still here.
    pub pupil_name: Option<String>,
    /// `closed` (it can be fetched back from the server) or `purged`.
    pub reason: String,
    pub closed_at: Option<String>,
    pub left_at: String,
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<LeftCase>> {
    Ok(conn
        .prepare(
            "SELECT l.case_id, l.pupil_id, p.name, l.reason, l.closed_at, l.left_at
             FROM left_cases l LEFT JOIN pupils p ON p.id = l.pupil_id
             ORDER BY l.left_at DESC, l.case_id",
        )?
        .query_map([], |r| {
            Ok(LeftCase {
                case_id: r.get(0)?,
                pupil_id: r.get(1)?,
                pupil_name: r.get(2)?,
                reason: r.get(3)?,
                closed_at: r.get(4)?,
                left_at: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}
