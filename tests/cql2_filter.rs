//! CQL2 filters against the real server on the bundled data, checked against the
//! features the test selects itself from the unfiltered collection.

mod common;

use common::Server;
use serde_json::Value;

/// Percent-encodes a filter for a query string.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ids(fc: &Value) -> Vec<String> {
    let mut ids: Vec<String> = fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_string())
        .collect();
    ids.sort();
    ids
}

fn all_wijken(server: &Server) -> Vec<Value> {
    server.json("/collections/wijken/items?limit=10000")["features"]
        .as_array()
        .unwrap()
        .clone()
}

fn select(features: &[Value], keep: impl Fn(&Value) -> bool) -> Vec<String> {
    let mut ids: Vec<String> = features
        .iter()
        .filter(|f| keep(&f["properties"]))
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn filters_select_exactly_what_the_condition_says() {
    let server = Server::start(&[]);
    let all = all_wijken(&server);
    let num = |p: &Value, k: &str| p[k].as_f64();
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "gemeentecode='GM0344' AND inwoners > 1000",
            select(&all, |p| {
                p["gemeentecode"] == "GM0344" && num(p, "inwoners").is_some_and(|n| n > 1000.0)
            }),
        ),
        (
            "gemeentecode IN ('GM0307','GM0344') AND NOT pct_65plus < 20",
            select(&all, |p| {
                (p["gemeentecode"] == "GM0307" || p["gemeentecode"] == "GM0344")
                    && num(p, "pct_65plus").is_some_and(|v| v >= 20.0)
            }),
        ),
        (
            "inwoners BETWEEN 5000 AND 5100 OR naam LIKE 'Wijk 01 %'",
            select(&all, |p| {
                num(p, "inwoners").is_some_and(|n| (5000.0..=5100.0).contains(&n))
                    || p["naam"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("Wijk 01 "))
            }),
        ),
        (
            "pct_65plus IS NULL",
            select(&all, |p| p["pct_65plus"].is_null()),
        ),
    ];
    for (filter, expected) in cases {
        let fc = server.json(&format!(
            "/collections/wijken/items?limit=10000&filter={}",
            enc(filter)
        ));
        assert!(
            !expected.is_empty(),
            "{filter}: the test data should select something"
        );
        assert_eq!(ids(&fc), expected, "{filter}");
        assert_eq!(fc["numberMatched"].as_u64(), Some(expected.len() as u64));
    }
    // Three-valued logic: null and not-null split the collection exactly.
    let null = server.json(&format!(
        "/collections/wijken/items?limit=1&filter={}",
        enc("pct_65plus IS NULL")
    ));
    let not_null = server.json(&format!(
        "/collections/wijken/items?limit=1&filter={}",
        enc("pct_65plus IS NOT NULL")
    ));
    assert_eq!(
        null["numberMatched"].as_u64().unwrap() + not_null["numberMatched"].as_u64().unwrap(),
        all.len() as u64
    );
}

#[test]
fn s_intersects_agrees_with_bbox_in_every_crs() {
    let server = Server::start(&[]);
    let by_bbox = server.json("/collections/wijken/items?limit=10000&bbox=5.10,52.05,5.15,52.10");
    assert!(!ids(&by_bbox).is_empty());
    for (filter, crs) in [
        ("S_INTERSECTS(geometry, BBOX(5.10,52.05,5.15,52.10))", None),
        (
            "S_INTERSECTS(geometry, BBOX(52.05,5.10,52.10,5.15))",
            Some("EPSG:4326"),
        ),
    ] {
        let mut q = format!(
            "/collections/wijken/items?limit=10000&filter={}",
            enc(filter)
        );
        if let Some(c) = crs {
            q.push_str(&format!("&filter-crs={}", enc(c)));
        }
        assert_eq!(ids(&server.json(&q)), ids(&by_bbox), "{filter}");
    }
    // A point picks the one wijk it lies in: the RD origin lies in Amersfoort.
    let at_point = server.json(&format!(
        "/collections/wijken/items?filter={}&filter-crs=EPSG:28992",
        enc("S_INTERSECTS(geometry, POINT(155000 463000))")
    ));
    let found = ids(&at_point);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("WK0307"), "{found:?}");
}

#[test]
fn paging_links_carry_the_filter() {
    let server = Server::start(&[]);
    let filter = "gemeentecode = 'GM0363' AND naam LIKE '%'";
    let mut next = Some(format!(
        "/collections/wijken/items?limit=3&filter={}",
        enc(filter)
    ));
    let mut seen = Vec::new();
    let mut matched = 0;
    while let Some(path) = next {
        let page = server.json(&path);
        matched = page["numberMatched"].as_u64().unwrap();
        seen.extend(ids(&page));
        next = page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| l["href"].as_str().unwrap().to_string());
    }
    assert!(matched > 3);
    assert_eq!(seen.len() as u64, matched);
    seen.dedup();
    assert_eq!(seen.len() as u64, matched, "no feature twice");
}

#[test]
fn bad_filters_are_400_and_show_where() {
    let server = Server::start(&[]);
    for (query, expected) in [
        (
            format!("filter={}", enc("inwoners > 1000 AND")),
            "at character 19",
        ),
        (
            format!("filter={}", enc("inwonerss > 1000")),
            "not a queryable",
        ),
        (
            format!("filter={}", enc("inwoners = 'veel'")),
            "is a number",
        ),
        (
            format!("filter={}&filter-lang=cql2-json", enc("inwoners > 1")),
            "cql2-text",
        ),
        ("filter-crs=EPSG:28992".to_string(), "without a filter"),
        (
            format!("filter={}", enc("S_INTERSECTS(geometry, POINT(500 52))")),
            "not a position",
        ),
    ] {
        let (code, _, body) = server.get(&format!("/collections/wijken/items?{query}"));
        assert_eq!(code, 400, "{query}: {body}");
        let err: Value = serde_json::from_str(&body).expect("JSON error");
        let text = err["description"].as_str().unwrap();
        assert!(text.contains(expected), "{query}: {text}");
    }
    // The description shows the filter with a caret under the trouble.
    let (_, _, body) = server.get(&format!(
        "/collections/wijken/items?filter={}",
        enc("inwoners >> 1")
    ));
    let err: Value = serde_json::from_str(&body).unwrap();
    let text = err["description"].as_str().unwrap();
    assert!(text.contains("inwoners >> 1\n          ^"), "{text}");
}

/// The bundled Baarn buurten with two made-up time columns (SYNTHETIC: CBS publishes
/// no such dates), so the date and date-time queryables can be filtered on: buurt i of
/// the file gets `peildatum` 2024-01-(i+1) and `gemeten` that day at 12:00+01:00
/// (11:00 UTC); the last buurt has neither.
fn dated_buurten() -> (tempfile::TempDir, Vec<(String, Option<u32>)>) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let mut fc: Value = serde_json::from_slice(
        &std::fs::read(root.join("buurten_baarn_2024.geojson")).expect("bundled buurten"),
    )
    .expect("GeoJSON");
    let features = fc["features"].as_array_mut().expect("features");
    let last = features.len() - 1;
    let mut days = Vec::new();
    for (i, f) in features.iter_mut().enumerate() {
        let code = f["properties"]["buurtcode"]
            .as_str()
            .expect("code")
            .to_string();
        let props = f["properties"].as_object_mut().expect("properties");
        if i == last {
            days.push((code, None));
            continue;
        }
        let day = i as u32 + 1;
        props.insert("peildatum".into(), format!("2024-01-{day:02}").into());
        props.insert(
            "gemeten".into(),
            format!("2024-01-{day:02}T12:00:00+01:00").into(),
        );
        days.push((code, Some(day)));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("buurten.geojson"), fc.to_string()).expect("write");
    std::fs::write(
        dir.path().join("wijkatlas.toml"),
        "[[source]]\nname = \"buurten_synthetische_data\"\npath = \"buurten.geojson\"\nkind = \"areas\"\nlevel = \"buurt\"\nyear = 2024\n",
    )
    .expect("manifest");
    (dir, days)
}

#[test]
fn dates_and_timestamps_filter_date_properties() {
    let (dir, days) = dated_buurten();
    let server = Server::start(&["--data", dir.path().to_str().expect("path")]);
    let q = server.json("/collections/buurten/queryables");
    assert_eq!(
        q["properties"]["peildatum"],
        serde_json::json!({ "type": "string", "format": "date" })
    );
    assert_eq!(
        q["properties"]["gemeten"],
        serde_json::json!({ "type": "string", "format": "date-time" })
    );
    assert_eq!(q["properties"]["naam"]["type"], "string");
    assert!(q["properties"]["naam"].get("format").is_none());
    let expect = |keep: &dyn Fn(u32) -> bool| {
        let mut ids: Vec<String> = days
            .iter()
            .filter(|(_, d)| d.is_some_and(keep))
            .map(|(c, _)| c.clone())
            .collect();
        ids.sort();
        ids
    };
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("peildatum < DATE('2024-01-05')", expect(&|d| d < 5)),
        ("peildatum = DATE('2024-01-05')", expect(&|d| d == 5)),
        ("peildatum <> DATE('2024-01-05')", expect(&|d| d != 5)),
        ("peildatum >= DATE('2024-01-18')", expect(&|d| d >= 18)),
        (
            "peildatum BETWEEN DATE('2024-01-03') AND DATE('2024-01-06')",
            expect(&|d| (3..=6).contains(&d)),
        ),
        // 12:00+01:00 is 11:00 UTC: the zone counts.
        (
            "gemeten >= TIMESTAMP('2024-01-05T11:00:00Z')",
            expect(&|d| d >= 5),
        ),
        (
            "gemeten > TIMESTAMP('2024-01-05T11:00:00Z')",
            expect(&|d| d > 5),
        ),
        (
            "T_DURING(peildatum, INTERVAL('2024-01-02', '2024-01-10'))",
            expect(&|d| d > 2 && d < 10),
        ),
        (
            "T_INTERSECTS(peildatum, INTERVAL('2024-01-02', '2024-01-10'))",
            expect(&|d| (2..=10).contains(&d)),
        ),
        (
            "T_BEFORE(gemeten, TIMESTAMP('2024-01-03T11:00:00Z'))",
            expect(&|d| d < 3),
        ),
        (
            "T_AFTER(peildatum, INTERVAL('..', '2024-01-15'))",
            expect(&|d| d > 15),
        ),
        // A buurt without the date is unknown either way.
        ("NOT peildatum < DATE('2024-01-05')", expect(&|d| d >= 5)),
    ];
    for (filter, expected) in cases {
        assert!(!expected.is_empty(), "{filter} selects something");
        let fc = server.json(&format!(
            "/collections/buurten/items?limit=1000&filter={}",
            enc(filter)
        ));
        assert_eq!(ids(&fc), expected, "{filter}");
    }
    for (filter, says) in [
        (
            "jaar > DATE('2024-01-01')",
            "'jaar' is a number, and this value is a DATE",
        ),
        (
            "peildatum = '2024-01-05'",
            "write a date as DATE('2024-01-01')",
        ),
        (
            "T_BEFORE(naam, DATE('2024-01-01'))",
            "the date and date-time properties are: gemeten, peildatum",
        ),
    ] {
        let (code, _, body) = server.get(&format!(
            "/collections/buurten/items?filter={}",
            enc(filter)
        ));
        assert_eq!(code, 400, "{filter}: {body}");
        let err: Value = serde_json::from_str(&body).expect("JSON error");
        let text = err["description"].as_str().expect("description");
        assert!(text.contains(says), "{filter}: {text}");
    }
}
