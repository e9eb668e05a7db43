//! Client ↔ server scenarios of docs/sync.md, each run against the
//! embedded SQLite store and against PostgreSQL. Real processes, real TLS
//! on loopback, real SQLCipher journals. All people here are fictional.

use brygga_core::sync::{
    plan::Remote, HttpTransport, NoticesPage, PulledPage, PushVerdict, SyncError, Transport,
};
use brygga_core::{AuditFilter, GuardianField, Journal, NewEntry, NewGuardian};
use brygga_e2e::{
    cli, note, on_both_backends, open_case, open_case_in, pass, signed_note, signed_notes, sync,
    unique, Backend, Device, Server,
};
use brygga_protocol::api::{AuditPushResponse, DirectoryEntry};
use brygga_protocol::audit::AuditRow;
use brygga_protocol::op::SignedOperation;
use std::time::Duration;
use uuid::Uuid;

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
    a_round_started_during_another_waits_and_leaves_nothing_pending,
    a_round_from_before_a_lock_ends_and_leaves_nothing_pending,
    audit_rows_reach_the_server_once_with_their_chain,
    a_laptop_restored_from_an_old_copy_is_a_break_the_admin_sees,
    a_server_restored_from_a_backup_gets_back_what_it_lost,
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
    // Only this laptop's rows: on PostgreSQL the scenarios running at the
    // same time share one database.
    server.tamper_sql(&format!(
        "UPDATE ops SET body = replace(body, 'Anteckning 1', 'Förfalskad') \
         WHERE type = 'entry-drafted' AND device_id = '{}'",
        a.journal.device_id()
    ));
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
                key_persons: Vec::new(),
                ..note(&long)
            },
        )
        .expect_err("too large to sync");
    assert!(err.to_string().contains("too large to sync"), "{err}");
}

/// The call a [`Slow`] server holds back.
#[derive(Clone, Copy, PartialEq)]
enum Gate {
    Push,
    Pull,
}

/// A server that answers one kind of call only when the test lets it.
struct Slow<'a> {
    inner: &'a HttpTransport,
    gate: Gate,
    asked: std::sync::mpsc::Sender<()>,
    answer: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
}

impl<'a> Slow<'a> {
    /// The server, and the two ends the test holds: told when the call
    /// is asked, and what lets it be answered.
    fn new(
        inner: &'a HttpTransport,
        gate: Gate,
    ) -> (
        Self,
        std::sync::mpsc::Receiver<()>,
        std::sync::mpsc::Sender<()>,
    ) {
        let (asked, asked_rx) = std::sync::mpsc::channel();
        let (answer_tx, answer) = std::sync::mpsc::channel();
        let slow = Slow {
            inner,
            gate,
            asked,
            answer: std::sync::Mutex::new(answer),
        };
        (slow, asked_rx, answer_tx)
    }

    fn hold(&self, call: Gate) {
        if call == self.gate {
            let _ = self.asked.send(());
            let _ = self.answer.lock().expect("lock").recv();
        }
    }
}

impl Transport for Slow<'_> {
    fn status(&self) -> Result<Remote, SyncError> {
        self.inner.status()
    }

    fn devices(&self) -> Result<Vec<DirectoryEntry>, SyncError> {
        self.inner.devices()
    }

    fn push(&self, ops: &[SignedOperation]) -> Result<Vec<(Uuid, PushVerdict)>, SyncError> {
        self.hold(Gate::Push);
        self.inner.push(ops)
    }

    fn pull(&self, after: i64, limit: u32) -> Result<PulledPage, SyncError> {
        self.hold(Gate::Pull);
        self.inner.pull(after, limit)
    }

    fn push_audit(&self, rows: &[AuditRow]) -> Result<AuditPushResponse, SyncError> {
        self.inner.push_audit(rows)
    }

    fn notices(&self, after: i64) -> Result<NoticesPage, SyncError> {
        self.inner.notices(after)
    }

    fn case_ops(&self, case_id: Uuid) -> Result<PulledPage, SyncError> {
        self.inner.case_ops(case_id)
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
    let (slow, asked, answer) = Slow::new(&transport, Gate::Pull);
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

fn a_round_started_during_another_waits_and_leaves_nothing_pending(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let case = open_case(&mut a, "20121008-9882");
    signed_notes(&mut a, case, 2, "Före synken");
    let transport = a.journal.server_transport().expect("transport");
    let journal = std::sync::Mutex::new(Some(a.journal));
    // The background round and the sync button's, each with a server
    // that holds its push until the test lets it answer.
    let (background, background_asked, background_answer) = Slow::new(&transport, Gate::Push);
    let (button, button_asked, button_answer) = Slow::new(&transport, Gate::Push);
    std::thread::scope(|s| {
        let first = s.spawn(|| brygga_core::sync::sync_detached(&journal, &background, &|_| {}));
        background_asked.recv().expect("the first round is pushing");
        let during = {
            let mut guard = journal.lock().expect("journal");
            signed_note(guard.as_mut().expect("unlocked"), case, "Under synken")
        };
        let second = s.spawn(|| brygga_core::sync::sync_detached(&journal, &button, &|_| {}));
        // Had the second round not waited, it would push everything and
        // record it, and the first would then record its shorter push
        // over it. Both servers answer either way, so a failure here ends
        // the test instead of hanging it.
        let waited = button_asked
            .recv_timeout(Duration::from_millis(500))
            .is_err();
        background_answer
            .send(())
            .expect("let the first push be answered");
        first.join().expect("first round").expect("first round ok");
        if waited {
            button_asked
                .recv()
                .expect("the second round pushes after the first");
        }
        button_answer
            .send(())
            .expect("let the second push be answered");
        let report = second
            .join()
            .expect("second round")
            .expect("second round ok");
        assert!(
            waited,
            "the second round reached the server while the first was still pushing"
        );
        assert_eq!(
            report.pushed, 2,
            "the note signed during the first round: draft and signature"
        );
        let guard = journal.lock().expect("journal");
        assert_eq!(
            guard
                .as_ref()
                .expect("unlocked")
                .sync_status()
                .expect("status")
                .pending,
            0
        );
        drop(guard);
        let mut b = Device::enrolled(&server, &users[1]);
        sync(&mut b);
        assert!(signed_ids_of(&b.journal, case).contains(&during.to_string()));
        assert_eq!(signed_ids_of(&b.journal, case).len(), 3);
    });
}

fn a_round_from_before_a_lock_ends_and_leaves_nothing_pending(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let case = open_case(&mut a, "20121008-9882");
    signed_notes(&mut a, case, 2, "Före låsningen");
    let transport = a.journal.server_transport().expect("transport");
    let Device { dir, journal } = a;
    let journal = std::sync::Mutex::new(Some(journal));
    let (slow, asked, answer) = Slow::new(&transport, Gate::Push);
    std::thread::scope(|s| {
        let old = s.spawn(|| brygga_core::sync::sync_detached(&journal, &slow, &|_| {}));
        asked.recv().expect("the old round is pushing");
        // Ctrl+L and the passphrase again, while the server has not
        // answered: the window holds a new `Journal` of the same file.
        {
            let mut guard = journal.lock().expect("journal");
            let locked = guard.take().expect("unlocked");
            locked.lock("locked by the user").expect("lock");
            let mut reopened = Journal::open(dir.path(), &pass()).expect("unlock");
            signed_note(&mut reopened, case, "Efter låsningen");
            *guard = Some(reopened);
        }
        let report = brygga_core::sync::sync_detached(&journal, &transport, &|_| {});
        // Answered before anything is asserted, so a failure ends the test
        // instead of hanging it.
        answer.send(()).expect("let the old push be answered");
        let old = old.join().expect("old round");
        let report = report.expect("the new session's round");
        assert!(
            matches!(old, Err(SyncError::Locked)),
            "the old round ends as locked: {old:?}"
        );
        assert_eq!(
            report.pushed, 8,
            "everything: the pupil, the case and both sessions' notes"
        );
        let guard = journal.lock().expect("journal");
        let status = guard
            .as_ref()
            .expect("unlocked")
            .sync_status()
            .expect("status");
        assert_eq!(
            status.pending, 0,
            "the old round wrote nothing over the new one's push"
        );
    });
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

    fn push_audit(&self, rows: &[AuditRow]) -> Result<AuditPushResponse, SyncError> {
        self.inner.push_audit(rows)
    }

    fn notices(&self, after: i64) -> Result<NoticesPage, SyncError> {
        self.inner.notices(after)
    }

    fn case_ops(&self, case_id: Uuid) -> Result<PulledPage, SyncError> {
        self.inner.case_ops(case_id)
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

// ------------------------------------------------- the audit log on the server --

/// The server's review of one device: `audit list --device ID --json`.
fn server_audit(server: &Server, device: &str) -> Vec<serde_json::Value> {
    let text = server.admin(&["audit", "list", "--device", device, "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&text).expect("json");
    rows.as_array().expect("array").clone()
}

/// The seqs of the device rows the server holds, in the review's order.
fn held_seqs(rows: &[serde_json::Value]) -> Vec<i64> {
    rows.iter()
        .filter(|r| r["source"] == "device")
        .map(|r| r["seq"].as_i64().expect("seq"))
        .collect()
}

/// The chain breaks the server recorded for one device.
fn breaks_of(server: &Server, device: &str) -> Vec<serde_json::Value> {
    let text = server.admin(&["audit", "breaks", "--json"]);
    let all: serde_json::Value = serde_json::from_str(&text).expect("json");
    all.as_array()
        .expect("array")
        .iter()
        .filter(|b| b["device_id"] == device)
        .cloned()
        .collect()
}

/// This laptop's device id, as its audit rows carry it.
fn device_id(journal: &Journal) -> String {
    journal
        .audit_list(&AuditFilter::default())
        .expect("audit")
        .first()
        .expect("the first row")
        .device_id
        .clone()
}

/// Sends the audit rows but loses every answer, as a cut network would.
struct LosesAuditAnswers<'a> {
    inner: &'a HttpTransport,
}

impl Transport for LosesAuditAnswers<'_> {
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
        self.inner.pull(after, limit)
    }

    fn push_audit(&self, rows: &[AuditRow]) -> Result<AuditPushResponse, SyncError> {
        self.inner.push_audit(rows)?;
        Err(SyncError::Unreachable("connection cut (test)".into()))
    }

    fn notices(&self, after: i64) -> Result<NoticesPage, SyncError> {
        self.inner.notices(after)
    }

    fn case_ops(&self, case_id: Uuid) -> Result<PulledPage, SyncError> {
        self.inner.case_ops(case_id)
    }
}

fn audit_rows_reach_the_server_once_with_their_chain(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let case = open_case(&mut a, "20121008-9882");
    signed_notes(&mut a, case, 2, "Samtal");
    a.journal.case_detail(case).expect("a read");
    let id = device_id(&a.journal);

    // The answers are lost: the rows reach the server, the laptop does
    // not know it and sends them again.
    let transport = a.journal.server_transport().expect("transport");
    let cut = a.journal.sync(&LosesAuditAnswers { inner: &transport });
    assert!(matches!(cut, Err(SyncError::Unreachable(_))), "{cut:?}");
    let report = sync(&mut a);
    assert_eq!(report.audit_breaks, 0, "{report:?}");
    assert!(report.audit_pushed > 0);

    // Every row of the laptop, once, in order; reads included; none after
    // a break, and no break recorded.
    let on_laptop: Vec<i64> = a
        .journal
        .audit_list(&AuditFilter::default())
        .expect("audit")
        .iter()
        .map(|r| r.seq)
        .collect();
    let rows = server_audit(&server, &id);
    let held = held_seqs(&rows);
    assert_eq!(held, on_laptop[..held.len()].to_vec());
    assert_eq!(held, (1..=held.len() as i64).collect::<Vec<_>>());
    assert!(rows
        .iter()
        .any(|r| r["source"] == "device" && r["action"] == "read" && r["pupil_id"].is_string()));
    assert!(rows
        .iter()
        .any(|r| r["source"] == "server" && r["action"] == "audit.push"));
    assert!(rows.iter().all(|r| r["after_break"] == false));
    let times: Vec<i64> = rows
        .iter()
        .map(|r| r["at_ms"].as_i64().expect("time"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "sorted by time");
    assert!(breaks_of(&server, &id).is_empty());

    // The next round sends only what is new (the rows of the last round).
    let next = sync(&mut a);
    assert!(next.audit_pushed <= 3, "{next:?}");
    assert!(breaks_of(&server, &id).is_empty());
}

/// Copies a journal's files (no write under way), as a backup would.
fn copy_journal(from: &std::path::Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().expect("copy dir");
    for entry in std::fs::read_dir(from).expect("journal dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), to.path().join(entry.file_name())).expect("copy");
        }
    }
    to
}

fn a_laptop_restored_from_an_old_copy_is_a_break_the_admin_sees(backend: Backend) {
    let server = Server::start(backend);
    let users = server.team(&unique("team"), &["anna"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let case = open_case(&mut a, "20121008-9882");
    sync(&mut a);
    let old_copy = copy_journal(a.dir.path());
    // The laptop works on and syncs: the server holds rows the copy lacks.
    for _ in 0..3 {
        a.journal.case_detail(case).expect("a read");
    }
    sync(&mut a);
    let id = device_id(&a.journal);
    let held_before = held_seqs(&server_audit(&server, &id)).len();
    drop(a);

    // The laptop is restored from the copy, and reads again.
    let mut restored = Device {
        journal: Journal::open(old_copy.path(), &brygga_e2e::pass()).expect("open the copy"),
        dir: old_copy,
    };
    restored.journal.case_detail(case).expect("a read");
    let report = sync(&mut restored);
    assert_eq!(report.audit_breaks, 1, "{report:?}");
    let status = restored.journal.sync_status().expect("status");
    assert_eq!(status.audit_breaks, 1, "the sync panel shows it");
    let breaks = breaks_of(&server, &id);
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(breaks[0]["kind"], "went-back");
    let seq = breaks[0]["seq"].as_i64().expect("seq");
    assert!(
        seq as usize <= held_before,
        "{seq} within the {held_before} rows held"
    );

    // Nothing is lost: the server keeps both versions of the rewritten
    // rows, the new ones marked; and the laptop goes on without a new
    // break.
    let rows = server_audit(&server, &id);
    assert!(rows
        .iter()
        .any(|r| r["seq"] == seq && r["after_break"] == true));
    assert!(rows
        .iter()
        .any(|r| r["seq"] == seq && r["after_break"] == false));
    assert!(rows
        .iter()
        .any(|r| r["source"] == "server" && r["action"] == "audit.break"));
    restored.journal.case_detail(case).expect("a read");
    let next = sync(&mut restored);
    assert_eq!(next.audit_breaks, 0, "{next:?}");
    assert_eq!(breaks_of(&server, &id).len(), 1, "recorded once");
}

/// docs/backup.md: the server is restored to a backup made before some
/// work was pushed, two laptops were enrolled and one of them, after
/// writing, revoked. The admin log brings back the enrolments and the
/// revocation; the laptops see the new history epoch and push again what
/// they hold, the revoked laptop's work included.
fn a_server_restored_from_a_backup_gets_back_what_it_lost(backend: Backend) {
    let mut server = Server::start(backend.own_database());
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let case = open_case(&mut a, "20121008-9882");
    signed_notes(&mut a, case, 2, "Före säkerhetskopian");
    let before = sync(&mut a).pushed;
    let backup = server.backup();

    signed_notes(&mut a, case, 3, "Efter säkerhetskopian");
    let after = sync(&mut a).pushed;
    let mut b = Device::enrolled(&server, &users[1]);
    let mut c = Device::enrolled(&server, &users[1]);
    sync(&mut c);
    signed_notes(&mut c, case, 2, "Från datorn som spärras");
    sync(&mut c);
    sync(&mut b);
    let c_id = c.journal.device_id().to_string();
    server.admin(&["device", "revoke", &c_id]);
    let all = signed_ids(&b, case);
    assert_eq!(
        all.len(),
        7,
        "five notes of the first laptop, two of the revoked one"
    );

    let printed = server.restore(&backup);
    let b_id = b.journal.device_id().to_string();
    let line_of = |id: &str, action: &str| {
        printed
            .lines()
            .find(|l| l.contains(id) && l.contains(action))
            .unwrap_or_else(|| panic!("no {action} of {id} in:\n{printed}"))
            .to_owned()
    };
    assert!(line_of(&b_id, "device-enroll").contains("re-applied"));
    assert!(line_of(&c_id, "device-revoke").contains("re-applied"));

    // The first laptop pushes again every operation it holds, all its own
    // (the server had lost those of its last three notes), and its whole
    // audit log: the rows the backup held are duplicates, the rest extend
    // the chain, and nothing is a break.
    let report = sync(&mut a);
    assert_eq!(
        (report.pushed, report.rejected, report.audit_breaks),
        (before + after, 0, 0),
        "{report:?}"
    );
    // The laptop enrolled after the backup still reaches the server, and
    // pushes again what it holds of the revoked laptop's work.
    let report = sync(&mut b);
    assert_eq!(report.rejected, 0, "{report:?}");
    assert_eq!(signed_ids(&b, case), all);
    // A new laptop gets the whole case from the restored server.
    let mut d = Device::enrolled(&server, &users[1]);
    sync(&mut d);
    assert_eq!(signed_ids(&d, case), all);
    // The revocation made after the backup still stands.
    assert!(
        sync(&mut c).wiped,
        "the revoked laptop is wiped at its next sync"
    );
    let devices = server.admin(&["device", "list", "--json"]);
    let devices: serde_json::Value = serde_json::from_str(&devices).expect("json");
    let status_of = |id: &str| {
        devices
            .as_array()
            .expect("list")
            .iter()
            .find(|d| d["id"] == id)
            .map(|d| d["status"].clone())
    };
    assert_eq!(status_of(&c_id), Some("revoked".into()));
    let a_id = a.journal.device_id().to_string();
    let held = server_audit(&server, &a_id);
    let on_laptop = a
        .journal
        .audit_list(&AuditFilter::default())
        .expect("audit");
    assert_eq!(
        held_seqs(&held)[..],
        on_laptop.iter().map(|r| r.seq).collect::<Vec<_>>()[..held_seqs(&held).len()],
        "the server holds the first laptop's audit log again, in order"
    );
    assert!(breaks_of(&server, &a_id).is_empty());
}
