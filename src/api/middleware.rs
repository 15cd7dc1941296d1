//! Cross-cutting HTTP behaviour: request ids, conditional GETs, caching headers.

use super::layers::Inner;
use super::{ApiError, AppState};
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::IntoResponse as _;
use axum::response::Response;
use futures_util::FutureExt as _;
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

// Names made once: a `&str` name is parsed again at every insert.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The data snapshot an answer was made from: equal on every replica serving the same
/// data, so a client or a balancer's log can tell which data answered.
pub const SNAPSHOT: HeaderName = HeaderName::from_static("x-wijkatlas-snapshot");

/// Error bodies are small JSON; anything larger is passed through untouched.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// A request id, `{process tag:08x}-{counter:06}`, written on the stack by hand (the
/// `fmt` machinery cost more than the rest of the id): the header value made of it is
/// the only allocation the id costs a request.
fn next_request_id() -> HeaderValue {
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let mut buf = [0u8; 29];
    let len = write_request_id(&mut buf, *PROCESS_TAG, n);
    HeaderValue::from_bytes(&buf[..len]).unwrap_or(HeaderValue::from_static("unnumbered"))
}

/// Writes `{tag:08x}-{n:06}` at the start of `buf` (8 hex digits, '-', and at most the
/// 20 digits of a u64) and returns its length.
fn write_request_id(buf: &mut [u8; 29], tag: u32, n: u64) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in buf[..8].iter_mut().enumerate() {
        *b = HEX[((tag >> (28 - 4 * i)) & 0xf) as usize];
    }
    buf[8] = b'-';
    // The digits backwards into a scratch, at least six of them (zero-padded).
    let mut digits = [b'0'; 20];
    let (mut rest, mut count) = (n, 0);
    while rest > 0 || count < 6 {
        digits[19 - count] = b'0' + (rest % 10) as u8;
        rest /= 10;
        count += 1;
    }
    buf[9..9 + count].copy_from_slice(&digits[20 - count..]);
    9 + count
}

/// The outermost step, around everything else:
///
/// - gives every request an id, returns it in `X-Request-Id`, writes it into JSON error
///   bodies and logs failures with it, so a user's error report can be found in the logs;
/// - counts every answer per route template and logs it (route, status, time; never the
///   query, which can hold a resident's location);
/// - names the snapshot in every answer, errors and 304s included. It is read when the
///   request starts, as the handler reads its own: a reload in between can make them
///   differ, which on the ETagged routes `guard` rules out by setting it from the
///   snapshot its ETag was made of;
/// - sets the headers every answer carries (`security_headers`) and the CORS headers,
///   and answers CORS preflights itself (`super::cors`).
pub async fn edge<S>(state: Arc<AppState>, mut request: Request, inner: Inner<S>) -> Response
where
    S: tower::Service<Request, Error = std::convert::Infallible>,
    S::Response: axum::response::IntoResponse,
{
    let started = std::time::Instant::now();
    let snapshot = snapshot_value(&state.snapshot().id);
    let id = next_request_id();
    // One value for both: a clone shares its bytes.
    request.headers_mut().insert(REQUEST_ID, id.clone());
    // Cheap clones (a shared string, shared bytes), kept to name the route of an answer.
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .cloned();
    let uri = request.uri().clone();
    let method = method_name(request.method());
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut response = match state.cors().preflight(request.method(), request.headers()) {
        Some(preflight) => preflight,
        None => inner.answer(request).await,
    };
    let took = started.elapsed();
    let status = response.status();
    let route = route.as_ref().map_or("(no route)", |m| m.as_str());
    state.metrics.record(method, route, status.as_u16(), took);
    let id_text = id.to_str().unwrap_or("");
    tracing::debug!(
        request_id = id_text,
        method,
        route,
        status = status.as_u16(),
        ms = took.as_secs_f64() * 1000.0,
        "answered"
    );
    if status.is_client_error() || status.is_server_error() {
        // The path, never the query: queries can hold a resident's location.
        let path = uri.path();
        if status.is_server_error() {
            tracing::error!(
                request_id = id_text,
                method,
                path,
                status = status.as_u16(),
                "request failed"
            );
        } else {
            tracing::debug!(
                request_id = id_text,
                method,
                path,
                status = status.as_u16(),
                "request refused"
            );
        }
        response = with_id_in_body(response, id_text).await;
    }
    let headers = response.headers_mut();
    // Room for the headers added here, at once rather than by growing twice.
    headers.reserve(8);
    headers.insert(REQUEST_ID, id);
    if !headers.contains_key(SNAPSHOT) {
        if let Some(v) = snapshot {
            headers.insert(SNAPSHOT, v);
        }
    }
    security_headers(headers);
    state.cors().answer(origin.as_ref(), headers);
    response
}

thread_local! {
    /// The last snapshot id this thread wrote into a header, and that header: a reload
    /// is rare, so nearly every answer reuses the value instead of making one.
    static SNAPSHOT_HEADER: std::cell::RefCell<Option<(Arc<str>, HeaderValue)>> =
        const { std::cell::RefCell::new(None) };
}

/// The `X-Wijkatlas-Snapshot` value of a snapshot id, made once per id and thread.
fn snapshot_value(id: &str) -> Option<HeaderValue> {
    SNAPSHOT_HEADER.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((cached, value)) = cache.as_ref() {
            if **cached == *id {
                return Some(value.clone());
            }
        }
        let value = HeaderValue::from_str(id).ok()?;
        *cache = Some((Arc::from(id), value.clone()));
        Some(value)
    })
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
    // Only a body known to be small is read: a larger one goes out as it is, with its
    // own status (it was once turned into a 500 that the metrics counted as a 400).
    use axum::body::HttpBody;
    if response
        .body()
        .size_hint()
        .upper()
        .is_none_or(|n| n > MAX_ERROR_BODY as u64)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return ApiError::Internal("the error could not be read back".into()).into_response();
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

/// The step inside the compression, around the handler:
///
/// - a handler that panics is answered 500 (the request id is added by `edge`);
/// - a request still running after the configured time is answered 503. Its deadline
///   goes with the request (handlers take it as an extractor) and is cancelled here, so
///   CPU work on a blocking thread stops too rather than running on unseen;
/// - weak ETags and 304s for the data routes: their answer is a pure function of the
///   data snapshot, the request URI and whether the client prefers pages (the Accept
///   header), so the tag is known before any work is done.
pub async fn guard<S>(state: Arc<AppState>, mut request: Request, inner: Inner<S>) -> Response
where
    S: tower::Service<Request, Error = std::convert::Infallible>,
    S::Response: axum::response::IntoResponse,
{
    let limit = state.limits().request_timeout;
    let deadline = crate::deadline::Deadline::after(limit);
    request.extensions_mut().insert(deadline.clone());
    let tagged = is_cacheable(&request).then(|| {
        let snapshot = state.snapshot();
        let etag = entity_tag(&request, &snapshot.id);
        (snapshot, etag)
    });
    if let Some((snapshot, etag)) = &tagged {
        if if_none_match(request.headers(), etag) {
            return with_validators(StatusCode::NOT_MODIFIED.into_response(), &snapshot.id, etag);
        }
    }
    // A handler that panics is answered here, so the process and the connection go on.
    let answered = std::panic::AssertUnwindSafe(inner.answer(request));
    let response = match tokio::time::timeout(limit, answered.catch_unwind()).await {
        Ok(Ok(response)) => response,
        Ok(Err(payload)) => panic_response(payload),
        Err(_) => {
            deadline.cancel();
            return super::compute::out_of_time(&state).into_response();
        }
    };
    match &tagged {
        Some((snapshot, etag)) if response.status().is_success() => {
            with_validators(response, &snapshot.id, etag)
        }
        _ => response,
    }
}

/// Whether a request's answer is a pure function of the snapshot and the request: a GET
/// of a data route.
fn is_cacheable(request: &Request) -> bool {
    request.method() == Method::GET && {
        let p = request.uri().path();
        p == "/"
            || p == "/conformance"
            || p == "/api"
            || p.starts_with("/collections")
            || p.starts_with("/tiles")
            || p.starts_with("/profiles/")
    }
}

/// The weak ETag of a cacheable request's answer from `snapshot`, made without its body.
fn entity_tag(request: &Request, snapshot: &str) -> String {
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
    // Weak: the compression layer outside sends one URL as gzip, brotli or identity
    // bodies, and a strong tag may not be shared by different bytes (RFC 9110 §8.8.3).
    weak_tag(snapshot, h.finish())
}

/// `W/"{snapshot}-{hash:016x}"`, written without `fmt`.
fn weak_tag(snapshot: &str, hash: u64) -> String {
    let mut tag = String::with_capacity(snapshot.len() + 21);
    tag.push_str("W/\"");
    tag.push_str(snapshot);
    tag.push('-');
    tag.extend((0..16).rev().map(|i| {
        // Most significant digit first.
        char::from(b"0123456789abcdef"[((hash >> (4 * i)) & 15) as usize])
    }));
    tag.push('"');
    tag
}

/// An answer with its ETag and the headers that go with it.
fn with_validators(mut response: Response, snapshot: &str, etag: &str) -> Response {
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, v);
    }
    if let Some(v) = snapshot_value(snapshot) {
        headers.insert(SNAPSHOT, v);
    }
    headers.insert(header::VARY, HeaderValue::from_static("accept"));
    // Revalidate every time: a reload can change any answer, and 304s are cheap.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
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

/// The answer to a request whose handler panicked; the process and every other request
/// go on.
fn panic_response(_payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked; answered 500");
    super::ApiError::Internal(
        "an internal error stopped this request; it has been logged with the request id".into(),
    )
    .into_response()
}

/// `If-None-Match` by weak comparison (RFC 9110 §13.1.2): `W/"x"` and `"x"` match.
pub fn if_none_match(headers: &axum::http::HeaderMap, etag: &str) -> bool {
    fn opaque(t: &str) -> &str {
        t.trim().trim_start_matches("W/")
    }
    let ours = opaque(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || opaque(t) == ours)
}

/// Headers every answer carries: no content sniffing, and no framing by other sites
/// (the embeddable map sets its own `frame-ancestors`, which is kept).
fn security_headers(h: &mut axum::http::HeaderMap) {
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'; object-src 'none'; base-uri 'self'"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
}

/// What [`compress_when`] is, named so the compression layer's type can be written out.
pub type CompressWhen = tower_http::compression::predicate::And<
    tower_http::compression::predicate::DefaultPredicate,
    fn(StatusCode, axum::http::Version, &axum::http::HeaderMap, &axum::http::Extensions) -> bool,
>;

/// Compress successful answers only: error bodies stay plain JSON, so `edge`
/// (outside the compression) can write the request id into them.
pub fn compress_when() -> CompressWhen {
    use tower_http::compression::predicate::{DefaultPredicate, Predicate};
    fn successful(
        status: StatusCode,
        _: axum::http::Version,
        _: &axum::http::HeaderMap,
        _: &axum::http::Extensions,
    ) -> bool {
        !(status.is_client_error() || status.is_server_error())
    }
    DefaultPredicate::new().and(successful as fn(_, _, &_, &_) -> bool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weak_tag_reads_as_the_snapshot_and_the_hash_in_sixteen_hex_digits() {
        for hash in [0, 1, 0xabc, 0x0123_4567_89ab_cdef, u64::MAX] {
            assert_eq!(
                weak_tag("20261207T0800-3f", hash),
                format!("W/\"20261207T0800-3f-{hash:016x}\"")
            );
        }
    }

    #[test]
    fn a_request_id_reads_as_the_tag_in_hex_and_the_counter_padded_to_six() {
        for (tag, n) in [
            (0u32, 0u64),
            (0xdead_beef, 7),
            (0x0000_00a1, 123_456),
            (0x1234_5678, 1_234_567),
            (u32::MAX, u64::MAX),
        ] {
            let mut buf = [0u8; 29];
            let len = write_request_id(&mut buf, tag, n);
            assert_eq!(
                std::str::from_utf8(&buf[..len]),
                Ok(format!("{tag:08x}-{n:06}").as_str())
            );
        }
    }
}
