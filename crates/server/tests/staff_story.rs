//! The staff accounts and web sessions over the `Store` trait, run
//! against SQLite and against PostgreSQL (BRYGGA_TEST_POSTGRES_URL, as in
//! store_story.rs): the account rules of crate::staff::rules decide with
//! what both backends keep the same way.

mod common;

use brygga_server::staff::sealing::{self, StaffKey};
use brygga_server::staff::{self, rules, totp, Role};
use brygga_server::store::staff::{LoginResult, NewSession, NewStaff, StaffChange};
use brygga_server::store::{
    self, AuditEntry, AuditFilter, AuditRecord, DynStore, StoreError, WriteBatch,
};
use common::{audit_row, now_ms, unique};
use uuid::Uuid;

fn audit(at_ms: i64, action: &str) -> AuditRecord {
    audit_row(at_ms, "web", action)
}

fn session(token: &str) -> NewSession {
    NewSession {
        token_hash: format!("hash-{token}"),
        csrf_token: format!("csrf-{token}"),
    }
}

/// The server's audit rows of `action`.
async fn rows_of(store: &DynStore, action: &str) -> usize {
    let filter = AuditFilter {
        action: Some(action.into()),
        ..Default::default()
    };
    let page = store.audit_page(&filter, None, 1000).await.expect("audit");
    page.rows
        .iter()
        .filter(|r| matches!(r, AuditEntry::Server(_)))
        .count()
}

async fn staff_story(store: DynStore, key: &StaffKey) {
    let name = unique("granskare");
    let added = staff::add(
        store.as_ref(),
        key,
        &name,
        &[Role::Auditor, Role::Administrator, Role::Auditor],
    )
    .await
    .expect("add");
    assert_eq!(added.staff.roles, [Role::Administrator, Role::Auditor]);
    assert!(staff::password::verify(
        &added.password,
        &added.staff.password_hash
    ));
    assert!(added
        .otpauth_uri
        .contains(&format!("Brygga:{name}?secret={}", added.totp_secret)));
    assert!(matches!(
        staff::add(store.as_ref(), key, &name, &[Role::Auditor]).await,
        Err(brygga_server::error::Error::Store(
            StoreError::AlreadyExists(_)
        ))
    ));
    assert!(
        staff::add(store.as_ref(), key, "inte giltigt", &[Role::Auditor])
            .await
            .is_err()
    );
    assert!(staff::add(store.as_ref(), key, &unique("ingen-roll"), &[])
        .await
        .is_err());
    let stored = store.staff(&name).await.expect("read").expect("stored");
    assert_eq!(stored, added.staff);
    // The database holds the TOTP secret sealed, never as handed out.
    assert!(sealing::is_sealed(&stored.totp_secret));
    assert!(!stored.totp_secret.contains(&added.totp_secret));
    assert_eq!(
        key.open(&name, &stored.totp_secret),
        totp::from_base32(&added.totp_secret)
    );
    assert_eq!(store.staff("ingen-sadan").await.expect("read"), None);

    // Failed logins: free at first, then a growing wait.
    let t0 = now_ms();
    for i in 0..5 {
        assert!(store
            .record_login(
                stored.id,
                LoginResult::Failed,
                audit(t0 + i, "web.login-failed")
            )
            .await
            .expect("failed login"));
    }
    let s = store.staff(&name).await.expect("read").expect("stored");
    assert_eq!((s.failed_logins, s.last_failed_at_ms), (5, Some(t0 + 4)));
    assert_eq!(
        rules::wait_ms(s.failed_logins, s.last_failed_at_ms, t0 + 4),
        4_000
    );
    assert_eq!(
        rules::wait_ms(s.failed_logins, s.last_failed_at_ms, t0 + 4_004),
        0
    );

    // A good login forgets the failures and starts a session; the same
    // TOTP step again (a replayed code) starts none.
    let secret = key.open(&name, &s.totp_secret).expect("sealed");
    let step = totp::check(
        &secret,
        &totp::code(&secret, totp::step_of(t0)),
        t0,
        s.last_totp_step,
    )
    .expect("the current code");
    let t1 = t0 + 5_000;
    let started = store
        .record_login(
            s.id,
            LoginResult::Succeeded {
                totp_step: step,
                session: session("a"),
            },
            audit(t1, "web.login"),
        )
        .await
        .expect("login");
    assert!(started);
    let s = store.staff(&name).await.expect("read").expect("stored");
    assert_eq!(
        (s.failed_logins, s.last_failed_at_ms, s.last_totp_step),
        (0, None, Some(step))
    );
    assert!(!store
        .record_login(
            s.id,
            LoginResult::Succeeded {
                totp_step: step,
                session: session("replayed"),
            },
            audit(t1, "web.login"),
        )
        .await
        .expect("replayed"));
    assert_eq!(
        store.web_session("hash-replayed").await.expect("read"),
        None
    );
    // The code of that step is no longer good.
    assert_eq!(
        totp::check(&secret, &totp::code(&secret, step), t1, s.last_totp_step),
        None
    );

    // The session, used and idle.
    let w = store
        .web_session("hash-a")
        .await
        .expect("read")
        .expect("session");
    assert_eq!(
        (w.created_at_ms, w.last_seen_ms, w.ended_at_ms),
        (t1, t1, None)
    );
    assert_eq!(w.csrf_token, "csrf-a");
    assert!(rules::csrf_matches(&w.csrf_token, "csrf-a"));
    assert!(!rules::csrf_matches(&w.csrf_token, "csrf-b"));
    assert_eq!(w.staff.name, name);
    let t2 = t1 + 10 * 60_000;
    store.touch_session("hash-a", t2).await.expect("touch");
    store
        .touch_session("hash-a", t1)
        .await
        .expect("an older touch");
    let w = store
        .web_session("hash-a")
        .await
        .expect("read")
        .expect("session");
    assert_eq!(w.last_seen_ms, t2, "a session's last use never goes back");
    let end = |at| rules::session_end(w.created_at_ms, w.last_seen_ms, false, false, at);
    assert_eq!(end(t2 + rules::IDLE_TIMEOUT_MS), None);
    assert_eq!(
        end(t2 + rules::IDLE_TIMEOUT_MS + 1),
        Some(rules::SessionEnd::Idle)
    );
    store
        .end_session("hash-a", audit(t2 + 1, "web.logout"))
        .await
        .expect("logout");
    let w = store
        .web_session("hash-a")
        .await
        .expect("read")
        .expect("session");
    assert_eq!(w.ended_at_ms, Some(t2 + 1));

    // A new TOTP secret ends the sessions and forgets the last step;
    // disabling ends them too.
    let step2 = step + 1;
    assert!(store
        .record_login(
            s.id,
            LoginResult::Succeeded {
                totp_step: step2,
                session: session("b"),
            },
            audit(t2 + 2, "web.login"),
        )
        .await
        .expect("login"));
    let uri = staff::totp_reset(store.as_ref(), key, &name)
        .await
        .expect("reset");
    let s2 = store.staff(&name).await.expect("read").expect("stored");
    let new_secret = key.open(&name, &s2.totp_secret).expect("sealed");
    assert!(uri.contains(&totp::base32(&new_secret)));
    assert_ne!(new_secret, secret);
    assert_ne!(s2.totp_secret, s.totp_secret);
    assert_eq!(s2.last_totp_step, None);
    assert!(store
        .web_session("hash-b")
        .await
        .expect("read")
        .expect("b")
        .ended_at_ms
        .is_some());
    assert!(store
        .record_login(
            s.id,
            LoginResult::Succeeded {
                totp_step: step2,
                session: session("c"),
            },
            audit(t2 + 3, "web.login"),
        )
        .await
        .expect("login"));
    let new_hash = staff::password::hash("kanel cykel fönster hav").expect("hash");
    store
        .change_staff(
            &name,
            StaffChange::Password(new_hash.clone()),
            audit(t2 + 4, "staff.password"),
        )
        .await
        .expect("a new password");
    let s3 = store.staff(&name).await.expect("read").expect("stored");
    assert_eq!(s3.password_hash, new_hash);
    let c = store.web_session("hash-c").await.expect("read").expect("c");
    assert_eq!(
        c.ended_at_ms,
        Some(t2 + 4),
        "a new password ends the sessions"
    );
    assert!(store
        .record_login(
            s.id,
            LoginResult::Succeeded {
                totp_step: step2 + 1,
                session: session("d"),
            },
            audit(t2 + 5, "web.login"),
        )
        .await
        .expect("login"));
    staff::disable(store.as_ref(), &name)
        .await
        .expect("disable");
    let d = store.web_session("hash-d").await.expect("read").expect("d");
    assert!(d.ended_at_ms.is_some());
    assert!(d.staff.disabled_at_ms.is_some());
    assert!(matches!(
        staff::disable(store.as_ref(), "ingen-sadan").await,
        Err(brygga_server::error::Error::Store(StoreError::NotFound(_)))
    ));
    assert!(matches!(
        staff::totp_reset(store.as_ref(), key, "ingen-sadan").await,
        Err(brygga_server::error::Error::Store(StoreError::NotFound(_)))
    ));

    // Each change left its audit row.
    assert!(rows_of(&store, "staff.add").await >= 1);
    assert!(rows_of(&store, "staff.totp-reset").await >= 1);
    assert!(rows_of(&store, "staff.disable").await >= 1);
    assert!(rows_of(&store, "web.login-failed").await >= 5);

    // When each device last reached the server: its newest audit row.
    let device = Uuid::now_v7();
    let actor = format!("device:{device}");
    let batch = WriteBatch {
        audits: [t0, t0 + 7]
            .into_iter()
            .map(|at_ms| AuditRecord {
                at_ms,
                actor: actor.clone(),
                action: "pull".into(),
                subject: None,
                detail: String::new(),
            })
            .collect(),
        ..Default::default()
    };
    store.write(batch).await.expect("write");
    let seen = store.devices_last_seen().await.expect("last seen");
    assert_eq!(seen.get(&device), Some(&(t0 + 7)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_staff_story() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("server.db").display());
    let key = StaffKey::load_or_create(&dir.path().join(sealing::FILE_NAME)).expect("key");
    staff_story(store::open(&url).await.expect("open"), &key).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_staff_story() {
    if let Some(url) = common::postgres_url() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = StaffKey::load_or_create(&dir.path().join(sealing::FILE_NAME)).expect("key");
        staff_story(store::open(&url).await.expect("open"), &key).await;
    }
}

/// An account stored before the staff key, its secret in clear, is sealed
/// at the next start and logs in with the same phone; a sealed one is left
/// as it is.
async fn sealing_story(store: DynStore, key: &StaffKey) {
    let name = unique("gammal");
    let secret = b"12345678901234567890";
    store
        .add_staff(
            NewStaff {
                name: name.clone(),
                roles: vec![Role::Auditor],
                password_hash: staff::password::hash("kanel cykel fönster hav").expect("hash"),
                totp_secret: totp::base32(secret),
            },
            audit(now_ms(), "staff.add"),
        )
        .await
        .expect("an account from before the key");
    let newer = staff::add(store.as_ref(), key, &unique("ny"), &[Role::Auditor])
        .await
        .expect("add");
    assert!(staff::seal_stored(store.as_ref(), key).await.expect("seal") >= 1);
    let old = store.staff(&name).await.expect("read").expect("stored");
    assert!(sealing::is_sealed(&old.totp_secret));
    assert_eq!(
        key.open(&name, &old.totp_secret).as_deref(),
        Some(&secret[..])
    );
    let kept = store
        .staff(&newer.staff.name)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(kept.totp_secret, newer.staff.totp_secret);
    assert_eq!(
        staff::seal_stored(store.as_ref(), key)
            .await
            .expect("again"),
        0
    );
    assert!(rows_of(&store, "staff.totp-sealed").await >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stored_secrets_are_sealed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("server.db").display());
    let key = StaffKey::load_or_create(&dir.path().join(sealing::FILE_NAME)).expect("key");
    sealing_story(store::open(&url).await.expect("open"), &key).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stored_secrets_are_sealed() {
    if let Some(url) = common::postgres_url() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = StaffKey::load_or_create(&dir.path().join(sealing::FILE_NAME)).expect("key");
        sealing_story(store::open(&url).await.expect("open"), &key).await;
    }
}
