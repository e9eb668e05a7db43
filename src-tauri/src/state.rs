//! The app's state: the journal when unlocked, idle tracking, settings.
//!
//! `journal` is `None` while locked. Locking drops the [`Journal`], which
//! closes the SQLCipher connection (and with it the key SQLCipher holds);
//! no passphrase or key is kept anywhere in the shell.

use crate::error::{IpcError, IpcResult, ShellReason};
use crate::sync_task::SyncTask;
use brygga_core::{Journal, JournalPaths, SetAside};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Auto-lock after this many idle minutes unless the user chose otherwise.
pub const DEFAULT_IDLE_MINUTES: u32 = 5;
/// The range the idle setting may take.
pub const IDLE_MINUTES_RANGE: std::ops::RangeInclusive<u32> = 1..=60;

const SETTINGS_FILE: &str = "settings.json";

/// Device settings that must be readable while the journal is locked, so
/// they live beside it in plain JSON. They hold nothing about anyone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Settings {
    pub idle_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle_minutes: DEFAULT_IDLE_MINUTES,
        }
    }
}

impl Settings {
    fn load(dir: &Path) -> Settings {
        std::fs::read_to_string(dir.join(SETTINGS_FILE))
            .ok()
            .and_then(|s| serde_json::from_str::<Settings>(&s).ok())
            .filter(|s| IDLE_MINUTES_RANGE.contains(&s.idle_minutes))
            .unwrap_or_default()
    }

    fn save(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(dir.join(SETTINGS_FILE), json)
    }
}

/// Why the journal was locked; sent to the UI with the `brygga://locked`
/// event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LockReason {
    User,
    Idle,
    SystemSuspend,
    /// The server revoked this device; the core wiped the journal.
    Wiped,
}

impl LockReason {
    /// The words the audit log records.
    pub fn as_str(self) -> &'static str {
        match self {
            LockReason::User => "locked by the user",
            LockReason::Idle => "locked after idle time",
            LockReason::SystemSuspend => "locked on system suspend or screen lock",
            LockReason::Wiped => "journal wiped after revocation",
        }
    }
}

pub struct AppState {
    pub data_dir: PathBuf,
    journal: Mutex<Option<Journal>>,
    /// Wall-clock time of the last user activity. Wall clock, not a
    /// monotonic one: on Linux the monotonic clock stops while the system
    /// is suspended, the wall clock does not, so a laptop that slept longer
    /// than the idle time is locked the moment it wakes.
    last_activity: Mutex<SystemTime>,
    settings: Mutex<Settings>,
    /// The background sync loop of the unlocked session, if any.
    sync_task: Mutex<Option<SyncTask>>,
}

fn poisoned<T>(_: T) -> IpcError {
    IpcError::internal("a previous operation failed badly; restart Brygga")
}

impl AppState {
    pub fn new(data_dir: PathBuf) -> AppState {
        let settings = Settings::load(&data_dir);
        AppState {
            data_dir,
            journal: Mutex::new(None),
            last_activity: Mutex::new(SystemTime::now()),
            settings: Mutex::new(settings),
            sync_task: Mutex::new(None),
        }
    }

    pub fn paths(&self) -> JournalPaths {
        JournalPaths::in_dir(&self.data_dir)
    }

    pub fn journal_exists(&self) -> bool {
        self.paths().db.exists()
    }

    /// Runs `f` on the unlocked journal; `locked` when there is none.
    pub fn with<T>(&self, f: impl FnOnce(&mut Journal) -> brygga_core::Result<T>) -> IpcResult<T> {
        self.touch();
        let mut guard = self.journal.lock().map_err(poisoned)?;
        let journal = guard.as_mut().ok_or_else(IpcError::locked)?;
        f(journal).map_err(IpcError::from)
    }

    /// Runs `f` on the unlocked journal without counting as user activity
    /// (the background sync); None when locked.
    pub fn with_sync<T>(&self, f: impl FnOnce(&mut Journal) -> T) -> Option<T> {
        let mut guard = self.journal.lock().ok()?;
        guard.as_mut().map(f)
    }

    /// The journal as the background sync reaches it: only for the moments
    /// a round reads or writes it, never across a network call.
    pub fn journal_access(&self) -> &dyn brygga_core::sync::JournalAccess {
        &self.journal
    }

    /// Replaces the background sync loop (stopping the old one).
    pub fn set_sync_task(&self, task: SyncTask) {
        if let Ok(mut slot) = self.sync_task.lock() {
            if let Some(old) = slot.replace(task) {
                old.stop();
            }
        }
    }

    /// Asks the background sync loop for a round now.
    pub fn trigger_sync(&self) {
        if let Ok(slot) = self.sync_task.lock() {
            if let Some(task) = slot.as_ref() {
                task.trigger();
            }
        }
    }

    pub fn set_journal(&self, journal: Journal) -> IpcResult<()> {
        self.touch();
        *self.journal.lock().map_err(poisoned)? = Some(journal);
        Ok(())
    }

    /// Closes the journal, recording why in its audit log. Returns
    /// whether it was unlocked.
    pub fn lock(&self, reason: LockReason) -> bool {
        if let Some(task) = self.sync_task.lock().ok().and_then(|mut t| t.take()) {
            task.stop();
        }
        let taken = match self.journal.lock() {
            Ok(mut guard) => guard.take(),
            // A poisoned lock still holds the journal: take it out anyway.
            Err(poisoned) => poisoned.into_inner().take(),
        };
        match taken {
            // A wiped journal has no log left to write to.
            Some(journal) if reason != LockReason::Wiped => {
                if let Err(e) = journal.lock(reason.as_str()) {
                    eprintln!("brygga: could not record the lock in the audit log: {e}");
                }
                true
            }
            Some(_) => true,
            None => false,
        }
    }

    pub fn author(&self) -> Option<String> {
        self.journal
            .lock()
            .ok()
            .and_then(|g| g.as_ref().map(|j| j.author().to_owned()))
    }

    pub fn touch(&self) {
        if let Ok(mut t) = self.last_activity.lock() {
            *t = SystemTime::now();
        }
    }

    pub fn idle_for(&self) -> Duration {
        self.last_activity
            .lock()
            .ok()
            .and_then(|t| SystemTime::now().duration_since(*t).ok())
            .unwrap_or_default()
    }

    pub fn settings(&self) -> Settings {
        self.settings.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn set_idle_minutes(&self, minutes: u32) -> IpcResult<Settings> {
        if !IDLE_MINUTES_RANGE.contains(&minutes) {
            return Err(IpcError::invalid(
                ShellReason::IdleMinutes,
                format!(
                    "the idle time must be {} to {} minutes",
                    IDLE_MINUTES_RANGE.start(),
                    IDLE_MINUTES_RANGE.end()
                ),
            )
            .with("min", IDLE_MINUTES_RANGE.start())
            .with("max", IDLE_MINUTES_RANGE.end()));
        }
        let mut settings = self.settings.lock().map_err(poisoned)?;
        settings.idle_minutes = minutes;
        settings
            .save(&self.data_dir)
            .map_err(|e| IpcError::internal(format!("could not save the settings: {e}")))?;
        Ok(settings.clone())
    }

    /// Moves the journal aside (brygga_core::set_aside) so that a new one
    /// can be created in its place; refused while it is unlocked, as one
    /// who can open it has no need to start again.
    pub fn set_aside(&self) -> IpcResult<SetAside> {
        let journal = self.journal.lock().map_err(poisoned)?;
        if journal.is_some() {
            return Err(IpcError::not_allowed(
                ShellReason::JournalUnlocked,
                "the journal is unlocked; lock it before starting again",
            ));
        }
        let aside = brygga_core::set_aside(&self.data_dir)?;
        // The settings went aside with the folder; they are this laptop's,
        // not the journal's, so they stay.
        self.settings()
            .save(&self.data_dir)
            .map_err(|e| IpcError::internal(format!("could not save the settings: {e}")))?;
        Ok(aside)
    }

    /// Locks when unlocked and idle longer than the setting. Returns
    /// whether it locked.
    pub fn lock_if_idle(&self) -> bool {
        let limit = Duration::from_secs(u64::from(self.settings().idle_minutes) * 60);
        self.idle_for() >= limit && self.lock(LockReason::Idle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use brygga_core::Passphrase;

    #[test]
    fn settings_round_trip_and_refuse_out_of_range() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = AppState::new(dir.path().to_owned());
        assert_eq!(state.settings().idle_minutes, DEFAULT_IDLE_MINUTES);
        state.set_idle_minutes(12).expect("saved");
        assert_eq!(
            AppState::new(dir.path().to_owned()).settings().idle_minutes,
            12
        );
        assert!(state.set_idle_minutes(0).is_err());
        assert!(state.set_idle_minutes(61).is_err());
    }

    #[test]
    fn starting_again_is_refused_while_unlocked_and_keeps_the_settings() {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("brygga");
        let state = AppState::new(dir.clone());
        state.set_idle_minutes(12).expect("saved");
        let journal = Journal::create(
            &dir,
            &Passphrase::new("fiktivt lösenord 123".into()),
            "Fiktiv Handläggare",
        )
        .expect("create");
        let id = journal.device_id();
        state.set_journal(journal).expect("set");
        let refused = state.set_aside().expect_err("unlocked");
        assert_eq!(refused.params["reason"], "journal-unlocked");

        state.lock(LockReason::User);
        let aside = state.set_aside().expect("set aside");
        assert_eq!(aside.card.map(|c| c.device_id), Some(id));
        assert!(aside.folder.join("journal.db").exists());
        assert!(!state.journal_exists());
        assert_eq!(AppState::new(dir).settings().idle_minutes, 12);
    }

    #[test]
    fn locked_journal_answers_locked_and_idle_locks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = AppState::new(dir.path().to_owned());
        let err = state.with(|j| j.caseload()).expect_err("locked");
        assert_eq!(err, IpcError::locked());
        let journal = Journal::create(
            dir.path(),
            &Passphrase::new("fiktivt lösenord 123".into()),
            "Fiktiv Handläggare",
        )
        .expect("create");
        state.set_journal(journal).expect("set");
        assert!(state.with(|j| j.caseload()).expect("open").is_empty());
        assert!(!state.lock_if_idle(), "just used: not idle");
        *state.last_activity.lock().expect("lock") =
            SystemTime::now() - Duration::from_secs(6 * 60);
        assert!(state.lock_if_idle());
        assert!(state.author().is_none());
    }
}
