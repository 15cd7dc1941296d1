//! OSM extract benchmark at national size: time, throughput and peak memory of reading a
//! PBF as large as Geofabrik's Netherlands extract (about 1.3 GB).
//!
//! No real extract of that size is at hand, so the file is SYNTHETIC, written block by
//! block by this bench in the layout osmium and Geofabrik use (8,000 elements per block,
//! zlib, dense nodes with version/timestamp/changeset, then ways, then relations):
//! nodes in clusters over the Netherlands, one in twenty an address (street, number,
//! postcode, city from pools), some with other tags, one in 8,000 a care place; closed
//! building ways over consecutive nodes, one in 2,000 a care building, streets with
//! names; multipolygon relations, a few of them care sites. The reader must find exactly
//! the care elements written, which checks the writer and the reader against each other.
//!
//! ```sh
//! cargo bench --bench osm                                   # ~1.3 GB
//! WIJKATLAS_BENCH_OSM_MB=200 cargo bench --bench osm        # a smaller file
//! WIJKATLAS_BENCH_OSM_THREADS="1 2" cargo bench --bench osm # compare decoding threads
//! ```
//!
//! Peak RSS is `VmHWM` of this process, reset (via `/proc/self/clear_refs`) after the file
//! is written, so it is the reader's peak.

use flate2::write::ZlibEncoder;
use flate2::Compression;
use prost::Message;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

const MB_ENV: &str = "WIJKATLAS_BENCH_OSM_MB";
const THREADS_ENV: &str = "WIJKATLAS_BENCH_OSM_THREADS";
const DEFAULT_MB: u64 = 1300;
/// Elements per block, as osmium writes them.
const PER_BLOCK: usize = 8000;
const GOAL_SECONDS: f64 = 60.0;
const GOAL_RSS_MB: f64 = 1024.0;

const CARE_NODES: &[(&str, &str)] = &[
    ("amenity", "pharmacy"),
    ("amenity", "doctors"),
    ("healthcare", "dentist"),
    ("amenity", "community_centre"),
    ("healthcare", "physiotherapist"),
    ("amenity", "social_facility"),
    ("amenity", "library"),
];
const OTHER_NODE_TAGS: &[(&str, &str)] = &[
    ("highway", "crossing"),
    ("barrier", "gate"),
    ("highway", "street_lamp"),
    ("natural", "tree"),
    ("shop", "bakery"),
    ("amenity", "bench"),
];

fn main() {
    let mb = std::env::var(MB_ENV)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_MB);
    let threads: Vec<String> = std::env::var(THREADS_ENV)
        .map(|v| v.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let pbf = dir.path().join("synthetic-netherlands.osm.pbf");
    let started = Instant::now();
    let written = write_pbf(&pbf, mb * 1_000_000).expect("write the synthetic PBF");
    let size = std::fs::metadata(&pbf).expect("pbf").len();
    println!(
        "SYNTHETIC extract: {:.1} MB, {} nodes, {} ways, {} relations in {} blocks; {} care nodes, {} care ways, {} care relations; written in {:.1} s",
        size as f64 / 1e6,
        written.nodes,
        written.ways,
        written.relations,
        written.blocks,
        written.care_nodes,
        written.care_ways,
        written.care_relations,
        started.elapsed().as_secs_f64()
    );
    std::fs::write(
        dir.path().join("wijkatlas.toml"),
        "[[source]]\nname = \"osm-synthetic\"\npath = \"synthetic-netherlands.osm.pbf\"\nkind = \"voorzieningen\"\n",
    )
    .expect("manifest");
    let runs: Vec<Option<String>> = if threads.is_empty() {
        vec![None]
    } else {
        threads.into_iter().map(Some).collect()
    };
    for t in runs {
        match &t {
            // Read by the loader at the start of each pass.
            Some(n) => std::env::set_var("WIJKATLAS_OSM_THREADS", n),
            None => std::env::remove_var("WIJKATLAS_OSM_THREADS"),
        }
        reset_peak_rss();
        let before = vm_kb("VmRSS");
        let t0 = Instant::now();
        let loaded = wijkatlas::load::load_dir(dir.path()).expect("load");
        let secs = t0.elapsed().as_secs_f64();
        let s = &loaded.report.sources[0];
        assert!(!s.failed(), "{:?}", s.status);
        assert_eq!(
            s.read,
            written.care_nodes + written.care_ways,
            "the reader must find every care node and way written"
        );
        let peak_mb = vm_kb("VmHWM") as f64 / 1024.0;
        let rate = size as f64 / 1e6 / secs;
        println!(
            "read with {} decoding thread(s): {} care elements ({} kept) in {secs:.1} s = {rate:.1} MB/s; peak RSS {peak_mb:.0} MB (before reading {:.0} MB); {} cores",
            t.as_deref().unwrap_or("default"),
            s.read,
            s.kept,
            before as f64 / 1024.0,
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        let at_national = 1_300.0 / rate;
        println!(
            "  at this rate the 1.3 GB Netherlands extract takes {at_national:.0} s (goal < {GOAL_SECONDS} s: {}), peak RSS goal < {GOAL_RSS_MB} MB: {}",
            if at_national < GOAL_SECONDS { "met" } else { "MISSED" },
            if peak_mb < GOAL_RSS_MB { "met" } else { "MISSED" }
        );
    }
}

#[derive(Default)]
struct Written {
    nodes: u64,
    ways: u64,
    relations: u64,
    blocks: u64,
    care_nodes: u64,
    care_ways: u64,
    care_relations: u64,
}

/// Writes nodes until ~55% of `target` bytes, ways until ~99%, then relations.
fn write_pbf(path: &Path, target: u64) -> std::io::Result<Written> {
    let mut out = Sink {
        w: BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?),
        bytes: 0,
    };
    let header = pb::HeaderBlock {
        required_features: vec!["OsmSchema-V0.6".into(), "DenseNodes".into()],
        writingprogram: Some("wijkatlas benches/osm.rs (SYNTHETIC data)".into()),
    };
    out.blob("OSMHeader", &header.encode_to_vec())?;
    let mut w = Written::default();
    let mut rng = Lcg(7);
    let mut next_id = 1i64;
    let (mut lat, mut lon) = (52.0f64, 5.0f64);
    while out.bytes < target * 55 / 100 {
        let block = node_block(&mut rng, &mut next_id, &mut lat, &mut lon, &mut w);
        out.blob("OSMData", &block.encode_to_vec())?;
        w.blocks += 1;
    }
    let last_node = next_id - 1;
    let mut way_id = 1i64;
    while out.bytes < target * 99 / 100 {
        let block = way_block(&mut rng, &mut way_id, last_node, &mut w);
        out.blob("OSMData", &block.encode_to_vec())?;
        w.blocks += 1;
    }
    let mut rel_id = 1i64;
    while out.bytes < target {
        let block = relation_block(&mut rng, &mut rel_id, way_id - 1, &mut w);
        out.blob("OSMData", &block.encode_to_vec())?;
        w.blocks += 1;
    }
    out.w.flush()?;
    Ok(w)
}

struct Sink<W: Write> {
    w: W,
    bytes: u64,
}

impl<W: Write> Sink<W> {
    fn blob(&mut self, kind: &str, raw: &[u8]) -> std::io::Result<()> {
        let mut z = ZlibEncoder::new(Vec::with_capacity(raw.len() / 2), Compression::default());
        z.write_all(raw)?;
        let blob = pb::Blob {
            raw_size: Some(raw.len() as i32),
            zlib_data: Some(z.finish()?),
        }
        .encode_to_vec();
        let header = pb::BlobHeader {
            r#type: kind.into(),
            datasize: blob.len() as i32,
        }
        .encode_to_vec();
        self.w.write_all(&(header.len() as u32).to_be_bytes())?;
        self.w.write_all(&header)?;
        self.w.write_all(&blob)?;
        self.bytes += 4 + header.len() as u64 + blob.len() as u64;
        Ok(())
    }
}

/// A block's string table: index 0 is the empty string, as the format requires.
struct Strings {
    table: Vec<Vec<u8>>,
    index: std::collections::HashMap<String, u32>,
}

impl Strings {
    fn new() -> Self {
        Strings {
            table: vec![Vec::new()],
            index: Default::default(),
        }
    }

    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.table.len() as u32;
        self.table.push(s.as_bytes().to_vec());
        self.index.insert(s.to_string(), i);
        i
    }
}

fn node_block(
    rng: &mut Lcg,
    next_id: &mut i64,
    lat: &mut f64,
    lon: &mut f64,
    w: &mut Written,
) -> pb::PrimitiveBlock {
    let mut st = Strings::new();
    let mut dense = pb::DenseNodes::default();
    let mut info = pb::DenseInfo::default();
    let (mut pid, mut plat, mut plon, mut pts, mut pcs) = (0i64, 0i64, 0i64, 0i64, 0i64);
    for _ in 0..PER_BLOCK {
        let id = *next_id;
        *next_id += 1;
        // Clusters: mostly a few metres from the last node, sometimes a jump elsewhere.
        if rng.below(40) == 0 {
            *lat = 51.0 + rng.unit() * 2.4;
            *lon = 3.6 + rng.unit() * 3.4;
        } else {
            *lat = (*lat + (rng.unit() - 0.5) * 0.001).clamp(51.0, 53.4);
            *lon = (*lon + (rng.unit() - 0.5) * 0.0015).clamp(3.6, 7.0);
        }
        let la = (*lat * 1e7).round() as i64;
        let lo = (*lon * 1e7).round() as i64;
        dense.id.push(id - pid);
        dense.lat.push(la - plat);
        dense.lon.push(lo - plon);
        (pid, plat, plon) = (id, la, lo);
        let ts = 1_300_000_000 + rng.below(400_000_000) as i64;
        let cs = 10_000_000 + rng.below(140_000_000) as i64;
        info.version.push(1 + rng.below(6) as i32);
        info.timestamp.push(ts - pts);
        info.changeset.push(cs - pcs);
        (pts, pcs) = (ts, cs);
        let mut tag = |k: &str, v: &str| {
            dense.keys_vals.push(st.id(k) as i32);
            dense.keys_vals.push(st.id(v) as i32);
        };
        if id % 8000 == 0 {
            let (k, v) = CARE_NODES[(id / 8000) as usize % CARE_NODES.len()];
            tag(k, v);
            if v == "social_facility" {
                tag("social_facility", "outreach");
            }
            tag("name", &format!("Zorgpunt {id}"));
            w.care_nodes += 1;
        } else if id % 20 == 0 {
            tag("addr:street", &format!("Straat {}", rng.below(5000)));
            tag("addr:housenumber", &format!("{}", 1 + rng.below(300)));
            tag(
                "addr:postcode",
                &format!("{}{}{}", 1000 + rng.below(9000), letter(rng), letter(rng)),
            );
            tag("addr:city", &format!("Plaats {}", rng.below(300)));
        } else if id % 7 == 0 {
            let (k, v) = OTHER_NODE_TAGS[rng.below(OTHER_NODE_TAGS.len() as u64) as usize];
            tag(k, v);
        }
        dense.keys_vals.push(0);
    }
    w.nodes += PER_BLOCK as u64;
    dense.denseinfo = Some(info);
    block(
        st,
        pb::PrimitiveGroup {
            dense: Some(dense),
            ..Default::default()
        },
    )
}

fn way_block(
    rng: &mut Lcg,
    way_id: &mut i64,
    last_node: i64,
    w: &mut Written,
) -> pb::PrimitiveBlock {
    let mut st = Strings::new();
    let mut ways = Vec::with_capacity(PER_BLOCK);
    for _ in 0..PER_BLOCK {
        let id = *way_id;
        *way_id += 1;
        let (mut keys, mut vals) = (Vec::new(), Vec::new());
        let mut tag = |k: &str, v: &str| {
            keys.push(st.id(k));
            vals.push(st.id(v));
        };
        let first = 1 + rng.below(last_node.max(6) as u64 - 5) as i64;
        let refs: Vec<i64> = if id % 5 == 0 {
            tag("highway", "residential");
            tag("name", &format!("Straat {}", rng.below(5000)));
            (0..8).map(|i| first + i).collect()
        } else {
            tag("building", "yes");
            // Not a multiple of 5 (those are streets): one building in 2,000.
            if id % 2000 == 1 {
                tag("amenity", "doctors");
                tag("name", &format!("Huisartsenpraktijk {id}"));
                w.care_ways += 1;
            }
            vec![first, first + 1, first + 2, first + 3, first]
        };
        let mut prev = 0;
        let deltas = refs
            .iter()
            .map(|r| {
                let d = r - prev;
                prev = *r;
                d
            })
            .collect();
        ways.push(pb::Way {
            id,
            keys,
            vals,
            info: Some(pb::Info {
                version: Some(1 + rng.below(6) as i32),
                timestamp: Some(1_300_000_000 + rng.below(400_000_000) as i64),
                changeset: Some(10_000_000 + rng.below(140_000_000) as i64),
            }),
            refs: deltas,
        });
    }
    w.ways += PER_BLOCK as u64;
    block(
        st,
        pb::PrimitiveGroup {
            ways,
            ..Default::default()
        },
    )
}

fn relation_block(
    rng: &mut Lcg,
    rel_id: &mut i64,
    last_way: i64,
    w: &mut Written,
) -> pb::PrimitiveBlock {
    let mut st = Strings::new();
    let mut relations = Vec::with_capacity(PER_BLOCK);
    let outer = st.id("outer");
    for _ in 0..PER_BLOCK {
        let id = *rel_id;
        *rel_id += 1;
        let (mut keys, mut vals) = (Vec::new(), Vec::new());
        let mut tag = |k: &str, v: &str| {
            keys.push(st.id(k));
            vals.push(st.id(v));
        };
        tag("type", "multipolygon");
        if id % 500 == 0 {
            tag("amenity", "hospital");
            w.care_relations += 1;
        } else {
            tag("landuse", "residential");
        }
        let first = 1 + rng.below(last_way.max(4) as u64 - 3) as i64;
        relations.push(pb::Relation {
            id,
            keys,
            vals,
            roles_sid: vec![outer as i32; 3],
            memids: vec![first, 1, 1],
            types: vec![1; 3],
        });
    }
    w.relations += PER_BLOCK as u64;
    block(
        st,
        pb::PrimitiveGroup {
            relations,
            ..Default::default()
        },
    )
}

fn block(st: Strings, group: pb::PrimitiveGroup) -> pb::PrimitiveBlock {
    pb::PrimitiveBlock {
        stringtable: pb::StringTable { s: st.table },
        primitivegroup: vec![group],
    }
}

fn letter(rng: &mut Lcg) -> char {
    (b'A' + rng.below(26) as u8) as char
}

/// A small deterministic generator, so every run writes the same file.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 31) as f64
    }
}

/// Resets `VmHWM` to the current RSS (Linux: writing 5 to clear_refs).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

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

/// The OSM PBF messages this bench writes (fileformat.proto, osmformat.proto), with
/// only the fields it uses.
mod pb {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct BlobHeader {
        #[prost(string, tag = "1")]
        pub r#type: String,
        #[prost(int32, tag = "3")]
        pub datasize: i32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Blob {
        #[prost(int32, optional, tag = "2")]
        pub raw_size: Option<i32>,
        #[prost(bytes = "vec", optional, tag = "3")]
        pub zlib_data: Option<Vec<u8>>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct HeaderBlock {
        #[prost(string, repeated, tag = "4")]
        pub required_features: Vec<String>,
        #[prost(string, optional, tag = "16")]
        pub writingprogram: Option<String>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PrimitiveBlock {
        #[prost(message, required, tag = "1")]
        pub stringtable: StringTable,
        #[prost(message, repeated, tag = "2")]
        pub primitivegroup: Vec<PrimitiveGroup>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct StringTable {
        #[prost(bytes = "vec", repeated, tag = "1")]
        pub s: Vec<Vec<u8>>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PrimitiveGroup {
        #[prost(message, optional, tag = "2")]
        pub dense: Option<DenseNodes>,
        #[prost(message, repeated, tag = "3")]
        pub ways: Vec<Way>,
        #[prost(message, repeated, tag = "4")]
        pub relations: Vec<Relation>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct DenseNodes {
        #[prost(sint64, repeated, tag = "1")]
        pub id: Vec<i64>,
        #[prost(message, optional, tag = "5")]
        pub denseinfo: Option<DenseInfo>,
        #[prost(sint64, repeated, tag = "8")]
        pub lat: Vec<i64>,
        #[prost(sint64, repeated, tag = "9")]
        pub lon: Vec<i64>,
        #[prost(int32, repeated, tag = "10")]
        pub keys_vals: Vec<i32>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct DenseInfo {
        #[prost(int32, repeated, tag = "1")]
        pub version: Vec<i32>,
        #[prost(sint64, repeated, tag = "2")]
        pub timestamp: Vec<i64>,
        #[prost(sint64, repeated, tag = "3")]
        pub changeset: Vec<i64>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Info {
        #[prost(int32, optional, tag = "1")]
        pub version: Option<i32>,
        #[prost(int64, optional, tag = "2")]
        pub timestamp: Option<i64>,
        #[prost(int64, optional, tag = "3")]
        pub changeset: Option<i64>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Way {
        #[prost(int64, required, tag = "1")]
        pub id: i64,
        #[prost(uint32, repeated, tag = "2")]
        pub keys: Vec<u32>,
        #[prost(uint32, repeated, tag = "3")]
        pub vals: Vec<u32>,
        #[prost(message, optional, tag = "4")]
        pub info: Option<Info>,
        #[prost(sint64, repeated, tag = "8")]
        pub refs: Vec<i64>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Relation {
        #[prost(int64, required, tag = "1")]
        pub id: i64,
        #[prost(uint32, repeated, tag = "2")]
        pub keys: Vec<u32>,
        #[prost(uint32, repeated, tag = "3")]
        pub vals: Vec<u32>,
        #[prost(int32, repeated, tag = "8")]
        pub roles_sid: Vec<i32>,
        #[prost(sint64, repeated, tag = "9")]
        pub memids: Vec<i64>,
        #[prost(int32, repeated, tag = "10")]
        pub types: Vec<i32>,
    }
}
