//! Shortest paths by travel time: Dijkstra's algorithm from one or many sources at once.
//!
//! A multi-source run from all facilities of a category gives every node its nearest
//! facility and the time and distance to it in one search, so the indicators of every
//! area cost one search per category and mode, not one per area. The search runs over
//! incoming arcs for that (from everywhere *towards* a facility: one-way streets count
//! in the direction a resident travels) and over outgoing arcs from a point.

use super::graph::{Csr, Edge, Graph};
use super::queue::RadixHeap;
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

/// Labels of every node of a full search, in arrays (the multi-source run visits
/// everything; a map would cost more).
#[derive(Debug, Clone)]
pub struct Reach {
    pub time_s: Vec<f32>,
    pub length_m: Vec<f32>,
    /// The seed origin that reached the node first; `u32::MAX` where none did.
    pub origin: Vec<u32>,
}

impl Reach {
    pub fn get(&self, node: u32) -> Option<Label> {
        let i = node as usize;
        self.time_s[i].is_finite().then(|| Label {
            time_s: f64::from(self.time_s[i]),
            length_m: f64::from(self.length_m[i]),
            origin: self.origin[i],
        })
    }
}

/// f64 times are non-negative, so their bit patterns order as the numbers do.
fn key(time: f64) -> u64 {
    time.to_bits()
}

/// How many nodes a search settles between two looks at the deadline: often enough to
/// stop within a millisecond or so, rarely enough that the clock costs nothing.
const DEADLINE_EVERY: u32 = 4096;

/// Dijkstra over `arcs` from `seeds`, up to `limit_s`, calling `settle` for each node
/// when its label is final (in order of time); `settle` returns false to stop. Stops
/// with [`Stopped`] when the request's deadline (installed on this thread by
/// [`crate::deadline::Deadline::run`]) passes: a national search takes seconds.
fn run(
    arcs: &Csr,
    seeds: &[Seed],
    limit_s: f64,
    labels: &mut impl Labels,
    mut settle: impl FnMut(u32, Label) -> bool,
) -> Result<(), Stopped> {
    crate::deadline::check()?;
    let mut countdown = DEADLINE_EVERY;
    let mut heap = RadixHeap::new();
    for s in seeds {
        if s.time_s > limit_s {
            continue;
        }
        if let Some(stored) = labels.improve(s.node, s.time_s, s.length_m, s.origin) {
            heap.push(key(stored), s.node);
        }
    }
    while let Some((k, node)) = heap.pop() {
        let Some(here) = labels.get(node) else {
            continue;
        };
        if key(here.time_s) != k {
            continue; // an older, worse entry
        }
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
            if let Some(stored) =
                labels.improve(to, t, here.length_m + f64::from(length), here.origin)
            {
                heap.push(key(stored), to);
            }
        }
    }
    Ok(())
}

/// Where a search keeps its labels.
trait Labels {
    fn get(&self, node: u32) -> Option<Label>;
    /// Keeps the label if it is better and gives the time as stored (the heap's key
    /// must be that, not the unrounded time); `None` when it was not better.
    fn improve(&mut self, node: u32, time_s: f64, length_m: f64, origin: u32) -> Option<f64>;
}

impl Labels for Reach {
    fn get(&self, node: u32) -> Option<Label> {
        Reach::get(self, node)
    }

    fn improve(&mut self, node: u32, time_s: f64, length_m: f64, origin: u32) -> Option<f64> {
        let i = node as usize;
        // Compared in f32, as stored, so a label is not improved by rounding alone.
        let stored = time_s as f32;
        (stored < self.time_s[i]).then(|| {
            self.time_s[i] = stored;
            self.length_m[i] = length_m as f32;
            self.origin[i] = origin;
            f64::from(stored)
        })
    }
}

/// Labels of a search that stays near its start (a resident's trip, an isochrone).
impl Labels for HashMap<u32, Label> {
    fn get(&self, node: u32) -> Option<Label> {
        HashMap::get(self, &node).copied()
    }

    fn improve(&mut self, node: u32, time_s: f64, length_m: f64, origin: u32) -> Option<f64> {
        match self.get(&node) {
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
                Some(time_s)
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
    let n = graph.node_count();
    let mut reach = Reach {
        time_s: vec![f32::INFINITY; n],
        length_m: vec![f32::INFINITY; n],
        origin: vec![u32::MAX; n],
    };
    run(arcs, seeds, limit_s, &mut reach, |_, _| true)?;
    Ok(reach)
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
