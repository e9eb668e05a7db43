//! Journal entries in replay: every version of a draft is kept in
//! `entry_versions`; the entry shows the latest one; a signature names the
//! version it signs by its content hash, and from then on that version
//! stands. Any other version (a concurrent edit, an edit after the
//! signature, a second signature of other content) is kept as a conflict
//! of kind `after-signature`, offered to the user as a correction.

use super::lww::{self, Loser};
use super::{ensure_exists, index, op_time, utc};
use crate::error::{Error, ReasonCode, Result};
use crate::store;
use brygga_protocol::op::{EntryContent, Operation};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

/// Conflicts of an entry are kept under this object type and field.
pub(crate) const OBJECT: &str = "entry";
pub(crate) const FIELD: &str = "content";
pub(crate) const AFTER_SIGNATURE: &str = "after-signature";

struct Shown {
    status: String,
    version_op: String,
    version_device: String,
    version_hash: String,
}

fn shown(conn: &Connection, entry_id: &Uuid) -> Result<Shown> {
    store::row(
        conn,
        "SELECT e.status, e.version_op, v.device_id, v.content_hash FROM entries e
         JOIN entry_versions v ON v.op_id = e.version_op WHERE e.id = ?1",
        [entry_id.to_string()],
        |r| {
            Ok(Shown {
                status: r.get(0)?,
                version_op: r.get(1)?,
                version_device: r.get(2)?,
                version_hash: r.get(3)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| Error::not_found("entry", entry_id))
}

fn keep_version(
    conn: &Connection,
    op: &Operation,
    entry_id: &Uuid,
    content: &EntryContent,
) -> Result<()> {
    store::exec(conn,
        "INSERT INTO entry_versions (op_id, entry_id, content_hash, content, device_id, author, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            op.id.to_string(),
            entry_id.to_string(),
            content.hash(),
            serde_json::to_string(content).expect("entry content serialises"),
            op.device_id.to_string(),
            op.author,
            op.hlc.to_sortable()
        ],
    )?;
    Ok(())
}

/// Puts `content` (version `version_op`) on the entry and in the search
/// index; `sign` also makes it the signed version.
fn show(
    conn: &Connection,
    entry_id: &Uuid,
    version_op: &str,
    content: &EntryContent,
    sign: Option<&Operation>,
) -> Result<()> {
    let updated = store::exec(
        conn,
        "UPDATE entries SET kind = ?2, event_at = ?3, participants = ?4, fields = ?5, text = ?6,
                            version_op = ?7,
                            status = CASE WHEN ?8 IS NULL THEN status ELSE 'signed' END,
                            signed_at = ?8, signed_by = ?9
         WHERE id = ?1 AND status = 'draft'",
        params![
            entry_id.to_string(),
            content.kind.as_str(),
            utc(&content.event_at),
            serde_json::to_string(&content.participants).unwrap_or_default(),
            serde_json::to_string(&content.fields).unwrap_or_default(),
            content.text,
            version_op,
            sign.map(|s| op_time(s.hlc)),
            sign.map(|s| s.author.as_str()),
        ],
    )?;
    still_draft(entry_id, updated)?;
    index::entry(conn, entry_id)
}

/// Signs the shown version of a draft, whose text is already in place
/// and in the search index.
fn mark_signed(conn: &Connection, entry_id: &Uuid, op: &Operation) -> Result<()> {
    let updated = store::exec(
        conn,
        "UPDATE entries SET status = 'signed', signed_at = ?2, signed_by = ?3
         WHERE id = ?1 AND status = 'draft'",
        params![entry_id.to_string(), op_time(op.hlc), op.author],
    )?;
    still_draft(entry_id, updated)
}

/// An update of a draft that changed no row met a signed entry.
fn still_draft(entry_id: &Uuid, updated: usize) -> Result<()> {
    if updated == 1 {
        return Ok(());
    }
    Err(Error::not_allowed(
        ReasonCode::EntrySigned,
        format!("entry {entry_id} is signed and cannot change"),
    ))
}

pub(crate) fn version_content(
    conn: &Connection,
    entry_id: &Uuid,
    op_id: &str,
) -> Result<EntryContent> {
    let json: String = store::row(
        conn,
        "SELECT content FROM entry_versions WHERE op_id = ?1 AND entry_id = ?2",
        params![op_id, entry_id.to_string()],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "entry version",
        id: op_id.to_owned(),
    })?;
    serde_json::from_str(&json)
        .map_err(|e| Error::Damaged(format!("entry version {op_id} is unreadable: {e}")))
}

pub(super) fn draft(
    conn: &Connection,
    op: &Operation,
    entry_id: &Uuid,
    case_id: &Uuid,
    content: &EntryContent,
) -> Result<()> {
    store::exec(
        conn,
        "INSERT INTO entries (id, case_id, kind, status, event_at, written_at, author,
                              participants, fields, text, version_op)
         VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            entry_id.to_string(),
            case_id.to_string(),
            content.kind.as_str(),
            utc(&content.event_at),
            op_time(op.hlc),
            op.author,
            serde_json::to_string(&content.participants).unwrap_or_default(),
            serde_json::to_string(&content.fields).unwrap_or_default(),
            content.text,
            op.id.to_string()
        ],
    )?;
    keep_version(conn, op, entry_id, content)?;
    index::entry(conn, entry_id)
}

fn loser_of<'a>(op: &'a Operation, text: &'a str) -> Loser<'a> {
    Loser {
        op_id: op.id.to_string(),
        value: text,
        author: &op.author,
        hlc: op.hlc.to_sortable(),
    }
}

pub(super) fn edit(
    conn: &Connection,
    op: &Operation,
    entry_id: &Uuid,
    content: &EntryContent,
    replaces: Option<Uuid>,
) -> Result<()> {
    let current = shown(conn, entry_id)?;
    keep_version(conn, op, entry_id, content)?;
    let subject = lww::Field::new(OBJECT, entry_id, FIELD);
    if current.status == "signed" {
        // Too late: the signed version stands, this one is kept to review.
        return lww::keep_conflict(
            conn,
            &subject,
            loser_of(op, &content.text),
            &current.version_op,
            AFTER_SIGNATURE,
        );
    }
    let sequential = replaces.map(|r| r.to_string()).as_deref() == Some(&current.version_op)
        || current.version_device == op.device_id.to_string();
    show(conn, entry_id, &op.id.to_string(), content, None)?;
    if let Some(seen) = replaces {
        lww::settle_seen(conn, &seen.to_string())?;
    }
    if !sequential {
        keep_shown_version(
            conn,
            entry_id,
            &current.version_op,
            &op.id.to_string(),
            lww::CONCURRENT,
        )?;
    }
    Ok(())
}

/// Keeps version `lost` of an entry for review: it no longer shows.
fn keep_shown_version(
    conn: &Connection,
    entry_id: &Uuid,
    lost: &str,
    won_op_id: &str,
    kind: &str,
) -> Result<()> {
    let content = version_content(conn, entry_id, lost)?;
    let (author, hlc) = version_author(conn, lost)?;
    lww::keep_conflict(
        conn,
        &lww::Field::new(OBJECT, entry_id, FIELD),
        Loser {
            op_id: lost.to_owned(),
            value: &content.text,
            author: &author,
            hlc,
        },
        won_op_id,
        kind,
    )
}

fn version_author(conn: &Connection, op_id: &str) -> Result<(String, String)> {
    Ok(store::row(
        conn,
        "SELECT author, hlc FROM entry_versions WHERE op_id = ?1",
        [op_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// The version a signature names: the shown one when it has that hash
/// (or when an older signature names none), else the newest with it.
fn signed_version(
    conn: &Connection,
    entry_id: &Uuid,
    current: &Shown,
    hash: Option<&str>,
) -> Result<String> {
    let Some(hash) = hash.filter(|h| *h != current.version_hash) else {
        return Ok(current.version_op.clone());
    };
    store::row(
        conn,
        "SELECT op_id FROM entry_versions WHERE entry_id = ?1 AND content_hash = ?2
         ORDER BY op_id = ?3 DESC, hlc DESC, op_id DESC LIMIT 1",
        params![entry_id.to_string(), hash, current.version_op],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "signed version of entry",
        id: entry_id.to_string(),
    })
}

pub(super) fn sign(
    conn: &Connection,
    op: &Operation,
    entry_id: &Uuid,
    hash: Option<&str>,
) -> Result<()> {
    let current = shown(conn, entry_id)?;
    let version = signed_version(conn, entry_id, &current, hash)?;
    let subject = lww::Field::new(OBJECT, entry_id, FIELD);
    if current.status == "signed" {
        if version == current.version_op {
            // Signed twice with the same content: one signed entry.
            return Ok(());
        }
        let other = version_content(conn, entry_id, &version)?;
        return lww::keep_conflict(
            conn,
            &subject,
            loser_of(op, &other.text),
            &current.version_op,
            AFTER_SIGNATURE,
        );
    }
    if version == current.version_op {
        // The usual case: the text signed is the one shown and indexed.
        mark_signed(conn, entry_id, op)?;
    } else {
        let content = version_content(conn, entry_id, &version)?;
        show(conn, entry_id, &version, &content, Some(op))?;
    }
    // The signed version stands; every other version still to review now
    // lost to the signature, and so does the one shown until now.
    lww::settle_seen(conn, &version)?;
    store::exec(
        conn,
        "UPDATE field_conflicts SET kind = ?3, won_op_id = ?4
         WHERE object_type = ?1 AND object_id = ?2",
        params![OBJECT, entry_id.to_string(), AFTER_SIGNATURE, version],
    )?;
    if current.version_op != version {
        keep_shown_version(
            conn,
            entry_id,
            &current.version_op,
            &version,
            AFTER_SIGNATURE,
        )?;
    }
    Ok(())
}

pub(super) fn correct(
    conn: &Connection,
    op: &Operation,
    correction_id: &Uuid,
    entry_id: &Uuid,
    text: &str,
    reason: &str,
) -> Result<()> {
    ensure_exists(conn, "entries", "entry", entry_id)?;
    if shown(conn, entry_id)?.status != "signed" {
        return Err(Error::not_allowed(
            ReasonCode::EntryNotSigned,
            format!("entry {entry_id} is not signed; only signed entries are corrected"),
        ));
    }
    store::exec(
        conn,
        "INSERT INTO corrections (id, entry_id, text, reason, written_at, author)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            correction_id.to_string(),
            entry_id.to_string(),
            text,
            reason,
            op_time(op.hlc),
            op.author
        ],
    )?;
    index::correction(conn, entry_id, correction_id)
}

/// A person chose `chosen` among an entry's versions. A draft shows it; a
/// signed entry keeps its signed version (only that one can be chosen).
pub(super) fn choose(conn: &Connection, entry_id: &Uuid, chosen: &str) -> Result<()> {
    let current = shown(conn, entry_id)?;
    if current.status == "signed" {
        if chosen != current.version_op {
            return Err(Error::not_allowed(
                ReasonCode::EntrySignedVersionStands,
                format!("entry {entry_id} is signed; only its signed version can stand"),
            ));
        }
        return Ok(());
    }
    if chosen != current.version_op {
        let content = version_content(conn, entry_id, chosen)?;
        show(conn, entry_id, chosen, &content, None)?;
    }
    Ok(())
}
