//! Work spread over the machine's cores, with the caller's deadline carried into every
//! worker thread (it is thread-local: a worker without it would never stop).

use crate::deadline::{self, Stopped};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// `work` on every item, on as many threads as there are cores (at most one per item),
/// the results in the items' order. The first `Err` stops the others from taking new
/// items and is returned. A panic in a worker is passed on to the caller.
pub fn map<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> Result<R, Stopped> + Sync,
) -> Result<Vec<R>, Stopped> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(&work).collect();
    }
    let caller = deadline::current();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let one_thread = || -> Result<Vec<(usize, R)>, Stopped> {
        let mut done = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            let out = match &caller {
                Some(d) => d.run(|| work(item)).and_then(|r| r),
                None => work(item),
            };
            match out {
                Ok(r) => done.push((i, r)),
                Err(e) => {
                    failed.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        Ok(done)
    };
    let parts: Vec<Result<Vec<(usize, R)>, Stopped>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(one_thread)).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut all = Vec::with_capacity(items.len());
    for part in parts {
        all.extend(part?);
    }
    all.sort_unstable_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, r)| r).collect())
}

#[cfg(test)]
mod tests {
    use super::map;
    use crate::deadline::{self, Deadline, Stopped};
    use std::time::Duration;

    #[test]
    fn results_come_back_in_the_items_order() {
        let items: Vec<u64> = (0..100).collect();
        let out = map(&items, |&i| Ok(i * i)).expect("no deadline");
        assert_eq!(out, items.iter().map(|i| i * i).collect::<Vec<_>>());
    }

    #[test]
    fn every_worker_sees_the_callers_deadline() {
        let items: Vec<u32> = (0..8).collect();
        // A deadline already passed: each worker must see it, not run unbounded.
        let out = Deadline::after(Duration::ZERO)
            .run(|| map(&items, |_| deadline::check().map(|()| 1)))
            .and_then(|r| r);
        assert_eq!(out, Err(Stopped));
        let seen = Deadline::after(Duration::from_secs(60))
            .run(|| map(&items, |_| Ok(deadline::current().is_some())));
        assert_eq!(seen, Ok(Ok(vec![true; 8])));
    }
}
