//! Mapbox Vector Tiles of the served collections on the WebMercatorQuad grid (OGC API –
//! Tiles), with the topology-safe generalised outlines of `crate::topology` per zoom,
//! so neighbouring areas keep sharing their edges at every zoom.

pub mod clip;
pub mod encode;
pub mod grid;

pub use encode::{add_layer, TileError, BUFFER, EXTENT};
pub use grid::{TileId, TileIdError, MAX_ZOOM};

/// The media type of a Mapbox Vector Tile.
pub const MVT_MEDIA_TYPE: &str = "application/vnd.mapbox-vector-tile";

/// One collection's tile as bytes; empty when no feature meets the tile.
pub fn collection_tile(
    collection: &crate::features::Collection,
    dataset: &crate::model::Dataset,
    id: TileId,
) -> Result<Vec<u8>, TileError> {
    let mut tile = mvt::Tile::new(EXTENT);
    if add_layer(&mut tile, collection, dataset, id)? == 0 {
        return Ok(Vec::new());
    }
    Ok(tile.to_bytes()?)
}
