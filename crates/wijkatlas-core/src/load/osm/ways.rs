//! The ways of an extract that someone can travel along, and the positions of their
//! nodes: what the routing graph (`crate::routing`) is built from.
//!
//! Two streaming passes, like the care reader: the first keeps the ways a `select`
//! function accepts (with its verdict and their node ids), the second looks up only the
//! nodes those ways use. Node ids are kept sorted in one array and positions in
//! 1e-7 degrees (OSM's own precision) beside them, and each way reference becomes the
//! u32 index of its node there, so memory is about 16 bytes per used node plus 4 per
//! way reference (8 while the first pass runs), not a hash map per node.

use super::pbf::Scan;
use crate::load::error::SourceError;
use osmpbf::Element;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// The tag keys that can make a way travellable; a way without any is skipped before
/// its tags are collected.
const ROUTING_KEYS: &[&str] = &["highway", "route"];

/// One selected way.
#[derive(Debug, Clone)]
pub struct RawWay<W> {
    pub osm_id: i64,
    pub rules: W,
    /// Its node references: `RawWays::refs[start..end]`.
    pub start: usize,
    pub end: usize,
}

/// The selected ways and the positions of their nodes.
#[derive(Debug)]
pub struct RawWays<W> {
    pub ways: Vec<RawWay<W>>,
    /// Node references of all ways, one after the other, as indices into `node_ids`;
    /// [`RawWays::MISSING`] where the extract lacks the node (a way cut at its edge).
    pub refs: Vec<u32>,
    /// Every referenced node id, sorted, once.
    pub node_ids: Vec<i64>,
    /// The position of `node_ids[i]` as (lon, lat) in 1e-7 degrees;
    /// [`RawWays::NOWHERE`] when the node is not in the extract.
    pub positions: Vec<[i32; 2]>,
}

impl<W> RawWays<W> {
    /// A reference to a node the extract lacks.
    pub const MISSING: u32 = u32::MAX;
    /// The position of a node the extract lacks (no real position: -214° longitude).
    pub const NOWHERE: [i32; 2] = [i32::MIN, i32::MIN];

    /// The index of a node id in `node_ids`.
    pub fn node_index(&self, id: i64) -> Option<usize> {
        self.node_ids.binary_search(&id).ok()
    }

    /// The position of `node_ids[i]`, when the extract has it.
    pub fn position(&self, i: usize) -> Option<[i32; 2]> {
        self.positions
            .get(i)
            .copied()
            .filter(|p| *p != Self::NOWHERE)
    }
}

/// Reads the ways `select` accepts (it sees a way's tags and says what it needs to know
/// of them) and the positions of their nodes.
pub fn read_ways<W, F>(path: &Path, select: F) -> Result<RawWays<W>, SourceError>
where
    W: Send,
    F: Fn(&[(&str, &str)]) -> Option<W> + Sync,
{
    let io = |source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    let open = || {
        std::fs::File::open(path)
            .map(|f| std::io::BufReader::with_capacity(1 << 16, f))
            .map_err(io)
    };
    let none = BTreeMap::new();
    let scan = Scan::new(path, size, &none);
    let (ways, ids, last_node_block) = selected_ways(&scan, open()?, &select)?;
    let mut node_ids = ids.clone();
    node_ids.sort_unstable();
    node_ids.dedup();
    node_ids.shrink_to_fit();
    if node_ids.len() >= RawWays::<W>::MISSING as usize || ids.len() >= u32::MAX as usize {
        return Err(SourceError::Pbf {
            path: path.to_path_buf(),
            message: format!(
                "routable ways use {} distinct nodes in {} references: more than a routing graph numbers (u32)",
                node_ids.len(),
                ids.len()
            ),
        });
    }
    // Each reference as the index of its node: half the memory of the ids.
    let mut refs: Vec<u32> = ids
        .iter()
        .map(|id| node_ids.partition_point(|n| n < id) as u32)
        .collect();
    drop(ids);
    let positions = match last_node_block {
        Some(last) => positions(&scan, open()?, &node_ids, last)?,
        None => vec![RawWays::<W>::NOWHERE; node_ids.len()],
    };
    for r in &mut refs {
        if positions[*r as usize] == RawWays::<W>::NOWHERE {
            *r = RawWays::<W>::MISSING;
        }
    }
    Ok(RawWays {
        ways,
        refs,
        node_ids,
        positions,
    })
}

type Selected<W> = (Vec<RawWay<W>>, Vec<i64>, Option<usize>);

fn selected_ways<W: Send>(
    scan: &Scan<'_>,
    reader: impl Read + Send,
    select: &(impl Fn(&[(&str, &str)]) -> Option<W> + Sync),
) -> Result<Selected<W>, SourceError> {
    let mut ways = Vec::new();
    let mut refs = Vec::new();
    let mut last_node_block = None;
    scan.blocks(
        reader,
        "routable ways",
        None,
        |block| {
            let mut found: Vec<(i64, W, Vec<i64>)> = Vec::new();
            let mut has_nodes = false;
            for element in block.elements() {
                match element {
                    Element::Node(_) | Element::DenseNode(_) => has_nodes = true,
                    Element::Way(w) => {
                        if !w.tags().any(|(k, _)| ROUTING_KEYS.contains(&k)) {
                            continue;
                        }
                        let tags: Vec<(&str, &str)> = w.tags().collect();
                        if let Some(rules) = select(&tags) {
                            found.push((w.id(), rules, w.refs().collect()));
                        }
                    }
                    Element::Relation(_) => {}
                }
            }
            (has_nodes, found)
        },
        |index, (has_nodes, found)| {
            if has_nodes {
                last_node_block = Some(index);
            }
            for (osm_id, rules, way_refs) in found {
                let start = refs.len();
                refs.extend(way_refs);
                ways.push(RawWay {
                    osm_id,
                    rules,
                    start,
                    end: refs.len(),
                });
            }
        },
    )?;
    Ok((ways, refs, last_node_block))
}

/// The positions of the `wanted` (sorted) nodes. Blocks hold nodes in id order in
/// every extract osmium or Geofabrik write, so each block walks `wanted` from where its
/// first node would be instead of searching for every node; an unsorted block only
/// searches more often.
fn positions(
    scan: &Scan<'_>,
    reader: impl Read + Send,
    wanted: &[i64],
    last: usize,
) -> Result<Vec<[i32; 2]>, SourceError> {
    let mut out = vec![RawWays::<()>::NOWHERE; wanted.len()];
    scan.blocks(
        reader,
        "way node positions",
        Some(last),
        |block| {
            let mut here = Vec::new();
            let mut at = 0usize;
            let mut previous = i64::MIN;
            for element in block.elements() {
                let (id, lon, lat) = match element {
                    Element::Node(n) => (n.id(), n.decimicro_lon(), n.decimicro_lat()),
                    Element::DenseNode(n) => (n.id(), n.decimicro_lon(), n.decimicro_lat()),
                    _ => continue,
                };
                if id < previous {
                    at = 0;
                }
                previous = id;
                at = advance(wanted, at, id);
                if wanted.get(at) == Some(&id) {
                    here.push((at, [lon, lat]));
                }
            }
            here
        },
        |_, here| {
            for (at, p) in here {
                out[at] = p;
            }
        },
    )?;
    Ok(out)
}

/// The first index at or after `from` whose id is not below `id`, by galloping: cheap
/// when it is near, a binary search when it is far.
fn advance(wanted: &[i64], from: usize, id: i64) -> usize {
    let mut step = 1;
    let mut low = from;
    while low + step <= wanted.len() && wanted[low + step - 1] < id {
        low += step;
        step *= 2;
    }
    let high = (low + step).min(wanted.len());
    low + wanted[low..high].partition_point(|w| *w < id)
}

#[cfg(test)]
mod tests {
    use super::advance;

    #[test]
    fn galloping_finds_what_a_binary_search_finds() {
        let wanted: Vec<i64> = (0..1000).map(|i| i * 3).collect();
        for from in [0, 1, 10, 500, 999, 1000] {
            for id in [-5, 0, 1, 2, 3, 100, 1500, 2997, 2998, 5000] {
                let expect = wanted.partition_point(|w| *w < id);
                if expect >= from {
                    assert_eq!(advance(&wanted, from, id), expect, "from {from} id {id}");
                }
            }
        }
    }
}
