//! The search index in replay: each entry's shown text and each
//! correction's text.
//!
//! Applying an operation only marks what it changed ([`entry`],
//! [`correction`]); [`write`] indexes the marked texts once the operations
//! of a step are applied. FTS5 writes out everything it holds at each
//! statement's savepoint, so indexing as each operation applied cost more
//! than the operation itself. The marks live in a temporary table, which
//! follows the savepoints and rollbacks of the replay like the tables do.

use crate::error::Result;
use crate::store;
use rusqlite::{params, Connection};
use uuid::Uuid;

/// No correction: an entry's own text (a key column cannot be NULL).
const OWN_TEXT: &str = "";

fn mark(conn: &Connection, entry: &Uuid, correction: &str) -> Result<()> {
    store::exec(
        conn,
        "CREATE TEMP TABLE IF NOT EXISTS search_marks (
             entry_id TEXT NOT NULL,
             correction_id TEXT NOT NULL,
             PRIMARY KEY (entry_id, correction_id))",
        [],
    )?;
    // Marked again, it moves last: the index keeps the order texts were
    // written in (the search lists the newest first).
    store::exec(
        conn,
        "INSERT OR REPLACE INTO temp.search_marks (entry_id, correction_id) VALUES (?1, ?2)",
        params![entry.to_string(), correction],
    )?;
    Ok(())
}

/// The entry's shown text changed.
pub(crate) fn entry(conn: &Connection, entry: &Uuid) -> Result<()> {
    mark(conn, entry, OWN_TEXT)
}

/// A correction of the entry was written.
pub(crate) fn correction(conn: &Connection, entry: &Uuid, correction: &Uuid) -> Result<()> {
    mark(conn, entry, &correction.to_string())
}

/// Indexes every marked text as it now stands, in the order marked, and
/// clears the marks. A few statements for all of them: the index writes
/// out what it holds at each one.
pub(crate) fn write(conn: &Connection) -> Result<()> {
    let marked: bool = store::row(
        conn,
        "SELECT count(*) > 0 FROM temp.sqlite_master WHERE name = 'search_marks'",
        [],
        |r| r.get(0),
    )?;
    if !marked {
        return Ok(());
    }
    // By rowid (search_rows): a condition on entry_id would read the whole
    // index.
    store::exec(
        conn,
        "DELETE FROM search_index WHERE rowid IN (
             SELECT r.fts_rowid FROM temp.search_marks m
             JOIN search_rows r ON r.entry_id = m.entry_id
             WHERE m.correction_id = '')",
        [],
    )?;
    let before: i64 = store::row(
        conn,
        "SELECT COALESCE((SELECT rowid FROM search_index ORDER BY rowid DESC LIMIT 1), 0)",
        [],
        |r| r.get(0),
    )?;
    store::exec(
        conn,
        "INSERT INTO search_index (text, entry_id, correction_id)
         SELECT text, entry_id, correction_id FROM (
             SELECT m.rowid AS n, e.text, e.id AS entry_id, NULL AS correction_id
             FROM temp.search_marks m JOIN entries e ON e.id = m.entry_id
             WHERE m.correction_id = ''
             UNION ALL
             SELECT m.rowid, c.text, c.entry_id, c.id
             FROM temp.search_marks m JOIN corrections c ON c.id = m.correction_id)
         ORDER BY n",
        [],
    )?;
    store::exec(
        conn,
        "INSERT OR REPLACE INTO search_rows (entry_id, fts_rowid)
         SELECT entry_id, rowid FROM search_index WHERE rowid > ?1 AND correction_id IS NULL",
        [before],
    )?;
    store::exec(conn, "DELETE FROM temp.search_marks", [])?;
    Ok(())
}
