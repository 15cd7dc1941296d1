//! The HTTP API: a thin axum layer over the library.

mod error;
pub mod geojson;
mod layers;

pub use error::ApiError;
pub use layers::Layer;

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

/// Everything a request may read: one immutable snapshot.
#[derive(Debug)]
pub struct Snapshot {
    pub dataset: Dataset,
    pub report: LoadReport,
    pub layers: Vec<Layer>,
}

impl Snapshot {
    pub fn new(loaded: Loaded) -> Self {
        let layers = layers::build(&loaded.dataset);
        Snapshot {
            dataset: loaded.dataset,
            report: loaded.report,
            layers,
        }
    }

    fn layer(&self, id: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.id == id)
    }
}

type AppState = Arc<Snapshot>;

pub fn router(snapshot: Arc<Snapshot>) -> Router {
    Router::new()
        .route("/", get(landing))
        .route("/health", get(health))
        .route("/status", get(status))
        .route("/collections", get(collections))
        .route("/collections/{id}/items", get(items))
        .fallback(not_found)
        .with_state(snapshot)
}

async fn landing(State(s): State<AppState>) -> Json<serde_json::Value> {
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

async fn status(State(s): State<AppState>) -> Json<LoadReport> {
    Json(s.report.clone())
}

async fn collections(State(s): State<AppState>) -> Json<serde_json::Value> {
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

async fn items(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
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

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    snapshot: Arc<Snapshot>,
) -> std::io::Result<()> {
    axum::serve(listener, router(snapshot))
        .with_graceful_shutdown(shutdown_signal())
        .await
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
