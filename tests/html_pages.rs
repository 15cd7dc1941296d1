//! The pages a person browses: content negotiation, tables that match the data, previews.

mod common;

use common::{header, raw, Server};
use serde_json::Value;

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

fn page(server: &Server, path: &str) -> String {
    let (code, hs, body) = raw(server, path, &[("Accept", BROWSER)]);
    let body = String::from_utf8(body).expect("UTF-8");
    assert_eq!(code, 200, "{path}: {body}");
    assert_eq!(
        header(&hs, "content-type"),
        Some("text/html; charset=utf-8"),
        "{path}"
    );
    assert!(
        body.starts_with("<!doctype html><html lang=\"nl\">"),
        "{path}"
    );
    body
}

/// The `href`s of the links in a page, unescaped.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

#[test]
fn a_browser_gets_pages_and_a_gis_client_gets_json_from_the_same_urls() {
    let server = Server::start(&[]);
    for path in [
        "/",
        "/conformance",
        "/api",
        "/collections",
        "/collections/wijken",
        "/collections/wijken/queryables",
        "/collections/wijken/items?limit=5",
        "/collections/wijken/items/WK034401",
    ] {
        page(&server, path);
        let (code, hs, body) = raw(
            &server,
            path,
            &[("Accept", "application/geo+json, application/json")],
        );
        assert_eq!(code, 200, "{path}");
        let ct = header(&hs, "content-type").unwrap_or("");
        assert!(!ct.starts_with("text/html"), "{path}: {ct}");
        serde_json::from_slice::<Value>(&body).expect("JSON");
    }
    // Same URL, different answer: the ETags differ and caches are told to vary on Accept.
    let (_, html_headers, _) = raw(&server, "/collections", &[("Accept", BROWSER)]);
    let (_, json_headers, _) = raw(&server, "/collections", &[]);
    assert_ne!(header(&html_headers, "etag"), header(&json_headers, "etag"));
    assert!(
        header(&html_headers, "vary").is_some_and(|v| v.to_ascii_lowercase().contains("accept"))
    );
    let (code, _, body) = raw(&server, "/collections?f=csv", &[]);
    assert_eq!(code, 400, "{}", String::from_utf8_lossy(&body));
}

#[test]
fn the_items_table_and_preview_show_exactly_the_page_of_features() {
    let server = Server::start(&[]);
    let query = "gemeentecode=GM0344&limit=7&offset=2";
    let data = server.json(&format!("/collections/wijken/items?{query}"));
    let ids: Vec<&str> = data["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 7);
    let html = page(
        &server,
        &format!("/collections/wijken/items?{query}&f=html"),
    );
    let rows = html.matches("<tr><th scope=\"row\">").count();
    assert_eq!(rows, ids.len());
    for id in &ids {
        assert!(html.contains(&format!(">{id}</a></th>")), "{id} missing");
    }
    // One drawn shape per feature, each linking to that feature's page.
    let svg = &html[html.find("<svg").expect("preview")..html.find("</svg>").unwrap()];
    assert_eq!(svg.matches("<path").count(), ids.len());
    // A labelled group of links: an image would hide its links (nested-interactive).
    assert!(svg.contains("role=\"group\"") && svg.contains("aria-label="));
    assert_eq!(svg.matches("<a href=").count(), ids.len());
    let matched = data["numberMatched"].as_u64().unwrap();
    assert!(
        html.contains(&format!("3–9 van {matched} objecten")),
        "summary"
    );
    let links = hrefs(&html);
    let next = links
        .iter()
        .find(|h| h.contains("offset=9") && h.contains("f=html"))
        .expect("next page link");
    let next_page = page(&server, next);
    assert!(next_page.contains("10–"));
    // Figures that CBS did not publish are shown as missing, never as a nodata code.
    assert!(!html.contains("-99997"));
}

#[test]
fn feature_pages_link_ids_with_slashes_and_escape_names() {
    let server = Server::start(&[]);
    let html = page(&server, "/collections/voorzieningen/items?limit=200&f=html");
    let link = hrefs(&html)
        .into_iter()
        .find(|h| h.contains("/items/osm:node%2F"))
        .expect("an OSM facility link");
    let feature = page(&server, &link);
    assert!(feature.contains("<caption>Eigenschappen</caption>"));
    assert!(feature.contains("<circle"), "point preview");
    // Names with an apostrophe (’s-Hertogenbosch, 's-Gravenhage) are escaped in markup.
    let gemeenten = page(&server, "/collections/gemeenten/items?limit=400&f=html");
    assert!(gemeenten.contains("&#39;s-"), "escaped apostrophe");
    assert!(!gemeenten.contains(">'s-"));
    let item = page(&server, "/collections/wijken/items/WK034401?f=html");
    assert!(
        item.contains("Aantal inwoners"),
        "Dutch labels of the key figures"
    );
}

#[test]
fn the_api_page_lists_every_path_of_the_openapi_document() {
    let server = Server::start(&[]);
    let doc = server.json("/api");
    let html = page(&server, "/api?f=html");
    for path in doc["paths"].as_object().unwrap().keys() {
        let escaped = path.replace('&', "&amp;");
        assert!(html.contains(&escaped), "{path}");
    }
}

#[test]
fn the_accessibility_statement_is_linked_from_the_map_pages() {
    let server = Server::start(&[]);
    let (status, content_type, body) = server.get("/toegankelijkheid");
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(body.contains(r#"<html lang="nl">"#));
    assert!(
        body.contains("WCAG 2.1") && body.contains("EN 301 549"),
        "{body}"
    );
    for page in ["/kaart", "/bewoner"] {
        let (_, _, html) = server.get(page);
        assert!(
            html.contains(r#"href="/toegankelijkheid""#),
            "{page} links the statement"
        );
    }
}
