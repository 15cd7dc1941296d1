//! The real binary on a real TCP port, serving the bundled real data.

mod common;

use common::{header, raw, Server};
use serde_json::Value;
use std::process::Command;

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
    let conformance = server.json("/conformance");
    assert!(conformance["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c.as_str().unwrap().ends_with("features-1/1.0/conf/geojson")));

    let status = server.json("/status");
    for (level, path) in [
        ("gemeenten", "/collections/gemeenten/items?limit=10000"),
        ("wijken", "/collections/wijken/items?limit=10000"),
        ("buurten", "/collections/buurten/items?limit=10000"),
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
        serde_json::from_str(&server.get("/collections/gemeenten/items?limit=1000").2).unwrap();
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

    let buurten: Value =
        serde_json::from_str(&server.get("/collections/buurten/items?limit=1000").2).unwrap();
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
    let fc = server.json("/collections/voorzieningen/items?limit=1000");
    let features = fc["features"].as_array().expect("features");
    // 245 hospital sites and the 14 of 19 libraries inside their declared dekking.
    assert_eq!(features.len(), 245 + 14);
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

fn ids(fc: &Value) -> Vec<String> {
    fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn paging_follows_next_links_through_every_feature_once() {
    let server = Server::start(&[]);
    let mut href = "/collections/wijken/items?limit=1000".to_string();
    let mut seen = Vec::new();
    let mut matched = None;
    loop {
        let page = server.json(&href);
        let n = page["numberMatched"].as_u64().unwrap();
        assert_eq!(*matched.get_or_insert(n), n);
        assert_eq!(
            page["numberReturned"].as_u64().unwrap() as usize,
            page["features"].as_array().unwrap().len()
        );
        seen.extend(ids(&page));
        match page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
        {
            Some(next) => href = next["href"].as_str().unwrap().to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, matched.unwrap());
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no feature twice");
    assert_eq!(seen.len(), 3474);
}

#[test]
fn bbox_and_crs_agree_in_every_axis_order() {
    let server = Server::start(&[]);
    // Around Dordrecht centre.
    let crs84 = server.json("/collections/wijken/items?limit=1000&bbox=4.64,51.79,4.70,51.83");
    let epsg4326 = server.json("/collections/wijken/items?limit=1000&bbox=51.79,4.64,51.83,4.70&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326");
    let mut a = ids(&crs84);
    let mut b = ids(&epsg4326);
    a.sort();
    b.sort();
    // Only wijken of the Drechtsteden gemeenten around that box, Dordrecht's centre among them.
    let drechtsteden = [
        "WK0505", "WK0531", "WK0590", "WK0642", "WK0482", "WK0523", "WK0610",
    ];
    assert!(a.contains(&"WK050501".to_string()), "{a:?}");
    assert!(
        a.iter()
            .all(|id| drechtsteden.iter().any(|g| id.starts_with(g))),
        "{a:?}"
    );
    assert_eq!(a, b);

    let (code, _, body) = server.get("/collections/wijken/items/WK050501?crs=EPSG:28992");
    assert_eq!(code, 200, "{body}");
    let f: Value = serde_json::from_str(&body).unwrap();
    for (x, y) in positions(&f["geometry"]) {
        assert!(
            (100_000.0..115_000.0).contains(&x) && (415_000.0..435_000.0).contains(&y),
            "RD {x},{y}"
        );
    }
    let (_, _, body) = server
        .get("/collections/wijken/items/WK050501?crs=http://www.opengis.net/def/crs/EPSG/0/4326");
    let f: Value = serde_json::from_str(&body).unwrap();
    for (lat, lon) in positions(&f["geometry"]) {
        assert!(
            (51.7..51.9).contains(&lat) && (4.6..4.8).contains(&lon),
            "lat/lon {lat},{lon}"
        );
    }
}

#[test]
fn property_filters_select_by_value() {
    let server = Server::start(&[]);
    let page = server.json("/collections/wijken/items?gemeentecode=GM0505&limit=1000");
    let found = ids(&page);
    assert!(!found.is_empty());
    assert!(found.iter().all(|id| id.starts_with("WK0505")), "{found:?}");
    let all = server.json("/collections/wijken/items?limit=10000");
    let expected = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["gemeentecode"] == "GM0505")
        .count();
    assert_eq!(found.len(), expected);
    // Text compares without regard to case, through the index as through a scan.
    let lower = server.json("/collections/wijken/items?gemeentecode=gm0505&limit=1000");
    assert_eq!(ids(&lower), found);
    let none = server.json("/collections/wijken/items?gemeentecode=GM9999&limit=1000");
    assert_eq!(none["numberMatched"], 0);
    // An indexed and an unindexed condition together.
    let named = &page["features"][0]["properties"]["naam"];
    let both = server.json(&format!(
        "/collections/wijken/items?gemeentecode=GM0505&naam={}",
        named.as_str().unwrap().replace(' ', "%20")
    ));
    assert_eq!(both["numberMatched"], 1);
    // The RIVM list's 245 sites: 117 hospitals and 128 outpatient clinics, kept apart
    // as CBS keeps them.
    let hospitals = server.json("/collections/voorzieningen/items?categorie=ziekenhuis&limit=1000");
    assert_eq!(hospitals["numberMatched"], 117);
    let clinics =
        server.json("/collections/voorzieningen/items?categorie=buitenpolikliniek&limit=1000");
    assert_eq!(clinics["numberMatched"], 128);
}

#[test]
fn bad_parameters_are_400_with_a_reason() {
    let server = Server::start(&[]);
    for (query, expected) in [
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("offset=-1", "offset"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=5.4,52.1,5.3,52.2", "lower corner"),
        ("crs=EPSG:3857", "unknown CRS"),
        ("bbox-crs=EPSG:4326", "without a bbox"),
        ("straatnaam=Kerkstraat", "not a parameter nor a property"),
        ("limit=5&limit=6", "more than once"),
    ] {
        let (code, content_type, body) = server.get(&format!("/collections/wijken/items?{query}"));
        assert_eq!(code, 400, "{query}: {body}");
        assert!(content_type.starts_with("application/json"), "{query}");
        let err: Value = serde_json::from_str(&body).expect("JSON error");
        assert!(
            err["description"].as_str().unwrap().contains(expected),
            "{query}: {body}"
        );
    }
    let (code, _, _) = server.get("/collections/wijken/items/WK999999");
    assert_eq!(code, 404);
}

#[test]
fn etags_give_304_and_errors_carry_a_request_id() {
    let server = Server::start(&[]);
    let (code, hs, _) = raw(&server, "/collections/buurten/items", &[]);
    assert_eq!(code, 200);
    let etag = header(&hs, "etag").expect("ETag").to_string();
    // Weak: one tag for the gzip, brotli and identity bodies of one URL.
    assert!(etag.starts_with("W/\""), "{etag}");
    let (code, _, body) = raw(
        &server,
        "/collections/buurten/items",
        &[("If-None-Match", &etag)],
    );
    assert_eq!(code, 304);
    assert!(body.is_empty());
    // Another query is another answer, with another tag.
    let (_, hs2, _) = raw(&server, "/collections/buurten/items?limit=5", &[]);
    assert_ne!(header(&hs2, "etag"), Some(etag.as_str()));

    let (code, hs, body) = raw(&server, "/collections/wijken/items?limit=nul", &[]);
    assert_eq!(code, 400);
    let id = header(&hs, "x-request-id").expect("request id header");
    let err: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(err["requestId"], id);
}

#[test]
fn large_answers_are_gzipped_when_asked() {
    let server = Server::start(&[]);
    let (code, hs, body) = raw(
        &server,
        "/collections/wijken/items?limit=500",
        &[("Accept-Encoding", "gzip")],
    );
    assert_eq!(code, 200);
    assert_eq!(header(&hs, "content-encoding"), Some("gzip"));
    let (_, _, plain) = raw(&server, "/collections/wijken/items?limit=500", &[]);
    assert!(
        body.len() * 3 < plain.len(),
        "gzip {} vs plain {}",
        body.len(),
        plain.len()
    );
    assert_eq!(&body[..2], &[0x1f, 0x8b]);
}

#[test]
fn queryables_list_the_filterable_properties_with_their_types() {
    let server = Server::start(&[]);
    let (code, content_type, body) = server.get("/collections/gemeenten/queryables");
    assert_eq!(code, 200);
    assert_eq!(content_type, "application/schema+json");
    let q: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(q["properties"]["gemeentecode"]["type"], "string");
    assert_eq!(q["properties"]["pct_corporatiewoningen"]["type"], "number");
    assert_eq!(
        q["properties"]["pct_corporatiewoningen"]["title"],
        "Huurwoningen in bezit van woningcorporaties"
    );
    // Every queryable property can really be used as a filter.
    for name in q["properties"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "geometry")
        .take(20)
    {
        let (code, _, body) = server.get(&format!("/collections/gemeenten/items?{name}=x&limit=1"));
        assert_eq!(code, 200, "{name}: {body}");
    }
}

#[test]
fn sortby_orders_and_properties_selects() {
    let server = Server::start(&[]);
    let page = server
        .json("/collections/gemeenten/items?sortby=-inwoners&limit=3&properties=naam,inwoners");
    let features = page["features"].as_array().unwrap();
    let inhabitants: Vec<f64> = features
        .iter()
        .map(|f| f["properties"]["inwoners"].as_f64().unwrap())
        .collect();
    assert!(
        inhabitants.windows(2).all(|w| w[0] >= w[1]),
        "{inhabitants:?}"
    );
    assert_eq!(features[0]["properties"]["naam"], "Amsterdam");
    let keys: Vec<&String> = features[0]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(features[0]["geometry"]["type"], "MultiPolygon");
    // Paging through a sorted answer goes on where the last page stopped.
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap();
    let second = server.json(next["href"].as_str().unwrap());
    let after = second["features"][0]["properties"]["inwoners"]
        .as_f64()
        .unwrap();
    assert!(after <= inhabitants[2]);
    let ascending = server.json("/collections/gemeenten/items?sortby=inwoners&limit=1");
    assert!(
        ascending["features"][0]["properties"]["inwoners"]
            .as_f64()
            .unwrap()
            < 2_000.0,
        "Schiermonnikoog-sized"
    );
    let (code, _, body) = server.get("/collections/gemeenten/items?sortby=hoogte");
    assert_eq!(code, 400, "{body}");
    let (code, _, body) = server.get("/collections/gemeenten/items?properties=naam,kleur");
    assert_eq!(code, 400, "{body}");
}

#[test]
fn items_download_as_csv_with_wkt() {
    let server = Server::start(&[]);
    let (code, content_type, body) = server.get("/collections/wijken/items?f=csv&gemeentecode=GM0505&properties=naam,inwoners&crs=EPSG:28992&limit=1000");
    assert_eq!(code, 200, "{body}");
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(headers, ["id", "naam", "inwoners", "wkt"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let json = server.json("/collections/wijken/items?gemeentecode=GM0505&limit=1000");
    assert_eq!(rows.len() as u64, json["numberMatched"].as_u64().unwrap());
    let first = &rows[0];
    assert_eq!(&first[0], json["features"][0]["id"].as_str().unwrap());
    assert!(first[3].starts_with("MULTIPOLYGON((("), "{}", &first[3]);
    // RD metres: x around 105 km for Dordrecht.
    let x: f64 = first[3]
        .trim_start_matches("MULTIPOLYGON(((")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((100_000.0..115_000.0).contains(&x), "{x}");
    let (code, _, body) = server.get("/collections/wijken/items?f=xml");
    assert_eq!(code, 400, "{body}");
}

#[test]
fn datetime_keeps_the_features_of_the_reference_year() {
    let server = Server::start(&[]);
    let all = server.json("/collections/wijken/items?limit=1");
    let total = all["numberMatched"].as_u64().unwrap();
    let years: Vec<u64> = server.json("/collections/wijken")["extent"]["temporal"]["interval"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap()[..4].parse().unwrap())
        .collect();
    let year = years[0];
    let inside = server.json(&format!(
        "/collections/wijken/items?limit=1&datetime={year}-06-30"
    ));
    assert_eq!(inside["numberMatched"].as_u64(), Some(total));
    let open = server.json(&format!(
        "/collections/wijken/items?limit=1&datetime=../{year}-01-01T00:00:00Z"
    ));
    assert_eq!(open["numberMatched"].as_u64(), Some(total));
    let before = server.json(&format!(
        "/collections/wijken/items?limit=1&datetime=../{}-12-31",
        year - 1
    ));
    assert_eq!(before["numberMatched"].as_u64(), Some(0));
    for (query, expected) in [
        ("wijken/items?datetime=2024", "RFC 3339"),
        ("wijken/items?datetime=2024-02-30", "not a day"),
        (
            "wijken/items?datetime=2025-01-01/2024-01-01",
            "before it starts",
        ),
        (
            "voorzieningen/items?datetime=2024-01-01",
            "no reference year",
        ),
    ] {
        let (code, _, body) = server.get(&format!("/collections/{query}"));
        assert_eq!(code, 400, "{query}: {body}");
        assert!(body.contains(expected), "{query}: {body}");
    }
}

/// A page of ready-made features is answered with its length, large or small (it is
/// sent as pieces of the snapshot's own bytes), and a page written anew that is too
/// large for one buffer (here in RD) is streamed: all of them the same features, whole.
#[test]
fn pages_are_sent_whole_with_their_length_or_streamed() {
    let server = Server::start(&[]);
    let (code, hs, body) = raw(&server, "/collections/wijken/items?limit=10", &[]);
    assert_eq!(code, 200);
    assert_eq!(
        header(&hs, "content-length").map(|v| v.parse::<usize>().unwrap()),
        Some(body.len()),
        "a small page says its length"
    );
    // The bundled wijken are ~2 KB each: 1,000 of them pass one 256 KB buffer.
    let (code, hs, large) = raw(&server, "/collections/wijken/items?limit=1000", &[]);
    assert_eq!(code, 200);
    assert!(large.len() > 256 * 1024, "{} bytes", large.len());
    assert_eq!(
        header(&hs, "content-length").map(|v| v.parse::<usize>().unwrap()),
        Some(large.len()),
        "a large page of ready-made features says its length too"
    );
    let rd = "crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F28992";
    let (code, hs, in_rd) = raw(
        &server,
        &format!("/collections/wijken/items?limit=1000&{rd}"),
        &[],
    );
    assert_eq!(code, 200);
    assert!(in_rd.len() > 256 * 1024, "{} bytes", in_rd.len());
    assert_eq!(
        header(&hs, "content-length"),
        None,
        "a large page written anew is streamed"
    );
    let large: Value = serde_json::from_slice(&large).expect("the large page is JSON");
    let in_rd: Value = serde_json::from_slice(&in_rd).expect("the streamed page is JSON");
    let small: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(large["features"].as_array().unwrap().len(), 1000);
    assert_eq!(
        large["features"].as_array().unwrap()[..10],
        small["features"].as_array().unwrap()[..]
    );
    let ids = |page: &Value| -> Vec<Value> {
        page["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].clone())
            .collect()
    };
    assert_eq!(ids(&in_rd), ids(&large));
}

/// A request written by hand (ureq sends no OPTIONS): the status line and the headers.
fn options(
    server: &Server,
    path: &str,
    headers: &[(&str, &str)],
) -> (String, Vec<(String, String)>) {
    use std::io::{Read, Write};
    let url = server.url(path);
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_at(rest.find('/').expect("a path"));
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    let mut request = format!("OPTIONS {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let mut lines = answer.lines();
    let status = lines.next().unwrap_or("").to_string();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers)
}

/// Any site's script may read the open layers, errors included, with the headers it
/// needs (ETag, request and snapshot ids, CRS); a preflight for the JSON POST of the
/// what-if is answered without reaching the route.
#[test]
fn other_sites_may_read_answers_and_their_ids_and_post_after_a_preflight() {
    let server = Server::start(&[]);
    let origin = ("Origin", "https://wijkmonitor.example");
    for (path, status) in [
        ("/collections/wijken/items?limit=1", 200),
        ("/collections/nothing/items", 404),
        ("/health", 200),
    ] {
        let (got, headers, _) = raw(&server, path, &[origin]);
        assert_eq!(got, status, "{path}");
        assert_eq!(
            header(&headers, "access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
        let exposed = header(&headers, "access-control-expose-headers").unwrap_or("");
        for name in [
            "etag",
            "x-request-id",
            "x-wijkatlas-snapshot",
            "content-crs",
        ] {
            assert!(exposed.contains(name), "{path}: {name} not in '{exposed}'");
        }
        assert!(header(&headers, "x-request-id").is_some(), "{path}");
    }
    let (status, headers) = options(
        &server,
        "/api/scenario",
        &[
            origin,
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
    );
    assert!(status.contains(" 204 "), "{status}");
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&headers, "access-control-allow-methods"), Some("*"));
    assert_eq!(header(&headers, "access-control-allow-headers"), Some("*"));
    assert!(
        header(&headers, "x-request-id").is_some(),
        "a preflight has its id too"
    );
}

/// A single feature is the page's feature plus its links, absolute, and says its CRS.
#[test]
fn a_single_feature_is_the_pages_with_absolute_links_and_its_crs() {
    let server = Server::start(&[]);
    let page = server.json("/collections/wijken/items?limit=3");
    let base = server.url("");
    for feature in page["features"].as_array().expect("features") {
        let id = feature["id"].as_str().expect("an id");
        for (crs, uri) in [
            (None, "http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
            (
                Some("EPSG:28992"),
                "http://www.opengis.net/def/crs/EPSG/0/28992",
            ),
        ] {
            let path = match crs {
                Some(c) => format!("/collections/wijken/items/{id}?crs={c}"),
                None => format!("/collections/wijken/items/{id}"),
            };
            let (status, headers, body) = raw(&server, &path, &[]);
            assert_eq!(status, 200, "{path}");
            assert_eq!(
                header(&headers, "content-crs"),
                Some(format!("<{uri}>").as_str())
            );
            let mut one: Value = serde_json::from_slice(&body).expect("JSON");
            let links = one
                .as_object_mut()
                .and_then(|o| o.remove("links"))
                .expect("links");
            if crs.is_none() {
                assert_eq!(&one, feature, "{path}: the page's feature");
            }
            let href = |rel: &str| {
                links
                    .as_array()
                    .and_then(|l| l.iter().find(|l| l["rel"] == rel))
                    .and_then(|l| l["href"].as_str())
                    .map(str::to_string)
                    .unwrap_or_else(|| panic!("{path}: no {rel} link in {links}"))
            };
            let item = format!("{base}/collections/wijken/items/{id}");
            let encoded: String = uri
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b':' => {
                        char::from(b).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            assert_eq!(href("self"), format!("{item}?crs={encoded}"), "{path}");
            assert_eq!(href("alternate"), format!("{item}?f=html"), "{path}");
            assert_eq!(
                href("collection"),
                format!("{base}/collections/wijken"),
                "{path}"
            );
        }
    }
}
