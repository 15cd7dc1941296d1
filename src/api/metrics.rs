//! Prometheus metrics: requests and their latencies per route, the data snapshot, reload
//! outcomes and the tile cache, in the text exposition format.
//!
//! Routes are labelled by their template (`/collections/{id}/items`), never by the path
//! or query asked: a resident's point or address must never become a label.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The statuses counted one by one; any other is counted as `other`.
const STATUSES: [u16; 24] = [
    200, 201, 204, 206, 301, 302, 304, 307, 308, 400, 401, 403, 404, 405, 406, 408, 413, 414, 415,
    422, 429, 500, 503, 504,
];

const METHODS: [&str; 5] = ["GET", "HEAD", "POST", "OPTIONS", "other"];

/// Route templates counted apart. The router has about 25; a template beyond this many
/// (none today) is counted under `(other routes)` rather than dropped.
const ROUTE_SLOTS: usize = 64;
const OTHER_ROUTES: &str = "(other routes)";

/// The figures of one route and method: plain counters, so recording a request is a
/// few relaxed atomic adds and no lock (every request passes through here).
struct Figures {
    /// Requests by status, in the order of `STATUSES`, and `other` last.
    by_status: [AtomicU64; STATUSES.len() + 1],
    /// Requests per bucket (not cumulative: the sums are made when rendering), and the
    /// slower than the last bound last.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    nanos_sum: AtomicU64,
}

impl Default for Figures {
    fn default() -> Self {
        Figures {
            by_status: std::array::from_fn(|_| AtomicU64::new(0)),
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            nanos_sum: AtomicU64::new(0),
        }
    }
}

#[derive(Default)]
struct RouteSlot {
    /// The route template, set once by the first request to it.
    route: OnceLock<Box<str>>,
    methods: [Figures; METHODS.len()],
}

/// Request counts and latencies in a fixed table of atomics.
pub struct Metrics {
    slots: Box<[RouteSlot]>,
    other: RouteSlot,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            slots: (0..ROUTE_SLOTS).map(|_| RouteSlot::default()).collect(),
            other: RouteSlot::default(),
        }
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    pub fn record(&self, method: &'static str, route: &str, status: u16, took: Duration) {
        let slot = self.slot(route);
        let m = METHODS
            .iter()
            .position(|n| *n == method)
            .unwrap_or(METHODS.len() - 1);
        let r = &slot.methods[m];
        let s = STATUSES
            .iter()
            .position(|c| *c == status)
            .unwrap_or(STATUSES.len());
        r.by_status[s].fetch_add(1, Relaxed);
        let secs = took.as_secs_f64();
        let b = BUCKETS
            .iter()
            .position(|bound| secs <= *bound)
            .unwrap_or(BUCKETS.len());
        r.buckets[b].fetch_add(1, Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        r.nanos_sum.fetch_add(nanos, Relaxed);
    }

    /// The slot of a route template: found by a scan of the slots taken so far (the
    /// router's few templates), or the first free one taken. Without a lock: two first
    /// requests to one new route race for a slot, and the loser finds the winner's.
    fn slot(&self, route: &str) -> &RouteSlot {
        for slot in self.slots.iter() {
            match slot.route.get() {
                Some(r) if &**r == route => return slot,
                Some(_) => continue,
                None => {
                    // Taken by another route meanwhile: go on to the next slot.
                    let _ = slot.route.set(route.into());
                    if slot.route.get().is_some_and(|r| &**r == route) {
                        return slot;
                    }
                }
            }
        }
        &self.other
    }

    /// The request figures in the text format, followed by `extra` gauges.
    pub fn render(&self, extra: &[Gauge]) -> String {
        let mut out = String::new();
        let mut routes: Vec<(&str, &RouteSlot)> = self
            .slots
            .iter()
            .filter_map(|s| s.route.get().map(|r| (&**r, s)))
            .collect();
        routes.sort_by_key(|(r, _)| *r);
        routes.push((OTHER_ROUTES, &self.other));
        // Only the routes and methods that were asked, as before.
        let figures: Vec<(&str, &str, &Figures)> = routes
            .iter()
            .flat_map(|(route, slot)| {
                METHODS
                    .iter()
                    .zip(&slot.methods)
                    .map(move |(method, f)| (*route, *method, f))
            })
            .filter(|(_, _, f)| f.buckets.iter().any(|b| b.load(Relaxed) > 0))
            .collect();
        out.push_str("# HELP wijkatlas_http_requests_total HTTP requests answered, by route template, method and status.\n");
        out.push_str("# TYPE wijkatlas_http_requests_total counter\n");
        for (route, method, r) in &figures {
            let statuses = STATUSES
                .iter()
                .map(|c| c.to_string())
                .chain(["other".into()]);
            for (status, n) in statuses.zip(&r.by_status) {
                let n = n.load(Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "wijkatlas_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                        escape(route)
                    );
                }
            }
        }
        out.push_str(
            "# HELP wijkatlas_http_request_duration_seconds Time to answer, by route template.\n",
        );
        out.push_str("# TYPE wijkatlas_http_request_duration_seconds histogram\n");
        for (route, method, r) in &figures {
            let labels = format!("route=\"{}\",method=\"{method}\"", escape(route));
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += r.buckets[i].load(Relaxed);
                let _ = writeln!(
                    out,
                    "wijkatlas_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            // Read while requests go on: +Inf and the count are this sum, so they never
            // fall below a bucket written above.
            let total = cumulative + r.buckets[BUCKETS.len()].load(Relaxed);
            let _ = writeln!(
                out,
                "wijkatlas_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {total}"
            );
            let _ = writeln!(
                out,
                "wijkatlas_http_request_duration_seconds_sum{{{labels}}} {}",
                r.nanos_sum.load(Relaxed) as f64 / 1e9
            );
            let _ = writeln!(
                out,
                "wijkatlas_http_request_duration_seconds_count{{{labels}}} {total}"
            );
        }
        let mut named = "";
        for g in extra {
            if g.name != named {
                let _ = writeln!(out, "# HELP {} {}", g.name, g.help);
                let _ = writeln!(out, "# TYPE {} {}", g.name, g.kind);
                named = g.name;
            }
            let labels = if g.labels.is_empty() {
                String::new()
            } else {
                let inner: Vec<String> = g
                    .labels
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                    .collect();
                format!("{{{}}}", inner.join(","))
            };
            let _ = writeln!(out, "{}{labels} {}", g.name, g.value);
        }
        out
    }
}

/// One figure beside the request metrics; figures of one name must follow each other.
#[derive(Debug, Clone)]
pub struct Gauge {
    pub name: &'static str,
    pub help: &'static str,
    /// `gauge` or `counter`.
    pub kind: &'static str,
    pub labels: Vec<(&'static str, String)>,
    pub value: f64,
}

impl Gauge {
    pub fn new(name: &'static str, kind: &'static str, help: &'static str, value: f64) -> Self {
        Gauge {
            name,
            help,
            kind,
            labels: Vec::new(),
            value,
        }
    }

    pub fn with(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.labels.push((key, value.into()));
        self
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_land_in_their_buckets_and_counts() {
        let m = Metrics::default();
        m.record("GET", "/api/nearest", 200, Duration::from_millis(3));
        m.record("GET", "/api/nearest", 400, Duration::from_millis(30));
        let text = m.render(&[Gauge::new("wijkatlas_up", "gauge", "Up.", 1.0)]);
        assert!(text.contains(
            "wijkatlas_http_requests_total{route=\"/api/nearest\",method=\"GET\",status=\"200\"} 1"
        ));
        assert!(text.contains(
            "wijkatlas_http_request_duration_seconds_bucket{route=\"/api/nearest\",method=\"GET\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "wijkatlas_http_request_duration_seconds_bucket{route=\"/api/nearest\",method=\"GET\",le=\"0.05\"} 2"
        ));
        assert!(text.contains("wijkatlas_http_request_duration_seconds_count{route=\"/api/nearest\",method=\"GET\"} 2"));
        assert!(text.contains("# TYPE wijkatlas_up gauge\nwijkatlas_up 1"));
        // A method or route never asked is not listed.
        assert!(!text.contains("method=\"POST\""));
        assert!(!text.contains("(other routes)"));
    }

    #[test]
    fn threads_recording_at_once_lose_no_request() {
        let m = Metrics::default();
        std::thread::scope(|s| {
            for t in 0..4 {
                let m = &m;
                s.spawn(move || {
                    for i in 0..10_000u64 {
                        // Two routes first seen by racing threads, and an odd status.
                        let route = if i % 2 == 0 {
                            "/health"
                        } else {
                            "/collections"
                        };
                        let status = if t == 0 && i < 10 { 418 } else { 200 };
                        m.record("GET", route, status, Duration::from_micros(i % 3000));
                    }
                });
            }
        });
        let text = m.render(&[]);
        let count = |route: &str| {
            let line = format!(
                "wijkatlas_http_request_duration_seconds_count{{route=\"{route}\",method=\"GET\"}} "
            );
            text.lines()
                .find_map(|l| l.strip_prefix(line.as_str()))
                .and_then(|n| n.parse::<u64>().ok())
        };
        assert_eq!(count("/health"), Some(20_000), "{text}");
        assert_eq!(count("/collections"), Some(20_000), "{text}");
        assert!(text.contains(
            "wijkatlas_http_requests_total{route=\"/health\",method=\"GET\",status=\"other\"} 5"
        ));
        // Each route has one slot, however the first requests raced.
        assert_eq!(text.matches("le=\"+Inf\"").count(), 2, "{text}");
    }

    #[test]
    fn routes_beyond_the_table_are_counted_together() {
        let m = Metrics::default();
        for i in 0..ROUTE_SLOTS + 3 {
            m.record("HEAD", &format!("/r{i:03}"), 200, Duration::from_millis(1));
        }
        let text = m.render(&[]);
        assert!(text.contains(&format!(
            "wijkatlas_http_requests_total{{route=\"/r{:03}\",method=\"HEAD\",status=\"200\"}} 1",
            ROUTE_SLOTS - 1
        )));
        assert!(text.contains(
            "wijkatlas_http_requests_total{route=\"(other routes)\",method=\"HEAD\",status=\"200\"} 3"
        ));
        // The sum is in seconds.
        assert!(text.contains(
            "wijkatlas_http_request_duration_seconds_sum{route=\"(other routes)\",method=\"HEAD\"} 0.003"
        ));
    }
}
