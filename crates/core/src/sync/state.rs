//! This device's sync bookkeeping in the `sync_state` and `quarantine`
//! tables.

use crate::error::{Error, Result};
use crate::store;
use rusqlite::{params, Connection, OptionalExtension};

pub(crate) const SERVER_URL: &str = "server_url";
/// The server pin (ADR 0038): the SHA-256 of its public key, or of its
/// certificate on a laptop enrolled before and not synced since. The row's
/// name is the one those laptops wrote.
pub(crate) const SERVER_PIN: &str = "server_fingerprint";
pub(crate) const ENROLLED_USER: &str = "enrolled_user";
pub(crate) const TEAM: &str = "team";
pub(crate) const PUSHED_SEQ: &str = "pushed_seq";
pub(crate) const PULL_CURSOR: &str = "pull_cursor";
/// Highest seq of this device's audit log the server said it holds.
pub(crate) const AUDIT_PUSHED_SEQ: &str = "audit_pushed_seq";
/// Breaks the server has found in this device's audit log, all rounds.
pub(crate) const AUDIT_BREAKS: &str = "audit_breaks";
pub(crate) const HISTORY_EPOCH: &str = "history_epoch";
/// While every held operation is pushed again after a restore: the
/// replay-order key `[hlc, device_id, seq]` of the last one answered.
pub(crate) const HELD_PUSH_CURSOR: &str = "held_push_cursor";
/// The server's notice key (hex), pinned at enrolment.
pub(crate) const SERVER_KEY: &str = "server_key";
/// Highest notice_seq of the server's notices taken in.
pub(crate) const NOTICE_CURSOR: &str = "notice_cursor";
/// Days after its last operation a closed case leaves this laptop, as
/// the server's signed retention notice last said.
pub(crate) const LEAVE_AFTER_DAYS: &str = "leave_after_days";
pub(crate) const LAST_SUCCESS_AT: &str = "last_success_at";
pub(crate) const LAST_ATTEMPT_AT: &str = "last_attempt_at";
pub(crate) const LAST_ERROR: &str = "last_error";

pub(crate) fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(store::row(
        conn,
        "SELECT value FROM sync_state WHERE key = ?1",
        [key],
        |r| r.get(0),
    )
    .optional()?)
}

pub(crate) fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    store::exec(
        conn,
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

pub(crate) fn clear(conn: &Connection, key: &str) -> Result<()> {
    store::exec(conn, "DELETE FROM sync_state WHERE key = ?1", [key])?;
    Ok(())
}

pub(crate) fn get_number(conn: &Connection, key: &str) -> Result<i64> {
    get(conn, key)?
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| Error::Damaged(format!("sync state {key} is not a number")))
        })
        .unwrap_or(Ok(0))
}

/// An operation refused here or by the server, with why.
pub(crate) struct Quarantined<'a> {
    pub op_id: String,
    pub direction: &'static str,
    /// What came (or was sent), as JSON.
    pub body: String,
    pub code: &'static str,
    pub params: serde_json::Value,
    pub reason: String,
    pub at: &'a str,
}

pub(crate) fn quarantine(conn: &Connection, q: &Quarantined<'_>) -> Result<()> {
    store::exec(
        conn,
        "INSERT OR REPLACE INTO quarantine (op_id, direction, body, reason, at, code, params)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            q.op_id,
            q.direction,
            q.body,
            q.reason,
            q.at,
            q.code,
            q.params.to_string()
        ],
    )?;
    Ok(())
}
