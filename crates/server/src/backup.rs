//! Backup and restore (docs/backup.md).
//!
//! A backup of the SQLite database is made while the server runs, with
//! `VACUUM INTO`: one read transaction, so the copy is the database as it
//! stood at one moment, whatever the server writes meanwhile. PostgreSQL is
//! backed up with its own `pg_dump`.
//!
//! After a database is put back (by [`restore_sqlite`], or by `pg_restore`)
//! [`after_restore`] re-applies the admin log and gives the database a new
//! history epoch: devices see it change in the status answer and push again
//! what the server lost.

use crate::admin::audit;
use crate::admin_log::{AdminAction, AdminLog, Logged};
use crate::error::{Error, Result};
use crate::retention;
use crate::store::plan::Revocation;
use crate::store::retention::{Keep, Purged, Settings};
use crate::store::{AuditFilter, AuditSource, NewDevice, Revoked, Store, StoreError, WriteBatch};
use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// Copies the database at `db` to a new file `out`, while the server may
/// be running. The copy is written beside `out` and renamed into place
/// once it is whole and on disk, so `out` is never a partial backup.
pub fn backup_sqlite(db: &Path, out: &Path) -> Result<()> {
    if out.exists() {
        return Err(Error::Usage(format!(
            "{} exists already; give a new file name",
            out.display()
        )));
    }
    let partial = with_suffix(out, ".partial");
    let _ = std::fs::remove_file(&partial);
    let conn = open_read_only(db)?;
    conn.execute("VACUUM INTO ?1", [partial.display().to_string()])
        .map_err(|e| Error::Usage(format!("backing up {}: {e}", db.display())))?;
    drop(conn);
    check_backup(&partial)?;
    sync_file(&partial)?;
    std::fs::rename(&partial, out).map_err(|source| Error::Io {
        what: format!("moving the backup into place at {}", out.display()),
        source,
    })?;
    sync_parent(out)
}

/// The audit action of a backup made with [`backup`].
pub const BACKUP_ACTION: &str = "server.backup";

/// A backup made, as the server's audit log recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    pub at_ms: i64,
    /// The file, as the command was given it.
    pub file: String,
    /// Its size when it was made.
    pub bytes: Option<u64>,
}

/// The SQLite database file of a `sqlite:` URL; None for PostgreSQL.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    url.strip_prefix("sqlite:")
        .map(|p| PathBuf::from(p.strip_prefix("//").unwrap_or(p)))
}

/// Backs the database of `url` up to the new file `out` ([`backup_sqlite`];
/// PostgreSQL is backed up with `pg_dump`, outside the server) and records
/// the backup with its size in the server's audit log, where the
/// administrator's page lists it ([`made`]).
pub async fn backup(url: &str, out: &Path) -> Result<Made> {
    let Some(db) = sqlite_path(url) else {
        return Err(Error::Usage(
            "a PostgreSQL database is backed up with pg_dump (docs/backup.md)".into(),
        ));
    };
    backup_sqlite(&db, out)?;
    let bytes = std::fs::metadata(out)
        .map_err(|source| Error::Io {
            what: format!("reading the size of {}", out.display()),
            source,
        })?
        .len();
    let file = out.display().to_string();
    let record = audit(BACKUP_ACTION, &file, format!("bytes={bytes}"));
    let at_ms = record.at_ms;
    let batch = WriteBatch {
        audits: vec![record],
        ..WriteBatch::default()
    };
    crate::store::open(url).await?.write(batch).await?;
    Ok(Made {
        at_ms,
        file,
        bytes: Some(bytes),
    })
}

/// The backups [`backup`] made and recorded, newest first (as long as the
/// audit log keeps their rows: `retention purge`'s audit years).
pub async fn made(store: &dyn Store) -> Result<Vec<Made>> {
    let filter = AuditFilter {
        action: Some(BACKUP_ACTION.into()),
        ..AuditFilter::default()
    };
    let mut made = Vec::new();
    crate::admin::audit_list(store, &filter, None, None, |row| {
        // A device's own audit rows are what the device wrote: only the
        // server's rows of the admin command count.
        if row.source == AuditSource::Server && row.actor == crate::admin::ACTOR {
            made.push(Made {
                at_ms: row.at_ms,
                file: row.object.unwrap_or_default(),
                bytes: row
                    .detail
                    .strip_prefix("bytes=")
                    .and_then(|b| b.parse().ok()),
            });
        }
        Ok(())
    })
    .await?;
    made.reverse();
    Ok(made)
}

/// Puts the backup `backup` in place of the database at `db`. The server
/// must be stopped (checked: the database is locked for the whole step).
/// Nothing is deleted: the database it replaces is moved aside, with its
/// WAL, to the returned path.
pub fn restore_sqlite(backup: &Path, db: &Path) -> Result<PathBuf> {
    check_backup(backup)?;
    let _lock = lock_stopped(db)?;
    let aside = with_suffix(
        db,
        &format!(
            ".before-restore-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ),
    );
    for suffix in ["", "-wal", "-shm"] {
        let from = with_suffix(db, suffix);
        if from.exists() {
            std::fs::rename(&from, with_suffix(&aside, suffix)).map_err(|source| Error::Io {
                what: format!("moving {} aside", from.display()),
                source,
            })?;
        }
    }
    let partial = with_suffix(db, ".partial");
    std::fs::copy(backup, &partial).map_err(|source| Error::Io {
        what: format!("copying {} to {}", backup.display(), partial.display()),
        source,
    })?;
    sync_file(&partial)?;
    std::fs::rename(&partial, db).map_err(|source| Error::Io {
        what: format!(
            "moving the restored database into place at {}",
            db.display()
        ),
        source,
    })?;
    sync_parent(db)?;
    Ok(aside)
}

/// What became of one logged action when it was applied again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reapplied {
    /// The restored database did not hold it; now it does.
    Applied,
    /// The restored database held it already.
    AlreadyThere,
    /// It cannot be applied (e.g. a revocation of a device neither the
    /// backup nor the log knows).
    NotPossible(String),
}

/// What [`after_restore`] did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub actions: Vec<(Logged, Reapplied)>,
    pub epoch: String,
}

/// Re-applies the admin log to a restored database, oldest action first,
/// then gives it a new history epoch. Safe to run again.
pub async fn after_restore(store: &dyn Store, log: &AdminLog) -> Result<Restored> {
    let mut actions = Vec::new();
    for logged in log.read()? {
        let outcome = reapply(store, &logged).await?;
        actions.push((logged, outcome));
    }
    let epoch = new_epoch()?;
    store
        .set_history_epoch(
            &epoch,
            audit(
                "server.restore",
                "history",
                format!(
                    "new history epoch; {} logged admin actions re-applied",
                    actions
                        .iter()
                        .filter(|(_, o)| *o == Reapplied::Applied)
                        .count()
                ),
            ),
        )
        .await?;
    Ok(Restored { actions, epoch })
}

async fn reapply(store: &dyn Store, logged: &Logged) -> Result<Reapplied> {
    const DETAIL: &str = "re-applied from the admin log after a restore";
    let outcome = match &logged.action {
        AdminAction::TeamAdd { name } => store
            .add_team(name, audit("team.add", name, DETAIL.into()))
            .await
            .map(|_| Reapplied::Applied),
        AdminAction::UserAdd { name, team } => store
            .add_user(name, team, audit("user.add", name, DETAIL.into()))
            .await
            .map(|_| Reapplied::Applied),
        AdminAction::DeviceEnroll {
            device_id,
            user,
            public_key_hex,
            name,
        } => {
            let public_key = hex::decode(public_key_hex).map_err(|e| {
                Error::Usage(format!("the admin log's key of device {device_id}: {e}"))
            })?;
            let device = NewDevice {
                id: *device_id,
                public_key,
                name: name.clone(),
            };
            let subject = device_id.to_string();
            store
                .reenroll(
                    user,
                    device,
                    logged.at_ms,
                    audit("enroll", &subject, DETAIL.into()),
                )
                .await
                .map(applied_if)
        }
        AdminAction::DeviceRevoke {
            device_id,
            last_seq,
        } => {
            let asked = Revocation {
                revoked_at_ms: logged.at_ms,
                last_seq: *last_seq,
            };
            let subject = device_id.to_string();
            store
                .revoke_device(
                    *device_id,
                    asked,
                    audit("device.revoke", &subject, DETAIL.into()),
                )
                .await
                .map(|r| match r {
                    Revoked::Now => Reapplied::Applied,
                    Revoked::Already => Reapplied::AlreadyThere,
                })
        }
        AdminAction::CasePurge {
            case_id,
            team,
            notice,
        } => {
            let Some(team) = store.teams().await?.into_iter().find(|t| &t.name == team) else {
                return Ok(Reapplied::NotPossible(format!("team '{team}' is unknown")));
            };
            let purge = retention::case_purge(case_id, team.id, notice, DETAIL.into())?;
            store.purge_case(purge).await.map(|p| match p {
                Purged::Now { .. } => Reapplied::Applied,
                Purged::Already => Reapplied::AlreadyThere,
            })
        }
        AdminAction::CaseKeep { case_id, reason } => {
            let (action, keep) = match reason {
                Some(reason) => (
                    "retention.keep",
                    Some(Keep {
                        reason: reason.clone(),
                        set_at_ms: logged.at_ms,
                    }),
                ),
                None => ("retention.keep-clear", None),
            };
            store
                .set_case_keep(
                    *case_id,
                    keep,
                    audit(action, &case_id.to_string(), DETAIL.into()),
                )
                .await
                .map(applied_if)
        }
        AdminAction::RetentionSettings {
            case_years,
            audit_years,
            case_leaves_laptop_after_days,
            notice,
        } => {
            let settings = Settings {
                case_years: *case_years,
                audit_years: *audit_years,
                case_leaves_laptop_after_days: *case_leaves_laptop_after_days,
            };
            let row = notice
                .as_ref()
                .map(|n| retention::notice_row(n, None))
                .transpose()?;
            let detail = format!("{}; {DETAIL}", retention::settings_detail(&settings));
            store
                .set_retention_settings(
                    settings,
                    row,
                    audit("retention.settings", "retention", detail),
                )
                .await
                .map(applied_if)
        }
        AdminAction::SettingsNotices { notices } => store
            .add_notices(
                crate::settings::rows(notices)?,
                crate::settings::audit_row(notices, Some(DETAIL)),
            )
            .await
            .map(applied_if),
    };
    match outcome {
        Ok(done) => Ok(done),
        Err(StoreError::AlreadyExists(_)) => Ok(Reapplied::AlreadyThere),
        Err(StoreError::NotFound(what)) => Ok(Reapplied::NotPossible(format!("{what} is unknown"))),
        Err(e) => Err(e.into()),
    }
}

/// Applied when it changed anything, else the backup held it.
fn applied_if(changed: bool) -> Reapplied {
    if changed {
        Reapplied::Applied
    } else {
        Reapplied::AlreadyThere
    }
}

fn new_epoch() -> Result<String> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Usage("no randomness for the history epoch".into()))?;
    Ok(hex::encode(bytes))
}

fn open_read_only(path: &Path) -> Result<Connection> {
    if !path.exists() {
        return Err(Error::Usage(format!("{} does not exist", path.display())));
    }
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::Usage(format!("opening {}: {e}", path.display())))
}

/// A whole SQLite file of a brygga-server database, or why not.
fn check_backup(path: &Path) -> Result<()> {
    let not_one = |why: String| {
        Error::Usage(format!(
            "{} is not a brygga-server backup: {why}",
            path.display()
        ))
    };
    let conn = open_read_only(path)?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| not_one(e.to_string()))?;
    if check != "ok" {
        return Err(not_one(format!("damaged ({check})")));
    }
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'
             AND name IN ('schema_migrations', 'devices', 'ops')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| not_one(e.to_string()))?;
    if tables != 3 {
        return Err(not_one("it has no devices and operations".into()));
    }
    Ok(())
}

/// Holds the database locked so no server can open it meanwhile, or says
/// that one has it open. A running server keeps its connections open, and
/// an exclusive lock is refused while any is.
fn lock_stopped(db: &Path) -> Result<Option<Connection>> {
    if !db.exists() {
        return Ok(None);
    }
    let conn =
        Connection::open(db).map_err(|e| Error::Usage(format!("opening {}: {e}", db.display())))?;
    let locked = conn
        .pragma_update(None, "locking_mode", "EXCLUSIVE")
        .and_then(|()| conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;"));
    match locked {
        Ok(()) => Ok(Some(conn)),
        Err(e) => Err(Error::Usage(format!(
            "{} is in use ({e}): stop brygga-server before restoring",
            db.display()
        ))),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|source| Error::Io {
            what: format!("writing {} to disk", path.display()),
            source,
        })
}

/// The rename of a file is on disk once its directory is.
fn sync_parent(path: &Path) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    sync_file(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database(path: &Path) -> Connection {
        let conn = Connection::open(path).expect("open");
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE schema_migrations (version INTEGER);
             CREATE TABLE devices (id TEXT);
             CREATE TABLE ops (body TEXT);
             INSERT INTO ops VALUES ('before the backup');",
        )
        .expect("tables");
        conn
    }

    fn ops(path: &Path) -> Vec<String> {
        let conn = open_read_only(path).expect("open");
        let mut st = conn.prepare("SELECT body FROM ops").expect("prepare");
        st.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    }

    #[test]
    fn a_backup_is_the_database_at_one_moment_and_restores_with_the_old_one_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("server.db");
        let live = database(&db);
        let out = dir.path().join("backup.db");
        backup_sqlite(&db, &out).expect("backup while the database is open");
        assert!(
            backup_sqlite(&db, &out).is_err(),
            "an existing backup is never overwritten"
        );
        live.execute("INSERT INTO ops VALUES ('after the backup')", [])
            .expect("write");
        assert!(
            matches!(restore_sqlite(&out, &db), Err(Error::Usage(m)) if m.contains("stop brygga-server")),
            "refused while a connection has the database open"
        );
        drop(live);
        let aside = restore_sqlite(&out, &db).expect("restore");
        assert_eq!(ops(&db), vec!["before the backup"]);
        assert_eq!(
            ops(&aside),
            vec!["before the backup", "after the backup"],
            "the replaced database is kept, with what its WAL held"
        );
    }

    #[test]
    fn a_file_that_is_not_a_backup_is_refused_and_nothing_moves() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("server.db");
        drop(database(&db));
        let other = dir.path().join("notes.txt");
        std::fs::write(&other, "not a database").expect("write");
        assert!(restore_sqlite(&other, &db).is_err());
        assert_eq!(ops(&db), vec!["before the backup"]);
    }

    /// A backup made through [`backup`] is listed with its size; a
    /// device's audit row of the same action is not; PostgreSQL is refused.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_backup_is_recorded_with_its_size_and_listed() {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite:{}", dir.path().join("server.db").display());
        let store = crate::store::open(&url).await.expect("open");
        let forged = crate::store::AuditRecord {
            at_ms: crate::clock::now_ms(),
            actor: format!("device:{}", uuid::Uuid::now_v7()),
            action: BACKUP_ACTION.into(),
            subject: Some("/nowhere".into()),
            detail: "bytes=1".into(),
        };
        let batch = WriteBatch {
            audits: vec![forged],
            ..WriteBatch::default()
        };
        store.write(batch).await.expect("write");
        let out = dir.path().join("backup.db");
        let made = backup(&url, &out).await.expect("backup");
        let size = std::fs::metadata(&out).expect("backup file").len();
        assert_eq!(
            (made.file.as_str(), made.bytes),
            (out.display().to_string().as_str(), Some(size))
        );
        let second = dir.path().join("backup-2.db");
        let newer = backup(&url, &second).await.expect("backup");
        assert_eq!(
            super::made(store.as_ref()).await.expect("made"),
            vec![newer, made]
        );
        assert!(matches!(
            backup("postgres://brygga@db/brygga", &dir.path().join("x.db")).await,
            Err(Error::Usage(m)) if m.contains("pg_dump")
        ));
    }
}
