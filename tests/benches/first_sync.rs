//! A new laptop's first sync, end to end: the real (release-built)
//! `brygga-server` over HTTPS on 127.0.0.1, real SQLCipher journals, real
//! Ed25519 signatures, the real replay of brygga-core.
//!
//! Two laptops (Anna's and Bo's) preload a caseload through the journal
//! API: per case a pupil, the case, a guardian, signed notes, and drafts
//! that both laptops edit between two syncs (about 10 % of the operations
//! are such concurrent edits, so the replay keeps last-writer-wins
//! conflicts). The preload is timed but is not what is measured. Then:
//!
//! 1. **pull into an empty device**: a fresh enrolled laptop's first sync
//!    round (pull, every signature checked, logged, replayed into its
//!    journal) — ops/s of the whole round (target ≥ 20 000 ops/s); then
//!    the same round into a journal in plain SQLite, which shows what of
//!    it the encryption costs;
//! 2. **a new laptop's first sync to a usable journal**: another fresh
//!    laptop, from the start of its enrolment until the journal answers a
//!    search and the caseload lists every case (target < 10 s);
//! 3. **command latency during a slow sync**: a third fresh laptop syncs
//!    through a transport that delays every answer of the server, through
//!    the same `Mutex<Option<Journal>>` the desktop app lends to
//!    `sync_detached`, while the therapist saves drafts — p50/max latency
//!    of saving a draft; it must not wait for the network.
//!
//! `cargo build --release -p brygga-server && cargo bench -p brygga-e2e --bench first_sync`
//! for the full run (the server binary is not built by `cargo bench` of
//! this package); `-- --test` (as the test suite runs benches) for a small,
//! quick one. Sizes: BENCH_CASES (default 500), BENCH_OPS_PER_CASE (default
//! 100), BENCH_SLOW_MS (default 200, the delay of each answer in 3).
//!
//! Every person and number here is fictional.

use brygga_core::sync::{
    plan::Remote, sync_detached, HttpTransport, JournalAccess, NoticesPage, PulledPage,
    PushVerdict, SyncError, SyncReport, Transport,
};
use brygga_core::{EntryKind, Journal, NewEntry, NewGuardian, NewPupil, Personnummer};
use brygga_e2e::{unique, Backend, Device, Server};
use brygga_protocol::api::{AuditPushResponse, DirectoryEntry};
use brygga_protocol::audit::AuditRow;
use brygga_protocol::op::SignedOperation;
use brygga_protocol::signing;
use chrono::{Duration as Days, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

struct Sizes {
    cases: usize,
    /// Drafts per case that both laptops edit between syncs.
    shared_drafts: usize,
    /// Signed notes per case (a draft and its signature each).
    signed_notes: usize,
    slow: Duration,
}

impl Sizes {
    fn ops_per_case(&self) -> usize {
        // pupil, case, guardian; each shared draft and its two edits;
        // each signed note's draft and signature.
        3 + 3 * self.shared_drafts + 2 * self.signed_notes
    }

    fn ops(&self) -> usize {
        self.cases * self.ops_per_case()
    }
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn sizes(quick: bool) -> Sizes {
    let cases = env_or("BENCH_CASES", if quick { 10 } else { 500 });
    let per_case = env_or("BENCH_OPS_PER_CASE", 100).max(10);
    // A tenth of the operations are concurrent edits, two per shared draft.
    let shared_drafts = (per_case / 20).max(1);
    let signed_notes = per_case.saturating_sub(3 + 3 * shared_drafts) / 2;
    Sizes {
        cases,
        shared_drafts,
        signed_notes,
        slow: Duration::from_millis(env_or("BENCH_SLOW_MS", if quick { 50 } else { 200 }) as u64),
    }
}

const FIRST: [&str; 20] = [
    "Alva", "Bruno", "Cleo", "Dante", "Elsa", "Frans", "Greta", "Hugo", "Ines", "Jon", "Kaj",
    "Lova", "Malte", "Nora", "Otto", "Pim", "Rut", "Sam", "Tyra", "Vide",
];
const LAST: [&str; 25] = [
    "Ekbacka",
    "Fjällgren",
    "Granvik",
    "Holmlid",
    "Isberg",
    "Jarlsson",
    "Kvarnström",
    "Lindöga",
    "Mossberg",
    "Norrvik",
    "Orrbo",
    "Päronlund",
    "Ripgren",
    "Sjövall",
    "Tallbo",
    "Uddvik",
    "Vassén",
    "Ågren",
    "Älvdal",
    "Östmark",
    "Björkhage",
    "Dalquist",
    "Forsmo",
    "Hagelin",
    "Myrén",
];
const SCHOOLS: [&str; 3] = ["Fiktiva skolan", "Påhittade högstadiet", "Exempelskolan"];

/// The fictional pupil of case `i`: a made-up name, a made-up
/// personnummer (born 2010–2011, serial in the 98x range of test numbers).
fn pupil(i: usize) -> NewPupil {
    let birth = NaiveDate::from_ymd_opt(2010, 1, 1).expect("date") + Days::days(i as i64);
    NewPupil {
        name: format!(
            "{} {}",
            FIRST[i % FIRST.len()],
            LAST[(i / FIRST.len()) % LAST.len()]
        ),
        personnummer: Personnummer::fictional(birth, 980 + (i % 10) as u16)
            .as_str()
            .to_owned(),
        school: SCHOOLS[i % SCHOOLS.len()].into(),
        grade: 7 + (i % 3) as u8,
        protected_identity: false,
    }
}

const TOPICS: [&str; 6] = [
    "Hembesök",
    "Samtal med mentor",
    "Elevsamtal",
    "Möte med vårdnadshavare",
    "Uppföljning av närvaro",
    "Samverkansmöte med elevhälsan",
];

fn note(case: usize, n: usize, version: &str) -> NewEntry {
    let topic = TOPICS[(case + n) % TOPICS.len()];
    NewEntry {
        kind: EntryKind::Note,
        event_at: Utc::now(),
        participants: vec!["Fiktiv mentor".into()],
        key_persons: Vec::new(),
        fields: BTreeMap::new(),
        text: format!(
            "{topic} {n} i ärende {case} ({version}). Eleven berättade om veckan i skolan, \
             om raster och lektioner, och om hur det går med läxorna hemma. Vi kom överens \
             om att ses igen om två veckor och att mentorn hör av sig till hemmet innan dess. \
             Eleven vill själv vara med när planen följs upp, och tycker att morgnarna är \
             det svåraste. Inget i samtalet föranleder en orosanmälan just nu."
        ),
    }
}

/// One preload laptop's part of the caseload: cases `range`, returning the
/// shared drafts it wrote.
fn write_cases(journal: &mut Journal, range: std::ops::Range<usize>, sizes: &Sizes) -> Vec<Uuid> {
    let mut shared = Vec::new();
    for i in range {
        let pupil = journal.add_pupil(pupil(i)).expect("pupil");
        let case = journal.open_case(pupil).expect("case");
        journal
            .add_guardian(NewGuardian {
                case_id: case,
                name: format!("{} {}", FIRST[(i + 7) % FIRST.len()], LAST[i % LAST.len()]),
                relation: "vårdnadshavare".into(),
                phone: None,
                email: None,
                address: None,
            })
            .expect("guardian");
        for n in 0..sizes.signed_notes {
            let entry = journal
                .draft_entry(case, note(i, n, "signerad"))
                .expect("draft");
            journal.sign_entry(entry).expect("sign");
        }
        for n in 0..sizes.shared_drafts {
            shared.push(
                journal
                    .draft_entry(case, note(i, sizes.signed_notes + n, "utkast"))
                    .expect("shared draft"),
            );
        }
    }
    shared
}

fn sync(device: &mut Device) -> SyncReport {
    device.journal.sync_with_server().expect("sync")
}

/// Anna's and Bo's laptops write the caseload, each half of it, then both
/// edit every shared draft between two syncs. Returns the time it took.
fn preload(server: &Server, users: &[String], sizes: &Sizes) -> Duration {
    let start = Instant::now();
    let (mut a, mut b) = (
        Device::enrolled(server, &users[0]),
        Device::enrolled(server, &users[1]),
    );
    let half = sizes.cases / 2;
    let shared = std::thread::scope(|s| {
        let wa = s.spawn(|| write_cases(&mut a.journal, 0..half, sizes));
        let wb = s.spawn(|| write_cases(&mut b.journal, half..sizes.cases, sizes));
        let mut shared = wa.join().expect("anna writes");
        shared.extend(wb.join().expect("bo writes"));
        shared
    });
    let written = start.elapsed();
    sync(&mut a);
    sync(&mut b);
    sync(&mut a);
    let first_syncs = start.elapsed() - written;
    // Both laptops edit the same drafts before either syncs again.
    let edit = |journal: &mut Journal, who: &str| {
        for (n, entry) in shared.iter().enumerate() {
            journal
                .edit_draft(*entry, note(n, n, &format!("ändrad av {who}")))
                .expect("edit");
        }
    };
    std::thread::scope(|s| {
        s.spawn(|| edit(&mut a.journal, "Anna"));
        s.spawn(|| edit(&mut b.journal, "Bo"));
    });
    sync(&mut a);
    sync(&mut b);
    let elapsed = start.elapsed();
    println!(
        "preload: {} ops by 2 laptops in {:.1} s ({:.1} s writing, {:.1} s their syncs, \
         {:.1} s concurrent edits and syncs; fsync on every commit)",
        sizes.ops(),
        elapsed.as_secs_f64(),
        written.as_secs_f64(),
        first_syncs.as_secs_f64(),
        (elapsed - written - first_syncs).as_secs_f64(),
    );
    elapsed
}

/// The HTTPS transport, timing the time spent waiting for the server.
struct Timed<'a> {
    inner: &'a HttpTransport,
    waiting: Mutex<Duration>,
    last_answer: Mutex<Option<Instant>>,
}

impl Timed<'_> {
    fn time<T>(&self, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        *self.waiting.lock().expect("lock") += start.elapsed();
        *self.last_answer.lock().expect("lock") = Some(Instant::now());
        out
    }
}

impl Around for Timed<'_> {
    fn inner(&self) -> &HttpTransport {
        self.inner
    }

    fn around<T>(&self, call: impl FnOnce() -> T) -> T {
        self.time(call)
    }
}

/// What a wrapper of the HTTPS transport does around each request.
trait Around {
    fn inner(&self) -> &HttpTransport;
    fn around<T>(&self, call: impl FnOnce() -> T) -> T;
}

/// The HTTPS transport with `A` around each of its requests.
struct Wrapped<A>(A);

impl<A: Around> Transport for Wrapped<A> {
    fn status(&self) -> Result<Remote, SyncError> {
        self.0.around(|| self.0.inner().status())
    }
    fn devices(&self) -> Result<Vec<DirectoryEntry>, SyncError> {
        self.0.around(|| self.0.inner().devices())
    }
    fn push(&self, ops: &[SignedOperation]) -> Result<Vec<(Uuid, PushVerdict)>, SyncError> {
        self.0.around(|| self.0.inner().push(ops))
    }
    fn pull(&self, after: i64, limit: u32) -> Result<PulledPage, SyncError> {
        self.0.around(|| self.0.inner().pull(after, limit))
    }
    fn push_audit(&self, rows: &[AuditRow]) -> Result<AuditPushResponse, SyncError> {
        self.0.around(|| self.0.inner().push_audit(rows))
    }
    fn notices(&self, after: i64) -> Result<NoticesPage, SyncError> {
        self.0.around(|| self.0.inner().notices(after))
    }
    fn case_ops(&self, case_id: Uuid) -> Result<PulledPage, SyncError> {
        self.0.around(|| self.0.inner().case_ops(case_id))
    }
}

/// What the figures are checked against: the caseload, the conflicts of
/// the concurrent edits, and a search.
fn check_usable(journal: &Journal, cases: usize) {
    let caseload = journal.caseload().expect("caseload");
    assert_eq!(caseload.len(), cases, "the caseload lists every case");
    let hits = journal.search("hembesök", 20).expect("search");
    assert!(!hits.is_empty(), "the search finds the notes");
}

/// 1: the whole first sync round of an empty, enrolled laptop; then, in
/// the same run, the same round into a journal in plain SQLite, which
/// tells what of the round the encryption costs.
fn pull_into_empty(server: &Server, user: &str, sizes: &Sizes, quick: bool) -> f64 {
    let mut device = Device::enrolled(server, user);
    let what = "pull into an empty device [target >= 20000 ops/s]";
    let ops_s = pull_into(&mut device.journal, what, sizes, quick);
    let transport = device.journal.server_transport().expect("transport");
    floor(&device.journal, &transport);
    let dir = tempfile::tempdir().expect("plain journal dir");
    let mut plain = Journal::create_plaintext_for_bench(dir.path(), user).expect("plain journal");
    plain
        .enroll(
            &server.url(),
            &server.enroll_code(user),
            "Okrypterad jämförelse",
        )
        .expect("enroll");
    let what = "the same pull into a journal in plain SQLite (a measurement only)";
    let plain_s = pull_into(&mut plain, what, sizes, quick);
    println!(
        "the encrypted pull's rate is {:.0} % of the plain one's",
        100.0 * ops_s / plain_s
    );
    ops_s
}

/// The first sync round of `journal`, enrolled and empty, printed as
/// `what`; its rate in ops/s.
fn pull_into(journal: &mut Journal, what: &str, sizes: &Sizes, quick: bool) -> f64 {
    let transport = journal.server_transport().expect("transport");
    let timed = Wrapped(Timed {
        inner: &transport,
        waiting: Mutex::new(Duration::ZERO),
        last_answer: Mutex::new(None),
    });
    let (start, cpu, written) = (Instant::now(), cpu_time(), bytes_written());
    let report = journal.sync(&timed).expect("first sync");
    let elapsed = start.elapsed();
    let cpu = cpu_time() - cpu;
    let written = bytes_written() - written;
    let after_last_answer = timed
        .0
        .last_answer
        .lock()
        .expect("lock")
        .map(|t| t.elapsed())
        .unwrap_or_default();
    let waiting = *timed.0.waiting.lock().expect("lock");
    let ops = report.pulled.applied as usize;
    assert_eq!(ops, sizes.ops(), "every operation is taken in: {report:?}");
    assert_eq!(report.pulled.quarantined, 0);
    let conflicts = journal.sync_status().expect("status").conflicts;
    assert_eq!(
        conflicts.len(),
        sizes.cases * sizes.shared_drafts,
        "one conflict per draft both laptops edited"
    );
    check_usable(journal, sizes.cases);
    if quick {
        journal
            .check_replay()
            .expect("every signature holds and the tables are the replay of the log");
    }
    let ops_s = ops as f64 / elapsed.as_secs_f64();
    println!(
        "{what}: {ops} ops in {:.2} s = {ops_s:.0} ops/s \
         (waiting for the server {:.2} s; pages taken in (verify + log) {:.2} s; \
         replay after the last page {:.2} s; CPU of this process {:.2} s; \
         written to files {:.0} MiB, {:.1} KiB an operation)",
        elapsed.as_secs_f64(),
        waiting.as_secs_f64(),
        (elapsed - waiting - after_last_answer).as_secs_f64(),
        after_last_answer.as_secs_f64(),
        cpu.as_secs_f64(),
        written as f64 / 1048576.0,
        written as f64 / 1024.0 / ops as f64,
    );
    ops_s
}

/// Side by side with the pull, on the same operations: what one core
/// needs for the two steps no pull can skip, reading each operation's JSON
/// and checking its signature (one batch per device, as the pull does).
/// The rest of a pull is SQLCipher writing the log, the tables and the
/// search index.
fn floor(journal: &Journal, transport: &HttpTransport) {
    let ops = journal.operations().expect("the log");
    let bodies: Vec<String> = ops
        .iter()
        .map(|s| serde_json::to_string(s).expect("json"))
        .collect();
    let (start, cpu) = (Instant::now(), cpu_time());
    for body in &bodies {
        let _: SignedOperation = serde_json::from_str(body).expect("reads");
    }
    let read = (start.elapsed(), cpu_time() - cpu);
    let keys: BTreeMap<Uuid, Vec<u8>> = transport
        .devices()
        .expect("directory")
        .into_iter()
        .map(|d| (d.device_id, hex::decode(d.public_key_hex).expect("hex")))
        .collect();
    let mut by_device: BTreeMap<Uuid, Vec<signing::SignedMessage>> = BTreeMap::new();
    for s in &ops {
        by_device
            .entry(s.op.device_id)
            .or_default()
            .push(signing::signed_message(s).expect("message"));
    }
    let (start, cpu) = (Instant::now(), cpu_time());
    for (device, messages) in &by_device {
        let ok = signing::verify_messages(&keys[device], messages);
        assert!(ok.iter().all(|ok| *ok), "every signature holds");
    }
    let verified = (start.elapsed(), cpu_time() - cpu);
    let rate = |d: Duration| ops.len() as f64 / d.as_secs_f64().max(1e-9);
    println!(
        "floor on one core, same {} ops: reading their JSON {:.0} ops/s, checking their \
         signatures {:.0} ops/s (wall; CPU {:.2} s and {:.2} s)",
        ops.len(),
        rate(read.0),
        rate(verified.0),
        read.1.as_secs_f64(),
        verified.1.as_secs_f64(),
    );
}

/// 2: from the start of enrolment to a journal that searches and lists
/// the caseload.
fn new_laptop_to_usable(server: &Server, user: &str, sizes: &Sizes) -> Duration {
    let dir = tempfile::tempdir().expect("device dir");
    let created = Instant::now();
    let mut journal =
        Journal::create(dir.path(), &brygga_e2e::pass(), user).expect("create journal");
    let create = created.elapsed();
    let code = server.enroll_code(user);
    let start = Instant::now();
    journal
        .enroll(&server.url(), &code, "Ny bärbar dator")
        .expect("enroll");
    let enrolled = start.elapsed();
    let report = journal.sync_with_server().expect("first sync");
    let synced = start.elapsed();
    let hits = journal.search("hembesök", 50).expect("search");
    let searched = start.elapsed();
    let caseload = journal.caseload().expect("caseload");
    let total = start.elapsed();
    assert!(!hits.is_empty());
    assert_eq!(caseload.len(), sizes.cases);
    assert_eq!(report.pulled.applied as usize, sizes.ops());
    println!(
        "new laptop to a searchable caseload of {} cases ({} ops): {:.2} s [target < 10 s] \
         (enrol {:.2} s, first sync {:.2} s, search {:.0} ms ({} hits), caseload {:.0} ms; \
         creating the journal before, Argon2id calibration included: {:.2} s)",
        sizes.cases,
        sizes.ops(),
        total.as_secs_f64(),
        enrolled.as_secs_f64(),
        (synced - enrolled).as_secs_f64(),
        (searched - synced).as_secs_f64() * 1e3,
        hits.len(),
        (total - searched).as_secs_f64() * 1e3,
        create.as_secs_f64(),
    );
    total
}

/// A server that takes `delay` to answer anything. `requests` counts the
/// requests begun, `in_flight` those under way.
struct Slow<'a> {
    inner: &'a HttpTransport,
    delay: Duration,
    requests: &'a AtomicUsize,
    in_flight: &'a AtomicUsize,
}

impl Slow<'_> {
    fn slowly<T>(&self, f: impl FnOnce() -> T) -> T {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        let out = f();
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        out
    }

    /// Which request is under way, if one is.
    fn waiting_on(&self) -> Option<usize> {
        let n = self.requests.load(Ordering::SeqCst);
        (self.in_flight.load(Ordering::SeqCst) > 0).then_some(n)
    }
}

impl Around for Slow<'_> {
    fn inner(&self) -> &HttpTransport {
        self.inner
    }

    fn around<T>(&self, call: impl FnOnce() -> T) -> T {
        self.slowly(call)
    }
}

/// The desktop's lock, timing how long the sync round holds it each time.
struct Holds<'a> {
    journal: &'a Mutex<Option<Journal>>,
    longest: Mutex<Duration>,
    total: Mutex<Duration>,
}

impl JournalAccess for Holds<'_> {
    fn with_journal(&self, f: &mut dyn FnMut(&mut Journal)) -> bool {
        let mut held = None;
        let found = self.journal.with_journal(&mut |j| {
            let start = Instant::now();
            f(j);
            held = Some(start.elapsed());
        });
        if let Some(held) = held {
            let mut longest = self.longest.lock().expect("lock");
            *longest = (*longest).max(held);
            *self.total.lock().expect("lock") += held;
        }
        found
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// 3: saving drafts while a sync round waits on a slow server.
fn commands_during_slow_sync(server: &Server, user: &str, sizes: &Sizes) {
    let device = Device::enrolled(server, user);
    let Device { dir: _dir, journal } = device;
    let mut journal = journal;
    let pupil = journal
        .add_pupil(NewPupil {
            name: "Fiktiv Nykomling".into(),
            personnummer: "20121008-9882".into(),
            school: "Fiktiva skolan".into(),
            grade: 8,
            protected_identity: false,
        })
        .expect("pupil");
    let case = journal.open_case(pupil).expect("case");
    let transport = journal.server_transport().expect("transport");
    let (requests, in_flight) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let slow = Wrapped(Slow {
        inner: &transport,
        delay: sizes.slow,
        requests: &requests,
        in_flight: &in_flight,
    });
    let journal = Mutex::new(Some(journal));
    let access = Holds {
        journal: &journal,
        longest: Mutex::new(Duration::ZERO),
        total: Mutex::new(Duration::ZERO),
    };
    // (latency, whether one and the same request to the server was under
    // way from before the save until after it)
    let mut samples: Vec<(Duration, bool)> = Vec::new();
    let start = Instant::now();
    let round = std::thread::scope(|s| {
        let sync = s.spawn(|| sync_detached(&access, &slow, &|_| {}));
        let mut n = 0;
        while !sync.is_finished() {
            std::thread::sleep(Duration::from_millis(25));
            let before = slow.0.waiting_on();
            let t = Instant::now();
            {
                let mut guard = journal.lock().expect("journal");
                let j = guard.as_mut().expect("unlocked");
                j.draft_entry(case, note(0, n, "skriven under synken"))
                    .expect("draft during the sync");
            }
            let latency = t.elapsed();
            let within = before.is_some() && slow.0.waiting_on() == before;
            samples.push((latency, within));
            n += 1;
        }
        sync.join().expect("sync thread")
    });
    let round_time = start.elapsed();
    let report = round.expect("the slow round completes");
    assert_eq!(report.pulled.applied as usize, sizes.ops());
    {
        let guard = journal.lock().expect("journal");
        let j = guard.as_ref().expect("unlocked");
        assert_eq!(
            j.list_entries(case).expect("entries").len(),
            samples.len(),
            "every draft saved during the sync is there"
        );
        // The caseload and the case of the laptop's own.
        check_usable(j, sizes.cases + 1);
    }
    let mut all: Vec<Duration> = samples.iter().map(|(d, _)| *d).collect();
    let mut network: Vec<Duration> = samples
        .iter()
        .filter(|(_, w)| *w)
        .map(|(d, _)| *d)
        .collect();
    all.sort();
    network.sort();
    println!(
        "save a draft during a slow sync ({} ms per answer, round {:.1} s): \
         {} saves, p50 {:.1} ms, max {:.1} ms; {} of them began and ended while the round \
         waited for one answer: p50 {:.1} ms, max {:.1} ms [must not wait for the network] \
         (the round held the journal {:.2} s in all, at most {:.0} ms at once)",
        sizes.slow.as_millis(),
        round_time.as_secs_f64(),
        all.len(),
        ms(percentile(&all, 0.5)),
        ms(all.last().copied().unwrap_or_default()),
        network.len(),
        ms(percentile(&network, 0.5)),
        ms(network.last().copied().unwrap_or_default()),
        access.total.lock().expect("lock").as_secs_f64(),
        ms(*access.longest.lock().expect("lock")),
    );
    assert!(
        !network.is_empty(),
        "saves complete while the round still waits for the server"
    );
}

/// CPU time (user + system) this process used so far, from /proc
/// (Linux); zero elsewhere. On a shared machine the wall time of a phase
/// is longer than its CPU time.
fn cpu_time() -> Duration {
    let ticks = || -> Option<u64> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
    };
    // Clock ticks, 100 a second on Linux.
    Duration::from_millis(ticks().unwrap_or(0) * 10)
}

/// Bytes this process handed to `write` so far (the journal's WAL and
/// its checkpoints into the database file), from /proc (Linux); zero
/// elsewhere.
fn bytes_written() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|io| {
            io.lines()
                .find_map(|l| l.strip_prefix("wchar: "))
                .and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or(0)
}

fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().take(3).collect();
            format!("load average {}", f.join(" "))
        })
        .unwrap_or_else(|_| "load average unknown".into())
}

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let sizes = sizes(quick);
    println!(
        "first sync bench{}: {} cases x {} ops = {} ops ({} drafts per case edited on two laptops \
         at once); {}",
        if quick { " (--test, small)" } else { "" },
        sizes.cases,
        sizes.ops_per_case(),
        sizes.ops(),
        sizes.shared_drafts,
        uptime()
    );
    let server = Server::start(Backend::Sqlite);
    let users = server.team(
        &unique("elevhalsan"),
        &["anna", "bo", "cecilia", "david", "eva"],
    );
    preload(&server, &users, &sizes);
    println!("before the measured runs: {}", uptime());
    pull_into_empty(&server, &users[2], &sizes, quick);
    new_laptop_to_usable(&server, &users[3], &sizes);
    commands_during_slow_sync(&server, &users[4], &sizes);
    println!("after the measured runs: {}", uptime());
}
