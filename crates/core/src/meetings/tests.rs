use super::*;
use crate::fixtures::{journal, op_count, planned_case, reason, replayed_from_elsewhere};
use crate::{PlanRevision, RevisedAction};
use brygga_protocol::op::{FollowupTask, Payload, PlanAction};
use chrono::NaiveDate;

fn minutes(case_id: Uuid, results: Vec<(Uuid, &str)>) -> NewMinutes {
    NewMinutes {
        case_id,
        event_at: Utc::now(),
        participants: vec!["Fiktiv Mentor".into()],
        key_persons: vec![],
        parties: "Skolan, BUP, familjen".into(),
        text: "Vi gick igenom planen.".into(),
        results: results
            .into_iter()
            .map(|(action_id, result)| MinutesResult {
                action_id,
                result: result.into(),
            })
            .collect(),
    }
}

fn action_of(j: &Journal, case: Uuid, i: usize) -> crate::views::ActionView {
    j.case_detail(case).expect("detail").plans[0].actions[i].clone()
}

fn revision(j: &Journal, case: Uuid) -> PlanRevision {
    let plan = &j.case_detail(case).expect("detail").plans[0];
    PlanRevision {
        plan_id: plan.id.parse().expect("id"),
        needs: plan.needs.clone(),
        goals: plan.goals.clone(),
        lead_party: plan.lead_party.clone(),
        follow_up_on: plan.follow_up_on.parse().expect("date"),
        actions: vec![],
    }
}

fn action(who: &str, what: &str) -> crate::NewAction {
    crate::NewAction {
        contact_id: None,
        who: who.into(),
        what: what.into(),
        due_on: None,
    }
}

fn new_action(what: &str) -> RevisedAction {
    RevisedAction {
        id: None,
        action: action("Mentor", what),
    }
}

#[test]
fn the_agenda_holds_the_open_actions_and_what_is_due() {
    let (_dir, mut j) = journal();
    let (case, action) = planned_case(&mut j);
    let today = clock::today();
    // A second plan, followed up today, with one action done and one not.
    j.create_plan(crate::NewPlan {
        case_id: case,
        needs: "Vila och sömn".into(),
        goals: vec!["Sover före 23".into()],
        lead_party: "BUP".into(),
        follow_up_on: today,
        actions: vec![
            crate::NewAction {
                who: "BUP".into(),
                contact_id: None,
                what: "Sömnsamtal".into(),
                due_on: Some(today),
            },
            crate::NewAction {
                who: "Skolsköterskan".into(),
                contact_id: None,
                what: "Hälsosamtal".into(),
                due_on: None,
            },
        ],
    })
    .expect("second plan");
    let second = j.case_detail(case).expect("detail").plans[1].clone();
    let done: Uuid = second.actions[1].id.parse().expect("id");
    j.set_action_status(done, ActionStatus::Done).expect("done");
    for (task, due_on) in [
        (FollowupTask::CallGuardian, today),
        (
            FollowupTask::BookHomeVisit,
            today.succ_opt().expect("tomorrow"),
        ),
    ] {
        replayed_from_elsewhere(
            &j,
            Payload::FollowupCreated {
                followup_id: Uuid::now_v7(),
                case_id: case,
                task,
                due_on,
                entry_id: None,
            },
        );
    }

    let agenda = j.meeting_agenda(case).expect("agenda");
    assert_eq!(agenda.day, today.to_string());
    let open: Vec<Vec<&str>> = agenda
        .plans
        .iter()
        .map(|p| p.plan.actions.iter().map(|a| a.what.as_str()).collect())
        .collect();
    assert_eq!(
        open,
        vec![vec!["Möter eleven vid entrén"], vec!["Sömnsamtal"]]
    );
    assert_eq!(agenda.plans[0].plan.actions[0].id, action.to_string());
    assert_eq!(
        agenda
            .plans
            .iter()
            .map(|p| p.follow_up_due)
            .collect::<Vec<_>>(),
        vec![false, true]
    );
    let due: Vec<&str> = agenda.followups.iter().map(|f| f.task.as_str()).collect();
    assert_eq!(
        due,
        vec!["call-guardian"],
        "tomorrow's follow-up is not due"
    );
}

#[test]
fn minutes_become_a_signed_entry_and_each_action_shows_its_result() {
    let (_dir, mut j) = journal();
    let (case, action) = planned_case(&mut j);
    let entry_id = j
        .write_minutes(minutes(
            case,
            vec![(action, "Eleven kom in tre morgnar av fem.")],
        ))
        .expect("minutes");
    let entry = j.entry(entry_id).expect("entry");
    assert_eq!(entry.status, "signed");
    assert_eq!(entry.kind, EntryKind::CollaborationMeeting);
    assert_eq!(entry.fields["parties"], "Skolan, BUP, familjen");
    assert_eq!(
        entry.fields[&result_key(&action)],
        "Eleven kom in tre morgnar av fem."
    );
    assert_eq!(entry.participants, vec!["Fiktiv Mentor"]);
    // Drafted and signed, the signature naming the content with the result.
    let ops = j.operations().expect("ops");
    let types: Vec<&str> = ops
        .iter()
        .rev()
        .take(2)
        .map(|o| o.op.payload.type_name())
        .collect();
    assert_eq!(types, vec!["entry-signed", "entry-drafted"]);
    let (Payload::EntryDrafted { content, .. }, Payload::EntrySigned { content_hash, .. }) = (
        &ops[ops.len() - 2].op.payload,
        &ops[ops.len() - 1].op.payload,
    ) else {
        panic!("a draft and its signature");
    };
    assert_eq!(content_hash.as_deref(), Some(content.hash().as_str()));

    let results = action_of(&j, case, 0).results;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].entry_id, entry_id.to_string());
    assert_eq!(results[0].result, "Eleven kom in tre morgnar av fem.");
    assert_eq!(results[0].signed_by, "Fiktiv Handläggare");

    // The next meeting adds its result; the first stays.
    let mut later = minutes(case, vec![(action, "Varje morgon nu.")]);
    later.event_at = Utc::now() + chrono::Duration::days(14);
    j.write_minutes(later).expect("second minutes");
    let results: Vec<String> = action_of(&j, case, 0)
        .results
        .into_iter()
        .map(|r| r.result)
        .collect();
    assert_eq!(
        results,
        vec!["Eleven kom in tre morgnar av fem.", "Varje morgon nu."]
    );
    j.check_replay().expect("replay");
}

#[test]
fn minutes_that_break_a_rule_write_nothing() {
    let (_dir, mut j) = journal();
    let (case, action) = planned_case(&mut j);
    let (other_dir, mut other) = journal();
    let (_, foreign) = planned_case(&mut other);
    drop((other, other_dir));
    let before = op_count(&j);
    let blank_parties = NewMinutes {
        parties: " ".into(),
        ..minutes(case, vec![])
    };
    let cases: Vec<(NewMinutes, ReasonCode)> = vec![
        (
            minutes(case, vec![(foreign, "Gjort")]),
            ReasonCode::MinutesActionUnknown,
        ),
        (
            minutes(case, vec![(action, "Gjort"), (action, "Inte gjort")]),
            ReasonCode::MinutesResultTwice,
        ),
        (blank_parties, ReasonCode::FieldValue),
        (
            NewMinutes {
                text: "".into(),
                ..minutes(case, vec![])
            },
            ReasonCode::TextEmpty,
        ),
    ];
    for (m, code) in cases {
        let e = j.write_minutes(m).expect_err("refused");
        assert_eq!(reason(e), Some(code));
    }
    assert_eq!(op_count(&j), before, "a refusal writes nothing");
    // A blank result is no result: the minutes are written without it.
    let id = j
        .write_minutes(minutes(case, vec![(action, "  ")]))
        .expect("minutes without a result");
    assert!(!j
        .entry(id)
        .expect("entry")
        .fields
        .contains_key(&result_key(&action)));
    assert!(action_of(&j, case, 0).results.is_empty());
    j.close_case(case).expect("close");
    let e = j
        .write_minutes(minutes(case, vec![(action, "Gjort")]))
        .expect_err("closed");
    assert_eq!(reason(e), Some(ReasonCode::CaseClosed));
}

#[test]
fn a_revision_is_a_new_version_and_the_old_one_stays_readable() {
    let (_dir, mut j) = journal();
    let (case, entrance) = planned_case(&mut j);
    j.set_action_status(entrance, ActionStatus::Ongoing)
        .expect("status");
    let mut rev = revision(&j, case);
    let plan_id = rev.plan_id;
    rev.needs = "Trygg skolstart och sömn".into();
    rev.follow_up_on = NaiveDate::from_ymd_opt(2027, 2, 1).expect("date");
    rev.actions = vec![
        RevisedAction {
            id: Some(entrance),
            action: action("Familjebehandlare", "Möter eleven vid entrén kl. 8"),
        },
        new_action("Ringer hem vid frånvaro"),
        RevisedAction {
            id: None,
            action: action(" ", "  "),
        },
    ];
    j.revise_plan(rev).expect("revise");

    let plan = &j.case_detail(case).expect("detail").plans[0];
    assert_eq!((plan.version, plan.concurrent), (2, false));
    assert_eq!(plan.needs, "Trygg skolstart och sömn");
    assert_eq!(plan.follow_up_on, "2027-02-01");
    let actions: Vec<(&str, &str)> = plan
        .actions
        .iter()
        .map(|a| (a.what.as_str(), a.status.as_str()))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("Möter eleven vid entrén kl. 8", "ongoing"),
            ("Ringer hem vid frånvaro", "planned")
        ],
        "the action carried over keeps its status; the blank row is left out"
    );
    let versions = j.plan_versions(plan_id).expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].needs, "Trygg skolstart");
    assert_eq!(versions[0].actions[0].what, "Möter eleven vid entrén");
    assert_eq!(
        (versions[1].revises, versions[1].concurrent),
        (Some(1), false)
    );
    assert_eq!(versions[1].actions.len(), 2);

    // An action the revision leaves out is carried over, not dropped.
    let mut again = revision(&j, case);
    again.lead_party = "BUP".into();
    j.revise_plan(again).expect("third version");
    assert_eq!(
        j.case_detail(case).expect("detail").plans[0].actions.len(),
        2
    );
    assert_eq!(
        j.plan_versions(plan_id).expect("versions")[2].actions.len(),
        2
    );
    j.check_replay().expect("replay");
}

#[test]
fn a_revision_that_changes_nothing_or_names_another_action_is_refused() {
    let (_dir, mut j) = journal();
    let (case, _) = planned_case(&mut j);
    let (other_dir, mut other) = journal();
    let (_, foreign) = planned_case(&mut other);
    drop((other, other_dir));
    let before = op_count(&j);
    let e = j.revise_plan(revision(&j, case)).expect_err("unchanged");
    assert_eq!(reason(e), Some(ReasonCode::PlanRevisionUnchanged));
    let mut rev = revision(&j, case);
    rev.actions = vec![RevisedAction {
        id: Some(foreign),
        ..new_action("Något")
    }];
    let e = j.revise_plan(rev).expect_err("not this plan's action");
    assert_eq!(reason(e), Some(ReasonCode::PlanRevisionActionUnknown));
    let mut rev = revision(&j, case);
    rev.needs = " ".into();
    let e = j.revise_plan(rev).expect_err("needs are required");
    assert_eq!(reason(e), Some(ReasonCode::FormField));
    assert_eq!(op_count(&j), before);
    let e = j
        .revise_plan(PlanRevision {
            plan_id: Uuid::now_v7(),
            ..revision(&j, case)
        })
        .expect_err("no such plan");
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
}

#[test]
fn two_revisions_at_once_are_both_kept_and_lose_no_action() {
    let (_dir, mut j) = journal();
    let (case, action) = planned_case(&mut j);
    let first = j.plan_versions(revision(&j, case).plan_id).expect("v1")[0]
        .op_id
        .clone();
    // Here: a revision that adds an action.
    let mut mine = revision(&j, case);
    let plan_id = mine.plan_id;
    mine.actions = vec![new_action("Ringer hem vid frånvaro")];
    j.revise_plan(mine).expect("mine");
    // Meanwhile another laptop revised version 1 too, adding another.
    let theirs_action = Uuid::now_v7();
    replayed_from_elsewhere(
        &j,
        Payload::PlanRevised {
            plan_id,
            replaces: first.parse().expect("id"),
            needs: "Trygg skolstart, enligt BUP".into(),
            goals: vec!["Närvaro 80 %".into()],
            lead_party: "Skolan".into(),
            follow_up_on: NaiveDate::from_ymd_opt(2027, 1, 15).expect("date"),
            actions: vec![PlanAction {
                action_id: action,
                contact_id: None,
                who: "Familjebehandlare".into(),
                what: "Möter eleven vid entrén".into(),
                due_on: None,
            }],
            new_actions: vec![PlanAction {
                action_id: theirs_action,
                contact_id: None,
                who: "BUP".into(),
                what: "Sömnsamtal".into(),
                due_on: None,
            }],
        },
    );
    let plan = &j.case_detail(case).expect("detail").plans[0];
    assert_eq!((plan.version, plan.concurrent), (3, true));
    assert_eq!(
        plan.needs, "Trygg skolstart, enligt BUP",
        "the later in the order shows"
    );
    let whats: Vec<&str> = plan.actions.iter().map(|a| a.what.as_str()).collect();
    assert_eq!(
        whats.len(),
        3,
        "every action either added is kept: {whats:?}"
    );
    for what in [
        "Möter eleven vid entrén",
        "Ringer hem vid frånvaro",
        "Sömnsamtal",
    ] {
        assert!(whats.contains(&what), "{what} in {whats:?}");
    }
    let versions = j.plan_versions(plan_id).expect("versions");
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.revises, v.concurrent))
            .collect::<Vec<_>>(),
        vec![(None, false), (Some(1), false), (Some(1), true)]
    );
    assert_eq!(
        versions[1].actions[1].what, "Ringer hem vid frånvaro",
        "mine stays readable"
    );
    // A revision that saw both settles it.
    let mut settle = revision(&j, case);
    settle.goals.push("Sover före 23".into());
    j.revise_plan(settle).expect("settle");
    let plan = &j.case_detail(case).expect("detail").plans[0];
    assert_eq!(
        (plan.version, plan.concurrent, plan.actions.len()),
        (4, false, 3)
    );
}
