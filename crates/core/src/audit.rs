//! The tamper-evident audit log.
//!
//! Every read and write appends a row whose hash covers the row and the
//! previous row's hash, so changing, removing or reordering a row breaks
//! the chain from that point on. The newest (seq, hash) is also kept in
//! `meta`, which catches a removed tail. Someone holding the data key can
//! rewrite the whole chain; syncing it to the server (where the chain is
//! anchored) is what makes that visible (docs/threat-model.md).

use crate::error::Result;
use crate::store;
pub use brygga_protocol::audit::AuditRow;
use brygga_protocol::audit::GENESIS;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// What happened, in the words the review screen filters by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Read,
    List,
    Search,
    Create,
    Update,
    Sign,
    Correct,
    Withdraw,
    Close,
    Export,
    Sync,
    Unlock,
    Lock,
    KeyChange,
    /// A closed case left this laptop (the server holds it).
    Leave,
    /// A case was purged by the municipality's retention rules.
    Purge,
    /// A closed case was taken up again.
    Reopen,
}

impl Action {
    /// Shows journal data and changes nothing. The audit row of a read is
    /// committed without an fsync (ADR 0019); an export is not counted
    /// here: its data leaves the journal, and its row is fsynced.
    pub(crate) fn is_read(self) -> bool {
        matches!(self, Action::Read | Action::List | Action::Search)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::List => "list",
            Action::Search => "search",
            Action::Create => "create",
            Action::Update => "update",
            Action::Sign => "sign",
            Action::Correct => "correct",
            Action::Withdraw => "withdraw",
            Action::Close => "close",
            Action::Export => "export",
            Action::Sync => "sync",
            Action::Unlock => "unlock",
            Action::Lock => "lock",
            Action::KeyChange => "key-change",
            Action::Leave => "leave",
            Action::Purge => "purge",
            Action::Reopen => "reopen",
        }
    }
}

/// One thing to record; the log adds time, actor, device and the chain.
#[derive(Clone, Debug)]
pub(crate) struct Event<'a> {
    pub action: Action,
    pub object_type: &'a str,
    pub object_id: Option<String>,
    pub pupil_id: Option<String>,
    pub detail: String,
}

/// Filters for reviewing the log by user, pupil and date.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub pupil_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// The outcome of [`verify`]: where the chain first breaks, if anywhere.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub rows: i64,
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

impl AuditReport {
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

fn head(conn: &Connection) -> Result<(i64, String)> {
    Ok(store::row(
        conn,
        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .unwrap_or((0, GENESIS.to_owned())))
}

/// The seq of the newest row, 0 when the log is empty.
pub(crate) fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(head(conn)?.0)
}

/// At most `limit` rows with seq above `after` and up to `upto`, in seq
/// order.
pub(crate) fn after(conn: &Connection, after: i64, upto: i64, limit: u32) -> Result<Vec<AuditRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(params![after, upto, limit], read_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Appends `event` and moves the recorded head to it. Call inside a
/// transaction: the one of the write it records, so the write and its
/// audit row commit or vanish together, or one of its own, so the row and
/// the head do (`Journal::record`).
pub(crate) fn append(
    conn: &Connection,
    actor: &str,
    device_id: &str,
    at: DateTime<Utc>,
    event: Event<'_>,
) -> Result<()> {
    let (last_seq, prev_hash) = head(conn)?;
    let mut row = AuditRow {
        seq: last_seq + 1,
        at: at.to_rfc3339_opts(SecondsFormat::Millis, true),
        actor: actor.to_owned(),
        device_id: device_id.to_owned(),
        action: event.action.as_str().to_owned(),
        object_type: event.object_type.to_owned(),
        object_id: event.object_id,
        pupil_id: event.pupil_id,
        detail: event.detail,
        prev_hash,
        hash: String::new(),
    };
    row.hash = row.compute_hash();
    store::exec(
        conn,
        "INSERT INTO audit (seq, at, actor, device_id, action, object_type, object_id,
                            pupil_id, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            row.seq,
            row.at,
            row.actor,
            row.device_id,
            row.action,
            row.object_type,
            row.object_id,
            row.pupil_id,
            row.detail,
            row.prev_hash,
            row.hash
        ],
    )?;
    store::exec(
        conn,
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [format!("{}:{}", row.seq, row.hash)],
    )?;
    Ok(())
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        device_id: r.get(3)?,
        action: r.get(4)?,
        object_type: r.get(5)?,
        object_id: r.get(6)?,
        pupil_id: r.get(7)?,
        detail: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

const COLUMNS: &str =
    "seq, at, actor, device_id, action, object_type, object_id, pupil_id, detail, prev_hash, hash";

pub(crate) fn list(conn: &Connection, filter: &AuditFilter) -> Result<Vec<AuditRow>> {
    let fmt = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit
         WHERE (?1 IS NULL OR actor = ?1)
           AND (?2 IS NULL OR pupil_id = ?2)
           AND (?3 IS NULL OR at >= ?3)
           AND (?4 IS NULL OR at <= ?4)
         ORDER BY seq"
    ))?;
    let rows = stmt
        .query_map(
            params![
                filter.actor,
                filter.pupil_id,
                filter.from.as_ref().map(fmt),
                filter.to.as_ref().map(fmt)
            ],
            read_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Walks the chain from the first row and reports the first break.
pub(crate) fn verify(conn: &Connection) -> Result<AuditReport> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let broken = |seq: i64, rows: i64, why: String| AuditReport {
        rows,
        first_bad_seq: Some(seq),
        problem: Some(why),
    };
    while let Some(r) = rows.next()? {
        let row = read_row(r)?;
        if row.seq != expected_seq {
            return Ok(broken(
                expected_seq,
                expected_seq - 1,
                format!("row {expected_seq} is missing (next row is {})", row.seq),
            ));
        }
        if row.prev_hash != expected_prev {
            return Ok(broken(
                row.seq,
                row.seq,
                format!(
                    "row {} does not follow the row before it (removed or reordered)",
                    row.seq
                ),
            ));
        }
        if !row.hash_is_valid() {
            return Ok(broken(
                row.seq,
                row.seq,
                format!("row {} has been changed", row.seq),
            ));
        }
        expected_prev = row.hash;
        expected_seq += 1;
    }
    let count = expected_seq - 1;
    let recorded: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let actual = format!("{count}:{expected_prev}");
    match recorded {
        Some(h) if h != actual => Ok(broken(
            count + 1,
            count,
            format!("the log ends at row {count} but its recorded head is {h}: rows were removed from the end"),
        )),
        None if count > 0 => Ok(broken(count, count, "the recorded head of the log is missing".into())),
        _ => Ok(AuditReport {
            rows: count,
            first_bad_seq: None,
            problem: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_with_rows(n: usize) -> Connection {
        let mut conn = Connection::open_in_memory().expect("db");
        crate::migrations::migrate(&mut conn).expect("schema");
        for i in 0..n {
            append(
                &conn,
                "Fiktiv Handläggare",
                "dev-1",
                Utc::now(),
                Event {
                    action: Action::Read,
                    object_type: "entry",
                    object_id: Some(format!("e{i}")),
                    pupil_id: Some("p1".into()),
                    detail: String::new(),
                },
            )
            .expect("append");
        }
        conn
    }

    /// Tampering needs the append-only triggers out of the way, as an
    /// attacker with the key would do.
    fn drop_guards(conn: &Connection) {
        conn.execute_batch(
            "DROP TRIGGER audit_is_append_only_update; DROP TRIGGER audit_is_append_only_delete;",
        )
        .expect("drop triggers");
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let conn = db_with_rows(5);
        let report = verify(&conn).expect("verify");
        assert!(report.is_intact(), "{report:?}");
        assert_eq!(report.rows, 5);
    }

    #[test]
    fn the_log_refuses_updates_and_deletes() {
        let conn = db_with_rows(2);
        assert!(conn.execute("UPDATE audit SET actor = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM audit", []).is_err());
    }

    #[test]
    fn a_changed_row_is_found() {
        let conn = db_with_rows(5);
        drop_guards(&conn);
        conn.execute("UPDATE audit SET actor = 'någon annan' WHERE seq = 3", [])
            .expect("tamper");
        let report = verify(&conn).expect("verify");
        assert_eq!(report.first_bad_seq, Some(3), "{report:?}");
    }

    #[test]
    fn a_removed_row_is_found() {
        let conn = db_with_rows(5);
        drop_guards(&conn);
        conn.execute("DELETE FROM audit WHERE seq = 2", [])
            .expect("tamper");
        assert_eq!(verify(&conn).expect("verify").first_bad_seq, Some(2));
    }

    #[test]
    fn a_removed_tail_is_found() {
        let conn = db_with_rows(5);
        drop_guards(&conn);
        conn.execute("DELETE FROM audit WHERE seq = 5", [])
            .expect("tamper");
        let report = verify(&conn).expect("verify");
        assert!(!report.is_intact());
        assert_eq!(report.first_bad_seq, Some(5));
    }

    #[test]
    fn reordered_rows_are_found() {
        let conn = db_with_rows(5);
        drop_guards(&conn);
        // Swap the contents of rows 2 and 3, keeping seq numbers in order.
        conn.execute_batch(
            "UPDATE audit SET seq = 100 WHERE seq = 2;
             UPDATE audit SET seq = 2 WHERE seq = 3;
             UPDATE audit SET seq = 3 WHERE seq = 100;",
        )
        .expect("tamper");
        let report = verify(&conn).expect("verify");
        assert_eq!(report.first_bad_seq, Some(2), "{report:?}");
    }

    #[test]
    fn rows_after_a_seq_come_in_order_limited_and_bounded() {
        let conn = db_with_rows(5);
        assert_eq!(last_seq(&conn).expect("head"), 5);
        let rows = after(&conn, 2, 5, 2).expect("rows");
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, vec![3, 4]);
        assert!(rows.iter().all(AuditRow::hash_is_valid));
        assert!(after(&conn, 5, 5, 10).expect("rows").is_empty());
        let bounded: Vec<i64> = after(&conn, 1, 3, 10)
            .expect("rows")
            .iter()
            .map(|r| r.seq)
            .collect();
        assert_eq!(bounded, vec![2, 3], "rows written after the bound wait");
    }

    #[test]
    fn filters_select_by_actor_and_pupil() {
        let conn = db_with_rows(3);
        let by_pupil = list(
            &conn,
            &AuditFilter {
                pupil_id: Some("p1".into()),
                ..Default::default()
            },
        )
        .expect("list");
        assert_eq!(by_pupil.len(), 3);
        let none = list(
            &conn,
            &AuditFilter {
                actor: Some("ingen".into()),
                ..Default::default()
            },
        )
        .expect("list");
        assert!(none.is_empty());
    }
}
