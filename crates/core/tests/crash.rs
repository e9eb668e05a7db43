//! kill -9 at random moments during a stream of writes.
//!
//! The parent test runs this test binary again as a child
//! (`crash_writer_child`), which unlocks the journal and then drafts and
//! signs entries as fast as it can, printing `SIGNED <id>` only after
//! `sign_entry` has returned. The parent kills it with SIGKILL at a random
//! moment, then unlocks the journal itself and checks that
//!
//! - every entry the child reported signed is there, signed,
//! - every correction the child reported is there,
//! - the audit chain verifies,
//! - the tables are a replay of the signed op log,
//!
//! 200 times (`BRYGGA_STRESS=1`: 1000 times; `BRYGGA_CRASH_ITERATIONS=N`
//! sets any other count), in a fresh journal every ten times, which is
//! also checked as a whole at its end. The parent keeps the journal closed
//! while a child runs. One kill in ten lands at a random moment from the child's
//! start instead, so some land during the unlock itself.
//!
//! The same for reads (`crash_reader_child`): a child searches, reads
//! entries and lists the case's timeline in turn, printing `READ <n>` only
//! after the `n`th read has returned, and after the kill every read it
//! reported has its audit row, in order, and the chain verifies. The audit
//! row of a read is committed without an fsync (ADR 0019); a killed process
//! must lose none of them all the same. 20 kills (`BRYGGA_STRESS=1`: 200).
//!
//! Pupil and personnummer are fictional test data.
#![cfg(unix)]

use brygga_core::{AuditFilter, EntryKind, Journal, NewEntry, NewPupil, Passphrase};
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const ENV_DIR: &str = "BRYGGA_CRASH_DIR";
const ENV_CREATE_DIR: &str = "BRYGGA_CREATE_DIR";
const ENV_CASE: &str = "BRYGGA_CRASH_CASE";
const ENV_PASS: &str = "BRYGGA_PASSPHRASE";
const ENV_ENTRIES: &str = "BRYGGA_CRASH_ENTRIES";
const PASSPHRASE: &str = "krasch-provlösenfras 42";
/// A fresh journal every so many kills. The child signs ~150 entries per
/// run and `check_replay` replays the whole op log, so one journal for all
/// runs would make the checks grow with the square of the run count; ten
/// runs make a journal of ~1500 entries, whose WAL is checkpointed many
/// times over (every ~100 commits), so kills during checkpoints are
/// covered too.
const ITERATIONS_PER_JOURNAL: usize = 10;

fn note(text: String) -> NewEntry {
    NewEntry {
        kind: EntryKind::Note,
        event_at: chrono::Utc::now(),
        participants: vec!["eleven".into()],
        key_persons: Vec::new(),
        fields: BTreeMap::new(),
        text,
    }
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    // A leading newline keeps the word off the line where libtest may
    // already have written "test crash_writer_child ... ".
    writeln!(out, "\n{line}").expect("stdout");
    out.flush().expect("flush stdout");
}

/// The writer, run as a child process by `kill_9_never_loses_a_signed_entry`.
/// Does nothing unless `BRYGGA_CRASH_DIR` is set; never returns when it is.
#[test]
#[ignore = "child process of kill_9_never_loses_a_signed_entry; does nothing when run alone"]
fn crash_writer_child() {
    let Some(dir) = std::env::var_os(ENV_DIR) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let pass = Passphrase::new(std::env::var(ENV_PASS).expect("BRYGGA_PASSPHRASE is set"));
    let case: Uuid = std::env::var(ENV_CASE)
        .expect("BRYGGA_CRASH_CASE is set")
        .parse()
        .expect("a case id");
    let mut journal = Journal::open(&dir, &pass).expect("unlock the journal");
    say("READY");
    let pid = std::process::id();
    for n in 0u64.. {
        let id = journal
            .draft_entry(
                case,
                note(format!(
                    "Anteckning {n} från skrivare {pid}: eleven kom till skolan och stannade hela dagen."
                )),
            )
            .expect("draft an entry");
        journal.sign_entry(id).expect("sign the entry");
        say(&format!("SIGNED {id}"));
        if n % 7 == 3 {
            let correction = journal
                .correct_entry(
                    id,
                    &format!("Rättelse av anteckning {n}."),
                    "fel tid angiven",
                )
                .expect("correct the entry");
            say(&format!("CORRECTED {id} {correction}"));
        }
    }
}

/// The `n`th read of a reader child: a search, an entry, the case's
/// timeline, in turn, so that a kill lands around every kind of read.
enum Read {
    Search,
    Entry(Uuid),
    Timeline,
}

const SEARCHED: &str = "skolan";

impl Read {
    fn nth(n: usize, entries: &[Uuid]) -> Read {
        match n % 3 {
            0 => Read::Search,
            1 => Read::Entry(entries[(n / 3) % entries.len()]),
            _ => Read::Timeline,
        }
    }

    fn run(&self, journal: &Journal, case: Uuid) {
        match self {
            Read::Search => drop(journal.search(SEARCHED, 10).expect("search")),
            Read::Entry(id) => drop(journal.entry(*id).expect("read an entry")),
            Read::Timeline => drop(journal.list_entries(case).expect("list the case")),
        }
    }

    /// The action, object type and object of its audit row.
    fn logged_as(&self, case: Uuid) -> (&'static str, &'static str, Option<String>) {
        match self {
            Read::Search => ("search", "entry", None),
            Read::Entry(id) => ("read", "entry", Some(id.to_string())),
            Read::Timeline => ("read", "case-timeline", Some(case.to_string())),
        }
    }
}

/// The reader, run as a child process by
/// `kill_9_never_loses_the_audit_row_of_a_read`. Does nothing unless
/// `BRYGGA_CRASH_DIR` is set; never returns when it is.
#[test]
#[ignore = "child process of kill_9_never_loses_the_audit_row_of_a_read; does nothing when run alone"]
fn crash_reader_child() {
    let Some(dir) = std::env::var_os(ENV_DIR) else {
        return;
    };
    let pass = Passphrase::new(std::env::var(ENV_PASS).expect("BRYGGA_PASSPHRASE is set"));
    let case: Uuid = std::env::var(ENV_CASE)
        .expect("BRYGGA_CRASH_CASE is set")
        .parse()
        .expect("a case id");
    let entries: Vec<Uuid> = std::env::var(ENV_ENTRIES)
        .expect("BRYGGA_CRASH_ENTRIES is set")
        .split(',')
        .map(|id| id.parse().expect("an entry id"))
        .collect();
    let journal = Journal::open(Path::new(&dir), &pass).expect("unlock the journal");
    say("READY");
    for n in 0usize.. {
        Read::nth(n, &entries).run(&journal, case);
        say(&format!("READ {n}"));
    }
}

/// Creates a journal, run as a child process by
/// `kill_9_during_create_leaves_a_usable_directory`. Does nothing unless
/// `BRYGGA_CREATE_DIR` is set.
#[test]
#[ignore = "child process of kill_9_during_create_leaves_a_usable_directory; does nothing when run alone"]
fn create_child() {
    let Some(dir) = std::env::var_os(ENV_CREATE_DIR) else {
        return;
    };
    let pass = Passphrase::new(std::env::var(ENV_PASS).expect("BRYGGA_PASSPHRASE is set"));
    Journal::create(Path::new(&dir), &pass, "Testbehandlare Fiktiv").expect("create");
    say("CREATED");
    std::thread::sleep(Duration::from_secs(60));
}

/// What one writer child reported before it was killed.
#[derive(Default)]
struct Reported {
    ready: bool,
    signed: Vec<Uuid>,
    corrected: Vec<(Uuid, Uuid)>,
}

impl Reported {
    fn from_lines(killed: Killed) -> Reported {
        let mut reported = Reported {
            ready: killed.ready,
            ..Reported::default()
        };
        for line in &killed.lines {
            parse_line(line, &mut reported);
        }
        reported
    }
}

fn parse_line(line: &str, into: &mut Reported) {
    let uuid = |s: Option<&str>| -> Uuid {
        s.expect("an id after the word")
            .parse()
            .expect("a well-formed id")
    };
    if let Some(at) = line.find("SIGNED ") {
        let mut words = line[at..].split_whitespace().skip(1);
        into.signed.push(uuid(words.next()));
    }
    if let Some(at) = line.find("CORRECTED ") {
        let mut words = line[at..].split_whitespace().skip(1);
        let entry = uuid(words.next());
        into.corrected.push((entry, uuid(words.next())));
    }
}

fn read_iterations() -> usize {
    if std::env::var("BRYGGA_STRESS").is_ok_and(|v| v == "1") {
        200
    } else {
        20
    }
}

fn iterations() -> usize {
    if let Ok(n) = std::env::var("BRYGGA_CRASH_ITERATIONS") {
        return n.parse().expect("BRYGGA_CRASH_ITERATIONS is a number");
    }
    if std::env::var("BRYGGA_STRESS").is_ok_and(|v| v == "1") {
        1000
    } else {
        200
    }
}

fn setup(dir: &Path, pass: &Passphrase) -> Uuid {
    let mut journal = Journal::create(dir, pass, "Testbehandlare Fiktiv").expect("create");
    let pupil = journal
        .add_pupil(NewPupil {
            name: "Elev Fiktivsson".into(),
            personnummer: "20120417-9939".into(),
            school: "Fiktiva skolan".into(),
            grade: 8,
            protected_identity: false,
        })
        .expect("add the pupil");
    journal.open_case(pupil).expect("open the case")
}

/// What a killed child printed, and whether it had said READY.
struct Killed {
    ready: bool,
    lines: Vec<String>,
}

/// Runs the child test `child` on the journal in `dir` and kills it;
/// returns what it printed. `env` is given to the child beside the
/// journal's directory, case and passphrase.
fn run_and_kill(
    child: &str,
    env: &[(&str, String)],
    dir: &Path,
    case: Uuid,
    rng: &mut impl Rng,
    early: bool,
) -> Killed {
    let mut child = Command::new(std::env::current_exe().expect("own test binary"))
        .args([
            "--exact",
            child,
            "--nocapture",
            "--include-ignored",
            "--test-threads=1",
        ])
        .env(ENV_DIR, dir)
        .env(ENV_CASE, case.to_string())
        .env(ENV_PASS, PASSPHRASE)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the child");
    let stdout = child.stdout.take().expect("child stdout");
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut killed = Killed {
        ready: false,
        lines: Vec::new(),
    };
    if early {
        // Anywhere from the start: during process start, the unlock, or
        // the first writes.
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..=900)));
    } else {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !killed.ready {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    killed.ready = line.contains("READY");
                    killed.lines.push(line);
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("the child never became ready ({e}); its stderr is above");
                }
            }
        }
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..=400)));
    }
    // On Unix, Child::kill sends SIGKILL.
    child.kill().expect("SIGKILL the child");
    let status = child.wait().expect("reap the child");
    // Killed, not ended on its own: a child that failed would make the test
    // vacuous. (An early kill can miss only a child that died by itself.)
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "the child ended by itself ({status}) instead of being killed; its stderr is above"
        );
    }
    reader.join().expect("the reader thread");
    for line in rx.try_iter() {
        killed.ready |= line.contains("READY");
        killed.lines.push(line);
    }
    killed
}

/// Checks, once per journal, everything its children ever reported, in one
/// read of the case timeline.
fn final_check(
    dir: &Path,
    pass: &Passphrase,
    case: Uuid,
    signed: &[Uuid],
    corrected: &[(Uuid, Uuid)],
) -> (usize, usize) {
    let journal = Journal::open(dir, pass).expect("open at the end");
    let entries: HashMap<String, (String, Vec<String>)> = journal
        .list_entries(case)
        .expect("list the case's entries")
        .into_iter()
        .map(|e| {
            let corrections = e.corrections.iter().map(|c| c.id.clone()).collect();
            (e.id, (e.status, corrections))
        })
        .collect();
    for id in signed {
        let (status, _) = entries
            .get(&id.to_string())
            .unwrap_or_else(|| panic!("signed entry {id} is lost"));
        assert_eq!(status, "signed", "entry {id}");
    }
    for (entry_id, correction) in corrected {
        assert!(
            entries[&entry_id.to_string()]
                .1
                .contains(&correction.to_string()),
            "correction {correction} of {entry_id} is lost"
        );
    }
    assert!(journal.audit_verify().expect("verify").is_intact());
    journal.check_replay().expect("replay at the end");
    let drafts = entries.values().filter(|(s, _)| s == "draft").count();
    (entries.len(), drafts)
}

#[test]
fn kill_9_never_loses_a_signed_entry() {
    let started = Instant::now();
    let root = tempfile::tempdir().expect("tempdir");
    let pass = Passphrase::new(PASSPHRASE.into());

    let mut rng = seeded_rng("crash test");

    let n = iterations();
    let (mut total_signed, mut total_corrected, mut total_entries, mut total_drafts) = (0, 0, 0, 0);
    let mut child_time = Duration::ZERO;
    let mut check_time = Duration::ZERO;
    let mut journals = 0;
    for first in (0..n).step_by(ITERATIONS_PER_JOURNAL) {
        let dir = root.path().join(format!("journal-{journals}"));
        journals += 1;
        let case = setup(&dir, &pass);
        let mut signed: Vec<Uuid> = Vec::new();
        let mut corrected: Vec<(Uuid, Uuid)> = Vec::new();
        for i in first..n.min(first + ITERATIONS_PER_JOURNAL) {
            let early = i % 10 == 9;
            let t = Instant::now();
            let got = Reported::from_lines(run_and_kill(
                "crash_writer_child",
                &[],
                &dir,
                case,
                &mut rng,
                early,
            ));
            child_time += t.elapsed();
            assert!(early || got.ready, "iteration {i}: the child was ready");

            let t = Instant::now();
            let journal = Journal::open(&dir, &pass).unwrap_or_else(|e| {
                panic!("iteration {i}: the journal does not open after kill -9: {e}")
            });
            for id in &got.signed {
                let entry = journal
                    .entry(*id)
                    .unwrap_or_else(|e| panic!("iteration {i}: signed entry {id} is lost: {e}"));
                assert_eq!(entry.status, "signed", "iteration {i}: entry {id}");
            }
            for (entry_id, correction) in &got.corrected {
                let entry = journal.entry(*entry_id).expect("a corrected entry");
                assert!(
                    entry
                        .corrections
                        .iter()
                        .any(|c| c.id == correction.to_string()),
                    "iteration {i}: correction {correction} of {entry_id} is lost"
                );
            }
            let report = journal.audit_verify().expect("audit verify runs");
            assert!(
                report.is_intact(),
                "iteration {i}: the audit chain is broken: {report:?}"
            );
            journal
                .check_replay()
                .unwrap_or_else(|e| panic!("iteration {i}: tables differ from the op log: {e}"));
            drop(journal);
            check_time += t.elapsed();
            signed.extend(got.signed);
            corrected.extend(got.corrected);
        }
        let (entries, drafts) = final_check(&dir, &pass, case, &signed, &corrected);
        total_signed += signed.len();
        total_corrected += corrected.len();
        total_entries += entries;
        total_drafts += drafts;
    }
    assert!(
        total_signed >= n,
        "the children signed something ({total_signed} entries in {n} runs)"
    );
    println!(
        "kill -9 test: {n} iterations over {journals} journals, {total_signed} signed entries \
         reported and all found signed, {total_corrected} corrections found, {total_entries} \
         entries in all ({total_drafts} drafts left unsigned by kills), {:.1} s (children \
         {:.1} s, checks {:.1} s)",
        started.elapsed().as_secs_f64(),
        child_time.as_secs_f64(),
        check_time.as_secs_f64(),
    );
}

/// The reads a reader child reported as returned, in order.
fn reads_reported(killed: &Killed) -> usize {
    killed
        .lines
        .iter()
        .filter(|line| line.contains("READ "))
        .count()
}

fn seeded_rng(test: &str) -> rand::rngs::StdRng {
    let seed: u64 = std::env::var("BRYGGA_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    println!("{test} seed {seed} (BRYGGA_CRASH_SEED={seed} repeats the delays)");
    rand::rngs::StdRng::seed_from_u64(seed)
}

#[test]
fn kill_9_never_loses_the_audit_row_of_a_read() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("journal");
    let pass = Passphrase::new(PASSPHRASE.into());
    let mut rng = seeded_rng("read crash test");
    let case = setup(&dir, &pass);
    let mut journal = Journal::open(&dir, &pass).expect("unlock");
    let entries: Vec<Uuid> = (0..3)
        .map(|n| {
            let id = journal
                .draft_entry(
                    case,
                    note(format!("Anteckning {n}: eleven kom till skolan.")),
                )
                .expect("draft");
            journal.sign_entry(id).expect("sign");
            id
        })
        .collect();
    let ids = entries
        .iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut total = 0;
    for i in 0..read_iterations() {
        // The child's unlock is the next row, its reads the ones after.
        let before = journal.audit_verify().expect("verify").rows;
        drop(journal);
        let killed = run_and_kill(
            "crash_reader_child",
            &[(ENV_ENTRIES, ids.clone())],
            &dir,
            case,
            &mut rng,
            false,
        );
        assert!(killed.ready, "iteration {i}: the child was ready");
        let reads = reads_reported(&killed);
        journal = Journal::open(&dir, &pass)
            .unwrap_or_else(|e| panic!("iteration {i}: the journal does not open: {e}"));
        let report = journal.audit_verify().expect("audit verify runs");
        assert!(
            report.is_intact(),
            "iteration {i}: the audit chain is broken: {report:?}"
        );
        let rows = journal
            .audit_list(&AuditFilter::default())
            .expect("list the log");
        let after_unlock = usize::try_from(before).expect("a count") + 1;
        assert_eq!(rows[after_unlock - 1].action, "unlock", "iteration {i}");
        for n in 0..reads {
            let row = rows.get(after_unlock + n).unwrap_or_else(|| {
                panic!("iteration {i}: the audit row of read {n} (of {reads} reported) is lost")
            });
            let (action, object_type, object_id) = Read::nth(n, &entries).logged_as(case);
            assert_eq!(
                (
                    row.action.as_str(),
                    row.object_type.as_str(),
                    &row.object_id
                ),
                (action, object_type, &object_id),
                "iteration {i}: row {} is not read {n}",
                row.seq
            );
        }
        total += reads;
    }
    assert!(
        total >= read_iterations(),
        "the children read something ({total} reads in {} runs)",
        read_iterations()
    );
    println!(
        "kill -9 during reads: {} kills, {total} reads reported, every one logged",
        read_iterations()
    );
}

/// A kill during `Journal::create` leaves a directory that either opens or
/// can be created again: never one that does neither. The parent kills the
/// child as soon as the key file appears, and then a little later each
/// round, so the kill lands in turn during the key file, the schema
/// migration, the device key, the first audit row and the rename of the
/// finished database into place.
#[test]
fn kill_9_during_create_leaves_a_usable_directory() {
    let root = tempfile::tempdir().expect("tempdir");
    let pass = Passphrase::new(PASSPHRASE.into());
    let mut outcomes = Vec::new();
    let mut stuck = Vec::new();
    for (round, delay_us) in [
        0u64, 0, 200, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000,
    ]
    .into_iter()
    .enumerate()
    {
        let dir = root.path().join(format!("create-{round}"));
        let mut child = Command::new(std::env::current_exe().expect("own test binary"))
            .args([
                "--exact",
                "create_child",
                "--nocapture",
                "--include-ignored",
            ])
            .env(ENV_CREATE_DIR, &dir)
            .env(ENV_PASS, PASSPHRASE)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the create child");
        let key_file = dir.join("key.json");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !key_file.exists() {
            assert!(Instant::now() < deadline, "key.json never appeared");
            std::thread::sleep(Duration::from_micros(50));
        }
        std::thread::sleep(Duration::from_micros(delay_us));
        child.kill().expect("SIGKILL the child");
        child.wait().expect("reap the child");
        let outcome = match Journal::open(&dir, &pass) {
            Ok(journal) => {
                assert!(journal.audit_verify().expect("verify").is_intact());
                journal.check_replay().expect("replay");
                "opens".to_owned()
            }
            Err(open_err) => match Journal::create(&dir, &pass, "Testbehandlare Fiktiv") {
                Ok(_) => format!("created again (open said: {open_err})"),
                Err(create_err) => {
                    stuck.push(format!(
                        "round {round}, kill {delay_us} µs after key.json appeared: open says \
                         \"{open_err}\", create says \"{create_err}\""
                    ));
                    "STUCK".to_owned()
                }
            },
        };
        outcomes.push(format!("{delay_us} µs: {outcome}"));
    }
    println!("kill -9 during create: {}", outcomes.join("; "));
    assert!(
        stuck.is_empty(),
        "a kill during create left directories that neither open nor can be created again:\n  {}",
        stuck.join("\n  ")
    );
}
