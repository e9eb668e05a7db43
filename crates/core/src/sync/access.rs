//! How a sync round reaches the journal: only for the moments it reads or
//! writes it, so that whoever else holds the journal (the desktop app's
//! commands) is never kept waiting on the network.

use super::SyncError;
use crate::journal::Journal;
use std::cell::RefCell;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Something that can lend the journal for a moment.
pub trait JournalAccess {
    /// Runs `f` with the journal; false when there is none (locked).
    fn with_journal(&self, f: &mut dyn FnMut(&mut Journal)) -> bool;
}

/// How long a sync round stays off the desktop app's journal after each
/// hold. The standard mutex is not fair: a round that takes it again at
/// once wins it over a command that has waited, so without this pause a
/// save in the window could wait for every step of a first sync (seconds)
/// instead of one step. A waiting command is woken at the release and
/// takes the journal well within it.
const HAND_OVER: Duration = Duration::from_millis(1);

/// The desktop app's journal: `None` while locked.
impl JournalAccess for Mutex<Option<Journal>> {
    fn with_journal(&self, f: &mut dyn FnMut(&mut Journal)) -> bool {
        let found = {
            // A poisoned lock still holds a consistent journal: every
            // change is one transaction.
            let mut guard = self.lock().unwrap_or_else(|p| p.into_inner());
            match guard.as_mut() {
                Some(journal) => {
                    f(journal);
                    true
                }
                None => false,
            }
        };
        std::thread::sleep(HAND_OVER);
        found
    }
}

/// A journal the caller holds for the whole round (the CLI, tests).
pub(crate) struct Borrowed<'a>(RefCell<&'a mut Journal>);

impl<'a> Borrowed<'a> {
    pub(crate) fn new(journal: &'a mut Journal) -> Self {
        Borrowed(RefCell::new(journal))
    }
}

impl JournalAccess for Borrowed<'_> {
    fn with_journal(&self, f: &mut dyn FnMut(&mut Journal)) -> bool {
        f(&mut self.0.borrow_mut());
        true
    }
}

/// The journal a round started on, and no other. Locked and unlocked
/// again while the round waits for the server, the window holds another
/// `Journal` of the same file, whose rounds take a turn of their own: the
/// old round finds it locked and ends, since what it would write (how far
/// it pushed) could undo what a newer round wrote.
pub(crate) struct Started<'a> {
    access: &'a dyn JournalAccess,
    rounds: Arc<Mutex<()>>,
}

impl<'a> Started<'a> {
    /// The journal `access` lends now, with its turn (`Journal::rounds`).
    pub(crate) fn new(access: &'a dyn JournalAccess, rounds: Arc<Mutex<()>>) -> Self {
        Started { access, rounds }
    }
}

impl JournalAccess for Started<'_> {
    fn with_journal(&self, f: &mut dyn FnMut(&mut Journal)) -> bool {
        let mut same = false;
        self.access.with_journal(&mut |j| {
            if Arc::ptr_eq(&j.rounds, &self.rounds) {
                same = true;
                f(j);
            }
        });
        same
    }
}

/// Runs `f` with the journal, or fails with [`SyncError::Locked`].
pub(crate) fn locked<R>(
    access: &dyn JournalAccess,
    f: impl FnOnce(&mut Journal) -> R,
) -> Result<R, SyncError> {
    let mut f = Some(f);
    let mut out = None;
    access.with_journal(&mut |j| {
        if let Some(f) = f.take() {
            out = Some(f(j));
        }
    });
    out.ok_or(SyncError::Locked)
}
