//! The sync benchmark of brygga-server, over HTTPS on 127.0.0.1 only, with
//! the real (release-built) server binary:
//!
//! 1. pull into an empty device: N operations (default 50 000) are
//!    preloaded by one device, then a second device of the team pulls them
//!    all in pages of 1000 — ops/s (target ≥ 20 000/s);
//! 2. 200 devices pushing at once: each pushes R rounds of small batches
//!    concurrently — p50/p99/max latency per push (target p99 < 50 ms).
//!
//! For SQLite always, for PostgreSQL when BRYGGA_TEST_POSTGRES_URL is set
//! (scripts/postgres-test.sh cargo bench -p brygga-server --bench sync).
//!
//! `cargo bench -p brygga-server --bench sync` for the full run;
//! `-- --test` (as the test suite runs benches) for a small, quick one.
//! Sizes: BENCH_PULL_OPS, BENCH_DEVICES, BENCH_ROUNDS, BENCH_BATCH.

#[path = "../tests/common/mod.rs"]
mod common;

use brygga_protocol::api::Outcome;
use common::{pupil_payload, Device, ServerHome};
use std::time::{Duration, Instant};
use uuid::Uuid;

struct Sizes {
    pull_ops: usize,
    devices: usize,
    rounds: usize,
    batch: usize,
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Row {
    backend: &'static str,
    preload_ops_s: f64,
    pull_ops: usize,
    pull_ops_s: f64,
    pushes: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
    push_ops_s: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[idx]
}

async fn bench(backend: &'static str, pg: Option<&str>, sizes: &Sizes) -> Row {
    let home = ServerHome::new(pg);
    let (_team, user) = home.team_and_user();
    let server = home.start();

    // 1. Preload and pull.
    let mut writer = Device::new(&server);
    writer.enroll_ok(&home.enroll_code(&user, 60)).await;
    let ops: Vec<_> = (0..sizes.pull_ops)
        .map(|_| writer.op(pupil_payload(Uuid::now_v7())))
        .collect();
    let started = Instant::now();
    for chunk in ops.chunks(1000) {
        let r = writer.push(chunk).await;
        assert!(r.results.iter().all(|x| x.outcome == Outcome::Accepted));
    }
    let preload_ops_s = ops.len() as f64 / started.elapsed().as_secs_f64();
    drop(ops);

    let reader = Device::new(&server);
    reader.enroll_ok(&home.enroll_code(&user, 60)).await;
    reader.status().await; // TLS handshake outside the measurement
    let started = Instant::now();
    let (mut cursor, mut pulled) = (0, 0);
    loop {
        let page = reader.pull(cursor, Some(1000)).await;
        pulled += page.ops.len();
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    let pull_elapsed = started.elapsed();
    assert_eq!(pulled, sizes.pull_ops);

    // 2. Many devices pushing at once.
    let mut devices = Vec::with_capacity(sizes.devices);
    for _ in 0..sizes.devices {
        let d = Device::new(&server);
        d.enroll_ok(&home.enroll_code(&user, 60)).await;
        devices.push(d);
    }
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(sizes.devices));
    let mut tasks = Vec::new();
    for mut d in devices {
        let barrier = std::sync::Arc::clone(&barrier);
        let (rounds, batch) = (sizes.rounds, sizes.batch);
        tasks.push(tokio::spawn(async move {
            let batches: Vec<Vec<_>> = (0..rounds)
                .map(|_| {
                    (0..batch)
                        .map(|_| d.op(pupil_payload(Uuid::now_v7())))
                        .collect()
                })
                .collect();
            d.status().await; // connect first
            barrier.wait().await;
            let mut latencies = Vec::with_capacity(rounds);
            for b in &batches {
                let t = Instant::now();
                let r = d.push(b).await;
                latencies.push(t.elapsed());
                assert!(r.results.iter().all(|x| x.outcome == Outcome::Accepted));
            }
            latencies
        }));
    }
    let started = Instant::now();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("push task"));
    }
    let push_elapsed = started.elapsed();
    latencies.sort();
    Row {
        backend,
        preload_ops_s,
        pull_ops: pulled,
        pull_ops_s: pulled as f64 / pull_elapsed.as_secs_f64(),
        pushes: latencies.len(),
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        max: latencies.last().copied().unwrap_or_default(),
        push_ops_s: (latencies.len() * sizes.batch) as f64 / push_elapsed.as_secs_f64(),
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let sizes = Sizes {
        pull_ops: env_or("BENCH_PULL_OPS", if quick { 2_000 } else { 50_000 }),
        devices: env_or("BENCH_DEVICES", if quick { 20 } else { 200 }),
        rounds: env_or("BENCH_ROUNDS", if quick { 2 } else { 10 }),
        batch: env_or("BENCH_BATCH", 5),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let pg = std::env::var("BRYGGA_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let mut rows = vec![runtime.block_on(bench("sqlite", None, &sizes))];
    match &pg {
        Some(url) => rows.push(runtime.block_on(bench("postgres", Some(url), &sizes))),
        None => eprintln!(
            "postgres: skipped (set BRYGGA_TEST_POSTGRES_URL or run via scripts/postgres-test.sh)"
        ),
    }
    println!(
        "\nbrygga-server sync bench (HTTPS on 127.0.0.1; {} devices x {} pushes of {} ops)\n",
        sizes.devices, sizes.rounds, sizes.batch
    );
    println!(
        "| backend  | preload push ops/s | pull ops | pull ops/s | pushes | push p50 ms | push p99 ms | push max ms | concurrent push ops/s |"
    );
    println!(
        "|----------|-------------------:|---------:|-----------:|-------:|------------:|------------:|------------:|----------------------:|"
    );
    for r in &rows {
        println!(
            "| {:<8} | {:>18.0} | {:>8} | {:>10.0} | {:>6} | {:>11.1} | {:>11.1} | {:>11.1} | {:>21.0} |",
            r.backend,
            r.preload_ops_s,
            r.pull_ops,
            r.pull_ops_s,
            r.pushes,
            r.p50.as_secs_f64() * 1e3,
            r.p99.as_secs_f64() * 1e3,
            r.max.as_secs_f64() * 1e3,
            r.push_ops_s,
        );
    }
    println!("\ntargets: pull >= 20000 ops/s, push p99 < 50 ms");
}
