//! The routing graphs in the real server, on REAL data: the Delft wijken of CBS 2024
//! (`../shared/data/geoinzicht_wijken_gemeenten_2024`) and the TU Delft OpenStreetMap
//! extract (`../shared/data/osm_nl_fixtures`) loaded with `routing = true`. `/status`
//! says the graphs' size and `/api/nearest` gives walking and cycling times along the
//! network; the same directory without `routing` says distances are straight lines.
//! Missing data fails under CI.

mod common;

use common::{post, Server};
use std::path::Path;

fn start(dir: &Path) -> Server {
    Server::start(&["--data", dir.to_str().expect("path")])
}

/// A point on the TU Delft campus (Mekelweg), inside the extract.
const NEAREST: &str = "/api/nearest?lon=4.3713&lat=51.9990&k=3";

#[test]
fn status_and_nearest_give_network_times_where_a_graph_is_loaded() {
    let Some(dir) = common::delft::data_dir(
        "status_and_nearest_give_network_times_where_a_graph_is_loaded",
        true,
    ) else {
        return;
    };
    let server = start(dir.path());
    let status = server.json("/status");
    let routing = &status["routing"];
    assert_eq!(routing["loaded"], true, "{routing}");
    for mode in ["foot", "bicycle", "car"] {
        let nodes = routing["modes"][mode]["nodes"].as_u64().unwrap_or(0);
        assert!(nodes > 500, "{mode}: {nodes} nodes");
    }
    assert_eq!(
        routing["path"], "delft_tudelft_2025-08.osm.pbf",
        "no directory in the public status"
    );
    let answer = server.json(NEAREST);
    assert_eq!(answer["afstanden"], "over het netwerk");
    let found = answer["voorzieningen"].as_array().expect("voorzieningen");
    assert!(!found.is_empty(), "{answer}");
    for v in found {
        let straight = v["afstand_m"].as_f64().expect("afstand_m");
        for mode in ["lopen", "fietsen"] {
            let t = &v[mode];
            let (Some(minutes), Some(metres)) = (t["minuten"].as_f64(), t["afstand_m"].as_f64())
            else {
                panic!("{mode} of {}: {t}", v["id"]);
            };
            // Along the network is never shorter than the straight line (a metre of
            // rounding aside), and the time is the distance at the mode's speed.
            assert!(metres + 1.0 >= straight, "{mode} {metres} m < {straight} m");
            let kmh = if mode == "lopen" { 5.0 } else { 15.0 };
            let expect = metres / (kmh / 3.6) / 60.0;
            assert!(
                (minutes - expect).abs() <= 0.1 + 0.01 * expect,
                "{mode}: {minutes} min for {metres} m"
            );
        }
    }
}

#[test]
fn an_isochrone_along_the_network_and_its_bad_requests() {
    let Some(dir) =
        common::delft::data_dir("an_isochrone_along_the_network_and_its_bad_requests", true)
    else {
        return;
    };
    let server = start(dir.path());
    let lines = |modus: &str| {
        let fc = server.json(&format!(
            "/api/isochrone?lon=4.3713&lat=51.9990&minuten=5&modus={modus}"
        ));
        assert_eq!(fc["type"], "FeatureCollection");
        let f = &fc["features"][0];
        assert_eq!(f["geometry"]["type"], "MultiLineString");
        f["geometry"]["coordinates"]
            .as_array()
            .expect("lines")
            .len()
    };
    let (walk, cycle) = (lines("lopen"), lines("fietsen"));
    assert!(walk > 10, "{walk} lines walking");
    assert!(
        cycle > walk,
        "cycling reaches more in 5 minutes: {cycle} against {walk}"
    );
    for bad in [
        "/api/isochrone?lon=4.3713&lat=51.9990&minuten=0",
        "/api/isochrone?lon=4.3713&lat=51.9990&minuten=61",
        "/api/isochrone?lon=4.3713&lat=51.9990&modus=vliegen",
    ] {
        let (status, _, body) = server.get(bad);
        assert_eq!(status, 400, "{bad}: {body}");
    }
}

#[test]
fn without_a_graph_distances_are_said_to_be_straight_lines() {
    let Some(dir) = common::delft::data_dir(
        "without_a_graph_distances_are_said_to_be_straight_lines",
        false,
    ) else {
        return;
    };
    let server = start(dir.path());
    assert_eq!(server.json("/status")["routing"]["loaded"], false);
    let answer = server.json(NEAREST);
    assert_eq!(answer["afstanden"], "hemelsbreed");
    let first = &answer["voorzieningen"][0];
    assert!(first["afstand_m"].as_f64().is_some(), "{answer}");
    assert!(first.get("lopen").is_none(), "{first}");
    let (status, _, body) = server.get("/api/isochrone?lon=4.3713&lat=51.9990");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("hemelsbreed"), "{body}");
    // No network properties at all (absent, not null), and a what-if in straight lines.
    let status = server.json("/status");
    assert!(status["routing"].get("indicatoren").is_none(), "{status}");
    let items = server.json("/collections/wijken/items?limit=1000");
    let props = items["features"][0]["properties"]
        .as_object()
        .expect("properties");
    assert!(props.keys().any(|k| k.ends_with("_afstand_m")), "{props:?}");
    assert!(
        !props
            .keys()
            .any(|k| k.contains("_lopen_") || k.contains("_fietsen_")),
        "{props:?}"
    );
    let category = props
        .keys()
        .find_map(|k| k.strip_suffix("_toegang"))
        .expect("a category");
    let (status, out) = post(
        &server,
        "/api/scenario",
        &format!(r#"{{"categorie":"{category}","open":[{{"lon":4.3713,"lat":51.9990}}]}}"#),
    );
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["afstanden"], "hemelsbreed");
    assert!(out.get("totaal_netwerk").is_none(), "{out}");
}

/// The web-mercator tile of zoom `z` holding a point.
fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let rad = lat.to_radians();
    let y = ((1.0 - (rad.tan() + 1.0 / rad.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor()
        as u32;
    (x, y)
}

#[test]
fn network_indicators_are_layer_properties_and_the_what_if_counts_along_the_network() {
    let Some(dir) = common::delft::data_dir(
        "network_indicators_are_layer_properties_and_the_what_if_counts_along_the_network",
        true,
    ) else {
        return;
    };
    let server = start(dir.path());
    let status = server.json("/status");
    let report = &status["routing"]["indicatoren"];
    let modes: Vec<&str> = report["modi"]
        .as_array()
        .unwrap_or_else(|| panic!("no indicatoren in /status: {status}"))
        .iter()
        .filter_map(|m| m["modus"].as_str())
        .collect();
    assert_eq!(modes, ["lopen", "fietsen"], "{report}");
    assert!(
        report["bron"].as_str().unwrap_or("").contains("ODbL"),
        "{report}"
    );
    for m in report["modi"].as_array().expect("modi") {
        let points = m["vraagpunten"].as_u64().expect("vraagpunten");
        let off = m["vraagpunten_buiten_netwerk"].as_u64().expect("counted");
        assert!(points > 0 && off <= points, "{m}");
    }

    let items = server.json("/collections/wijken/items?limit=1000");
    let features = items["features"].as_array().expect("features");
    // The categories with network properties, from the first wijk's names.
    let first = features[0]["properties"].as_object().expect("properties");
    let categories: Vec<String> = first
        .keys()
        .filter_map(|k| k.strip_suffix("_lopen_minuten").map(str::to_string))
        .collect();
    assert!(!categories.is_empty(), "no network properties: {first:?}");
    let mut checked = 0;
    let mut shares = 0;
    for f in features {
        let p = &f["properties"];
        for c in &categories {
            for (mode, m_per_min) in [("lopen", 5000.0 / 60.0), ("fietsen", 15000.0 / 60.0)] {
                let minutes = p[format!("{c}_{mode}_minuten")].as_f64();
                let metres = p[format!("{c}_{mode}_afstand_m")].as_f64();
                let straight = p[format!("{c}_afstand_m")].as_f64();
                // The searches stop at 20 minutes: a mean only where nobody is beyond.
                let beyond = p[format!("{c}_{mode}_aandeel_verder_dan_20min")].as_f64();
                if let Some(share) = beyond {
                    assert!((0.0..=1.0).contains(&share), "{c} {mode}: share {share}");
                    assert_eq!(minutes.is_some(), share == 0.0, "{c} {mode}: {p}");
                    shares += 1;
                }
                let (Some(minutes), Some(metres), Some(straight)) = (minutes, metres, straight)
                else {
                    continue;
                };
                // One demand point per wijk here: along the network is never shorter
                // than the straight line to the nearest, nor faster than its pace.
                assert!(
                    metres + 1.0 >= straight,
                    "{c} {mode}: {metres} m < {straight} m"
                );
                assert!(
                    minutes + 0.05 >= straight / m_per_min,
                    "{c} {mode}: {minutes} min for {straight} m in a straight line"
                );
                let within: Vec<f64> = ["10min", "15min", "20min"]
                    .iter()
                    .map(|t| {
                        p[format!("{c}_{mode}_inwoners_binnen_{t}")]
                            .as_f64()
                            .unwrap_or(0.0)
                    })
                    .collect();
                assert!(
                    within[0] <= within[1] && within[1] <= within[2],
                    "{within:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "no wijk has network figures");
    assert!(
        shares >= checked,
        "every figure has its share beyond 20 minutes"
    );
    println!(
        "{checked} wijk × category × mode figures checked over {} categories; {report}",
        categories.len()
    );

    // CSV, queryables (with where they come from), tiles.
    let name = format!("{}_fietsen_inwoners_binnen_15min", categories[0]);
    let (status, _, csv) = server.get("/collections/wijken/items?f=csv&limit=1000");
    assert_eq!(status, 200);
    let header = csv.lines().next().unwrap_or("");
    assert!(header.contains(&name), "{header}");
    let q = server.json("/collections/wijken/queryables");
    let described = q["properties"][&name]["description"].as_str().unwrap_or("");
    assert!(
        described.contains("OpenStreetMap") && described.contains("ODbL"),
        "{q}"
    );
    let beyond = format!("{}_lopen_aandeel_verder_dan_20min", categories[0]);
    assert!(header.contains(&beyond), "{header}");
    let title = q["properties"][&beyond]["title"].as_str().unwrap_or("");
    assert!(title.contains("verder dan 20 minuten"), "{q}");
    let (x, y) = tile_of(4.3713, 51.999, 12);
    let (status, _, tile) = common::raw(
        &server,
        &format!("/collections/wijken/tiles/WebMercatorQuad/12/{y}/{x}"),
        &[],
    );
    assert_eq!(status, 200);
    let needle = name.as_bytes();
    assert!(
        tile.windows(needle.len()).any(|w| w == needle),
        "the tile carries {name}"
    );

    // The what-if: a facility opened on the campus, along the network before → after.
    let opened = format!(
        r#"{{"categorie":"{}","open":[{{"lon":4.3713,"lat":51.9990}}]}}"#,
        categories[0]
    );
    let (status, out) = post(&server, "/api/scenario", &opened);
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["afstanden"], "over het netwerk");
    let totals = out["totaal_netwerk"].as_array().expect("totaal_netwerk");
    assert_eq!(totals.len(), 2, "{out}");
    for t in totals {
        assert_eq!(t["minuten"], serde_json::json!([10.0, 15.0, 20.0]));
        assert_eq!(t["nieuw_buiten_netwerk"], 0, "{t}");
        for k in 0..3 {
            let (b, a) = (
                t["binnen_voor"][k].as_f64().expect("voor"),
                t["binnen_na"][k].as_f64().expect("na"),
            );
            assert!(a >= b, "opening takes nobody out of reach: {t}");
        }
    }
    let modes: Vec<&str> = totals.iter().filter_map(|t| t["modus"].as_str()).collect();
    assert_eq!(modes, ["lopen", "fietsen"], "{out}");
    assert!(
        totals
            .iter()
            .any(|t| t["binnen_na"][0].as_f64() > t["binnen_voor"][0].as_f64()),
        "a facility on the campus brings someone within 10 minutes: {out}"
    );
    // Asked again, "before" comes from what the first answer kept: the same totals.
    let (status, again) = post(&server, "/api/scenario", &opened);
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["totaal_netwerk"], out["totaal_netwerk"]);
    println!(
        "what-if along the network, {} opened: {}",
        categories[0], out["totaal_netwerk"]
    );
    // The straight-line outcome is still there.
    assert!(out["totaal"]["binnen_bereik_na"].is_array(), "{out}");
}
