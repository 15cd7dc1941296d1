//! When CPU work must stop: a point in time and a flag the server sets when nobody waits
//! for the answer any more (the time limit answered 503, or the client went away).
//!
//! Long loops (filtering features, LIKE matching, the analysis) ask [`expired`] now and
//! then and stop early; the caller then throws the partial result away. The deadline a
//! loop sees is the one installed on its thread by [`Deadline::run`], so the analysis
//! functions keep their signatures and can still be called from a test or a script,
//! where no deadline is installed and nothing ever expires.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Deadline {
    at: Option<Instant>,
    cancelled: Arc<AtomicBool>,
}

/// Work stopped because its deadline passed or it was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the work was stopped: its time ran out or nobody waits for it any more")]
pub struct Stopped;

thread_local! {
    static CURRENT: RefCell<Option<Deadline>> = const { RefCell::new(None) };
}

impl Deadline {
    /// A deadline `limit` from now.
    pub fn after(limit: Duration) -> Deadline {
        Deadline {
            at: Instant::now().checked_add(limit),
            cancelled: Arc::new(AtomicBool::new(false)),
        }
    }

    /// No time limit; stops only when cancelled.
    pub fn never() -> Deadline {
        Deadline {
            at: None,
            cancelled: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_expired(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed) || self.at.is_some_and(|at| Instant::now() >= at)
    }

    /// Time left, `None` without a limit.
    pub fn remaining(&self) -> Option<Duration> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// Runs `work` on this thread with this deadline installed for [`expired`], and says
    /// whether it ran out meanwhile (then the result is not to be trusted: loops stopped
    /// early).
    pub fn run<T>(&self, work: impl FnOnce() -> T) -> Result<T, Stopped> {
        let previous = CURRENT.with(|c| c.replace(Some(self.clone())));
        // Restored even if `work` panics, so a pooled thread never keeps a stale deadline.
        struct Restore(Option<Deadline>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                CURRENT.with(|c| *c.borrow_mut() = previous);
            }
        }
        let _restore = Restore(previous);
        let out = work();
        if self.is_expired() {
            Err(Stopped)
        } else {
            Ok(out)
        }
    }
}

/// Whether the work on this thread should stop now (never outside [`Deadline::run`]).
pub fn expired() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(Deadline::is_expired))
}

/// The deadline installed on this thread, to carry into worker threads (it is
/// thread-local, so a thread started without it would never stop).
pub fn current() -> Option<Deadline> {
    CURRENT.with(|c| c.borrow().clone())
}

/// [`expired`] as an error, for loops inside functions that return `Result`.
pub fn check() -> Result<(), Stopped> {
    if expired() {
        Err(Stopped)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_a_deadline_nothing_expires() {
        assert!(!expired());
        assert_eq!(check(), Ok(()));
    }

    #[test]
    fn a_past_deadline_is_seen_inside_and_reported_after() {
        let d = Deadline::after(Duration::ZERO);
        let seen = d.run(expired);
        assert_eq!(seen, Err(Stopped));
        assert!(!expired(), "restored after the run");
        let ok = Deadline::after(Duration::from_secs(60)).run(expired);
        assert_eq!(ok, Ok(false));
    }

    #[test]
    fn cancelling_from_another_thread_stops_the_loop() {
        let d = Deadline::never();
        let other = d.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            other.cancel();
        });
        let spins = d.run(|| {
            let mut n = 0u64;
            while !expired() {
                n += 1;
            }
            n
        });
        assert_eq!(spins.map(|_| ()), Err(Stopped));
    }
}
