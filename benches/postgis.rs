//! Load time from PostGIS against the same data from files.
//!
//! ```sh
//! cargo bench --bench postgis                  # bundled and national-synthetic
//! cargo bench --bench postgis -- national      # only scenarios whose name contains it
//! WIJKATLAS_BENCH_RUNS=9 cargo bench --bench postgis
//! ```
//!
//! Starts a throw-away PostgreSQL cluster with PostGIS (`tests/common/postgis.rs`, so
//! Debian's `postgresql-15-postgis-3` must be installed), copies every GeoJSON layer of
//! a scenario into it with ogr2ogr (CRS84, `geom` column, GiST index, as a GIS user
//! would load it), and times `load_dir` on the files and on a manifest that reads the
//! same layers from their tables, alternating, in this process. Scenarios:
//!
//! * `bundled`: the bundled `data/` directory (the postcode CSV stays a file in both).
//! * `national-synthetic`: the SYNTHETIC national buurt layer of the map tests (every
//!   bundled wijk cut in four, about 13,800 buurten; `tests/common/national.rs`) with the
//!   bundled gemeenten, wijken and voorzieningen.
//!
//! Prints per scenario the median and fastest of the runs, the ratio, and the time per
//! source (from the load report) of the median run.

#[path = "../tests/common/national.rs"]
mod national;
#[path = "../tests/common/postgis.rs"]
#[allow(dead_code)]
mod postgis;

use std::path::{Path, PathBuf};
use std::time::Instant;
use wijkatlas::load::{load_dir, Loaded};

const RUNS_ENV: &str = "WIJKATLAS_BENCH_RUNS";
const DEFAULT_RUNS: usize = 5;

struct Scenario {
    name: &'static str,
    dir: PathBuf,
}

/// Rewrites a manifest so that its GeoJSON layers are read from tables named after the
/// files; every layer it names is copied into the cluster. Other paths are made absolute.
fn postgis_twin(cluster: &postgis::Cluster, files: &Path, twin: &Path) -> usize {
    let manifest = std::fs::read_to_string(files.join("wijkatlas.toml")).expect("manifest");
    let mut tables = 0;
    let mut out = Vec::new();
    for line in manifest.lines() {
        let Some(path) = line
            .strip_prefix("path = \"")
            .and_then(|p| p.strip_suffix('"'))
        else {
            out.push(line.to_string());
            continue;
        };
        let full = files.join(path);
        if path.ends_with(".geojson") {
            let table = full
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("file name")
                .to_string();
            let points = path.contains("voorzieningen");
            cluster.ogr2ogr(&full, &table, !points);
            out.push(format!("postgis = {{ table = \"{table}\" }}"));
            tables += 1;
        } else {
            out.push(format!("path = \"{}\"", full.display()));
        }
    }
    std::fs::create_dir_all(twin).expect("mkdir");
    std::fs::write(twin.join("wijkatlas.toml"), out.join("\n")).expect("write manifest");
    tables
}

fn timed(dir: &Path) -> (f64, Loaded) {
    let started = Instant::now();
    let loaded = load_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        !loaded.report.has_failures(),
        "{}: {}",
        dir.display(),
        loaded.report.failure_summary()
    );
    (seconds, loaded)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench_mode = args.iter().any(|a| a == "--bench");
    let filters: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(String::as_str)
        .collect();
    let runs = std::env::var(RUNS_ENV)
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|&r: &usize| r > 0)
        .unwrap_or(if bench_mode { DEFAULT_RUNS } else { 1 });

    let cluster = match postgis::Cluster::start() {
        Ok(c) => c,
        Err(why) => {
            eprintln!("no PostGIS cluster ({why}); install postgresql-15-postgis-3");
            std::process::exit(if std::env::var_os("CI").is_some() {
                1
            } else {
                0
            });
        }
    };
    // Before any thread exists: the loader reads the URL from the environment.
    std::env::set_var("WIJKATLAS_DATABASE_URL", cluster.url());

    let work = tempfile::tempdir().expect("tempdir");
    let national_dir = work.path().join("national");
    let mut scenarios = vec![Scenario {
        name: "bundled",
        dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data")),
    }];
    if bench_mode {
        scenarios.push(Scenario {
            name: "national-synthetic",
            dir: national_dir.clone(),
        });
    }
    scenarios.retain(|s| filters.is_empty() || filters.iter().any(|f| s.name.contains(f)));

    println!("PostGIS against files: load_dir, {runs} run(s) each, alternating");
    for (i, s) in scenarios.iter().enumerate() {
        if s.name == "national-synthetic" {
            let n = national::write_dataset(&national_dir);
            println!("\n{}: {n} synthetic buurten written", s.name);
        } else {
            println!("\n{}:", s.name);
        }
        // Each scenario starts from an empty database, so only its own layers are there.
        cluster.sql(
            "DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys' LOOP EXECUTE format('DROP TABLE %I', t); END LOOP; END $$",
        );
        let twin = work.path().join(format!("twin-{i}"));
        let started = Instant::now();
        let tables = postgis_twin(&cluster, &s.dir, &twin);
        println!(
            "  copied {tables} layers into PostGIS with ogr2ogr in {:.2} s",
            started.elapsed().as_secs_f64()
        );
        // One untimed load each, so both start with a warm page cache and database.
        let _ = timed(&s.dir);
        let _ = timed(&twin);
        let (mut files, mut db) = (Vec::new(), Vec::new());
        let mut reports = Vec::new();
        for _ in 0..runs {
            files.push(timed(&s.dir).0);
            let (t, loaded) = timed(&twin);
            db.push(t);
            reports.push((t, loaded.report));
        }
        let (fastest_files, fastest_db) = (
            files.iter().copied().fold(f64::MAX, f64::min),
            db.iter().copied().fold(f64::MAX, f64::min),
        );
        let (mf, md) = (median(&mut files), median(&mut db));
        println!(
            "  files   median {:7.3} s  fastest {:7.3} s",
            mf, fastest_files
        );
        println!(
            "  postgis median {:7.3} s  fastest {:7.3} s   ratio postgis/files {:.2} (median), {:.2} (fastest)",
            md,
            fastest_db,
            md / mf,
            fastest_db / fastest_files
        );
        reports.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (_, report) = &reports[reports.len() / 2];
        let (_, file_report) = timed(&s.dir);
        for (p, f) in report.sources.iter().zip(&file_report.report.sources) {
            println!(
                "    {:<32} {:>6} records  files {:>5} ms  postgis {:>5} ms",
                p.name, p.read, f.elapsed_ms, p.elapsed_ms
            );
        }
    }
}
