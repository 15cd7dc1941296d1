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
