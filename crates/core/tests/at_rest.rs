//! Nothing a therapist writes is readable at rest.
//!
//! A child process (this test binary run again, see `at_rest_writer_child`)
//! writes fictional pupils and entries that carry a known marker string,
//! signs, corrects and searches them, and then holds the journal open. With
//! its `TMPDIR` and `SQLITE_TMPDIR` pointed at a directory of our own, the
//! parent looks for the marker, the personnummer and the pupils' names
//!
//! - in every file of the data directory (database, WAL, shared memory,
//!   key file, anything else) while the journal is open,
//! - in every file the child holds open (through `/proc/<pid>/fd`, which
//!   also reaches temporary files that are already unlinked),
//! - in every file of the temp directory,
//! - and again in all files after the child has closed the journal;
//!
//! and then checks that the `sqlite3` command-line tool cannot read the
//! database. Running the writer in its own process lets the test set the
//! temp directory without touching this process's environment.
//!
//! All names and personnummer here are fictional test data
//! (Skatteverket's test numbers), not real people.

use brygga_core::{EntryKind, Journal, NewEntry, NewPupil, Passphrase};
use chrono::{TimeZone, Utc};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use uuid::Uuid;

/// Each FTS5 token of it ("markör", "7f3a91c4", "hemligt") is looked for
/// too, since the index stores tokens rather than the whole string. None of
/// them occurs anywhere else in the test text.
const MARKER: &str = "MARKÖR-7f3a91c4-hemligt";
const CORRECTION_MARKER: &str = "RÄTTELSE-MARKÖR-c0ffee42";
const PUPILS: [(&str, &str); 2] = [
    ("Qvintus Ödlingsson", "20120417-9939"),
    ("Zelmira Yxbergh", "20121008-9882"),
];
const PASSPHRASE: &str = "at-rest provlösenfras 2024";
const AUTHOR: &str = "Testbehandlare Fiktiv";
const ENV_DIR: &str = "BRYGGA_AT_REST_DIR";

/// What must never appear in clear, as (description, bytes).
fn needles() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut text = |label: &str, s: &str| {
        out.push((format!("{label} {s:?} (UTF-8)"), s.as_bytes().to_vec()));
        let utf16: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        out.push((format!("{label} {s:?} (UTF-16LE)"), utf16));
    };
    for m in [MARKER, CORRECTION_MARKER] {
        text("marker", m);
        text("marker, lower case", &m.to_lowercase());
    }
    for token in ["markör", "7f3a91c4", "hemligt", "rättelse", "c0ffee42"] {
        text("marker token", token);
    }
    for (name, pnr) in PUPILS {
        let twelve: String = pnr.chars().filter(char::is_ascii_digit).collect();
        text("personnummer (12 digits)", &twelve);
        text("personnummer (10 digits)", &twelve[2..]);
        text(
            "personnummer (as shown)",
            &format!("{}-{}", &twelve[2..8], &twelve[8..]),
        );
        text("pupil name", name);
        for part in name.split(' ') {
            text("pupil name part", part);
        }
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let mut from = 0;
    while let Some(pos) = haystack[from..].iter().position(|&b| b == first) {
        let at = from + pos;
        if haystack[at + 1..].starts_with(rest) {
            return true;
        }
        from = at + 1;
    }
    false
}

/// Every needle found in `bytes`, described with `what`.
fn leaks_in(what: &str, bytes: &[u8], needles: &[(String, Vec<u8>)]) -> Vec<String> {
    needles
        .iter()
        .filter(|(_, n)| find(bytes, n))
        .map(|(label, _)| format!("{what}: {label}"))
        .collect()
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("list a directory") {
            let path = entry.expect("directory entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("stat");
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Scans every file under each of `dirs`; returns the files scanned and
/// the leaks found.
fn scan_dirs(dirs: &[&Path], needles: &[(String, Vec<u8>)]) -> (Vec<String>, Vec<String>) {
    let mut scanned = Vec::new();
    let mut leaks = Vec::new();
    for dir in dirs {
        for file in files_under(dir) {
            // A file can vanish between listing and reading (the WAL at
            // close); what is gone holds nothing.
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            let name = file.display().to_string();
            leaks.extend(leaks_in(&name, &bytes, needles));
            scanned.push(format!("{name} ({} bytes)", bytes.len()));
        }
    }
    (scanned, leaks)
}

/// Scans every regular file `pid` holds open, including unlinked ones.
fn scan_open_files(pid: u32, needles: &[(String, Vec<u8>)]) -> (Vec<String>, Vec<String>) {
    let mut scanned = Vec::new();
    let mut leaks = Vec::new();
    let fd_dir = PathBuf::from(format!("/proc/{pid}/fd"));
    for entry in std::fs::read_dir(&fd_dir).expect("list /proc/<pid>/fd") {
        let fd = entry.expect("fd entry").path();
        let Ok(target) = std::fs::read_link(&fd) else {
            continue;
        };
        let target = target.display().to_string();
        if !target.starts_with('/') || target.starts_with("/dev/") || target.starts_with("/proc/") {
            continue; // pipes, sockets, anon inodes, devices
        }
        let Ok(bytes) = std::fs::read(&fd) else {
            continue;
        };
        let what = format!("open file {target}");
        leaks.extend(leaks_in(&what, &bytes, needles));
        scanned.push(format!("{what} ({} bytes)", bytes.len()));
    }
    (scanned, leaks)
}

fn entry(kind: EntryKind, day: u32, text: String) -> NewEntry {
    let fields: BTreeMap<String, String> = match kind {
        EntryKind::HomeVisit => [("place", "hemmet"), ("purpose", "motiverande samtal")].as_slice(),
        EntryKind::MorningCheckin => [("arrival", "late"), ("time", "08:40")].as_slice(),
        EntryKind::ApartmentSession => [
            ("teacher_present", "yes"),
            ("step", "transition-apartment"),
            ("duration_min", "90"),
        ]
        .as_slice(),
        EntryKind::Consultation => [("staff_role", "mentor")].as_slice(),
        EntryKind::CollaborationMeeting => [("parties", "skola, soc, BUP")].as_slice(),
        EntryKind::PhoneCall => [("with_whom", "vårdnadshavare")].as_slice(),
        EntryKind::Note => [].as_slice(),
    }
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    NewEntry {
        kind,
        event_at: Utc
            .with_ymd_and_hms(2024, 9, day, 8, 15, 0)
            .single()
            .expect("a valid date"),
        participants: vec!["eleven".into(), "vårdnadshavare".into()],
        key_persons: Vec::new(),
        fields,
        text,
    }
}

/// Writes the sensitive data: both pupils with cases, signed entries of
/// every kind with the marker, a correction with its own marker, a draft,
/// and searches that read the FTS pages. Returns how many search hits the
/// marker gave (a sanity check that it really is in the journal).
fn write_sensitive(journal: &mut Journal) -> usize {
    let mut case_ids = Vec::new();
    for (i, (name, pnr)) in PUPILS.iter().enumerate() {
        let pupil = journal
            .add_pupil(NewPupil {
                name: (*name).into(),
                personnummer: (*pnr).into(),
                school: "Fiktiva skolan".into(),
                grade: 8,
                protected_identity: i == 1,
            })
            .expect("add a pupil");
        case_ids.push(journal.open_case(pupil).expect("open a case"));
    }
    let mut first_signed: Option<Uuid> = None;
    for (n, kind) in EntryKind::ALL.iter().cycle().take(40).enumerate() {
        let case = case_ids[n % case_ids.len()];
        // Long enough that the FTS index and the tables span several pages.
        let text = format!(
            "Anteckning {n}: {MARKER}. Eleven berättade om veckan, om skolan och om vägen dit. \
             {}",
            "Samtalet handlade om nästa steg mot klassrummet. ".repeat(8)
        );
        let id = journal
            .draft_entry(case, entry(*kind, 1 + (n as u32 % 28), text))
            .expect("draft an entry");
        journal.sign_entry(id).expect("sign an entry");
        first_signed.get_or_insert(id);
    }
    let first = first_signed.expect("at least one entry");
    journal
        .correct_entry(
            first,
            &format!("Rättat: {CORRECTION_MARKER} och {MARKER}."),
            "fel datum i den första versionen",
        )
        .expect("correct an entry");
    journal
        .draft_entry(
            case_ids[0],
            entry(EntryKind::Note, 2, format!("Utkast, osignerat: {MARKER}")),
        )
        .expect("leave a draft");

    let hits = journal
        .search(MARKER, 100)
        .expect("search for the marker")
        .len();
    assert!(
        !journal
            .search(CORRECTION_MARKER, 10)
            .expect("search the correction")
            .is_empty(),
        "the correction is searchable"
    );
    journal
        .search("klassrummet", 10)
        .expect("search a common word");
    let shown = journal.list_pupils().expect("list pupils");
    assert_eq!(shown.len(), PUPILS.len());
    assert!(journal
        .audit_verify()
        .expect("verify the audit log")
        .is_intact());
    hits
}

/// The writer, run as a child process by `nothing_is_readable_at_rest`.
/// Does nothing unless `BRYGGA_AT_REST_DIR` is set.
#[test]
#[ignore = "child process of nothing_is_readable_at_rest; does nothing when run alone"]
fn at_rest_writer_child() {
    let Some(dir) = std::env::var_os(ENV_DIR) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let pass = Passphrase::new(PASSPHRASE.into());
    // Create, close and unlock again, so an unlock is part of the run and
    // every write below is still in the WAL when the parent looks.
    drop(Journal::create(&dir, &pass, AUTHOR).expect("create the journal"));
    let mut journal = Journal::open(&dir, &pass).expect("unlock the journal");
    let hits = write_sensitive(&mut journal);
    assert!(hits > 0, "the marker is found by search");
    let mut out = std::io::stdout().lock();
    writeln!(out, "\nWRITTEN {hits}").expect("stdout");
    out.flush().expect("flush stdout");
    drop(out);
    // Hold the journal open until the parent has looked at the files.
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).expect("stdin");
    drop(journal);
    let mut out = std::io::stdout().lock();
    writeln!(out, "\nCLOSED").expect("stdout");
    out.flush().expect("flush stdout");
}

/// Reads the child's stdout until a line that contains `word`.
fn wait_for(lines: &mut impl Iterator<Item = std::io::Result<String>>, word: &str) -> String {
    for line in lines.by_ref() {
        let line = line.expect("read the child's stdout");
        if let Some(at) = line.find(word) {
            return line[at..].to_owned();
        }
    }
    panic!("the writer child ended before printing {word}; its stderr is above")
}

fn assert_no_leaks(stage: &str, scanned: &[String], leaks: &[String]) {
    println!("{stage}: scanned\n  {}", scanned.join("\n  "));
    assert!(
        leaks.is_empty(),
        "{stage}: found in clear:\n  {}\nscanned:\n  {}",
        leaks.join("\n  "),
        scanned.join("\n  ")
    );
}

fn assert_not_plain_sqlite(db: &Path) {
    let bytes = std::fs::read(db).expect("read journal.db");
    assert!(
        bytes.len() >= 4096,
        "journal.db has pages ({} bytes)",
        bytes.len()
    );
    assert!(
        !bytes.starts_with(b"SQLite format 3\0"),
        "journal.db starts with the plain SQLite header"
    );
}

fn sqlite3_cannot_read(db: &Path) {
    let output = Command::new("sqlite3")
        .arg(db)
        .arg("SELECT count(*) FROM sqlite_master;")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "could not run the sqlite3 command-line tool ({e}); install it with \
                 `scripts/setup-debian.sh` (Debian package sqlite3) — this test needs it"
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let refused = !output.status.success()
        || stdout.contains("not a database")
        || stderr.contains("not a database");
    assert!(
        refused,
        "sqlite3 read the journal: status {}, stdout {stdout:?}, stderr {stderr:?}",
        output.status
    );
    assert!(
        !stdout
            .trim()
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit()),
        "sqlite3 printed a count: {stdout:?}"
    );
    assert!(
        stderr.contains("not a database"),
        "sqlite3 should say the file is not a database; it said {stderr:?}"
    );
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "finds the open files through /proc/<pid>/fd and runs sqlite3: Linux only (docs/windows.md)"
)]
fn nothing_is_readable_at_rest() {
    let root = tempfile::tempdir().expect("tempdir");
    let data = root.path().join("journal");
    let tmp = root.path().join("tmp");
    std::fs::create_dir(&tmp).expect("create the temp dir");
    let needles = needles();

    let mut child = Command::new(std::env::current_exe().expect("own test binary"))
        .args([
            "--exact",
            "at_rest_writer_child",
            "--nocapture",
            "--include-ignored",
            "--test-threads=1",
        ])
        .env(ENV_DIR, &data)
        .env("TMPDIR", &tmp)
        .env("SQLITE_TMPDIR", &tmp)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the writer child");
    let stdout = child.stdout.take().expect("child stdout");
    let mut lines = BufReader::new(stdout).lines();
    let written = wait_for(&mut lines, "WRITTEN");
    let hits: usize = written
        .trim_start_matches("WRITTEN")
        .trim()
        .parse()
        .expect("hit count");
    assert!(hits >= 40, "the marker was written and found ({hits} hits)");

    // 1. The journal is open: database, WAL and shared memory all exist.
    let wal = data.join("journal.db-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert!(
        wal_len > 0,
        "the WAL exists and holds frames while the journal is open"
    );
    assert!(data.join("key.json").is_file(), "the key file exists");
    let (scanned, leaks) = scan_dirs(&[&data, &tmp], &needles);
    assert_no_leaks("journal open, files on disk", &scanned, &leaks);
    assert!(
        scanned.iter().any(|s| s.contains("journal.db-wal")),
        "the WAL was scanned: {scanned:?}"
    );
    // Linux only: elsewhere there is no /proc/<pid>/fd to look through.
    if Path::new("/proc/self/fd").is_dir() {
        let (open_scanned, open_leaks) = scan_open_files(child.id(), &needles);
        assert_no_leaks(
            "journal open, files the writer holds open",
            &open_scanned,
            &open_leaks,
        );
        assert!(
            open_scanned.iter().any(|s| s.contains("journal.db")),
            "the writer's open database was scanned: {open_scanned:?}"
        );
    }
    assert_not_plain_sqlite(&data.join("journal.db"));

    // 2. The journal is closed.
    let mut stdin = child.stdin.take().expect("child stdin");
    writeln!(stdin, "close").expect("tell the child to close");
    drop(stdin);
    wait_for(&mut lines, "CLOSED");
    let status = child.wait().expect("wait for the child");
    assert!(status.success(), "the writer child failed: {status}");
    let (scanned, leaks) = scan_dirs(&[&data, &tmp], &needles);
    assert_no_leaks("journal closed", &scanned, &leaks);
    assert!(
        scanned.iter().any(|s| s.contains("journal.db ")),
        "the database was scanned: {scanned:?}"
    );
    assert_not_plain_sqlite(&data.join("journal.db"));

    // 3. Plain SQLite cannot read it.
    sqlite3_cannot_read(&data.join("journal.db"));

    // The journal still opens with the passphrase and holds the marker.
    let journal =
        Journal::open(&data, &Passphrase::new(PASSPHRASE.into())).expect("reopen the journal");
    assert_eq!(journal.search(MARKER, 100).expect("search").len(), hits);
}

/// The control: without the SQLCipher key the same writes leave the marker
/// and the personnummer readable in the files, so the scan above would
/// find them if encryption were missing.
#[cfg(feature = "bench-plaintext")]
#[test]
fn the_scan_finds_the_marker_in_a_plaintext_journal() {
    let root = tempfile::tempdir().expect("tempdir");
    let data = root.path().join("plain");
    let mut journal =
        Journal::create_plaintext_for_bench(&data, AUTHOR).expect("plaintext journal");
    write_sensitive(&mut journal);
    let needles = needles();
    let (scanned, leaks) = scan_dirs(&[&data], &needles);
    for must in [
        format!("marker {MARKER:?} (UTF-8)"),
        "personnummer (12 digits) \"201204179939\" (UTF-8)".to_owned(),
        "personnummer (12 digits) \"201210089882\" (UTF-8)".to_owned(),
    ] {
        assert!(
            leaks.iter().any(|l| l.ends_with(&must)),
            "the scan should find {must} in a plaintext journal; found {leaks:?} in {scanned:?}"
        );
    }
    drop(journal);
    let bytes = std::fs::read(data.join("journal.db")).expect("read");
    assert!(bytes.starts_with(b"SQLite format 3\0"));
}
