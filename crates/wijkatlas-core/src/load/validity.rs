//! A fast, conservative validity test for polygons read from a source.
//!
//! geo's exact check compares every pair of edges of a ring, which takes seconds on the
//! detailed outlines of a national buurt layer. Nearly all areas are valid, so this
//! sweep-line test (O(n log n)) answers "surely valid" for them and sends only the few
//! it cannot vouch for to the exact check and repair.

use geo::algorithm::sweep::{Cross, Intersections};
use geo::{BoundingRect, Contains, Coord, Line, LineIntersection, MultiPolygon, Polygon, Rect};

#[derive(Debug, Clone)]
struct Edge {
    line: Line<f64>,
    ring: usize,
    index: usize,
    ring_edges: usize,
}

impl Cross for Edge {
    type Scalar = f64;
    fn line(&self) -> Line<f64> {
        self.line
    }
}

/// Whether `a` and `b` follow each other around the same ring and meet only at their
/// shared corner, which every ring does and is no defect.
fn consecutive_touch(a: &Edge, b: &Edge, meeting: &LineIntersection<f64>) -> bool {
    if a.ring != b.ring {
        return false;
    }
    let n = a.ring_edges;
    let (first, second) = if (a.index + 1) % n == b.index {
        (a, b)
    } else if (b.index + 1) % n == a.index {
        (b, a)
    } else {
        return false;
    };
    match meeting {
        LineIntersection::SinglePoint {
            intersection,
            is_proper: false,
        } => *intersection == first.line.end && *intersection == second.line.start,
        _ => false,
    }
}

fn rects_overlap(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

/// True when the geometry is certainly valid; false means "check it exactly".
pub fn surely_valid(mp: &MultiPolygon<f64>) -> bool {
    let mut edges = Vec::new();
    let mut ring_id = 0;
    for poly in &mp.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            let lines: Vec<Line<f64>> = ring.lines().collect();
            let n = lines.len();
            if n < 3 {
                return false;
            }
            edges.extend(lines.into_iter().enumerate().map(|(index, line)| Edge {
                line,
                ring: ring_id,
                index,
                ring_edges: n,
            }));
            ring_id += 1;
        }
    }
    // Any meeting of edges other than a ring's own corners: crossings, overlaps, touches.
    if Intersections::from_iter(edges).any(|(a, b, meeting)| !consecutive_touch(&a, &b, &meeting)) {
        return false;
    }
    // With no edges meeting, a hole is either wholly inside its shell or wholly outside,
    // and so are two parts: one corner decides.
    mp.0.iter().all(holes_inside_and_apart) && parts_apart(&mp.0)
}

fn first_corner(ring: &geo::LineString<f64>) -> Option<Coord<f64>> {
    ring.0.first().copied()
}

fn holes_inside_and_apart(poly: &Polygon<f64>) -> bool {
    let shell = Polygon::new(poly.exterior().clone(), vec![]);
    let inside = poly
        .interiors()
        .iter()
        .all(|hole| first_corner(hole).is_some_and(|c| shell.contains(&c)));
    // Nested holes are invalid; holes whose boxes overlap go to the exact check.
    let boxes: Vec<Option<Rect<f64>>> =
        poly.interiors().iter().map(|h| h.bounding_rect()).collect();
    let apart = boxes.iter().enumerate().all(|(i, a)| {
        boxes[i + 1..]
            .iter()
            .all(|b| matches!((a, b), (Some(a), Some(b)) if !rects_overlap(a, b)))
    });
    inside && apart
}

fn parts_apart(parts: &[Polygon<f64>]) -> bool {
    let boxes: Vec<Option<Rect<f64>>> = parts.iter().map(|p| p.bounding_rect()).collect();
    for (i, a) in parts.iter().enumerate() {
        for (j, b) in parts.iter().enumerate().skip(i + 1) {
            let (Some(ra), Some(rb)) = (boxes[i], boxes[j]) else {
                return false;
            };
            if !rects_overlap(&ra, &rb) {
                continue;
            }
            let a_in_b = first_corner(a.exterior()).is_some_and(|c| b.contains(&c));
            let b_in_a = first_corner(b.exterior()).is_some_and(|c| a.contains(&c));
            if a_in_b || b_in_a {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{wkt, Validation};

    fn agrees(mp: MultiPolygon<f64>) {
        // "Surely valid" must never be said of an invalid geometry.
        if surely_valid(&mp) {
            assert!(mp.is_valid(), "claimed valid: {mp:?}");
        }
    }

    #[test]
    fn valid_shapes_pass_quickly() {
        let square = wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(2. 2.,3. 2.,3. 3.,2. 3.,2. 2.))));
        assert!(surely_valid(&square));
        let two = wkt!(MULTIPOLYGON(((0. 0.,1. 0.,1. 1.,0. 0.)),((5. 5.,6. 5.,6. 6.,5. 5.))));
        assert!(surely_valid(&two));
    }

    #[test]
    fn invalid_shapes_are_never_vouched_for() {
        let cases = [
            // bowtie
            wkt!(MULTIPOLYGON(((0. 0.,10. 10.,10. 0.,0. 10.,0. 0.)))),
            // hole outside the shell
            wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(20. 20.,21. 20.,21. 21.,20. 20.)))),
            // nested holes
            wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(1. 1.,9. 1.,9. 9.,1. 9.,1. 1.),(2. 2.,3. 2.,3. 3.,2. 2.)))),
            // one part inside another
            wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.)),((2. 2.,3. 2.,3. 3.,2. 2.)))),
            // overlapping parts
            wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.)),((5. 5.,15. 5.,15. 15.,5. 15.,5. 5.)))),
            // spike: an edge doubling back
            wkt!(MULTIPOLYGON(((0. 0.,10. 0.,15. 0.,10. 0.,10. 10.,0. 10.,0. 0.)))),
            // ring touching itself at a corner
            wkt!(MULTIPOLYGON(((0. 0.,10. 0.,5. 5.,10. 10.,0. 10.,5. 5.,0. 0.)))),
        ];
        for mp in cases {
            assert!(!surely_valid(&mp), "{mp:?}");
            agrees(mp);
        }
    }
}
