//! Mapbox Vector Tiles of the served collections on the WebMercatorQuad grid (OGC API –
//! Tiles), with the topology-safe generalised outlines of `crate::topology` per zoom,
//! so neighbouring areas keep sharing their edges at every zoom.

pub mod cache;
pub mod clip;
pub mod combined;
pub mod encode;
pub mod grid;
pub mod mvt;
pub mod projected;
pub mod tags;

pub use encode::{layer, BUFFER, EXTENT};
pub use grid::{TileId, TileIdError, MAX_ZOOM};

/// The media type of a Mapbox Vector Tile.
pub const MVT_MEDIA_TYPE: &str = "application/vnd.mapbox-vector-tile";

/// One collection's tile as bytes; empty when no feature meets the tile.
pub fn collection_tile(
    collection: &crate::features::Collection,
    dataset: &crate::model::Dataset,
    projected: &projected::Projected,
    id: TileId,
) -> Vec<u8> {
    let tags = projected.tags(collection);
    let l = layer(collection, dataset, projected, &tags, id);
    if l.is_empty() {
        return Vec::new();
    }
    mvt::encode(vec![l.finish()])
}

/// The zooms whose tiles are made when a snapshot is loaded, before anyone asks: the
/// country-scale views every visitor opens with.
pub const PREGENERATED_MAX_ZOOM: u8 = 7;

/// The tiles of zoom `z` that meet a CRS84 extent.
pub fn tiles_covering(extent: [f64; 4], z: u8) -> impl Iterator<Item = TileId> {
    let n = 1u32 << z;
    let col =
        |lon: f64| (((lon + 180.0) / 360.0 * f64::from(n)).floor().max(0.0) as u32).min(n - 1);
    let row = |lat: f64| {
        let (_, y) = grid::to_mercator(crate::crs::LonLat::new(0.0, lat.clamp(-85.0, 85.0)));
        (((grid::HALF_WORLD_M - y) / (2.0 * grid::HALF_WORLD_M) * f64::from(n))
            .floor()
            .max(0.0) as u32)
            .min(n - 1)
    };
    let (x0, x1, y0, y1) = (
        col(extent[0]),
        col(extent[2]),
        row(extent[3]),
        row(extent[1]),
    );
    (y0..=y1).flat_map(move |y| (x0..=x1).filter_map(move |x| TileId::new(u32::from(z), x, y).ok()))
}

/// Makes and caches every tile up to [`PREGENERATED_MAX_ZOOM`] over each collection's
/// extent, and the combined tiles over all of them; returns how many.
pub fn pregenerate(
    collections: &[crate::features::Collection],
    dataset: &crate::model::Dataset,
    plan: &[combined::PlannedLayer],
    projected: &projected::Projected,
    cache: &cache::TileCache,
) -> usize {
    let mut made = 0;
    for c in collections {
        let Some(extent) = c.extent else { continue };
        for z in 0..=PREGENERATED_MAX_ZOOM {
            for id in tiles_covering(extent, z) {
                if !cache.contains(c.id, id) {
                    let bytes = collection_tile(c, dataset, projected, id);
                    cache.insert(c.id, id, bytes::Bytes::from(bytes));
                    made += 1;
                }
            }
        }
    }
    if let Some(extent) = crate::features::union_extent(collections).filter(|_| !plan.is_empty()) {
        for z in 0..=PREGENERATED_MAX_ZOOM {
            for id in tiles_covering(extent, z) {
                if !cache.contains(combined::CACHE_NAME, id) {
                    let bytes = combined::tile(plan, collections, dataset, projected, id);
                    cache.insert(combined::CACHE_NAME, id, bytes::Bytes::from(bytes));
                    made += 1;
                }
            }
        }
    }
    // These tiles are cached now; their outlines would only hold memory.
    projected.release_up_to(PREGENERATED_MAX_ZOOM);
    made
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tiles_over_the_netherlands() {
        let nl = [3.31, 50.75, 7.23, 53.58];
        assert_eq!(tiles_covering(nl, 0).count(), 1);
        // At zoom 7 the Netherlands spans columns 65–66 and rows 41–42: OSM's formula
        // puts the north-west corner in 65/41 and the south-east corner in 66/42.
        let z7: Vec<_> = tiles_covering(nl, 7).map(|t| (t.x, t.y)).collect();
        assert_eq!(z7, [(65, 41), (66, 41), (65, 42), (66, 42)]);
    }
}
