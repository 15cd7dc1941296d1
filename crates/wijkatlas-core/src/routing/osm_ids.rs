//! The OSM ids of a graph's nodes, which are numbered in id order: kept as one i64 per
//! 64 nodes and a u32 offset from it per node, about 4.1 bytes a node instead of 8.

/// Nodes per block: one full id each.
const BLOCK: usize = 64;

/// Sorted OSM node ids, compact.
#[derive(Debug, Clone)]
pub(super) enum OsmIds {
    /// One i64 per block and a u32 offset from it per id.
    Blocks { bases: Vec<i64>, offsets: Vec<u32> },
    /// Ids too far apart within a block for a u32 offset (which a real extract never
    /// has, but a hand-made one may): kept whole.
    Whole(Vec<i64>),
}

impl OsmIds {
    /// `ids` must be sorted ascending.
    pub(super) fn new(ids: Vec<i64>) -> OsmIds {
        let mut bases = Vec::with_capacity(ids.len().div_ceil(BLOCK));
        let mut offsets = Vec::with_capacity(ids.len());
        for block in ids.chunks(BLOCK) {
            let base = block[0];
            for &id in block {
                match u32::try_from(id.wrapping_sub(base)) {
                    Ok(offset) if id >= base => offsets.push(offset),
                    _ => return OsmIds::Whole(ids),
                }
            }
            bases.push(base);
        }
        OsmIds::Blocks { bases, offsets }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        match self {
            OsmIds::Blocks { offsets, .. } => offsets.len(),
            OsmIds::Whole(ids) => ids.len(),
        }
    }

    pub(super) fn get(&self, i: usize) -> i64 {
        match self {
            OsmIds::Blocks { bases, offsets } => bases[i / BLOCK] + i64::from(offsets[i]),
            OsmIds::Whole(ids) => ids[i],
        }
    }

    /// Where `id` is, if present.
    pub(super) fn find(&self, id: i64) -> Option<usize> {
        match self {
            OsmIds::Blocks { bases, offsets } => {
                // The last block starting at or before `id`.
                let block = bases.partition_point(|&b| b <= id).checked_sub(1)?;
                let offset = u32::try_from(id - bases[block]).ok()?;
                let start = block * BLOCK;
                let end = (start + BLOCK).min(offsets.len());
                offsets[start..end]
                    .binary_search(&offset)
                    .ok()
                    .map(|k| start + k)
            }
            OsmIds::Whole(ids) => ids.binary_search(&id).ok(),
        }
    }

    pub(super) fn bytes(&self) -> usize {
        match self {
            OsmIds::Blocks { bases, offsets } => bases.len() * 8 + offsets.len() * 4,
            OsmIds::Whole(ids) => ids.len() * 8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OsmIds;

    #[test]
    fn finds_every_id_and_nothing_else() {
        let mut ids: Vec<i64> = (0..1000i64).map(|i| i * i * 7 + 13).collect();
        ids.push(12_000_000_000);
        // The last block spans more than u32 allows: kept whole, still found.
        for compact in [OsmIds::new(ids[..1000].to_vec()), OsmIds::new(ids.clone())] {
            let n = compact.len();
            for (i, &id) in ids[..n].iter().enumerate() {
                assert_eq!(compact.get(i), id);
                assert_eq!(compact.find(id), Some(i), "id {id}");
                assert_eq!(compact.find(id + 1), None, "id {}", id + 1);
            }
            assert_eq!(compact.find(0), None);
            assert_eq!(compact.find(i64::MAX), None);
        }
        assert!(matches!(
            OsmIds::new(ids[..1000].to_vec()),
            OsmIds::Blocks { .. }
        ));
        assert!(matches!(OsmIds::new(ids), OsmIds::Whole(_)));
        assert_eq!(OsmIds::new(Vec::new()).find(5), None);
    }
}
