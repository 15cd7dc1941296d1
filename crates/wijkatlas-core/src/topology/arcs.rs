//! The shared-boundary structure of a polygon coverage: rings cut into arcs at nodes.
//!
//! Neighbouring CBS areas are drawn with the same vertices along their common edge, so
//! a vertex is identified by its exact coordinates. A vertex is a *node* when it has
//! other than two distinct neighbours over all rings: where three areas meet, or where
//! a shared edge ends and an outer edge begins. Between nodes every arc is walked by
//! exactly the same rings, so simplifying each arc once keeps neighbours in step.

use geo::Coord;
use std::collections::{HashMap, HashSet};

/// A vertex by its coordinates to the millimetre (in RD metres, which the coverage is
/// in): vertices that a polygon operation or a reprojection moved by a few micrometres
/// are still the same place, and so still shared.
pub type VertexKey = (i64, i64);

/// Keys per unit of the coordinates.
const KEY_STEPS_PER_UNIT: f64 = 1000.0;

pub fn key(c: Coord<f64>) -> VertexKey {
    // Coordinates are finite (checked at load); `as` saturates any that are not.
    (
        (c.x * KEY_STEPS_PER_UNIT).round() as i64,
        (c.y * KEY_STEPS_PER_UNIT).round() as i64,
    )
}

/// Which vertices are nodes, over every ring of the coverage.
pub struct Nodes {
    nodes: HashSet<VertexKey>,
}

impl Nodes {
    pub fn find<'a>(rings: impl Iterator<Item = &'a [Coord<f64>]>) -> Nodes {
        let mut neighbours: HashMap<VertexKey, Vec<VertexKey>> = HashMap::new();
        for ring in rings {
            // Closed rings repeat the first position at the end.
            let n = ring.len().saturating_sub(1);
            for i in 0..n {
                let here = key(ring[i]);
                let next = key(ring[(i + 1) % n]);
                let prev = key(ring[(i + n - 1) % n]);
                let list = neighbours.entry(here).or_default();
                for other in [next, prev] {
                    if other != here && !list.contains(&other) {
                        list.push(other);
                    }
                }
            }
        }
        let nodes = neighbours
            .into_iter()
            .filter(|(_, list)| list.len() != 2)
            .map(|(k, _)| k)
            .collect();
        Nodes { nodes }
    }

    pub fn contains(&self, k: &VertexKey) -> bool {
        self.nodes.contains(k)
    }
}

/// One ring cut into arcs, each running from a node to the next (the last arc ends
/// where the first began). A ring without any node is one closed arc starting at its
/// smallest vertex, so two rings that trace the same loop start at the same place.
pub fn cut(ring: &[Coord<f64>], nodes: &Nodes) -> Vec<Vec<Coord<f64>>> {
    let n = ring.len().saturating_sub(1);
    if n < 3 {
        return vec![ring.to_vec()];
    }
    let start = (0..n)
        .find(|&i| nodes.contains(&key(ring[i])))
        .unwrap_or_else(|| (0..n).min_by_key(|&i| key(ring[i])).unwrap_or(0));
    let mut arcs = Vec::new();
    let mut current = vec![ring[start]];
    for step in 1..=n {
        let c = ring[(start + step) % n];
        current.push(c);
        if step == n || nodes.contains(&key(c)) {
            arcs.push(std::mem::replace(&mut current, vec![c]));
        }
    }
    arcs
}

/// The arc's vertices in the direction both its rings agree on, and whether that is
/// the reverse of `arc`.
pub fn canonical(arc: &[Coord<f64>]) -> (Vec<VertexKey>, bool) {
    let forward: Vec<VertexKey> = arc.iter().map(|c| key(*c)).collect();
    let mut backward = forward.clone();
    backward.reverse();
    if backward < forward {
        (backward, true)
    } else {
        (forward, false)
    }
}
