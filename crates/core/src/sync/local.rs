//! The device side of sync that needs no network: what to push, taking in
//! pulled operations, the status shown to the therapist, and the wipe.

use super::failure::SyncFailure;
use super::state;
use super::verify::{self, Keys, Refusal};
use super::PulledPage;
use crate::audit::{Action, AuditRow, Event};
use crate::clock;
use crate::device_card::{self, DeviceCard};
use crate::error::{Error, Result};
use crate::journal::Journal;
use crate::replay::scope;
use crate::store;
use crate::views::ConflictView;
use brygga_protocol::api::{DirectoryEntry, MAX_PUSH_BYTES};
use brygga_protocol::op::SignedOperation;
use brygga_protocol::PROTOCOL_VERSION;
use chrono::SecondsFormat;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

/// What the status area shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
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
    /// Why the last attempt failed; empty once a round completes.
    pub last_error: Option<SyncFailure>,
    /// Breaks the server has found in this device's audit log, over all
    /// rounds (docs/audit.md); the municipality's administrator sees them.
    pub audit_breaks: u32,
    pub quarantined: Vec<QuarantinedOp>,
    pub conflicts: Vec<ConflictView>,
}

/// An operation that is not (or not yet) in the journal, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QuarantinedOp {
    pub op_id: String,
    /// `push` (the server refused it), `pull` (this device refused it),
    /// `replay` (it is in the log but does not apply in its place) or
    /// `waiting` (it names an object that has not arrived yet).
    pub direction: String,
    pub op_type: String,
    /// A stable code for the UI to word (e.g. `bad-signature`).
    pub code: String,
    /// The code's parameters (e.g. `{"device": "…"}`).
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub params: serde_json::Value,
    /// The same in English, for logs and the CLI.
    pub reason: String,
    pub at: String,
}

/// The outcome of taking in pulled operations.
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

/// What became of one pulled operation.
enum Intake {
    Logged,
    Skipped,
    Refused(Refusal),
}

/// A pulled operation as this build reads it, and the JSON to log.
struct Readable {
    signed: SignedOperation,
    body: String,
}

/// Reads a pulled operation (the JSON text it came as) as this build
/// knows operations. One it cannot read, or would read with parts missing
/// (fields of a newer build, which its signature covers), is kept for a
/// newer build.
fn read_pulled(raw: &str) -> std::result::Result<Readable, Refusal> {
    let newer = || {
        let value: serde_json::Value = serde_json::from_str(raw).unwrap_or_default();
        Refusal::newer_format(value["op"]["payload"]["type"].as_str().unwrap_or("unknown"))
    };
    let (signed, body) = read_known::<SignedOperation>(raw).ok_or_else(newer)?;
    if signed.op.version != PROTOCOL_VERSION {
        return Err(newer());
    }
    Ok(Readable { signed, body })
}

/// `raw` read as this build knows `T`, with the JSON to keep; None when
/// it does not read, or would read with parts missing: fields of a newer
/// build, which a signature covers, would otherwise be dropped and the
/// signature fail as if forged.
pub(crate) fn read_known<T: serde::de::DeserializeOwned + Serialize>(
    raw: &str,
) -> Option<(T, String)> {
    let value: T = serde_json::from_str(raw).ok()?;
    let body = serde_json::to_string(&value).expect("what was read serialises");
    // Written back exactly as it came: nothing was dropped. Otherwise
    // (another spacing or field order) compare what the two mean.
    if body != raw {
        let came: serde_json::Value = serde_json::from_str(raw).ok()?;
        if serde_json::to_value(&value).ok() != Some(came) {
            return None;
        }
    }
    Some((value, body))
}

/// A pulled operation read and checked, not yet logged.
enum Checked {
    Refused(Refusal),
    /// Written by this device, which holds it already.
    Own,
    /// Read, with why its check failed if it did.
    Read(Box<Readable>, Option<Refusal>),
}

/// Reads and checks pulled operations against `keys`. Needs no journal: a
/// pull checks a page while the one before is logged. With `own_held`,
/// this device's own operations are taken as held already; without (a
/// case fetched back), they are checked and logged like any other.
fn check_all(keys: &Keys, raws: &[&str], own_held: bool) -> Vec<Checked> {
    let read: Vec<std::result::Result<Readable, Refusal>> =
        raws.iter().map(|raw| read_pulled(raw)).collect();
    let theirs: Vec<&SignedOperation> = read
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| &r.signed)
        .filter(|s| !own_held || s.op.device_id != keys.own())
        .collect();
    let mut verdicts = verify::check(keys, &theirs).into_iter();
    read.into_iter()
        .map(|r| match r {
            Err(refusal) => Checked::Refused(refusal),
            Ok(r) if own_held && r.signed.op.device_id == keys.own() => Checked::Own,
            Ok(r) => Checked::Read(Box::new(r), verdicts.next().flatten()),
        })
        .collect()
}

/// Logs checked operations (in one transaction the caller holds); replay
/// follows in [`scope::catch_up`]. One the log holds already is skipped,
/// whatever its check said.
fn log_checked(conn: &Connection, checked: &[Checked]) -> Result<Vec<Intake>> {
    checked
        .iter()
        .map(|c| {
            Ok(match c {
                Checked::Refused(r) => Intake::Refused(r.clone()),
                Checked::Own => Intake::Skipped,
                Checked::Read(r, Some(_)) if scope::is_logged(conn, &r.signed.op)? => {
                    Intake::Skipped
                }
                Checked::Read(_, Some(refusal)) => Intake::Refused(refusal.clone()),
                Checked::Read(r, None) if scope::log(conn, &r.signed, &r.body)? => Intake::Logged,
                Checked::Read(..) => Intake::Skipped,
            })
        })
        .collect()
}

/// One page of pulled operations, read and checked ([`check_page`]).
pub(crate) struct CheckedPage {
    page: PulledPage,
    checked: Vec<Checked>,
}

impl CheckedPage {
    /// The highest server seq on the page: where the cursor stands once
    /// it is taken in.
    pub(crate) fn last_seq(&self) -> Option<i64> {
        self.page.ops.iter().map(|(seq, _)| *seq).max()
    }

    /// Holds in `fresh` what of this page [`Taken`] says was logged, for
    /// the replay that follows the pull.
    pub(crate) fn keep_logged(self, taken: &Taken, fresh: &mut scope::Fresh) {
        for (checked, logged) in self.checked.into_iter().zip(&taken.logged) {
            if let (Checked::Read(read, None), true) = (checked, logged) {
                let Readable { signed, body } = *read;
                fresh.keep(signed.op, body.len());
            }
        }
    }
}

/// Reads and checks a pulled page against `keys`, without the journal.
pub(crate) fn check_page(keys: &Keys, page: PulledPage) -> CheckedPage {
    let raws: Vec<&str> = page.ops.iter().map(|(_, v)| v.get()).collect();
    let checked = check_all(keys, &raws, true);
    CheckedPage { page, checked }
}

/// Reads and checks every operation of a case fetched back, this
/// device's own included (they left the log with the case).
pub(crate) fn check_case(keys: &Keys, page: PulledPage) -> CheckedPage {
    let raws: Vec<&str> = page.ops.iter().map(|(_, v)| v.get()).collect();
    let checked = check_all(keys, &raws, false);
    CheckedPage { page, checked }
}

/// A quarantine row's key: the operation id, or for one unreadable here a
/// hash of what came.
fn op_id_of(raw: &str) -> String {
    serde_json::from_str::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| v["op"]["id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| hex::encode(ring::digest::digest(&ring::digest::SHA256, raw.as_bytes())))
}

/// An operation's place in replay order: (hlc, device id, seq) as the log
/// stores them.
pub(crate) type HeldKey = (String, String, i64);

/// Operation bodies from `rows` (one column), up to [`MAX_PUSH_BYTES`]
/// together and always at least one.
fn batch_of(mut rows: rusqlite::Rows<'_>) -> Result<Vec<SignedOperation>> {
    let (mut batch, mut bytes) = (Vec::new(), 0usize);
    while let Some(r) = rows.next()? {
        let body: String = r.get(0)?;
        if !batch.is_empty() && bytes + body.len() > MAX_PUSH_BYTES {
            break;
        }
        bytes += body.len();
        batch.push(
            serde_json::from_str(&body)
                .map_err(|e| Error::Damaged(format!("unreadable operation in the log: {e}")))?,
        );
    }
    Ok(batch)
}

/// Quarantines what the server refused of a push, with its reason. The
/// protocol gives that reason as English text, not as a code, so it is a
/// technical `detail` the window shows only on request.
fn quarantine_refused(tx: &Connection, rejected: &[(SignedOperation, String)]) -> Result<()> {
    let at = now_text();
    for (op, reason) in rejected {
        state::quarantine(
            tx,
            &state::Quarantined {
                op_id: op.op.id.to_string(),
                direction: "push",
                body: serde_json::to_string(op).expect("operation serialises"),
                code: "refused-by-server",
                params: serde_json::json!({ "detail": reason }),
                reason: format!("the server refused it: {reason}"),
                at: &at,
            },
        )?;
    }
    Ok(())
}

impl Journal {
    pub(crate) fn last_own_seq(&self) -> Result<u64> {
        let (seq, _) = crate::journal::high_water(&self.conn, &self.device.id)?;
        Ok(u64::try_from(seq).unwrap_or(0))
    }

    pub(crate) fn pushed_seq(&self) -> Result<u64> {
        Ok(u64::try_from(state::get_number(&self.conn, state::PUSHED_SEQ)?).unwrap_or(0))
    }

    pub(crate) fn pull_cursor(&self) -> Result<i64> {
        state::get_number(&self.conn, state::PULL_CURSOR)
    }

    pub(crate) fn local_state(&self) -> Result<super::plan::Local> {
        Ok(super::plan::Local {
            last_seq: self.last_own_seq()?,
            pushed_seq: self.pushed_seq()?,
            pull_cursor: self.pull_cursor()?,
            audit_last_seq: crate::audit::last_seq(&self.conn)?,
            audit_pushed_seq: state::get_number(&self.conn, state::AUDIT_PUSHED_SEQ)?,
            history_epoch: state::get(&self.conn, state::HISTORY_EPOCH)?,
            held_push: self.held_cursor()?.is_some(),
            server_key: state::get(&self.conn, state::SERVER_KEY)?,
            notice_cursor: state::get_number(&self.conn, state::NOTICE_CURSOR)?,
        })
    }

    /// The next audit rows after seq `after` up to `upto`, at most
    /// [`super::AUDIT_BATCH`], once they are on disk (see
    /// [`store::make_durable`]).
    pub(crate) fn audit_batch(&self, after: i64, upto: i64) -> Result<Vec<AuditRow>> {
        store::make_durable(&self.conn)?;
        crate::audit::after(&self.conn, after, upto, super::AUDIT_BATCH)
    }

    /// Remembers that the server holds the audit rows up to `held_seq`,
    /// and counts the `breaks` it found in them.
    pub(crate) fn record_audit_pushed(&mut self, held_seq: i64, breaks: usize) -> Result<()> {
        let tx = self.conn.transaction()?;
        state::set(&tx, state::AUDIT_PUSHED_SEQ, &held_seq.to_string())?;
        if breaks > 0 {
            let total = state::get_number(&tx, state::AUDIT_BREAKS)? + breaks as i64;
            state::set(&tx, state::AUDIT_BREAKS, &total.to_string())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Takes in that the server was restored to an older copy: everything
    /// held, and the whole audit log, is to be pushed and everything pulled
    /// again, under the new epoch. One transaction, so a round cut short
    /// after it goes on from there.
    pub(crate) fn server_restored(&mut self, epoch: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        state::set(&tx, state::HELD_PUSH_CURSOR, r#"["","",0]"#)?;
        state::set(&tx, state::AUDIT_PUSHED_SEQ, "0")?;
        state::set(&tx, state::PULL_CURSOR, "0")?;
        state::set(&tx, state::HISTORY_EPOCH, epoch)?;
        tx.commit()?;
        self.record_sync(format!(
            "the server was restored from a backup (history epoch {epoch}); \
             everything held here is pushed and pulled again"
        ))
    }

    pub(crate) fn remember_epoch(&self, epoch: &str) -> Result<()> {
        state::set(&self.conn, state::HISTORY_EPOCH, epoch)
    }

    /// Pins the keys of the team's devices (see [`verify::pin_directory`]);
    /// a changed key is recorded in the audit log and refused.
    pub(crate) fn pin_directory(&mut self, directory: &[DirectoryEntry]) -> Result<()> {
        let tx = self.conn.transaction()?;
        let changed = verify::pin_directory(&tx, self.device.id, directory, &now_text())?;
        tx.commit()?;
        for device in changed {
            self.record_sync(format!(
                "the server lists another key for device {device}; the pinned key stays"
            ))?;
        }
        Ok(())
    }

    /// The next own operations to push from seq `from` up to `to`: at most
    /// [`super::PUSH_BATCH`] of them and [`MAX_PUSH_BYTES`] together (each
    /// was refused at writing if larger than the server takes).
    pub(crate) fn push_batch(&self, from: u64, to: u64) -> Result<Vec<SignedOperation>> {
        let mut stmt = self.conn.prepare(
            "SELECT body FROM oplog WHERE device_id = ?1 AND seq BETWEEN ?2 AND ?3
             ORDER BY seq LIMIT ?4",
        )?;
        let rows = stmt.query(params![
            self.device.id.to_string(),
            from as i64,
            to as i64,
            super::PUSH_BATCH
        ])?;
        batch_of(rows)
    }

    /// After the server was restored: the next operations this laptop
    /// holds, of any device, after the held-push cursor, in replay order
    /// (an operation's parents come before it, whoever wrote them); None
    /// when no such push is under way.
    pub(crate) fn held_batch(&self, upto: &HeldKey) -> Result<Option<Vec<SignedOperation>>> {
        let Some(cursor) = self.held_cursor()? else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare(
            "SELECT body FROM oplog WHERE (hlc, device_id, seq) > (?1, ?2, ?3)
               AND (hlc, device_id, seq) <= (?4, ?5, ?6)
             ORDER BY hlc, device_id, seq LIMIT ?7",
        )?;
        let rows = stmt.query(params![
            cursor.0,
            cursor.1,
            cursor.2,
            upto.0,
            upto.1,
            upto.2,
            super::PUSH_BATCH
        ])?;
        batch_of(rows).map(Some)
    }

    /// The replay-order key of the newest operation held now: a held push
    /// goes up to it, so operations written while it runs (they come
    /// later) do not keep it going; they are pushed as usual next round.
    pub(crate) fn newest_held_key(&self) -> Result<HeldKey> {
        Ok(store::row(
            &self.conn,
            "SELECT hlc, device_id, seq FROM oplog ORDER BY hlc DESC, device_id DESC, seq DESC
             LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .unwrap_or_default())
    }

    pub(crate) fn held_cursor(&self) -> Result<Option<HeldKey>> {
        state::get(&self.conn, state::HELD_PUSH_CURSOR)?
            .map(|text| {
                serde_json::from_str(&text)
                    .map_err(|_| Error::Damaged("the held-push cursor is not understood".into()))
            })
            .transpose()
    }

    /// Records the server's answer for a batch of held operations: the
    /// cursor moves past `last`, refused ones are quarantined.
    pub(crate) fn record_held_pushed(
        &mut self,
        last: &SignedOperation,
        rejected: &[(SignedOperation, String)],
    ) -> Result<()> {
        let cursor = serde_json::to_string(&(
            last.op.hlc.to_sortable(),
            last.op.device_id.to_string(),
            last.op.seq,
        ))
        .expect("a cursor serialises");
        let tx = self.conn.transaction()?;
        quarantine_refused(&tx, rejected)?;
        state::set(&tx, state::HELD_PUSH_CURSOR, &cursor)?;
        tx.commit()?;
        Ok(())
    }

    /// Every held operation up to `upto` was answered: the held push is
    /// over, and every own operation up to it with it.
    pub(crate) fn finish_held_push(&mut self, upto: &HeldKey) -> Result<()> {
        let last: i64 = store::row(
            &self.conn,
            "SELECT COALESCE(MAX(seq), 0) FROM oplog
             WHERE device_id = ?1 AND (hlc, device_id, seq) <= (?2, ?3, ?4)",
            params![self.device.id.to_string(), upto.0, upto.1, upto.2],
            |r| r.get(0),
        )?;
        let last = last.max(i64::try_from(self.pushed_seq()?).unwrap_or(i64::MAX));
        let tx = self.conn.transaction()?;
        state::clear(&tx, state::HELD_PUSH_CURSOR)?;
        state::set(&tx, state::PUSHED_SEQ, &last.to_string())?;
        tx.commit()?;
        Ok(())
    }

    /// Records the server's answer for own ops up to `seq`; `rejected`
    /// ones go to quarantine with the server's reason.
    pub(crate) fn record_pushed(
        &mut self,
        seq: u64,
        rejected: &[(SignedOperation, String)],
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        quarantine_refused(&tx, rejected)?;
        state::set(&tx, state::PUSHED_SEQ, &seq.to_string())?;
        tx.commit()?;
        Ok(())
    }

    /// Verifies and logs one page of pulled operations and moves the
    /// cursor, in one transaction. A refused operation is quarantined with
    /// its reason; the rest of the page goes on. Replay follows once the
    /// pull is done ([`Journal::finish_pull`]).
    ///
    /// Committed without an fsync ([`store::Durability::Os`]): everything
    /// here is the server's and comes again if a power cut takes it back,
    /// since the cursor goes back with it. The next fsynced commit (the
    /// therapist's next write) puts it on disk in order, after what came
    /// before it, so the journal is always a prefix of what was committed.
    pub(crate) fn take_pulled(&mut self, checked: &CheckedPage) -> Result<Taken> {
        store::commit(&self.conn, store::Durability::Os, |tx| {
            let outcome = take_in(tx, checked)?;
            let cursor =
                state::get_number(tx, state::PULL_CURSOR)?.max(checked.last_seq().unwrap_or(0));
            state::set(tx, state::PULL_CURSOR, &cursor.to_string())?;
            Ok(outcome)
        })
    }

    /// The keys pulled operations are checked against.
    pub(crate) fn pull_keys(&self) -> Result<Keys> {
        Keys::read(&self.conn, (self.device.id, self.device.public_key()))
    }

    /// After a pull: takes in again what waited for a device key or a
    /// newer build, and places what waited for an object. Returns how many
    /// waiting operations came in; the replay follows, a few scopes at a
    /// time ([`Journal::replay_scopes`]).
    pub(crate) fn finish_pull(&mut self) -> Result<u32> {
        let keys = self.pull_keys()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let waiting: Vec<(String, String)> = tx
            .prepare(
                "SELECT op_id, body FROM quarantine WHERE direction = 'pull'
                 AND code IN ('unknown-device', 'newer-format') ORDER BY at, op_id",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let raws: Vec<&str> = waiting.iter().map(|(_, body)| body.as_str()).collect();
        let intake = log_checked(&tx, &check_all(&keys, &raws, true))?;
        let mut came_in = 0;
        for (raw, result) in raws.iter().zip(intake) {
            let settled = match result {
                Intake::Logged => {
                    came_in += 1;
                    true
                }
                Intake::Skipped => true,
                Intake::Refused(r) if !Refusal::retryable(r.code) => {
                    quarantine_pulled(&tx, raw, &r, &now_text())?;
                    false
                }
                Intake::Refused(_) => false,
            };
            if settled {
                store::exec(
                    &tx,
                    "DELETE FROM quarantine WHERE op_id = ?1 AND direction = 'pull'",
                    [op_id_of(raw)],
                )?;
            }
        }
        scope::place_waiting(&tx)?;
        tx.commit()?;
        Ok(came_in)
    }

    /// The pupils' scopes with operations logged and not yet replayed.
    pub(crate) fn pending_scopes(&self) -> Result<Vec<String>> {
        scope::pending_scopes(&self.conn)
    }

    /// Replays what is new in `scopes`, in one transaction, committed
    /// without an fsync: the tables are a replay of the log, and what a
    /// power cut takes back is still marked unreplayed in it and replayed
    /// at the next open.
    pub(crate) fn replay_scopes(
        &mut self,
        scopes: &[String],
        fresh: &mut scope::Fresh,
    ) -> Result<()> {
        store::commit(&self.conn, store::Durability::Os, |tx| {
            scope::replay_scopes_with(tx, scopes, fresh)
        })
    }

    pub(crate) fn note_attempt(&self, error: Option<&SyncFailure>) -> Result<()> {
        state::set(&self.conn, state::LAST_ATTEMPT_AT, &now_text())?;
        match error {
            Some(e) => state::set(&self.conn, state::LAST_ERROR, &e.to_stored()),
            None => {
                state::clear(&self.conn, state::LAST_ERROR)?;
                state::set(&self.conn, state::LAST_SUCCESS_AT, &now_text())?;
                self.refresh_card()
            }
        }
    }

    /// Rewrites the device card (what the journal is, readable without
    /// the passphrase) from what the journal holds now.
    pub(crate) fn refresh_card(&self) -> Result<()> {
        device_card::write(
            &self.paths().dir,
            &DeviceCard {
                device_id: self.device.id,
                server_url: state::get(&self.conn, state::SERVER_URL)?,
                last_sync_at: state::get(&self.conn, state::LAST_SUCCESS_AT)?,
            },
        )
    }

    pub(crate) fn note_success(&self, report: &super::SyncReport) -> Result<()> {
        self.note_attempt(None)?;
        self.record_sync(format!(
            "pushed {}, rejected {}, pulled {}, quarantined {}, audit rows sent {}, audit breaks found by the server {}",
            report.pushed,
            report.rejected,
            report.pulled.applied,
            report.pulled.quarantined,
            report.audit_pushed,
            report.audit_breaks
        ))
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
        Ok(SyncStatus {
            enrolled: get(state::SERVER_URL)?.is_some(),
            server_url: get(state::SERVER_URL)?,
            user: get(state::ENROLLED_USER)?,
            team: get(state::TEAM)?,
            pending,
            last_success_at: get(state::LAST_SUCCESS_AT)?,
            last_attempt_at: get(state::LAST_ATTEMPT_AT)?,
            last_error: get(state::LAST_ERROR)?
                .as_deref()
                .map(SyncFailure::from_stored),
            audit_breaks: u32::try_from(state::get_number(&self.conn, state::AUDIT_BREAKS)?)
                .unwrap_or(u32::MAX),
            quarantined: self.quarantined()?,
            conflicts: self.all_conflicts()?,
        })
    }

    /// Everything not (or not yet) in the journal: refused on push or
    /// pull, in the log but not applying in its place, or waiting for an
    /// object that has not arrived.
    fn quarantined(&self) -> Result<Vec<QuarantinedOp>> {
        let mut stmt = self.conn.prepare(
            "SELECT op_id, direction, body, code, params, reason, at FROM quarantine
             UNION ALL
             SELECT r.op_id, 'replay', o.body, r.code, r.params, r.reason, ''
             FROM replay_rejections r JOIN oplog o ON o.op_id = r.op_id
             UNION ALL
             SELECT o.op_id, 'waiting', o.body, 'waiting-for-object', '{}',
                    'it names an object that has not arrived yet', ''
             FROM unreplayed u JOIN oplog o ON o.op_id = u.op_id
             WHERE NOT EXISTS (SELECT 1 FROM op_scopes s WHERE s.op_id = u.op_id)
             ORDER BY 7, 1",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let body: String = r.get(2)?;
                let value: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                let params: String = r.get(4)?;
                Ok(QuarantinedOp {
                    op_id: r.get(0)?,
                    direction: r.get(1)?,
                    op_type: value["op"]["payload"]["type"]
                        .as_str()
                        .or(value["notice"]["body"]["type"].as_str())
                        .unwrap_or("unreadable")
                        .to_owned(),
                    code: r.get(3)?,
                    params: serde_json::from_str(&params).unwrap_or_default(),
                    reason: r.get(5)?,
                    at: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Removes this journal from the laptop: the key file is overwritten
    /// and deleted first, which makes the encrypted database unreadable
    /// even if a copy of it survives; then the database files and the
    /// device card go.
    pub(crate) fn wipe(&mut self) -> Result<()> {
        let paths = self.paths().clone();
        // Close the file before removing it; the journal keeps an empty
        // in-memory database so that any later call fails harmlessly.
        self.checkpoints.stop();
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
        let card = device_card::path_in(&paths.dir);
        for suffix in ["", "-wal", "-shm"] {
            let mut name = paths.db.clone().into_os_string();
            name.push(suffix);
            let path = std::path::PathBuf::from(name);
            if path.exists() {
                std::fs::remove_file(path)?;
            }
        }
        if card.exists() {
            std::fs::remove_file(card)?;
        }
        Ok(())
    }
}

/// Logs checked operations and quarantines the refused ones, in the
/// caller's transaction.
pub(crate) fn take_in(tx: &Connection, checked: &CheckedPage) -> Result<Taken> {
    let at = now_text();
    let intake = log_checked(tx, &checked.checked)?;
    let mut outcome = PullOutcome::default();
    let mut logged = Vec::with_capacity(intake.len());
    for ((_, value), result) in checked.page.ops.iter().zip(intake) {
        logged.push(matches!(result, Intake::Logged));
        match result {
            Intake::Logged => outcome.applied += 1,
            Intake::Skipped => outcome.skipped += 1,
            Intake::Refused(r) => {
                quarantine_pulled(tx, value.get(), &r, &at)?;
                outcome.quarantined += 1;
            }
        }
    }
    Ok(Taken { outcome, logged })
}

/// What taking in a page did: its outcome, and which of its operations
/// were logged (to be replayed).
pub(crate) struct Taken {
    pub(crate) outcome: PullOutcome,
    logged: Vec<bool>,
}

fn quarantine_pulled(conn: &Connection, raw: &str, refusal: &Refusal, at: &str) -> Result<()> {
    state::quarantine(
        conn,
        &state::Quarantined {
            op_id: op_id_of(raw),
            direction: "pull",
            body: raw.to_owned(),
            code: refusal.code,
            params: refusal.params.clone(),
            reason: refusal.reason.clone(),
            at,
        },
    )
}
