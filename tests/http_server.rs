//! The real binary on a real TCP port, serving the bundled real data.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `wijkatlas serve`, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start wijkatlas");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let base = line
            .trim()
            .strip_prefix("wijkatlas listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Server { child, base }
    }

    fn get(&self, path: &str) -> (u16, String, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut resp = agent
            .get(&format!("{}{path}", self.base))
            .call()
            .expect("request");
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = resp
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .expect("body");
        (status, content_type, body)
    }

    fn json(&self, path: &str) -> Value {
        let (status, _, body) = self.get(path);
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).expect("JSON")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every coordinate pair of a GeoJSON geometry.
fn positions(geometry: &Value) -> Vec<(f64, f64)> {
    fn walk(v: &Value, out: &mut Vec<(f64, f64)>) {
        match v.as_array() {
            Some(a) if a.len() >= 2 && a[0].is_number() => out.push((
                a[0].as_f64().unwrap_or(f64::NAN),
                a[1].as_f64().unwrap_or(f64::NAN),
            )),
            Some(a) => a.iter().for_each(|x| walk(x, out)),
            None => {}
        }
    }
    let mut out = Vec::new();
    walk(&geometry["coordinates"], &mut out);
    out
}

#[test]
fn serves_the_bundled_areas_as_geojson_in_crs84() {
    let server = Server::start(&[]);
    assert_eq!(server.json("/health")["status"], "ok");

    let collections = server.json("/collections");
    let ids: Vec<&str> = collections["collections"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["gemeenten", "wijken", "buurten", "voorzieningen"]);

    let status = server.json("/status");
    for (level, path) in [
        ("gemeenten", "/collections/gemeenten/items"),
        ("wijken", "/collections/wijken/items"),
        ("buurten", "/collections/buurten/items"),
    ] {
        let (code, content_type, body) = server.get(path);
        assert_eq!(code, 200);
        assert_eq!(content_type, "application/geo+json");
        let fc: Value = serde_json::from_str(&body).expect("GeoJSON");
        assert_eq!(fc["type"], "FeatureCollection");
        let features = fc["features"].as_array().expect("features");
        let kept: u64 = status["report"]["sources"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| {
                s["kind"] == "areas"
                    && s["name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with(&level[..4]))
            })
            .map(|s| s["kept"].as_u64().unwrap())
            .sum();
        assert_eq!(features.len() as u64, kept, "{level}: served = kept");
        for f in features {
            assert_eq!(f["geometry"]["type"], "MultiPolygon");
            // CRS84: longitude first, inside the Netherlands.
            for (lon, lat) in positions(&f["geometry"]) {
                assert!(
                    (3.0..=7.3).contains(&lon) && (50.6..=53.8).contains(&lat),
                    "{lon},{lat} in {}",
                    f["id"]
                );
            }
            assert_eq!(f["id"], f["properties"]["code"]);
        }
    }

    // Spot checks against the source files (data/README.md).
    let gemeenten: Value =
        serde_json::from_str(&server.get("/collections/gemeenten/items").2).unwrap();
    let dordrecht = gemeenten["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "GM0505")
        .expect("Dordrecht");
    assert_eq!(dordrecht["properties"]["naam"], "Dordrecht");
    assert_eq!(dordrecht["properties"]["inwoners"], 119537.0);
    assert_eq!(dordrecht["properties"]["pct_corporatiewoningen"], 28.0);
    assert_eq!(dordrecht["properties"]["afstand_huisarts_km"], 0.9);
    assert_eq!(dordrecht["properties"]["jaar"], 2022);

    let buurten: Value = serde_json::from_str(&server.get("/collections/buurten/items").2).unwrap();
    let oosterhei = buurten["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "BU03080005")
        .expect("Nieuwe-Oosterhei");
    let p = &oosterhei["properties"];
    assert_eq!(p["inwoners"], 2585.0);
    assert_eq!(p["pct_65plus"], 20.0);
    assert_eq!(p["wijkcode"], "WK030800");
    assert_eq!(p["gemeentecode"], "GM0308");
    // -99995 in the source: missing, served as null and never as the code.
    assert!(p["woningen"].is_null(), "{p}");
    assert!(!oosterhei.to_string().contains("-9999"));
}

#[test]
fn voorzieningen_carry_their_areas() {
    let server = Server::start(&[]);
    let fc = server.json("/collections/voorzieningen/items");
    let features = fc["features"].as_array().expect("features");
    assert_eq!(features.len(), 245 + 19);
    let dordwijk = features
        .iter()
        .find(|f| {
            f["properties"]["naam"]
                .as_str()
                .is_some_and(|n| n.contains("Dordwijk"))
        })
        .expect("ASZ Dordwijk");
    assert_eq!(dordwijk["properties"]["categorie"], "ziekenhuis");
    assert_eq!(dordwijk["properties"]["gemeentecode"], "GM0505");
    let (lon, lat) = positions(&dordwijk["geometry"])[0];
    assert!(
        (lon - 4.6825).abs() < 0.001 && (lat - 51.792).abs() < 0.001,
        "{lon},{lat}"
    );
    let library = features
        .iter()
        .find(|f| f["properties"]["categorie"] == "bibliotheek")
        .expect("a library");
    assert_eq!(library["properties"]["precisie"], "exact");
}

#[test]
fn unknown_paths_are_json_errors() {
    let server = Server::start(&[]);
    let (code, _, body) = server.get("/collections/straten/items");
    assert_eq!(code, 404);
    let err: Value = serde_json::from_str(&body).expect("JSON error body");
    assert!(err["description"].as_str().unwrap().contains("straten"));
    let (code, _, _) = server.get("/nergens");
    assert_eq!(code, 404);
}

#[test]
fn refuses_to_start_on_a_source_that_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wijkatlas.toml"),
        "[[source]]\nname = \"weg\"\npath = \"weg.geojson\"\nkind = \"areas\"\nlevel = \"wijk\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("weg.geojson"), "{stderr}");

    let check = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
        .args(["check", "--data"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(!check.status.success());
    assert!(String::from_utf8_lossy(&check.stdout).contains("FAILED"));
}

#[test]
fn check_reports_the_bundled_data_truthfully() {
    let out = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
        .args(["check", "--json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    for s in report["sources"].as_array().unwrap() {
        let (read, kept, rejected) = (
            s["read"].as_u64().unwrap(),
            s["kept"].as_u64().unwrap(),
            s["rejected"].as_u64().unwrap(),
        );
        assert_eq!(read, kept + rejected, "{}", s["name"]);
        assert_eq!(s["status"], "loaded");
    }
    let wijken = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "wijken_2024")
        .unwrap();
    assert_eq!(wijken["read"], 3474);
    // The 17 invalid wijk polygons of the source (data/README.md) are repaired, not dropped.
    assert!(
        wijken["repaired"].as_u64().unwrap() >= 15,
        "{}",
        wijken["repaired"]
    );
    // Voorne aan Zee (GM1992) formed in 2023 is absent from the 2022 gemeente layer.
    assert!(wijken["issues"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["problem"].as_str().unwrap().contains("GM1992")));
}
