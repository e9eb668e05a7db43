//! The SQLite side of staff accounts and web sessions ([`super::staff`]):
//! the statements, each run inside the store's write or read task.

use super::staff::{
    parse_roles, roles_text, LoginResult, NewStaff, Staff, StaffChange, WebSession,
};
use super::{AuditRecord, LastSync, Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use std::collections::HashMap;
use uuid::Uuid;

const STAFF_COLUMNS: &str = "s.id, s.name, s.roles, s.password_hash, s.totp_secret, \
     s.created_at, s.disabled_at, s.failed_logins, s.last_failed_at, s.last_totp_step";

/// A staff row of [`STAFF_COLUMNS`] from column `at` on.
fn staff_row(r: &Row<'_>, at: usize) -> rusqlite::Result<(Staff, String)> {
    let roles: String = r.get(at + 2)?;
    Ok((
        Staff {
            id: r.get(at)?,
            name: r.get(at + 1)?,
            roles: Vec::new(),
            password_hash: r.get(at + 3)?,
            totp_secret: r.get(at + 4)?,
            created_at_ms: r.get(at + 5)?,
            disabled_at_ms: r.get(at + 6)?,
            failed_logins: r.get(at + 7)?,
            last_failed_at_ms: r.get(at + 8)?,
            last_totp_step: r.get(at + 9)?,
        },
        roles,
    ))
}

fn with_roles((mut staff, roles): (Staff, String)) -> Result<Staff> {
    staff.roles = parse_roles(&roles)?;
    Ok(staff)
}

pub(super) fn add(conn: &mut Connection, new: NewStaff, audit: AuditRecord) -> Result<Staff> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let inserted = tx.execute(
        "INSERT INTO staff (name, roles, password_hash, totp_secret, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            new.name,
            roles_text(&new.roles),
            new.password_hash,
            new.totp_secret,
            audit.at_ms
        ],
    );
    match inserted {
        Err(e) if super::sqlite::is_unique_violation(&e) => {
            return Err(StoreError::AlreadyExists(format!("staff '{}'", new.name)))
        }
        other => other?,
    };
    let id = tx.last_insert_rowid();
    super::sqlite::insert_audit(&tx, &audit)?;
    tx.commit()?;
    Ok(new.stored(id, audit.at_ms))
}

pub(super) fn by_name(conn: &Connection, name: &str) -> Result<Option<Staff>> {
    conn.prepare_cached(&format!(
        "SELECT {STAFF_COLUMNS} FROM staff s WHERE s.name = ?1"
    ))?
    .query_row([name], |r| staff_row(r, 0))
    .optional()?
    .map(with_roles)
    .transpose()
}

pub(super) fn all(conn: &Connection) -> Result<Vec<Staff>> {
    conn.prepare_cached(&format!(
        "SELECT {STAFF_COLUMNS} FROM staff s ORDER BY s.name"
    ))?
    .query_map([], |r| staff_row(r, 0))?
    .map(|row| with_roles(row?))
    .collect()
}

pub(super) fn change(
    conn: &mut Connection,
    name: &str,
    change: StaffChange,
    audit: AuditRecord,
) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let changed = match &change {
        StaffChange::TotpSecret(secret) => tx.execute(
            "UPDATE staff SET totp_secret = ?2, last_totp_step = NULL WHERE name = ?1",
            params![name, secret],
        )?,
        StaffChange::Password(hash) => tx.execute(
            "UPDATE staff SET password_hash = ?2 WHERE name = ?1",
            params![name, hash],
        )?,
        StaffChange::Disable => tx.execute(
            "UPDATE staff SET disabled_at = coalesce(disabled_at, ?2) WHERE name = ?1",
            params![name, audit.at_ms],
        )?,
    };
    if changed == 0 {
        return Err(StoreError::NotFound(format!("staff '{name}'")));
    }
    tx.execute(
        "UPDATE staff_sessions SET ended_at = ?2 WHERE ended_at IS NULL \
         AND staff_id = (SELECT id FROM staff WHERE name = ?1)",
        params![name, audit.at_ms],
    )?;
    super::sqlite::insert_audit(&tx, &audit)?;
    tx.commit()?;
    Ok(())
}

pub(super) fn record_login(
    conn: &mut Connection,
    staff_id: i64,
    result: LoginResult,
    audit: AuditRecord,
) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let recorded =
        match result {
            LoginResult::Failed => {
                tx.execute(
                    "UPDATE staff SET failed_logins = failed_logins + 1, last_failed_at = ?2 \
                 WHERE id = ?1",
                    params![staff_id, audit.at_ms],
                )?;
                true
            }
            LoginResult::Succeeded { totp_step, session } => {
                let fresh = tx.execute(
                "UPDATE staff SET failed_logins = 0, last_failed_at = NULL, last_totp_step = ?2 \
                 WHERE id = ?1 AND (last_totp_step IS NULL OR last_totp_step < ?2)",
                params![staff_id, totp_step],
            )? == 1;
                if fresh {
                    tx.execute(
                    "INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, \
                     last_seen) VALUES (?1, ?2, ?3, ?4, ?4)",
                    params![session.token_hash, staff_id, session.csrf_token, audit.at_ms],
                )?;
                }
                fresh
            }
        };
    super::sqlite::insert_audit(&tx, &audit)?;
    tx.commit()?;
    Ok(recorded)
}

pub(super) fn session(conn: &Connection, token_hash: &str) -> Result<Option<WebSession>> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT {STAFF_COLUMNS}, w.csrf_token, w.created_at, w.last_seen, w.ended_at \
             FROM staff_sessions w JOIN staff s ON s.id = w.staff_id WHERE w.token_hash = ?1"
        ))?
        .query_row([token_hash], |r| {
            Ok((
                staff_row(r, 0)?,
                r.get::<_, String>(10)?,
                r.get::<_, i64>(11)?,
                r.get::<_, i64>(12)?,
                r.get::<_, Option<i64>>(13)?,
            ))
        })
        .optional()?;
    found
        .map(
            |(staff, csrf_token, created_at_ms, last_seen_ms, ended_at_ms)| {
                Ok(WebSession {
                    token_hash: token_hash.to_string(),
                    staff: with_roles(staff)?,
                    csrf_token,
                    created_at_ms,
                    last_seen_ms,
                    ended_at_ms,
                })
            },
        )
        .transpose()
}

pub(super) fn touch(conn: &mut Connection, token_hash: &str, at_ms: i64) -> Result<()> {
    conn.execute(
        "UPDATE staff_sessions SET last_seen = max(last_seen, ?2) WHERE token_hash = ?1",
        params![token_hash, at_ms],
    )?;
    Ok(())
}

pub(super) fn end(conn: &mut Connection, token_hash: &str, audit: AuditRecord) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE staff_sessions SET ended_at = coalesce(ended_at, ?2) WHERE token_hash = ?1",
        params![token_hash, audit.at_ms],
    )?;
    super::sqlite::insert_audit(&tx, &audit)?;
    tx.commit()?;
    Ok(())
}

pub(super) fn devices_last_seen(conn: &Connection) -> Result<HashMap<Uuid, i64>> {
    let mut st = conn.prepare_cached(
        "SELECT actor, max(at) FROM audit WHERE actor LIKE 'device:%' GROUP BY actor",
    )?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut seen = HashMap::new();
    for row in rows {
        let (actor, at) = row?;
        if let Some(id) = actor
            .strip_prefix("device:")
            .and_then(|id| Uuid::parse_str(id).ok())
        {
            seen.insert(id, at);
        }
    }
    Ok(seen)
}

/// The newest `push` and `pull` audit row of each device: each found by
/// walking the actor's index (`audit_by_actor`) from its newest row.
pub(super) fn devices_last_sync(conn: &Connection) -> Result<HashMap<Uuid, LastSync>> {
    let mut st = conn.prepare_cached(
        "SELECT d.id, \
           (SELECT at FROM audit WHERE actor = 'device:' || d.id AND action = 'push' ORDER BY at DESC LIMIT 1), \
           (SELECT at FROM audit WHERE actor = 'device:' || d.id AND action = 'pull' ORDER BY at DESC LIMIT 1) \
         FROM devices d",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            LastSync {
                push_ms: r.get(1)?,
                pull_ms: r.get(2)?,
            },
        ))
    })?;
    let mut synced = HashMap::new();
    for row in rows {
        let (id, last) = row?;
        let id = Uuid::parse_str(&id)
            .map_err(|e| StoreError::Database(format!("device id {id}: {e}")))?;
        if last != LastSync::default() {
            synced.insert(id, last);
        }
    }
    Ok(synced)
}
