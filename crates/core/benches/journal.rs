//! Benchmarks of the journal core (issue 2, "Must show"):
//!
//! - `sign_entry`: signing one fresh draft in an encrypted journal of
//!   ~1000 entries (the draft is written outside the timing);
//! - `search_100k`: full-text search over 100,000 signed entries;
//! - `overhead/encrypted` vs `overhead/plaintext`: the same workload (200
//!   draft+sign and 50 searches over a 10,000-entry journal) with and
//!   without the SQLCipher key, so the ratio can be read off;
//! - `unlock/open`: `Journal::open` (Argon2id + SQLCipher open);
//! - `search_vs_fts5`: p50/p95 of the journal's search (encrypted, with its
//!   audit row) beside the same queries on a plain, unencrypted FTS5 table
//!   holding the same texts, call by call, with the load average.
//!
//! After criterion, a plain measurement times single calls and prints the
//! p50/p95 figures criterion does not (sign, search, the overhead ratio,
//! unlock) in a table.
//!
//! Run: `cargo bench -p brygga-core --features bench-plaintext`.
//! `cargo bench ... -- --test` (and `cargo test --benches`) runs everything
//! once on small journals. A name filter (`-- unlock`) builds only what the
//! chosen benchmarks need; the percentile table runs when the filter is
//! absent or matches "percentiles". `BRYGGA_BENCH_CORPUS=DIR` keeps the
//! 100 000-entry search corpus in DIR and opens it again in later runs
//! (`-- search_vs_fts5` then takes seconds, not many minutes).
//!
//! All text is generated from word lists with a seeded RNG; every name and
//! personnummer is fictional.

use brygga_core::{EntryKind, Journal, NewEntry, NewPupil, Passphrase, Personnummer};
use chrono::{Duration as Days, TimeZone, Utc};
use criterion::{Criterion, SamplingMode};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use uuid::Uuid;

const PASSPHRASE: &str = "benchmark-lösenfras 2024";
const AUTHOR: &str = "Benchmark Behandlare";
const SEARCH_LIMIT: u32 = 50;
/// Words searched for, from very common to rare, a prefix and two words.
const QUERIES: &[&str] = &[
    "frånvaron",
    "bussen",
    "ångest",
    "kompisarna matsalen",
    "fotbollsträningen",
    "sömn",
];

// ---------------------------------------------------------------------
// Fictional, realistic Swedish journal text.

const SUBJECTS: &[&str] = &[
    "Eleven",
    "Mamma",
    "Pappa",
    "Mentorn",
    "Skolsköterskan",
    "Läraren",
    "Kuratorn",
    "Rektorn",
    "Vårdnadshavaren",
    "Specialpedagogen",
    "Bonuspappa",
    "Mormor",
    "Storasyster",
    "Familjebehandlaren",
];
const VERBS: &[&str] = &[
    "berättade om",
    "pratade om",
    "beskrev",
    "oroade sig för",
    "tog upp",
    "föreslog en förändring kring",
    "kom överens om",
    "ville prata om",
    "planerade",
    "följde upp",
    "återkom kring",
    "var positiv till",
    "tyckte det var jobbigt med",
];
const OBJECTS: &[&str] = &[
    "frånvaron",
    "morgonrutinerna",
    "skolvägen",
    "matsalen",
    "idrottslektionerna",
    "ångesten inför provet",
    "sömnen",
    "kompisarna",
    "schemat",
    "nästa steg i planen",
    "mötet med BUP",
    "läxorna",
    "mobilen på kvällarna",
    "bussen till skolan",
    "tiden i lägenheten",
    "att gå in i klassrummet",
    "rasterna",
    "lunchen",
    "mattelektionen",
    "samverkansplanen",
    "hembesöket",
    "den ogiltiga frånvaron",
    "stödet från mentorn",
    "att vakna i tid",
];
const WHEN: &[&str] = &[
    "i morse",
    "under veckan",
    "efter lunch",
    "på måndagen",
    "sedan förra mötet",
    "inför lovet",
    "den senaste månaden",
    "vid hembesöket",
    "i lägenheten",
    "på telefon",
    "i entrén",
];
const OUTCOMES: &[&str] = &[
    "och det gick bättre än väntat",
    "men det var svårt att komma igång",
    "och eleven stannade hela dagen",
    "men eleven gick hem efter andra lektionen",
    "och vi bestämde en ny tid",
    "och mamma var med hela tiden",
    "och läraren mötte upp vid dörren",
    "men eleven ville inte prata så länge",
    "och vi skrev ner målen tillsammans",
];
const RARE: &[&str] = &[
    "fotbollsträningen",
    "simhallen",
    "kören",
    "praon",
    "skolbalen",
];

fn sentence(rng: &mut StdRng) -> String {
    let pick = |rng: &mut StdRng, list: &[&'static str]| -> &'static str {
        list.choose(rng).copied().unwrap_or_default()
    };
    let mut s = format!(
        "{} {} {} {}",
        pick(rng, SUBJECTS),
        pick(rng, VERBS),
        pick(rng, OBJECTS),
        pick(rng, WHEN)
    );
    if rng.gen_bool(0.5) {
        s.push(' ');
        s.push_str(pick(rng, OUTCOMES));
    }
    if rng.gen_ratio(1, 150) {
        s.push_str(" och nämnde ");
        s.push_str(pick(rng, RARE));
    }
    s.push('.');
    s
}

fn entry_text(rng: &mut StdRng) -> String {
    let n = rng.gen_range(3..=9);
    (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ")
}

fn fields(kind: EntryKind, rng: &mut StdRng) -> BTreeMap<String, String> {
    let pairs: Vec<(&str, String)> = match kind {
        EntryKind::HomeVisit => vec![
            ("place", "hemmet".into()),
            ("purpose", "motiverande samtal om skolnärvaro".into()),
        ],
        EntryKind::MorningCheckin => vec![
            (
                "arrival",
                ["arrived", "late", "not-seen"]
                    .choose(rng)
                    .copied()
                    .unwrap_or("arrived")
                    .into(),
            ),
            ("time", format!("08:{:02}", rng.gen_range(0..60))),
        ],
        EntryKind::ApartmentSession => vec![
            ("teacher_present", "yes".into()),
            (
                "step",
                brygga_core::ladder::default_ladder_steps()
                    .choose(rng)
                    .map(|s| s.key.clone())
                    .unwrap_or_default(),
            ),
            ("duration_min", rng.gen_range(30..=180).to_string()),
        ],
        EntryKind::Consultation => vec![("staff_role", "mentor".into())],
        EntryKind::CollaborationMeeting => vec![("parties", "skola, socialtjänst, BUP".into())],
        EntryKind::PhoneCall => vec![("with_whom", "vårdnadshavare".into())],
        EntryKind::Note => vec![],
    };
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn new_entry(rng: &mut StdRng) -> NewEntry {
    let kind = *EntryKind::ALL.choose(rng).unwrap_or(&EntryKind::Note);
    let start = Utc
        .with_ymd_and_hms(2023, 8, 14, 8, 0, 0)
        .single()
        .expect("a valid date");
    NewEntry {
        kind,
        event_at: start + Days::minutes(rng.gen_range(0..60 * 24 * 700)),
        participants: vec!["eleven".into(), "vårdnadshavare".into()],
        key_persons: Vec::new(),
        fields: fields(kind, rng),
        text: entry_text(rng),
    }
}

/// A valid, fictional personnummer (born 2010–2012), unique per `n`.
fn personnummer(n: u32) -> String {
    let year = 2010 + n % 3;
    let month = 1 + (n / 3) % 12;
    let day = 1 + (n / 36) % 28;
    let serial = 100 + n / 1008;
    let birth = chrono::NaiveDate::from_ymd_opt(year as i32, month, day).expect("date");
    Personnummer::fictional(birth, serial as u16)
        .as_str()
        .to_owned()
}

// ---------------------------------------------------------------------
// Fixtures.

/// A journal in its own temp dir (or a kept one), with its open cases
/// and the text of every entry written, in the order written.
struct Fixture {
    _dir: Option<TempDir>,
    journal: Journal,
    cases: Vec<Uuid>,
    rng: StdRng,
    entries: usize,
    texts: Vec<String>,
}

impl Fixture {
    fn dir(&self) -> &Path {
        &self.journal.paths().dir
    }

    fn draft_and_sign(&mut self) {
        let id = self.draft();
        self.journal.sign_entry(id).expect("sign");
    }

    fn draft(&mut self) -> Uuid {
        let case = self.cases[self.entries % self.cases.len()];
        let new = new_entry(&mut self.rng);
        self.entries += 1;
        self.texts.push(new.text.clone());
        self.journal.draft_entry(case, new).expect("draft")
    }
}

/// Builds a journal with `entries` signed entries over `pupils` pupils,
/// encrypted unless `plaintext`, in a temp dir or in `keep`. Prints how
/// long it took.
fn build(
    label: &str,
    entries: usize,
    pupils: u32,
    plaintext: bool,
    seed: u64,
    keep: Option<&Path>,
) -> Fixture {
    let (dir, path) = match keep {
        Some(path) => (None, path.to_owned()),
        None => {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("journal");
            (Some(dir), path)
        }
    };
    let mut journal = if plaintext {
        Journal::create_plaintext_for_bench(&path, AUTHOR).expect("plaintext journal")
    } else {
        Journal::create(&path, &Passphrase::new(PASSPHRASE.into()), AUTHOR).expect("journal")
    };
    let mut cases = Vec::new();
    for n in 0..pupils {
        let pupil = journal
            .add_pupil(NewPupil {
                name: format!("Fiktiv Elev {n}"),
                personnummer: personnummer(n),
                school: "Fiktiva skolan".into(),
                grade: 7 + (n % 3) as u8,
                protected_identity: n % 50 == 0,
            })
            .expect("add a pupil");
        cases.push(journal.open_case(pupil).expect("open a case"));
    }
    let mut fixture = Fixture {
        _dir: dir,
        journal,
        cases,
        rng: StdRng::seed_from_u64(seed),
        entries: 0,
        texts: Vec::new(),
    };
    let started = Instant::now();
    let step = (entries / 10).max(1);
    for i in 0..entries {
        fixture.draft_and_sign();
        if entries >= 10_000 && (i + 1) % step == 0 {
            eprintln!(
                "  building {label}: {} / {entries} entries, {:.0} s",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let took = started.elapsed();
    let size: u64 = std::fs::read_dir(fixture.dir())
        .expect("list")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    eprintln!(
        "built {label}: {entries} signed entries in {:.1} s ({:.2} ms per draft+sign), {:.0} MB on disk",
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / entries.max(1) as f64,
        size as f64 / 1e6
    );
    fixture
}

/// The `overhead` workload: `writes` draft+sign, then `searches` searches.
fn workload(f: &mut Fixture, writes: usize, searches: usize) {
    for _ in 0..writes {
        f.draft_and_sign();
    }
    for i in 0..searches {
        let hits = f
            .journal
            .search(QUERIES[i % QUERIES.len()], SEARCH_LIMIT)
            .expect("search");
        black_box(hits);
    }
}

const SEARCH_CORPUS_SEED: u64 = 2;

/// The search corpus. Where `BRYGGA_BENCH_CORPUS` names a directory, it
/// is kept there and opened again by later runs instead of being built
/// again (which takes many minutes), so that a run can be repeated when
/// the machine is quieter; its texts are made again from the same seed.
fn search_corpus(sizes: &Sizes) -> Fixture {
    let (label, entries, pupils) = ("search corpus", sizes.search_journal, 400);
    let Some(keep) = std::env::var_os("BRYGGA_BENCH_CORPUS") else {
        return build(label, entries, pupils, false, SEARCH_CORPUS_SEED, None);
    };
    let kept = Path::new(&keep).join(format!("search-{entries}"));
    let complete = Path::new(&keep).join(format!("search-{entries}.complete"));
    if complete.exists() {
        return reopen(&kept, entries, SEARCH_CORPUS_SEED);
    }
    if kept.exists() {
        std::fs::remove_dir_all(&kept).expect("remove an unfinished corpus");
    }
    let fixture = build(
        label,
        entries,
        pupils,
        false,
        SEARCH_CORPUS_SEED,
        Some(&kept),
    );
    std::fs::write(&complete, b"").expect("mark the corpus complete");
    fixture
}

/// A kept search corpus, unlocked, with the texts it was built from. It
/// is only searched: it has no cases to write to.
fn reopen(path: &Path, entries: usize, seed: u64) -> Fixture {
    let journal =
        Journal::open(path, &Passphrase::new(PASSPHRASE.into())).expect("unlock the kept corpus");
    let mut rng = StdRng::seed_from_u64(seed);
    let texts = (0..entries).map(|_| new_entry(&mut rng).text).collect();
    eprintln!("opened the kept search corpus in {}", path.display());
    Fixture {
        _dir: None,
        journal,
        cases: Vec::new(),
        rng,
        entries,
        texts,
    }
}

// ---------------------------------------------------------------------
// The floor of search: the same query on a plain FTS5 table.

/// A corpus's texts in a plain, unencrypted SQLite FTS5 table with the
/// tokenizer of the journal's `search_index`, written in the same order:
/// what FTS5 alone costs for the same query, without the encryption, the
/// joins to entries, cases and pupils, or the audit row.
struct PlainFts {
    _dir: TempDir,
    conn: rusqlite::Connection,
}

impl PlainFts {
    fn build(texts: &[String]) -> PlainFts {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = rusqlite::Connection::open(dir.path().join("plain.db")).expect("plain db");
        conn.execute_batch(
            "CREATE VIRTUAL TABLE plain_index USING fts5 (
                 text, n UNINDEXED, tokenize = 'unicode61 remove_diacritics 0')",
        )
        .expect("plain FTS5 table");
        let tx = conn.transaction().expect("begin");
        for (n, text) in texts.iter().enumerate() {
            tx.execute(
                "INSERT INTO plain_index (text, n) VALUES (?1, ?2)",
                rusqlite::params![text, n as i64],
            )
            .expect("index a text");
        }
        tx.commit().expect("commit");
        PlainFts { _dir: dir, conn }
    }

    /// The inner query of `Journal::search`: newest first, limited inside
    /// the index, with the same snippets.
    fn search(&self, input: &str, limit: u32) -> Vec<(i64, String)> {
        let fts = brygga_core::to_fts_query(input).expect("a query with words");
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT n, snippet(plain_index, 0, '[', ']', '…', 12) FROM plain_index
                 WHERE plain_index MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
            )
            .expect("prepare");
        stmt.query_map(rusqlite::params![fts, limit], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
    }
}

// ---------------------------------------------------------------------
// Sizes: the real ones, or tiny ones in test mode.

struct Sizes {
    sign_journal: usize,
    search_journal: usize,
    overhead_journal: usize,
    overhead_writes: usize,
    overhead_searches: usize,
    p_signs: usize,
    p_searches: usize,
    p_workloads: usize,
    p_unlocks: usize,
    /// Searches timed in each of the journal and the plain FTS5 table.
    p_fts_pairs: usize,
}

const REAL: Sizes = Sizes {
    sign_journal: 1_000,
    search_journal: 100_000,
    overhead_journal: 10_000,
    overhead_writes: 200,
    overhead_searches: 50,
    p_signs: 500,
    p_searches: 200,
    p_workloads: 5,
    p_unlocks: 5,
    p_fts_pairs: 1_200,
};

const TEST: Sizes = Sizes {
    sign_journal: 20,
    search_journal: 200,
    overhead_journal: 50,
    overhead_writes: 5,
    overhead_searches: 3,
    p_signs: 5,
    p_searches: 6,
    p_workloads: 1,
    p_unlocks: 1,
    p_fts_pairs: 6,
};

/// The command line as criterion reads it, for what it does not expose.
struct Args {
    test_mode: bool,
    list: bool,
    filter: Option<String>,
}

fn args() -> Args {
    const TAKES_VALUE: &[&str] = &[
        "--save-baseline",
        "-s",
        "--baseline",
        "-b",
        "--load-baseline",
        "--baseline-lenient",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--profile-time",
        "--plotting-backend",
        "--output-format",
        "--format",
        "--color",
        "-c",
    ];
    let all: Vec<String> = std::env::args().skip(1).collect();
    let has = |flag: &str| all.iter().any(|a| a == flag);
    let mut filter = None;
    let mut skip = false;
    for a in &all {
        if skip {
            skip = false;
        } else if TAKES_VALUE.contains(&a.as_str()) {
            skip = true;
        } else if !a.starts_with('-') {
            filter = Some(a.clone());
        }
    }
    Args {
        // As criterion decides: `cargo bench` passes --bench, `cargo test`
        // does not; `--test` asks for test mode.
        test_mode: !has("--bench") || has("--test"),
        list: has("--list"),
        filter,
    }
}

impl Args {
    fn wants(&self, name: &str) -> bool {
        self.filter.as_deref().is_none_or(|f| name.contains(f))
    }
}

// ---------------------------------------------------------------------
// Percentiles.

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

struct Row {
    what: String,
    n: usize,
    p50: Duration,
    p95: Duration,
    max: Duration,
    target: &'static str,
}

fn row(what: impl Into<String>, mut samples: Vec<Duration>, target: &'static str) -> Row {
    samples.sort();
    Row {
        what: what.into(),
        n: samples.len(),
        p50: percentile(&samples, 50.0),
        p95: percentile(&samples, 95.0),
        max: samples.last().copied().unwrap_or_default(),
        target,
    }
}

fn time_signs(f: &mut Fixture, n: usize) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let id = f.draft();
            let t = Instant::now();
            f.journal.sign_entry(id).expect("sign");
            t.elapsed()
        })
        .collect()
}

fn time_searches(f: &Fixture, n: usize, query: Option<&str>) -> Vec<Duration> {
    (0..n)
        .map(|i| {
            let q = query.unwrap_or(QUERIES[i % QUERIES.len()]);
            let t = Instant::now();
            let hits = f.journal.search(q, SEARCH_LIMIT).expect("search");
            let took = t.elapsed();
            black_box(hits);
            took
        })
        .collect()
}

fn percentiles(
    sizes: &Sizes,
    sign: &mut Fixture,
    search: &Fixture,
    encrypted: &mut Fixture,
    plaintext: &mut Fixture,
) {
    let mut rows = Vec::new();
    rows.push(row(
        format!("sign_entry, encrypted, {}+ entries", sizes.sign_journal),
        time_signs(sign, sizes.p_signs),
        "p95 < 5 ms",
    ));
    rows.push(row(
        format!("sign_entry, encrypted, {}+ entries", sizes.overhead_journal),
        time_signs(encrypted, sizes.p_signs),
        "",
    ));
    rows.push(row(
        format!("sign_entry, plaintext, {}+ entries", sizes.overhead_journal),
        time_signs(plaintext, sizes.p_signs),
        "",
    ));
    rows.push(row(
        format!(
            "search (mixed queries, limit {SEARCH_LIMIT}), {} entries",
            search.entries
        ),
        time_searches(search, sizes.p_searches, None),
        "p95 < 20 ms",
    ));
    let per_query = (sizes.p_searches / QUERIES.len()).max(1);
    for q in QUERIES {
        let hits = search.journal.search(q, 1_000_000).expect("count").len();
        rows.push(row(
            format!("  search {q:?} ({hits} hits)"),
            time_searches(search, per_query, Some(q)),
            "",
        ));
    }

    // The overhead workload, alternating so drift hits both alike; its
    // writes and searches are also timed apart, to see where a difference
    // comes from.
    let (mut enc_times, mut plain_times): ([Vec<Duration>; 3], [Vec<Duration>; 3]) =
        Default::default();
    for _ in 0..sizes.p_workloads {
        for (f, out) in [
            (&mut *encrypted, &mut enc_times),
            (&mut *plaintext, &mut plain_times),
        ] {
            let t = Instant::now();
            workload(f, sizes.overhead_writes, 0);
            let writes = t.elapsed();
            workload(f, 0, sizes.overhead_searches);
            let total = t.elapsed();
            out[0].push(total);
            out[1].push(writes);
            out[2].push(total - writes);
        }
    }
    let parts = [
        format!(
            "workload ({} draft+sign, {} searches, {}+ entries)",
            sizes.overhead_writes, sizes.overhead_searches, sizes.overhead_journal
        ),
        format!("  its {} draft+sign", sizes.overhead_writes),
        format!("  its {} searches", sizes.overhead_searches),
    ];
    let short = ["whole workload", "its writes", "its searches"];
    let mut ratios = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let enc = row(format!("{part}, encrypted"), enc_times[i].clone(), "");
        let plain = row(format!("{part}, plaintext"), plain_times[i].clone(), "");
        ratios.push((
            short[i],
            enc.p50.as_secs_f64() / plain.p50.as_secs_f64().max(1e-9),
        ));
        rows.push(enc);
        rows.push(plain);
    }

    let dir = sign.dir().to_owned();
    let pass = Passphrase::new(PASSPHRASE.into());
    let unlocks = (0..sizes.p_unlocks)
        .map(|_| {
            let t = Instant::now();
            let j = Journal::open(&dir, &pass).expect("unlock");
            let took = t.elapsed();
            drop(j);
            took
        })
        .collect();
    rows.push(row("unlock (Journal::open)", unlocks, "0.3–1 s"));

    print_rows(
        "brygga-core: single-call timings (std::time::Instant)",
        &rows,
    );
    for (i, (part, ratio)) in ratios.iter().enumerate() {
        let what = format!("encryption overhead (p50 encrypted/plaintext), {part}");
        let target = if i == 0 { "target ≤ 1.15×" } else { "" };
        println!(
            "{:<62} {:>5} {:>12}  {target}",
            what.chars().take(62).collect::<String>(),
            "",
            format!("{ratio:.3}×")
        );
    }
    println!();
}

fn print_rows(title: &str, rows: &[Row]) {
    println!();
    println!("{title}");
    println!(
        "{:<62} {:>5} {:>12} {:>12} {:>12}  target",
        "measurement", "n", "p50", "p95", "max"
    );
    for r in rows {
        println!(
            "{:<62} {:>5} {:>12} {:>12} {:>12}  {}",
            r.what,
            r.n,
            ms(r.p50),
            ms(r.p95),
            ms(r.max),
            r.target
        );
    }
}

/// The load average (1, 5, 15 minutes) as the kernel reports it: the
/// figures beside it are only comparable with the load they ran under.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The journal's search beside the same queries on the plain FTS5 table
/// of the same texts, call by call, so a change of load hits both alike.
fn search_beside_fts5(sizes: &Sizes, search: &Fixture, plain: &PlainFts) {
    for query in QUERIES {
        black_box(search.journal.search(query, SEARCH_LIMIT).expect("search"));
        black_box(plain.search(query, SEARCH_LIMIT));
    }
    let load_before = load_average();
    let mut journal: Vec<Vec<Duration>> = vec![Vec::new(); QUERIES.len()];
    let mut floor: Vec<Vec<Duration>> = vec![Vec::new(); QUERIES.len()];
    for i in 0..sizes.p_fts_pairs {
        let q = i % QUERIES.len();
        let t = Instant::now();
        black_box(
            search
                .journal
                .search(QUERIES[q], SEARCH_LIMIT)
                .expect("search"),
        );
        journal[q].push(t.elapsed());
        let t = Instant::now();
        black_box(plain.search(QUERIES[q], SEARCH_LIMIT));
        floor[q].push(t.elapsed());
    }
    let load_after = load_average();
    let n = search.entries;
    let mut rows = vec![
        row(
            format!("search, journal (encrypted, audit row), {n} entries"),
            journal.concat(),
            "p95 ≤ 3 ms",
        ),
        row(
            format!("search, plain FTS5 (unencrypted, no audit), {n} texts"),
            floor.concat(),
            "",
        ),
    ];
    for (q, query) in QUERIES.iter().enumerate() {
        rows.push(row(format!("  {query:?}, journal"), journal[q].clone(), ""));
        rows.push(row(
            format!("  {query:?}, plain FTS5"),
            floor[q].clone(),
            "",
        ));
    }
    print_rows(
        &format!(
            "search (mixed queries, limit {SEARCH_LIMIT}) beside plain FTS5, same corpus, \
             alternating; load average {load_before} before, {load_after} after"
        ),
        &rows,
    );
}

// ---------------------------------------------------------------------

fn main() {
    let args = args();
    let mut c = Criterion::default().configure_from_args();
    if args.list {
        for name in [
            "sign_entry",
            "search_100k",
            "overhead/encrypted",
            "overhead/plaintext",
            "unlock/open",
            "search_vs_fts5",
        ] {
            println!("{name}: benchmark");
        }
        return;
    }
    let sizes = if args.test_mode { &TEST } else { &REAL };
    let want_percentiles = args.wants("percentiles");
    let want_overhead = args.wants("overhead/encrypted") || args.wants("overhead/plaintext");
    let need_sign = args.wants("sign_entry") || args.wants("unlock") || want_percentiles;
    let want_fts = args.wants("search_vs_fts5");
    let need_search = args.wants("search_100k") || want_percentiles || want_fts;
    let need_overhead = want_overhead || want_percentiles;

    let mut sign = need_sign.then(|| build("sign journal", sizes.sign_journal, 20, false, 1, None));
    let search = need_search.then(|| search_corpus(sizes));
    let floor = search
        .as_ref()
        .filter(|_| want_fts)
        .map(|f| PlainFts::build(&f.texts));
    let mut overhead = need_overhead.then(|| {
        (
            build(
                "overhead, encrypted",
                sizes.overhead_journal,
                100,
                false,
                3,
                None,
            ),
            build(
                "overhead, plaintext",
                sizes.overhead_journal,
                100,
                true,
                3,
                None,
            ),
        )
    });

    if let Some(f) = sign.as_mut() {
        c.bench_function("sign_entry", |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let id = f.draft(); // setup, not timed
                    let t = Instant::now();
                    f.journal.sign_entry(black_box(id)).expect("sign");
                    total += t.elapsed();
                }
                total
            });
        });
    }

    if let Some(f) = search.as_ref() {
        let mut i = 0;
        c.bench_function("search_100k", |b| {
            b.iter(|| {
                i += 1;
                f.journal
                    .search(QUERIES[i % QUERIES.len()], SEARCH_LIMIT)
                    .expect("search")
            });
        });
    }

    if let (Some((enc, plain)), true) = (overhead.as_mut(), want_overhead) {
        let mut group = c.benchmark_group("overhead");
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .measurement_time(Duration::from_secs(10));
        group.bench_function("encrypted", |b| {
            b.iter(|| workload(enc, sizes.overhead_writes, sizes.overhead_searches));
        });
        group.bench_function("plaintext", |b| {
            b.iter(|| workload(plain, sizes.overhead_writes, sizes.overhead_searches));
        });
        group.finish();
    }

    if let (Some(f), true) = (sign.as_ref(), args.wants("unlock")) {
        let dir = f.dir().to_owned();
        let pass = Passphrase::new(PASSPHRASE.into());
        let mut group = c.benchmark_group("unlock");
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .measurement_time(Duration::from_secs(10));
        group.bench_function("open", |b| {
            b.iter(|| Journal::open(&dir, &pass).expect("unlock"));
        });
        group.finish();
    }

    c.final_summary();

    if let (true, Some(sign), Some(search), Some((enc, plain))) = (
        want_percentiles,
        sign.as_mut(),
        search.as_ref(),
        overhead.as_mut(),
    ) {
        percentiles(sizes, sign, search, enc, plain);
    }
    if let (Some(search), Some(floor)) = (search.as_ref(), floor.as_ref()) {
        search_beside_fts5(sizes, search, floor);
    }
}
