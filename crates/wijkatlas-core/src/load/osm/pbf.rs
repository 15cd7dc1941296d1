//! The two streaming passes over a PBF file, block by block, its blocks decoded in
//! parallel and their findings merged in file order.

use super::tags::{self, Classified, TagPattern, Tags};
use crate::crs::LonLat;
use crate::load::error::SourceError;
use crate::model::{Address, Category};
use osmpbf::{Blob, BlobReader, BlobType, Element, PrimitiveBlock};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a long read says how far it has come.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// What a PBF reader must understand; anything else a file requires is refused.
const KNOWN_FEATURES: &[&str] = &["OsmSchema-V0.6", "DenseNodes", "HistoricalInformation"];

/// Decoding threads when the machine has many cores: past this the single reading
/// thread and the merge are the limit.
const MAX_DECODERS: usize = 8;
const THREADS_ENV: &str = "WIJKATLAS_OSM_THREADS";

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
    threads: usize,
}

impl<'a> Scan<'a> {
    pub fn new(path: &'a Path, size: u64, overrides: &'a BTreeMap<TagPattern, Category>) -> Self {
        Scan {
            path,
            size,
            overrides,
            threads: decoders(),
        }
    }

    /// The same with a given number of decoding threads.
    #[cfg(test)]
    pub fn with_threads(self, threads: usize) -> Self {
        Scan {
            threads: threads.max(1),
            ..self
        }
    }

    /// First pass: the matching nodes and ways, in file order.
    pub fn pois(&self, reader: impl Read + Send) -> Result<Found, SourceError> {
        let mut found = Found::default();
        self.blocks(
            reader,
            "care/welfare elements",
            None,
            |block| self.collect(block),
            |index, part| {
                if part.has_nodes {
                    found.last_node_block = index;
                }
                found.candidates.extend(part.candidates);
                found.way_nodes.extend(part.way_nodes);
                found.relation_count += part.relation_count;
                let room = REMEMBERED_RELATIONS.saturating_sub(found.relations.len());
                found
                    .relations
                    .extend(part.relations.into_iter().take(room));
            },
        )?;
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
        self.blocks(
            reader,
            "way nodes",
            Some(last),
            |block| {
                let mut here = Vec::new();
                for element in block.elements() {
                    let (id, lon, lat) = match element {
                        Element::Node(n) => (n.id(), n.lon(), n.lat()),
                        Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
                        _ => continue,
                    };
                    if wanted.contains(&id) {
                        here.push((id, LonLat::new(lon, lat)));
                    }
                }
                here
            },
            |_, here| positions.extend(here),
        )?;
        Ok(positions)
    }

    /// What one block holds for the first pass.
    fn collect(&self, block: &PrimitiveBlock) -> BlockFinds {
        let mut part = BlockFinds::default();
        for element in block.elements() {
            match element {
                Element::Node(n) => {
                    part.has_nodes = true;
                    if let Some(c) = self.candidate(OsmKind::Node, n.id(), n.tags()) {
                        part.candidates.push(Candidate {
                            position: Some(LonLat::new(n.lon(), n.lat())),
                            ..c
                        });
                    }
                }
                Element::DenseNode(n) => {
                    part.has_nodes = true;
                    if let Some(c) = self.candidate(OsmKind::Node, n.id(), n.tags()) {
                        part.candidates.push(Candidate {
                            position: Some(LonLat::new(n.lon(), n.lat())),
                            ..c
                        });
                    }
                }
                Element::Way(w) => {
                    if let Some(c) = self.candidate(OsmKind::Way, w.id(), w.tags()) {
                        let refs: Vec<i64> = w.refs().collect();
                        part.way_nodes.extend(refs.iter().copied());
                        part.candidates.push(Candidate { refs, ..c });
                    }
                }
                Element::Relation(r) => {
                    let selected = r.tags().any(|(k, _)| tags::may_select(k, self.overrides))
                        && tags::classify(&Tags::new(r.tags()), self.overrides).is_some();
                    if selected {
                        part.relation_count += 1;
                        if part.relations.len() < REMEMBERED_RELATIONS {
                            part.relations.push(r.id());
                        }
                    }
                }
            }
        }
        part
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

    /// Reads the file's blocks in order on one thread, decodes and `work`s the data
    /// blocks on [`decoders`] threads, and hands each block's result to `merge` in file
    /// order with the block's index, so the outcome is the same as a sequential read.
    /// With `last`, no block after that index is read.
    ///
    /// Decompressing and decoding the blocks is most of the time a read takes; reading
    /// the blobs themselves is cheap. At most a few blocks per thread are in flight, so
    /// memory stays bounded whatever the file's size.
    pub(super) fn blocks<T: Send>(
        &self,
        reader: impl Read + Send,
        pass: &str,
        last: Option<usize>,
        work: impl Fn(&PrimitiveBlock) -> T + Sync,
        mut merge: impl FnMut(usize, T),
    ) -> Result<(), SourceError> {
        let threads = self.threads;
        let (jobs_tx, jobs_rx) = mpsc::sync_channel::<(usize, u64, Blob)>(threads * 2);
        let jobs_rx = Mutex::new(jobs_rx);
        let (done_tx, done_rx) = mpsc::channel::<(usize, u64, Result<Option<T>, SourceError>)>();
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let done = done_tx.clone();
            let stop_reading = &stop;
            scope.spawn(move || self.read_blobs(reader, last, stop_reading, &jobs_tx, &done));
            for _ in 0..threads {
                let done = done_tx.clone();
                let (jobs, work) = (&jobs_rx, &work);
                scope.spawn(move || loop {
                    // The lock is held only to take the next blob, not to decode it.
                    let job = jobs.lock().map(|rx| rx.recv());
                    let Ok(Ok((index, at, blob))) = job else {
                        break;
                    };
                    let result = self.decode(index, at, &blob, work);
                    if done.send((index, at, result.map(Some))).is_err() {
                        break;
                    }
                });
            }
            drop(done_tx);
            let mut progress = Progress::new(self.path, self.size, pass);
            let mut waiting = BTreeMap::new();
            let mut next = 0usize;
            let outcome = (|| {
                for (index, at, result) in done_rx.iter() {
                    waiting.insert(index, (at, result));
                    while let Some((at, result)) = waiting.remove(&next) {
                        if let Some(value) = result? {
                            merge(next, value);
                        }
                        progress.tick(at);
                        next += 1;
                    }
                }
                Ok(())
            })();
            // On an error the reader stops sending and the decoders stop sending back; a
            // reader waiting for room in the queue is let go by emptying it.
            stop.store(true, Ordering::Relaxed);
            drop(done_rx);
            while let Ok(Ok(_)) = jobs_rx.lock().map(|rx| rx.recv()) {}
            outcome
        })
    }

    /// The reading thread: checks the header, sends data blobs to the decoders and
    /// reports everything else (header, unknown blocks, errors) straight to the merger.
    #[allow(clippy::type_complexity)]
    fn read_blobs<T>(
        &self,
        reader: impl Read + Send,
        last: Option<usize>,
        stop: &AtomicBool,
        jobs: &mpsc::SyncSender<(usize, u64, Blob)>,
        done: &mpsc::Sender<(usize, u64, Result<Option<T>, SourceError>)>,
    ) {
        let counted = Arc::new(AtomicU64::new(0));
        let mut blobs = BlobReader::new(Counting {
            inner: reader,
            bytes: Arc::clone(&counted),
        });
        let mut seen_header = false;
        let mut index = 0usize;
        let fail = |index, at, e| {
            let _ = done.send((index, at, Err(e)));
        };
        while !stop.load(Ordering::Relaxed) {
            let at = counted.load(Ordering::Relaxed);
            let Some(blob) = blobs.next() else { break };
            let blob = match blob {
                Ok(b) => b,
                Err(e) => return fail(index, at, self.error(index, at, &e.to_string())),
            };
            match blob.get_type() {
                BlobType::OsmHeader => {
                    let header = blob
                        .to_headerblock()
                        .map_err(|e| self.error(index, at, &e.to_string()))
                        .and_then(|h| self.check_features(h.required_features()));
                    if let Err(e) = header {
                        return fail(index, at, e);
                    }
                    seen_header = true;
                    let _ = done.send((index, at, Ok(None)));
                }
                BlobType::OsmData if !seen_header => {
                    return fail(
                        index,
                        at,
                        self.not_pbf("it has data before its OSMHeader block"),
                    );
                }
                BlobType::OsmData => {
                    if jobs.send((index, at, blob)).is_err() {
                        return;
                    }
                }
                // The format says to skip block types one does not know.
                BlobType::Unknown(_) => {
                    let _ = done.send((index, at, Ok(None)));
                }
            }
            if last.is_some_and(|l| index >= l) {
                return;
            }
            index += 1;
        }
        if !seen_header && !stop.load(Ordering::Relaxed) {
            fail(
                index,
                counted.load(Ordering::Relaxed),
                self.not_pbf("it has no OSMHeader block (empty, or not a PBF file)"),
            );
        }
    }

    /// Decodes one data blob and works it. osmpbf trusts the deltas and string indices in
    /// a block; on a corrupt block its iterators can panic (integer overflow in debug
    /// builds). One bad file must not take the server down, so such a panic becomes this
    /// file's error.
    fn decode<T>(
        &self,
        index: usize,
        at: u64,
        blob: &Blob,
        work: &(impl Fn(&PrimitiveBlock) -> T + Sync),
    ) -> Result<T, SourceError> {
        let block = blob
            .to_primitiveblock()
            .map_err(|e| self.error(index, at, &e.to_string()))?;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&block))).map_err(|_| {
            self.error(
                index,
                at,
                "the block's contents are inconsistent (corrupt data)",
            )
        })
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

/// What one block adds to [`Found`].
#[derive(Default)]
struct BlockFinds {
    candidates: Vec<Candidate>,
    way_nodes: Vec<i64>,
    has_nodes: bool,
    relations: Vec<i64>,
    relation_count: u64,
}

/// Threads that decode blocks: one per core, at most [`MAX_DECODERS`];
/// `WIJKATLAS_OSM_THREADS` sets another number (1 reads as before, on one core).
fn decoders() -> usize {
    std::env::var(THREADS_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(MAX_DECODERS)
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A PBF of many blocks (osmium writes 8,000 elements a block), built from OPL.
    fn many_blocks(dir: &Path) -> std::path::PathBuf {
        let opl = dir.join("many.opl");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&opl).unwrap());
        for id in 1..=60_000u32 {
            let lon = 4.0 + f64::from(id % 1000) * 0.001;
            let lat = 52.0 + f64::from(id / 1000) * 0.001;
            let tags = if id % 997 == 0 {
                " Tamenity=doctors"
            } else {
                ""
            };
            writeln!(w, "n{id} v1 x{lon:.4} y{lat:.4}{tags}").unwrap();
        }
        for id in 1..=20_000u32 {
            let n = id * 2;
            let tags = if id % 1500 == 0 {
                "Tamenity=pharmacy"
            } else {
                "Tbuilding=yes"
            };
            writeln!(w, "w{id} v1 {tags} Nn{n},n{},n{},n{n}", n + 1, n + 2).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        let pbf = dir.join("many.osm.pbf");
        let ok = std::process::Command::new("osmium")
            .arg("cat")
            .arg(&opl)
            .args(["--overwrite", "-o"])
            .arg(&pbf)
            .status()
            .map(|s| s.success());
        assert!(
            matches!(ok, Ok(true)),
            "osmium is needed for this test (bash scripts/test.sh installs osmium-tool)"
        );
        pbf
    }

    #[test]
    fn parallel_decoding_gives_the_file_order_of_a_sequential_read() {
        let dir = tempfile::tempdir().unwrap();
        let pbf = many_blocks(dir.path());
        let size = std::fs::metadata(&pbf).unwrap().len();
        let none = BTreeMap::new();
        let read = |threads| {
            let scan = Scan::new(&pbf, size, &none).with_threads(threads);
            let found = scan
                .pois(std::fs::File::open(&pbf).unwrap())
                .expect("first pass");
            let positions = scan
                .node_positions(
                    std::fs::File::open(&pbf).unwrap(),
                    &found.way_nodes,
                    found.last_node_block,
                )
                .expect("second pass");
            let ids: Vec<(OsmKind, i64)> = found
                .candidates
                .iter()
                .map(|c| (c.kind, c.osm_id))
                .collect();
            (ids, found.last_node_block, positions.len())
        };
        let one = read(1);
        assert!(
            one.1 >= 7,
            "only {} node blocks: the test needs many",
            one.1
        );
        assert_eq!(one.0.len(), 60 + 13, "care nodes and ways");
        assert_eq!(one.2, 13 * 3, "the nodes of the care ways");
        for threads in [2, 4] {
            assert_eq!(read(threads), one, "{threads} threads");
        }
    }
}
