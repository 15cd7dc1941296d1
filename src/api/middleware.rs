//! Cross-cutting HTTP behaviour: request ids, conditional GETs, caching headers.

use super::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Random per process: replicas in containers all run as pid 1, and an id from a user's
/// error report must point at one replica's log.
static PROCESS_TAG: std::sync::LazyLock<u32> = std::sync::LazyLock::new(|| {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(std::process::id()) as u32
});

pub const REQUEST_ID: &str = "x-request-id";

/// The data snapshot an answer was made from: equal on every replica serving the same
/// data, so a client or a balancer's log can tell which data answered.
pub const SNAPSHOT: &str = "x-wijkatlas-snapshot";

/// Error bodies are small JSON; anything larger is passed through untouched.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Gives every request an id, returns it in `X-Request-Id`, writes it into JSON error
/// bodies and logs failures with it, so a user's error report can be found in the logs.
pub async fn request_id(mut request: Request, next: Next) -> Response {
    let id = format!(
        "{:08x}-{:06}",
        *PROCESS_TAG,
        NEXT_ID.fetch_add(1, Ordering::Relaxed)
    );
    if let Ok(v) = HeaderValue::from_str(&id) {
        request.headers_mut().insert(REQUEST_ID, v);
    }
    // The route, never the query: queries can hold a resident's location.
    let path = request.uri().path().to_string();
    let method = request.method().clone();
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        if status.is_server_error() {
            tracing::error!(request_id = %id, %method, %path, status = status.as_u16(), "request failed");
        } else {
            tracing::debug!(request_id = %id, %method, %path, status = status.as_u16(), "request refused");
        }
        response = with_id_in_body(response, &id).await;
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    response
}

async fn with_id_in_body(response: Response, id: &str) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "error body too large").into_response();
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut map)) => {
            map.insert(
                "requestId".into(),
                serde_json::Value::String(id.to_string()),
            );
            parts.headers.remove(header::CONTENT_LENGTH);
            Body::from(serde_json::Value::Object(map).to_string())
        }
        _ => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

/// Names the snapshot in every answer, errors and 304s included. It is read when the
/// request starts, as the handler reads its own: a reload in between can make them
/// differ, which on the ETagged routes `conditional_get` rules out by setting it from the
/// snapshot its ETag was made of.
pub async fn snapshot_header(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let snapshot = state.snapshot().id.clone();
    let mut response = next.run(request).await;
    if !response.headers().contains_key(SNAPSHOT) {
        if let Ok(v) = HeaderValue::from_str(&snapshot) {
            response.headers_mut().insert(SNAPSHOT, v);
        }
    }
    response
}

/// Strong ETags and 304s for the data routes: their answer is a pure function of the
/// data snapshot, the request URI and whether the client prefers pages (the Accept
/// header), so the tag can be computed before any work is done.
pub async fn conditional_get(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let cacheable = request.method() == Method::GET && {
        let p = request.uri().path();
        p == "/"
            || p == "/conformance"
            || p == "/api"
            || p.starts_with("/collections")
            || p.starts_with("/tiles")
            || p.starts_with("/profiles/")
    };
    if !cacheable {
        return next.run(request).await;
    }
    let snapshot = state.snapshot().id.clone();
    // DefaultHasher::new() has fixed keys (unlike a HashMap's RandomState), so every
    // replica of one release computes the same tag for the same request and data. The
    // release is in it because a new release may write the same data differently: during
    // a rolling upgrade old and new replicas must not vouch for each other's bodies.
    let mut h = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    request.uri().hash(&mut h);
    super::negotiate::prefers_html(request.headers()).hash(&mut h);
    // Links in the answers are absolute, so the address the client used is part of it.
    super::base_url::BaseUrl::from_headers(request.headers()).hash(&mut h);
    let etag = format!("\"{snapshot}-{:016x}\"", h.finish());
    let matches = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        next.run(request).await
    };
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, v);
        }
        if let Ok(v) = HeaderValue::from_str(&snapshot) {
            headers.insert(SNAPSHOT, v);
        }
        headers.insert(header::VARY, HeaderValue::from_static("accept"));
        // Revalidate every time: a reload can change any answer, and 304s are cheap.
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, no-cache"),
        );
    }
    response
}

/// Counts every answer per route template and logs it (route, status, time; never the
/// query, which can hold a resident's location) with the request id.
pub async fn observe(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    // Both are cheap clones (a shared string, shared bytes), taken before the request
    // moves on.
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .cloned();
    let route = route.as_ref().map_or("(no route)", |m| m.as_str());
    let id = request.headers().get(REQUEST_ID).cloned();
    let method = method_name(request.method());
    let response = next.run(request).await;
    let took = started.elapsed();
    let status = response.status().as_u16();
    state.metrics.record(method, route, status, took);
    let id = id.as_ref().and_then(|v| v.to_str().ok()).unwrap_or("");
    tracing::debug!(
        request_id = id,
        method,
        route,
        status,
        ms = took.as_secs_f64() * 1000.0,
        "answered"
    );
    response
}

fn method_name(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// A request still running after the configured time is answered 503 (its work is
/// dropped), so a slow client or query cannot hold a connection for ever.
pub async fn timeout(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let limit = state.limits().request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => super::ApiError::Busy {
            message: format!(
                "the request took longer than {} s and was stopped; try a smaller request",
                limit.as_secs()
            ),
            retry_after_s: 5,
        }
        .into_response(),
    }
}

/// What-if scenarios, location suggestions, profiles and CSV exports cost far more than a page:
/// only so many run at once, and the rest are told to come back rather than queued.
pub async fn limit_expensive(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let expensive = path == "/api/scenario"
        || path == "/api/suggest"
        || path.starts_with("/profiles/")
        || request
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|kv| kv == "f=csv"));
    if !expensive {
        return next.run(request).await;
    }
    let Some(_permit) = state.try_expensive() else {
        return super::ApiError::Busy {
            message: format!(
                "{} expensive requests (what-if, suggestions, profiles, CSV exports) are running, the most at once; try again shortly",
                state.limits().max_expensive
            ),
            retry_after_s: 1,
        }
        .into_response();
    };
    next.run(request).await
}

/// A handler that panics is answered 500 (the request id is added by `request_id`);
/// the process and every other request go on.
pub fn panic_response(_payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked; answered 500");
    super::ApiError::Internal(
        "an internal error stopped this request; it has been logged with the request id".into(),
    )
    .into_response()
}
