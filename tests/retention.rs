//! Retention scenarios of docs/retention.md, each against the embedded
//! SQLite store and against PostgreSQL (on a database of its own: the
//! retention settings are the whole server's). Real server processes, real
//! TLS on loopback, real SQLCipher journals. All people here are fictional.

use brygga_core::sync::{
    plan::Remote, HttpTransport, NoticesPage, PulledPage, PushVerdict, SyncError, Transport,
};
use brygga_e2e::{
    cli, on_both_backends, open_case, run_ok, signed_notes, sync, unique, Backend, Device, Server,
};
use brygga_protocol::api::{AuditPushResponse, DirectoryEntry};
use brygga_protocol::audit::AuditRow;
use brygga_protocol::notice::{NoticeBody, SignedNotice};
use brygga_protocol::op::SignedOperation;
use serde_json::value::RawValue;
use uuid::Uuid;

on_both_backends!(
    a_closed_case_leaves_the_laptops_and_comes_back_when_reopened,
    a_purge_reaches_every_laptop_and_a_forged_one_none,
    a_laptop_refuses_a_server_with_another_notice_key,
    a_purge_after_the_backup_stays_purged_after_a_restore,
);

/// The cases a laptop lists, open and closed.
fn case_ids(device: &Device) -> Vec<String> {
    let mut ids: Vec<String> = device
        .journal
        .list_cases(true)
        .expect("cases")
        .into_iter()
        .map(|c| c.id)
        .collect();
    ids.sort();
    ids
}

fn left(device: &Device) -> Vec<(String, String)> {
    device
        .journal
        .left_cases()
        .expect("left cases")
        .into_iter()
        .map(|c| (c.case_id, c.reason))
        .collect()
}

fn a_closed_case_leaves_the_laptops_and_comes_back_when_reopened(backend: Backend) {
    let server = Server::start(backend.own_database());
    server.admin(&["retention", "settings", "--leave-laptop-days", "0"]);
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let (mut a, mut b) = (
        Device::enrolled(&server, &users[0]),
        Device::enrolled(&server, &users[1]),
    );
    let case = open_case(&mut a, "20121008-9882");
    signed_notes(&mut a, case, 3, "Hembesök om skolstarten");
    let open = open_case(&mut a, "20120417-9939");
    signed_notes(&mut a, open, 1, "Samtal med mentorn");
    a.journal.close_case(case).expect("close");

    let report = sync(&mut a);
    assert_eq!(report.notices, 1, "the waiting time of the municipality");
    assert_eq!(report.cases_left, 1, "the server holds it all: it leaves");
    for device in [&mut a, &mut b] {
        if device.journal.left_cases().expect("left").is_empty() {
            assert_eq!(sync(device).cases_left, 1, "b pulls it closed: it leaves");
        }
        assert_eq!(case_ids(device), vec![open.to_string()]);
        assert_eq!(left(device), vec![(case.to_string(), "closed".into())]);
        assert!(
            device
                .journal
                .search("skolstarten", 10)
                .expect("search")
                .is_empty(),
            "its text is out of the search index"
        );
        assert_eq!(
            device.journal.search("mentorn", 10).expect("search").len(),
            1
        );
        device
            .journal
            .check_replay()
            .expect("a replay of what is left");
    }
    // Work goes on: new operations take numbers past the ones that left.
    signed_notes(&mut a, open, 1, "Uppföljning");
    sync(&mut a);
    let status = a.journal.sync_status().expect("status");
    assert_eq!(status.pending, 0);
    assert!(status.quarantined.is_empty(), "{:?}", status.quarantined);

    // bo reopens it from the command line: fetched back, then reopened.
    run_ok(cli(b.dir.path()).args(["case", "reopen", &case.to_string()]));
    b.reopen();
    let cases = b.journal.list_cases(false).expect("cases");
    let back = cases
        .iter()
        .find(|c| c.id == case.to_string())
        .expect("the case is back and open");
    assert_eq!(back.signed, 3, "with every signed entry");
    assert!(left(&b).is_empty());
    b.journal.check_replay().expect("replays");
    sync(&mut b);
    // anna's laptop sees the reopening name a case that left it: it
    // fetches the case back in the same round.
    let report = sync(&mut a);
    assert_eq!(report.cases_back, 1);
    assert_eq!(case_ids(&a), case_ids(&b));
    assert_eq!(
        a.journal.canonical_dump().expect("dump"),
        b.journal.canonical_dump().expect("dump")
    );
    a.journal.check_replay().expect("replays");
}

/// A server that changes the case a purge notice names, in flight.
struct ForgesPurges<'a> {
    inner: &'a HttpTransport,
    to: Uuid,
}

impl Transport for ForgesPurges<'_> {
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
        self.inner.push_audit(rows)
    }

    fn notices(&self, after: i64) -> Result<NoticesPage, SyncError> {
        let mut answer = self.inner.notices(after)?;
        for (_, raw) in &mut answer.notices {
            let mut signed: SignedNotice = serde_json::from_str(raw.get()).expect("a notice");
            if let NoticeBody::CasePurged { case_id } = &mut signed.notice.body {
                *case_id = self.to;
            }
            *raw =
                RawValue::from_string(serde_json::to_string(&signed).expect("JSON")).expect("JSON");
        }
        Ok(answer)
    }

    fn case_ops(&self, case_id: Uuid) -> Result<PulledPage, SyncError> {
        self.inner.case_ops(case_id)
    }
}

fn a_purge_reaches_every_laptop_and_a_forged_one_none(backend: Backend) {
    let server = Server::start(backend.own_database());
    // Purged as soon as closed; laptops keep closed cases (30 days).
    server.admin(&["retention", "settings", "--case-years", "0"]);
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let (mut a, mut b) = (
        Device::enrolled(&server, &users[0]),
        Device::enrolled(&server, &users[1]),
    );
    let case = open_case(&mut a, "20121008-9882");
    signed_notes(&mut a, case, 2, "Hembesök om skolstarten");
    a.journal.close_case(case).expect("close");
    let kept = open_case(&mut a, "20120417-9939");
    a.journal.close_case(kept).expect("close");
    sync(&mut a);
    sync(&mut b);
    assert_eq!(case_ids(&b), case_ids(&a));
    server.admin(&[
        "retention",
        "keep",
        &kept.to_string(),
        "--reason",
        "Begärd av förvaltningsrätten",
    ]);
    let due = server.admin(&["retention", "list", "--due", "--json"]);
    assert!(due.contains(&case.to_string()), "{due}");
    assert!(
        !due.contains(&kept.to_string()),
        "a kept case is not due: {due}"
    );
    let dry = server.admin(&["retention", "purge", "--dry-run"]);
    assert!(dry.contains(&case.to_string()), "{dry}");
    assert!(server
        .admin(&["retention", "list", "--due"])
        .contains(&case.to_string()));
    server.admin(&["retention", "purge"]);
    assert!(!server
        .admin(&["retention", "list", "--due"])
        .contains(&case.to_string()));

    // bo takes in the genuine notice: the case is gone for good.
    let report = sync(&mut b);
    assert_eq!(report.notices, 1);
    assert_eq!(case_ids(&b), vec![kept.to_string()]);
    assert_eq!(left(&b), vec![(case.to_string(), "purged".into())]);
    assert!(b
        .journal
        .search("skolstarten", 10)
        .expect("search")
        .is_empty());
    b.journal.check_replay().expect("replays, notices verified");
    let refused = cli(b.dir.path())
        .args(["case", "reopen", &case.to_string()])
        .output()
        .expect("run brygga");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("purged"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    // anna's notice is altered in flight to name the kept case: refused,
    // and nothing is removed.
    let transport = a.journal.server_transport().expect("transport");
    let report = a
        .journal
        .sync(&ForgesPurges {
            inner: &transport,
            to: kept,
        })
        .expect("the round completes");
    assert_eq!(report.notices, 0);
    assert_eq!(case_ids(&a), {
        let mut both = vec![case.to_string(), kept.to_string()];
        both.sort();
        both
    });
    let quarantined = a.journal.sync_status().expect("status").quarantined;
    assert!(
        quarantined.iter().any(|q| q.code == "bad-notice"),
        "{quarantined:?}"
    );

    // A laptop enrolled after the purge never sees the case.
    let mut c = Device::enrolled(&server, &users[1]);
    sync(&mut c);
    assert_eq!(case_ids(&c), vec![kept.to_string()]);

    // The server's audit says what was purged, without its content.
    let audit = server.admin(&["audit", "list", "--json"]);
    assert!(audit.contains("retention.purge"), "{audit}");
    assert!(!audit.contains("skolstarten"), "no content in the audit");
}

fn a_laptop_refuses_a_server_with_another_notice_key(backend: Backend) {
    let mut server = Server::start(backend.own_database());
    let users = server.team(&unique("team"), &["anna"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let case = open_case(&mut a, "20121008-9882");
    sync(&mut a);
    // The server comes back with a key of its own making: another server,
    // as far as the laptop can tell.
    server.kill();
    std::fs::remove_file(server.data_dir().join("notice-key.pk8")).expect("remove the key");
    server.restart();
    signed_notes(&mut a, case, 1, "Anteckning");
    let err = a.journal.sync_with_server().expect_err("refused");
    assert!(matches!(err, SyncError::ServerKeyChanged), "{err}");
    let status = a.journal.sync_status().expect("status");
    assert_eq!(status.pending, 2, "nothing was sent to it");
    assert_eq!(
        status.last_error.expect("the failure is shown").code,
        "server_key_changed"
    );
}

fn a_purge_after_the_backup_stays_purged_after_a_restore(backend: Backend) {
    let mut server = Server::start(backend.own_database());
    server.admin(&["retention", "settings", "--case-years", "0"]);
    let users = server.team(&unique("team"), &["anna", "bo"]);
    let mut a = Device::enrolled(&server, &users[0]);
    let case = open_case(&mut a, "20121008-9882");
    signed_notes(&mut a, case, 2, "Hembesök om skolstarten");
    a.journal.close_case(case).expect("close");
    sync(&mut a);
    let backup = server.backup();
    server.admin(&["retention", "purge"]);
    let printed = server.restore(&backup);
    assert!(
        printed.contains(&case.to_string()),
        "the purge is re-applied: {printed}"
    );
    assert!(!server
        .admin(&["retention", "list", "--json"])
        .contains(&case.to_string()));

    // anna's laptop sees the restore and pushes everything it holds again:
    // the server refuses the purged case's operations, and the notice of
    // the purge, sent again, removes the case here.
    let report = sync(&mut a);
    assert!(report.rejected > 0, "the case's operations are refused");
    assert!(case_ids(&a).is_empty());
    assert_eq!(left(&a), vec![(case.to_string(), "purged".into())]);
    let status = a.journal.sync_status().expect("status");
    assert!(
        status.quarantined.is_empty(),
        "the refused operations left with their case: {:?}",
        status.quarantined
    );
    a.journal.check_replay().expect("replays");
    let mut b = Device::enrolled(&server, &users[1]);
    sync(&mut b);
    assert!(case_ids(&b).is_empty(), "the restore did not bring it back");
}
