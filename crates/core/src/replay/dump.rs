//! The canonical form of the materialised journal, and the replay check.
//!
//! Two devices that hold the same operations have the same dump, line for
//! line: every table replay writes, in a stable order, with no row id and
//! nothing local to the device (its audit log, sync bookkeeping, settings).

use super::scope;
use crate::error::{Error, Result};
use brygga_protocol::op::SignedOperation;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

/// The tables replay writes, with the columns that order them.
const MATERIALISED: &[(&str, &str)] = &[
    ("pupils", "id"),
    ("pupil_aliases", "alias_id"),
    ("cases", "id"),
    ("guardians", "id"),
    ("mutable_fields", "object_type, object_id, field"),
    ("field_conflicts", "lost_op_id"),
    ("consents", "id"),
    ("entries", "id"),
    ("entry_versions", "op_id"),
    ("corrections", "id"),
    ("plans", "id"),
    ("plan_actions", "id"),
    ("concern_reports", "id"),
    ("search_index", "entry_id, correction_id, text"),
    ("absence_weeks", "pupil_id, week_start"),
    ("ladder_steps", "id"),
    ("followups", "id"),
    ("programmes", "id"),
    ("contacts", "id"),
    ("deviations", "id"),
    ("disclosures", "id"),
    ("replay_rejections", "op_id"),
];

fn table(conn: &Connection, table: &str, order: &str, out: &mut Vec<String>) -> Result<()> {
    rows(
        conn,
        table,
        &format!("SELECT * FROM {table} ORDER BY {order}"),
        out,
    )
}

/// Each row of `sql` as a line `label: column=value | …`.
fn rows(conn: &Connection, label: &str, sql: &str, out: &mut Vec<String>) -> Result<()> {
    let mut stmt = conn.prepare(sql)?;
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let values: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let v = r.get_ref(i).map(text).unwrap_or_else(|e| format!("<{e}>"));
                format!("{name}={v}")
            })
            .collect();
        out.push(format!("{label}: {}", values.join(" | ")));
    }
    Ok(())
}

fn text(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => format!("x'{}'", hex::encode(b)),
    }
}

/// The versions of every plan, which are read from the log rather than a
/// table (docs/adr/0032-well-prepared-meetings.md): each plan's operations
/// that replay applied, in its order, and the version each one revised.
const PLAN_VERSIONS: &str = "SELECT json_extract(o.body, '$.op.payload.plan_id') AS plan_id,
        o.op_id, json_extract(o.body, '$.op.payload.replaces') AS replaces
     FROM oplog o
     WHERE o.type IN ('plan-created', 'plan-revised')
       AND NOT EXISTS (SELECT 1 FROM replay_rejections r WHERE r.op_id = o.op_id)";

/// The canonical dump of the materialised journal, one line a row.
pub(crate) fn dump(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (name, order) in MATERIALISED {
        table(conn, name, order, &mut out)?;
    }
    rows(
        conn,
        "plan_versions",
        &format!("{PLAN_VERSIONS} ORDER BY plan_id, o.hlc, o.device_id, o.seq"),
        &mut out,
    )?;
    Ok(out)
}

/// Replays `ops` into a fresh in-memory database and compares its dump
/// with `live`'s. Reports the first table that differs.
pub(crate) fn check(live: &Connection, ops: &[SignedOperation]) -> Result<()> {
    let mut fresh = Connection::open_in_memory()?;
    crate::store::keep_statements(&fresh)?;
    crate::migrations::migrate(&mut fresh)?;
    let tx = fresh.transaction()?;
    for signed in ops {
        scope::log(
            &tx,
            signed,
            &serde_json::to_string(signed).expect("operation serialises"),
        )?;
    }
    scope::catch_up(&tx)?;
    let (mine, replayed) = (dump(live)?, dump(&tx)?);
    if mine != replayed {
        let differs = mine
            .iter()
            .zip(&replayed)
            .find(|(a, b)| a != b)
            .map(|(a, b)| if a < b { a } else { b })
            .or(mine.get(replayed.len()))
            .or(replayed.get(mine.len()))
            .and_then(|line| line.split(':').next())
            .unwrap_or("?");
        return Err(Error::Damaged(format!(
            "table {differs} differs from a replay of the operation log"
        )));
    }
    Ok(())
}
