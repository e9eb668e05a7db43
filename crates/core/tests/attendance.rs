//! Importing weekly absence, its figures and the chart data, through the
//! public API on real SQLCipher journals. All people, numbers and schools
//! here are fictional (see tests/fixtures/attendance/README.md).

use brygga_core::attendance::{
    ColumnMapping, ImportOptions, ImportReport, InterventionKind, Role, Thresholds, TimeUnit,
    WeekStatus,
};
use brygga_core::{AuditFilter, EntryKind, Journal, NewEntry, NewPlan, NewPupil, Passphrase};
use chrono::{NaiveDate, TimeZone, Utc};
use uuid::Uuid;

const NORA: &str = "201204179939";
const LEO: &str = "201210089882";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/attendance/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn new_journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().expect("tempdir");
    let pass = Passphrase::new("fiktivt lösenord 123".to_owned());
    let j = Journal::create(dir.path(), &pass, "Fiktiv Handläggare").expect("create");
    (dir, j)
}

fn add_pupil(j: &mut Journal, name: &str, pnr: &str) -> Uuid {
    j.add_pupil(NewPupil {
        name: name.into(),
        personnummer: pnr.into(),
        school: "Fiktiva skolan".into(),
        grade: 8,
        protected_identity: false,
    })
    .expect("pupil")
}

fn options(source: &str) -> ImportOptions {
    ImportOptions {
        source: source.into(),
        ..ImportOptions::default()
    }
}

fn import(j: &mut Journal, bytes: &[u8], opts: &ImportOptions) -> ImportReport {
    j.import_absence(bytes, opts).expect("the journal works")
}

fn op_count(j: &Journal) -> usize {
    j.operations().expect("ops").len()
}

fn week(y: i32, m: u32, d: u32) -> String {
    NaiveDate::from_ymd_opt(y, m, d).expect("date").to_string()
}

#[test]
fn the_shared_sample_imports_and_replays() {
    let (_dir, mut j) = new_journal();
    let nora = add_pupil(&mut j, "Fiktiv Nora", NORA);
    let leo = add_pupil(&mut j, "Fiktiv Leo", LEO);
    let before = op_count(&j);
    let r = import(
        &mut j,
        &fixture("franvaro-export-exempel.csv"),
        &options("franvaro-export-exempel.csv"),
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.written);
    assert_eq!((r.created, r.updated, r.unchanged), (4, 0, 0));
    assert_eq!(r.encoding, "UTF-8 with BOM");
    assert_eq!(r.separator.as_deref(), Some(","));
    assert_eq!(
        r.notes.len(),
        4,
        "the unquoted names were joined back: {:?}",
        r.notes
    );
    assert_eq!(op_count(&j), before + 4, "one operation per week");
    j.check_replay().expect("the tables replay from the log");

    let f = j.absence_figures(nora).expect("figures");
    assert_eq!(f.weeks.len(), 2);
    assert_eq!(f.weeks[0].week_start, week(2026, 10, 5));
    assert_eq!((f.weeks[0].valid_min, f.weeks[0].invalid_min), (120, 45));
    // (120 + 45) / 1680 = 9.8 %, and the second week had none.
    assert_eq!(f.weeks[0].total_pct, Some(9.8));
    let leo_figures = j.absence_figures(leo).expect("figures");
    // (300 + 90 + 240 + 135) / 3240 = 23.6 % over the last 4 weeks.
    assert_eq!(leo_figures.windows[0].total_pct, Some(23.6));
    assert_eq!(leo_figures.warning.level, 3);
    assert_eq!(leo_figures.warning.threshold_pct, Some(20));
}

#[test]
fn a_reimport_updates_changed_weeks_only_and_audits_old_and_new_figures() {
    let (_dir, mut j) = new_journal();
    let nora = add_pupil(&mut j, "Fiktiv Nora", NORA);
    add_pupil(&mut j, "Fiktiv Leo", LEO);
    let sample = fixture("franvaro-export-exempel.csv");
    import(&mut j, &sample, &options("v1.csv"));
    let ops = op_count(&j);

    let again = import(&mut j, &sample, &options("v1.csv"));
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 4));
    assert_eq!(op_count(&j), ops, "the same figures write nothing");

    let changed = String::from_utf8(sample).expect("utf-8").replace(
        "2026-10-05,2026-10-09,1680,120,45",
        "2026-10-05,2026-10-09,1680,120,60",
    );
    let r = import(&mut j, changed.as_bytes(), &options("v2.csv"));
    assert_eq!(
        (r.created, r.updated, r.unchanged),
        (0, 1, 3),
        "{:?}",
        r.problems
    );
    let updated = r
        .weeks
        .iter()
        .find(|w| w.status == WeekStatus::Updated)
        .expect("one update");
    assert_eq!(updated.previous.map(|p| p.invalid_min), Some(45));
    assert_eq!(updated.figures.invalid_min, 60);
    assert_eq!(op_count(&j), ops + 1);
    let f = j.absence_figures(nora).expect("figures");
    assert_eq!(
        (f.weeks[0].invalid_min, f.weeks[0].source.as_str()),
        (60, "v2.csv")
    );
    j.check_replay().expect("replays");

    let rows = j
        .audit_list(&AuditFilter {
            pupil_id: Some(nora.to_string()),
            ..Default::default()
        })
        .expect("audit");
    let update = rows
        .iter()
        .find(|r| r.object_type == "absence-week" && r.action == "update")
        .expect("an update row");
    assert!(update.detail.contains("invalid 45→60"), "{}", update.detail);
    assert!(update.detail.contains("2026-W41"), "{}", update.detail);
    let all = j.audit_list(&AuditFilter::default()).expect("audit");
    for row in &all {
        for pnr in [NORA, LEO, "120417-9939", "121008-9882"] {
            assert!(
                !row.detail.contains(pnr),
                "a personnummer in the audit log: {row:?}"
            );
        }
    }
    assert!(all
        .iter()
        .any(|r| r.object_type == "absence-import" && r.detail.contains("1 updated")));
}

#[test]
fn windows_1252_semicolons_decimal_commas_and_hours() {
    let (_dir, mut j) = new_journal();
    let nora = add_pupil(&mut j, "Fiktiv Åsa", NORA);
    add_pupil(&mut j, "Fiktiv Örjan", LEO);
    let r = import(
        &mut j,
        &fixture("franvaro-windows-1252-timmar.csv"),
        &options("w.csv"),
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.encoding, "windows-1252");
    assert_eq!(r.separator.as_deref(), Some(";"));
    let valid = r
        .columns
        .iter()
        .find(|c| c.role == Role::Valid)
        .expect("valid column");
    assert_eq!(
        valid.header, "Anmäld frånvaro (tim)",
        "ä and å read from Windows-1252"
    );
    let name_column = r.notes.is_empty() && r.problems.is_empty();
    assert!(name_column, "'Elevens för- och efternamn' is read as text");
    assert_eq!(valid.unit, Some(TimeUnit::Hours));
    let f = j.absence_figures(nora).expect("figures");
    assert_eq!(f.weeks[0].week_start, week(2026, 10, 5));
    assert_eq!(
        (
            f.weeks[0].scheduled_min,
            f.weeks[0].valid_min,
            f.weeks[0].invalid_min
        ),
        (1680, 150, 45)
    );
    assert_eq!(f.weeks[1].invalid_min, 90);
}

#[test]
fn utf8_without_bom_with_week_and_year_columns() {
    let (_dir, mut j) = new_journal();
    let nora = add_pupil(&mut j, "Fiktiv Nora", NORA);
    add_pupil(&mut j, "Fiktiv Leo", LEO);
    let r = import(
        &mut j,
        &fixture("franvaro-utf8-vecka-ar.csv"),
        &options("u.csv"),
    );
    assert!(
        r.problems.is_empty() && r.notes.is_empty(),
        "{:?} {:?}",
        r.problems,
        r.notes
    );
    assert_eq!(r.encoding, "UTF-8");
    let f = j.absence_figures(nora).expect("figures");
    assert_eq!(f.weeks[0].week_start, week(2026, 10, 19));
    assert_eq!((f.weeks[0].valid_min, f.weeks[0].invalid_min), (60, 30));
}

#[test]
fn a_missing_column_is_named_and_nothing_is_written() {
    let (_dir, mut j) = new_journal();
    add_pupil(&mut j, "Fiktiv Nora", NORA);
    let ops = op_count(&j);
    let r = import(
        &mut j,
        "Personnummer;Vecka;Schemalagd tid (min);Giltig frånvaro (min)\n201204179939;2026-W41;1680;0\n".as_bytes(),
        &options("saknas.csv"),
    );
    assert!(!r.written);
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert_eq!(r.problems[0].line, 1);
    assert!(
        r.problems[0]
            .note
            .message
            .contains("invalid absence (ogiltig/oanmäld frånvaro)"),
        "{:?}",
        r.problems
    );
    assert_eq!(op_count(&j), ops);
}

#[test]
fn a_mapping_reads_unknown_headers() {
    let (_dir, mut j) = new_journal();
    let nora = add_pupil(&mut j, "Fiktiv Nora", NORA);
    let file = "Elevens id;Period;Tid;Anm;Oanm\n201204179939;2026-W41;1680;60;0\n";
    let r = import(&mut j, file.as_bytes(), &options("m.csv"));
    assert!(!r.problems.is_empty());
    let mut opts = options("m.csv");
    opts.mapping = ColumnMapping {
        columns: [
            (Role::Personnummer, "Elevens id"),
            (Role::Week, "Period"),
            (Role::Scheduled, "Tid"),
        ]
        .into_iter()
        .map(|(r, h)| (r, h.to_owned()))
        .collect(),
        unit: Some(TimeUnit::Minutes),
    };
    let r = import(&mut j, file.as_bytes(), &opts);
    assert!(
        r.problems.is_empty(),
        "Anm/Oanm are recognised, the rest mapped: {:?}",
        r.problems
    );
    assert_eq!(j.absence_figures(nora).expect("f").weeks[0].valid_min, 60);
}

#[test]
fn an_unknown_pupil_fails_the_import_unless_skipped() {
    let (_dir, mut j) = new_journal();
    let nora = add_pupil(&mut j, "Fiktiv Nora", NORA);
    let ops = op_count(&j);
    let sample = fixture("franvaro-export-exempel.csv");
    let r = import(&mut j, &sample, &options("s.csv"));
    assert!(!r.written);
    let lines: Vec<u64> = r.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![4, 5], "Leo's rows: {:?}", r.problems);
    assert!(
        r.problems[0].note.message.contains("121008-9882"),
        "{:?}",
        r.problems
    );
    assert!(r.problems[0].note.message.contains("--skip-unknown"));
    assert_eq!(op_count(&j), ops, "nothing written");

    let mut skip = options("s.csv");
    skip.skip_unknown = true;
    let r = import(&mut j, &sample, &skip);
    assert!(r.written && r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.created, 2);
    let skipped: Vec<(u64, &str)> = r
        .skipped
        .iter()
        .map(|s| (s.line, s.personnummer.as_str()))
        .collect();
    assert_eq!(skipped, vec![(4, "121008-9882"), (5, "121008-9882")]);
    assert_eq!(j.absence_figures(nora).expect("f").weeks.len(), 2);
}

#[test]
fn a_broken_line_in_the_middle_imports_nothing_and_names_the_line() {
    let (_dir, mut j) = new_journal();
    add_pupil(&mut j, "Fiktiv Nora", NORA);
    add_pupil(&mut j, "Fiktiv Leo", LEO);
    let ops = op_count(&j);
    let file =
        "Personnummer;Vecka;Schemalagd tid (min);Giltig frånvaro (min);Ogiltig frånvaro (min)\n\
                201204179939;2026-W40;1680;0;0\n\
                201204179939;2026-W41;1680;0;0\n\
                201210089882;2026-W41;16x0;0;0\n\
                201210089882;2026-W42;1620;0;0\n";
    let r = import(&mut j, file.as_bytes(), &options("trasig.csv"));
    assert!(!r.written);
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert_eq!(r.problems[0].line, 4);
    assert!(
        r.problems[0]
            .note
            .message
            .contains("'16x0' is not a number"),
        "{:?}",
        r.problems
    );
    assert_eq!(op_count(&j), ops, "all or nothing");
    let refused = j
        .audit_list(&AuditFilter::default())
        .expect("audit")
        .into_iter()
        .find(|r| r.object_type == "absence-import")
        .expect("the attempt is audited");
    assert!(
        refused.detail.starts_with("refused trasig.csv"),
        "{}",
        refused.detail
    );
}

#[test]
fn a_dry_run_reports_like_an_import_and_writes_nothing() {
    let (_dir, mut j) = new_journal();
    let nora = add_pupil(&mut j, "Fiktiv Nora", NORA);
    add_pupil(&mut j, "Fiktiv Leo", LEO);
    let ops = op_count(&j);
    let mut dry = options("s.csv");
    dry.dry_run = true;
    let r = import(&mut j, &fixture("franvaro-export-exempel.csv"), &dry);
    assert!(r.problems.is_empty() && !r.written && r.dry_run);
    assert_eq!(r.created, 4);
    assert_eq!(op_count(&j), ops);
    assert!(j.absence_figures(nora).expect("f").weeks.is_empty());
}

#[test]
fn thresholds_are_configurable_and_move_the_warning() {
    let (_dir, mut j) = new_journal();
    add_pupil(&mut j, "Fiktiv Nora", NORA);
    let leo = add_pupil(&mut j, "Fiktiv Leo", LEO);
    import(
        &mut j,
        &fixture("franvaro-export-exempel.csv"),
        &options("s.csv"),
    );
    assert_eq!(j.absence_thresholds().expect("t"), Thresholds::DEFAULT);
    j.set_absence_thresholds(Thresholds([25, 30, 40]))
        .expect("set");
    assert_eq!(j.absence_thresholds().expect("t"), Thresholds([25, 30, 40]));
    assert_eq!(j.absence_figures(leo).expect("f").warning.level, 0);
    assert!(j.set_absence_thresholds(Thresholds([30, 20, 40])).is_err());
    let audit = j.audit_list(&AuditFilter::default()).expect("audit");
    assert!(audit
        .iter()
        .any(|r| r.object_type == "setting" && r.detail.contains("[25, 30, 40]")));
}

#[test]
fn the_overview_and_the_chart() {
    let (_dir, mut j) = new_journal();
    let nora = add_pupil(&mut j, "Fiktiv Nora", NORA);
    let leo = add_pupil(&mut j, "Fiktiv Leo", LEO);
    import(
        &mut j,
        &fixture("franvaro-export-exempel.csv"),
        &options("s.csv"),
    );
    let overview = j.absence_overview().expect("overview");
    assert_eq!(overview.len(), 2);
    assert_eq!(overview[0].pupil_id, leo.to_string(), "most absence first");
    assert_eq!(overview[1].last4_total_pct, Some(4.9)); // 165 / 3360
    assert_eq!(overview[1].trend_pct_points, None, "no 4 weeks before");

    let case = j.open_case(nora).expect("case");
    let at = Utc
        .with_ymd_and_hms(2026, 10, 7, 9, 0, 0)
        .single()
        .expect("time");
    let entry = j
        .draft_entry(
            case,
            NewEntry {
                kind: EntryKind::HomeVisit,
                event_at: at,
                participants: vec![],
                key_persons: Vec::new(),
                fields: [("place", "hemmet"), ("purpose", "motivation")]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
                text: "Fiktivt hembesök".into(),
            },
        )
        .expect("entry");
    j.sign_entry(entry).expect("sign");
    j.create_plan(NewPlan {
        case_id: case,
        needs: "Fiktiva behov".into(),
        goals: vec!["Närvaro 80 %".into()],
        lead_party: "Skolan".into(),
        follow_up_on: NaiveDate::from_ymd_opt(2026, 12, 14).expect("date"),
        actions: vec![],
    })
    .expect("plan");
    let chart = j.absence_chart(nora).expect("chart");
    assert_eq!(chart.figures.weeks.len(), 2);
    let visit = chart
        .interventions
        .iter()
        .find(|i| i.kind == InterventionKind::Entry)
        .expect("the home visit");
    assert_eq!(
        (visit.entry_kind, visit.signed),
        (Some(EntryKind::HomeVisit), true)
    );
    assert_eq!(visit.date, "2026-10-07");
    assert_eq!(visit.week_start, "2026-10-05");
    let follow_up = chart
        .interventions
        .iter()
        .find(|i| i.kind == InterventionKind::FollowUp)
        .expect("the follow-up");
    assert_eq!(follow_up.date, "2026-12-14");
    assert!(chart
        .interventions
        .iter()
        .any(|i| i.kind == InterventionKind::PlanStart));
    assert!(chart
        .interventions
        .iter()
        .any(|i| i.kind == InterventionKind::CaseOpened));
    // The time axis holds every intervention's week, also the follow-up
    // after the imported weeks, which has no figures (a gap, not 0 %).
    assert!(chart
        .axis
        .windows(2)
        .all(|w| w[0].week_start < w[1].week_start));
    assert!(chart
        .interventions
        .iter()
        .all(|i| chart.axis.iter().any(|w| w.week_start == i.week_start)));
    assert_eq!(chart.axis.iter().filter(|w| w.figures.is_some()).count(), 2);
    let follow_up_week = chart
        .axis
        .iter()
        .find(|w| w.week_start == follow_up.week_start)
        .expect("the follow-up's week");
    assert_eq!(follow_up_week.figures, None);
    let json = serde_json::to_string(&chart).expect("json");
    assert!(
        !json.contains("Fiktivt hembesök"),
        "no entry text on the chart"
    );
}

#[test]
fn the_demo_caseload_gets_fictional_absence_through_the_importer() {
    let (_dir, mut j) = new_journal();
    j.load_demo().expect("demo, with its absence");
    let again = j.load_demo_absence().expect("again");
    assert_eq!((again.created, again.updated), (0, 0), "idempotent");
    let overview = j.absence_overview().expect("overview");
    assert!(!overview.is_empty());
    assert!(overview.iter().all(|o| o.trend_pct_points.is_some()));
    let improving = overview
        .iter()
        .filter(|o| o.trend_pct_points.is_some_and(|t| t < -1.0))
        .count();
    assert!(
        improving > overview.len() / 2,
        "most demo pupils improve: {overview:?}"
    );
    j.check_replay().expect("replays");
}
