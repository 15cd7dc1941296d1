//! Shortest paths by travel time: Dijkstra's algorithm from one or many sources at once.
//!
//! A multi-source run from all facilities of a category gives every node its nearest
//! facility and the time and distance to it in one search, so the indicators of every
//! area cost one search per category and mode, not one per area. The search runs over
//! incoming arcs for that (from everywhere *towards* a facility: one-way streets count
//! in the direction a resident travels) and over outgoing arcs from a point.

use super::graph::{Csr, Edge, Graph};
use super::queue::{Key, RadixHeap};
use super::snap::Snap;
use crate::deadline::Stopped;
use std::collections::HashMap;

/// Where a search starts: a node, what reaching it already cost, and which source it
/// belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    pub node: u32,
    pub time_s: f64,
    pub length_m: f64,
    pub origin: u32,
}

/// The best known way to a node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Label {
    pub time_s: f64,
    pub length_m: f64,
    pub origin: u32,
}

/// A node's label as a multi-source run keeps it: 12 bytes together, so relaxing an arc
/// reads one place in memory, not three arrays.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stored {
    /// Seconds; infinity where no seed reached the node.
    time: f32,
    length: f32,
    /// The seed origin that reached the node first.
    origin: u32,
}

const UNREACHED: Stored = Stored {
    time: f32::INFINITY,
    length: f32::INFINITY,
    origin: u32::MAX,
};

/// Labels of every node of a multi-source search, in one array by node (the national
/// run visits millions of nodes; a map would cost more).
#[derive(Debug, Clone)]
pub struct Reach {
    labels: Vec<Stored>,
    /// The nodes labelled, while they are few: a bounded search touches a small part
    /// of a national graph, and a reused `Reach` then resets only those.
    touched: Vec<u32>,
    /// More nodes were labelled than `touched` keeps: a reset rewrites every label.
    overflowed: bool,
}

impl Reach {
    /// Labels for a graph of `nodes` nodes, none reached.
    pub fn new(nodes: usize) -> Reach {
        Reach {
            labels: vec![UNREACHED; nodes],
            touched: Vec::new(),
            overflowed: false,
        }
    }

    pub fn get(&self, node: u32) -> Option<Label> {
        let l = self.labels[node as usize];
        l.time.is_finite().then(|| Label {
            time_s: f64::from(l.time),
            length_m: f64::from(l.length),
            origin: l.origin,
        })
    }

    /// How many nodes have a label.
    pub fn reached(&self) -> usize {
        self.labels.iter().filter(|l| l.time.is_finite()).count()
    }

    /// The nodes `touched` follows at most: an eighth of the graph (half a byte a node),
    /// past which rewriting every label is as quick.
    fn touched_cap(&self) -> usize {
        self.labels.len() / 8
    }

    /// Every node unreached again, for the next search.
    fn reset(&mut self) {
        if self.overflowed {
            self.labels.fill(UNREACHED);
        } else {
            for &node in &self.touched {
                self.labels[node as usize] = UNREACHED;
            }
        }
        self.touched.clear();
        self.overflowed = false;
    }
}

/// Label arrays kept between the multi-source searches of one piece of work (the
/// indicators of every category), so each search does not allocate and fill a label
/// per node of a national graph (240 MB, a tenth of a second) only to reach a part of
/// it. Dropped with the work: nothing is held between requests.
#[derive(Debug, Default)]
pub struct Scratch {
    spare: std::sync::Mutex<Vec<Reach>>,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch::default()
    }

    /// Labels for `nodes` nodes, all unreached: a kept array of that size, or a new one.
    fn take(&self, nodes: usize) -> Reach {
        let kept = {
            let mut spare = self.spare.lock().unwrap_or_else(|p| p.into_inner());
            let at = spare.iter().position(|r| r.labels.len() == nodes);
            at.map(|i| spare.swap_remove(i))
        };
        match kept {
            Some(mut reach) => {
                reach.reset();
                reach
            }
            None => Reach::new(nodes),
        }
    }

    /// Keeps `reach` for a later search.
    pub fn keep(&self, reach: Reach) {
        let mut spare = self.spare.lock().unwrap_or_else(|p| p.into_inner());
        spare.push(reach);
    }
}

/// How many nodes a search settles between two looks at the deadline: often enough to
/// stop within a millisecond or so, rarely enough that the clock costs nothing.
const DEADLINE_EVERY: u32 = 4096;

/// Dijkstra over `arcs` from `seeds`, up to `limit_s`, calling `settle` for each node
/// when its label is final (in order of time); `settle` returns false to stop. Stops
/// with [`Stopped`] when the request's deadline (installed on this thread by
/// [`crate::deadline::Deadline::run`]) passes: a national search takes seconds.
fn run<L: Labels>(
    arcs: &Csr,
    seeds: &[Seed],
    limit_s: f64,
    labels: &mut L,
    mut settle: impl FnMut(u32, Label) -> bool,
) -> Result<(), Stopped> {
    crate::deadline::check()?;
    let mut countdown = DEADLINE_EVERY;
    let mut heap = RadixHeap::<L::Key>::new();
    for s in seeds {
        if s.time_s > limit_s {
            continue;
        }
        if let Some(key) = labels.improve(s.node, s.time_s, s.length_m, s.origin) {
            heap.push(key, s.node);
        }
    }
    while let Some((k, node)) = heap.pop() {
        if labels.key(node) != Some(k) {
            continue; // an older, worse entry
        }
        let Some(here) = labels.get(node) else {
            continue;
        };
        countdown -= 1;
        if countdown == 0 {
            countdown = DEADLINE_EVERY;
            crate::deadline::check()?;
        }
        if !settle(node, here) {
            return Ok(());
        }
        for (to, time, length) in arcs.arcs(node) {
            let t = here.time_s + f64::from(time);
            if t > limit_s {
                continue;
            }
            if let Some(key) = labels.improve(to, t, here.length_m + f64::from(length), here.origin)
            {
                heap.push(key, to);
            }
        }
    }
    Ok(())
}

/// The width of a bucket of [`by_buckets`], seconds: nearly every arc of a walking or
/// cycling graph takes longer (a second is 4 m by bicycle), so a node is seldom taken
/// twice, and a national bucket still holds thousands of nodes.
const BUCKET_S: f32 = 1.0;

/// How many nodes of a bucket [`Csr::warm`] reads ahead at a time.
const WARM: usize = 128;

/// Every node's nearest seed, as [`run`] finds it, but taken a bucket of
/// [`BUCKET_S`] seconds at a time instead of one node at a time (Dial's buckets, label-
/// correcting within a bucket as in Meyer and Sanders' Δ-stepping): the nodes of a
/// bucket are taken in the order they sit in memory, each relaxed from its label as it
/// is then, and a node improved to a time within the bucket being taken is taken again.
/// The times are the same as Dijkstra's, exactly: a bucket is done only when no node in
/// it can still improve, and no node can improve one in an earlier bucket (where two
/// ways reach a node in exactly the same time, which one's length and origin it keeps
/// may differ, as between any two queues).
///
/// Why: a national search from thousands of facilities has thousands of fronts, and
/// Dijkstra hops from one to another at every node, so nearly every read of a label or
/// an arc waited for memory (a microsecond a node). A bucket's nodes are known before
/// any is taken, so the processor reads ahead for many at once, and sorted they share
/// cache lines.
fn by_buckets(arcs: &Csr, seeds: &[Seed], limit_s: f64, reach: &mut Reach) -> Result<(), Stopped> {
    crate::deadline::check()?;
    let bucket_of = |t: f32| (t / BUCKET_S) as usize;
    let mut buckets = Buckets::default();
    for s in seeds {
        if s.time_s > limit_s {
            continue;
        }
        if let Some(key) = reach.improve(s.node, s.time_s, s.length_m, s.origin) {
            buckets.put(bucket_of(f32::from_bits(key)), s.node);
        }
    }
    let mut countdown = DEADLINE_EVERY;
    let mut taking = Vec::new();
    let mut sorting = Vec::new();
    let mut current = 0;
    while current < buckets.lists.len() {
        if buckets.lists[current].is_empty() {
            buckets.done(current);
            current += 1;
            continue;
        }
        // Taken out whole: nodes improved while it is worked through go into a new
        // list for this bucket, taken in the next round.
        std::mem::swap(&mut taking, &mut buckets.lists[current]);
        sort_nodes(&mut taking, &mut sorting);
        taking.dedup();
        for (k, &node) in taking.iter().enumerate() {
            if k % WARM == 0 {
                let ahead = &taking[k..(k + WARM).min(taking.len())];
                let labels = &reach.labels;
                arcs.warm(ahead, |v| labels[v as usize].origin);
            }
            let here = reach.labels[node as usize];
            // Improved into another bucket since it was put here: taken there.
            if bucket_of(here.time) != current {
                continue;
            }
            countdown -= 1;
            if countdown == 0 {
                countdown = DEADLINE_EVERY;
                crate::deadline::check()?;
            }
            let (time, length) = (f64::from(here.time), f64::from(here.length));
            for (to, arc_time, arc_length) in arcs.arcs(node) {
                let t = time + f64::from(arc_time);
                if t > limit_s {
                    continue;
                }
                if let Some(key) = reach.improve(to, t, length + f64::from(arc_length), here.origin)
                {
                    buckets.put(bucket_of(f32::from_bits(key)), to);
                }
            }
        }
        taking.clear();
    }
    Ok(())
}

/// The lists of nodes of [`by_buckets`], one per second of travel, and the memory of
/// lists done, for the lists filled next: a national search puts some 80 million nodes
/// in lists, and fresh lists for each would be 300 MB of pages to get and clear.
#[derive(Default)]
struct Buckets {
    lists: Vec<Vec<u32>>,
    spare: Vec<Vec<u32>>,
}

impl Buckets {
    fn put(&mut self, bucket: usize, node: u32) {
        if bucket >= self.lists.len() {
            self.lists.resize_with(bucket + 1, Vec::new);
        }
        let list = &mut self.lists[bucket];
        if list.capacity() == 0 {
            if let Some(spare) = self.spare.pop() {
                *list = spare;
            }
        }
        list.push(node);
    }

    /// Bucket `bucket` is taken and empty: its memory goes to a later one.
    fn done(&mut self, bucket: usize) {
        let list = std::mem::take(&mut self.lists[bucket]);
        if list.capacity() > 0 {
            self.spare.push(list);
        }
    }
}

/// Sorts node ids by their bits, 11 at a time (three passes cover 2^33 nodes), in
/// linear time: a bucket of a national search holds tens of thousands of nodes, and
/// a comparison sort of each took a tenth of the search. `spare` is the second buffer.
fn sort_nodes(nodes: &mut Vec<u32>, spare: &mut Vec<u32>) {
    const BITS: u32 = 11;
    if nodes.len() < 256 {
        nodes.sort_unstable();
        return;
    }
    let top = nodes.iter().copied().max().unwrap_or(0);
    let mut shift = 0;
    while shift < 32 && (top >> shift) > 0 {
        let mut counts = [0usize; 1 << BITS];
        let digit = |v: u32| ((v >> shift) & ((1 << BITS) - 1)) as usize;
        for &v in nodes.iter() {
            counts[digit(v)] += 1;
        }
        let mut at = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = at;
            at += n;
        }
        spare.clear();
        spare.resize(nodes.len(), 0);
        for &v in nodes.iter() {
            let d = digit(v);
            spare[counts[d]] = v;
            counts[d] += 1;
        }
        std::mem::swap(nodes, spare);
        shift += BITS;
    }
}

/// Where a search keeps its labels, and the queue's key of a node's time as kept: the
/// bits of the time as stored (not the unrounded sum), which order as the times do.
trait Labels {
    type Key: Key;
    fn get(&self, node: u32) -> Option<Label>;
    /// The key of the node's time; `None` where it has none.
    fn key(&self, node: u32) -> Option<Self::Key>;
    /// Keeps the label if it is better and gives its key; `None` when it was not better.
    fn improve(&mut self, node: u32, time_s: f64, length_m: f64, origin: u32) -> Option<Self::Key>;
}

impl Labels for Reach {
    type Key = u32;

    fn get(&self, node: u32) -> Option<Label> {
        Reach::get(self, node)
    }

    fn key(&self, node: u32) -> Option<u32> {
        let t = self.labels[node as usize].time;
        t.is_finite().then(|| t.to_bits())
    }

    fn improve(&mut self, node: u32, time_s: f64, length_m: f64, origin: u32) -> Option<u32> {
        let cap = self.touched_cap();
        let l = &mut self.labels[node as usize];
        // Compared in f32, as stored, so a label is not improved by rounding alone.
        let stored = time_s as f32;
        if stored >= l.time {
            return None;
        }
        if !l.time.is_finite() && !self.overflowed {
            if self.touched.len() < cap {
                self.touched.push(node);
            } else {
                self.overflowed = true;
                self.touched = Vec::new();
            }
        }
        *l = Stored {
            time: stored,
            length: length_m as f32,
            origin,
        };
        Some(stored.to_bits())
    }
}

/// Labels of a search that stays near its start (a resident's trip, an isochrone).
impl Labels for HashMap<u32, Label> {
    type Key = u64;

    fn get(&self, node: u32) -> Option<Label> {
        HashMap::get(self, &node).copied()
    }

    fn key(&self, node: u32) -> Option<u64> {
        HashMap::get(self, &node).map(|l| l.time_s.to_bits())
    }

    fn improve(&mut self, node: u32, time_s: f64, length_m: f64, origin: u32) -> Option<u64> {
        match HashMap::get(self, &node) {
            Some(l) if l.time_s <= time_s => None,
            _ => {
                self.insert(
                    node,
                    Label {
                        time_s,
                        length_m,
                        origin,
                    },
                );
                Some(time_s.to_bits())
            }
        }
    }
}

/// Every node's nearest seed over `arcs`, within `limit_s` (infinity: everything).
pub fn multi_source(
    graph: &Graph,
    arcs: &Csr,
    seeds: &[Seed],
    limit_s: f64,
) -> Result<Reach, Stopped> {
    multi_source_reusing(graph, arcs, seeds, limit_s, &Scratch::new())
}

/// [`multi_source`] in label arrays kept in `scratch` (give them back with
/// [`Scratch::keep`]).
pub fn multi_source_reusing(
    graph: &Graph,
    arcs: &Csr,
    seeds: &[Seed],
    limit_s: f64,
    scratch: &Scratch,
) -> Result<Reach, Stopped> {
    let mut reach = scratch.take(graph.node_count());
    match by_buckets(arcs, seeds, limit_s, &mut reach) {
        Ok(()) => Ok(reach),
        Err(stopped) => {
            scratch.keep(reach);
            Err(stopped)
        }
    }
}

/// The nodes reachable from `seeds` within `limit_s` over `arcs`, with their labels.
pub fn within(arcs: &Csr, seeds: &[Seed], limit_s: f64) -> Result<HashMap<u32, Label>, Stopped> {
    let mut labels = HashMap::new();
    run(arcs, seeds, limit_s, &mut labels, |_, _| true)?;
    Ok(labels)
}

/// How travel along edge `e` from a point `fraction` along it reaches its ends: the
/// seeds of a search leaving the point (`leaving`), or, for a search arriving at the
/// point, the ends from which it is reached with what remains to travel.
pub fn edge_ends(e: &Edge, fraction: f64, leaving: bool) -> Vec<(u32, f64, f64)> {
    let f = fraction.clamp(0.0, 1.0);
    let (t, l) = (f64::from(e.time_s), f64::from(e.length_m));
    let mut out = Vec::with_capacity(2);
    // Leaving towards `to` travels forward; arriving from `from` travels forward too.
    // A point at an end of the edge is at that node, whichever way the edge runs.
    const AT_END: f64 = 1e-6;
    let to_end = (if leaving { e.forward } else { e.backward }) || f >= 1.0 - AT_END;
    let from_end = (if leaving { e.backward } else { e.forward }) || f <= AT_END;
    if to_end {
        out.push((e.to, t * (1.0 - f), l * (1.0 - f)));
    }
    if from_end {
        out.push((e.from, t * f, l * f));
    }
    out
}

/// A trip between two points on the network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trip {
    pub time_s: f64,
    pub length_m: f64,
}

/// The fastest trip from one snapped point to another over the graph's outgoing arcs.
/// `off_kmh` is the speed of the stretches between the points and the network.
pub fn trip(graph: &Graph, from: &Snap, to: &Snap, off_kmh: f64) -> Result<Option<Trip>, Stopped> {
    let off = |m: f64| (m, m * 3.6 / off_kmh);
    let (off_l, off_t) = off(from.off_m + to.off_m);
    let mut best: Option<Trip> = None;
    // Both on the same edge, and travelling along it is allowed that way.
    if from.edge == to.edge {
        let e = &graph.edge(from.edge);
        let ahead = to.fraction >= from.fraction;
        if (ahead && e.forward) || (!ahead && e.backward) {
            let share = (to.fraction - from.fraction).abs();
            best = Some(Trip {
                time_s: f64::from(e.time_s) * share + off_t,
                length_m: f64::from(e.length_m) * share + off_l,
            });
        }
    }
    let start = &graph.edge(from.edge);
    let seeds: Vec<Seed> = edge_ends(start, from.fraction, true)
        .into_iter()
        .map(|(node, time_s, length_m)| Seed {
            node,
            time_s,
            length_m,
            origin: 0,
        })
        .collect();
    let end = &graph.edge(to.edge);
    let exits = edge_ends(end, to.fraction, false);
    let mut labels = HashMap::new();
    run(
        graph.outgoing(),
        &seeds,
        f64::INFINITY,
        &mut labels,
        |node, label| {
            if best.is_some_and(|b| label.time_s + off_t >= b.time_s) {
                return false;
            }
            for &(exit, time, length) in &exits {
                if exit == node {
                    let t = label.time_s + time + off_t;
                    if best.is_none_or(|b| t < b.time_s) {
                        best = Some(Trip {
                            time_s: t,
                            length_m: label.length_m + length + off_l,
                        });
                    }
                }
            }
            true
        },
    )?;
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{RawWay, RawWays};
    use crate::routing::profile::{way_rules, Mode, WayRules};

    /// A SYNTHETIC town: random ways between the junctions of a jittered grid, of
    /// several road kinds (so several speeds by car), some one-way, some ways doubling
    /// back over the same points (edges of no length).
    fn town(seed: u64) -> RawWays<WayRules> {
        let mut rng = seed;
        let mut next = |n: u64| {
            rng = rng
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (rng >> 33) % n
        };
        let side = 30usize;
        let positions: Vec<[i32; 2]> = (0..side * side)
            .map(|i| {
                let (r, c) = ((i / side) as i32, (i % side) as i32);
                [
                    44_000_000 + c * 9_000 + next(4_000) as i32,
                    520_000_000 + r * 6_000 + next(4_000) as i32,
                ]
            })
            .collect();
        let kinds = [
            vec![("highway", "residential")],
            vec![("highway", "primary"), ("maxspeed", "80")],
            vec![("highway", "tertiary"), ("oneway", "yes")],
            vec![("highway", "footway")],
            vec![("highway", "cycleway")],
        ];
        let mut ways = Vec::new();
        let mut refs = Vec::new();
        for w in 0..400 {
            let mut at = next((side * side) as u64) as usize;
            let start = refs.len();
            refs.push(at as u32);
            for _ in 0..1 + next(6) {
                let (r, c) = (at / side, at % side);
                at = match next(5) {
                    0 if c + 1 < side => at + 1,
                    1 if c > 0 => at - 1,
                    2 if r + 1 < side => at + side,
                    3 if r > 0 => at - side,
                    _ => at, // the same node again: a piece of no length
                };
                refs.push(at as u32);
            }
            let tags = &kinds[next(kinds.len() as u64) as usize];
            ways.push(RawWay {
                osm_id: w + 1,
                rules: way_rules(tags).expect("routable"),
                start,
                end: refs.len(),
            });
        }
        RawWays {
            ways,
            refs,
            node_ids: (1..=(side * side) as i64).collect(),
            positions,
        }
    }

    #[test]
    fn node_lists_sort_as_a_comparison_sort_does() {
        let mut rng = 99u64;
        let mut spare = Vec::new();
        for len in [0usize, 1, 255, 256, 5_000] {
            for top in [1u32, 2_047, 2_048, 1 << 22, u32::MAX] {
                let mut nodes: Vec<u32> = (0..len)
                    .map(|_| {
                        rng = rng
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        ((rng >> 32) as u32) % top
                    })
                    .collect();
                if top == u32::MAX && len > 0 {
                    nodes[0] = u32::MAX;
                }
                let mut expected = nodes.clone();
                expected.sort_unstable();
                sort_nodes(&mut nodes, &mut spare);
                assert_eq!(nodes, expected, "{len} nodes below {top}");
            }
        }
    }

    #[test]
    fn buckets_give_dijkstras_times_exactly() {
        let mut reached = 0;
        for seed in 1..6 {
            let raw = town(seed);
            for mode in Mode::ALL {
                let graph = Graph::build(&raw, mode);
                let n = graph.node_count() as u32;
                if n < 10 {
                    continue;
                }
                for (k, limit) in [(1, f64::INFINITY), (3, f64::INFINITY), (5, 240.0)] {
                    let seeds: Vec<Seed> = (0..k)
                        .map(|i| Seed {
                            node: (i * 7 + seed as u32) % n,
                            time_s: f64::from(i) * 3.5,
                            length_m: 0.0,
                            origin: i,
                        })
                        .collect();
                    for arcs in [graph.incoming(), graph.outgoing()] {
                        let mut heap = Reach::new(n as usize);
                        run(arcs, &seeds, limit, &mut heap, |_, _| true).expect("no deadline");
                        let buckets =
                            multi_source(&graph, arcs, &seeds, limit).expect("no deadline");
                        for v in 0..n {
                            let (a, b) = (heap.get(v), buckets.get(v));
                            assert_eq!(
                                a.map(|l| l.time_s),
                                b.map(|l| l.time_s),
                                "seed {seed}, {mode}, node {v}"
                            );
                            reached += usize::from(a.is_some());
                        }
                    }
                }
            }
        }
        // The searches went somewhere: the comparison was not of empty labels.
        assert!(reached > 1_000, "{reached} labels compared");
    }
}
