//! Cases that leave the laptop (docs/retention.md).
//!
//! A closed case leaves this journal once the server holds every one of
//! its operations and the municipality's waiting time after its last
//! operation has run; a purged case leaves when the server's signed
//! notice says so. Its operations leave the log and its rows the tables
//! (search index included), so the journal stays exactly a replay of its
//! log; only a line in `left_cases` (and the ids of its objects) stays,
//! to list it for fetching back and to know a later operation that names
//! it. The device's own seq and clock live apart from the log
//! (`high_water`), so no later operation reuses a number of one that left.

use crate::audit::{self, Action, Event};
use crate::clock;
use crate::error::Result;
use crate::replay::scope;
use crate::store;
use brygga_protocol::auth::Target;
use brygga_protocol::op::SignedOperation;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::collections::HashSet;
use uuid::Uuid;

/// Why a case left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Why {
    /// Closed, and held by the server.
    Closed,
    /// Purged by the municipality's retention rules.
    Purged,
}

impl Why {
    fn as_str(self) -> &'static str {
        match self {
            Why::Closed => "closed",
            Why::Purged => "purged",
        }
    }
}

/// A case as this journal holds it: its pupil's scope, its operations in
/// replay order and the objects they made.
pub(crate) struct Held {
    scope: String,
    pub ops: Vec<SignedOperation>,
    objects: HashSet<Uuid>,
}

/// The case's part of its pupil's scope. Walking the scope in replay
/// order, an operation belongs to the case when it opens it or names the
/// case or one of its objects; what it creates becomes one of them. None
/// when the case is not here.
pub(crate) fn held(conn: &Connection, case_id: Uuid) -> Result<Option<Held>> {
    let Some(scope) = scope::of_object(conn, &case_id.to_string())? else {
        return Ok(None);
    };
    let mut objects = HashSet::from([case_id]);
    let mut ops = Vec::new();
    for signed in scope::ops_of(conn, &scope)? {
        let s = signed.op.payload.scope();
        let belongs = match s.target {
            Target::NewPupil | Target::Team => false,
            Target::Pupil(_) => s.creates.iter().any(|o| o.id == case_id),
            Target::Case(id) => objects.contains(&id),
            Target::Object(o) => objects.contains(&o.id),
        };
        if belongs {
            objects.extend(s.creates.iter().map(|o| o.id));
            ops.push(signed);
        }
    }
    Ok(Some(Held {
        scope,
        ops,
        objects,
    }))
}

/// Takes a held case out of the journal and records that it left, with
/// an audit row (ids only). In the caller's transaction.
pub(crate) fn leave(
    conn: &Connection,
    actor: (&str, &str),
    case_id: Uuid,
    held: Held,
    why: Why,
) -> Result<()> {
    let (pupil_id, closed_at): (String, Option<String>) = store::row(
        conn,
        "SELECT pupil_id, closed_at FROM cases WHERE id = ?1",
        [case_id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .unwrap_or_default();
    let ops: Vec<String> = held.ops.iter().map(|s| s.op.id.to_string()).collect();
    let objects: Vec<String> = held.objects.iter().map(Uuid::to_string).collect();
    scope::take_out(conn, &held.scope, &ops, &objects)?;
    store::exec(
        conn,
        "INSERT OR REPLACE INTO left_cases (case_id, pupil_id, reason, closed_at, left_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            case_id.to_string(),
            pupil_id,
            why.as_str(),
            closed_at,
            now_text()
        ],
    )?;
    for object in &objects {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO left_objects (object_id, case_id) VALUES (?1, ?2)",
        )?
        .execute(params![object, case_id.to_string()])?;
    }
    audit::append(
        conn,
        actor.0,
        actor.1,
        clock::now(),
        Event {
            action: match why {
                Why::Closed => Action::Leave,
                Why::Purged => Action::Purge,
            },
            object_type: "case",
            object_id: Some(case_id.to_string()),
            pupil_id: (!pupil_id.is_empty()).then_some(pupil_id),
            detail: format!("operations={}", ops.len()),
        },
    )
}

/// A case that left marked purged: it can never be fetched back.
pub(crate) fn mark_purged(conn: &Connection, case_id: Uuid) -> Result<bool> {
    Ok(store::exec(
        conn,
        "UPDATE left_cases SET reason = 'purged' WHERE case_id = ?1",
        [case_id.to_string()],
    )? > 0)
}

/// The case a left object belongs to, and whether it was purged.
pub(crate) fn left_case_of(conn: &Connection, object_id: Uuid) -> Result<Option<(Uuid, Why)>> {
    let row: Option<(String, String)> = store::row(
        conn,
        "SELECT c.case_id, c.reason FROM left_objects o JOIN left_cases c ON c.case_id = o.case_id
         WHERE o.object_id = ?1",
        [object_id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?;
    Ok(row.and_then(|(id, why)| {
        let why = if why == "purged" {
            Why::Purged
        } else {
            Why::Closed
        };
        Uuid::parse_str(&id).ok().map(|id| (id, why))
    }))
}

/// Forgets that a case left: it is being fetched back.
pub(crate) fn forget(conn: &Connection, case_id: Uuid) -> Result<()> {
    store::exec(
        conn,
        "DELETE FROM left_objects WHERE case_id = ?1",
        [case_id.to_string()],
    )?;
    store::exec(
        conn,
        "DELETE FROM left_cases WHERE case_id = ?1",
        [case_id.to_string()],
    )?;
    Ok(())
}

/// What decides whether a closed case may leave now.
pub(crate) struct Readiness {
    pub own_device: Uuid,
    /// Own operations up to this seq are held by the server.
    pub pushed_seq: u64,
    /// A push of everything held (after a restore of the server) is under
    /// way: nothing leaves until it is done.
    pub held_push: bool,
    /// Days after its last operation a closed case leaves.
    pub after_days: u32,
    pub now: DateTime<Utc>,
}

/// The closed cases that may leave now: their last operation is older
/// than the waiting time, and the server holds every one of their
/// operations (this device's own are pushed and none was refused; the
/// others came from the server).
pub(crate) fn ready(conn: &Connection, r: &Readiness) -> Result<Vec<(Uuid, Held)>> {
    if r.held_push {
        return Ok(Vec::new());
    }
    let cutoff = r.now - Duration::days(i64::from(r.after_days));
    let cutoff_text = cutoff.to_rfc3339_opts(SecondsFormat::Millis, true);
    let closed: Vec<String> = conn
        .prepare(
            "SELECT id FROM cases WHERE status = 'closed' AND closed_at <= ?1 ORDER BY closed_at",
        )?
        .query_map([cutoff_text], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for id in closed.iter().filter_map(|c| Uuid::parse_str(c).ok()) {
        let Some(held) = held(conn, id)? else {
            continue;
        };
        if held.ops.iter().all(|s| leaves(conn, r, cutoff, s)) {
            out.push((id, held));
        }
    }
    Ok(out)
}

/// Whether one operation of a closed case lets it leave.
fn leaves(conn: &Connection, r: &Readiness, cutoff: DateTime<Utc>, s: &SignedOperation) -> bool {
    let old_enough = s.op.hlc.wall_ms <= cutoff.timestamp_millis();
    let on_server = s.op.device_id != r.own_device
        || (s.op.seq <= r.pushed_seq && !refused(conn, s.op.id).unwrap_or(true));
    old_enough && on_server
}

/// Whether the server refused this operation when it was pushed.
fn refused(conn: &Connection, op_id: Uuid) -> Result<bool> {
    Ok(store::row(
        conn,
        "SELECT 1 FROM quarantine WHERE op_id = ?1 AND direction = 'push'",
        [op_id.to_string()],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

fn now_text() -> String {
    clock::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A case that left this laptop, as the case list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LeftCase {
    pub case_id: String,
    pub pupil_id: String,
    /// The pupil's name, while the pupil is still here.
    pub pupil_name: Option<String>,
    /// `closed` (it can be fetched back from the server) or `purged`.
    pub reason: String,
    pub closed_at: Option<String>,
    pub left_at: String,
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<LeftCase>> {
    Ok(conn
        .prepare(
            "SELECT l.case_id, l.pupil_id, p.name, l.reason, l.closed_at, l.left_at
             FROM left_cases l LEFT JOIN pupils p ON p.id = l.pupil_id
             ORDER BY l.left_at DESC, l.case_id",
        )?
        .query_map([], |r| {
            Ok(LeftCase {
                case_id: r.get(0)?,
                pupil_id: r.get(1)?,
                pupil_name: r.get(2)?,
                reason: r.get(3)?,
                closed_at: r.get(4)?,
                left_at: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{journal, pupil};
    use crate::sync::state;
    use crate::{Journal, NewEntry, NewGuardian};
    use brygga_protocol::entry_kind::EntryKind;

    fn note(text: &str) -> NewEntry {
        NewEntry {
            kind: EntryKind::Note,
            event_at: chrono::Utc::now(),
            participants: vec![],
            key_persons: Vec::new(),
            fields: Default::default(),
            text: text.into(),
        }
    }

    /// A pupil with a closed case (a guardian, two signed notes) and an
    /// open one (a note): returns (closed, open).
    fn two_cases(j: &mut Journal) -> (Uuid, Uuid) {
        let pupil = pupil(j);
        let closed = j.open_case(pupil).expect("case");
        j.add_guardian(NewGuardian {
            case_id: closed,
            name: "Fiktiv Förälder".into(),
            relation: "mor".into(),
            phone: Some("070-000 00 00".into()),
            email: None,
            address: None,
        })
        .expect("guardian");
        for text in ["Hembesök om skolstarten", "Samtal om skolstarten"] {
            let e = j.draft_entry(closed, note(text)).expect("draft");
            j.sign_entry(e).expect("sign");
        }
        j.close_case(closed).expect("close");
        let open = j.open_case(pupil).expect("second case");
        let e = j
            .draft_entry(open, note("Ny kontakt via mentorn"))
            .expect("draft");
        j.sign_entry(e).expect("sign");
        (closed, open)
    }

    fn set(j: &Journal, key: &str, value: &str) {
        state::set(&j.conn, key, value).expect("sync state");
    }

    /// Closes `case`, lets it leave at once (all pushed), and checks that
    /// `count` (SQL counting what must have gone with it) is 0 and the
    /// tables are a replay of what is left.
    fn leaves_with_nothing_left(j: &mut Journal, case: Uuid, count: &str) {
        j.close_case(case).expect("close");
        set(j, state::LEAVE_AFTER_DAYS, "0");
        set(
            j,
            state::PUSHED_SEQ,
            &j.last_own_seq().expect("seq").to_string(),
        );
        assert_eq!(j.leave_closed_cases().expect("leave"), 1);
        let left: i64 = j.conn.query_row(count, [], |r| r.get(0)).expect("count");
        assert_eq!(left, 0, "nothing of the case stays: {count}");
        j.check_replay()
            .expect("the tables are a replay of what is left");
    }

    #[test]
    fn a_closed_case_leaves_whole_and_the_rest_of_the_pupil_stays() {
        let (_dir, mut j) = journal();
        let (closed, open) = two_cases(&mut j);
        let seq_before = j.last_own_seq().expect("seq");
        set(&j, state::LEAVE_AFTER_DAYS, "0");
        set(&j, state::PUSHED_SEQ, &seq_before.to_string());
        assert_eq!(j.leave_closed_cases().expect("leave"), 1);

        let cases: Vec<String> = j
            .list_cases(true)
            .expect("cases")
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(cases, vec![open.to_string()], "only the open case is here");
        assert!(j.search("skolstarten", 10).expect("search").is_empty());
        assert_eq!(j.search("mentorn", 10).expect("search").len(), 1);
        let logged = j.operations().expect("ops");
        assert!(
            logged.iter().all(|s| !matches!(
                s.op.payload.scope().target,
                Target::Case(id) if id == closed
            )),
            "no operation of the case stays in the log"
        );
        j.check_replay()
            .expect("the tables are a replay of what is left");
        let left = j.left_cases().expect("left");
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].case_id, closed.to_string());
        assert_eq!(left[0].reason, "closed");
        assert_eq!(left[0].pupil_name.as_deref(), Some("Fiktiv Elev"));

        // The next operation takes a seq past every one that left.
        let e = j.draft_entry(open, note("Uppföljning")).expect("draft");
        j.sign_entry(e).expect("sign");
        assert_eq!(j.last_own_seq().expect("seq"), seq_before + 2);
        let err = j
            .reopen_case(closed)
            .expect_err("left: fetch it back first");
        assert!(err.to_string().contains("left this laptop"), "{err}");
    }

    #[test]
    fn a_closed_case_stays_until_the_server_holds_it_and_the_wait_is_over() {
        let (_dir, mut j) = journal();
        let (closed, _) = two_cases(&mut j);
        let last = j.last_own_seq().expect("seq");
        // The default wait (30 days) has not run.
        set(&j, state::PUSHED_SEQ, &last.to_string());
        assert_eq!(j.leave_closed_cases().expect("leave"), 0);
        set(&j, state::LEAVE_AFTER_DAYS, "0");
        // Its closing not yet pushed (the open case's three operations
        // came after it): it stays.
        set(&j, state::PUSHED_SEQ, &(last - 4).to_string());
        assert_eq!(j.leave_closed_cases().expect("leave"), 0);
        // The server refused one: it never will hold it.
        let held = held(&j.conn, closed).expect("held").expect("here");
        let refused_op = held.ops.last().expect("an op");
        set(&j, state::PUSHED_SEQ, &last.to_string());
        state::quarantine(
            &j.conn,
            &state::Quarantined {
                op_id: refused_op.op.id.to_string(),
                direction: "push",
                body: "{}".into(),
                code: "refused-by-server",
                params: serde_json::json!({}),
                reason: "test".into(),
                at: "2026-12-06T00:00:00Z",
            },
        )
        .expect("quarantine");
        assert_eq!(j.leave_closed_cases().expect("leave"), 0);
        store::exec(&j.conn, "DELETE FROM quarantine", []).expect("clear");
        // A push of everything held after a restore is under way.
        set(&j, state::HELD_PUSH_CURSOR, r#"["","",0]"#);
        assert_eq!(j.leave_closed_cases().expect("leave"), 0);
        state::clear(&j.conn, state::HELD_PUSH_CURSOR).expect("clear");
        assert_eq!(j.leave_closed_cases().expect("leave"), 1);
    }

    #[test]
    fn a_local_closed_case_is_reopened_with_a_signed_operation() {
        let (_dir, mut j) = journal();
        let (closed, open) = two_cases(&mut j);
        let err = j.reopen_case(open).expect_err("open already");
        assert!(err.to_string().contains("is open"), "{err}");
        j.reopen_case(closed).expect("reopen");
        let case = j
            .list_cases(false)
            .expect("cases")
            .into_iter()
            .find(|c| c.id == closed.to_string())
            .expect("listed as open");
        assert_eq!(case.status, "open");
        j.check_replay().expect("replays");
    }

    #[test]
    fn a_closed_case_with_its_ladder_schedule_and_follow_up_leaves_whole() {
        let (_dir, mut j) = journal();
        let (case, action) = crate::fixtures::planned_case(&mut j);
        for (step, next) in [
            ("home-visits", "transition-apartment"),
            ("transition-apartment", "calmer-unit"),
        ] {
            j.set_ladder_step(crate::NewLadderStep {
                case_id: case,
                step: step.into(),
                note: "Fiktivt beslut".into(),
                next_step: Some(next.into()),
                next_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 7),
            })
            .expect("ladder step");
        }
        let today = crate::clock::today();
        j.schedule_action(action, vec![chrono::Datelike::weekday(&today)], "08:10")
            .expect("schedule");
        j.record_checkins(
            chrono::Utc::now(),
            vec![crate::NewCheckin {
                case_id: case,
                arrival: "not-seen".into(),
                time: None,
                note: String::new(),
                followup: None,
            }],
        )
        .expect("not seen");
        let followup = j.followups().expect("follow-ups")[0]
            .id
            .parse()
            .expect("id");
        j.followup_done(followup).expect("done");
        leaves_with_nothing_left(
            &mut j,
            case,
            "SELECT (SELECT count(*) FROM ladder_steps) + (SELECT count(*) FROM followups)
                  + (SELECT count(*) FROM mutable_fields)
                  + (SELECT count(*) FROM oplog WHERE type <> 'pupil-registered')",
        );
    }

    #[test]
    fn the_teams_key_persons_stay_when_a_case_leaves() {
        let (_dir, mut j) = journal();
        let contact = j
            .add_contact(crate::NewContact {
                org_kind: "school".into(),
                org_name: "Fiktiva skolan".into(),
                role: "mentor".into(),
                name: "Fiktiv Mentor".into(),
                ..crate::NewContact::default()
            })
            .expect("contact");
        let (closed, _) = two_cases(&mut j);
        set(&j, state::LEAVE_AFTER_DAYS, "0");
        set(
            &j,
            state::PUSHED_SEQ,
            &j.last_own_seq().expect("seq").to_string(),
        );
        assert_eq!(j.leave_closed_cases().expect("leave"), 1);
        assert!(held(&j.conn, closed).expect("held").is_none());
        let listed = j
            .list_contacts(&crate::ContactFilter::default())
            .expect("contacts");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, contact.to_string());
        let logged: i64 = j
            .conn
            .query_row(
                "SELECT count(*) FROM oplog WHERE type = 'contact-added'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(logged, 1, "the team's operation stays in the log");
        j.check_replay().expect("replay");
    }

    #[test]
    fn a_case_takes_its_links_to_key_persons_and_the_directory_stays() {
        let (_dir, mut j) = journal();
        let mentor = j
            .add_contact(crate::NewContact {
                org_kind: "school".into(),
                role: "mentor".into(),
                name: "Fiktiv Mentor".into(),
                ..crate::NewContact::default()
            })
            .expect("contact");
        let pupil = pupil(&mut j);
        let case = j.open_case(pupil).expect("case");
        let entry = j
            .draft_entry(
                case,
                NewEntry {
                    key_persons: vec![mentor],
                    ..note("Möte med mentorn")
                },
            )
            .expect("draft");
        j.sign_entry(entry).expect("sign");
        j.create_plan(crate::fixtures::plan(
            case,
            crate::NewAction {
                who: String::new(),
                contact_id: Some(mentor),
                what: "Möter eleven".into(),
                due_on: None,
            },
        ))
        .expect("plan");
        leaves_with_nothing_left(
            &mut j,
            case,
            "SELECT (SELECT count(*) FROM mutable_fields WHERE field = 'owner')
                  + (SELECT count(*) FROM entry_versions WHERE content LIKE '%key_persons%')",
        );
        let listed = j
            .list_contacts(&crate::ContactFilter::default())
            .expect("contacts");
        assert_eq!(listed.len(), 1, "the directory stays");
    }

    #[test]
    fn a_closed_case_with_its_programme_leaves_whole() {
        let (_dir, mut j) = journal();
        let pupil = pupil(&mut j);
        let case = j.open_case(pupil).expect("case");
        j.start_programme(crate::NewProgramme {
            case_id: case,
            template: "back2school".into(),
            return_date: Some(crate::clock::today() + chrono::Duration::days(30)),
        })
        .expect("programme");
        leaves_with_nothing_left(
            &mut j,
            case,
            "SELECT (SELECT count(*) FROM programmes) + (SELECT count(*) FROM mutable_fields)
                  + (SELECT count(*) FROM oplog WHERE type LIKE 'programme-%')",
        );
    }
}
