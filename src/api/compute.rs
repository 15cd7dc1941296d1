//! CPU work of a request, off the async workers: on tokio's blocking threads, admitted
//! by [`super::admission`] when it is expensive, with the request's deadline installed
//! so its loops stop when the time limit answers or the client goes away.
//!
//! The async workers then only move bytes: `/health` and the other cheap routes answer
//! at once however many heavy requests are running.

use super::{ApiError, AppState};
use crate::deadline::{Deadline, Stopped};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// How costly a request is, decided by its handler after parsing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// Off the async workers, but not counted against the cap (a plain page of items).
    Light,
    /// Counted against the cap on expensive requests, queued or refused beyond it.
    Heavy,
}

/// Runs `work` on a blocking thread under the request's deadline. The answer is a 503
/// when the work ran out of time (the timeout middleware will usually have answered
/// first) and a 500 when it panicked.
pub async fn run<T: Send + 'static>(
    state: &AppState,
    deadline: &Deadline,
    cost: Cost,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let permit = match cost {
        Cost::Heavy => Some(state.admission().enter(deadline).await?),
        Cost::Light => None,
    };
    // Dropped when this future is (the time limit answered, the client went away) or
    // when it ends: either way the work has nobody to answer to any more.
    struct CancelOnDrop(Deadline);
    impl Drop for CancelOnDrop {
        fn drop(&mut self) {
            self.0.cancel();
        }
    }
    let _cancel = CancelOnDrop(deadline.clone());
    let d = deadline.clone();
    let joined = tokio::task::spawn_blocking(move || {
        // The permit is held until the work stops, so the cap counts work, not requests.
        let _permit = permit;
        d.run(work)
    })
    .await;
    match joined {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(Stopped)) => Err(out_of_time(state)),
        Err(e) => {
            tracing::error!(error = %e, "a request's computation panicked");
            Err(ApiError::Internal(
                "an internal error stopped this request; it has been logged with the request id"
                    .into(),
            ))
        }
    }
}

/// The answer to a request that outran the time limit.
pub fn out_of_time(state: &AppState) -> ApiError {
    ApiError::Busy {
        message: format!(
            "the request took longer than {} s and was stopped; try a smaller request",
            state.limits().request_timeout.as_secs()
        ),
        retry_after_s: 5,
    }
}

/// A handler's deadline: the one the timeout middleware set for this request. (A
/// wrapper, since `Deadline` belongs to the core crate, which knows nothing of axum.)
pub struct RequestDeadline(pub Deadline);

impl<S: Send + Sync> FromRequestParts<S> for RequestDeadline {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestDeadline(
            parts
                .extensions
                .get::<Deadline>()
                .cloned()
                .unwrap_or_else(|| {
                    Deadline::after(std::time::Duration::from_secs(
                        crate::config::DEFAULT_REQUEST_TIMEOUT_S,
                    ))
                }),
        ))
    }
}
