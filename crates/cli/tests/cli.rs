//! Runs the real `brygga` binary against a journal in a temporary
//! directory. All data here is fictional.
//!
//! Every command that opens the journal pays for an Argon2id unlock
//! (~0.4 s), so each test keeps its number of invocations small; each test
//! has its own directory, so tests run in parallel.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tempfile::TempDir;
use uuid::Uuid;

const PASS: &str = "fiktiv lösenfras 2025";
const PNR: &str = "20120417-9939";
const PNR_2: &str = "20121008-9882";
const AT: &str = "2025-03-14T08:15:00+01:00";

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

struct Journal {
    _tmp: TempDir,
    dir: PathBuf,
}

impl Journal {
    /// A directory with no journal in it yet.
    fn empty() -> Journal {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("journal");
        Journal { _tmp: tmp, dir }
    }

    /// A freshly initialised journal.
    fn init() -> Journal {
        let j = Journal::empty();
        j.ok(&["init", "--author", "Fiktiv Handläggare"]);
        j
    }

    fn run_with(&self, pass: Option<&str>, extra_env: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_brygga"));
        cmd.arg("--data-dir")
            .arg(&self.dir)
            .args(args)
            .env_remove("BRYGGA_DATA_DIR")
            .env_remove("BRYGGA_PASSPHRASE")
            .env_remove("BRYGGA_NEW_PASSPHRASE")
            .stdin(Stdio::null());
        if let Some(pass) = pass {
            cmd.env("BRYGGA_PASSPHRASE", pass);
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run brygga");
        Output {
            code: out.status.code().expect("exit code, not a signal"),
            stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(Some(PASS), &[], args)
    }

    /// Runs a command that must succeed; gives its stdout, trimmed.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.code, 0, "{args:?} failed: {}", out.stderr);
        out.stdout.trim_end().to_owned()
    }

    /// Runs a command that creates something; gives the id it printed.
    fn create(&self, args: &[&str]) -> String {
        let out = self.ok(args);
        Uuid::parse_str(&out).unwrap_or_else(|_| panic!("{args:?} printed {out:?}, not an id"));
        out
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut with_json = args.to_vec();
        with_json.push("--json");
        serde_json::from_str(&self.ok(&with_json)).expect("valid JSON")
    }

    /// A registered pupil with an open case: (pupil id, case id).
    fn pupil_with_case(&self) -> (String, String) {
        let pupil = self.create(&[
            "pupil",
            "add",
            "--name",
            "Fiktiv Elev",
            "--personnummer",
            PNR,
            "--school",
            "Fiktiva skolan",
            "--grade",
            "8",
        ]);
        let case = self.create(&["case", "open", "--pupil", &pupil]);
        (pupil, case)
    }

    /// A plan of `case` with one action, the mentor meeting the pupil at
    /// the entrance; its id.
    fn plan_with_an_action(&self, case: &str) -> String {
        self.add_plan(case, &["Mentor|Möter eleven vid entrén"])
    }

    /// A plan for `case` with one goal, followed up 2027-01-15, and
    /// `actions` (each `WHO|WHAT[|DATE]`).
    fn add_plan(&self, case: &str, actions: &[&str]) -> String {
        let mut args = vec![
            "plan",
            "add",
            "--case",
            case,
            "--needs",
            "Trygg skolstart",
            "--goal",
            "Närvaro 80 %",
            "--lead",
            "Skolan",
            "--follow-up",
            "2027-01-15",
        ];
        for action in actions {
            args.extend(["--action", action]);
        }
        self.create(&args)
    }

    fn add_note(&self, case: &str, text: &str) -> String {
        self.create(&[
            "entry", "add", "--case", case, "--kind", "note", "--at", AT, "--text", text,
        ])
    }

    /// Runs an aggregate export `args` with `--out F.csv --pdf F.pdf`;
    /// checks the PDF is one and gives the CSV.
    fn aggregate_csv_and_pdf(&self, args: &[&str]) -> String {
        let dir = tempfile::tempdir().expect("out dir");
        let (csv, pdf) = (dir.path().join("a.csv"), dir.path().join("a.pdf"));
        let mut all = args.to_vec();
        all.extend([
            "--out",
            csv.to_str().expect("path"),
            "--pdf",
            pdf.to_str().expect("path"),
        ]);
        self.ok(&all);
        assert!(std::fs::read(pdf).expect("pdf").starts_with(b"%PDF-"));
        std::fs::read_to_string(csv).expect("csv")
    }

    /// Every file under the journal's directory and its bytes.
    fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(dir: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
            for entry in std::fs::read_dir(dir).expect("read dir") {
                let path = entry.expect("dir entry").path();
                if path.is_dir() {
                    walk(&path, into);
                } else {
                    into.insert(path.clone(), std::fs::read(&path).expect("read file"));
                }
            }
        }
        let mut files = BTreeMap::new();
        walk(&self.dir, &mut files);
        files
    }
}

/// Asserts the exit code and that stderr is one line starting "brygga: ".
fn assert_fails(out: &Output, code: i32) -> &str {
    assert_eq!(
        out.code, code,
        "stdout: {} stderr: {}",
        out.stdout, out.stderr
    );
    let err = out.stderr.trim_end();
    assert!(err.starts_with("brygga: "), "{err:?}");
    assert_eq!(err.lines().count(), 1, "not one line: {err:?}");
    assert!(out.stdout.is_empty(), "stdout on failure: {}", out.stdout);
    err
}

#[test]
fn init_twice_is_refused_and_changes_nothing() {
    let j = Journal::init();
    let before = j.snapshot();
    let err = assert_fails(&j.run(&["init"]), 2).to_owned();
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(before, j.snapshot());
}

#[test]
fn pupils_are_added_listed_and_checked() {
    let j = Journal::init();
    let out = j.run(&[
        "pupil",
        "add",
        "--name",
        "Fiktiv Elev",
        "--personnummer",
        "201204179938",
        "--school",
        "Fiktiva skolan",
        "--grade",
        "8",
    ]);
    let err = assert_fails(&out, 2);
    assert!(err.contains("personnummer"), "{err}");
    assert_eq!(j.json(&["pupil", "list"]), serde_json::json!([]));

    let out = j.run(&[
        "pupil",
        "add",
        "--name",
        "Fiktiv Elev",
        "--personnummer",
        PNR,
        "--school",
        "Fiktiva skolan",
        "--grade",
        "8",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{:?}", out.stdout);
    let id = out.stdout.trim_end();
    assert_eq!(out.stdout, format!("{id}\n"));
    Uuid::parse_str(id).expect("a uuid alone on stdout");

    j.create(&[
        "pupil",
        "add",
        "--name",
        "Skyddad Fiktiv",
        "--personnummer",
        PNR_2,
        "--school",
        "Hemliga skolan",
        "--grade",
        "9",
        "--protected",
    ]);
    let list = j.ok(&["pupil", "list"]);
    assert!(
        list.contains("120417-9939") && list.contains("Fiktiva skolan"),
        "{list}"
    );
    assert!(
        list.contains("skyddad") && !list.contains("Hemliga"),
        "{list}"
    );
}

#[test]
fn bad_entry_input_is_refused_and_nothing_is_written() {
    let j = Journal::init();
    let (_, case) = j.pupil_with_case();
    let add = |kind: &str, at: &str, text: &str| {
        j.run(&[
            "entry", "add", "--case", &case, "--kind", kind, "--at", at, "--text", text,
        ])
    };
    let err = assert_fails(&add("visit", AT, "text"), 2).to_owned();
    assert!(err.contains("home-visit"), "{err}");
    let err = assert_fails(&add("note", "2025-03-14 08:15", "text"), 2).to_owned();
    assert!(
        err.contains("RFC 3339") && err.contains("2025-03-14T08:15:00+01:00"),
        "{err}"
    );
    let err = assert_fails(&add("note", AT, "   "), 2).to_owned();
    assert!(err.contains("empty"), "{err}");
    assert_eq!(
        j.json(&["entry", "list", "--case", &case]),
        serde_json::json!([])
    );
}

#[test]
fn signed_entries_never_change_and_drafts_are_not_corrected() {
    let j = Journal::init();
    let (_, case) = j.pupil_with_case();
    let entry = j.add_note(&case, "Samtal med eleven i matsalen.");

    assert_fails(
        &j.run(&["entry", "correct", &entry, "--text", "x", "--reason", "y"]),
        2,
    );
    let err = assert_fails(&j.run(&["case", "close", &case]), 2).to_owned();
    assert!(err.contains("draft"), "{err}");

    j.ok(&["entry", "sign", &entry]);
    let err = assert_fails(&j.run(&["entry", "sign", &entry]), 2).to_owned();
    assert!(err.contains("already signed"), "{err}");

    let before = j.json(&["entry", "show", &entry]);
    let err = assert_fails(
        &j.run(&["entry", "edit", &entry, "--text", "Ändrad text."]),
        2,
    )
    .to_owned();
    assert!(err.contains("correction"), "{err}");
    assert_eq!(before, j.json(&["entry", "show", &entry]));
    assert_eq!(before["text"], "Samtal med eleven i matsalen.");
}

#[test]
fn a_draft_is_edited_keeping_what_is_not_given() {
    let j = Journal::init();
    let (_, case) = j.pupil_with_case();
    let entry = j.create(&[
        "entry",
        "add",
        "--case",
        &case,
        "--kind",
        "home-visit",
        "--at",
        AT,
        "--text",
        "Hembesök hos familjen.",
        "--field",
        "place=hemmet",
        "--field",
        "purpose=motivation",
        "--participant",
        "Fiktiv Förälder",
    ]);
    j.ok(&[
        "entry",
        "edit",
        &entry,
        "--field",
        "agreed=skolstart måndag",
    ]);
    let shown = j.json(&["entry", "show", &entry]);
    assert_eq!(shown["kind"], "home-visit");
    assert_eq!(shown["text"], "Hembesök hos familjen.");
    assert_eq!(
        shown["participants"],
        serde_json::json!(["Fiktiv Förälder"])
    );
    assert_eq!(
        shown["fields"],
        serde_json::json!({"agreed": "skolstart måndag", "place": "hemmet", "purpose": "motivation"})
    );
}

#[test]
fn a_wrong_passphrase_exits_3_and_changes_no_byte() {
    let j = Journal::init();
    let before = j.snapshot();
    let out = j.run_with(Some("fel lösenfras 1234"), &[], &["pupil", "list"]);
    let err = assert_fails(&out, 3);
    assert!(
        err.contains("wrong passphrase") && !err.contains("fel lösenfras"),
        "{err}"
    );
    assert_eq!(before, j.snapshot(), "a file changed");
}

#[test]
fn a_tampered_key_file_exits_5() {
    let j = Journal::init();
    let key_file = j.dir.join("key.json");
    let text = std::fs::read_to_string(&key_file).expect("key file");
    let at = text.find("\"wrapped_key\"").expect("wrapped_key") + "\"wrapped_key\": \"".len();
    let mut bytes = text.into_bytes();
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
    std::fs::write(&key_file, bytes).expect("write key file");
    let err = assert_fails(&j.run(&["pupil", "list"]), 5).to_owned();
    assert!(err.contains("key file"), "{err}");
}

#[test]
fn what_is_missing_exits_4() {
    let none = Journal::empty();
    let err = assert_fails(&none.run(&["pupil", "list"]), 4).to_owned();
    assert!(err.contains("brygga init"), "{err}");
    assert!(!none.dir.exists(), "a missing journal must not be created");

    let j = Journal::init();
    let unknown = Uuid::now_v7().to_string();
    assert_fails(&j.run(&["entry", "show", &unknown]), 4);
}

#[test]
fn no_passphrase_without_a_terminal_exits_2() {
    let j = Journal::init();
    let err = assert_fails(&j.run_with(None, &[], &["pupil", "list"]), 2).to_owned();
    assert!(err.contains("BRYGGA_PASSPHRASE"), "{err}");
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let j = Journal::empty();
    let err = assert_fails(&j.run(&["pupil", "add", "--name", "x"]), 2).to_owned();
    assert!(
        err.contains("--personnummer") && err.contains("brygga pupil add --help"),
        "{err}"
    );
    assert_fails(&j.run(&["no-such-command"]), 2);
    assert_fails(&j.run(&["entry", "show", "not-an-id"]), 2);
    let help = j.run(&["entry", "add", "--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("--text-file"), "{}", help.stdout);
    assert_eq!(j.run(&["--version"]).code, 0);
}

#[test]
fn the_whole_flow_from_pupil_to_verified_audit_log() {
    let j = Journal::init();
    let (pupil, case) = j.pupil_with_case();
    let guardian = j.create(&[
        "guardian",
        "add",
        "--case",
        &case,
        "--name",
        "Fiktiv Förälder",
        "--relation",
        "mamma",
        "--phone",
        "070-000 00 00",
    ]);
    j.create(&[
        "consent",
        "add",
        "--case",
        &case,
        "--guardian",
        &guardian,
        "--scope",
        "närvaro",
        "--recipient",
        "skolan",
        "--purpose",
        "samverkan kring skolgång",
        "--form",
        "oral",
        "--given",
        "2025-03-10",
    ]);
    let entry = j.create(&[
        "entry",
        "add",
        "--case",
        &case,
        "--kind",
        "home-visit",
        "--at",
        AT,
        "--text",
        "Hembesök: eleven visade sin teckningsbok.",
        "--field",
        "place=hemmet",
        "--field",
        "purpose=motivation",
        "--participant",
        "Fiktiv Förälder",
    ]);
    j.ok(&["entry", "sign", &entry]);
    let correction = j.create(&[
        "entry",
        "correct",
        &entry,
        "--text",
        "Besöket skedde på förmiddagen.",
        "--reason",
        "fel tid angiven",
    ]);

    let shown = j.json(&["entry", "show", &entry]);
    assert_eq!(shown["status"], "signed");
    assert_eq!(shown["text"], "Hembesök: eleven visade sin teckningsbok.");
    assert_eq!(shown["corrections"][0]["id"], correction.as_str());
    assert_eq!(
        shown["corrections"][0]["text"],
        "Besöket skedde på förmiddagen."
    );
    assert_eq!(shown["corrections"][0]["reason"], "fel tid angiven");

    let hits = j.json(&["search", "teckningsbok"]);
    assert_eq!(hits[0]["entry_id"], entry.as_str());
    assert_eq!(hits[0]["in_correction"], false);
    let hits = j.json(&["search", "förmiddagen"]);
    assert_eq!(hits[0]["entry_id"], entry.as_str());
    assert_eq!(hits[0]["in_correction"], true);

    let detail = j.json(&["case", "show", &case]);
    assert_eq!(detail["pupil"]["id"], pupil.as_str());
    assert_eq!(detail["guardians"][0]["phone"], "070-000 00 00");
    assert_eq!(detail["consents"][0]["given_by"], "Fiktiv Förälder");
    assert_eq!(detail["case"]["signed"], 1);

    let verified = j.run(&["audit", "verify"]);
    assert_eq!(verified.code, 0, "{}", verified.stderr);
    assert!(verified.stdout.contains("intact"), "{}", verified.stdout);
    let rows = j.json(&["audit", "list", "--pupil", &pupil]);
    let actions: Vec<&str> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    for action in ["create", "sign", "correct", "read"] {
        assert!(
            actions.contains(&action),
            "no {action} row for the pupil: {actions:?}"
        );
    }
}

#[test]
fn passwd_replaces_the_passphrase() {
    let j = Journal::init();
    let new = "ny fiktiv lösenfras 2026";
    let out = j.run_with(Some(PASS), &[("BRYGGA_NEW_PASSPHRASE", new)], &["passwd"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains(new) && !out.stderr.contains(new));
    assert_fails(&j.run(&["pupil", "list"]), 3);
    assert_eq!(j.run_with(Some(new), &[], &["pupil", "list"]).code, 0);
}

/// The shared sample of a school's absence export (fictional pupils whose
/// personnummer are PNR and PNR_2).
fn absence_sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/attendance/franvaro-export-exempel.csv")
}

#[test]
fn attendance_is_imported_all_or_nothing_and_shown() {
    let j = Journal::init();
    let (pupil, _case) = j.pupil_with_case();
    let sample = absence_sample();
    let sample = sample.to_str().expect("utf-8 path");

    // Leo (PNR_2) is not on this device: the import fails, listing him.
    let out = j.run(&["attendance", "import", sample]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.contains("PROBLEM, line 4"), "{}", out.stdout);
    assert!(out.stdout.contains("NOTHING IMPORTED"), "{}", out.stdout);
    assert!(
        out.stderr
            .starts_with("brygga: nothing was imported: 2 problem(s)"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.trim_end().lines().count(), 1);

    let dry = j.ok(&[
        "attendance",
        "import",
        sample,
        "--skip-unknown",
        "--dry-run",
    ]);
    assert!(
        dry.contains("dry run, nothing written: would be 2 new"),
        "{dry}"
    );
    let report = j.json(&["attendance", "import", sample, "--skip-unknown"]);
    assert_eq!(report["written"], true);
    assert_eq!(report["created"], 2);
    assert_eq!(report["skipped"].as_array().expect("skipped").len(), 2);

    let figures = j.json(&["attendance", "show", "--pupil", &pupil]);
    assert_eq!(figures["weeks"].as_array().expect("weeks").len(), 2);
    assert_eq!(figures["weeks"][0]["week"], "2026-W41");
    assert_eq!(figures["windows"][0]["kind"], "last4_weeks");
    assert_eq!(figures["thresholds"], serde_json::json!([10, 15, 20]));
    let text = j.ok(&["attendance", "show", "--pupil", &pupil]);
    assert!(
        text.contains("2026-W41") && text.contains("4 veckor"),
        "{text}"
    );
    let overview = j.json(&["attendance", "overview"]);
    assert_eq!(overview[0]["pupil_id"], pupil.as_str());
}

#[test]
fn attendance_arguments_are_checked_before_the_passphrase() {
    let j = Journal::init();
    let sample = absence_sample();
    let sample = sample.to_str().expect("utf-8 path");
    for args in [
        vec!["attendance", "import", sample, "--map", "weekday=V"],
        vec!["attendance", "import", sample, "--unit", "sekunder"],
        vec!["attendance", "import", "/no/such/file.csv"],
        vec!["attendance", "thresholds", "--set", "20,15,10"],
        vec![
            "export",
            "journal",
            "--case",
            "01950000-0000-7000-8000-000000000000",
            "--out",
            "x.pdf",
            "--leave-out",
            "01950000-0000-7000-8000-000000000001",
        ],
        vec!["export", "esf", "--out", "/no/such/folder/esf.csv"],
        vec!["export", "outcomes"],
    ] {
        let out = j.run_with(None, &[], &args);
        let err = assert_fails(&out, 2);
        assert!(
            !err.contains("passphrase"),
            "{args:?} asked for the passphrase: {err}"
        );
    }
}

#[test]
fn exports_are_written_for_this_user_only_and_audited() {
    let j = Journal::init();
    let (_pupil, case) = j.pupil_with_case();
    let kept = j.add_note(&case, "Fiktiv anteckning som lämnas ut.");
    j.ok(&["entry", "sign", &kept]);
    let left = j.add_note(&case, "Fiktiv anteckning om tredje man.");
    j.ok(&["entry", "sign", &left]);
    let dir = tempfile::tempdir().expect("out dir");
    let pdf = dir.path().join("journal.pdf");
    let pdf = pdf.to_str().expect("utf-8 path");
    let printed = j.ok(&[
        "export",
        "journal",
        "--case",
        &case,
        "--out",
        pdf,
        "--leave-out",
        &left,
        "--reason",
        "Fiktivt skäl",
        "--recipient",
        "Fiktiv Vårdnadshavare",
        "--ground",
        "Begäran om allmän handling",
    ]);
    assert_eq!(printed, pdf);
    let bytes = std::fs::read(pdf).expect("the PDF");
    assert!(bytes.starts_with(b"%PDF-"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(pdf).expect("meta").permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "personal data is readable by its owner only"
        );
    }
    let esf = dir.path().join("esf.csv");
    j.ok(&["export", "esf", "--out", esf.to_str().expect("path")]);
    let esf = std::fs::read_to_string(esf).expect("esf");
    assert!(esf.contains("20120417-9939;"), "{esf}");
    let csv = j.aggregate_csv_and_pdf(&["export", "outcomes"]);
    assert!(
        csv.contains("Antal elever;0;<5"),
        "no plan, one pupil: {csv}"
    );
    let audit = j.json(&["audit", "list"]);
    let exports: Vec<&str> = audit
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["action"] == "export")
        .map(|r| r["object_type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        exports,
        [
            "case-journal",
            "esf-participants",
            "outcome-stats",
            "outcome-stats"
        ]
    );
}

/// The pupil's audit log has a row of each of these object types.
fn audited(j: &Journal, pupil: &str, object_types: &[&str]) {
    let audit = j.json(&["audit", "list", "--pupil", pupil]);
    let types: Vec<&str> = audit
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["object_type"].as_str().expect("type"))
        .collect();
    for t in object_types {
        assert!(types.contains(t), "no audit row for {t}: {types:?}");
    }
}

#[test]
fn a_case_climbs_the_ladder_from_the_command_line() {
    let j = Journal::init();
    let (pupil, case) = j.pupil_with_case();
    let steps = j.json(&["ladder", "steps"]);
    assert_eq!(steps[0]["key"], "home-visits");
    assert_eq!(steps[4]["key"], "full-time-class");
    assert!(j.ok(&["ladder", "steps"]).contains("Calmer unit (Slussen)"));
    let settings = j.json(&["settings", "show"]);
    assert_eq!(settings["ladder_steps"], steps);
    assert_eq!(settings["ladder_steps_from"], "built-in");
    assert_eq!(
        settings["absence_thresholds"],
        serde_json::json!([10, 15, 20])
    );
    assert!(j
        .ok(&["settings", "show"])
        .contains("10 %, 15 %, 20 % (built-in)"));
    j.create(&["ladder", "set", "--case", &case, "--step", "home-visits"]);
    j.create(&[
        "ladder",
        "set",
        "--case",
        &case,
        "--step",
        "transition-apartment",
        "--note",
        "Fiktivt beslut med vårdnadshavarna",
        "--next",
        "calmer-unit",
        "--next-date",
        "2026-12-07",
    ]);
    let ladder = j.json(&["ladder", "show", "--case", &case]);
    assert_eq!(ladder["current"], "transition-apartment");
    assert_eq!(ladder["history"].as_array().expect("history").len(), 2);
    assert_eq!(ladder["history"][1]["decided_by"], "Fiktiv Handläggare");
    assert_eq!(ladder["next"]["step"], "calmer-unit");
    assert_eq!(ladder["next"]["on"], "2026-12-07");
    let text = j.ok(&["ladder", "show", "--case", &case]);
    assert!(text.contains("calmer-unit on 2026-12-07"), "{text}");
    assert!(
        text.contains("Fiktivt beslut med vårdnadshavarna"),
        "{text}"
    );
    audited(&j, &pupil, &["ladder-step", "ladder-next", "ladder"]);
}

#[test]
fn bad_ladder_input_is_refused_before_the_passphrase_and_writes_nothing() {
    let j = Journal::init();
    let (_, case) = j.pupil_with_case();
    let before = j.snapshot();
    for (args, says) in [
        (vec!["--step", "Slussen"], "not a step key"),
        (
            vec!["--step", "home-visits", "--next", "calmer-unit"],
            "--next-date",
        ),
        (
            vec!["--step", "home-visits", "--next-date", "2026-12-07"],
            "--next",
        ),
        (
            vec![
                "--step",
                "home-visits",
                "--next",
                "calmer-unit",
                "--next-date",
                "7/12",
            ],
            "YYYY-MM-DD",
        ),
    ] {
        let mut full = vec!["ladder", "set", "--case", &case];
        full.extend(args);
        let out = j.run_with(None, &[], &full);
        let err = assert_fails(&out, 2);
        assert!(err.contains(says), "{full:?}: {err}");
        assert!(!err.contains("passphrase"), "{full:?}: {err}");
    }
    assert!(j.snapshot() == before, "nothing was written");
    let err = assert_fails(
        &j.run(&["ladder", "set", "--case", &case, "--step", "slussen"]),
        2,
    )
    .to_owned();
    assert!(err.contains("home-visits"), "the steps in force: {err}");
    assert_eq!(
        j.json(&["ladder", "show", "--case", &case])["history"],
        serde_json::json!([])
    );
    j.ok(&["case", "close", &case]);
    let err = assert_fails(
        &j.run(&["ladder", "set", "--case", &case, "--step", "home-visits"]),
        2,
    )
    .to_owned();
    assert!(err.contains("closed"), "{err}");
}

#[test]
fn a_scheduled_action_makes_its_pupil_expected_and_follow_ups_are_listed() {
    let j = Journal::init();
    let (_, case) = j.pupil_with_case();
    j.plan_with_an_action(&case);
    let detail = j.json(&["case", "show", &case]);
    let action = detail["plans"][0]["actions"][0]["id"]
        .as_str()
        .expect("action id")
        .to_owned();
    let before = j.snapshot();
    for (args, says) in [
        (vec!["--days", "mon,fre", "--time", "08:10"], "weekday"),
        (vec!["--days", "mon", "--time", "8.10"], "HH:MM"),
    ] {
        let mut full = vec!["plan", "schedule", "--action", &action];
        full.extend(args);
        let err = assert_fails(&j.run_with(None, &[], &full), 2).to_owned();
        assert!(err.contains(says), "{full:?}: {err}");
    }
    assert!(j.snapshot() == before, "nothing was written");
    j.ok(&[
        "plan", "schedule", "--action", &action, "--days", "mon,wed", "--time", "08:10",
    ]);
    // 7 December 2026 is a Monday, the 8th a Tuesday.
    let monday = j.json(&["checkin", "expected", "--date", "2026-12-07"]);
    assert_eq!(monday[0]["case_id"], case.as_str());
    assert_eq!(monday[0]["time"], "08:10");
    assert_eq!(
        j.json(&["checkin", "expected", "--date", "2026-12-08"]),
        serde_json::json!([])
    );
    assert!(j
        .ok(&["checkin", "expected", "--date", "2026-12-09"])
        .contains("Möter eleven vid entrén"));
    assert_eq!(j.json(&["followup", "list"]), serde_json::json!([]));
    let err = assert_fails(
        &j.run(&["followup", "done", &Uuid::now_v7().to_string()]),
        4,
    )
    .to_owned();
    assert!(err.contains("follow-up"), "{err}");
}

/// A day `days` from today, as the CLI takes it.
fn in_days(days: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(days)).to_string()
}

#[test]
fn a_case_follows_back2school_from_the_command_line() {
    let j = Journal::init();
    let (pupil, case) = j.pupil_with_case();
    let templates = j.json(&["programme", "templates"]);
    assert_eq!(templates[0]["key"], "back2school");
    assert_eq!(templates[0]["sessions"][0]["kind"], "assessment");
    assert_eq!(templates[0]["from"], "built-in");
    let text = j.ok(&["programme", "templates"]);
    assert!(
        text.contains("Back2School") && text.contains("built-in"),
        "{text}"
    );
    let no_journal = Journal::empty().run_with(None, &[], &["programme", "templates"]);
    assert_eq!(no_journal.code, 0, "{}", no_journal.stderr);
    assert!(
        no_journal.stdout.contains("back2school"),
        "the built-in ones, without a passphrase: {}",
        no_journal.stdout
    );
    assert!(j.json(&["programme", "show", "--case", &case]).is_null());
    let return_on = in_days(60);
    j.create(&[
        "programme",
        "start",
        "--case",
        &case,
        "--template",
        "back2school",
        "--return-date",
        &return_on,
    ]);
    let entry = j.create(&[
        "entry",
        "add",
        "--case",
        &case,
        "--kind",
        "note",
        "--at",
        AT,
        "--text",
        "Fiktiv bedömning med elev och föräldrar.",
        "--field",
        "programme_session=0",
    ]);
    j.ok(&["entry", "sign", &entry]);
    let moved = in_days(70);
    j.ok(&["programme", "return", "--case", &case, "--date", &moved]);
    let shown = j.json(&["programme", "show", "--case", &case]);
    assert_eq!(shown["template_key"], "back2school");
    assert_eq!(shown["return_date"], moved.as_str());
    assert_eq!(shown["sessions"].as_array().expect("sessions").len(), 12);
    assert_eq!(shown["sessions"][0]["done"]["entry_id"], entry.as_str());
    assert_eq!(shown["sessions"][0]["done"]["on"], "2025-03-14");
    assert!(shown["sessions"][1]["done"].is_null());
    assert_eq!(shown["next"], 1);
    let text = j.ok(&["programme", "show", "--case", &case]);
    assert!(text.contains(&format!("return date   {moved}")), "{text}");
    assert!(text.contains("school-meeting"), "{text}");
    assert!(text.contains(&entry), "{text}");
    assert!(text.contains("Exposure plan"), "{text}");
    audited(&j, &pupil, &["programme", "programme-return"]);
}

#[test]
fn bad_programme_input_is_refused_and_writes_nothing() {
    let j = Journal::init();
    let (_, case) = j.pupil_with_case();
    let before = j.snapshot();
    let yesterday = in_days(-1);
    for (args, says) in [
        (vec!["start", "--template", "Cool Kids"], "not a key"),
        (
            vec!["start", "--template", "back2school", "--return-date", "1/9"],
            "YYYY-MM-DD",
        ),
        (
            vec![
                "start",
                "--template",
                "back2school",
                "--return-date",
                &yesterday,
            ],
            "in the past",
        ),
        (vec!["return", "--date", &yesterday], "in the past"),
    ] {
        let mut full = vec!["programme", args[0], "--case", &case];
        full.extend(&args[1..]);
        let out = j.run_with(None, &[], &full);
        let err = assert_fails(&out, 2);
        assert!(err.contains(says), "{full:?}: {err}");
        assert!(!err.contains("passphrase"), "{full:?}: {err}");
    }
    assert!(j.snapshot() == before, "nothing was written");
    // Whether a template is in force is the journal's to say: the
    // municipality's templates are kept there.
    let unknown = [
        "programme",
        "start",
        "--case",
        &case,
        "--template",
        "cool-kids",
    ];
    let err = assert_fails(&j.run(&unknown), 2).to_owned();
    assert!(err.contains("back2school"), "the templates in force: {err}");
    assert!(j.json(&["programme", "show", "--case", &case]).is_null());
    let no_programme = [
        "programme",
        "return",
        "--case",
        &case,
        "--date",
        &in_days(5),
    ];
    let err = assert_fails(&j.run(&no_programme), 2).to_owned();
    assert!(err.contains("no programme"), "{err}");
    j.ok(&["case", "close", &case]);
    let start = [
        "programme",
        "start",
        "--case",
        &case,
        "--template",
        "back2school",
    ];
    let err = assert_fails(&j.run(&start), 2).to_owned();
    assert!(err.contains("closed"), "{err}");
}

#[test]
fn the_teams_key_persons_are_added_changed_and_listed() {
    let j = Journal::init();
    let rektor = j.create(&[
        "contacts",
        "add",
        "--org",
        "school",
        "--org-name",
        "Fiktiva skolan",
        "--role",
        "rektor",
        "--name",
        "Fiktiv Rektor",
        "--phone",
        "08-000 00 00",
        "--email",
        "rektor@fiktiva.example.se",
    ]);
    let nurse = j.create(&[
        "contacts",
        "add",
        "--org",
        "student-health",
        "--role",
        "skolsköterska",
        "--name",
        "Fiktiv Sköterska",
    ]);
    j.ok(&[
        "contacts",
        "edit",
        &rektor,
        "--role",
        "biträdande rektor",
        "--phone",
        "",
    ]);
    j.ok(&["contacts", "left-role", &nurse]);

    let current = j.json(&["contacts", "list"]);
    let current = current.as_array().expect("array");
    assert_eq!(current.len(), 1, "{current:?}");
    assert_eq!(current[0]["id"], rektor.as_str());
    assert_eq!(current[0]["org_kind"], "school");
    assert_eq!(current[0]["org_name"], "Fiktiva skolan");
    assert_eq!(current[0]["role"], "biträdande rektor");
    assert!(current[0]["phone"].is_null(), "an empty phone clears it");
    assert_eq!(current[0]["email"], "rektor@fiktiva.example.se");

    let all = j.json(&["contacts", "list", "--all"]);
    assert_eq!(all.as_array().expect("array").len(), 2);
    let schools = j.json(&["contacts", "list", "--all", "--org", "student-health"]);
    assert_eq!(schools[0]["id"], nurse.as_str());
    assert!(schools[0]["left_on"].is_string());

    let text = j.ok(&["contacts", "list", "--all"]);
    assert!(text.starts_with("ID"), "{text}");
    assert!(
        text.contains("Fiktiv Sköterska") && text.contains("Fiktiva skolan"),
        "{text}"
    );
    let audit = j.json(&["audit", "list"]);
    let contact_rows = audit
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["object_type"] == "contact")
        .count();
    assert_eq!(contact_rows, 2 + 2 + 1 + 4, "adds, edits, left, lists");
}

#[test]
fn entries_and_plan_actions_name_key_persons_by_id() {
    let j = Journal::init();
    let (_, case) = j.pupil_with_case();
    let mentor = j.create(&[
        "contacts",
        "add",
        "--org",
        "school",
        "--org-name",
        "Fiktiva skolan",
        "--role",
        "mentor",
        "--name",
        "Fiktiv Mentor",
    ]);
    let entry = j.create(&[
        "entry",
        "add",
        "--case",
        &case,
        "--kind",
        "note",
        "--at",
        AT,
        "--text",
        "Möte om närvaron.",
        "--participant",
        "mamma",
        "--key-person",
        &mentor,
    ]);
    j.ok(&[
        "entry",
        "edit",
        &entry,
        "--text",
        "Möte om närvaron, ändrat.",
    ]);
    let shown = j.json(&["entry", "show", &entry]);
    assert_eq!(shown["participants"], serde_json::json!(["mamma"]));
    assert_eq!(shown["key_persons"][0]["contact_id"], mentor.as_str());
    assert_eq!(shown["key_persons"][0]["name"], "Fiktiv Mentor");
    assert_eq!(shown["key_persons"][0]["role"], "mentor");
    assert_eq!(
        shown["key_persons"].as_array().map(Vec::len),
        Some(1),
        "kept by an edit"
    );
    j.ok(&["entry", "sign", &entry]);
    j.ok(&["contacts", "edit", &mentor, "--name", "Fiktiv Mentorsson"]);
    let text = j.ok(&["entry", "show", &entry]);
    assert!(
        text.contains("Fiktiv Mentor (mentor, Fiktiva skolan)") && !text.contains("Mentorsson"),
        "a signed entry reads as signed: {text}"
    );

    let action = format!("{mentor}|Möter eleven vid entrén|2027-01-10");
    j.add_plan(&case, &[&action, "Familjebehandlare|Ringer hem"]);
    let detail = j.json(&["case", "show", &case]);
    let actions = &detail["plans"][0]["actions"];
    assert_eq!(actions[0]["owner"]["contact_id"], mentor.as_str());
    assert_eq!(actions[0]["owner"]["name"], "Fiktiv Mentorsson");
    assert_eq!(actions[0]["who"], "Fiktiv Mentorsson");
    assert!(actions[1]["owner"].is_null());
    assert_eq!(actions[1]["who"], "Familjebehandlare");

    j.ok(&["contacts", "left-role", &mentor]);
    fn meeting<'a>(case: &'a str, key_person: &'a str) -> [&'a str; 12] {
        [
            "entry",
            "add",
            "--case",
            case,
            "--kind",
            "note",
            "--at",
            AT,
            "--text",
            "Nytt möte.",
            "--key-person",
            key_person,
        ]
    }
    let text = j.ok(&["case", "show", &case]);
    assert!(text.contains("[left the role"), "{text}");
    let out = j.run(&meeting(&case, &mentor));
    let err = assert_fails(&out, 2);
    assert!(err.contains("left the role"), "{err}");
    let unknown = Uuid::now_v7().to_string();
    let out = j.run(&meeting(&case, &unknown));
    assert_fails(&out, 4);
    let out = j.run(&meeting(&case, "mentorn"));
    let err = assert_fails(&out, 2);
    assert!(err.contains("not an id"), "{err}");
}

#[test]
fn bad_key_person_input_is_refused_and_writes_nothing() {
    let j = Journal::init();
    // Checked before the passphrase is asked for.
    for (args, says) in [
        (
            vec!["--org", "church", "--role", "präst", "--name", "Fiktiv"],
            "'church' is not a kind of organisation (kinds: school, student-health, bup",
        ),
        (
            vec![
                "--org",
                "bup",
                "--role",
                "psykolog",
                "--name",
                "Fiktiv",
                "--email",
                "fiktiv.example.se",
            ],
            "is not an e-mail address",
        ),
        (
            vec![
                "--org",
                "police",
                "--role",
                "polis",
                "--name",
                "Fiktiv",
                "--phone",
                "ring växeln",
            ],
            "is not a phone number",
        ),
    ] {
        let mut all = vec!["contacts", "add"];
        all.extend(args);
        let out = j.run_with(None, &[], &all);
        assert_eq!(out.code, 2, "{all:?}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{}", out.stderr);
    }
    // Refused by the journal.
    let out = j.run(&[
        "contacts", "add", "--org", "school", "--role", "mentor", "--name", " ",
    ]);
    assert!(assert_fails(&out, 2).contains("name is empty"));
    let unknown = Uuid::now_v7().to_string();
    let out = j.run(&["contacts", "edit", &unknown, "--role", "mentor"]);
    assert!(assert_fails(&out, 4).contains("not found"));
    let out = j.run(&["contacts", "left-role", &unknown]);
    assert_fails(&out, 4);
    assert!(
        j.json(&["contacts", "list", "--all"])
            .as_array()
            .expect("array")
            .is_empty(),
        "nothing was written"
    );
    let rektor = j.create(&[
        "contacts",
        "add",
        "--org",
        "school",
        "--role",
        "rektor",
        "--name",
        "Fiktiv Rektor",
    ]);
    let out = j.run(&["contacts", "edit", &rektor]);
    assert!(assert_fails(&out, 2).contains("nothing to change"));
    j.ok(&["contacts", "left-role", &rektor]);
    let out = j.run(&["contacts", "left-role", &rektor]);
    assert!(assert_fails(&out, 2).contains("already left the role"));
}

#[test]
fn a_meeting_runs_from_its_agenda_to_signed_minutes_and_a_plan_is_revised() {
    let j = Journal::init();
    let (_, case) = j.pupil_with_case();
    let plan = j.plan_with_an_action(&case);
    let agenda = j.json(&["meeting", "agenda", "--case", &case]);
    let actions = &agenda["plans"][0]["plan"]["actions"];
    assert_eq!(actions.as_array().map(Vec::len), Some(1));
    let action = actions[0]["id"].as_str().expect("action id").to_owned();
    assert_eq!(agenda["followups"], serde_json::json!([]));

    // A new version: the action reworded, one added; the first stays.
    j.ok(&[
        "plan",
        "revise",
        "--plan",
        &plan,
        "--needs",
        "Trygg skolstart och sömn",
        "--change",
        &format!("{action}=Mentor|Möter eleven vid entrén kl. 8"),
        "--action",
        "BUP|Sömnsamtal|2027-01-10",
    ]);
    let versions = j.json(&["plan", "versions", "--plan", &plan]);
    assert_eq!(versions.as_array().map(Vec::len), Some(2));
    assert_eq!(versions[0]["needs"], "Trygg skolstart");
    assert_eq!(versions[0]["actions"][0]["what"], "Möter eleven vid entrén");
    assert_eq!(versions[1]["revises"], 1);
    assert_eq!(versions[1]["actions"][1]["what"], "Sömnsamtal");
    assert!(j
        .ok(&["plan", "versions", "--plan", &plan])
        .contains("2 — revises version 1"));
    let unchanged = assert_fails(&j.run(&["plan", "revise", "--plan", &plan]), 2).to_owned();
    assert!(unchanged.contains("changes nothing"), "{unchanged}");

    // The minutes, signed, with the action's result.
    let text = j._tmp.path().join("protokoll.txt");
    std::fs::write(&text, "Vi gick igenom planen med skolan och BUP.\n").expect("write");
    let text = text.to_str().expect("utf-8 path");
    let result = format!("{action}=Eleven kom in tre morgnar av fem.");
    let minutes = ["meeting", "minutes", "--case", &case, "--text-file", text];
    let before = j.snapshot();
    for (args, says) in [
        (vec!["--result", "nonsense"], "ACTION=TEXT"),
        (vec!["--result", &format!("{action}=")], "ACTION=TEXT"),
        (vec![], "--parties"),
    ] {
        let full = [&minutes[..], &args].concat();
        let err = assert_fails(&j.run_with(None, &[], &full), 2).to_owned();
        assert!(err.contains(says), "{full:?}: {err}");
    }
    assert!(j.snapshot() == before, "nothing was written");
    let foreign = format!("{}=Gjort", Uuid::now_v7());
    let err = assert_fails(
        &j.run(&[&minutes[..], &["--parties", "Skolan", "--result", &foreign]].concat()),
        2,
    )
    .to_owned();
    assert!(err.contains("not an action of this case"), "{err}");
    assert_eq!(
        j.json(&["entry", "list", "--case", &case]),
        serde_json::json!([])
    );

    let kurator = j.create(&[
        "contacts",
        "add",
        "--org",
        "bup",
        "--role",
        "kurator",
        "--name",
        "Fiktiv Kurator",
    ]);
    let entry = j.create(
        &[
            &minutes[..],
            &[
                "--participant",
                "Fiktiv Mentor",
                "--key-person",
                &kurator,
                "--parties",
                "Skolan, BUP",
                "--result",
                &result,
            ],
        ]
        .concat(),
    );
    let shown = j.json(&["entry", "show", &entry]);
    assert_eq!(shown["status"], "signed");
    assert_eq!(shown["kind"], "collaboration-meeting");
    assert_eq!(shown["key_persons"][0]["contact_id"], kurator.as_str());
    assert_eq!(shown["key_persons"][0]["name"], "Fiktiv Kurator");
    assert_eq!(shown["fields"]["parties"], "Skolan, BUP");
    assert_eq!(
        shown["fields"][format!("result:{action}")],
        "Eleven kom in tre morgnar av fem."
    );
    let detail = j.json(&["case", "show", &case]);
    let results = &detail["plans"][0]["actions"][0]["results"];
    assert_eq!(results[0]["entry_id"], entry.as_str());
    assert_eq!(results[0]["result"], "Eleven kom in tre morgnar av fem.");
    assert_eq!(detail["plans"][0]["version"], 2);
    assert!(j
        .ok(&["meeting", "agenda", "--case", &case])
        .contains("Eleven kom in tre morgnar av fem."));
}

#[test]
fn deviations_are_recorded_raised_mended_and_summed_up_without_personal_data() {
    let j = Journal::init();
    let (pupil, case) = j.pupil_with_case();
    let id = j.create(&[
        "deviation",
        "add",
        "--case",
        &case,
        "--partner",
        "bup",
        "--category",
        "late-contact",
        "--text",
        "Fiktiv: BUP hörde av sig efter tre veckor.",
    ]);
    j.ok(&["deviation", "status", &id, "--set", "raised"]);
    let out = j.run(&["deviation", "status", &id, "--set", "raised"]);
    assert!(assert_fails(&out, 2).contains("already raised"));
    let list = j.json(&["deviation", "list", "--case", &case]);
    let d = &list.as_array().expect("array")[0];
    assert_eq!(d["id"], id.as_str());
    assert_eq!(d["partner"], "bup");
    assert_eq!(d["category"], "late-contact");
    assert_eq!(d["status"], "raised");
    let text = j.ok(&["deviation", "list", "--case", &case]);
    assert!(
        text.contains("late-contact") && text.contains("raised"),
        "{text}"
    );
    let summary = j.json(&["deviation", "summary"]);
    let g = &summary["groups"][0];
    assert_eq!(
        (g["partner"].as_str(), g["category"].as_str()),
        (Some("bup"), Some("late-contact"))
    );
    assert_eq!(g["pupils"]["kind"], "suppressed", "one pupil is under five");
    let csv = j.aggregate_csv_and_pdf(&["deviation", "summary"]);
    assert!(csv.contains("BUP;Sen kontakt;<5;<5;<5;<5;<5"), "{csv}");
    assert!(!csv.contains("Fiktiv"), "{csv}");
    audited(&j, &pupil, &["deviation"]);
}

#[test]
fn bad_deviation_input_is_refused_and_writes_nothing() {
    let j = Journal::init();
    let case = Uuid::now_v7().to_string();
    for (args, says) in [
        (
            vec!["--partner", "church", "--category", "other"],
            "'church' is not a kind of organisation",
        ),
        (
            vec!["--partner", "bup", "--category", "rudeness"],
            "'rudeness' is not a category of deviation (categories: late-contact",
        ),
    ] {
        let mut all = vec!["deviation", "add", "--case", &case, "--text", "Fiktiv"];
        all.extend(args);
        let out = j.run_with(None, &[], &all);
        assert_eq!(out.code, 2, "{all:?}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{}", out.stderr);
    }
    let out = j.run_with(
        None,
        &[],
        &["deviation", "status", &case, "--set", "solved"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("is not a status of a deviation"),
        "{}",
        out.stderr
    );
    let (_pupil, case) = j.pupil_with_case();
    let out = j.run(&[
        "deviation",
        "add",
        "--case",
        &case,
        "--partner",
        "bup",
        "--category",
        "other",
        "--text",
        " ",
    ]);
    assert!(assert_fails(&out, 2).contains("text is empty"));
    let unknown = Uuid::now_v7().to_string();
    let out = j.run(&[
        "deviation",
        "add",
        "--case",
        &case,
        "--partner",
        "bup",
        "--category",
        "other",
        "--text",
        "Fiktiv",
        "--action",
        &unknown,
    ]);
    assert!(assert_fails(&out, 4).contains("not found"));
    let out = j.run(&["deviation", "status", &unknown, "--set", "mended"]);
    assert_fails(&out, 4);
    assert!(j
        .json(&["deviation", "list", "--case", &case])
        .as_array()
        .expect("array")
        .is_empty());
}

#[test]
fn a_journal_export_and_a_meeting_are_in_the_disclosure_register_with_their_ground() {
    let j = Journal::init();
    let (pupil, case) = j.pupil_with_case();
    let kept = j.add_note(&case, "Fiktiv anteckning som lämnas ut.");
    j.ok(&["entry", "sign", &kept]);
    let consent = j.create(&[
        "consent",
        "add",
        "--case",
        &case,
        "--pupil",
        "--scope",
        "Skolgång",
        "--recipient",
        "BUP Fiktiva",
        "--purpose",
        "Samordning",
        "--form",
        "written",
        "--given",
        "2025-01-10",
    ]);
    let dir = tempfile::tempdir().expect("out dir");
    let pdf = dir.path().join("journal.pdf");
    let pdf = pdf.to_str().expect("utf-8 path");
    // A ground is asked for before the passphrase.
    let out = j.run_with(
        None,
        &[],
        &["export", "journal", "--case", &case, "--out", pdf],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("--consent") && out.stderr.contains("--ground"),
        "{}",
        out.stderr
    );
    let out = j.run_with(
        None,
        &[],
        &[
            "export", "journal", "--case", &case, "--out", pdf, "--ground", "OSL",
        ],
    );
    assert_eq!(
        out.code, 2,
        "a named ground needs its recipient: {}",
        out.stderr
    );
    j.ok(&[
        "export",
        "journal",
        "--case",
        &case,
        "--out",
        pdf,
        "--consent",
        &consent,
    ]);
    assert!(std::fs::read(pdf).expect("the PDF").starts_with(b"%PDF-"));
    j.create(&[
        "disclosure",
        "add",
        "--case",
        &case,
        "--recipient",
        "Elevhälsan",
        "--what",
        "Muntligt om frånvaron vid samverkansmöte",
        "--ground",
        "OSL 10 kap. 2 §",
    ]);
    j.ok(&["consent", "withdraw", &consent, "--on", "2025-02-01"]);
    let out = j.run(&[
        "disclosure",
        "add",
        "--case",
        &case,
        "--recipient",
        "BUP",
        "--what",
        "Journalutdrag",
        "--consent",
        &consent,
    ]);
    assert!(
        assert_fails(&out, 2).contains("is not active (withdrawn or expired); name the ground"),
        "{}",
        out.stderr
    );
    let register = j.json(&["disclosure", "list", "--case", &case]);
    let lines = register.as_array().expect("array");
    assert_eq!(lines.len(), 2, "{register}");
    assert_eq!(lines[0]["recipient"], "BUP Fiktiva");
    assert_eq!(lines[0]["consent_id"], consent.as_str());
    assert_eq!(
        lines[0]["what"],
        "Journalutdrag (PDF), 1 signerade anteckning"
    );
    assert_eq!(lines[1]["ground"], "OSL 10 kap. 2 §");
    let text = j.ok(&["disclosure", "list", "--case", &case]);
    assert!(
        text.contains("Elevhälsan") && text.contains("Skolgång"),
        "{text}"
    );
    audited(&j, &pupil, &["disclosure", "case-journal"]);
}
