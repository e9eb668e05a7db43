//! The team's record converges: a property test over random work on 3–5
//! laptops and random sync schedules against a real server store (SQLite;
//! PostgreSQL too when BRYGGA_TEST_POSTGRES_URL is set), with pushes and
//! pulls cut midway, server restarts, the server restored to an earlier
//! backup (docs/backup.md) and a laptop that joins late. After a
//! final full sync every laptop has the same canonical dump, holds every
//! operation, and passes its replay check (every signature verified).
//!
//! Real SQLCipher journals (copies of templates made once per run, so
//! Argon2id runs once per laptop, at full strength), real signatures, the
//! real replay; the server's store is called in-process instead of over
//! HTTPS (tests/sync.rs covers the real processes).
//!
//! BRYGGA_CONVERGENCE_CASES sets the number of cases on SQLite (CI: 500),
//! BRYGGA_CONVERGENCE_POSTGRES_CASES on PostgreSQL (CI: 40, in the
//! server_postgres stage; each case gets a database of its own).
//! All people here are fictional.

use brygga_core::sync::{plan::Remote, NoticesPage, PulledPage, PushVerdict, SyncError, Transport};
use brygga_core::{
    ActionStatus, ContactEdit, ContactFilter, CopyKey, DisclosureGround, EntryKind, GuardianField,
    Journal, Keep, MinutesResult, NewAction, NewCheckin, NewConsent, NewContact, NewDeviation,
    NewDisclosure, NewEntry, NewGuardian, NewLadderStep, NewMinutes, NewPlan, NewProgramme,
    NewPupil, Passphrase, PlanRevision, RevisedAction,
};
use brygga_protocol::api::{AuditPushResponse, DirectoryEntry};
use brygga_protocol::audit::AuditRow;
use brygga_protocol::op::SignedOperation;
use brygga_server::store::{
    self, Admission, AuditRecord, DynStore, NewDevice, NonceRecord, PreparedOp, PushBatch,
    RequestWrite, StoredOutcome, WriteBatch,
};
use chrono::{Datelike, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use uuid::Uuid;

const PASSPHRASE: &str = "fiktivt lösenord för test";
const MAX_DEVICES: usize = 5;
/// Fictional personnummer: few, so that two laptops register one person.
const PNRS: [&str; 3] = ["20121008-9882", "20110315-2383", "20120229-4567"];

/// A laptop's journal made once, and the key to open copies of it.
struct Template {
    dir: tempfile::TempDir,
    key: CopyKey,
    device_id: Uuid,
    public_key: Vec<u8>,
}

fn templates() -> &'static Vec<Template> {
    static T: OnceLock<Vec<Template>> = OnceLock::new();
    T.get_or_init(|| {
        (0..MAX_DEVICES)
            .map(|i| {
                let dir = tempfile::tempdir().expect("tempdir");
                let pass = Passphrase::new(PASSPHRASE.into());
                let j = Journal::create(dir.path(), &pass, &format!("Fiktiv Behandlare {i}"))
                    .expect("journal");
                let (device_id, public_key) = (j.device_id(), j.device_public_key());
                drop(j);
                let key = Journal::copy_key(dir.path(), &pass).expect("key");
                Template {
                    dir,
                    key,
                    device_id,
                    public_key,
                }
            })
            .collect()
    })
}

fn copy_journal(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for name in ["journal.db", "key.json"] {
        std::fs::copy(from.join(name), to.join(name)).expect("copy");
    }
}

// ------------------------------------------------------------ the server --

/// Where the server's store lives.
enum Backend {
    Sqlite,
    /// A PostgreSQL server's URL; each case creates a database there.
    Postgres(String),
}

/// A case's fresh, empty server database: a file in a temporary directory,
/// or a PostgreSQL database dropped again when the case ends.
enum Database {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Database {
    fn new(backend: &Backend) -> Database {
        match backend {
            Backend::Sqlite => Database::Sqlite(tempfile::tempdir().expect("tempdir")),
            Backend::Postgres(url) => {
                let name = format!("convergence_{}", Uuid::now_v7().simple());
                psql(url, &format!("CREATE DATABASE {name}"));
                Database::Postgres {
                    admin_url: url.clone(),
                    name,
                }
            }
        }
    }

    fn url(&self) -> String {
        match self {
            Database::Sqlite(dir) => format!("sqlite:{}", dir.path().join("server.db").display()),
            Database::Postgres { admin_url, name } => {
                let (server, _db) = admin_url.rsplit_once('/').expect("a database in the URL");
                format!("{server}/{name}")
            }
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Database::Postgres { admin_url, name } = self {
            psql(
                admin_url,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

fn psql(url: &str, sql: &str) {
    let status = std::process::Command::new("psql")
        .args(["-q", url, "-c", sql])
        .status()
        .expect("run psql");
    assert!(status.success(), "{sql} failed");
}

/// The server's store, called in-process; restarts reopen it.
struct Server {
    rt: tokio::runtime::Runtime,
    store: RefCell<Option<DynStore>>,
    team_id: i64,
    /// The newest backup, if one was made.
    backup: RefCell<Option<PathBuf>>,
    /// Where backups go (and the admin log, empty: every laptop is
    /// enrolled before the first backup).
    backups: tempfile::TempDir,
    // Dropped last: the store closes before its database goes.
    db: Database,
}

fn audit(action: &str) -> AuditRecord {
    AuditRecord {
        at_ms: Utc::now().timestamp_millis(),
        actor: "admin".into(),
        action: action.into(),
        subject: None,
        detail: String::new(),
    }
}

impl Server {
    fn start(devices: &[&Template], backend: &Backend) -> Server {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let db = Database::new(backend);
        let team = "team";
        let store = rt.block_on(store::open(&db.url())).expect("store");
        let team_id = rt
            .block_on(store.add_team(team, audit("team.add")))
            .expect("team")
            .id;
        for (i, t) in devices.iter().enumerate() {
            let user = format!("{team}-user{i}");
            rt.block_on(async {
                store.add_user(&user, team, audit("user.add")).await?;
                let code = format!("{:064x}", Uuid::now_v7().as_u128());
                store
                    .add_enroll_code(&user, &code, i64::MAX, audit("code"))
                    .await?;
                store
                    .enroll(
                        &code,
                        NewDevice {
                            id: t.device_id,
                            public_key: t.public_key.clone(),
                            name: format!("laptop {i}"),
                        },
                        Utc::now().timestamp_millis(),
                        audit("enroll"),
                    )
                    .await
            })
            .expect("enrol");
        }
        Server {
            rt,
            store: RefCell::new(Some(store)),
            team_id,
            backup: RefCell::new(None),
            backups: tempfile::tempdir().expect("backup dir"),
            db,
        }
    }

    fn store(&self) -> DynStore {
        self.store.borrow().clone().expect("server running")
    }

    fn restart(&self) {
        drop(self.store.borrow_mut().take());
        let store = self
            .rt
            .block_on(store::open(&self.db.url()))
            .expect("reopen");
        *self.store.borrow_mut() = Some(store);
    }

    /// A backup of the database as it is now, as docs/backup.md says.
    fn back_up(&self) {
        let file = self
            .backups
            .path()
            .join(format!("backup-{}", Uuid::now_v7().simple()));
        match &self.db {
            Database::Sqlite(dir) => {
                brygga_server::backup::backup_sqlite(&dir.path().join("server.db"), &file)
                    .expect("backup");
            }
            Database::Postgres { .. } => brygga_e2e::dump_postgres(&self.db.url(), &file),
        }
        *self.backup.borrow_mut() = Some(file);
    }

    /// The server stopped, its database put back to the newest backup (a
    /// restart when there is none) and started again with a new history
    /// epoch.
    fn restore(&self) {
        let Some(file) = self.backup.borrow().clone() else {
            return self.restart();
        };
        drop(self.store.borrow_mut().take());
        match &self.db {
            Database::Sqlite(dir) => {
                brygga_server::backup::restore_sqlite(&file, &dir.path().join("server.db"))
                    .expect("restore");
            }
            Database::Postgres { .. } => brygga_e2e::restore_postgres(&self.db.url(), &file),
        }
        self.restart();
        let log = brygga_server::admin_log::AdminLog::at(self.backups.path().join("admin-log"));
        self.rt
            .block_on(brygga_server::backup::after_restore(
                self.store().as_ref(),
                &log,
            ))
            .expect("after the restore");
    }
}

/// Where a round is cut: the n-th push or pull call of the round fails
/// (a push after the server stored it: the answer is lost).
#[derive(Clone, Copy, Debug)]
enum Cut {
    None,
    Push(u8),
    Pull(u8),
}

struct Link<'a> {
    server: &'a Server,
    device: Uuid,
    cut: Cut,
    pushes: Cell<u8>,
    pulls: Cell<u8>,
}

fn lost() -> SyncError {
    SyncError::Unreachable("connection cut (test)".into())
}

impl Transport for Link<'_> {
    fn status(&self) -> Result<Remote, SyncError> {
        let store = self.server.store();
        let (latest, epoch) = self
            .server
            .rt
            .block_on(async {
                let latest = store.latest_server_seq(self.server.team_id).await?;
                Ok::<_, brygga_server::store::StoreError>((latest, store.history_epoch().await?))
            })
            .map_err(|e| SyncError::Refused(e.to_string()))?;
        Ok(Remote {
            latest_server_seq: latest,
            history_epoch: epoch,
            server_key: String::new(),
        })
    }

    fn devices(&self) -> Result<Vec<DirectoryEntry>, SyncError> {
        let devices = self
            .server
            .rt
            .block_on(self.server.store().team_devices(self.server.team_id))
            .map_err(|e| SyncError::Refused(e.to_string()))?;
        Ok(devices
            .into_iter()
            .map(|d| DirectoryEntry {
                device_id: d.id,
                public_key_hex: hex::encode(&d.public_key),
                user: d.user,
                team: d.team.name,
                enrolled_at_ms: d.enrolled_at_ms,
                revoked_at_ms: d.revoked_at_ms,
                last_seq: d.last_seq_at_revocation.map(|s| s as u64),
            })
            .collect())
    }

    fn push(&self, ops: &[SignedOperation]) -> Result<Vec<(Uuid, PushVerdict)>, SyncError> {
        let n = self.pushes.get() + 1;
        self.pushes.set(n);
        let prepared = ops
            .iter()
            .map(|s| PreparedOp {
                op_id: s.op.id,
                device_id: s.op.device_id,
                seq: s.op.seq as i64,
                type_name: s.op.payload.type_name(),
                scope: s.op.payload.scope(),
                body: serde_json::to_string(s).expect("json"),
            })
            .collect();
        let now = Utc::now().timestamp_millis();
        let write = WriteBatch {
            requests: vec![RequestWrite {
                nonce: NonceRecord {
                    device_id: self.device,
                    nonce: Uuid::now_v7().to_string(),
                    expires_at_ms: now + 60_000,
                },
                push: Some(PushBatch {
                    device_id: self.device,
                    team_id: self.server.team_id,
                    received_at_ms: now,
                    ops: prepared,
                }),
                audit: None,
            }],
            audits: vec![],
        };
        let result = self
            .server
            .rt
            .block_on(self.server.store().write(write))
            .map_err(|e| SyncError::Refused(e.to_string()))?;
        if matches!(self.cut, Cut::Push(k) if k == n) {
            return Err(lost());
        }
        let Some(Admission::Admitted(outcomes)) = result.requests.into_iter().next() else {
            return Err(SyncError::Refused("not admitted".into()));
        };
        Ok(ops
            .iter()
            .zip(outcomes)
            .map(|(s, o)| {
                let verdict = match o {
                    StoredOutcome::Accepted { .. } => PushVerdict::Accepted,
                    StoredOutcome::Duplicate { .. } => PushVerdict::Duplicate,
                    StoredOutcome::Rejected { reason } => PushVerdict::Rejected(reason),
                };
                (s.op.id, verdict)
            })
            .collect())
    }

    fn pull(&self, after: i64, limit: u32) -> Result<PulledPage, SyncError> {
        let n = self.pulls.get() + 1;
        self.pulls.set(n);
        if matches!(self.cut, Cut::Pull(k) if k == n) {
            return Err(lost());
        }
        // Small pages, so that a cut falls between pages.
        let page = self
            .server
            .rt
            .block_on(
                self.server
                    .store()
                    .pull(self.server.team_id, after, limit.min(7)),
            )
            .map_err(|e| SyncError::Refused(e.to_string()))?;
        Ok(PulledPage {
            ops: page
                .ops
                .into_iter()
                .map(|(seq, body)| (seq, serde_json::from_str(&body).expect("json")))
                .collect(),
            more: page.more,
        })
    }

    fn push_audit(&self, rows: &[AuditRow]) -> Result<AuditPushResponse, SyncError> {
        self.server
            .rt
            .block_on(self.server.store().push_audit(store::AuditPush {
                device_id: self.device,
                received_at_ms: Utc::now().timestamp_millis(),
                rows: rows.to_vec(),
            }))
            .map_err(|e| SyncError::Refused(e.to_string()))
    }
    // This in-process server holds no notice key (its status says so),
    // and no case leaves a laptop within a test: neither is ever asked.
    fn notices(&self, _after: i64) -> Result<NoticesPage, SyncError> {
        Err(SyncError::Refused(
            "no notices from the in-process server".into(),
        ))
    }

    fn case_ops(&self, _case_id: Uuid) -> Result<PulledPage, SyncError> {
        Err(SyncError::Refused(
            "no case fetched back from the in-process server".into(),
        ))
    }
}

// ------------------------------------------------------------- the work --

/// One step of a case. Indexes pick among what the laptop shows (modulo
/// its length), so every step is meaningful whatever came before.
#[derive(Clone, Debug)]
enum Step {
    Register {
        dev: usize,
        pnr: usize,
    },
    Draft {
        dev: usize,
        case: usize,
        text: u8,
    },
    Edit {
        dev: usize,
        entry: usize,
        text: u8,
    },
    Sign {
        dev: usize,
        entry: usize,
    },
    Correct {
        dev: usize,
        entry: usize,
    },
    Guardian {
        dev: usize,
        case: usize,
    },
    Phone {
        dev: usize,
        guardian: usize,
        value: u8,
    },
    Plan {
        dev: usize,
        case: usize,
    },
    Status {
        dev: usize,
        action: usize,
        status: u8,
    },
    /// A new version of a plan: its needs changed, and half the time an
    /// action added.
    Revise {
        dev: usize,
        plan: usize,
        text: u8,
        add: bool,
    },
    /// Signed minutes of a collaboration meeting with a result of one of
    /// the case's actions.
    Minutes {
        dev: usize,
        action: usize,
        text: u8,
    },
    /// A check-in; a pupil not seen who was expected gets a follow-up.
    Checkin {
        dev: usize,
        case: usize,
        seen: bool,
    },
    /// A plan action scheduled on a weekday (0 = today's) at a time.
    Schedule {
        dev: usize,
        action: usize,
        day: u8,
        minute: u8,
    },
    FollowupDone {
        dev: usize,
        followup: usize,
    },
    /// A step of the return ladder, with or without a planned next one.
    Ladder {
        dev: usize,
        case: usize,
        step: usize,
        next: Option<usize>,
    },
    /// Back2School started for a case (with or without a return date), or,
    /// when it follows it already, its return date moved.
    Programme {
        dev: usize,
        case: usize,
        days: u8,
    },
    /// The team's key persons: one added, a field changed (the phone or
    /// the role) or one who left the role, by `what`.
    Contact {
        dev: usize,
        contact: usize,
        what: u8,
        value: u8,
    },
    /// A deviation in collaboration recorded against a case (naming one
    /// of its plan actions or none), or a known one's status changed, by
    /// `what`.
    Deviation {
        dev: usize,
        pick: usize,
        what: u8,
        value: u8,
    },
    /// A consent recorded for a case, or a disclosure recorded in its
    /// register under one of its active consents or a named ground, by
    /// `value`.
    Disclosure {
        dev: usize,
        case: usize,
        value: u8,
    },
    Close {
        dev: usize,
        case: usize,
    },
    Reopen {
        dev: usize,
        case: usize,
    },
    Resolve {
        dev: usize,
        conflict: usize,
        keep_lost: bool,
    },
    Sync {
        dev: usize,
        cut: Cut,
    },
    Restart,
    Backup,
    Restore,
}

fn step() -> impl Strategy<Value = Step> {
    let dev = 0..MAX_DEVICES;
    let pick = 0..8usize;
    prop_oneof![
        2 => (dev.clone(), 0..PNRS.len()).prop_map(|(dev, pnr)| Step::Register { dev, pnr }),
        3 => (dev.clone(), pick.clone(), any::<u8>()).prop_map(|(dev, case, text)| Step::Draft { dev, case, text }),
        3 => (dev.clone(), pick.clone(), any::<u8>()).prop_map(|(dev, entry, text)| Step::Edit { dev, entry, text }),
        2 => (dev.clone(), pick.clone()).prop_map(|(dev, entry)| Step::Sign { dev, entry }),
        1 => (dev.clone(), pick.clone()).prop_map(|(dev, entry)| Step::Correct { dev, entry }),
        1 => (dev.clone(), pick.clone()).prop_map(|(dev, case)| Step::Guardian { dev, case }),
        2 => (dev.clone(), pick.clone(), any::<u8>()).prop_map(|(dev, guardian, value)| Step::Phone { dev, guardian, value }),
        1 => (dev.clone(), pick.clone()).prop_map(|(dev, case)| Step::Plan { dev, case }),
        1 => (dev.clone(), pick.clone(), 0..4u8).prop_map(|(dev, action, status)| Step::Status { dev, action, status }),
        2 => (dev.clone(), pick.clone(), any::<u8>(), any::<bool>()).prop_map(|(dev, plan, text, add)| Step::Revise { dev, plan, text, add }),
        1 => (dev.clone(), pick.clone(), any::<u8>()).prop_map(|(dev, action, text)| Step::Minutes { dev, action, text }),
        1 => (dev.clone(), pick.clone(), any::<bool>()).prop_map(|(dev, case, seen)| Step::Checkin { dev, case, seen }),
        2 => (dev.clone(), pick.clone(), 0..2u8, 0..60u8).prop_map(|(dev, action, day, minute)| Step::Schedule { dev, action, day, minute }),
        1 => (dev.clone(), pick.clone()).prop_map(|(dev, followup)| Step::FollowupDone { dev, followup }),
        2 => (dev.clone(), pick.clone(), 0..5usize, proptest::option::of(0..5usize)).prop_map(|(dev, case, step, next)| Step::Ladder { dev, case, step, next }),
        2 => (dev.clone(), pick.clone(), any::<u8>()).prop_map(|(dev, case, days)| Step::Programme { dev, case, days }),
        2 => (dev.clone(), pick.clone(), 0..4u8, any::<u8>()).prop_map(|(dev, contact, what, value)| Step::Contact { dev, contact, what, value }),
        2 => (dev.clone(), pick.clone(), 0..3u8, any::<u8>()).prop_map(|(dev, pick, what, value)| Step::Deviation { dev, pick, what, value }),
        2 => (dev.clone(), pick.clone(), any::<u8>()).prop_map(|(dev, case, value)| Step::Disclosure { dev, case, value }),
        1 => (dev.clone(), pick.clone()).prop_map(|(dev, case)| Step::Close { dev, case }),
        1 => (dev.clone(), pick.clone()).prop_map(|(dev, case)| Step::Reopen { dev, case }),
        1 => (dev.clone(), pick.clone(), any::<bool>()).prop_map(|(dev, conflict, keep_lost)| Step::Resolve { dev, conflict, keep_lost }),
        4 => (dev, prop_oneof![3 => Just(Cut::None), 1 => (1..3u8).prop_map(Cut::Push), 1 => (1..4u8).prop_map(Cut::Pull)])
            .prop_map(|(dev, cut)| Step::Sync { dev, cut }),
        1 => Just(Step::Restart),
        1 => Just(Step::Backup),
        1 => Just(Step::Restore),
    ]
}

#[derive(Clone, Debug)]
struct Scenario {
    devices: usize,
    /// This laptop does nothing until the last third of the steps.
    late: Option<usize>,
    steps: Vec<Step>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        3..=MAX_DEVICES,
        any::<bool>(),
        prop::collection::vec(step(), 5..40),
    )
        .prop_map(|(devices, late, steps)| Scenario {
            devices,
            late: late.then_some(devices - 1),
            steps,
        })
}

fn pick<T: Clone>(items: &[T], i: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[i % items.len()].clone())
}

fn note(text: String, key_persons: Vec<Uuid>) -> NewEntry {
    NewEntry {
        kind: EntryKind::Note,
        event_at: Utc::now(),
        participants: vec![],
        key_persons,
        fields: BTreeMap::new(),
        text,
    }
}

struct Laptop {
    journal: Journal,
}

impl Laptop {
    fn cases(&self, open_only: bool) -> Vec<Uuid> {
        self.journal
            .list_cases(!open_only)
            .expect("cases")
            .into_iter()
            .filter(|c| !open_only || c.status == "open")
            .map(|c| c.id.parse().expect("uuid"))
            .collect()
    }

    fn closed_cases(&self) -> Vec<Uuid> {
        let open = self.cases(true);
        self.cases(false)
            .into_iter()
            .filter(|c| !open.contains(c))
            .collect()
    }

    fn entries(&self, status: &str) -> Vec<Uuid> {
        self.cases(false)
            .into_iter()
            .flat_map(|c| self.journal.list_entries(c).expect("entries"))
            .filter(|e| e.status == status && e.kind == EntryKind::Note)
            .map(|e| e.id.parse().expect("uuid"))
            .collect()
    }

    fn actions(&self) -> Vec<Uuid> {
        self.details()
            .iter()
            .flat_map(|d| d.plans.iter())
            .flat_map(|p| p.actions.iter().map(|a| a.id.parse().expect("uuid")))
            .collect()
    }

    /// A key person who holds their role, for an odd `n` (an even one
    /// names none, so typed participants and owners stay in the game).
    fn key_person(&self, n: usize) -> Option<Uuid> {
        let held: Vec<Uuid> = self
            .journal
            .list_contacts(&ContactFilter::default())
            .expect("contacts")
            .iter()
            .map(|c| c.id.parse().expect("uuid"))
            .collect();
        pick(&held, n / 2).filter(|_| n % 2 == 1)
    }

    fn details(&self) -> Vec<brygga_core::views::CaseDetail> {
        self.cases(false)
            .into_iter()
            .map(|c| self.journal.case_detail(c).expect("detail"))
            .collect()
    }

    /// Does the step's work; a refusal of the journal's own rules (a
    /// closed case, a second check-in today) is part of the game.
    fn work(&mut self, step: &Step) {
        let j = &mut self.journal;
        let _ = match step.clone() {
            Step::Register { pnr, .. } => j
                .add_pupil(NewPupil {
                    name: "Fiktiv Elev".into(),
                    personnummer: PNRS[pnr].into(),
                    school: "Fiktiva skolan".into(),
                    grade: 8,
                    protected_identity: false,
                })
                .and_then(|p| j.open_case(p))
                .map(drop),
            Step::Draft { case, text, .. } => match pick(&self.cases(true), case) {
                Some(c) => {
                    let linked = self.key_person(text.into()).into_iter().collect();
                    self.journal
                        .draft_entry(c, note(format!("Anteckning {text}"), linked))
                        .map(drop)
                }
                None => Ok(()),
            },
            Step::Edit { entry, text, .. } => match pick(&self.entries("draft"), entry) {
                Some(e) => {
                    let linked = self.key_person(text.into()).into_iter().collect();
                    self.journal
                        .edit_draft(e, note(format!("Ändrad {text}"), linked))
                }
                None => Ok(()),
            },
            Step::Sign { entry, .. } => match pick(&self.entries("draft"), entry) {
                Some(e) => self.journal.sign_entry(e),
                None => Ok(()),
            },
            Step::Correct { entry, .. } => match pick(&self.entries("signed"), entry) {
                Some(e) => self
                    .journal
                    .correct_entry(e, "Rättad text", "Fel datum")
                    .map(drop),
                None => Ok(()),
            },
            Step::Guardian { case, .. } => match pick(&self.cases(true), case) {
                Some(c) => self
                    .journal
                    .add_guardian(NewGuardian {
                        case_id: c,
                        name: "Fiktiv Förälder".into(),
                        relation: "mamma".into(),
                        phone: None,
                        email: None,
                        address: None,
                    })
                    .map(drop),
                None => Ok(()),
            },
            Step::Phone {
                guardian, value, ..
            } => {
                let guardians: Vec<Uuid> = self
                    .details()
                    .iter()
                    .flat_map(|d| d.guardians.iter().map(|g| g.id.parse().expect("uuid")))
                    .collect();
                match pick(&guardians, guardian) {
                    Some(g) => self.journal.set_guardian_field(
                        g,
                        GuardianField::Phone,
                        &format!("070-{value:03}"),
                    ),
                    None => Ok(()),
                }
            }
            Step::Plan { case, .. } => match pick(&self.cases(true), case) {
                Some(c) => {
                    let owner = self.key_person(case);
                    self.journal
                        .create_plan(NewPlan {
                            case_id: c,
                            needs: "Trygg skolstart".into(),
                            goals: vec!["Närvaro 80 %".into()],
                            lead_party: "Skolan".into(),
                            follow_up_on: NaiveDate::from_ymd_opt(2027, 1, 15).expect("date"),
                            actions: vec![NewAction {
                                who: "Mentor".into(),
                                what: "Möter eleven vid entrén".into(),
                                due_on: None,
                                contact_id: owner,
                            }],
                        })
                        .map(drop)
                }
                None => Ok(()),
            },
            Step::Status { action, status, .. } => {
                let actions = self.actions();
                let status = [
                    ActionStatus::Planned,
                    ActionStatus::Ongoing,
                    ActionStatus::Done,
                    ActionStatus::Cancelled,
                ][status as usize];
                match pick(&actions, action) {
                    Some(a) => self.journal.set_action_status(a, status),
                    None => Ok(()),
                }
            }
            Step::Revise {
                plan, text, add, ..
            } => {
                let plans: Vec<_> = self.details().into_iter().flat_map(|d| d.plans).collect();
                match pick(&plans, plan) {
                    Some(p) => self.journal.revise_plan(PlanRevision {
                        plan_id: p.id.parse().expect("uuid"),
                        needs: format!("Behov {text}"),
                        goals: p.goals,
                        lead_party: p.lead_party,
                        follow_up_on: p.follow_up_on.parse().expect("date"),
                        actions: add
                            .then(|| RevisedAction {
                                id: None,
                                action: NewAction {
                                    who: "BUP".into(),
                                    contact_id: None,
                                    what: format!("Samtal {text}"),
                                    due_on: None,
                                },
                            })
                            .into_iter()
                            .collect(),
                    }),
                    None => Ok(()),
                }
            }
            Step::Minutes { action, text, .. } => {
                let actions: Vec<(Uuid, Uuid)> = self
                    .details()
                    .iter()
                    .flat_map(|d| {
                        let case: Uuid = d.case.id.parse().expect("uuid");
                        d.plans.iter().flat_map(move |p| {
                            p.actions
                                .iter()
                                .map(move |a| (case, a.id.parse().expect("uuid")))
                        })
                    })
                    .collect();
                match pick(&actions, action) {
                    Some((case_id, action_id)) => self
                        .journal
                        .write_minutes(NewMinutes {
                            case_id,
                            event_at: Utc::now(),
                            participants: vec!["Fiktiv Mentor".into()],
                            key_persons: vec![],
                            parties: "Skolan, BUP".into(),
                            text: format!("Protokoll {text}"),
                            results: vec![MinutesResult {
                                action_id,
                                result: format!("Resultat {text}"),
                            }],
                        })
                        .map(drop),
                    None => Ok(()),
                }
            }
            Step::Schedule {
                action,
                day,
                minute,
                ..
            } => match pick(&self.actions(), action) {
                // Today's weekday half the time, so that a pupil not seen
                // is often expected.
                Some(a) => {
                    let today = chrono::Local::now().date_naive().weekday();
                    let day = if day == 0 { today } else { today.succ() };
                    self.journal
                        .schedule_action(a, vec![day], &format!("08:{minute:02}"))
                }
                None => Ok(()),
            },
            Step::FollowupDone { followup, .. } => {
                let open: Vec<Uuid> = self
                    .journal
                    .followups()
                    .expect("follow-ups")
                    .iter()
                    .map(|f| f.id.parse().expect("uuid"))
                    .collect();
                match pick(&open, followup) {
                    Some(f) => self.journal.followup_done(f),
                    None => Ok(()),
                }
            }
            Step::Checkin { case, seen, .. } => match pick(&self.cases(true), case) {
                Some(c) => self
                    .journal
                    .record_checkins(
                        Utc::now(),
                        vec![NewCheckin {
                            case_id: c,
                            arrival: if seen { "arrived" } else { "not-seen" }.into(),
                            time: seen.then(|| "08:10".into()),
                            note: String::new(),
                            followup: None,
                        }],
                    )
                    .map(drop),
                None => Ok(()),
            },
            Step::Ladder {
                case, step, next, ..
            } => match pick(&self.cases(true), case) {
                Some(c) => {
                    let key = |i: usize| brygga_core::ladder::default_ladder_steps()[i].key.clone();
                    self.journal
                        .set_ladder_step(NewLadderStep {
                            case_id: c,
                            step: key(step),
                            note: "Fiktivt beslut".into(),
                            next_step: next.map(key),
                            next_on: next.and(NaiveDate::from_ymd_opt(2027, 2, 1)),
                        })
                        .map(drop)
                }
                None => Ok(()),
            },
            Step::Programme { case, days, .. } => match pick(&self.cases(true), case) {
                Some(c) => {
                    let on = chrono::Local::now().date_naive()
                        + chrono::Duration::days(30 + i64::from(days));
                    match self.journal.programme(c) {
                        Ok(None) => self
                            .journal
                            .start_programme(NewProgramme {
                                case_id: c,
                                template: "back2school".into(),
                                return_date: (days % 2 == 0).then_some(on),
                            })
                            .map(drop),
                        _ => self.journal.plan_return_date(c, on),
                    }
                }
                None => Ok(()),
            },
            Step::Contact {
                contact,
                what,
                value,
                ..
            } => {
                let all = ContactFilter {
                    all: true,
                    ..ContactFilter::default()
                };
                let known: Vec<Uuid> = j
                    .list_contacts(&all)
                    .expect("contacts")
                    .iter()
                    .map(|c| c.id.parse().expect("uuid"))
                    .collect();
                match (pick(&known, contact), what) {
                    (None, _) | (_, 0) => j
                        .add_contact(NewContact {
                            org_kind: "school".into(),
                            org_name: "Fiktiva skolan".into(),
                            role: "mentor".into(),
                            name: format!("Fiktiv Mentor {value}"),
                            phone: Some(format!("08-000 {value:03}")),
                            email: None,
                        })
                        .map(drop),
                    (Some(c), 1) => j.edit_contact(
                        c,
                        ContactEdit {
                            phone: Some(format!("08-111 {value:03}")),
                            ..ContactEdit::default()
                        },
                    ),
                    (Some(c), 2) => j.edit_contact(
                        c,
                        ContactEdit {
                            role: Some(format!("rektor {value}")),
                            ..ContactEdit::default()
                        },
                    ),
                    (Some(c), _) => j.contact_left_role(c),
                }
            }
            Step::Deviation {
                pick: i,
                what,
                value,
                ..
            } => {
                let known: Vec<Uuid> = self
                    .cases(false)
                    .into_iter()
                    .flat_map(|c| self.journal.list_deviations(c).expect("deviations"))
                    .map(|d| d.id.parse().expect("uuid"))
                    .collect();
                match (pick(&known, i), what) {
                    (Some(d), 1..) => {
                        let status = ["open", "raised", "mended"][usize::from(value % 3)];
                        self.journal.set_deviation_status(d, status)
                    }
                    _ => match pick(&self.cases(true), i) {
                        Some(c) => {
                            let of_case: Vec<Uuid> = self
                                .journal
                                .case_detail(c)
                                .expect("detail")
                                .plans
                                .iter()
                                .flat_map(|p| p.actions.iter().map(|a| a.id.parse().expect("uuid")))
                                .collect();
                            let action =
                                pick(&of_case, usize::from(value)).filter(|_| value % 2 == 0);
                            let category =
                                brygga_core::DeviationCategory::ALL[usize::from(value) % 5];
                            self.journal
                                .add_deviation(NewDeviation {
                                    case_id: c,
                                    action_id: action,
                                    partner: "bup".into(),
                                    category: category.as_str().into(),
                                    text: format!("Fiktiv avvikelse {value}"),
                                })
                                .map(drop)
                        }
                        None => Ok(()),
                    },
                }
            }
            Step::Disclosure { case, value, .. } => match pick(&self.cases(false), case) {
                Some(c) if value % 3 == 0 => self
                    .journal
                    .record_consent(NewConsent {
                        case_id: c,
                        guardian_id: None,
                        scope: "Skolgång".into(),
                        recipient: "BUP".into(),
                        purpose: "Samordning".into(),
                        form: brygga_core::ConsentForm::Oral,
                        given_on: NaiveDate::from_ymd_opt(2026, 1, 5).expect("date"),
                        valid_until: None,
                    })
                    .map(drop),
                Some(c) => {
                    let active: Vec<Uuid> = self
                        .journal
                        .case_detail(c)
                        .expect("detail")
                        .consents
                        .iter()
                        .filter(|k| k.active)
                        .map(|k| k.id.parse().expect("uuid"))
                        .collect();
                    let ground = match pick(&active, usize::from(value)) {
                        Some(consent_id) if value % 3 == 1 => {
                            DisclosureGround::Consent { consent_id }
                        }
                        _ => DisclosureGround::Other {
                            ground: format!("Fiktiv grund {value}"),
                        },
                    };
                    self.journal
                        .record_disclosure(NewDisclosure {
                            case_id: c,
                            recipient: format!("Fiktiv mottagare {value}"),
                            what: "Muntligt vid samverkansmöte".into(),
                            ground,
                        })
                        .map(drop)
                }
                None => Ok(()),
            },
            Step::Close { case, .. } => match pick(&self.cases(true), case) {
                Some(c) => self.journal.close_case(c),
                None => Ok(()),
            },
            Step::Reopen { case, .. } => match pick(&self.closed_cases(), case) {
                Some(c) => self.journal.reopen_case(c),
                None => Ok(()),
            },
            Step::Resolve {
                conflict,
                keep_lost,
                ..
            } => {
                let conflicts = self.journal.sync_status().expect("status").conflicts;
                match pick(&conflicts, conflict) {
                    Some(c) if c.kind == "after-signature" && keep_lost => self
                        .journal
                        .adopt_as_correction(
                            c.lost_op_id.parse().expect("uuid"),
                            "Kom efter signeringen",
                        )
                        .map(drop),
                    Some(c) => self.journal.resolve_conflict(
                        c.lost_op_id.parse().expect("uuid"),
                        if keep_lost { Keep::Lost } else { Keep::Current },
                    ),
                    None => Ok(()),
                }
            }
            Step::Sync { .. } | Step::Restart | Step::Backup | Step::Restore => Ok(()),
        };
    }
}

fn dev_of(step: &Step) -> Option<usize> {
    match step {
        Step::Register { dev, .. }
        | Step::Draft { dev, .. }
        | Step::Edit { dev, .. }
        | Step::Sign { dev, .. }
        | Step::Correct { dev, .. }
        | Step::Guardian { dev, .. }
        | Step::Phone { dev, .. }
        | Step::Plan { dev, .. }
        | Step::Status { dev, .. }
        | Step::Revise { dev, .. }
        | Step::Minutes { dev, .. }
        | Step::Checkin { dev, .. }
        | Step::Ladder { dev, .. }
        | Step::Programme { dev, .. }
        | Step::Schedule { dev, .. }
        | Step::FollowupDone { dev, .. }
        | Step::Contact { dev, .. }
        | Step::Deviation { dev, .. }
        | Step::Disclosure { dev, .. }
        | Step::Close { dev, .. }
        | Step::Reopen { dev, .. }
        | Step::Resolve { dev, .. }
        | Step::Sync { dev, .. } => Some(*dev),
        Step::Restart | Step::Backup | Step::Restore => None,
    }
}

fn sync(laptop: &mut Laptop, server: &Server, device: Uuid, cut: Cut) -> Result<(), String> {
    let link = Link {
        server,
        device,
        cut,
        pushes: Cell::new(0),
        pulls: Cell::new(0),
    };
    match laptop.journal.sync(&link) {
        Ok(_) => Ok(()),
        Err(SyncError::Unreachable(_)) if !matches!(cut, Cut::None) => Ok(()),
        Err(e) => Err(format!("sync failed: {e}")),
    }
}

fn run(s: &Scenario, backend: &Backend, root: &Path, case_no: usize) -> Result<(), TestCaseError> {
    let t = templates();
    let dir: PathBuf = root.join(format!("case-{case_no}"));
    let used: Vec<&Template> = t.iter().take(s.devices).collect();
    let mut laptops: Vec<Laptop> = used
        .iter()
        .enumerate()
        .map(|(i, tpl)| {
            let to = dir.join(format!("laptop-{i}"));
            copy_journal(tpl.dir.path(), &to);
            Laptop {
                journal: Journal::open_copy(&to, &tpl.key).expect("open copy"),
            }
        })
        .collect();
    let server = Server::start(&used, backend);
    let late_from = s.steps.len() * 2 / 3;
    for (n, step) in s.steps.iter().enumerate() {
        let Some(dev) = dev_of(step).map(|d| d % s.devices) else {
            match step {
                Step::Backup => server.back_up(),
                Step::Restore => server.restore(),
                _ => server.restart(),
            }
            continue;
        };
        if s.late == Some(dev) && n < late_from {
            continue;
        }
        match step {
            Step::Sync { cut, .. } => sync(&mut laptops[dev], &server, used[dev].device_id, *cut)
                .map_err(TestCaseError::fail)?,
            _ => laptops[dev].work(step),
        }
    }
    // The final full sync: everyone pushes, then everyone pulls.
    for _ in 0..2 {
        for (i, l) in laptops.iter_mut().enumerate() {
            sync(l, &server, used[i].device_id, Cut::None).map_err(TestCaseError::fail)?;
        }
    }
    // Cut rounds, restarts and rows sent again never look like a break
    // in a laptop's audit chain.
    let breaks = server
        .rt
        .block_on(server.store().audit_breaks())
        .expect("breaks");
    prop_assert!(breaks.is_empty(), "audit chains broke: {:?}", breaks);
    let all: BTreeSet<String> = laptops
        .iter()
        .flat_map(|l| l.journal.operations().expect("ops"))
        .map(|s| s.op.id.to_string())
        .collect();
    let first = laptops[0].journal.canonical_dump().expect("dump");
    for (i, l) in laptops.iter().enumerate() {
        let status = l.journal.sync_status().expect("status");
        prop_assert_eq!(status.pending, 0, "laptop {} has unpushed work", i);
        prop_assert!(
            status.quarantined.iter().all(|q| q.direction == "replay"),
            "laptop {} refused operations: {:?}",
            i,
            status.quarantined
        );
        let mine: BTreeSet<String> = l
            .journal
            .operations()
            .expect("ops")
            .into_iter()
            .map(|s| s.op.id.to_string())
            .collect();
        prop_assert_eq!(&mine, &all, "laptop {} misses operations", i);
        if let Err(e) = l.journal.check_replay() {
            return Err(TestCaseError::fail(format!("laptop {i}: {e}")));
        }
        let dump = l.journal.canonical_dump().expect("dump");
        if dump != first {
            let diff: Vec<_> = dump
                .iter()
                .zip(&first)
                .filter(|(a, b)| a != b)
                .take(3)
                .collect();
            return Err(TestCaseError::fail(format!(
                "laptop {i} differs from laptop 0 ({} vs {} rows): {diff:?}",
                dump.len(),
                first.len()
            )));
        }
    }
    drop(laptops);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Runs `cases` random scenarios (after the kept regressions) against one
/// kind of server store.
fn converge(backend: Backend, cases: u32) {
    let root = tempfile::tempdir().expect("tempdir");
    let mut runner = TestRunner::new(Config {
        cases,
        // Shrunk failing cases are kept here and run first, every time.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "regressions/convergence.txt",
        ))),
        ..Config::default()
    });
    let counter = Cell::new(0usize);
    runner
        .run(&scenario(), |s| {
            counter.set(counter.get() + 1);
            run(&s, &backend, root.path(), counter.get())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

fn cases(var: &str, default: u32) -> u32 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn every_laptop_ends_with_the_same_journal() {
    converge(Backend::Sqlite, cases("BRYGGA_CONVERGENCE_CASES", 500));
}

/// The same on PostgreSQL (scripts/postgres-test.sh sets the URL; the
/// server_postgres stage runs it). Outside CI, without a URL, it is skipped
/// loudly; in CI a missing URL fails.
#[test]
fn postgres_every_laptop_ends_with_the_same_journal() {
    match std::env::var("BRYGGA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => converge(
            Backend::Postgres(url),
            cases("BRYGGA_CONVERGENCE_POSTGRES_CASES", 40),
        ),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("BRYGGA_TEST_POSTGRES_URL is not set but CI=true: run it through scripts/postgres-test.sh")
        }
        _ => eprintln!(
            "\n!!!!!!!! SKIPPED: PostgreSQL convergence (set BRYGGA_TEST_POSTGRES_URL) !!!!!!!!\n"
        ),
    }
}
