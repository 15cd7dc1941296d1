//! A data directory on REAL data with a road network: the Delft wijken of CBS 2024
//! (`../shared/data/geoinzicht_wijken_gemeenten_2024`) and the TU Delft OpenStreetMap
//! extract (`../shared/data/osm_nl_fixtures`) as voorzieningen, with or without
//! `routing = true`. Missing data is a skip, and a failure under CI.

use serde_json::Value;

/// The directory, or `None` after recording the skip of `test`.
pub fn data_dir(test: &str, routing: bool) -> Option<tempfile::TempDir> {
    let wijken =
        super::skip::shared_data(test, "geoinzicht_wijken_gemeenten_2024/wijken_2024.geojson")?;
    let pbf = super::skip::shared_data(test, "osm_nl_fixtures/delft_tudelft_2025-08.osm.pbf")?;
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
    let manifest = include_str!("../fixtures/delft/wijkatlas.toml.in")
        .replace("@PBF@", &pbf.display().to_string())
        .replace("@ROUTING@", if routing { "true" } else { "false" });
    std::fs::write(dir.path().join("wijkatlas.toml"), manifest).expect("write");
    Some(dir)
}
