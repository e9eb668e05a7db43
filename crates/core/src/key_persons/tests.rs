use super::*;
use crate::fixtures::{journal, op_count, pupil, reason};
use crate::{ContactEdit, NewAction, NewContact, NewEntry};
use brygga_protocol::entry_kind::EntryKind;
use chrono::NaiveDate;

fn mentor() -> NewContact {
    NewContact {
        org_kind: "school".into(),
        org_name: "Fiktiva skolan".into(),
        role: "mentor".into(),
        name: "Fiktiv Mentor".into(),
        ..NewContact::default()
    }
}

fn meeting(key_persons: Vec<Uuid>) -> NewEntry {
    NewEntry {
        kind: EntryKind::Note,
        event_at: chrono::Utc::now(),
        participants: vec!["Elev".into(), "mamma".into()],
        key_persons,
        fields: Default::default(),
        text: "Samtal om närvaron".into(),
    }
}

/// A journal with the fictional pupil's open case and the mentor in the
/// directory: (dir, journal, case, mentor).
fn case_and_mentor() -> (tempfile::TempDir, Journal, Uuid, Uuid) {
    let (dir, mut j) = journal();
    let pupil = pupil(&mut j);
    let case = j.open_case(pupil).expect("case");
    let mentor = j.add_contact(mentor()).expect("mentor");
    (dir, j, case, mentor)
}

fn rename(j: &mut Journal, contact: Uuid, name: &str, role: &str) {
    j.edit_contact(
        contact,
        ContactEdit {
            name: Some(name.into()),
            role: Some(role.into()),
            ..ContactEdit::default()
        },
    )
    .expect("edit");
}

/// A refusal that names a key person this directory does not have.
fn assert_unknown_contact(e: &Error) {
    assert!(
        matches!(
            e,
            Error::NotFound {
                what: "contact",
                ..
            }
        ),
        "{e}"
    );
}

fn shown(j: &Journal, entry: Uuid) -> Vec<KeyPersonView> {
    j.entry(entry).expect("entry").key_persons
}

fn names(views: &[KeyPersonView]) -> Vec<(&str, &str)> {
    views
        .iter()
        .map(|v| (v.name.as_str(), v.role.as_str()))
        .collect()
}

#[test]
fn a_draft_names_its_key_persons_as_the_directory_has_them_now() {
    let (_dir, mut j, case, mentor) = case_and_mentor();
    let entry = j
        .draft_entry(case, meeting(vec![mentor, mentor]))
        .expect("draft");
    let views = shown(&j, entry);
    assert_eq!(names(&views), [("Fiktiv Mentor", "mentor")], "once each");
    assert_eq!(views[0].contact_id, mentor.to_string());
    assert_eq!(views[0].org_kind.as_deref(), Some("school"));
    assert_eq!(views[0].org_name, "Fiktiva skolan");
    let e = j.entry(entry).expect("entry");
    assert_eq!(
        e.participants,
        ["Elev", "mamma"],
        "typed ones stay as typed"
    );
    rename(&mut j, mentor, "Fiktiv Mentorsson", "klassmentor");
    assert_eq!(
        names(&shown(&j, entry)),
        [("Fiktiv Mentorsson", "klassmentor")]
    );
    j.check_replay().expect("replay");
}

#[test]
fn a_signed_entry_keeps_the_words_it_was_signed_with() {
    let (_dir, mut j, case, mentor) = case_and_mentor();
    let entry = j.draft_entry(case, meeting(vec![mentor])).expect("draft");
    rename(&mut j, mentor, "Fiktiv Mentorsson", "klassmentor");
    let before = op_count(&j);
    j.sign_entry(entry).expect("sign");
    assert_eq!(
        op_count(&j),
        before + 2,
        "a version with the words shown, then the signature"
    );
    let signed = j.entry(entry).expect("entry");
    assert_eq!(signed.status, "signed");
    assert_eq!(
        names(&signed.key_persons),
        [("Fiktiv Mentorsson", "klassmentor")]
    );
    rename(&mut j, mentor, "Fiktiv Annan", "rektor");
    assert_eq!(
        names(&shown(&j, entry)),
        [("Fiktiv Mentorsson", "klassmentor")],
        "the signed entry reads as it was signed"
    );
    j.check_replay().expect("replay");
}

#[test]
fn signing_writes_one_operation_when_the_words_stand() {
    let (_dir, mut j, case, mentor) = case_and_mentor();
    let entry = j.draft_entry(case, meeting(vec![mentor])).expect("draft");
    let before = op_count(&j);
    j.sign_entry(entry).expect("sign");
    assert_eq!(op_count(&j), before + 1);
    let plain = j.draft_entry(case, meeting(vec![])).expect("draft");
    let before = op_count(&j);
    j.sign_entry(plain).expect("sign");
    assert_eq!(op_count(&j), before + 1);
    assert!(shown(&j, plain).is_empty());
}

#[test]
fn someone_who_left_is_not_named_anew_but_stays_where_named() {
    let (_dir, mut j, case, mentor) = case_and_mentor();
    let signed = j.draft_entry(case, meeting(vec![mentor])).expect("draft");
    j.sign_entry(signed).expect("sign");
    let draft = j.draft_entry(case, meeting(vec![mentor])).expect("draft");
    j.contact_left_role_on(mentor, NaiveDate::from_ymd_opt(2026, 11, 30).expect("day"))
        .expect("left");

    let before = op_count(&j);
    let e = j
        .draft_entry(case, meeting(vec![mentor]))
        .expect_err("not offered anew");
    assert!(e.to_string().contains("left the role"), "{e}");
    assert_eq!(reason(e), Some(ReasonCode::ContactLeft));
    assert_eq!(op_count(&j), before, "nothing written");

    for entry in [signed, draft] {
        let views = shown(&j, entry);
        assert_eq!(names(&views), [("Fiktiv Mentor", "mentor")]);
        assert_eq!(views[0].left_on.as_deref(), Some("2026-11-30"));
    }
    j.edit_draft(draft, meeting(vec![mentor]))
        .expect("a draft that named them may keep them");
    j.sign_entry(draft).expect("and be signed");
    j.check_replay().expect("replay");
}

#[test]
fn a_key_person_must_be_in_the_directory() {
    let (_dir, mut j, case, _) = case_and_mentor();
    let before = op_count(&j);
    let unknown = Uuid::now_v7();
    let e = j
        .draft_entry(case, meeting(vec![unknown]))
        .expect_err("unknown");
    assert_unknown_contact(&e);
    assert_eq!(op_count(&j), before);
}

#[test]
fn an_edit_replaces_the_key_persons() {
    let (_dir, mut j, case, mentor) = case_and_mentor();
    let kurator = j.add_contact(crate::fixtures::kurator()).expect("kurator");
    let entry = j.draft_entry(case, meeting(vec![mentor])).expect("draft");
    j.edit_draft(entry, meeting(vec![kurator, mentor]))
        .expect("edit");
    assert_eq!(
        names(&shown(&j, entry)),
        [("Fiktiv Kurator", "kurator"), ("Fiktiv Mentor", "mentor")],
        "in the order picked"
    );
    j.edit_draft(entry, meeting(vec![])).expect("edit");
    assert!(shown(&j, entry).is_empty());
}

fn plan_with(j: &mut Journal, case: Uuid, contact_id: Option<Uuid>) -> crate::Result<Uuid> {
    j.create_plan(crate::fixtures::plan(
        case,
        NewAction {
            who: String::new(),
            contact_id,
            what: "Möter eleven vid entrén".into(),
            due_on: None,
        },
    ))
}

#[test]
fn a_plan_action_owner_is_picked_and_shows_as_the_directory_has_them() {
    let (_dir, mut j, case, mentor) = case_and_mentor();
    plan_with(&mut j, case, Some(mentor)).expect("plan");
    let action = |j: &Journal| j.case_detail(case).expect("detail").plans[0].actions[0].clone();
    let a = action(&j);
    assert_eq!(a.who, "Fiktiv Mentor", "the name is written too");
    let owner = a.owner.expect("owner");
    assert_eq!(owner.contact_id, mentor.to_string());
    assert_eq!(
        (owner.name.as_str(), owner.role.as_str()),
        ("Fiktiv Mentor", "mentor")
    );
    rename(&mut j, mentor, "Fiktiv Mentorsson", "klassmentor");
    j.contact_left_role_on(mentor, NaiveDate::from_ymd_opt(2026, 11, 30).expect("day"))
        .expect("left");
    let a = action(&j);
    assert_eq!(a.who, "Fiktiv Mentor");
    let owner = a.owner.expect("owner");
    assert_eq!(owner.name, "Fiktiv Mentorsson");
    assert_eq!(owner.left_on.as_deref(), Some("2026-11-30"));
    j.check_replay().expect("replay");

    let before = op_count(&j);
    let e = plan_with(&mut j, case, Some(mentor)).expect_err("left");
    assert_eq!(reason(e), Some(ReasonCode::ContactLeft));
    let e = plan_with(&mut j, case, Some(Uuid::now_v7())).expect_err("unknown");
    assert_unknown_contact(&e);
    assert_eq!(op_count(&j), before);
}

#[test]
fn a_typed_owner_has_no_key_person() {
    let (_dir, mut j) = journal();
    let (case, _) = crate::fixtures::planned_case(&mut j);
    let detail = j.case_detail(case).expect("detail");
    let a = &detail.plans[0].actions[0];
    assert_eq!(a.who, "Familjebehandlare");
    assert_eq!(a.owner, None);
}

#[test]
fn a_draft_names_the_words_another_laptop_wrote_when_the_person_is_not_here() {
    let (_dir, mut j, case, _) = case_and_mentor();
    let entry_id = Uuid::now_v7();
    let elsewhere = Uuid::now_v7();
    crate::fixtures::replayed_from_elsewhere(
        &j,
        Payload::EntryDrafted {
            entry_id,
            case_id: case,
            content: EntryContent {
                kind: EntryKind::Note,
                event_at: chrono::Utc::now(),
                participants: vec![],
                key_persons: vec![KeyPersonRef {
                    contact_id: elsewhere,
                    name: "Fiktiv Sköterska".into(),
                    role: "skolsköterska".into(),
                    org_name: "Fiktiva skolan".into(),
                }],
                fields: Default::default(),
                text: "Fiktiv".into(),
            },
        },
    );
    let views = shown(&j, entry_id);
    assert_eq!(names(&views), [("Fiktiv Sköterska", "skolsköterska")]);
    assert_eq!(
        views[0].org_kind, None,
        "not in this laptop's directory yet"
    );
    let _ = j.list_entries(case).expect("the timeline reads it too");
    j.sign_entry(entry_id).expect("signed as written");
}

#[test]
fn a_label_names_the_role_and_the_organisation_there_are() {
    let view = |role: &str, org_name: &str| KeyPersonView {
        contact_id: Uuid::nil().to_string(),
        name: "Fiktiv Mentor".into(),
        role: role.into(),
        org_name: org_name.into(),
        org_kind: None,
        left_on: None,
    };
    assert_eq!(
        view("mentor", "Fiktiva skolan").label(),
        "Fiktiv Mentor (mentor, Fiktiva skolan)"
    );
    assert_eq!(view("mentor", "").label(), "Fiktiv Mentor (mentor)");
    assert_eq!(view("", "").label(), "Fiktiv Mentor");
}

/// A revision of the plan `plan_with` wrote: its action, renamed, with
/// `contact_id` as its owner.
fn revision(j: &Journal, plan: Uuid, contact_id: Option<Uuid>) -> crate::PlanRevision {
    let detail = j
        .case_detail(j.case_of_plan(&plan).expect("case"))
        .expect("detail");
    let p = &detail.plans[0];
    crate::PlanRevision {
        plan_id: plan,
        needs: p.needs.clone(),
        goals: p.goals.clone(),
        lead_party: p.lead_party.clone(),
        follow_up_on: p.follow_up_on.parse().expect("date"),
        actions: vec![crate::RevisedAction {
            id: Some(p.actions[0].id.parse().expect("uuid")),
            action: NewAction {
                who: String::new(),
                contact_id,
                what: "Möter eleven vid entrén kl. 8".into(),
                due_on: None,
            },
        }],
    }
}

#[test]
fn a_revision_names_its_owners_by_the_same_rules_as_a_new_plan() {
    let (_dir, mut j, case, mentor) = case_and_mentor();
    let plan = plan_with(&mut j, case, Some(mentor)).expect("plan");
    let kurator = j
        .add_contact(NewContact {
            role: "kurator".into(),
            name: "Fiktiv Kurator".into(),
            ..self::mentor()
        })
        .expect("kurator");
    j.contact_left_role_on(kurator, NaiveDate::from_ymd_opt(2026, 11, 30).expect("day"))
        .expect("left");
    let before = op_count(&j);
    let e = j
        .revise_plan(revision(&j, plan, Some(kurator)))
        .expect_err("left");
    assert_eq!(reason(e), Some(ReasonCode::ContactLeft));
    let e = j
        .revise_plan(revision(&j, plan, Some(Uuid::now_v7())))
        .expect_err("unknown");
    assert_unknown_contact(&e);
    assert_eq!(op_count(&j), before, "a refusal writes nothing");

    // The owner the action has already may stay after leaving the role,
    // and is written with the directory's name now.
    rename(&mut j, mentor, "Fiktiv Mentorsson", "mentor");
    j.contact_left_role_on(mentor, NaiveDate::from_ymd_opt(2026, 12, 1).expect("day"))
        .expect("left");
    j.revise_plan(revision(&j, plan, Some(mentor)))
        .expect("kept owner");
    let a = &j.case_detail(case).expect("detail").plans[0].actions[0];
    assert_eq!(a.who, "Fiktiv Mentorsson");
    assert_eq!(
        a.owner.as_ref().map(|o| o.contact_id.clone()),
        Some(mentor.to_string())
    );
    j.check_replay().expect("replay");
}
