//! wijkatlas's routing graphs against an independent router on real OpenStreetMap data:
//! `tests/clients/route_networkx.py` reads the same extracts of `../shared/data/
//! osm_nl_fixtures` (its OSM XML, where wijkatlas reads the PBF copy; the two are the same
//! data, see that folder's SOURCE.md), builds an uncontracted networkx graph with the
//! rules README "Travel along the network" states, and answers the same node pairs with
//! networkx's Dijkstra. Every travel time must agree to 0.1%, and unreachable must be
//! unreachable on both sides. Under CI a missing extract or Python fails the test.

mod common;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use wijkatlas::routing::search::{multi_source, Seed};
use wijkatlas::routing::{Mode, Networks};

/// Pairs per extract and mode: sources × targets per source.
const SOURCES: usize = 25;
const TARGETS: usize = 12;
/// At least this many pairs must be reachable, so the comparison is not of nothing.
const MIN_REACHABLE: usize = 200;

fn networkx_python(test: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/pyenv/bin/python");
    let has = python.exists()
        && Command::new(&python)
            .args(["-c", "import networkx"])
            .status()
            .is_ok_and(|s| s.success());
    if has {
        Some(python)
    } else {
        common::skip::skip(
            test,
            "networkx in target/pyenv",
            "bash scripts/test.sh installs it in the project's virtualenv",
        );
        None
    }
}

/// A small deterministic generator, so a failure can be rerun.
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

fn compare(test: &str, name: &str, modes: &[Mode]) {
    let Some(python) = networkx_python(test) else {
        return;
    };
    let Some(pbf) = common::skip::shared_data(test, &format!("osm_nl_fixtures/{name}.osm.pbf"))
    else {
        return;
    };
    let Some(xml) = common::skip::shared_data(test, &format!("osm_nl_fixtures/{name}.osm.gz"))
    else {
        return;
    };
    let networks = Networks::from_pbf(&pbf, modes).expect("the extract builds");
    for &mode in modes {
        let graph = &networks.get(mode).expect("built").graph;
        let n = graph.node_count();
        assert!(n > 100, "{name} {mode}: only {n} nodes");
        let mut rng = Lcg(0x5eed ^ n as u64);
        let mut pairs = Vec::new();
        let mut ours = Vec::new();
        // Sources at random among the nodes that reach a fair part of the graph (the
        // extracts hold fragments cut off at their edge); per source, most targets at
        // random among the nodes it reaches and some among all nodes, so that
        // "unreachable" is compared too.
        for _ in 0..SOURCES {
            let (source, reach, reached) = (0..1000)
                .find_map(|_| {
                    let source = rng.below(n) as u32;
                    let seed = Seed {
                        node: source,
                        time_s: 0.0,
                        length_m: 0.0,
                        origin: 0,
                    };
                    let reach = multi_source(graph, graph.outgoing(), &[seed], f64::INFINITY)
                        .expect("no deadline here");
                    let reached: Vec<u32> =
                        (0..n as u32).filter(|v| reach.get(*v).is_some()).collect();
                    (reached.len() * 4 >= n).then_some((source, reach, reached))
                })
                .expect("some node reaches a quarter of the graph");
            for k in 0..TARGETS {
                let target = if k % 4 == 3 {
                    rng.below(n) as u32
                } else {
                    reached[rng.below(reached.len())]
                };
                pairs.push(json!([graph.osm_id(source), graph.osm_id(target)]));
                ours.push(reach.get(target).map(|l| l.time_s));
            }
        }
        let spec = json!({"osm": xml, "mode": mode.name(), "pairs": pairs});
        let input = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(input.path(), spec.to_string()).expect("write input");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = Command::new(&python)
            .arg(root.join("tests/clients/route_networkx.py"))
            .arg(input.path())
            .output()
            .expect("run the networkx router");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs: Value = serde_json::from_slice(&out.stdout).expect("its JSON");
        let times = theirs["times"].as_array().expect("times");
        assert_eq!(times.len(), ours.len());
        let mut reachable = 0;
        let mut worst = 0.0f64;
        for (i, (a, b)) in ours.iter().zip(times).enumerate() {
            let pair = &pairs[i];
            match (a, b.as_f64()) {
                (None, None) => {}
                (Some(a), Some(b)) => {
                    reachable += 1;
                    let diff = (a - b).abs();
                    let rel = if b > 0.0 { diff / b } else { diff };
                    worst = worst.max(rel);
                    assert!(
                        diff <= 1e-3 * b || diff < 0.01,
                        "{name} {mode} {pair}: wijkatlas {a:.3} s, networkx {b:.3} s"
                    );
                }
                (a, b) => panic!("{name} {mode} {pair}: wijkatlas {a:?}, networkx {b:?}"),
            }
        }
        eprintln!(
            "{name} {mode}: {} pairs, {reachable} reachable, largest difference {:.2e} (relative); \
             wijkatlas {} nodes / {} edges after contraction, networkx {} nodes / {} edges",
            ours.len(),
            worst,
            n,
            graph.edge_count(),
            theirs["nodes"],
            theirs["edges"]
        );
        assert!(
            reachable >= MIN_REACHABLE,
            "{name} {mode}: only {reachable} of {} pairs reachable",
            ours.len()
        );
    }
}

#[test]
fn delft_foot_bicycle_and_car_agree_with_networkx() {
    compare(
        "delft_foot_bicycle_and_car_agree_with_networkx",
        "delft_tudelft_2025-08",
        &Mode::ALL,
    );
}

#[test]
fn amsterdam_foot_bicycle_and_car_agree_with_networkx() {
    compare(
        "amsterdam_foot_bicycle_and_car_agree_with_networkx",
        "amsterdam_centrum_2026-02",
        &[Mode::Foot, Mode::Bicycle, Mode::Car],
    );
}
