use super::*;
use crate::fixtures::{journal, kurator, op_count, reason};

fn rektor() -> NewContact {
    NewContact {
        org_kind: "school".into(),
        org_name: " Fiktiva skolan ".into(),
        role: "rektor".into(),
        name: " Fiktiv Rektor ".into(),
        phone: Some("08-000 00 00".into()),
        email: Some("rektor@fiktiva.example.se".into()),
    }
}

fn current(j: &Journal) -> Vec<ContactView> {
    j.list_contacts(&ContactFilter::default()).expect("list")
}

#[test]
fn a_key_person_is_added_with_their_fields_trimmed() {
    let (_dir, mut j) = journal();
    let id = j.add_contact(rektor()).expect("add");
    let list = current(&j);
    assert_eq!(list.len(), 1);
    let c = &list[0];
    assert_eq!(c.id, id.to_string());
    assert_eq!(
        (c.org_kind.as_str(), c.org_name.as_str(), c.role.as_str()),
        ("school", "Fiktiva skolan", "rektor")
    );
    assert_eq!(c.name, "Fiktiv Rektor");
    assert_eq!(c.phone.as_deref(), Some("08-000 00 00"));
    assert_eq!(c.email.as_deref(), Some("rektor@fiktiva.example.se"));
    assert_eq!(c.added_by, "Fiktiv Handläggare");
    assert_eq!(c.left_on, None);
    assert!(c.conflicts.is_empty());
    j.check_replay().expect("replay");
}

#[test]
fn every_refusal_says_which_rule_and_writes_nothing() {
    let (_dir, mut j) = journal();
    let before = op_count(&j);
    let cases: Vec<(NewContact, ReasonCode, &str)> = vec![
        (
            NewContact {
                name: "  ".into(),
                ..rektor()
            },
            ReasonCode::TextEmpty,
            "name is empty",
        ),
        (
            NewContact {
                role: String::new(),
                ..rektor()
            },
            ReasonCode::TextEmpty,
            "role is empty",
        ),
        (
            NewContact {
                org_kind: "church".into(),
                ..rektor()
            },
            ReasonCode::ContactOrgUnknown,
            "'church' is not a kind of organisation",
        ),
        (
            NewContact {
                email: Some("rektor.fiktiva.example.se".into()),
                ..rektor()
            },
            ReasonCode::ContactEmail,
            "is not an e-mail address",
        ),
        (
            NewContact {
                email: Some("rektor@example".into()),
                ..rektor()
            },
            ReasonCode::ContactEmail,
            "is not an e-mail address",
        ),
        (
            NewContact {
                phone: Some("ring växeln".into()),
                ..rektor()
            },
            ReasonCode::ContactPhone,
            "is not a phone number",
        ),
    ];
    for (new, code, message) in cases {
        let e = j.add_contact(new).expect_err("refused");
        assert!(e.to_string().contains(message), "{e}");
        assert_eq!(reason(e), Some(code));
    }
    assert_eq!(op_count(&j), before, "nothing was written");
}

#[test]
fn a_phone_number_is_read_leniently() {
    for phone in ["+46 (0)8-000 00 00", "114 14", "112", "08/000.00.00"] {
        assert_eq!(
            check_field(ContactField::Phone, phone).expect("a number"),
            phone
        );
    }
    for phone in ["11", "08-000 00 00 ank. 12"] {
        assert!(check_field(ContactField::Phone, phone).is_err(), "{phone}");
    }
}

#[test]
fn edits_change_the_fields_given_and_name_what_they_replace() {
    let (_dir, mut j) = journal();
    let id = j.add_contact(rektor()).expect("add");
    j.edit_contact(
        id,
        ContactEdit {
            phone: Some(String::new()),
            email: Some("ny.rektor@fiktiva.example.se".into()),
            role: Some("biträdande rektor".into()),
            ..ContactEdit::default()
        },
    )
    .expect("edit");
    let c = &current(&j)[0];
    assert_eq!(c.phone, None, "an empty phone clears it");
    assert_eq!(c.email.as_deref(), Some("ny.rektor@fiktiva.example.se"));
    assert_eq!(c.role, "biträdande rektor");
    assert_eq!(c.name, "Fiktiv Rektor");
    let changes: Vec<_> = j
        .operations()
        .expect("ops")
        .into_iter()
        .filter_map(|s| match s.op.payload {
            Payload::ContactChanged { replaces, .. } => Some(replaces),
            _ => None,
        })
        .collect();
    assert_eq!(changes.len(), 3);
    assert!(
        changes.iter().all(Option::is_some),
        "each names the value seen"
    );
    j.check_replay().expect("replay");
}

#[test]
fn an_edit_must_change_something_valid_of_someone_here() {
    let (_dir, mut j) = journal();
    let id = j.add_contact(rektor()).expect("add");
    let before = op_count(&j);
    let e = j
        .edit_contact(id, ContactEdit::default())
        .expect_err("nothing");
    assert_eq!(reason(e), Some(ReasonCode::ContactNothingToChange));
    let e = j
        .edit_contact(
            id,
            ContactEdit {
                phone: Some("070-000 00 00".into()),
                name: Some(" ".into()),
                ..ContactEdit::default()
            },
        )
        .expect_err("empty name");
    assert_eq!(reason(e), Some(ReasonCode::TextEmpty), "all or none");
    let e = j
        .edit_contact(
            Uuid::now_v7(),
            ContactEdit {
                role: Some("mentor".into()),
                ..ContactEdit::default()
            },
        )
        .expect_err("unknown");
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
    assert_eq!(op_count(&j), before);
    assert_eq!(current(&j)[0].phone.as_deref(), Some("08-000 00 00"));
}

#[test]
fn someone_who_left_the_role_is_kept_but_not_offered() {
    let (_dir, mut j) = journal();
    let left = j.add_contact(rektor()).expect("add");
    let stays = j.add_contact(kurator()).expect("add");
    let on = NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
    j.contact_left_role_on(left, on).expect("left");
    let ids = |list: Vec<ContactView>| list.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(current(&j)), [stays.to_string()]);
    let all = j
        .list_contacts(&ContactFilter {
            all: true,
            ..ContactFilter::default()
        })
        .expect("all");
    assert_eq!(all.len(), 2);
    let gone = all.iter().find(|c| c.id == left.to_string()).expect("kept");
    assert_eq!(gone.left_on.as_deref(), Some("2026-12-04"));
    let e = j.contact_left_role(left).expect_err("twice");
    assert!(
        e.to_string()
            .contains("already left the role on 2026-12-04"),
        "{e}"
    );
    assert_eq!(reason(e), Some(ReasonCode::ContactAlreadyLeft));
    j.check_replay().expect("replay");
}

#[test]
fn the_list_is_by_organisation_and_filtered_by_kind() {
    let (_dir, mut j) = journal();
    j.add_contact(kurator()).expect("add");
    j.add_contact(rektor()).expect("add");
    j.add_contact(NewContact {
        org_kind: "bup".into(),
        org_name: "BUP Fiktiva".into(),
        role: "psykolog".into(),
        name: "Fiktiv Psykolog".into(),
        ..NewContact::default()
    })
    .expect("add");
    let kinds: Vec<_> = current(&j).into_iter().map(|c| c.org_kind).collect();
    assert_eq!(kinds, ["bup", "school", "student-health"]);
    let schools = j
        .list_contacts(&ContactFilter {
            org_kind: Some(OrgKind::School),
            all: false,
        })
        .expect("schools");
    assert_eq!(schools.len(), 1);
    assert_eq!(schools[0].role, "rektor");
}

#[test]
fn reads_and_changes_are_audited_without_a_pupil() {
    let (_dir, mut j) = journal();
    let id = j.add_contact(rektor()).expect("add");
    j.edit_contact(
        id,
        ContactEdit {
            role: Some("mentor".into()),
            ..ContactEdit::default()
        },
    )
    .expect("edit");
    j.contact_left_role(id).expect("left");
    current(&j);
    let rows = crate::fixtures::audited(&j, OBJECT);
    let actions: Vec<_> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["create", "update", "update", "list"]);
    assert!(rows.iter().all(|r| r.pupil_id.is_none()));
    assert_eq!(rows[1].detail, "role");
}

/// A phone another laptop wrote at the same time, without having seen
/// this one's.
fn phone_set_elsewhere(j: &Journal, contact_id: Uuid, phone: &str) {
    crate::fixtures::replayed_from_elsewhere(
        j,
        Payload::ContactChanged {
            contact_id,
            field: ContactField::Phone,
            value: phone.into(),
            replaces: None,
        },
    );
}

#[test]
fn a_concurrent_edit_is_kept_as_a_conflict_and_can_be_settled() {
    let (_dir, mut j) = journal();
    let id = j.add_contact(rektor()).expect("add");
    j.edit_contact(
        id,
        ContactEdit {
            phone: Some("08-111 11 11".into()),
            ..ContactEdit::default()
        },
    )
    .expect("edit");
    phone_set_elsewhere(&j, id, "08-222 22 22");
    let c = &current(&j)[0];
    assert_eq!(c.phone.as_deref(), Some("08-222 22 22"), "the later wins");
    assert_eq!(c.conflicts.len(), 1, "{c:?}");
    assert_eq!(c.conflicts[0].lost_value, "08-111 11 11");
    let lost = c.conflicts[0].lost_op_id.parse().expect("id");
    j.resolve_conflict(lost, crate::Keep::Lost)
        .expect("this laptop's number is chosen");
    let c = &current(&j)[0];
    assert!(c.conflicts.is_empty());
    assert_eq!(c.phone.as_deref(), Some("08-111 11 11"));
}
