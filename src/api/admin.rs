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
        .route("/admin/reload/{job}", axum::routing::get(reload_status))
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
    let (running, waiting) = state.admission().load();
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
            "max_queued": limits.max_queued,
            "max_response_bytes": limits.max_response_bytes,
            "idle_timeout_s": limits.idle_timeout.as_secs(),
            "max_connections": limits.max_connections,
        },
        "expensive": { "running": running, "waiting": waiting },
        "cors_origins": match state.cors().origins() { o if o.is_empty() => vec!["*"], o => o },
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

/// Starts a reload (or joins the one running) as a background job. By default it waits
/// for the outcome for three quarters of the request time limit and answers it (200
/// swapped, 409 rejected); a reload that takes longer, or `?wait=false`, is answered
/// 202 with the job's status URL in `Location`, and the job goes on.
async fn reload(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    axum::extract::Query(pairs): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    authorise(&state, &headers)?;
    let wait = match pairs
        .iter()
        .find(|(k, _)| k == "wait")
        .map(|(_, v)| v.as_str())
    {
        None | Some("true") => true,
        Some("false") => false,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "parameter 'wait': '{other}' is not true or false"
            )))
        }
    };
    if let Some((k, _)) = pairs.iter().find(|(k, _)| k != "wait") {
        return Err(ApiError::BadRequest(format!(
            "unknown parameter '{k}'; this route takes: wait"
        )));
    }
    let mut job = state.start_reload();
    if wait {
        let window = state.limits().request_timeout.mul_f64(0.75);
        if let Some(outcome) = job.wait(window).await {
            return Ok(finished(job.id, outcome));
        }
    }
    let url = format!("/admin/reload/{}", job.id);
    let mut response = (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({
            "job": job.id,
            "state": "running",
            "started_at": job.started_at,
            "status_url": url,
        })),
    )
        .into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&url) {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, v);
    }
    Ok(response)
}

fn finished(job: u64, outcome: ReloadOutcome) -> Response {
    let status = match outcome {
        ReloadOutcome::Swapped { .. } => StatusCode::OK,
        // The request was fine; the data it would load is not.
        ReloadOutcome::Rejected { .. } => StatusCode::CONFLICT,
    };
    let mut body = serde_json::to_value(&outcome).unwrap_or_default();
    body["job"] = serde_json::json!(job);
    body["state"] = serde_json::json!("done");
    (status, Json(body)).into_response()
}

/// A reload job: `running`, or `done` with its outcome (200 either way; the outcome
/// says whether the data was swapped).
async fn reload_status(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    axum::extract::Path(job): axum::extract::Path<String>,
) -> Result<Response, ApiError> {
    authorise(&state, &headers)?;
    let found = job
        .parse::<u64>()
        .ok()
        .and_then(|id| state.reload_job(id))
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "no reload job '{job}'; only the latest reloads are kept"
            ))
        })?;
    Ok(match found.outcome() {
        Some(outcome) => {
            let mut body = serde_json::to_value(&outcome).unwrap_or_default();
            body["job"] = serde_json::json!(found.id);
            body["state"] = serde_json::json!("done");
            Json(body).into_response()
        }
        None => Json(serde_json::json!({
            "job": found.id,
            "state": "running",
            "started_at": found.started_at,
        }))
        .into_response(),
    })
}
