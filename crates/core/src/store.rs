//! Opening the encrypted SQLCipher database.

use crate::error::{Error, Result};
use crate::secret::Key32;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::io::Read;
use std::path::Path;
use zeroize::Zeroizing;

const PLAIN_SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// True when the file starts with the header of an unencrypted SQLite
/// database. SQLCipher files start with random salt instead.
fn is_plain_sqlite(path: &Path) -> Result<bool> {
    let mut header = [0u8; 16];
    let mut f = std::fs::File::open(path)?;
    match f.read_exact(&mut header) {
        Ok(()) => Ok(&header == PLAIN_SQLITE_HEADER),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// How a journal's pages are encrypted and authenticated (ADR 0042). The
/// file does not say: its first bytes are random salt, and every other
/// byte is under the key. A journal is opened with each in turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cipher {
    /// Journals made since ADR 0042: pages authenticated with
    /// HMAC-SHA256, which runs on the CPU's SHA extensions where SHA-512
    /// has none; every page a commit writes and every page read from the
    /// disk is tagged or checked.
    Current,
    /// Journals made before: SQLCipher 4's defaults, HMAC-SHA512. Both
    /// are named in full, with their 4 KiB pages, so that a later
    /// SQLCipher's other defaults cannot make a journal unreadable.
    Sqlcipher4,
}

impl Cipher {
    /// Tried in this order on a journal that exists.
    const ALL: [Cipher; 2] = [Cipher::Current, Cipher::Sqlcipher4];

    fn pragmas(self) -> &'static str {
        match self {
            Cipher::Current => {
                "PRAGMA cipher_page_size = 4096; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;"
            }
            Cipher::Sqlcipher4 => {
                "PRAGMA cipher_page_size = 4096; PRAGMA cipher_hmac_algorithm = HMAC_SHA512;"
            }
        }
    }
}

/// Opens (or, with `create`, creates) the journal database keyed with the
/// raw data key. SQLCipher's own KDF is skipped: the key is already the
/// output of the key hierarchy. A new journal gets [`Cipher::Current`].
pub(crate) fn open(path: &Path, key: &Key32, create: bool) -> Result<Connection> {
    if path.exists() {
        if is_plain_sqlite(path)? {
            return Err(Error::NotEncrypted(path.to_owned()));
        }
        return open_existing(path, key);
    }
    if !create {
        return Err(Error::JournalMissing(path.to_owned()));
    }
    create_as(path, key, Cipher::Current)
}

/// Creates a journal database with the given cipher settings.
pub(crate) fn create_as(path: &Path, key: &Key32, cipher: Cipher) -> Result<Connection> {
    let conn = keyed(path, key, cipher, true)?;
    readable(&conn).map_err(undecryptable)?;
    configure(&conn)?;
    Ok(conn)
}

/// Opens a journal that exists with the cipher settings it was made with.
/// A try with other settings only reads, and leaves the files as they
/// were: not even the WAL is checkpointed when that connection closes.
fn open_existing(path: &Path, key: &Key32) -> Result<Connection> {
    let mut failure = None;
    for cipher in Cipher::ALL {
        let conn = keyed(path, key, cipher, false)?;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        match readable(&conn) {
            Ok(()) => {
                conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
                configure(&conn)?;
                return Ok(conn);
            }
            // Only a page that does not decrypt is worth another cipher;
            // a busy or unreadable file is that, not a damaged journal.
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
                failure = Some(e)
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(undecryptable(
        failure.expect("at least one cipher was tried"),
    ))
}

/// A connection to `path` keyed with `key` under `cipher`, not read yet.
fn keyed(path: &Path, key: &Key32, cipher: Cipher, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    // SQLCipher logs decryption failures to stderr by itself; the caller
    // gets a typed error instead, and the CLI must print one line only.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    let pragma = Zeroizing::new(format!(
        "PRAGMA key = \"x'{}'\";",
        Zeroizing::new(hex::encode(key.expose())).as_str()
    ));
    conn.execute_batch(&pragma)?;
    conn.execute_batch(cipher.pragmas())?;
    ensure_sqlcipher(&conn)?;
    Ok(conn)
}

/// The first read decrypts page 1: a wrong key, other cipher settings or
/// a damaged file fail here.
fn readable(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
}

fn undecryptable(e: rusqlite::Error) -> Error {
    Error::Damaged(format!("cannot decrypt the journal: {e}"))
}

/// Refuses to run against a SQLite that silently ignores `PRAGMA key`.
fn ensure_sqlcipher(conn: &Connection) -> Result<()> {
    let version: Option<String> = conn
        .query_row("PRAGMA cipher_version", [], |r| r.get(0))
        .ok();
    match version {
        Some(v) if !v.is_empty() => Ok(()),
        _ => Err(Error::Damaged(
            "this build is not linked with SQLCipher; refusing to store data unencrypted".into(),
        )),
    }
}

fn configure(conn: &Connection) -> Result<()> {
    // WAL for crash safety with concurrent readers; synchronous=FULL so a
    // committed signature survives power loss, not only a killed process;
    // temp_store=MEMORY so sorts and temp tables never reach the disk; a
    // page cache of 32 MiB (SQLite's default is 2 MiB) so the search
    // index's hot pages stay decrypted instead of being read, decrypted
    // and authenticated again at every search (ADR 0019).
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -32768;
         PRAGMA busy_timeout = 5000;",
    )?;
    keep_statements(conn)
}

/// Keeps statements prepared: the replay and the intake of a pull run the
/// same few dozen for every operation. Also used for the in-memory
/// database the replay check replays into.
pub(crate) fn keep_statements(conn: &Connection) -> Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Query plans that do not depend on the values bound: otherwise SQLite
    // prepares a kept statement with a join again at every new value.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// Statements kept prepared per connection: replay and the intake of a
/// pull run the same few dozen statements for every operation, and
/// preparing one (parsing it against the schema) costs more than running
/// it.
const STATEMENT_CACHE: usize = 128;

/// Runs one statement, prepared once per connection (like
/// [`Connection::execute`], which prepares it again every time).
pub(crate) fn exec(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// One row, by a statement prepared once per connection (like
/// [`Connection::query_row`]).
pub(crate) fn row<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(params, f)
}

/// Every row of a query of one key whose `N` columns are all text.
pub(crate) fn text_rows<const N: usize>(
    conn: &Connection,
    sql: &str,
    key: &str,
) -> rusqlite::Result<Vec<[String; N]>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([key], |r| {
        let mut row: [String; N] = std::array::from_fn(|_| String::new());
        for (i, cell) in row.iter_mut().enumerate() {
            *cell = r.get(i)?;
        }
        Ok(row)
    })?;
    rows.collect()
}

/// How far a commit has gone when it returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Durability {
    /// Fsynced (`synchronous = FULL`): survives a power cut. Every write
    /// of journal data (ADR 0006).
    Disk,
    /// Written to the WAL, not fsynced (`synchronous = NORMAL`): survives
    /// a killed process, since the OS holds the pages; a power cut can
    /// lose it until the next fsynced commit or checkpoint. The audit row
    /// of a read (ADR 0019).
    Os,
}

/// Runs `f` in one IMMEDIATE transaction and commits it as `durability`
/// asks. The connection is back at `synchronous = FULL` afterwards,
/// whatever `f` returned.
pub(crate) fn commit<T>(
    conn: &Connection,
    durability: Durability,
    f: impl FnOnce(&Connection) -> Result<T>,
) -> Result<T> {
    if durability == Durability::Disk {
        return in_transaction(conn, f);
    }
    // Not kept prepared like other statements: SQLite applies the level
    // when it prepares this pragma, not when it runs it. Nor can the level
    // change inside a transaction, so it is set around one.
    conn.execute_batch("PRAGMA synchronous = NORMAL")?;
    let committed = in_transaction(conn, f);
    let restored = conn.execute_batch("PRAGMA synchronous = FULL");
    let value = committed?;
    restored?;
    Ok(value)
}

/// Puts on disk what commits without an fsync ([`Durability::Os`]) left
/// in the WAL: a checkpoint syncs the WAL before it copies from it. Called
/// before audit rows leave the laptop, so that the server never holds a
/// row that a power cut could still take back from the laptop (the laptop
/// would write that seq again, and the server see a break).
pub(crate) fn make_durable(conn: &Connection) -> Result<()> {
    // While the journal's checkpoint thread holds the checkpoint lock,
    // nothing is copied or synced here; its checkpoint may have begun
    // before the commits this must put on disk, so this one waits its turn.
    while crate::checkpoints::checkpoint(conn)? {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    Ok(())
}

/// `f` in an IMMEDIATE transaction: it takes the write lock first, so a
/// read of the audit head cannot be overtaken by another writer.
fn in_transaction<T>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let value = f(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// A database without the SQLCipher key: plain SQLite. Only for measuring
/// the encryption overhead in the benchmark.
#[cfg(feature = "bench-plaintext")]
pub(crate) fn open_plaintext_for_bench(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    configure(&conn)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new journal, with its pages authenticated by HMAC-SHA256
    /// (ADR 0042).
    #[test]
    fn a_keyed_database_is_not_plain_sqlite_and_reopens() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("j.db");
        let key = Key32::random();
        let conn = open(&path, &key, true).expect("create");
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES ('hemlig');")
            .expect("write");
        drop(conn);
        assert!(!is_plain_sqlite(&path).expect("header"));
        let conn = open(&path, &key, false).expect("reopen");
        let x: String = conn
            .query_row("SELECT x FROM t", [], |r| r.get(0))
            .expect("read");
        assert_eq!(x, "hemlig");
        assert_eq!(
            cipher_settings(&conn),
            ("4096".to_owned(), "HMAC_SHA256".to_owned())
        );
    }

    fn cipher_settings(conn: &Connection) -> (String, String) {
        let page: String = conn
            .query_row("PRAGMA cipher_page_size", [], |r| r.get(0))
            .expect("page size");
        let hmac: String = conn
            .query_row("PRAGMA cipher_hmac_algorithm", [], |r| r.get(0))
            .expect("hmac");
        (page, hmac)
    }

    fn sha256_of(path: &Path) -> Vec<u8> {
        let bytes = std::fs::read(path).expect("read");
        ring::digest::digest(&ring::digest::SHA256, &bytes)
            .as_ref()
            .to_vec()
    }

    /// A journal made before ADR 0042, with rows only in its WAL (as a
    /// killed process leaves them): a wrong key tries both settings and
    /// changes no byte of either file; the right key reads every row, under
    /// the settings the journal was made with.
    #[test]
    fn a_journal_of_sqlcipher_4_defaults_opens_and_a_failed_try_changes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("j.db");
        let wal = dir.path().join("j.db-wal");
        let key = Key32::random();
        let conn = create_as(&path, &key, Cipher::Sqlcipher4).expect("create");
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES ('i filen');")
            .expect("write");
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .expect("checkpoint");
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .expect("keep the WAL");
        conn.execute_batch("INSERT INTO t VALUES ('bara i WAL');")
            .expect("write");
        drop(conn);
        let before = (sha256_of(&path), sha256_of(&wal));
        assert!(std::fs::metadata(&wal).expect("wal").len() > 0);
        assert!(matches!(
            open(&path, &Key32::random(), false),
            Err(Error::Damaged(_))
        ));
        assert_eq!((sha256_of(&path), sha256_of(&wal)), before);
        let conn = open(&path, &key, false).expect("reopen");
        assert_eq!(
            cipher_settings(&conn),
            ("4096".to_owned(), "HMAC_SHA512".to_owned())
        );
        let rows: Vec<String> = conn
            .prepare("SELECT x FROM t ORDER BY rowid")
            .expect("query")
            .query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("read");
        assert_eq!(rows, ["i filen", "bara i WAL"]);
    }

    #[test]
    fn another_key_cannot_read_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("j.db");
        open(&path, &Key32::random(), true)
            .expect("create")
            .execute_batch("CREATE TABLE t(x);")
            .expect("write");
        assert!(matches!(
            open(&path, &Key32::random(), false),
            Err(Error::Damaged(_))
        ));
    }

    /// A journal another process holds is busy, not damaged: nothing may
    /// offer to set it aside.
    #[test]
    fn a_journal_held_elsewhere_is_busy_not_damaged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("j.db");
        let key = Key32::random();
        let holder = open(&path, &key, true).expect("create");
        holder
            .execute_batch("CREATE TABLE t(x); PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
            .expect("hold the file");
        match open(&path, &key, false) {
            Err(Error::Storage(e)) => {
                assert_eq!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy)
                )
            }
            other => panic!("expected busy, got {other:?}"),
        }
        holder.execute_batch("COMMIT").expect("release");
    }

    #[test]
    fn an_unencrypted_database_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("plain.db");
        let plain = Connection::open(&path).expect("plain");
        plain.execute_batch("CREATE TABLE t(x);").expect("write");
        drop(plain);
        assert!(matches!(
            open(&path, &Key32::random(), false),
            Err(Error::NotEncrypted(_))
        ));
    }

    #[test]
    fn a_kept_statement_is_not_prepared_again_for_new_values() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = open(&dir.path().join("j.db"), &Key32::random(), true).expect("create");
        conn.execute_batch(
            "CREATE TABLE a (id TEXT PRIMARY KEY, b TEXT);
             CREATE TABLE b (id TEXT PRIMARY KEY, x TEXT);",
        )
        .expect("schema");
        let sql = "SELECT b.x FROM a JOIN b ON b.id = a.b WHERE a.id = ?1";
        for i in 0..3 {
            let _ = row(&conn, sql, [format!("id-{i}")], |r| r.get::<_, String>(0));
        }
        let stmt = conn.prepare_cached(sql).expect("kept");
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
    }

    fn synchronous(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA synchronous", [], |r| r.get(0))
            .expect("synchronous")
    }

    #[test]
    fn a_commit_without_an_fsync_leaves_the_connection_at_full() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = open(&dir.path().join("j.db"), &Key32::random(), true).expect("create");
        conn.execute_batch("CREATE TABLE t(x);").expect("schema");
        const NORMAL: i64 = 1;
        const FULL: i64 = 2;
        let inside = commit(&conn, Durability::Os, |tx| {
            exec(tx, "INSERT INTO t VALUES (1)", [])?;
            Ok(synchronous(tx))
        })
        .expect("commit");
        assert_eq!(inside, NORMAL);
        assert_eq!(synchronous(&conn), FULL);
        let failed = commit(&conn, Durability::Os, |tx| {
            exec(tx, "INSERT INTO t VALUES (2)", [])?;
            exec(tx, "INSERT INTO no_such_table VALUES (3)", [])?;
            Ok(())
        });
        assert!(failed.is_err());
        assert_eq!(synchronous(&conn), FULL);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 1, "the failed commit left nothing");
    }

    #[test]
    fn a_missing_journal_is_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            open(&dir.path().join("none.db"), &Key32::random(), false),
            Err(Error::JournalMissing(_))
        ));
    }
}
