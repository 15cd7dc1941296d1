//! Admission control for expensive requests: so many run at once, so many more wait in
//! line, and beyond that the client is told to come back (503 with `Retry-After`).
//!
//! Handlers decide what is expensive after parsing the request (the route, the format,
//! whether there is a filter), so `f=CSV` and `f=%63sv` are what they mean. A request
//! holds its permit until its work has really stopped, not just until it was answered.

use super::ApiError;
use crate::deadline::Deadline;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Debug)]
pub struct Admission {
    running: Arc<Semaphore>,
    max_running: usize,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// The right to run one expensive request; given back when dropped.
#[derive(Debug)]
pub struct Permit(#[allow(dead_code)] OwnedSemaphorePermit);

impl Admission {
    pub fn new(max_running: usize, max_waiting: usize) -> Admission {
        Admission {
            running: Arc::new(Semaphore::new(max_running)),
            max_running,
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// A permit now, or `None` when all are taken (no waiting).
    pub fn try_enter(&self) -> Option<Permit> {
        self.running.clone().try_acquire_owned().ok().map(Permit)
    }

    /// A permit, after waiting in line while the deadline allows; refused at once when
    /// the line is full.
    pub async fn enter(&self, deadline: &Deadline) -> Result<Permit, ApiError> {
        if let Some(p) = self.try_enter() {
            return Ok(p);
        }
        // Take a place in line, or be refused: the count goes up only below the bound.
        let placed = self
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |w| {
                (w < self.max_waiting).then_some(w + 1)
            })
            .is_ok();
        if !placed {
            return Err(self.busy());
        }
        struct Leave<'a>(&'a AtomicUsize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        let _leave = Leave(&self.waiting);
        let acquire = self.running.clone().acquire_owned();
        let permit = match deadline.remaining() {
            Some(left) => tokio::time::timeout(left, acquire)
                .await
                .map_err(|_| self.busy())?,
            None => acquire.await,
        };
        // The semaphore is never closed.
        permit.map(Permit).map_err(|_| self.busy())
    }

    fn busy(&self) -> ApiError {
        ApiError::Busy {
            message: format!(
                "{} expensive requests (what-if, suggestions, access, gaps, profiles, CSV and filtered or large pages) are running and {} are waiting, the most at once; try again shortly",
                self.max_running, self.max_waiting
            ),
            retry_after_s: 1,
        }
    }

    /// Requests running and waiting now, for the admin status.
    pub fn load(&self) -> (usize, usize) {
        (
            self.max_running - self.running.available_permits(),
            self.waiting.load(Ordering::Acquire),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_runs_one_waits_and_the_third_is_refused() {
        let a = Arc::new(Admission::new(1, 1));
        let running = a.try_enter().expect("the one permit");
        let waiter = {
            let a = a.clone();
            tokio::spawn(async move { a.enter(&Deadline::never()).await.map(|_| ()) })
        };
        // Let the waiter take its place in line.
        while a.load().1 == 0 {
            tokio::task::yield_now().await;
        }
        let refused = a.enter(&Deadline::never()).await;
        assert!(matches!(refused, Err(ApiError::Busy { .. })), "{refused:?}");
        drop(running);
        assert!(waiter.await.expect("joined").is_ok());
        assert_eq!(a.load(), (0, 0));
    }

    #[tokio::test]
    async fn waiting_ends_at_the_deadline() {
        let a = Admission::new(1, 4);
        let _running = a.try_enter().expect("the one permit");
        let d = Deadline::after(std::time::Duration::from_millis(20));
        assert!(matches!(a.enter(&d).await, Err(ApiError::Busy { .. })));
        assert_eq!(a.load(), (1, 0));
    }
}
