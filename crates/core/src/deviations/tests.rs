use super::*;
use crate::fixtures::{audited, journal, op_count, planned_case, reason, replayed_from_elsewhere};
use crate::{NewPupil, Personnummer};
use chrono::NaiveDate;

fn late_bup(case_id: Uuid) -> NewDeviation {
    NewDeviation {
        case_id,
        action_id: None,
        partner: "bup".into(),
        category: "late-contact".into(),
        text: " BUP ringde först efter tre veckor. ".into(),
    }
}

fn only(j: &Journal, case: Uuid) -> DeviationView {
    let mut list = j.list_deviations(case).expect("list");
    assert_eq!(list.len(), 1, "{list:?}");
    list.remove(0)
}

#[test]
fn a_deviation_is_recorded_open_against_the_case_and_its_action() {
    let (_dir, mut j) = journal();
    let (case, action) = planned_case(&mut j);
    let id = j
        .add_deviation(NewDeviation {
            action_id: Some(action),
            category: "action-not-done".into(),
            partner: "school".into(),
            ..late_bup(case)
        })
        .expect("add");
    let d = only(&j, case);
    assert_eq!(d.id, id.to_string());
    assert_eq!(
        (d.partner.as_str(), d.category.as_str()),
        ("school", "action-not-done")
    );
    assert_eq!(d.text, "BUP ringde först efter tre veckor.");
    assert_eq!(d.action_id, Some(action.to_string()));
    assert_eq!(d.action_what.as_deref(), Some("Möter eleven vid entrén"));
    assert_eq!(d.status, "open");
    assert_eq!(d.noted_on, crate::clock::today().to_string());
    assert_eq!(d.recorded_by, "Fiktiv Handläggare");
    j.check_replay().expect("replay");
}

#[test]
fn every_refusal_says_which_rule_and_writes_nothing() {
    let (_dir, mut j) = journal();
    let (case, _) = planned_case(&mut j);
    let before = op_count(&j);
    let refused = [
        (
            NewDeviation {
                partner: "church".into(),
                ..late_bup(case)
            },
            Some(ReasonCode::ContactOrgUnknown),
        ),
        (
            NewDeviation {
                category: "rudeness".into(),
                ..late_bup(case)
            },
            Some(ReasonCode::DeviationCategoryUnknown),
        ),
        (
            NewDeviation {
                text: "  ".into(),
                ..late_bup(case)
            },
            Some(ReasonCode::TextEmpty),
        ),
        (
            NewDeviation {
                action_id: Some(Uuid::now_v7()),
                ..late_bup(case)
            },
            None,
        ),
        (late_bup(Uuid::now_v7()), None),
    ];
    for (new, code) in refused {
        let e = j.add_deviation(new).expect_err("refused");
        assert_eq!(reason(e), code);
    }
    assert_eq!(op_count(&j), before, "nothing was written");
}

#[test]
fn an_action_of_another_case_is_refused() {
    let (_dir, mut j) = journal();
    let (_, action) = planned_case(&mut j);
    let other = j
        .add_pupil(NewPupil {
            name: "Fiktiv Annan".into(),
            personnummer: Personnummer::fictional(
                NaiveDate::from_ymd_opt(2012, 3, 1).expect("date"),
                11,
            )
            .as_str()
            .into(),
            school: "Fiktiva skolan".into(),
            grade: 8,
            protected_identity: false,
        })
        .expect("pupil");
    let other_case = j.open_case(other).expect("case");
    let e = j
        .add_deviation(NewDeviation {
            action_id: Some(action),
            ..late_bup(other_case)
        })
        .expect_err("refused");
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
}

#[test]
fn a_closed_case_takes_no_new_deviation() {
    let (_dir, mut j) = journal();
    let (case, _) = planned_case(&mut j);
    j.close_case(case).expect("close");
    let e = j.add_deviation(late_bup(case)).expect_err("refused");
    assert_eq!(reason(e), Some(ReasonCode::CaseClosed));
}

#[test]
fn the_status_goes_from_open_to_raised_to_mended_and_never_to_itself() {
    let (_dir, mut j) = journal();
    let (case, _) = planned_case(&mut j);
    let id = j.add_deviation(late_bup(case)).expect("add");
    let e = j
        .set_deviation_status(id, "open")
        .expect_err("already open");
    assert_eq!(reason(e), Some(ReasonCode::DeviationStatusSame));
    let e = j
        .set_deviation_status(id, "solved")
        .expect_err("no such status");
    assert_eq!(reason(e), Some(ReasonCode::DeviationStatusUnknown));
    j.set_deviation_status(id, "raised").expect("raised");
    assert_eq!(only(&j, case).status, "raised");
    j.set_deviation_status(id, "mended").expect("mended");
    assert_eq!(only(&j, case).status, "mended");
    let e = j
        .set_deviation_status(Uuid::now_v7(), "mended")
        .expect_err("unknown");
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    let ops = j.operations().expect("ops");
    let named: Vec<_> = ops
        .iter()
        .filter_map(|o| match &o.op.payload {
            Payload::DeviationStatusSet { replaces, .. } => Some(*replaces),
            _ => None,
        })
        .collect();
    assert_eq!(named.len(), 2);
    assert_eq!(named[0], None, "the first change replaces no stored value");
    assert!(named[1].is_some(), "the second names the first");
    j.check_replay().expect("replay");
}

#[test]
fn a_status_set_at_once_on_another_laptop_wins_by_the_order_and_the_loser_is_kept() {
    let (_dir, mut j) = journal();
    let (case, _) = planned_case(&mut j);
    let id = j.add_deviation(late_bup(case)).expect("add");
    j.set_deviation_status(id, "raised").expect("raised here");
    replayed_from_elsewhere(
        &j,
        Payload::DeviationStatusSet {
            deviation_id: id,
            status: DeviationStatus::Mended,
            replaces: None,
        },
    );
    let d = only(&j, case);
    assert_eq!(d.status, "mended", "the later in the order wins");
    assert_eq!(d.conflicts.len(), 1, "{d:?}");
    assert_eq!(d.conflicts[0].lost_value, "raised");
    assert_eq!(d.conflicts[0].object_type, OBJECT);
    let lost = d.conflicts[0].lost_op_id.parse().expect("id");
    j.resolve_conflict(lost, crate::Keep::Lost)
        .expect("this laptop's status is chosen");
    let d = only(&j, case);
    assert!(d.conflicts.is_empty());
    assert_eq!(d.status, "raised");
}

#[test]
fn changes_and_reads_are_audited_with_the_pupil() {
    let (_dir, mut j) = journal();
    let (case, _) = planned_case(&mut j);
    let id = j.add_deviation(late_bup(case)).expect("add");
    j.set_deviation_status(id, "raised").expect("raised");
    only(&j, case);
    let rows = audited(&j, OBJECT);
    let actions: Vec<_> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["create", "update", "list"]);
    assert!(rows.iter().all(|r| r.pupil_id.is_some()));
    assert_eq!(rows[0].detail, "bup late-contact");
}
