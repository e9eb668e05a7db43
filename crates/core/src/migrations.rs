//! The journal's schema steps, run by the one migration mechanism
//! ([`brygga_migrate`], docs/adr/0011-shared-migrations.md): each step in
//! its own IMMEDIATE transaction with its bookkeeping row, so a crash or an
//! error leaves the journal at the step before. A released step is never
//! edited (its checksum is pinned in the tests below); a change is a new
//! step, with a fixture of the schema before it.

use crate::clock;
use crate::error::{Error, Result};
use brygga_migrate::{PlanError, Step};
use rusqlite::Connection;

/// Version N takes a journal from N-1 to N.
const STEPS: &[Step] = &[
    Step::new(1, "journal", include_str!("migrations/v1.sql")),
    Step::new(2, "sync_state", include_str!("migrations/v2.sql")),
    Step::new(3, "absence_weeks", include_str!("migrations/v3.sql")),
    Step::new(4, "team_record", include_str!("migrations/v4.sql")),
    Step::new(5, "search_rows", include_str!("migrations/v5.sql")),
    Step::new(6, "high_water", include_str!("migrations/v6.sql")),
    Step::new(7, "retention", include_str!("migrations/v7.sql")),
    Step::new(8, "return_path", include_str!("migrations/v8.sql")),
    Step::new(9, "programmes", include_str!("migrations/v9.sql")),
    Step::new(10, "contacts", include_str!("migrations/v10.sql")),
    Step::new(11, "deviations", include_str!("migrations/v11.sql")),
    Step::new(12, "disclosures", include_str!("migrations/v12.sql")),
];

pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_with(conn, STEPS)
}

fn migrate_with(conn: &mut Connection, steps: &[Step]) -> Result<()> {
    brygga_migrate::sqlite::run(conn, steps, clock::now().timestamp_millis()).map_err(|e| {
        match e {
            brygga_migrate::Error::Database(e) => Error::Storage(e),
            brygga_migrate::Error::Plan(PlanError::TooNew { found, known }) => {
                Error::SchemaTooNew { found, known }
            }
            // An edited step or a gap: this journal's history is not one
            // this build made, and running more steps on it could damage it.
            brygga_migrate::Error::Plan(other) => Error::Damaged(other.to_string()),
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LATEST: i64 = STEPS.len() as i64;

    /// The newest step the journal records.
    fn version_of(conn: &Connection) -> i64 {
        conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .expect("version")
    }

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
        assert_eq!(version_of(&conn), LATEST);
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
        assert_eq!(version_of(&conn), 3);
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
    fn step_6_keeps_the_high_water_marks_of_this_device_not_of_others() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrate_with(&mut conn, &STEPS[..5]).expect("v5");
        // A v5 journal of device d1 holding its own ops and a newer one of d2.
        conn.execute_batch(
            "INSERT INTO device VALUES ('d1', 'Fiktiv Handläggare', x'00', x'00', '2026-01-01T00:00:00Z');
             INSERT INTO oplog VALUES ('o1', 'd1', 1, '000000000000001-0000000000', 'pupil-registered', '{}'),
                                      ('o2', 'd1', 2, '000000000000005-0000000000', 'case-opened', '{}'),
                                      ('o3', 'd2', 9, '000000000000009-0000000000', 'case-opened', '{}');",
        )
        .expect("v5 fixture");
        migrate_with(&mut conn, &STEPS[..6]).expect("to version 6");
        let marks: (i64, String) = conn
            .query_row("SELECT last_seq, last_hlc FROM high_water", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("marks");
        assert_eq!(marks, (2, "000000000000005-0000000000".to_owned()));
    }

    #[test]
    fn step_7_lets_an_operation_leave_the_log_only_with_its_case() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrate_with(&mut conn, &STEPS[..6]).expect("v6");
        conn.execute_batch(
            "INSERT INTO oplog VALUES ('o1', 'd1', 1, '000000000000001-0000000000', 'case-opened', '{}');",
        )
        .expect("v6 fixture");
        migrate_with(&mut conn, &STEPS[..7]).expect("to version 7");
        let err = conn
            .execute("DELETE FROM oplog WHERE op_id = 'o1'", [])
            .expect_err("still append-only");
        assert!(err.to_string().contains("append-only"), "{err}");
        conn.execute_batch(
            "INSERT INTO leaving VALUES ('c1');
             DELETE FROM oplog WHERE op_id = 'o1';
             DELETE FROM leaving;",
        )
        .expect("a case leaving takes its operations");
        let left: i64 = conn
            .query_row("SELECT count(*) FROM oplog", [], |r| r.get(0))
            .expect("count");
        assert_eq!(left, 0);
    }

    /// A pupil with an open case, as every schema from version 7 stores
    /// them (fictional).
    const A_PUPIL_WITH_A_CASE: &str =
        "INSERT INTO pupils VALUES ('p1', 'Fiktiv Elev', '201204179939', 'Fiktiva skolan', 8, 0, 't', 'a');
         INSERT INTO cases VALUES ('c1', 'p1', 'open', 't', 'a', NULL);";

    #[test]
    fn step_8_adds_the_return_path_to_a_v7_journal() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrate_with(&mut conn, &STEPS[..7]).expect("v7");
        conn.execute_batch(A_PUPIL_WITH_A_CASE).expect("v7 fixture");
        migrate_with(&mut conn, &STEPS[..8]).expect("to version 8");
        assert_eq!(version_of(&conn), 8);
        conn.execute_batch(
            "INSERT INTO ladder_steps VALUES ('l1', 'c1', 'home-visits', '2026-10-05', '', 'h', 'a');
             INSERT INTO followups VALUES ('f1', 'c1', 'call-guardian', '2026-10-05', NULL, 't', 'a', NULL, NULL);",
        )
        .expect("the existing case takes ladder steps and follow-ups");
        assert!(
            conn.execute(
                "INSERT INTO followups VALUES ('f2', 'c1', 'sing', '2026-10-05', NULL, 't', 'a', NULL, NULL)",
                [],
            )
            .is_err(),
            "an unknown task is refused"
        );
    }

    #[test]
    fn step_9_lets_a_case_of_a_v8_journal_follow_one_programme() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrate_with(&mut conn, &STEPS[..8]).expect("v8");
        conn.execute_batch(A_PUPIL_WITH_A_CASE).expect("v8 fixture");
        migrate_with(&mut conn, &STEPS[..9]).expect("to version 9");
        assert_eq!(version_of(&conn), 9);
        conn.execute(
            "INSERT INTO programmes VALUES ('g1', 'c1', 'back2school', '{}', '2026-10-05', 'a')",
            [],
        )
        .expect("the existing case follows a programme");
        assert!(
            conn.execute(
                "INSERT INTO programmes VALUES ('g2', 'c1', 'back2school', '{}', '2026-10-05', 'a')",
                [],
            )
            .is_err(),
            "one programme per case"
        );
    }

    #[test]
    fn step_10_gives_a_v9_journal_the_teams_key_persons() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrate_with(&mut conn, &STEPS[..9]).expect("v9");
        conn.execute_batch(A_PUPIL_WITH_A_CASE).expect("v9 fixture");
        migrate_with(&mut conn, &STEPS[..10]).expect("to version 10");
        assert_eq!(version_of(&conn), 10);
        conn.execute(
            "INSERT INTO contacts VALUES ('k1', 'school', 't', 'a', NULL, NULL)",
            [],
        )
        .expect("a key person");
        let cases: i64 = conn
            .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
            .expect("cases");
        assert_eq!(cases, 1, "the case of version 9 is kept");
    }

    /// The steps before the one named `name`, and through it.
    fn around(name: &str) -> (&'static [Step], &'static [Step]) {
        let at = STEPS
            .iter()
            .position(|s| s.name == name)
            .expect("a step of that name");
        (&STEPS[..at], &STEPS[..=at])
    }

    #[test]
    fn the_deviations_step_gives_an_earlier_journal_a_register_of_deviations() {
        let (before, through) = around("deviations");
        let mut conn = Connection::open_in_memory().expect("db");
        migrate_with(&mut conn, before).expect("the step before");
        conn.execute_batch(A_PUPIL_WITH_A_CASE).expect("fixture");
        migrate_with(&mut conn, through).expect("through deviations");
        conn.execute(
            "INSERT INTO deviations VALUES ('d1', 'c1', NULL, 'bup', 'late-contact', 't', '2026-10-05', 'h', 'a')",
            [],
        )
        .expect("the existing case takes a deviation");
        let cases: i64 = conn
            .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
            .expect("cases");
        assert_eq!(cases, 1, "the case is kept");
    }

    #[test]
    fn the_disclosures_step_gives_an_earlier_journal_a_register_that_needs_one_ground() {
        let (before, through) = around("disclosures");
        let mut conn = Connection::open_in_memory().expect("db");
        migrate_with(&mut conn, before).expect("the step before");
        conn.execute_batch(A_PUPIL_WITH_A_CASE).expect("fixture");
        migrate_with(&mut conn, through).expect("through disclosures");
        conn.execute(
            "INSERT INTO disclosures VALUES ('u1', 'c1', 'BUP', 'Journalutdrag', NULL, 'OSL 10:2', '2026-10-05', 'h', 'a')",
            [],
        )
        .expect("the existing case takes a disclosure on a named ground");
        for (consent, ground) in [("NULL", "NULL"), ("'k1'", "'OSL 10:2'")] {
            assert!(
                conn.execute(
                    &format!("INSERT INTO disclosures VALUES ('u2', 'c1', 'BUP', 'x', {consent}, {ground}, '2026-10-05', 'h', 'a')"),
                    [],
                )
                .is_err(),
                "one ground: {consent} {ground}"
            );
        }
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

    /// A journal at schema `version` as the builds of that version left it:
    /// the steps run one by one, `user_version` their only record (the
    /// runner before the shared one), in a SQLCipher file keyed like every
    /// journal, with a device, a pupil registered by it (the signed
    /// operation and its row) and, from version 2, a sync setting; with
    /// SQLCipher 4's default page settings, as those builds made it. Every
    /// row is fictional.
    fn old_journal(dir: &std::path::Path, key: &crate::secret::Key32, version: usize) {
        use brygga_protocol::hlc::Hlc;
        use brygga_protocol::op::{Operation, Payload};
        use ring::signature::{Ed25519KeyPair, KeyPair};
        let paths = crate::journal::JournalPaths::in_dir(dir);
        let conn = crate::store::create_as(&paths.db, key, crate::store::Cipher::Sqlcipher4)
            .expect("create");
        brygga_migrate::sqlite::legacy_fixture(&conn, &STEPS[..version]).expect("old steps");
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).expect("key");
        let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("parse");
        let device = uuid::Uuid::from_u128(1);
        conn.execute(
            "INSERT INTO device VALUES (?1, 'Fiktiv Handläggare', ?2, ?3, '2026-01-01T00:00:00Z')",
            rusqlite::params![
                device.to_string(),
                pkcs8.as_ref(),
                key.public_key().as_ref()
            ],
        )
        .expect("device");
        let pupil = uuid::Uuid::from_u128(2);
        let op = brygga_protocol::signing::sign(
            Operation {
                version: brygga_protocol::PROTOCOL_VERSION,
                id: uuid::Uuid::from_u128(7),
                device_id: device,
                seq: 1,
                hlc: Hlc {
                    wall_ms: 1,
                    counter: 0,
                },
                author: "Fiktiv Handläggare".into(),
                payload: Payload::PupilRegistered {
                    pupil_id: pupil,
                    name: "Fiktiv Elev".into(),
                    personnummer: "201204179939".into(),
                    school: "Fiktiva skolan".into(),
                    grade: 8,
                    protected_identity: false,
                },
            },
            &key,
        );
        conn.execute(
            "INSERT INTO oplog VALUES (?1, ?2, 1, ?3, 'pupil-registered', ?4)",
            rusqlite::params![
                op.op.id.to_string(),
                device.to_string(),
                op.op.hlc.to_sortable(),
                serde_json::to_string(&op).expect("json")
            ],
        )
        .expect("op");
        conn.execute(
            "INSERT INTO pupils VALUES (?1, 'Fiktiv Elev', '201204179939', 'Fiktiva skolan', 8, 0, \
             '1970-01-01T00:00:00.001Z', 'Fiktiv Handläggare')",
            [pupil.to_string()],
        )
        .expect("pupil");
        if version >= 2 {
            conn.execute(
                "INSERT INTO sync_state VALUES ('server_url', 'https://example.invalid')",
                [],
            )
            .expect("sync setting");
        }
    }

    /// Every earlier schema upgrades when today's build opens the journal,
    /// and its data is there: from version 3 and before through the replay
    /// of its log that step 4 asks for.
    #[test]
    fn a_journal_of_every_earlier_schema_opens_with_its_data() {
        for version in 1..STEPS.len() {
            let dir = tempfile::tempdir().expect("tempdir");
            let key = crate::secret::Key32::random();
            old_journal(dir.path(), &key, version);
            let paths = crate::journal::JournalPaths::in_dir(dir.path());
            let journal = crate::Journal::open_with_key(paths, &key)
                .unwrap_or_else(|e| panic!("open a version {version} journal: {e}"));
            assert_eq!(version_of(&journal.conn), LATEST, "from version {version}");
            let pupils = journal.list_pupils().expect("pupils");
            assert_eq!(
                pupils.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
                ["Fiktiv Elev"],
                "the pupil of a version {version} journal"
            );
            let (ops, waiting, server): (i64, i64, Option<String>) = journal
                .conn
                .query_row(
                    "SELECT (SELECT count(*) FROM oplog), (SELECT count(*) FROM unreplayed), \
                     (SELECT value FROM sync_state WHERE key = 'server_url')",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .expect("rows");
            assert_eq!(
                (ops, waiting),
                (1, 0),
                "the log of version {version}, replayed"
            );
            assert_eq!(
                server.is_some(),
                version >= 2,
                "the sync setting of version {version}"
            );
        }
    }

    /// The steps on main, by their checksums: a released step is never
    /// edited, so that a journal migrated by one build means the same
    /// schema to every other.
    #[test]
    fn released_steps_are_unchanged() {
        brygga_migrate::assert_released(
            STEPS,
            &[
                (
                    1,
                    "a162c844c06ac575990c24515e915fabd6d2504600d2b3a67d99aa533785ed2b",
                ),
                (
                    2,
                    "a4e8a40176814422de0d0085bc3be01d711ffb7f7a6b6e4af417e87f5920de94",
                ),
                (
                    3,
                    "84d2b0f6e591c89e4d6a6550a6ffe44b360c0fa862162169f6d5a5c3a2e8b15b",
                ),
                (
                    4,
                    "79dc7a94532adce674ac53a66def3219e287007d0d9aac004679696d23888d80",
                ),
                (
                    5,
                    "dd217f09a0fca77f1f9dd85b49538daf279a5541712963a9d9e174480c5094aa",
                ),
                (
                    6,
                    "3e90d21d85855f33bfc35dadfb57d7250d387b4152e443e44aaa64c5555f6d56",
                ),
                (
                    7,
                    "071dbdbe654a9ab069c6aef67face9a9145801adc4e7e11077815034979dd846",
                ),
                (
                    8,
                    "097bbdcc649a104df4ca37305a8d229d9ee526d0c93bfe4134f1797dc4926dde",
                ),
                (
                    9,
                    "5c42cd52f18de0a323c60b4c8e477fb14da18a1a1d58d873ac37822edeee350f",
                ),
                (
                    10,
                    "fc529aa67cf9eaef217b78973b70b4bccf33010bec326abbf2856c793308dc80",
                ),
                (
                    11,
                    "2ab9a84cc5f4f81dc67216c6c6105ffca44e1c57db0e8ad6962a1f32cbcec1c5",
                ),
                (
                    12,
                    "11d7e1788560d3bcab8aca046b9641a14c86ac68bf80322b51c7406d9f61cc89",
                ),
            ],
        );
    }
}
