//! Prometheus metrics: requests and their latencies per route, the data snapshot, reload
//! outcomes and the tile cache, in the text exposition format.
//!
//! Routes are labelled by their template (`/collections/{id}/items`), never by the path
//! or query asked: a resident's point or address must never become a label.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default)]
struct RouteFigures {
    /// Requests by status code.
    by_status: BTreeMap<u16, u64>,
    /// Cumulative counts per bucket, and the +Inf bucket last.
    buckets: [u64; BUCKETS.len() + 1],
    seconds_sum: f64,
}

#[derive(Debug, Default)]
pub struct Metrics {
    /// Route template → method → figures. Nested so that a request to a route seen
    /// before is counted without allocating its key again.
    routes: Mutex<BTreeMap<String, BTreeMap<&'static str, RouteFigures>>>,
}

impl Metrics {
    pub fn record(&self, method: &'static str, route: &str, status: u16, took: Duration) {
        let secs = took.as_secs_f64();
        // A poisoned lock only means a panic elsewhere mid-update of plain counters.
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        if !routes.contains_key(route) {
            routes.insert(route.to_string(), BTreeMap::new());
        }
        let Some(by_method) = routes.get_mut(route) else {
            return;
        };
        let r = by_method.entry(method).or_default();
        *r.by_status.entry(status).or_default() += 1;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                r.buckets[i] += 1;
            }
        }
        r.buckets[BUCKETS.len()] += 1;
        r.seconds_sum += secs;
    }

    /// The request figures in the text format, followed by `extra` gauges.
    pub fn render(&self, extra: &[Gauge]) -> String {
        let mut out = String::new();
        let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP wijkatlas_http_requests_total HTTP requests answered, by route template, method and status.\n");
        out.push_str("# TYPE wijkatlas_http_requests_total counter\n");
        let figures = || {
            routes
                .iter()
                .flat_map(|(route, m)| m.iter().map(move |(method, r)| (route, method, r)))
        };
        for (route, method, r) in figures() {
            for (status, n) in &r.by_status {
                let _ = writeln!(
                    out,
                    "wijkatlas_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str(
            "# HELP wijkatlas_http_request_duration_seconds Time to answer, by route template.\n",
        );
        out.push_str("# TYPE wijkatlas_http_request_duration_seconds histogram\n");
        for (route, method, r) in figures() {
            let labels = format!("route=\"{}\",method=\"{method}\"", escape(route));
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "wijkatlas_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                    r.buckets[i]
                );
            }
            let total = r.buckets[BUCKETS.len()];
            let _ = writeln!(
                out,
                "wijkatlas_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {total}"
            );
            let _ = writeln!(
                out,
                "wijkatlas_http_request_duration_seconds_sum{{{labels}}} {}",
                r.seconds_sum
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
    }
}
