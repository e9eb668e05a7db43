//! The device side of sync that needs no network: what to push, taking in
//! pulled operations, the status shown to the therapist, and the wipe.

use super::state;
use crate::audit::{Action, Event};
use crate::error::{Error, Result};
use crate::journal::Journal;
use crate::views::ConflictView;
use crate::{clock, replay};
use brygga_protocol::hlc::Hlc;
use brygga_protocol::op::SignedOperation;
use chrono::SecondsFormat;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

/// What the status area shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    pub enrolled: bool,
    pub server_url: Option<String>,
    pub user: Option<String>,
    pub team: Option<String>,
    /// Own changes the server has not answered for yet.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pending: u64,
    /// The last sync that completed; failed attempts never move it.
    pub last_success_at: Option<String>,
    pub last_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub quarantined: Vec<QuarantinedOp>,
    pub conflicts: Vec<FieldConflict>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QuarantinedOp {
    pub op_id: String,
    pub direction: String,
    pub op_type: String,
    pub reason: String,
    pub at: String,
}

/// A value that lost a concurrent edit, with what it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldConflict {
    pub object_type: String,
    pub object_id: String,
    pub current_value: Option<String>,
    #[serde(flatten)]
    pub lost: ConflictView,
}

/// The outcome of taking in one page of pulled operations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PullOutcome {
    pub applied: u32,
    pub skipped: u32,
    pub quarantined: u32,
}

pub(crate) fn now_text() -> String {
    clock::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Journal {
    pub(crate) fn last_own_seq(&self) -> Result<u64> {
        let seq: i64 = self.conn.query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM oplog WHERE device_id = ?1",
            [self.device.id.to_string()],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(seq).unwrap_or(0))
    }

    pub(crate) fn pushed_seq(&self) -> Result<u64> {
        Ok(u64::try_from(state::get_number(&self.conn, state::PUSHED_SEQ)?).unwrap_or(0))
    }

    pub(crate) fn pull_cursor(&self) -> Result<i64> {
        state::get_number(&self.conn, state::PULL_CURSOR)
    }

    /// Own operations with seq in `from..=to`, at most `limit`, in seq order.
    pub(crate) fn own_ops(&self, from: u64, to: u64, limit: u32) -> Result<Vec<SignedOperation>> {
        self.query_ops(
            "SELECT body FROM oplog WHERE device_id = ?1 AND seq BETWEEN ?2 AND ?3
             ORDER BY seq LIMIT ?4",
            params![self.device.id.to_string(), from as i64, to as i64, limit],
        )
    }

    /// Records the server's answer for own ops up to `seq`; `rejected`
    /// ones go to quarantine with the server's reason.
    pub(crate) fn record_pushed(
        &mut self,
        seq: u64,
        rejected: &[(SignedOperation, String)],
    ) -> Result<()> {
        let at = now_text();
        let tx = self.conn.transaction()?;
        for (op, reason) in rejected {
            state::quarantine(&tx, op, "push", reason, &at)?;
        }
        state::set(&tx, state::PUSHED_SEQ, &seq.to_string())?;
        tx.commit()?;
        Ok(())
    }

    /// Applies one page of pulled operations and moves the cursor, in one
    /// transaction. An operation that does not apply is quarantined with
    /// its reason; the rest of the page goes on.
    pub(crate) fn take_pulled(&mut self, page: &[(i64, SignedOperation)]) -> Result<PullOutcome> {
        let own = self.device.id;
        let at = now_text();
        let mut outcome = PullOutcome::default();
        let mut tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut cursor = state::get_number(&tx, state::PULL_CURSOR)?;
        for (server_seq, signed) in page {
            cursor = cursor.max(*server_seq);
            let known: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM oplog WHERE op_id = ?1 OR (device_id = ?2 AND seq = ?3)",
                    params![
                        signed.op.id.to_string(),
                        signed.op.device_id.to_string(),
                        signed.op.seq as i64
                    ],
                    |r| r.get(0),
                )
                .optional()?;
            if signed.op.device_id == own || known.is_some() {
                outcome.skipped += 1;
                continue;
            }
            let sp = tx.savepoint()?;
            let applied = replay::apply(&sp, &signed.op).and_then(|()| {
                sp.execute(
                    "INSERT INTO oplog (op_id, device_id, seq, hlc, type, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        signed.op.id.to_string(),
                        signed.op.device_id.to_string(),
                        signed.op.seq as i64,
                        signed.op.hlc.to_sortable(),
                        signed.op.payload.type_name(),
                        serde_json::to_string(signed).expect("operation serialises")
                    ],
                )?;
                Ok(())
            });
            match applied {
                Ok(()) => {
                    sp.commit()?;
                    outcome.applied += 1;
                }
                Err(e) => {
                    drop(sp);
                    state::quarantine(&tx, signed, "pull", &e.to_string(), &at)?;
                    outcome.quarantined += 1;
                }
            }
        }
        state::set(&tx, state::PULL_CURSOR, &cursor.to_string())?;
        tx.commit()?;
        Ok(outcome)
    }

    pub(crate) fn note_attempt(&self, error: Option<&str>) -> Result<()> {
        state::set(&self.conn, state::LAST_ATTEMPT_AT, &now_text())?;
        match error {
            Some(e) => state::set(&self.conn, state::LAST_ERROR, e),
            None => {
                state::clear(&self.conn, state::LAST_ERROR)?;
                state::set(&self.conn, state::LAST_SUCCESS_AT, &now_text())
            }
        }
    }

    pub(crate) fn record_sync(&self, detail: String) -> Result<()> {
        self.record(Event {
            action: Action::Sync,
            object_type: "journal",
            object_id: None,
            pupil_id: None,
            detail,
        })
    }

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let get = |k| state::get(&self.conn, k);
        let pending = self.last_own_seq()?.saturating_sub(self.pushed_seq()?);
        let mut stmt = self.conn.prepare(
            "SELECT op_id, direction, body, reason, at FROM quarantine ORDER BY at, op_id",
        )?;
        let quarantined = stmt
            .query_map([], |r| {
                let body: String = r.get(2)?;
                let op_type = serde_json::from_str::<SignedOperation>(&body)
                    .map(|s| s.op.payload.type_name().to_owned())
                    .unwrap_or_else(|_| "unreadable".to_owned());
                Ok(QuarantinedOp {
                    op_id: r.get(0)?,
                    direction: r.get(1)?,
                    op_type,
                    reason: r.get(3)?,
                    at: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(SyncStatus {
            enrolled: get(state::SERVER_URL)?.is_some(),
            server_url: get(state::SERVER_URL)?,
            user: get(state::ENROLLED_USER)?,
            team: get(state::TEAM)?,
            pending,
            last_success_at: get(state::LAST_SUCCESS_AT)?,
            last_attempt_at: get(state::LAST_ATTEMPT_AT)?,
            last_error: get(state::LAST_ERROR)?,
            quarantined,
            conflicts: self.field_conflicts()?,
        })
    }

    fn field_conflicts(&self) -> Result<Vec<FieldConflict>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.object_type, c.object_id, c.field, c.lost_value, c.lost_author, c.lost_hlc, m.value
             FROM field_conflicts c
             LEFT JOIN mutable_fields m ON m.object_type = c.object_type
                  AND m.object_id = c.object_id AND m.field = c.field
             ORDER BY c.lost_hlc",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let hlc: String = r.get(5)?;
                Ok(FieldConflict {
                    object_type: r.get(0)?,
                    object_id: r.get(1)?,
                    current_value: r.get(6)?,
                    lost: ConflictView {
                        field: r.get(2)?,
                        lost_value: r.get(3)?,
                        lost_author: r.get(4)?,
                        lost_at: Hlc::from_sortable(&hlc).map(replay::op_time).unwrap_or(hlc),
                    },
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Removes this journal from the laptop: the key file is overwritten
    /// and deleted first, which makes the encrypted database unreadable
    /// even if a copy of it survives; then the database files go.
    pub(crate) fn wipe(&mut self) -> Result<()> {
        let paths = self.paths().clone();
        // Close the file before removing it; the journal keeps an empty
        // in-memory database so that any later call fails harmlessly.
        let closed = std::mem::replace(&mut self.conn, rusqlite::Connection::open_in_memory()?);
        closed.close().map_err(|(_, e)| Error::Storage(e))?;
        if paths.key_file.exists() {
            let len = std::fs::metadata(&paths.key_file)?.len();
            let mut noise = vec![0u8; usize::try_from(len).unwrap_or(4096)];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut noise)
                .map_err(|_| Error::Damaged("no system randomness".into()))?;
            {
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&paths.key_file)?;
                f.write_all(&noise)?;
                f.sync_all()?;
            }
            std::fs::remove_file(&paths.key_file)?;
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut name = paths.db.clone().into_os_string();
            name.push(suffix);
            let path = std::path::PathBuf::from(name);
            if path.exists() {
                std::fs::remove_file(path)?;
            }
        }
        Ok(())
    }
}
