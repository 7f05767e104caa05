//! Prometheus metrics in text format, kept per instance (each instance is scraped on its
//! own; nothing here is state another instance needs).

use castellan_store::Db;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Counters {
    requests: BTreeMap<(String, String, u16), u64>,
    durations: BTreeMap<String, Histogram>,
}

/// Request counters and duration histograms by route.
pub struct Metrics {
    started: Instant,
    counters: Mutex<Counters>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            counters: Mutex::new(Counters::default()),
        }
    }
}

impl Metrics {
    /// Records one request. `route` is the matched route template, never the raw path.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let Ok(mut c) = self.counters.lock() else {
            return;
        };
        *c.requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let h = c.durations.entry(route.to_owned()).or_default();
        let secs = elapsed.as_secs_f64();
        h.count += 1;
        h.sum += secs;
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le
                && let Some(b) = h.buckets.get_mut(i)
            {
                *b += 1;
            }
        }
    }

    /// The text exposition.
    pub fn render(&self, db: &Db) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP castellan_build_info Castellan version.\n# TYPE castellan_build_info gauge\ncastellan_build_info{{version=\"{}\",database=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION"),
            db.backend().name()
        );
        let _ = writeln!(
            out,
            "# HELP castellan_uptime_seconds Seconds since start.\n# TYPE castellan_uptime_seconds gauge\ncastellan_uptime_seconds {}",
            self.started.elapsed().as_secs()
        );
        let (open, idle) = db.pool_stats();
        let _ = writeln!(
            out,
            "# HELP castellan_db_connections Database connections.\n# TYPE castellan_db_connections gauge\ncastellan_db_connections{{state=\"open\"}} {open}\ncastellan_db_connections{{state=\"idle\"}} {idle}"
        );
        let Ok(c) = self.counters.lock() else {
            return out;
        };
        let _ = writeln!(
            out,
            "# HELP castellan_http_requests_total HTTP requests by route and status.\n# TYPE castellan_http_requests_total counter"
        );
        for ((method, route, status), n) in &c.requests {
            let _ = writeln!(
                out,
                "castellan_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        let _ = writeln!(
            out,
            "# HELP castellan_http_request_duration_seconds Time to answer, by route.\n# TYPE castellan_http_request_duration_seconds histogram"
        );
        for (route, h) in &c.durations {
            let route = escape(route);
            for (le, n) in BUCKETS.iter().zip(h.buckets.iter()) {
                let _ = writeln!(
                    out,
                    "castellan_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "castellan_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "castellan_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "castellan_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
