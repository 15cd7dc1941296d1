//! Our two middleware steps ([`super::middleware::edge`] and
//! [`super::middleware::guard`]) as a tower layer.
//!
//! Written out rather than made with `axum::middleware::from_fn`: each `from_fn` layer
//! boxes a clone of everything inside it on every request, so a stack of four cost
//! half of `/health`'s rate. Here a request costs one boxed future per step, and the
//! service inside is cloned once, by the route.

use super::middleware;
use super::Shared;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// Which step a layer runs around the routes.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// The outermost: request ids, the snapshot header, security headers, metrics.
    Edge,
    /// Inside the compression: the request's deadline and time limit, conditional GETs.
    Guard,
}

/// A layer that runs `step` around every route.
#[derive(Clone)]
pub struct StepLayer {
    state: Shared,
    step: Step,
}

impl StepLayer {
    pub fn new(state: Shared, step: Step) -> Self {
        StepLayer { state, step }
    }
}

impl<S> Layer<S> for StepLayer {
    type Service = StepService<S>;

    fn layer(&self, inner: S) -> StepService<S> {
        StepService {
            state: self.state.clone(),
            step: self.step,
            inner,
        }
    }
}

#[derive(Clone)]
pub struct StepService<S> {
    state: Shared,
    step: Step,
    inner: S,
}

type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> Service<Request> for StepService<S>
where
    S: Service<Request, Error = Infallible> + Clone + Send + 'static,
    S::Response: IntoResponse,
    S::Future: Send,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    /// Always ready: the service inside is asked when the request is handed to it
    /// (`oneshot` in [`Inner::answer`]).
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Answer {
        let inner = Inner(self.inner.clone());
        let state = self.state.clone();
        match self.step {
            Step::Edge => {
                Box::pin(async move { Ok(middleware::edge(state, request, inner).await) })
            }
            Step::Guard => {
                Box::pin(async move { Ok(middleware::guard(state, request, inner).await) })
            }
        }
    }
}

/// The service a step wraps, for the step to hand the request on to.
pub struct Inner<S>(S);

impl<S> Inner<S>
where
    S: Service<Request, Error = Infallible>,
    S::Response: IntoResponse,
{
    pub async fn answer(self, request: Request) -> Response {
        use tower::ServiceExt as _;
        match self.0.oneshot(request).await {
            Ok(response) => response.into_response(),
            Err(never) => match never {},
        }
    }
}
