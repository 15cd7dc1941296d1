//! hyper's timer for one connection: the time limit on reading each request head, kept
//! by one alarm per connection instead of a new tokio timer per request.
//!
//! hyper starts its head timer whenever it waits for a request head and drops it once
//! the head is read. With `hyper_util`'s `TokioTimer` that is a boxed tokio `Sleep`,
//! entered into the runtime's timer wheel and taken out again (a lock each) for every
//! request on a keep-alive connection. Here all of a connection's head sleeps share one
//! alarm. Heads start later and later, so their deadlines only grow: the alarm is set for
//! the first head's deadline and, when it rings before the deadline of the head then
//! awaited, moved on to that once. Under keep-alive load the alarm moves about once per
//! limit per connection, and the limit is as exact as with hyper's own timer.
//!
//! hyper's HTTP/1 server asks its timer for the head limit only, one sleep at a time
//! (`proto/h1/conn.rs`); that is what lets one alarm serve every sleep.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

type Alarm = Option<Pin<Box<tokio::time::Sleep>>>;

/// The timer of one connection (made for each, never shared between connections).
#[derive(Clone, Default)]
pub struct HeadTimer {
    /// Made at the first wait for a head, in the connection's task; a mutex only because
    /// hyper wants its sleeps `Sync` (one task polls them, so it is never contended).
    alarm: Arc<Mutex<Alarm>>,
}

impl HeadTimer {
    pub fn new() -> Self {
        Self::default()
    }
}

impl hyper::rt::Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        let now = self.now();
        // A limit too long to add to now never runs out.
        let deadline = now.checked_add(duration);
        Box::pin(HeadSleep {
            deadline,
            alarm: self.alarm.clone(),
        })
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HeadSleep {
            deadline: Some(deadline),
            alarm: self.alarm.clone(),
        })
    }

    /// Tokio's clock, as `TokioTimer`'s: the deadlines are compared with the alarm's.
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
}

/// One wait for a request head, woken by the connection's alarm.
struct HeadSleep {
    deadline: Option<Instant>,
    alarm: Arc<Mutex<Alarm>>,
}

impl hyper::rt::Sleep for HeadSleep {}

impl Future for HeadSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(deadline) = self.deadline.map(tokio::time::Instant::from_std) else {
            return Poll::Pending;
        };
        // Poisoned only if a poll panicked; ending the connection is then safer than
        // leaving it open with no limit.
        let Ok(mut alarm) = self.alarm.lock() else {
            return Poll::Ready(());
        };
        let alarm = alarm.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        // Never later than this head's deadline (only hyper's `reset` could ask for an
        // earlier one than the alarm's, and it asks for later ones).
        if alarm.deadline() > deadline {
            alarm.as_mut().reset(deadline);
        }
        loop {
            if alarm.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            if alarm.deadline() >= deadline {
                return Poll::Ready(());
            }
            // It rang for an earlier head: wait on, for this one.
            alarm.as_mut().reset(deadline);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::rt::Timer as _;

    const LIMIT: Duration = Duration::from_millis(150);

    /// Whether `sleep` ends within `within`.
    async fn ends_within(sleep: Pin<Box<dyn hyper::rt::Sleep>>, within: Duration) -> bool {
        tokio::time::timeout(within, sleep).await.is_ok()
    }

    async fn ends_within_ref(sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, within: Duration) -> bool {
        tokio::time::timeout(within, sleep.as_mut()).await.is_ok()
    }

    #[tokio::test]
    async fn a_head_that_does_not_come_runs_out_at_its_limit() {
        let timer = HeadTimer::new();
        let started = Instant::now();
        assert!(ends_within(timer.sleep(LIMIT), Duration::from_secs(5)).await);
        assert!(started.elapsed() >= LIMIT, "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn a_later_head_gets_its_own_full_limit_from_the_shared_alarm() {
        let timer = HeadTimer::new();
        // The first head arms the alarm, then arrives in time (hyper drops its sleep).
        let first = timer.sleep(LIMIT);
        assert!(!ends_within(first, Duration::from_millis(10)).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
        // The next head is awaited when the alarm, set for the first, has 40 ms to go.
        let started = Instant::now();
        let second = timer.sleep(LIMIT);
        let mut second = std::pin::pin!(second);
        // It does not end when the alarm rings for the first head…
        assert!(
            tokio::time::timeout(Duration::from_millis(100), second.as_mut())
                .await
                .is_err(),
            "ended at the first head's deadline"
        );
        // …but at its own.
        assert!(tokio::time::timeout(Duration::from_secs(5), second)
            .await
            .is_ok());
        assert!(started.elapsed() >= LIMIT, "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn a_sleep_reset_to_a_later_deadline_ends_at_that() {
        let timer = HeadTimer::new();
        let mut sleep = timer.sleep(Duration::from_millis(20));
        // Polled once, so the alarm is set for 20 ms.
        assert!(!ends_within_ref(&mut sleep, Duration::from_millis(1)).await);
        let started = Instant::now();
        timer.reset(&mut sleep, timer.now() + LIMIT);
        assert!(ends_within(sleep, Duration::from_secs(5)).await);
        assert!(started.elapsed() >= LIMIT, "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn a_deadline_past_the_end_of_time_never_runs_out() {
        let timer = HeadTimer::new();
        assert!(!ends_within(timer.sleep(Duration::MAX), Duration::from_millis(50)).await);
    }
}
