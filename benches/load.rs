//! Load benchmark: wall time and peak memory of reading a data directory.
//!
//! ```sh
//! cargo bench --bench load                 # every scenario
//! cargo bench --bench load -- synthetic    # only scenarios whose name contains "synthetic"
//! WIJKATLAS_BENCH_RUNS=9 cargo bench --bench load
//! WIJKATLAS_BENCH_SYNTHETIC_DIR=/tmp/synth cargo bench --bench load -- synthetic  # keep it
//! ```
//!
//! Scenarios:
//!
//! * `bundled`: the bundled `data/` directory.
//! * `national-synthetic`: about as many buurten as the whole country has (14,500),
//!   made SYNTHETICALLY from the bundled wijken: every wijk polygon is copied up to five
//!   times, shifted east by 0.003° per copy. The copies overlap; that does not matter for
//!   a load benchmark. The bundled gemeenten and wijken are loaded with them.
//! * `national-cbs-gpkg-synthetic`: a national-size SYNTHETIC CBS Wijk- en Buurtkaart
//!   2024 GeoPackage written by GDAL (`tests/common/national_gpkg.rs`): the bundled wijken
//!   cut in four as made-up buurten (about 13,800), each with all 223 columns of CBS's 2024
//!   buurten layer and made-up values, plus the bundled wijken and gemeenten as layers.
//!   Goal: load < 3 s and < 500 MB. Besides the load it measures cold tile rates: the
//!   `buurten` tiles of zooms 5–8 over the country and, at zooms 10, 12 and 14, the tiles
//!   under every 100th buurt, each made once with no cache, on one thread.
//! * `national-2014-coarse`: the real national buurt layer of 2014 (11,691 buurten,
//!   quantised to about 300 m, thousands of invalid polygons that the loader repairs), read
//!   in place from `../shared/data` when that folder is present. It has no stated licence
//!   and is never copied.
//!
//! Each scenario is measured twice: `load` (`load_dir`) and `load+snapshot`
//! (`load_dir` + `Snapshot::new`, which pre-serialises the GeoJSON layers as
//! `wijkatlas serve` does at start-up). Each measurement runs in a fresh child process (this
//! binary, re-executed with [`CHILD_ENV`] set), so that its peak RSS (`VmHWM` from
//! `/proc/self/status`) is not inflated by another scenario. The child prints one JSON line
//! that the parent collects. A missed goal is printed as `MISSED`; it never fails the run.
//!
//! Without `--bench` (as under `cargo test --benches`) only `bundled` runs, once.

use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use wijkatlas::api::Snapshot;
use wijkatlas::load::{load_dir, Loaded};
use wijkatlas::model::AreaLevel;

#[path = "../tests/common/national.rs"]
#[allow(dead_code)]
mod national;
#[path = "../tests/common/national_gpkg.rs"]
#[allow(dead_code)]
mod national_gpkg;

/// Set in a child process: which measurement to make (`load` or `snapshot`).
const CHILD_ENV: &str = "WIJKATLAS_BENCH_CHILD";
/// Set in a child process: the data directory to load.
const DIR_ENV: &str = "WIJKATLAS_BENCH_DIR";
/// If set, `national-synthetic` is written into this directory and left there (for
/// profiling a load by hand); otherwise into a temporary directory.
const SYNTHETIC_DIR_ENV: &str = "WIJKATLAS_BENCH_SYNTHETIC_DIR";
/// Number of timed runs per measurement.
const RUNS_ENV: &str = "WIJKATLAS_BENCH_RUNS";
const DEFAULT_RUNS: usize = 5;
/// Marks the child's result line on its stdout.
const RESULT_MARK: &str = "WIJKATLAS_BENCH_RESULT ";

const BUNDLED_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
const NATIONAL_2014: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/cbs_buurten_2014_coarse/buurten_2014_coarse.geojson"
);

/// About the number of buurten in the Netherlands (CBS 2024: 14,574).
const NATIONAL_BUURTEN: usize = 14_500;
const MAX_REPLICAS: usize = 5;
/// Eastward shift per replica, degrees of longitude (≈ 200 m).
const REPLICA_SHIFT_DEG: f64 = 0.003;

/// Goal for the national-size scenarios on a 2-core machine.
const GOAL_SECONDS: f64 = 2.0;
const GOAL_RSS_MB: f64 = 300.0;
/// Goal for the national CBS GeoPackage with its ~200 figures per buurt (issue 19).
const GPKG_GOAL: (f64, f64) = (3.0, 500.0);

fn main() {
    if let Ok(mode) = std::env::var(CHILD_ENV) {
        child(&mode);
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench_mode = args.iter().any(|a| a == "--bench");
    let filters: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(String::as_str)
        .collect();
    let runs = std::env::var(RUNS_ENV)
        .ok()
        .and_then(|r| r.parse::<usize>().ok())
        .filter(|&r| r > 0)
        .unwrap_or(if bench_mode { DEFAULT_RUNS } else { 1 });
    parent(bench_mode, &filters, runs);
}

// ---------------------------------------------------------------------------------------
// Child: load a directory `runs` times and report one JSON line.
// ---------------------------------------------------------------------------------------

fn child(mode: &str) {
    let dir = PathBuf::from(std::env::var(DIR_ENV).expect("data directory in the environment"));
    let runs = std::env::var(RUNS_ENV)
        .ok()
        .and_then(|r| r.parse::<usize>().ok())
        .unwrap_or(DEFAULT_RUNS)
        .max(1);
    let snapshot = match mode {
        "load" => false,
        "snapshot" => true,
        "tiles" => return child_tiles(&dir),
        other => panic!("unknown child mode {other}"),
    };
    let hwm_before_kb = proc_status_kb("VmHWM");
    let mut total_s = Vec::with_capacity(runs);
    let mut load_s = Vec::with_capacity(runs);
    let mut hwm_after_first_kb = None;
    let mut facts = Value::Null;
    for run in 0..runs {
        let started = Instant::now();
        let loaded = match load_dir(&dir) {
            Ok(l) => l,
            Err(e) => {
                println!("{RESULT_MARK}{}", json!({ "error": e.to_string() }));
                return;
            }
        };
        let loaded_at = started.elapsed().as_secs_f64();
        if run == 0 {
            facts = describe(&loaded);
        }
        if snapshot {
            let snap = Snapshot::new(loaded);
            let total = started.elapsed().as_secs_f64();
            if run == 0 {
                // Every feature is written once, in CRS84; other CRSs on request.
                let bytes: usize = snap
                    .collections
                    .iter()
                    .flat_map(|c| &c.items)
                    .map(|i| i.crs84_fragment().len())
                    .sum();
                facts["layer_bytes"] = json!(bytes);
            }
            std::hint::black_box(&snap);
            total_s.push(total);
            drop(snap);
        } else {
            std::hint::black_box(&loaded);
            total_s.push(loaded_at);
            drop(loaded);
        }
        load_s.push(loaded_at);
        if run == 0 {
            hwm_after_first_kb = proc_status_kb("VmHWM");
        }
    }
    let result = json!({
        "seconds": total_s,
        "load_seconds": load_s,
        "vm_hwm_kb": proc_status_kb("VmHWM"),
        "vm_hwm_before_kb": hwm_before_kb,
        "vm_hwm_after_first_kb": hwm_after_first_kb,
        "facts": facts,
    });
    println!("{RESULT_MARK}{result}");
}

/// Cold tile rates of the `buurten` collection: every tile made once, no cache.
fn child_tiles(dir: &Path) {
    let loaded = match load_dir(dir) {
        Ok(l) => l,
        Err(e) => {
            println!("{RESULT_MARK}{}", json!({ "error": e.to_string() }));
            return;
        }
    };
    let snap = Snapshot::new(loaded);
    let Some(buurten) = snap.collection("buurten") else {
        println!(
            "{RESULT_MARK}{}",
            json!({ "error": "no buurten collection" })
        );
        return;
    };
    let mut groups = Vec::new();
    // The country at the zooms a visitor opens with.
    let nl = [3.3, 50.7, 7.3, 53.6];
    let low: Vec<_> = (5..=8)
        .flat_map(|z| wijkatlas::tiles::tiles_covering(nl, z))
        .collect();
    groups.push(("zoom 5-8, the country", low));
    for z in [10u8, 12, 14] {
        let mut ids: Vec<_> = buurten
            .items
            .iter()
            .step_by(100)
            .filter_map(|item| {
                let [x0, y0, x1, y1] = item.bbox_rd;
                let c = wijkatlas::crs::RdPoint {
                    x: (x0 + x1) / 2.0,
                    y: (y0 + y1) / 2.0,
                }
                .to_wgs84();
                wijkatlas::tiles::tiles_covering([c.lon, c.lat, c.lon, c.lat], z).next()
            })
            .collect();
        ids.sort_by_key(|t| format!("{t:?}"));
        ids.dedup_by_key(|t| format!("{t:?}"));
        groups.push((
            ["zoom 10", "zoom 12", "zoom 14"][(z as usize - 10) / 2],
            ids,
        ));
    }
    let mut out = Vec::new();
    for (label, ids) in groups {
        let started = Instant::now();
        let mut bytes = 0usize;
        let mut times = Vec::with_capacity(ids.len());
        for &id in &ids {
            let t = Instant::now();
            let tile =
                wijkatlas::tiles::collection_tile(buurten, &snap.dataset, &snap.projected, id);
            times.push(t.elapsed().as_secs_f64());
            bytes += tile.len();
            std::hint::black_box(tile);
        }
        let secs = started.elapsed().as_secs_f64();
        times.sort_by(f64::total_cmp);
        let p99 = times
            .get((times.len() * 99 / 100).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0);
        out.push(json!({
            "label": label,
            "tiles": ids.len(),
            "seconds": secs,
            "per_second": ids.len() as f64 / secs.max(1e-9),
            "mean_kb": bytes as f64 / ids.len().max(1) as f64 / 1024.0,
            "p99_ms": p99 * 1000.0,
        }));
    }
    println!(
        "{RESULT_MARK}{}",
        json!({ "tiles": out, "vm_hwm_kb": proc_status_kb("VmHWM") })
    );
}

/// Counts of what was loaded, and the report's per-source timings.
fn describe(loaded: &Loaded) -> Value {
    let dataset = &loaded.dataset;
    let mut areas = Map::new();
    let mut vertices = 0usize;
    for level in AreaLevel::ALL {
        let list = dataset.areas(level);
        areas.insert(level.to_string(), json!(list.len()));
        for area in list {
            for poly in &area.geometry.rd.0 {
                vertices += poly.exterior().0.len();
                vertices += poly.interiors().iter().map(|r| r.0.len()).sum::<usize>();
            }
        }
    }
    let sources: Vec<Value> = loaded
        .report
        .sources
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "ms": s.elapsed_ms,
                "read": s.read,
                "kept": s.kept,
                "rejected": s.rejected,
                "repaired": s.repaired,
                "warnings": s.warnings,
                "failed": s.failed(),
            })
        })
        .collect();
    json!({
        "areas": areas,
        "area_total": AreaLevel::ALL.iter().map(|l| dataset.areas(*l).len()).sum::<usize>(),
        "vertices": vertices,
        "facilities": dataset.voorzieningen().len(),
        "report_ms": loaded.report.elapsed_ms,
        "sources": sources,
    })
}

/// A `kB` field of `/proc/self/status` (`VmHWM`, `VmRSS`), if the platform has one.
fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

// ---------------------------------------------------------------------------------------
// Parent: prepare the scenarios, run each measurement in a child, print the table.
// ---------------------------------------------------------------------------------------

struct Scenario {
    name: &'static str,
    /// The goal applies to national-size scenarios only: seconds and MB.
    goal: Option<(f64, f64)>,
    /// Whether cold tile rates are measured too.
    tiles: bool,
    dir: PathBuf,
    /// Keeps a generated directory alive until the scenario has run.
    _temp: Option<tempfile::TempDir>,
}

struct Row {
    label: String,
    goal: Option<(f64, f64)>,
    /// The goal is checked for plain loads; load+snapshot rows show it for information.
    goal_applies: bool,
    outcome: Result<Measured, String>,
}

struct Measured {
    seconds: Vec<f64>,
    peak_mb: Option<f64>,
    /// Peak after the first run alone: what one `wijkatlas serve` start-up costs.
    first_peak_mb: Option<f64>,
    areas: u64,
    vertices: u64,
}

fn parent(bench_mode: bool, filters: &[&str], runs: usize) {
    let wanted = |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f));
    if !bench_mode {
        println!(
            "(not run by `cargo bench`: checking only the bundled scenario, once; \
             use `cargo bench --bench load` for the figures)"
        );
    }
    println!(
        "wijkatlas load benchmark: {runs} runs per measurement, each measurement in a fresh \
         process; {} CPUs; goal for national-size data: load < {GOAL_SECONDS} s and peak RSS < \
         {GOAL_RSS_MB} MB",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let names: &[&str] = if bench_mode {
        &[
            "bundled",
            "national-synthetic",
            "national-cbs-gpkg-synthetic",
            "national-2014-coarse",
        ]
    } else {
        &["bundled"]
    };
    for &name in names.iter().filter(|n| wanted(n)) {
        let scenario = match prepare(name) {
            Ok(s) => s,
            Err(why) => {
                println!("\n== {name}\nskipped: {why}");
                skipped.push(format!("{name}: skipped: {why}"));
                continue;
            }
        };
        println!("\n== {} ({})", scenario.name, scenario.dir.display());
        for (mode, suffix) in [("load", "load"), ("snapshot", "load+snapshot")] {
            let outcome = measure(&scenario.dir, mode, runs);
            let label = format!("{} / {suffix}", scenario.name);
            print_detail(&label, &outcome);
            rows.push(Row {
                label,
                goal: scenario.goal,
                goal_applies: mode == "load",
                outcome: outcome.map(|v| measured(&v)),
            });
        }
        if scenario.tiles {
            match measure(&scenario.dir, "tiles", 1) {
                Ok(v) => print_tiles(&v),
                Err(e) => println!("  tiles: FAILED: {e}"),
            }
        }
    }
    print_table(&rows, &skipped);
}

fn prepare(name: &'static str) -> Result<Scenario, String> {
    match name {
        "bundled" => Ok(Scenario {
            name,
            goal: None,
            tiles: false,
            dir: PathBuf::from(BUNDLED_DIR),
            _temp: None,
        }),
        "national-synthetic" => {
            let (dir, temp) = match std::env::var_os(SYNTHETIC_DIR_ENV) {
                Some(dir) => {
                    let dir = PathBuf::from(dir);
                    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                    (dir, None)
                }
                None => {
                    let temp = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
                    (temp.path().to_path_buf(), Some(temp))
                }
            };
            let written = write_synthetic(&dir)?;
            println!(
                "\nnational-synthetic: wrote {written} SYNTHETIC buurten (wijken_2024 copied up to \
                 {MAX_REPLICAS}× and shifted east {REPLICA_SHIFT_DEG}° per copy) + bundled \
                 gemeenten and wijken into {}",
                dir.display()
            );
            Ok(Scenario {
                name,
                goal: Some((GOAL_SECONDS, GOAL_RSS_MB)),
                tiles: false,
                dir,
                _temp: temp,
            })
        }
        "national-cbs-gpkg-synthetic" => {
            let temp = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
            let started = Instant::now();
            let (gpkg, buurten) = national_gpkg::write_dataset(temp.path());
            let size = std::fs::metadata(&gpkg).map_or(0, |m| m.len());
            println!(
                "\nnational-cbs-gpkg-synthetic: wrote {buurten} SYNTHETIC buurten with the {} \
                 columns of CBS's 2024 buurten layer (made-up values), the bundled wijken and \
                 gemeenten, into a {:.1} MB GeoPackage with ogr2ogr in {:.1} s",
                national_gpkg::columns().len(),
                size as f64 / 1e6,
                started.elapsed().as_secs_f64()
            );
            Ok(Scenario {
                name,
                goal: Some(GPKG_GOAL),
                tiles: true,
                dir: temp.path().to_path_buf(),
                _temp: Some(temp),
            })
        }
        "national-2014-coarse" => {
            let file = Path::new(NATIONAL_2014);
            if !file.is_file() {
                return Err("../shared not present".into());
            }
            let file = file
                .canonicalize()
                .map_err(|e| format!("{}: {e}", file.display()))?;
            let temp = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
            write_2014_manifest(temp.path(), &file)?;
            Ok(Scenario {
                name,
                goal: Some((GOAL_SECONDS, GOAL_RSS_MB)),
                tiles: false,
                dir: temp.path().to_path_buf(),
                _temp: Some(temp),
            })
        }
        other => Err(format!("unknown scenario {other}")),
    }
}

/// Writes the synthetic national buurt layer, copies of the bundled gemeenten and wijken,
/// and a manifest for the three; returns the number of buurten written.
fn write_synthetic(dir: &Path) -> Result<usize, String> {
    let bundled = Path::new(BUNDLED_DIR);
    let wijken_path = bundled.join("wijken_2024.geojson");
    let text = std::fs::read_to_string(&wijken_path)
        .map_err(|e| format!("{}: {e}", wijken_path.display()))?;
    let wijken: Value = serde_json::from_str(&text).map_err(|e| format!("wijken: {e}"))?;
    let wijken = wijken["features"]
        .as_array()
        .ok_or("wijken_2024.geojson has no features array")?;

    let mut buurten: Vec<(String, Value)> = Vec::with_capacity(NATIONAL_BUURTEN);
    // Replica-major, so that every wijk gets four or five copies rather than the first
    // wijken five and the last none.
    'fill: for replica in 0..MAX_REPLICAS {
        for wijk in wijken {
            if buurten.len() == NATIONAL_BUURTEN {
                break 'fill;
            }
            buurten.push(synthetic_buurt(wijk, replica)?);
        }
    }
    buurten.sort_by(|a, b| a.0.cmp(&b.0));

    let mut out = String::with_capacity(text.len() * 5);
    out.push_str(
        r#"{"type":"FeatureCollection","metadata":{"level":"buurt","year":2024,"synthetic":true,"source":"SYNTHETIC: wijken_2024.geojson polygons copied up to 5 times and shifted east 0.003 degrees per copy, for a load benchmark; not real buurten"},"features":["#,
    );
    for (i, (_, feature)) in buurten.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(&feature.to_string());
    }
    out.push_str("\n]}\n");
    let write = |name: &str, contents: &str| {
        std::fs::write(dir.join(name), contents).map_err(|e| format!("{name}: {e}"))
    };
    write("buurten_synthetic_national.geojson", &out)?;
    for file in ["gemeenten_2022.geojson", "wijken_2024.geojson"] {
        std::fs::copy(bundled.join(file), dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    write(
        "wijkatlas.toml",
        r#"# SYNTHETIC national-size dataset for the load benchmark (benches/load.rs).
name = "SYNTHETIC: gemeenten 2022, wijken 2024, ~14,500 buurten copied from the wijken"

[[source]]
name = "gemeenten_2022"
path = "gemeenten_2022.geojson"
kind = "areas"
level = "gemeente"
year = 2022
licence = "CC BY 4.0"
attribution = "Bron: CBS, Kadaster (Wijk- en Buurtkaart 2022)"

[[source]]
name = "wijken_2024"
path = "wijken_2024.geojson"
kind = "areas"
level = "wijk"
year = 2024
licence = "CC BY 4.0"
attribution = "Bron: CBS, Kadaster (Wijk- en Buurtkaart 2024)"

[[source]]
name = "buurten_synthetic_national"
path = "buurten_synthetic_national.geojson"
kind = "areas"
level = "buurt"
year = 2024
licence = "CC BY 4.0 (SYNTHETIC, derived from the wijken 2024)"
attribution = "SYNTHETIC test data derived from CBS, Kadaster (Wijk- en Buurtkaart 2024)"
"#,
    )?;
    Ok(buurten.len())
}

/// One synthetic buurt: replica `replica` of a wijk, returned with its buurt code.
fn synthetic_buurt(wijk: &Value, replica: usize) -> Result<(String, Value), String> {
    let props = wijk["properties"]
        .as_object()
        .ok_or("a wijk without properties")?;
    let wijkcode = props
        .get("wijkcode")
        .and_then(Value::as_str)
        .ok_or("a wijk without wijkcode")?;
    let digits = wijkcode
        .strip_prefix("WK")
        .filter(|d| d.len() == 6)
        .ok_or_else(|| format!("unexpected wijkcode {wijkcode}"))?;
    let code = format!("BU{digits}{replica:02}");
    let wijknaam = props
        .get("wijknaam")
        .and_then(Value::as_str)
        .unwrap_or(wijkcode);
    // The wijk's figures and hierarchy columns, plus the buurt's own code and name.
    let mut buurt_props = props.clone();
    buurt_props.insert("buurtcode".into(), json!(code));
    buurt_props.insert(
        "buurtnaam".into(),
        json!(format!("{wijknaam} (synthetisch {replica})")),
    );
    let mut geometry = wijk["geometry"].clone();
    shift_east(
        &mut geometry["coordinates"],
        replica as f64 * REPLICA_SHIFT_DEG,
    );
    let feature = json!({
        "type": "Feature",
        "properties": buurt_props,
        "geometry": geometry,
    });
    Ok((code, feature))
}

/// Adds `dx` to the longitude of every position in a GeoJSON coordinates array.
fn shift_east(coords: &mut Value, dx: f64) {
    let Value::Array(items) = coords else { return };
    if let Some(Value::Number(lon)) = items.first() {
        if let Some(lon) = lon.as_f64() {
            // Source coordinates have 5 decimals; keep them that way.
            items[0] = json!(((lon + dx) * 1e5).round() / 1e5);
        }
        return;
    }
    for item in items {
        shift_east(item, dx);
    }
}

/// A manifest in `dir` that reads the 2014 buurt layer where it lies.
fn write_2014_manifest(dir: &Path, file: &Path) -> Result<(), String> {
    let path = file.to_str().ok_or("the 2014 file path is not UTF-8")?;
    if path.contains('\'') || path.contains('\n') {
        return Err(format!("cannot quote {path} in TOML"));
    }
    // Its columns are statcode / statnaam / rubriek (see SOURCE.md next to it).
    let manifest = format!(
        r#"# The national CBS buurt layer of 2014 (coarse), read in place for the load benchmark.
name = "CBS buurten 2014 (coarse, quantised), national"

[[source]]
name = "buurten_2014_coarse"
path = '{path}'
kind = "areas"
level = "buurt"
code_field = "statcode"
name_field = "statnaam"
year = 2014
licence = "not stated"
attribution = "CBS gebiedsindelingen 2014 via GitHub ties/cbs_gebiedsindelingen_topojson"
"#
    );
    std::fs::write(dir.join("wijkatlas.toml"), manifest).map_err(|e| format!("manifest: {e}"))
}

/// Runs one measurement in a fresh child process and returns its JSON result.
fn measure(dir: &Path, mode: &str, runs: usize) -> Result<Value, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let output = Command::new(exe)
        .env(CHILD_ENV, mode)
        .env(DIR_ENV, dir)
        .env(RUNS_ENV, runs.to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start the child process: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(RESULT_MARK))
        .ok_or_else(|| format!("child gave no result ({})", output.status))?;
    let value: Value = serde_json::from_str(line).map_err(|e| format!("child result: {e}"))?;
    match value.get("error").and_then(Value::as_str) {
        Some(error) => Err(error.to_string()),
        None => Ok(value),
    }
}

fn measured(v: &Value) -> Measured {
    let seconds = f64s(&v["seconds"]);
    Measured {
        seconds,
        peak_mb: v["vm_hwm_kb"].as_f64().map(|kb| kb / 1024.0),
        first_peak_mb: v["vm_hwm_after_first_kb"].as_f64().map(|kb| kb / 1024.0),
        areas: v["facts"]["area_total"].as_u64().unwrap_or(0),
        vertices: v["facts"]["vertices"].as_u64().unwrap_or(0),
    }
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

fn mb(kb: &Value) -> String {
    kb.as_f64()
        .map_or("?".into(), |kb| format!("{:.1}", kb / 1024.0))
}

fn print_detail(label: &str, outcome: &Result<Value, String>) {
    let v = match outcome {
        Ok(v) => v,
        Err(e) => {
            println!("  {label}: FAILED: {e}");
            return;
        }
    };
    let seconds = f64s(&v["seconds"]);
    let (lo, hi) = min_max(&seconds);
    let runs: Vec<String> = seconds.iter().map(|s| format!("{s:.3}")).collect();
    println!(
        "  {label}: median {:.3} s (min {lo:.3}, max {hi:.3}; runs {}), peak RSS {} MB \
         (after run 1: {} MB, process start: {} MB)",
        median(&seconds),
        runs.join(" "),
        mb(&v["vm_hwm_kb"]),
        mb(&v["vm_hwm_after_first_kb"]),
        mb(&v["vm_hwm_before_kb"]),
    );
    let facts = &v["facts"];
    let load = f64s(&v["load_seconds"]);
    if let Some(bytes) = facts["layer_bytes"].as_u64() {
        println!(
            "    of which load_dir median {:.3} s; serialised layers {:.1} MB",
            median(&load),
            bytes as f64 / 1e6
        );
        return;
    }
    let areas = &facts["areas"];
    println!(
        "    areas: {} (gemeente {}, wijk {}, buurt {}), vertices {}, voorzieningen {}",
        facts["area_total"],
        areas["gemeente"],
        areas["wijk"],
        areas["buurt"],
        facts["vertices"],
        facts["facilities"]
    );
    let mut sources_ms = 0;
    if let Some(sources) = facts["sources"].as_array() {
        for s in sources {
            sources_ms += s["ms"].as_u64().unwrap_or(0);
            println!(
                "    source {:<36} {:>6} ms  read {:>6} kept {:>6} rejected {:>5} repaired {:>5} \
                 warnings {:>5}{}",
                s["name"].as_str().unwrap_or("?"),
                s["ms"],
                s["read"],
                s["kept"],
                s["rejected"],
                s["repaired"],
                s["warnings"],
                if s["failed"].as_bool() == Some(true) {
                    "  FAILED"
                } else {
                    ""
                }
            );
        }
    }
    if let Some(total) = facts["report_ms"].as_u64() {
        println!(
            "    (first run, from the load report: sources {sources_ms} ms, then assembling, \
             indexing and placement {} ms)",
            total.saturating_sub(sources_ms)
        );
    }
}

fn print_table(rows: &[Row], skipped: &[String]) {
    println!(
        "\n== summary (median of runs; peak RSS = VmHWM of a fresh process per row, after its \
         first run / after all runs; the goal is checked against the latter)"
    );
    let header = format!(
        "{:<38} | {:>6} | {:>8} | {:>8} | {:>6} | {:>6} | {:>15} | {:>15} | {:>10} | ok?",
        "scenario",
        "areas",
        "vertices",
        "median s",
        "min",
        "max",
        "peak RSS MB 1/N",
        "goal",
        "×goal t/RSS"
    );
    println!("{header}");
    println!("{}", "-".repeat(header.len() + 4));
    for row in rows {
        let m = match &row.outcome {
            Ok(m) => m,
            Err(e) => {
                println!("{:<38} | FAILED: {e}", row.label);
                continue;
            }
        };
        let med = median(&m.seconds);
        let (lo, hi) = min_max(&m.seconds);
        let show = |mb: Option<f64>| mb.map_or_else(|| "?".to_string(), |p| format!("{p:.1}"));
        let peak = format!("{}/{}", show(m.first_peak_mb), show(m.peak_mb));
        let (goal, ratio, ok) = if let Some((goal_s, goal_mb)) = row.goal {
            let t = med / goal_s;
            let r = m.peak_mb.map_or(f64::NAN, |p| p / goal_mb);
            let met = t < 1.0 && r < 1.0;
            let ok = match (row.goal_applies, met) {
                (true, true) => "ok",
                (true, false) => "MISSED",
                (false, true) => "(within; info)",
                (false, false) => "(over; info)",
            };
            (
                format!("<{goal_s} s <{goal_mb} MB"),
                format!("{t:.2}/{r:.2}"),
                ok,
            )
        } else {
            ("-".to_string(), "-".to_string(), "-")
        };
        println!(
            "{:<38} | {:>6} | {:>8} | {med:>8.3} | {lo:>6.3} | {hi:>6.3} | {peak:>15} | {goal:>15} \
             | {ratio:>10} | {ok}",
            row.label, m.areas, m.vertices
        );
    }
    for s in skipped {
        println!("{s}");
    }
    println!(
        "(national-synthetic and national-cbs-gpkg-synthetic are SYNTHETIC: real wijk polygons \
         copied, shifted or cut, not real buurten, and made-up figures. The goal is checked on the load rows; load+snapshot rows, i.e. serve start-up, \
         are shown against it for information only.)"
    );
}

fn print_tiles(v: &Value) {
    let Some(groups) = v["tiles"].as_array() else {
        println!("  tiles: FAILED: {}", v["error"]);
        return;
    };
    println!("  cold buurten tiles (each made once, no cache, one thread):");
    for g in groups {
        println!(
            "    {:<22} {:>5} tiles  {:>8.0} tiles/s  mean {:>6.1} KB  p99 {:>7.1} ms",
            g["label"].as_str().unwrap_or("?"),
            g["tiles"],
            g["per_second"].as_f64().unwrap_or(0.0),
            g["mean_kb"].as_f64().unwrap_or(0.0),
            g["p99_ms"].as_f64().unwrap_or(0.0)
        );
    }
}
