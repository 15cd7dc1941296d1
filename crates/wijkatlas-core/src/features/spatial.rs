//! Narrowing a query to the features near the place it asks about, through the
//! collection's R-tree of its features' boxes, before the exact geometry test: a `bbox`
//! or an `S_INTERSECTS` that must hold then costs a tree walk and the features near it,
//! not a scan of every one.
//!
//! The answers are positions in the collection (its id order), sorted, so the page that
//! follows is the same, in the same order, as a scan of every feature would give.

use super::cql2::{Expr, Filter, Shape};
use super::{AskedBox, Collection};
use crate::index::BoxQuery;
use crate::model::Dataset;
use geo::{BoundingRect, Rect};

/// RD boxes a feature's box must meet for the query to hold: the `bbox`, and the box of
/// each `S_INTERSECTS` among the filter's top-level `AND` terms (one inside `OR` or
/// `NOT` need not hold, so it narrows nothing).
pub(super) fn required_boxes(bbox: Option<&AskedBox>, filter: Option<&Filter>) -> Vec<Rect<f64>> {
    let mut boxes: Vec<Rect<f64>> = bbox.map(AskedBox::outer).into_iter().collect();
    if let Some(f) = filter {
        let top: &[Expr] = match f.expr() {
            Expr::And(parts) => parts,
            single => std::slice::from_ref(single),
        };
        boxes.extend(top.iter().filter_map(|e| match e {
            Expr::Intersects(shape) => shape_box(shape),
            _ => None,
        }));
    }
    boxes
}

fn shape_box(shape: &Shape) -> Option<Rect<f64>> {
    match shape {
        Shape::Rect(asked) => Some(asked.outer()),
        Shape::Point(p) => Some(Rect::new(*p, *p)),
        Shape::Polygon(p) => p.bounding_rect(),
    }
}

/// The features of a collection whose box meets a query box, in id order, and among
/// them those only the exact geometry can tell about; the others meet the query box for
/// certain (see [`BoxFit::meets_for_certain`]).
#[derive(Debug)]
pub(super) struct NearBox {
    near: Positions,
    /// Positions of the uncertain ones (a box over a city crosses a few dozen outlines).
    uncertain: Vec<usize>,
    /// Their ready-made features' bytes with a separator each: a bound on any page of
    /// them, known without reading a feature.
    bytes: usize,
}

/// Positions in a collection, in id order once sorted.
#[derive(Debug)]
enum Positions {
    /// A bit set over the collection's positions, marked as the R-tree gives them and
    /// read in id order without a sort (a box over a city gives hundreds of a national
    /// layer's ten thousand areas, 165 words to read), with how many are marked
    /// (portable x86-64 has no instruction to count a word's bits).
    Marked { bits: Vec<u64>, len: usize },
    /// The positions themselves: for a collection too large to give each request a bit
    /// set over all of it.
    Listed(Vec<usize>),
}

/// The largest collection a box query marks in a bit set: 2 KB at this size, set up
/// and read whatever the box holds, so a small box in a large collection (a tile at
/// zoom 14 over national facilities) sorts its few features instead.
const MARKED_UP_TO: usize = 1 << 14;

impl NearBox {
    /// None yet, of a collection of `len` features, kept in a bit set or a list.
    fn new(len: usize, marked: bool) -> Self {
        let near = if marked {
            Positions::Marked {
                bits: vec![0; len.div_ceil(64)],
                len: 0,
            }
        } else {
            Positions::Listed(Vec::new())
        };
        NearBox {
            near,
            // Room for the outlines a box over a city crosses, at once.
            uncertain: Vec::with_capacity(32),
            bytes: 0,
        }
    }

    /// Adds the feature at `position`, a position of the collection, once each.
    fn keep(&mut self, position: usize, certain: bool, bytes: u32) {
        // At most 4 billion features of under 4 GB each: no overflow.
        self.bytes += bytes as usize;
        if !certain {
            self.uncertain.push(position);
        }
        match &mut self.near {
            Positions::Marked { bits, len } => {
                if let Some(word) = bits.get_mut(position / 64) {
                    *word |= 1 << (position % 64);
                    *len += 1;
                }
            }
            Positions::Listed(listed) => listed.push(position),
        }
    }

    /// In id order, as [`NearBox::positions`] and [`NearBox::settle`] give them.
    fn sorted(mut self) -> Self {
        if let Positions::Listed(listed) = &mut self.near {
            listed.sort_unstable();
        }
        self
    }

    /// The bytes of their ready-made features, each with a separator.
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Their positions, in id order.
    fn positions(self) -> Vec<usize> {
        match self.near {
            Positions::Marked { bits, len } => {
                let mut positions = Vec::with_capacity(len);
                for (w, &word) in bits.iter().enumerate() {
                    let mut bits = word;
                    while bits != 0 {
                        positions.push(w * 64 + bits.trailing_zeros() as usize);
                        bits &= bits - 1;
                    }
                }
                positions
            }
            Positions::Listed(listed) => listed,
        }
    }

    /// Those that meet the box: the certain ones, and of the others those `meets` (given
    /// a position) accepts.
    fn settle(self, mut meets: impl FnMut(usize) -> bool) -> Meeting {
        let NearBox {
            near, uncertain, ..
        } = self;
        let failed = uncertain.into_iter().filter(|&position| !meets(position));
        Meeting(match near {
            Positions::Marked { mut bits, mut len } => {
                for position in failed {
                    if let Some(word) = bits.get_mut(position / 64) {
                        *word &= !(1 << (position % 64));
                        len -= 1;
                    }
                }
                Positions::Marked { bits, len }
            }
            Positions::Listed(listed) => {
                let mut failed: Vec<usize> = failed.collect();
                failed.sort_unstable();
                Positions::Listed(
                    listed
                        .into_iter()
                        .filter(|p| failed.binary_search(p).is_err())
                        .collect(),
                )
            }
        })
    }
}

/// The features of a collection that meet a query box, in id order: a [`NearBox`]
/// settled.
#[derive(Debug)]
struct Meeting(Positions);

impl Meeting {
    fn len(&self) -> usize {
        match &self.0 {
            Positions::Marked { len, .. } => *len,
            Positions::Listed(positions) => positions.len(),
        }
    }

    /// Calls `f` with positions `offset..offset + limit` of them, in id order; words of
    /// bits wholly before the page are skipped by their count.
    fn page(&self, offset: usize, limit: usize, mut f: impl FnMut(usize)) {
        match &self.0 {
            Positions::Marked { bits, .. } => {
                let (mut skip, mut left) = (offset, limit);
                for (w, &word) in bits.iter().enumerate() {
                    if left == 0 {
                        return;
                    }
                    if skip > 0 {
                        let n = word.count_ones() as usize;
                        if skip >= n {
                            skip -= n;
                            continue;
                        }
                    }
                    let mut bits = word;
                    while bits != 0 && left > 0 {
                        if skip > 0 {
                            skip -= 1;
                        } else {
                            f(w * 64 + bits.trailing_zeros() as usize);
                            left -= 1;
                        }
                        bits &= bits - 1;
                    }
                }
            }
            Positions::Listed(positions) => {
                positions
                    .iter()
                    .skip(offset)
                    .take(limit)
                    .for_each(|&p| f(p));
            }
        }
    }
}

/// Positions of the collection's features whose box meets `rd`, in id order.
pub(super) fn positions_in_box(c: &Collection, rd: &Rect<f64>) -> Vec<usize> {
    near_box(
        c,
        BoxQuery::exact([rd.min().x, rd.min().y, rd.max().x, rd.max().y]),
    )
    .positions()
}

/// The collection's features whose box meets `rd` (see [`NearBox`]), each with what its
/// box says of it (a facility's box is its point: one in the box is inside it).
pub(super) fn near_box(c: &Collection, query: BoxQuery) -> NearBox {
    let mut near = NearBox::new(c.items.len(), c.items.len() <= MARKED_UP_TO);
    c.placed.in_query(query, |placed, fit| {
        let certain = fit.meets_for_certain(placed.one_piece);
        near.keep(placed.position as usize, certain, placed.bytes);
    });
    near.sorted()
}

/// The page of a query whose one condition is a box, among the features near it (see
/// [`near_box`]): those certain to meet the box count as they are, the others after the
/// exact test of their outline; then the page is read off the features that meet it.
pub(super) fn box_page<'a>(
    c: &'a Collection,
    dataset: &Dataset,
    asked: &AskedBox,
    near: NearBox,
    (offset, limit): (usize, usize),
) -> super::Page<'a> {
    // The exact test a `bbox` and an `S_INTERSECTS` share. Outlines can be detailed:
    // once nobody waits (see `crate::deadline`) every further feature is let fail, and
    // the caller throws the page away.
    let mut tested = 0usize;
    let mut stopped = false;
    let meeting = near.settle(|position| {
        tested += 1;
        if tested % 64 == 0 && crate::deadline::expired() {
            stopped = true;
        }
        !stopped
            && c.items
                .get(position)
                .is_some_and(|item| c.meets_box(dataset, item, asked))
    });
    let mut items = Vec::with_capacity(limit.min(meeting.len()));
    meeting.page(offset, limit, |position| {
        if let Some(item) = c.items.get(position) {
            items.push(item);
        }
    });
    super::Page {
        matched: meeting.len(),
        items,
    }
}

/// The positions in both sorted lists.
pub(super) fn intersect(a: Vec<usize>, b: &[usize]) -> Vec<usize> {
    a.into_iter()
        .filter(|i| b.binary_search(i).is_ok())
        .collect()
}

/// Whether an outline meets a box (closed sets: touching counts), exactly as
/// `geo::Intersects` answers it, in one pass over the edges without allocating: geo's
/// general polygon-against-polygon test made the exact test most of a `bbox` page whose
/// box cuts through many outlines.
///
/// They meet when an edge meets the box, or else when the box lies wholly inside the
/// outline, which then holds any one point of the box (its corner is asked).
pub(super) fn outline_meets_rect(outline: &geo::MultiPolygon<f64>, r: &Rect<f64>) -> bool {
    let corner = r.min();
    outline.0.iter().any(|polygon| {
        let mut inside = false;
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            for edge in ring.0.windows(2) {
                let (a, b) = (edge[0], edge[1]);
                if segment_meets_rect(a, b, r) {
                    return true;
                }
                // Crossing number of the corner: a ray towards +x, half-open in y so a
                // vertex on the ray counts once.
                if (a.y > corner.y) != (b.y > corner.y) {
                    let x = a.x + (corner.y - a.y) * (b.x - a.x) / (b.y - a.y);
                    if corner.x < x {
                        inside = !inside;
                    }
                }
            }
        }
        inside
    })
}

/// Whether the segment `a`–`b` meets the closed box `r`: their boxes overlap and the
/// segment's line does not leave all four corners strictly on one side (the separating
/// axes of a segment and a box are the two box axes and the segment's normal).
fn segment_meets_rect(a: geo::Coord<f64>, b: geo::Coord<f64>, r: &Rect<f64>) -> bool {
    let (min, max) = (r.min(), r.max());
    if a.x.max(b.x) < min.x || a.x.min(b.x) > max.x || a.y.max(b.y) < min.y || a.y.min(b.y) > max.y
    {
        return false;
    }
    let side = |x: f64, y: f64| (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x);
    let corners = [
        side(min.x, min.y),
        side(max.x, min.y),
        side(max.x, max.y),
        side(min.x, max.y),
    ];
    !(corners.iter().all(|&s| s > 0.0) || corners.iter().all(|&s| s < 0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, Intersects, LineString, MultiPolygon, Polygon};

    #[test]
    fn bit_sets_and_list_give_the_same_features_and_pages_in_id_order() {
        // A SYNTHETIC scatter of distinct positions in the order a tree walk could give
        // them, each certain or not, kept both ways; the uncertain ones at a position
        // divisible by 3 pass the exact test. Held against a plain sort and filter.
        let mut state = 0x9e37_79b9_u64;
        let mut next = |below: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % below
        };
        let passes = |p: usize| p % 3 == 0;
        for (len, n) in [
            (100_000, 50),
            (10_531, 300),
            (130, 120),
            (64, 64),
            (1, 1),
            (5, 0),
        ] {
            let mut found: Vec<(usize, bool)> = (0..n).map(|_| (next(len), next(3) != 1)).collect();
            found.sort_unstable();
            found.dedup_by_key(|&mut (p, _)| p);
            let mut walked = found.clone();
            walked.reverse();
            let third = walked.len() / 3;
            walked.rotate_left(third);
            let near: Vec<usize> = found.iter().map(|&(p, _)| p).collect();
            let meeting: Vec<usize> = found
                .iter()
                .filter(|&&(p, certain)| certain || passes(p))
                .map(|&(p, _)| p)
                .collect();
            for marked in [true, false] {
                let kept = || {
                    let mut kept = NearBox::new(len, marked);
                    for &(p, certain) in &walked {
                        kept.keep(p, certain, 2);
                    }
                    kept.sorted()
                };
                let what = format!("{len} features, {n} near, marked {marked}");
                assert_eq!(kept().bytes(), 2 * near.len(), "{what}");
                assert_eq!(kept().positions(), near, "{what}");
                let mut asked = Vec::new();
                let settled = kept().settle(|p| {
                    asked.push(p);
                    passes(p)
                });
                let uncertain: Vec<usize> = found
                    .iter()
                    .filter(|&&(_, certain)| !certain)
                    .map(|&(p, _)| p)
                    .collect();
                asked.sort_unstable();
                assert_eq!(asked, uncertain, "only the uncertain are tested: {what}");
                assert_eq!(settled.len(), meeting.len(), "{what}");
                for (offset, limit) in [(0, usize::MAX), (0, 7), (5, 64), (63, 2), (100, 100)] {
                    let expected: Vec<usize> =
                        meeting.iter().skip(offset).take(limit).copied().collect();
                    let mut page = Vec::new();
                    settled.page(offset, limit, |p| page.push(p));
                    assert_eq!(page, expected, "offset {offset}, limit {limit}: {what}");
                }
            }
        }
    }

    /// A SYNTHETIC outline: a concave "U" with a square hole in its left arm, and a
    /// separate triangle, so boxes can fall in the hole, in the notch, across edges, on
    /// vertices and round everything.
    fn outline() -> MultiPolygon<f64> {
        let u = Polygon::new(
            LineString::from(vec![
                (0.0, 0.0),
                (30.0, 0.0),
                (30.0, 30.0),
                (20.0, 30.0),
                (20.0, 10.0),
                (10.0, 10.0),
                (10.0, 30.0),
                (0.0, 30.0),
                (0.0, 0.0),
            ]),
            vec![LineString::from(vec![
                (2.0, 14.0),
                (8.0, 14.0),
                (8.0, 20.0),
                (2.0, 20.0),
                (2.0, 14.0),
            ])],
        );
        let triangle = Polygon::new(
            LineString::from(vec![(40.0, 0.0), (50.0, 0.0), (45.0, 8.0), (40.0, 0.0)]),
            vec![],
        );
        MultiPolygon(vec![u, triangle])
    }

    #[test]
    fn boxes_meet_an_outline_as_geo_says() {
        let shape = outline();
        // Boxes with corners on a half-unit lattice, so many touch edges and vertices
        // exactly, plus degenerate boxes (lines and points).
        let steps: Vec<f64> = (-4..=108).map(|i| f64::from(i) * 0.5).collect();
        let mut checked = 0;
        let mut meeting = 0;
        for (i, &x0) in steps.iter().enumerate().step_by(3) {
            for &y0 in steps.iter().step_by(5).take(14) {
                for w in [0.0, 0.5, 1.0, 3.0, 7.5, 25.0] {
                    for h in [0.0, 0.5, 2.0, 6.0, 40.0] {
                        let r = Rect::new(coord! { x: x0, y: y0 }, coord! { x: x0 + w, y: y0 + h });
                        let expected = shape.intersects(&r);
                        assert_eq!(
                            outline_meets_rect(&shape, &r),
                            expected,
                            "box {r:?} (step {i})"
                        );
                        checked += 1;
                        meeting += usize::from(expected);
                    }
                }
            }
        }
        // Both answers are well represented, so agreement says something.
        assert!(checked > 10_000 && meeting > checked / 5 && meeting < checked * 4 / 5);
    }

    #[test]
    fn a_box_in_the_hole_or_the_notch_misses_and_one_round_everything_meets() {
        let shape = outline();
        let r = |x0: f64, y0: f64, x1: f64, y1: f64| {
            Rect::new(coord! { x: x0, y: y0 }, coord! { x: x1, y: y1 })
        };
        assert!(
            !outline_meets_rect(&shape, &r(3.0, 15.0, 7.0, 19.0)),
            "in the hole"
        );
        assert!(
            !outline_meets_rect(&shape, &r(12.0, 12.0, 18.0, 29.0)),
            "in the notch"
        );
        assert!(
            outline_meets_rect(&shape, &r(1.0, 1.0, 2.0, 2.0)),
            "inside, no edge"
        );
        assert!(
            outline_meets_rect(&shape, &r(-5.0, -5.0, 60.0, 60.0)),
            "round it all"
        );
        assert!(
            outline_meets_rect(&shape, &r(30.0, 5.0, 35.0, 6.0)),
            "touching an edge"
        );
        assert!(
            !outline_meets_rect(&shape, &r(30.5, 5.0, 35.0, 6.0)),
            "beside it"
        );
    }
}
