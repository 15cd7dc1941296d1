//! Routing graph figures: build time, size and peak RSS, one multi-source run, and a
//! resident's searches (nearest by network, a 15-minute isochrone).
//!
//! 1. The real extracts of `../shared/data/osm_nl_fixtures` (read from PBF and built).
//! 2. A SYNTHETIC grid network handed to the graph builder in memory (no PBF is written):
//!    `WIJKATLAS_BENCH_ROUTING_SIDE` junctions a side (default 1,500, i.e. 2.25 M
//!    junctions; 4,500 gives 20 M, the size of the Dutch foot network after
//!    contraction), every street with one shape node between junctions, 0.001° apart.
//!    Peak RSS there includes the synthetic input, as a real read holds its ways too.
//!
//! Run: `cargo bench --bench routing`. Figures are printed, never asserted.

use std::time::Instant;
use wijkatlas::crs::LonLat;
use wijkatlas::load::{RawWay, RawWays};
use wijkatlas::model::Category;
use wijkatlas::routing::profile::{way_rules, WayRules};
use wijkatlas::routing::search::{multi_source, Seed};
use wijkatlas::routing::{Graph, Mode, Network, Networks, Snap};

// The server's allocator, so the graphs sit in memory as they do there: mimalloc asks
// for transparent huge pages for large blocks, glibc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIDE_ENV: &str = "WIJKATLAS_BENCH_ROUTING_SIDE";
const FACILITIES_ENV: &str = "WIJKATLAS_BENCH_ROUTING_FACILITIES";

fn vm_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// CPU seconds this process has used (user + system), from /proc/self/stat: on a shared
/// machine the wall clock says as much about the others as about this work.
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) end with ')'.
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let field = |i: usize| {
        rest.split_whitespace()
            .nth(i)
            .and_then(|v| v.parse::<f64>().ok())
    };
    // utime and stime are fields 14 and 15; `rest` starts at field 3.
    let ticks = field(11).unwrap_or(0.0) + field(12).unwrap_or(0.0);
    ticks / 100.0
}

fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// A resident's searches on one network: a 15-minute isochrone and nearest-by-network
/// (a 30-minute search from the point, then look-ups), each timed over `runs` points.
fn resident(network: &Network, points: &[LonLat]) -> (f64, f64) {
    let mut iso = Vec::new();
    let mut near = Vec::new();
    let mut reached = 0usize;
    for p in points {
        let started = Instant::now();
        if let Ok(lines) = network.isochrone(*p, 500.0, 15.0 * 60.0) {
            reached += lines.len();
        }
        iso.push(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        if let Ok(search) = network.from_point(*p, 500.0, 30.0 * 60.0) {
            for q in points.iter().take(5) {
                let _ = search.to(*q, 500.0);
            }
        }
        near.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let pct = |v: &mut Vec<f64>, q: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * q).round() as usize]
    };
    let (iso_p99, near_p99) = (pct(&mut iso, 0.99), pct(&mut near, 0.99));
    println!(
        "  {}: 15-min isochrone (lines drawn) p50 {:.2} ms, p99 {iso_p99:.2} ms ({} lines on average); nearest by network (30-min search + 5 look-ups) p50 {:.2} ms, p99 {near_p99:.2} ms; {} points",
        network.mode(),
        pct(&mut iso, 0.5),
        reached / points.len().max(1),
        pct(&mut near, 0.5),
        points.len()
    );
    (iso_p99, near_p99)
}

fn multi(graph: &Graph, sources: usize, rng: &mut Lcg) {
    let n = graph.node_count();
    let seeds: Vec<Seed> = (0..sources)
        .map(|i| Seed {
            node: rng.below(n) as u32,
            time_s: 0.0,
            length_m: 0.0,
            origin: i as u32,
        })
        .collect();
    let started = Instant::now();
    let reach =
        multi_source(graph, graph.incoming(), &seeds, f64::INFINITY).expect("no deadline here");
    let secs = started.elapsed().as_secs_f64();
    let reached = reach.reached();
    println!(
        "  {}: one multi-source run from {sources} facilities over {n} nodes: {secs:.2} s ({reached} reached)",
        graph.mode
    );
}

fn real() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/osm_nl_fixtures");
    for name in ["delft_tudelft_2025-08", "amsterdam_centrum_2026-02"] {
        let path = dir.join(format!("{name}.osm.pbf"));
        if !path.exists() {
            println!("{}: not here, skipped", path.display());
            continue;
        }
        reset_peak_rss();
        let before = vm_kb("VmRSS");
        let started = Instant::now();
        let networks = match Networks::from_pbf(&path, &Mode::ALL) {
            Ok(n) => n,
            Err(e) => {
                println!("{name}: {e}");
                continue;
            }
        };
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{name}: read and built foot, bicycle and car graphs in {secs:.2} s; peak RSS {:.0} MB (before {:.0} MB)",
            mb(vm_kb("VmHWM")),
            mb(before)
        );
        let mut rng = Lcg(7);
        for network in networks.iter() {
            let size = network.size();
            println!(
                "  {}: {} nodes, {} edges, {} arcs, {:.2} MB ({:.1} bytes a node, {:.2} edges a node)",
                network.mode(),
                size.nodes,
                size.edges,
                size.arcs,
                size.bytes as f64 / 1e6,
                size.bytes as f64 / size.nodes.max(1) as f64,
                size.edges as f64 / size.nodes.max(1) as f64
            );
            multi(&network.graph, 20, &mut rng);
            let g = &network.graph;
            let points: Vec<LonLat> = (0..200)
                .map(|_| {
                    let c = g.coord(rng.below(g.node_count()) as u32);
                    LonLat::new(f64::from(c[0]) * 1e-7, f64::from(c[1]) * 1e-7)
                })
                .collect();
            resident(network, &points);
        }
    }
}

/// A square grid of `side` × `side` junctions with one shape node between neighbours.
fn grid(side: usize) -> RawWays<WayRules> {
    let rules = way_rules(&[("highway", "residential")]).expect("routable");
    let fine = 2 * side - 1; // junctions and shape nodes along a line
    let id = |r: usize, c: usize| (r * fine + c) as i64 + 1;
    // The index of node (r, c) among the nodes kept below (row by row: every node of a
    // junction row, every other node of the rows between), which is what a way
    // reference holds.
    let index = |r: usize, c: usize| {
        let before = r.div_ceil(2) * fine + r / 2 * side;
        (before + if r % 2 == 0 { c } else { c / 2 }) as u32
    };
    let mut ways = Vec::with_capacity(2 * side);
    let mut refs = Vec::with_capacity(2 * side * fine);
    // Streets along rows (every junction row) and columns (every junction column).
    for r in (0..fine).step_by(2) {
        let start = refs.len();
        refs.extend((0..fine).map(|c| index(r, c)));
        ways.push(RawWay {
            osm_id: ways.len() as i64 + 1,
            rules,
            start,
            end: refs.len(),
        });
    }
    for c in (0..fine).step_by(2) {
        let start = refs.len();
        refs.extend((0..fine).map(|r| index(r, c)));
        ways.push(RawWay {
            osm_id: ways.len() as i64 + 1,
            rules,
            start,
            end: refs.len(),
        });
    }
    // Nodes used: every node on a junction row or column.
    let mut node_ids = Vec::new();
    let mut positions = Vec::new();
    for r in 0..fine {
        for c in 0..fine {
            if r % 2 == 0 || c % 2 == 0 {
                node_ids.push(id(r, c));
                // 0.0005° steps from 3.5°E 51°N: a grid over the Netherlands' width.
                positions.push([
                    35_000_000 + (c as i32) * 5_000,
                    510_000_000 + (r as i32) * 5_000,
                ]);
            }
        }
    }
    for (r, c) in [
        (0, 0),
        (1, 2),
        (fine - 1, fine - 1),
        (fine / 2, fine / 2 - 1),
    ] {
        if r % 2 == 0 || c % 2 == 0 {
            assert_eq!(
                node_ids[index(r, c) as usize],
                id(r, c),
                "grid index ({r}, {c})"
            );
        }
    }
    RawWays {
        ways,
        refs,
        node_ids,
        positions,
    }
}

/// One multi-source run towards `facilities` (snapped, as the indicators do), within
/// `within_s`: seconds taken and nodes reached.
fn towards(network: &Network, facilities: &[LonLat], within_s: f64) -> (f64, usize) {
    let (started, cpu) = (Instant::now(), cpu_s());
    let catchment = network
        .towards(facilities, 500.0, within_s)
        .expect("no deadline in a bench");
    let secs = started.elapsed().as_secs_f64();
    println!(
        "    (towards within {within_s} s: {secs:.2} s, {:.2} CPU seconds)",
        cpu_s() - cpu
    );
    let g = &network.graph;
    // A node is reached when a point standing on it is.
    let reached = (0..g.node_count() as u32)
        .filter(|&v| {
            g.edges_at(v).next().is_some_and(|edge| {
                let e = &g.edge(edge);
                let fraction = if e.from == v { 0.0 } else { 1.0 };
                let snap = Snap {
                    edge,
                    fraction,
                    off_m: 0.0,
                };
                catchment.from_snap(&snap).is_some()
            })
        })
        .count();
    (secs, reached)
}

fn synthetic() {
    let side: usize = std::env::var(SIDE_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1500);
    let facilities: usize = std::env::var(FACILITIES_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(5000);
    reset_peak_rss();
    let started = Instant::now();
    let raw = grid(side);
    let input_mb = mb(vm_kb("VmRSS"));
    println!(
        "SYNTHETIC grid {side} × {side}: {} ways, {} references, {} nodes made in {:.1} s (RSS {input_mb:.0} MB)",
        raw.ways.len(),
        raw.refs.len(),
        raw.node_ids.len(),
        started.elapsed().as_secs_f64(),
    );
    let mut rng = Lcg(11);
    let mut total_bytes = 0usize;
    let started_all = Instant::now();
    let cpu_before = cpu_s();
    let mut networks = Vec::new();
    // One mode after the other, as `Networks::from_pbf` builds them.
    for mode in [Mode::Foot, Mode::Bicycle] {
        let started = Instant::now();
        let graph = Graph::build(&raw, mode);
        let graph_s = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let network = Network::new(graph);
        let size = network.size();
        total_bytes += size.bytes;
        println!(
            "  {mode}: graph {graph_s:.1} s + snapping index {:.1} s: {} nodes, {} edges, {} arcs, {:.0} MB ({:.1} bytes a node); peak RSS so far {:.0} MB",
            started.elapsed().as_secs_f64(),
            size.nodes,
            size.edges,
            size.arcs,
            size.bytes as f64 / 1e6,
            size.bytes as f64 / size.nodes.max(1) as f64,
            mb(vm_kb("VmHWM"))
        );
        networks.push(network);
    }
    let build_s = started_all.elapsed().as_secs_f64();
    let build_cpu_s = cpu_s() - cpu_before;
    let peak_mb = mb(vm_kb("VmHWM"));
    drop(raw);
    let resident_mb = mb(vm_kb("VmRSS"));
    println!(
        "  foot + bicycle built in {build_s:.1} s ({build_cpu_s:.1} CPU seconds): {:.0} MB of graphs and snapping indexes; peak RSS {peak_mb:.0} MB with the input (the input alone {input_mb:.0} MB); RSS {resident_mb:.0} MB once the input is dropped",
        total_bytes as f64 / 1e6,
    );
    let categories = Category::ALL.len();
    let mut p99 = Vec::new();
    for network in &networks {
        let g = &network.graph;
        let random_point = |rng: &mut Lcg| {
            let c = g.coord(rng.below(g.node_count()) as u32);
            LonLat::new(f64::from(c[0]) * 1e-7, f64::from(c[1]) * 1e-7)
        };
        let sites: Vec<LonLat> = (0..facilities).map(|_| random_point(&mut rng)).collect();
        let (full_s, full_reached) = towards(network, &sites, f64::INFINITY);
        let (bounded_s, bounded_reached) = towards(network, &sites, 20.0 * 60.0);
        println!(
            "  {}: one multi-source run (Network::towards) from {facilities} facilities over {} nodes: {full_s:.2} s ({full_reached} reached); bounded at 20 minutes {bounded_s:.2} s ({bounded_reached} reached)",
            network.mode(),
            g.node_count()
        );
        let points: Vec<LonLat> = (0..200).map(|_| random_point(&mut rng)).collect();
        p99.push(resident(network, &points));
    }
    let worst = |f: fn(&(f64, f64)) -> f64| p99.iter().map(f).fold(0.0, f64::max);
    let (indicators_s, indicators_cpu_s) = indicators(&networks, &mut rng);
    // Printed after the indicators run, so the goal stands beside the measured figure,
    // not an estimate from the single 5,000-facility runs above.
    println!("  goals (issue 24) beside what this run measured:");
    println!(
        "    graph build, foot + bicycle         < 120 s   {build_s:.1} s ({build_cpu_s:.1} CPU seconds)"
    );
    println!(
        "    memory, foot + bicycle graphs       < 3 GB    {:.2} GB of graphs and indexes; peak RSS {:.2} GB with the input",
        total_bytes as f64 / 1e9,
        peak_mb / 1024.0
    );
    println!(
        "    all network indicators              < 30 s    {indicators_s:.1} s wall clock ({indicators_cpu_s:.1} CPU seconds): {categories} categories × walking and cycling"
    );
    println!(
        "    nearest by network p99              < 50 ms   {:.1} ms (worse mode)",
        worst(|p| p.1)
    );
    println!(
        "    15-minute isochrone p99             < 50 ms   {:.1} ms (worse mode)",
        worst(|p| p.0)
    );
}

/// All network indicators for all categories and both modes, as a snapshot makes them:
/// per mode the demand points snapped once, then per category one multi-source search
/// and a look-up per point. SYNTHETIC demand: `WIJKATLAS_BENCH_ROUTING_POINTS` points
/// (default 100,000, about the country's occupied 100 m cells of a large province) in
/// areas of ten; per category a made-up number of facilities from 50 to 5,000.
/// Returns the wall-clock and CPU seconds of the whole.
fn indicators(networks: &[Network], rng: &mut Lcg) -> (f64, f64) {
    use wijkatlas::analysis::network::LevelNetwork;
    use wijkatlas::model::Category;
    let count: usize = std::env::var("WIJKATLAS_BENCH_ROUTING_POINTS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(100_000);
    let g = &networks[0].graph;
    let random_point = |rng: &mut Lcg| {
        let c = g.coord(rng.below(g.node_count()) as u32);
        // Up to ~50 m off the node, as homes lie off the street.
        LonLat::new(
            f64::from(c[0]) * 1e-7 + (rng.below(1000) as f64 - 500.0) * 1e-7,
            f64::from(c[1]) * 1e-7 + (rng.below(1000) as f64 - 500.0) * 1e-7,
        )
    };
    let areas = count.div_ceil(10);
    let points: Vec<(usize, LonLat, f64)> = (0..count)
        .map(|k| (k / 10, random_point(rng), 0.1))
        .collect();
    let sizes = [5_000, 2_000, 1_000, 500, 200, 120, 50];
    let facilities: Vec<Vec<LonLat>> = Category::ALL
        .iter()
        .enumerate()
        .map(|(i, _)| {
            (0..sizes[i % sizes.len()])
                .map(|_| random_point(rng))
                .collect()
        })
        .collect();
    let population = vec![Some(1000.0); areas];
    let measured = vec![true; areas];
    let started_all = Instant::now();
    let cpu_before = cpu_s();
    // As a snapshot makes them: the modes snapped side by side, then every (mode,
    // category) search spread over the cores, the longest first.
    let started = Instant::now();
    let present: Vec<&Network> = networks.iter().collect();
    let levels = wijkatlas::parallel::map(&present, |network| {
        Ok(LevelNetwork::new(network, &points, areas, 500.0))
    })
    .expect("no deadline in a bench");
    let snap_s = started.elapsed().as_secs_f64();
    let jobs: Vec<(usize, usize)> = (0..levels.len())
        .flat_map(|m| (0..facilities.len()).map(move |c| (m, c)))
        .collect();
    let started = Instant::now();
    let scratch = wijkatlas::routing::Scratch::new();
    let cost = |&(m, c): &(usize, usize)| {
        wijkatlas::analysis::network::search_cost(levels[m].mode(), facilities[c].len())
    };
    let results = wijkatlas::parallel::map_longest_first(&jobs, cost, |&(m, c)| {
        let run = Instant::now();
        let measured =
            levels[m].measure_reusing(&facilities[c], &population, &measured, &scratch)?;
        let reached = measured.areas.iter().filter(|a| a.time_s.is_some()).count();
        Ok((run.elapsed().as_secs_f64(), reached))
    })
    .expect("no deadline in a bench");
    let search_s = started.elapsed().as_secs_f64();
    for (m, level) in levels.iter().enumerate() {
        let mine: Vec<&(f64, usize)> = jobs
            .iter()
            .zip(&results)
            .filter(|(j, _)| j.0 == m)
            .map(|(_, r)| r)
            .collect();
        println!(
            "  {}: {} categories for {count} demand points in {areas} areas: one search and its look-ups {:.1} s on average ({:.0} areas per category with a mean time, i.e. nobody beyond 20 minutes)",
            level.mode(),
            mine.len(),
            mine.iter().map(|r| r.0).sum::<f64>() / mine.len().max(1) as f64,
            mine.iter().map(|r| r.1 as f64).sum::<f64>() / mine.len().max(1) as f64
        );
    }
    println!(
        "  snapping the demand points of both modes {snap_s:.1} s; {} searches with their look-ups {search_s:.1} s on {} threads",
        jobs.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let (wall_s, cpu) = (started_all.elapsed().as_secs_f64(), cpu_s() - cpu_before);
    println!(
        "  all network indicators, {} categories × walking and cycling: {wall_s:.1} s wall clock, {cpu:.1} CPU seconds; peak RSS {:.0} MB",
        facilities.len(),
        mb(vm_kb("VmHWM"))
    );
    (wall_s, cpu)
}

fn main() {
    println!(
        "{} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    real();
    synthetic();
}
