//! Brygga's one schema migration mechanism (docs/adr/0011-shared-migrations.md),
//! for the core's journal and both backends of the server.
//!
//! A component lists its [`Step`]s (version 1, 2, … in order, the SQL of
//! each from a file of its own). A database records every step applied to
//! it in `schema_migrations (version, name, checksum, applied_at)`, the
//! checksum being the SHA-256 of the step's SQL. [`plan`] compares that
//! record with the build's steps and says which steps to run, or refuses:
//! a released step that was edited, a database written by a newer build,
//! a gap in the record. The runners ([`sqlite`], [`postgres`]) only move
//! rows: each runs one step and its bookkeeping row in one transaction.
//!
//! Databases made before this crate kept only a version number (`PRAGMA
//! user_version` in SQLite, `schema_migrations (version, applied_at)` in
//! PostgreSQL); the runners adopt it ([`adopt`]): the steps up to that
//! version are recorded with this build's checksums, never run again.

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "rusqlite")]
pub mod sqlite;

use ring::digest::{digest, SHA256};

/// One migration step: takes a database at `version - 1` to `version`.
/// Once released (on main) its SQL is never edited; a change is a new step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub version: i64,
    /// Recorded beside the checksum for whoever reads the table; not checked.
    pub name: &'static str,
    pub sql: &'static str,
}

impl Step {
    pub const fn new(version: i64, name: &'static str, sql: &'static str) -> Step {
        Step { version, name, sql }
    }

    /// Hex SHA-256 of the SQL with line endings normalised to LF: a
    /// checkout that turns LF into CRLF (git's autocrlf on Windows, where
    /// the desktop app is built) must not look like an edited step.
    pub fn checksum(&self) -> String {
        let normalised = self.sql.replace("\r\n", "\n");
        hex::encode(digest(&SHA256, normalised.as_bytes()))
    }
}

/// A step recorded in a database's `schema_migrations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub version: i64,
    pub checksum: String,
}

/// Why a database cannot be brought up to this build's steps.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A newer build migrated the database: never downgraded, never opened.
    #[error("database schema version {found} is newer than this build knows ({known})")]
    TooNew { found: i64, known: i64 },
    /// The step's SQL differs from what was applied to this database.
    #[error(
        "schema step {version} ({name}) differs from the one applied to this database \
         (checksum {recorded}, this build {expected}); a released step is never edited, \
         a change is a new step"
    )]
    Edited {
        version: i64,
        name: &'static str,
        recorded: String,
        expected: String,
    },
    /// The record skips a version: steps were applied out of order, or a
    /// row was lost; running the rest could build on a missing step.
    #[error("schema step {missing} is missing from the database's record of applied steps")]
    Gap { missing: i64 },
    /// The build's own list is not 1, 2, … in order (a programming error,
    /// caught by the tests of the component).
    #[error("the schema steps are not numbered 1, 2, … in order (step {found} is at {index})")]
    Unnumbered { index: usize, found: i64 },
}

/// Checks that `steps` are versions 1, 2, … in order.
fn numbered(steps: &[Step]) -> Result<(), PlanError> {
    match steps
        .iter()
        .enumerate()
        .find(|(i, s)| s.version != *i as i64 + 1)
    {
        Some((index, s)) => Err(PlanError::Unnumbered {
            index,
            found: s.version,
        }),
        None => Ok(()),
    }
}

/// The steps still to run on a database that recorded `applied` (any
/// order), or why none may run.
pub fn plan<'s>(applied: &[Applied], steps: &'s [Step]) -> Result<&'s [Step], PlanError> {
    numbered(steps)?;
    let mut applied: Vec<&Applied> = applied.iter().collect();
    applied.sort_by_key(|a| a.version);
    let known = steps.len() as i64;
    // Checked first: a newer build's database is refused as such, whatever
    // else its record holds.
    if let Some(newest) = applied.last().filter(|a| a.version > known) {
        return Err(PlanError::TooNew {
            found: newest.version,
            known,
        });
    }
    for (step, recorded) in steps.iter().zip(&applied) {
        if recorded.version != step.version {
            return Err(PlanError::Gap {
                missing: step.version,
            });
        }
        let expected = step.checksum();
        if recorded.checksum != expected {
            return Err(PlanError::Edited {
                version: step.version,
                name: step.name,
                recorded: recorded.checksum.clone(),
                expected,
            });
        }
    }
    Ok(&steps[applied.len()..])
}

/// The steps a database made before this crate has applied, by the
/// version number it kept: recorded with this build's checksums (those
/// steps were never edited, the pinned checksums in each component's tests
/// say so), never run again.
pub fn adopt(legacy_version: i64, steps: &[Step]) -> Result<&[Step], PlanError> {
    numbered(steps)?;
    let known = steps.len() as i64;
    if legacy_version > known {
        return Err(PlanError::TooNew {
            found: legacy_version,
            known,
        });
    }
    Ok(&steps[..legacy_version.max(0) as usize])
}

/// What a runner did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The version adopted from the old bookkeeping, if it was adopted now.
    pub adopted: Option<i64>,
    /// The versions run, in order.
    pub ran: Vec<i64>,
}

/// Why a runner failed: the plan refused, or the database failed.
#[derive(Debug, thiserror::Error)]
pub enum Error<E> {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Database(E),
}

/// For each component's test of its released steps: panics unless every
/// `(version, checksum)` in `released` (the steps on main, written out in
/// the test) is still a step of `steps` with that checksum.
pub fn assert_released(steps: &[Step], released: &[(i64, &str)]) {
    numbered(steps).unwrap_or_else(|e| panic!("{e}"));
    for (version, pinned) in released {
        let step = steps
            .iter()
            .find(|s| s.version == *version)
            .unwrap_or_else(|| {
                panic!("released schema step {version} is gone; add a new step instead")
            });
        let actual = step.checksum();
        assert_eq!(
            &actual, pinned,
            "released schema step {version} ({}) was edited (checksum {actual}, released \
             {pinned}); a released step is never edited: undo the edit and add a new step instead",
            step.name
        );
    }
}

/// SQL that both runners use for the bookkeeping table (the integer type
/// fits both: SQLite's INTEGER, PostgreSQL's BIGINT).
#[cfg(any(feature = "rusqlite", feature = "postgres"))]
const CREATE_TABLE: &str = "CREATE TABLE schema_migrations (\
     version BIGINT PRIMARY KEY, \
     name TEXT NOT NULL, \
     checksum TEXT NOT NULL, \
     applied_at BIGINT NOT NULL)";

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: &[Step] = &[
        Step {
            version: 1,
            name: "one",
            sql: "CREATE TABLE a (x INTEGER);",
        },
        Step {
            version: 2,
            name: "two",
            sql: "CREATE TABLE b (x INTEGER);",
        },
        Step {
            version: 3,
            name: "three",
            sql: "CREATE TABLE c (x INTEGER);",
        },
    ];

    fn applied(steps: &[Step]) -> Vec<Applied> {
        steps
            .iter()
            .map(|s| Applied {
                version: s.version,
                checksum: s.checksum(),
            })
            .collect()
    }

    #[test]
    fn the_checksum_is_the_sha256_of_the_sql_whatever_its_line_endings() {
        let lf = Step {
            version: 1,
            name: "x",
            sql: "a\nb\n",
        };
        let crlf = Step {
            sql: "a\r\nb\r\n",
            ..lf
        };
        assert_eq!(
            lf.checksum(),
            "911169ddaaf146aff539f58c26c489af3b892dff0fe283c1c264c65ae5aa59a2"
        );
        assert_eq!(lf.checksum(), crlf.checksum());
        assert_ne!(
            lf.checksum(),
            Step {
                sql: "a\nc\n",
                ..lf
            }
            .checksum()
        );
    }

    #[test]
    fn an_empty_database_runs_every_step() {
        assert_eq!(plan(&[], STEPS), Ok(STEPS));
    }

    #[test]
    fn a_database_part_way_runs_the_rest_and_an_up_to_date_one_nothing() {
        assert_eq!(plan(&applied(&STEPS[..1]), STEPS), Ok(&STEPS[1..]));
        assert_eq!(plan(&applied(STEPS), STEPS), Ok(&STEPS[3..]));
    }

    #[test]
    fn an_edited_step_is_refused() {
        let mut record = applied(STEPS);
        record[1].checksum = "0".repeat(64);
        let refused = plan(&record, STEPS);
        assert!(
            matches!(
                &refused,
                Err(PlanError::Edited {
                    version: 2,
                    name: "two",
                    ..
                })
            ),
            "{refused:?}"
        );
        let message = refused.expect_err("refused").to_string();
        assert!(message.contains("a change is a new step"), "{message}");
    }

    #[test]
    fn a_newer_builds_database_is_refused_never_downgraded() {
        let mut record = applied(STEPS);
        record.push(Applied {
            version: 4,
            checksum: "f".repeat(64),
        });
        assert_eq!(
            plan(&record, STEPS),
            Err(PlanError::TooNew { found: 4, known: 3 })
        );
        assert_eq!(
            adopt(4, STEPS),
            Err(PlanError::TooNew { found: 4, known: 3 })
        );
    }

    #[test]
    fn a_gap_in_the_record_is_refused() {
        let mut record = applied(STEPS);
        record.remove(1);
        assert_eq!(plan(&record, STEPS), Err(PlanError::Gap { missing: 2 }));
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        let steps = [STEPS[0], STEPS[2]];
        assert_eq!(
            plan(&[], &steps),
            Err(PlanError::Unnumbered { index: 1, found: 3 })
        );
    }

    #[test]
    fn adopting_an_old_version_number_records_the_steps_up_to_it() {
        assert_eq!(adopt(0, STEPS), Ok(&STEPS[..0]));
        assert_eq!(adopt(2, STEPS), Ok(&STEPS[..2]));
    }

    #[test]
    fn released_steps_pass_with_their_checksums() {
        let pinned: Vec<(i64, String)> = STEPS.iter().map(|s| (s.version, s.checksum())).collect();
        let pinned: Vec<(i64, &str)> = pinned.iter().map(|(v, c)| (*v, c.as_str())).collect();
        assert_released(STEPS, &pinned);
    }

    #[test]
    #[should_panic(expected = "add a new step instead")]
    fn an_edited_released_step_fails_its_test() {
        assert_released(STEPS, &[(1, "0000")]);
    }
}
