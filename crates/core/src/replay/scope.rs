//! Scopes: which operations are replayed together, and when again.
//!
//! Every operation belongs to one pupil's scope, `pnr:<personnummer>`
//! (so that two registrations of one person share it): a registration by
//! its personnummer, anything else by the scope of the object it names.
//! What the team shares whatever the pupil (its key persons) is in the one
//! scope [`TEAM`] instead (docs/adr/0029-a-team-scope.md). Operations of
//! different scopes never touch the same rows, so each scope is replayed
//! on its own, in the total order (hlc, device_id, seq).
//!
//! Logging an operation ([`log`]) and replaying it ([`catch_up`]) are
//! apart: a pull logs page after page, and replays once at the end. When
//! the operations new to a scope all sort after the last one it replayed,
//! they are applied on top; otherwise the scope's rows are removed and all
//! its operations replayed again, the late one in its place.

use super::apply;
use crate::error::{Error, Result};
use crate::store;
use brygga_protocol::auth::Target;
use brygga_protocol::op::{Operation, Payload, SignedOperation};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The order key as text that sorts like [`Operation::order_key`].
pub(crate) fn order_key(op: &Operation) -> String {
    format!("{}|{}|{:020}", op.hlc.to_sortable(), op.device_id, op.seq)
}

/// The scope of the team's own objects: no pupil's, so no case ever takes
/// its operations with it when it leaves.
pub(crate) const TEAM: &str = "team";

/// The scope of a payload, or None while the object it names is unknown
/// here.
fn scope_of(conn: &Connection, payload: &Payload) -> Result<Option<String>> {
    let id = match payload.scope().target {
        Target::NewPupil => {
            let Payload::PupilRegistered { personnummer, .. } = payload else {
                return Err(Error::Damaged("a new pupil that is no registration".into()));
            };
            return Ok(Some(format!("pnr:{personnummer}")));
        }
        Target::Team => return Ok(Some(TEAM.to_owned())),
        Target::Pupil(id) | Target::Case(id) => id,
        Target::Object(o) => o.id,
    };
    of_object(conn, &id.to_string())
}

/// Puts a logged operation in its scope, with the objects it creates;
/// false while the object it names is unknown.
fn place(conn: &Connection, op: &Operation) -> Result<Option<String>> {
    let Some(scope) = scope_of(conn, &op.payload)? else {
        return Ok(None);
    };
    store::exec(
        conn,
        "INSERT OR IGNORE INTO op_scopes (op_id, scope) VALUES (?1, ?2)",
        params![op.id.to_string(), scope],
    )?;
    let mut created = conn
        .prepare_cached("INSERT OR IGNORE INTO object_scopes (object_id, scope) VALUES (?1, ?2)")?;
    for object in op.payload.scope().creates {
        created.execute(params![object.id.to_string(), scope])?;
    }
    Ok(Some(scope))
}

/// Whether the log already holds this operation (by id, or by its
/// device's seq).
pub(crate) fn is_logged(conn: &Connection, op: &Operation) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM oplog WHERE op_id = ?1 OR (device_id = ?2 AND seq = ?3)")?
        .query_row(
            params![op.id.to_string(), op.device_id.to_string(), op.seq as i64],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Appends an operation made here to the log.
const INSERT_OWN: &str =
    "INSERT INTO oplog (op_id, device_id, seq, hlc, type, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// Appends an operation from elsewhere unless the log holds it already,
/// by id or by its device's seq (the same test as [`is_logged`], in the
/// insert's own look-up of its keys).
const INSERT_PULLED: &str = "INSERT OR IGNORE INTO oplog (op_id, device_id, seq, hlc, type, body)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// Appends an operation to the log, as `body` (its JSON), by `insert`;
/// false when nothing was inserted.
fn insert_oplog(
    conn: &Connection,
    insert: &str,
    signed: &SignedOperation,
    body: &str,
) -> Result<bool> {
    let inserted = conn.prepare_cached(insert)?.execute(params![
        signed.op.id.to_string(),
        signed.op.device_id.to_string(),
        signed.op.seq as i64,
        signed.op.hlc.to_sortable(),
        signed.op.payload.type_name(),
        body
    ])?;
    Ok(inserted == 1)
}

/// Logs an operation received from elsewhere as `body` (its JSON), to be
/// replayed by [`catch_up`]. False when the log already holds it.
pub(crate) fn log(conn: &Connection, signed: &SignedOperation, body: &str) -> Result<bool> {
    if !insert_oplog(conn, INSERT_PULLED, signed, body)? {
        return Ok(false);
    }
    conn.prepare_cached("INSERT INTO unreplayed (op_id) VALUES (?1)")?
        .execute([signed.op.id.to_string()])?;
    place(conn, &signed.op)?;
    Ok(true)
}

/// Applies and logs an operation made on this device: it sorts after
/// everything in the log, so it goes on top of its scope (which first
/// catches up on anything logged in it and not yet replayed).
pub(crate) fn commit_own(conn: &Connection, signed: &SignedOperation) -> Result<()> {
    let op = &signed.op;
    if let Some(scope) = scope_of(conn, &op.payload)? {
        replay_scopes(conn, &[scope])?;
    }
    apply(conn, op)?;
    super::index::write(conn)?;
    let body = serde_json::to_string(signed).expect("operation serialises");
    insert_oplog(conn, INSERT_OWN, signed, &body)?;
    let scope = place(conn, op)?.ok_or_else(|| {
        Error::Damaged(format!("operation {} names an object with no scope", op.id))
    })?;
    set_replayed(conn, &scope, &order_key(op))
}

fn set_replayed(conn: &Connection, scope: &str, key: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO scope_replayed (scope, last_key) VALUES (?1, ?2)
         ON CONFLICT (scope) DO UPDATE SET last_key = max(last_key, excluded.last_key)",
    )?
    .execute(params![scope, key])?;
    Ok(())
}

fn read_op(body: &str) -> Result<SignedOperation> {
    serde_json::from_str(body)
        .map_err(|e| Error::Damaged(format!("unreadable operation in the log: {e}")))
}

/// Places operations that were waiting for an object, then replays every
/// scope that has operations logged and not yet replayed.
pub(crate) fn catch_up(conn: &Connection) -> Result<()> {
    place_waiting(conn)?;
    replay_scopes(conn, &pending_scopes(conn)?)
}

/// The scopes with operations logged and not yet replayed.
pub(crate) fn pending_scopes(conn: &Connection) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT DISTINCT s.scope FROM unreplayed u JOIN op_scopes s ON s.op_id = u.op_id
             ORDER BY s.scope",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Replays what is new in each of `scopes` (one with nothing new is left
/// as it is). A first sync replays its scopes a few at a time, each few in
/// a short transaction of its own, so the window's commands run between.
///
/// Usually every operation applies: all of them are applied under one
/// savepoint, since each savepoint makes the search index write out what
/// it holds, which costs more than the operations. When one does not
/// apply, the whole run is rolled back and done again an operation at a
/// time, with exactly the outcome of doing so from the start.
pub(crate) fn replay_scopes(conn: &Connection, scopes: &[String]) -> Result<()> {
    replay_scopes_with(conn, scopes, &mut Fresh::default())
}

/// [`replay_scopes`], taking the operations it can from `fresh` instead
/// of reading them back from the log.
pub(crate) fn replay_scopes_with(
    conn: &Connection,
    scopes: &[String],
    fresh: &mut Fresh,
) -> Result<()> {
    let mut pending = Vec::new();
    for scope in scopes {
        pending.extend(pending_in(conn, scope, fresh)?);
    }
    if pending.is_empty() {
        return Ok(());
    }
    store::exec(conn, "SAVEPOINT replay_ops", [])?;
    for p in &pending {
        if let Err(e) = replay_scope(conn, p, apply) {
            store::exec(conn, "ROLLBACK TO replay_ops", [])?;
            store::exec(conn, "RELEASE replay_ops", [])?;
            if rejection(&e).is_none() {
                return Err(e);
            }
            for p in &pending {
                replay_scope(conn, p, apply_or_reject)?;
            }
            return super::index::write(conn);
        }
    }
    super::index::write(conn)?;
    store::exec(conn, "RELEASE replay_ops", [])?;
    Ok(())
}

/// Operations whose object was unknown when they were logged, placed now
/// that it may have come (repeated, as one placed may be another's parent).
pub(crate) fn place_waiting(conn: &Connection) -> Result<()> {
    loop {
        // CROSS JOIN keeps the unreplayed operations the outer loop: read
        // by the replay order instead, the whole log would be scanned.
        let waiting: Vec<String> = conn
            .prepare_cached(
                "SELECT o.body FROM unreplayed u CROSS JOIN oplog o ON o.op_id = u.op_id
                 WHERE NOT EXISTS (SELECT 1 FROM op_scopes s WHERE s.op_id = u.op_id)
                 ORDER BY o.hlc, o.device_id, o.seq",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut placed = 0;
        for body in &waiting {
            if place(conn, &read_op(body)?.op)?.is_some() {
                placed += 1;
            }
        }
        if placed == 0 {
            return Ok(());
        }
    }
}

/// What a scope has to replay: the operations logged and not replayed,
/// when they all come after what it replayed; else (`again`) all of its
/// operations, from its start. In replay order.
struct Pending<'a> {
    scope: &'a str,
    again: bool,
    ops: Vec<Operation>,
}

/// Operations this device has just logged, held as read: a sync round
/// keeps what it pulled here, so that its replay need not read the log
/// back and parse it again (a fifth of a first sync's replay). Only a
/// cache: the log says which operations a scope has to replay, and one
/// not held here is read from the log.
#[derive(Default)]
pub(crate) struct Fresh {
    ops: HashMap<Uuid, (Operation, usize)>,
    bytes: usize,
}

impl Fresh {
    /// Bytes of operations (as their JSON) held at most: a first sync of a
    /// caseload far larger than a team's reads the rest back as before.
    const MAX_BYTES: usize = 64 << 20;

    /// Holds `op`, logged as `body_len` bytes of JSON, while there is room.
    pub(crate) fn keep(&mut self, op: Operation, body_len: usize) {
        if self.bytes + body_len <= Self::MAX_BYTES {
            self.bytes += body_len;
            self.ops.insert(op.id, (op, body_len));
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.ops.len()
    }

    /// The operations `ids` (as the log stores them), taken out, when all
    /// of them are held.
    fn take(&mut self, ids: &[String]) -> Option<Vec<Operation>> {
        let ids: Vec<Uuid> = ids
            .iter()
            .map(|id| Uuid::parse_str(id).ok())
            .collect::<Option<_>>()?;
        if !ids.iter().all(|id| self.ops.contains_key(id)) {
            return None;
        }
        let mut ops = Vec::with_capacity(ids.len());
        for id in &ids {
            let (op, len) = self.ops.remove(id)?;
            self.bytes -= len;
            ops.push(op);
        }
        // The log's replay order: (hlc, device_id, seq) as it stores them.
        ops.sort_by_cached_key(|op| {
            (
                op.hlc.to_sortable(),
                op.device_id.to_string(),
                op.seq as i64,
            )
        });
        Some(ops)
    }
}

/// A scope's operations not replayed yet, in replay order.
const UNREPLAYED_IN_SCOPE: &str =
    "SELECT o.body FROM unreplayed u JOIN op_scopes s ON s.op_id = u.op_id
     JOIN oplog o ON o.op_id = u.op_id
     WHERE s.scope = ?1 ORDER BY o.hlc, o.device_id, o.seq";

/// All of a scope's operations, in replay order.
const ALL_IN_SCOPE: &str = "SELECT o.body FROM op_scopes s JOIN oplog o ON o.op_id = s.op_id
     WHERE s.scope = ?1 ORDER BY o.hlc, o.device_id, o.seq";

/// Each operation the log gives for `sql` of one scope.
fn read_scope(conn: &Connection, sql: &str, scope: &str) -> Result<Vec<SignedOperation>> {
    let bodies: Vec<String> = conn
        .prepare_cached(sql)?
        .query_map([scope], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    bodies.iter().map(|b| read_op(b)).collect()
}

/// [`read_scope`] without the signatures, which the replay does not use.
fn read_ops(conn: &Connection, sql: &str, scope: &str) -> Result<Vec<Operation>> {
    Ok(read_scope(conn, sql, scope)?
        .into_iter()
        .map(|s| s.op)
        .collect())
}

/// What `scope` has to replay, if anything: its new operations from
/// `fresh` or else from the log; the first of them says whether they go
/// on top.
fn pending_in<'a>(
    conn: &Connection,
    scope: &'a str,
    fresh: &mut Fresh,
) -> Result<Option<Pending<'a>>> {
    let ids: Vec<String> = conn
        .prepare_cached(
            "SELECT u.op_id FROM unreplayed u JOIN op_scopes s ON s.op_id = u.op_id
             WHERE s.scope = ?1",
        )?
        .query_map([scope], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if ids.is_empty() {
        return Ok(None);
    }
    let new = match fresh.take(&ids) {
        Some(ops) => ops,
        None => read_ops(conn, UNREPLAYED_IN_SCOPE, scope)?,
    };
    let Some(first) = new.first() else {
        return Ok(None);
    };
    let last: Option<String> = store::row(
        conn,
        "SELECT last_key FROM scope_replayed WHERE scope = ?1",
        [scope],
        |r| r.get(0),
    )
    .optional()?;
    let again = last.is_some_and(|last| order_key(first) < last);
    let ops = if again {
        read_ops(conn, ALL_IN_SCOPE, scope)?
    } else {
        new
    };
    Ok(Some(Pending { scope, again, ops }))
}

/// Replays what a scope has to with `each` operation, clearing it first
/// when it is replayed again from its start.
fn replay_scope(
    conn: &Connection,
    pending: &Pending<'_>,
    each: fn(&Connection, &Operation) -> Result<()>,
) -> Result<()> {
    if pending.again {
        clear(conn, pending.scope)?;
    }
    for op in &pending.ops {
        each(conn, op)?;
    }
    store::exec(
        conn,
        "DELETE FROM unreplayed WHERE op_id IN (SELECT op_id FROM op_scopes WHERE scope = ?1)",
        [pending.scope],
    )?;
    if let Some(op) = pending.ops.last() {
        set_replayed(conn, pending.scope, &order_key(op))?;
    }
    Ok(())
}

/// Applies `op` in its place; one that does not apply there is recorded
/// with its reason and leaves no trace in the tables.
fn apply_or_reject(conn: &Connection, op: &Operation) -> Result<()> {
    store::exec(conn, "SAVEPOINT replay_op", [])?;
    match apply(conn, op) {
        Ok(()) => {
            store::exec(conn, "RELEASE replay_op", [])?;
            Ok(())
        }
        Err(e) => {
            store::exec(conn, "ROLLBACK TO replay_op", [])?;
            store::exec(conn, "RELEASE replay_op", [])?;
            let (code, params, reason) = rejection(&e).ok_or(e)?;
            conn.prepare_cached(
                "INSERT OR REPLACE INTO replay_rejections (op_id, code, params, reason)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![op.id.to_string(), code, params.to_string(), reason])?;
            Ok(())
        }
    }
}

/// The stable code, parameters and English reason (for logs and the CLI)
/// of an operation that does not apply; None for a failure of this device
/// (storage, a damaged file), which must stop the replay instead. A
/// refused input or action carries the core's reason code and its
/// parameters (the UI words `reason.<code>`); SQLite's own text is only a
/// technical `detail`.
fn rejection(e: &Error) -> Option<(&'static str, serde_json::Value, String)> {
    match e {
        Error::NotFound { what, id } => Some((
            "missing-object",
            json!({"what": what, "id": id}),
            format!("{what} {id} is not here (yet)"),
        )),
        Error::NotAllowed(r) => Some(("not-applicable", json!(e.params()), r.message.clone())),
        Error::Invalid(r) => Some(("invalid", json!(e.params()), r.message.clone())),
        Error::Storage(rusqlite::Error::SqliteFailure(f, m))
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            let detail = m.clone().unwrap_or_default();
            Some((
                "conflicting-ids",
                json!({ "detail": detail }),
                format!("its ids clash with another operation: {detail}"),
            ))
        }
        _ => None,
    }
}

/// Removes every row a scope's operations made, so that they can be
/// replayed again.
fn clear(conn: &Connection, scope: &str) -> Result<()> {
    store::exec(conn, "INSERT INTO replaying (scope) VALUES (?1)", [scope])?;
    let objects = "SELECT object_id FROM object_scopes WHERE scope = ?1";
    let ops = "SELECT op_id FROM op_scopes WHERE scope = ?1";
    for sql in [
        format!("DELETE FROM search_index WHERE entry_id IN ({objects})"),
        format!("DELETE FROM search_rows WHERE entry_id IN ({objects})"),
        format!("DELETE FROM field_conflicts WHERE lost_op_id IN ({ops})"),
        format!("DELETE FROM replay_rejections WHERE op_id IN ({ops})"),
        format!("DELETE FROM mutable_fields WHERE object_id IN ({objects})"),
        format!("DELETE FROM absence_weeks WHERE pupil_id IN ({objects})"),
        format!("DELETE FROM concern_reports WHERE id IN ({objects})"),
        format!("DELETE FROM ladder_steps WHERE id IN ({objects})"),
        format!("DELETE FROM followups WHERE id IN ({objects})"),
        format!("DELETE FROM programmes WHERE id IN ({objects})"),
        format!("DELETE FROM contacts WHERE id IN ({objects})"),
        format!("DELETE FROM deviations WHERE id IN ({objects})"),
        format!("DELETE FROM disclosures WHERE id IN ({objects})"),
        format!("DELETE FROM plan_actions WHERE id IN ({objects})"),
        format!("DELETE FROM plans WHERE id IN ({objects})"),
        format!("DELETE FROM corrections WHERE id IN ({objects})"),
        format!("DELETE FROM consents WHERE id IN ({objects})"),
        format!("DELETE FROM entry_versions WHERE entry_id IN ({objects})"),
        format!("DELETE FROM entries WHERE id IN ({objects})"),
        format!("DELETE FROM guardians WHERE id IN ({objects})"),
        format!("DELETE FROM cases WHERE id IN ({objects})"),
        format!("DELETE FROM pupil_aliases WHERE alias_id IN ({objects})"),
        format!("DELETE FROM pupils WHERE id IN ({objects})"),
    ] {
        store::exec(conn, &sql, [scope])?;
    }
    store::exec(conn, "DELETE FROM replaying WHERE scope = ?1", [scope])?;
    Ok(())
}

/// Takes a case out of its pupil's scope: every row of the scope goes,
/// the case's operations (`ops`) leave the log, its objects (`objects`)
/// the scope, and the rest of the scope is replayed from its start, so
/// the tables are exactly a replay of what the log still holds.
pub(crate) fn take_out(
    conn: &Connection,
    scope: &str,
    ops: &[String],
    objects: &[String],
) -> Result<()> {
    clear(conn, scope)?;
    store::exec(conn, "INSERT INTO leaving (case_id) VALUES (?1)", [scope])?;
    for op in ops {
        for sql in [
            "DELETE FROM unreplayed WHERE op_id = ?1",
            "DELETE FROM op_scopes WHERE op_id = ?1",
            "DELETE FROM quarantine WHERE op_id = ?1",
            "DELETE FROM oplog WHERE op_id = ?1",
        ] {
            conn.prepare_cached(sql)?.execute([op])?;
        }
    }
    store::exec(conn, "DELETE FROM leaving", [])?;
    for object in objects {
        conn.prepare_cached("DELETE FROM object_scopes WHERE object_id = ?1")?
            .execute([object])?;
    }
    store::exec(
        conn,
        "INSERT OR IGNORE INTO unreplayed (op_id) SELECT op_id FROM op_scopes WHERE scope = ?1",
        [scope],
    )?;
    store::exec(conn, "DELETE FROM scope_replayed WHERE scope = ?1", [scope])?;
    replay_scopes(conn, &[scope.to_owned()])
}

/// The scope an object belongs to here, if it is here.
pub(crate) fn of_object(conn: &Connection, id: &str) -> Result<Option<String>> {
    Ok(store::row(
        conn,
        "SELECT scope FROM object_scopes WHERE object_id = ?1",
        [id],
        |r| r.get(0),
    )
    .optional()?)
}

/// A scope's operations, in replay order.
pub(crate) fn ops_of(conn: &Connection, scope: &str) -> Result<Vec<SignedOperation>> {
    read_scope(conn, ALL_IN_SCOPE, scope)
}
