//! A collection's area outlines for one zoom in Web Mercator metres, made once per
//! snapshot and zoom: a tile then only scales and shifts them, instead of taking every
//! vertex through the RD polynomial and the Mercator formula again for every tile.

use super::grid::to_mercator;
use super::tags::TagTable;
use crate::crs::RdPoint;
use crate::features::{Collection, OutlineRd, MAX_GENERALISED_ZOOM};
use crate::index::BoxTree;
use crate::model::Dataset;
use geo::{BoundingRect, MapCoords, MultiPolygon};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The outlines of one collection at one zoom, by item position; `None` for items
/// without an outline.
#[derive(Debug, Default)]
pub struct ProjectedLayer {
    pub outlines: Vec<Option<(MultiPolygon<f64>, [f64; 4])>>,
    /// The boxes of `outlines` (item positions as data), so a tile finds the outlines
    /// that meet it without a look at every one.
    tree: BoxTree<usize>,
}

impl ProjectedLayer {
    /// Positions of the outlines whose box meets a Web Mercator box (min x, min y, max
    /// x, max y; edges included), in item order.
    pub fn in_box(&self, window: [f64; 4]) -> Vec<usize> {
        let mut found = Vec::new();
        self.tree.in_box(window, |position, _| found.push(position));
        found.sort_unstable();
        found
    }
}

/// Per snapshot: the projected outlines of each area collection, per zoom as they are
/// asked for. Zooms past the generalised ones share one slot (the outlines as loaded).
#[derive(Debug, Default)]
pub struct Projected {
    slots: Mutex<HashMap<(&'static str, u8), Slot>>,
    /// Each collection's tags, for every zoom.
    tags: Mutex<HashMap<&'static str, TagSlot>>,
}

type TagSlot = Arc<OnceLock<Arc<TagTable>>>;

/// One collection's projected outlines at one zoom, made once by whoever asks first.
type Slot = Arc<OnceLock<Arc<ProjectedLayer>>>;

impl Projected {
    /// Lets go of the outlines of the zooms up to `max_zoom`, once their tiles are made
    /// and cached: they are made again should such a tile be asked for after the cache
    /// let it go. Keeps the snapshot's memory at start to what serving needs.
    pub fn release_up_to(&self, max_zoom: u8) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.retain(|(_, z), _| *z > max_zoom);
    }

    /// The projected outlines of `collection` for `zoom`, made on first use.
    pub fn layer(
        &self,
        collection: &Collection,
        dataset: &Dataset,
        zoom: u8,
    ) -> Arc<ProjectedLayer> {
        let z = zoom.min(MAX_GENERALISED_ZOOM + 1);
        let slot = {
            // A poisoned lock only means a panic elsewhere mid-insert of an empty slot.
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.entry((collection.id, z)).or_default().clone()
        };
        slot.get_or_init(|| Arc::new(project(collection, dataset, z)))
            .clone()
    }
}

impl Projected {
    /// The tags of `collection`'s features, numbered on first use.
    pub fn tags(&self, collection: &Collection) -> Arc<TagTable> {
        let slot = {
            let mut tags = self.tags.lock().unwrap_or_else(|e| e.into_inner());
            tags.entry(collection.id).or_default().clone()
        };
        slot.get_or_init(|| Arc::new(TagTable::new(collection)))
            .clone()
    }
}

fn project(collection: &Collection, dataset: &Dataset, zoom: u8) -> ProjectedLayer {
    let at_zoom = collection.outlines_at_zoom(dataset, zoom);
    let outlines: Vec<Option<(MultiPolygon<f64>, [f64; 4])>> = collection
        .items
        .iter()
        .map(|item| match at_zoom.get(item)? {
            OutlineRd::Area(mp) => {
                let m = mp.map_coords(|c| {
                    let (x, y) = to_mercator(RdPoint::new(c.x, c.y).to_wgs84());
                    geo::Coord { x, y }
                });
                let b = m.bounding_rect()?;
                Some((m, [b.min().x, b.min().y, b.max().x, b.max().y]))
            }
            OutlineRd::Point(_) => None,
        })
        .collect();
    let tree = BoxTree::new(
        outlines
            .iter()
            .enumerate()
            .filter_map(|(n, o)| Some((o.as_ref()?.1, n))),
    );
    ProjectedLayer { outlines, tree }
}
