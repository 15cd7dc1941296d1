//! Snapping a point (a resident's address, a demand point, a facility) to the nearest
//! edge of a mode's graph: which edge, how far along it, and how far off it.
//!
//! A point farther than the limit from every edge is not snapped: in a delta country
//! the nearest road may be across a river, and silently starting there would hide the
//! water. The caller reports it instead.

use super::graph::{Graph, EARTH_RADIUS_M};
use crate::crs::LonLat;

/// Points farther than this from every edge of a mode are not snapped (metres).
pub const DEFAULT_SNAP_LIMIT_M: f64 = 500.0;

/// Where a point meets the graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// Index into [`Graph::edges`].
    pub edge: u32,
    /// How far along the edge, from its `from` node, as a share of its length (0–1).
    pub fraction: f64,
    /// The straight distance from the point to the edge, metres.
    pub off_m: f64,
}

/// The point is farther than the limit from every edge of the mode.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("no road or path of this mode within {limit_m:.0} m")]
pub struct TooFar {
    pub limit_m: f64,
}

/// The edges near a point, found through a grid of cells instead of a tree: each edge
/// belongs to one cell, the cell of its box's south-west corner at the finest level whose
/// cells are larger than the box, and the graph stores its edges sorted by that cell
/// ([`cell_key`]), so the index is only the list of occupied cells and where their edges
/// begin: about 12 bytes a cell instead of 40 or more an edge in an R-tree.
pub struct Snapper {
    /// Occupied cells in key order, with the first edge (in index order) of each.
    cells: Vec<(u64, u32)>,
    /// `None` when the graph's edges are in key order (every graph `Graph::build`
    /// makes); else the edge indices in key order.
    order: Option<Vec<u32>>,
    /// Per edge: whether it belongs to a large connected part of the network. Points
    /// snap to those when one is within reach: a scrap of footway inside a building or
    /// cut off at the extract's edge leads nowhere (OSRM does the same with its "tiny
    /// components"). One bit an edge.
    large: Vec<u64>,
    edges: usize,
}

/// A connected part with at least this many nodes (or the largest part, if smaller) is
/// large.
const LARGE_COMPONENT_NODES: usize = 500;

/// The finest cells are 2^15 × 1e-7° (≈ 0.0033°: 225 m of longitude, 365 m of latitude
/// in the Netherlands); each level up is four times wider.
const CELL_BITS: u32 = 15;
const LEVELS: u64 = 8;
/// Bits of a key for each of the cell's coordinates (at most 2^32 >> 15).
const AXIS_BITS: u32 = 24;

/// The cell of an edge whose box is `lo`–`hi` (1e-7 degrees): (level, row, column)
/// packed so keys sort level by level, row by row.
pub fn cell_key(lo: [i32; 2], hi: [i32; 2]) -> u64 {
    let extent = (i64::from(hi[0]) - i64::from(lo[0])).max(i64::from(hi[1]) - i64::from(lo[1]));
    let level = (0..LEVELS)
        .find(|l| extent < 1i64 << (CELL_BITS + 2 * *l as u32))
        .unwrap_or(LEVELS - 1);
    let (cx, cy) = (cell_of(lo[0], level), cell_of(lo[1], level));
    level << (2 * AXIS_BITS) | cy << AXIS_BITS | cx
}

/// The column (or row) at `level` of a coordinate in 1e-7 degrees.
fn cell_of(v: i32, level: u64) -> u64 {
    ((i64::from(v) - i64::from(i32::MIN)) >> (CELL_BITS + 2 * level as u32)) as u64
}

/// Per edge, whether its connected part (directions ignored) is large: bit `e % 64` of
/// word `e / 64`.
fn large_components(graph: &Graph) -> Vec<u64> {
    let n = graph.node_count();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for e in graph.edges() {
        let (a, b) = (root(&mut parent, e.from), root(&mut parent, e.to));
        if a != b {
            parent[a as usize] = b;
        }
    }
    let mut size = vec![0u32; n];
    for v in 0..n as u32 {
        let r = root(&mut parent, v);
        size[r as usize] += 1;
    }
    let threshold = LARGE_COMPONENT_NODES.min(size.iter().copied().max().unwrap_or(0) as usize);
    let mut bits = vec![0u64; graph.edge_count().div_ceil(64)];
    for (i, e) in graph.edges().enumerate() {
        if size[root(&mut parent, e.from) as usize] as usize >= threshold {
            bits[i / 64] |= 1 << (i % 64);
        }
    }
    bits
}

fn degrees(p: [i32; 2]) -> [f64; 2] {
    [f64::from(p[0]) * 1e-7, f64::from(p[1]) * 1e-7]
}

/// The box of an edge's points, 1e-7 degrees.
fn edge_box(graph: &Graph, edge: u32) -> ([i32; 2], [i32; 2]) {
    let (mut lo, mut hi) = ([i32::MAX; 2], [i32::MIN; 2]);
    for p in graph.shape(edge) {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    (lo, hi)
}

impl Snapper {
    pub fn new(graph: &Graph) -> Snapper {
        let count = graph.edge_count() as u32;
        let key = |edge: u32| {
            let (lo, hi) = edge_box(graph, edge);
            cell_key(lo, hi)
        };
        let mut keys: Vec<u64> = (0..count).map(key).collect();
        let order = if keys.windows(2).all(|w| w[0] <= w[1]) {
            None
        } else {
            let mut order: Vec<u32> = (0..count).collect();
            order.sort_by_key(|&e| (keys[e as usize], e));
            keys = order.iter().map(|&e| keys[e as usize]).collect();
            Some(order)
        };
        let mut cells = Vec::new();
        for (i, &k) in keys.iter().enumerate() {
            if cells.last().is_none_or(|&(last, _)| last != k) {
                cells.push((k, i as u32));
            }
        }
        cells.shrink_to_fit();
        Snapper {
            cells,
            order,
            large: large_components(graph),
            edges: count as usize,
        }
    }

    pub fn bytes(&self) -> usize {
        self.cells.len() * std::mem::size_of::<(u64, u32)>()
            + self.order.as_ref().map_or(0, |o| o.len() * 4)
            + self.large.len() * 8
    }

    fn is_large(&self, edge: u32) -> bool {
        self.large[edge as usize / 64] >> (edge % 64) & 1 == 1
    }

    /// The edges whose cell may hold an edge meeting the box `lo`–`hi` (1e-7 degrees):
    /// a superset of the edges whose own box meets it.
    fn near(&self, lo: [i64; 2], hi: [i64; 2], visit: &mut dyn FnMut(u32)) {
        let total = self.edges as u32;
        for level in 0..LEVELS {
            let shift = CELL_BITS + 2 * level as u32;
            let cell = |v: i64| {
                ((v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) - i64::from(i32::MIN)) >> shift)
                    as u64
            };
            // An edge's box starts in its cell and is narrower than a cell, so it can
            // meet the window only from the cell before it on each axis; the top level
            // holds whatever is wider still, so all of it is searched.
            let top = level == LEVELS - 1;
            let (x0, x1, y0, y1) = if top {
                (0, (1 << AXIS_BITS) - 1, 0, (1 << AXIS_BITS) - 1)
            } else {
                (
                    cell(lo[0]).saturating_sub(1),
                    cell(hi[0]),
                    cell(lo[1]).saturating_sub(1),
                    cell(hi[1]),
                )
            };
            let key = |cy: u64, cx: u64| level << (2 * AXIS_BITS) | cy << AXIS_BITS | cx;
            let rows: Box<dyn Iterator<Item = (u64, u64)>> = if top {
                Box::new(std::iter::once((key(y0, x0), key(y1, x1))))
            } else {
                Box::new((y0..=y1).map(|cy| (key(cy, x0), key(cy, x1))))
            };
            for (from, to) in rows {
                let a = self.cells.partition_point(|c| c.0 < from);
                let b = self.cells.partition_point(|c| c.0 <= to);
                if a == b {
                    continue;
                }
                let end = self.cells.get(b).map_or(total, |c| c.1);
                for i in self.cells[a].1..end {
                    visit(self.order.as_ref().map_or(i, |o| o[i as usize]));
                }
            }
        }
    }

    /// The nearest edge within `limit_m` of `at` in a large part of the network, else
    /// the nearest in a small part; of edges equally near, the first.
    pub fn snap(&self, graph: &Graph, at: LonLat, limit_m: f64) -> Result<Snap, TooFar> {
        // First a window an eighth as wide: most points lie near a street, and an edge
        // of a large part found within it is the answer (any edge nearer has a point
        // in the window too), at a sixty-fourth of the edges to look at. Otherwise the
        // whole limit is searched, for a large part farther away.
        let near = limit_m / 8.0;
        if near >= 1.0 {
            if let Ok(found) = self.within(graph, at, near) {
                if self.is_large(found.edge) {
                    return Ok(found);
                }
            }
        }
        self.within(graph, at, limit_m)
            .map_err(|_| TooFar { limit_m })
    }

    /// [`Snapper::snap`] looking at the edges whose cells meet the window of `limit_m`.
    fn within(&self, graph: &Graph, at: LonLat, limit_m: f64) -> Result<Snap, TooFar> {
        let metres_per_deg = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        let cos = at.lat.to_radians().cos().max(0.01);
        let (dlon, dlat) = (limit_m / (metres_per_deg * cos), limit_m / metres_per_deg);
        // The window in 1e-7 degrees, a unit wider each side for rounding.
        let units = |d: f64| (d * 1e7).clamp(-1e12, 1e12) as i64;
        let lo = [units(at.lon - dlon) - 1, units(at.lat - dlat) - 1];
        let hi = [units(at.lon + dlon) + 1, units(at.lat + dlat) + 1];
        self.nearest(graph, at, limit_m, |consider| self.near(lo, hi, consider))
    }

    /// The nearest of the `candidates` edges within `limit_m` of `at`, large parts first.
    fn nearest(
        &self,
        graph: &Graph,
        at: LonLat,
        limit_m: f64,
        candidates: impl FnOnce(&mut dyn FnMut(u32)),
    ) -> Result<Snap, TooFar> {
        let metres_per_deg = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        let cos = at.lat.to_radians().cos().max(0.01);
        // Local metres around the point: exact enough over a few hundred metres.
        let local = |p: [i32; 2]| {
            let d = degrees(p);
            [
                (d[0] - at.lon) * metres_per_deg * cos,
                (d[1] - at.lat) * metres_per_deg,
            ]
        };
        // The best in a large part, and the best in a small one.
        let mut best: [Option<Snap>; 2] = [None, None];
        let mut points: Vec<[f64; 2]> = Vec::new();
        candidates(&mut |edge| {
            points.clear();
            points.extend(graph.shape(edge).map(local));
            let Some((off, along, total)) = nearest_on_line(&points) else {
                return;
            };
            let slot = &mut best[usize::from(!self.is_large(edge))];
            let better = slot.is_none_or(|b| off < b.off_m || (off == b.off_m && edge < b.edge));
            if off > limit_m || !better {
                return;
            }
            *slot = Some(Snap {
                edge,
                fraction: if total > 0.0 { along / total } else { 0.0 },
                off_m: off,
            });
        });
        best[0].or(best[1]).ok_or(TooFar { limit_m })
    }
}

/// The distance from the origin to a line, how far along the line the nearest point is,
/// and the line's length, all in the line's metres.
fn nearest_on_line(points: &[[f64; 2]]) -> Option<(f64, f64, f64)> {
    let mut best: Option<(f64, f64)> = None;
    let mut walked = 0.0;
    for pair in points.windows(2) {
        let ([ax, ay], [bx, by]) = (pair[0], pair[1]);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (px, py) = (ax + t * dx, ay + t * dy);
        let off = (px * px + py * py).sqrt();
        let len = len2.sqrt();
        if best.is_none_or(|b| off < b.0) {
            best = Some((off, walked + t * len));
        }
        walked += len;
    }
    best.map(|(off, along)| (off, along, walked))
}

#[cfg(test)]
mod tests {
    use super::{nearest_on_line, Snapper};
    use crate::crs::LonLat;
    use crate::load::{RawWay, RawWays};
    use crate::routing::graph::Graph;
    use crate::routing::profile::{way_rules, Mode};

    struct Lcg(u64);
    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    /// Ways at random around Delft: many short streets, some of a few kilometres, a
    /// few crossing the country, so every level of the cell index holds edges.
    fn random_ways(rng: &mut Lcg) -> RawWays<crate::routing::profile::WayRules> {
        let rules = way_rules(&[("highway", "residential")]).expect("routable");
        let mut positions = Vec::new();
        let mut refs = Vec::new();
        let mut ways = Vec::new();
        for w in 0..600u64 {
            let reach = match w % 50 {
                0 => 30_000_000,
                1..=5 => 400_000,
                _ => 20_000,
            };
            let start = refs.len();
            let (mut x, mut y) = (
                43_000_000 + rng.below(2_000_000) as i32,
                519_000_000 + rng.below(1_000_000) as i32,
            );
            for _ in 0..2 + rng.below(4) {
                // Every fifth point reuses an earlier one, so ways meet.
                if positions.len() > 10 && rng.below(5) == 0 {
                    refs.push(rng.below(positions.len() as u64) as u32);
                    continue;
                }
                refs.push(positions.len() as u32);
                positions.push([x, y]);
                x += rng.below(reach) as i32 - (reach / 2) as i32;
                y += rng.below(reach) as i32 - (reach / 2) as i32;
            }
            ways.push(RawWay {
                osm_id: w as i64 + 1,
                rules,
                start,
                end: refs.len(),
            });
        }
        let node_ids = (1..=positions.len() as i64).collect();
        RawWays {
            ways,
            refs,
            node_ids,
            positions,
        }
    }

    #[test]
    fn the_cell_index_finds_what_a_scan_of_every_edge_finds() {
        let mut rng = Lcg(2024);
        let raw = random_ways(&mut rng);
        let graph = Graph::build(&raw, Mode::Foot);
        let snapper = Snapper::new(&graph);
        assert!(
            snapper.order.is_none(),
            "a built graph keeps its edges in cell order"
        );
        let levels: std::collections::BTreeSet<u64> =
            snapper.cells.iter().map(|c| c.0 >> 48).collect();
        assert!(levels.len() >= 3, "levels used: {levels:?}");
        let every = graph.edge_count() as u32;
        let (mut found, mut refused) = (0, 0);
        for _ in 0..2000 {
            let at = LonLat::new(
                4.2 + rng.below(250_000) as f64 * 1e-6,
                51.85 + rng.below(150_000) as f64 * 1e-6,
            );
            for limit in [50.0, 500.0, 5_000.0] {
                let indexed = snapper.snap(&graph, at, limit);
                let scanned = snapper.nearest(&graph, at, limit, |f| (0..every).for_each(f));
                assert_eq!(indexed, scanned, "at {at:?} within {limit} m");
                if indexed.is_ok() {
                    found += 1;
                } else {
                    refused += 1;
                }
            }
        }
        assert!(
            found > 1000 && refused > 100,
            "{found} snapped, {refused} refused"
        );
    }

    #[test]
    fn the_nearest_point_of_a_line_and_how_far_along_it_is() {
        // An L from (-10, 5) to (10, 5) to (10, 25): the origin is 5 m from the first leg.
        let (off, along, total) =
            nearest_on_line(&[[-10.0, 5.0], [10.0, 5.0], [10.0, 25.0]]).expect("a line");
        assert!((off - 5.0).abs() < 1e-9);
        assert!((along - 10.0).abs() < 1e-9);
        assert!((total - 40.0).abs() < 1e-9);
        assert!(nearest_on_line(&[[1.0, 1.0]]).is_none());
    }
}
