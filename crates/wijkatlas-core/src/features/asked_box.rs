//! A box a query asks about (`bbox`, CQL2's `BBOX`), held where features are tested:
//! in RD metres.
//!
//! A box given in RD is that box. A box given in longitude and latitude is bounded by
//! two meridians and two parallels, and those are curved lines in RD, whose grid is
//! turned against the meridians (by up to 1.5° at the country's edges). The RD box
//! around such a box's corners reaches past it: over Groningen by a hundred metres and
//! more, and a feature that lies only there does not meet what was asked. So such a box
//! is held as its outline in RD, drawn densely enough to lie within centimetres of the
//! curves, with a box around it for the R-tree walk and a box inside it for the
//! features certain to meet it (see [`BoxQuery`]).

use crate::crs::LonLat;
use crate::index::{BoxFit, BoxQuery};
use geo::{Coord, Intersects, MultiPolygon, Point, Rect};
use std::sync::Arc;

/// Longitudes and latitudes a box is cut to before it is drawn in RD: RD's area of use
/// (the Netherlands and its coastal waters) with a degree around it. The RD formulas
/// are series around Amersfoort that go wrong far from it; no feature in RD lies out
/// here.
const LON: (f64, f64) = (2.0, 8.3);
const LAT: (f64, f64) = (49.65, 54.8);

/// The longest edge of the outline drawn for a box's curved edges, metres: such a chord
/// lies within 4 cm of the curve it stands for (see [`chord_gap`]).
const STEP_M: f64 = 1_000.0;

/// At most this many chords per edge: a box as wide as the area it is cut to still gets
/// chords of 1.2 km at most, within 6 cm of the curve.
const MAX_STEPS: usize = 512;

/// A box a query asks about, in RD metres.
#[derive(Debug, Clone, PartialEq)]
pub struct AskedBox {
    query: BoxQuery,
    /// For a box given in longitude and latitude, its outline in RD: what decides for
    /// the features that lie between `query.inner` and `query.outer`. Shared: a planned
    /// page keeps the box beside its query.
    curved: Option<Arc<Drawn>>,
}

/// A box in longitude and latitude drawn in RD: a closed ring, counter-clockwise from
/// the lower left corner, and the bottom, right, top and left sides in it (each from
/// its first corner to its last, and the box around it).
#[derive(Debug, PartialEq)]
struct Drawn {
    ring: Vec<Coord<f64>>,
    sides: [(std::ops::Range<usize>, [f64; 4]); 4],
}

impl AskedBox {
    /// A box given in RD.
    pub fn rd(r: Rect<f64>) -> Self {
        AskedBox {
            query: BoxQuery::exact([r.min().x, r.min().y, r.max().x, r.max().y]),
            curved: None,
        }
    }

    /// A box given in longitude and latitude (WGS84, lower corner first; checked by the
    /// caller).
    pub fn lonlat(lon0: f64, lat0: f64, lon1: f64, lat1: f64) -> Self {
        let (lon0, lon1) = (lon0.max(LON.0), lon1.min(LON.1));
        let (lat0, lat1) = (lat0.max(LAT.0), lat1.min(LAT.1));
        if lon0 > lon1 || lat0 > lat1 {
            return AskedBox::nothing();
        }
        let corners = [(lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1)];
        // Each side in chords of its own length (a meridian is shorter than a parallel
        // across the same box), and the first point again to close the ring.
        let mut ring: Vec<Coord<f64>> = Vec::new();
        let mut starts = [0; 5];
        for (k, &from) in corners.iter().enumerate() {
            starts[k] = ring.len();
            let to = corners[(k + 1) % 4];
            ring.extend(chords(from, to, steps_between(from, to)));
        }
        ring.extend(ring.first().copied());
        starts[4] = ring.len().saturating_sub(1);
        let longest_squared = ring
            .windows(2)
            .map(|w| (w[1].x - w[0].x).powi(2) + (w[1].y - w[0].y).powi(2))
            .fold(0.0, f64::max);
        let gap = chord_gap(longest_squared);
        let sides: [(std::ops::Range<usize>, [f64; 4]); 4] = std::array::from_fn(|k| {
            let side = ring.get(starts[k]..=starts[k + 1]).unwrap_or(&[]);
            (
                starts[k]..starts[k + 1] + 1,
                [low(side, x), low(side, y), high(side, x), high(side, y)],
            )
        });
        let around = |k: usize, pick: fn(f64, f64) -> f64| {
            sides
                .iter()
                .map(|(_, side)| side[k])
                .reduce(pick)
                .unwrap_or(f64::NAN)
        };
        let outer = [
            around(0, f64::min) - gap,
            around(1, f64::min) - gap,
            around(2, f64::max) + gap,
            around(3, f64::max) + gap,
        ];
        let [(_, b), (_, r), (_, t), (_, l)] = &sides;
        // Right of the left side's rightmost point, above the bottom side's highest, and
        // so on: a box every point of which lies between the four curves.
        let inner = [l[2] + gap, b[3] + gap, r[0] - gap, t[1] - gap];
        AskedBox {
            query: BoxQuery { outer, inner },
            curved: Some(Arc::new(Drawn { ring, sides })),
        }
    }

    /// A box that meets nothing: one wholly outside the area RD is drawn over. It is
    /// held as a point at the end of the plane (a box with min above max would be
    /// turned around by `Rect::new` into the whole plane).
    fn nothing() -> Self {
        let none = [f64::MAX; 4];
        AskedBox {
            query: BoxQuery {
                outer: none,
                inner: none,
            },
            curved: None,
        }
    }

    /// How many points the box was drawn with in RD (none for a box given in RD).
    pub(super) fn drawn_points(&self) -> usize {
        self.curved.as_ref().map_or(0, |c| c.ring.len())
    }

    /// What the R-tree walk asks: a feature whose box misses `outer` misses this box.
    pub fn query(&self) -> BoxQuery {
        self.query
    }

    /// The RD box around every point of this box.
    pub fn outer(&self) -> Rect<f64> {
        let [x0, y0, x1, y1] = self.query.outer;
        Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 })
    }

    /// How a feature's RD box lies against this box, or None when it misses it.
    pub fn fit(&self, entry: [f64; 4]) -> Option<BoxFit> {
        crate::index::boxes_meet(entry, self.query.outer).then(|| self.query.fit(entry))
    }

    /// Whether an RD outline meets this box (closed: touching counts).
    pub fn meets_outline(&self, outline: &MultiPolygon<f64>) -> bool {
        match &self.curved {
            None => super::spatial::outline_meets_rect(outline, &self.outer()),
            Some(curved) => {
                let [x0, y0, x1, y1] = self.query.inner;
                let inner = (x0 <= x1 && y0 <= y1)
                    .then(|| Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 }));
                // The cheap tests settle most outlines: one that meets the inner box
                // meets the box, one that misses the outer box misses it.
                if inner.is_some_and(|r| super::spatial::outline_meets_rect(outline, &r)) {
                    true
                } else if !super::spatial::outline_meets_rect(outline, &self.outer()) {
                    false
                } else {
                    outline_meets_ring(outline, curved)
                }
            }
        }
    }

    /// Whether an RD point lies in this box (its edges included).
    pub fn holds_point(&self, p: Coord<f64>) -> bool {
        let [x0, y0, x1, y1] = self.query.outer;
        let in_outer = (x0..=x1).contains(&p.x) && (y0..=y1).contains(&p.y);
        match &self.curved {
            None => in_outer,
            Some(curved) => in_outer && ring_holds(&curved.ring, p),
        }
    }
}

/// The most points a filter's shapes in longitude and latitude may add when drawn in RD
/// (a box of the whole country adds about 1,500, a line its long edges' chords): the
/// text of a filter is short, but each long edge in it becomes up to [`MAX_STEPS`]
/// points, and every feature tested against them; 3,000 edges across the country took
/// a request to its time limit.
pub(super) const MAX_ADDED_POINTS: usize = 20_000;

/// How many points [`lonlat_line_in_rd`] draws a line with, known before it is drawn.
pub(super) fn lonlat_line_points(points: &[(f64, f64)]) -> usize {
    points
        .windows(2)
        .map(|w| steps_between(w[0], w[1]))
        .sum::<usize>()
        + usize::from(!points.is_empty())
}

/// A line given in longitude and latitude, its edges straight there, drawn in RD: each
/// edge cut into chords of at most [`STEP_M`] first, so the line follows the curve each
/// edge is in RD to within centimetres (a CQL2 `POLYGON`'s rings).
pub(super) fn lonlat_line_in_rd(points: &[(f64, f64)]) -> Vec<Coord<f64>> {
    let mut line: Vec<Coord<f64>> = points
        .windows(2)
        .flat_map(|w| chords(w[0], w[1], steps_between(w[0], w[1])))
        .collect();
    line.extend(points.last().map(|&(lon, lat)| in_rd(lon, lat)));
    line
}

/// How many chords of at most [`STEP_M`] a straight line between two positions in
/// longitude and latitude takes ([`MAX_STEPS`] at most).
fn steps_between(from: (f64, f64), to: (f64, f64)) -> usize {
    // Metres per degree of latitude, at most; a degree of longitude is that times the
    // cosine of the latitude, taken where it is largest (nearest the equator).
    const DEGREE_M: f64 = 111_400.0;
    let widest = from.1.abs().min(to.1.abs()).to_radians().cos();
    let length_m = ((to.0 - from.0) * widest).hypot(to.1 - from.1) * DEGREE_M;
    ((length_m / STEP_M).ceil() as usize).clamp(1, MAX_STEPS)
}

/// The points that cut the line from `from` to `to` (longitude, latitude) into `steps`
/// equal parts, drawn in RD, `from` first and `to` left out.
fn chords(from: (f64, f64), to: (f64, f64), steps: usize) -> impl Iterator<Item = Coord<f64>> {
    (0..steps).map(move |i| {
        let t = i as f64 / steps as f64;
        in_rd(from.0 + (to.0 - from.0) * t, from.1 + (to.1 - from.1) * t)
    })
}

/// A position in longitude and latitude, in RD.
pub(super) fn in_rd(lon: f64, lat: f64) -> Coord<f64> {
    let p = LonLat::new(lon, lat).to_rd();
    Coord { x: p.x, y: p.y }
}

/// Whether an outline meets the area a closed ring bounds (edges included): an edge of
/// one meets an edge of the other, or else one lies inside the other and holds any one
/// point of it. geo's general polygon test gives the same answers at ten times the
/// cost, which was most of a `bbox` page whose box crosses a few outlines.
fn outline_meets_ring(outline: &MultiPolygon<f64>, drawn: &Drawn) -> bool {
    let ring = &drawn.ring[..];
    let lines = outline
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
    let edges_meet = lines.into_iter().any(|line| {
        line.0.windows(2).any(|e| {
            let edge_box = [
                e[0].x.min(e[1].x),
                e[0].y.min(e[1].y),
                e[0].x.max(e[1].x),
                e[0].y.max(e[1].y),
            ];
            // Only the sides the edge comes near: an outline that crosses the box's
            // edge somewhere crosses one side, not all four.
            drawn.sides.iter().any(|(range, side_box)| {
                crate::index::boxes_meet(edge_box, *side_box)
                    && ring.get(range.clone()).is_some_and(|side| {
                        side.windows(2)
                            .any(|r| segments_meet(e[0], e[1], r[0], r[1]))
                    })
            })
        })
    });
    edges_meet
        || outline
            .0
            .iter()
            .any(|p| p.exterior().0.first().is_some_and(|&c| in_ring(c, ring)))
        || ring
            .first()
            .is_some_and(|&c| outline.intersects(&Point::from(c)))
}

/// Whether the closed segments `a`–`b` and `c`–`d` meet: their boxes overlap and
/// neither lies strictly on one side of the other's line (segments on one line then
/// overlap).
fn segments_meet(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>, d: Coord<f64>) -> bool {
    if a.x.max(b.x) < c.x.min(d.x)
        || c.x.max(d.x) < a.x.min(b.x)
        || a.y.max(b.y) < c.y.min(d.y)
        || c.y.max(d.y) < a.y.min(b.y)
    {
        return false;
    }
    let side = |p: Coord<f64>, q: Coord<f64>, r: Coord<f64>| {
        (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x)
    };
    let apart = |s: f64, t: f64| (s > 0.0 && t > 0.0) || (s < 0.0 && t < 0.0);
    !apart(side(a, b, c), side(a, b, d)) && !apart(side(c, d, a), side(c, d, b))
}

/// Whether a point lies inside a closed ring, by its crossing number (a ray towards
/// +x, half-open in y so a vertex on the ray counts once); a point on the ring itself
/// is for the edge test to find.
fn in_ring(p: Coord<f64>, ring: &[Coord<f64>]) -> bool {
    let mut inside = false;
    for e in ring.windows(2) {
        let (a, b) = (e[0], e[1]);
        if (a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y) {
            inside = !inside;
        }
    }
    inside
}

fn x(c: &Coord<f64>) -> f64 {
    c.x
}

fn y(c: &Coord<f64>) -> f64 {
    c.y
}

/// The least of one ordinate over some points.
fn low(points: &[Coord<f64>], ordinate: fn(&Coord<f64>) -> f64) -> f64 {
    points.iter().map(ordinate).fold(f64::MAX, f64::min)
}

/// The greatest of one ordinate over some points.
fn high(points: &[Coord<f64>], ordinate: fn(&Coord<f64>) -> f64) -> f64 {
    points.iter().map(ordinate).fold(f64::MIN, f64::max)
}

/// How far a chord whose length squared is `length_squared` (m²) lies from the curve it
/// stands for, at most, with a centimetre for rounding: the image in RD of a meridian or
/// parallel of the area RD is drawn over bends with a radius of at least 3,000 km (a
/// parallel's is about the earth's radius times the cotangent of its latitude, 3,700 km
/// at 60°N).
fn chord_gap(length_squared: f64) -> f64 {
    length_squared / (8.0 * 3.0e6) + 0.01
}

/// Whether a point lies in the area a closed ring bounds, its edges included.
fn ring_holds(ring: &[Coord<f64>], p: Coord<f64>) -> bool {
    in_ring(p, ring) || ring.windows(2).any(|e| segments_meet(e[0], e[1], p, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::RdPoint;
    use geo::{LineString, Polygon};

    /// Boxes over the Netherlands, from a buurt to the whole country.
    const BOXES: [[f64; 4]; 6] = [
        [5.05, 52.05, 5.20, 52.13],
        [6.5, 53.1, 6.7, 53.3],
        [3.35, 51.2, 3.6, 51.45],
        [6.9, 52.2, 7.1, 52.35],
        [5.386, 52.155, 5.388, 52.156],
        [3.2, 50.7, 7.3, 53.6],
    ];

    /// Points along every edge, 2,000 to an edge (not only the outline's own), drawn in
    /// RD: each lies in the outer box and none in the inner box, and points a little
    /// inside the box lie in it and a little outside do not.
    #[test]
    fn the_outline_follows_the_curved_edges() {
        for [lon0, lat0, lon1, lat1] in BOXES {
            let asked = AskedBox::lonlat(lon0, lat0, lon1, lat1);
            let [ox0, oy0, ox1, oy1] = asked.query.outer;
            let [ix0, iy0, ix1, iy1] = asked.query.inner;
            assert!(ix0 < ix1 && iy0 < iy1, "{lon0} {lat0}: an inner box");
            for (lon, lat) in on_edges([lon0, lat0, lon1, lat1], 2_000, 0.0) {
                let p = LonLat::new(lon, lat).to_rd();
                assert!(
                    (ox0..=ox1).contains(&p.x) && (oy0..=oy1).contains(&p.y),
                    "({lon}, {lat}) of {lon0},{lat0},{lon1},{lat1} outside the outer box"
                );
                let inside_inner = ix0 < p.x && p.x < ix1 && iy0 < p.y && p.y < iy1;
                assert!(!inside_inner, "({lon}, {lat}) inside the inner box");
            }
            // A decimetre in and out, at points between the outline's own.
            let centre = LonLat::new((lon0 + lon1) / 2.0, (lat0 + lat1) / 2.0).to_rd();
            for (lon, lat) in on_edges([lon0, lat0, lon1, lat1], 200, 0.37) {
                let p = LonLat::new(lon, lat).to_rd();
                let (dx, dy) = (centre.x - p.x, centre.y - p.y);
                let d = dx.hypot(dy);
                let towards = |m: f64| Coord {
                    x: p.x + dx / d * m,
                    y: p.y + dy / d * m,
                };
                assert!(asked.holds_point(towards(0.1)), "({lon}, {lat}) 10 cm in");
                assert!(
                    !asked.holds_point(towards(-0.1)),
                    "({lon}, {lat}) 10 cm out"
                );
            }
        }
    }

    /// `n` points along each edge of a box in longitude and latitude, `shift` of a step
    /// past each step's start (with the far corners when there is no shift).
    fn on_edges([lon0, lat0, lon1, lat1]: [f64; 4], n: u32, shift: f64) -> Vec<(f64, f64)> {
        let last = if shift == 0.0 { n } else { n - 1 };
        (0..=last)
            .flat_map(|i| {
                let t = (f64::from(i) + shift) / f64::from(n);
                let (lon, lat) = (lon0 + (lon1 - lon0) * t, lat0 + (lat1 - lat0) * t);
                [(lon, lat0), (lon, lat1), (lon0, lat), (lon1, lat)]
            })
            .collect()
    }

    /// The edge and point tests answer as geo's general polygon test: SYNTHETIC outlines
    /// (triangles, some with a hole, some in two parts) scattered around and across a
    /// drawn box over Utrecht, some with a vertex on its outline.
    #[test]
    fn the_ring_test_answers_as_geo_does() {
        let asked = AskedBox::lonlat(5.05, 52.05, 5.20, 52.13);
        let drawn = asked.curved.as_ref().expect("a drawn outline");
        let ring = &drawn.ring;
        let polygon = Polygon::new(LineString(ring.to_vec()), vec![]);
        let [x0, y0, x1, y1] = asked.query.outer;
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |below: f64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64 * below
        };
        let (mut met, mut missed) = (0, 0);
        for n in 0..3_000 {
            let (cx, cy) = (
                x0 - 2_000.0 + next(x1 - x0 + 4_000.0),
                y0 - 2_000.0 + next(y1 - y0 + 4_000.0),
            );
            let size = 5.0 + next(if n % 3 == 0 { 30_000.0 } else { 400.0 });
            let mut corner = |i: usize| {
                // Every tenth outline starts on a point of the drawn box.
                if n % 10 == 0 && i == 0 {
                    let k = (next(ring.len() as f64 - 1.0)) as usize;
                    ring[k]
                } else {
                    Coord {
                        x: cx + next(size) - size / 2.0,
                        y: cy + next(size) - size / 2.0,
                    }
                }
            };
            let (a, b, c) = (corner(0), corner(1), corner(2));
            let hole = {
                let m = Coord {
                    x: (a.x + b.x + c.x) / 3.0,
                    y: (a.y + b.y + c.y) / 3.0,
                };
                let shrink = |p: Coord<f64>| Coord {
                    x: m.x + (p.x - m.x) * 0.5,
                    y: m.y + (p.y - m.y) * 0.5,
                };
                LineString(vec![shrink(a), shrink(c), shrink(b), shrink(a)])
            };
            let holes = if n % 4 == 1 { vec![hole] } else { vec![] };
            let mut parts = vec![Polygon::new(LineString(vec![a, b, c, a]), holes)];
            if n % 5 == 2 {
                let far = Coord {
                    x: a.x + 50_000.0,
                    y: a.y,
                };
                parts.push(Polygon::new(
                    LineString(vec![
                        far,
                        Coord {
                            x: far.x + 10.0,
                            ..far
                        },
                        Coord {
                            y: far.y + 10.0,
                            ..far
                        },
                        far,
                    ]),
                    vec![],
                ));
            }
            let outline = MultiPolygon(parts);
            let want = outline.intersects(&polygon);
            assert_eq!(
                outline_meets_ring(&outline, drawn),
                want,
                "outline {n}: {outline:?}"
            );
            if want {
                met += 1;
            } else {
                missed += 1;
            }
        }
        assert!(met > 500 && missed > 500, "{met} met, {missed} missed");
    }

    /// The RD box around the corners, which the box used to be held as, reaches past a
    /// box over Groningen: its corner lies outside what was asked, by more than 100 m.
    #[test]
    fn the_corner_box_reaches_past_a_box_over_groningen() {
        let [lon0, lat0, lon1, lat1] = [6.5, 53.1, 6.7, 53.3];
        let asked = AskedBox::lonlat(lon0, lat0, lon1, lat1);
        let corners = [(lon0, lat0), (lon1, lat0), (lon0, lat1), (lon1, lat1)]
            .map(|(lon, lat)| LonLat::new(lon, lat).to_rd());
        let low = Coord {
            x: corners.iter().map(|c| c.x).fold(f64::MAX, f64::min),
            y: corners.iter().map(|c| c.y).fold(f64::MAX, f64::min),
        };
        assert!(!asked.holds_point(low));
        let back = RdPoint::new(low.x, low.y).to_wgs84();
        let outside_m = ((lon0 - back.lon) * 111_000.0 * lat0.to_radians().cos())
            .max((lat0 - back.lat) * 111_000.0);
        assert!(outside_m > 100.0, "{back:?} is {outside_m} m outside");
    }

    /// A box given in RD is that box, and one wholly outside RD's area meets nothing.
    #[test]
    fn an_rd_box_is_itself_and_a_far_box_is_nothing() {
        let r = Rect::new(
            Coord {
                x: 150_000.0,
                y: 460_000.0,
            },
            Coord {
                x: 160_000.0,
                y: 470_000.0,
            },
        );
        let asked = AskedBox::rd(r);
        assert_eq!(asked.outer(), r);
        assert!(asked.holds_point(Coord {
            x: 160_000.0,
            y: 460_000.0
        }));
        assert_eq!(asked.fit([0.0, 0.0, 1.0, 1.0]), None);
        assert_eq!(
            asked.fit([151_000.0, 461_000.0, 152_000.0, 462_000.0]),
            Some(BoxFit::Inside)
        );
        let spain = AskedBox::lonlat(-5.0, 40.0, -4.0, 41.0);
        assert_eq!(spain.fit([-1e9, -1e9, 1e9, 1e9]), None);
        assert!(spain.outer().width() == 0.0 && spain.outer().min().x > 1e300);
        assert!(!spain.holds_point(Coord {
            x: 155_000.0,
            y: 463_000.0
        }));
    }
}
