//! The E2SFCA and 2SFCA scores of `wijkatlas::analysis::access` against PySAL's
//! `access` package on the same real example: every wijk of the bundled data with
//! inhabitants as demand, the bundled hospitals as supply, a 10 km catchment (so some
//! wijken reach nothing). Every wijk's value must agree to 1e-9 (relative), and missing
//! must be missing on both sides.

mod common;

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;
use wijkatlas::analysis::access::{two_step, Catchment, Decay, Demand, Supply, LUO_QI_STEPS};
use wijkatlas::model::{AreaLevel, Category, Figure};

/// The project root and the virtualenv's Python that has PySAL `access`.
fn pysal_python() -> (PathBuf, PathBuf) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/pyenv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `bash scripts/test.sh`, which installs PySAL access in a virtualenv",
        python.display()
    );
    (root, python)
}

/// Runs tests/clients/pysal_access.py on a spec and returns its scores by demand id.
fn run_pysal(python: &std::path::Path, root: &std::path::Path, spec: &Value) -> Value {
    let input = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(input.path(), spec.to_string()).expect("write input");
    let out = Command::new(python)
        .arg(root.join("tests/clients/pysal_access.py"))
        .arg(input.path())
        .output()
        .expect("run PySAL");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("PySAL JSON")
}

#[test]
fn e2sfca_and_2sfca_agree_with_pysal_access_on_the_bundled_data() {
    let (root, python) = pysal_python();
    let loaded = wijkatlas::load::load_dir(&root.join("data")).expect("bundled data");
    let ds = &loaded.dataset;
    // PySAL divides by zero for a facility whose catchment holds no people, where we
    // give no ratio; only wijken with inhabitants take part, so the two agree.
    let wijken: Vec<_> = ds
        .areas(AreaLevel::Wijk)
        .iter()
        .filter(|a| a.figures.get(Figure::Inhabitants).is_some_and(|p| p > 0.0))
        .collect();
    let hospitals: Vec<_> = ds
        .voorzieningen()
        .iter()
        .filter(|v| v.category == Category::Ziekenhuis)
        .collect();
    assert!(wijken.len() > 3000 && hospitals.len() > 100);
    let demand: Vec<Demand> = wijken
        .iter()
        .map(|a| Demand {
            at: wijkatlas::crs::RdPoint::new(a.interior_point_rd.x(), a.interior_point_rd.y()),
            population: a.figures.get(Figure::Inhabitants),
        })
        .collect();
    let supply: Vec<Supply> = hospitals
        .iter()
        .map(|v| Supply {
            at: v.location.rd,
            capacity: v.capacity.unwrap_or(1.0),
        })
        .collect();
    let e2 = Catchment {
        radius_m: 10_000.0,
        decay: Decay::Steps(LUO_QI_STEPS),
    };
    let flat = Catchment {
        decay: Decay::Flat,
        ..e2
    };
    // Pairs up to 1.5 × d0, so PySAL's own cut-off at d0 is exercised too.
    let mut cost = Vec::new();
    for (i, d) in demand.iter().enumerate() {
        for (j, s) in supply.iter().enumerate() {
            let metres = d.at.distance_m(s.at);
            if metres <= 15_000.0 {
                cost.push(json!({ "origin": wijken[i].code.to_string(), "dest": format!("h{j}"), "cost": metres }));
            }
        }
    }
    let spec = json!({
        "demand": wijken.iter().zip(&demand).map(|(a, d)| json!({ "id": a.code.to_string(), "population": d.population })).collect::<Vec<_>>(),
        "supply": supply.iter().enumerate().map(|(j, s)| json!({ "id": format!("h{j}"), "capacity": s.capacity })).collect::<Vec<_>>(),
        "cost": cost,
        "max_cost": e2.radius_m,
        "bounds": e2.zone_bounds(),
        "weights": LUO_QI_STEPS,
    });
    let pysal = run_pysal(&python, &root, &spec);

    let ours_e2 = two_step(&demand, &supply, &e2);
    let ours_flat = two_step(&demand, &supply, &flat);
    let same = |ours: Option<f64>, theirs: &Value| match (ours, theirs.as_f64()) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * b.abs().max(f64::MIN_POSITIVE),
        _ => false,
    };
    let mut missing = 0;
    for (i, a) in wijken.iter().enumerate() {
        let p = &pysal[a.code.to_string()];
        assert!(
            same(ours_e2.score[i], &p["e2"]),
            "{}: e2 {:?} vs {}",
            a.code,
            ours_e2.score[i],
            p["e2"]
        );
        assert!(
            same(ours_e2.normalised[i], &p["e2n"]),
            "{}: normalised {:?} vs {}",
            a.code,
            ours_e2.normalised[i],
            p["e2n"]
        );
        assert!(
            same(ours_flat.score[i], &p["flat"]),
            "{}: 2sfca {:?} vs {}",
            a.code,
            ours_flat.score[i],
            p["flat"]
        );
        missing += usize::from(ours_e2.score[i].is_none());
    }
    println!(
        "compared {} wijken; {missing} with no hospital within 10 km",
        wijken.len()
    );
    assert!(missing > 0 && missing < wijken.len() / 2, "{missing}");
}

/// The same cross-check with each wijk's demand as weighted points (the PC4 points
/// inside it, or its buurten, as `analysis::demand` finds them): PySAL scores every
/// point; a wijk's access in `analysis::assess` must be the weighted mean of its
/// points' PySAL scores, normalised or not.
#[test]
fn weighted_demand_points_agree_with_pysal_point_by_point() {
    use wijkatlas::analysis::assess::assess;
    use wijkatlas::analysis::config::{AnalysisConfig, AnalysisSettings};
    use wijkatlas::analysis::demand::demand_points;
    use wijkatlas::analysis::gap::loaded_supply;
    let (root, python) = pysal_python();
    let loaded = wijkatlas::load::load_dir(&root.join("data")).expect("bundled data");
    let ds = &loaded.dataset;
    let settings: AnalysisSettings =
        toml::from_str("[categorie.ziekenhuis]\ncatchment_m = 10000\n").expect("settings");
    let config = AnalysisConfig::from_settings(&settings).expect("config");
    let areas = ds.areas(AreaLevel::Wijk);
    let demand = demand_points(ds, AreaLevel::Wijk);
    let supply = loaded_supply(ds, Category::Ziekenhuis);
    // The points of the wijken with people, each with its share of the inhabitants.
    let mut points = Vec::new();
    for (a, d) in areas.iter().zip(&demand) {
        let Some(people) = a.figures.get(Figure::Inhabitants).filter(|p| *p > 0.0) else {
            continue;
        };
        for (k, p) in d.points.iter().enumerate() {
            points.push((
                a.code.to_string(),
                format!("{}#{k}", a.code),
                p.at,
                p.weight,
                people * p.weight,
            ));
        }
    }
    let several = demand.iter().filter(|d| d.points.len() > 1).count();
    assert!(
        several > 500,
        "only {several} wijken have more than one demand point"
    );
    let mut cost = Vec::new();
    for (_, id, at, _, _) in &points {
        for (j, s) in supply.iter().enumerate() {
            let metres = at.distance_m(s.at);
            if metres <= 15_000.0 {
                cost.push(json!({ "origin": id, "dest": format!("h{j}"), "cost": metres }));
            }
        }
    }
    let catchment = config.settings(Category::Ziekenhuis).catchment;
    let spec = json!({
        "demand": points.iter().map(|(_, id, _, _, n)| json!({ "id": id, "population": n })).collect::<Vec<_>>(),
        "supply": supply.iter().enumerate().map(|(j, s)| json!({ "id": format!("h{j}"), "capacity": s.capacity })).collect::<Vec<_>>(),
        "cost": cost,
        "max_cost": catchment.radius_m,
        "bounds": catchment.zone_bounds(),
        "weights": LUO_QI_STEPS,
    });
    let pysal = run_pysal(&python, &root, &spec);
    // PySAL per point, put together per wijk with the points' weights.
    let mut by_wijk: std::collections::HashMap<String, (f64, f64, bool)> = Default::default();
    for (wijk, id, _, w, _) in &points {
        let e = by_wijk.entry(wijk.clone()).or_default();
        if let (Some(s), Some(n)) = (pysal[id]["e2"].as_f64(), pysal[id]["e2n"].as_f64()) {
            e.0 += w * s;
            e.1 += w * n;
            e.2 = true;
        }
    }
    let ours = assess(
        ds,
        AreaLevel::Wijk,
        Category::Ziekenhuis,
        &config,
        &demand,
        &supply,
    );
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(f64::MIN_POSITIVE);
    let mut compared = 0;
    for (a, m) in areas.iter().zip(&ours.areas) {
        let Some(&(score, normalised, any)) = by_wijk.get(&a.code.to_string()) else {
            continue;
        };
        match (m.score, m.access, any) {
            (None, None, false) => {}
            (Some(s), Some(n), true) => {
                assert!(close(s, score), "{}: score {s} vs PySAL {score}", a.code);
                assert!(
                    close(n, normalised),
                    "{}: normalised {n} vs PySAL {normalised}",
                    a.code
                );
            }
            other => panic!("{}: ours {other:?}, PySAL {score} {normalised}", a.code),
        }
        compared += 1;
    }
    println!(
        "compared {compared} wijken from {} weighted demand points ({several} wijken with more than one)",
        points.len()
    );
    assert!(compared > 3000, "{compared}");
}

/// E2SFCA with network time as its cost, against PySAL `access` given the same cost
/// matrix. The network is REAL (the TU Delft OpenStreetMap extract of
/// `../shared/data/osm_nl_fixtures`); the demand points, their populations and the
/// facilities are SYNTHETIC (a grid over the campus, made-up numbers). Our pairs go to
/// PySAL up to 1.5 × d0, so its cut-off and ours are both exercised.
#[test]
fn e2sfca_on_walking_time_agrees_with_pysal_access_given_our_cost_matrix() {
    use wijkatlas::analysis::network::LevelNetwork;
    use wijkatlas::crs::LonLat;
    use wijkatlas::routing::{Mode, Networks};
    let (root, python) = pysal_python();
    let test = "e2sfca_on_walking_time_agrees_with_pysal_access_given_our_cost_matrix";
    let Some(pbf) =
        common::skip::shared_data(test, "osm_nl_fixtures/delft_tudelft_2025-08.osm.pbf")
    else {
        return;
    };
    let networks = Networks::from_pbf(&pbf, &[Mode::Foot]).expect("the extract builds");
    let foot = networks.get(Mode::Foot).expect("foot");
    // A SYNTHETIC grid of 16 × 8 points, one per "area", and six facilities on it.
    let mut points = Vec::new();
    for i in 0..16 {
        for j in 0..8 {
            let at = LonLat::new(4.355 + 0.002 * f64::from(i), 51.990 + 0.002 * f64::from(j));
            points.push((points.len(), at, 1.0));
        }
    }
    let n = points.len();
    let population: Vec<Option<f64>> = (0..n)
        .map(|k| Some(100.0 + (k * 37 % 300) as f64))
        .collect();
    let facilities: Vec<(LonLat, f64)> = [3usize, 29, 50, 77, 100, 121]
        .iter()
        .enumerate()
        .map(|(c, &k)| (points[k].1, 1.0 + c as f64))
        .collect();
    let level = LevelNetwork::new(foot, &points, n, 500.0);
    let e2 = Catchment {
        radius_m: 600.0, // seconds here: 10 minutes' walk
        decay: Decay::Steps(LUO_QI_STEPS),
    };
    let measured = vec![true; n];
    let ours = level
        .e2sfca(&facilities, &population, &measured, &e2)
        .expect("no deadline here");
    let located: Vec<LonLat> = facilities.iter().map(|f| f.0).collect();
    let pairs = level.time_pairs(&located, 900.0).expect("no deadline here");
    assert!(pairs.iter().any(|p| p.2 > 600.0), "pairs past d0 are given");
    let spec = json!({
        "demand": (0..n).map(|k| json!({ "id": format!("p{k}"), "population": population[k] })).collect::<Vec<_>>(),
        "supply": facilities.iter().enumerate().map(|(j, f)| json!({ "id": format!("f{j}"), "capacity": f.1 })).collect::<Vec<_>>(),
        "cost": pairs.iter().map(|&(k, j, t)| json!({ "origin": format!("p{k}"), "dest": format!("f{j}"), "cost": t })).collect::<Vec<_>>(),
        "max_cost": e2.radius_m,
        "bounds": e2.zone_bounds(),
        "weights": LUO_QI_STEPS,
    });
    let pysal = run_pysal(&python, &root, &spec);
    let same = |ours: Option<f64>, theirs: &Value| match (ours, theirs.as_f64()) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * b.abs().max(f64::MIN_POSITIVE),
        _ => false,
    };
    let mut scored = 0;
    for (k, (score, normalised)) in ours.iter().enumerate() {
        let p = &pysal[format!("p{k}")];
        assert!(same(*score, &p["e2"]), "p{k}: e2 {score:?} vs {}", p["e2"]);
        assert!(
            same(*normalised, &p["e2n"]),
            "p{k}: normalised {normalised:?} vs {}",
            p["e2n"]
        );
        scored += usize::from(score.is_some());
    }
    println!(
        "compared {n} points along the walking network ({} pairs within 15 min); {scored} reach a facility within 10 min",
        pairs.len()
    );
    assert!(scored > 10 && scored < n, "{scored} of {n}");
}
