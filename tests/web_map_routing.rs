//! The resident page and the planner map with a road network loaded, in Debian's
//! Chromium, on REAL data (the Delft wijken and the TU Delft OpenStreetMap extract, see
//! `common::delft`): network walking and cycling times in the resident's list, the reach
//! within some minutes drawn on both maps with a legend and words, axe clean. The
//! screenshots are left in `target/e2e-routing/` to look at. Missing data fails under CI.

mod common;

use common::Server;

#[test]
fn network_times_and_the_reach_on_both_maps_in_chromium() {
    let test = "network_times_and_the_reach_on_both_maps_in_chromium";
    let Some(dir) = common::delft::data_dir(test, true) else {
        return;
    };
    let server = Server::start(&["--data", dir.path().to_str().expect("path")]);
    let config = server.json("/web/config.json");
    assert_eq!(
        config["netwerk"]["modi"],
        serde_json::json!(["lopen", "fietsen", "auto"]),
        "the page is told which modes have a network"
    );
    let reach = server.json("/api/isochrone?lon=4.3713&lat=51.9990&minuten=5&modus=lopen");
    let length = reach["features"][0]["properties"]["lengte_m"]
        .as_f64()
        .unwrap_or(0.0);
    // 5 minutes' walk is 417 m from the start along each way out: on a campus with many
    // paths that is kilometres of road and path, and far less than 100 km.
    assert!(
        (1000.0..100_000.0).contains(&length),
        "{length} m reached in 5 minutes"
    );

    let out = common::browser::root().join("target/e2e-routing");
    let (_, summary) = common::browser::run("routing.mjs", &server.base, "e2e-routing");
    let summary = summary.expect("the summary line");
    assert!(summary["checks"].as_u64().unwrap_or(0) >= 20, "{summary}");
    for shot in ["resident-network.png", "planner-network.png"] {
        let bytes = std::fs::metadata(out.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(
            bytes > 50_000,
            "{shot} is a real screenshot ({bytes} bytes)"
        );
    }
}

#[test]
fn without_a_network_the_pages_are_told_distances_are_straight_lines() {
    let test = "without_a_network_the_pages_are_told_distances_are_straight_lines";
    let Some(dir) = common::delft::data_dir(test, false) else {
        return;
    };
    let server = Server::start(&["--data", dir.path().to_str().expect("path")]);
    let config = server.json("/web/config.json");
    assert!(config["netwerk"].is_null(), "{}", config["netwerk"]);
}
