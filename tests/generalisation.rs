//! Topology-safe simplification on the bundled real wijken: lighter, same total area,
//! and neighbours that neither overlap nor part more than in the original data.

use geo::{Area, BooleanOps, BoundingRect, Intersects, MultiPolygon};
use std::path::Path;
use wijkatlas::model::AreaLevel;
use wijkatlas::topology::{simplify_coverage, tolerance_for_zoom};

fn vertices(mps: &[MultiPolygon<f64>]) -> usize {
    mps.iter()
        .flat_map(|m| &m.0)
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|h| h.0.len()).sum::<usize>())
        .sum()
}

#[test]
fn bundled_wijken_simplify_without_slivers() {
    let loaded =
        wijkatlas::load::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data")).unwrap();
    let wijken = loaded.dataset.areas(AreaLevel::Wijk);
    let originals: Vec<MultiPolygon<f64>> = wijken.iter().map(|a| a.geometry.rd.clone()).collect();
    let area = |mps: &[MultiPolygon<f64>]| mps.iter().map(|m| m.unsigned_area()).sum::<f64>();
    // Utrecht (GM0344) and its neighbours De Bilt, Stichtse Vecht, Nieuwegein, Houten,
    // Bunnik and Utrechtse Heuvelrug: every pair of neighbouring wijken among them.
    let sample: Vec<usize> = wijken
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            ["GM0344", "GM0310", "GM1904", "GM0356", "GM0321", "GM0312"]
                .contains(&a.code.gemeente().to_string().as_str())
        })
        .map(|(i, _)| i)
        .collect();
    assert!(sample.len() > 40, "{}", sample.len());
    let overlap = |mps: &[MultiPolygon<f64>]| -> f64 {
        let mut total = 0.0;
        for (n, &i) in sample.iter().enumerate() {
            for &j in &sample[n + 1..] {
                let (a, b) = (&mps[i], &mps[j]);
                if a.bounding_rect()
                    .zip(b.bounding_rect())
                    .is_some_and(|(x, y)| x.intersects(&y))
                {
                    total += a.intersection(b).unsigned_area();
                }
            }
        }
        total
    };
    let original_overlap = overlap(&originals);
    let mut last_vertices = 0;
    for zoom in [7u8, 9, 11] {
        use geo::Simplify;
        let t = tolerance_for_zoom(zoom);
        let simplified = simplify_coverage(&originals, t);
        let alone: Vec<MultiPolygon<f64>> = originals.iter().map(|m| m.simplify(t)).collect();
        let (before, after) = (vertices(&originals), vertices(&simplified));
        let change = (area(&simplified) - area(&originals)).abs() / area(&originals);
        let (ours, theirs) = (overlap(&simplified), overlap(&alone));
        println!(
            "zoom {zoom} (tolerance {t:.0} m): vertices {before} → {after} ({:.1}%), area change {:.3}%, \
             overlap between neighbours {original_overlap:.0} m² → {ours:.0} m² (each simplified alone: {theirs:.0} m²)",
            100.0 * after as f64 / before as f64,
            100.0 * change
        );
        assert!(after > last_vertices, "coarser zooms are lighter");
        last_vertices = after;
        assert!(change < 0.01, "zoom {zoom}: total area changed by {change}");
        assert_eq!(
            simplified.iter().filter(|m| m.0.is_empty()).count(),
            0,
            "no area vanished"
        );
        // The bundled wijken already overlap a little (they are not an exact coverage),
        // and where neighbours do not share vertices their edges move apart; where they
        // do, the shared arcs keep them together, well below simplifying each alone.
        assert!(
            ours < theirs * 0.75 || ours <= original_overlap * 1.01,
            "zoom {zoom}: {ours} vs {theirs}"
        );
    }
    let coarse = simplify_coverage(&originals, tolerance_for_zoom(7));
    assert!(
        vertices(&coarse) * 2 < vertices(&originals),
        "zoom 7 at least halves the vertices"
    );
}

mod common;

fn positions(v: &serde_json::Value, out: &mut Vec<String>) {
    match v.as_array() {
        Some(a) if a.first().is_some_and(|x| x.is_number()) => out.push(v.to_string()),
        Some(a) => a.iter().for_each(|x| positions(x, out)),
        None => {}
    }
}

#[test]
fn zoom_serves_lighter_outlines_that_neighbours_still_share() {
    let server = common::Server::start(&[]);
    let full = server.json("/collections/wijken/items?gemeentecode=GM0344&limit=100");
    let light = server.json("/collections/wijken/items?gemeentecode=GM0344&limit=100&zoom=9");
    let count = |fc: &serde_json::Value| {
        let mut out = Vec::new();
        for f in fc["features"].as_array().unwrap() {
            positions(&f["geometry"]["coordinates"], &mut out);
        }
        out.len()
    };
    assert!(
        count(&light) * 10 < count(&full) * 8,
        "{} vs {}",
        count(&light),
        count(&full)
    );
    assert_eq!(light["numberMatched"], full["numberMatched"]);
    // Neighbours that share positions keep sharing them, written identically: the
    // nodes where their common edge starts and ends never move. (In the bundled wijken
    // many neighbours share few vertices: the source drew their edges separately.)
    let outlines = |fc: &serde_json::Value| -> Vec<(String, Vec<String>)> {
        fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let mut out = Vec::new();
                positions(&f["geometry"]["coordinates"], &mut out);
                (f["id"].as_str().unwrap().to_string(), out)
            })
            .collect()
    };
    let shared = |a: &[String], b: &[String]| a.iter().filter(|p| b.contains(p)).count();
    let (before, after) = (outlines(&full), outlines(&light));
    let mut pairs = 0;
    for i in 0..before.len() {
        for j in i + 1..before.len() {
            if shared(&before[i].1, &before[j].1) > 0 {
                pairs += 1;
                assert!(
                    shared(&after[i].1, &after[j].1) > 0,
                    "{} and {} no longer meet",
                    before[i].0,
                    before[j].0
                );
            }
        }
    }
    assert!(pairs >= 10, "{pairs}");
    let long_edge = |o: &[(String, Vec<String>)]| {
        let find = |id: &str| &o.iter().find(|(i, _)| i == id).unwrap().1;
        shared(find("WK034409"), find("WK034410"))
    };
    assert!(long_edge(&after) >= 2 && long_edge(&after) < long_edge(&before));
    // Past zoom 15 nothing is simplified; in RD the same holds.
    let fine = server.json("/collections/wijken/items?gemeentecode=GM0344&limit=100&zoom=16");
    assert_eq!(fine["features"], full["features"]);
    let rd = server
        .json("/collections/wijken/items?gemeentecode=GM0344&limit=100&zoom=9&crs=EPSG:28992");
    assert_eq!(count(&rd), count(&light));
    let (code, _, body) = server.get("/collections/wijken/items?zoom=25");
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("zoom"));
}
