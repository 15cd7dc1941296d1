//! Operator endpoints, behind a bearer token; absent when no token is configured.

use super::{ApiError, AppState, ReloadOutcome};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use std::sync::Arc;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/admin/reload", post(reload))
        .route("/admin/status", axum::routing::get(status))
}

/// The detail an operator needs and the public should not see: where the data is read
/// from, the limits in force, the process and the reload history.
async fn status(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorise(&state, &headers)?;
    let s = state.snapshot();
    let (ok, failed) = state.reload_counts();
    let limits = state.limits();
    Ok(Json(serde_json::json!({
        "snapshot": s.id,
        "loaded_at": s.loaded_at,
        "started_at": state.started_at,
        "pid": std::process::id(),
        "version": env!("CARGO_PKG_VERSION"),
        "data_dir": state.data_dir().display().to_string(),
        "reloads": { "ok": ok, "rejected": failed },
        "limits": {
            "request_timeout_s": limits.request_timeout.as_secs(),
            "max_body_bytes": limits.max_body_bytes,
            "max_expensive": limits.max_expensive,
        },
        "cors_origins": if state.cors_origins().is_empty() { vec!["*".to_string()] } else { state.cors_origins().to_vec() },
        "tile_cache": s.tiles.stats(),
        "sources": s.dataset.sources,
        "report": s.report,
    })))
}

/// Compares in constant time, so the token cannot be guessed byte by byte from timing.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn authorise(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = state.admin_token() else {
        return Err(ApiError::NotFound(
            "admin endpoints are off: start the server with --admin-token to enable them".into(),
        ));
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if same(given.as_bytes(), token.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized(
            "admin endpoints need 'Authorization: Bearer <token>'".into(),
        ))
    }
}

async fn reload(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorise(&state, &headers)?;
    let outcome = state.reload().await;
    let status = match outcome {
        ReloadOutcome::Swapped { .. } => StatusCode::OK,
        // The request was fine; the data it would load is not.
        ReloadOutcome::Rejected { .. } => StatusCode::CONFLICT,
    };
    Ok((status, Json(outcome)).into_response())
}
