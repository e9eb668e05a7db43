use super::*;
use crate::fixtures::{journal, op_count, planned_case, reason};
use crate::{AuditFilter, ConsentForm, EntryKind, NewConsent, NewEntry};
use chrono::NaiveDate;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// A consent of the case to share with BUP, valid until `until`.
fn consent(j: &mut Journal, case_id: Uuid, until: Option<NaiveDate>) -> Uuid {
    j.record_consent(NewConsent {
        case_id,
        guardian_id: None,
        scope: "Skolgång och mående".into(),
        recipient: "BUP Fiktiva".into(),
        purpose: "Samordnad vård".into(),
        form: ConsentForm::Written,
        given_on: day(2025, 1, 10),
        valid_until: until,
    })
    .expect("consent")
}

fn shared(case_id: Uuid, ground: DisclosureGround) -> NewDisclosure {
    NewDisclosure {
        case_id,
        recipient: "Elevhälsan".into(),
        what: " Muntligt om frånvaron vid samverkansmöte ".into(),
        ground,
    }
}

fn named(ground: &str) -> DisclosureGround {
    DisclosureGround::Other {
        ground: ground.into(),
    }
}

#[test]
fn a_disclosure_under_an_active_consent_is_in_the_register_with_its_scope() {
    let (_dir, mut j) = journal();
    let (case, _) = planned_case(&mut j);
    let c = consent(&mut j, case, None);
    let id = j
        .record_disclosure(NewDisclosure {
            recipient: "  ".into(),
            ..shared(case, DisclosureGround::Consent { consent_id: c })
        })
        .expect("recorded");
    let register = j.list_disclosures(case).expect("register");
    assert_eq!(register.len(), 1);
    let d = &register[0];
    assert_eq!(d.id, id.to_string());
    assert_eq!(
        d.recipient, "BUP Fiktiva",
        "the consent's recipient when none is named"
    );
    assert_eq!(d.what, "Muntligt om frånvaron vid samverkansmöte");
    assert_eq!(d.consent_id, Some(c.to_string()));
    assert_eq!(d.consent_scope.as_deref(), Some("Skolgång och mående"));
    assert_eq!(d.ground, None);
    assert_eq!(d.disclosed_on, crate::clock::today().to_string());
    j.check_replay().expect("replay");
}

#[test]
fn a_named_ground_stands_in_for_a_consent() {
    let (_dir, mut j) = journal();
    let (case, _) = planned_case(&mut j);
    j.record_disclosure(shared(case, named(" OSL 10 kap. 2 § ")))
        .expect("recorded");
    let d = &j.list_disclosures(case).expect("register")[0];
    assert_eq!(d.ground.as_deref(), Some("OSL 10 kap. 2 §"));
    assert_eq!(
        (d.consent_id.as_ref(), d.recipient.as_str()),
        (None, "Elevhälsan")
    );
}

#[test]
fn sharing_outside_an_active_consent_is_refused_until_the_ground_is_named() {
    let (_dir, mut j) = journal();
    let (case, _) = planned_case(&mut j);
    let withdrawn = consent(&mut j, case, None);
    j.withdraw_consent(withdrawn, day(2025, 2, 1))
        .expect("withdrawn");
    let expired = consent(&mut j, case, Some(day(2025, 6, 30)));
    let before = op_count(&j);
    for c in [withdrawn, expired] {
        let e = j
            .record_disclosure(shared(case, DisclosureGround::Consent { consent_id: c }))
            .expect_err("not active");
        assert_eq!(reason(e), Some(ReasonCode::DisclosureConsentNotActive));
    }
    let e = j
        .record_disclosure(shared(
            case,
            DisclosureGround::Consent {
                consent_id: Uuid::now_v7(),
            },
        ))
        .expect_err("not of this case");
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    for new in [
        shared(case, named("  ")),
        NewDisclosure {
            recipient: " ".into(),
            ..shared(case, named("OSL 10 kap. 2 §"))
        },
        NewDisclosure {
            what: String::new(),
            ..shared(case, named("OSL 10 kap. 2 §"))
        },
    ] {
        let e = j.record_disclosure(new).expect_err("empty");
        assert_eq!(reason(e), Some(ReasonCode::TextEmpty));
    }
    assert_eq!(op_count(&j), before, "nothing was written");
    assert!(j.list_disclosures(case).expect("register").is_empty());
}

#[test]
fn a_journal_export_records_its_disclosure_in_the_same_step_even_for_a_closed_case() {
    let (_dir, mut j) = journal();
    let (case, _) = planned_case(&mut j);
    let e = j
        .draft_entry(
            case,
            NewEntry {
                kind: EntryKind::Note,
                event_at: chrono::Utc::now(),
                participants: vec![],
                key_persons: vec![],
                fields: Default::default(),
                text: "Fiktiv anteckning".into(),
            },
        )
        .expect("draft");
    j.sign_entry(e).expect("sign");
    j.close_case(case).expect("closed");
    let before = op_count(&j);
    let refused = j.export_case_journal_pdf(
        case,
        &[],
        JournalRelease {
            recipient: "Vårdnadshavare".into(),
            ground: named(""),
        },
    );
    assert_eq!(
        reason(refused.expect_err("no ground")),
        Some(ReasonCode::TextEmpty)
    );
    assert_eq!(op_count(&j), before, "no disclosure without a ground");
    let pdf = j
        .export_case_journal_pdf(
            case,
            &[],
            JournalRelease {
                recipient: "Vårdnadshavare".into(),
                ground: named("Begäran om utlämnande, OSL 12 kap. 3 §"),
            },
        )
        .expect("export");
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(op_count(&j), before + 1);
    let d = &j.list_disclosures(case).expect("register")[0];
    assert_eq!(d.recipient, "Vårdnadshavare");
    assert_eq!(d.what, "Journalutdrag (PDF), 1 signerade anteckning");
    let rows = j.audit_list(&AuditFilter::default()).expect("audit");
    let kinds: Vec<_> = rows
        .iter()
        .filter(|r| r.object_type == OBJECT || r.action == "export")
        .map(|r| (r.action.as_str(), r.object_type.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("create", "disclosure"),
            ("export", "case-journal"),
            ("list", "disclosure")
        ]
    );
}
