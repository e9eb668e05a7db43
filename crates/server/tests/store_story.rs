//! One test story over the `Store` trait, run against SQLite (in a temp
//! dir) and against PostgreSQL (when BRYGGA_TEST_POSTGRES_URL is set; in CI
//! a missing URL fails the test instead of skipping it).

mod common;

use brygga_protocol::audit::{AuditRow as DeviceAuditRow, GENESIS};
use brygga_protocol::op::Payload;
use brygga_server::store::plan::Revocation;
use brygga_server::store::retention::{
    CaseOps, CasePurge, Keep, NoticeRow, OldAudit, Purged, Settings,
};
use brygga_server::store::{
    self, Admission, AuditCursor, AuditEntry, AuditFilter, AuditPush, AuditRecord, AuditRow,
    CodeProblem, DynStore, NewDevice, NonceRecord, PreparedOp, PushBatch, RequestWrite, Revoked,
    StoreError, StoredOutcome, WriteBatch,
};
use common::{audit_row, keypair, now_ms, prepared_op, unique};
use ring::signature::{Ed25519KeyPair, KeyPair};
use uuid::Uuid;

fn audit(action: &str) -> AuditRecord {
    audit_row(now_ms(), "admin", action)
}

struct Dev {
    id: Uuid,
    key: Ed25519KeyPair,
    seq: u64,
}

impl Dev {
    fn new() -> Dev {
        Dev {
            id: Uuid::now_v7(),
            key: keypair(),
            seq: 0,
        }
    }

    fn new_device(&self) -> NewDevice {
        NewDevice {
            id: self.id,
            public_key: self.key.public_key().as_ref().to_vec(),
            name: "Fiktiv laptop".into(),
        }
    }

    fn op(&mut self, payload: Payload) -> PreparedOp {
        self.seq += 1;
        prepared_op(&self.key, self.id, self.seq, now_ms(), payload)
    }
}

fn push(dev: &Dev, team_id: i64, ops: Vec<PreparedOp>) -> PushBatch {
    PushBatch {
        device_id: dev.id,
        team_id,
        received_at_ms: now_ms(),
        ops,
    }
}

fn server_seq(o: &StoredOutcome) -> i64 {
    match o {
        StoredOutcome::Accepted { server_seq } => *server_seq,
        other => panic!("expected accepted, got {other:?}"),
    }
}

/// Every audit row `filter` selects, read in pages of `size`.
async fn review(store: &DynStore, filter: &AuditFilter, size: u32) -> Vec<AuditEntry> {
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .audit_page(filter, after, size)
            .await
            .expect("audit page");
        assert!(page.rows.len() <= size as usize);
        rows.extend(page.rows);
        match page.next {
            Some(next) => {
                assert_eq!(rows.last().map(AuditEntry::cursor), Some(next));
                after = Some(next);
            }
            None => return rows,
        }
    }
}

/// The server's own audit rows, all of them.
async fn server_audit(store: &DynStore) -> Vec<AuditRow> {
    review(store, &AuditFilter::default(), 1000)
        .await
        .into_iter()
        .filter_map(|e| match e {
            AuditEntry::Server(r) => Some(r),
            AuditEntry::Device(_) => None,
        })
        .collect()
}

async fn story(store: DynStore) {
    // Teams and users.
    let (name_a, name_b) = (unique("team-a"), unique("team-b"));
    let team_a = store
        .add_team(&name_a, audit("team.add"))
        .await
        .expect("team a");
    let team_b = store
        .add_team(&name_b, audit("team.add"))
        .await
        .expect("team b");
    assert_ne!(team_a.id, team_b.id);
    assert!(matches!(
        store.add_team(&name_a, audit("team.add")).await,
        Err(StoreError::AlreadyExists(_))
    ));
    let (user_a, user_b) = (unique("anna"), unique("bo"));
    let ua = store
        .add_user(&user_a, &name_a, audit("user.add"))
        .await
        .expect("user a");
    assert_eq!(ua.team, team_a);
    store
        .add_user(&user_b, &name_b, audit("user.add"))
        .await
        .expect("user b");
    assert!(matches!(
        store
            .add_user(&unique("x"), "no such team", audit("user.add"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.add_user(&user_a, &name_a, audit("user.add")).await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert_eq!(store.user(&user_a).await.expect("user"), Some(ua.clone()));
    assert!(store.teams().await.expect("teams").contains(&team_a));

    // Enrolment codes: one-time, expiring.
    let now = now_ms();
    let code = |s: &str| format!("{s}-{}", Uuid::now_v7());
    let (c1, c2, c3, c_old) = (code("c1"), code("c2"), code("c3"), code("old"));
    store
        .add_enroll_code(&user_a, &c1, now + 60_000, audit("code"))
        .await
        .expect("code");
    store
        .add_enroll_code(&user_a, &c3, now + 60_000, audit("code"))
        .await
        .expect("code");
    store
        .add_enroll_code(&user_b, &c2, now + 60_000, audit("code"))
        .await
        .expect("code");
    store
        .add_enroll_code(&user_a, &c_old, now - 1, audit("code"))
        .await
        .expect("code");
    assert!(matches!(
        store
            .add_enroll_code("nobody", &code("x"), now, audit("code"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    let mut a = Dev::new();
    let mut b = Dev::new();
    let da = store
        .enroll(&c1, a.new_device(), now, audit("enroll"))
        .await
        .expect("enroll a");
    assert_eq!(
        (da.id, da.user.as_str(), da.team.id),
        (a.id, user_a.as_str(), team_a.id)
    );
    assert_eq!((da.revoked_at_ms, da.last_seq_at_revocation), (None, None));
    let again = store
        .enroll(&c1, Dev::new().new_device(), now, audit("enroll"))
        .await;
    assert_eq!(again, Err(StoreError::InvalidCode(CodeProblem::Used)));
    let late = store
        .enroll(&c_old, Dev::new().new_device(), now, audit("enroll"))
        .await;
    assert_eq!(late, Err(StoreError::InvalidCode(CodeProblem::Expired)));
    let unknown = store
        .enroll("nope", Dev::new().new_device(), now, audit("enroll"))
        .await;
    assert_eq!(unknown, Err(StoreError::InvalidCode(CodeProblem::Unknown)));
    // A taken device id does not use up the code.
    let mut clash = Dev::new();
    clash.id = a.id;
    assert!(matches!(
        store
            .enroll(&c2, clash.new_device(), now, audit("enroll"))
            .await,
        Err(StoreError::AlreadyExists(_))
    ));
    let db = store
        .enroll(&c2, b.new_device(), now, audit("enroll"))
        .await
        .expect("enroll b with the same code");
    assert_eq!(db.team, team_b);
    assert_eq!(store.device(a.id).await.expect("device"), Some(da.clone()));
    assert_eq!(store.device(Uuid::now_v7()).await.expect("device"), None);
    let listed = store.devices().await.expect("devices");
    assert!(listed.iter().any(|d| d.id == a.id) && listed.iter().any(|d| d.id == b.id));
    // A second device of team A, which never pushes.
    let c = Dev::new();
    let dc = store
        .enroll(&c3, c.new_device(), now, audit("enroll"))
        .await
        .expect("enroll c");
    assert_eq!(dc.team, team_a);

    // The directory: a team's devices, not another team's.
    let ids = |devices: &[store::Device]| {
        let mut ids: Vec<Uuid> = devices.iter().map(|d| d.id).collect();
        ids.sort();
        ids
    };
    let dir_a = store.team_devices(team_a.id).await.expect("team a devices");
    let mut want = vec![a.id, c.id];
    want.sort();
    assert_eq!(ids(&dir_a), want);
    assert!(dir_a.contains(&da) && dir_a.contains(&dc));
    let dir_b = store.team_devices(team_b.id).await.expect("team b devices");
    assert_eq!(dir_b, std::slice::from_ref(&db));
    assert!(store
        .team_devices(i64::MAX)
        .await
        .expect("no such team")
        .is_empty());

    // Admission: each nonce once, within a batch too; unknown devices are
    // refused.
    let nonce = |dev: &Dev, n: &str| NonceRecord {
        device_id: dev.id,
        nonce: n.to_string(),
        expires_at_ms: now + 1000,
    };
    let only = |dev: &Dev, n: &str| RequestWrite::nonce_only(nonce(dev, n));
    let admitted = || Admission::Admitted(Vec::new());
    let r = store
        .write(WriteBatch {
            requests: vec![
                only(&a, "n1"),
                only(&a, "n1"),
                only(&a, "n2"),
                only(&b, "n1"),
            ],
            ..Default::default()
        })
        .await
        .expect("write");
    assert_eq!(
        r.requests,
        [admitted(), Admission::Replayed, admitted(), admitted()]
    );
    let r = store
        .write(WriteBatch {
            requests: vec![only(&a, "n1"), only(&Dev::new(), "n1")],
            ..Default::default()
        })
        .await
        .expect("write");
    assert_eq!(r.requests, [Admission::Replayed, Admission::UnknownDevice]);

    // Pushes: accepted in order, then duplicates; team isolation; a push
    // whose nonce is a replay stores nothing, in the same batch or later.
    let with_push = |dev: &Dev, n: &str, team_id: i64, ops: Vec<PreparedOp>| RequestWrite {
        nonce: nonce(dev, n),
        push: Some(push(dev, team_id, ops)),
        audit: None,
    };
    let (pupil, case, guardian) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let ops_a = vec![
        a.op(common::pupil_payload(pupil)),
        a.op(Payload::CaseOpened {
            case_id: case,
            pupil_id: pupil,
        }),
        a.op(Payload::GuardianAdded {
            guardian_id: guardian,
            case_id: case,
            name: "Fiktiv Förälder".into(),
            relation: "far".into(),
        }),
        a.op(Payload::EntrySigned {
            entry_id: Uuid::now_v7(),
            content_hash: None,
        }),
    ];
    let smuggled = vec![a.op(common::pupil_payload(Uuid::now_v7()))];
    let ops_b = vec![
        b.op(Payload::CaseClosed { case_id: case }),
        b.op(Payload::CaseOpened {
            case_id: Uuid::now_v7(),
            pupil_id: pupil,
        }),
        b.op(common::pupil_payload(Uuid::now_v7())),
    ];
    let r = store
        .write(WriteBatch {
            requests: vec![
                with_push(&a, "p1", team_a.id, ops_a.clone()),
                with_push(&a, "p1", team_a.id, smuggled.clone()),
                with_push(&b, "p1", team_b.id, ops_b.clone()),
                RequestWrite {
                    nonce: nonce(&b, "pull1"),
                    push: None,
                    audit: Some(audit("pull")),
                },
            ],
            audits: vec![audit("other")],
        })
        .await
        .expect("write pushes");
    assert_eq!(r.requests[1], Admission::Replayed);
    assert_eq!(r.requests[3], admitted());
    let outcomes = |a: &Admission| match a {
        Admission::Admitted(o) => o.clone(),
        other => panic!("expected admitted, got {other:?}"),
    };
    let (r_a, r_b) = (outcomes(&r.requests[0]), outcomes(&r.requests[2]));
    let seqs: Vec<i64> = r_a[..3].iter().map(server_seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    assert!(
        matches!(&r_a[3], StoredOutcome::Rejected { reason } if reason.contains("unknown entry"))
    );
    assert!(
        matches!(&r_b[0], StoredOutcome::Rejected { reason } if reason.contains("case belongs to another team"))
    );
    assert!(
        matches!(&r_b[1], StoredOutcome::Rejected { reason } if reason.contains("pupil belongs to another team"))
    );
    let b_seq = server_seq(&r_b[2]);

    // A write that fails stores nothing, and leaves nothing behind for the
    // next one (on PostgreSQL: the pooled connection's transaction is
    // rolled back): its nonce is still fresh afterwards.
    let mut mismatched = with_push(&a, "f1", team_a.id, smuggled.clone());
    mismatched.push = Some(push(&b, team_b.id, ops_b.clone()));
    store
        .write(WriteBatch {
            requests: vec![only(&a, "f0"), mismatched],
            ..Default::default()
        })
        .await
        .expect_err("a push of another device in the request");
    let r = store
        .write(WriteBatch {
            requests: vec![only(&a, "f0"), only(&a, "f1")],
            ..Default::default()
        })
        .await
        .expect("write after a failed one");
    assert_eq!(r.requests, [admitted(), admitted()]);

    let r = store
        .write(WriteBatch {
            requests: vec![
                with_push(&a, "p2", team_a.id, ops_a[..3].to_vec()),
                with_push(&a, "p1", team_a.id, smuggled.clone()),
            ],
            ..Default::default()
        })
        .await
        .expect("re-push");
    let dups: Vec<StoredOutcome> = seqs
        .iter()
        .map(|&server_seq| StoredOutcome::Duplicate { server_seq })
        .collect();
    assert_eq!(r.requests, [Admission::Admitted(dups), Admission::Replayed]);

    // Pull: paged, per team, bodies as stored.
    let page = store.pull(team_a.id, 0, 2).await.expect("pull");
    assert!(page.more);
    assert_eq!(page.ops.iter().map(|o| o.0).collect::<Vec<_>>(), seqs[..2]);
    assert_eq!(page.ops[0].1, ops_a[0].body);
    let rest = store.pull(team_a.id, seqs[1], 10).await.expect("pull");
    assert!(!rest.more);
    assert_eq!(rest.ops.iter().map(|o| o.0).collect::<Vec<_>>(), seqs[2..]);
    let pb = store.pull(team_b.id, 0, 10).await.expect("pull b");
    assert_eq!(pb.ops.iter().map(|o| o.0).collect::<Vec<_>>(), [b_seq]);
    assert_eq!(
        store.latest_server_seq(team_a.id).await.expect("latest"),
        seqs[2]
    );
    assert_eq!(
        store.latest_server_seq(team_b.id).await.expect("latest"),
        b_seq
    );

    // Revocation.
    assert_eq!(
        store
            .revoke_device(a.id, Revocation::now(now), audit("device.revoke"))
            .await,
        Ok(Revoked::Now)
    );
    assert_eq!(
        store
            .revoke_device(a.id, Revocation::now(now + 1), audit("device.revoke"))
            .await,
        Ok(Revoked::Already)
    );
    assert!(matches!(
        store
            .revoke_device(Uuid::now_v7(), Revocation::now(now), audit("device.revoke"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    let revoked = store.device(a.id).await.expect("device").expect("exists");
    assert_eq!(revoked.revoked_at_ms, Some(now));
    // The last accepted seq is recorded: seqs 1..=3 were accepted, 4 was
    // rejected and 5 never admitted. A second revocation changes nothing.
    assert_eq!(revoked.last_seq_at_revocation, Some(3));
    assert_eq!(
        store
            .revoke_device(c.id, Revocation::now(now), audit("device.revoke"))
            .await,
        Ok(Revoked::Now)
    );
    let dir_a = store.team_devices(team_a.id).await.expect("team a devices");
    assert_eq!(ids(&dir_a), want, "revoked devices stay in the directory");
    let last_seqs: Vec<(Uuid, Option<i64>, Option<i64>)> = dir_a
        .iter()
        .map(|d| (d.id, d.revoked_at_ms, d.last_seq_at_revocation))
        .collect();
    assert!(last_seqs.contains(&(a.id, Some(now), Some(3))));
    assert!(
        last_seqs.contains(&(c.id, Some(now), Some(0))),
        "a device that stored nothing: 0"
    );
    let dir_b = store.team_devices(team_b.id).await.expect("team b devices");
    assert_eq!(
        (dir_b[0].revoked_at_ms, dir_b[0].last_seq_at_revocation),
        (None, None)
    );
    // A revoked device's requests are refused and store nothing.
    let r = store
        .write(WriteBatch {
            requests: vec![
                with_push(&a, "p3", team_a.id, smuggled.clone()),
                only(&a, "n3"),
                only(&b, "n3"),
            ],
            ..Default::default()
        })
        .await
        .expect("write");
    assert_eq!(
        r.requests,
        [Admission::Revoked, Admission::Revoked, admitted()]
    );
    assert_eq!(
        store.latest_server_seq(team_a.id).await.expect("latest"),
        seqs[2],
        "neither the replayed nor the revoked push stored anything"
    );

    // Expired nonces are forgotten.
    assert!(store.prune_nonces(now + 2000).await.expect("prune") >= 3);

    // What a restore re-applies from the admin log: an enrolment the
    // backup did not hold, once; a revocation with the seq it had.
    let d = Dev::new();
    let laptop = NewDevice {
        id: d.id,
        public_key: d.key.public_key().as_ref().to_vec(),
        name: "Fiktiv laptop".into(),
    };
    assert_eq!(
        store
            .reenroll(&user_a, laptop.clone(), now, audit("enroll"))
            .await,
        Ok(true)
    );
    assert_eq!(
        store
            .reenroll(&user_a, laptop.clone(), now, audit("enroll"))
            .await,
        Ok(false)
    );
    assert!(matches!(
        store
            .reenroll(&unique("nobody"), laptop, now, audit("enroll"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    let recorded = Revocation {
        revoked_at_ms: now - 5,
        last_seq: 9,
    };
    assert_eq!(
        store
            .revoke_device(d.id, recorded, audit("device.revoke"))
            .await,
        Ok(Revoked::Now)
    );
    let d_row = store.device(d.id).await.expect("device").expect("exists");
    assert_eq!(
        (
            d_row.team.id,
            d_row.revoked_at_ms,
            d_row.last_seq_at_revocation
        ),
        (team_a.id, Some(now - 5), Some(9))
    );
    // The history epoch: random at first, new after a restore.
    let epoch = store.history_epoch().await.expect("epoch");
    assert_eq!(epoch.len(), 32, "{epoch}");
    let next = unique("epoch");
    store
        .set_history_epoch(&next, audit("server.restore"))
        .await
        .expect("new epoch");
    assert_eq!(store.history_epoch().await, Ok(next));

    // The audit trail has the admin actions and the pushes, no payloads.
    let rows = server_audit(&store).await;
    let actions: Vec<&str> = rows.iter().map(|r| r.record.action.as_str()).collect();
    for want in [
        "team.add",
        "user.add",
        "code",
        "enroll",
        "push",
        "pull",
        "device.revoke",
        "server.restore",
    ] {
        assert!(actions.contains(&want), "no {want} in the audit");
    }
    let push_a = rows
        .iter()
        .find(|r| r.record.actor == format!("device:{}", a.id) && r.record.action == "push")
        .expect("a's push audited");
    assert!(push_a
        .record
        .detail
        .starts_with("ops=4 accepted=3 duplicate=0 rejected=1"));
    assert!(rows.iter().all(|r| !r.record.detail.contains("Fiktiv")));
}

/// Case retention: candidates, keep flags, a purge and what it refuses
/// after, notices, settings and old audit rows.
async fn retention_story(store: DynStore) {
    let now = now_ms();
    let (team, user) = (unique("team-r"), unique("user-r"));
    let team = store
        .add_team(&team, audit("team.add"))
        .await
        .expect("team");
    let other = store
        .add_team(&unique("team-o"), audit("team.add"))
        .await
        .expect("other team");
    store
        .add_user(&user, &team.name, audit("user.add"))
        .await
        .expect("user");
    let code = unique("code-r");
    store
        .add_enroll_code(&user, &code, now + 60_000, audit("code"))
        .await
        .expect("code");
    let mut dev = Dev::new();
    store
        .enroll(&code, dev.new_device(), now, audit("enroll"))
        .await
        .expect("enroll");
    let mut n = 0;
    let mut push_ops = |dev: &Dev, ops: Vec<PreparedOp>| {
        n += 1;
        RequestWrite {
            nonce: NonceRecord {
                device_id: dev.id,
                nonce: format!("r{n}"),
                expires_at_ms: now + 1000,
            },
            push: Some(push(dev, team.id, ops)),
            audit: None,
        }
    };
    let outcomes = |r: store::WriteResult| match r.requests.into_iter().next() {
        Some(Admission::Admitted(o)) => o,
        other => panic!("not admitted: {other:?}"),
    };
    let (pupil, case, open_case) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let opened = dev.op(Payload::CaseOpened {
        case_id: case,
        pupil_id: pupil,
    });
    let ops = vec![
        dev.op(common::pupil_payload(pupil)),
        opened.clone(),
        dev.op(Payload::GuardianAdded {
            guardian_id: Uuid::now_v7(),
            case_id: case,
            name: "Fiktiv Vårdnadshavare".into(),
            relation: "mor".into(),
        }),
        dev.op(Payload::CaseClosed { case_id: case }),
        dev.op(Payload::CaseOpened {
            case_id: open_case,
            pupil_id: pupil,
        }),
    ];
    let request = push_ops(&dev, ops);
    let stored = outcomes(
        store
            .write(WriteBatch {
                requests: vec![request],
                ..Default::default()
            })
            .await
            .expect("write"),
    );
    assert!(
        stored
            .iter()
            .all(|o| matches!(o, StoredOutcome::Accepted { .. })),
        "{stored:?}"
    );

    // The candidates: the closed case only, its lifecycle, the server's time.
    let mine: Vec<_> = store
        .retention_candidates()
        .await
        .expect("candidates")
        .into_iter()
        .filter(|c| c.team_id == team.id)
        .collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!((mine[0].case_id, mine[0].lifecycle.len()), (case, 2));
    assert!(mine[0].last_received_at_ms >= now && mine[0].keep.is_none());

    // Keep flags.
    let keep = |reason: &str| Keep {
        reason: reason.into(),
        set_at_ms: now,
    };
    assert!(matches!(
        store
            .set_case_keep(Uuid::now_v7(), Some(keep("r")), audit("retention.keep"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store
            .set_case_keep(case, Some(keep("tillsyn")), audit("retention.keep"))
            .await,
        Ok(true)
    );
    assert_eq!(
        store
            .set_case_keep(case, Some(keep("tillsyn")), audit("retention.keep"))
            .await,
        Ok(false)
    );
    let kept = store.retention_candidates().await.expect("candidates");
    let kept = kept
        .iter()
        .find(|c| c.case_id == case)
        .expect("still a candidate");
    assert_eq!(kept.keep, Some(keep("tillsyn")));
    assert_eq!(
        store
            .set_case_keep(case, None, audit("retention.keep-clear"))
            .await,
        Ok(true)
    );
    assert_eq!(
        store
            .set_case_keep(case, None, audit("retention.keep-clear"))
            .await,
        Ok(false)
    );
    assert_eq!(
        store
            .set_case_keep(case, Some(keep("x")), audit("retention.keep"))
            .await,
        Ok(true)
    );

    // The case's operations: its team's, not another's.
    match store.case_ops(team.id, case).await.expect("case ops") {
        CaseOps::Ops(ops) => {
            assert_eq!(ops.len(), 3);
            assert!(ops.windows(2).all(|w| w[0].0 < w[1].0));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(store.case_ops(other.id, case).await, Ok(CaseOps::Unknown));
    assert_eq!(
        store.case_ops(team.id, Uuid::now_v7()).await,
        Ok(CaseOps::Unknown)
    );

    // The purge: one transaction, once.
    let notice_id = Uuid::now_v7();
    let purge = CasePurge {
        case_id: case,
        team_id: team.id,
        purged_at_ms: now,
        notice: NoticeRow {
            notice_id,
            team_id: Some(team.id),
            body: format!("{{\"notice\":\"{notice_id}\"}}"),
            issued_at_ms: now,
        },
        detail: "last_op=x purge_date=y".into(),
    };
    assert_eq!(
        store.purge_case(purge.clone()).await,
        Ok(Purged::Now { ops: 3, objects: 2 })
    );
    assert_eq!(store.purge_case(purge.clone()).await, Ok(Purged::Already));
    assert_eq!(store.case_ops(team.id, case).await, Ok(CaseOps::Purged));
    assert_eq!(store.case_ops(other.id, case).await, Ok(CaseOps::Unknown));
    assert!(store
        .retention_candidates()
        .await
        .expect("candidates")
        .iter()
        .all(|c| c.case_id != case));
    let page = store.notices(team.id, 0, 1000).await.expect("notices");
    let purge_seq = page
        .ops
        .iter()
        .find(|(_, body)| *body == purge.notice.body)
        .map(|(seq, _)| *seq)
        .expect("the purge notice");
    let others = store.notices(other.id, 0, 1000).await.expect("notices");
    assert!(others
        .ops
        .iter()
        .all(|(_, body)| *body != purge.notice.body));
    let rows = server_audit(&store).await;
    let row = rows
        .iter()
        .find(|r| {
            r.record.action == "retention.purge" && r.record.subject == Some(case.to_string())
        })
        .expect("the purge's audit row");
    assert!(
        row.record.detail.contains("ops=3 objects=2"),
        "{}",
        row.record.detail
    );

    // Nothing of the purged case is taken again, also its case-opened.
    let again = RequestWrite {
        push: Some(push(&dev, team.id, vec![opened.clone()])),
        ..push_ops(&dev, Vec::new())
    };
    let late = dev.op(Payload::CaseReopened { case_id: case });
    let on_open = dev.op(Payload::CaseClosed { case_id: open_case });
    let later = push_ops(&dev, vec![late, on_open]);
    let r = store
        .write(WriteBatch {
            requests: vec![again, later],
            ..Default::default()
        })
        .await
        .expect("write");
    let reason = format!("case {case} was purged");
    let got: Vec<StoredOutcome> = r
        .requests
        .into_iter()
        .flat_map(|a| match a {
            Admission::Admitted(o) => o,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got[0],
        StoredOutcome::Rejected {
            reason: reason.clone()
        }
    );
    assert_eq!(got[1], StoredOutcome::Rejected { reason });
    assert!(matches!(got[2], StoredOutcome::Accepted { .. }));

    // Settings, and their notice for every team.
    let before = store.retention_settings().await.expect("settings");
    let changed = Settings {
        case_leaves_laptop_after_days: before.case_leaves_laptop_after_days + 1,
        ..before
    };
    let global = NoticeRow {
        notice_id: Uuid::now_v7(),
        team_id: None,
        body: format!("{{\"settings\":\"{}\"}}", Uuid::now_v7()),
        issued_at_ms: now,
    };
    assert_eq!(
        store
            .set_retention_settings(changed, Some(global.clone()), audit("retention.settings"))
            .await,
        Ok(true)
    );
    assert_eq!(
        store
            .set_retention_settings(changed, Some(global.clone()), audit("retention.settings"))
            .await,
        Ok(false)
    );
    assert_eq!(store.retention_settings().await, Ok(changed));
    for t in [team.id, other.id] {
        let page = store.notices(t, purge_seq, 1000).await.expect("notices");
        assert!(
            page.ops.iter().any(|(_, body)| *body == global.body),
            "for every team"
        );
    }
    let one = store.notices(team.id, 0, 1).await.expect("notices");
    assert_eq!(one.ops.len(), 1);
    assert!(one.more);
    assert_eq!(
        store
            .set_retention_settings(before, None, audit("retention.settings"))
            .await,
        Ok(true)
    );

    // Old audit rows: counted, purged, and the purge said in a row.
    store
        .add_team(
            &unique("team-old"),
            AuditRecord {
                at_ms: 1000,
                ..audit("team.add")
            },
        )
        .await
        .expect("a team added long ago");
    let old = store.old_audit(2000).await.expect("old");
    assert!(old.server_rows >= 1);
    assert_eq!(store.purge_old_audit(2000, now).await, Ok(old));
    assert_eq!(store.old_audit(2000).await, Ok(OldAudit::default()));
    let rows = server_audit(&store).await;
    assert!(rows
        .iter()
        .any(|r| r.record.action == "retention.audit-purge"
            && r.record.detail.starts_with(&format!(
                "device_rows={} server_rows={}",
                old.device_rows, old.server_rows
            ))));
}

/// A device's audit rows, chained: `(at_ms, action, pupil)` each.
fn chain(device: Uuid, rows: &[(i64, &str, &str)]) -> Vec<DeviceAuditRow> {
    let mut prev = GENESIS.to_string();
    rows.iter()
        .zip(1..)
        .map(|(&(at_ms, action, pupil), seq)| {
            let mut row = DeviceAuditRow {
                seq,
                // As a laptop writes it, to the millisecond.
                at: chrono::DateTime::from_timestamp_millis(at_ms)
                    .expect("a time")
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                actor: "Fiktiv Handläggare".into(),
                device_id: device.to_string(),
                action: action.into(),
                object_type: "entry".into(),
                object_id: Some(format!("e{seq}")),
                pupil_id: Some(pupil.into()),
                detail: String::new(),
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            row.hash = row.compute_hash();
            prev = row.hash.clone();
            row
        })
        .collect()
}

/// The audit review: both tables merged by time (a device row before a
/// server row of the same time), each filter applied by the store, and
/// the same rows whatever the page size, across page boundaries that fall
/// between the two sources and inside one time.
async fn audit_review_story(store: DynStore) {
    let team = unique("team-review");
    store
        .add_team(&team, audit("team.add"))
        .await
        .expect("team");
    let (u1, u2) = (unique("ylva"), unique("zeb"));
    let mut devices = Vec::new();
    for user in [&u1, &u2] {
        store
            .add_user(user, &team, audit("user.add"))
            .await
            .expect("user");
        let code = format!("review-{}", Uuid::now_v7());
        store
            .add_enroll_code(user, &code, now_ms() + 60_000, audit("code"))
            .await
            .expect("code");
        let dev = Dev::new();
        store
            .enroll(&code, dev.new_device(), now_ms(), audit("enroll"))
            .await
            .expect("enroll");
        devices.push(dev.id);
    }
    let (d1, d2) = (devices[0], devices[1]);
    let (p1, p2) = (unique("pupil"), unique("pupil"));
    let b = 1_700_000_000_000;
    let rows1 = chain(
        d1,
        &[
            (b + 10, "read", &p1),
            (b + 20, "read", &p2),
            (b + 30, "export", &p1),
            (b + 40, "read", &p1),
            (b + 50, "update", &p2),
            (b + 60, "read", &p1),
        ],
    );
    // Two pushes of d1 (server rows `audit.push` at b+25 and b+45), one
    // of d2.
    for (rows, at) in [(&rows1[..3], b + 25), (&rows1[3..], b + 45)] {
        let answer = store
            .push_audit(AuditPush {
                device_id: d1,
                received_at_ms: at,
                rows: rows.to_vec(),
            })
            .await
            .expect("push audit");
        assert!(answer.breaks.is_empty(), "{answer:?}");
    }
    store
        .push_audit(AuditPush {
            device_id: d2,
            received_at_ms: b + 16,
            rows: chain(d2, &[(b + 15, "read", &p1)]),
        })
        .await
        .expect("push audit");
    // Server rows: a pull of d1 at the time of its row 3, and a row whose
    // actor is u1.
    let row = |at_ms: i64, actor: String, action: &str| AuditRecord {
        at_ms,
        actor,
        action: action.into(),
        subject: None,
        detail: String::new(),
    };
    store
        .write(WriteBatch {
            requests: Vec::new(),
            audits: vec![
                row(b + 30, format!("device:{d1}"), "pull"),
                row(b + 35, u1.clone(), "login"),
            ],
        })
        .await
        .expect("server rows");

    // What the review shows of a row: source, time after b, action.
    let shown = |rows: &[AuditEntry]| -> Vec<(char, i64, String)> {
        rows.iter()
            .map(|e| match e {
                AuditEntry::Device(r) => ('d', r.at_ms - b, r.row.action.clone()),
                AuditEntry::Server(r) => ('s', r.record.at_ms - b, r.record.action.clone()),
            })
            .collect()
    };
    let want = |rows: &[(char, i64, &str)]| -> Vec<(char, i64, String)> {
        rows.iter()
            .map(|(s, t, a)| (*s, *t, a.to_string()))
            .collect()
    };
    let of_u1 = want(&[
        ('d', 10, "read"),
        ('d', 20, "read"),
        ('s', 25, "audit.push"),
        ('d', 30, "export"),
        ('s', 30, "pull"),
        ('s', 35, "login"),
        ('d', 40, "read"),
        ('s', 45, "audit.push"),
        ('d', 50, "update"),
        ('d', 60, "read"),
    ]);
    let by_user = AuditFilter {
        user: Some(u1.clone()),
        ..Default::default()
    };
    for size in 1..=11 {
        assert_eq!(
            shown(&review(&store, &by_user, size).await),
            of_u1,
            "pages of {size}"
        );
    }
    // A page ends, rows follow; the next page starts right after it.
    let first = store.audit_page(&by_user, None, 4).await.expect("page");
    assert_eq!(shown(&first.rows), of_u1[..4]);
    let next = first.next.expect("more rows");
    assert_eq!(next.at_ms, b + 30);
    let second = store
        .audit_page(&by_user, Some(next), 4)
        .await
        .expect("page");
    assert_eq!(shown(&second.rows), of_u1[4..8]);
    let last = store
        .audit_page(&by_user, second.next, 4)
        .await
        .expect("page");
    assert_eq!((shown(&last.rows), last.next), (of_u1[8..].to_vec(), None));
    // A cursor on a server row of a time: the device rows of that time
    // came before it.
    let after_pull = AuditCursor {
        at_ms: b + 30,
        source: store::AuditSource::Server,
        id: match &second.rows[0] {
            AuditEntry::Server(r) => r.id,
            other => panic!("the pull, not {other:?}"),
        },
    };
    let page = store
        .audit_page(&by_user, Some(after_pull), 1)
        .await
        .expect("page");
    assert_eq!(shown(&page.rows), of_u1[5..6]);

    let select = |filter: AuditFilter| {
        let store = store.clone();
        async move { shown(&review(&store, &filter, 2).await) }
    };
    // The device: its rows and the server's rows of its requests, not a
    // row whose actor is its user.
    let by_device = select(AuditFilter {
        device: Some(d1),
        ..Default::default()
    })
    .await;
    let without_login: Vec<_> = of_u1.iter().filter(|r| r.2 != "login").cloned().collect();
    assert_eq!(by_device, without_login);
    assert_eq!(
        select(AuditFilter {
            user: Some(u2.clone()),
            ..Default::default()
        })
        .await,
        want(&[('d', 15, "read"), ('s', 16, "audit.push")])
    );
    // A pupil: device rows only, of every device.
    assert_eq!(
        select(AuditFilter {
            pupil: Some(p1.clone()),
            ..Default::default()
        })
        .await,
        want(&[
            ('d', 10, "read"),
            ('d', 15, "read"),
            ('d', 30, "export"),
            ('d', 40, "read"),
            ('d', 60, "read"),
        ])
    );
    assert_eq!(
        select(AuditFilter {
            pupil: Some(p2.clone()),
            user: Some(u1.clone()),
            action: Some("update".into()),
            ..Default::default()
        })
        .await,
        want(&[('d', 50, "update")])
    );
    // An action, of either source.
    assert_eq!(
        select(AuditFilter {
            device: Some(d1),
            action: Some("read".into()),
            ..Default::default()
        })
        .await,
        want(&[
            ('d', 10, "read"),
            ('d', 20, "read"),
            ('d', 40, "read"),
            ('d', 60, "read"),
        ])
    );
    assert_eq!(
        select(AuditFilter {
            user: Some(u1.clone()),
            action: Some("audit.push".into()),
            ..Default::default()
        })
        .await,
        want(&[('s', 25, "audit.push"), ('s', 45, "audit.push")])
    );
    // Times, both ends inclusive.
    assert_eq!(
        select(AuditFilter {
            device: Some(d1),
            from_ms: Some(b + 30),
            to_ms: Some(b + 45),
            ..Default::default()
        })
        .await,
        want(&[
            ('d', 30, "export"),
            ('s', 30, "pull"),
            ('d', 40, "read"),
            ('s', 45, "audit.push"),
        ])
    );
    assert_eq!(
        select(AuditFilter {
            user: Some(u1.clone()),
            from_ms: Some(b + 46),
            ..Default::default()
        })
        .await,
        of_u1[8..].to_vec()
    );
    assert_eq!(
        select(AuditFilter {
            user: Some(u1.clone()),
            to_ms: Some(b + 19),
            ..Default::default()
        })
        .await,
        of_u1[..1].to_vec()
    );
    assert!(select(AuditFilter {
        user: Some(u1.clone()),
        pupil: Some("no such pupil".into()),
        ..Default::default()
    })
    .await
    .is_empty());
    // A device row shows its place in the chain and its device.
    let rows = review(&store, &by_user, 100).await;
    let AuditEntry::Device(third) = &rows[3] else {
        panic!("a device row")
    };
    assert_eq!(third.row, rows1[2]);
    assert_eq!((third.received_at_ms, third.after_break), (b + 25, false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_story() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("server.db").display());
    story(store::open(&url).await.expect("open")).await;
    // Everything is still there after reopening the file.
    let again = store::open(&url).await.expect("reopen");
    let devices = again.devices().await.expect("devices");
    assert_eq!(devices.len(), 4);
    assert_eq!(
        devices.iter().filter(|d| d.revoked_at_ms.is_some()).count(),
        3
    );
    let mut last_seqs: Vec<Option<i64>> =
        devices.iter().map(|d| d.last_seq_at_revocation).collect();
    last_seqs.sort();
    assert_eq!(last_seqs, [None, Some(0), Some(3), Some(9)]);
    retention_story(again).await;
    audit_review_story(store::open(&url).await.expect("open")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_story() {
    if let Some(url) = common::postgres_url() {
        story(store::open(&url).await.expect("open")).await;
        retention_story(store::open(&url).await.expect("open")).await;
        audit_review_story(store::open(&url).await.expect("open")).await;
        // Opening again (migrations already applied) is fine.
        store::open(&url).await.expect("reopen");
    }
}

#[tokio::test]
async fn unknown_database_urls_are_refused_without_echoing_secrets() {
    let err = store::open("mysql://user:secret@host/db")
        .await
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::BadUrl(_)));
    assert!(!err.to_string().contains("secret"));
}
