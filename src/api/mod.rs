//! The HTTP API: a thin axum layer over the library.

mod admin;
mod admission;
mod analysis;
mod base_url;
mod basemap;
mod compression;
mod compute;
mod cors;
mod error;
mod features;
mod head_timer;
mod html;
mod layers;
pub mod memory;
mod metrics;
mod middleware;
mod negotiate;
mod openapi;
mod percent;
mod pieces;
mod profiles;
mod query_pairs;
mod ranking_xlsx;
mod server;
mod state;
mod tiles;
mod web;
mod xlsx;

pub use error::ApiError;
pub use state::{AppState, ReloadOutcome};
pub use web::{Basemap, WebSettings};

use crate::features::Collection;
use crate::load::{LoadReport, Loaded};
use crate::model::Dataset;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;

/// Everything a request may read: one immutable snapshot of the data.
#[derive(Debug)]
pub struct Snapshot {
    /// A digest of the served content: equal data gives an equal id, in any process.
    pub id: String,
    /// When this snapshot was loaded, seconds since the Unix epoch.
    pub loaded_at: u64,
    pub dataset: Dataset,
    pub report: LoadReport,
    /// The analysis settings of this data (defaults and the manifest's `[analysis]`).
    pub analysis: crate::analysis::config::AnalysisConfig,
    pub collections: Vec<Collection>,
    /// Encoded vector tiles of this snapshot's collections.
    pub tiles: crate::tiles::cache::TileCache,
    /// The layers of the combined tile (`/tiles/…`) and their zooms.
    pub tile_plan: Vec<crate::tiles::combined::PlannedLayer>,
    /// Area outlines per zoom in Web Mercator, which tiles are cut from.
    pub projected: crate::tiles::projected::Projected,
    /// The categories the map and the profiles speak about, with what each one's access
    /// rests on: found once per snapshot, not per request.
    pub analysed: Vec<(crate::model::Category, crate::analysis::basis::AccessBasis)>,
    /// The walking, cycling and driving graphs, when an extract was loaded for them;
    /// without them every distance is a straight line (hemelsbreed).
    pub routing: Option<Arc<crate::routing::Networks>>,
    /// What the layer's network indicators rest on (off-network points per mode), when
    /// a road network is loaded.
    pub network_indicators: Option<crate::analysis::network::NetworkReport>,
    /// What-if baselines per level and category, made on first use.
    baselines: std::sync::Mutex<BaselineCache>,
}

type BaselineCache = std::collections::HashMap<
    (crate::model::AreaLevel, crate::model::Category),
    Arc<crate::analysis::scenario::Baseline>,
>;

impl Snapshot {
    pub fn new(loaded: Loaded) -> Self {
        let (indicators, network_indicators) = crate::analysis::layer::with_network(
            &loaded.dataset,
            &loaded.analysis,
            loaded.routing.as_deref(),
        );
        let collections = crate::features::build(&loaded.dataset, &indicators);
        let tile_plan = crate::tiles::combined::plan(&collections, &loaded.dataset);
        let analysed = crate::analysis::basis::analysed_categories(&loaded.dataset);
        Snapshot {
            id: content_id(&collections),
            loaded_at: state::unix_now(),
            dataset: loaded.dataset,
            report: loaded.report,
            analysis: loaded.analysis,
            collections,
            tiles: crate::tiles::cache::TileCache::new(crate::tiles::cache::DEFAULT_CAP_BYTES),
            tile_plan,
            projected: Default::default(),
            analysed,
            routing: loaded.routing,
            network_indicators,
            baselines: Default::default(),
        }
    }

    /// The what-if baseline of a level and category: made once per snapshot (outside
    /// the lock, so other categories do not wait), then shared.
    pub fn baseline(
        &self,
        level: crate::model::AreaLevel,
        category: crate::model::Category,
    ) -> Arc<crate::analysis::scenario::Baseline> {
        let cached = |s: &Self| {
            s.baselines
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .get(&(level, category))
                .cloned()
        };
        if let Some(b) = cached(self) {
            return b;
        }
        let made = Arc::new(crate::analysis::scenario::Baseline::new(
            &self.dataset,
            level,
            category,
            &self.analysis,
        ));
        self.baselines
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry((level, category))
            .or_insert(made)
            .clone()
    }

    /// The same snapshot with a tile cache of `cap` bytes (0: no tile is kept).
    pub fn with_tile_cache(mut self, cap: usize) -> Self {
        self.tiles = crate::tiles::cache::TileCache::new(cap);
        self
    }

    /// Makes the country-scale tiles ahead of the first visitor; logs how long it took.
    pub fn pregenerate_tiles(&self) {
        if self.tiles.stats().cap_bytes == 0 {
            return;
        }
        let started = std::time::Instant::now();
        let made = crate::tiles::pregenerate(
            &self.collections,
            &self.dataset,
            &self.tile_plan,
            &self.projected,
            &self.tiles,
        );
        tracing::info!(
            tiles = made,
            ms = started.elapsed().as_millis() as u64,
            "tiles made ahead"
        );
    }

    pub fn collection(&self, id: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.id == id)
    }
}

/// SipHash with its fixed default keys: stable across processes, so replicas agree.
fn content_id(collections: &[Collection]) -> String {
    use std::hash::{DefaultHasher, Hasher};
    let mut h = DefaultHasher::new();
    for c in collections {
        h.write(c.id.as_bytes());
        for item in &c.items {
            h.write(item.crs84_fragment());
        }
    }
    format!("{:016x}", h.finish())
}

type Shared = Arc<AppState>;

/// `/status`'s `routing`: the graphs, and what the layer's network indicators rest on.
fn routing_status(s: &Snapshot) -> serde_json::Value {
    let mut v = crate::routing::status(s.routing.as_deref());
    if let Some(report) = &s.network_indicators {
        v["indicatoren"] = serde_json::to_value(report).unwrap_or_default();
    }
    v
}

pub fn router(state: Arc<AppState>) -> Router {
    with_layers(routes(state.limits().max_body_bytes), state)
}

/// `max_body_bytes`: the largest request body read, by the one route that reads one
/// (set there alone: as a layer over every route it cost each request an entry in its
/// extensions, and with axum's own a rehash of them).
fn routes(max_body_bytes: usize) -> Router<Shared> {
    Router::new()
        .route("/", get(features::landing))
        .route("/conformance", get(features::conformance))
        .route("/api", get(features::api))
        .route("/api/nearest", get(analysis::nearest))
        .route("/api/isochrone", get(analysis::isochrone))
        .route("/api/within", get(analysis::within))
        .route("/api/area-at", get(analysis::area_at))
        .route("/api/housing", get(analysis::housing))
        .route("/api/access", get(analysis::access))
        .route("/api/gaps", get(analysis::gaps))
        .route("/api/suggest", get(analysis::suggest))
        .route(
            "/api/scenario",
            axum::routing::post(analysis::scenario)
                .layer(axum::extract::DefaultBodyLimit::max(max_body_bytes)),
        )
        .route("/api/zoek", get(analysis::search))
        .route("/profiles/{code}", get(profiles::profile))
        .route("/toegankelijkheid", get(accessibility))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics_text))
        .route("/status", get(status))
        .route("/collections", get(features::collections))
        .route("/collections/{id}", get(features::collection))
        .route("/collections/{id}/queryables", get(features::queryables))
        .route("/collections/{id}/items", get(features::items))
        .route("/collections/{id}/items/{feature}", get(features::item))
        .merge(admin::routes())
        .merge(web::routes())
        .merge(tiles::routes())
        .fallback(not_found)
}

/// The behaviour every route shares, outermost first: the request id, metrics, CORS,
/// the snapshot and security headers (`edge`); compression; then the
/// deadline and time limit, panics caught and conditional GETs (`guard`). Expensive
/// requests are admitted by their handlers (see `admission`).
fn with_layers(routes: Router<Shared>, state: Shared) -> Router {
    use layers::{Step, StepLayer};
    // One `Router::layer` call for the whole stack: each call boxes the routes once more,
    // and every box is cloned on every request.
    let stack = tower::ServiceBuilder::new()
        .layer(StepLayer::new(state.clone(), Step::Edge))
        // Fastest levels: the default gzip level spent 3× longer compressing a national
        // layer than writing it, for a body only ~15% smaller.
        // Past tower-http's wrapper when the client accepts no coding (`compression`).
        .layer(compression::CompressLayer::new(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Fastest)
                .compress_when(middleware::compress_when()),
            middleware::compress_when(),
        ))
        .layer(StepLayer::new(state.clone(), Step::Guard));
    routes.layer(stack).with_state(state)
}

/// The accessibility statement.
async fn accessibility(State(state): State<Shared>) -> impl axum::response::IntoResponse {
    let s = state.snapshot();
    (
        [(axum::http::header::CONTENT_TYPE, html::CONTENT_TYPE)],
        html::page(
            "Toegankelijkheidsverklaring",
            &[],
            &html::accessibility::statement(),
            &attributions(&s.dataset),
        ),
    )
}

/// Each source's attribution once, in the order the sources were loaded.
fn attributions(dataset: &Dataset) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for a in dataset
        .sources
        .iter()
        .filter_map(|s| s.attribution.as_ref())
    {
        if !seen.contains(a) {
            seen.push(a.clone());
        }
    }
    seen
}

/// Alive: the process answers.
async fn health() -> impl axum::response::IntoResponse {
    // A fixed body: liveness probes ask often, and nothing here needs building.
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
}

/// Ready to serve: the data is loaded. The server binds its port only after the first
/// load, so this answers 200 whenever it answers; it says which snapshot it serves.
async fn ready(State(state): State<Shared>) -> Json<serde_json::Value> {
    let s = state.snapshot();
    Json(json!({
        "status": "ready",
        "snapshot": s.id,
        "loaded_at": s.loaded_at,
        "features": s.collections.iter().map(|c| (c.id, c.items.len())).collect::<std::collections::BTreeMap<_, _>>(),
    }))
}

async fn metrics_text(State(state): State<Shared>) -> impl axum::response::IntoResponse {
    use metrics::Gauge;
    let s = state.snapshot();
    let (ok, failed) = state.reload_counts();
    let now = state::unix_now();
    let tiles = s.tiles.stats();
    let mut extra = vec![
        Gauge::new(
            "wijkatlas_snapshot_age_seconds",
            "gauge",
            "Seconds since the served data was loaded.",
            now.saturating_sub(s.loaded_at) as f64,
        ),
        Gauge::new(
            "wijkatlas_uptime_seconds",
            "gauge",
            "Seconds since the process started.",
            now.saturating_sub(state.started_at) as f64,
        ),
    ];
    for c in &s.collections {
        extra.push(
            Gauge::new(
                "wijkatlas_features",
                "gauge",
                "Features served per collection.",
                c.items.len() as f64,
            )
            .with("collection", c.id),
        );
    }
    for (outcome, n) in [("swapped", ok), ("rejected", failed)] {
        extra.push(
            Gauge::new(
                "wijkatlas_reloads_total",
                "counter",
                "Reloads of the data, by outcome.",
                n as f64,
            )
            .with("outcome", outcome),
        );
    }
    for (name, help, value) in [
        (
            "wijkatlas_tile_cache_bytes",
            "Bytes of encoded tiles kept.",
            tiles.bytes as f64,
        ),
        (
            "wijkatlas_tile_cache_cap_bytes",
            "The tile cache's cap.",
            tiles.cap_bytes as f64,
        ),
        (
            "wijkatlas_tile_cache_tiles",
            "Tiles kept.",
            tiles.tiles as f64,
        ),
    ] {
        extra.push(Gauge::new(name, "gauge", help, value));
    }
    for (name, help, value) in [
        (
            "wijkatlas_tile_cache_hits_total",
            "Tiles served from the cache.",
            tiles.hits as f64,
        ),
        (
            "wijkatlas_tile_cache_misses_total",
            "Tiles made on request.",
            tiles.misses as f64,
        ),
        (
            "wijkatlas_tile_cache_evicted_total",
            "Tiles evicted under the cap.",
            tiles.evicted as f64,
        ),
    ] {
        extra.push(Gauge::new(name, "counter", help, value));
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&extra),
    )
}

/// The public status: where the data is read from stays on the admin status, so file
/// paths here are relative to the data directory (or only a file name).
async fn status(State(state): State<Shared>) -> Json<serde_json::Value> {
    let s = state.snapshot();
    let (ok, failed) = state.reload_counts();
    let mut body = json!({
        "snapshot": s.id,
        "loaded_at": s.loaded_at,
        "reloads": { "ok": ok, "rejected": failed },
        "sources": s.dataset.sources,
        "analysis": s.analysis,
        "tile_cache": s.tiles.stats(),
        "routing": routing_status(&s),
        "report": s.report,
    });
    let mut dirs = vec![state.data_dir().to_path_buf(), s.report.data_dir.clone()];
    dirs.extend(std::fs::canonicalize(state.data_dir()).ok());
    without_paths(&mut body, &dirs);
    Json(body)
}

/// Drops `data_dir` keys, makes `path` values relative (a file name when outside every
/// one of `dirs`), and cuts the directories out of messages.
fn without_paths(v: &mut serde_json::Value, dirs: &[std::path::PathBuf]) {
    use serde_json::Value;
    let prefixes: Vec<String> = dirs
        .iter()
        .filter(|d| d.is_absolute())
        .map(|d| format!("{}/", d.display().to_string().trim_end_matches('/')))
        .collect();
    fn walk(v: &mut Value, dirs: &[std::path::PathBuf], prefixes: &[String]) {
        match v {
            Value::Object(map) => {
                map.remove("data_dir");
                for (k, child) in map.iter_mut() {
                    match child {
                        Value::String(p)
                            if k == "path" && std::path::Path::new(p).is_absolute() =>
                        {
                            let path = std::path::PathBuf::from(&*p);
                            let relative = dirs
                                .iter()
                                .find_map(|d| path.strip_prefix(d).ok())
                                .map(std::path::Path::to_path_buf)
                                .or_else(|| path.file_name().map(Into::into))
                                .unwrap_or_default();
                            *p = relative.display().to_string();
                        }
                        _ => walk(child, dirs, prefixes),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, dirs, prefixes)),
            Value::String(s) => {
                for prefix in prefixes {
                    if s.contains(prefix.as_str()) {
                        *s = s.replace(prefix.as_str(), "");
                    }
                }
            }
            _ => {}
        }
    }
    walk(v, dirs, &prefixes);
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such page; start at / or /collections".into())
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish. SIGHUP reloads.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    #[cfg(unix)]
    tokio::spawn(reload_on_sighup(state.clone()));
    tokio::spawn(async {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            let _ = tokio::task::spawn_blocking(memory::give_back).await;
        }
    });
    let limits = state.limits();
    server::serve(listener, router(state), limits, shutdown_signal()).await
}

#[cfg(unix)]
async fn reload_on_sighup(state: Arc<AppState>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hup) = signal(SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP; reload through the admin endpoint only");
        return;
    };
    while hup.recv().await.is_some() {
        tracing::info!("SIGHUP: reloading");
        state.reload().await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

pub fn display_addr(addr: SocketAddr) -> String {
    format!("http://{addr}/")
}

#[cfg(test)]
mod operations_tests {
    //! The operational layers on the real router, with a tiny SYNTHETIC dataset
    //! (`analysis::fixture`): limits, panics, metrics.
    use super::*;
    use crate::analysis::fixture::{area, dataset, facility};
    use crate::model::{Category, Figure};
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    fn state(limits: crate::config::Limits) -> Arc<AppState> {
        let ds = dataset(
            vec![
                area("WK000101", 0.0, &[(Figure::Inhabitants, 1000.0)]),
                area("WK000102", 1.0, &[(Figure::Inhabitants, 2000.0)]),
            ],
            vec![facility("h1", Category::Huisarts, 0.5)],
        );
        let loaded = Loaded {
            dataset: ds,
            report: LoadReport::default(),
            analysis: Default::default(),
            routing: None,
        };
        Arc::new(
            AppState::new(Snapshot::new(loaded), std::path::PathBuf::from("."), None)
                .with_limits(limits),
        )
    }

    async fn call(router: Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = router
            .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.expect("body");
        (
            parts.status,
            parts.headers,
            String::from_utf8_lossy(&bytes).into(),
        )
    }

    #[tokio::test]
    async fn an_expensive_request_past_the_cap_is_told_to_retry() {
        let limits = crate::config::Limits::from_file(&crate::config::FileLimits {
            max_expensive: Some(1),
            max_queued: Some(0),
            ..Default::default()
        })
        .expect("limits");
        let s = state(limits);
        let held = s.admission().try_enter().expect("the one permit");
        let (status, headers, body) =
            call(router(s.clone()), "/api/suggest?categorie=huisarts").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(
            headers.get("retry-after").map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
        assert!(
            body.contains("requestId") && body.contains("expensive"),
            "{body}"
        );
        // A cheap request is not held up, and once the permit is back the route runs.
        assert_eq!(call(router(s.clone()), "/health").await.0, StatusCode::OK);
        drop(held);
        let (status, _, body) = call(router(s), "/api/suggest?categorie=huisarts").await;
        assert_ne!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    }

    #[tokio::test]
    async fn a_panicking_handler_is_a_500_with_a_request_id_and_the_server_goes_on() {
        let s = state(Default::default());
        let app = with_layers(
            routes(s.limits().max_body_bytes).route(
                "/test-panic",
                get(|| async {
                    let v: Vec<u8> = Vec::new();
                    // Out of bounds on purpose: a bug in a handler.
                    v[usize::from(std::hint::black_box(3u8))].to_string()
                }),
            ),
            s,
        );
        let (status, headers, body) = call(app.clone(), "/test-panic").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let v: serde_json::Value = serde_json::from_str(&body).expect("JSON body");
        assert_eq!(v["code"], "InternalError");
        assert_eq!(
            v["requestId"].as_str(),
            headers.get("x-request-id").and_then(|h| h.to_str().ok())
        );
        assert_eq!(call(app, "/health").await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_request_past_the_time_limit_is_a_503_and_a_body_past_the_limit_is_refused() {
        let limits = crate::config::Limits::new(Some(1), Some(1), None).expect("limits");
        let s = state(limits);
        let app = with_layers(
            routes(s.limits().max_body_bytes).route(
                "/test-slow",
                get(|| async {
                    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
                    "too late"
                }),
            ),
            s.clone(),
        );
        let (status, headers, body) = call(app, "/test-slow").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(headers.contains_key("retry-after"));
        assert!(body.contains("longer than 1 s"), "{body}");
        // A what-if body over 1 KiB.
        let big = format!(
            r#"{{"categorie":"huisarts","sluit":["{}"]}}"#,
            "x".repeat(4096)
        );
        let response = router(s)
            .oneshot(
                Request::post("/api/scenario")
                    .header("content-type", "application/json")
                    .body(Body::from(big))
                    .expect("request"),
            )
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn every_answer_names_its_snapshot_and_etags_are_of_it() {
        let s = state(Default::default());
        let id = s.snapshot().id.clone();
        for uri in [
            "/health",
            "/collections/wijken/items?limit=1",
            "/collections/wijken/items/WK999999",
            "/no-such-page",
        ] {
            let (_, headers, body) = call(router(s.clone()), uri).await;
            assert_eq!(
                headers
                    .get(middleware::SNAPSHOT)
                    .and_then(|v| v.to_str().ok()),
                Some(id.as_str()),
                "{uri}: {body}"
            );
        }
        let (_, headers, _) = call(router(s), "/collections").await;
        let etag = headers["etag"].to_str().expect("ascii");
        assert!(etag.starts_with(&format!("W/\"{id}-")), "{etag}");
    }

    #[tokio::test]
    async fn metrics_count_routes_by_template_and_never_by_the_point_asked() {
        let s = state(Default::default());
        call(router(s.clone()), "/collections/wijken/items?limit=1").await;
        call(router(s.clone()), "/api/nearest?lon=5.38771&lat=52.15612").await;
        let (status, headers, text) = call(router(s), "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain; version=0.0.4"));
        assert!(
            text.contains(r#"wijkatlas_http_requests_total{route="/collections/{id}/items",method="GET",status="200"} 1"#),
            "{text}"
        );
        assert!(text.contains(r#"route="/api/nearest""#), "{text}");
        assert!(!text.contains("5.38771") && !text.contains("52.15612"));
        assert!(
            text.contains(r#"wijkatlas_features{collection="wijken"} 2"#),
            "{text}"
        );
        assert!(text.contains("wijkatlas_snapshot_age_seconds "), "{text}");
    }

    async fn call_with(
        router: Router,
        uri: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut request = Request::get(uri);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = router
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 24).await.expect("body");
        (parts.status, parts.headers, bytes.to_vec())
    }

    #[tokio::test]
    async fn csv_cells_that_look_like_formulas_are_neutralised() {
        let mut a = area("WK000101", 0.0, &[(Figure::Inhabitants, 1000.0)]);
        a.name = "=HYPERLINK(\"http://example.org\",\"klik\")".into();
        let mut b = area("WK000102", 1.0, &[(Figure::Inhabitants, 2000.0)]);
        b.name = "\t=1+1".into();
        let mut h = facility("h1", Category::Huisarts, 0.5);
        h.name = "@SUM(A1)".into();
        let loaded = Loaded {
            dataset: dataset(vec![a, b], vec![h]),
            report: LoadReport::default(),
            analysis: Default::default(),
            routing: None,
        };
        let s = Arc::new(AppState::new(
            Snapshot::new(loaded),
            std::path::PathBuf::from("."),
            None,
        ));
        let (status, _, body) = call(router(s.clone()), "/collections/wijken/items?f=csv").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("'=HYPERLINK"), "{body}");
        assert!(body.contains("'\t=1+1"), "{body}");
        assert!(
            !body.contains(",=") && !body.contains(",\"=") && !body.contains(",\t="),
            "{body}"
        );
        let (_, _, body) = call(router(s.clone()), "/collections/voorzieningen/items?f=csv").await;
        assert!(body.contains("'@SUM(A1)"), "{body}");
        // The profile's CSV writes the area's name too.
        let (status, _, body) = call(router(s), "/profiles/WK000101?f=csv").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(!body.contains(",=") && !body.contains(",\"="), "{body}");
    }

    #[tokio::test]
    async fn a_huge_error_message_stays_a_400_with_its_request_id() {
        let s = state(Default::default());
        // 20,000 control characters (a URI holds at most 64 KiB), each 6 bytes once
        // escaped in JSON: 120 KB of message.
        let k = "%01".repeat(20_000);
        let (status, _, body) = call(
            router(s.clone()),
            &format!("/api/nearest?lon=5&lat=52&k={k}"),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{}",
            &body[..body.len().min(300)]
        );
        let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert!(v["requestId"].is_string(), "{v}");
        assert!(body.len() < 16 * 1024, "{} bytes", body.len());
        let (_, _, metrics) = call(router(s), "/metrics").await;
        assert!(
            metrics.contains(r#"route="/api/nearest",method="GET",status="400"} 1"#),
            "{metrics}"
        );
        assert!(!metrics.contains(r#"status="500""#), "{metrics}");
    }

    #[tokio::test]
    async fn compressed_answers_keep_the_request_id_in_errors_and_carry_safety_headers() {
        let s = state(Default::default());
        let (status, headers, body) = call_with(
            router(s.clone()),
            "/collections/no-such-collection/items",
            &[("accept-encoding", "gzip, br")],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let v: serde_json::Value = serde_json::from_slice(&body).expect("plain JSON");
        assert_eq!(
            v["requestId"].as_str(),
            headers.get("x-request-id").and_then(|h| h.to_str().ok())
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let (_, headers, _) = call_with(router(s.clone()), "/", &[]).await;
        assert_eq!(headers["x-frame-options"], "DENY");
        assert!(headers["content-security-policy"]
            .to_str()
            .expect("ascii")
            .contains("frame-ancestors 'none'"));
        let (_, headers, _) = call_with(router(s), "/kaart/embed", &[]).await;
        assert_eq!(headers["content-security-policy"], "frame-ancestors *");
        assert!(!headers.contains_key("x-frame-options"));
    }

    /// A request without `Accept-Encoding` goes past tower-http's compression
    /// (`compression`); one asking for the identity coding goes through it. Their
    /// answers must not differ, `Vary` included, on a page, a small answer, an error, a
    /// 304 and a preflight.
    #[tokio::test]
    async fn answers_without_accept_encoding_equal_those_through_the_compression() {
        let s = state(Default::default());
        let etag = call_with(router(s.clone()), "/collections", &[]).await.1["etag"]
            .to_str()
            .expect("ascii")
            .to_string();
        for (uri, extra) in [
            ("/collections/wijken/items?limit=2", vec![]),
            ("/collections", vec![]),
            ("/health", vec![]),
            ("/collections/no-such-collection/items", vec![]),
            ("/collections", vec![("if-none-match", etag.as_str())]),
            ("/kaart/embed", vec![("origin", "https://gemeente.example")]),
        ] {
            let mut through = extra.clone();
            through.push(("accept-encoding", "identity"));
            let (status, mut plain, body) = call_with(router(s.clone()), uri, &extra).await;
            let (status_through, mut headers_through, body_through) =
                call_with(router(s.clone()), uri, &through).await;
            for h in [&mut plain, &mut headers_through] {
                h.remove("x-request-id");
            }
            assert_eq!(status, status_through, "{uri}");
            assert_eq!(plain, headers_through, "{uri}");
            if !status.is_client_error() {
                assert_eq!(body, body_through, "{uri}");
            }
        }
        // The page names the coding it varies by, as tower-http does.
        let (_, headers, _) = call_with(router(s), "/collections", &[]).await;
        assert!(headers
            .get_all("vary")
            .iter()
            .any(|v| v.as_bytes().eq_ignore_ascii_case(b"accept-encoding")));
    }

    #[tokio::test]
    async fn etags_are_weak_and_compared_weakly() {
        let s = state(Default::default());
        let (_, headers, _) = call_with(
            router(s.clone()),
            "/collections",
            &[("accept-encoding", "gzip")],
        )
        .await;
        let etag = headers["etag"].to_str().expect("ascii").to_string();
        assert!(etag.starts_with("W/\""), "{etag}");
        let strong = etag.trim_start_matches("W/").to_string();
        for tag in [etag.as_str(), strong.as_str()] {
            let (status, _, _) =
                call_with(router(s.clone()), "/collections", &[("if-none-match", tag)]).await;
            assert_eq!(status, StatusCode::NOT_MODIFIED, "{tag}");
        }
    }

    #[tokio::test]
    async fn a_scenario_capacity_beyond_reason_is_refused() {
        let s = state(Default::default());
        let response = router(s)
            .oneshot(
                Request::post("/api/scenario")
                    .header("content-type", "application/json")
                    .body(Body::from(
                        r#"{"categorie":"huisarts","capaciteit":{"h1":1e308}}"#,
                    ))
                    .expect("request"),
            )
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn the_public_status_names_no_paths_and_the_admin_status_does() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ds = dataset(
            vec![area("WK000101", 0.0, &[(Figure::Inhabitants, 1000.0)])],
            vec![],
        );
        let mut report = LoadReport {
            data_dir: dir.path().to_path_buf(),
            ..Default::default()
        };
        let mut source =
            crate::load::SourceReport::new("wijken", dir.path().join("wijken.geojson"), "areas");
        source.status = crate::load::SourceStatus::Failed {
            error: format!(
                "cannot read {}",
                dir.path().join("wijken.geojson").display()
            ),
        };
        report.sources.push(source);
        let loaded = Loaded {
            dataset: ds,
            report,
            analysis: Default::default(),
            routing: None,
        };
        let s = Arc::new(AppState::new(
            Snapshot::new(loaded),
            dir.path().to_path_buf(),
            Some("token".into()),
        ));
        let secret = dir.path().display().to_string();
        let (status, _, body) = call(router(s.clone()), "/status").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.contains(&secret), "{body}");
        assert!(!body.contains("data_dir"), "{body}");
        assert!(body.contains(r#""path":"wijken.geojson""#), "{body}");
        let (_, _, body) = call_with(
            router(s),
            "/admin/status",
            &[("authorization", "Bearer token")],
        )
        .await;
        assert!(String::from_utf8_lossy(&body).contains(&secret));
    }
}
