//! OGC API – Features endpoints: landing page, conformance, collections and items.

use super::{ApiError, AppState, Snapshot};
use crate::crs::Crs;
use crate::features::{Collection, Format, ItemsQuery, Page, DEFAULT_LIMIT, MAX_LIMIT};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

type Shared = Arc<AppState>;

const GEOJSON: &str = "application/geo+json";

pub const CONFORMANCE: [&str; 5] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
];

pub async fn landing(State(state): State<Shared>) -> Json<Value> {
    let s = state.snapshot();
    Json(json!({
        "title": "wijkatlas",
        "description": "Zorg- en welzijnsvoorzieningen tegen de behoefte per buurt, wijk en gemeente",
        "links": [
            { "rel": "self", "href": "/", "type": "application/json", "title": "this page" },
            { "rel": "conformance", "href": "/conformance", "type": "application/json" },
            { "rel": "data", "href": "/collections", "type": "application/json" },
            { "rel": "status", "href": "/status", "type": "application/json" },
        ],
        "attribution": attribution(&s),
    }))
}

fn attribution(s: &Snapshot) -> Vec<String> {
    let mut lines: Vec<String> = s
        .dataset
        .sources
        .iter()
        .filter_map(|s| s.attribution.clone())
        .collect();
    lines.sort();
    lines.dedup();
    lines
}

pub async fn conformance() -> Json<Value> {
    Json(json!({ "conformsTo": CONFORMANCE }))
}

fn collection_json(c: &Collection) -> Value {
    let items = format!("/collections/{}/items", c.id);
    let mut v = json!({
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        "crs": Crs::ALL.iter().map(|c| c.uri()).collect::<Vec<_>>(),
        "storageCrs": Crs::Crs84.uri(),
        "numberOfFeatures": c.items.len(),
        "links": [
            { "rel": "self", "href": format!("/collections/{}", c.id), "type": "application/json" },
            { "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "href": format!("/collections/{}/queryables", c.id), "type": "application/schema+json" },
            { "rel": "items", "href": items, "type": GEOJSON, "title": format!("{} (default {DEFAULT_LIMIT}, at most {MAX_LIMIT} per page)", c.title) },
        ],
    });
    if let Some([x0, y0, x1, y1]) = c.extent {
        let mut extent =
            json!({ "spatial": { "bbox": [[x0, y0, x1, y1]], "crs": Crs::Crs84.uri() } });
        if let (Some(first), Some(last)) = (c.years.first(), c.years.last()) {
            extent["temporal"] = json!({ "interval": [[format!("{first}-01-01T00:00:00Z"), format!("{last}-12-31T23:59:59Z")]] });
        }
        v["extent"] = extent;
    }
    v
}

fn find<'a>(s: &'a Snapshot, id: &str) -> Result<&'a Collection, ApiError> {
    s.collection(id).ok_or_else(|| {
        let known: Vec<&str> = s.collections.iter().map(|c| c.id).collect();
        ApiError::NotFound(format!(
            "no collection '{id}'; this server has: {}",
            known.join(", ")
        ))
    })
}

pub async fn collections(State(state): State<Shared>) -> Json<Value> {
    let s = state.snapshot();
    Json(json!({
        "links": [{ "rel": "self", "href": "/collections", "type": "application/json" }],
        "crs": Crs::ALL.iter().map(|c| c.uri()).collect::<Vec<_>>(),
        "collections": s.collections.iter().map(collection_json).collect::<Vec<_>>(),
    }))
}

pub async fn collection(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let s = state.snapshot();
    Ok(Json(collection_json(find(&s, &id)?)))
}

fn with_crs(mut response: Response, crs: Crs) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("<{}>", crs.uri())) {
        response.headers_mut().insert("content-crs", v);
    }
    response
}

/// Rebuilds the query string with another offset, for paging links.
fn page_href(id: &str, pairs: &[(String, String)], offset: usize) -> String {
    let mut parts: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k != "offset")
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    parts.push(format!("offset={offset}"));
    format!("/collections/{id}/items?{}", parts.join("&"))
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn items_body(
    s: &Snapshot,
    c: &Collection,
    pairs: &[(String, String)],
    q: &ItemsQuery,
    page: &Page<'_>,
) -> Vec<u8> {
    let id = c.id;
    let features: Vec<bytes::Bytes> = page
        .items
        .iter()
        .map(|item| c.render(&s.dataset, item, q.crs, q.select.as_deref()))
        .collect();
    let mut links =
        vec![json!({ "rel": "self", "href": page_href(id, pairs, q.offset), "type": GEOJSON })];
    if q.offset + page.items.len() < page.matched {
        links.push(json!({ "rel": "next", "href": page_href(id, pairs, q.offset + page.items.len()), "type": GEOJSON }));
    }
    if q.offset > 0 {
        links.push(json!({ "rel": "prev", "href": page_href(id, pairs, q.offset.saturating_sub(q.limit)), "type": GEOJSON }));
    }
    links.push(json!({ "rel": "collection", "href": format!("/collections/{id}"), "type": "application/json" }));
    let head = json!({
        "type": "FeatureCollection",
        "numberMatched": page.matched,
        "numberReturned": page.items.len(),
        "links": links,
    })
    .to_string();
    let size: usize = features.iter().map(|f| f.len() + 1).sum();
    let mut body = Vec::with_capacity(head.len() + size + 16);
    // The head is an object; reopen it to append the ready-made features.
    body.extend_from_slice(&head.as_bytes()[..head.len() - 1]);
    body.extend_from_slice(br#","features":["#);
    for (i, f) in features.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(f);
    }
    body.extend_from_slice(b"]}");
    body
}

pub async fn items(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let s = state.snapshot();
    let c = find(&s, &id)?;
    let q = ItemsQuery::parse(&pairs, c).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let page = c.query(&s.dataset, &q);
    if q.format == Format::Csv {
        let body = c.write_csv(&s.dataset, &page.items, q.crs, q.select.as_deref());
        let disposition = format!("attachment; filename=\"{}.csv\"", c.id);
        let mut response =
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response();
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, v);
        }
        if let Ok(v) = HeaderValue::from_str(&page.matched.to_string()) {
            response.headers_mut().insert("oapi-number-matched", v);
        }
        return Ok(with_crs(response, q.crs));
    }
    let body = items_body(&s, c, &pairs, &q, &page);
    Ok(with_crs(
        ([(header::CONTENT_TYPE, GEOJSON)], body).into_response(),
        q.crs,
    ))
}

pub async fn item(
    State(state): State<Shared>,
    Path((id, feature)): Path<(String, String)>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let s = state.snapshot();
    let c = find(&s, &id)?;
    let crs = match pairs.iter().find(|(k, _)| k == "crs") {
        Some((_, v)) => v
            .parse::<Crs>()
            .map_err(|e| ApiError::BadRequest(format!("parameter 'crs': {e}")))?,
        None => Crs::Crs84,
    };
    let item = c
        .item(&feature)
        .ok_or_else(|| ApiError::NotFound(format!("no feature '{feature}' in '{id}'")))?;
    Ok(with_crs(
        (
            [(header::CONTENT_TYPE, GEOJSON)],
            item.fragment(crs).clone(),
        )
            .into_response(),
        crs,
    ))
}

/// The properties a collection can be filtered on, as JSON Schema (OGC API – Features Part 3).
pub async fn queryables(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = state.snapshot();
    let c = find(&s, &id)?;
    let mut properties = serde_json::Map::new();
    let geometry = match c.kind {
        crate::features::CollectionKind::Areas(_) => "https://geojson.org/schema/MultiPolygon.json",
        crate::features::CollectionKind::Facilities => "https://geojson.org/schema/Point.json",
    };
    properties.insert("geometry".into(), json!({ "$ref": geometry }));
    for (name, kind) in &c.properties {
        let mut p = json!({ "type": kind });
        if let Some(figure) = crate::model::Figure::ALL.iter().find(|f| f.key() == name) {
            p["title"] = json!(figure.label());
            let unit = figure.quantity().unit();
            if !unit.is_empty() {
                p["description"] = json!(format!("in {unit}; null when CBS publishes no value"));
            }
        }
        properties.insert(name.clone(), p);
    }
    let body = json!({
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": format!("/collections/{}/queryables", c.id),
        "type": "object",
        "title": c.title,
        "properties": properties,
        "additionalProperties": false,
    });
    Ok((
        [(header::CONTENT_TYPE, "application/schema+json")],
        body.to_string(),
    )
        .into_response())
}
