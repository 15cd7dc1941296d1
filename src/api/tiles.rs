//! OGC API – Tiles over the collections: the WebMercatorQuad tile matrix set, a tileset
//! per collection (also readable as TileJSON 3, which MapLibre takes as a source `url`),
//! and the Mapbox Vector Tiles themselves.

use super::base_url::BaseUrl;
use super::{ApiError, AppState};
use crate::tiles::{self, combined, TileId, MAX_ZOOM, MVT_MEDIA_TYPE};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

const TMS_URI: &str = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
const CRS_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/tileMatrixSets", get(matrix_sets))
        .route("/tileMatrixSets/WebMercatorQuad", get(web_mercator_quad))
        .route("/collections/{id}/tiles", get(tilesets))
        .route("/collections/{id}/tiles/WebMercatorQuad", get(tileset))
        .route(
            "/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}",
            get(tile),
        )
        .route("/tiles", get(dataset_tilesets))
        .route("/tiles/WebMercatorQuad", get(dataset_tileset))
        .route("/tiles/WebMercatorQuad/{z}/{y}/{x}", get(dataset_tile))
}

async fn matrix_sets(base: BaseUrl) -> Json<Value> {
    let mut v = json!({ "tileMatrixSets": [{
        "id": "WebMercatorQuad", "title": "Google Maps Compatible for the World", "uri": TMS_URI,
        "links": [{ "rel": "self", "href": "/tileMatrixSets/WebMercatorQuad", "type": "application/json" }],
    }]});
    base.absolutise(&mut v);
    Json(v)
}

/// The tile matrix set, written out from its definition (OGC 17-083r4, annex D.1).
async fn web_mercator_quad() -> Json<Value> {
    let matrices: Vec<Value> = (0..=MAX_ZOOM)
        .map(|z| {
            let n = 1u64 << z;
            json!({
                "id": z.to_string(),
                "scaleDenominator": 559_082_264.028_717_2 / n as f64,
                "cellSize": 156_543.033_928_041 / n as f64,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-tiles::grid::HALF_WORLD_M, tiles::grid::HALF_WORLD_M],
                "tileWidth": 256, "tileHeight": 256, "matrixWidth": n, "matrixHeight": n,
            })
        })
        .collect();
    Json(json!({
        "id": "WebMercatorQuad", "title": "Google Maps Compatible for the World", "uri": TMS_URI,
        "crs": CRS_3857, "orderedAxes": ["X", "Y"], "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
    }))
}

fn collection_exists(state: &AppState, id: &str) -> Result<(), ApiError> {
    if state.snapshot().collection(id).is_none() {
        return Err(ApiError::NotFound(format!(
            "no collection '{id}'; see /collections"
        )));
    }
    Ok(())
}

async fn tilesets(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    base: BaseUrl,
) -> Result<Json<Value>, ApiError> {
    collection_exists(&state, &id)?;
    let mut v = json!({ "tilesets": [{
        "title": format!("{id}, vector tiles"), "dataType": "vector", "crs": CRS_3857, "tileMatrixSetURI": TMS_URI,
        "links": [
            { "rel": "self", "href": format!("/collections/{id}/tiles/WebMercatorQuad"), "type": "application/json" },
            { "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "href": "/tileMatrixSets/WebMercatorQuad", "type": "application/json" },
        ],
    }], "links": [{ "rel": "self", "href": format!("/collections/{id}/tiles"), "type": "application/json" }] });
    base.absolutise(&mut v);
    Ok(Json(v))
}

/// The tileset: OGC's description and TileJSON 3 in one document.
async fn tileset(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    base: BaseUrl,
) -> Result<Json<Value>, ApiError> {
    let s = state.snapshot();
    let c = s
        .collection(&id)
        .ok_or_else(|| ApiError::NotFound(format!("no collection '{id}'; see /collections")))?;
    let template = format!("/collections/{id}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}");
    let fields = fields(c);
    let mut v = json!({
        "title": format!("{id}, vector tiles"), "dataType": "vector", "crs": CRS_3857, "tileMatrixSetURI": TMS_URI,
        "links": [
            { "rel": "self", "href": format!("/collections/{id}/tiles/WebMercatorQuad"), "type": "application/json" },
            { "rel": "item", "href": template.replace("{z}", "{tileMatrix}").replace("{y}", "{tileRow}").replace("{x}", "{tileCol}"), "templated": true, "type": MVT_MEDIA_TYPE },
            { "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "href": "/tileMatrixSets/WebMercatorQuad", "type": "application/json" },
        ],
        "layers": [{ "id": id, "dataType": "vector" }],
        "tilejson": "3.0.0",
        "tiles": [format!("{}{template}", base.as_str())],
        "minzoom": 0, "maxzoom": MAX_ZOOM,
        "bounds": c.extent,
        "vector_layers": [{ "id": id, "fields": fields }],
        "attribution": attribution(&s.dataset),
    });
    base.absolutise(&mut v);
    Ok(Json(v))
}

fn path_number(name: &str, v: &str) -> Result<u32, ApiError> {
    v.parse::<u32>().map_err(|_| {
        ApiError::BadRequest(format!(
            "tile {name} '{v}' is not a whole number of 0 or more"
        ))
    })
}

fn tile_id(z: &str, y: &str, x: &str) -> Result<TileId, ApiError> {
    TileId::new(
        path_number("zoom", z)?,
        path_number("column", x)?,
        path_number("row", y)?,
    )
    .map_err(|e| ApiError::BadRequest(e.to_string()))
}

async fn tile(
    State(state): State<Arc<AppState>>,
    Path((id, z, y, x)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let tile = tile_id(&z, &y, &x)?;
    let s = state.snapshot();
    let Some(collection) = s.collection(&id) else {
        return Err(ApiError::NotFound(format!(
            "no collection '{id}'; see /collections"
        )));
    };
    let name = collection.id;
    cached_or_made(s, name, tile, move |s| {
        s.collection(name)
            .map(|c| tiles::collection_tile(c, &s.dataset, &s.projected, tile))
            .unwrap_or_default()
    })
    .await
}

/// The combined tile: every planned layer of its zoom in one tile.
async fn dataset_tile(
    State(state): State<Arc<AppState>>,
    Path((z, y, x)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let tile = tile_id(&z, &y, &x)?;
    cached_or_made(state.snapshot(), combined::CACHE_NAME, tile, move |s| {
        combined::tile(&s.tile_plan, &s.collections, &s.dataset, &s.projected, tile)
    })
    .await
}

/// A tile from the snapshot's cache, or made (and kept) when it is not there.
async fn cached_or_made(
    s: Arc<super::Snapshot>,
    name: &'static str,
    tile: TileId,
    make: impl FnOnce(&super::Snapshot) -> Vec<u8> + Send + 'static,
) -> Result<Response, ApiError> {
    let bytes = match s.tiles.get(name, tile) {
        Some(bytes) => bytes,
        None => {
            // Encoding is CPU work: off the async workers, so other requests keep flowing.
            let made = tokio::task::spawn_blocking(move || {
                let bytes = bytes::Bytes::from(make(&s));
                s.tiles.insert(name, tile, bytes.clone());
                bytes
            });
            made.await
                .map_err(|e| ApiError::Internal(format!("the tile could not be made: {e}")))?
        }
    };
    if bytes.is_empty() {
        // OGC API – Tiles: an empty tile may be a 204.
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(([(header::CONTENT_TYPE, MVT_MEDIA_TYPE)], bytes).into_response())
}

async fn dataset_tilesets(base: BaseUrl) -> Json<Value> {
    let mut v = json!({ "tilesets": [{
        "title": "wijkatlas, all layers", "dataType": "vector", "crs": CRS_3857, "tileMatrixSetURI": TMS_URI,
        "links": [
            { "rel": "self", "href": "/tiles/WebMercatorQuad", "type": "application/json" },
            { "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "href": "/tileMatrixSets/WebMercatorQuad", "type": "application/json" },
        ],
    }], "links": [{ "rel": "self", "href": "/tiles", "type": "application/json" }] });
    base.absolutise(&mut v);
    Json(v)
}

/// The combined tileset: OGC's description and TileJSON 3, with each layer's zooms.
async fn dataset_tileset(State(state): State<Arc<AppState>>, base: BaseUrl) -> Json<Value> {
    let s = state.snapshot();
    let template = "/tiles/WebMercatorQuad/{z}/{y}/{x}";
    let layers: Vec<Value> = s
        .tile_plan
        .iter()
        .filter_map(|p| {
            let c = s.collection(p.collection)?;
            Some(json!({
                "id": c.id, "description": c.title, "minzoom": p.minzoom, "maxzoom": MAX_ZOOM,
                "fields": fields(c),
            }))
        })
        .collect();
    let extent = crate::features::union_extent(&s.collections);
    let mut v = json!({
        "title": "wijkatlas, all layers", "dataType": "vector", "crs": CRS_3857, "tileMatrixSetURI": TMS_URI,
        "links": [
            { "rel": "self", "href": "/tiles/WebMercatorQuad", "type": "application/json" },
            { "rel": "item", "href": "/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}", "templated": true, "type": MVT_MEDIA_TYPE },
            { "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "href": "/tileMatrixSets/WebMercatorQuad", "type": "application/json" },
        ],
        "layers": s.tile_plan.iter().map(|p| json!({ "id": p.collection, "dataType": "vector" })).collect::<Vec<_>>(),
        "tilejson": "3.0.0",
        "tiles": [format!("{}{template}", base.as_str())],
        "minzoom": 0, "maxzoom": MAX_ZOOM,
        "bounds": extent,
        "vector_layers": layers,
        "attribution": attribution(&s.dataset),
    });
    base.absolutise(&mut v);
    Json(v)
}

/// TileJSON's `fields`: every property and its JSON type, with the `id` the tiles add.
fn fields(c: &crate::features::Collection) -> serde_json::Map<String, Value> {
    std::iter::once(("id".to_string(), json!("String")))
        .chain(c.properties.iter().map(|(k, t)| (k.clone(), json!(t))))
        .collect()
}

/// Each source's attribution once, as one line.
fn attribution(dataset: &crate::model::Dataset) -> String {
    super::attributions(dataset).join(" · ")
}
