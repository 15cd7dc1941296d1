//! Analysis benchmark: how long a full recompute of every indicator takes (access,
//! need, gap ranking for every category that has voorzieningen) and one what-if, on the
//! bundled data and on the national buurt layer of 2014 from `../shared` (11,691
//! buurten) with the bundled hospitals. That layer has outlines but no figures, so
//! there it measures indexing and distances, not the demand side. Prints figures;
//! asserts nothing.
//!
//! ```sh
//! cargo bench --bench analysis
//! ```

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wijkatlas::analysis::config::AnalysisConfig;
use wijkatlas::analysis::proximity::QueryPoint;
use wijkatlas::analysis::scenario::{self, Opened, Scenario};
use wijkatlas::analysis::{default_level, gap};
use wijkatlas::model::{Category, Dataset};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn report(label: &str, ds: &Dataset) {
    let Some(level) = default_level(ds) else {
        println!("{label}: no areas");
        return;
    };
    let config = AnalysisConfig::default();
    let categories: Vec<Category> = Category::ALL
        .iter()
        .copied()
        .filter(|c| ds.voorzieningen().iter().any(|v| v.category == *c))
        .collect();
    let all = time(5, || {
        categories
            .iter()
            .map(|&c| gap::rank(ds, level, c, &config).ranked.len())
            .sum::<usize>()
    });
    let Some(first) = ds.areas(level).first() else {
        return;
    };
    let at = QueryPoint::from_rd(ds, first.interior_point_rd.x(), first.interior_point_rd.y())
        .expect("a point in the first area");
    let what_if = Scenario {
        open: vec![Opened { at, capacity: 1.0 }],
        ..Default::default()
    };
    let category = categories.first().copied().unwrap_or(Category::Ziekenhuis);
    let scenario = time(5, || {
        scenario::run(ds, level, category, &what_if, &config).map(|o| o.changed.len())
    });
    // As the server answers it: the baseline (demand points and the ranking before) is
    // kept per snapshot, so a what-if computes the ranking after and the comparison.
    let baseline = scenario::Baseline::new(ds, level, category, &config);
    let served = time(5, || {
        scenario::run_from(ds, &baseline, &what_if, &config).map(|o| o.changed.len())
    });
    println!(
        "{label}: {} areas at level {level} ({} with inhabitants), {} voorzieningen in {} categories | full recompute of access, need and gap for all categories: {:.1} ms | one what-if ({category}, before and after): {:.1} ms | served what-if (baseline kept per snapshot): {:.1} ms",
        ds.areas(level).len(),
        ds.areas(level)
            .iter()
            .filter(|a| a.figures.get(wijkatlas::model::Figure::Inhabitants).is_some())
            .count(),
        ds.voorzieningen().len(),
        categories.len(),
        all.as_secs_f64() * 1000.0,
        scenario.as_secs_f64() * 1000.0,
        served.as_secs_f64() * 1000.0,
    );
}

/// A SYNTHETIC national-size dataset: the bundled wijken (with their real figures) and
/// hospitals copied four times, each copy 300 km further east in RD and its codes
/// renumbered (gemeente + 2000 per copy), so that the copies do not reach each other:
/// about 13,900 areas with inhabitants and 980 facilities, the size of all Dutch buurten.
fn national_synthetic(bundled: &Dataset) -> Dataset {
    use geo::MapCoords;
    use wijkatlas::crs::RdPoint;
    use wijkatlas::model::{AreaLevel, Location};
    let mut areas = Vec::new();
    let mut facilities = Vec::new();
    for copy in 0..4u32 {
        let dx = f64::from(copy) * 300_000.0;
        for a in bundled.areas(AreaLevel::Wijk) {
            let code = a.code.to_string();
            let gemeente: u32 = code[2..6].parse().expect("gemeente digits");
            let renumbered = format!("WK{:04}{}", gemeente + 2000 * copy, &code[6..]);
            let mut b = a.clone();
            b.code = renumbered.parse().expect("renumbered code");
            b.geometry.rd = a.geometry.rd.map_coords(|c| geo::Coord {
                x: c.x + dx,
                y: c.y,
            });
            b.interior_point_rd =
                geo::Point::new(a.interior_point_rd.x() + dx, a.interior_point_rd.y());
            areas.push(b);
        }
        for v in bundled.voorzieningen() {
            let mut w = v.clone();
            w.id = format!("{}#{copy}", v.id);
            w.location = Location::from_rd(RdPoint::new(v.location.rd.x + dx, v.location.rd.y));
            facilities.push(w);
        }
    }
    Dataset::assemble(
        vec![],
        [vec![], areas, vec![]],
        facilities,
        Default::default(),
        vec![],
    )
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bundled = wijkatlas::load::load_dir(&root.join("data")).expect("bundled data");
    report("bundled", &bundled.dataset);
    report(
        "national-size, SYNTHETIC (bundled wijken ×4)",
        &national_synthetic(&bundled.dataset),
    );

    let national = root.join("../shared/data/cbs_buurten_2014_coarse/buurten_2014_coarse.geojson");
    if !national.exists() {
        println!("national: {} not found, skipped", national.display());
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let q = |p: &Path| p.canonicalize().expect("path").display().to_string();
    let manifest = format!(
        r#"name = "bench: CBS buurten 2014 (coarse) with the bundled hospitals"
[[source]]
name = "buurten_2014"
path = '{}'
kind = "areas"
level = "buurt"
code_field = "statcode"
name_field = "statnaam"
year = 2014
[[source]]
name = "ziekenhuizen_2019"
path = '{}'
kind = "voorzieningen"
category = "ziekenhuis"
"#,
        q(&national),
        q(&root.join("data/voorzieningen/ziekenhuizen_2019.geojson"))
    );
    std::fs::write(dir.path().join("wijkatlas.toml"), manifest).expect("manifest");
    let loaded = wijkatlas::load::load_dir(dir.path()).expect("national data");
    report("national 2014 buurten", &loaded.dataset);
}
