//! Operator endpoints, behind a bearer token; absent when no token is configured.

use super::{ApiError, AppState, ReloadOutcome};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use std::sync::Arc;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/admin/reload", post(reload))
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
