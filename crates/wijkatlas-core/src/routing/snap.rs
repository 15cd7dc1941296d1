//! Snapping a point (a resident's address, a demand point, a facility) to the nearest
//! edge of a mode's graph: which edge, how far along it, and how far off it.
//!
//! A point farther than the limit from every edge is not snapped: in a delta country
//! the nearest road may be across a river, and silently starting there would hide the
//! water. The caller reports it instead.

use super::graph::{Graph, EARTH_RADIUS_M};
use crate::crs::LonLat;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

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

/// Edge boxes in degrees (f32: 16 bytes a box, ~5 cm at Dutch latitudes, widened by a
/// margin), for finding the edges near a point.
pub struct Snapper {
    tree: RTree<GeomWithData<Rectangle<[f32; 2]>, u32>>,
    /// Per edge: whether it belongs to a large connected part of the network. Points
    /// snap to those when one is within reach: a scrap of footway inside a building or
    /// cut off at the extract's edge leads nowhere (OSRM does the same with its "tiny
    /// components").
    large: Vec<bool>,
}

/// A connected part with at least this many nodes (or the largest part, if smaller) is
/// large.
const LARGE_COMPONENT_NODES: usize = 500;

/// Per edge, whether its connected part (directions ignored) is large.
fn large_components(graph: &Graph) -> Vec<bool> {
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
    let mut size = vec![0usize; n];
    for v in 0..n as u32 {
        let r = root(&mut parent, v);
        size[r as usize] += 1;
    }
    let threshold = LARGE_COMPONENT_NODES.min(size.iter().copied().max().unwrap_or(0));
    graph
        .edges()
        .iter()
        .map(|e| size[root(&mut parent, e.from) as usize] >= threshold)
        .collect()
}

/// Widening of every box so f32 rounding never loses an edge (degrees, ~1 m).
const BOX_MARGIN_DEG: f32 = 1e-5;

fn degrees(p: [i32; 2]) -> [f64; 2] {
    [f64::from(p[0]) * 1e-7, f64::from(p[1]) * 1e-7]
}

impl Snapper {
    pub fn new(graph: &Graph) -> Snapper {
        let boxes = graph
            .edges()
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let (mut lo, mut hi) = ([f32::MAX; 2], [f32::MIN; 2]);
                for p in graph.shape(e) {
                    let d = degrees(*p);
                    for k in 0..2 {
                        lo[k] = lo[k].min(d[k] as f32);
                        hi[k] = hi[k].max(d[k] as f32);
                    }
                }
                let lo = [lo[0] - BOX_MARGIN_DEG, lo[1] - BOX_MARGIN_DEG];
                let hi = [hi[0] + BOX_MARGIN_DEG, hi[1] + BOX_MARGIN_DEG];
                GeomWithData::new(Rectangle::from_corners(lo, hi), i as u32)
            })
            .collect();
        Snapper {
            tree: RTree::bulk_load(boxes),
            large: large_components(graph),
        }
    }

    pub fn bytes(&self) -> usize {
        // The leaves; the inner nodes add a few percent.
        self.tree.size() * std::mem::size_of::<GeomWithData<Rectangle<[f32; 2]>, u32>>()
            + self.large.len()
    }

    /// The nearest edge within `limit_m` of `at` in a large part of the network, else
    /// the nearest in a small part.
    pub fn snap(&self, graph: &Graph, at: LonLat, limit_m: f64) -> Result<Snap, TooFar> {
        let metres_per_deg = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        let cos = at.lat.to_radians().cos().max(0.01);
        let (dlon, dlat) = (limit_m / (metres_per_deg * cos), limit_m / metres_per_deg);
        let window = AABB::from_corners(
            [(at.lon - dlon) as f32, (at.lat - dlat) as f32],
            [(at.lon + dlon) as f32, (at.lat + dlat) as f32],
        );
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
        for candidate in self.tree.locate_in_envelope_intersecting(&window) {
            let edge = candidate.data;
            let e = &graph.edges()[edge as usize];
            let points: Vec<[f64; 2]> = graph.shape(e).iter().map(|p| local(*p)).collect();
            let Some((off, along, total)) = nearest_on_line(&points) else {
                continue;
            };
            let slot = &mut best[usize::from(!self.large[edge as usize])];
            if off > limit_m || slot.is_some_and(|b| b.off_m <= off) {
                continue;
            }
            *slot = Some(Snap {
                edge,
                fraction: if total > 0.0 { along / total } else { 0.0 },
                off_m: off,
            });
        }
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
    use super::nearest_on_line;

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
