//! The OSM ids of a graph's nodes, which are numbered in id order: kept as one i64 per
//! 64 nodes and an offset from it per node, as narrow as the block allows (1, 2, 4 or
//! 8 bytes): the junctions of a country's network lie a few hundred ids apart, so
//! about 2 bytes a node instead of 8.

/// Nodes per block: one full id each.
const BLOCK: usize = 64;

/// A block of ids: its first, and its offsets from it in `OsmIds::bytes`.
#[derive(Debug, Clone, Copy)]
struct Block {
    base: i64,
    /// Where the block's offsets begin in `bytes`.
    start: u32,
    /// Bytes an offset: 1, 2, 4 or 8 (little-endian).
    width: u8,
}

/// Sorted OSM node ids, compact.
#[derive(Debug, Clone)]
pub(super) struct OsmIds {
    blocks: Vec<Block>,
    bytes: Vec<u8>,
    len: usize,
}

impl OsmIds {
    /// `ids` must be sorted ascending.
    pub(super) fn new(ids: Vec<i64>) -> OsmIds {
        let mut blocks = Vec::with_capacity(ids.len().div_ceil(BLOCK));
        let mut bytes = Vec::new();
        for block in ids.chunks(BLOCK) {
            let base = block[0];
            let span = block.iter().map(|&id| id.wrapping_sub(base) as u64).max();
            let width: u8 = match span.unwrap_or(0) {
                0..=0xff => 1,
                0x100..=0xffff => 2,
                0x1_0000..=0xffff_ffff => 4,
                _ => 8,
            };
            blocks.push(Block {
                base,
                start: bytes.len() as u32,
                width,
            });
            for &id in block {
                let offset = (id.wrapping_sub(base) as u64).to_le_bytes();
                bytes.extend_from_slice(&offset[..usize::from(width)]);
            }
        }
        bytes.shrink_to_fit();
        OsmIds {
            blocks,
            bytes,
            len: ids.len(),
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }

    pub(super) fn get(&self, i: usize) -> i64 {
        let b = &self.blocks[i / BLOCK];
        let width = usize::from(b.width);
        let at = b.start as usize + (i % BLOCK) * width;
        let mut offset = [0u8; 8];
        offset[..width].copy_from_slice(&self.bytes[at..at + width]);
        b.base.wrapping_add(u64::from_le_bytes(offset) as i64)
    }

    /// Where `id` is, if present.
    pub(super) fn find(&self, id: i64) -> Option<usize> {
        // The last block starting at or before `id`.
        let block = self
            .blocks
            .partition_point(|b| b.base <= id)
            .checked_sub(1)?;
        let start = block * BLOCK;
        let end = (start + BLOCK).min(self.len);
        let (mut lo, mut hi) = (start, end);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.get(mid).cmp(&id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    pub(super) fn bytes(&self) -> usize {
        self.blocks.len() * std::mem::size_of::<Block>() + self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::{Block, OsmIds};

    #[test]
    fn finds_every_id_and_nothing_else() {
        let mut ids: Vec<i64> = (0..1000i64).map(|i| i * i * 7 + 13).collect();
        ids.push(12_000_000_000);
        // The last block spans more than u32 allows: 8-byte offsets, still found.
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
        // Widths by span: ids 7·i² + 13 are 7·(2i+1) apart, so the first block (span
        // 7·63² < 2^16) takes 2 bytes an id, the last one before 12e9 4, and that
        // one 8.
        let widths = |c: &OsmIds| c.blocks.iter().map(|b| b.width).collect::<Vec<_>>();
        assert_eq!(widths(&OsmIds::new(ids[..1000].to_vec()))[0], 2);
        assert_eq!(widths(&OsmIds::new(ids.clone())).last(), Some(&8));
        let dense = OsmIds::new((100..740).map(|i| i * 3).collect());
        assert!(dense.blocks.iter().all(|b| b.width == 1));
        assert_eq!(dense.bytes(), 640 + 10 * std::mem::size_of::<Block>());
        assert_eq!(dense.find(300), Some(0));
        assert_eq!(dense.find(301), None);
        assert_eq!(OsmIds::new(Vec::new()).find(5), None);
    }
}
