//! The HTTP API: a thin axum layer over the library.

mod admin;
mod analysis;
mod base_url;
mod error;
mod features;
mod html;
mod middleware;
mod negotiate;
mod openapi;
mod state;
mod tiles;
mod web;

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
}

impl Snapshot {
    pub fn new(loaded: Loaded) -> Self {
        let indicators = crate::analysis::layer::properties(&loaded.dataset, &loaded.analysis);
        let collections = crate::features::build(&loaded.dataset, &indicators);
        let tile_plan = crate::tiles::combined::plan(&collections, &loaded.dataset);
        Snapshot {
            id: content_id(&collections),
            loaded_at: state::unix_now(),
            dataset: loaded.dataset,
            report: loaded.report,
            analysis: loaded.analysis,
            collections,
            tiles: crate::tiles::cache::TileCache::new(crate::tiles::cache::DEFAULT_CAP_BYTES),
            tile_plan,
        }
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
            h.write(item.fragment(crate::crs::Crs::Crs84));
        }
    }
    format!("{:016x}", h.finish())
}

type Shared = Arc<AppState>;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(features::landing))
        .route("/conformance", get(features::conformance))
        .route("/api", get(features::api))
        .route("/api/nearest", get(analysis::nearest))
        .route("/api/within", get(analysis::within))
        .route("/api/area-at", get(analysis::area_at))
        .route("/api/housing", get(analysis::housing))
        .route("/api/access", get(analysis::access))
        .route("/api/gaps", get(analysis::gaps))
        .route("/api/suggest", get(analysis::suggest))
        .route("/api/scenario", axum::routing::post(analysis::scenario))
        .route("/api/zoek", get(analysis::search))
        .route("/health", get(health))
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
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::conditional_get,
        ))
        // Fastest levels: the default gzip level spent 3× longer compressing a national
        // layer than writing it, for a body only ~15% smaller.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Fastest),
        )
        .layer(tower_http::cors::CorsLayer::permissive().expose_headers([
            axum::http::header::ETAG,
            axum::http::HeaderName::from_static(middleware::REQUEST_ID),
            axum::http::HeaderName::from_static("content-crs"),
        ]))
        .layer(axum::middleware::from_fn(middleware::request_id))
        .with_state(state)
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn status(State(state): State<Shared>) -> Json<serde_json::Value> {
    let s = state.snapshot();
    let (ok, failed) = state.reload_counts();
    Json(json!({
        "snapshot": s.id,
        "loaded_at": s.loaded_at,
        "reloads": { "ok": ok, "rejected": failed },
        "sources": s.dataset.sources,
        "analysis": s.analysis,
        "tile_cache": s.tiles.stats(),
        "report": s.report,
    }))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such page; start at / or /collections".into())
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish. SIGHUP reloads.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    #[cfg(unix)]
    tokio::spawn(reload_on_sighup(state.clone()));
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
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
