//! Checkpoints of the write-ahead log, on a connection and a thread of
//! their own (ADR 0043).
//!
//! SQLite's automatic checkpoint runs inside the commit that grows the log
//! past its limit: that commit copies the log into the database file and
//! waits for two fsyncs before it returns. A first sync writes some 200 MiB
//! of log, and those copies were a sixth of its time, all of it on the
//! journal's one thread while the laptop's other core idled. Here a commit
//! only notes the log's length ([`Limits`]); a thread with a connection
//! of its own then copies the log back while the journal goes on. A
//! checkpoint needs no lock of the journal's: SQLite lets one run beside a
//! writer, and it copies pages as they are, still encrypted.

use crate::error::Result;
use rusqlite::hooks::Wal;
use rusqlite::Connection;
use std::os::raw::c_int;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

/// When a commit has the log copied back, by its length in pages.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    /// The commit asks the thread for a checkpoint.
    due: c_int,
    /// The commit checkpoints by itself, as SQLite would: the thread has
    /// fallen far behind or is gone, and the log must not grow without end.
    overdue: c_int,
}

impl Limits {
    /// SQLite's own limit for its automatic checkpoint (1 000 pages, 4 MiB),
    /// and 256 MiB.
    pub(crate) const JOURNAL: Limits = Limits {
        due: 1000,
        overdue: 64_000,
    };
}

#[derive(Default)]
struct Asked {
    checkpoint: bool,
    stop: bool,
}

#[derive(Default)]
struct Shared {
    asked: Mutex<Asked>,
    wake: Condvar,
}

impl Shared {
    fn ask(&self, f: impl FnOnce(&mut Asked)) {
        f(&mut self.asked.lock().unwrap_or_else(PoisonError::into_inner));
        self.wake.notify_one();
    }

    /// Waits for the next request; false once asked to stop.
    fn next(&self) -> bool {
        let mut asked = self.asked.lock().unwrap_or_else(PoisonError::into_inner);
        while !asked.checkpoint && !asked.stop {
            asked = self
                .wake
                .wait(asked)
                .unwrap_or_else(PoisonError::into_inner);
        }
        asked.checkpoint = false;
        !asked.stop
    }
}

/// The checkpoint thread of one journal. Dropping it (or [`stop`]) waits
/// for a checkpoint under way and closes the thread's connection.
///
/// [`stop`]: Checkpoints::stop
pub(crate) struct Checkpoints {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpoints {
    /// Takes the checkpoints of `journal`'s database over, on `own` (a
    /// second connection to the same file).
    pub(crate) fn start(
        journal: &mut Connection,
        own: Connection,
        limits: Limits,
    ) -> Result<Checkpoints> {
        let shared = Arc::new(Shared::default());
        let thread = std::thread::Builder::new()
            .name("journal-checkpoints".into())
            .spawn({
                let shared = Arc::clone(&shared);
                move || {
                    while shared.next() {
                        // A checkpoint that fails (the disk is full) is
                        // asked for again once the log has grown by `due`
                        // pages more, and the log keeps every page until
                        // one succeeds.
                        let _ = checkpoint(&own);
                    }
                }
            })?;
        let asks = Arc::clone(&shared);
        let mut pace = Pace::new(limits);
        // Setting a hook replaces SQLite's automatic checkpoint.
        journal.wal_hook(Some(move |wal: &mut Wal, pages: c_int| {
            match pace.after_commit(pages) {
                Due::Not => {}
                Due::Ask => asks.ask(|a| a.checkpoint = true),
                // The commit has happened whatever this returns, and an
                // error here would report it as failed; the thread (when
                // busy with one) checkpoints the log anyway.
                Due::Inline => {
                    let _ = wal.checkpoint();
                }
            }
            Ok(())
        }))?;
        Ok(Checkpoints {
            shared,
            thread: Some(thread),
        })
    }

    /// Stops the thread after the checkpoint under way, if one is, and
    /// closes its connection: before the database's files are removed.
    pub(crate) fn stop(&mut self) {
        self.shared.ask(|a| a.stop = true);
        if let Some(thread) = self.thread.take() {
            // The thread ignores every failure; it cannot panic.
            let _ = thread.join();
        }
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What a commit does about the log, by the log's length after it.
#[derive(Debug, PartialEq, Eq)]
enum Due {
    Not,
    /// Ask the thread for a checkpoint.
    Ask,
    /// Checkpoint in the commit itself ([`Limits::overdue`]).
    Inline,
}

/// When commits ask for a checkpoint. With writes back to back the log is
/// never wholly copied back when one begins, so SQLite never starts it
/// again and it only grows: asked at every commit past `due`, the thread
/// would checkpoint back to back, and its fsyncs queue with the commits'
/// own (ADR 0043). So once per `due` pages more, and from the start again
/// when the log has started again.
struct Pace {
    limits: Limits,
    /// The log's length at which the next checkpoint is asked for.
    next: c_int,
}

impl Pace {
    fn new(limits: Limits) -> Pace {
        Pace {
            limits,
            next: limits.due,
        }
    }

    fn after_commit(&mut self, pages: c_int) -> Due {
        if pages < self.next - self.limits.due {
            self.next = self.limits.due;
        }
        if pages >= self.limits.overdue {
            Due::Inline
        } else if pages >= self.next {
            self.next = pages + self.limits.due;
            Due::Ask
        } else {
            Due::Not
        }
    }
}

/// Copies what it can of the log into the database file without waiting
/// for the journal's reader or writer. True when another connection held
/// the checkpoint lock, so that nothing was copied.
pub(crate) fn checkpoint(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Key32;
    use crate::store;
    use std::path::{Path, PathBuf};

    const SMALL: Limits = Limits {
        due: 20,
        overdue: 400,
    };

    fn file_len(path: &Path) -> u64 {
        std::fs::metadata(path).expect("database file").len()
    }

    /// Commits `n` rows of about a page each, one commit a row.
    fn write_pages(conn: &Connection, n: usize) {
        for _ in 0..n {
            conn.execute("INSERT INTO t (x) VALUES (randomblob(3000))", [])
                .expect("insert");
        }
    }

    /// A database in `dir` with one table, and its checkpoint thread.
    struct Journal {
        path: PathBuf,
        key: Key32,
        conn: Connection,
        checkpoints: Checkpoints,
    }

    fn journal(dir: &Path) -> Journal {
        let (path, key) = (dir.join("j.db"), Key32::random());
        let mut conn = store::open(&path, &key, true).expect("create");
        conn.execute_batch("CREATE TABLE t (x BLOB)")
            .expect("table");
        let own = store::open(&path, &key, false).expect("second connection");
        let checkpoints = Checkpoints::start(&mut conn, own, SMALL).expect("start");
        Journal {
            path,
            key,
            conn,
            checkpoints,
        }
    }

    /// Commits of 7 pages each, back to back: the thread is asked once
    /// per `due` pages of log, not at every commit past it; again from
    /// `due` once the log starts again; and past `overdue` every commit
    /// checkpoints by itself.
    #[test]
    fn commits_ask_once_per_due_pages_of_log() {
        let mut pace = Pace::new(SMALL);
        let asked_at = |pace: &mut Pace, lengths: &mut dyn Iterator<Item = c_int>| {
            lengths
                .filter(|&n| pace.after_commit(n) == Due::Ask)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            asked_at(&mut pace, &mut (7..=98).step_by(7)),
            [21, 42, 63, 84]
        );
        // The thread copied it all back; the log starts again.
        assert_eq!(asked_at(&mut pace, &mut (7..=49).step_by(7)), [21, 42]);
        assert_eq!(pace.after_commit(SMALL.overdue - 1), Due::Ask);
        assert_eq!(pace.after_commit(SMALL.overdue), Due::Inline);
        assert_eq!(pace.after_commit(SMALL.overdue + 7), Due::Inline);
    }

    /// Without the thread, a commit leaves the log in the log until it is
    /// overdue, and then copies it back itself: the log never grows
    /// without end.
    #[test]
    fn a_commit_copies_the_log_back_only_when_it_is_overdue() {
        let dir = tempfile::tempdir().expect("tempdir");
        let Journal {
            path,
            conn,
            mut checkpoints,
            ..
        } = journal(dir.path());
        checkpoints.stop();
        let before = file_len(&path);
        write_pages(&conn, 60);
        assert_eq!(
            file_len(&path),
            before,
            "past `due` but short of `overdue`, only the log grew"
        );
        write_pages(&conn, 200);
        assert!(
            file_len(&path) > before + 60 * 3000,
            "the overdue commit copied the log into the database file"
        );
    }

    /// With the thread, the log comes back into the database file while
    /// the journal's connection only commits, and every row is there
    /// after the journal is closed and opened again.
    #[test]
    fn the_thread_copies_the_log_back_and_nothing_is_lost() {
        let dir = tempfile::tempdir().expect("tempdir");
        let Journal {
            path,
            key,
            conn,
            checkpoints,
        } = journal(dir.path());
        let before = file_len(&path);
        write_pages(&conn, 60);
        let mut waited = 0;
        while file_len(&path) <= before + 20 * 3000 {
            assert!(waited < 3000, "the thread never copied the log back");
            std::thread::sleep(std::time::Duration::from_millis(10));
            waited += 1;
        }
        drop(conn);
        drop(checkpoints);
        let conn = store::open(&path, &key, false).expect("reopen");
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 60);
    }
}
