//! Schema migrations by `PRAGMA user_version`.
//!
//! Step N takes a database at version N-1 to version N inside one
//! IMMEDIATE transaction, so a crash or an error leaves the database at
//! N-1, never in between. Steps are never edited once released; a change
//! is a new step with a test that starts from a fixture of the old schema.

use crate::error::{Error, Result};
use rusqlite::{Connection, TransactionBehavior};

/// The SQL of each step; index 0 is step 1.
const STEPS: &[&str] = &[
    include_str!("migrations/v1.sql"),
    include_str!("migrations/v2.sql"),
    include_str!("migrations/v3.sql"),
    include_str!("migrations/v4.sql"),
    include_str!("migrations/v5.sql"),
];

pub(crate) fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_with(conn, STEPS)
}

fn migrate_with(conn: &mut Connection, steps: &[&str]) -> Result<()> {
    let known = steps.len() as i64;
    let found = user_version(conn)?;
    if found > known {
        return Err(Error::SchemaTooNew { found, known });
    }
    for (index, sql) in steps.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LATEST: i64 = STEPS.len() as i64;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    #[test]
    fn step_1_from_an_empty_database_creates_the_schema() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrate(&mut conn).expect("migrate");
        assert_eq!(user_version(&conn).expect("v"), LATEST);
        let t = tables(&conn);
        for needed in [
            "audit",
            "cases",
            "consents",
            "corrections",
            "device",
            "entries",
            "guardians",
            "oplog",
            "pupils",
            "search_index",
        ] {
            assert!(t.iter().any(|n| n == needed), "missing table {needed}");
        }
    }

    #[test]
    fn step_2_adds_sync_state_and_keeps_a_v1_journal() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrate_with(&mut conn, &STEPS[..1]).expect("v1");
        conn.execute_batch(
            "INSERT INTO pupils VALUES ('p1', 'Fiktiv Elev', '201204179939', 'Fiktiva skolan', 8, 0, 't', 'a');
             INSERT INTO oplog VALUES ('o1', 'd1', 1, 'h', 'pupil-registered', '{}');",
        )
        .expect("v1 fixture");
        migrate_with(&mut conn, &STEPS[..2]).expect("to version 2");
        let t = tables(&conn);
        assert!(t.contains(&"sync_state".to_string()) && t.contains(&"quarantine".to_string()));
        let kept: i64 = conn
            .query_row("SELECT count(*) FROM pupils JOIN oplog", [], |r| r.get(0))
            .expect("count");
        assert_eq!(kept, 1);
    }

    #[test]
    fn step_3_adds_absence_weeks_and_default_thresholds_to_a_v2_journal() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrate_with(&mut conn, &STEPS[..2]).expect("v2");
        // A v2 journal with a pupil, an op and a sync setting (fictional).
        conn.execute_batch(
            "INSERT INTO pupils VALUES ('p1', 'Fiktiv Elev', '201204179939', 'Fiktiva skolan', 8, 0, 't', 'a');
             INSERT INTO oplog VALUES ('o1', 'd1', 1, 'h', 'pupil-registered', '{}');
             INSERT INTO sync_state VALUES ('server_url', 'https://example.invalid');",
        )
        .expect("v2 fixture");
        migrate_with(&mut conn, &STEPS[..3]).expect("to version 3");
        assert_eq!(user_version(&conn).expect("v"), 3);
        let t = tables(&conn);
        assert!(t.contains(&"absence_weeks".to_string()) && t.contains(&"settings".to_string()));
        let kept: i64 = conn
            .query_row(
                "SELECT count(*) FROM pupils JOIN oplog JOIN sync_state",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(kept, 1, "the v2 data is kept");
        let thresholds: String = conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'absence_thresholds'",
                [],
                |r| r.get(0),
            )
            .expect("default thresholds");
        assert_eq!(thresholds, "[10,15,20]");
        conn.execute(
            "INSERT INTO absence_weeks VALUES ('p1', '2026-10-05', 1680, 120, 45, 'f.csv', 'h', 'd1', 'o2', NULL, 't', 'a')",
            [],
        )
        .expect("an absence week for the existing pupil");
        assert!(
            conn.execute(
                "INSERT INTO absence_weeks VALUES ('p1', '2026-10-12', -1, 0, 0, 'f.csv', 'h', 'd1', 'o3', NULL, 't', 'a')",
                [],
            )
            .is_err(),
            "negative minutes are refused"
        );
    }

    #[test]
    fn step_4_replays_a_v3_journal_under_the_rules_of_the_team_record() {
        use brygga_protocol::op::{Operation, Payload, SignedOperation};
        let mut conn = Connection::open_in_memory().expect("db");
        migrate_with(&mut conn, &STEPS[..3]).expect("v3");
        // A v3 journal: a pupil and its registration, materialised.
        let op = SignedOperation {
            op: Operation {
                version: brygga_protocol::PROTOCOL_VERSION,
                id: uuid::Uuid::from_u128(7),
                device_id: uuid::Uuid::from_u128(1),
                seq: 1,
                hlc: brygga_protocol::hlc::Hlc {
                    wall_ms: 1,
                    counter: 0,
                },
                author: "Fiktiv Handläggare".into(),
                payload: Payload::PupilRegistered {
                    pupil_id: uuid::Uuid::from_u128(2),
                    name: "Fiktiv Elev".into(),
                    personnummer: "201204179939".into(),
                    school: "Fiktiva skolan".into(),
                    grade: 8,
                    protected_identity: false,
                },
            },
            signature: String::new(),
        };
        conn.execute(
            "INSERT INTO oplog VALUES (?1, ?2, 1, ?3, 'pupil-registered', ?4)",
            rusqlite::params![
                op.op.id.to_string(),
                op.op.device_id.to_string(),
                op.op.hlc.to_sortable(),
                serde_json::to_string(&op).expect("json")
            ],
        )
        .expect("v3 op");
        conn.execute(
            "INSERT INTO pupils VALUES (?1, 'Fiktiv Elev', '201204179939', 'Fiktiva skolan', 8, 0, 't', 'a')",
            [uuid::Uuid::from_u128(2).to_string()],
        )
        .expect("v3 pupil");
        migrate(&mut conn).expect("to version 4");
        crate::replay::scope::catch_up(&conn).expect("replay");
        let (pupils, waiting): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM pupils), (SELECT count(*) FROM unreplayed)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("count");
        assert_eq!((pupils, waiting), (1, 0), "replayed once, nothing left");
        crate::replay::check(&conn, &[op]).expect("the tables are a replay of the log");
    }

    #[test]
    fn step_5_lists_where_each_entry_text_of_a_v4_journal_is_indexed() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrate_with(&mut conn, &STEPS[..4]).expect("v4");
        // A v4 journal's index: two entries' texts and a correction.
        conn.execute_batch(
            "INSERT INTO search_index (rowid, text, entry_id, correction_id)
               VALUES (3, 'Hembesök', 'e1', NULL), (5, 'Elevsamtal', 'e2', NULL),
                      (8, 'Rättelse', 'e1', 'c1');",
        )
        .expect("v4 fixture");
        migrate_with(&mut conn, &STEPS[..5]).expect("to version 5");
        let rows: Vec<(String, i64)> = conn
            .prepare("SELECT entry_id, fts_rowid FROM search_rows ORDER BY entry_id")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(rows, vec![("e1".to_owned(), 3), ("e2".to_owned(), 5)]);
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrate(&mut conn).expect("first");
        let before = tables(&conn);
        migrate(&mut conn).expect("second");
        assert_eq!(before, tables(&conn));
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().expect("db");
        conn.pragma_update(None, "user_version", LATEST + 1)
            .expect("set");
        assert!(matches!(
            migrate(&mut conn),
            Err(Error::SchemaTooNew { .. })
        ));
    }

    #[test]
    fn a_failing_step_rolls_back_to_the_previous_version() {
        let mut conn = Connection::open_in_memory().expect("db");
        let steps = [
            "CREATE TABLE a(x);",
            "CREATE TABLE b(x); INSERT INTO nowhere VALUES (1);",
        ];
        assert!(migrate_with(&mut conn, &steps).is_err());
        assert_eq!(user_version(&conn).expect("v"), 1);
        let t = tables(&conn);
        assert!(t.contains(&"a".to_string()) && !t.contains(&"b".to_string()));
    }
}
