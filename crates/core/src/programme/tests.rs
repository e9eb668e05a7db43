use super::*;
use crate::fixtures::{journal, keypair, laptop, op_count, pupil, reason, tell};

use crate::NewEntry;
use brygga_protocol::entry_kind::EntryKind;
use brygga_protocol::notice::NoticeBody;
use brygga_protocol::programme::SessionKind;

/// A journal with the fictional pupil and an open case of theirs.
fn journal_with_case() -> (tempfile::TempDir, Journal, Uuid) {
    let (dir, mut j) = journal();
    let pupil = pupil(&mut j);
    let case = j.open_case(pupil).expect("case");
    (dir, j, case)
}

fn in_days(n: i64) -> NaiveDate {
    clock::today() + chrono::Duration::days(n)
}

fn start(case_id: Uuid, template: &str, return_date: Option<NaiveDate>) -> NewProgramme {
    NewProgramme {
        case_id,
        template: template.into(),
        return_date,
    }
}

fn session_entry(session: &str, at: &str) -> NewEntry {
    NewEntry {
        kind: EntryKind::Note,
        event_at: at.parse().expect("time"),
        participants: vec![],
        key_persons: Vec::new(),
        fields: [(SESSION_FIELD.to_owned(), session.to_owned())].into(),
        text: "Fiktiv session".into(),
    }
}

fn keys(j: &Journal) -> Vec<(String, u32, SettingSource)> {
    j.programme_templates()
        .expect("templates")
        .into_iter()
        .map(|t| (t.template.key, t.template.version, t.from))
        .collect()
}

/// The municipality's Back2School: version 2, four sessions.
fn their_back2school() -> Template {
    let mut t = brygga_protocol::programme::back2school();
    t.version = 2;
    t.sessions.truncate(4);
    t
}

/// A template of the municipality's own, of `sessions` sessions from 1.
fn their_own(key: &str, version: u32, sessions: u32) -> Template {
    Template {
        key: key.into(),
        version,
        name: "Kort insats för skolnärvaro".into(),
        sessions: (1..=sessions)
            .map(|number| TemplateSession {
                number,
                kind: SessionKind::Joint,
                title: format!("Träff {number}"),
                module: false,
            })
            .collect(),
        modules: vec![],
        exposure_steps: vec![],
    }
}

fn template_notice(template: Template) -> NoticeBody {
    NoticeBody::ProgrammeTemplate { template }
}

#[test]
fn back2school_is_the_built_in_template() {
    let (_dir, j) = journal();
    assert_eq!(
        keys(&j),
        [("back2school".to_owned(), 1, SettingSource::BuiltIn)]
    );
    j.programme_template("back2school").expect("known");
    let e = j.programme_template("cool-kids").expect_err("unknown");
    assert!(e.to_string().contains("back2school"), "{e}");
    assert_eq!(reason(e), Some(ReasonCode::ProgrammeTemplateUnknown));
}

#[test]
fn the_municipalitys_templates_are_in_force_the_newest_of_a_key_winning() {
    let server = keypair();
    let (_dir, mut j) = laptop(&server);
    tell(
        &mut j,
        &server,
        1,
        template_notice(their_own("kort-insats", 1, 3)),
    );
    tell(&mut j, &server, 2, template_notice(their_back2school()));
    tell(
        &mut j,
        &server,
        3,
        template_notice(their_own("kort-insats", 2, 5)),
    );
    let municipality = SettingSource::Municipality;
    assert_eq!(
        keys(&j),
        [
            ("back2school".to_owned(), 2, municipality),
            ("kort-insats".to_owned(), 2, municipality),
        ],
        "the built-in Back2School replaced, the newest of a key in force"
    );
    assert_eq!(
        j.programme_template("back2school").expect("theirs"),
        their_back2school()
    );
    let pupil = pupil(&mut j);
    let case = j.open_case(pupil).expect("case");
    j.start_programme(start(case, "kort-insats", None))
        .expect("a template of the municipality's own");
    let view = j.programme(case).expect("read").expect("a programme");
    assert_eq!((view.template_version, view.sessions.len()), (2, 5));
    j.check_replay().expect("the notices verify again");
}

#[test]
fn a_template_notice_that_breaks_the_rules_is_quarantined_and_changes_nothing() {
    let server = keypair();
    let (_dir, mut j) = laptop(&server);
    let before = keys(&j);
    let mut gap = their_back2school();
    gap.sessions.remove(2);
    // Signed by the server's own key: only the template is wrong.
    tell(&mut j, &server, 1, template_notice(gap));
    tell(
        &mut j,
        &server,
        2,
        template_notice(their_own("Kort Insats", 1, 2)),
    );
    assert_eq!(keys(&j), before, "the built-in template is still in force");
    let quarantined = j.sync_status().expect("status").quarantined;
    let codes: Vec<_> = quarantined
        .iter()
        .map(|q| (q.code.as_str(), q.op_type.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("bad-template-notice", "programme-template"),
            ("bad-template-notice", "programme-template")
        ]
    );
    assert!(
        quarantined
            .iter()
            .any(|q| q.reason.contains("sessions[2].number")),
        "the reason names what is wrong: {quarantined:?}"
    );
    let kept: i64 = j
        .conn
        .query_row("SELECT count(*) FROM notices", [], |r| r.get(0))
        .expect("count");
    assert_eq!(kept, 0, "neither is kept");
}

#[test]
fn a_later_template_of_the_same_key_leaves_a_running_programme_as_it_started() {
    let server = keypair();
    let (_dir, mut j) = laptop(&server);
    let pupil = pupil(&mut j);
    let case = j.open_case(pupil).expect("case");
    j.start_programme(start(case, "back2school", None))
        .expect("the built-in one");
    tell(&mut j, &server, 1, template_notice(their_back2school()));
    let view = j.programme(case).expect("read").expect("programme");
    assert_eq!(
        (view.template_version, view.sessions.len()),
        (1, 12),
        "the case keeps the template it started with"
    );
    let eleven = j
        .draft_entry(case, session_entry("11", "2026-11-02T08:00:00Z"))
        .expect("session 11 is still planned for this case");
    j.sign_entry(eleven).expect("sign");
    j.check_replay().expect("replays with its snapshot");
    let after = j.programme(case).expect("read").expect("programme");
    assert!(after.sessions[11].done.is_some());

    let another = j
        .add_pupil(crate::NewPupil {
            name: "Fiktiv Annan Elev".into(),
            personnummer: "20121008-9882".into(),
            school: "Fiktiva skolan".into(),
            grade: 7,
            protected_identity: false,
        })
        .expect("pupil");
    let other = j.open_case(another).expect("case");
    j.start_programme(start(other, "back2school", None))
        .expect("the municipality's now");
    let started = j.programme(other).expect("read").expect("programme");
    assert_eq!((started.template_version, started.sessions.len()), (2, 4));
}

#[test]
fn a_case_follows_back2school_session_by_session() {
    let (_dir, mut j, case) = journal_with_case();
    let next_in_caseload = |j: &Journal| {
        let items = j.caseload().expect("caseload");
        let item = items.iter().find(|i| i.case_id == case.to_string());
        item.expect("the case").next_session.clone()
    };
    assert_eq!(j.programme(case).expect("read"), None);
    assert_eq!(next_in_caseload(&j), None, "no programme, no session");
    let return_on = in_days(60);
    j.start_programme(start(case, "back2school", Some(return_on)))
        .expect("start");
    let first = next_in_caseload(&j).expect("the caseload shows the next session");
    assert_eq!((first.programme.as_str(), first.number), ("Back2School", 0));
    let view = j.programme(case).expect("read").expect("a programme");
    assert_eq!(first.title, view.sessions[0].title);
    assert_eq!(view.template_key, "back2school");
    assert_eq!(view.name, "Back2School");
    assert_eq!(view.started_on, clock::today().to_string());
    assert_eq!(view.started_by, "Fiktiv Handläggare");
    assert_eq!(view.return_date, Some(return_on.to_string()));
    assert_eq!(view.sessions.len(), 12);
    assert_eq!(view.sessions[0].kind, SessionKind::Assessment);
    assert_eq!(view.next, Some(0));
    assert!(!view.exposure_steps.is_empty() && !view.modules.is_empty());

    let draft = j
        .draft_entry(case, session_entry("0", "2026-11-02T08:00:00Z"))
        .expect("a draft names session 0");
    assert_eq!(
        j.programme(case).expect("read").expect("programme").next,
        Some(0),
        "a draft does not yet mark a session done"
    );
    j.sign_entry(draft).expect("sign");
    let later = j
        .draft_entry(case, session_entry("2", "2026-11-16T08:00:00Z"))
        .expect("session 2 before session 1");
    j.sign_entry(later).expect("sign");
    let again = j
        .draft_entry(case, session_entry("0", "2026-11-20T08:00:00Z"))
        .expect("session 0 again");
    j.sign_entry(again).expect("sign");

    let view = j.programme(case).expect("read").expect("programme");
    let done = view.sessions[0].done.as_ref().expect("session 0 is done");
    assert_eq!(done.entry_id, draft.to_string(), "the first entry counts");
    assert_eq!(done.on, "2026-11-02");
    assert!(view.sessions[1].done.is_none());
    assert!(view.sessions[2].done.is_some());
    assert_eq!(view.next, Some(1), "the first session in order not done");
    assert_eq!(next_in_caseload(&j).map(|n| n.number), Some(1));

    let moved = in_days(75);
    j.plan_return_date(case, moved).expect("move the date");
    let view = j.programme(case).expect("read").expect("programme");
    assert_eq!(view.return_date, Some(moved.to_string()));
    assert!(view.return_conflicts.is_empty());
    j.check_replay().expect("replays");
}

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    let (_dir, mut j, case) = journal_with_case();
    let before = op_count(&j);
    assert_eq!(
        reason(
            j.start_programme(start(case, "cool-kids", None))
                .expect_err("no such template")
        ),
        Some(ReasonCode::ProgrammeTemplateUnknown)
    );
    assert_eq!(
        reason(
            j.start_programme(start(case, "back2school", Some(in_days(-1))))
                .expect_err("a return date in the past")
        ),
        Some(ReasonCode::ReturnDateInPast)
    );
    assert_eq!(
        reason(
            j.plan_return_date(case, in_days(30))
                .expect_err("no programme to return from")
        ),
        Some(ReasonCode::ProgrammeNotStarted)
    );
    assert_eq!(
        reason(
            j.draft_entry(case, session_entry("1", "2026-11-02T08:00:00Z"))
                .expect_err("no programme to name a session of")
        ),
        Some(ReasonCode::ProgrammeNotStarted)
    );
    assert_eq!(before, op_count(&j), "nothing was written");

    j.start_programme(start(case, "back2school", None))
        .expect("start");
    let started = op_count(&j);
    assert_eq!(
        reason(
            j.start_programme(start(case, "back2school", None))
                .expect_err("once per case")
        ),
        Some(ReasonCode::ProgrammeAlreadyStarted)
    );
    for (session, why) in [
        ("12", Some(ReasonCode::ProgrammeSessionUnknown)),
        ("-1", Some(ReasonCode::ProgrammeSessionUnknown)),
        ("första", Some(ReasonCode::ProgrammeSessionUnknown)),
    ] {
        let e = j
            .draft_entry(case, session_entry(session, "2026-11-02T08:00:00Z"))
            .expect_err("not a session of the programme");
        assert_eq!(reason(e), why, "{session}");
    }
    assert_eq!(
        reason(
            j.plan_return_date(case, in_days(-3))
                .expect_err("in the past")
        ),
        Some(ReasonCode::ReturnDateInPast)
    );
    assert_eq!(started, op_count(&j), "nothing was written");
    j.close_case(case).expect("close");
    let closed = op_count(&j);
    j.plan_return_date(case, in_days(30))
        .expect_err("a closed case plans nothing");
    assert_eq!(closed, op_count(&j));
}

#[test]
fn reading_and_starting_a_programme_are_audited() {
    let (_dir, mut j, case) = journal_with_case();
    j.start_programme(start(case, "back2school", Some(in_days(10))))
        .expect("start");
    j.programme(case).expect("read");
    j.plan_return_date(case, in_days(20)).expect("move");
    let rows: Vec<(String, String)> = j
        .conn
        .prepare("SELECT action, object_type FROM audit WHERE object_type LIKE 'programme%' ORDER BY seq")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let rows: Vec<(&str, &str)> = rows.iter().map(|(a, t)| (a.as_str(), t.as_str())).collect();
    assert_eq!(
        rows,
        [
            ("create", "programme"),
            ("create", "programme-return"),
            ("read", "programme"),
            ("update", "programme-return"),
        ]
    );
}

/// A return date another laptop planned, at the same time, without having
/// seen this one.
fn planned_elsewhere(j: &Journal, case_id: Uuid, on: NaiveDate) -> Uuid {
    crate::fixtures::replayed_from_elsewhere(
        j,
        Payload::ProgrammeReturnPlanned {
            case_id,
            on,
            replaces: None,
        },
    )
}

#[test]
fn a_return_date_planned_on_two_laptops_at_once_is_kept_and_chosen() {
    let (_dir, mut j, case) = journal_with_case();
    let here = in_days(30);
    j.start_programme(start(case, "back2school", Some(here)))
        .expect("start");
    planned_elsewhere(&j, case, in_days(40));
    let view = j.programme(case).expect("read").expect("programme");
    assert_eq!(
        view.return_date,
        Some(in_days(40).to_string()),
        "the later wins"
    );
    assert_eq!(view.return_conflicts.len(), 1);
    assert_eq!(view.return_conflicts[0].lost_value, here.to_string());
    let lost = view.return_conflicts[0].lost_op_id.parse().expect("uuid");
    j.resolve_conflict(lost, crate::Keep::Lost)
        .expect("this laptop's date is chosen");
    let view = j.programme(case).expect("read").expect("programme");
    assert_eq!(view.return_date, Some(here.to_string()));
    assert!(view.return_conflicts.is_empty());
}
