//! The two streaming passes over a PBF file, block by block.

use super::tags::{self, Classified, TagPattern, Tags};
use crate::crs::LonLat;
use crate::load::error::SourceError;
use crate::model::{Address, Category};
use osmpbf::{BlobDecode, BlobReader, Element, PrimitiveBlock};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often a long read says how far it has come.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// What a PBF reader must understand; anything else a file requires is refused.
const KNOWN_FEATURES: &[&str] = &["OsmSchema-V0.6", "DenseNodes", "HistoricalInformation"];

/// At most this many skipped relations are remembered by id.
const REMEMBERED_RELATIONS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsmKind {
    Node,
    Way,
}

/// A care or welfare element as found in the first pass.
#[derive(Debug)]
pub struct Candidate {
    pub kind: OsmKind,
    pub osm_id: i64,
    pub classified: Classified,
    pub name: Option<String>,
    pub address: Address,
    /// The tag it came from (`capacity` or `beds`) and its text.
    pub capacity: Option<(&'static str, String)>,
    /// Known for nodes; ways get theirs from their nodes in the second pass.
    pub position: Option<LonLat>,
    pub refs: Vec<i64>,
}

/// What the first pass found.
#[derive(Debug, Default)]
pub struct Found {
    pub candidates: Vec<Candidate>,
    /// The nodes of the matching ways, whose positions the second pass looks up.
    pub way_nodes: HashSet<i64>,
    /// Index of the last block holding nodes: the second pass stops after it.
    pub last_node_block: usize,
    pub relations: Vec<i64>,
    pub relation_count: u64,
}

/// One file being read, with what is needed to name it in errors and progress lines.
pub struct Scan<'a> {
    path: &'a Path,
    size: u64,
    overrides: &'a BTreeMap<TagPattern, Category>,
}

impl<'a> Scan<'a> {
    pub fn new(path: &'a Path, size: u64, overrides: &'a BTreeMap<TagPattern, Category>) -> Self {
        Scan {
            path,
            size,
            overrides,
        }
    }

    /// First pass: the matching nodes and ways.
    pub fn pois(&self, reader: impl Read + Send) -> Result<Found, SourceError> {
        let mut found = Found::default();
        self.for_each_block(reader, "care/welfare elements", |index, block| {
            self.collect(index, block, &mut found);
            true
        })?;
        Ok(found)
    }

    /// Second pass: the positions of `wanted` nodes, reading no further than block `last`.
    pub fn node_positions(
        &self,
        reader: impl Read + Send,
        wanted: &HashSet<i64>,
        last: usize,
    ) -> Result<HashMap<i64, LonLat>, SourceError> {
        let mut positions = HashMap::with_capacity(wanted.len());
        self.for_each_block(reader, "way nodes", |index, block| {
            for element in block.elements() {
                let (id, lon, lat) = match element {
                    Element::Node(n) => (n.id(), n.lon(), n.lat()),
                    Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
                    _ => continue,
                };
                if wanted.contains(&id) {
                    positions.insert(id, LonLat::new(lon, lat));
                }
            }
            index < last
        })?;
        Ok(positions)
    }

    fn collect(&self, index: usize, block: &PrimitiveBlock, found: &mut Found) {
        for element in block.elements() {
            match element {
                Element::Node(n) => {
                    found.last_node_block = index;
                    if let Some(c) = self.candidate(OsmKind::Node, n.id(), n.tags()) {
                        found.candidates.push(Candidate {
                            position: Some(LonLat::new(n.lon(), n.lat())),
                            ..c
                        });
                    }
                }
                Element::DenseNode(n) => {
                    found.last_node_block = index;
                    if let Some(c) = self.candidate(OsmKind::Node, n.id(), n.tags()) {
                        found.candidates.push(Candidate {
                            position: Some(LonLat::new(n.lon(), n.lat())),
                            ..c
                        });
                    }
                }
                Element::Way(w) => {
                    if let Some(c) = self.candidate(OsmKind::Way, w.id(), w.tags()) {
                        let refs: Vec<i64> = w.refs().collect();
                        found.way_nodes.extend(refs.iter().copied());
                        found.candidates.push(Candidate { refs, ..c });
                    }
                }
                Element::Relation(r) => {
                    let selected = r.tags().any(|(k, _)| tags::may_select(k, self.overrides))
                        && tags::classify(&Tags::new(r.tags()), self.overrides).is_some();
                    if selected {
                        found.relation_count += 1;
                        if found.relations.len() < REMEMBERED_RELATIONS {
                            found.relations.push(r.id());
                        }
                    }
                }
            }
        }
    }

    fn candidate<'t>(
        &self,
        kind: OsmKind,
        osm_id: i64,
        pairs: impl Iterator<Item = (&'t str, &'t str)> + Clone,
    ) -> Option<Candidate> {
        // Most elements carry no tag that could select them; look before collecting.
        if !pairs
            .clone()
            .any(|(k, _)| tags::may_select(k, self.overrides))
        {
            return None;
        }
        let tags = Tags::new(pairs);
        let classified = tags::classify(&tags, self.overrides)?;
        let text = |key| tags.get(key).map(str::to_string);
        let street = match (tags.get("addr:street"), tags.get("addr:housenumber")) {
            (Some(s), Some(n)) => Some(format!("{s} {n}")),
            (Some(s), None) => Some(s.to_string()),
            (None, _) => None,
        };
        let capacity = ["capacity", "beds"]
            .into_iter()
            .find_map(|k| tags.get(k).map(|v| (k, v.to_string())));
        Some(Candidate {
            kind,
            osm_id,
            classified,
            name: text("name"),
            address: Address {
                street,
                postcode: text("addr:postcode"),
                city: text("addr:city"),
            },
            capacity,
            position: None,
            refs: Vec::new(),
        })
    }

    /// Decodes each block in turn and hands the data blocks to `visit` with their index,
    /// until it returns false or the file ends.
    fn for_each_block(
        &self,
        reader: impl Read + Send,
        pass: &str,
        mut visit: impl FnMut(usize, &PrimitiveBlock) -> bool,
    ) -> Result<(), SourceError> {
        let counted = Arc::new(AtomicU64::new(0));
        let mut blobs = BlobReader::new(Counting {
            inner: reader,
            bytes: Arc::clone(&counted),
        });
        let mut progress = Progress::new(self.path, self.size, pass);
        let mut index = 0usize;
        let mut seen_header = false;
        loop {
            let at = counted.load(Ordering::Relaxed);
            let Some(blob) = blobs.next() else { break };
            let blob = blob.map_err(|e| self.error(index, at, &e.to_string()))?;
            let decoded = blob
                .decode()
                .map_err(|e| self.error(index, at, &e.to_string()))?;
            match decoded {
                BlobDecode::OsmHeader(header) => {
                    self.check_features(header.required_features())?;
                    seen_header = true;
                }
                BlobDecode::OsmData(_) if !seen_header => {
                    return Err(self.not_pbf("it has data before its OSMHeader block"));
                }
                BlobDecode::OsmData(block) => {
                    if !self.visit_guarded(index, at, &block, &mut visit)? {
                        break;
                    }
                }
                // The format says to skip block types one does not know.
                BlobDecode::Unknown(_) => {}
            }
            index += 1;
            progress.tick(at);
        }
        if !seen_header {
            return Err(self.not_pbf("it has no OSMHeader block (empty, or not a PBF file)"));
        }
        Ok(())
    }

    /// osmpbf trusts the deltas and string indices in a block; on a corrupt block its
    /// iterators can panic (integer overflow in debug builds). One bad file must not take
    /// the server down, so such a panic becomes this file's error.
    fn visit_guarded(
        &self,
        index: usize,
        at: u64,
        block: &PrimitiveBlock,
        visit: &mut impl FnMut(usize, &PrimitiveBlock) -> bool,
    ) -> Result<bool, SourceError> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| visit(index, block))).map_err(
            |_| {
                self.error(
                    index,
                    at,
                    "the block's contents are inconsistent (corrupt data)",
                )
            },
        )
    }

    fn check_features(&self, required: &[String]) -> Result<(), SourceError> {
        match required
            .iter()
            .find(|f| !KNOWN_FEATURES.contains(&f.as_str()))
        {
            Some(f) => Err(SourceError::Pbf {
                path: self.path.to_path_buf(),
                message: format!(
                    "the file requires the PBF feature '{f}', which wijkatlas cannot read"
                ),
            }),
            None => Ok(()),
        }
    }

    fn error(&self, index: usize, at: u64, message: &str) -> SourceError {
        SourceError::Pbf {
            path: self.path.to_path_buf(),
            message: format!(
                "block {} (from byte {at} of {}): {message}; the file is truncated or corrupt",
                index + 1,
                self.size
            ),
        }
    }

    fn not_pbf(&self, why: &str) -> SourceError {
        SourceError::Pbf {
            path: self.path.to_path_buf(),
            message: format!("not an OSM PBF file: {why}"),
        }
    }
}

/// Counts the bytes read so far, for progress and for naming where an error is.
struct Counting<R> {
    inner: R,
    bytes: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

struct Progress<'a> {
    path: &'a Path,
    size: u64,
    pass: &'a str,
    last: Instant,
}

impl<'a> Progress<'a> {
    fn new(path: &'a Path, size: u64, pass: &'a str) -> Self {
        Progress {
            path,
            size,
            pass,
            last: Instant::now(),
        }
    }

    fn tick(&mut self, bytes: u64) {
        if self.last.elapsed() < PROGRESS_EVERY {
            return;
        }
        self.last = Instant::now();
        let mb = |b: u64| b as f64 / 1e6;
        tracing::info!(
            path = %self.path.display(),
            pass = self.pass,
            "reading OSM extract: {:.0} of {:.0} MB ({:.0}%)",
            mb(bytes),
            mb(self.size),
            100.0 * bytes as f64 / self.size.max(1) as f64
        );
    }
}
