//! The runner over a rusqlite connection (SQLCipher or plain SQLite).
//!
//! Each step runs in its own IMMEDIATE transaction with its bookkeeping
//! row, so an error or a crash leaves the database at the step before; the
//! record is read again inside each transaction, so two processes opening
//! one file at once never run a step twice.

use crate::{adopt, plan, Applied, Error, Outcome, Step, CREATE_TABLE};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

impl From<rusqlite::Error> for Error<rusqlite::Error> {
    fn from(e: rusqlite::Error) -> Self {
        Error::Database(e)
    }
}

type Result<T> = std::result::Result<T, Error<rusqlite::Error>>;

/// Brings the database on `conn` up to `steps`; `now_ms` is the
/// `applied_at` of the rows written (the component's one clock).
pub fn run(conn: &mut Connection, steps: &[Step], now_ms: i64) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !has_table(&tx)? {
            let legacy: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            tx.execute_batch(CREATE_TABLE)?;
            for step in adopt(legacy, steps)? {
                record(&tx, step, now_ms)?;
            }
            if legacy > 0 {
                outcome.adopted = Some(legacy);
            }
        }
        let applied = applied(&tx)?;
        let Some(step) = plan(&applied, steps)?.first() else {
            tx.commit()?;
            return Ok(outcome);
        };
        tx.execute_batch(step.sql)?;
        record(&tx, step, now_ms)?;
        tx.commit()?;
        outcome.ran.push(step.version);
    }
}

fn has_table(tx: &Transaction<'_>) -> Result<bool> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn applied(tx: &Transaction<'_>) -> Result<Vec<Applied>> {
    let mut st = tx.prepare("SELECT version, checksum FROM schema_migrations")?;
    let rows = st.query_map([], |r| {
        Ok(Applied {
            version: r.get(0)?,
            checksum: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The bookkeeping row of `step`, and `user_version` along with it: builds
/// from before this crate read only `user_version`, and so refuse a
/// database a newer build migrated instead of running their steps on it.
fn record(tx: &Transaction<'_>, step: &Step, now_ms: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
         VALUES (?1, ?2, ?3, ?4)",
        params![step.version, step.name, step.checksum(), now_ms],
    )?;
    tx.pragma_update(None, "user_version", step.version)?;
    Ok(())
}

/// For upgrade tests: a database as the runner before this crate left it,
/// `steps` run one by one and `user_version` their only record.
pub fn legacy_fixture(conn: &Connection, steps: &[Step]) -> rusqlite::Result<()> {
    for step in steps {
        conn.execute_batch(step.sql)?;
        conn.pragma_update(None, "user_version", step.version)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PlanError;

    const STEPS: &[Step] = &[
        Step {
            version: 1,
            name: "a",
            sql: "CREATE TABLE a (x INTEGER);",
        },
        Step {
            version: 2,
            name: "b",
            sql: "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (2);",
        },
    ];

    fn tables(conn: &Connection) -> Vec<String> {
        conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    }

    fn user_version(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("user_version")
    }

    #[test]
    fn a_new_database_gets_every_step_and_its_record() {
        let mut conn = Connection::open_in_memory().expect("db");
        let outcome = run(&mut conn, STEPS, 5).expect("run");
        assert_eq!(
            outcome,
            Outcome {
                adopted: None,
                ran: vec![1, 2]
            }
        );
        assert_eq!(tables(&conn), ["a", "b", "schema_migrations"]);
        let record: Vec<(i64, String, String, i64)> = conn
            .prepare("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        let want: Vec<_> = STEPS
            .iter()
            .map(|s| (s.version, s.name.to_string(), s.checksum(), 5))
            .collect();
        assert_eq!(record, want);
        assert_eq!(user_version(&conn), 2, "kept for builds before the record");
        assert_eq!(run(&mut conn, STEPS, 6).expect("again"), Outcome::default());
    }

    #[test]
    fn a_database_of_the_old_runner_is_adopted_not_run_again() {
        let mut conn = Connection::open_in_memory().expect("db");
        legacy_fixture(&conn, &STEPS[..1]).expect("step 1");
        let outcome = run(&mut conn, STEPS, 5).expect("run");
        assert_eq!(
            outcome,
            Outcome {
                adopted: Some(1),
                ran: vec![2]
            }
        );
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM a", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 1, "step 2 ran once, step 1 not again");
    }

    #[test]
    fn a_newer_database_is_refused_and_left_as_it_was() {
        let mut conn = Connection::open_in_memory().expect("db");
        conn.pragma_update(None, "user_version", 3).expect("v3");
        assert!(matches!(
            run(&mut conn, STEPS, 5),
            Err(Error::Plan(PlanError::TooNew { found: 3, known: 2 }))
        ));
        assert!(tables(&conn).is_empty(), "nothing written");
    }

    #[test]
    fn an_edited_step_is_refused() {
        let mut conn = Connection::open_in_memory().expect("db");
        run(&mut conn, &STEPS[..1], 5).expect("step 1");
        let edited = [
            Step {
                sql: "CREATE TABLE a (x TEXT);",
                ..STEPS[0]
            },
            STEPS[1],
        ];
        assert!(matches!(
            run(&mut conn, &edited, 5),
            Err(Error::Plan(PlanError::Edited { version: 1, .. }))
        ));
        assert!(!tables(&conn).contains(&"b".to_string()), "step 2 not run");
    }

    #[test]
    fn a_failing_step_rolls_back_with_its_record() {
        let mut conn = Connection::open_in_memory().expect("db");
        let steps = [
            STEPS[0],
            Step {
                version: 2,
                name: "broken",
                sql: "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);",
            },
        ];
        assert!(matches!(run(&mut conn, &steps, 5), Err(Error::Database(_))));
        assert_eq!(tables(&conn), ["a", "schema_migrations"]);
        assert_eq!(user_version(&conn), 1);
        let recorded: i64 = conn
            .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
                r.get(0)
            })
            .expect("max");
        assert_eq!(recorded, 1);
    }
}
