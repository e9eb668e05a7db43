//! The sync benchmark of brygga-server, over HTTPS on 127.0.0.1 only, with
//! the real (release-built) server binary:
//!
//! 1. pull into an empty device: N operations (default 50 000) are
//!    preloaded by one device, then a second device of the team pulls them
//!    all in pages of 1000 — ops/s (target ≥ 20 000/s);
//! 2. 200 devices pushing at once (target p99 < 50 ms), two ways, each
//!    reported on its own line — p50/p99/max latency of one push, as the
//!    device sees it (signing the request, HTTPS, the server's commit):
//!    - burst: all 200 push one small batch at the same moment, and wait
//!      until every one has its answer; B such bursts (default 10), with
//!      a pause between them;
//!    - sustained: all 200 push R rounds of small batches back to back
//!      (each device sends its next push as soon as it has the answer),
//!      so 200 pushes are in flight all the time: a saturation test, whose
//!      latency is bounded by 200 / (pushes per second the machine does).
//!
//!    The load generator (200 HTTPS clients signing their requests) runs
//!    on the same machine and shares its cores with the server; the CPU
//!    time per push of the server process, of a local PostgreSQL (its
//!    processes, found by port) and of the load generator is printed too
//!    (Linux: /proc), since on a small machine CPU is what bounds these
//!    latencies.
//!
//! For SQLite always, for PostgreSQL when BRYGGA_TEST_POSTGRES_URL is set
//! (scripts/postgres-test.sh cargo bench -p brygga-server --bench sync).
//!
//! `cargo bench -p brygga-server --bench sync` for the full run;
//! `-- --test` (as the test suite runs benches) for a small, quick one.
//! Sizes: BENCH_PULL_OPS, BENCH_DEVICES, BENCH_BURSTS, BENCH_ROUNDS,
//! BENCH_BATCH.

#[path = "../tests/common/mod.rs"]
mod common;

use brygga_protocol::api::Outcome;
use common::{pupil_payload, Device, ServerHome};
use std::time::{Duration, Instant};
use uuid::Uuid;

struct Sizes {
    pull_ops: usize,
    devices: usize,
    bursts: usize,
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
    burst: Latencies,
    sustained: Latencies,
}

/// Latencies of single pushes, the push rate over the whole test, and the
/// CPU time spent per push by the server and by the load generator.
struct Latencies {
    pushes: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
    push_ops_s: f64,
    cpu: Cpu,
}

impl Latencies {
    fn new(mut latencies: Vec<Duration>, batch: usize, elapsed: Duration, cpu: Cpu) -> Latencies {
        latencies.sort();
        Latencies {
            pushes: latencies.len(),
            p50: percentile(&latencies, 0.50),
            p99: percentile(&latencies, 0.99),
            max: latencies.last().copied().unwrap_or_default(),
            push_ops_s: (latencies.len() * batch) as f64 / elapsed.as_secs_f64(),
            cpu,
        }
    }

    /// CPU milliseconds per push, or "-".
    fn cpu_ms(&self, of: Option<Duration>) -> String {
        match of {
            Some(t) if self.pushes > 0 => {
                format!("{:.2}", t.as_secs_f64() * 1e3 / self.pushes as f64)
            }
            _ => "-".into(),
        }
    }
}

/// Pause between two bursts: the server and the clients are idle when a
/// burst starts.
const BURST_PAUSE: Duration = Duration::from_millis(200);

/// CPU time (user + system) a process used so far, from /proc (Linux);
/// None elsewhere.
fn cpu_time(pid: Option<u32>) -> Option<Duration> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which may hold spaces), 1-based from
    // field 3: utime is field 14, stime field 15, in clock ticks (100/s on
    // Linux).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// CPU time of a PostgreSQL cluster on this machine listening on `port`:
/// its postmaster (with the children it reaped) and its live children,
/// from /proc (Linux); None when not found (e.g. a remote database).
fn postgres_cpu_time(port: u16) -> Option<Duration> {
    let ticks = |fields: &[&str], from: usize, n: usize| -> Option<u64> {
        (from..from + n).try_fold(0u64, |sum, i| {
            Some(sum + fields.get(i)?.parse::<u64>().ok()?)
        })
    };
    let flag = format!("\0-p\0{port}\0");
    let mut postmaster = None;
    let mut children: Vec<(u32, u64)> = Vec::new(); // (ppid, ticks)
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        if !head.ends_with("(postgres") {
            continue;
        }
        // After the command name: state, ppid, … utime (index 11), stime,
        // cutime, cstime.
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(&flag) {
            postmaster = Some((pid, ticks(&fields, 11, 4)?));
        } else if let (Some(ppid), Some(t)) = (
            fields.get(1).and_then(|p| p.parse().ok()),
            ticks(&fields, 11, 2),
        ) {
            children.push((ppid, t));
        }
    }
    let (pid, own) = postmaster?;
    let total = own
        + children
            .iter()
            .filter(|(ppid, _)| *ppid == pid)
            .map(|(_, t)| t)
            .sum::<u64>();
    Some(Duration::from_millis(total * 10))
}

/// The port of a `postgres://…@HOST:PORT/DB` URL.
fn postgres_port(url: &str) -> Option<u16> {
    let host_port = url.split('@').next_back()?.split('/').next()?;
    host_port.rsplit_once(':')?.1.parse().ok()
}

/// CPU time of the server, of this load generator and of a local
/// PostgreSQL between two points.
#[derive(Clone, Copy)]
struct Cpu {
    server: Option<Duration>,
    clients: Option<Duration>,
    database: Option<Duration>,
}

impl Cpu {
    const ZERO: Cpu = Cpu {
        server: Some(Duration::ZERO),
        clients: Some(Duration::ZERO),
        database: Some(Duration::ZERO),
    };

    fn now(server_pid: u32, pg_port: Option<u16>) -> Cpu {
        Cpu {
            server: cpu_time(Some(server_pid)),
            clients: cpu_time(None),
            database: pg_port.and_then(postgres_cpu_time),
        }
    }

    fn since(self, start: Cpu) -> Cpu {
        let d = |a: Option<Duration>, b: Option<Duration>| Some(a?.saturating_sub(b?));
        Cpu {
            server: d(self.server, start.server),
            clients: d(self.clients, start.clients),
            database: d(self.database, start.database),
        }
    }

    fn plus(self, other: Cpu) -> Cpu {
        let s = |a: Option<Duration>, b: Option<Duration>| Some(a? + b?);
        Cpu {
            server: s(self.server, other.server),
            clients: s(self.clients, other.clients),
            database: s(self.database, other.database),
        }
    }
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
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(sizes.devices + 1));
    let mut tasks = Vec::new();
    for mut d in devices {
        let barrier = std::sync::Arc::clone(&barrier);
        let (bursts, rounds, batch) = (sizes.bursts, sizes.rounds, sizes.batch);
        tasks.push(tokio::spawn(async move {
            let mut batches = |n: usize| -> Vec<Vec<_>> {
                (0..n)
                    .map(|_| {
                        (0..batch)
                            .map(|_| d.op(pupil_payload(Uuid::now_v7())))
                            .collect()
                    })
                    .collect()
            };
            let (burst_batches, sustained_batches) = (batches(bursts), batches(rounds));
            d.status().await; // connect first
            let mut burst = Vec::with_capacity(bursts);
            for b in &burst_batches {
                barrier.wait().await; // all start together
                let t = Instant::now();
                let r = d.push(b).await;
                burst.push(t.elapsed());
                assert!(r.results.iter().all(|x| x.outcome == Outcome::Accepted));
                barrier.wait().await; // all answered
            }
            barrier.wait().await;
            let mut sustained = Vec::with_capacity(rounds);
            for b in &sustained_batches {
                let t = Instant::now();
                let r = d.push(b).await;
                sustained.push(t.elapsed());
                assert!(r.results.iter().all(|x| x.outcome == Outcome::Accepted));
            }
            (burst, sustained)
        }));
    }
    // Bursts: the clock runs from the start of the first to the end of the
    // last, pauses excluded.
    let pid = server.child.id();
    let pg_port = pg.and_then(postgres_port);
    let mut burst_elapsed = Duration::ZERO;
    let mut burst_cpu = Cpu::ZERO;
    for _ in 0..sizes.bursts {
        tokio::time::sleep(BURST_PAUSE).await;
        barrier.wait().await;
        let (started, cpu) = (Instant::now(), Cpu::now(pid, pg_port));
        barrier.wait().await;
        burst_elapsed += started.elapsed();
        burst_cpu = burst_cpu.plus(Cpu::now(pid, pg_port).since(cpu));
    }
    tokio::time::sleep(BURST_PAUSE).await;
    barrier.wait().await;
    let (started, cpu) = (Instant::now(), Cpu::now(pid, pg_port));
    let (mut burst, mut sustained) = (Vec::new(), Vec::new());
    for t in tasks {
        let (b, s) = t.await.expect("push task");
        burst.extend(b);
        sustained.extend(s);
    }
    let sustained_elapsed = started.elapsed();
    let sustained_cpu = Cpu::now(pid, pg_port).since(cpu);
    Row {
        backend,
        preload_ops_s,
        pull_ops: pulled,
        pull_ops_s: pulled as f64 / pull_elapsed.as_secs_f64(),
        burst: Latencies::new(burst, sizes.batch, burst_elapsed, burst_cpu),
        sustained: Latencies::new(sustained, sizes.batch, sustained_elapsed, sustained_cpu),
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let sizes = Sizes {
        pull_ops: env_or("BENCH_PULL_OPS", if quick { 2_000 } else { 50_000 }),
        devices: env_or("BENCH_DEVICES", if quick { 20 } else { 200 }),
        bursts: env_or("BENCH_BURSTS", if quick { 2 } else { 10 }),
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
        "\nbrygga-server sync bench (HTTPS on 127.0.0.1; load generator on the same machine)\n"
    );
    println!("| backend  | preload push ops/s | pull ops | pull ops/s |");
    println!("|----------|-------------------:|---------:|-----------:|");
    for r in &rows {
        println!(
            "| {:<8} | {:>18.0} | {:>8} | {:>10.0} |",
            r.backend, r.preload_ops_s, r.pull_ops, r.pull_ops_s,
        );
    }
    let burst = format!(
        "burst: {} devices x 1 push of {} ops at once, {} times",
        sizes.devices, sizes.batch, sizes.bursts
    );
    let sustained = format!(
        "sustained: {} devices x {} back-to-back pushes of {} ops",
        sizes.devices, sizes.rounds, sizes.batch
    );
    let width = burst.len().max(sustained.len());
    println!();
    println!(
        "| backend  | {:<width$} | pushes | p50 ms | p99 ms | max ms | push ops/s | server CPU ms/push | database CPU ms/push | clients CPU ms/push |",
        "push test"
    );
    println!(
        "|----------|-{:-<width$}-|-------:|-------:|-------:|-------:|-----------:|-------------------:|---------------------:|--------------------:|",
        ""
    );
    for r in &rows {
        for (name, l) in [(&burst, &r.burst), (&sustained, &r.sustained)] {
            println!(
                "| {:<8} | {:<width$} | {:>6} | {:>6.1} | {:>6.1} | {:>6.1} | {:>10.0} | {:>18} | {:>20} | {:>19} |",
                r.backend,
                name,
                l.pushes,
                l.p50.as_secs_f64() * 1e3,
                l.p99.as_secs_f64() * 1e3,
                l.max.as_secs_f64() * 1e3,
                l.push_ops_s,
                l.cpu_ms(l.cpu.server),
                l.cpu_ms(l.cpu.database),
                l.cpu_ms(l.cpu.clients),
            );
        }
    }
    println!("\ntargets: pull >= 20000 ops/s, push p99 < 50 ms (200 devices pushing at once)");
}
