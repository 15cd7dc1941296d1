//! The E2SFCA and 2SFCA scores of `wijkatlas::analysis::access` against PySAL's
//! `access` package on the same real example: every wijk of the bundled data with
//! inhabitants as demand, the bundled hospitals as supply, a 10 km catchment (so some
//! wijken reach nothing). Every wijk's value must agree to 1e-9 (relative), and missing
//! must be missing on both sides.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;
use wijkatlas::analysis::access::{two_step, Catchment, Decay, Demand, Supply, LUO_QI_STEPS};
use wijkatlas::model::{AreaLevel, Category, Figure};

#[test]
fn e2sfca_and_2sfca_agree_with_pysal_access_on_the_bundled_data() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/pyenv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `bash scripts/test.sh`, which installs PySAL access in a virtualenv",
        python.display()
    );
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
    assert!(wijken.len() > 3000 && hospitals.len() > 200);
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
    let input = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(input.path(), spec.to_string()).expect("write input");
    let out = Command::new(&python)
        .arg(root.join("tests/clients/pysal_access.py"))
        .arg(input.path())
        .output()
        .expect("run PySAL");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pysal: Value = serde_json::from_slice(&out.stdout).expect("PySAL JSON");

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
