//! Travel along the network: walking, cycling and driving times over OpenStreetMap
//! roads and paths, instead of straight lines.
//!
//! `profile` says who may use a way and how fast, `graph` builds one compact graph per
//! mode from an extract, `snap` finds where a point meets it, `search` runs Dijkstra
//! from one or many sources. [`Networks::from_pbf`] does it all for an extract.

pub mod graph;
mod osm_ids;
pub mod profile;
mod queue;
pub mod search;
mod shapes;
pub mod snap;
mod starts;

pub use graph::{Graph, GraphSize};
pub use profile::Mode;
pub use search::{Scratch, Trip};
pub use snap::{Snap, TooFar, DEFAULT_SNAP_LIMIT_M};

use crate::crs::LonLat;
use crate::load::{read_ways, SourceError};
use snap::Snapper;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RoutingError {
    #[error("building the routing graph: {0}")]
    Read(#[from] SourceError),
    #[error("{path} has no road or path any of the modes {modes} may use")]
    NothingRoutable { path: PathBuf, modes: String },
    #[error("the {mode} start point: {source}")]
    From {
        mode: Mode,
        #[source]
        source: TooFar,
    },
    #[error("the {mode} destination: {source}")]
    To {
        mode: Mode,
        #[source]
        source: TooFar,
    },
    /// The request's deadline passed during the search (see [`crate::deadline`]).
    #[error("the search was stopped: {0}")]
    Stopped(#[from] crate::deadline::Stopped),
}

/// One mode's graph and the index for snapping to it.
pub struct Network {
    pub graph: Graph,
    snapper: Snapper,
}

/// The speed of the stretch between a point and the network, km/h: walking for
/// pedestrians, cycling for cyclists, and a car park's pace for cars.
pub fn off_network_kmh(mode: Mode) -> f64 {
    match mode {
        Mode::Foot => f64::from(profile::WALKING_KMH),
        Mode::Bicycle => f64::from(profile::CYCLING_KMH),
        Mode::Car => 15.0,
    }
}

impl Network {
    pub fn new(graph: Graph) -> Network {
        let snapper = Snapper::new(&graph);
        Network { graph, snapper }
    }

    pub fn mode(&self) -> Mode {
        self.graph.mode
    }

    /// The graph's size with the snapping index.
    pub fn size(&self) -> GraphSize {
        let mut size = self.graph.size();
        size.bytes += self.snapper.bytes();
        size
    }

    /// Where `at` meets this mode's network, if within `limit_m`.
    pub fn snap(&self, at: LonLat, limit_m: f64) -> Result<Snap, TooFar> {
        self.snapper.snap(&self.graph, at, limit_m)
    }

    /// The fastest trip between two points, each snapped within `limit_m`; `Ok(None)`
    /// when the destination cannot be reached from the start.
    pub fn trip(
        &self,
        from: LonLat,
        to: LonLat,
        limit_m: f64,
    ) -> Result<Option<Trip>, RoutingError> {
        let mode = self.mode();
        let a = self
            .snap(from, limit_m)
            .map_err(|source| RoutingError::From { mode, source })?;
        let b = self
            .snap(to, limit_m)
            .map_err(|source| RoutingError::To { mode, source })?;
        Ok(search::trip(&self.graph, &a, &b, off_network_kmh(mode))?)
    }
}

/// The graphs of the modes built from one extract.
pub struct Networks {
    pub source: PathBuf,
    networks: Vec<Network>,
    pub build_seconds: f64,
}

impl Networks {
    /// Reads the extract once and builds a graph for each of `modes`.
    pub fn from_pbf(path: &Path, modes: &[Mode]) -> Result<Networks, RoutingError> {
        let started = Instant::now();
        let raw = read_ways(path, profile::way_rules)?;
        let networks: Vec<Network> = modes
            .iter()
            .map(|m| Network::new(Graph::build(&raw, *m)))
            .collect();
        drop(raw);
        if networks.iter().all(|n| n.graph.edge_count() == 0) {
            return Err(RoutingError::NothingRoutable {
                path: path.to_path_buf(),
                modes: modes
                    .iter()
                    .map(|m| m.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let build_seconds = started.elapsed().as_secs_f64();
        for n in &networks {
            let size = n.size();
            tracing::info!(
                path = %path.display(),
                mode = n.mode().name(),
                nodes = size.nodes,
                edges = size.edges,
                megabytes = size.bytes / 1_000_000,
                "routing graph built"
            );
        }
        Ok(Networks {
            source: path.to_path_buf(),
            networks,
            build_seconds,
        })
    }

    pub fn get(&self, mode: Mode) -> Option<&Network> {
        self.networks.iter().find(|n| n.mode() == mode)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Network> {
        self.networks.iter()
    }
}

/// One multi-source search towards a set of targets (a category's facilities): every
/// point can then ask which target it reaches first, and in what time, without a search
/// of its own.
pub struct Catchment<'a> {
    network: &'a Network,
    reach: search::Reach,
    /// Targets by the edge they snapped to: (target index, fraction, off metres), for
    /// a point on the same edge, which may reach a target without passing a node.
    on_edge: std::collections::HashMap<u32, Vec<(u32, f64, f64)>>,
    /// The indices of the targets farther than the limit from this mode's network.
    pub unsnapped: Vec<usize>,
}

impl Network {
    /// Searches from everywhere towards `targets` (over incoming arcs, so one-way
    /// streets count in the direction one travels to a target), each snapped within
    /// `limit_m`; `within_s` bounds the search (infinity: the whole graph). Stops when
    /// the request's deadline passes.
    pub fn towards(
        &self,
        targets: &[LonLat],
        limit_m: f64,
        within_s: f64,
    ) -> Result<Catchment<'_>, crate::deadline::Stopped> {
        self.towards_reusing(targets, limit_m, within_s, &Scratch::new())
    }

    /// [`Network::towards`] in label arrays kept in `scratch` by earlier searches; give
    /// them back with [`Catchment::recycle`] when done.
    pub fn towards_reusing(
        &self,
        targets: &[LonLat],
        limit_m: f64,
        within_s: f64,
        scratch: &Scratch,
    ) -> Result<Catchment<'_>, crate::deadline::Stopped> {
        let off_kmh = off_network_kmh(self.mode());
        let mut seeds = Vec::new();
        let mut on_edge: std::collections::HashMap<u32, Vec<(u32, f64, f64)>> =
            std::collections::HashMap::new();
        let mut unsnapped = Vec::new();
        for (i, at) in targets.iter().enumerate() {
            let Ok(snap) = self.snap(*at, limit_m) else {
                unsnapped.push(i);
                continue;
            };
            let e = &self.graph.edge(snap.edge);
            let off_t = snap.off_m * 3.6 / off_kmh;
            for (node, time, length) in search::edge_ends(e, snap.fraction, false) {
                seeds.push(search::Seed {
                    node,
                    time_s: time + off_t,
                    length_m: length + snap.off_m,
                    origin: i as u32,
                });
            }
            on_edge
                .entry(snap.edge)
                .or_default()
                .push((i as u32, snap.fraction, snap.off_m));
        }
        let reach = search::multi_source_reusing(
            &self.graph,
            self.graph.incoming(),
            &seeds,
            within_s,
            scratch,
        )?;
        Ok(Catchment {
            network: self,
            reach,
            on_edge,
            unsnapped,
        })
    }
}

impl Catchment<'_> {
    /// Gives the search's label arrays to `scratch` for the next search.
    pub fn recycle(self, scratch: &Scratch) {
        scratch.keep(self.reach);
    }

    /// The target `at` reaches first (its index) and the trip there; `Ok(None)` when it
    /// reaches none (within the search's bound).
    pub fn from(&self, at: LonLat, limit_m: f64) -> Result<Option<(u32, Trip)>, TooFar> {
        let snap = self.network.snap(at, limit_m)?;
        Ok(self.from_snap(&snap))
    }

    /// The same for a point already snapped.
    pub fn from_snap(&self, snap: &Snap) -> Option<(u32, Trip)> {
        let graph = &self.network.graph;
        let off_kmh = off_network_kmh(self.network.mode());
        let e = &graph.edge(snap.edge);
        let off_t = snap.off_m * 3.6 / off_kmh;
        let mut best: Option<(u32, Trip)> = None;
        let mut offer = |origin: u32, time_s: f64, length_m: f64| {
            if best.is_none_or(|(_, b)| time_s < b.time_s) {
                best = Some((origin, Trip { time_s, length_m }));
            }
        };
        for (node, time, length) in search::edge_ends(e, snap.fraction, true) {
            if let Some(label) = self.reach.get(node) {
                offer(
                    label.origin,
                    label.time_s + time + off_t,
                    label.length_m + length + snap.off_m,
                );
            }
        }
        for &(origin, fraction, target_off) in self.on_edge.get(&snap.edge).into_iter().flatten() {
            let ahead = fraction >= snap.fraction;
            if (ahead && e.forward) || (!ahead && e.backward) {
                let share = (fraction - snap.fraction).abs();
                let off_m = snap.off_m + target_off;
                offer(
                    origin,
                    f64::from(e.time_s) * share + off_m * 3.6 / off_kmh,
                    f64::from(e.length_m) * share + off_m,
                );
            }
        }
        best
    }
}

impl std::fmt::Debug for Networks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Networks")
            .field("source", &self.source)
            .field(
                "modes",
                &self.networks.iter().map(|n| n.size()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// What `/status` says of the routing graphs: per mode their size, or that distances
/// are straight lines.
pub fn status(networks: Option<&Networks>) -> serde_json::Value {
    match networks {
        None => serde_json::json!({
            "loaded": false,
            "distances": "hemelsbreed: straight lines (× the circuity factor for an estimate by road); load an OSM extract with routing = true for distances along the network",
        }),
        Some(n) => serde_json::json!({
            "loaded": true,
            "distances": "along the network (walking, cycling, driving)",
            "path": n.source,
            "build_seconds": (n.build_seconds * 10.0).round() / 10.0,
            "modes": n.networks.iter().map(|net| {
                let size = net.size();
                (net.mode().name().to_string(), serde_json::json!({
                    "nodes": size.nodes,
                    "edges": size.edges,
                    "arcs": size.arcs,
                    "megabytes": (size.bytes as f64 / 1e5).round() / 10.0,
                }))
            }).collect::<serde_json::Map<_, _>>(),
        }),
    }
}

/// One bounded search from a point (a resident's address): the trip to any other point
/// within the bound then costs a snap and a look-up.
pub struct FromPoint<'a> {
    network: &'a Network,
    snap: Snap,
    labels: std::collections::HashMap<u32, search::Label>,
}

impl Network {
    /// Searches from `at` (snapped within `limit_m`) over outgoing arcs up to
    /// `within_s` seconds; stops when the request's deadline passes.
    pub fn from_point(
        &self,
        at: LonLat,
        limit_m: f64,
        within_s: f64,
    ) -> Result<FromPoint<'_>, RoutingError> {
        let mode = self.mode();
        let snap = self
            .snap(at, limit_m)
            .map_err(|source| RoutingError::From { mode, source })?;
        let e = &self.graph.edge(snap.edge);
        let off_t = snap.off_m * 3.6 / off_network_kmh(self.mode());
        let seeds: Vec<search::Seed> = search::edge_ends(e, snap.fraction, true)
            .into_iter()
            .map(|(node, time, length)| search::Seed {
                node,
                time_s: time + off_t,
                length_m: length + snap.off_m,
                origin: 0,
            })
            .collect();
        let labels = search::within(self.graph.outgoing(), &seeds, within_s)?;
        Ok(FromPoint {
            network: self,
            snap,
            labels,
        })
    }
}

impl FromPoint<'_> {
    /// The trip to `to` (snapped within `limit_m`); `Ok(None)` when it is not reached
    /// within the search's bound.
    pub fn to(&self, to: LonLat, limit_m: f64) -> Result<Option<Trip>, TooFar> {
        let target = self.network.snap(to, limit_m)?;
        Ok(self.to_snap(&target))
    }

    /// The same for a point already snapped.
    pub fn to_snap(&self, target: &Snap) -> Option<Trip> {
        let graph = &self.network.graph;
        let off_kmh = off_network_kmh(self.network.mode());
        let e = &graph.edge(target.edge);
        let off_t = target.off_m * 3.6 / off_kmh;
        let mut best: Option<Trip> = None;
        for (node, time, length) in search::edge_ends(e, target.fraction, false) {
            if let Some(l) = self.labels.get(&node) {
                let t = l.time_s + time + off_t;
                if best.is_none_or(|b| t < b.time_s) {
                    best = Some(Trip {
                        time_s: t,
                        length_m: l.length_m + length + target.off_m,
                    });
                }
            }
        }
        if target.edge == self.snap.edge {
            let ahead = target.fraction >= self.snap.fraction;
            if (ahead && e.forward) || (!ahead && e.backward) {
                let share = (target.fraction - self.snap.fraction).abs();
                let off_m = self.snap.off_m + target.off_m;
                let t = f64::from(e.time_s) * share + off_m * 3.6 / off_kmh;
                if best.is_none_or(|b| t < b.time_s) {
                    best = Some(Trip {
                        time_s: t,
                        length_m: f64::from(e.length_m) * share + off_m,
                    });
                }
            }
        }
        best
    }
}

impl Network {
    /// The network reachable from `at` within `within_s`: every stretch of road or path
    /// reached, the last part of each cut where the time runs out, as lines of points.
    pub fn isochrone(
        &self,
        at: LonLat,
        limit_m: f64,
        within_s: f64,
    ) -> Result<Vec<Vec<LonLat>>, RoutingError> {
        let search = self.from_point(at, limit_m, within_s)?;
        let graph = &self.graph;
        let point = |p: [i32; 2]| LonLat::new(f64::from(p[0]) * 1e-7, f64::from(p[1]) * 1e-7);
        let mut lines = Vec::new();
        // Each edge at a reached node, once: as far as the time left at each end
        // allows, whole when the two reaches meet.
        let edges: std::collections::BTreeSet<usize> = search
            .labels
            .keys()
            .flat_map(|&node| graph.edges_at(node).map(|i| i as usize))
            .collect();
        let mut seen = std::collections::HashSet::new();
        for edge_index in edges {
            let e = &graph.edge(edge_index as u32);
            let t = f64::from(e.time_s);
            let share = |node: u32, allowed: bool| -> f64 {
                match search.labels.get(&node) {
                    Some(l) if allowed && l.time_s < within_s => {
                        if t > 0.0 {
                            ((within_s - l.time_s) / t).min(1.0)
                        } else {
                            1.0
                        }
                    }
                    _ => 0.0,
                }
            };
            let (from_share, to_share) = (share(e.from, e.forward), share(e.to, e.backward));
            let shape: Vec<[i32; 2]> = graph.shape(edge_index as u32).collect();
            if from_share + to_share >= 1.0 {
                seen.insert(edge_index);
                lines.push(shape.iter().copied().map(point).collect());
                continue;
            }
            if from_share > 0.0 {
                lines.push(cut(&shape, from_share).into_iter().map(point).collect());
            }
            if to_share > 0.0 {
                let back: Vec<[i32; 2]> = shape.iter().rev().copied().collect();
                lines.push(cut(&back, to_share).into_iter().map(point).collect());
            }
        }
        // The edge the point stands on, from the point, unless it was drawn whole.
        let e = &graph.edge(search.snap.edge);
        let mut shape: Vec<[i32; 2]> = graph.shape(search.snap.edge).collect();
        if !seen.contains(&(search.snap.edge as usize)) {
            let (f, t) = (search.snap.fraction, f64::from(e.time_s));
            let off_t = search.snap.off_m * 3.6 / off_network_kmh(self.mode());
            let reach = if t > 0.0 {
                (within_s - off_t).max(0.0) / t
            } else {
                1.0
            };
            let (lo, hi) = (
                if e.backward { (f - reach).max(0.0) } else { f },
                if e.forward { (f + reach).min(1.0) } else { f },
            );
            let tail = cut(&shape, hi);
            shape = cut(
                &tail.into_iter().rev().collect::<Vec<_>>(),
                1.0 - lo / hi.max(1e-12),
            );
            if shape.len() >= 2 {
                lines.push(shape.into_iter().map(point).collect());
            }
        }
        Ok(lines)
    }
}

/// The first `share` of a line, by length (in degrees, longitude scaled by the cosine of
/// the latitude: close enough over a few kilometres for drawing).
fn cut(shape: &[[i32; 2]], share: f64) -> Vec<[i32; 2]> {
    if shape.len() < 2 || share >= 1.0 {
        return shape.to_vec();
    }
    // Degrees of longitude shrink with latitude: scale them to be comparable.
    let seg = |a: [i32; 2], b: [i32; 2]| {
        let cos = (f64::from(a[1]) * 1e-7).to_radians().cos();
        (f64::from(b[0] - a[0]) * cos).hypot(f64::from(b[1] - a[1]))
    };
    let total: f64 = shape.windows(2).map(|w| seg(w[0], w[1])).sum();
    let mut want = total * share.max(0.0);
    let mut out = vec![shape[0]];
    for w in shape.windows(2) {
        let len = seg(w[0], w[1]);
        if len >= want {
            let t = if len > 0.0 { want / len } else { 0.0 };
            out.push([
                w[0][0] + (f64::from(w[1][0] - w[0][0]) * t).round() as i32,
                w[0][1] + (f64::from(w[1][1] - w[0][1]) * t).round() as i32,
            ]);
            return out;
        }
        want -= len;
        out.push(w[1]);
    }
    out
}
