//! Prometheus metrics, hand-rolled: a few counters and one histogram do not
//! need a metrics framework.

use brygga_protocol::api::Outcome;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the push latency histogram buckets.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_us: AtomicU64,
}

impl Histogram {
    fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (bound, count) in BUCKETS.iter().zip(&self.counts) {
            if secs <= *bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_us
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }
}

/// The server's counters.
#[derive(Default)]
pub struct Metrics {
    ops_accepted: AtomicU64,
    ops_duplicate: AtomicU64,
    ops_rejected: AtomicU64,
    ops_pulled: AtomicU64,
    /// (method, route, status) → count
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    push_latency: Histogram,
}

impl Metrics {
    pub fn op_outcome(&self, outcome: Outcome) {
        let counter = match outcome {
            Outcome::Accepted => &self.ops_accepted,
            Outcome::Duplicate => &self.ops_duplicate,
            Outcome::Rejected => &self.ops_rejected,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn ops_pulled(&self, n: usize) {
        self.ops_pulled.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn request(&self, method: &str, route: &str, status: u16) {
        let mut map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *map.entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
    }

    pub fn push_latency(&self, d: Duration) {
        self.push_latency.observe(d);
    }

    /// The Prometheus text exposition (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP brygga_ops_total Pushed operations by outcome.\n# TYPE brygga_ops_total counter"
        );
        for (outcome, counter) in [
            ("accepted", &self.ops_accepted),
            ("duplicate", &self.ops_duplicate),
            ("rejected", &self.ops_rejected),
        ] {
            let _ = writeln!(
                out,
                "brygga_ops_total{{outcome=\"{outcome}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP brygga_ops_pulled_total Operations served by pull.\n# TYPE brygga_ops_pulled_total counter\nbrygga_ops_pulled_total {}",
            self.ops_pulled.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP brygga_http_requests_total HTTP requests by method, route and status.\n# TYPE brygga_http_requests_total counter"
        );
        {
            let map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
            for ((method, route, status), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "brygga_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    route.replace('\\', "\\\\").replace('"', "\\\"")
                );
            }
        }
        let h = &self.push_latency;
        let _ = writeln!(
            out,
            "# HELP brygga_push_duration_seconds Latency of POST /v1/push.\n# TYPE brygga_push_duration_seconds histogram"
        );
        for (bound, count) in BUCKETS.iter().zip(&h.counts) {
            let _ = writeln!(
                out,
                "brygga_push_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                count.load(Ordering::Relaxed)
            );
        }
        let count = h.count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "brygga_push_duration_seconds_bucket{{le=\"+Inf\"}} {count}\nbrygga_push_duration_seconds_sum {}\nbrygga_push_duration_seconds_count {count}",
            h.sum_us.load(Ordering::Relaxed) as f64 / 1e6
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.op_outcome(Outcome::Accepted);
        m.op_outcome(Outcome::Accepted);
        m.op_outcome(Outcome::Rejected);
        m.request("POST", "/v1/push", 200);
        m.push_latency(Duration::from_millis(3));
        m.push_latency(Duration::from_millis(30));
        let text = m.render();
        assert!(text.contains("brygga_ops_total{outcome=\"accepted\"} 2"));
        assert!(text.contains("brygga_ops_total{outcome=\"rejected\"} 1"));
        assert!(text.contains(
            "brygga_http_requests_total{method=\"POST\",route=\"/v1/push\",status=\"200\"} 1"
        ));
        assert!(text.contains("brygga_push_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("brygga_push_duration_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("brygga_push_duration_seconds_count 2"));
    }
}
