//! The combined tile the web map reads: several collections as layers of one tile, each
//! layer from the zoom at which a map can show it (gemeenten at country scale, then
//! wijken, then buurten), so one request per tile serves the whole map.

use super::{layer, mvt, TileId};
use crate::features::Collection;
use crate::model::{AreaLevel, Dataset};
use serde::Serialize;

/// The name the combined tiles go by in the tile cache.
pub const CACHE_NAME: &str = "*combined*";

/// One layer of the combined tile and the zooms it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlannedLayer {
    pub collection: &'static str,
    pub minzoom: u8,
}

/// From these zooms a level is in the combined tile when it is not the analysis level:
/// below them its areas are a few pixels wide and the level above says more.
const WIJK_MINZOOM: u8 = 9;
const BUURT_MINZOOM: u8 = 12;
/// Facilities as points from here; at smaller scales the map clusters its own copy.
const FACILITY_MINZOOM: u8 = 10;

/// The layers of the combined tile for this data. The analysis level is in at every
/// zoom, since the choropleth is drawn on it; gemeenten are always in for their borders.
pub fn plan(collections: &[Collection], dataset: &Dataset) -> Vec<PlannedLayer> {
    let analysis = crate::analysis::default_level(dataset);
    let minzoom = |level: AreaLevel, otherwise: u8| {
        if Some(level) == analysis {
            0
        } else {
            otherwise
        }
    };
    [
        ("gemeenten", minzoom(AreaLevel::Gemeente, 0)),
        ("wijken", minzoom(AreaLevel::Wijk, WIJK_MINZOOM)),
        ("buurten", minzoom(AreaLevel::Buurt, BUURT_MINZOOM)),
        ("voorzieningen", FACILITY_MINZOOM),
    ]
    .into_iter()
    .filter_map(|(id, minzoom)| {
        let c = collections.iter().find(|c| c.id == id)?;
        (!c.items.is_empty()).then_some(PlannedLayer {
            collection: c.id,
            minzoom,
        })
    })
    .collect()
}

/// The combined tile as bytes: the planned layers of its zoom that have features in it;
/// empty when none has.
pub fn tile(
    plan: &[PlannedLayer],
    collections: &[Collection],
    dataset: &Dataset,
    projected: &super::projected::Projected,
    id: TileId,
) -> Vec<u8> {
    let planned: Vec<(&Collection, _)> = plan
        .iter()
        .filter(|p| id.z >= p.minzoom)
        .filter_map(|p| collections.iter().find(|c| c.id == p.collection))
        .map(|c| (c, projected.tags(c)))
        .collect();
    let layers: Vec<_> = planned
        .iter()
        .map(|(c, tags)| layer(c, dataset, projected, tags, id))
        .filter(|l| !l.is_empty())
        .map(|l| l.finish())
        .collect();
    if layers.is_empty() {
        return Vec::new();
    }
    mvt::encode(layers)
}
