//! The routing graphs in the real server, on REAL data: the Delft wijken of CBS 2024
//! (`../shared/data/geoinzicht_wijken_gemeenten_2024`) and the TU Delft OpenStreetMap
//! extract (`../shared/data/osm_nl_fixtures`) loaded with `routing = true`. `/status`
//! says the graphs' size and `/api/nearest` gives walking and cycling times along the
//! network; the same directory without `routing` says distances are straight lines.
//! Missing data fails under CI.

mod common;

use common::Server;
use serde_json::Value;
use std::path::Path;

fn data_dir(test: &str, routing: bool) -> Option<tempfile::TempDir> {
    let wijken =
        common::skip::shared_data(test, "geoinzicht_wijken_gemeenten_2024/wijken_2024.geojson")?;
    let pbf = common::skip::shared_data(test, "osm_nl_fixtures/delft_tudelft_2025-08.osm.pbf")?;
    let dir = tempfile::tempdir().expect("temp dir");
    let all: Value =
        serde_json::from_str(&std::fs::read_to_string(wijken).expect("read")).expect("JSON");
    let delft: Vec<Value> = all["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["properties"]["gemeentenaam"] == "Delft")
        .cloned()
        .collect();
    assert!(delft.len() > 5, "{} Delft wijken", delft.len());
    let fc = serde_json::json!({"type": "FeatureCollection", "features": delft});
    std::fs::write(dir.path().join("wijken.geojson"), fc.to_string()).expect("write");
    let manifest = format!(
        r#"name = "Delft, routing test"

[[source]]
name = "wijken"
path = "wijken.geojson"
kind = "areas"
level = "wijk"
code_field = "wijkcode"
name_field = "wijknaam"
year = 2024

[[source]]
name = "osm-delft"
path = "{}"
kind = "voorzieningen"
year = 2025
licence = "ODbL 1.0"

[source.osm]
routing = {routing}
"#,
        pbf.display()
    );
    std::fs::write(dir.path().join("wijkatlas.toml"), manifest).expect("write");
    Some(dir)
}

fn start(dir: &Path) -> Server {
    Server::start(&["--data", dir.to_str().expect("path")])
}

/// A point on the TU Delft campus (Mekelweg), inside the extract.
const NEAREST: &str = "/api/nearest?lon=4.3713&lat=51.9990&k=3";

#[test]
fn status_and_nearest_give_network_times_where_a_graph_is_loaded() {
    let Some(dir) = data_dir(
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
    let Some(dir) = data_dir("an_isochrone_along_the_network_and_its_bad_requests", true) else {
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
    let Some(dir) = data_dir(
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
}
