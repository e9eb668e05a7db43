//! The unit manager pages' figures at a municipality's size: 50 teams × 30
//! pupils × two years of synced data (each pupil 80 weeks of absence, an
//! entry, half of them a plan, a ladder step, every third a deviation;
//! one pupil in 30 with a protected identity), pushed through the store's
//! real write path. Measures the refresh that takes the facts from the
//! operations, then a page's figures (the facts read and every view
//! computed) for one team, one team and school, and every team: p50 and
//! p95 over the runs.
//!
//! SQLite always; PostgreSQL too when BRYGGA_TEST_POSTGRES_URL is set
//! (scripts/postgres-test.sh cargo bench -p brygga-server --bench outcomes).
//! `-- --test` (as the test suite runs benches): 3 teams, a few runs.

#[path = "../tests/common/mod.rs"]
mod common;

use brygga_protocol::op::{DeviationCategory, OrgKind};
use brygga_server::outcomes::refresh;
use brygga_server::outcomes::views::{compute, Filter};
use brygga_server::store::{self, DynStore};
use chrono::{Duration, NaiveDate};
use common::outcome_seed::{PupilSpec, SeedTeam};
use std::time::Instant;

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

async fn time_page(store: &DynStore, team: Option<i64>, filter: &Filter, runs: usize) -> String {
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        refresh(store).await.expect("refresh");
        let facts = store.outcome_facts(team).await.expect("facts");
        let views = compute(&facts, filter, d("2026-06-30"));
        std::hint::black_box(views);
        ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    format!(
        "p50 {:.1} ms, p95 {:.1} ms",
        percentile(&ms, 0.5),
        percentile(&ms, 0.95)
    )
}

async fn run(backend: &str, store: DynStore, teams: usize, runs: usize) {
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
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let (teams, runs) = if quick { (3, 5) } else { (50, 40) };
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("server.db").display());
    run(
        "sqlite",
        store::open(&url).await.expect("open"),
        teams,
        runs,
    )
    .await;
    if let Ok(url) = std::env::var("BRYGGA_TEST_POSTGRES_URL") {
        if !url.is_empty() {
            run(
                "postgres",
                store::open(&url).await.expect("open"),
                teams,
                runs,
            )
            .await;
        }
    }
}
