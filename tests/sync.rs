//! Client ↔ server scenarios of docs/sync.md, each run against the
//! embedded SQLite store and against PostgreSQL. Real processes, real TLS
//! on loopback, real SQLCipher journals. All people here are fictional.

use brygga_core::sync::{
    plan::Remote, HttpTransport, PulledPage, PushVerdict, SyncError, Transport,
};
use brygga_core::{EntryKind, GuardianField, NewEntry, NewGuardian, NewPupil};
use brygga_e2e::{cli, unique, Backend, Device, Server};
use brygga_protocol::api::DirectoryEntry;
use brygga_protocol::op::SignedOperation;
use chrono::Utc;
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

/// Runs `$scenario` once per backend.
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $scenario() { super::$scenario(super::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $scenario() {
                if let Some(pg) = super::Backend::postgres() { super::$scenario(pg) }
            })*
        }
    };
}

on_both_backends!(
    what_one_device_signs_the_other_receives_and_concurrent_edits_converge,
    a_server_killed_mid_push_loses_and_duplicates_nothing,
    a_client_killed_mid_sync_loses_and_duplicates_nothing,
    a_tampered_operation_is_quarantined_and_the_rest_lands,
    another_team_can_neither_pull_nor_push_the_cases,
    a_revoked_device_wipes_its_journal_at_next_sync,
    a_signature_and_a_concurrent_edit_read_the_same_on_both_laptops,
    one_pupil_registered_on_two_laptops_is_one_pupil_on_every_laptop,
    an_operation_edited_in_the_server_database_is_refused_by_a_new_laptop,
    a_long_offline_week_of_long_notes_pushes_in_batches_by_bytes,
    a_command_completes_while_a_slow_server_is_still_answering,
);

/// Both laptops hold the same journal, and each passes its replay check.
fn same_journal(a: &Device, b: &Device) {
    assert_eq!(
        a.journal.canonical_dump().expect("dump"),
        b.journal.canonical_dump().expect("dump")
    );
    a.journal.check_replay().expect("replay check on a");
    b.journal.check_replay().expect("replay check on b");
}

fn a_signature_and_a_concurrent_edit_read_the_same_on_both_laptops(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let (mut a, mut b) = (
        Device::enrolled(&server, &users[0]),
        Device::enrolled(&server, &users[1]),
    );
    let case = open_case(&mut a, "20121008-9882");
    let entry = a
        .journal
        .draft_entry(case, note("Hembesök: eleven var hemma"))
        .expect("draft");
    sync(&mut a);
    sync(&mut b);
    // At the same time: a signs what it sees, b edits the draft.
    a.journal.sign_entry(entry).expect("sign");
    b.journal
        .edit_draft(entry, note("Hembesök: eleven och mamma var hemma"))
        .expect("edit");
    sync(&mut b);
    sync(&mut a);
    sync(&mut b);
    for d in [&a, &b] {
        let e = d.journal.entry(entry).expect("entry");
        assert_eq!(e.status, "signed");
        assert_eq!(
            e.text, "Hembesök: eleven var hemma",
            "the signed text, everywhere"
        );
        let conflicts = d.journal.sync_status().expect("status").conflicts;
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert_eq!(conflicts[0].kind, "after-signature");
        assert_eq!(
            conflicts[0].lost_value,
            "Hembesök: eleven och mamma var hemma"
        );
        // The entry itself carries it, as the case view shows it.
        assert_eq!(
            e.conflicts
                .iter()
                .map(|c| (c.lost_op_id.as_str(), c.kind.as_str()))
                .collect::<Vec<_>>(),
            [(conflicts[0].lost_op_id.as_str(), "after-signature")]
        );
    }
    same_journal(&a, &b);
    // b adopts its text as a correction; a receives the choice.
    let lost = b.journal.sync_status().expect("status").conflicts[0]
        .lost_op_id
        .parse()
        .expect("uuid");
    b.journal
        .adopt_as_correction(lost, "Kom efter signeringen")
        .expect("adopt");
    sync(&mut b);
    sync(&mut a);
    let e = a.journal.entry(entry).expect("entry");
    assert_eq!(e.corrections.len(), 1);
    assert!(e.conflicts.is_empty(), "{:?}", e.conflicts);
    assert!(a
        .journal
        .sync_status()
        .expect("status")
        .conflicts
        .is_empty());
    same_journal(&a, &b);
}

fn one_pupil_registered_on_two_laptops_is_one_pupil_on_every_laptop(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let (mut a, mut b) = (
        Device::enrolled(&server, &users[0]),
        Device::enrolled(&server, &users[1]),
    );
    let case_a = open_case(&mut a, "20121008-9882");
    let case_b = open_case(&mut b, "201210089882");
    signed_notes(&mut a, case_a, 2, "Från Anna");
    signed_notes(&mut b, case_b, 3, "Från Bo");
    sync(&mut a);
    sync(&mut b);
    sync(&mut a);
    for d in [&a, &b] {
        assert_eq!(d.journal.list_pupils().expect("pupils").len(), 1);
        let cases = d.journal.list_cases(true).expect("cases");
        assert_eq!(cases.len(), 2, "both cases survive");
        assert!(cases.iter().all(|c| c.pupil_id == cases[0].pupil_id));
        assert_eq!(signed_ids(d, case_a).len() + signed_ids(d, case_b).len(), 5);
        assert!(d
            .journal
            .sync_status()
            .expect("status")
            .quarantined
            .is_empty());
    }
    same_journal(&a, &b);
}

fn an_operation_edited_in_the_server_database_is_refused_by_a_new_laptop(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna", "cecilia"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let case = open_case(&mut a, "20121008-9882");
    let entries = signed_notes(&mut a, case, 3, "Anteckning");
    sync(&mut a);
    server.tamper_sql(
        "UPDATE ops SET body = replace(body, 'Anteckning 1', 'Förfalskad') WHERE type = 'entry-drafted'",
    );
    let mut c = Device::enrolled(&server, &users[1]);
    sync(&mut c);
    let status = c.journal.sync_status().expect("status");
    let refused: Vec<_> = status
        .quarantined
        .iter()
        .filter(|q| q.code == "bad-signature")
        .collect();
    assert_eq!(refused.len(), 1, "{:?}", status.quarantined);
    assert_eq!(
        refused[0].params["device"],
        a.journal.device_id().to_string()
    );
    let texts: Vec<String> = c
        .journal
        .list_entries(case)
        .expect("entries")
        .into_iter()
        .map(|e| e.text)
        .collect();
    assert!(texts.iter().all(|t| !t.contains("Förfalskad")), "{texts:?}");
    assert_eq!(texts.len(), entries.len() - 1);
    c.journal
        .check_replay()
        .expect("every logged operation verifies");
}

fn a_long_offline_week_of_long_notes_pushes_in_batches_by_bytes(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let (mut a, mut b) = (
        Device::enrolled(&server, &users[0]),
        Device::enrolled(&server, &users[1]),
    );
    let case = open_case(&mut a, "20121008-9882");
    // 40 notes of 50 000 characters (about 100 KB each in UTF-8): more
    // than one push request can carry.
    // The longest text the journal takes (50 000 characters).
    let long = "å".repeat(50_000);
    for _ in 0..40 {
        a.journal
            .draft_entry(case, note(&long))
            .expect("a long note");
    }
    let report = sync(&mut a);
    assert_eq!(report.rejected, 0);
    assert_eq!(a.journal.sync_status().expect("status").pending, 0);
    sync(&mut b);
    assert_eq!(b.journal.list_entries(case).expect("entries").len(), 40);
    // A change larger than any batch is refused when it is written.
    let err = a
        .journal
        .draft_entry(
            case,
            NewEntry {
                participants: vec![long.clone(); 3],
                ..note(&long)
            },
        )
        .expect_err("too large to sync");
    assert!(err.to_string().contains("too large to sync"), "{err}");
}

/// A server that answers pulls only when the test lets it.
struct Slow<'a> {
    inner: &'a HttpTransport,
    asked: std::sync::mpsc::Sender<()>,
    answer: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
}

impl Transport for Slow<'_> {
    fn status(&self) -> Result<Remote, SyncError> {
        self.inner.status()
    }

    fn devices(&self) -> Result<Vec<DirectoryEntry>, SyncError> {
        self.inner.devices()
    }

    fn push(&self, ops: &[SignedOperation]) -> Result<Vec<(Uuid, PushVerdict)>, SyncError> {
        self.inner.push(ops)
    }

    fn pull(&self, after: i64, limit: u32) -> Result<PulledPage, SyncError> {
        let _ = self.asked.send(());
        let _ = self.answer.lock().expect("lock").recv();
        self.inner.pull(after, limit)
    }
}

fn a_command_completes_while_a_slow_server_is_still_answering(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let mut b = Device::enrolled(&server, &users[1]);
    let case = open_case(&mut b, "20121008-9882");
    signed_notes(&mut b, case, 2, "Från Bo");
    sync(&mut b);
    let a = Device::enrolled(&server, &users[0]);
    let transport = a.journal.server_transport().expect("transport");
    let journal = std::sync::Mutex::new(Some(a.journal));
    let (asked_tx, asked) = std::sync::mpsc::channel();
    let (answer, answer_rx) = std::sync::mpsc::channel();
    let slow = Slow {
        inner: &transport,
        asked: asked_tx,
        answer: std::sync::Mutex::new(answer_rx),
    };
    let (done_tx, done) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        s.spawn(|| {
            let report = brygga_core::sync::sync_detached(&journal, &slow, &|_| {});
            let _ = done_tx.send(report.map(|r| r.pulled.applied));
        });
        asked.recv().expect("the round reached the server");
        // The server has not answered; the journal is free for the window.
        let mine = {
            let mut guard = journal.lock().expect("journal");
            let j = guard.as_mut().expect("unlocked");
            let case = open_case_in(j, "20110315-2383");
            j.draft_entry(case, note("Skriven under synken"))
                .expect("draft")
        };
        assert!(done.try_recv().is_err(), "the round is still waiting");
        answer.send(()).expect("let the server answer");
        let applied = done.recv().expect("round ended").expect("round ok");
        assert!(
            applied >= 4,
            "the pull went on after the command: {applied}"
        );
        let guard = journal.lock().expect("journal");
        let j = guard.as_ref().expect("unlocked");
        assert_eq!(j.entry(mine).expect("entry").status, "draft");
        assert_eq!(signed_ids_of(j, case).len(), 2);
    });
}

fn note(text: &str) -> NewEntry {
    NewEntry {
        kind: EntryKind::Note,
        event_at: Utc::now(),
        participants: vec![],
        fields: BTreeMap::new(),
        text: text.into(),
    }
}

/// A pupil with an open case; returns the case id.
fn open_case(device: &mut Device, pnr: &str) -> Uuid {
    open_case_in(&mut device.journal, pnr)
}

fn open_case_in(journal: &mut brygga_core::Journal, pnr: &str) -> Uuid {
    let pupil = journal
        .add_pupil(NewPupil {
            name: "Fiktiv Elev".into(),
            personnummer: pnr.into(),
            school: "Fiktiva skolan".into(),
            grade: 8,
            protected_identity: false,
        })
        .expect("pupil");
    journal.open_case(pupil).expect("case")
}

fn signed_notes(device: &mut Device, case: Uuid, n: usize, prefix: &str) -> Vec<Uuid> {
    (0..n)
        .map(|i| {
            let id = device
                .journal
                .draft_entry(case, note(&format!("{prefix} {i}")))
                .expect("draft");
            device.journal.sign_entry(id).expect("sign");
            id
        })
        .collect()
}

fn sync(device: &mut Device) -> brygga_core::sync::SyncReport {
    device.journal.sync_with_server().expect("sync")
}

/// The ids of the signed entries of a case, sorted.
fn signed_ids(device: &Device, case: Uuid) -> Vec<String> {
    signed_ids_of(&device.journal, case)
}

fn signed_ids_of(journal: &brygga_core::Journal, case: Uuid) -> Vec<String> {
    let mut ids: Vec<String> = journal
        .list_entries(case)
        .expect("entries")
        .into_iter()
        .filter(|e| e.status == "signed")
        .map(|e| e.id)
        .collect();
    ids.sort();
    ids
}

fn what_one_device_signs_the_other_receives_and_concurrent_edits_converge(backend: Backend) {
    let server = Server::start(backend);
    let team = unique("team");
    let users = server.team(&team, &["anna", "bo"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let mut b = Device::enrolled(&server, &users[1]);

    let case = open_case(&mut a, "20120417-9939");
    let guardian = a
        .journal
        .add_guardian(NewGuardian {
            case_id: case,
            name: "Fiktiv Förälder".into(),
            relation: "mamma".into(),
            phone: None,
            email: None,
            address: None,
        })
        .expect("guardian");
    a.journal
        .set_guardian_field(guardian, GuardianField::Phone, "070-000 00 00")
        .expect("phone");
    let entries = signed_notes(&mut a, case, 3, "Signerad av Anna");
    a.journal
        .correct_entry(entries[0], "Rättad av Anna", "fel dag")
        .expect("correct");
    let pushed = sync(&mut a);
    assert_eq!(pushed.rejected, 0);

    let got = sync(&mut b);
    assert!(got.pulled.applied > 0);
    let mut expected: Vec<String> = entries.iter().map(Uuid::to_string).collect();
    expected.sort();
    assert_eq!(signed_ids(&b, case), expected, "B has what A signed");
    let shown = b.journal.entry(entries[0]).expect("entry on B");
    assert_eq!(shown.corrections[0].text, "Rättad av Anna");
    assert_eq!(shown.author, users[0], "the author is kept");

    // Both change the phone number while offline.
    a.journal
        .set_guardian_field(guardian, GuardianField::Phone, "070-111 11 11")
        .expect("A edits");
    b.journal
        .set_guardian_field(guardian, GuardianField::Phone, "070-222 22 22")
        .expect("B edits");
    sync(&mut a);
    sync(&mut b);
    sync(&mut a);

    let phone = |d: &Device| {
        let detail = d.journal.case_detail(case).expect("detail");
        let g = &detail.guardians[0];
        let lost: Vec<String> = g.conflicts.iter().map(|c| c.lost_value.clone()).collect();
        (g.phone.clone(), lost)
    };
    let (on_a, on_b) = (phone(&a), phone(&b));
    assert_eq!(on_a, on_b, "both devices agree, conflict included");
    let (winner, lost) = on_a;
    let winner = winner.expect("a phone number");
    assert!(["070-111 11 11", "070-222 22 22"].contains(&winner.as_str()));
    assert_eq!(lost.len(), 1, "the other value is kept for review");
    assert_ne!(lost[0], winner);
    for d in [&a, &b] {
        assert_eq!(d.journal.sync_status().expect("status").conflicts.len(), 1);
        d.journal
            .check_replay()
            .expect("tables are a replay of the log");
        assert_eq!(d.journal.sync_status().expect("status").pending, 0);
    }
}

/// Waits a little, then SIGKILLs the server while `work` runs.
fn kill_server_during<T: Send>(
    server: &mut Server,
    delay: Duration,
    work: impl FnOnce() -> T + Send,
) -> T {
    std::thread::scope(|s| {
        let handle = s.spawn(work);
        std::thread::sleep(delay);
        server.kill();
        handle.join().expect("the syncing thread")
    })
}

fn a_server_killed_mid_push_loses_and_duplicates_nothing(backend: Backend) {
    let mut server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let case = open_case(&mut a, "20121008-9882");
    let mut entries = Vec::new();
    let mut cut_rounds = 0;
    for (round, delay_ms) in [5u64, 20, 60].into_iter().enumerate() {
        entries.extend(signed_notes(&mut a, case, 400, &format!("Omgång {round}")));
        let journal = &mut a.journal;
        let cut = kill_server_during(&mut server, Duration::from_millis(delay_ms), || {
            journal.sync_with_server()
        });
        // Whether the kill landed before, during or after the push, the
        // round either finished or failed as unreachable.
        if let Err(e) = cut {
            assert!(matches!(e, SyncError::Unreachable(_)), "{e}");
            cut_rounds += 1;
        }
        server.restart();
    }
    assert!(cut_rounds > 0, "no kill landed while a sync was running");
    let report = sync(&mut a);
    assert_eq!(report.rejected, 0);
    let status = a.journal.sync_status().expect("status");
    assert_eq!(status.pending, 0);
    assert!(status.quarantined.is_empty(), "{:?}", status.quarantined);

    let mut b = Device::enrolled(&server, &users[1]);
    let got = sync(&mut b);
    let mut expected: Vec<String> = entries.iter().map(Uuid::to_string).collect();
    expected.sort();
    assert_eq!(
        signed_ids(&b, case),
        expected,
        "every signed entry arrived once"
    );
    assert_eq!(got.pulled.quarantined, 0);
    assert_eq!(
        got.pulled.applied as usize,
        a.journal.operations().expect("ops").len(),
        "the server holds each operation exactly once"
    );
}

fn a_client_killed_mid_sync_loses_and_duplicates_nothing(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let case = open_case(&mut a, "20120417-9939");
    let entries = signed_notes(&mut a, case, 1200, "Skrivet före avbrottet");
    let all_ops = a.journal.operations().expect("ops").len();
    let dir = a.dir.path().to_owned();
    drop(a.journal);
    let mut interrupted = 0;
    for delay_ms in [300u64, 500, 700] {
        let mut child = cli(&dir).arg("sync").spawn().expect("brygga sync");
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().expect("poll brygga").is_none() {
            interrupted += 1;
        }
        let _ = child.kill();
        child.wait().expect("reap brygga");
    }
    assert!(
        interrupted > 0,
        "no kill landed while `brygga sync` was running"
    );
    let out = cli(&dir)
        .args(["sync", "--json"])
        .output()
        .expect("brygga sync");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(&dir)
        .args(["sync", "--status", "--json"])
        .output()
        .expect("status");
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status json");
    assert_eq!(status["pending"], 0);
    assert_eq!(status["quarantined"].as_array().map(Vec::len), Some(0));

    let mut b = Device::enrolled(&server, &users[1]);
    let got = sync(&mut b);
    assert_eq!(
        got.pulled.applied as usize, all_ops,
        "no loss, no duplicate"
    );
    let mut expected: Vec<String> = entries.iter().map(Uuid::to_string).collect();
    expected.sort();
    assert_eq!(signed_ids(&b, case), expected);
}

/// Changes one operation on its way to the server, as an attacker on the
/// wire (or a bit flip) would; its signature no longer matches.
struct Tampering<'a> {
    inner: &'a HttpTransport,
    target: Uuid,
}

impl Transport for Tampering<'_> {
    fn status(&self) -> Result<Remote, SyncError> {
        self.inner.status()
    }

    fn devices(&self) -> Result<Vec<DirectoryEntry>, SyncError> {
        self.inner.devices()
    }

    fn push(&self, ops: &[SignedOperation]) -> Result<Vec<(Uuid, PushVerdict)>, SyncError> {
        let mut ops = ops.to_vec();
        for signed in ops.iter_mut().filter(|s| s.op.id == self.target) {
            signed.op.author.push_str(" (ändrad)");
        }
        self.inner.push(&ops)
    }

    fn pull(&self, after: i64, limit: u32) -> Result<PulledPage, SyncError> {
        self.inner.pull(after, limit)
    }
}

fn a_tampered_operation_is_quarantined_and_the_rest_lands(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let case = open_case(&mut a, "20121008-9882");
    let entries = signed_notes(&mut a, case, 5, "Anteckning");
    // The signature of the middle entry: nothing depends on it.
    let target = a
        .journal
        .operations()
        .expect("ops")
        .into_iter()
        .filter(|s| s.op.payload.type_name() == "entry-signed")
        .nth(2)
        .expect("third signature")
        .op
        .id;
    let transport = a.journal.server_transport().expect("transport");
    let report = a
        .journal
        .sync(&Tampering {
            inner: &transport,
            target,
        })
        .expect("the round completes");
    assert_eq!(report.rejected, 1);
    let status = a.journal.sync_status().expect("status");
    assert_eq!(
        status.pending, 0,
        "the bad operation does not block the queue"
    );
    assert_eq!(status.quarantined.len(), 1);
    assert_eq!(status.quarantined[0].op_id, target.to_string());
    assert!(
        status.quarantined[0].reason.contains("signature"),
        "{}",
        status.quarantined[0].reason
    );

    let mut b = Device::enrolled(&server, &users[1]);
    sync(&mut b);
    let on_b = b.journal.list_entries(case).expect("entries");
    assert_eq!(on_b.len(), entries.len(), "every entry arrived");
    let signed = on_b.iter().filter(|e| e.status == "signed").count();
    assert_eq!(signed, entries.len() - 1, "all but the tampered signature");
}

fn another_team_can_neither_pull_nor_push_the_cases(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna"]);
    let outsiders = server.team(&unique("other"), &["cecilia"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let mut c = Device::enrolled(&server, &outsiders[0]);
    let case = open_case(&mut a, "20120417-9939");
    signed_notes(&mut a, case, 3, "Teamets anteckning");
    sync(&mut a);

    let got = sync(&mut c);
    assert_eq!(got.pulled.applied, 0, "nothing of the other team is pulled");
    assert!(c.journal.list_cases(true).expect("cases").is_empty());

    let stolen = a.journal.operations().expect("ops");
    let verdicts = c
        .journal
        .server_transport()
        .expect("transport")
        .push(&stolen)
        .expect("the server answers");
    assert_eq!(verdicts.len(), stolen.len());
    assert!(
        verdicts
            .iter()
            .all(|(_, v)| matches!(v, PushVerdict::Rejected(_))),
        "{verdicts:?}"
    );
}

fn a_revoked_device_wipes_its_journal_at_next_sync(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let case = open_case(&mut a, "20121008-9882");
    signed_notes(&mut a, case, 2, "Före spärren");
    sync(&mut a);
    server.admin(&["device", "revoke", &a.journal.device_id().to_string()]);

    let report = sync(&mut a);
    assert!(report.wiped);
    let left: Vec<_> = std::fs::read_dir(a.dir.path())
        .expect("device dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(
        left.is_empty(),
        "the journal and its key are gone: {left:?}"
    );
}
