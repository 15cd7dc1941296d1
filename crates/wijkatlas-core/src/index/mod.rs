//! R-trees over the areas of each level and over the voorzieningen, in RD metres.
//!
//! Area trees hold bounding boxes only; a query narrows by box and then tests the exact
//! polygon, so a point on a long thin buurt is never given to its neighbour.

use crate::crs::RdPoint;
use crate::model::{Area, AreaLevel, Category, Containing, Voorziening};
use geo::{BoundingRect, Intersects, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

type AreaEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;
type FacilityEntry = GeomWithData<[f64; 2], usize>;

/// Spatial lookups over one dataset. Indices refer to the dataset's area and facility vectors.
#[derive(Debug, Default)]
pub struct SpatialIndex {
    areas: [RTree<AreaEntry>; 3],
    facilities: RTree<FacilityEntry>,
}

impl SpatialIndex {
    pub fn build(areas_by_level: [&[Area]; 3], facilities: &[Voorziening]) -> Self {
        let areas = areas_by_level.map(|areas| {
            RTree::bulk_load(
                areas
                    .iter()
                    .enumerate()
                    .filter_map(|(i, a)| {
                        let r = a.geometry.rd.bounding_rect()?;
                        let rect =
                            Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                        Some(GeomWithData::new(rect, i))
                    })
                    .collect(),
            )
        });
        let facilities = RTree::bulk_load(
            facilities
                .iter()
                .enumerate()
                .map(|(i, v)| GeomWithData::new([v.location.rd.x, v.location.rd.y], i))
                .collect(),
        );
        SpatialIndex { areas, facilities }
    }

    /// The index of the area at `level` that contains `p`, if any.
    ///
    /// A point on a shared edge belongs to the first area found; CBS areas tile without
    /// overlap, so this only happens on the boundary line itself.
    pub fn area_at(&self, areas: &[Area], level: AreaLevel, p: RdPoint) -> Option<usize> {
        let point = Point::new(p.x, p.y);
        self.areas[level.index()]
            .locate_all_at_point(&[p.x, p.y])
            .map(|e| e.data)
            .find(|&i| areas[i].geometry.rd.intersects(&point))
    }

    /// The areas at every level that contain `p`.
    pub fn containing(&self, areas_by_level: [&[Area]; 3], p: RdPoint) -> Containing {
        let code_at = |level: AreaLevel| {
            let areas = areas_by_level[level.index()];
            self.area_at(areas, level, p).map(|i| areas[i].code)
        };
        Containing {
            gemeente: code_at(AreaLevel::Gemeente),
            wijk: code_at(AreaLevel::Wijk),
            buurt: code_at(AreaLevel::Buurt),
        }
    }

    /// Calls `found` with the index of each area at `level` whose bounding box meets the
    /// RD box. The tree is walked by rstar's internal iteration: its iterator keeps a
    /// stack of nodes and took most of a city-sized `bbox` page's index lookup.
    pub fn areas_in_box(
        &self,
        level: AreaLevel,
        min: RdPoint,
        max: RdPoint,
        found: impl FnMut(usize),
    ) {
        visit_box(&self.areas[level.index()], min, max, found);
    }

    /// Calls `found` with the index of each facility inside the RD box, edges included.
    pub fn facilities_in_box(&self, min: RdPoint, max: RdPoint, found: impl FnMut(usize)) {
        visit_box(&self.facilities, min, max, found);
    }

    /// Facilities by increasing distance from `p`, optionally of one category, lazily.
    pub fn nearest_facilities<'a>(
        &'a self,
        facilities: &'a [Voorziening],
        p: RdPoint,
        category: Option<Category>,
    ) -> impl Iterator<Item = (usize, f64)> + 'a {
        self.facilities
            .nearest_neighbor_iter_with_distance_2(&[p.x, p.y])
            .map(|(e, d2)| (e.data, d2.sqrt()))
            .filter(move |&(i, _)| category.is_none_or(|c| facilities[i].category == c))
    }

    /// Facilities within `radius` metres of `p` (inclusive), in no particular order.
    pub fn facilities_within(
        &self,
        p: RdPoint,
        radius: f64,
    ) -> impl Iterator<Item = (usize, f64)> + '_ {
        // A hair wider in the tree; the exact bound is tested on the distance.
        self.facilities
            .locate_within_distance([p.x, p.y], radius * radius * (1.0 + 1e-9))
            .map(move |e| (e.data, (e.geom()[0] - p.x).hypot(e.geom()[1] - p.y)))
            .filter(move |&(_, d)| d <= radius)
    }

    pub fn facility_count(&self) -> usize {
        self.facilities.size()
    }
}

/// Calls `found` with the data of each entry of `tree` whose envelope meets the RD box.
fn visit_box<G>(
    tree: &RTree<GeomWithData<G, usize>>,
    min: RdPoint,
    max: RdPoint,
    mut found: impl FnMut(usize),
) where
    G: rstar::RTreeObject<Envelope = AABB<[f64; 2]>>,
{
    let envelope = AABB::from_corners([min.x, min.y], [max.x, max.y]);
    let _: std::ops::ControlFlow<()> = tree.locate_in_envelope_intersecting_int(&envelope, |e| {
        found(e.data);
        std::ops::ControlFlow::Continue(())
    });
}
