//! The routing graph of one mode: junctions as nodes, the stretches of road between
//! them as edges, kept compact (u32 node and edge ids, f32 seconds and metres, one
//! adjacency list serving outgoing arcs, incoming arcs and the edges at a node) so the
//! national foot and bicycle networks fit in memory together.
//!
//! Built in three steps from the ways of an extract ([`crate::load::read_ways`]):
//! 1. split every way the mode may use at the nodes where it meets another way (or
//!    ends, or leaves the extract): one piece per stretch, its length by the haversine
//!    formula and its time by the way's speed or ferry duration; a piece is a range of
//!    the way's node references, so no points are copied yet;
//! 2. contract nodes of degree two (two ways joined end to end, a way split where its
//!    tags change), when both sides allow the same directions, into one edge: a chain
//!    of pieces;
//! 3. lay the edges out in the snapping index's spatial order, with only the points
//!    between their ends as their shape (the ends are the nodes' own positions), and
//!    list the edges at each node once, for searches both ways.

use super::osm_ids::OsmIds;
use super::profile::{Cost, Mode, Passage, WayRules};
use super::shapes::{Shapes, ShapesBuilder};
use super::starts::Starts;
use crate::load::RawWays;
use std::sync::Arc;

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

/// A stretch of road between two graph nodes; its shape is [`Graph::shape`].
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
}

/// An [`Edge`] as stored: 16 bytes instead of 20, the two directions in the sign bits
/// of its length and time (never negative), so four edges share a cache line and the
/// national graphs take 160 MB less each.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Packed {
    from: u32,
    to: u32,
    /// `length_m` as f32 bits, the sign bit set when `from` → `to` is allowed.
    length: u32,
    /// `time_s` as f32 bits, the sign bit set when `to` → `from` is allowed.
    time: u32,
}

const SIGN: u32 = 1 << 31;

impl Packed {
    fn new(e: &Edge) -> Packed {
        let bits = |v: f32, flag: bool| v.abs().to_bits() | if flag { SIGN } else { 0 };
        Packed {
            from: e.from,
            to: e.to,
            length: bits(e.length_m, e.forward),
            time: bits(e.time_s, e.backward),
        }
    }

    fn forward(&self) -> bool {
        self.length & SIGN != 0
    }

    fn backward(&self) -> bool {
        self.time & SIGN != 0
    }

    fn length_m(&self) -> f32 {
        f32::from_bits(self.length & !SIGN)
    }

    fn time_s(&self) -> f32 {
        f32::from_bits(self.time & !SIGN)
    }

    fn unpack(&self) -> Edge {
        Edge {
            from: self.from,
            to: self.to,
            length_m: self.length_m(),
            time_s: self.time_s(),
            forward: self.forward(),
            backward: self.backward(),
        }
    }
}

/// The edges and, per node, the edges at it: shared by the outgoing and the incoming
/// view, so a graph with one-way streets holds its arcs once.
#[derive(Debug)]
struct Topology {
    edges: Vec<Packed>,
    /// The edges at node `n` are `ends[first(n)..first(n + 1)]`, each as
    /// `edge << 1 | 1 when n is the edge's `to``; a loop is listed at both its ends.
    /// A u8 offset per node: 32 nodes have far fewer than 256 edge ends between them.
    first: Starts<u8, 32>,
    ends: Vec<u32>,
    /// Arcs one may travel: an edge open both ways counts twice.
    arcs: usize,
}

impl Topology {
    fn new(nodes: usize, edges: Vec<Edge>) -> Topology {
        let mut first = vec![0u32; nodes + 1];
        for e in &edges {
            first[e.from as usize + 1] += 1;
            first[e.to as usize + 1] += 1;
        }
        for i in 0..nodes {
            first[i + 1] += first[i];
        }
        let mut next = first.clone();
        let mut ends = vec![0u32; first[nodes] as usize];
        for (i, e) in edges.iter().enumerate() {
            for (node, side) in [(e.from, 0), (e.to, 1)] {
                ends[next[node as usize] as usize] = (i as u32) << 1 | side;
                next[node as usize] += 1;
            }
        }
        let arcs = edges
            .iter()
            .map(|e| usize::from(e.forward) + usize::from(e.backward))
            .sum();
        Topology {
            edges: edges.iter().map(Packed::new).collect(),
            first: Starts::new(first),
            ends,
            arcs,
        }
    }

    fn at(&self, node: u32) -> &[u32] {
        &self.ends[self.first.get(node as usize)..self.first.get(node as usize + 1)]
    }

    fn bytes(&self) -> usize {
        self.edges.len() * std::mem::size_of::<Packed>() + self.first.bytes() + self.ends.len() * 4
    }
}

/// The arcs of a graph one way round: leaving each node (`Graph::outgoing`) or arriving
/// at it (`Graph::incoming`).
#[derive(Debug, Clone)]
pub struct Csr {
    topo: Arc<Topology>,
    /// Arcs arriving at a node, for searches towards a point.
    towards: bool,
}

impl Csr {
    /// The arcs of `node`: (other node, seconds, metres).
    pub fn arcs(&self, node: u32) -> impl Iterator<Item = (u32, f32, f32)> + '_ {
        let topo = &*self.topo;
        let towards = self.towards;
        topo.at(node).iter().filter_map(move |&end| {
            let e = &topo.edges[(end >> 1) as usize];
            // Leaving `node` along the edge, or arriving at it from the other end.
            let (other, leaving, arriving) = if end & 1 == 0 {
                (e.to, e.forward(), e.backward())
            } else {
                (e.from, e.backward(), e.forward())
            };
            (if towards { arriving } else { leaving }).then(|| (other, e.time_s(), e.length_m()))
        })
    }

    pub fn arc_count(&self) -> usize {
        self.topo.arcs
    }

    /// Reads, ahead of a search taking `nodes`, what taking them will read: where their
    /// arcs are, the arcs, and (through `label`) the labels of both ends. Each pass is
    /// loads that wait for nothing but memory, so the processor has many under way at
    /// once, where the search itself (a branch on every arc) has one or two.
    pub(crate) fn warm(&self, nodes: &[u32], label: impl Fn(u32) -> u32) -> u32 {
        let topo = &*self.topo;
        let mut seen = 0u32;
        for &n in nodes {
            seen = seen
                .wrapping_add(topo.first.get(n as usize) as u32)
                .wrapping_add(label(n));
        }
        for &n in nodes {
            let first = topo.first.get(n as usize);
            seen = seen.wrapping_add(topo.ends.get(first).copied().unwrap_or(0));
        }
        for &n in nodes {
            for &end in topo.at(n) {
                seen = seen.wrapping_add(topo.edges[(end >> 1) as usize].time);
            }
        }
        for &n in nodes {
            for &end in topo.at(n) {
                let e = &topo.edges[(end >> 1) as usize];
                seen = seen.wrapping_add(label(e.from ^ e.to ^ n));
            }
        }
        std::hint::black_box(seen)
    }
}

/// The routing graph of one mode.
#[derive(Debug, Clone)]
pub struct Graph {
    pub mode: Mode,
    osm_ids: OsmIds,
    /// (lon, lat) in 1e-7 degrees.
    coords: Vec<[i32; 2]>,
    /// The points of each edge between its ends.
    shapes: Shapes,
    forward: Csr,
    reverse: Csr,
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

    /// How many edges the graph has; they are numbered from 0.
    pub fn edge_count(&self) -> usize {
        self.forward.topo.edges.len()
    }

    /// Edge `edge` (below [`Graph::edge_count`]).
    pub fn edge(&self, edge: u32) -> Edge {
        self.forward.topo.edges[edge as usize].unpack()
    }

    /// Every edge, in index order.
    pub fn edges(&self) -> impl ExactSizeIterator<Item = Edge> + '_ {
        self.forward.topo.edges.iter().map(Packed::unpack)
    }

    /// The points of edge `edge` (below [`Graph::edge_count`]), `from` first.
    pub fn shape(&self, edge: u32) -> impl Iterator<Item = [i32; 2]> + Clone + '_ {
        let e = &self.forward.topo.edges[edge as usize];
        let from = self.coords[e.from as usize];
        std::iter::once(from)
            .chain(self.shapes.inner(edge, from))
            .chain(std::iter::once(self.coords[e.to as usize]))
    }

    /// The edges at `node` (their indices); a loop comes twice.
    pub fn edges_at(&self, node: u32) -> impl Iterator<Item = u32> + '_ {
        self.forward.topo.at(node).iter().map(|end| end >> 1)
    }

    pub fn osm_id(&self, node: u32) -> i64 {
        self.osm_ids.get(node as usize)
    }

    pub fn coord(&self, node: u32) -> [i32; 2] {
        self.coords[node as usize]
    }

    /// The graph node of an OSM node, when that node is a junction the graph kept.
    pub fn node_of_osm(&self, osm_id: i64) -> Option<u32> {
        // Nodes are numbered in OSM id order.
        self.osm_ids.find(osm_id).map(|i| i as u32)
    }

    /// Outgoing arcs: for searches from a point.
    pub fn outgoing(&self) -> &Csr {
        &self.forward
    }

    /// Incoming arcs: for searches towards a point (the nearest facility of everyone).
    pub fn incoming(&self) -> &Csr {
        &self.reverse
    }

    pub fn size(&self) -> GraphSize {
        GraphSize {
            nodes: self.node_count(),
            edges: self.edge_count(),
            arcs: self.forward.arc_count(),
            bytes: self.osm_ids.bytes()
                + self.coords.len() * 8
                + self.shapes.bytes()
                + self.forward.topo.bytes(),
        }
    }

    /// Builds the graph of `mode` from the ways read from an extract. Node and way
    /// reference counts must fit in u32 (the whole of Europe does).
    pub fn build(raw: &RawWays<WayRules>, mode: Mode) -> Graph {
        let pieces = split_ways(raw, mode);
        let chains = contract(raw.node_ids.len(), &pieces);
        Graph::lay_out(raw, mode, &pieces, chains)
    }

    /// Renumbers the nodes the edges use (in OSM id order), puts the edges in spatial
    /// order with their inner points, and lists the edges at each node.
    fn lay_out(raw: &RawWays<WayRules>, mode: Mode, pieces: &[Piece], chains: Chains) -> Graph {
        const NONE: u32 = u32::MAX;
        let (slots, pos) = (&raw.refs, |s: u32| raw.positions[s as usize]);
        // The points of chain `c` from its start, each shared point once.
        let links =
            |c: usize| &chains.links[chains.first[c] as usize..chains.first[c + 1] as usize];
        let each_point = |c: usize, f: &mut dyn FnMut([i32; 2])| {
            for (k, &link) in links(c).iter().enumerate() {
                let p = &pieces[(link >> 1) as usize];
                let refs = &slots[p.start as usize..p.end as usize];
                let skip = usize::from(k > 0);
                if link & 1 == 1 {
                    refs.iter().rev().skip(skip).for_each(|s| f(pos(*s)));
                } else {
                    refs.iter().skip(skip).for_each(|s| f(pos(*s)));
                }
            }
        };
        let point_count = |c: usize| -> usize {
            links(c)
                .iter()
                .enumerate()
                .map(|(k, &link)| {
                    let p = &pieces[(link >> 1) as usize];
                    (p.end - p.start) as usize - usize::from(k > 0)
                })
                .sum()
        };
        let mut order: Vec<(u64, u32)> = (0..chains.edges.len())
            .map(|c| {
                let (mut lo, mut hi) = ([i32::MAX; 2], [i32::MIN; 2]);
                each_point(c, &mut |p| {
                    for k in 0..2 {
                        lo[k] = lo[k].min(p[k]);
                        hi[k] = hi[k].max(p[k]);
                    }
                });
                (super::snap::cell_key(lo, hi), c as u32)
            })
            .collect();
        order.sort_unstable();
        let mut id = vec![NONE; raw.node_ids.len()];
        for e in &chains.edges {
            id[e.from as usize] = 0;
            id[e.to as usize] = 0;
        }
        let mut osm_ids = Vec::new();
        let mut coords = Vec::new();
        for (slot, new) in id.iter_mut().enumerate() {
            if *new == 0 {
                *new = osm_ids.len() as u32;
                osm_ids.push(raw.node_ids[slot]);
                coords.push(raw.positions[slot]);
            }
        }
        coords.shrink_to_fit();
        let mut edges = Vec::with_capacity(order.len());
        let inner_count: usize = (0..chains.edges.len())
            .map(|c| point_count(c).saturating_sub(2))
            .sum();
        let mut shapes = ShapesBuilder::with_capacity(order.len(), inner_count);
        let mut interior = Vec::new();
        for &(_, c) in &order {
            let e = chains.edges[c as usize];
            edges.push(Edge {
                from: id[e.from as usize],
                to: id[e.to as usize],
                ..e
            });
            // Every point but the two ends, which are the nodes' positions.
            let last = point_count(c as usize).saturating_sub(1);
            let mut i = 0;
            interior.clear();
            each_point(c as usize, &mut |p| {
                if i != 0 && i != last {
                    interior.push(p);
                }
                i += 1;
            });
            shapes.push(raw.positions[e.from as usize], interior.iter().copied());
        }
        drop(id);
        let topo = Arc::new(Topology::new(osm_ids.len(), edges));
        Graph {
            mode,
            osm_ids: OsmIds::new(osm_ids),
            coords,
            shapes: shapes.finish(),
            forward: Csr {
                topo: Arc::clone(&topo),
                towards: false,
            },
            reverse: Csr {
                topo,
                towards: true,
            },
        }
    }
}

/// A stretch of one way between two junctions: an edge before contraction, its ends
/// indices of `raw.node_ids` ("slots"), its points the references `start..end` (both
/// ends included).
#[derive(Debug, Clone, Copy)]
struct Piece {
    edge: Edge,
    start: u32,
    end: u32,
}

/// Step 1: every way the mode may use, split at junctions, way ends and the edge of the
/// extract.
fn split_ways(raw: &RawWays<WayRules>, mode: Mode) -> Vec<Piece> {
    const MISSING: u32 = RawWays::<WayRules>::MISSING;
    let slots = &raw.refs;
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
    let pos = |s: u32| raw.positions[s as usize];
    let mut pieces = Vec::new();
    for (w, passage) in usable() {
        let refs = &slots[w.start..w.end];
        let per_metre = seconds_per_metre(passage, || way_length(refs, &pos));
        // The piece being walked: its first node (a slot) and the reference it is at.
        let mut open: Option<(u32, usize)> = None;
        let mut length = 0.0f64;
        let mut previous = MISSING;
        for (i, &s) in refs.iter().enumerate() {
            if s == MISSING {
                open = None;
                previous = MISSING;
                continue;
            }
            if previous != MISSING {
                length += haversine_m(pos(previous), pos(s));
            }
            previous = s;
            // The first node after a gap is an end, so a piece is always open here
            // unless this node is a junction.
            if uses[s as usize] < 2 {
                continue;
            }
            if let Some((from, at)) = open.take() {
                // A loop back to where it began (a path round a pond) is kept too: no
                // search needs it, but points on it snap to it.
                pieces.push(Piece {
                    edge: Edge {
                        from,
                        to: s,
                        length_m: length as f32,
                        time_s: (length * per_metre) as f32,
                        forward: passage.forward,
                        backward: passage.backward,
                    },
                    start: (w.start + at) as u32,
                    end: (w.start + i + 1) as u32,
                });
            }
            open = Some((s, i));
            length = 0.0;
        }
    }
    pieces.shrink_to_fit();
    pieces
}

fn way_length(refs: &[u32], pos: &impl Fn(u32) -> [i32; 2]) -> f64 {
    refs.windows(2)
        .filter(|p| p[0] != RawWays::<WayRules>::MISSING && p[1] != RawWays::<WayRules>::MISSING)
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

/// The edges after contraction (ends still slots), each a chain of pieces.
struct Chains {
    edges: Vec<Edge>,
    /// The pieces of edge `i` are `links[first[i]..first[i + 1]]`, each `piece << 1 | 1
    /// when walked from its end to its start`.
    first: Vec<u32>,
    links: Vec<u32>,
}

/// Step 2: nodes with exactly two pieces, to two different nodes, allowing the same
/// directions through them at the same speed, disappear into one edge. A chain that
/// comes back to where it began stays as a loop.
fn contract(slots: usize, pieces: &[Piece]) -> Chains {
    // Incident pieces per node, as CSR.
    let mut first = vec![0u32; slots + 1];
    for p in pieces {
        first[p.edge.from as usize + 1] += 1;
        first[p.edge.to as usize + 1] += 1;
    }
    for i in 0..slots {
        first[i + 1] += first[i];
    }
    let mut next = first.clone();
    let mut incident = vec![0u32; pieces.len() * 2];
    for (i, p) in pieces.iter().enumerate() {
        for n in [p.edge.from, p.edge.to] {
            incident[next[n as usize] as usize] = i as u32;
            next[n as usize] += 1;
        }
    }
    drop(next);
    let around = |n: u32| &incident[first[n as usize] as usize..first[n as usize + 1] as usize];
    let edge = |i: u32| &pieces[i as usize].edge;
    // Directions allowed leaving `n` along `e`: (away from n, towards n).
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
        let (ea, eb) = (edge(*a), edge(*b));
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
    let mut used = vec![false; pieces.len()];
    let mut edges = Vec::new();
    let mut chain_first = vec![0u32];
    let mut links = Vec::with_capacity(pieces.len());
    for start in 0..slots as u32 {
        if around(start).is_empty() || through(start) {
            continue;
        }
        for &first_piece in around(start) {
            if used[first_piece as usize] {
                continue;
            }
            let (forward, backward) = from_node(edge(first_piece), start);
            let (mut length, mut time) = (0.0f64, 0.0f64);
            let mut at = start;
            let mut piece = first_piece;
            loop {
                used[piece as usize] = true;
                let e = edge(piece);
                length += f64::from(e.length_m);
                time += f64::from(e.time_s);
                links.push(piece << 1 | u32::from(e.from != at));
                at = other(e, at);
                if !through(at) {
                    break;
                }
                let [a, b] = around(at) else { break };
                piece = if *a == piece { *b } else { *a };
            }
            edges.push(Edge {
                from: start,
                to: at,
                length_m: length as f32,
                time_s: time as f32,
                forward,
                backward,
            });
            chain_first.push(links.len() as u32);
        }
    }
    edges.shrink_to_fit();
    links.shrink_to_fit();
    Chains {
        edges,
        first: chain_first,
        links,
    }
}
