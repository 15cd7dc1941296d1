//! OGC API – Features endpoints: landing page, conformance, collections and items.

use super::base_url::BaseUrl;
use super::compute::{self, Cost};
use super::html::{self, escape};
use super::negotiate;
use super::percent::{encode, encode_onto};
use super::query_pairs::Pairs;
use super::{ApiError, AppState, Snapshot};
use crate::crs::Crs;
use crate::features::{Collection, Format, ItemsQuery, Page, DEFAULT_LIMIT, MAX_LIMIT};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

type Shared = Arc<AppState>;

const GEOJSON: &str = "application/geo+json";
const JSON: &str = "application/json";
pub const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";

/// JSON or a page, as the request asked.
fn answer(
    format: Format,
    base: &BaseUrl,
    json_body: impl FnOnce() -> Value,
    page: impl FnOnce() -> String,
) -> Response {
    match format {
        Format::Html => ([(header::CONTENT_TYPE, html::CONTENT_TYPE)], page()).into_response(),
        _ => {
            let mut body = json_body();
            base.absolutise(&mut body);
            Json(body).into_response()
        }
    }
}

const PAGE_OR_JSON: [Format; 2] = [Format::GeoJson, Format::Html];

pub const CONFORMANCE: [&str; 15] = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/sorting",
];

pub async fn landing(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
    headers: HeaderMap,
    base: BaseUrl,
) -> Result<Response, ApiError> {
    let s = state.snapshot();
    let format = negotiate::format(&pairs, &headers, &PAGE_OR_JSON)?;
    let title = "wijkatlas";
    let description =
        "Zorg- en welzijnsvoorzieningen tegen de behoefte per buurt, wijk en gemeente";
    Ok(answer(
        format,
        &base,
        || {
            json!({
                "title": title,
                "description": description,
                "links": [
                    { "rel": "self", "href": "/", "type": JSON, "title": "this document" },
                    { "rel": "alternate", "href": "/?f=html", "type": "text/html", "title": "this document as HTML" },
                    { "rel": "service-desc", "href": "/api", "type": OPENAPI, "title": "the API definition (OpenAPI 3.0)" },
                    { "rel": "service-doc", "href": "/api?f=html", "type": "text/html", "title": "the API documentation" },
                    { "rel": "conformance", "href": "/conformance", "type": JSON },
                    { "rel": "data", "href": "/collections", "type": JSON },
                    { "rel": "status", "href": "/status", "type": JSON },
                ],
                "attribution": attribution(&s),
            })
        },
        || {
            let mut main = format!("<p>{}</p><h2>Collecties</h2><ul>", escape(description));
            for c in &s.collections {
                main.push_str(&html::link(
                    &format!("/collections/{}?f=html", c.id),
                    &format!("{} ({} objecten)", c.title, c.items.len()),
                ));
            }
            main.push_str("</ul><h2>Voor GIS en scripts</h2><ul>");
            for (href, label) in [
                ("/collections?f=html", "Alle collecties"),
                ("/api?f=html", "API-documentatie (OpenAPI 3.0: /api)"),
                (
                    "/conformance?f=html",
                    "Ondersteunde standaarden (conformance)",
                ),
                ("/?f=json", "Deze pagina als JSON"),
            ] {
                main.push_str(&html::link(href, label));
            }
            main.push_str("</ul>");
            html::page(title, &[], &main, &attribution(&s))
        },
    ))
}

pub fn attribution(s: &Snapshot) -> Vec<String> {
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

pub async fn conformance(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
    headers: HeaderMap,
    base: BaseUrl,
) -> Result<Response, ApiError> {
    let format = negotiate::format(&pairs, &headers, &PAGE_OR_JSON)?;
    Ok(answer(
        format,
        &base,
        || json!({ "conformsTo": CONFORMANCE }),
        || {
            let mut main =
                String::from("<p>Deze server volgt deze conformiteitsklassen van OGC API:</p><ul>");
            for uri in CONFORMANCE {
                main.push_str(&format!("<li><code>{}</code></li>", escape(uri)));
            }
            main.push_str("</ul>");
            html::page("Conformance", &[], &main, &attribution(&state.snapshot()))
        },
    ))
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
            { "rel": "self", "href": format!("/collections/{}", c.id), "type": JSON },
            { "rel": "alternate", "href": format!("/collections/{}?f=html", c.id), "type": "text/html" },
            { "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "href": format!("/collections/{}/queryables", c.id), "type": "application/schema+json" },
            { "rel": "items", "href": items, "type": GEOJSON, "title": format!("{} (default {DEFAULT_LIMIT}, at most {MAX_LIMIT} per page)", c.title) },
            { "rel": "items", "href": format!("{items}?f=html"), "type": "text/html", "title": format!("{} as a table and map", c.title) },
            { "rel": "items", "href": format!("{items}?f=csv"), "type": "text/csv", "title": format!("{} as CSV", c.title) },
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

fn collection_summary(c: &Collection) -> String {
    let mut main = format!(
        "<p>{}</p><p>{} objecten",
        escape(&c.description),
        c.items.len()
    );
    if let (Some(first), Some(last)) = (c.years.first(), c.years.last()) {
        if first == last {
            main.push_str(&format!(", peiljaar {first}"));
        } else {
            main.push_str(&format!(", peiljaren {first}–{last}"));
        }
    }
    main.push_str(".</p>");
    main
}

pub async fn collections(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
    headers: HeaderMap,
    base: BaseUrl,
) -> Result<Response, ApiError> {
    let s = state.snapshot();
    let format = negotiate::format(&pairs, &headers, &PAGE_OR_JSON)?;
    Ok(answer(
        format,
        &base,
        || {
            json!({
                "links": [
                    { "rel": "self", "href": "/collections", "type": JSON },
                    { "rel": "alternate", "href": "/collections?f=html", "type": "text/html" },
                ],
                "crs": Crs::ALL.iter().map(|c| c.uri()).collect::<Vec<_>>(),
                "collections": s.collections.iter().map(collection_json).collect::<Vec<_>>(),
            })
        },
        || {
            let mut main = String::new();
            for c in &s.collections {
                main.push_str(&format!(
                    r#"<h2><a href="/collections/{id}?f=html">{}</a></h2>{}"#,
                    escape(c.title),
                    collection_summary(c),
                    id = c.id
                ));
            }
            html::page("Collecties", &[], &main, &attribution(&s))
        },
    ))
}

pub async fn collection(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Pairs(pairs): Pairs,
    headers: HeaderMap,
    base: BaseUrl,
) -> Result<Response, ApiError> {
    let s = state.snapshot();
    let c = find(&s, &id)?;
    let format = negotiate::format(&pairs, &headers, &PAGE_OR_JSON)?;
    Ok(answer(
        format,
        &base,
        || collection_json(c),
        || {
            let mut main = collection_summary(c);
            main.push_str("<ul>");
            let items = format!("/collections/{}/items", c.id);
            for (href, label) in [
                (
                    format!("{items}?f=html"),
                    "Tabel en kaart (per 100)".to_string(),
                ),
                (items.clone(), "GeoJSON".to_string()),
                (
                    format!("{items}?f=csv&limit={MAX_LIMIT}"),
                    "CSV-download".to_string(),
                ),
                (
                    format!("/collections/{}/queryables?f=html", c.id),
                    "Eigenschappen om op te filteren (queryables)".to_string(),
                ),
            ] {
                main.push_str(&html::link(&href, &label));
            }
            main.push_str("</ul>");
            if let Some([x0, y0, x1, y1]) = c.extent {
                main.push_str(&format!(
                    "<p>Omgrenzing (CRS84, lengte/breedte): {x0:.4}, {y0:.4} – {x1:.4}, {y1:.4}</p>"
                ));
            }
            main.push_str("<p>Coördinatenstelsels: ");
            main.push_str(
                &Crs::ALL
                    .iter()
                    .map(|c| format!("<code>{}</code>", c.short_name()))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            main.push_str("</p>");
            html::page(
                c.title,
                &[("/collections?f=html".into(), "Collecties".into())],
                &main,
                &attribution(&s),
            )
        },
    ))
}

/// The `Content-Crs` value of each CRS (in the order of `Crs::ALL`), made once: made per
/// answer it cost a format and a check every time.
static CONTENT_CRS: std::sync::LazyLock<Vec<(Crs, HeaderValue)>> = std::sync::LazyLock::new(|| {
    Crs::ALL
        .iter()
        .filter_map(|&c| Some((c, HeaderValue::from_str(&format!("<{}>", c.uri())).ok()?)))
        .collect()
});

fn with_crs(mut response: Response, crs: Crs) -> Response {
    const CONTENT_CRS_NAME: header::HeaderName = header::HeaderName::from_static("content-crs");
    if let Some((_, v)) = CONTENT_CRS.iter().find(|(c, _)| *c == crs) {
        response.headers_mut().insert(CONTENT_CRS_NAME, v.clone());
    }
    response
}

/// Rebuilds the query string with another offset (and another `f`, when given), for
/// paging and alternate links.
fn page_href(id: &str, pairs: &[(String, String)], offset: usize, f: Option<&str>) -> String {
    let mut href = Vec::with_capacity(64);
    write_page_href(&mut href, id, &kept_pairs(pairs, f.is_some()), offset, f);
    // Only ASCII was written: the id and the pairs percent-encoded.
    String::from_utf8(href).unwrap_or_default()
}

/// The query's pairs but `offset` (and `f`, when `drop_f`), percent-encoded, each
/// followed by `&`: what every link of a page repeats, encoded once.
fn kept_pairs(pairs: &[(String, String)], drop_f: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
    for (k, v) in pairs
        .iter()
        .filter(|(k, _)| k != "offset" && !(drop_f && k == "f"))
    {
        encode_onto(&mut out, k);
        out.push(b'=');
        encode_onto(&mut out, v);
        out.push(b'&');
    }
    out
}

/// Writes a page's path and query string onto `out`: the pairs [`kept_pairs`] gave,
/// then the offset (and `f`). All of it percent-encoded, so that it needs no further
/// escaping in JSON, HTML attributes or headers.
fn write_page_href(
    out: &mut impl bytes::BufMut,
    id: &str,
    kept: &[u8],
    offset: usize,
    f: Option<&str>,
) {
    out.put_slice(b"/collections/");
    encode_onto(out, id);
    out.put_slice(b"/items?");
    out.put_slice(kept);
    out.put_slice(b"offset=");
    out.put_slice(itoa::Buffer::new().format(offset).as_bytes());
    if let Some(f) = f {
        out.put_slice(b"&f=");
        encode_onto(out, f);
    }
}

/// The `next` and `prev` offsets of a page, when there are such pages.
fn neighbours(q: &ItemsQuery, page: &Page<'_>) -> (Option<usize>, Option<usize>) {
    let next = (q.offset + page.items.len() < page.matched).then_some(q.offset + page.items.len());
    let prev = (q.offset > 0).then_some(q.offset.saturating_sub(q.limit));
    (next, prev)
}

/// One link object, `{"rel":…,"href":…,"type":…}`. `rel` and `media` are names without
/// anything to escape; `write_href` writes the address, which needs none either (a
/// [`BaseUrl`] and a percent-encoded path).
fn write_link<B: bytes::BufMut>(
    out: &mut B,
    rel: &str,
    media: &str,
    write_href: impl FnOnce(&mut B),
) {
    out.put_slice(br#"{"rel":""#);
    out.put_slice(rel.as_bytes());
    out.put_slice(br#"","href":""#);
    write_href(out);
    out.put_slice(br#"","type":""#);
    out.put_slice(media.as_bytes());
    out.put_slice(b"\"}");
}

/// The head of a GeoJSON page, up to the opening of its features, written onto `out`:
/// straight into the page's buffer, since it is most of a small page's own work.
fn write_page_head(
    out: &mut impl bytes::BufMut,
    c: &Collection,
    pairs: &[(String, String)],
    q: &ItemsQuery,
    page: &Page<'_>,
    base: &BaseUrl,
) {
    let (next, prev) = neighbours(q, page);
    let mut number = itoa::Buffer::new();
    out.put_slice(br#"{"type":"FeatureCollection","numberMatched":"#);
    out.put_slice(number.format(page.matched).as_bytes());
    out.put_slice(br#","numberReturned":"#);
    out.put_slice(number.format(page.items.len()).as_bytes());
    out.put_slice(br#","links":["#);
    let base = base.as_str();
    let with_f = kept_pairs(pairs, false);
    // The same bytes unless the query names an `f`, which the alternates replace.
    let without_f = if pairs.iter().any(|(k, _)| k == "f") {
        std::borrow::Cow::Owned(kept_pairs(pairs, true))
    } else {
        std::borrow::Cow::Borrowed(&with_f[..])
    };
    let mut first = true;
    let mut link = |rel: &str, offset: Option<usize>, f: Option<&str>, media: &str| {
        if !std::mem::take(&mut first) {
            out.put_u8(b',');
        }
        let kept: &[u8] = if f.is_some() { &without_f } else { &with_f };
        write_link(out, rel, media, |out| {
            out.put_slice(base.as_bytes());
            match offset {
                Some(offset) => write_page_href(out, c.id, kept, offset, f),
                None => {
                    out.put_slice(b"/collections/");
                    encode_onto(out, c.id);
                }
            }
        });
    };
    link("self", Some(q.offset), None, GEOJSON);
    link("alternate", Some(q.offset), Some("html"), "text/html");
    link("alternate", Some(q.offset), Some("csv"), "text/csv");
    if let Some(n) = next {
        link("next", Some(n), None, GEOJSON);
    }
    if let Some(p) = prev {
        link("prev", Some(p), None, GEOJSON);
    }
    link("collection", None, None, JSON);
    out.put_slice(br#"],"features":["#);
}

/// A GeoJSON page: the head, then each feature with its separator.
fn items_body(
    s: &Snapshot,
    c: &Collection,
    pairs: &[(String, String)],
    q: &ItemsQuery,
    page: &Page<'_>,
    base: &BaseUrl,
) -> axum::body::Body {
    if q.keeps_features_as_made() {
        if let Some(features) = c.crs84_pieces(&page.items, MAX_FEATURE_PIECES) {
            // The features as the snapshot holds them, next to each other: a page in id
            // order with no condition (or a box over one area) is one or a few pieces.
            let mut head = bytes::BytesMut::with_capacity(HEAD_BYTES);
            write_page_head(&mut head, c, pairs, q, page, base);
            let pieces = std::iter::once(head.freeze())
                .chain(features)
                .chain([bytes::Bytes::from_static(b"]}")]);
            return axum::body::Body::new(super::pieces::Pieces::new(pieces));
        }
        let features = page
            .items
            .iter()
            .map(|item| item.crs84_fragment().len() + 1)
            .sum::<usize>();
        if features <= PAGE_BUFFER_BYTES {
            // Copied straight from the snapshot's features: no handle to each of them is
            // taken, whose shared counts both workers would otherwise bounce between
            // their caches on every page.
            let mut body = bytes::BytesMut::with_capacity(features + HEAD_BYTES);
            write_page_head(&mut body, c, pairs, q, page, base);
            for (i, item) in page.items.iter().enumerate() {
                if i > 0 {
                    body.extend_from_slice(b",");
                }
                body.extend_from_slice(item.crs84_fragment());
            }
            body.extend_from_slice(b"]}");
            return axum::body::Body::from(body.freeze());
        }
    }
    let mut head = bytes::BytesMut::with_capacity(HEAD_BYTES);
    write_page_head(&mut head, c, pairs, q, page, base);
    let mut chunks = Vec::with_capacity(2 * page.items.len() + 2);
    chunks.push(head.freeze());
    for (i, item) in page.items.iter().enumerate() {
        if i > 0 {
            chunks.push(bytes::Bytes::from_static(b","));
        }
        chunks.push(c.render(&s.dataset, item, q.crs, q.select.as_deref(), q.zoom));
    }
    chunks.push(bytes::Bytes::from_static(b"]}"));
    page_body(chunks)
}

/// The most pieces of the snapshot's features a page is sent as; past that they are
/// copied into one buffer. With the page's head, its end and hyper's own buffer for the
/// response head that is within the 16 buffers hyper queues for one vectored write.
const MAX_FEATURE_PIECES: usize = 12;

/// Room for a page's head with its six links (it grows when a long query needs more).
const HEAD_BYTES: usize = 2048;

/// The body of a GeoJSON page from its pieces (the head, the features and their
/// commas). A page that fits [`PAGE_BUFFER_BYTES`] is joined into one buffer and goes
/// with a `Content-Length`: a chunk-encoded frame per piece cost more than the page's
/// own work. A larger page is streamed, joined into buffers of that size as the client
/// takes them, so a slow reader of a big page holds about one buffer of copies beside
/// the pieces (mostly the snapshot's own shared bytes).
fn page_body(pieces: Vec<bytes::Bytes>) -> axum::body::Body {
    let total: usize = pieces.iter().map(bytes::Bytes::len).sum();
    let mut buffers = Coalesced::new(pieces, PAGE_BUFFER_BYTES);
    if total <= PAGE_BUFFER_BYTES {
        return axum::body::Body::from(buffers.next().unwrap_or_default());
    }
    axum::body::Body::from_stream(futures_util::stream::iter(
        buffers.map(Ok::<_, std::convert::Infallible>),
    ))
}

/// The size a page's buffers grow to before a new one starts.
const PAGE_BUFFER_BYTES: usize = 256 * 1024;

/// Pieces joined in order into buffers of at most `max` bytes, one buffer at a time; a
/// piece larger than `max` is a buffer of its own (uncopied).
struct Coalesced {
    pieces: std::iter::Peekable<std::vec::IntoIter<bytes::Bytes>>,
    max: usize,
    /// Bytes of the pieces not yet taken, to size each buffer once: growing it piece by
    /// piece copied it again on every doubling.
    left: usize,
}

impl Coalesced {
    fn new(pieces: Vec<bytes::Bytes>, max: usize) -> Self {
        Coalesced {
            left: pieces.iter().map(bytes::Bytes::len).sum(),
            pieces: pieces.into_iter().peekable(),
            max,
        }
    }
}

impl Iterator for Coalesced {
    type Item = bytes::Bytes;

    fn next(&mut self) -> Option<bytes::Bytes> {
        if self.pieces.peek()?.len() > self.max {
            let piece = self.pieces.next()?;
            self.left -= piece.len();
            return Some(piece);
        }
        let mut buffer = bytes::BytesMut::with_capacity(self.left.min(self.max));
        while let Some(piece) = self
            .pieces
            .next_if(|p| p.len() <= self.max && buffer.len() + p.len() <= self.max)
        {
            self.left -= piece.len();
            buffer.extend_from_slice(&piece);
        }
        Some(buffer.freeze())
    }
}

fn items_page(
    s: &Snapshot,
    c: &Collection,
    pairs: &[(String, String)],
    q: &ItemsQuery,
    page: &Page<'_>,
) -> String {
    let columns: Vec<&str> = match &q.select {
        Some(names) => names.iter().map(String::as_str).collect(),
        None => html::reading_order(c.properties.keys().map(String::as_str)),
    };
    let first = if page.items.is_empty() {
        0
    } else {
        q.offset + 1
    };
    let last = q.offset + page.items.len();
    let summary = format!("{first}–{last} van {} objecten", page.matched);
    let shapes: Vec<html::svg::Shape<'_>> = page
        .items
        .iter()
        .filter_map(|item| {
            c.outline_rd(&s.dataset, item)
                .map(|outline| html::svg::Shape {
                    href: html::item_href(c, &item.id),
                    label: item_label(item),
                    outline,
                })
        })
        .collect();
    let mut main = format!("<p>{}</p>", escape(&summary));
    main.push_str(&html::svg::preview(
        &shapes,
        &format!(
            "Kaart van {} ({summary}); dezelfde objecten staan in de tabel",
            c.title
        ),
    ));
    let (next, prev) = neighbours(q, page);
    main.push_str(r#"<nav aria-label="Pagina's"><ul>"#);
    if let Some(p) = prev {
        main.push_str(&html::link(
            &page_href(c.id, pairs, p, Some("html")),
            "Vorige pagina",
        ));
    }
    if let Some(n) = next {
        main.push_str(&html::link(
            &page_href(c.id, pairs, n, Some("html")),
            "Volgende pagina",
        ));
    }
    main.push_str(&html::link(
        &page_href(c.id, pairs, q.offset, Some("json")),
        "Deze pagina als GeoJSON",
    ));
    main.push_str(&html::link(
        &page_href(c.id, pairs, q.offset, Some("csv")),
        "Deze pagina als CSV",
    ));
    main.push_str("</ul></nav>");
    main.push_str(&html::items_table(
        c,
        &page.items,
        &columns,
        &format!("{} – {summary}", c.title),
    ));
    html::page(
        c.title,
        &[
            ("/collections?f=html".into(), "Collecties".into()),
            (format!("/collections/{}?f=html", c.id), c.title.into()),
        ],
        &main,
        &attribution(s),
    )
}

/// What to call a feature in a preview: its name and id.
fn item_label(item: &crate::features::Item) -> String {
    match item.props.get("naam").and_then(Value::as_str) {
        Some(name) => format!("{name} ({})", item.id),
        None => item.id.clone(),
    }
}

pub async fn items(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Pairs(pairs): Pairs,
    headers: HeaderMap,
    base: BaseUrl,
    super::compute::RequestDeadline(deadline): super::compute::RequestDeadline,
) -> Result<Response, ApiError> {
    let s = state.snapshot();
    let c = find(&s, &id)?;
    let q = ItemsQuery::parse(&pairs, c).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let format = match q.format {
        Some(f) => f,
        None if negotiate::prefers_html(&headers) => Format::Html,
        None => Format::GeoJson,
    };
    // Decided on the parsed request: `f=CSV` and `f=%63sv` are CSV here.
    let cost = if q.is_expensive(format) {
        Cost::Heavy
    } else {
        Cost::Light
    };
    // An index lookup at most (bounded by the collection's size), kept for the page.
    let plan = c.ready_made(&q, format);
    let inline = plan.as_ref().is_some_and(|p| p.bytes <= INLINE_PAGE_BYTES);
    let request = ItemsRequest {
        id,
        pairs,
        q,
        format,
        base,
        cap: state.limits().max_response_bytes,
        plan,
    };
    if inline {
        // Copying at most this many ready bytes takes well under a millisecond: less
        // than handing the work to a blocking thread and back, which cost the default
        // page two thirds of its rate. Still under the deadline, like any work.
        return deadline
            .run(|| items_answer(&s, request))
            .map_err(|_| compute::out_of_time(&state))?;
    }
    let snapshot = s.clone();
    compute::run(&state, &deadline, cost, move || {
        items_answer(&snapshot, request)
    })
    .await?
}

/// The largest page of ready-made features answered on the async worker itself.
const INLINE_PAGE_BYTES: usize = 512 * 1024;

/// An items request as parsed and planned on the async worker.
struct ItemsRequest {
    id: String,
    pairs: Vec<(String, String)>,
    q: ItemsQuery,
    format: Format,
    base: BaseUrl,
    /// The largest answer sent at once, bytes.
    cap: usize,
    /// The candidates already looked up for a page of ready-made features.
    plan: Option<crate::features::ReadyMade>,
}

/// An items answer: the page, its size checked against the cap before anything is
/// written, then the body.
fn items_answer(s: &Snapshot, r: ItemsRequest) -> Result<Response, ApiError> {
    let ItemsRequest {
        id,
        pairs,
        q,
        format,
        base,
        cap,
        plan,
    } = r;
    let (pairs, q, base) = (&pairs[..], &q, &base);
    let c = find(s, &id)?;
    let planned_bytes = plan.as_ref().map(|p| p.bytes);
    let page = match plan {
        Some(plan) => c.query_ready_made(&s.dataset, q, plan),
        None => c.query(&s.dataset, q),
    };
    if crate::deadline::expired() {
        // Thrown away by the caller; the page may be short.
        return Err(ApiError::Internal("stopped".into()));
    }
    // A planned page is some of the candidates whose bytes the plan summed, so the plan
    // bounds the estimate; within the cap it stands for it, and the page's features are
    // not read once more only to be counted (1,200 to 1,900 instructions of a page).
    let estimate = planned_bytes
        .map(|bytes| Collection::estimate_bound(bytes, page.items.len()))
        .filter(|&bound| bound <= cap)
        .unwrap_or_else(|| c.estimate_bytes(&page.items, format, q.select.as_deref()));
    if estimate > cap {
        return Err(ApiError::BadRequest(format!(
            "this answer would be about {} MB, more than this server sends at once ({} MB); ask for fewer features (limit, offset) or fewer properties",
            estimate.div_ceil(1 << 20),
            cap >> 20
        )));
    }
    match format {
        Format::Csv => {
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
            Ok(with_crs(response, q.crs))
        }
        Format::Html => Ok((
            [(header::CONTENT_TYPE, html::CONTENT_TYPE)],
            items_page(s, c, pairs, q, &page),
        )
            .into_response()),
        Format::GeoJson => {
            let mut response = Response::new(items_body(s, c, pairs, q, &page, base));
            // Room for every header the layers add (ETag, CORS, security, request id, …)
            // at once: grown insert by insert, the map was copied twice per page.
            response.headers_mut().reserve(16);
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON));
            Ok(with_crs(response, q.crs))
        }
    }
}

pub async fn item(
    State(state): State<Shared>,
    Path((id, feature)): Path<(String, String)>,
    Pairs(pairs): Pairs,
    headers: HeaderMap,
    base: BaseUrl,
) -> Result<Response, ApiError> {
    let s = state.snapshot();
    let c = find(&s, &id)?;
    let format = negotiate::format(&pairs, &headers, &PAGE_OR_JSON)?;
    let crs = match pairs.iter().find(|(k, _)| k == "crs") {
        Some((_, v)) => v
            .parse::<Crs>()
            .map_err(|e| ApiError::BadRequest(format!("parameter 'crs': {e}")))?,
        None => Crs::Crs84,
    };
    let item = c
        .item(&feature)
        .ok_or_else(|| ApiError::NotFound(format!("no feature '{feature}' in '{id}'")))?;
    if format == Format::Html {
        let label = item_label(item);
        let shapes: Vec<html::svg::Shape<'_>> = c
            .outline_rd(&s.dataset, item)
            .map(|outline| html::svg::Shape {
                href: html::item_href(c, &item.id),
                label: label.clone(),
                outline,
            })
            .into_iter()
            .collect();
        let mut main = html::svg::preview(&shapes, &format!("Kaart van {label}"));
        main.push_str("<ul>");
        let json_href = format!("/collections/{}/items/{}?f=json", c.id, encode(&item.id));
        main.push_str(&html::link(&json_href, "Als GeoJSON"));
        main.push_str("</ul>");
        main.push_str(&html::properties_table(item));
        return Ok((
            [(header::CONTENT_TYPE, html::CONTENT_TYPE)],
            html::page(
                &label,
                &[
                    ("/collections?f=html".into(), "Collecties".into()),
                    (format!("/collections/{}?f=html", c.id), c.title.into()),
                    (
                        format!("/collections/{}/items?f=html", c.id),
                        "Objecten".into(),
                    ),
                ],
                &main,
                &attribution(&s),
            ),
        )
            .into_response());
    }
    let fragment = c.render(&s.dataset, item, crs, None, None);
    let base = base.as_str();
    let collection = |out: &mut Vec<u8>| {
        out.extend_from_slice(base.as_bytes());
        out.extend_from_slice(b"/collections/");
        encode_onto(out, c.id);
    };
    let feature = |out: &mut Vec<u8>| {
        collection(out);
        out.extend_from_slice(b"/items/");
        encode_onto(out, &item.id);
    };
    // The feature is an object: reopened before its closing brace, it takes the links
    // without being parsed and written again.
    let mut body = Vec::with_capacity(fragment.len() + 6 * base.len() + 400);
    body.extend_from_slice(fragment.strip_suffix(b"}").unwrap_or(&fragment));
    body.extend_from_slice(br#","links":["#);
    write_link(&mut body, "self", GEOJSON, |out| {
        feature(out);
        out.extend_from_slice(b"?crs=");
        encode_onto(out, crs.uri());
    });
    body.push(b',');
    write_link(&mut body, "alternate", "text/html", |out| {
        feature(out);
        out.extend_from_slice(b"?f=html");
    });
    body.push(b',');
    write_link(&mut body, "collection", JSON, collection);
    body.extend_from_slice(b"]}");
    Ok(with_crs(
        ([(header::CONTENT_TYPE, GEOJSON)], body).into_response(),
        crs,
    ))
}

/// The properties a collection can be filtered on, as JSON Schema (OGC API – Features Part 3).
pub async fn queryables(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Pairs(pairs): Pairs,
    headers: HeaderMap,
    base: BaseUrl,
) -> Result<Response, ApiError> {
    let s = state.snapshot();
    let c = find(&s, &id)?;
    let format = negotiate::format(&pairs, &headers, &PAGE_OR_JSON)?;
    if format == Format::Html {
        let mut main = String::from(
            r#"<p>Gebruik deze namen in filters, bijvoorbeeld <code>?gemeentecode=GM0344</code>.</p><table><caption>Eigenschappen</caption><thead><tr><th scope="col">naam</th><th scope="col">type</th><th scope="col">betekenis</th></tr></thead><tbody>"#,
        );
        for (name, kind) in &c.queryables {
            main.push_str(&format!(
                r#"<tr><th scope="row"><code>{}</code></th><td>{kind}</td><td>{}</td></tr>"#,
                escape(name),
                escape(&html::property_label(name).unwrap_or_default())
            ));
        }
        main.push_str("</tbody></table>");
        return Ok((
            [(header::CONTENT_TYPE, html::CONTENT_TYPE)],
            html::page(
                &format!("Eigenschappen van {}", c.title),
                &[
                    ("/collections?f=html".into(), "Collecties".into()),
                    (format!("/collections/{}?f=html", c.id), c.title.into()),
                ],
                &main,
                &attribution(&s),
            ),
        )
            .into_response());
    }
    Ok(([(header::CONTENT_TYPE, "application/schema+json")], {
        let mut schema = queryables_schema(c);
        schema["$id"] = json!(format!(
            "{}{}",
            base.as_str(),
            schema["$id"].as_str().unwrap_or("")
        ));
        schema.to_string()
    })
        .into_response())
}

/// A collection's queryables as JSON Schema; also the schema of its feature properties
/// in the OpenAPI document.
pub fn queryables_schema(c: &Collection) -> Value {
    let mut properties = serde_json::Map::new();
    let geometry = match c.kind {
        crate::features::CollectionKind::Areas(_) => "https://geojson.org/schema/MultiPolygon.json",
        crate::features::CollectionKind::Facilities => "https://geojson.org/schema/Point.json",
    };
    properties.insert("geometry".into(), json!({ "$ref": geometry }));
    for (name, kind) in &c.queryables {
        // Dates and date-times are text in JSON; the format says which (CQL2 DATE/TIMESTAMP).
        let mut p = match *kind {
            "date" | "date-time" => json!({ "type": "string", "format": kind }),
            _ => json!({ "type": kind }),
        };
        if let Some(figure) = crate::model::Figure::ALL.iter().find(|f| f.key() == name) {
            p["title"] = json!(figure.label());
            let unit = figure.quantity().unit();
            if !unit.is_empty() {
                p["description"] = json!(format!("in {unit}; null when CBS publishes no value"));
            }
        }
        if let Some((title, description)) = crate::analysis::network::describe(name) {
            p["title"] = json!(title);
            p["description"] = json!(description);
        }
        properties.insert(name.clone(), p);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": format!("/collections/{}/queryables", c.id),
        "type": "object",
        "title": c.title,
        "properties": properties,
        "additionalProperties": false,
    })
}

/// The OpenAPI 3.0 document, or the same as a page.
pub async fn api(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
    headers: HeaderMap,
    base: BaseUrl,
) -> Result<Response, ApiError> {
    let s = state.snapshot();
    let format = negotiate::format(&pairs, &headers, &PAGE_OR_JSON)?;
    let doc = super::openapi::document(&s, state.admin_token().is_some(), &base);
    Ok(match format {
        Format::Html => (
            [(header::CONTENT_TYPE, html::CONTENT_TYPE)],
            html::page(
                "API-documentatie",
                &[],
                &super::openapi::page_body(&doc),
                &attribution(&s),
            ),
        )
            .into_response(),
        _ => ([(header::CONTENT_TYPE, OPENAPI)], doc.to_string()).into_response(),
    })
}

#[cfg(test)]
mod tests {
    use super::Coalesced;
    use bytes::Bytes;

    fn pieces(sizes: &[usize]) -> Vec<Bytes> {
        // Each piece filled with its own letter, so a reordering would show.
        sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| Bytes::from(vec![b'a' + i as u8; n]))
            .collect()
    }

    #[test]
    fn a_page_is_joined_in_order_into_bounded_buffers() {
        let input = pieces(&[3, 4, 2, 10, 1, 1]);
        let joined: Vec<u8> = input.iter().flat_map(|b| b.to_vec()).collect();
        let out: Vec<Bytes> = Coalesced::new(input, 8).collect();
        let sizes: Vec<usize> = out.iter().map(Bytes::len).collect();
        // 3+4 fit, +2 would pass 8; 10 is larger than a buffer and goes alone.
        assert_eq!(sizes, [7, 2, 10, 2]);
        assert_eq!(out.concat(), joined);
    }

    #[test]
    fn a_small_page_is_one_buffer_and_no_pieces_are_none() {
        assert_eq!(Coalesced::new(pieces(&[5, 1, 5]), 1 << 20).count(), 1);
        assert_eq!(Coalesced::new(Vec::new(), 8).count(), 0);
    }
}
