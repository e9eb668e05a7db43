//! The SQLite side of the unit manager pages' facts ([`super::outcomes`]).

use super::outcomes::{FactRow, OutcomeOp, OutcomeOps, COUNTED_TYPES};
use super::Result;
use rusqlite::{params, params_from_iter, Connection};
use uuid::Uuid;

fn types_list() -> String {
    COUNTED_TYPES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn ops(conn: &Connection, limit: u32) -> Result<OutcomeOps> {
    let cursor: i64 = conn.query_row(
        "SELECT server_seq FROM outcome_cursor WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    let latest: i64 = conn.query_row("SELECT COALESCE(MAX(server_seq), 0) FROM ops", [], |r| {
        r.get(0)
    })?;
    let mut st = conn.prepare_cached(&format!(
        "SELECT server_seq, team_id, case_id, body FROM ops \
         WHERE server_seq > ?1 AND server_seq <= ?2 AND type IN ({}) \
         ORDER BY server_seq LIMIT ?3",
        types_list()
    ))?;
    let ops = st
        .query_map(params![cursor, latest, limit], |r| {
            let case: Option<String> = r.get(2)?;
            Ok(OutcomeOp {
                server_seq: r.get(0)?,
                team_id: r.get(1)?,
                case_id: case.and_then(|c| Uuid::parse_str(&c).ok()),
                body: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(OutcomeOps {
        cursor,
        latest,
        ops,
    })
}

pub(super) fn add(conn: &mut Connection, facts: Vec<FactRow>, cursor: i64) -> Result<()> {
    let tx = conn.transaction()?;
    {
        let mut st = tx.prepare_cached(
            "INSERT OR IGNORE INTO outcome_facts (server_seq, team_id, kind, case_id, subject, \
             on_date, label, label2, n1, n2, n3, order_key) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for f in &facts {
            st.execute(params![
                f.server_seq,
                f.team_id,
                f.kind,
                f.case_id.map(|c| c.to_string()),
                f.subject,
                f.on_date,
                f.label,
                f.label2,
                f.n[0],
                f.n[1],
                f.n[2],
                f.order_key,
            ])?;
        }
        tx.execute(
            "UPDATE outcome_cursor SET server_seq = MAX(server_seq, ?1) WHERE id = 1",
            [cursor],
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn facts(conn: &Connection, team_id: Option<i64>) -> Result<Vec<FactRow>> {
    let (filter, args): (&str, Vec<i64>) = match team_id {
        Some(t) => ("WHERE team_id = ?1", vec![t]),
        None => ("", vec![]),
    };
    let mut st = conn.prepare_cached(&format!(
        "SELECT server_seq, team_id, kind, case_id, subject, on_date, label, label2, n1, n2, n3, \
         order_key FROM outcome_facts {filter} ORDER BY server_seq"
    ))?;
    let rows = st
        .query_map(params_from_iter(args), |r| {
            let case: Option<String> = r.get(3)?;
            Ok(FactRow {
                server_seq: r.get(0)?,
                team_id: r.get(1)?,
                kind: r.get(2)?,
                case_id: case.and_then(|c| Uuid::parse_str(&c).ok()),
                subject: r.get(4)?,
                on_date: r.get(5)?,
                label: r.get(6)?,
                label2: r.get(7)?,
                n: [r.get(8)?, r.get(9)?, r.get(10)?],
                order_key: r.get(11)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
