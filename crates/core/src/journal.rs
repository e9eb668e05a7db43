//! The journal: an unlocked, encrypted case journal on this device.
//!
//! Every change goes through [`Journal::commit`] (or
//! [`Journal::commit_batch`] for changes that stand or fall together, such
//! as an absence import): in one IMMEDIATE transaction the operation is
//! applied to the tables, signed with the device key, appended to the op
//! log, and recorded in the audit log. Either all four happen or none does;
//! a killed process leaves the journal as it was before the call or after
//! it, never in between.

use crate::audit::{self, Action, AuditFilter, AuditReport, AuditRow, Event};
use crate::checkpoints::{Checkpoints, Limits};
use crate::device::{self, Device};
use crate::error::{Error, ReasonCode, Result};
use crate::keys::{self, KdfParams};
use crate::secret::{Key32, Passphrase};
use crate::store::Durability;
use crate::{clock, migrations, replay, store};
use brygga_protocol::hlc::Hlc;
use brygga_protocol::op::{Operation, Payload, SignedOperation};
use brygga_protocol::{signing, PROTOCOL_VERSION};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use uuid::Uuid;

const DB_FILE: &str = "journal.db";
const KEY_FILE: &str = "key.json";
/// Shorter passphrases are refused; the UI asks for more and shows strength.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// Where one journal's files live.
#[derive(Clone, Debug)]
pub struct JournalPaths {
    pub dir: PathBuf,
    pub db: PathBuf,
    pub key_file: PathBuf,
}

impl JournalPaths {
    pub fn in_dir(dir: &Path) -> Self {
        JournalPaths {
            dir: dir.to_owned(),
            db: dir.join(DB_FILE),
            key_file: dir.join(KEY_FILE),
        }
    }
}

pub struct Journal {
    pub(crate) conn: Connection,
    pub(crate) device: std::sync::Arc<Device>,
    paths: JournalPaths,
    pub(crate) checkpoints: Checkpoints,
    /// Held by a sync round from its start to its end, so two rounds of
    /// one journal (the background loop's and the sync button's) never
    /// overlap: each records how far it pushed, and an older round that
    /// wrote last would put back operations the newer one had pushed.
    pub(crate) rounds: std::sync::Arc<std::sync::Mutex<()>>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("dir", &self.paths.dir)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

fn check_passphrase(pass: &Passphrase) -> Result<()> {
    if pass.char_count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::invalid(
            ReasonCode::PassphraseTooShort,
            format!("the passphrase must have at least {MIN_PASSPHRASE_CHARS} characters"),
        )
        .with("min", MIN_PASSPHRASE_CHARS));
    }
    Ok(())
}

fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

impl Journal {
    /// Creates a new journal in `dir` for `author` (the therapist's name as
    /// it will stand on every entry).
    pub fn create(dir: &Path, pass: &Passphrase, author: &str) -> Result<Journal> {
        check_passphrase(pass)?;
        let author = author.trim();
        if author.is_empty() {
            return Err(Error::invalid(
                ReasonCode::AuthorEmpty,
                "the author name is empty",
            ));
        }
        let paths = JournalPaths::in_dir(dir);
        // A key file without a database is what an interrupted `create`
        // leaves; it protects nothing and may be replaced.
        if paths.db.exists() {
            return Err(Error::JournalExists(dir.to_owned()));
        }
        create_private_dir(dir)?;
        let data_key = Key32::random();
        keys::write(&paths.key_file, pass, KdfParams::calibrate()?, &data_key)?;
        build_database(&paths, &data_key, author)?;
        let journal = Self::open_with_key(paths, &data_key)?;
        journal.refresh_card()?;
        Ok(journal)
    }

    /// Unlocks the journal in `dir`.
    pub fn open(dir: &Path, pass: &Passphrase) -> Result<Journal> {
        let paths = JournalPaths::in_dir(dir);
        let data_key = unlock_key(&paths, pass)?;
        let journal = Self::open_with_key(paths, &data_key)?;
        journal.record(Event {
            action: Action::Unlock,
            object_type: "journal",
            object_id: None,
            pupil_id: None,
            detail: String::new(),
        })?;
        // A journal from before device cards gets one here.
        journal.refresh_card()?;
        Ok(journal)
    }

    /// A journal in a plain, unencrypted SQLite file, to measure what the
    /// encryption costs. Only built with the `bench-plaintext` feature.
    #[cfg(feature = "bench-plaintext")]
    pub fn create_plaintext_for_bench(dir: &Path, author: &str) -> Result<Journal> {
        create_private_dir(dir)?;
        let paths = JournalPaths::in_dir(dir);
        let mut conn = store::open_plaintext_for_bench(&paths.db)?;
        migrations::migrate(&mut conn)?;
        let device = device::create(&conn, author, &replay::op_time(Hlc::ZERO))?;
        let checkpoints = Checkpoints::start(
            &mut conn,
            store::open_plaintext_for_bench(&paths.db)?,
            Limits::JOURNAL,
        )?;
        Ok(Journal {
            conn,
            device: device.into(),
            paths,
            checkpoints,
            rounds: Default::default(),
        })
    }

    pub(crate) fn open_with_key(paths: JournalPaths, data_key: &Key32) -> Result<Journal> {
        let mut conn = store::open(&paths.db, data_key, false)?;
        migrations::migrate(&mut conn)?;
        // What a pull cut off by a crash (or a migration) logged but did
        // not replay yet.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        replay::scope::catch_up(&tx)?;
        tx.commit()?;
        let device = device::load(&conn)?;
        let checkpoints = Checkpoints::start(
            &mut conn,
            store::open(&paths.db, data_key, false)?,
            Limits::JOURNAL,
        )?;
        Ok(Journal {
            conn,
            device: device.into(),
            paths,
            checkpoints,
            rounds: Default::default(),
        })
    }

    /// Records that the journal was locked (by the therapist, by idle
    /// time or by the system) and closes it; the data key leaves memory
    /// with the connection.
    pub fn lock(self, reason: &str) -> Result<()> {
        self.record(Event {
            action: Action::Lock,
            object_type: "journal",
            object_id: None,
            pupil_id: None,
            detail: reason.to_owned(),
        })
    }

    /// Rewraps the data key under `new`; the database is not rewritten.
    pub fn change_passphrase(dir: &Path, old: &Passphrase, new: &Passphrase) -> Result<()> {
        check_passphrase(new)?;
        let paths = JournalPaths::in_dir(dir);
        let data_key = unlock_key(&paths, old)?;
        let journal = Self::open_with_key(paths.clone(), &data_key)?;
        let params = keys::params_of(&paths.key_file)?;
        keys::write(&paths.key_file, new, params, &data_key)?;
        journal.record(Event {
            action: Action::KeyChange,
            object_type: "journal",
            object_id: None,
            pupil_id: None,
            detail: "passphrase changed".into(),
        })
    }

    pub fn device_id(&self) -> Uuid {
        self.device.id
    }

    pub fn device_public_key(&self) -> Vec<u8> {
        self.device.public_key().to_vec()
    }

    pub fn author(&self) -> &str {
        &self.device.author
    }

    pub fn paths(&self) -> &JournalPaths {
        &self.paths
    }

    /// Appends an audit row for what is not an operation: a read, an
    /// unlock or lock, a sync, an export. The row and the log's recorded
    /// head commit together, in a transaction of their own, or in the one
    /// of [`Journal::atomically`] when called inside it. A read's row is
    /// committed without an fsync, every other one with (ADR 0019).
    pub(crate) fn record(&self, event: Event<'_>) -> Result<()> {
        let durability = if event.action.is_read() {
            Durability::Os
        } else {
            Durability::Disk
        };
        let append = |conn: &Connection| {
            audit::append(
                conn,
                &self.device.author,
                &self.device.id.to_string(),
                clock::now(),
                event,
            )
        };
        if self.conn.is_autocommit() {
            store::commit(&self.conn, durability, append)
        } else {
            append(&self.conn)
        }
    }

    /// Makes, applies, signs and logs one operation atomically.
    pub(crate) fn commit(&mut self, payload: Payload, event: Event<'_>) -> Result<Operation> {
        let mut ops = self.commit_batch(vec![(payload, event)], None)?;
        Ok(ops.pop().expect("one operation was committed"))
    }

    /// Makes, applies, signs and logs several operations in ONE
    /// transaction: all of them or none (an import of a hundred weeks of
    /// absence must not stop half-way). Each operation gets its own audit
    /// row; `summary`, when given, is one more audit row after them (what
    /// the batch was as a whole), written in the same transaction.
    /// Runs `f` as ONE transaction: every operation it commits, or none.
    /// For a user action made of several core steps (the demo caseload
    /// and its absence weeks), where a failure half-way must leave nothing.
    pub(crate) fn atomically<T>(&mut self, f: impl FnOnce(&mut Journal) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(self) {
            Ok(value) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(value)
            }
            Err(e) => {
                // The error that made us roll back is the one to report.
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    pub(crate) fn commit_batch(
        &mut self,
        items: Vec<(Payload, Event<'_>)>,
        summary: Option<Event<'_>>,
    ) -> Result<Vec<Operation>> {
        let device_id = self.device.id;
        let author = self.device.author.clone();
        let now = clock::now();
        let tx = Step::begin(&mut self.conn)?;
        let (mut last_seq, mut last_hlc) = high_water(&tx, &device_id)?;
        let mut committed = Vec::with_capacity(items.len());
        for (payload, event) in items {
            last_seq += 1;
            let op = Operation {
                version: PROTOCOL_VERSION,
                id: Uuid::now_v7(),
                device_id,
                seq: u64::try_from(last_seq).unwrap_or(u64::MAX),
                hlc: Hlc::tick(last_hlc, now.timestamp_millis()),
                author: author.clone(),
                payload,
            };
            let signed = signing::sign(op, &self.device.key);
            check_size(&signed)?;
            replay::scope::commit_own(&tx, &signed)?;
            audit::append(&tx, &author, &device_id.to_string(), now, event)?;
            last_hlc = signed.op.hlc;
            committed.push(signed.op);
        }
        if let Some(event) = summary {
            audit::append(&tx, &author, &device_id.to_string(), now, event)?;
        }
        store::exec(
            &tx,
            "UPDATE high_water SET last_seq = ?1, last_hlc = ?2",
            params![last_seq, last_hlc.to_sortable()],
        )?;
        tx.commit()?;
        Ok(committed)
    }

    /// Every operation in the log, in replay order.
    pub fn operations(&self) -> Result<Vec<SignedOperation>> {
        self.query_ops("SELECT body FROM oplog ORDER BY hlc, device_id, seq", [])
    }

    /// Runs a query whose one column is the `body` of op log rows.
    pub(crate) fn query_ops(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<SignedOperation>> {
        let mut stmt = self.conn.prepare(sql)?;
        let bodies = stmt
            .query_map(params, |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        bodies
            .iter()
            .map(|b| {
                serde_json::from_str(b)
                    .map_err(|e| Error::Damaged(format!("unreadable operation in the log: {e}")))
            })
            .collect()
    }

    /// Checks that every operation in the log, own and pulled, carries a
    /// valid signature of its author device (by the key pinned for it),
    /// and that the tables are exactly a replay of the log.
    pub fn check_replay(&self) -> Result<()> {
        let ops = self.operations()?;
        crate::sync::verify_logged(&self.conn, self.device.id, &self.device_public_key(), &ops)?;
        self.verify_notices()?;
        replay::check(&self.conn, &ops)
    }

    /// The canonical dump of the materialised journal: one line a row of
    /// every table that replay writes, in a stable order, nothing local to
    /// this device. Two devices holding the same operations have the same
    /// dump.
    pub fn canonical_dump(&self) -> Result<Vec<String>> {
        replay::dump(&self.conn)
    }

    pub fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>> {
        let rows = audit::list(&self.conn, filter)?;
        self.record(Event {
            action: Action::Read,
            object_type: "audit-log",
            object_id: None,
            pupil_id: filter.pupil_id.clone(),
            detail: format!("{} rows", rows.len()),
        })?;
        Ok(rows)
    }

    pub fn audit_verify(&self) -> Result<AuditReport> {
        audit::verify(&self.conn)
    }

    /// The pupil a case belongs to, for audit rows.
    pub(crate) fn pupil_of_case(&self, case_id: &Uuid) -> Result<String> {
        self.conn
            .query_row(
                "SELECT pupil_id FROM cases WHERE id = ?1",
                [case_id.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::not_found("case", case_id))
    }
}

/// A journal's data key, kept to open copies of its files without
/// deriving the key again: the convergence test needs hundreds of fresh
/// journals, and runs Argon2id (at full strength) once per template
/// instead. Only with the `test-support` feature, never in a shipped
/// binary; it has no `Debug`, so it cannot be printed.
#[cfg(feature = "test-support")]
pub struct CopyKey(Key32);

#[cfg(feature = "test-support")]
impl Journal {
    /// Unlocks the journal in `dir` (Argon2id) and keeps its data key.
    pub fn copy_key(dir: &Path, pass: &Passphrase) -> Result<CopyKey> {
        Ok(CopyKey(unlock_key(&JournalPaths::in_dir(dir), pass)?))
    }

    /// Opens a copy of the files of the journal `key` came from.
    pub fn open_copy(dir: &Path, key: &CopyKey) -> Result<Journal> {
        Self::open_with_key(JournalPaths::in_dir(dir), &key.0)
    }
}

/// Refuses, when it is written, an operation the server would refuse at
/// every sync for its size.
fn check_size(signed: &SignedOperation) -> Result<()> {
    let size = serde_json::to_vec(signed)
        .expect("operation serialises")
        .len();
    if size > brygga_protocol::api::MAX_OP_BYTES {
        return Err(Error::invalid(ReasonCode::ChangeTooLarge, format!(
            "this change is too large to sync ({} KiB; at most {} KiB): shorten the text or split it",
            size / 1024,
            brygga_protocol::api::MAX_OP_BYTES / 1024
        ))
        .with("size_kib", size / 1024)
        .with("max_kib", brygga_protocol::api::MAX_OP_BYTES / 1024));
    }
    Ok(())
}

/// Builds the schema, the device identity and the first audit row under a
/// temporary name, and renames the finished file into place: a process
/// killed half-way leaves no `journal.db` that can be neither opened nor
/// created again, only a leftover that the next `create` replaces.
fn build_database(paths: &JournalPaths, data_key: &Key32, author: &str) -> Result<()> {
    let building = paths.db.with_extension("db.new");
    for leftover in ["", "-wal", "-shm"] {
        let mut name = building.clone().into_os_string();
        name.push(leftover);
        match std::fs::remove_file(PathBuf::from(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    let mut conn = store::open(&building, data_key, true)?;
    migrations::migrate(&mut conn)?;
    let now = clock::now();
    let tx = conn.transaction()?;
    let device = device::create(
        &tx,
        author,
        &replay::op_time(Hlc::tick(Hlc::ZERO, now.timestamp_millis())),
    )?;
    audit::append(
        &tx,
        author,
        &device.id.to_string(),
        now,
        Event {
            action: Action::Create,
            object_type: "journal",
            object_id: Some(device.id.to_string()),
            pupil_id: None,
            detail: String::new(),
        },
    )?;
    tx.commit()?;
    // Closing the last connection checkpoints the WAL into the file and
    // removes it, so the one file below is the whole database.
    conn.close().map_err(|(_, e)| Error::Storage(e))?;
    std::fs::rename(&building, &paths.db)?;
    crate::durable::sync_dir(&paths.dir)?;
    Ok(())
}

fn unlock_key(paths: &JournalPaths, pass: &Passphrase) -> Result<Key32> {
    match (paths.key_file.exists(), paths.db.exists()) {
        (_, false) => Err(Error::JournalMissing(paths.dir.clone())),
        (false, true) => Err(Error::KeyFileDamaged {
            path: paths.key_file.clone(),
            reason: "the key file is missing".into(),
        }),
        (true, true) => keys::unlock(&paths.key_file, pass),
    }
}

/// A commit's transaction: its own, or a savepoint inside the transaction
/// of [`Journal::atomically`].
enum Step<'c> {
    Own(rusqlite::Transaction<'c>),
    Nested(rusqlite::Savepoint<'c>),
}

impl<'c> Step<'c> {
    fn begin(conn: &'c mut rusqlite::Connection) -> Result<Step<'c>> {
        Ok(if conn.is_autocommit() {
            Step::Own(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
        } else {
            Step::Nested(conn.savepoint()?)
        })
    }

    fn commit(self) -> Result<()> {
        match self {
            Step::Own(tx) => tx.commit()?,
            Step::Nested(sp) => sp.commit()?,
        }
        Ok(())
    }
}

impl std::ops::Deref for Step<'_> {
    type Target = rusqlite::Connection;

    fn deref(&self) -> &rusqlite::Connection {
        match self {
            Step::Own(tx) => tx,
            Step::Nested(sp) => sp,
        }
    }
}

/// The last seq this device wrote and the clock its next operation must
/// pass: the kept high-water marks (migration 6), or the log where it is
/// further on (the clock of operations pulled from other laptops).
pub(crate) fn high_water(conn: &Connection, device_id: &Uuid) -> Result<(i64, Hlc)> {
    let (kept_seq, kept_hlc, log_seq, log_hlc): (i64, String, i64, Option<String>) = store::row(
        conn,
        "SELECT h.last_seq, h.last_hlc,
                    (SELECT COALESCE(MAX(seq), 0) FROM oplog WHERE device_id = ?1),
                    (SELECT MAX(hlc) FROM oplog)
             FROM high_water h",
        [device_id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let hlc = kept_hlc.max(log_hlc.unwrap_or_default());
    Ok((
        kept_seq.max(log_seq),
        Hlc::from_sortable(&hlc).unwrap_or(Hlc::ZERO),
    ))
}
