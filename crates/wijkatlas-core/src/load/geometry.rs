//! Reading polygon and point geometry from a source: checks, repairs, reprojection.

use crate::crs::{Crs, LonLat, RdPoint, RD_DOMAIN, WGS84_DOMAIN};
use crate::model::AreaGeometry;
use geo::{Coord, LineString, MakeValid, MapCoords, MultiPolygon, Polygon, Validation};
use geojson::{GeometryValue, Position};

/// Why a geometry could not be used at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryProblem {
    #[error("no geometry")]
    Missing,
    #[error("geometry is a {0}, expected a Polygon or MultiPolygon")]
    NotPolygonal(&'static str),
    #[error("geometry is a {0}, expected a Point")]
    NotPoint(&'static str),
    #[error("position {0} has fewer than two coordinates")]
    ShortPosition(usize),
    #[error("coordinate is not a finite number")]
    NonFinite,
    #[error("no polygon with at least 3 distinct corners remains")]
    Empty,
    #[error("coordinates ({x}, {y}) lie outside the Netherlands in {crs}{hint}")]
    OutsideNetherlands {
        x: f64,
        y: f64,
        crs: Crs,
        hint: &'static str,
    },
    #[error("the geometry cannot be decoded: {0}")]
    Unreadable(String),
    #[error("the polygon is invalid ({0}) and could not be repaired")]
    Unrepairable(String),
}

/// What was mended on a geometry that is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    ClosedRing,
    DroppedDegenerateRing,
    MadeValid(String),
}

impl std::fmt::Display for Repair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Repair::ClosedRing => f.write_str("a ring was not closed; closed it"),
            Repair::DroppedDegenerateRing => {
                f.write_str("dropped a ring with fewer than 3 distinct corners")
            }
            Repair::MadeValid(why) => write!(f, "invalid polygon ({why}); repaired"),
        }
    }
}

/// Converts a source coordinate pair into lon/lat or RD, in the file's axis order.
fn domain_check(crs: Crs, a: f64, b: f64) -> Result<(), GeometryProblem> {
    let inside = |x: f64, y: f64| match crs {
        Crs::RdNew => RD_DOMAIN.contains(x, y),
        Crs::Crs84 => WGS84_DOMAIN.contains(x, y),
        Crs::Epsg4326 => WGS84_DOMAIN.contains(y, x),
    };
    if inside(a, b) {
        return Ok(());
    }
    let hint = if inside(b, a) {
        "; with the axes swapped they would fall inside, so the file probably has lat/lon where lon/lat is expected (or the other way round)"
    } else if crs.is_geographic() && RD_DOMAIN.contains(a, b) {
        "; these look like RD New metres: set crs = \"EPSG:28992\" for this source"
    } else if crs == Crs::RdNew && WGS84_DOMAIN.contains(a, b) {
        "; these look like WGS84 degrees: set crs = \"CRS84\" for this source"
    } else {
        ""
    };
    Err(GeometryProblem::OutsideNetherlands {
        x: a,
        y: b,
        crs,
        hint,
    })
}

fn to_coord(pos: &[f64], index: usize, crs: Crs) -> Result<Coord<f64>, GeometryProblem> {
    let (a, b) = match pos {
        [a, b, ..] => (*a, *b),
        _ => return Err(GeometryProblem::ShortPosition(index)),
    };
    if !a.is_finite() || !b.is_finite() {
        return Err(GeometryProblem::NonFinite);
    }
    domain_check(crs, a, b)?;
    // Internally geographic coordinates are always x = lon, y = lat.
    Ok(match crs {
        Crs::Epsg4326 => Coord { x: b, y: a },
        _ => Coord { x: a, y: b },
    })
}

/// A coordinate tuple as read from any format: GeoJSON positions, WKB points.
pub trait RawPosition {
    fn values(&self) -> &[f64];
}

impl RawPosition for Position {
    fn values(&self) -> &[f64] {
        self.as_slice()
    }
}

impl RawPosition for [f64; 2] {
    fn values(&self) -> &[f64] {
        self
    }
}

fn ring<P: RawPosition>(
    positions: &[P],
    crs: Crs,
    repairs: &mut Vec<Repair>,
) -> Result<Option<LineString<f64>>, GeometryProblem> {
    let mut coords: Vec<Coord<f64>> = Vec::with_capacity(positions.len() + 1);
    for (i, p) in positions.iter().enumerate() {
        let c = to_coord(p.values(), i, crs)?;
        // Repeated corners add nothing and upset validity checks.
        if coords.last() != Some(&c) {
            coords.push(c);
        }
    }
    if coords.len() >= 2 && coords.first() != coords.last() {
        repairs.push(Repair::ClosedRing);
        coords.push(coords[0]);
    }
    if coords.len() < 4 {
        repairs.push(Repair::DroppedDegenerateRing);
        return Ok(None);
    }
    Ok(Some(LineString::new(coords)))
}

fn polygon<P: RawPosition>(
    rings: &[Vec<P>],
    crs: Crs,
    repairs: &mut Vec<Repair>,
) -> Result<Option<Polygon<f64>>, GeometryProblem> {
    let mut iter = rings.iter();
    let Some(outer) = iter.next() else {
        return Ok(None);
    };
    let Some(exterior) = ring(outer, crs, repairs)? else {
        return Ok(None);
    };
    let mut interiors = Vec::new();
    for r in iter {
        if let Some(r) = ring(r, crs, repairs)? {
            interiors.push(r);
        }
    }
    Ok(Some(Polygon::new(exterior, interiors)))
}

fn type_name(value: &GeometryValue) -> &'static str {
    value.type_name()
}

/// Reads an area outline, repairing what can be repaired and reporting it in `repairs`.
pub fn area_geometry(
    geometry: Option<&geojson::Geometry>,
    crs: Crs,
    repairs: &mut Vec<Repair>,
) -> Result<AreaGeometry, GeometryProblem> {
    let value = &geometry.ok_or(GeometryProblem::Missing)?.value;
    match value {
        GeometryValue::Polygon { coordinates: rings } => {
            area_geometry_from_polygons(std::slice::from_ref(rings), crs, repairs)
        }
        GeometryValue::MultiPolygon { coordinates: polys } => {
            area_geometry_from_polygons(polys, crs, repairs)
        }
        other => Err(GeometryProblem::NotPolygonal(type_name(other))),
    }
}

/// The same for polygons given as rings of raw positions (polygon → ring → position).
pub fn area_geometry_from_polygons<P: RawPosition>(
    polys: &[Vec<Vec<P>>],
    crs: Crs,
    repairs: &mut Vec<Repair>,
) -> Result<AreaGeometry, GeometryProblem> {
    let mut polygons = Vec::with_capacity(polys.len());
    for rings in polys {
        polygons.extend(polygon(rings, crs, repairs)?);
    }
    if polygons.is_empty() {
        return Err(GeometryProblem::Empty);
    }
    let mut source = MultiPolygon::new(polygons);
    if super::validity::surely_valid(&source) {
        return Ok(reproject(source, crs));
    }
    if let Err(why) = source.check_validation() {
        let why = why.to_string();
        source = source
            .make_valid()
            .map_err(|e| GeometryProblem::Unrepairable(format!("{why}; {e:?}")))?;
        if source.0.is_empty() {
            return Err(GeometryProblem::Empty);
        }
        source = canonical_order(source);
        repairs.push(Repair::MadeValid(why));
    }
    Ok(reproject(source, crs))
}

/// `make_valid` walks hash sets seeded per process, so the same input comes back with
/// its polygons, holes and ring starts in a different order in every process. Replicas
/// must serve identical bytes (and a content-derived snapshot id), so the repaired
/// outline is put in one order: each ring starts where its sequence of vertices is
/// least, holes and polygons are sorted by their rings' vertices, whole rings compared
/// (pieces of a repaired outline often share their least vertex, where they touch).
/// Orientation is left as it is; only the order changes.
fn canonical_order(mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
    use std::cmp::Ordering;
    fn vertex(a: &Coord<f64>, b: &Coord<f64>) -> Ordering {
        a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y))
    }
    /// Two sequences by their first unequal element, then by length.
    fn sequences<T>(
        a: impl ExactSizeIterator<Item = T>,
        b: impl ExactSizeIterator<Item = T>,
        each: impl Fn(&T, &T) -> Ordering,
    ) -> Ordering {
        let lengths = a.len().cmp(&b.len());
        a.zip(b)
            .map(|(p, q)| each(&p, &q))
            .find(|o| o.is_ne())
            .unwrap_or(lengths)
    }
    fn rings(a: &LineString<f64>, b: &LineString<f64>) -> Ordering {
        sequences(a.0.iter(), b.0.iter(), |p, q| vertex(p, q))
    }
    fn rotate(ring: LineString<f64>) -> LineString<f64> {
        let mut open = ring.0;
        if open.len() > 1 && open.first() == open.last() {
            open.pop();
        }
        // The start whose whole sequence is least: it begins at the least vertex, and
        // of two passes through that vertex the sequence decides.
        let rotated = |start: usize| open[start..].iter().chain(&open[..start]);
        let start = (0..open.len())
            .min_by(|&i, &j| {
                rotated(i)
                    .zip(rotated(j))
                    .map(|(p, q)| vertex(p, q))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
            .unwrap_or(0);
        open.rotate_left(start);
        if let Some(&first) = open.first() {
            open.push(first);
        }
        LineString(open)
    }
    let mut polygons: Vec<Polygon<f64>> =
        mp.0.into_iter()
            .map(|p| {
                let (exterior, interiors) = p.into_inner();
                let mut holes: Vec<LineString<f64>> = interiors.into_iter().map(rotate).collect();
                holes.sort_by(rings);
                Polygon::new(rotate(exterior), holes)
            })
            .collect();
    polygons.sort_by(|a, b| {
        rings(a.exterior(), b.exterior()).then_with(|| {
            sequences(a.interiors().iter(), b.interiors().iter(), |x, y| {
                rings(x, y)
            })
        })
    });
    MultiPolygon(polygons)
}

/// Counts records rejected for lying outside the Netherlands, so that a source in which
/// every record does can fail as a whole with the likely cause (swapped axes, wrong CRS).
#[derive(Debug, Default)]
pub struct OutsideTally {
    outside: u64,
    first_hint: Option<&'static str>,
}

impl OutsideTally {
    pub fn note(&mut self, problem: &GeometryProblem) {
        if let GeometryProblem::OutsideNetherlands { hint, .. } = problem {
            self.outside += 1;
            self.first_hint.get_or_insert(*hint);
        }
    }

    pub fn check(
        &self,
        path: &std::path::Path,
        read: u64,
        crs: Crs,
    ) -> Result<(), super::SourceError> {
        if read == 0 || self.outside < read {
            return Ok(());
        }
        Err(super::SourceError::NothingInNetherlands {
            path: path.to_path_buf(),
            read,
            crs: crs.to_string(),
            hint: self
                .first_hint
                .map(|h| h.trim_start_matches("; ").to_string())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "check the source's crs setting".into()),
        })
    }
}

/// Derives both stored systems from the source's own coordinates.
pub fn reproject(source: MultiPolygon<f64>, crs: Crs) -> AreaGeometry {
    match crs {
        Crs::RdNew => AreaGeometry {
            wgs84: source.map_coords(|c| {
                let w = RdPoint::new(c.x, c.y).to_wgs84();
                Coord { x: w.lon, y: w.lat }
            }),
            rd: source,
        },
        Crs::Crs84 | Crs::Epsg4326 => AreaGeometry {
            rd: source.map_coords(|c| {
                let r = LonLat::new(c.x, c.y).to_rd();
                Coord { x: r.x, y: r.y }
            }),
            wgs84: source,
        },
    }
}

/// Reads a point in the file's CRS as lon/lat or RD.
pub fn point(geometry: Option<&geojson::Geometry>, crs: Crs) -> Result<PointIn, GeometryProblem> {
    let value = &geometry.ok_or(GeometryProblem::Missing)?.value;
    match value {
        GeometryValue::Point { coordinates: pos } => coordinate_pair(pos.as_slice(), crs),
        other => Err(GeometryProblem::NotPoint(type_name(other))),
    }
}

/// A point as read, in whichever system its source uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PointIn {
    Wgs84(LonLat),
    Rd(RdPoint),
}

/// Checks one coordinate pair given in the source's axis order.
pub fn coordinate_pair(pos: &[f64], crs: Crs) -> Result<PointIn, GeometryProblem> {
    let c = to_coord(pos, 0, crs)?;
    Ok(match crs {
        Crs::RdNew => PointIn::Rd(RdPoint::new(c.x, c.y)),
        _ => PointIn::Wgs84(LonLat::new(c.x, c.y)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    fn geom(value: GeometryValue) -> geojson::Geometry {
        geojson::Geometry::new(value)
    }

    fn poly(ring: Vec<Vec<f64>>) -> GeometryValue {
        GeometryValue::Polygon {
            coordinates: vec![ring.into_iter().map(Position::from).collect()],
        }
    }

    fn square(x: f64, y: f64, d: f64) -> Vec<Vec<f64>> {
        vec![
            vec![x, y],
            vec![x + d, y],
            vec![x + d, y + d],
            vec![x, y + d],
            vec![x, y],
        ]
    }

    #[test]
    fn closes_an_open_ring_and_says_so() {
        let mut ring = square(5.0, 52.0, 0.01);
        ring.pop();
        let mut repairs = vec![];
        let g = area_geometry(Some(&geom(poly(ring))), Crs::Crs84, &mut repairs).unwrap();
        assert_eq!(repairs, vec![Repair::ClosedRing]);
        assert!(g.rd.unsigned_area() > 700_000.0, "about 0.69 km × 1.11 km");
    }

    #[test]
    fn repairs_a_bowtie() {
        let bowtie = vec![
            vec![150_000.0, 450_000.0],
            vec![151_000.0, 451_000.0],
            vec![151_000.0, 450_000.0],
            vec![150_000.0, 451_000.0],
            vec![150_000.0, 450_000.0],
        ];
        let mut repairs = vec![];
        let g = area_geometry(Some(&geom(poly(bowtie))), Crs::RdNew, &mut repairs).unwrap();
        assert!(matches!(repairs.as_slice(), [Repair::MadeValid(_)]));
        assert!(g.rd.is_valid());
        assert!((g.rd.unsigned_area() - 500_000.0).abs() < 1.0);
    }

    #[test]
    fn a_repaired_outline_comes_out_in_one_order_whatever_order_it_went_in() {
        let square = |x: f64| {
            LineString::from(vec![
                (x, 0.0),
                (x + 1.0, 0.0),
                (x + 1.0, 1.0),
                (x, 1.0),
                (x, 0.0),
            ])
        };
        let shifted = |x: f64| {
            LineString::from(vec![
                (x + 1.0, 1.0),
                (x, 1.0),
                (x, 0.0),
                (x + 1.0, 0.0),
                (x + 1.0, 1.0),
            ])
        };
        let a = MultiPolygon(vec![
            Polygon::new(square(0.0), vec![]),
            Polygon::new(square(5.0), vec![]),
        ]);
        let b = MultiPolygon(vec![
            Polygon::new(shifted(5.0), vec![]),
            Polygon::new(shifted(0.0), vec![]),
        ]);
        assert_eq!(canonical_order(a.clone()), canonical_order(b));
        assert_eq!(canonical_order(a.clone()), a);
    }

    /// As national buurt BU03211252 comes out of `make_valid`: two triangles that touch
    /// at the least vertex of both, whose order was once left to the process's hashing.
    #[test]
    fn pieces_that_touch_at_their_least_vertex_come_out_in_one_order() {
        let lower = LineString::from(vec![(0.0, 0.0), (1.0, -1.0), (2.0, -1.0), (0.0, 0.0)]);
        let upper = LineString::from(vec![(0.0, 0.0), (1.0, 1.0), (1.0, 2.0), (0.0, 0.0)]);
        // The same triangles, their rings started elsewhere.
        let lower_later = LineString::from(vec![(2.0, -1.0), (0.0, 0.0), (1.0, -1.0), (2.0, -1.0)]);
        let upper_later = LineString::from(vec![(1.0, 2.0), (0.0, 0.0), (1.0, 1.0), (1.0, 2.0)]);
        let a = MultiPolygon(vec![
            Polygon::new(lower.clone(), vec![]),
            Polygon::new(upper.clone(), vec![]),
        ]);
        let b = MultiPolygon(vec![
            Polygon::new(upper_later, vec![]),
            Polygon::new(lower_later, vec![]),
        ]);
        let expected = MultiPolygon(vec![
            Polygon::new(lower, vec![]),
            Polygon::new(upper, vec![]),
        ]);
        assert_eq!(canonical_order(a), expected);
        assert_eq!(canonical_order(b), expected);
    }

    #[test]
    fn rejects_points_outside_and_hints_at_swapped_axes() {
        let swapped = square(52.0, 5.0, 0.01);
        let err = area_geometry(Some(&geom(poly(swapped))), Crs::Crs84, &mut vec![]).unwrap_err();
        assert!(err.to_string().contains("axes swapped"), "{err}");
        let rd_as_wgs = square(150_000.0, 450_000.0, 10.0);
        let err = area_geometry(Some(&geom(poly(rd_as_wgs))), Crs::Crs84, &mut vec![]).unwrap_err();
        assert!(err.to_string().contains("EPSG:28992"), "{err}");
    }

    #[test]
    fn epsg4326_is_read_lat_lon() {
        let p = coordinate_pair(&[52.15517440, 5.38720621], Crs::Epsg4326).unwrap();
        let PointIn::Wgs84(w) = p else {
            panic!("expected WGS84")
        };
        assert_eq!((w.lon, w.lat), (5.38720621, 52.15517440));
    }

    #[test]
    fn degenerate_rings_leave_nothing() {
        let line = vec![vec![5.0, 52.0], vec![5.1, 52.0], vec![5.0, 52.0]];
        let err = area_geometry(Some(&geom(poly(line))), Crs::Crs84, &mut vec![]).unwrap_err();
        assert_eq!(err, GeometryProblem::Empty);
        assert_eq!(
            area_geometry(None, Crs::Crs84, &mut vec![]).unwrap_err(),
            GeometryProblem::Missing
        );
    }
}
