//! The runner over a tokio-postgres client, with the semantics of the
//! SQLite one: each step in its own transaction with its bookkeeping row.
//!
//! Every transaction first takes a transaction-level advisory lock, so
//! that of several server processes starting on one database one migrates
//! and the others then find the work done.

use crate::{adopt, plan, Applied, Error, Outcome, Step, CREATE_TABLE};
use tokio_postgres::{Client, Transaction};

impl From<tokio_postgres::Error> for Error<tokio_postgres::Error> {
    fn from(e: tokio_postgres::Error) -> Self {
        Error::Database(e)
    }
}

type Result<T> = std::result::Result<T, Error<tokio_postgres::Error>>;

/// Brings the database (the current schema of the connection's
/// `search_path`) up to `steps`. `lock_key` is the advisory lock the
/// component keeps for migrating; `now_ms` the `applied_at` of the rows.
pub async fn run(
    client: &mut Client,
    steps: &[Step],
    lock_key: i64,
    now_ms: i64,
) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    loop {
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock_key])
            .await?;
        match bookkeeping(&tx).await? {
            Bookkeeping::None => tx.batch_execute(CREATE_TABLE).await?,
            Bookkeeping::Legacy => {
                let legacy = adopt_legacy(&tx, steps).await?;
                outcome.adopted = (legacy > 0).then_some(legacy);
            }
            Bookkeeping::Current => {}
        }
        let applied: Vec<Applied> = tx
            .query("SELECT version, checksum FROM schema_migrations", &[])
            .await?
            .iter()
            .map(|r| Applied {
                version: r.get(0),
                checksum: r.get(1),
            })
            .collect();
        let Some(step) = plan(&applied, steps)?.first() else {
            tx.commit().await?;
            return Ok(outcome);
        };
        tx.batch_execute(step.sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
             VALUES ($1, $2, $3, $4)",
            &[&step.version, &step.name, &step.checksum(), &now_ms],
        )
        .await?;
        tx.commit().await?;
        outcome.ran.push(step.version);
    }
}

enum Bookkeeping {
    None,
    /// `schema_migrations (version, applied_at)` of the runner before this
    /// crate: no name, no checksum.
    Legacy,
    Current,
}

async fn bookkeeping(tx: &Transaction<'_>) -> Result<Bookkeeping> {
    let columns: Vec<String> = tx
        .query(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = 'schema_migrations'",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(if columns.is_empty() {
        Bookkeeping::None
    } else if columns.iter().any(|c| c == "checksum") {
        Bookkeeping::Current
    } else {
        Bookkeeping::Legacy
    })
}

/// Adds the name and checksum to the old table in place (its rows keep
/// their `applied_at`), so that a build from before this crate still reads
/// `MAX(version)` from it and refuses a database a newer build migrated.
async fn adopt_legacy(tx: &Transaction<'_>, steps: &[Step]) -> Result<i64> {
    let legacy: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations",
            &[],
        )
        .await?
        .get(0);
    let adopted = adopt(legacy, steps)?;
    tx.batch_execute(
        "ALTER TABLE schema_migrations ADD COLUMN name TEXT, ADD COLUMN checksum TEXT",
    )
    .await?;
    for step in adopted {
        tx.execute(
            "UPDATE schema_migrations SET name = $2, checksum = $3 WHERE version = $1",
            &[&step.version, &step.name, &step.checksum()],
        )
        .await?;
    }
    // A version missing from the old rows stays missing (the plan then
    // refuses the gap); a row outside the steps would fail here.
    tx.batch_execute(
        "ALTER TABLE schema_migrations ALTER COLUMN name SET NOT NULL, \
         ALTER COLUMN checksum SET NOT NULL",
    )
    .await?;
    Ok(legacy)
}

/// For upgrade tests: a database as the runner before this crate left it,
/// `steps` run one by one, each recorded in `schema_migrations (version,
/// applied_at)`.
pub async fn legacy_fixture(
    client: &Client,
    steps: &[Step],
) -> std::result::Result<(), tokio_postgres::Error> {
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .await?;
    for step in steps {
        client.batch_execute(step.sql).await?;
        client
            .execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)",
                &[&step.version],
            )
            .await?;
    }
    Ok(())
}
