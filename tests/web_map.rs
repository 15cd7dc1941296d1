//! The web map as served: the embedded pages and files, the page's configuration, the
//! offline place search, and (in `the_web_map_works_in_chromium`) the whole map driven
//! by Playwright in Debian's Chromium against a real server.

mod common;
use common::Server;
use std::path::Path;
use std::process::Command;

#[test]
fn pages_and_their_files_are_served_from_the_binary() {
    let server = Server::start(&[]);
    for (page, script) in [
        ("/kaart", "/web/planner.js"),
        ("/bewoner", "/web/resident.js"),
        ("/kaart/embed", "/web/embed.js"),
    ] {
        let (status, content_type, body) = server.get(page);
        assert_eq!(status, 200, "{page}");
        assert!(
            content_type.starts_with("text/html"),
            "{page}: {content_type}"
        );
        assert!(body.contains(r#"<html lang="nl">"#), "{page} is Dutch");
        assert!(body.contains(script), "{page} loads {script}");
        // Nothing is loaded from elsewhere: every src and href is on this server.
        for attr in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
            assert!(!body.contains(attr), "{page} loads from outside: {attr}");
        }
        let (status, content_type, js) = server.get(script);
        assert_eq!(status, 200, "{script}");
        assert!(
            content_type.starts_with("text/javascript"),
            "{content_type}"
        );
        assert!(js.len() > 1000, "{script} is a real bundle");
    }
    for file in [
        "/web/app.css",
        "/web/maplibre-gl-worker.mjs",
        "/web/favicon.svg",
    ] {
        assert_eq!(server.get(file).0, 200, "{file}");
    }
    let (status, _, body) = server.get("/web/nothing.js");
    assert_eq!(status, 404);
    assert!(body.contains("no web map file"), "{body}");
}

#[test]
fn the_embeddable_map_may_be_framed_by_any_site() {
    let server = Server::start(&[]);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let embed = agent
        .get(&server.url("/kaart/embed?gemeente=GM0505&categorie=bibliotheek"))
        .call()
        .expect("get");
    assert_eq!(embed.status().as_u16(), 200);
    assert_eq!(
        embed
            .headers()
            .get("content-security-policy")
            .map(|v| v.to_str().ok()),
        Some(Some("frame-ancestors *"))
    );
}

#[test]
fn files_revalidate_with_a_content_etag() {
    let server = Server::start(&[]);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let first = agent
        .get(&server.url("/web/planner.js"))
        .call()
        .expect("get");
    let etag = first
        .headers()
        .get("etag")
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(first.headers().get("cache-control").unwrap(), "no-cache");
    let again = agent
        .get(&server.url("/web/planner.js"))
        .header("if-none-match", &etag)
        .call()
        .expect("get");
    assert_eq!(again.status().as_u16(), 304);
    let other = agent.get(&server.url("/web/app.css")).call().expect("get");
    assert_ne!(
        other.headers().get("etag").unwrap().to_str().unwrap(),
        etag,
        "ETags follow the content"
    );
}

#[test]
fn the_page_configuration_names_categories_levels_and_attribution() {
    let server = Server::start(&[]);
    let config = server.json("/web/config.json");
    let keys: Vec<&str> = config["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["ziekenhuis", "buitenpolikliniek", "bibliotheek"],
        "the categories with loaded facilities, in taxonomy order"
    );
    assert_eq!(config["categories"][0]["count"], 117);
    // Each says what its sources cover; the libraries are regional.
    assert_eq!(config["categories"][0]["landelijk"], true);
    assert_eq!(config["categories"][2]["landelijk"], false);
    assert!(config["categories"][2]["dekking"]
        .as_str()
        .unwrap()
        .contains("Dordrecht"));
    // The need index names its components at the analysis level, and the missing.
    assert_eq!(config["need"]["components"][0]["key"], "pct_65plus");
    assert!(!config["need"]["missing"].as_array().unwrap().is_empty());
    assert_eq!(config["analysisLevel"], "wijk");
    let attribution = config["attribution"].to_string();
    assert!(
        attribution.contains("CBS") && attribution.contains("OpenStreetMap"),
        "{attribution}"
    );
    // PDOK's grey BRT-Achtergrondkaart by default, credited on the map.
    assert_eq!(
        config["basemap"]["tiles"],
        "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png"
    );
    assert!(config["attribution"]
        .to_string()
        .contains("Kadaster / PDOK"));
    let props: Vec<&str> = config["areaProperties"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert!(
        props.contains(&"ziekenhuis_gap") && props.contains(&"behoefte_index"),
        "{props:?}"
    );
    let queryables = server.json("/collections/wijken/queryables");
    for p in &props {
        assert!(
            queryables["properties"].get(*p).is_some(),
            "{p} is a queryable of wijken"
        );
    }

    let without = Server::start(&["--basemap-url", "off"]);
    let config = without.json("/web/config.json");
    assert!(
        config["basemap"].is_null(),
        "`off` switches the basemap off"
    );
    assert!(!config["attribution"].to_string().contains("PDOK"));
    let with_basemap = Server::start(&["--basemap-url", "https://example.invalid/{z}/{x}/{y}.png"]);
    let config = with_basemap.json("/web/config.json");
    assert_eq!(
        config["basemap"]["tiles"],
        "https://example.invalid/{z}/{x}/{y}.png"
    );
    assert!(
        config["attribution"].to_string().contains("PDOK"),
        "the basemap's attribution is shown"
    );
}

#[test]
fn the_offline_search_finds_postcodes_and_places() {
    let server = Server::start(&[]);
    let hits = server.json("/api/zoek?q=3741%20AB");
    let first = &hits["resultaten"][0];
    assert_eq!(first["soort"], "postcode");
    assert_eq!(first["code"], "3741");
    // PC4 3741 is in Baarn: its point lies in the Baarn gemeente, checked with area-at.
    let at = server.json(&format!(
        "/api/area-at?lon={}&lat={}",
        first["lon"], first["lat"]
    ));
    assert!(
        at.to_string().contains("GM0308"),
        "3741 lies in Baarn: {at}"
    );

    let hits = server.json("/api/zoek?q=baarn");
    let list = hits["resultaten"].as_array().unwrap();
    assert_eq!(list[0]["soort"], "gemeente", "{hits}");
    assert_eq!(list[0]["code"], "GM0308");
    assert!(
        list.iter()
            .all(|h| h["naam"].as_str().unwrap().to_lowercase().contains("baarn")),
        "{hits}"
    );

    for bad in [
        "/api/zoek",
        "/api/zoek?q=%20",
        "/api/zoek?q=x&limit=0",
        "/api/zoek?q=x&limit=21",
        "/api/zoek?q=x&r=1",
    ] {
        let (status, content_type, body) = server.get(bad);
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(content_type.starts_with("application/json"), "{bad}");
    }
}

/// The map's CSV download writes no cell a spreadsheet would run as a formula, headers
/// included (`web/src/csv.ts`, bundled by esbuild and run by Node).
#[test]
fn the_map_csv_export_neutralises_formulas() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = Command::new("node")
        .arg("e2e/csv_cells.mjs")
        .current_dir(root.join("web"))
        .output()
        .expect("run node (Node.js is needed to build the web map too)");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    let summary: serde_json::Value =
        serde_json::from_str(stdout.lines().last().unwrap_or("")).expect("the summary line");
    assert!(summary["checks"].as_u64().unwrap_or(0) >= 13, "{summary}");
}

/// Playwright in Debian's Chromium: every view, as a person uses it. The screenshots
/// and downloads are left in `target/e2e/` to look at.
#[test]
fn the_web_map_works_in_chromium() {
    let out = common::browser::root().join("target/e2e");
    let server = Server::start(&[]);
    let (_, summary) = common::browser::run("run.mjs", &server.base, "e2e");
    let summary = summary.expect("the summary line");
    assert!(summary["checks"].as_u64().unwrap_or(0) >= 30, "{summary}");
    for shot in [
        "planner.png",
        "planner-whatif.png",
        "planner-whatif-link.png",
        "embed.png",
        "resident.png",
        "resident-phone.png",
    ] {
        let bytes = std::fs::metadata(out.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(
            bytes > 50_000,
            "{shot} is a real screenshot ({bytes} bytes)"
        );
    }
}
