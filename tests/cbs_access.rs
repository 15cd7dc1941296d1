//! A national huisarts gap map from CBS's figures alone: the SYNTHETIC national-size
//! CBS 2024 GeoPackage (`common::national_gpkg`, written by GDAL, made-up distances in
//! CBS's columns) loaded with no voorziening at all, served on a real port and opened in
//! the planner in Chromium.

mod common;
use common::Server;
use serde_json::Value;

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn a_gp_gap_map_from_cbs_distances_when_no_gp_is_loaded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, buurten) = common::national_gpkg::write_dataset(dir.path());
    assert!(buurten > 12_000, "{buurten} synthetic buurten");
    let server = Server::start(&["--data", dir.path().to_str().expect("path")]);

    // The map offers the category, saying where its access comes from.
    let config = server.json("/web/config.json");
    let cats = config["categories"].as_array().expect("categories");
    let gp = cats
        .iter()
        .find(|c| c["key"] == "huisarts")
        .unwrap_or_else(|| panic!("huisarts is not on the map: {cats:?}"));
    assert_eq!(gp["toegang_bron"], "cbs_afstand", "{gp}");
    assert_eq!(gp["count"], 0);
    assert!(gp["toegang_bron_tekst"]
        .as_str()
        .is_some_and(|t| t.contains("CBS")));
    // Exactly the categories CBS measures as we define them, all from CBS's figures;
    // none without a CBS distance (a wijkteam, say).
    let keys: Vec<&str> = cats.iter().filter_map(|c| c["key"].as_str()).collect();
    assert_eq!(
        keys,
        [
            "huisarts",
            "apotheek",
            "huisartsenpost",
            "ziekenhuis",
            "bibliotheek"
        ]
    );
    assert!(cats.iter().all(|c| c["toegang_bron"] == "cbs_afstand"));

    // The ranking covers every buurt with CBS's figure, measured by it.
    let gaps = server.json("/api/gaps?categorie=huisarts&limit=10000");
    assert_eq!(
        gaps["toegang_bron"]["soort"], "cbs_afstand",
        "{}",
        gaps["toegang_bron"]
    );
    assert_eq!(gaps["toegang_bron"]["figuur"], "afstand_huisarts_km");
    let ranked = gaps["ranked"].as_array().expect("ranked");
    let outside = gaps["outside_coverage"].as_array().expect("outside").len();
    let insufficient = gaps["insufficient_data"]
        .as_array()
        .expect("insufficient")
        .len();
    let ranked_total = gaps["numberRanked"].as_u64().expect("numberRanked") as usize;
    assert_eq!(ranked.len(), 10_000.min(ranked_total));
    assert_eq!(
        ranked_total + outside + insufficient,
        buurten,
        "every buurt accounted for"
    );
    // About 3% of the made-up values are CBS's secret code: those buurten have no figure.
    assert!(
        outside > 0 && outside < buurten / 10,
        "{outside} without a figure"
    );
    assert!(ranked_total > buurten * 8 / 10, "{ranked_total} ranked");
    for r in ranked.iter().take(20) {
        let ours = r["nearest_m"].as_f64().expect("a distance");
        let cbs = r["cbs_afstand_km"].as_f64().expect("CBS's distance");
        assert!((ours - cbs * 1000.0).abs() < 1e-6, "{r}");
        let reason = r["reason"].as_str().unwrap_or("");
        assert!(reason.contains("(CBS, per buurt)"), "{reason}");
        assert!(reason.contains("geen huisarts geladen"), "{reason}");
        assert_eq!(r["vraag_basis"], "cbs_adressen");
    }
    // Distance drives the gap: the 500 most underserved lie farther than the next.
    let distances: Vec<f64> = ranked
        .iter()
        .filter_map(|r| r["nearest_m"].as_f64())
        .collect();
    let (top, rest) = distances.split_at(500);
    eprintln!(
        "cbs access: {buurten} buurten, {ranked_total} ranked, {outside} without CBS's figure, {insufficient} without need; top 500 at {:.0} m, the next {} at {:.0} m",
        mean(top),
        rest.len(),
        mean(rest)
    );
    assert!(
        mean(top) > 1.5 * mean(rest),
        "top 500 at {:.0} m, the rest at {:.0} m",
        mean(top),
        mean(rest)
    );

    // The layer carries the figures for GIS styling and the choropleth.
    let first = ranked[0]["code"].as_str().expect("code");
    let item = server.json(&format!("/collections/buurten/items/{first}"));
    let p = &item["properties"];
    assert_eq!(p["huisarts_dekking"], "binnen", "{p}");
    assert_eq!(p["huisarts_rang"], 1);
    assert!(p["huisarts_toegang"].as_f64().is_some(), "{p}");
    assert_eq!(
        p["huisarts_binnen_1km"],
        Value::Null,
        "no counts from a mean"
    );

    // The profile says the distance is CBS's.
    let profile = server.json(&format!("/profiles/{first}"));
    let row = profile["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == "huisarts")
        .expect("a huisarts row");
    assert!(
        row["toegang_bron"]
            .as_str()
            .is_some_and(|t| t.starts_with("afstand volgens CBS")),
        "{row}"
    );

    // What-ifs and suggestions move points; with none loaded they say so.
    let (status, _, body) = server.get("/api/suggest?categorie=huisarts");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("no huisarts is loaded"), "{body}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .post(&server.url("/api/scenario"))
        .header("content-type", "application/json")
        .send(r#"{"categorie":"huisarts","open":[{"lon":5.1,"lat":52.1}]}"#)
        .expect("request");
    let status = resp.status().as_u16();
    let body = resp.body_mut().read_to_string().unwrap_or_default();
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("CBS's distance"), "{body}");

    // And in the browser: the planner on this data (web/e2e/cbs.mjs, Debian's Chromium).
    common::browser::run("cbs.mjs", &server.base, "e2e-cbs");
}
