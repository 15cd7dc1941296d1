//! Compression for the clients that ask for it, and no compression wrapper around the
//! answers of those that do not.
//!
//! tower-http's `Compression` wraps every answer's body in its `CompressionBody` (an enum
//! of its encoders, a pass-through when nothing is compressed): boxing that into axum's
//! `Body`, and moving its future through the layers, was about 13% of the
//! instructions `/health` costs (`benches/layers.rs`). A request with no
//! `Accept-Encoding` cannot get a compressed answer (tower-http sends those the identity
//! coding), so it goes past the wrapper; liveness probes, scripts and load generators
//! send none. Its answer keeps every header it had: `Vary: accept-encoding` is added by
//! the same rule tower-http follows, since a cache must still tell the codings apart.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower::{Layer, Service};
use tower_http::compression::{Compression, CompressionBody, CompressionLayer, Predicate};

/// Tower-http's compression for requests that name a coding, a pass-through otherwise.
#[derive(Clone)]
pub struct CompressLayer<P> {
    layer: CompressionLayer<P>,
    predicate: P,
}

impl<P: Predicate> CompressLayer<P> {
    /// `layer` compresses with `predicate`, which decides `Vary` on the pass-through.
    pub fn new(layer: CompressionLayer<P>, predicate: P) -> Self {
        CompressLayer { layer, predicate }
    }
}

impl<S, P: Predicate> Layer<S> for CompressLayer<P> {
    type Service = Compress<S, P>;

    fn layer(&self, inner: S) -> Compress<S, P> {
        Compress {
            compression: self.layer.layer(inner),
            predicate: self.predicate.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Compress<S, P> {
    compression: Compression<S, P>,
    predicate: P,
}

/// tower-http's compressing service, whose future it does not name.
type Compressing<S, P> = <Compression<S, P> as Service<Request>>::Future;

impl<S, P> Service<Request> for Compress<S, P>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Unpin,
    P: Predicate + Unpin,
    Compression<S, P>:
        Service<Request, Response = Response<CompressionBody<Body>>, Error = Infallible>,
    Compressing<S, P>: Unpin,
{
    type Response = Response;
    type Error = Infallible;
    type Future = CompressFuture<S::Future, Compressing<S, P>, P>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.compression.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.headers().contains_key(header::ACCEPT_ENCODING) {
            CompressFuture::Compressing(self.compression.call(request))
        } else {
            CompressFuture::Plain {
                answer: self.compression.get_mut().call(request),
                predicate: Some(self.predicate.clone()),
            }
        }
    }
}

pub enum CompressFuture<F, C, P> {
    Plain { answer: F, predicate: Option<P> },
    Compressing(C),
}

impl<F, C, P> Future for CompressFuture<F, C, P>
where
    F: Future<Output = Result<Response, Infallible>> + Unpin,
    C: Future<Output = Result<Response<CompressionBody<Body>>, Infallible>> + Unpin,
    P: Predicate + Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            CompressFuture::Compressing(compressing) => Pin::new(compressing)
                .poll(cx)
                .map_ok(|response| response.map(Body::new)),
            CompressFuture::Plain { answer, predicate } => {
                let mut response = match std::task::ready!(Pin::new(answer).poll(cx)) {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                if let Some(predicate) = predicate.take() {
                    vary_as_compression_would(&mut response, &predicate);
                }
                Poll::Ready(Ok(response))
            }
        }
    }
}

/// `Vary: accept-encoding` where tower-http would have compressed for a client that
/// asked (its `ResponseFuture`: never over a coding or a range, else by the predicate).
fn vary_as_compression_would(response: &mut Response, predicate: &impl Predicate) {
    let headers = response.headers();
    if headers.contains_key(header::CONTENT_ENCODING)
        || headers.contains_key(header::CONTENT_RANGE)
        || varies_by_encoding(headers)
        || !predicate.should_compress(response)
    {
        return;
    }
    response
        .headers_mut()
        .append(header::VARY, header::ACCEPT_ENCODING.into());
}

fn varies_by_encoding(headers: &HeaderMap) -> bool {
    let name = header::ACCEPT_ENCODING.as_str().as_bytes();
    headers.get_all(header::VARY).iter().any(|v| {
        v.as_bytes()
            .windows(name.len())
            .any(|w| w.eq_ignore_ascii_case(name))
    })
}
