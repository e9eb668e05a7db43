//! Materialising operations into tables.
//!
//! [`apply`] is the only code that writes the journal tables. It uses
//! nothing but the operation itself (no clock, no device state), so
//! replaying the same log in the same order gives the same tables on every
//! device; [`check`] proves it by replaying into an empty database.

use crate::error::{Error, Result};
use brygga_protocol::hlc::Hlc;
use brygga_protocol::op::{Operation, Payload, SignedOperation};
use chrono::{DateTime, Datelike, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

/// The time an operation was made, as stored in `*_at` columns.
pub(crate) fn op_time(hlc: Hlc) -> String {
    DateTime::<Utc>::from_timestamp_millis(hlc.wall_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn utc(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Fails with a reason when an UPDATE matched no row.
fn expect_one(changed: usize, why: impl FnOnce() -> String) -> Result<()> {
    if changed == 1 {
        Ok(())
    } else {
        Err(Error::not_allowed(why()))
    }
}

pub(crate) fn apply(conn: &Connection, op: &Operation) -> Result<()> {
    let at = op_time(op.hlc);
    let who = op.author.as_str();
    match &op.payload {
        Payload::PupilRegistered {
            pupil_id,
            name,
            personnummer,
            school,
            grade,
            protected_identity,
        } => {
            conn.execute(
                "INSERT INTO pupils (id, name, personnummer, school, grade, protected_identity,
                                     registered_at, registered_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    pupil_id.to_string(),
                    name,
                    personnummer,
                    school,
                    grade,
                    protected_identity,
                    at,
                    who
                ],
            )?;
        }
        Payload::CaseOpened { case_id, pupil_id } => {
            conn.execute(
                "INSERT INTO cases (id, pupil_id, status, opened_at, opened_by)
                 VALUES (?1, ?2, 'open', ?3, ?4)",
                params![case_id.to_string(), pupil_id.to_string(), at, who],
            )?;
        }
        Payload::CaseClosed { case_id } => {
            let n = conn.execute(
                "UPDATE cases SET status = 'closed', closed_at = ?2 WHERE id = ?1 AND status = 'open'",
                params![case_id.to_string(), at],
            )?;
            expect_one(n, || format!("case {case_id} is not open"))?;
        }
        Payload::GuardianAdded {
            guardian_id,
            case_id,
            name,
            relation,
        } => {
            conn.execute(
                "INSERT INTO guardians (id, case_id, name, relation) VALUES (?1, ?2, ?3, ?4)",
                params![guardian_id.to_string(), case_id.to_string(), name, relation],
            )?;
        }
        Payload::GuardianFieldSet {
            guardian_id,
            field,
            value,
            replaces,
        } => {
            ensure_exists(conn, "guardians", "guardian", guardian_id)?;
            set_mutable(
                conn,
                op,
                "guardian",
                guardian_id,
                field.as_str(),
                value,
                *replaces,
            )?;
        }
        Payload::ConsentRecorded {
            consent_id,
            case_id,
            guardian_id,
            scope,
            recipient,
            purpose,
            form,
            given_on,
            valid_until,
        } => {
            let form = serde_json::to_value(form)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            conn.execute(
                "INSERT INTO consents (id, case_id, guardian_id, scope, recipient, purpose, form,
                                       given_on, valid_until, recorded_at, recorded_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    consent_id.to_string(),
                    case_id.to_string(),
                    guardian_id.map(|g| g.to_string()),
                    scope,
                    recipient,
                    purpose,
                    form,
                    given_on.to_string(),
                    valid_until.map(|d| d.to_string()),
                    at,
                    who
                ],
            )?;
        }
        Payload::ConsentWithdrawn {
            consent_id,
            withdrawn_on,
        } => {
            let n = conn.execute(
                "UPDATE consents SET withdrawn_on = ?2 WHERE id = ?1 AND withdrawn_on IS NULL",
                params![consent_id.to_string(), withdrawn_on.to_string()],
            )?;
            expect_one(n, || {
                format!("consent {consent_id} is already withdrawn or unknown")
            })?;
        }
        Payload::EntryDrafted {
            entry_id,
            case_id,
            content,
        } => {
            conn.execute(
                "INSERT INTO entries (id, case_id, kind, status, event_at, written_at, author,
                                      participants, fields, text)
                 VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    entry_id.to_string(),
                    case_id.to_string(),
                    content.kind.as_str(),
                    utc(&content.event_at),
                    at,
                    who,
                    serde_json::to_string(&content.participants).unwrap_or_default(),
                    serde_json::to_string(&content.fields).unwrap_or_default(),
                    content.text
                ],
            )?;
            index_text(conn, entry_id, None, &content.text)?;
        }
        Payload::DraftEdited { entry_id, content } => {
            let n = conn.execute(
                "UPDATE entries SET kind = ?2, event_at = ?3, participants = ?4, fields = ?5, text = ?6
                 WHERE id = ?1 AND status = 'draft'",
                params![
                    entry_id.to_string(),
                    content.kind.as_str(),
                    utc(&content.event_at),
                    serde_json::to_string(&content.participants).unwrap_or_default(),
                    serde_json::to_string(&content.fields).unwrap_or_default(),
                    content.text
                ],
            )?;
            expect_one(n, || format!("entry {entry_id} is not a draft"))?;
            conn.execute(
                "DELETE FROM search_index WHERE entry_id = ?1 AND correction_id IS NULL",
                [entry_id.to_string()],
            )?;
            index_text(conn, entry_id, None, &content.text)?;
        }
        Payload::EntrySigned { entry_id } => {
            let n = conn.execute(
                "UPDATE entries SET status = 'signed', signed_at = ?2, signed_by = ?3
                 WHERE id = ?1 AND status = 'draft'",
                params![entry_id.to_string(), at, who],
            )?;
            expect_one(n, || format!("entry {entry_id} is not a draft"))?;
        }
        Payload::EntryCorrected {
            correction_id,
            entry_id,
            text,
            reason,
        } => {
            let status: Option<String> = conn
                .query_row(
                    "SELECT status FROM entries WHERE id = ?1",
                    [entry_id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            if status.as_deref() != Some("signed") {
                return Err(Error::not_allowed(format!(
                    "entry {entry_id} is not signed; only signed entries are corrected"
                )));
            }
            conn.execute(
                "INSERT INTO corrections (id, entry_id, text, reason, written_at, author)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    correction_id.to_string(),
                    entry_id.to_string(),
                    text,
                    reason,
                    at,
                    who
                ],
            )?;
            index_text(conn, entry_id, Some(correction_id), text)?;
        }
        Payload::PlanCreated {
            plan_id,
            case_id,
            needs,
            goals,
            lead_party,
            follow_up_on,
            actions,
        } => {
            conn.execute(
                "INSERT INTO plans (id, case_id, needs, goals, lead_party, follow_up_on, created_at, author)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    plan_id.to_string(),
                    case_id.to_string(),
                    needs,
                    serde_json::to_string(goals).unwrap_or_default(),
                    lead_party,
                    follow_up_on.to_string(),
                    at,
                    who
                ],
            )?;
            for (position, a) in actions.iter().enumerate() {
                conn.execute(
                    "INSERT INTO plan_actions (id, plan_id, position, who, what, due_on)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        a.action_id.to_string(),
                        plan_id.to_string(),
                        position as i64,
                        a.who,
                        a.what,
                        a.due_on.map(|d| d.to_string())
                    ],
                )?;
            }
        }
        Payload::PlanActionStatusSet {
            action_id,
            status,
            replaces,
        } => {
            ensure_exists(conn, "plan_actions", "plan action", action_id)?;
            set_mutable(
                conn,
                op,
                "plan-action",
                action_id,
                "status",
                status.as_str(),
                *replaces,
            )?;
        }
        Payload::ConcernReported {
            report_id,
            case_id,
            reported_at,
            to_whom,
            by_whom,
            summary,
        } => {
            conn.execute(
                "INSERT INTO concern_reports (id, case_id, reported_at, to_whom, by_whom, summary,
                                              recorded_at, recorded_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    report_id.to_string(),
                    case_id.to_string(),
                    utc(reported_at),
                    to_whom,
                    by_whom,
                    summary,
                    at,
                    who
                ],
            )?;
        }
        Payload::AbsenceWeekRecorded {
            pupil_id,
            week_start,
            scheduled_min,
            valid_absent_min,
            invalid_absent_min,
            source,
            replaces,
        } => {
            record_absence_week(
                conn,
                op,
                AbsenceWeek {
                    pupil_id,
                    week_start: *week_start,
                    scheduled_min: *scheduled_min,
                    valid_min: *valid_absent_min,
                    invalid_min: *invalid_absent_min,
                    source,
                    replaces: *replaces,
                },
            )?;
        }
    }
    Ok(())
}

fn ensure_exists(conn: &Connection, table: &str, what: &'static str, id: &Uuid) -> Result<()> {
    let found: Option<i64> = conn
        .query_row(
            &format!("SELECT 1 FROM {table} WHERE id = ?1"),
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    found.map(|_| ()).ok_or_else(|| Error::not_found(what, id))
}

fn index_text(
    conn: &Connection,
    entry: &Uuid,
    correction: Option<&Uuid>,
    text: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO search_index (text, entry_id, correction_id) VALUES (?1, ?2, ?3)",
        params![text, entry.to_string(), correction.map(|c| c.to_string())],
    )?;
    Ok(())
}

/// A stored write that an incoming one competes with.
struct Current {
    value: String,
    hlc: String,
    device_id: String,
    op_id: String,
    replaces: Option<String>,
    author: String,
}

/// How an incoming write stands against the stored one.
struct Settled {
    /// The incoming write becomes the stored value.
    incoming_wins: bool,
    /// Neither write had seen the other, so the loser is kept for review.
    concurrent: bool,
}

/// Last writer wins by (HLC, device id); a write that names the stored
/// operation as the one it replaces (or is named by it) is sequential,
/// anything else is concurrent. Shared by every last-writer-wins value
/// (mutable fields and weeks of absence) so they settle alike.
fn settle(cur: &Current, op: &Operation, replaces: Option<Uuid>) -> Settled {
    let op_id = op.id.to_string();
    let concurrent = replaces.map(|u| u.to_string()).as_deref() != Some(cur.op_id.as_str())
        && cur.replaces.as_deref() != Some(op_id.as_str());
    let incoming_wins =
        (op.hlc.to_sortable(), op.device_id.to_string()) > (cur.hlc.clone(), cur.device_id.clone());
    Settled {
        incoming_wins,
        concurrent,
    }
}

/// The write that lost a concurrent edit, kept in `field_conflicts`.
struct Loser<'a> {
    op_id: &'a str,
    value: &'a str,
    author: &'a str,
    hlc: &'a str,
}

fn keep_conflict(
    conn: &Connection,
    object_type: &str,
    object_id: &str,
    field: &str,
    lost: Loser<'_>,
    won_op_id: &str,
) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO field_conflicts (lost_op_id, object_type, object_id, field,
                                               lost_value, lost_author, lost_hlc, won_op_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            lost.op_id,
            object_type,
            object_id,
            field,
            lost.value,
            lost.author,
            lost.hlc,
            won_op_id
        ],
    )?;
    Ok(())
}

/// Keeps whichever of the two writes lost, when they were concurrent.
fn keep_loser(
    conn: &Connection,
    (object_type, object_id, field): (&str, &str, &str),
    cur: &Current,
    op: &Operation,
    incoming_value: &str,
    settled: &Settled,
) -> Result<()> {
    if !settled.concurrent {
        return Ok(());
    }
    let op_id = op.id.to_string();
    let hlc = op.hlc.to_sortable();
    let (lost, won) = if settled.incoming_wins {
        (
            Loser {
                op_id: &cur.op_id,
                value: &cur.value,
                author: &cur.author,
                hlc: &cur.hlc,
            },
            op_id.as_str(),
        )
    } else {
        (
            Loser {
                op_id: &op_id,
                value: incoming_value,
                author: &op.author,
                hlc: &hlc,
            },
            cur.op_id.as_str(),
        )
    };
    keep_conflict(conn, object_type, object_id, field, lost, won)
}

/// Last writer wins by (HLC, device id). When neither edit had seen the
/// other, the loser is kept in `field_conflicts` so nothing is lost.
fn set_mutable(
    conn: &Connection,
    op: &Operation,
    object_type: &str,
    object_id: &Uuid,
    field: &str,
    value: &str,
    replaces: Option<Uuid>,
) -> Result<()> {
    let current: Option<Current> = conn
        .query_row(
            "SELECT value, hlc, device_id, op_id, replaces, author FROM mutable_fields
             WHERE object_type = ?1 AND object_id = ?2 AND field = ?3",
            params![object_type, object_id.to_string(), field],
            |r| {
                Ok(Current {
                    value: r.get(0)?,
                    hlc: r.get(1)?,
                    device_id: r.get(2)?,
                    op_id: r.get(3)?,
                    replaces: r.get(4)?,
                    author: r.get(5)?,
                })
            },
        )
        .optional()?;
    let write = |conn: &Connection| {
        conn.execute(
            "INSERT INTO mutable_fields (object_type, object_id, field, value, hlc, device_id,
                                         op_id, replaces, author)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (object_type, object_id, field) DO UPDATE SET
               value = excluded.value, hlc = excluded.hlc, device_id = excluded.device_id,
               op_id = excluded.op_id, replaces = excluded.replaces, author = excluded.author",
            params![
                object_type,
                object_id.to_string(),
                field,
                value,
                op.hlc.to_sortable(),
                op.device_id.to_string(),
                op.id.to_string(),
                replaces.map(|u| u.to_string()),
                op.author
            ],
        )
    };
    let Some(cur) = current else {
        write(conn)?;
        return Ok(());
    };
    let settled = settle(&cur, op, replaces);
    if settled.incoming_wins {
        write(conn)?;
    }
    keep_loser(
        conn,
        (object_type, &object_id.to_string(), field),
        &cur,
        op,
        value,
        &settled,
    )
}

/// The figures of a week of absence as one readable value, for the
/// conflict review (`field_conflicts.lost_value`).
pub(crate) fn absence_value(scheduled: u32, valid: u32, invalid: u32) -> String {
    format!("scheduled {scheduled} min, valid {valid} min, invalid {invalid} min")
}

/// Upserts one pupil's week of absence, last writer wins like
/// [`set_mutable`]; the loser of a concurrent import is kept in
/// `field_conflicts` as object `absence-week` `PUPIL/WEEK`.
fn record_absence_week(conn: &Connection, op: &Operation, week: AbsenceWeek<'_>) -> Result<()> {
    ensure_exists(conn, "pupils", "pupil", week.pupil_id)?;
    if week.week_start.weekday() != chrono::Weekday::Mon {
        return Err(Error::invalid(format!(
            "a week of absence starts on a Monday, not on {}",
            week.week_start
        )));
    }
    let pupil = week.pupil_id.to_string();
    let start = week.week_start.to_string();
    let current: Option<Current> = conn
        .query_row(
            "SELECT scheduled_min, valid_min, invalid_min, hlc, device_id, op_id, replaces,
                    recorded_by
             FROM absence_weeks WHERE pupil_id = ?1 AND week_start = ?2",
            params![pupil, start],
            |r| {
                Ok(Current {
                    value: absence_value(r.get(0)?, r.get(1)?, r.get(2)?),
                    hlc: r.get(3)?,
                    device_id: r.get(4)?,
                    op_id: r.get(5)?,
                    replaces: r.get(6)?,
                    author: r.get(7)?,
                })
            },
        )
        .optional()?;
    let settled = current.as_ref().map(|cur| settle(cur, op, week.replaces));
    if settled.as_ref().is_none_or(|s| s.incoming_wins) {
        conn.execute(
            "INSERT INTO absence_weeks (pupil_id, week_start, scheduled_min, valid_min,
                                        invalid_min, source, hlc, device_id, op_id, replaces,
                                        recorded_at, recorded_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (pupil_id, week_start) DO UPDATE SET
               scheduled_min = excluded.scheduled_min, valid_min = excluded.valid_min,
               invalid_min = excluded.invalid_min, source = excluded.source,
               hlc = excluded.hlc, device_id = excluded.device_id, op_id = excluded.op_id,
               replaces = excluded.replaces, recorded_at = excluded.recorded_at,
               recorded_by = excluded.recorded_by",
            params![
                pupil,
                start,
                week.scheduled_min,
                week.valid_min,
                week.invalid_min,
                week.source,
                op.hlc.to_sortable(),
                op.device_id.to_string(),
                op.id.to_string(),
                week.replaces.map(|u| u.to_string()),
                op_time(op.hlc),
                op.author
            ],
        )?;
    }
    if let (Some(cur), Some(settled)) = (&current, &settled) {
        keep_loser(
            conn,
            ("absence-week", &format!("{pupil}/{start}"), "figures"),
            cur,
            op,
            &absence_value(week.scheduled_min, week.valid_min, week.invalid_min),
            settled,
        )?;
    }
    Ok(())
}

/// The fields of [`Payload::AbsenceWeekRecorded`], borrowed.
struct AbsenceWeek<'a> {
    pupil_id: &'a Uuid,
    week_start: chrono::NaiveDate,
    scheduled_min: u32,
    valid_min: u32,
    invalid_min: u32,
    source: &'a str,
    replaces: Option<Uuid>,
}

/// The tables [`apply`] writes, with the columns to compare them by.
const MATERIALISED: &[(&str, &str)] = &[
    ("pupils", "id"),
    ("cases", "id"),
    ("guardians", "id"),
    ("mutable_fields", "object_type, object_id, field"),
    ("field_conflicts", "lost_op_id"),
    ("consents", "id"),
    ("entries", "id"),
    ("corrections", "id"),
    ("plans", "id"),
    ("plan_actions", "id"),
    ("concern_reports", "id"),
    ("search_index", "entry_id, correction_id, text"),
    ("absence_weeks", "pupil_id, week_start"),
];

fn dump(conn: &Connection, table: &str, order: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))?;
    let columns = stmt.column_count();
    let rows = stmt
        .query_map([], |r| {
            let values: Vec<String> = (0..columns)
                .map(|i| {
                    r.get_ref(i)
                        .map(|v| format!("{v:?}"))
                        .unwrap_or_else(|e| format!("<{e}>"))
                })
                .collect();
            Ok(values.join("|"))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Replays `ops` into a fresh in-memory database and compares every
/// materialised table with `live`. Reports the first table that differs.
pub(crate) fn check(live: &Connection, ops: &[SignedOperation]) -> Result<()> {
    let mut fresh = Connection::open_in_memory()?;
    crate::migrations::migrate(&mut fresh)?;
    let tx = fresh.transaction()?;
    for signed in ops {
        apply(&tx, &signed.op).map_err(|e| {
            Error::Damaged(format!("operation {} does not replay: {e}", signed.op.id))
        })?;
    }
    for (table, order) in MATERIALISED {
        if dump(live, table, order)? != dump(&tx, table, order)? {
            return Err(Error::Damaged(format!(
                "table {table} differs from a replay of the operation log"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use brygga_protocol::op::GuardianField;
    use brygga_protocol::PROTOCOL_VERSION;

    struct Fixture {
        conn: Connection,
        guardian: Uuid,
    }

    fn op(device: u128, wall_ms: i64, payload: Payload) -> Operation {
        Operation {
            version: PROTOCOL_VERSION,
            id: Uuid::now_v7(),
            device_id: Uuid::from_u128(device),
            seq: 1,
            hlc: Hlc {
                wall_ms,
                counter: 0,
            },
            author: format!("Handläggare {device}"),
            payload,
        }
    }

    fn fixture() -> Fixture {
        let mut conn = Connection::open_in_memory().expect("db");
        crate::migrations::migrate(&mut conn).expect("schema");
        let (pupil, case, guardian) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        for payload in [
            Payload::PupilRegistered {
                pupil_id: pupil,
                name: "Fiktiv Elev".into(),
                personnummer: "201204179939".into(),
                school: "Fiktiva skolan".into(),
                grade: 8,
                protected_identity: false,
            },
            Payload::CaseOpened {
                case_id: case,
                pupil_id: pupil,
            },
            Payload::GuardianAdded {
                guardian_id: guardian,
                case_id: case,
                name: "Fiktiv Förälder".into(),
                relation: "mamma".into(),
            },
        ] {
            apply(&conn, &op(1, 1, payload)).expect("setup");
        }
        Fixture { conn, guardian }
    }

    fn phone(
        f: &Fixture,
        device: u128,
        wall_ms: i64,
        value: &str,
        replaces: Option<Uuid>,
    ) -> Operation {
        op(
            device,
            wall_ms,
            Payload::GuardianFieldSet {
                guardian_id: f.guardian,
                field: GuardianField::Phone,
                value: value.into(),
                replaces,
            },
        )
    }

    fn state(f: &Fixture) -> (String, Vec<String>) {
        let value = f
            .conn
            .query_row("SELECT value FROM mutable_fields", [], |r| r.get(0))
            .expect("value");
        let mut stmt = f
            .conn
            .prepare("SELECT lost_value FROM field_conflicts ORDER BY lost_value")
            .expect("prepare");
        let lost = stmt
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<Vec<String>>>()
            .expect("rows");
        (value, lost)
    }

    #[test]
    fn concurrent_edits_converge_in_either_order_and_keep_the_loser() {
        let a_first = fixture();
        let a = phone(&a_first, 1, 100, "070-111", None);
        let b = phone(&a_first, 2, 200, "070-222", None);
        apply(&a_first.conn, &a).expect("a");
        apply(&a_first.conn, &b).expect("b");

        let b_first = fixture();
        let a2 = Operation {
            payload: phone(&b_first, 1, 100, "070-111", None).payload,
            ..a
        };
        let b2 = Operation {
            payload: phone(&b_first, 2, 200, "070-222", None).payload,
            ..b
        };
        apply(&b_first.conn, &b2).expect("b");
        apply(&b_first.conn, &a2).expect("a");

        let expected = ("070-222".to_owned(), vec!["070-111".to_owned()]);
        assert_eq!(state(&a_first), expected);
        assert_eq!(state(&b_first), expected);
    }

    #[test]
    fn equal_clocks_are_settled_by_device_id() {
        let f = fixture();
        apply(&f.conn, &phone(&f, 9, 100, "från 9", None)).expect("9");
        apply(&f.conn, &phone(&f, 3, 100, "från 3", None)).expect("3");
        assert_eq!(state(&f), ("från 9".to_owned(), vec!["från 3".to_owned()]));
    }

    #[test]
    fn an_edit_that_saw_the_old_value_is_not_a_conflict() {
        let f = fixture();
        let first = phone(&f, 1, 100, "070-111", None);
        apply(&f.conn, &first).expect("first");
        apply(&f.conn, &phone(&f, 2, 200, "070-222", Some(first.id))).expect("second");
        assert_eq!(state(&f), ("070-222".to_owned(), vec![]));
    }

    #[test]
    fn a_second_signature_or_a_correction_of_a_draft_is_refused() {
        let f = fixture();
        let case: String = f
            .conn
            .query_row("SELECT id FROM cases", [], |r| r.get(0))
            .expect("case");
        let entry_id = Uuid::now_v7();
        let content = brygga_protocol::op::EntryContent {
            kind: brygga_protocol::entry_kind::EntryKind::Note,
            event_at: Utc::now(),
            participants: vec![],
            fields: Default::default(),
            text: "Anteckning".into(),
        };
        let drafted = Payload::EntryDrafted {
            entry_id,
            case_id: case.parse().expect("uuid"),
            content,
        };
        apply(&f.conn, &op(1, 5, drafted)).expect("draft");
        let correct = Payload::EntryCorrected {
            correction_id: Uuid::now_v7(),
            entry_id,
            text: "x".into(),
            reason: "y".into(),
        };
        assert!(apply(&f.conn, &op(1, 6, correct)).is_err());
        apply(&f.conn, &op(1, 7, Payload::EntrySigned { entry_id })).expect("sign");
        assert!(apply(&f.conn, &op(1, 8, Payload::EntrySigned { entry_id })).is_err());
        assert!(
            f.conn
                .execute("UPDATE entries SET text = 'ändrad'", [])
                .is_err(),
            "the trigger guards signed rows too"
        );
    }

    fn absence(
        f: &Fixture,
        device: u128,
        wall_ms: i64,
        invalid: u32,
        replaces: Option<Uuid>,
    ) -> Operation {
        let pupil: String = f
            .conn
            .query_row("SELECT id FROM pupils", [], |r| r.get(0))
            .expect("pupil");
        op(
            device,
            wall_ms,
            Payload::AbsenceWeekRecorded {
                pupil_id: pupil.parse().expect("uuid"),
                week_start: chrono::NaiveDate::from_ymd_opt(2026, 10, 5).expect("a Monday"),
                scheduled_min: 1680,
                valid_absent_min: 0,
                invalid_absent_min: invalid,
                source: "fiktiv.csv".into(),
                replaces,
            },
        )
    }

    fn absence_state(f: &Fixture) -> (u32, Vec<String>) {
        let invalid = f
            .conn
            .query_row("SELECT invalid_min FROM absence_weeks", [], |r| r.get(0))
            .expect("one week");
        let mut stmt = f
            .conn
            .prepare("SELECT lost_value FROM field_conflicts WHERE object_type = 'absence-week'")
            .expect("prepare");
        let lost = stmt
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<Vec<String>>>()
            .expect("rows");
        (invalid, lost)
    }

    #[test]
    fn concurrent_imports_of_a_week_converge_and_keep_the_loser() {
        let one = fixture();
        let a = absence(&one, 1, 100, 45, None);
        let b = absence(&one, 2, 200, 90, None);
        apply(&one.conn, &a).expect("a");
        apply(&one.conn, &b).expect("b");
        let other = fixture();
        let a2 = Operation {
            payload: absence(&other, 1, 100, 45, None).payload,
            ..a
        };
        let b2 = Operation {
            payload: absence(&other, 2, 200, 90, None).payload,
            ..b
        };
        apply(&other.conn, &b2).expect("b");
        apply(&other.conn, &a2).expect("a");
        let expected = (90, vec![absence_value(1680, 0, 45)]);
        assert_eq!(absence_state(&one), expected);
        assert_eq!(absence_state(&other), expected);
    }

    #[test]
    fn a_reimport_that_saw_the_week_replaces_it_without_conflict() {
        let f = fixture();
        let first = absence(&f, 1, 100, 45, None);
        apply(&f.conn, &first).expect("first");
        apply(&f.conn, &absence(&f, 1, 200, 60, Some(first.id))).expect("second");
        assert_eq!(absence_state(&f), (60, vec![]));
        let mut not_monday = absence(&f, 1, 300, 1, None);
        if let Payload::AbsenceWeekRecorded { week_start, .. } = &mut not_monday.payload {
            *week_start = chrono::NaiveDate::from_ymd_opt(2026, 10, 6).expect("a Tuesday");
        }
        assert!(apply(&f.conn, &not_monday).is_err());
    }

    #[test]
    fn check_finds_a_table_that_differs_from_the_log() {
        let f = fixture();
        assert!(
            check(&f.conn, &[]).is_err(),
            "tables with rows but an empty log"
        );
    }
}
