//! Request-layer bench: CPU time per request through the whole router (request id,
//! metrics, CORS and security headers, body limit, compression, time limit, ETags, the
//! handler), in process, on one thread, with no socket.
//!
//! ```sh
//! cargo bench --bench layers                          # the bundled data
//! WIJKATLAS_BENCH_DATA=/path/to/dir cargo bench --bench layers   # a data directory
//! cargo bench --bench layers -- health                # rows whose route contains "health"
//! cargo bench --bench layers -- '[identity]'          # the rows without compression
//! ```
//!
//! Instructions per request, which a busy machine does not move (valgrind counts them):
//!
//! ```sh
//! WIJKATLAS_BENCH_ROUNDS=1 WIJKATLAS_BENCH_REQUESTS=1000 valgrind --tool=callgrind \
//!   --collect-atstart=no --toggle-collect='tokio::runtime::runtime::Runtime::block_on*' \
//!   target/release/deps/layers-… --bench 'health [identity]'
//! ```
//! (the total it prints, divided by the requests).
//!
//! `scripts/bench_http.sh` measures the server on a real port, where the kernel's share
//! of a request (loopback TCP, waking the client) is most of it, and on a shared 2-core
//! machine its figures move by ±10% from run to run. This bench leaves the kernel out
//! and reports the fastest of several rounds, so a change of a few hundred nanoseconds in
//! the layers shows. Each route is also asked with `Accept-Encoding: gzip, br`, as
//! browsers ask (its small bodies are not compressed, but go through the compression
//! wrapper). Prints figures and asserts nothing.

use axum::body::Body;
use axum::http::Request;
use futures_util::StreamExt as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt as _;
use wijkatlas::api::{AppState, Snapshot};

// The server's allocator (src/main.rs), so allocations cost here what they cost there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROUNDS: usize = 41;

fn main() {
    // `cargo test --benches` runs benches without `--bench`: one short round then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let number = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let rounds = if quick {
        1
    } else {
        number("WIJKATLAS_BENCH_ROUNDS", ROUNDS)
    };
    let per_round = if quick {
        200
    } else {
        number("WIJKATLAS_BENCH_REQUESTS", 3_000)
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("WIJKATLAS_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("data"));
    let loaded = wijkatlas::load::load_dir(&dir).expect("the bench's data directory");
    let snapshot = Snapshot::new(loaded);
    // The largest collection (wijken of the bundled data, buurten of a national layer)
    // and its first feature, for the page and single-feature routes.
    let (layer, feature) = {
        let c = snapshot
            .collections
            .iter()
            .max_by_key(|c| c.items.len())
            .expect("a data directory with at least one collection");
        let first = c.items.first().expect("a collection with features");
        (c.id.to_string(), first.id.to_string())
    };
    let state = Arc::new(AppState::new(snapshot, dir.clone(), None));
    let router = wijkatlas::api::router(state);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let feature = feature.replace('/', "%2F");
    let routes = [
        ("health", "/health".to_string()),
        (
            "page: 100 features",
            format!("/collections/{layer}/items?limit=100"),
        ),
        (
            // The same page with as many bytes of query string as the bbox row: what
            // reading and repeating a query costs, apart from the spatial work.
            "page, long query",
            format!("/collections/{layer}/items?limit=100&offset=0&f=json&crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FOGC%2F1.3%2FCRS84"),
        ),
        (
            // The box of `scripts/bench_http.sh`: the gemeente Utrecht.
            "bbox page: Utrecht",
            format!("/collections/{layer}/items?limit=100&bbox=5.05,52.05,5.20,52.13"),
        ),
        (
            "single feature",
            format!("/collections/{layer}/items/{feature}"),
        ),
        (
            // A point lookup in the same R-trees, as a resident's question asks it.
            "area at a point",
            "/api/area-at?x=155000&y=463000".to_string(),
        ),
        ("not found (error body)", "/no-such-page".to_string()),
    ];
    println!(
        "{} ({}, layer '{layer}'); {} rounds of {per_round} requests, one thread",
        dir.display(),
        if quick { "quick" } else { "full" },
        rounds
    );
    println!(
        "{:<26} {:>16} {:>14} {:>14}",
        "route", "accept-encoding", "fastest ns", "median ns"
    );
    for (name, uri) in &routes {
        for encoding in [None, Some("gzip, br")] {
            let row = format!("{name} [{}]", encoding.unwrap_or("identity"));
            if only.as_deref().is_some_and(|o| !row.contains(o)) {
                continue;
            }
            let mut times: Vec<Duration> = (0..rounds)
                .map(|_| runtime.block_on(round(&router, uri, encoding, per_round)))
                .collect();
            times.sort();
            let ns = |d: Duration| d.as_nanos() as f64 / per_round as f64;
            println!(
                "{name:<26} {:>16} {:>14.0} {:>14.0}",
                encoding.unwrap_or("-"),
                ns(times[0]),
                ns(times[times.len() / 2])
            );
        }
    }
}

/// The time `n` requests for `uri` take, each answered and its body taken.
async fn round(router: &axum::Router, uri: &str, encoding: Option<&str>, n: usize) -> Duration {
    let started = Instant::now();
    for _ in 0..n {
        let mut request = Request::get(uri);
        if let Some(e) = encoding {
            request = request.header("accept-encoding", e);
        }
        let request = request.body(Body::empty()).expect("a request");
        let response = router.clone().oneshot(request).await.expect("an answer");
        // Frame by frame, as hyper takes them: joining a body sent in pieces would
        // copy it, which the server never does.
        let mut body = response.into_body().into_data_stream();
        while let Some(frame) = body.next().await {
            std::hint::black_box(frame.expect("a body"));
        }
    }
    started.elapsed()
}
