//! The server's pages at a municipality's size.
//!
//! The unit manager pages' figures: 50 teams × 30 pupils × two years of
//! synced data (each pupil 80 weeks of absence, an entry, half of them a
//! plan, a ladder step, every third a deviation; one pupil in 30 with a
//! protected identity), pushed through the store's real write path.
//! Measures the refresh that takes the facts from the operations, then a
//! page's figures (its rows read and every view computed) for one team,
//! one team and school, and every team: p50 and p95 over the runs.
//!
//! Then every page whole, through the web router in the process (no TLS,
//! no socket), as a signed-in person with all three roles: the
//! administrator's devices, teams, retention and backups, the auditor's
//! review (the last week, and one action over all time) and the unit
//! manager's page of every team. The same database, grown to 500 devices
//! (10 a team) and 100,000 more server audit rows spread over the last 30
//! days (each page view writes one more, as in use).
//!
//! SQLite always; PostgreSQL too when BRYGGA_TEST_POSTGRES_URL is set
//! (scripts/postgres-test.sh cargo bench -p brygga-server --bench outcomes).
//! `-- --test` (as the test suite runs benches): 3 teams, 1,000 audit rows,
//! a few runs.

#[path = "../tests/common/mod.rs"]
mod common;

use brygga_protocol::op::{DeviationCategory, OrgKind};
use brygga_server::admin_log::AdminLog;
use brygga_server::clock::{now_ms, Clock};
use brygga_server::outcomes::refresh;
use brygga_server::outcomes::views::{compute_page, Filter};
use brygga_server::staff::sealing::StaffKey;
use brygga_server::staff::Role;
use brygga_server::store::staff::{LoginResult, NewSession, NewStaff};
use brygga_server::store::{self, AuditRecord, DynStore, WriteBatch};
use brygga_server::web::{router, WebState, SESSION_COOKIE};
use chrono::{Duration, NaiveDate};
use common::outcome_seed::{PupilSpec, SeedTeam};
use common::{audit_row, enrol, unique};
use std::future::Future;
use std::path::Path;
use std::time::Instant;
use tower::ServiceExt;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

async fn seed(store: &DynStore, teams: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for t in 0..teams {
        let mut team = SeedTeam::new(store, "bench-team").await;
        for p in 0..30usize {
            let opened = d("2024-08-19") + Duration::days((p * 7) as i64);
            let first = opened + Duration::weeks(40);
            let school = format!("Fiktiva skola {}", (t + p) % 10);
            let mut spec = PupilSpec::around(&school, opened, first, 40, 150, 80);
            spec.protected = p == 29;
            spec.plan = p % 2 == 0;
            spec.step = Some(["Delvis", "Heltid", "Återgång"][p % 3].to_owned());
            if p % 3 == 0 {
                spec.deviation = Some((OrgKind::Bup, DeviationCategory::LateContact));
            }
            team.pupil(&spec);
        }
        team.push().await;
        ids.push(team.team_id);
    }
    ids
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// p50 and p95 of `runs` runs of `once`.
async fn time<F: Future<Output = ()>>(runs: usize, mut once: impl FnMut() -> F) -> String {
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        once().await;
        ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    format!(
        "p50 {:.1} ms, p95 {:.1} ms",
        percentile(&ms, 0.5),
        percentile(&ms, 0.95)
    )
}

async fn time_page(store: &DynStore, team: Option<i64>, filter: &Filter, runs: usize) -> String {
    time(runs, || async {
        refresh(store).await.expect("refresh");
        let rows = store.outcome_rows(team).await.expect("rows");
        let views = compute_page(&rows.facts, &rows.weeks, filter, d("2026-06-30"));
        std::hint::black_box(views);
    })
    .await
}

/// Nine more devices a team (each of a user of its own), and `audits`
/// server audit rows over the last 30 days.
async fn grow(store: &DynStore, teams: &[i64], audits: usize) {
    let now = now_ms();
    let all = store.teams().await.expect("teams");
    for team in all.iter().filter(|t| teams.contains(&t.id)) {
        for _ in 0..9 {
            let user = unique("fiktiv-handlaggare");
            store
                .add_user(&user, &team.name, audit_row(now, "admin", "user.add"))
                .await
                .expect("user");
            enrol(store, &user, now).await;
        }
    }
    let month_ms = 30 * 86_400_000;
    for chunk in (0..audits).collect::<Vec<_>>().chunks(1000) {
        let audits = chunk
            .iter()
            .map(|i| {
                let at = now - month_ms + (*i as i64) * month_ms / audits as i64;
                audit_row(at, &format!("staff:fiktiv-{}", i % 40), "web.view")
            })
            .collect();
        store
            .write(WriteBatch {
                audits,
                ..WriteBatch::default()
            })
            .await
            .expect("audit rows");
    }
}

/// A person with every role, signed in: the cookie of the session.
async fn signed_in(store: &DynStore) -> String {
    let staff = store
        .add_staff(
            NewStaff {
                name: unique("fiktiv-chef"),
                roles: Role::ALL.to_vec(),
                // Never checked: the session is started here, not by a login.
                password_hash: "-".into(),
                totp_secret: "-".into(),
            },
            audit_row(now_ms(), "admin", "staff.add"),
        )
        .await
        .expect("staff");
    let token = unique("fiktiv-token");
    let session = NewSession {
        token_hash: brygga_protocol::auth::sha256_hex(token.as_bytes()),
        csrf_token: unique("csrf"),
    };
    let started = store
        .record_login(
            staff.id,
            LoginResult::Succeeded {
                totp_step: 1,
                session,
            },
            AuditRecord {
                at_ms: now_ms(),
                ..audit_row(0, &format!("staff:{}", staff.name), "web.login")
            },
        )
        .await
        .expect("login");
    assert!(started);
    format!("{SESSION_COOKIE}={token}")
}

async fn time_pages(backend: &str, store: DynStore, dir: &Path, runs: usize) {
    let state = WebState::new(
        store.clone(),
        AdminLog::at(dir.join("admin.log")),
        Clock::system(),
        "00".into(),
        StaffKey::load_or_create(&dir.join("staff.key")).expect("staff key"),
    );
    let app = router(state);
    let cookie = signed_in(&store).await;
    for path in [
        "/devices",
        "/teams",
        "/retention",
        "/backups",
        "/audit",
        "/audit?action=enroll",
        "/outcomes?from=2024-08-01&to=2026-06-30",
    ] {
        let figures = time(runs, || async {
            let request = axum::http::Request::get(path)
                .header("cookie", &cookie)
                .body(axum::body::Body::empty())
                .expect("request");
            let response = app.clone().oneshot(request).await.expect("response");
            assert_eq!(response.status(), 200, "{path}");
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            std::hint::black_box(body);
        })
        .await;
        println!("{backend}: {path:<40} {figures}");
    }
}

async fn run(backend: &str, store: DynStore, size: Size, dir: &Path) {
    let Size {
        teams,
        audits,
        runs,
    } = size;
    let start = Instant::now();
    let ids = seed(&store, teams).await;
    let seeded = start.elapsed();
    let start = Instant::now();
    refresh(&store).await.expect("refresh");
    let refreshed = start.elapsed();
    let facts = store.outcome_facts(None).await.expect("facts").len();
    println!(
        "{backend}: {teams} teams × 30 pupils × 2 years seeded in {:.1} s; \
         first refresh {:.0} ms ({facts} facts)",
        seeded.as_secs_f64(),
        refreshed.as_secs_f64() * 1000.0
    );
    let period = |school: Option<&str>| Filter {
        school: school.map(str::to_owned),
        from: d("2024-08-01"),
        to: d("2026-06-30"),
    };
    println!(
        "{backend}: one team:            {}",
        time_page(&store, Some(ids[0]), &period(None), runs).await
    );
    println!(
        "{backend}: one team and school: {}",
        time_page(&store, Some(ids[0]), &period(Some("Fiktiva skola 3")), runs).await
    );
    println!(
        "{backend}: every team:          {}",
        time_page(&store, None, &period(None), runs).await
    );
    let start = Instant::now();
    grow(&store, &ids, audits).await;
    println!(
        "{backend}: {} devices and {audits} audit rows more in {:.1} s",
        teams * 9,
        start.elapsed().as_secs_f64()
    );
    time_pages(backend, store, dir, runs).await;
}

#[derive(Clone, Copy)]
struct Size {
    teams: usize,
    audits: usize,
    runs: usize,
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let size = if quick {
        Size {
            teams: 3,
            audits: 1000,
            runs: 5,
        }
    } else {
        Size {
            teams: 50,
            audits: 100_000,
            runs: 40,
        }
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("server.db").display());
    let store = store::open(&url).await.expect("open");
    run("sqlite", store, size, dir.path()).await;
    if let Ok(url) = std::env::var("BRYGGA_TEST_POSTGRES_URL") {
        if !url.is_empty() {
            let store = store::open(&url).await.expect("open");
            run("postgres", store, size, dir.path()).await;
        }
    }
}
