//! The journal's rules, through the public API, on real SQLCipher files.
//! All people, numbers and schools here are fictional.

use brygga_core::{
    ActionStatus, AuditFilter, ConsentForm, EntryKind, Error, GuardianField, Journal, NewAction,
    NewConcern, NewConsent, NewEntry, NewGuardian, NewPlan, NewPupil, Passphrase,
};
use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::BTreeMap;
use uuid::Uuid;

const PASS: &str = "fiktivt lösenord 123";

fn pass(s: &str) -> Passphrase {
    Passphrase::new(s.to_owned())
}

fn new_journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::create(dir.path(), &pass(PASS), "Fiktiv Handläggare").expect("create");
    (dir, j)
}

fn pupil(pnr: &str, protected: bool) -> NewPupil {
    NewPupil {
        name: "Fiktiv Elev".into(),
        personnummer: pnr.into(),
        school: "Fiktiva skolan".into(),
        grade: 8,
        protected_identity: protected,
    }
}

fn entry(kind: EntryKind, text: &str, fields: &[(&str, &str)]) -> NewEntry {
    NewEntry {
        kind,
        event_at: Utc
            .with_ymd_and_hms(2026, 11, 25, 8, 0, 0)
            .single()
            .expect("time"),
        participants: vec!["Elev".into(), "Vårdnadshavare".into()],
        key_persons: Vec::new(),
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        text: text.into(),
    }
}

fn home_visit(text: &str) -> NewEntry {
    entry(
        EntryKind::HomeVisit,
        text,
        &[("place", "hemmet"), ("purpose", "motivation")],
    )
}

fn with_case(j: &mut Journal) -> Uuid {
    let p = j.add_pupil(pupil("20120417-9939", false)).expect("pupil");
    j.open_case(p).expect("case")
}

/// An oral consent to share attendance with the mentor, for the whole case.
fn oral_consent(case_id: Uuid, given_on: NaiveDate, valid_until: Option<NaiveDate>) -> NewConsent {
    NewConsent {
        case_id,
        guardian_id: None,
        scope: "närvaro".into(),
        recipient: "mentor".into(),
        purpose: "samordning".into(),
        form: ConsentForm::Oral,
        given_on,
        valid_until,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

#[test]
fn every_kind_of_record_replays_from_the_log_to_the_same_tables() {
    let (_dir, mut j) = new_journal();
    let case = with_case(&mut j);
    let g = j
        .add_guardian(NewGuardian {
            case_id: case,
            name: "Fiktiv Förälder".into(),
            relation: "mamma".into(),
            phone: None,
            email: None,
            address: None,
        })
        .expect("guardian");
    j.set_guardian_field(g, GuardianField::Phone, "070-000 00 00")
        .expect("phone");
    j.set_guardian_field(g, GuardianField::Phone, "070-111 11 11")
        .expect("phone again");
    let consent = j
        .record_consent(NewConsent {
            case_id: case,
            guardian_id: Some(g),
            scope: "närvaro och mående".into(),
            recipient: "mentor".into(),
            purpose: "samordna stödet".into(),
            form: ConsentForm::Written,
            given_on: date(2026, 11, 1),
            valid_until: Some(date(2027, 6, 30)),
        })
        .expect("consent");
    j.withdraw_consent(consent, date(2026, 11, 20))
        .expect("withdraw");
    let kinds = [
        home_visit("Hembesök, samtal om morgnar."),
        entry(
            EntryKind::MorningCheckin,
            "",
            &[("arrival", "late"), ("time", "08:25")],
        ),
        entry(
            EntryKind::ApartmentSession,
            "Steg två i lägenheten.",
            &[
                ("teacher_present", "yes"),
                ("step", "transition-apartment"),
                ("duration_min", "90"),
            ],
        ),
        entry(
            EntryKind::Consultation,
            "Mentorn berättar.",
            &[("staff_role", "mentor")],
        ),
        entry(
            EntryKind::CollaborationMeeting,
            "SIP-möte.",
            &[("parties", "skola, BUP, familj")],
        ),
        entry(
            EntryKind::PhoneCall,
            "Ringde hem.",
            &[("with_whom", "pappa")],
        ),
        entry(EntryKind::Note, "Anteckning.", &[]),
    ];
    let mut ids = Vec::new();
    for new in kinds {
        let id = j.draft_entry(case, new).expect("draft");
        j.sign_entry(id).expect("sign");
        ids.push(id);
    }
    j.correct_entry(ids[0], "Hembesök på eftermiddagen.", "fel tid")
        .expect("correct");
    let plan = j
        .create_plan(NewPlan {
            case_id: case,
            needs: "Komma till skolan på morgonen.".into(),
            goals: vec!["Närvaro över 80 % i fyra veckor".into()],
            lead_party: "Skolan".into(),
            follow_up_on: date(2027, 1, 15),
            actions: vec![NewAction {
                who: "Mentor".into(),
                what: "Möter eleven vid entrén".into(),
                due_on: Some(date(2026, 12, 1)),
                contact_id: None,
            }],
        })
        .expect("plan");
    let detail = j.case_detail(case).expect("detail");
    let action = detail.plans[0].actions[0].id.parse::<Uuid>().expect("uuid");
    j.set_action_status(action, ActionStatus::Ongoing)
        .expect("status");
    j.report_concern(NewConcern {
        case_id: case,
        reported_at: Utc::now(),
        to_whom: "Mottagningsenheten".into(),
        by_whom: "Fiktiv Handläggare".into(),
        summary: "Överlämnad enligt rutin.".into(),
    })
    .expect("concern");

    j.check_replay()
        .expect("the tables are a replay of the log");

    let detail = j.case_detail(case).expect("detail");
    assert_eq!(detail.guardians[0].phone.as_deref(), Some("070-111 11 11"));
    assert!(
        detail.guardians[0].conflicts.is_empty(),
        "sequential edits are not conflicts"
    );
    assert_eq!(detail.plans[0].id, plan.to_string());
    assert_eq!(detail.plans[0].actions[0].status, "ongoing");
    assert!(
        !detail.consents[0].active,
        "a withdrawn consent is not active"
    );
    assert_eq!(detail.concerns.len(), 1);
    let ops = j.operations().expect("ops");
    let seqs: Vec<u64> = ops.iter().map(|o| o.op.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
}

/// Counts everything a failed call must not have added.
fn footprint(j: &Journal) -> usize {
    j.operations().expect("ops").len()
}

#[test]
fn invalid_input_is_refused_and_writes_nothing() {
    let (_dir, mut j) = new_journal();
    let case = with_case(&mut j);
    let before = footprint(&j);

    let bad_pnr = j.add_pupil(pupil("20121008-9883", false));
    assert!(matches!(bad_pnr, Err(Error::Invalid(ref m)) if m.message.contains("check digit")));
    let empty = j.draft_entry(case, home_visit("   "));
    assert!(matches!(empty, Err(Error::Invalid(ref m)) if m.message.contains("empty")));
    let missing = j.draft_entry(
        case,
        entry(EntryKind::HomeVisit, "x", &[("place", "hemmet")]),
    );
    assert!(matches!(missing, Err(Error::Invalid(ref m)) if m.message.contains("purpose")));
    let unknown = j.draft_entry(Uuid::now_v7(), home_visit("text"));
    assert!(matches!(unknown, Err(Error::NotFound { .. })));
    let dup = j.add_pupil(pupil("120417-9939", false));
    assert!(matches!(dup, Err(Error::NotAllowed(_))));
    let grade = j.add_pupil(NewPupil {
        grade: 4,
        ..pupil("20121008-9882", false)
    });
    assert!(matches!(grade, Err(Error::Invalid(_))));

    assert_eq!(footprint(&j), before);
}

#[test]
fn a_signed_entry_never_changes() {
    let (_dir, mut j) = new_journal();
    let case = with_case(&mut j);
    let id = j
        .draft_entry(case, home_visit("Första versionen."))
        .expect("draft");
    j.edit_draft(id, home_visit("Andra versionen."))
        .expect("a draft can change");
    assert!(matches!(
        j.correct_entry(id, "rättelse", "skäl"),
        Err(Error::NotAllowed(ref m)) if m.message.contains("draft")
    ));
    j.sign_entry(id).expect("sign");
    let before = footprint(&j);
    assert!(
        matches!(j.sign_entry(id), Err(Error::NotAllowed(ref m)) if m.message.contains("already signed"))
    );
    assert!(matches!(
        j.edit_draft(id, home_visit("Tredje versionen.")),
        Err(Error::NotAllowed(ref m)) if m.message.contains("correction")
    ));
    assert!(matches!(
        j.correct_entry(id, "  ", "skäl"),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        j.correct_entry(id, "ny text", ""),
        Err(Error::Invalid(_))
    ));
    assert_eq!(footprint(&j), before);

    j.correct_entry(id, "Rättad text.", "fel uppgift")
        .expect("correct");
    let shown = j.entry(id).expect("entry");
    assert_eq!(
        shown.text, "Andra versionen.",
        "the original stays readable"
    );
    assert_eq!(shown.status, "signed");
    assert_eq!(shown.corrections.len(), 1);
    assert_eq!(shown.corrections[0].text, "Rättad text.");
    assert_eq!(shown.corrections[0].reason, "fel uppgift");
}

#[test]
fn a_closed_case_takes_nothing_new_and_waits_for_drafts() {
    let (_dir, mut j) = new_journal();
    let case = with_case(&mut j);
    let consent = oral_consent(case, date(2026, 9, 1), None);
    let given = j.record_consent(consent.clone()).expect("consent");
    let draft = j.draft_entry(case, home_visit("Utkast.")).expect("draft");
    assert!(
        matches!(j.close_case(case), Err(Error::NotAllowed(ref m)) if m.message.contains("draft"))
    );
    j.sign_entry(draft).expect("sign");
    j.close_case(case).expect("close");
    let ops = j.operations().expect("ops").len();
    let refusals = [
        j.draft_entry(case, home_visit("Sent.")).map(drop),
        j.record_consent(consent).map(drop),
        j.create_plan(NewPlan {
            case_id: case,
            needs: "Sent.".into(),
            goals: vec!["Närvaro".into()],
            lead_party: "Skolan".into(),
            follow_up_on: date(2027, 1, 15),
            actions: Vec::new(),
        })
        .map(drop),
        j.report_concern(NewConcern {
            case_id: case,
            reported_at: Utc::now(),
            to_whom: "Mottagningsenheten".into(),
            by_whom: "Fiktiv Handläggare".into(),
            summary: "Sent.".into(),
        })
        .map(drop),
        j.add_guardian(NewGuardian {
            case_id: case,
            name: "Fiktiv Förälder".into(),
            relation: "pappa".into(),
            phone: None,
            email: None,
            address: None,
        })
        .map(drop),
    ];
    for refused in refusals {
        assert!(
            matches!(refused, Err(Error::NotAllowed(ref m)) if m.message.contains("closed")),
            "{refused:?}"
        );
    }
    assert_eq!(j.operations().expect("ops").len(), ops, "nothing written");
    // A guardian may still withdraw a consent given while the case was open.
    j.withdraw_consent(given, date(2026, 11, 20))
        .expect("withdraw after closing");
    assert!(j.list_cases(false).expect("open cases").is_empty());
    assert_eq!(j.list_cases(true).expect("all cases").len(), 1);
    assert!(j.caseload().expect("caseload").is_empty());
    assert!(j.checkin_board().expect("board").is_empty());
    let ops = j.operations().expect("ops").len();
    assert!(
        matches!(j.close_case(case), Err(Error::NotAllowed(ref m)) if m.message.contains("already closed"))
    );
    assert_eq!(j.operations().expect("ops").len(), ops, "nothing written");
}

#[test]
fn search_finds_entries_and_corrections_with_swedish_words() {
    let (_dir, mut j) = new_journal();
    let case = with_case(&mut j);
    let a = j
        .draft_entry(case, home_visit("Eleven får skjuts till skolan."))
        .expect("a");
    let b = j
        .draft_entry(case, home_visit("Pappa far till jobbet tidigt."))
        .expect("b");
    j.sign_entry(a).expect("sign");
    j.sign_entry(b).expect("sign");
    j.correct_entry(b, "Mamma kör på tisdagar.", "fel förälder")
        .expect("correct");

    let hits = j.search("får", 10).expect("search");
    assert_eq!(hits.len(), 1, "diacritics are kept: får is not far");
    assert_eq!(hits[0].entry_id, a.to_string());
    let hits = j.search("tisdag", 10).expect("prefix search");
    assert_eq!(hits.len(), 1);
    assert!(hits[0].in_correction);
    assert!(
        hits[0].snippet.contains("[tisdagar]"),
        "{}",
        hits[0].snippet
    );
    assert!(j.search("\"*", 10).is_err());
}

#[test]
fn protected_identity_hides_school_and_address_everywhere() {
    let (_dir, mut j) = new_journal();
    let p = j.add_pupil(pupil("20121008-9882", true)).expect("pupil");
    let case = j.open_case(p).expect("case");
    let g = j
        .add_guardian(NewGuardian {
            case_id: case,
            name: "Fiktiv Förälder".into(),
            relation: "pappa".into(),
            phone: None,
            email: None,
            address: None,
        })
        .expect("guardian");
    j.set_guardian_field(g, GuardianField::Address, "Hemliga gatan 1")
        .expect("address");
    let listed = j.list_pupils().expect("list");
    assert_eq!(listed[0].school, None);
    assert!(listed[0].protected_identity);
    let detail = j.case_detail(case).expect("detail");
    assert_eq!(detail.pupil.school, None);
    assert_eq!(detail.guardians[0].address, None);
    let json = serde_json::to_string(&detail).expect("json");
    assert!(!json.contains("Fiktiva skolan") && !json.contains("Hemliga gatan"));
}

#[test]
fn consent_is_active_until_withdrawn_or_expired() {
    let (_dir, mut j) = new_journal();
    let case = with_case(&mut j);
    let consent = |valid_until| oral_consent(case, date(2025, 1, 10), valid_until);
    j.record_consent(consent(None)).expect("open-ended");
    j.record_consent(consent(Some(date(2025, 6, 1))))
        .expect("expired");
    let ends_before = j.record_consent(consent(Some(date(2024, 1, 1))));
    assert!(matches!(ends_before, Err(Error::Invalid(_))));
    let listed = j.list_consents(case).expect("list");
    assert_eq!(listed.iter().filter(|c| c.active).count(), 1);
    let id = listed[0].id.parse().expect("uuid");
    assert!(matches!(
        j.withdraw_consent(id, date(2025, 1, 9)),
        Err(Error::Invalid(ref m)) if m.message.contains("before")
    ));
    let tomorrow = chrono::Local::now().date_naive() + chrono::Days::new(1);
    assert!(matches!(
        j.withdraw_consent(id, tomorrow),
        Err(Error::Invalid(ref m)) if m.message.contains("future")
    ));
    j.withdraw_consent(id, date(2025, 1, 10))
        .expect("withdrawn the day it was given");
    assert!(matches!(
        j.withdraw_consent(id, date(2026, 1, 2)),
        Err(Error::NotAllowed(_))
    ));
}

#[test]
fn reads_and_writes_are_in_the_audit_log_and_it_verifies() {
    let (dir, mut j) = new_journal();
    let case = with_case(&mut j);
    let id = j.draft_entry(case, home_visit("Text.")).expect("draft");
    j.sign_entry(id).expect("sign");
    j.entry(id).expect("read");
    let pupil_id = j.case_detail(case).expect("detail").pupil.id;
    drop(j);
    let j = Journal::open(dir.path(), &pass(PASS)).expect("reopen");
    let rows = j
        .audit_list(&AuditFilter {
            pupil_id: Some(pupil_id),
            ..Default::default()
        })
        .expect("audit");
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    for needed in ["create", "sign", "read"] {
        assert!(
            actions.contains(&needed),
            "{needed} missing from {actions:?}"
        );
    }
    assert!(rows.iter().all(|r| r.actor == "Fiktiv Handläggare"));
    assert!(j.audit_verify().expect("verify").is_intact());
}

#[test]
fn passphrases_unlock_change_and_fail_as_they_should() {
    let (dir, j) = new_journal();
    drop(j);
    assert!(matches!(
        Journal::open(dir.path(), &pass("fel lösenord 123")),
        Err(Error::WrongPassphrase)
    ));
    assert!(matches!(
        Journal::change_passphrase(dir.path(), &pass(PASS), &pass("kort")),
        Err(Error::Invalid(_))
    ));
    Journal::change_passphrase(dir.path(), &pass(PASS), &pass("nytt fiktivt lösenord"))
        .expect("change");
    assert!(matches!(
        Journal::open(dir.path(), &pass(PASS)),
        Err(Error::WrongPassphrase)
    ));
    Journal::open(dir.path(), &pass("nytt fiktivt lösenord")).expect("new passphrase works");
    assert!(matches!(
        Journal::create(dir.path(), &pass(PASS), "Någon"),
        Err(Error::JournalExists(_))
    ));
    let empty = tempfile::tempdir().expect("tempdir");
    assert!(matches!(
        Journal::open(empty.path(), &pass(PASS)),
        Err(Error::JournalMissing(_))
    ));
}

#[test]
fn locking_is_recorded_in_the_audit_log() {
    let (dir, j) = new_journal();
    j.lock("idle 5 min").expect("lock");
    let j = Journal::open(dir.path(), &pass(PASS)).expect("reopen");
    let rows = j.audit_list(&AuditFilter::default()).expect("audit");
    let lock = rows
        .iter()
        .find(|r| r.action == "lock")
        .expect("a lock row");
    assert_eq!(lock.detail, "idle 5 min");
    assert!(j.audit_verify().expect("verify").is_intact());
}
