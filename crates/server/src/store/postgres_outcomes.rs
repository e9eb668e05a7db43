//! The PostgreSQL side of the unit manager pages' facts
//! ([`super::outcomes`]): the same statements as SQLite's.

use super::outcomes::{
    FactBatch, FactRow, OutcomeOp, OutcomeOps, OutcomeRows, PupilWeeks, COUNTED_TYPES, WEEK,
};
use super::Result;
use deadpool_postgres::{GenericClient, Pool};
use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, Row};

pub(super) async fn ops(pool: &Pool, limit: u32) -> Result<OutcomeOps> {
    let client = pool.get().await?;
    let cursor: i64 = client
        .query_one("SELECT server_seq FROM outcome_cursor WHERE id = 1", &[])
        .await?
        .get(0);
    let latest: i64 = client
        .query_one("SELECT COALESCE(MAX(server_seq), 0)::bigint FROM ops", &[])
        .await?
        .get(0);
    let types: Vec<&str> = COUNTED_TYPES.to_vec();
    let rows = client
        .query(
            "SELECT server_seq, team_id, case_id, body FROM ops \
             WHERE server_seq > $1 AND server_seq <= $2 AND type = ANY($3) \
             ORDER BY server_seq LIMIT $4",
            &[&cursor, &latest, &types, &i64::from(limit)],
        )
        .await?;
    Ok(OutcomeOps {
        cursor,
        latest,
        ops: rows
            .iter()
            .map(|r| OutcomeOp {
                server_seq: r.get(0),
                team_id: r.get(1),
                case_id: r.get(2),
                body: r.get(3),
            })
            .collect(),
    })
}

pub(super) async fn add(pool: &Pool, batch: FactBatch) -> Result<bool> {
    let FactBatch {
        after,
        cursor,
        facts,
        weeks,
    } = batch;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // First, so that a round that lost the race stores nothing; a
    // concurrent round's update waits for this one and then finds the
    // cursor moved.
    let moved = tx
        .execute(
            "UPDATE outcome_cursor SET server_seq = $1 WHERE id = 1 AND server_seq = $2",
            &[&cursor, &after],
        )
        .await?;
    if moved == 0 {
        return Ok(false);
    }
    let st = tx
        .prepare_cached(
            "INSERT INTO outcome_facts (server_seq, team_id, kind, case_id, subject, on_date, \
             label, label2, n1, n2, n3, order_key) \
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::uuid[], $5::text[], \
             $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[], \
             $12::text[]) ON CONFLICT (server_seq) DO NOTHING",
        )
        .await?;
    let col = |f: fn(&FactRow) -> i64| facts.iter().map(f).collect::<Vec<i64>>();
    let text = |f: fn(&FactRow) -> Option<String>| facts.iter().map(f).collect::<Vec<_>>();
    tx.execute(
        &st,
        &[
            &col(|f| f.server_seq),
            &col(|f| f.team_id),
            &facts.iter().map(|f| f.kind.clone()).collect::<Vec<_>>(),
            &facts.iter().map(|f| f.case_id).collect::<Vec<_>>(),
            &facts.iter().map(|f| f.subject.clone()).collect::<Vec<_>>(),
            &text(|f| f.on_date.clone()),
            &text(|f| f.label.clone()),
            &text(|f| f.label2.clone()),
            &col(|f| f.n[0]),
            &col(|f| f.n[1]),
            &col(|f| f.n[2]),
            &facts
                .iter()
                .map(|f| f.order_key.clone())
                .collect::<Vec<_>>(),
        ],
    )
    .await?;
    tx.execute(
        "INSERT INTO outcome_weeks (team_id, pupil, weeks) \
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) \
         ON CONFLICT (team_id, pupil) DO UPDATE SET weeks = excluded.weeks",
        &[
            &weeks.iter().map(|w| w.team_id).collect::<Vec<_>>(),
            &weeks.iter().map(|w| w.pupil.as_str()).collect::<Vec<_>>(),
            &weeks.iter().map(|w| w.weeks.as_str()).collect::<Vec<_>>(),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

const FACT_COLUMNS: &str = "server_seq, team_id, kind, case_id, subject, on_date, label, \
     label2, n1, n2, n3, order_key";

fn fact(r: &Row) -> FactRow {
    FactRow {
        server_seq: r.get(0),
        team_id: r.get(1),
        kind: r.get(2),
        case_id: r.get(3),
        subject: r.get(4),
        on_date: r.get(5),
        label: r.get(6),
        label2: r.get(7),
        n: [r.get(8), r.get(9), r.get(10)],
        order_key: r.get(11),
    }
}

pub(super) async fn week_facts(pool: &Pool, pupils: Vec<(i64, String)>) -> Result<Vec<FactRow>> {
    let client = pool.get().await?;
    let (teams, pupils): (Vec<i64>, Vec<String>) = pupils.into_iter().unzip();
    let rows = client
        .query(
            &format!(
                "SELECT {FACT_COLUMNS} FROM outcome_facts \
                 JOIN unnest($2::bigint[], $3::text[]) AS p (team_id, subject) \
                 USING (team_id, subject) WHERE kind = $1"
            ),
            &[&WEEK, &teams, &pupils],
        )
        .await?;
    Ok(rows.iter().map(fact).collect())
}

/// The facts of the team ($1), or of every team, with `filter` added.
async fn facts_where(
    client: &impl GenericClient,
    filter: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<FactRow>> {
    let rows = client
        .query(
            &format!(
                "SELECT {FACT_COLUMNS} FROM outcome_facts \
                 WHERE ($1::bigint IS NULL OR team_id = $1) {filter} ORDER BY server_seq"
            ),
            params,
        )
        .await?;
    Ok(rows.iter().map(fact).collect())
}

pub(super) async fn facts(pool: &Pool, team_id: Option<i64>) -> Result<Vec<FactRow>> {
    facts_where(&pool.get().await?, "", &[&team_id]).await
}

pub(super) async fn rows(pool: &Pool, team_id: Option<i64>) -> Result<OutcomeRows> {
    let mut client = pool.get().await?;
    // One snapshot: the facts and the weeks of the same refresh.
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    // Not `kind <> 'week'`: the two ranges can read the other kinds
    // through the index by kind, past the weeks (most of the facts).
    let facts = facts_where(&tx, "AND (kind < $2 OR kind > $2)", &[&team_id, &WEEK]).await?;
    let weeks = tx
        .query(
            "SELECT team_id, pupil, weeks FROM outcome_weeks \
             WHERE $1::bigint IS NULL OR team_id = $1",
            &[&team_id],
        )
        .await?
        .iter()
        .map(|r| PupilWeeks {
            team_id: r.get(0),
            pupil: r.get(1),
            weeks: r.get(2),
        })
        .collect();
    tx.commit().await?;
    Ok(OutcomeRows { facts, weeks })
}
