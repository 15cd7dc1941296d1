//! The routing graph of one mode: junctions as nodes, the stretches of road between
//! them as edges, stored in compressed sparse row arrays (u32 node ids, f32 seconds
//! and metres) so the national foot network fits in memory.
//!
//! Built in three steps from the ways of an extract ([`crate::load::read_ways`]):
//! 1. split every way the mode may use at the nodes where it meets another way (or
//!    ends, or leaves the extract): one edge per stretch, its length by the haversine
//!    formula and its time by the way's speed or ferry duration;
//! 2. contract nodes of degree two (two ways joined end to end, a way split where its
//!    tags change), when both sides allow the same directions, into one edge;
//! 3. lay the edges out as arcs, outgoing per node (`forward`) and, when some edge is
//!    one-way, incoming per node (`reverse`, for searches towards a facility).

use super::profile::{Cost, Mode, Passage, WayRules};
use crate::load::RawWays;

/// Mean earth radius (IUGG), metres; the cross-check uses the same.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The great-circle distance between two points in 1e-7 degrees (lon, lat), metres.
pub fn haversine_m(a: [i32; 2], b: [i32; 2]) -> f64 {
    let rad = |v: i32| f64::from(v) * 1e-7_f64.to_radians();
    let (lon1, lat1, lon2, lat2) = (rad(a[0]), rad(a[1]), rad(b[0]), rad(b[1]));
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// A stretch of road between two graph nodes, with its shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub from: u32,
    pub to: u32,
    pub length_m: f32,
    pub time_s: f32,
    /// `from` → `to` is allowed.
    pub forward: bool,
    /// `to` → `from` is allowed.
    pub backward: bool,
    /// Its points, `from` first: `Graph::shape[shape_start..shape_end]`.
    pub shape_start: u32,
    pub shape_end: u32,
}

/// Arcs per node in compressed sparse row form.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    /// Arcs of node `n` are `first[n]..first[n + 1]`.
    first: Vec<u32>,
    target: Vec<u32>,
    time_s: Vec<f32>,
    length_m: Vec<f32>,
}

impl Csr {
    fn from_arcs(nodes: usize, arcs: &[(u32, u32, f32, f32)]) -> Csr {
        let mut first = vec![0u32; nodes + 1];
        for a in arcs {
            first[a.0 as usize + 1] += 1;
        }
        for i in 0..nodes {
            first[i + 1] += first[i];
        }
        let mut next = first.clone();
        let n = arcs.len();
        let (mut target, mut time_s, mut length_m) = (vec![0; n], vec![0.0; n], vec![0.0; n]);
        for &(from, to, time, length) in arcs {
            let at = next[from as usize] as usize;
            next[from as usize] += 1;
            target[at] = to;
            time_s[at] = time;
            length_m[at] = length;
        }
        Csr {
            first,
            target,
            time_s,
            length_m,
        }
    }

    /// The arcs of `node`: (other node, seconds, metres).
    pub fn arcs(&self, node: u32) -> impl Iterator<Item = (u32, f32, f32)> + '_ {
        let range = self.first[node as usize] as usize..self.first[node as usize + 1] as usize;
        range.map(move |i| (self.target[i], self.time_s[i], self.length_m[i]))
    }

    pub fn arc_count(&self) -> usize {
        self.target.len()
    }

    fn bytes(&self) -> usize {
        self.first.len() * 4 + self.target.len() * 12
    }
}

/// The routing graph of one mode.
#[derive(Debug, Clone)]
pub struct Graph {
    pub mode: Mode,
    osm_ids: Vec<i64>,
    /// (lon, lat) in 1e-7 degrees.
    coords: Vec<[i32; 2]>,
    edges: Vec<Edge>,
    shape: Vec<[i32; 2]>,
    forward: Csr,
    /// Incoming arcs per node; `None` when every edge runs both ways, so incoming and
    /// outgoing are the same.
    reverse: Option<Csr>,
}

/// How big a graph is, for `/status` and the bench.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct GraphSize {
    pub nodes: usize,
    pub edges: usize,
    pub arcs: usize,
    pub bytes: usize,
}

impl Graph {
    pub fn node_count(&self) -> usize {
        self.coords.len()
    }

    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The points of an edge, `from` first.
    pub fn shape(&self, edge: &Edge) -> &[[i32; 2]] {
        &self.shape[edge.shape_start as usize..edge.shape_end as usize]
    }

    pub fn osm_id(&self, node: u32) -> i64 {
        self.osm_ids[node as usize]
    }

    pub fn coord(&self, node: u32) -> [i32; 2] {
        self.coords[node as usize]
    }

    /// The graph node of an OSM node, when that node is a junction the graph kept.
    pub fn node_of_osm(&self, osm_id: i64) -> Option<u32> {
        // Nodes are numbered in OSM id order.
        self.osm_ids.binary_search(&osm_id).ok().map(|i| i as u32)
    }

    /// Outgoing arcs: for searches from a point.
    pub fn outgoing(&self) -> &Csr {
        &self.forward
    }

    /// Incoming arcs: for searches towards a point (the nearest facility of everyone).
    pub fn incoming(&self) -> &Csr {
        self.reverse.as_ref().unwrap_or(&self.forward)
    }

    pub fn size(&self) -> GraphSize {
        let reverse = self.reverse.as_ref().map_or(0, Csr::bytes);
        GraphSize {
            nodes: self.node_count(),
            edges: self.edges.len(),
            arcs: self.forward.arc_count(),
            bytes: self.osm_ids.len() * 8
                + self.coords.len() * 8
                + self.edges.len() * std::mem::size_of::<Edge>()
                + self.shape.len() * 8
                + self.forward.bytes()
                + reverse,
        }
    }

    /// Builds the graph of `mode` from the ways read from an extract.
    pub fn build(raw: &RawWays<WayRules>, mode: Mode) -> Graph {
        let slots = node_slots(raw);
        let (edges, shape) = split_ways(raw, &slots, mode);
        let (edges, shape) = contract(raw.node_ids.len(), edges, shape);
        Graph::from_edges(raw, mode, edges, shape)
    }

    /// Renumbers the nodes the edges use (in OSM id order) and lays out the arcs.
    fn from_edges(
        raw: &RawWays<WayRules>,
        mode: Mode,
        mut edges: Vec<Edge>,
        shape: Vec<[i32; 2]>,
    ) -> Graph {
        const NONE: u32 = u32::MAX;
        let mut id = vec![NONE; raw.node_ids.len()];
        for e in &edges {
            id[e.from as usize] = 0;
            id[e.to as usize] = 0;
        }
        let mut osm_ids = Vec::new();
        let mut coords = Vec::new();
        for (slot, new) in id.iter_mut().enumerate() {
            if *new == 0 {
                *new = osm_ids.len() as u32;
                osm_ids.push(raw.node_ids[slot]);
                coords.push(raw.positions[slot].unwrap_or_default());
            }
        }
        for e in &mut edges {
            e.from = id[e.from as usize];
            e.to = id[e.to as usize];
        }
        let mut arcs = Vec::with_capacity(edges.len() * 2);
        for e in &edges {
            if e.forward {
                arcs.push((e.from, e.to, e.time_s, e.length_m));
            }
            if e.backward {
                arcs.push((e.to, e.from, e.time_s, e.length_m));
            }
        }
        let forward = Csr::from_arcs(osm_ids.len(), &arcs);
        let reverse = if edges.iter().all(|e| e.forward && e.backward) {
            None
        } else {
            for a in &mut arcs {
                std::mem::swap(&mut a.0, &mut a.1);
            }
            Some(Csr::from_arcs(osm_ids.len(), &arcs))
        };
        Graph {
            mode,
            osm_ids,
            coords,
            edges,
            shape,
            forward,
            reverse,
        }
    }
}

/// For every way reference, the index of its node in `raw.node_ids`, or `u32::MAX` when
/// the node is not in the extract.
fn node_slots(raw: &RawWays<WayRules>) -> Vec<u32> {
    raw.refs
        .iter()
        .map(|id| {
            raw.node_index(*id)
                .filter(|i| raw.positions[*i].is_some())
                .map_or(u32::MAX, |i| i as u32)
        })
        .collect()
}

/// Step 1: every way the mode may use, split at junctions, way ends and the edge of the
/// extract. Edge ends are slots of `raw.node_ids`.
fn split_ways(raw: &RawWays<WayRules>, slots: &[u32], mode: Mode) -> (Vec<Edge>, Vec<[i32; 2]>) {
    const MISSING: u32 = u32::MAX;
    let usable = || {
        raw.ways
            .iter()
            .filter_map(move |w| w.rules.get(mode).map(|p| (w, p)))
    };
    // How often each node is used; ends count as junctions.
    let mut uses = vec![0u8; raw.node_ids.len()];
    for (w, _) in usable() {
        let refs = &slots[w.start..w.end];
        for (i, &s) in refs.iter().enumerate() {
            if s == MISSING {
                continue;
            }
            let end =
                i == 0 || i + 1 == refs.len() || refs[i - 1] == MISSING || refs[i + 1] == MISSING;
            let u = &mut uses[s as usize];
            *u = u.saturating_add(if end { 2 } else { 1 });
        }
    }
    let pos = |s: u32| raw.positions[s as usize].unwrap_or_default();
    let mut edges = Vec::new();
    let mut shape: Vec<[i32; 2]> = Vec::new();
    for (w, passage) in usable() {
        let refs = &slots[w.start..w.end];
        let per_metre = seconds_per_metre(passage, || way_length(refs, &pos));
        // The edge being walked: its first node (a slot) and where its shape begins.
        let mut open: Option<(u32, usize)> = None;
        let mut length = 0.0f64;
        let mut previous = MISSING;
        for &s in refs {
            if s == MISSING {
                if let Some((_, at)) = open.take() {
                    shape.truncate(at);
                }
                previous = MISSING;
                continue;
            }
            if previous != MISSING {
                length += haversine_m(pos(previous), pos(s));
            }
            previous = s;
            if open.is_some() {
                shape.push(pos(s));
            }
            // The first node after a gap is an end, so an edge is always open here
            // unless this node is a junction.
            if uses[s as usize] < 2 {
                continue;
            }
            if let Some((from, at)) = open.take() {
                // A loop back to where it began (a path round a pond) is kept too: no
                // search needs it, but points on it snap to it.
                edges.push(Edge {
                    from,
                    to: s,
                    length_m: length as f32,
                    time_s: (length * per_metre) as f32,
                    forward: passage.forward,
                    backward: passage.backward,
                    shape_start: at as u32,
                    shape_end: shape.len() as u32,
                });
            }
            open = Some((s, shape.len()));
            shape.push(pos(s));
            length = 0.0;
        }
        if let Some((_, at)) = open {
            shape.truncate(at);
        }
    }
    (edges, shape)
}

fn way_length(refs: &[u32], pos: &impl Fn(u32) -> [i32; 2]) -> f64 {
    refs.windows(2)
        .filter(|p| p[0] != u32::MAX && p[1] != u32::MAX)
        .map(|p| haversine_m(pos(p[0]), pos(p[1])))
        .sum()
}

/// Seconds per metre on a way: from its speed, or its ferry duration over its length.
fn seconds_per_metre(passage: Passage, length: impl FnOnce() -> f64) -> f64 {
    match passage.cost {
        Cost::Speed(kmh) => 3.6 / f64::from(kmh),
        Cost::Duration(seconds) => {
            let metres = length();
            if metres > 0.0 {
                f64::from(seconds) / metres
            } else {
                0.0
            }
        }
    }
}

/// Step 2: nodes with exactly two edges, to two different nodes, allowing the same
/// directions through them at the same speed, disappear into one edge. A chain that
/// comes back to where it began stays as a loop. Edge ends stay slots.
fn contract(slots: usize, edges: Vec<Edge>, shape: Vec<[i32; 2]>) -> (Vec<Edge>, Vec<[i32; 2]>) {
    // Incident edges per node, as CSR.
    let mut first = vec![0u32; slots + 1];
    for e in &edges {
        first[e.from as usize + 1] += 1;
        first[e.to as usize + 1] += 1;
    }
    for i in 0..slots {
        first[i + 1] += first[i];
    }
    let mut next = first.clone();
    let mut incident = vec![0u32; edges.len() * 2];
    for (i, e) in edges.iter().enumerate() {
        for n in [e.from, e.to] {
            incident[next[n as usize] as usize] = i as u32;
            next[n as usize] += 1;
        }
    }
    drop(next);
    let around = |n: u32| &incident[first[n as usize] as usize..first[n as usize + 1] as usize];
    // Directions allowed leaving `n` along edge `e`: (away from n, towards n).
    let from_node = |e: &Edge, n: u32| {
        if e.from == n {
            (e.forward, e.backward)
        } else {
            (e.backward, e.forward)
        }
    };
    let other = |e: &Edge, n: u32| if e.from == n { e.to } else { e.from };
    let through = |n: u32| -> bool {
        let [a, b] = around(n) else { return false };
        let (ea, eb) = (&edges[*a as usize], &edges[*b as usize]);
        if other(ea, n) == n || other(eb, n) == n || other(ea, n) == other(eb, n) {
            return false;
        }
        // Arriving along ea and leaving along eb must be allowed exactly when arriving
        // along eb and leaving along ea is, in each direction.
        let (a_out, a_in) = from_node(ea, n);
        let (b_out, b_in) = from_node(eb, n);
        // And the same speed on both sides, so that time along the merged edge stays
        // in proportion to length (snapping to the middle of an edge relies on it).
        let same_pace = (f64::from(ea.time_s) * f64::from(eb.length_m)
            - f64::from(eb.time_s) * f64::from(ea.length_m))
        .abs()
            <= 1e-5 * f64::from(ea.time_s) * f64::from(eb.length_m);
        a_in == b_out && b_in == a_out && same_pace
    };
    let mut used = vec![false; edges.len()];
    let mut out_edges = Vec::with_capacity(edges.len());
    let mut out_shape = Vec::with_capacity(shape.len());
    let edge_shape = |e: &Edge| &shape[e.shape_start as usize..e.shape_end as usize];
    for start in 0..slots as u32 {
        if around(start).is_empty() || through(start) {
            continue;
        }
        for &first_edge in around(start) {
            if used[first_edge as usize] {
                continue;
            }
            let e = &edges[first_edge as usize];
            let (forward, backward) = from_node(e, start);
            let shape_start = out_shape.len() as u32;
            let (mut length, mut time) = (0.0f64, 0.0f64);
            let mut at = start;
            let mut edge = first_edge;
            loop {
                used[edge as usize] = true;
                let e = &edges[edge as usize];
                length += f64::from(e.length_m);
                time += f64::from(e.time_s);
                let points = edge_shape(e);
                let skip = usize::from(at != start);
                if e.from == at {
                    out_shape.extend(points.iter().skip(skip));
                } else {
                    out_shape.extend(points.iter().rev().skip(skip));
                }
                at = other(e, at);
                if !through(at) {
                    break;
                }
                let [a, b] = around(at) else { break };
                edge = if *a == edge { *b } else { *a };
            }
            out_edges.push(Edge {
                from: start,
                to: at,
                length_m: length as f32,
                time_s: time as f32,
                forward,
                backward,
                shape_start,
                shape_end: out_shape.len() as u32,
            });
        }
    }
    out_shape.shrink_to_fit();
    out_edges.shrink_to_fit();
    (out_edges, out_shape)
}
