//! HTTP-level tests: the real `brygga-server` binary on 127.0.0.1 with its
//! self-signed TLS certificate, a real HTTPS client, and the admin CLI.
//! Every scenario runs against SQLite and (with BRYGGA_TEST_POSTGRES_URL)
//! against PostgreSQL.

mod common;

use brygga_protocol::api::{self, codes, Outcome, ROUTES};
use brygga_protocol::op::Payload;
use common::{postgres_url, pupil_payload, Device, ServerHome};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Declares `sqlite_NAME` and `postgres_NAME` tests running `scenario`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(None).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(url) = super::postgres_url() {
                        super::$name(Some(&url)).await;
                    }
                }
            )*
        }
    };
}

both_backends!(
    enrolment_codes_are_one_time_and_expire,
    a_batch_lands_around_a_tampered_operation,
    pull_pages_through_the_team_log,
    another_team_can_neither_pull_nor_push_the_case,
    a_replayed_request_is_refused,
    a_revoked_device_is_told_to_wipe,
    kill_9_mid_push_loses_nothing_and_duplicates_nothing,
    the_device_directory_lists_the_team_and_revocations,
    an_operation_over_max_op_bytes_is_rejected_alone,
    audit_rows_are_checked_against_the_chain_the_server_holds,
);

/// A server, a team, a user, and one enrolled device.
async fn setup(pg: Option<&str>) -> (ServerHome, common::Server, String, Device) {
    let home = ServerHome::new(pg);
    let (team, user) = home.team_and_user();
    let server = home.start();
    let device = Device::new(&server);
    let enrolled = device.enroll_ok(&home.enroll_code(&user, 60)).await;
    assert_eq!(enrolled.team, team);
    assert_eq!(enrolled.user, user);
    (home, server, user, device)
}

async fn enrolment_codes_are_one_time_and_expire(pg: Option<&str>) {
    let home = ServerHome::new(pg);
    let (team, user) = home.team_and_user();
    let server = home.start();
    let code = home.enroll_code(&user, 60);
    // The code pins the certificate the server serves.
    let parsed: brygga_protocol::api::EnrollCode = code.parse().expect("code format");
    assert_eq!(
        parsed.server_pin,
        home.admin(&["cert", "fingerprint"]).trim()
    );

    let a = Device::new(&server);
    let r = a.enroll_ok(&code).await;
    assert_eq!((r.device_id, r.team.as_str()), (a.id, team.as_str()));
    assert!((r.server_time_ms - common::now_ms()).abs() < 60_000);
    assert_eq!(a.status().await.team, team);

    // Second use of the same code.
    let b = Device::new(&server);
    let again = b.enroll(&code).await;
    assert_eq!(again.status, 401);
    assert_eq!(again.error().code, codes::INVALID_CODE);
    assert!(again.error().message.contains("already used"));

    // An expired code.
    let expired = home.enroll_code(&user, 0);
    let late = b.enroll(&expired).await;
    assert_eq!(late.status, 401);
    assert!(late.error().message.contains("expired"));

    // A made-up code.
    let bogus = b.enroll("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").await;
    assert_eq!(bogus.status, 401);
    assert_eq!(bogus.error().code, codes::INVALID_CODE);

    // A device id that is enrolled already.
    let mut c = Device::new(&server);
    c.id = a.id;
    let taken = c.enroll(&home.enroll_code(&user, 60)).await;
    assert_eq!(taken.status, 409);
    assert_eq!(taken.error().code, codes::DEVICE_EXISTS);

    // The list shows the device; the audit shows the enrolment.
    let list: serde_json::Value =
        serde_json::from_str(&home.admin(&["device", "list", "--json"])).expect("json");
    assert!(list
        .as_array()
        .expect("array")
        .iter()
        .any(|d| d["id"] == a.id.to_string() && d["status"] == "active" && d["team"] == team));
    let audit = home.admin(&["audit", "list", "--json"]);
    assert!(audit.contains("device.enroll") && audit.contains(&a.id.to_string()));
}

async fn a_batch_lands_around_a_tampered_operation(pg: Option<&str>) {
    let (_home, _server, _user, mut dev) = setup(pg).await;
    let pupil = Uuid::now_v7();
    let case = Uuid::now_v7();
    let first = dev.op(pupil_payload(pupil));
    let mut tampered = dev.op(Payload::CaseOpened {
        case_id: case,
        pupil_id: pupil,
    });
    let third = dev.op(Payload::CaseOpened {
        case_id: Uuid::now_v7(),
        pupil_id: pupil,
    });
    // Changed after signing: the signature no longer matches.
    tampered.op.hlc.counter += 1;
    let batch = vec![first.clone(), tampered.clone(), third.clone()];
    let r = dev.push(&batch).await;
    let outcomes: Vec<Outcome> = r.results.iter().map(|x| x.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Accepted, Outcome::Rejected, Outcome::Accepted]
    );
    assert!(r.results[1]
        .reason
        .as_deref()
        .expect("reason")
        .contains("signature"));
    assert_eq!(r.results[1].server_seq, None);
    assert_eq!(
        (r.results[0].op_id, r.results[0].seq, r.results[0].device_id),
        (first.op.id, 1, dev.id)
    );
    let seqs: Vec<i64> = [0, 2]
        .iter()
        .map(|&i| r.results[i].server_seq.expect("server_seq"))
        .collect();
    assert!(seqs[0] < seqs[1]);

    // The same batch again: duplicates with the original server_seq.
    let again = dev.push(&batch).await;
    assert_eq!(again.results[0].outcome, Outcome::Duplicate);
    assert_eq!(again.results[0].server_seq, Some(seqs[0]));
    assert_eq!(again.results[1].outcome, Outcome::Rejected);
    assert_eq!(again.results[2].outcome, Outcome::Duplicate);
    assert_eq!(again.results[2].server_seq, Some(seqs[1]));

    // An operation of a device this server does not know (one of a team
    // mate would be checked against its author's key), and one touching
    // an unknown case.
    let mut foreign = dev.op(Payload::CaseClosed { case_id: case });
    foreign.op.device_id = Uuid::now_v7();
    let unknown = dev.op(Payload::CaseClosed { case_id: case });
    let r = dev.push(&[foreign, unknown]).await;
    assert!(r.results[0]
        .reason
        .as_deref()
        .expect("reason")
        .contains("is not of this team"));
    assert!(r.results[1]
        .reason
        .as_deref()
        .expect("reason")
        .contains("unknown case"));

    // Only the accepted operations are served, bodies as signed.
    let page = dev.pull(0, None).await;
    assert_eq!(page.ops.len(), 2);
    assert_eq!(page.ops[0].op, first);
    assert_eq!(page.ops[1].op, third);
    for p in &page.ops {
        brygga_protocol::signing::verify(&p.op, &dev.public_key_bytes()).expect("verifies");
    }
    assert_eq!(dev.status().await.latest_server_seq, seqs[1]);
}

async fn pull_pages_through_the_team_log(pg: Option<&str>) {
    let (home, server, user, mut a) = setup(pg).await;
    // A second device of the same team receives what A pushed.
    let b = Device::new(&server);
    b.enroll_ok(&home.enroll_code(&user, 60)).await;
    let ops: Vec<_> = (0..25)
        .map(|_| a.op(pupil_payload(Uuid::now_v7())))
        .collect();
    let r = a.push(&ops).await;
    assert!(r.results.iter().all(|x| x.outcome == Outcome::Accepted));

    let mut cursor = 0;
    let mut pages = Vec::new();
    let mut seen = Vec::new();
    loop {
        let page = b.pull(cursor, Some(10)).await;
        pages.push((page.ops.len(), page.more));
        seen.extend(page.ops.iter().map(|p| p.op.op.id));
        if let Some(last) = page.ops.last() {
            assert_eq!(page.next_cursor, last.server_seq);
        } else {
            assert_eq!(page.next_cursor, cursor);
        }
        assert!(page
            .ops
            .windows(2)
            .all(|w| w[0].server_seq < w[1].server_seq));
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(pages, [(10, true), (10, true), (5, false)]);
    assert_eq!(seen, ops.iter().map(|o| o.op.id).collect::<Vec<_>>());
    // Nothing after the end; a too-large limit is clamped, not refused.
    let tail = b.pull(cursor, Some(5000)).await;
    assert!(tail.ops.is_empty() && !tail.more && tail.next_cursor == cursor);
    // A malformed query is a JSON error.
    let bad = b.send("GET", "/v1/pull?after=minus", Vec::new()).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error().code, codes::BAD_REQUEST);
}

async fn another_team_can_neither_pull_nor_push_the_case(pg: Option<&str>) {
    let (home, server, _user, mut a) = setup(pg).await;
    let pupil = Uuid::now_v7();
    let case = Uuid::now_v7();
    let guardian = Uuid::now_v7();
    let ops = vec![
        a.op(pupil_payload(pupil)),
        a.op(Payload::CaseOpened {
            case_id: case,
            pupil_id: pupil,
        }),
        a.op(Payload::GuardianAdded {
            guardian_id: guardian,
            case_id: case,
            name: "Fiktiv Förälder".into(),
            relation: "mor".into(),
        }),
    ];
    let r = a.push(&ops).await;
    assert!(r.results.iter().all(|x| x.outcome == Outcome::Accepted));

    let (_team_b, user_b) = home.team_and_user();
    let mut b = Device::new(&server);
    b.enroll_ok(&home.enroll_code(&user_b, 60)).await;
    // B sees none of A's team's operations.
    let page = b.pull(0, None).await;
    assert!(page.ops.is_empty(), "team B pulled {} ops", page.ops.len());
    assert_eq!(b.status().await.latest_server_seq, 0);
    // And cannot write to A's case, guardian or pupil.
    let ops = vec![
        b.op(Payload::CaseClosed { case_id: case }),
        b.op(Payload::GuardianFieldSet {
            guardian_id: guardian,
            field: brygga_protocol::op::GuardianField::Phone,
            value: "070-0000000".into(),
            replaces: None,
        }),
        b.op(Payload::CaseOpened {
            case_id: Uuid::now_v7(),
            pupil_id: pupil,
        }),
    ];
    let r = b.push(&ops).await;
    for x in &r.results {
        assert_eq!(x.outcome, Outcome::Rejected);
        assert!(
            x.reason
                .as_deref()
                .expect("reason")
                .contains("another team"),
            "{:?}",
            x.reason
        );
    }
    assert!(r.results[0]
        .reason
        .as_deref()
        .expect("reason")
        .contains("case belongs to another team"));
    // A still sees only its own three operations.
    assert_eq!(a.pull(0, None).await.ops.len(), 3);
}

async fn a_replayed_request_is_refused(pg: Option<&str>) {
    let (_home, _server, _user, mut dev) = setup(pg).await;
    let body = serde_json::to_vec(&brygga_protocol::api::PushRequest {
        ops: vec![dev.op(pupil_payload(Uuid::now_v7()))],
    })
    .expect("json");
    let headers = dev.sign("POST", "/v1/push", &body);
    let first = dev
        .send_with(&headers, "POST", "/v1/push", body.clone())
        .await;
    assert_eq!(first.status, 200);
    let replay = dev
        .send_with(&headers, "POST", "/v1/push", body.clone())
        .await;
    assert_eq!(replay.status, 401);
    assert_eq!(replay.error().code, codes::REPLAYED_REQUEST);

    // GETs too.
    let h = dev.sign("GET", "/v1/status", b"");
    assert_eq!(
        dev.send_with(&h, "GET", "/v1/status", vec![]).await.status,
        200
    );
    let again = dev.send_with(&h, "GET", "/v1/status", vec![]).await;
    assert_eq!(again.error().code, codes::REPLAYED_REQUEST);

    // A signature over another path, body or clock does not pass.
    let h = dev.sign("GET", "/v1/pull?after=0", b"");
    let moved = dev.send_with(&h, "GET", "/v1/pull?after=1", vec![]).await;
    assert_eq!(
        (moved.status, moved.error().code.as_str()),
        (401, codes::BAD_SIGNATURE)
    );
    let mut old = brygga_protocol::auth::sign_request(
        &dev.key,
        dev.id,
        "GET",
        "/v1/status",
        b"",
        common::now_ms() - 10 * 60 * 1000,
        &brygga_protocol::auth::new_nonce(),
    );
    let stale = dev.send_with(&old, "GET", "/v1/status", vec![]).await;
    assert_eq!(stale.error().code, codes::CLOCK_SKEW);
    old.signature = "00".repeat(64);
    let forged = dev.send_with(&old, "GET", "/v1/status", vec![]).await;
    assert_eq!(forged.error().code, codes::BAD_SIGNATURE);
    // No headers at all.
    let anon = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .danger_accept_invalid_certs(true)
        .build()
        .expect("client")
        .get(format!("{}/v1/status", dev.base))
        .send()
        .await
        .expect("send");
    assert_eq!(anon.status().as_u16(), 401);
}

async fn a_revoked_device_is_told_to_wipe(pg: Option<&str>) {
    let (home, server, user, mut dev) = setup(pg).await;
    let other = Device::new(&server);
    other.enroll_ok(&home.enroll_code(&user, 60)).await;
    assert_eq!(
        dev.status().await.device_status,
        brygga_protocol::api::DeviceStatus::Active
    );
    let out = home.admin(&["device", "revoke", &dev.id.to_string()]);
    assert!(out.contains("revoked"));
    let again = home.admin(&["device", "revoke", &dev.id.to_string()]);
    assert!(again.contains("already"));

    let status = dev.status_raw().await;
    assert_eq!(status.status, 403);
    assert_eq!(status.error().code, codes::DEVICE_REVOKED);
    let op = dev.op(pupil_payload(Uuid::now_v7()));
    let push = dev.push_raw(&[op]).await;
    assert_eq!(
        (push.status, push.error().code.as_str()),
        (403, codes::DEVICE_REVOKED)
    );
    let pull = dev.pull_raw(0, None).await;
    assert_eq!(
        (pull.status, pull.error().code.as_str()),
        (403, codes::DEVICE_REVOKED)
    );
    // The other device of the user is unaffected.
    assert_eq!(other.status().await.latest_server_seq, 0);

    let list: serde_json::Value =
        serde_json::from_str(&home.admin(&["device", "list", "--json"])).expect("json");
    let entry = list
        .as_array()
        .expect("array")
        .iter()
        .find(|d| d["id"] == dev.id.to_string())
        .expect("listed")
        .clone();
    assert_eq!(entry["status"], "revoked");
    assert!(entry["revoked_at"].is_string());
    assert!(home.admin(&["audit", "list"]).contains("device.revoke"));
    let unknown = home.admin_raw(&["device", "revoke", &Uuid::now_v7().to_string()]);
    assert!(!unknown.status.success());
}

async fn kill_9_mid_push_loses_nothing_and_duplicates_nothing(pg: Option<&str>) {
    let (home, mut server, _user, mut dev) = setup(pg).await;
    const BATCHES: usize = 40;
    const PER_BATCH: usize = 100;
    let batches: Vec<Vec<_>> = (0..BATCHES)
        .map(|_| {
            (0..PER_BATCH)
                .map(|_| dev.op(pupil_payload(Uuid::now_v7())))
                .collect()
        })
        .collect();
    let replay_body =
        serde_json::to_vec(&brygga_protocol::api::PushRequest { ops: vec![] }).expect("json");
    let replay_headers = dev.sign("POST", "/v1/push", &replay_body);
    assert_eq!(
        dev.send_with(&replay_headers, "POST", "/v1/push", replay_body.clone())
            .await
            .status,
        200
    );

    // Push in the background; kill -9 the server while it works.
    let dev = std::sync::Arc::new(dev);
    let progress = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let pusher = {
        let dev = std::sync::Arc::clone(&dev);
        let batches = batches.clone();
        let progress = std::sync::Arc::clone(&progress);
        tokio::spawn(async move {
            let mut acked = BTreeMap::new();
            for b in &batches {
                let body =
                    serde_json::to_vec(&brygga_protocol::api::PushRequest { ops: b.clone() })
                        .expect("json");
                let headers = dev.sign("POST", "/v1/push", &body);
                let req = dev
                    .client
                    .post(format!("{}/v1/push", dev.base))
                    .header("content-type", "application/json")
                    .body(body);
                let req = headers
                    .to_pairs()
                    .into_iter()
                    .fold(req, |r, (n, v)| r.header(n, v));
                match req.send().await {
                    Ok(resp) if resp.status().is_success() => {
                        let r: brygga_protocol::api::PushResponse =
                            resp.json().await.expect("json");
                        for x in r.results {
                            assert_eq!(x.outcome, Outcome::Accepted);
                            acked.insert(x.seq, x.server_seq.expect("seq"));
                        }
                        progress.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    _ => break,
                }
            }
            acked
        })
    };
    // Wait until a few batches are acknowledged, then kill mid-stream.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while progress.load(std::sync::atomic::Ordering::SeqCst) < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "no push was acknowledged"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    server.kill();
    let acked = pusher.await.expect("pusher");
    let total = BATCHES * PER_BATCH;
    eprintln!("acknowledged before kill -9: {} of {total}", acked.len());
    assert!(acked.len() < total, "the kill came too late to hit a push");

    // Restart on the same database and push everything again.
    let server = home.start();
    let mut dev = std::sync::Arc::try_unwrap(dev).unwrap_or_else(|_| panic!("device shared"));
    dev.base = server.base_url();
    dev.client = server.client();
    // The nonce memory survived the restart.
    let replay = dev
        .send_with(&replay_headers, "POST", "/v1/push", replay_body)
        .await;
    assert_eq!(replay.error().code, codes::REPLAYED_REQUEST);

    let mut server_seqs = BTreeSet::new();
    for b in &batches {
        let r = dev.push(b).await;
        for x in r.results {
            let s = x.server_seq.expect("server_seq");
            match x.outcome {
                Outcome::Duplicate => {}
                Outcome::Accepted => {
                    assert!(
                        !acked.contains_key(&x.seq),
                        "acknowledged seq {} was accepted again",
                        x.seq
                    );
                }
                Outcome::Rejected => panic!("rejected after restart: {:?}", x.reason),
            }
            if let Some(before) = acked.get(&x.seq) {
                assert_eq!(*before, s, "a duplicate keeps its server_seq");
            }
            assert!(server_seqs.insert(s), "server_seq {s} given twice");
        }
    }
    // Exactly one copy of each operation on the server.
    let mut cursor = 0;
    let mut ids = Vec::new();
    loop {
        let page = dev.pull(cursor, Some(1000)).await;
        ids.extend(page.ops.iter().map(|p| p.op.op.seq));
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(ids, (1..=total as u64).collect::<Vec<_>>());
}

async fn the_device_directory_lists_the_team_and_revocations(pg: Option<&str>) {
    let (home, server, user, mut a) = setup(pg).await;
    let team = a.status().await.team;
    let b = Device::new(&server);
    b.enroll_ok(&home.enroll_code(&user, 60)).await;
    let (team_c, user_c) = home.team_and_user();
    let c = Device::new(&server);
    c.enroll_ok(&home.enroll_code(&user_c, 60)).await;
    // A stores seqs 1 and 2; seq 3 (an unknown case) is rejected.
    let ops = vec![
        a.op(pupil_payload(Uuid::now_v7())),
        a.op(pupil_payload(Uuid::now_v7())),
        a.op(Payload::CaseClosed {
            case_id: Uuid::now_v7(),
        }),
    ];
    let r = a.push(&ops).await;
    let outcomes: Vec<Outcome> = r.results.iter().map(|x| x.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Accepted, Outcome::Accepted, Outcome::Rejected]
    );

    let mut ids = vec![a.id, b.id];
    ids.sort();
    let dir = b.directory().await;
    assert_eq!(
        dir.devices.iter().map(|d| d.device_id).collect::<Vec<_>>(),
        ids,
        "the team's devices, sorted by id, not another team's"
    );
    let now = common::now_ms();
    for (entry, dev) in dir.devices.iter().map(|e| {
        let dev = if e.device_id == a.id { &a } else { &b };
        (e, dev)
    }) {
        assert_eq!(entry.public_key_hex, dev.public_key_hex());
        assert_eq!(
            (entry.user.as_str(), entry.team.as_str()),
            (user.as_str(), team.as_str())
        );
        assert!((entry.enrolled_at_ms - now).abs() < 60_000);
        assert_eq!((entry.revoked_at_ms, entry.last_seq), (None, None));
    }
    // The same directory whoever of the team asks.
    assert_eq!(a.directory().await, dir);

    home.admin(&["device", "revoke", &a.id.to_string()]);
    let dir = b.directory().await;
    assert_eq!(
        dir.devices.iter().map(|d| d.device_id).collect::<Vec<_>>(),
        ids,
        "a revoked device stays listed"
    );
    let entry_a = dir
        .devices
        .iter()
        .find(|d| d.device_id == a.id)
        .expect("a listed");
    let revoked_at = entry_a.revoked_at_ms.expect("revoked_at_ms");
    assert!((revoked_at - common::now_ms()).abs() < 60_000);
    assert_eq!(entry_a.last_seq, Some(2), "the last accepted seq");
    let entry_b = dir
        .devices
        .iter()
        .find(|d| d.device_id == b.id)
        .expect("b listed");
    assert_eq!((entry_b.revoked_at_ms, entry_b.last_seq), (None, None));

    // The other team sees only its own device.
    let dir_c = c.directory().await;
    assert_eq!(dir_c.devices.len(), 1);
    assert_eq!(
        (dir_c.devices[0].device_id, dir_c.devices[0].team.as_str()),
        (c.id, team_c.as_str())
    );

    // The revoked device is told to wipe; no headers at all is a 401.
    let refused = a.directory_raw().await;
    assert_eq!(
        (refused.status, refused.error().code.as_str()),
        (403, codes::DEVICE_REVOKED)
    );
    let anon = server
        .client()
        .get(format!("{}{}", server.base_url(), api::PATH_DEVICES))
        .send()
        .await
        .expect("send");
    assert_eq!(anon.status().as_u16(), 401);
    let body: brygga_protocol::api::ErrorBody = anon.json().await.expect("json");
    assert_eq!(body.code, codes::MISSING_AUTH);
    // A replayed directory request is refused like any other.
    let h = b.sign("GET", api::PATH_DEVICES, b"");
    assert_eq!(
        b.send_with(&h, "GET", api::PATH_DEVICES, vec![])
            .await
            .status,
        200
    );
    let again = b.send_with(&h, "GET", api::PATH_DEVICES, vec![]).await;
    assert_eq!(again.error().code, codes::REPLAYED_REQUEST);

    // Each directory request is audited, without any device's key. Other
    // tests share the PostgreSQL database: count this test's devices only.
    let audit: serde_json::Value =
        serde_json::from_str(&home.admin(&["audit", "list", "--json"])).expect("json");
    let ours = [a.id, b.id, c.id].map(|id| format!("device:{id}"));
    let rows: Vec<&serde_json::Value> = audit
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["action"] == "devices" && ours.iter().any(|o| r["actor"] == o.as_str()))
        .collect();
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r["actor"] == format!("device:{}", b.id)
                && r["object"] == format!("team:{team}"))
    );
    let text = audit.to_string();
    assert!(!text.contains(&a.public_key_hex()) && !text.contains(&b.public_key_hex()));
}

/// A signed pupil registration whose serialised form is exactly `len`
/// bytes (the name pads it).
fn op_of_size(dev: &mut Device, len: usize) -> brygga_protocol::op::SignedOperation {
    let mut pad = 0;
    loop {
        let mut payload = pupil_payload(Uuid::now_v7());
        if let Payload::PupilRegistered { name, .. } = &mut payload {
            *name = "x".repeat(pad);
        }
        let op = dev.op(payload);
        let size = serde_json::to_vec(&op).expect("json").len();
        if size == len {
            return op;
        }
        // The seq, clock and signature can change length: aim again.
        pad = (pad + len).checked_sub(size).expect("the bare op fits");
    }
}

async fn an_operation_over_max_op_bytes_is_rejected_alone(pg: Option<&str>) {
    let (_home, _server, _user, mut dev) = setup(pg).await;
    let small = dev.op(pupil_payload(Uuid::now_v7()));
    let largest = op_of_size(&mut dev, api::MAX_OP_BYTES);
    let too_large = op_of_size(&mut dev, api::MAX_OP_BYTES + 1);
    let after = dev.op(pupil_payload(Uuid::now_v7()));
    let r = dev
        .push(&[small.clone(), largest.clone(), too_large, after.clone()])
        .await;
    let outcomes: Vec<Outcome> = r.results.iter().map(|x| x.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Accepted,
            Outcome::Accepted,
            Outcome::Rejected,
            Outcome::Accepted
        ]
    );
    let reason = r.results[2].reason.as_deref().expect("reason");
    assert!(
        reason.contains(&format!("{} allowed", api::MAX_OP_BYTES)),
        "{reason}"
    );
    let page = dev.pull(0, None).await;
    assert_eq!(
        page.ops.iter().map(|p| p.op.op.id).collect::<Vec<_>>(),
        [small.op.id, largest.op.id, after.op.id]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_and_metrics_are_served() {
    let home = ServerHome::new(None);
    let server = home.start();
    let client = server.client();
    let doc: serde_json::Value = client
        .get(format!("{}/openapi.json", server.base_url()))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    for (method, path) in ROUTES {
        assert!(
            doc["paths"][path][method.to_lowercase()].is_object(),
            "{method} {path} is missing from the OpenAPI document"
        );
    }
    let metrics = client
        .get(format!("{}/metrics", server.base_url()))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("brygga_ops_total{outcome=\"accepted\"}"));
    assert!(metrics.contains("route=\"/openapi.json\",status=\"200\""));
    assert!(metrics.contains("brygga_push_duration_seconds_bucket"));
    let missing = client
        .get(format!("{}/v2/nothing", server.base_url()))
        .send()
        .await
        .expect("send");
    assert_eq!(missing.status().as_u16(), 404);
    let body: brygga_protocol::api::ErrorBody = missing.json().await.expect("json");
    assert_eq!(body.code, codes::NOT_FOUND);
}

/// A device's audit rows: stored once, a gap recorded as a break (once)
/// with the rows after it kept, another device's rows and disorder refused,
/// and the admin's review shows them with the server's own rows.
async fn audit_rows_are_checked_against_the_chain_the_server_holds(pg: Option<&str>) {
    let (home, server, user, dev) = setup(pg).await;
    let rows = dev.audit_chain(6);
    let first = dev.audit(&rows[..3]).await;
    assert_eq!((first.held_seq, first.accepted, first.duplicate), (3, 3, 0));
    assert!(first.breaks.is_empty());
    let again = dev.audit(&rows[1..4]).await;
    assert_eq!((again.held_seq, again.accepted, again.duplicate), (4, 1, 2));

    // Row 5 never arrives: a gap, recorded once, and row 6 is kept.
    let gap = dev.audit(&rows[5..]).await;
    assert_eq!(gap.held_seq, 6);
    let kinds: Vec<_> = gap.breaks.iter().map(|b| (b.seq, b.kind)).collect();
    assert_eq!(kinds, vec![(6, api::BreakKind::Gap)]);
    let resent = dev.audit(&rows[5..]).await;
    assert!(resent.breaks.is_empty() && resent.duplicate == 1);

    // Only the device's own rows, in order, at most MAX_AUDIT_ROWS.
    let other = Device::new(&server);
    let foreign = dev.audit_raw(&other.audit_chain(1)).await;
    assert_eq!(foreign.status, 400);
    assert_eq!(foreign.error().code, codes::BAD_REQUEST);
    let backwards = dev.audit_raw(&[rows[1].clone(), rows[0].clone()]).await;
    assert_eq!(backwards.status, 400);
    let many = dev.audit_chain(api::MAX_AUDIT_ROWS as i64 + 1);
    assert_eq!(dev.audit_raw(&many).await.status, 413);

    // The admin sees the break, and the device's rows with the server's.
    let breaks: serde_json::Value =
        serde_json::from_str(&home.admin(&["audit", "breaks", "--json"])).expect("json");
    let ours: Vec<&serde_json::Value> = breaks
        .as_array()
        .expect("array")
        .iter()
        .filter(|b| b["device_id"] == dev.id.to_string())
        .collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(
        (&ours[0]["seq"], &ours[0]["kind"]),
        (&6.into(), &"gap".into())
    );
    let id = dev.id.to_string();
    let listed: serde_json::Value = serde_json::from_str(
        &home.admin(&["audit", "list", "--device", &id, "--user", &user, "--json"]),
    )
    .expect("json");
    let listed = listed.as_array().expect("array");
    let device_seqs: Vec<i64> = listed
        .iter()
        .filter(|r| r["source"] == "device")
        .map(|r| r["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(device_seqs, vec![1, 2, 3, 4, 6]);
    assert!(listed
        .iter()
        .any(|r| r["source"] == "server" && r["action"] == "audit.break"));
    assert!(listed
        .iter()
        .any(|r| r["seq"] == 6 && r["after_break"] == true));
    // The same list in pages of 2: each names the cursor to go on from
    // (on stderr), the last one none.
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut args = vec!["audit", "list", "--device", &id, "--user", &user, "--json"];
        args.extend(["--limit", "2"]);
        if let Some(cursor) = &after {
            args.extend(["--after", cursor.as_str()]);
        }
        let out = home.admin_raw(&args);
        assert!(out.status.success());
        let page: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json page");
        assert!(page.len() <= 2);
        paged.extend(page);
        let stderr = String::from_utf8(out.stderr).expect("utf8");
        match stderr.trim().strip_prefix("more rows follow: --after ") {
            Some(cursor) => after = Some(cursor.to_string()),
            None => {
                assert_eq!(stderr.trim(), "");
                break;
            }
        }
    }
    assert_eq!(&paged, listed);
    let by_pupil = home.admin(&["audit", "list", "--pupil", "p1", "--action", "read"]);
    assert!(by_pupil.contains(&id));
    let text = home.admin(&["audit", "breaks"]);
    assert!(text.contains(&id) && text.contains("gap"));
}

/// Retention end to end on SQLite (a purge with `--case-years 0` purges
/// every closed case of the database, which a PostgreSQL database shared
/// by the tests running beside it must not see): the notice key handed
/// out at enrolment and in the status, a case's operations, the purge's
/// signed notice, 410 after it, and the case's operations refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purged_case_is_gone_and_told_in_a_signed_notice() {
    let home = ServerHome::new(None);
    let (_, user) = home.team_and_user();
    let server = home.start();
    let mut a = Device::new(&server);
    let enrolled = a.enroll_ok(&home.enroll_code(&user, 60)).await;
    let shown = home.admin(&["notice-key", "show"]);
    assert_eq!(enrolled.server_key_hex, shown.trim());
    assert_eq!(a.status().await.server_key_hex, enrolled.server_key_hex);
    let (pupil, case) = (Uuid::now_v7(), Uuid::now_v7());
    let opened = a.op(Payload::CaseOpened {
        case_id: case,
        pupil_id: pupil,
    });
    let ops = vec![
        a.op(pupil_payload(pupil)),
        opened.clone(),
        a.op(Payload::CaseClosed { case_id: case }),
    ];
    assert!(a
        .push(&ops)
        .await
        .results
        .iter()
        .all(|r| r.outcome == Outcome::Accepted));
    let path = api::CaseOpsQuery { case }.path_and_query();
    let got: api::CaseOpsResponse = a.send("GET", &path, Vec::new()).await.json();
    assert_eq!(got.ops.len(), 2);
    let unknown = api::CaseOpsQuery {
        case: Uuid::now_v7(),
    }
    .path_and_query();
    let answer = a.send("GET", &unknown, Vec::new()).await;
    assert_eq!(
        (answer.status, answer.error().code.as_str()),
        (404, codes::NOT_FOUND)
    );

    home.admin(&["retention", "settings", "--case-years", "0"]);
    let listed: serde_json::Value =
        serde_json::from_str(&home.admin(&["retention", "list", "--due", "--json"])).expect("json");
    assert_eq!(listed[0]["case_id"], case.to_string());
    let dry = home.admin(&["retention", "purge", "--dry-run"]);
    assert!(dry.contains(&format!("would purge case {case}")), "{dry}");
    assert_eq!(
        a.send("GET", &path, Vec::new()).await.status,
        200,
        "a dry run changes nothing"
    );
    let purged = home.admin(&["retention", "purge"]);
    assert!(purged.contains(&format!("purged case {case}")), "{purged}");

    let answer = a.send("GET", &path, Vec::new()).await;
    assert_eq!(
        (answer.status, answer.error().code.as_str()),
        (410, codes::CASE_PURGED)
    );
    let notices: api::NoticesResponse = a
        .send(
            "GET",
            &api::NoticesQuery { after: 0 }.path_and_query(),
            Vec::new(),
        )
        .await
        .json();
    let key = hex::decode(&enrolled.server_key_hex).expect("hex");
    let purge = notices
        .notices
        .iter()
        .find(|n| {
            n.notice.notice.body
                == brygga_protocol::notice::NoticeBody::CasePurged { case_id: case }
        })
        .expect("the purge notice");
    assert_eq!(brygga_protocol::notice::verify(&purge.notice, &key), Ok(()));
    assert_eq!(
        notices.next_cursor,
        notices.notices.last().expect("one").notice_seq
    );
    let reopened = a.op(Payload::CaseReopened { case_id: case });
    let r = a.push(&[opened, reopened]).await;
    for result in &r.results {
        assert_eq!(result.outcome, Outcome::Rejected);
        assert_eq!(
            result.reason.as_deref(),
            Some(format!("case {case} was purged").as_str())
        );
    }
}
