//! The admin log: every change to who may reach the server (a team, a
//! user, an enrolment, a revocation) and to what it keeps (a purge, a keep
//! flag, the retention settings, the municipality's settings and
//! programme templates), one JSON line each, in a file that is meant to
//! live beside the backups, not in the database.
//!
//! A restore puts back a database as it was when the backup was made; what
//! the admin did after it would be undone with it: a revoked laptop could
//! sync again, a laptop enrolled since could not. `brygga-server restore`
//! re-applies this log (each action is idempotent), so the restored server
//! knows the devices it knew before (docs/backup.md).

use crate::error::{Error, Result};
use brygga_protocol::notice::SignedNotice;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// One action, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum AdminAction {
    TeamAdd {
        name: String,
    },
    UserAdd {
        name: String,
        team: String,
    },
    DeviceEnroll {
        device_id: Uuid,
        user: String,
        /// Raw 32-byte Ed25519 public key, hex.
        public_key_hex: String,
        name: String,
    },
    DeviceRevoke {
        device_id: Uuid,
        /// The highest seq of the device's operations the server held.
        last_seq: i64,
    },
    /// A case purged, with the notice as signed: a restore puts back the
    /// same notice (id and signature), not a new one.
    CasePurge {
        case_id: Uuid,
        team: String,
        notice: SignedNotice,
    },
    /// A keep flag set (with its reason) or lifted (None).
    CaseKeep {
        case_id: Uuid,
        reason: Option<String>,
    },
    RetentionSettings {
        case_years: u32,
        audit_years: u32,
        case_leaves_laptop_after_days: u32,
        /// The notice that told the devices, when the days changed.
        notice: Option<SignedNotice>,
    },
    /// Notices of the municipality's settings as signed (ladder steps,
    /// absence thresholds, a programme template): a restore puts back the
    /// same notices.
    SettingsNotices {
        notices: Vec<SignedNotice>,
    },
}

/// A line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logged {
    pub at_ms: i64,
    #[serde(flatten)]
    pub action: AdminAction,
}

/// The log file.
#[derive(Debug, Clone)]
pub struct AdminLog {
    path: PathBuf,
}

impl AdminLog {
    pub fn at(path: PathBuf) -> AdminLog {
        AdminLog { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `action` and waits for it to reach the disk. One `write`
    /// of the whole line in append mode: the server and an admin command
    /// appending at once never interleave within a line.
    pub fn append(&self, at_ms: i64, action: AdminAction) -> Result<()> {
        let mut line = serde_json::to_vec(&Logged { at_ms, action })
            .map_err(|e| Error::Usage(format!("admin log line: {e}")))?;
        line.push(b'\n');
        let io = |source| Error::Io {
            what: format!("appending to the admin log {}", self.path.display()),
            source,
        };
        // Readable by the server's user alone: a line added to this file is
        // re-applied by a restore (docs/threat-model.md).
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&self.path)
            .map_err(io)?;
        file.write_all(&line).map_err(io)?;
        file.sync_data().map_err(io)
    }

    /// Every action logged, oldest first; none when there is no log. A
    /// last line cut short (a crash while appending) is left out; a bad
    /// line before it is an error, since what follows it may depend on it.
    pub fn read(&self) -> Result<Vec<Logged>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(Error::Io {
                    what: format!("reading the admin log {}", self.path.display()),
                    source,
                })
            }
        };
        let complete = text.ends_with('\n');
        let lines: Vec<&str> = text.lines().collect();
        let mut logged = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            match serde_json::from_str(line) {
                Ok(entry) => logged.push(entry),
                Err(_) if i + 1 == lines.len() && !complete => {
                    tracing::warn!(line = i + 1, "the admin log's last line is cut short");
                }
                Err(e) => {
                    return Err(Error::Usage(format!(
                        "the admin log {} line {} is not understood: {e}",
                        self.path.display(),
                        i + 1
                    )))
                }
            }
        }
        Ok(logged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revoke(n: u128) -> AdminAction {
        AdminAction::DeviceRevoke {
            device_id: Uuid::from_u128(n),
            last_seq: 3,
        }
    }

    #[test]
    fn what_is_appended_is_read_back_in_order() {
        let dir = tempfile::tempdir().expect("dir");
        let log = AdminLog::at(dir.path().join("admin-log.jsonl"));
        assert_eq!(log.read().expect("no log yet"), vec![]);
        log.append(
            1,
            AdminAction::TeamAdd {
                name: "Fiktiva teamet".into(),
            },
        )
        .expect("append");
        log.append(2, revoke(7)).expect("append");
        let read = log.read().expect("read");
        assert_eq!(read.len(), 2);
        assert_eq!(
            read[1],
            Logged {
                at_ms: 2,
                action: revoke(7)
            }
        );
    }

    #[test]
    fn a_line_cut_short_at_the_end_is_left_out_and_one_in_the_middle_is_an_error() {
        let dir = tempfile::tempdir().expect("dir");
        let log = AdminLog::at(dir.path().join("admin-log.jsonl"));
        log.append(1, revoke(1)).expect("append");
        let whole = std::fs::read_to_string(log.path()).expect("text");
        std::fs::write(log.path(), format!("{whole}{{\"at_ms\":2,\"act")).expect("cut");
        assert_eq!(log.read().expect("read").len(), 1);
        std::fs::write(log.path(), format!("{{\"at_ms\":2,\"act\n{whole}")).expect("bad");
        assert!(matches!(log.read(), Err(Error::Usage(_))));
    }
}
