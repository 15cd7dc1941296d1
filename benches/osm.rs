//! OSM extract benchmark: time, throughput and peak memory of reading a ≥ 100 MB PBF.
//!
//! No real extract of that size is at hand, so the file is SYNTHETIC: this bench writes
//! an OPL file (OSM's one-line text format) of millions of nodes scattered over the
//! Netherlands, mostly with tags of no interest (unique names and addresses, so that the
//! blocks do not compress away) and one in a thousand a care POI, plus closed care ways,
//! and converts it with osmium. Then it loads it as a data directory would.
//!
//! ```sh
//! cargo bench --bench osm
//! WIJKATLAS_BENCH_OSM_NODES=2000000 cargo bench --bench osm   # a smaller file
//! ```
//!
//! Peak RSS is `VmHWM` of this process; the file is written by a streaming writer and
//! converted by osmium in a child process, so it is the reader's peak.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const NODES_ENV: &str = "WIJKATLAS_BENCH_OSM_NODES";
const DEFAULT_NODES: u64 = 8_500_000;
const CARE: &[&str] = &[
    "amenity=pharmacy",
    "amenity=doctors",
    "healthcare=dentist",
    "amenity=community_centre",
];

fn main() {
    let nodes = std::env::var(NODES_ENV)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_NODES);
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let opl = dir.path().join("synthetic.opl");
    write_opl(&opl, nodes).expect("write OPL");
    let pbf = dir.path().join("synthetic.osm.pbf");
    let ok = Command::new("osmium")
        .arg("cat")
        .arg(&opl)
        .args(["--overwrite", "-o"])
        .arg(&pbf)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "osmium is needed to build the synthetic extract (bash scripts/test.sh installs it)"
    );
    let _ = std::fs::remove_file(&opl);
    let size = std::fs::metadata(&pbf).expect("pbf").len();
    println!(
        "synthetic extract: {nodes} nodes, {:.1} MB PBF, built in {:.1} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    std::fs::write(
        dir.path().join("wijkatlas.toml"),
        "[[source]]\nname = \"osm-synthetic\"\npath = \"synthetic.osm.pbf\"\nkind = \"voorzieningen\"\n",
    )
    .expect("manifest");
    let before = vm_hwm_kb();
    let t = Instant::now();
    let loaded = wijkatlas::load::load_dir(dir.path()).expect("load");
    let secs = t.elapsed().as_secs_f64();
    let s = &loaded.report.sources[0];
    assert!(!s.failed(), "{:?}", s.status);
    println!(
        "osm-synthetic: read {} care elements ({} kept) in {secs:.2} s = {:.1} MB/s; peak RSS {:.0} MB (before reading {:.0} MB)",
        s.read,
        s.kept,
        size as f64 / 1e6 / secs,
        vm_hwm_kb() as f64 / 1024.0,
        before as f64 / 1024.0
    );
    if size < 100_000_000 {
        println!("note: the synthetic file is under 100 MB; raise {NODES_ENV}");
    }
}

/// A small deterministic generator, so every run reads the same file.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn write_opl(path: &Path, nodes: u64) -> std::io::Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    let mut rng = Lcg(42);
    for id in 1..=nodes {
        let lon = 3.4 + (rng.next() % 3_700_000) as f64 * 1e-6;
        let lat = 50.8 + (rng.next() % 2_700_000) as f64 * 1e-6;
        let tags = if id % 1000 == 0 {
            let care = CARE[(id / 1000 % CARE.len() as u64) as usize];
            format!(" T{care},name=Zorg%20%{id}")
        } else if id % 4 == 0 {
            format!(
                " Tshop=bakery,name=Winkel%20%{},addr:street=Straat%20%{},addr:housenumber={}",
                rng.next(),
                rng.next(),
                rng.next() % 300
            )
        } else {
            String::new()
        };
        writeln!(w, "n{id} v1 x{lon:.7} y{lat:.7}{tags}")?;
    }
    // Closed 4-node ways over consecutive nodes; one in ten is a care building.
    for (i, first) in (1..nodes.saturating_sub(4)).step_by(200).enumerate() {
        let tags = if i % 10 == 0 {
            "Tamenity=doctors,building=yes"
        } else {
            "Tbuilding=yes"
        };
        writeln!(
            w,
            "w{} v1 {tags} Nn{first},n{},n{},n{},n{first}",
            i + 1,
            first + 1,
            first + 2,
            first + 3
        )?;
    }
    w.flush()
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}
