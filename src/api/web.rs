//! The web map: the planner page (`/kaart`), the resident page (`/bewoner`) and their
//! script, style and worker files, built from `web/` by `build.rs` and embedded in the
//! binary, so the server needs no files beside it and the page loads nothing from
//! elsewhere (gemeente networks often block CDNs).

use super::{ApiError, AppState};
use crate::analysis::basis::AccessBasis;
use crate::model::AreaLevel;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;

/// One built file of the web map.
pub struct Asset {
    pub name: &'static str,
    /// A hash of the content, quoted, so a new build never meets a stale cache.
    pub etag: &'static str,
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// A raster basemap under our own layers: an XYZ template such as PDOK's
/// BRT-Achtergrondkaart. Without one the map draws only our own layers.
#[derive(Debug, Clone, Serialize)]
pub struct Basemap {
    pub tiles: String,
    pub attribution: String,
    /// Served by this server from a file (`--basemap-file`): a missing tile is no sign
    /// that the basemap is unreachable.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub local: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minzoom: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maxzoom: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounds: Option<[f64; 4]>,
    #[serde(rename = "tileSize", skip_serializing_if = "Option::is_none")]
    pub tile_size: Option<u32>,
}

impl Basemap {
    /// A basemap the browser loads from elsewhere (PDOK's by default).
    pub fn remote(tiles: String, attribution: String) -> Basemap {
        Basemap {
            tiles,
            attribution,
            local: false,
            minzoom: None,
            maxzoom: None,
            bounds: None,
            tile_size: None,
        }
    }

    /// The basemap this server serves from an MBTiles file.
    pub fn local(file: &crate::basemap::MbTiles, attribution: String) -> Basemap {
        Basemap {
            tiles: super::basemap::TILES_PATH.to_string(),
            attribution,
            local: true,
            minzoom: Some(file.minzoom),
            maxzoom: Some(file.maxzoom),
            bounds: file.bounds,
            tile_size: Some(file.tile_size),
        }
    }
}

/// What the operator sets for the web map.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    pub basemap: Option<Basemap>,
    /// The file behind a self-hosted basemap.
    pub basemap_file: Option<Arc<crate::basemap::MbTiles>>,
}

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/kaart",
            get(|h: HeaderMap| async move { page("planner.html", &h) }),
        )
        .route(
            "/bewoner",
            get(|h: HeaderMap| async move { page("resident.html", &h) }),
        )
        .route("/kaart/embed", get(embed))
        .route("/web/config.json", get(config))
        .route(super::basemap::TILES_PATH, get(super::basemap::tile))
        .route("/web/{file}", get(asset))
}

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn serve(asset: &'static Asset, request: &HeaderMap) -> Response {
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some();
    let fresh = fresh && super::middleware::if_none_match(request, asset.etag);
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, content_type(asset.name))],
            asset.bytes,
        )
            .into_response()
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, HeaderValue::from_static(asset.etag));
    // Revalidate every time: the names carry no hash, and a 304 costs one round trip.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn page(name: &str, request: &HeaderMap) -> Response {
    match find(name) {
        Some(a) => serve(a, request),
        None => ApiError::NotFound(format!("the web map was built without {name}")).into_response(),
    }
}

/// The map for a gemeente's own site (`?gemeente=GM0505&categorie=huisarts`), meant for
/// an iframe there: framing is allowed from any site, as the data is open and CORS
/// already lets any origin read it. The page reads its parameters itself and says in
/// words when one names nothing loaded.
async fn embed(request: HeaderMap) -> Response {
    let mut response = page("embed.html", &request);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors *"),
    );
    response
}

async fn asset(Path(file): Path<String>, request: HeaderMap) -> Response {
    match find(&file) {
        Some(a) => serve(a, &request),
        None => ApiError::NotFound(format!("no web map file '{file}'")).into_response(),
    }
}

/// What the page needs to know before it asks for data: the categories with facilities,
/// the levels, the analysis level, the attribution of every loaded source, the basemap.
async fn config(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let s = state.snapshot();
    // With voorzieningen loaded, or with CBS's distance standing in for them.
    let categories: Vec<_> = s
        .analysed
        .iter()
        .map(|&(c, basis)| {
            let n = s
                .dataset
                .voorzieningen()
                .iter()
                .filter(|v| v.category == c)
                .count();
            let (dekking, landelijk) = match basis {
                AccessBasis::Voorzieningen => {
                    let coverage = crate::analysis::coverage::CategoryCoverage::new(&s.dataset, c);
                    (coverage.described(), coverage.is_national())
                }
                AccessBasis::CbsAfstand { .. } => (
                    "de gebieden waarvoor CBS de afstand publiceert".to_string(),
                    true,
                ),
            };
            json!({
                "key": c.key(),
                "label": c.label(),
                "domain": c.domain(),
                "count": n,
                "dekking": dekking,
                "landelijk": landelijk,
                "toegang_bron": basis.key(),
                "toegang_bron_tekst": basis.described(),
            })
        })
        .collect();
    let levels: Vec<_> = AreaLevel::ALL
        .into_iter()
        .filter(|l| !s.dataset.areas(*l).is_empty())
        .collect();
    let mut attribution: Vec<String> = Vec::new();
    for a in s
        .dataset
        .sources
        .iter()
        .filter_map(|src| src.attribution.clone())
    {
        if !attribution.contains(&a) {
            attribution.push(a);
        }
    }
    let basemap = state.web().basemap.clone();
    if let Some(b) = &basemap {
        attribution.push(b.attribution.clone());
    }
    let extent = crate::features::union_extent(&s.collections);
    let analysis_level = crate::analysis::default_level(&s.dataset);
    // The page asks for these properties straight away, without a queryables round trip.
    let area_properties: Vec<&String> = analysis_level
        .and_then(|l| s.collection(collection_of(l)))
        .map(|c| c.properties.keys().collect())
        .unwrap_or_default();
    // The need index's components at the analysis level, named exactly, and those of
    // the configured set this level's figures lack.
    let need = analysis_level.map(|level| {
        let index = crate::analysis::need::compute(&s.dataset, level, &s.analysis.need_weights);
        let label = |key: &str| {
            crate::model::Figure::ALL
                .iter()
                .find(|f| f.key() == key)
                .map_or(key.to_string(), |f| f.label().to_string())
        };
        json!({
            "components": index.components.iter().map(|(k, w)| json!({ "key": k, "label": label(k), "weight": w })).collect::<Vec<_>>(),
            "missing": index.missing.iter().map(|k| json!({ "key": k, "label": label(k) })).collect::<Vec<_>>(),
        })
    });
    // Whether distances run along a road network, and by which modes: the pages show
    // network times and the isochrone control only when one is loaded.
    let netwerk = s
        .routing
        .as_ref()
        .map(|n| json!({ "modi": n.iter().map(|net| net.mode().dutch()).collect::<Vec<_>>() }));
    Json(json!({
        "snapshot": s.id,
        "netwerk": netwerk,
        "need": need,
        "areaProperties": area_properties,
        "categories": categories,
        "levels": levels,
        "analysisLevel": analysis_level,
        "attribution": attribution,
        "basemap": basemap,
        "extent": extent,
        // The combined vector tiles the map draws its areas from, and their layers.
        "tiles": { "url": "/tiles/WebMercatorQuad/{z}/{y}/{x}", "layers": s.tile_plan },
        "socialRentTargetPct": crate::analysis::housing::NATIONAL_TARGET_PCT,
    }))
}

fn collection_of(level: AreaLevel) -> &'static str {
    match level {
        AreaLevel::Gemeente => "gemeenten",
        AreaLevel::Wijk => "wijken",
        AreaLevel::Buurt => "buurten",
    }
}
