//! Encoded tiles kept in memory, least recently used first out, under a byte cap.
//!
//! A cache belongs to one data snapshot: a reload brings a new, empty one, so a tile is
//! never served from data that is no longer loaded.

use super::TileId;
use bytes::Bytes;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// The default cap: a national zoom-0-to-14 working set fits with room to spare.
pub const DEFAULT_CAP_BYTES: usize = 128 * 1024 * 1024;
/// What an entry costs beyond its bytes (key, bookkeeping), so empty tiles count too.
const ENTRY_OVERHEAD: usize = 96;

type Key = (&'static str, TileId);

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Key, (Bytes, u64)>,
    /// Last use → key: the first is the least recently used.
    order: BTreeMap<u64, Key>,
    bytes: usize,
    tick: u64,
    hits: u64,
    misses: u64,
    evicted: u64,
}

#[derive(Debug)]
pub struct TileCache {
    cap: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    pub tiles: usize,
    pub bytes: usize,
    pub cap_bytes: usize,
    pub hits: u64,
    pub misses: u64,
    pub evicted: u64,
}

impl TileCache {
    pub fn new(cap: usize) -> Self {
        TileCache {
            cap,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn get(&self, collection: &'static str, id: TileId) -> Option<Bytes> {
        // A poisoned lock only means another request panicked mid-update; the map is
        // still whole (every update is a few map operations), so go on with it.
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let inner = &mut *g;
        inner.tick += 1;
        let tick = inner.tick;
        match inner.entries.get_mut(&(collection, id)) {
            Some((bytes, last)) => {
                inner.order.remove(last);
                *last = tick;
                inner.order.insert(tick, (collection, id));
                inner.hits += 1;
                Some(bytes.clone())
            }
            None => {
                inner.misses += 1;
                None
            }
        }
    }

    /// Whether a tile is kept, without counting a hit or a miss or changing its age.
    pub fn contains(&self, collection: &'static str, id: TileId) -> bool {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.entries.contains_key(&(collection, id))
    }

    pub fn insert(&self, collection: &'static str, id: TileId, bytes: Bytes) {
        let cost = bytes.len() + ENTRY_OVERHEAD;
        if cost > self.cap {
            return;
        }
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let inner = &mut *g;
        inner.tick += 1;
        let tick = inner.tick;
        if let Some((old, last)) = inner.entries.insert((collection, id), (bytes, tick)) {
            inner.order.remove(&last);
            inner.bytes -= old.len() + ENTRY_OVERHEAD;
        }
        inner.order.insert(tick, (collection, id));
        inner.bytes += cost;
        while inner.bytes > self.cap {
            let Some((_, key)) = inner.order.pop_first() else {
                break;
            };
            if let Some((old, _)) = inner.entries.remove(&key) {
                inner.bytes -= old.len() + ENTRY_OVERHEAD;
                inner.evicted += 1;
            }
        }
    }

    pub fn stats(&self) -> CacheStats {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        CacheStats {
            tiles: g.entries.len(),
            bytes: g.bytes,
            cap_bytes: self.cap,
            hits: g.hits,
            misses: g.misses,
            evicted: g.evicted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(x: u32) -> TileId {
        TileId::new(10, x, 0).unwrap()
    }

    #[test]
    fn the_least_recently_used_goes_first_when_the_cap_is_reached() {
        let cache = TileCache::new(3 * (100 + ENTRY_OVERHEAD));
        for x in 0..3 {
            cache.insert("wijken", t(x), Bytes::from(vec![0u8; 100]));
        }
        assert!(cache.get("wijken", t(0)).is_some(), "0 is used again");
        cache.insert("wijken", t(3), Bytes::from(vec![0u8; 100]));
        assert!(
            cache.get("wijken", t(1)).is_none(),
            "1 was the least recently used"
        );
        assert!(
            cache.get("wijken", t(0)).is_some()
                && cache.get("wijken", t(2)).is_some()
                && cache.get("wijken", t(3)).is_some()
        );
        let s = cache.stats();
        assert_eq!((s.tiles, s.evicted), (3, 1));
        assert!(s.bytes <= s.cap_bytes);
    }

    #[test]
    fn collections_do_not_share_entries_and_oversized_tiles_are_not_kept() {
        let cache = TileCache::new(1000);
        cache.insert("wijken", t(1), Bytes::from_static(b"w"));
        assert!(cache.get("gemeenten", t(1)).is_none());
        cache.insert("wijken", t(2), Bytes::from(vec![0u8; 2000]));
        assert!(cache.get("wijken", t(2)).is_none());
        assert_eq!(cache.get("wijken", t(1)).as_deref(), Some(&b"w"[..]));
    }

    #[test]
    fn replacing_an_entry_keeps_the_byte_count_right() {
        let cache = TileCache::new(10_000);
        cache.insert("wijken", t(1), Bytes::from(vec![0u8; 500]));
        cache.insert("wijken", t(1), Bytes::from(vec![0u8; 200]));
        assert_eq!(cache.stats().bytes, 200 + ENTRY_OVERHEAD);
    }
}
