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
    match run(arcs, seeds, limit_s, &mut reach, |_, _| true) {
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
