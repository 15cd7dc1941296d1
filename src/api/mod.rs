//! The HTTP API: a thin axum layer over the library.

mod admin;
mod error;
pub mod geojson;
mod layers;
mod state;

pub use error::ApiError;
pub use layers::Layer;
pub use state::{AppState, ReloadOutcome};

use crate::load::{LoadReport, Loaded};
use crate::model::Dataset;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
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
    pub layers: Vec<Layer>,
}

impl Snapshot {
    pub fn new(loaded: Loaded) -> Self {
        let layers = layers::build(&loaded.dataset);
        Snapshot {
            id: content_id(&layers),
            loaded_at: state::unix_now(),
            dataset: loaded.dataset,
            report: loaded.report,
            layers,
        }
    }

    fn layer(&self, id: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.id == id)
    }
}

/// SipHash with its fixed default keys: stable across processes, so replicas agree.
fn content_id(layers: &[Layer]) -> String {
    use std::hash::{DefaultHasher, Hasher};
    let mut h = DefaultHasher::new();
    for l in layers {
        h.write(l.id.as_bytes());
        h.write(&l.geojson);
    }
    format!("{:016x}", h.finish())
}

type Shared = Arc<AppState>;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(landing))
        .route("/health", get(health))
        .route("/status", get(status))
        .route("/collections", get(collections))
        .route("/collections/{id}/items", get(items))
        .merge(admin::routes())
        .fallback(not_found)
        .with_state(state)
}

async fn landing(State(state): State<Shared>) -> Json<serde_json::Value> {
    let s = state.snapshot();
    Json(json!({
        "title": "wijkatlas",
        "description": "Zorg- en welzijnsvoorzieningen tegen de behoefte per buurt, wijk en gemeente",
        "links": [
            { "rel": "data", "href": "/collections", "type": "application/json" },
            { "rel": "status", "href": "/status", "type": "application/json" },
        ],
        "attribution": attribution(&s.dataset),
    }))
}

fn attribution(dataset: &Dataset) -> Vec<String> {
    let mut lines: Vec<String> = dataset
        .sources
        .iter()
        .filter_map(|s| s.attribution.clone())
        .collect();
    lines.sort();
    lines.dedup();
    lines
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
        "report": s.report,
    }))
}

async fn collections(State(state): State<Shared>) -> Json<serde_json::Value> {
    let s = state.snapshot();
    let list: Vec<_> = s
        .layers
        .iter()
        .map(|l| {
            json!({
                "id": l.id,
                "title": l.title,
                "featureCount": l.feature_count,
                "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
                "links": [{ "rel": "items", "href": format!("/collections/{}/items", l.id), "type": "application/geo+json" }],
            })
        })
        .collect();
    Json(json!({ "collections": list }))
}

async fn items(State(state): State<Shared>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = state.snapshot();
    let layer = s.layer(&id).ok_or_else(|| {
        let known: Vec<&str> = s.layers.iter().map(|l| l.id).collect();
        ApiError::NotFound(format!(
            "no collection '{id}'; this server has: {}",
            known.join(", ")
        ))
    })?;
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        layer.geojson.clone(),
    )
        .into_response())
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
