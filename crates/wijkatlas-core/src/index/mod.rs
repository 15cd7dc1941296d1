//! R-trees over the areas of each level and over the voorzieningen, in RD metres.
//!
//! Area trees hold bounding boxes only; a query narrows by box and then tests the exact
//! polygon, so a point on a long thin buurt is never given to its neighbour.

mod runs;

pub use runs::RunTree;

use crate::crs::RdPoint;
use crate::model::{Area, AreaLevel, Category, Containing, Voorziening};
use geo::{BoundingRect, Intersects, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{ParentNode, RTree, RTreeNode, RTreeObject, AABB};

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
    /// RD box, and how it lies there: an area whose box is inside the query box meets it
    /// for certain, so its caller can leave out the exact outline test.
    pub fn areas_in_box(
        &self,
        level: AreaLevel,
        min: RdPoint,
        max: RdPoint,
        found: impl FnMut(usize, BoxFit),
    ) {
        visit_box(
            &self.areas[level.index()],
            BoxQuery::exact([min.x, min.y, max.x, max.y]),
            found,
        );
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

/// An R-tree of boxes, each with its data: for boxes the dataset's own trees do not hold
/// as such (a served collection's features in RD, each with what a box query needs of
/// it; a tile layer's outlines in Web Mercator).
#[derive(Debug)]
pub struct BoxTree<T>(RTree<GeomWithData<Rectangle<[f64; 2]>, T>>);

/// No boxes.
impl<T> Default for BoxTree<T> {
    fn default() -> Self {
        BoxTree(RTree::new())
    }
}

impl<T: Copy> BoxTree<T> {
    /// Over `boxes`: min x, min y, max x, max y, each with its data.
    pub fn new(boxes: impl IntoIterator<Item = ([f64; 4], T)>) -> Self {
        BoxTree(RTree::bulk_load(
            boxes
                .into_iter()
                .map(|([x0, y0, x1, y1], data)| {
                    GeomWithData::new(Rectangle::from_corners([x0, y0], [x1, y1]), data)
                })
                .collect(),
        ))
    }

    /// Calls `found` with the data of each box that meets `query` (min x, min y, max x,
    /// max y in the boxes' CRS; edges included), and how it lies there (see
    /// [`SpatialIndex::areas_in_box`]).
    pub fn in_box(&self, query: [f64; 4], found: impl FnMut(T, BoxFit)) {
        self.in_query(BoxQuery::exact(query), found);
    }

    /// Calls `found` with the data of each box that meets `query.outer`, and how it lies
    /// against what is asked (see [`BoxQuery::fit`]).
    pub fn in_query(&self, query: BoxQuery, found: impl FnMut(T, BoxFit)) {
        visit_box(&self.0, query, found);
    }
}

/// What a box query asks of a tree, in the tree's CRS: the entries whose box meets
/// `outer`, each told how it lies against `inner`.
///
/// For a box given in the tree's CRS the two are that box. A box given in another CRS
/// has curved edges here: `outer` is then a box around it and `inner` a box inside it,
/// so an entry whose box lies between them is left to the exact geometry test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxQuery {
    pub outer: [f64; 4],
    /// Min x above max x when no box fits inside what is asked.
    pub inner: [f64; 4],
}

impl BoxQuery {
    /// A box in the tree's own CRS, asked as it is.
    pub fn exact(query: [f64; 4]) -> Self {
        BoxQuery {
            outer: query,
            inner: query,
        }
    }

    /// How an entry whose box meets `outer` lies against what is asked: as
    /// [`BoxFit::of`] tells it against `inner` when it meets `inner` (then what holds for
    /// `inner` holds for what is asked, which covers it), [`BoxFit::Crossing`] otherwise.
    pub fn fit(&self, entry: [f64; 4]) -> BoxFit {
        if boxes_meet(entry, self.inner) {
            BoxFit::of(entry, self.inner)
        } else {
            BoxFit::Crossing
        }
    }
}

/// Whether two closed boxes (min x, min y, max x, max y) meet.
pub fn boxes_meet([x0, y0, x1, y1]: [f64; 4], [qx0, qy0, qx1, qy1]: [f64; 4]) -> bool {
    x0 <= qx1 && qx0 <= x1 && y0 <= qy1 && qy0 <= y1
}

/// How an entry's box lies against a query box it meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxFit {
    /// Wholly inside the query box, edges included: whatever lies in the entry's box
    /// meets the query box.
    Inside,
    /// Across the query box's edge, the query box covering the entry's whole extent
    /// along one axis: a geometry in one piece with this box meets the query box (it
    /// passes every x, or y, of its extent, and there it lies inside the query box).
    Spanned,
    /// Meeting the query box otherwise: only the exact geometry can tell.
    Crossing,
}

impl BoxFit {
    /// How the box `entry` lies against `query` (both min x, min y, max x, max y),
    /// given that they meet.
    pub fn of([x0, y0, x1, y1]: [f64; 4], [qx0, qy0, qx1, qy1]: [f64; 4]) -> BoxFit {
        let spans_x = qx0 <= x0 && x1 <= qx1;
        let spans_y = qy0 <= y0 && y1 <= qy1;
        match (spans_x, spans_y) {
            (true, true) => BoxFit::Inside,
            (true, false) | (false, true) => BoxFit::Spanned,
            (false, false) => BoxFit::Crossing,
        }
    }

    /// Whether a geometry whose box lies so meets the query box without a look at the
    /// geometry itself: `one_piece` when it is a point or one polygon.
    pub fn meets_for_certain(self, one_piece: bool) -> bool {
        match self {
            BoxFit::Inside => true,
            BoxFit::Spanned => one_piece,
            BoxFit::Crossing => false,
        }
    }
}

/// The box around two boxes, each min x, min y, max x, max y in one CRS.
pub fn box_union(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

fn corners(b: &AABB<[f64; 2]>) -> [f64; 4] {
    let ([x0, y0], [x1, y1]) = (b.lower(), b.upper());
    [x0, y0, x1, y1]
}

/// Calls `found` with the data of each entry of `tree` whose envelope meets
/// `query.outer`, with how it lies against what is asked (see [`BoxQuery::fit`]).
///
/// The tree is walked by hand (rstar gives its nodes): a node whose box lies inside
/// `query.inner` hands over every entry below it untested, which a walk that tests every
/// child (rstar's own) cannot do; a box over a city holds whole subtrees.
fn visit_box<G, T: Copy>(
    tree: &RTree<GeomWithData<G, T>>,
    query: BoxQuery,
    mut found: impl FnMut(T, BoxFit),
) where
    G: RTreeObject<Envelope = AABB<[f64; 2]>>,
{
    walk_box(tree.root(), &query, &mut found);
}

fn walk_box<G, T: Copy>(
    node: &ParentNode<GeomWithData<G, T>>,
    query: &BoxQuery,
    found: &mut impl FnMut(T, BoxFit),
) where
    G: RTreeObject<Envelope = AABB<[f64; 2]>>,
{
    for child in node.children() {
        let envelope = corners(&match child {
            RTreeNode::Leaf(entry) => entry.envelope(),
            RTreeNode::Parent(parent) => parent.envelope(),
        });
        // Most children of a node the box crosses lie outside it: asked first.
        if !boxes_meet(envelope, query.outer) {
            continue;
        }
        let fit = query.fit(envelope);
        match (child, fit) {
            (RTreeNode::Leaf(entry), _) => found(entry.data, fit),
            (RTreeNode::Parent(parent), BoxFit::Inside) => every_entry(parent, found),
            (RTreeNode::Parent(parent), _) => walk_box(parent, query, found),
        }
    }
}

/// Every entry below `node`, each inside the query box its ancestor lies in.
fn every_entry<G, T: Copy>(node: &ParentNode<GeomWithData<G, T>>, found: &mut impl FnMut(T, BoxFit))
where
    G: RTreeObject<Envelope = AABB<[f64; 2]>>,
{
    for child in node.children() {
        match child {
            RTreeNode::Leaf(entry) => found(entry.data, BoxFit::Inside),
            RTreeNode::Parent(parent) => every_entry(parent, found),
        }
    }
}

/// A fixed-seed xorshift generator for SYNTHETIC test boxes: each call gives a number in
/// `0..below`, the same sequence for the same seed, so a failing box can be found again.
#[cfg(test)]
fn uniform(seed: u64) -> impl FnMut(f64) -> f64 {
    let mut state = seed;
    move |below| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * below
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstar::Envelope;

    /// The hand walk finds what rstar's own envelope query finds, and says of each entry
    /// how its box lies in the query box as a test of the boxes' corners does: SYNTHETIC
    /// boxes scattered over 100 km, enough of them for a tree of several levels, asked
    /// with boxes from a few metres to wider than everything, some touching entries
    /// edge to edge.
    #[test]
    fn the_walk_agrees_with_rstar_and_classifies_each_entry() {
        let mut next = uniform(0x2545_f491_4f6c_dd1d);
        let entries: Vec<AreaEntry> = (0..5_000)
            .map(|i| {
                let (x, y) = (next(100_000.0).round(), next(100_000.0).round());
                let (w, h) = (next(2_000.0).round(), next(2_000.0).round());
                GeomWithData::new(Rectangle::from_corners([x, y], [x + w, y + h]), i)
            })
            .collect();
        let tree = RTree::bulk_load(entries.clone());
        let mut queries = 0;
        let mut fits = [0usize; 3];
        for size in [5.0, 500.0, 5_000.0, 30_000.0, 250_000.0] {
            for _ in 0..40 {
                let (x, y) = (
                    next(110_000.0).round() - 5_000.0,
                    next(110_000.0).round() - 5_000.0,
                );
                let (min, max) = (RdPoint::new(x, y), RdPoint::new(x + size, y + size));
                let query = AABB::from_corners([min.x, min.y], [max.x, max.y]);
                // Asked as it is, and with a box a fifth smaller inside it (as a box
                // with curved edges is asked), and with none inside it.
                let shrink = size / 10.0;
                let smaller = [
                    min.x + shrink,
                    min.y + shrink,
                    max.x - shrink,
                    max.y - shrink,
                ];
                for inner in [[min.x, min.y, max.x, max.y], smaller, [1.0, 1.0, 0.0, 0.0]] {
                    let fits_inner = AABB::from_corners([inner[0], inner[1]], [inner[2], inner[3]]);
                    let mut expected: Vec<(usize, BoxFit)> = tree
                        .locate_in_envelope_intersecting(&query)
                        .map(|e| {
                            let [x0, y0] = e.envelope().lower();
                            let [x1, y1] = e.envelope().upper();
                            let (lo, hi) = (fits_inner.lower(), fits_inner.upper());
                            let meets_inner =
                                inner[0] <= inner[2] && fits_inner.intersects(&e.envelope());
                            let fit = if !meets_inner {
                                BoxFit::Crossing
                            } else if fits_inner.contains_envelope(&e.envelope()) {
                                BoxFit::Inside
                            } else if (lo[0] <= x0 && x1 <= hi[0]) || (lo[1] <= y0 && y1 <= hi[1]) {
                                BoxFit::Spanned
                            } else {
                                BoxFit::Crossing
                            };
                            (e.data, fit)
                        })
                        .collect();
                    let mut found = Vec::new();
                    let outer = [min.x, min.y, max.x, max.y];
                    visit_box(&tree, BoxQuery { outer, inner }, |i, fit| {
                        found.push((i, fit))
                    });
                    expected.sort_by_key(|&(i, _)| i);
                    found.sort_by_key(|&(i, _)| i);
                    assert_eq!(
                        found, expected,
                        "query box {size} m at ({x}, {y}), inside {inner:?}"
                    );
                    queries += usize::from(!found.is_empty());
                    for (_, fit) in found {
                        fits[fit as usize] += 1;
                    }
                }
            }
        }
        assert!(
            queries > 360,
            "only {queries} of 600 query boxes met an entry"
        );
        // Each way of lying in a box came up often, so their agreement says something.
        assert!(
            fits.iter().all(|&n| n > 100),
            "inside, spanned, crossing: {fits:?}"
        );
        // An entry whose edge the query box touches meets it (closed boxes).
        let [x1, y1] = entries[0].geom().envelope().upper();
        let mut at_corner = Vec::new();
        visit_box(
            &tree,
            BoxQuery::exact([x1, y1, x1 + 1.0, y1 + 1.0]),
            |i, fit| at_corner.push((i, fit)),
        );
        assert!(
            at_corner.contains(&(0, BoxFit::Crossing)),
            "the box at the first entry's corner missed it ({} found)",
            at_corner.len()
        );
    }

    /// A box tree hands each box's own data over, for every box a plain comparison of
    /// corners says meets the query box, and says how it lies as `BoxFit::of` does:
    /// SYNTHETIC boxes on a 1 km lattice, some touching, asked with boxes across it.
    #[test]
    fn a_box_tree_gives_the_data_of_the_boxes_that_meet() {
        let boxes: Vec<([f64; 4], (u32, bool))> = (0..900u32)
            .map(|i| {
                let (x, y) = (f64::from(i % 30) * 1_000.0, f64::from(i / 30) * 1_000.0);
                let w = 500.0 + f64::from(i % 7) * 100.0;
                ([x, y, x + w, y + 1_000.0], (i, i % 2 == 0))
            })
            .collect();
        let tree = BoxTree::new(boxes.iter().copied());
        let mut met = 0;
        for q in [
            [-10.0, -10.0, 40_000.0, 40_000.0],
            [2_500.0, 2_500.0, 7_000.0, 3_000.0],
            [1_000.0, 0.0, 1_000.0, 0.0],
            [12_345.0, 6_789.0, 19_876.0, 25_432.0],
            [-5_000.0, -5_000.0, -1.0, -1.0],
        ] {
            let mut got = Vec::new();
            tree.in_box(q, |d, fit| got.push((d, fit)));
            got.sort_by_key(|&((i, _), _)| i);
            let expected: Vec<((u32, bool), BoxFit)> = boxes
                .iter()
                .filter(|(b, _)| b[0] <= q[2] && b[2] >= q[0] && b[1] <= q[3] && b[3] >= q[1])
                .map(|&(b, d)| (d, BoxFit::of(b, q)))
                .collect();
            assert_eq!(got, expected, "query {q:?}");
            met += got.len();
        }
        assert!(met > 900, "only {met} boxes met the queries");
    }
}
