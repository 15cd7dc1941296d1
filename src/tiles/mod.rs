//! Mapbox Vector Tiles of the served collections on the WebMercatorQuad grid (OGC API –
//! Tiles), with the topology-safe generalised outlines of `crate::topology` per zoom,
//! so neighbouring areas keep sharing their edges at every zoom.

pub mod clip;
pub mod encode;
pub mod grid;
pub mod mvt;

pub use encode::{layer, BUFFER, EXTENT};
pub use grid::{TileId, TileIdError, MAX_ZOOM};

/// The media type of a Mapbox Vector Tile.
pub const MVT_MEDIA_TYPE: &str = "application/vnd.mapbox-vector-tile";

/// One collection's tile as bytes; empty when no feature meets the tile.
pub fn collection_tile(
    collection: &crate::features::Collection,
    dataset: &crate::model::Dataset,
    id: TileId,
) -> Vec<u8> {
    let l = layer(collection, dataset, id);
    if l.is_empty() {
        return Vec::new();
    }
    mvt::encode(vec![l.finish()])
}
