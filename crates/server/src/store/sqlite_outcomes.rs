//! The SQLite side of the unit manager pages' facts ([`super::outcomes`]).

use super::outcomes::{
    FactBatch, FactRow, OutcomeOp, OutcomeOps, OutcomeRows, PupilWeeks, COUNTED_TYPES, WEEK,
};
use super::Result;
use rusqlite::{params, params_from_iter, Connection, Row};
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

pub(super) fn add(conn: &mut Connection, batch: FactBatch) -> Result<bool> {
    let tx = conn.transaction()?;
    // First, so that a round that lost the race stores nothing.
    let moved = tx.execute(
        "UPDATE outcome_cursor SET server_seq = ?1 WHERE id = 1 AND server_seq = ?2",
        [batch.cursor, batch.after],
    )?;
    if moved == 0 {
        return Ok(false);
    }
    {
        let mut st = tx.prepare_cached(
            "INSERT OR IGNORE INTO outcome_facts (server_seq, team_id, kind, case_id, subject, \
             on_date, label, label2, n1, n2, n3, order_key) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for f in &batch.facts {
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
        let mut st = tx.prepare_cached(
            "INSERT INTO outcome_weeks (team_id, pupil, weeks) VALUES (?1, ?2, ?3) \
             ON CONFLICT (team_id, pupil) DO UPDATE SET weeks = excluded.weeks",
        )?;
        for w in &batch.weeks {
            st.execute(params![w.team_id, w.pupil, w.weeks])?;
        }
    }
    tx.commit()?;
    Ok(true)
}

const FACT_COLUMNS: &str = "server_seq, team_id, kind, case_id, subject, on_date, label, \
     label2, n1, n2, n3, order_key";

fn fact(r: &Row<'_>) -> rusqlite::Result<FactRow> {
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
}

pub(super) fn week_facts(conn: &Connection, pupils: Vec<(i64, String)>) -> Result<Vec<FactRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {FACT_COLUMNS} FROM outcome_facts \
         WHERE kind = ?1 AND subject = ?2 AND team_id = ?3"
    ))?;
    let mut rows = Vec::new();
    for (team, pupil) in pupils {
        for row in st.query_map(params![WEEK, pupil, team], fact)? {
            rows.push(row?);
        }
    }
    Ok(rows)
}

/// The WHERE clause of the rows of `team_id` (?1), or of every team, with
/// `filter` added; its parameters.
fn of_team(team_id: Option<i64>, filter: &str) -> (String, Vec<i64>) {
    match team_id {
        Some(t) => (format!("WHERE team_id = ?1 {filter}"), vec![t]),
        None => (format!("WHERE 1 {filter}"), vec![]),
    }
}

pub(super) fn facts(conn: &Connection, team_id: Option<i64>) -> Result<Vec<FactRow>> {
    let (filter, args) = of_team(team_id, "");
    let mut st = conn.prepare_cached(&format!(
        "SELECT {FACT_COLUMNS} FROM outcome_facts {filter} ORDER BY server_seq"
    ))?;
    let rows = st
        .query_map(params_from_iter(args), fact)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub(super) fn rows(conn: &Connection, team_id: Option<i64>) -> Result<OutcomeRows> {
    // One read transaction: the facts and the weeks of the same refresh.
    let tx = conn.unchecked_transaction()?;
    // Not `kind <> 'week'` nor `ORDER BY server_seq`: SQLite would then
    // read every fact in server_seq order; the two ranges, sorted after
    // (`+`), read the other kinds through the index by kind, past the
    // weeks (most of the facts).
    let (filter, args) = of_team(
        team_id,
        &format!("AND (kind < '{WEEK}' OR kind > '{WEEK}')"),
    );
    let mut st = tx.prepare_cached(&format!(
        "SELECT {FACT_COLUMNS} FROM outcome_facts {filter} ORDER BY +server_seq"
    ))?;
    let facts = st
        .query_map(params_from_iter(&args), fact)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let (filter, _) = of_team(team_id, "");
    let weeks = tx
        .prepare_cached(&format!(
            "SELECT team_id, pupil, weeks FROM outcome_weeks {filter}"
        ))?
        .query_map(params_from_iter(&args), |r| {
            Ok(PupilWeeks {
                team_id: r.get(0)?,
                pupil: r.get(1)?,
                weeks: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    drop(st);
    tx.commit()?;
    Ok(OutcomeRows { facts, weeks })
}
