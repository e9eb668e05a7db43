//! Starting again on a laptop whose journal cannot be opened (a forgotten
//! passphrase): the journal's folder is moved aside, whole, to a dated
//! folder beside it, and never deleted; IT can still open it there if the
//! passphrase turns up (docs/adr/0020-starting-again-on-a-laptop.md).
//!
//! One rename moves the database, its key file and the device card
//! together: a crash leaves either the old journal in place or none, never
//! a key file without its database (which the next `create` would
//! replace).

use crate::clock;
use crate::device_card::{self, DeviceCard};
use crate::error::{Error, Result};
use crate::journal::JournalPaths;
use std::path::{Path, PathBuf};

/// Where the old journal went, and what its card said.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetAside {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub folder: PathBuf,
    /// None for a journal from before device cards: its id is then only
    /// in the server's device list.
    pub card: Option<DeviceCard>,
}

/// Moves the journal folder `dir` aside to `DIR-set-aside-DATE-TIME` next
/// to it; `dir` is left absent, ready for a new journal.
pub fn set_aside(dir: &Path) -> Result<SetAside> {
    if !JournalPaths::in_dir(dir).db.exists() {
        return Err(Error::JournalMissing(dir.to_owned()));
    }
    let card = device_card::read(dir);
    let folder = free_name(dir)?;
    std::fs::rename(dir, &folder)?;
    if let Some(parent) = folder.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::durable::sync_dir(parent)?;
    }
    Ok(SetAside { folder, card })
}

/// `DIR-set-aside-YYYY-MM-DD-HHMMSS` (UTC), with `-2`, `-3`, … when that
/// is taken: a rename onto an empty folder would replace it silently.
fn free_name(dir: &Path) -> Result<PathBuf> {
    let name = dir
        .file_name()
        .ok_or_else(|| Error::JournalMissing(dir.to_owned()))?
        .to_string_lossy()
        .into_owned();
    let stamp = clock::now().format("%Y-%m-%d-%H%M%S");
    let base = format!("{name}-set-aside-{stamp}");
    (1..1000)
        .map(|n| match n {
            1 => dir.with_file_name(&base),
            n => dir.with_file_name(format!("{base}-{n}")),
        })
        .find(|p| !p.exists())
        .ok_or_else(|| {
            Error::Io(std::io::Error::other(format!(
                "no free name for setting {} aside",
                dir.display()
            )))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Journal, Passphrase};

    #[test]
    fn the_whole_folder_moves_aside_and_still_opens_with_its_passphrase() {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("brygga");
        let pass = Passphrase::new("fiktiv gammal lösenfras".into());
        let id = Journal::create(&dir, &pass, "Fiktiv Handläggare")
            .expect("create")
            .device_id();

        let first = set_aside(&dir).expect("set aside");
        assert!(!dir.exists(), "the journal folder is gone from its place");
        assert_eq!(first.card.as_ref().map(|c| c.device_id), Some(id));
        assert!(first
            .folder
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .starts_with("brygga-set-aside-"));
        let old = Journal::open(&first.folder, &pass).expect("the old journal opens where it went");
        assert_eq!(old.device_id(), id);

        // Again, in the same second or not: a folder of its own, the
        // first untouched.
        Journal::create(&dir, &pass, "Fiktiv Handläggare").expect("a new journal");
        let second = set_aside(&dir).expect("set aside again");
        assert_ne!(second.folder, first.folder);
        assert!(JournalPaths::in_dir(&first.folder).db.exists());
    }

    #[test]
    fn no_journal_no_move() {
        let root = tempfile::tempdir().expect("tempdir");
        let err = set_aside(&root.path().join("brygga")).expect_err("nothing to move");
        assert!(matches!(err, Error::JournalMissing(_)), "{err}");
    }
}
