//! The embedded backend: one SQLite file (no `PRAGMA key`: the server's
//! database is protected by the server's disk, not by SQLCipher), WAL,
//! `synchronous=FULL` so that an acknowledged push survives power loss.
//!
//! One writer connection (all writes are serialised anyway, and the
//! [`crate::writer`] groups them) and a few reader connections, each behind
//! a mutex and used from `spawn_blocking`.

use super::audit_sql::{self, Dialect, Param};
use super::outcomes::{FactBatch, FactRow, OutcomeOps, OutcomeRows};
use super::plan::audit::{self as chain, ChainHead, ChainState};
use super::plan::review;
use super::plan::{self, EnrollCode, Lookups, StoredOp};
use super::retention::{
    Candidate, CaseOps, CasePurge, Keep, NoticeRow, OldAudit, Purged, Settings,
};
use super::sqlite_outcomes as outcomes;
use super::sqlite_staff as staff;
use super::staff::{LoginResult, NewStaff, Staff as StaffRow, StaffChange, WebSession};
use super::{
    AdmittedWrites, AuditCursor, AuditFilter, AuditPage, AuditPush, AuditRecord, AuditRow,
    ChainBreak, Device, DeviceAuditRow, HeldAuditRow, LastSync, NewDevice, ObjectRow, PullPage,
    Result, Revoked, Store, StoreError, Team, User, WriteBatch, WriteResult,
};
use async_trait::async_trait;
use brygga_migrate::Step;
use brygga_protocol::api::{AuditPushResponse, BreakKind};
use brygga_protocol::auth::ObjectKind;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use uuid::Uuid;

/// A user with their team: the query [`user_row`] reads.
const USER_COLUMNS: &str =
    "SELECT u.id, u.name, t.id, t.name FROM users u JOIN teams t ON t.id = u.team_id";

/// A row of [`USER_COLUMNS`].
fn user_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        team: Team {
            id: r.get(2)?,
            name: r.get(3)?,
        },
    })
}

/// The schema steps (docs/adr/0011-shared-migrations.md); released ones
/// are pinned in the tests of [`super`].
pub(super) const STEPS: &[Step] = &[
    Step::new(
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
    ),
    Step::new(
        2,
        "revocation_last_seq",
        include_str!("../../migrations/sqlite/0002_revocation_last_seq.sql"),
    ),
    Step::new(
        3,
        "device_audit",
        include_str!("../../migrations/sqlite/0003_device_audit.sql"),
    ),
    Step::new(
        4,
        "history_epoch",
        include_str!("../../migrations/sqlite/0004_history_epoch.sql"),
    ),
    Step::new(
        5,
        "retention",
        include_str!("../../migrations/sqlite/0005_retention.sql"),
    ),
    Step::new(
        6,
        "audit_review",
        include_str!("../../migrations/sqlite/0006_audit_review.sql"),
    ),
    Step::new(
        7,
        "staff",
        include_str!("../../migrations/sqlite/0007_staff.sql"),
    ),
    Step::new(
        8,
        "outcome_facts",
        include_str!("../../migrations/sqlite/0008_outcome_facts.sql"),
    ),
    Step::new(
        9,
        "outcome_weeks",
        include_str!("../../migrations/sqlite/0009_outcome_weeks.sql"),
    ),
];

const READERS: usize = 4;

/// Page cache of the writer connection, KiB: the b-tree pages a push
/// touches (the indexes by device and seq, the nonces) stay in memory
/// instead of being read again from the OS on every group (SQLite's default
/// is 2 MiB, far less than those indexes once the server holds a few
/// hundred thousand operations).
const WRITER_CACHE_KIB: i64 = 64 * 1024;
/// Page cache of each reader connection, KiB.
const READER_CACHE_KIB: i64 = 16 * 1024;

/// Pages of WAL after which the writer checkpoints by itself, in the
/// commit of a group: only a safety net, the background checkpointer keeps
/// the WAL far smaller.
const WRITER_AUTOCHECKPOINT_PAGES: i64 = 16_384;
/// How often the background checkpointer copies the WAL into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

pub struct SqliteStore {
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: AtomicUsize,
    /// Dropping it stops the background checkpointer.
    _checkpointer: std::sync::mpsc::Sender<()>,
}

/// Checkpoints the WAL (PASSIVE: never waits for nor blocks the writer or
/// the readers) from a thread of its own, so that copying pages into the
/// database file and its fsync are not part of a group's commit — with
/// SQLite's automatic checkpoint (every 1000 pages) some commit waited for
/// them, and every request of its group with it.
fn start_checkpointer(path: &Path) -> Result<std::sync::mpsc::Sender<()>> {
    let conn = Connection::open(path)?;
    configure(&conn)?;
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                stopped.recv_timeout(CHECKPOINT_EVERY)
            {
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
        })
        .map_err(|e| StoreError::Database(format!("starting the WAL checkpointer: {e}")))?;
    Ok(stop)
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock leaves the connection usable (any open
    // transaction was rolled back when it was dropped).
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let outcome = brygga_migrate::sqlite::run(conn, STEPS, crate::clock::now_ms())?;
    super::log_migration("sqlite", &outcome);
    Ok(())
}

fn uuid_col(row: &Row<'_>, idx: usize) -> rusqlite::Result<Uuid> {
    let s: String = row.get(idx)?;
    Uuid::parse_str(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn opt_uuid_col(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Uuid>> {
    let s: Option<String> = row.get(idx)?;
    s.map(|s| {
        Uuid::parse_str(&s).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

const DEVICE_SELECT: &str = "SELECT d.id, u.name, t.id, t.name, d.public_key, d.name, \
     d.enrolled_at, d.revoked_at, d.last_seq_at_revocation \
     FROM devices d JOIN users u ON u.id = d.user_id JOIN teams t ON t.id = d.team_id";

fn device_row(row: &Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        id: uuid_col(row, 0)?,
        user: row.get(1)?,
        team: Team {
            id: row.get(2)?,
            name: row.get(3)?,
        },
        public_key: row.get(4)?,
        name: row.get(5)?,
        enrolled_at_ms: row.get(6)?,
        revoked_at_ms: row.get(7)?,
        last_seq_at_revocation: row.get(8)?,
    })
}

pub(super) fn insert_audit(tx: &Transaction<'_>, a: &AuditRecord) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![a.at_ms, a.actor, a.action, a.subject, a.detail])?;
    Ok(())
}

/// Inserts `device` of (user id, team id); false when its id is taken.
fn insert_device(
    tx: &Transaction<'_>,
    device: &NewDevice,
    (user_id, team_id): (i64, i64),
    enrolled_at_ms: i64,
) -> Result<bool> {
    let inserted = tx
        .prepare_cached(
            "INSERT INTO devices (id, user_id, team_id, public_key, name, enrolled_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            device.id.to_string(),
            user_id,
            team_id,
            device.public_key,
            device.name,
            enrolled_at_ms
        ])?;
    Ok(inserted == 1)
}

pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

fn team_by_name(tx: &Transaction<'_>, name: &str) -> Result<Team> {
    tx.query_row("SELECT id, name FROM teams WHERE name = ?1", [name], |r| {
        Ok(Team {
            id: r.get(0)?,
            name: r.get(1)?,
        })
    })
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("team '{name}'")))
}

fn write_tx(conn: &mut Connection, batch: WriteBatch) -> Result<WriteResult> {
    // IMMEDIATE: the write lock is held from here, so a revocation (by the
    // admin CLI, another process) is either visible below or comes after
    // this whole transaction.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let refused = {
        let mut device_st = tx.prepare_cached("SELECT revoked_at FROM devices WHERE id = ?1")?;
        let mut revoked_at: HashMap<Uuid, Option<i64>> = HashMap::new();
        for r in &batch.requests {
            let id = r.nonce.device_id;
            if revoked_at.contains_key(&id) {
                continue;
            }
            if let Some(state) = device_st
                .query_row([id.to_string()], |row| row.get::<_, Option<i64>>(0))
                .optional()?
            {
                revoked_at.insert(id, state);
            }
        }
        let mut nonce_st = tx.prepare_cached(
            "INSERT INTO nonces (device_id, nonce, expires_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT DO NOTHING",
        )?;
        plan::admit(&batch.requests, &revoked_at, |n| {
            Ok::<_, StoreError>(
                nonce_st.execute(params![n.device_id.to_string(), n.nonce, n.expires_at_ms])? == 1,
            )
        })?
    };
    let batch = AdmittedWrites::split(batch, refused)?;

    let keys = plan::keys(&batch.pushes);
    let mut lookups = Lookups::default();
    {
        let mut st = tx.prepare_cached(
            "SELECT op_id, server_seq, body FROM ops WHERE device_id = ?1 AND seq = ?2",
        )?;
        for (device, seq) in &keys.device_seqs {
            let found = st
                .query_row(params![device.to_string(), seq], |r| {
                    Ok(StoredOp {
                        op_id: uuid_col(r, 0)?,
                        server_seq: r.get(1)?,
                        body: r.get(2)?,
                    })
                })
                .optional()?;
            if let Some(stored) = found {
                lookups.by_device_seq.insert((*device, *seq), stored);
            }
        }
        let mut st = tx.prepare_cached("SELECT device_id, seq FROM ops WHERE op_id = ?1")?;
        for op_id in &keys.op_ids {
            let found = st
                .query_row([op_id.to_string()], |r| {
                    Ok((uuid_col(r, 0)?, r.get::<_, i64>(1)?))
                })
                .optional()?;
            if let Some(found) = found {
                lookups.by_op_id.insert(*op_id, found);
            }
        }
        let mut st =
            tx.prepare_cached("SELECT kind, case_id, team_id FROM objects WHERE object_id = ?1")?;
        for id in &keys.object_ids {
            let found = st
                .query_row([id.to_string()], |r| {
                    let kind: String = r.get(0)?;
                    Ok((kind, opt_uuid_col(r, 1)?, r.get::<_, i64>(2)?))
                })
                .optional()?;
            if let Some((kind, case_id, team_id)) = found {
                let kind = ObjectKind::parse(&kind).ok_or_else(|| {
                    StoreError::Database(format!("object {id} has unknown kind '{kind}'"))
                })?;
                lookups.objects.insert(
                    *id,
                    ObjectRow {
                        id: *id,
                        kind,
                        case_id,
                        team_id,
                    },
                );
            }
        }
        let mut st = tx.prepare_cached("SELECT 1 FROM purged_cases WHERE case_id = ?1")?;
        for id in &keys.object_ids {
            if st.exists([id.to_string()])? {
                lookups.purged.insert(*id);
            }
        }
    }

    let plan = plan::plan(&batch.pushes, &lookups);
    let mut server_seqs = Vec::with_capacity(plan.inserts.len());
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO ops (op_id, device_id, seq, team_id, case_id, type, body, received_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for ins in &plan.inserts {
            server_seqs.push(st.insert(params![
                ins.op.op_id.to_string(),
                ins.op.device_id.to_string(),
                ins.op.seq,
                ins.team_id,
                ins.case_id.map(|c| c.to_string()),
                ins.op.type_name,
                ins.op.body,
                ins.received_at_ms,
            ])?);
        }
        let mut st = tx.prepare_cached(
            "INSERT INTO objects (object_id, kind, case_id, team_id, op_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for o in &plan.objects {
            st.execute(params![
                o.row.id.to_string(),
                o.row.kind.as_str(),
                o.row.case_id.map(|c| c.to_string()),
                o.row.team_id,
                o.op_id.to_string(),
            ])?;
        }
    }
    let (outcomes, push_audits) = plan.finish(&batch.pushes, &server_seqs);
    for a in batch.audits.iter().chain(&push_audits) {
        insert_audit(&tx, a)?;
    }
    tx.commit()?;
    Ok(batch.finish(outcomes))
}

/// Checks and stores one device's audit rows (see [`Store::push_audit`]).
/// IMMEDIATE: the write lock is the device's chain, so two pushes of one
/// device are checked one after the other.
fn push_audit_tx(conn: &mut Connection, push: AuditPush) -> Result<AuditPushResponse> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let device = push.device_id.to_string();
    let head = tx
        .prepare_cached("SELECT seq, hash, at FROM audit_chains WHERE device_id = ?1")?
        .query_row([&device], |r| {
            Ok(ChainHead {
                seq: r.get(0)?,
                hash: r.get(1)?,
                at: r.get(2)?,
            })
        })
        .optional()?;
    let mut held: HashMap<i64, Vec<String>> = HashMap::new();
    {
        let mut st =
            tx.prepare_cached("SELECT hash FROM device_audit WHERE device_id = ?1 AND seq = ?2")?;
        for seq in chain::held_seqs(head.as_ref(), &push.rows) {
            let hashes = st
                .query_map(params![device, seq], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            held.insert(seq, hashes);
        }
    }
    let plan = chain::check(&ChainState { head, held }, &push.rows, push.received_at_ms);
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO device_audit (device_id, seq, at, at_ms, actor, action, object_type, \
             object_id, pupil_id, detail, prev_hash, hash, received_at, after_break) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        for i in &plan.inserts {
            let r = i.row;
            st.execute(params![
                device,
                r.seq,
                r.at,
                i.at_ms,
                r.actor,
                r.action,
                r.object_type,
                r.object_id,
                r.pupil_id,
                r.detail,
                r.prev_hash,
                r.hash,
                push.received_at_ms,
                i.after_break,
            ])?;
        }
        let mut st = tx.prepare_cached(
            "INSERT INTO audit_breaks (device_id, seq, kind, detail, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for b in &plan.breaks {
            st.execute(params![
                device,
                b.seq,
                b.kind.as_str(),
                b.detail,
                push.received_at_ms
            ])?;
        }
    }
    if let Some(h) = &plan.head {
        tx.execute(
            "INSERT INTO audit_chains (device_id, seq, hash, at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, \
             at = excluded.at",
            params![device, h.seq, h.hash, h.at],
        )?;
    }
    for a in plan.audits(push.device_id, push.rows.len(), push.received_at_ms) {
        insert_audit(&tx, &a)?;
    }
    let last = push.rows.last().map_or(0, |r| r.seq);
    let response = plan.response(last);
    tx.commit()?;
    Ok(response)
}

/// Stores a notice; false when its id is stored already.
fn insert_notice(tx: &Transaction<'_>, n: &NoticeRow) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO notices (notice_id, team_id, body, issued_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (notice_id) DO NOTHING",
        )?
        .execute(params![
            n.notice_id.to_string(),
            n.team_id,
            n.body,
            n.issued_at_ms
        ])?
        == 1)
}

fn read_settings(conn: &Connection) -> Result<Settings> {
    Ok(conn.query_row(
        "SELECT case_years, audit_years, case_leaves_laptop_after_days \
         FROM retention_settings WHERE id = 1",
        [],
        |r| {
            Ok(Settings {
                case_years: r.get(0)?,
                audit_years: r.get(1)?,
                case_leaves_laptop_after_days: r.get(2)?,
            })
        },
    )?)
}

/// The cases with a case-closed operation.
const CLOSED_CASES: &str = "SELECT case_id FROM ops WHERE type = 'case-closed'";

fn purge_case_tx(conn: &mut Connection, purge: CasePurge) -> Result<Purged> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let case = purge.case_id.to_string();
    if tx
        .prepare_cached("SELECT 1 FROM purged_cases WHERE case_id = ?1")?
        .exists([&case])?
    {
        return Ok(Purged::Already);
    }
    let objects = tx.execute("DELETE FROM objects WHERE case_id = ?1", [&case])? as u64;
    let ops = tx.execute("DELETE FROM ops WHERE case_id = ?1", [&case])? as u64;
    tx.execute("DELETE FROM outcome_facts WHERE case_id = ?1", [&case])?;
    tx.execute("DELETE FROM case_keeps WHERE case_id = ?1", [&case])?;
    tx.execute(
        "INSERT INTO purged_cases (case_id, team_id, purged_at, notice_id) VALUES (?1, ?2, ?3, ?4)",
        params![
            case,
            purge.team_id,
            purge.purged_at_ms,
            purge.notice.notice_id.to_string()
        ],
    )?;
    insert_notice(&tx, &purge.notice)?;
    insert_audit(&tx, &plan::retention::purge_audit(&purge, ops, objects))?;
    tx.commit()?;
    Ok(Purged::Now { ops, objects })
}

/// A device row, its columns as [`audit_sql::DEVICE_COLUMNS`].
fn held_audit_row(r: &Row<'_>) -> rusqlite::Result<HeldAuditRow> {
    Ok(HeldAuditRow {
        id: r.get(0)?,
        row: DeviceAuditRow {
            device_id: r.get(1)?,
            seq: r.get(2)?,
            at: r.get(3)?,
            actor: r.get(5)?,
            action: r.get(6)?,
            object_type: r.get(7)?,
            object_id: r.get(8)?,
            pupil_id: r.get(9)?,
            detail: r.get(10)?,
            prev_hash: r.get(11)?,
            hash: r.get(12)?,
        },
        at_ms: r.get(4)?,
        received_at_ms: r.get(13)?,
        after_break: r.get(14)?,
    })
}

/// A server row, its columns as [`audit_sql::SERVER_COLUMNS`].
fn audit_row(r: &Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        id: r.get(0)?,
        record: AuditRecord {
            at_ms: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            subject: r.get(4)?,
            detail: r.get(5)?,
        },
    })
}

/// The rows of one of the review's reads.
fn read_page<T>(
    conn: &Connection,
    query: audit_sql::Query,
    row: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let params: Vec<rusqlite::types::Value> = query
        .params
        .into_iter()
        .map(|p| match p {
            Param::Int(i) => rusqlite::types::Value::Integer(i),
            Param::Text(t) => rusqlite::types::Value::Text(t),
            Param::Device(d) => rusqlite::types::Value::Text(d.to_string()),
        })
        .collect();
    let mut st = conn.prepare_cached(&query.sql)?;
    let rows = st.query_map(rusqlite::params_from_iter(params), row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn chain_break(r: &Row<'_>) -> rusqlite::Result<ChainBreak> {
    let kind: String = r.get(2)?;
    Ok(ChainBreak {
        device_id: uuid_col(r, 0)?,
        seq: r.get(1)?,
        kind: BreakKind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                format!("unknown break kind '{kind}'").into(),
            )
        })?,
        detail: r.get(3)?,
        at_ms: r.get(4)?,
    })
}

impl SqliteStore {
    /// Opens or creates the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            if let Some(parent) = path.parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        StoreError::Database(format!("creating {}: {e}", parent.display()))
                    })?;
                }
            }
            let mut writer = Connection::open(&path)?;
            configure(&writer)?;
            migrate(&mut writer)?;
            writer.pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT_PAGES)?;
            writer.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
            let checkpointer = start_checkpointer(&path)?;
            let readers = (0..READERS)
                .map(|_| {
                    let c = Connection::open(&path)?;
                    configure(&c)?;
                    c.pragma_update(None, "query_only", "ON")?;
                    c.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
                    Ok(Mutex::new(c))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(SqliteStore {
                writer: Arc::new(Mutex::new(writer)),
                readers: Arc::new(readers),
                next_reader: AtomicUsize::new(0),
                _checkpointer: checkpointer,
            })
        })
        .await
        .map_err(|e| StoreError::Database(format!("blocking task failed: {e}")))?
    }

    async fn write_with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let writer = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || f(&mut lock(&writer)))
            .await
            .map_err(|e| StoreError::Database(format!("blocking task failed: {e}")))?
    }

    async fn read_with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let readers = Arc::clone(&self.readers);
        let index = self.next_reader.fetch_add(1, Ordering::Relaxed) % readers.len();
        tokio::task::spawn_blocking(move || f(&lock(&readers[index])))
            .await
            .map_err(|e| StoreError::Database(format!("blocking task failed: {e}")))?
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn add_team(&self, name: &str, audit: AuditRecord) -> Result<Team> {
        let name = name.to_string();
        self.write_with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let inserted = tx.execute(
                "INSERT INTO teams (name, created_at) VALUES (?1, ?2)",
                params![name, audit.at_ms],
            );
            match inserted {
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::AlreadyExists(format!("team '{name}'")))
                }
                other => other?,
            };
            let team = Team {
                id: tx.last_insert_rowid(),
                name,
            };
            insert_audit(&tx, &audit)?;
            tx.commit()?;
            Ok(team)
        })
        .await
    }

    async fn add_user(&self, name: &str, team: &str, audit: AuditRecord) -> Result<User> {
        let (name, team) = (name.to_string(), team.to_string());
        self.write_with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let team = team_by_name(&tx, &team)?;
            let inserted = tx.execute(
                "INSERT INTO users (name, team_id, created_at) VALUES (?1, ?2, ?3)",
                params![name, team.id, audit.at_ms],
            );
            match inserted {
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::AlreadyExists(format!("user '{name}'")))
                }
                other => other?,
            };
            let user = User {
                id: tx.last_insert_rowid(),
                name,
                team,
            };
            insert_audit(&tx, &audit)?;
            tx.commit()?;
            Ok(user)
        })
        .await
    }

    async fn teams(&self) -> Result<Vec<Team>> {
        self.read_with(|conn| {
            let mut st = conn.prepare("SELECT id, name FROM teams ORDER BY name")?;
            let rows = st.query_map([], |r| {
                Ok(Team {
                    id: r.get(0)?,
                    name: r.get(1)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn user(&self, name: &str) -> Result<Option<User>> {
        let name = name.to_string();
        self.read_with(move |conn| {
            Ok(conn
                .query_row(
                    &format!("{USER_COLUMNS} WHERE u.name = ?1"),
                    [name],
                    user_row,
                )
                .optional()?)
        })
        .await
    }

    async fn users(&self) -> Result<Vec<User>> {
        self.read_with(|conn| {
            let mut st = conn.prepare(&format!("{USER_COLUMNS} ORDER BY t.name, u.name"))?;
            let rows = st.query_map([], user_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn add_enroll_code(
        &self,
        user: &str,
        code_hash: &str,
        expires_at_ms: i64,
        audit: AuditRecord,
    ) -> Result<()> {
        let (user, code_hash) = (user.to_string(), code_hash.to_string());
        self.write_with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let user_id: i64 = tx
                .query_row("SELECT id FROM users WHERE name = ?1", [&user], |r| {
                    r.get(0)
                })
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("user '{user}'")))?;
            tx.execute(
                "INSERT INTO enroll_codes (code_hash, user_id, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![code_hash, user_id, audit.at_ms, expires_at_ms],
            )?;
            insert_audit(&tx, &audit)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn enroll(
        &self,
        code_hash: &str,
        device: NewDevice,
        now_ms: i64,
        audit: AuditRecord,
    ) -> Result<Device> {
        let code_hash = code_hash.to_string();
        self.write_with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let code = tx
                .query_row(
                    "SELECT c.user_id, u.team_id, c.expires_at, c.used_at FROM enroll_codes c \
                     JOIN users u ON u.id = c.user_id WHERE c.code_hash = ?1",
                    [&code_hash],
                    |r| {
                        Ok(EnrollCode {
                            user_id: r.get(0)?,
                            team_id: r.get(1)?,
                            expires_at_ms: r.get(2)?,
                            used_at_ms: r.get(3)?,
                        })
                    },
                )
                .optional()?;
            let EnrollCode {
                user_id, team_id, ..
            } = plan::usable_code(code, now_ms)?;
            if !insert_device(&tx, &device, (user_id, team_id), now_ms)? {
                return Err(StoreError::AlreadyExists(format!("device {}", device.id)));
            }
            tx.execute(
                "UPDATE enroll_codes SET used_at = ?1, device_id = ?2 WHERE code_hash = ?3",
                params![now_ms, device.id.to_string(), code_hash],
            )?;
            insert_audit(&tx, &audit)?;
            let stored = tx.query_row(
                &format!("{DEVICE_SELECT} WHERE d.id = ?1"),
                [device.id.to_string()],
                device_row,
            )?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    async fn device(&self, id: Uuid) -> Result<Option<Device>> {
        self.read_with(move |conn| {
            Ok(conn
                .prepare_cached(&format!("{DEVICE_SELECT} WHERE d.id = ?1"))?
                .query_row([id.to_string()], device_row)
                .optional()?)
        })
        .await
    }

    async fn devices(&self) -> Result<Vec<Device>> {
        self.read_with(|conn| {
            let mut st = conn.prepare(&format!("{DEVICE_SELECT} ORDER BY d.enrolled_at, d.id"))?;
            let rows = st.query_map([], device_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn team_devices(&self, team_id: i64) -> Result<Vec<Device>> {
        self.read_with(move |conn| {
            let mut st = conn.prepare_cached(&format!(
                "{DEVICE_SELECT} WHERE d.team_id = ?1 ORDER BY d.id"
            ))?;
            let rows = st.query_map([team_id], device_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn revoke_device(
        &self,
        id: Uuid,
        asked: plan::Revocation,
        audit: AuditRecord,
    ) -> Result<Revoked> {
        // IMMEDIATE: no push is stored between reading the last seq and the
        // revocation (pushes are admitted under the same write lock).
        self.write_with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let revoked_at: Option<Option<i64>> = tx
                .query_row(
                    "SELECT revoked_at FROM devices WHERE id = ?1",
                    [id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            let max_seq: Option<i64> = tx.query_row(
                "SELECT MAX(seq) FROM ops WHERE device_id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )?;
            let Some(revocation) = plan::revocation(id, revoked_at, max_seq, asked)? else {
                return Ok(Revoked::Already);
            };
            tx.execute(
                "UPDATE devices SET revoked_at = ?1, last_seq_at_revocation = ?2 WHERE id = ?3",
                params![
                    revocation.revoked_at_ms,
                    revocation.last_seq,
                    id.to_string()
                ],
            )?;
            insert_audit(&tx, &audit)?;
            tx.commit()?;
            Ok(Revoked::Now)
        })
        .await
    }

    async fn write(&self, batch: WriteBatch) -> Result<WriteResult> {
        self.write_with(move |conn| write_tx(conn, batch)).await
    }

    async fn pull(&self, team_id: i64, after: i64, limit: u32) -> Result<PullPage> {
        self.read_with(move |conn| {
            let mut st = conn.prepare_cached(
                "SELECT server_seq, body FROM ops WHERE team_id = ?1 AND server_seq > ?2 \
                 ORDER BY server_seq LIMIT ?3",
            )?;
            let ops = st
                .query_map(params![team_id, after, plan::page_rows(limit)], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect::<rusqlite::Result<Vec<(i64, String)>>>()?;
            Ok(plan::page(ops, limit))
        })
        .await
    }

    async fn latest_server_seq(&self, team_id: i64) -> Result<i64> {
        self.read_with(move |conn| {
            Ok(conn
                .prepare_cached("SELECT COALESCE(MAX(server_seq), 0) FROM ops WHERE team_id = ?1")?
                .query_row([team_id], |r| r.get(0))?)
        })
        .await
    }

    async fn prune_nonces(&self, now_ms: i64) -> Result<u64> {
        self.write_with(move |conn| {
            Ok(conn.execute("DELETE FROM nonces WHERE expires_at < ?1", [now_ms])? as u64)
        })
        .await
    }

    async fn push_audit(&self, push: AuditPush) -> Result<AuditPushResponse> {
        self.write_with(move |conn| push_audit_tx(conn, push)).await
    }

    async fn audit_page(
        &self,
        filter: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u32,
    ) -> Result<AuditPage> {
        let filter = filter.clone();
        self.read_with(move |conn| {
            let fetch = review::fetch(limit);
            // One snapshot for both tables.
            let tx = conn.unchecked_transaction()?;
            let device = read_page(
                &tx,
                audit_sql::device_rows(
                    Dialect::Sqlite,
                    &filter,
                    review::device_after(after),
                    fetch,
                ),
                held_audit_row,
            )?;
            let server = if review::server_rows_wanted(&filter) {
                read_page(
                    &tx,
                    audit_sql::server_rows(
                        Dialect::Sqlite,
                        &filter,
                        review::server_after(after),
                        fetch,
                    ),
                    audit_row,
                )?
            } else {
                Vec::new()
            };
            tx.finish()?;
            Ok(review::merge(device, server, limit))
        })
        .await
    }

    async fn audit_breaks(&self) -> Result<Vec<ChainBreak>> {
        self.read_with(|conn| {
            let mut st = conn
                .prepare("SELECT device_id, seq, kind, detail, at FROM audit_breaks ORDER BY id")?;
            let rows = st.query_map([], chain_break)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn reenroll(
        &self,
        user: &str,
        device: NewDevice,
        enrolled_at_ms: i64,
        audit: AuditRecord,
    ) -> Result<bool> {
        let user = user.to_string();
        self.write_with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (user_id, team_id): (i64, i64) = tx
                .query_row(
                    "SELECT id, team_id FROM users WHERE name = ?1",
                    [&user],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("user '{user}'")))?;
            let inserted = insert_device(&tx, &device, (user_id, team_id), enrolled_at_ms)?;
            if inserted {
                insert_audit(&tx, &audit)?;
            }
            tx.commit()?;
            Ok(inserted)
        })
        .await
    }

    async fn history_epoch(&self) -> Result<String> {
        self.read_with(|conn| {
            Ok(conn.query_row("SELECT epoch FROM history WHERE id = 1", [], |r| r.get(0))?)
        })
        .await
    }

    async fn set_history_epoch(&self, epoch: &str, audit: AuditRecord) -> Result<()> {
        let epoch = epoch.to_string();
        self.write_with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE history SET epoch = ?1, started_at = ?2 WHERE id = 1",
                params![epoch, audit.at_ms],
            )?;
            insert_audit(&tx, &audit)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn retention_candidates(&self) -> Result<Vec<Candidate>> {
        self.read_with(|conn| {
            let lifecycle = conn
                .prepare(&format!(
                    "SELECT case_id, team_id, body FROM ops \
                     WHERE type IN (?1, ?2, ?3) AND case_id IN ({CLOSED_CASES})"
                ))?
                .query_map(plan::retention::LIFECYCLE_TYPES, |r| {
                    Ok((uuid_col(r, 0)?, r.get(1)?, r.get(2)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let last = conn
                .prepare(&format!(
                    "SELECT case_id, MAX(received_at) FROM ops \
                     WHERE case_id IN ({CLOSED_CASES}) GROUP BY case_id"
                ))?
                .query_map([], |r| Ok((uuid_col(r, 0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let keeps = conn
                .prepare("SELECT case_id, reason, set_at FROM case_keeps")?
                .query_map([], |r| {
                    Ok((
                        uuid_col(r, 0)?,
                        Keep {
                            reason: r.get(1)?,
                            set_at_ms: r.get(2)?,
                        },
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(plan::retention::candidates(lifecycle, last, keeps))
        })
        .await
    }

    async fn retention_settings(&self) -> Result<Settings> {
        self.read_with(read_settings).await
    }

    async fn set_retention_settings(
        &self,
        settings: Settings,
        notice: Option<NoticeRow>,
        audit: AuditRecord,
    ) -> Result<bool> {
        self.write_with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed_settings = read_settings(&tx)? != settings;
            tx.execute(
                "UPDATE retention_settings SET case_years = ?1, audit_years = ?2, \
                 case_leaves_laptop_after_days = ?3 WHERE id = 1",
                params![
                    settings.case_years,
                    settings.audit_years,
                    settings.case_leaves_laptop_after_days
                ],
            )?;
            let new_notice = match &notice {
                Some(n) => insert_notice(&tx, n)?,
                None => false,
            };
            let changed = changed_settings || new_notice;
            if changed {
                insert_audit(&tx, &audit)?;
            }
            tx.commit()?;
            Ok(changed)
        })
        .await
    }

    async fn set_case_keep(
        &self,
        case_id: Uuid,
        keep: Option<Keep>,
        audit: AuditRecord,
    ) -> Result<bool> {
        self.write_with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let case = case_id.to_string();
            let held: Option<String> = tx
                .query_row(
                    "SELECT reason FROM case_keeps WHERE case_id = ?1",
                    [&case],
                    |r| r.get(0),
                )
                .optional()?;
            let changed = match &keep {
                Some(keep) => {
                    let known = tx
                        .prepare_cached("SELECT 1 FROM objects WHERE object_id = ?1 AND kind = ?2")?
                        .exists(params![case, ObjectKind::Case.as_str()])?;
                    if !known {
                        return Err(StoreError::NotFound(format!("case {case_id}")));
                    }
                    held.as_deref() != Some(keep.reason.as_str())
                        && tx.execute(
                            "INSERT INTO case_keeps (case_id, reason, set_at) VALUES (?1, ?2, ?3) \
                             ON CONFLICT (case_id) DO UPDATE SET reason = excluded.reason, \
                             set_at = excluded.set_at",
                            params![case, keep.reason, keep.set_at_ms],
                        )? == 1
                }
                None => tx.execute("DELETE FROM case_keeps WHERE case_id = ?1", [&case])? == 1,
            };
            if changed {
                insert_audit(&tx, &audit)?;
            }
            tx.commit()?;
            Ok(changed)
        })
        .await
    }

    async fn purge_case(&self, purge: CasePurge) -> Result<Purged> {
        self.write_with(move |conn| purge_case_tx(conn, purge))
            .await
    }

    async fn old_audit(&self, before_ms: i64) -> Result<OldAudit> {
        self.read_with(move |conn| {
            let count = |sql: &str| conn.query_row(sql, [before_ms], |r| r.get::<_, i64>(0));
            Ok(OldAudit {
                device_rows: count("SELECT count(*) FROM device_audit WHERE received_at < ?1")?
                    as u64,
                server_rows: count("SELECT count(*) FROM audit WHERE at < ?1")? as u64,
            })
        })
        .await
    }

    async fn purge_old_audit(&self, before_ms: i64, at_ms: i64) -> Result<OldAudit> {
        self.write_with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let purged = OldAudit {
                device_rows: tx.execute(
                    "DELETE FROM device_audit WHERE received_at < ?1",
                    [before_ms],
                )? as u64,
                server_rows: tx.execute("DELETE FROM audit WHERE at < ?1", [before_ms])? as u64,
            };
            insert_audit(
                &tx,
                &plan::retention::audit_purge_audit(before_ms, purged, at_ms),
            )?;
            tx.commit()?;
            Ok(purged)
        })
        .await
    }

    async fn notices_of_type(&self, type_name: &str) -> Result<Vec<String>> {
        let type_name = type_name.to_owned();
        self.read_with(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT body FROM notices WHERE team_id IS NULL \
                     AND json_extract(body, '$.notice.body.type') = ?1 \
                     ORDER BY notice_seq",
                )?
                .query_map([type_name], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .await
    }

    async fn add_notices(&self, notices: Vec<NoticeRow>, audit: AuditRecord) -> Result<bool> {
        self.write_with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut added = false;
            for notice in &notices {
                added |= insert_notice(&tx, notice)?;
            }
            if added {
                insert_audit(&tx, &audit)?;
            }
            tx.commit()?;
            Ok(added)
        })
        .await
    }

    async fn notices(&self, team_id: i64, after: i64, limit: u32) -> Result<PullPage> {
        self.read_with(move |conn| {
            let rows = conn
                .prepare_cached(
                    "SELECT notice_seq, body FROM notices \
                     WHERE (team_id = ?1 OR team_id IS NULL) AND notice_seq > ?2 \
                     ORDER BY notice_seq LIMIT ?3",
                )?
                .query_map(params![team_id, after, plan::page_rows(limit)], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect::<rusqlite::Result<Vec<(i64, String)>>>()?;
            Ok(plan::page(rows, limit))
        })
        .await
    }

    async fn case_ops(&self, team_id: i64, case_id: Uuid) -> Result<CaseOps> {
        self.read_with(move |conn| {
            let case = case_id.to_string();
            let purged_team: Option<i64> = conn
                .query_row(
                    "SELECT team_id FROM purged_cases WHERE case_id = ?1",
                    [&case],
                    |r| r.get(0),
                )
                .optional()?;
            let case_team: Option<i64> = conn
                .query_row(
                    "SELECT team_id FROM objects WHERE object_id = ?1 AND kind = ?2",
                    params![case, ObjectKind::Case.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(
                match plan::retention::case_access(team_id, purged_team, case_team) {
                    plan::retention::CaseAccess::Unknown => CaseOps::Unknown,
                    plan::retention::CaseAccess::Purged => CaseOps::Purged,
                    plan::retention::CaseAccess::Readable => CaseOps::Ops(
                        conn.prepare_cached(
                            "SELECT server_seq, body FROM ops WHERE case_id = ?1 AND team_id = ?2 \
                             ORDER BY server_seq",
                        )?
                        .query_map(params![case, team_id], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<rusqlite::Result<Vec<_>>>()?,
                    ),
                },
            )
        })
        .await
    }

    async fn devices_last_seen(&self) -> Result<HashMap<Uuid, i64>> {
        self.read_with(staff::devices_last_seen).await
    }

    async fn devices_last_sync(&self) -> Result<HashMap<Uuid, LastSync>> {
        self.read_with(staff::devices_last_sync).await
    }

    async fn outcome_ops(&self, limit: u32) -> Result<OutcomeOps> {
        self.read_with(move |conn| outcomes::ops(conn, limit)).await
    }

    async fn add_outcome_facts(&self, batch: FactBatch) -> Result<bool> {
        self.write_with(move |conn| outcomes::add(conn, batch))
            .await
    }

    async fn outcome_week_facts(&self, pupils: Vec<(i64, String)>) -> Result<Vec<FactRow>> {
        self.read_with(move |conn| outcomes::week_facts(conn, pupils))
            .await
    }

    async fn outcome_facts(&self, team_id: Option<i64>) -> Result<Vec<FactRow>> {
        self.read_with(move |conn| outcomes::facts(conn, team_id))
            .await
    }

    async fn outcome_rows(&self, team_id: Option<i64>) -> Result<OutcomeRows> {
        self.read_with(move |conn| outcomes::rows(conn, team_id))
            .await
    }

    async fn add_staff(&self, new: NewStaff, audit: AuditRecord) -> Result<StaffRow> {
        self.write_with(move |conn| staff::add(conn, new, audit))
            .await
    }

    async fn staff(&self, name: &str) -> Result<Option<StaffRow>> {
        let name = name.to_string();
        self.read_with(move |conn| staff::by_name(conn, &name))
            .await
    }

    async fn list_staff(&self) -> Result<Vec<StaffRow>> {
        self.read_with(staff::all).await
    }

    async fn change_staff(
        &self,
        name: &str,
        change: StaffChange,
        audit: AuditRecord,
    ) -> Result<()> {
        let name = name.to_string();
        self.write_with(move |conn| staff::change(conn, &name, change, audit))
            .await
    }

    async fn record_login(
        &self,
        staff_id: i64,
        result: LoginResult,
        audit: AuditRecord,
    ) -> Result<bool> {
        self.write_with(move |conn| staff::record_login(conn, staff_id, result, audit))
            .await
    }

    async fn web_session(&self, token_hash: &str) -> Result<Option<WebSession>> {
        let token_hash = token_hash.to_string();
        // From the writer: a session started or touched a moment ago is
        // seen at once.
        self.write_with(move |conn| staff::session(conn, &token_hash))
            .await
    }

    async fn touch_session(&self, token_hash: &str, at_ms: i64) -> Result<()> {
        let token_hash = token_hash.to_string();
        self.write_with(move |conn| staff::touch(conn, &token_hash, at_ms))
            .await
    }

    async fn end_session(&self, token_hash: &str, audit: AuditRecord) -> Result<()> {
        let token_hash = token_hash.to_string();
        self.write_with(move |conn| staff::end(conn, &token_hash, audit))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database of every earlier schema, as the runner before the shared
    /// one left it, opens with its rows (fictional).
    #[tokio::test]
    async fn a_database_of_every_earlier_schema_opens_with_its_rows() {
        for version in 1..STEPS.len() {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("old.db");
            let conn = Connection::open(&path).expect("open");
            brygga_migrate::sqlite::legacy_fixture(&conn, &STEPS[..version]).expect("old steps");
            conn.execute_batch(
                "INSERT INTO teams (id, name, created_at) VALUES (1, 'Fiktivt team', 0);
                 INSERT INTO users (id, name, team_id, created_at) VALUES (1, 'fiktiv', 1, 0);
                 INSERT INTO devices (id, user_id, team_id, public_key, name, enrolled_at, revoked_at)
                 VALUES ('00000000-0000-0000-0000-000000000001', 1, 1, x'00', 'revoked, ops', 0, 5),
                        ('00000000-0000-0000-0000-000000000002', 1, 1, x'00', 'revoked, none', 0, 5),
                        ('00000000-0000-0000-0000-000000000003', 1, 1, x'00', 'active', 0, NULL);
                 INSERT INTO ops (op_id, device_id, seq, team_id, type, body, received_at)
                 VALUES ('00000000-0000-0000-0000-00000000000a',
                         '00000000-0000-0000-0000-000000000001', 1, 1, 't', '{}', 0),
                        ('00000000-0000-0000-0000-00000000000b',
                         '00000000-0000-0000-0000-000000000001', 7, 1, 't', '{}', 0),
                        ('00000000-0000-0000-0000-00000000000c',
                         '00000000-0000-0000-0000-000000000003', 9, 1, 't', '{}', 0);
                 INSERT INTO audit (at, actor, action, subject, detail)
                 VALUES (1000, 'admin', 'team.add', 'Fiktivt team', ''),
                        (3000, 'device:00000000-0000-0000-0000-000000000003', 'pull', NULL,
                         'ops=0');",
            )
            .expect("old rows");
            if version >= 3 {
                conn.execute_batch(
                    "INSERT INTO device_audit (device_id, seq, at, at_ms, actor, action,
                         object_type, object_id, pupil_id, detail, prev_hash, hash,
                         received_at, after_break)
                     VALUES ('00000000-0000-0000-0000-000000000003', 1,
                             '1970-01-01T00:00:02.000Z', 2000, 'Fiktiv Handläggare', 'read',
                             'entry', 'e1', 'p1', '', '', 'h1', 2500, 0);",
                )
                .expect("old audit rows");
            }
            drop(conn);
            let store = SqliteStore::open(&path).await.expect("open and migrate");
            super::super::fixture::assert_upgraded(&store, version).await;
            let recorded: i64 = lock(&store.writer)
                .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
                .expect("record");
            assert_eq!(recorded, STEPS.len() as i64, "from version {version}");
        }
    }
}
