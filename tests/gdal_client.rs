//! GDAL's OGC API – Features driver (what QGIS uses underneath) against the real server.

mod common;

use common::Server;
use serde_json::Value;
use std::process::Command;

fn gdal(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed ({e}); scripts/test.sh installs it (Debian gdal-bin)")
        });
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn feature_count(ogrinfo_summary: &str) -> u64 {
    ogrinfo_summary
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no feature count in:\n{ogrinfo_summary}"))
}

#[test]
fn ogrinfo_lists_the_layers_and_counts_every_feature() {
    let server = Server::start(&[]);
    let url = format!("OAPIF:{}", server.base);
    let layers = gdal("ogrinfo", &["-ro", "-q", &url]);
    for layer in ["gemeenten", "wijken", "buurten", "voorzieningen"] {
        assert!(layers.contains(layer), "{layers}");
    }
    assert_eq!(
        feature_count(&gdal(
            "ogrinfo",
            &["-ro", "-so", "-oo", "PAGE_SIZE=500", &url, "wijken"]
        )),
        3474
    );
    assert_eq!(
        feature_count(&gdal("ogrinfo", &["-ro", "-so", &url, "buurten"])),
        21
    );
}

#[test]
fn ogr2ogr_copies_a_layer_into_a_geopackage_with_its_attributes() {
    let server = Server::start(&[]);
    let url = format!("OAPIF:{}", server.base);
    let dir = tempfile::tempdir().unwrap();
    let gpkg = dir.path().join("voorzieningen.gpkg");
    gdal(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            gpkg.to_str().unwrap(),
            &url,
            "voorzieningen",
            "-oo",
            "PAGE_SIZE=100",
        ],
    );
    let copied = gdal(
        "ogrinfo",
        &["-ro", "-so", gpkg.to_str().unwrap(), "voorzieningen"],
    );
    // 245 hospital sites and the 14 libraries inside their declared dekking.
    assert_eq!(feature_count(&copied), 259);
    assert!(copied.contains("categorie: String"), "{copied}");
    // One feature's attributes and position survived the trip.
    let geojson = gdal(
        "ogr2ogr",
        &[
            "-f",
            "GeoJSON",
            "/vsistdout/",
            gpkg.to_str().unwrap(),
            "voorzieningen",
            "-where",
            "id = 'osm:node/287842903'",
        ],
    );
    let fc: Value = serde_json::from_str(&geojson).expect("GeoJSON from GDAL");
    let f = &fc["features"][0];
    assert_eq!(f["properties"]["naam"], "Bibliotheek Zwijndrecht Walburg");
    let c = &f["geometry"]["coordinates"];
    assert!(
        (c[0].as_f64().unwrap() - 4.6538706).abs() < 1e-6
            && (c[1].as_f64().unwrap() - 51.8225158).abs() < 1e-6,
        "{c}"
    );
}

#[test]
fn ogr_spatial_filter_gives_the_same_ids_as_our_bbox() {
    let server = Server::start(&[]);
    let url = format!("OAPIF:{}", server.base);
    let out = gdal(
        "ogr2ogr",
        &[
            "-f",
            "CSV",
            "/vsistdout/",
            &url,
            "wijken",
            "-spat",
            "4.64",
            "51.79",
            "4.70",
            "51.83",
            "-select",
            "code",
        ],
    );
    let mut gdal_ids: Vec<&str> = out.lines().skip(1).map(|l| l.trim_matches('"')).collect();
    gdal_ids.sort_unstable();
    let body = ureq::get(&format!(
        "{}/collections/wijken/items?bbox=4.64,51.79,4.70,51.83&limit=1000",
        server.base
    ))
    .call()
    .expect("GET")
    .body_mut()
    .read_to_string()
    .expect("body");
    let ours: Value = serde_json::from_str(&body).unwrap();
    let mut our_ids: Vec<&str> = ours["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    our_ids.sort_unstable();
    assert!(!our_ids.is_empty());
    assert_eq!(gdal_ids, our_ids);
}

#[test]
fn ogr_where_and_our_cql2_filter_give_the_same_ids() {
    let server = Server::start(&[]);
    let url = format!("OAPIF:{}", server.base);
    let out = Command::new("ogr2ogr")
        .args([
            "-f",
            "CSV",
            "/vsistdout/",
            &url,
            "wijken",
            "-oo",
            "PAGE_SIZE=1000",
            "-select",
            "code",
            "-where",
            "gemeentecode = 'GM0344' AND inwoners > 10000",
        ])
        .output()
        .expect("ogr2ogr is needed; scripts/test.sh installs it (Debian gdal-bin)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let mut from_gdal: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(|l| l.trim_matches('"').to_string())
        .collect();
    from_gdal.sort();
    let all = server.json("/collections/wijken/items?gemeentecode=GM0344&limit=1000");
    let mut expected: Vec<String> = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["properties"]["inwoners"]
                .as_f64()
                .is_some_and(|n| n > 10_000.0)
        })
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    // Debian's GDAL (3.6) applies -where itself; 3.7 and later send it to us as CQL2.
    // Either way it must agree with the same filter evaluated by the server.
    assert_eq!(from_gdal, expected);
    let filtered = server.json(
        "/collections/wijken/items?limit=1000&filter=gemeentecode%20%3D%20%27GM0344%27%20AND%20inwoners%20%3E%2010000",
    );
    let mut from_server: Vec<String> = filtered["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    from_server.sort();
    assert_eq!(from_server, expected);
}
