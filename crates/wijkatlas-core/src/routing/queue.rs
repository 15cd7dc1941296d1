//! The priority queue of the searches: a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan,
//! 1990) over the bit patterns of travel times.
//!
//! Dijkstra takes nodes out in order of time and never puts one in earlier than the
//! last taken out, so the queue need only be *monotone*. A radix heap keeps entries in
//! buckets by the highest bit in which their key differs from the last key taken out;
//! taking out means emptying bucket 0, or else redistributing the first non-empty
//! bucket around its smallest key. Each entry moves down a few buckets at most, with no
//! comparisons along a tree, which is what made the binary heap the largest cost of a
//! national multi-source run. It is exact: keys are the times' own bits (non-negative
//! floats order as their bits do), so every node is settled at the same time as with a
//! binary heap; only the order among exactly equal times may differ. The national runs
//! key by the f32 time as stored (u32: half the bytes to move, 33 buckets); the searches
//! that keep f64 times key by those (u64).

/// A key: the bits of a non-negative float.
pub(super) trait Key: Copy + Ord + Default {
    const BITS: u32;
    /// Leading zeros of `self ^ other`: equal keys give `BITS`.
    fn common_prefix(self, other: Self) -> u32;
}

impl Key for u32 {
    const BITS: u32 = u32::BITS;
    fn common_prefix(self, other: u32) -> u32 {
        (self ^ other).leading_zeros()
    }
}

impl Key for u64 {
    const BITS: u32 = u64::BITS;
    fn common_prefix(self, other: u64) -> u32 {
        (self ^ other).leading_zeros()
    }
}

/// A monotone min-queue of (key, node).
#[derive(Debug)]
pub(super) struct RadixHeap<K> {
    /// The last key taken out; every key in the queue is at least this.
    last: K,
    /// Bucket `i > 0` holds keys whose highest bit differing from `last` is bit `i - 1`;
    /// bucket 0 the keys equal to `last`.
    buckets: Vec<Vec<(K, u32)>>,
    len: usize,
}

impl<K: Key> RadixHeap<K> {
    pub(super) fn new() -> RadixHeap<K> {
        RadixHeap {
            last: K::default(),
            buckets: (0..=K::BITS).map(|_| Vec::new()).collect(),
            len: 0,
        }
    }

    fn bucket(&self, key: K) -> usize {
        (K::BITS - key.common_prefix(self.last)) as usize
    }

    /// Puts `node` in at `key`; a key below the last taken out (which a search never
    /// asks for) is raised to it, so the queue stays ordered.
    pub(super) fn push(&mut self, key: K, node: u32) {
        let key = key.max(self.last);
        let b = self.bucket(key);
        self.buckets[b].push((key, node));
        self.len += 1;
    }

    /// Takes out an entry of the smallest key.
    pub(super) fn pop(&mut self) -> Option<(K, u32)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            let i = self.buckets.iter().position(|b| !b.is_empty())?;
            let moving = std::mem::take(&mut self.buckets[i]);
            self.last = moving.iter().map(|e| e.0).min()?;
            for &(key, node) in &moving {
                let b = self.bucket(key);
                self.buckets[b].push((key, node));
            }
            // Keep the emptied bucket's memory for the next time it fills.
            let mut moving = moving;
            moving.clear();
            if self.buckets[i].is_empty() {
                self.buckets[i] = moving;
            }
        }
        self.len -= 1;
        self.buckets[0].pop()
    }
}

#[cfg(test)]
mod tests {
    use super::RadixHeap;

    #[test]
    fn takes_out_in_order_of_key_as_a_sort_does() {
        let mut rng = 12345u64;
        let mut next = || {
            rng = rng
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            rng >> 40
        };
        let mut heap = RadixHeap::<u64>::new();
        let mut taken = Vec::new();
        let mut all = Vec::new();
        // As Dijkstra uses it: each key put in is at least the last taken out.
        let mut floor = 0.0f64;
        for round in 0..2000u32 {
            for k in 0..(next() % 4) {
                let t = floor + (next() % 1000) as f64 / 7.0;
                heap.push(t.to_bits(), round * 4 + k as u32);
                all.push(t.to_bits());
            }
            if let Some((key, _)) = heap.pop() {
                floor = f64::from_bits(key);
                taken.push(key);
            }
        }
        while let Some((key, _)) = heap.pop() {
            taken.push(key);
        }
        assert!(taken.windows(2).all(|w| w[0] <= w[1]), "out of order");
        all.sort_unstable();
        taken.sort_unstable();
        assert_eq!(taken, all, "every entry comes out once");
        assert!(heap.pop().is_none());
    }

    #[test]
    fn f32_keys_come_out_in_order_of_time() {
        let mut heap = RadixHeap::<u32>::new();
        let times = [3.5f32, 0.25, 1e6, 0.0, 7.0, 3.5, 1e-3];
        for (i, t) in times.iter().enumerate() {
            heap.push(t.to_bits(), i as u32);
        }
        let mut out = Vec::new();
        while let Some((key, _)) = heap.pop() {
            out.push(f32::from_bits(key));
        }
        let mut want = times.to_vec();
        want.sort_by(f32::total_cmp);
        assert_eq!(out, want);
    }
}
