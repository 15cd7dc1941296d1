//! Where each item's entries begin in a shared array (a node's edges, an edge's
//! points), compact: the starts ascend, so one u32 per block of items and a narrow
//! offset from it per item hold them, at a quarter or half the bytes of a u32 each.

/// A narrow offset: u8 or u16.
pub(super) trait Offset: Copy {
    fn narrow(v: u32) -> Option<Self>;
    fn wide(self) -> u32;
}

impl Offset for u8 {
    fn narrow(v: u32) -> Option<u8> {
        u8::try_from(v).ok()
    }
    fn wide(self) -> u32 {
        u32::from(self)
    }
}

impl Offset for u16 {
    fn narrow(v: u32) -> Option<u16> {
        u16::try_from(v).ok()
    }
    fn wide(self) -> u32 {
        u32::from(self)
    }
}

/// Ascending starts, `BLOCK` items to a block.
#[derive(Debug, Clone)]
pub(super) enum Starts<O, const BLOCK: usize> {
    /// One u32 per block and an offset from it per item.
    Blocks { bases: Vec<u32>, offsets: Vec<O> },
    /// A block spans more entries than an offset holds (a node with hundreds of edges,
    /// edges of a thousand points): every start whole.
    Whole(Vec<u32>),
}

impl<O: Offset, const BLOCK: usize> Starts<O, BLOCK> {
    /// `starts` must ascend.
    pub(super) fn new(starts: Vec<u32>) -> Self {
        let mut bases = Vec::with_capacity(starts.len().div_ceil(BLOCK));
        let mut offsets = Vec::with_capacity(starts.len());
        for block in starts.chunks(BLOCK) {
            for &s in block {
                match O::narrow(s - block[0]) {
                    Some(o) => offsets.push(o),
                    None => return Starts::Whole(starts),
                }
            }
            bases.push(block[0]);
        }
        Starts::Blocks { bases, offsets }
    }

    pub(super) fn get(&self, i: usize) -> usize {
        match self {
            Starts::Blocks { bases, offsets } => (bases[i / BLOCK] + offsets[i].wide()) as usize,
            Starts::Whole(s) => s[i] as usize,
        }
    }

    pub(super) fn bytes(&self) -> usize {
        match self {
            Starts::Blocks { bases, offsets } => {
                bases.len() * 4 + offsets.len() * std::mem::size_of::<O>()
            }
            Starts::Whole(s) => s.len() * 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_blocks_when_offsets_fit_and_whole_when_not() {
        let starts: Vec<u32> = (0..200u32).map(|i| i * 3).collect();
        let s = Starts::<u16, 64>::new(starts.clone());
        assert!(matches!(s, Starts::Blocks { .. }));
        assert!((0..200).all(|i| s.get(i) == starts[i] as usize));
        // 31 × 3 = 93 fits a u8 within a block of 32; 63 × 5 = 315 does not in 64.
        let s = Starts::<u8, 32>::new(starts.clone());
        assert!(matches!(s, Starts::Blocks { .. }));
        assert!((0..200).all(|i| s.get(i) == starts[i] as usize));
        let five: Vec<u32> = (0..200u32).map(|i| i * 5).collect();
        let s = Starts::<u8, 64>::new(five.clone());
        assert!(matches!(s, Starts::Whole(_)));
        assert!((0..200).all(|i| s.get(i) == five[i] as usize));
        let wide: Vec<u32> = (0..200u32).map(|i| i * 70_000).collect();
        let s = Starts::<u16, 64>::new(wide.clone());
        assert!(matches!(s, Starts::Whole(_)));
        assert!((0..200).all(|i| s.get(i) == wide[i] as usize));
    }
}
