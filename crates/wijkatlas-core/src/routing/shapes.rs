//! The inner points of a graph's edges, compact: each point as its step from the one
//! before in two i16 (4 bytes instead of 8), and where each edge's points begin as one
//! u32 per 64 edges and a u16 per edge (2 bytes instead of 4, [`super::starts`]). Lossless: every point
//! comes back exactly as it went in.
//!
//! Points along a road lie metres apart; a step of ±32,767 × 1e-7° (about 360 m of
//! latitude, 225 m of longitude in the Netherlands) covers nearly all of them. A longer
//! step is written as [`ESCAPE`] and the point itself in the next two entries.

/// Marks an entry after which the point follows whole, as two entries holding its
/// longitude and latitude bits.
const ESCAPE: [i16; 2] = [i16::MIN, i16::MIN];

/// Where each edge's entries begin: 64 edges to a block, a u16 offset per edge.
type Starts = super::starts::Starts<u16, 64>;

/// The inner points of every edge, in edge order.
#[derive(Debug, Clone)]
pub(super) struct Shapes {
    starts: Starts,
    entries: Vec<[i16; 2]>,
}

/// Builds [`Shapes`] one edge after the other.
pub(super) struct ShapesBuilder {
    starts: Vec<u32>,
    entries: Vec<[i16; 2]>,
}

impl ShapesBuilder {
    pub(super) fn with_capacity(edges: usize, points: usize) -> ShapesBuilder {
        let mut starts = Vec::with_capacity(edges + 1);
        starts.push(0);
        ShapesBuilder {
            starts,
            entries: Vec::with_capacity(points),
        }
    }

    /// The next edge: its first node's position, then its inner points.
    pub(super) fn push(&mut self, from: [i32; 2], inner: impl Iterator<Item = [i32; 2]>) {
        let mut at = from;
        for p in inner {
            let step = |k: usize| i16::try_from(i64::from(p[k]) - i64::from(at[k])).ok();
            match (step(0), step(1)) {
                (Some(dx), Some(dy)) if [dx, dy] != ESCAPE => self.entries.push([dx, dy]),
                _ => {
                    self.entries.push(ESCAPE);
                    for v in p {
                        let bits = v as u32;
                        self.entries
                            .push([(bits >> 16) as u16 as i16, bits as u16 as i16]);
                    }
                }
            }
            at = p;
        }
        self.starts.push(self.entries.len() as u32);
    }

    pub(super) fn finish(mut self) -> Shapes {
        self.entries.shrink_to_fit();
        Shapes {
            starts: Starts::new(self.starts),
            entries: self.entries,
        }
    }
}

impl Shapes {
    /// The inner points of edge `edge`, whose first node stands at `from`.
    pub(super) fn inner(
        &self,
        edge: u32,
        from: [i32; 2],
    ) -> impl Iterator<Item = [i32; 2]> + Clone + '_ {
        let i = edge as usize;
        let entries = &self.entries[self.starts.get(i)..self.starts.get(i + 1)];
        Points { entries, at: from }
    }

    pub(super) fn bytes(&self) -> usize {
        self.starts.bytes() + self.entries.len() * 4
    }
}

/// Decodes an edge's entries into points.
#[derive(Clone)]
struct Points<'a> {
    entries: &'a [[i16; 2]],
    at: [i32; 2],
}

impl Iterator for Points<'_> {
    type Item = [i32; 2];

    fn next(&mut self) -> Option<[i32; 2]> {
        let (&first, rest) = self.entries.split_first()?;
        if first == ESCAPE {
            let whole = |e: [i16; 2]| ((e[0] as u16 as u32) << 16 | e[1] as u16 as u32) as i32;
            let (x, y) = (whole(*rest.first()?), whole(*rest.get(1)?));
            self.entries = &rest[2..];
            self.at = [x, y];
        } else {
            self.entries = rest;
            self.at = [
                self.at[0] + i32::from(first[0]),
                self.at[1] + i32::from(first[1]),
            ];
        }
        Some(self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_come_back_exactly_short_steps_long_jumps_and_the_escape_itself() {
        let edges: Vec<([i32; 2], Vec<[i32; 2]>)> = vec![
            ([0, 0], vec![]),
            (
                [43_000_000, 520_000_000],
                vec![[43_000_100, 520_000_050], [43_010_000, 520_000_050]],
            ),
            // A step of exactly the escape's value, and the extremes.
            (
                [0, 0],
                vec![[-32_768, -32_768], [i32::MAX, i32::MIN], [i32::MIN, -1]],
            ),
            ([5, 5], vec![[5, 5], [32_772, -32_763]]),
        ];
        let mut b = ShapesBuilder::with_capacity(edges.len(), 8);
        for (from, inner) in &edges {
            b.push(*from, inner.iter().copied());
        }
        let shapes = b.finish();
        for (i, (from, inner)) in edges.iter().enumerate() {
            let got: Vec<[i32; 2]> = shapes.inner(i as u32, *from).collect();
            assert_eq!(&got, inner, "edge {i}");
        }
    }
}
