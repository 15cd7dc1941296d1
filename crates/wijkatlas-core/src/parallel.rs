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

/// [`map`], taking the items longest first by `cost` (an estimate, any unit): with
/// few cores and work of very different lengths, a long item taken last would run on
/// alone while the other cores wait. The results still come in the items' order.
pub fn map_longest_first<T: Sync, R: Send>(
    items: &[T],
    cost: impl Fn(&T) -> f64,
    work: impl Fn(&T) -> Result<R, Stopped> + Sync,
) -> Result<Vec<R>, Stopped> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| cost(&items[b]).total_cmp(&cost(&items[a])));
    let done = map(&order, |&i| work(&items[i]))?;
    let mut out: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    for (i, r) in order.into_iter().zip(done) {
        out[i] = Some(r);
    }
    Ok(out.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::{map, map_longest_first};
    use crate::deadline::{self, Deadline, Stopped};
    use std::time::Duration;

    #[test]
    fn results_come_back_in_the_items_order() {
        let items: Vec<u64> = (0..100).collect();
        let out = map(&items, |&i| Ok(i * i)).expect("no deadline");
        assert_eq!(out, items.iter().map(|i| i * i).collect::<Vec<_>>());
    }

    #[test]
    fn longest_first_takes_the_costliest_first_and_answers_in_order() {
        let items: Vec<u64> = (0..50).collect();
        let taken = std::sync::Mutex::new(Vec::new());
        let out = map_longest_first(
            &items,
            |&i| (i % 7) as f64,
            |&i| {
                taken.lock().expect("not poisoned").push(i);
                Ok(i * 3)
            },
        )
        .expect("no deadline");
        assert_eq!(out, items.iter().map(|i| i * 3).collect::<Vec<_>>());
        let taken = taken.into_inner().expect("not poisoned");
        assert_eq!(taken.len(), items.len());
        // The first taken are of the highest cost, on however many threads.
        assert!(taken[..2].iter().all(|i| i % 7 == 6), "{taken:?}");
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
