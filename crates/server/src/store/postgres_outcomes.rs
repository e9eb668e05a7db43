//! The PostgreSQL side of the unit manager pages' facts
//! ([`super::outcomes`]): the same statements as SQLite's.

use super::outcomes::{FactRow, OutcomeOp, OutcomeOps, COUNTED_TYPES};
use super::Result;
use deadpool_postgres::Pool;

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

pub(super) async fn add(pool: &Pool, facts: Vec<FactRow>, cursor: i64) -> Result<()> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
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
        "UPDATE outcome_cursor SET server_seq = GREATEST(server_seq, $1) WHERE id = 1",
        &[&cursor],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn facts(pool: &Pool, team_id: Option<i64>) -> Result<Vec<FactRow>> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT server_seq, team_id, kind, case_id, subject, on_date, label, label2, n1, n2, \
             n3, order_key FROM outcome_facts WHERE $1::bigint IS NULL OR team_id = $1 \
             ORDER BY server_seq",
            &[&team_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| FactRow {
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
        })
        .collect())
}
