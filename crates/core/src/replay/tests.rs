//! Replay rules, each shown to give one result whatever the order the
//! operations arrive in (all permutations where they are few).

use super::scope;
use brygga_protocol::entry_kind::EntryKind;
use brygga_protocol::hlc::Hlc;
use brygga_protocol::op::{
    ConflictSubject, EntryContent, GuardianField, Operation, Payload, SignedOperation,
};
use brygga_protocol::PROTOCOL_VERSION;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use uuid::Uuid;

const PNR: &str = "201204179939";

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

struct Ops {
    seq: u64,
    ops: Vec<SignedOperation>,
}

impl Ops {
    fn new() -> Ops {
        Ops {
            seq: 0,
            ops: Vec::new(),
        }
    }

    /// An operation of device `device` at wall time `ms`; returns its id.
    fn add(&mut self, device: u128, ms: i64, payload: Payload) -> Uuid {
        self.seq += 1;
        let op_id = id(1_000_000 + u128::from(self.seq));
        self.ops.push(SignedOperation {
            op: Operation {
                version: PROTOCOL_VERSION,
                id: op_id,
                device_id: id(device),
                seq: self.seq,
                hlc: Hlc {
                    wall_ms: ms,
                    counter: 0,
                },
                author: format!("Handläggare {device}"),
                payload,
            },
            signature: String::new(),
        });
        op_id
    }
}

fn content(text: &str) -> EntryContent {
    EntryContent {
        kind: EntryKind::Note,
        event_at: DateTime::<Utc>::from_timestamp(1_700_000_000, 0).expect("time"),
        participants: vec![],
        key_persons: Vec::new(),
        fields: Default::default(),
        text: text.into(),
    }
}

/// A pupil (id 1, registered by device 1), case 2, guardian 3, entry 4.
fn base() -> Ops {
    let mut o = Ops::new();
    o.add(1, 10, pupil(1, PNR));
    o.add(
        1,
        11,
        Payload::CaseOpened {
            case_id: id(2),
            pupil_id: id(1),
        },
    );
    o.add(
        1,
        12,
        Payload::GuardianAdded {
            guardian_id: id(3),
            case_id: id(2),
            name: "Fiktiv Förälder".into(),
            relation: "mamma".into(),
        },
    );
    o
}

fn pupil(n: u128, pnr: &str) -> Payload {
    Payload::PupilRegistered {
        pupil_id: id(n),
        name: "Fiktiv Elev".into(),
        personnummer: pnr.into(),
        school: "Fiktiva skolan".into(),
        grade: 8,
        protected_identity: false,
    }
}

/// Logs `ops` one by one in this order, replaying after each, as pulls
/// that bring them one at a time would.
fn replay_arriving(ops: &[&SignedOperation]) -> Vec<String> {
    let mut conn = Connection::open_in_memory().expect("db");
    crate::migrations::migrate(&mut conn).expect("schema");
    for op in ops {
        scope::log(&conn, op, &serde_json::to_string(op).expect("json")).expect("log");
        scope::catch_up(&conn).expect("replay");
    }
    let lines = super::dump(&conn).expect("dump");
    let all: Vec<SignedOperation> = ops.iter().map(|o| (*o).clone()).collect();
    super::check(&conn, &all).expect("the tables are a replay of the log");
    lines
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

/// The `tail` operations in every order after the others: one dump.
fn same_in_every_order(o: &Ops, tail: usize) -> Vec<String> {
    let (head, rest) = o.ops.split_at(o.ops.len() - tail);
    let mut seen: Option<Vec<String>> = None;
    for p in permutations(rest.len()) {
        let order: Vec<&SignedOperation> = head.iter().chain(p.iter().map(|&i| &rest[i])).collect();
        let d = replay_arriving(&order);
        match &seen {
            None => seen = Some(d),
            Some(first) => assert_eq!(first, &d, "order {p:?} gives other tables"),
        }
    }
    seen.expect("at least one order")
}

fn rows(dump: &[String], table: &str) -> Vec<String> {
    dump.iter()
        .filter(|l| l.starts_with(&format!("{table}:")))
        .cloned()
        .collect()
}

fn phone(value: &str, replaces: Option<Uuid>) -> Payload {
    Payload::GuardianFieldSet {
        guardian_id: id(3),
        field: GuardianField::Phone,
        value: value.into(),
        replaces,
    }
}

#[test]
fn concurrent_edits_converge_in_any_order_and_keep_the_loser() {
    let mut o = base();
    o.add(1, 100, phone("070-111", None));
    o.add(2, 200, phone("070-222", None));
    let d = same_in_every_order(&o, 2);
    assert!(rows(&d, "mutable_fields")[0].contains("070-222"));
    let lost = rows(&d, "field_conflicts");
    assert_eq!(lost.len(), 1);
    assert!(lost[0].contains("070-111"));
}

#[test]
fn a_write_that_saw_a_value_settles_its_conflict_whatever_the_order() {
    let mut o = base();
    let a = o.add(1, 100, phone("A", None));
    o.add(3, 150, phone("C", Some(a)));
    o.add(2, 200, phone("B", Some(a)));
    let d = same_in_every_order(&o, 3);
    let lost = rows(&d, "field_conflicts");
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(lost[0].contains("\"C\""), "{lost:?}");
}

fn drafted(o: &mut Ops, device: u128, ms: i64, text: &str) -> Uuid {
    o.add(
        device,
        ms,
        Payload::EntryDrafted {
            entry_id: id(4),
            case_id: id(2),
            content: content(text),
        },
    )
}

#[test]
fn no_edit_changes_a_signed_entry_whatever_arrives_when() {
    let mut o = base();
    let v1 = drafted(&mut o, 1, 100, "Första versionen");
    // Device 1 signs what it sees; device 2 edits at the same time, and
    // again later; device 3 signs another version it saw.
    o.add(
        2,
        150,
        Payload::DraftEdited {
            entry_id: id(4),
            content: content("Ändrad på laptop 2"),
            replaces: Some(v1),
        },
    );
    o.add(
        1,
        160,
        Payload::EntrySigned {
            entry_id: id(4),
            content_hash: Some(content("Första versionen").hash()),
        },
    );
    o.add(
        2,
        170,
        Payload::DraftEdited {
            entry_id: id(4),
            content: content("Ändrad igen"),
            replaces: None,
        },
    );
    let d = same_in_every_order(&o, 3);
    let entry = rows(&d, "entries");
    assert!(
        entry[0].contains("Första versionen") && entry[0].contains("\"signed\""),
        "{entry:?}"
    );
    let lost = rows(&d, "field_conflicts");
    assert_eq!(lost.len(), 2, "both later texts are kept: {lost:?}");
    assert!(
        lost.iter().all(|l| l.contains("after-signature")),
        "{lost:?}"
    );
}

#[test]
fn one_personnummer_registered_twice_is_one_pupil_with_both_cases() {
    let mut o = Ops::new();
    o.add(1, 10, pupil(1, PNR));
    o.add(
        1,
        11,
        Payload::CaseOpened {
            case_id: id(2),
            pupil_id: id(1),
        },
    );
    o.add(2, 5, pupil(7, PNR));
    o.add(
        2,
        6,
        Payload::CaseOpened {
            case_id: id(8),
            pupil_id: id(7),
        },
    );
    let d = same_in_every_order(&o, 4);
    let pupils = rows(&d, "pupils");
    assert_eq!(pupils.len(), 1, "{pupils:?}");
    assert!(
        pupils[0].contains(&id(7).to_string()),
        "the first registration keeps its id"
    );
    assert_eq!(rows(&d, "pupil_aliases").len(), 1);
    let cases = rows(&d, "cases");
    assert_eq!(cases.len(), 2);
    assert!(
        cases
            .iter()
            .all(|c| c.contains(&format!("pupil_id=\"{}\"", id(7)))),
        "{cases:?}"
    );
    assert!(rows(&d, "replay_rejections").is_empty());
}

#[test]
fn a_choice_between_drafts_converges_and_ends_the_conflict() {
    let mut o = base();
    let v1 = drafted(&mut o, 1, 100, "Ett");
    let v2 = o.add(
        2,
        150,
        Payload::DraftEdited {
            entry_id: id(4),
            content: content("Två"),
            replaces: Some(v1),
        },
    );
    let v3 = o.add(
        1,
        160,
        Payload::DraftEdited {
            entry_id: id(4),
            content: content("Tre"),
            replaces: Some(v1),
        },
    );
    o.add(
        2,
        300,
        Payload::ConflictResolved {
            subject: ConflictSubject::EntryContent { entry_id: id(4) },
            chosen: v2,
            resolves: vec![v3],
        },
    );
    let d = same_in_every_order(&o, 3);
    assert!(rows(&d, "entries")[0].contains("Två"));
    assert!(rows(&d, "field_conflicts").is_empty());
}

#[test]
fn an_operation_whose_object_never_came_waits_and_changes_nothing() {
    let mut o = base();
    o.add(2, 100, phone("070", None));
    let mut orphan = o.ops.pop().expect("op");
    if let Payload::GuardianFieldSet { guardian_id, .. } = &mut orphan.op.payload {
        *guardian_id = id(99);
    }
    o.ops.push(orphan);
    let d = same_in_every_order(&o, 1);
    assert!(rows(&d, "mutable_fields").is_empty());
}

#[test]
fn the_replay_check_finds_a_table_that_differs_from_the_log() {
    let o = base();
    let mut conn = Connection::open_in_memory().expect("db");
    crate::migrations::migrate(&mut conn).expect("schema");
    for op in &o.ops {
        scope::log(&conn, op, &serde_json::to_string(op).expect("json")).expect("log");
    }
    scope::catch_up(&conn).expect("replay");
    super::check(&conn, &o.ops).expect("as replayed");
    conn.execute("UPDATE guardians SET name = 'Ändrad i smyg'", [])
        .expect("tamper");
    assert!(super::check(&conn, &o.ops).is_err());
}

fn ladder_step(record: u128, step: &str) -> Payload {
    Payload::LadderStepSet {
        record_id: id(record),
        case_id: id(2),
        step: step.into(),
        decided_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 5).expect("date"),
        note: "Fiktiv anteckning".into(),
    }
}

fn next_step(step: &str, replaces: Option<Uuid>) -> Payload {
    Payload::LadderNextPlanned {
        case_id: id(2),
        step: step.into(),
        on: chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"),
        replaces,
    }
}

#[test]
fn ladder_steps_from_two_laptops_keep_their_history_in_any_order() {
    let mut o = base();
    o.add(1, 100, ladder_step(20, "home-visits"));
    o.add(2, 150, ladder_step(21, "transition-apartment"));
    o.add(1, 200, ladder_step(22, "calmer-unit"));
    let d = same_in_every_order(&o, 3);
    let history = rows(&d, "ladder_steps");
    assert_eq!(history.len(), 3, "{history:?}");
    // The latest in the order is the current step on every laptop.
    let last = history
        .iter()
        .max_by_key(|l| l.split("order_key=").nth(1).map(str::to_owned))
        .expect("a step");
    assert!(last.contains("calmer-unit"), "{last}");
}

#[test]
fn concurrent_plans_of_the_next_step_converge_and_keep_the_loser() {
    let mut o = base();
    let first = o.add(1, 100, next_step("calmer-unit", None));
    o.add(2, 200, next_step("part-time-class", None));
    o.add(3, 250, next_step("transition-apartment", Some(first)));
    let d = same_in_every_order(&o, 3);
    let value = rows(&d, "mutable_fields");
    assert!(
        value[0].contains("transition-apartment 2026-11-02"),
        "{value:?}"
    );
    let lost = rows(&d, "field_conflicts");
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(lost[0].contains("part-time-class 2026-11-02"), "{lost:?}");
}

#[test]
fn a_ladder_step_of_a_case_that_never_came_changes_nothing() {
    let mut o = Ops::new();
    o.add(1, 10, pupil(1, PNR));
    o.add(2, 20, ladder_step(20, "home-visits"));
    let all: Vec<&SignedOperation> = o.ops.iter().collect();
    let d = replay_arriving(&all);
    assert!(rows(&d, "ladder_steps").is_empty());
    assert!(
        rows(&d, "replay_rejections").is_empty(),
        "it waits for its case"
    );
}

#[test]
fn a_choice_of_the_next_step_converges_and_ends_the_conflict() {
    let mut o = base();
    let first = o.add(1, 100, next_step("calmer-unit", None));
    let second = o.add(2, 200, next_step("part-time-class", None));
    o.add(
        1,
        300,
        Payload::ConflictResolved {
            subject: ConflictSubject::LadderNext { case_id: id(2) },
            chosen: first,
            resolves: vec![first, second],
        },
    );
    let d = same_in_every_order(&o, 3);
    assert!(
        rows(&d, "mutable_fields")[0].contains("calmer-unit 2026-11-02"),
        "{d:?}"
    );
    assert!(rows(&d, "field_conflicts").is_empty(), "{d:?}");
}

/// Base, then a plan with action 5 on case 2.
fn with_action() -> Ops {
    let mut o = base();
    o.add(
        1,
        20,
        Payload::PlanCreated {
            plan_id: id(6),
            case_id: id(2),
            needs: "Trygg skolstart".into(),
            goals: vec![],
            lead_party: "Skolan".into(),
            follow_up_on: chrono::NaiveDate::from_ymd_opt(2027, 1, 15).expect("date"),
            actions: vec![brygga_protocol::op::PlanAction {
                action_id: id(5),
                who: "Mentor".into(),
                what: "Möter eleven vid entrén".into(),
                due_on: None,
                contact_id: None,
            }],
        },
    );
    o
}

fn schedule(days: &[chrono::Weekday], time: &str, replaces: Option<Uuid>) -> Payload {
    Payload::ActionScheduled {
        action_id: id(5),
        days: days.to_vec(),
        time: time.into(),
        replaces,
    }
}

#[test]
fn concurrent_schedules_converge_and_keep_the_loser() {
    use chrono::Weekday::{Mon, Thu, Wed};
    let mut o = with_action();
    let first = o.add(1, 100, schedule(&[Mon, Wed], "08:10", None));
    o.add(2, 200, schedule(&[Thu], "09:00", None));
    o.add(3, 250, schedule(&[Mon], "08:00", Some(first)));
    let d = same_in_every_order(&o, 3);
    let value = rows(&d, "mutable_fields");
    assert!(
        value.iter().any(|l| l.contains("\"mon 08:00\"")),
        "{value:?}"
    );
    let lost = rows(&d, "field_conflicts");
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(lost[0].contains("thu 09:00"), "{lost:?}");
}

#[test]
fn a_follow_up_done_on_two_laptops_is_done_once_in_any_order() {
    let mut o = base();
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
    o.add(
        1,
        50,
        Payload::FollowupCreated {
            followup_id: id(30),
            case_id: id(2),
            task: brygga_protocol::op::FollowupTask::CallGuardian,
            due_on: day(7),
            entry_id: None,
        },
    );
    let done = |on| Payload::FollowupDone {
        followup_id: id(30),
        done_on: day(on),
    };
    o.add(1, 100, done(7));
    o.add(2, 200, done(8));
    let d = same_in_every_order(&o, 2);
    let row = rows(&d, "followups");
    assert_eq!(row.len(), 1);
    assert!(row[0].contains("done_on=\"2026-12-07\""), "{row:?}");
    assert!(row[0].contains("done_by=\"Handläggare 1\""), "{row:?}");
}

fn programme_started(programme: u128, name: &str) -> Payload {
    let mut template = brygga_protocol::programme::back2school();
    template.name = name.into();
    Payload::ProgrammeStarted {
        programme_id: id(programme),
        case_id: id(2),
        template,
        started_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 5).expect("date"),
    }
}

fn return_planned(day: u32, replaces: Option<Uuid>) -> Payload {
    Payload::ProgrammeReturnPlanned {
        case_id: id(2),
        on: chrono::NaiveDate::from_ymd_opt(2027, 1, day).expect("date"),
        replaces,
    }
}

#[test]
fn a_programme_started_on_two_laptops_at_once_is_the_first_in_the_order() {
    let mut o = base();
    o.add(2, 150, programme_started(31, "Andra"));
    o.add(1, 100, programme_started(30, "Första"));
    let d = same_in_every_order(&o, 2);
    let programmes = rows(&d, "programmes");
    assert_eq!(programmes.len(), 1, "{programmes:?}");
    assert!(programmes[0].contains("Första"), "{programmes:?}");
    assert!(rows(&d, "replay_rejections").is_empty(), "{d:?}");
}

#[test]
fn concurrent_return_dates_converge_and_a_choice_ends_the_conflict() {
    let mut o = base();
    o.add(1, 90, programme_started(30, "Back2School"));
    let first = o.add(1, 100, return_planned(11, None));
    let second = o.add(2, 200, return_planned(18, None));
    let d = same_in_every_order(&o, 3);
    assert!(
        rows(&d, "mutable_fields")[0].contains("2027-01-18"),
        "{d:?}"
    );
    let lost = rows(&d, "field_conflicts");
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(lost[0].contains("2027-01-11"), "{lost:?}");
    o.add(
        3,
        300,
        Payload::ConflictResolved {
            subject: ConflictSubject::ProgrammeReturn { case_id: id(2) },
            chosen: first,
            resolves: vec![first, second],
        },
    );
    let d = same_in_every_order(&o, 4);
    assert!(
        rows(&d, "mutable_fields")[0].contains("2027-01-11"),
        "{d:?}"
    );
    assert!(rows(&d, "field_conflicts").is_empty(), "{d:?}");
}

/// Key person 20 of the team, added by device 1 (no pupil at all).
fn key_person() -> (Ops, Uuid) {
    let mut o = Ops::new();
    let added = o.add(
        1,
        10,
        Payload::ContactAdded {
            contact_id: id(20),
            org_kind: brygga_protocol::op::OrgKind::School,
            org_name: "Fiktiva skolan".into(),
            role: "rektor".into(),
            name: "Fiktiv Rektor".into(),
            phone: Some("08-000 00 00".into()),
            email: None,
        },
    );
    (o, added)
}

fn contact_phone(value: &str, replaces: Option<Uuid>) -> Payload {
    Payload::ContactChanged {
        contact_id: id(20),
        field: brygga_protocol::op::ContactField::Phone,
        value: value.into(),
        replaces,
    }
}

#[test]
fn key_persons_are_the_teams_scope_and_converge_in_any_order() {
    let (mut o, added) = key_person();
    o.add(1, 100, contact_phone("08-111 11 11", Some(added)));
    o.add(2, 200, contact_phone("08-222 22 22", Some(added)));
    o.add(
        3,
        150,
        Payload::ContactLeftRole {
            contact_id: id(20),
            left_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
        },
    );
    o.add(
        2,
        300,
        Payload::ContactLeftRole {
            contact_id: id(20),
            left_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).expect("date"),
        },
    );
    let d = same_in_every_order(&o, 4);
    let phone: Vec<_> = rows(&d, "mutable_fields")
        .into_iter()
        .filter(|r| r.contains("phone"))
        .collect();
    assert_eq!(phone.len(), 1);
    assert!(phone[0].contains("08-222 22 22"), "{phone:?}");
    let lost = rows(&d, "field_conflicts");
    assert_eq!(lost.len(), 1, "the concurrent edit is kept: {lost:?}");
    assert!(lost[0].contains("08-111 11 11"));
    let contact = rows(&d, "contacts");
    assert!(
        contact[0].contains("2026-12-01"),
        "the first to leave stands: {contact:?}"
    );

    let mut conn = Connection::open_in_memory().expect("db");
    crate::migrations::migrate(&mut conn).expect("schema");
    for op in &o.ops {
        scope::log(&conn, op, &serde_json::to_string(op).expect("json")).expect("log");
    }
    scope::catch_up(&conn).expect("replay");
    assert_eq!(
        scope::pending_scopes(&conn).expect("pending"),
        Vec::<String>::new()
    );
    let scopes: Vec<String> = conn
        .prepare("SELECT DISTINCT scope FROM op_scopes")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(scopes, [scope::TEAM]);
}

#[test]
fn a_contact_conflict_can_choose_the_value_it_was_added_with() {
    let (mut o, added) = key_person();
    let mine = o.add(1, 100, contact_phone("08-111 11 11", Some(added)));
    let theirs = o.add(2, 200, contact_phone("08-222 22 22", Some(added)));
    o.add(
        1,
        300,
        Payload::ConflictResolved {
            subject: ConflictSubject::ContactField {
                contact_id: id(20),
                field: brygga_protocol::op::ContactField::Phone,
            },
            chosen: added,
            resolves: vec![mine, theirs],
        },
    );
    let d = same_in_every_order(&o, 3);
    assert!(rows(&d, "field_conflicts").is_empty());
    assert!(rows(&d, "mutable_fields")
        .iter()
        .any(|r| r.contains("08-000 00 00")));
}

/// What a sync round holds of what it pulled gives the tables the log
/// gives, in the log's order whatever the order it arrived in; a scope of
/// which one operation is not held is read from the log whole, and
/// nothing held of it is taken.
#[test]
fn a_replay_from_what_a_pull_holds_gives_the_tables_of_the_log() {
    let mut o = base();
    let first = drafted(&mut o, 1, 100, "Första versionen");
    o.add(
        2,
        150,
        Payload::DraftEdited {
            entry_id: id(4),
            content: content("Andra enheten"),
            replaces: Some(first),
        },
    );
    // Two concurrent phone numbers, the later one made first.
    o.add(1, 300, phone("070-111", None));
    o.add(2, 250, phone("070-222", None));
    let forward: Vec<&SignedOperation> = o.ops.iter().collect();
    let from_log = replay_arriving(&forward);
    assert!(rows(&from_log, "mutable_fields")[0].contains("070-111"));
    for arrived in [forward.clone(), forward.iter().rev().copied().collect()] {
        for held in [arrived.len(), arrived.len() - 1] {
            let mut conn = Connection::open_in_memory().expect("db");
            crate::migrations::migrate(&mut conn).expect("schema");
            let mut fresh = scope::Fresh::default();
            for (n, op) in arrived.iter().enumerate() {
                let body = serde_json::to_string(op).expect("json");
                scope::log(&conn, op, &body).expect("log");
                if n < held {
                    fresh.keep(op.op.clone(), body.len());
                }
            }
            scope::place_waiting(&conn).expect("placed");
            let scopes = scope::pending_scopes(&conn).expect("scopes");
            scope::replay_scopes_with(&conn, &scopes, &mut fresh).expect("replay");
            assert_eq!(super::dump(&conn).expect("dump"), from_log, "{held} held");
            super::check(&conn, &o.ops).expect("the tables are a replay of the log");
            let left = if held == arrived.len() { 0 } else { held };
            assert_eq!(fresh.len(), left, "{held} held");
        }
    }
}
