//! Deciding the coverage of each facility source (`dekking`), and holding its points
//! to it.
//!
//! Declared: `"nederland"`, a list of gemeente codes or a polygon file. Not declared:
//! an OpenStreetMap extract covers the box in its header; any other source covers the
//! whole country only when its points spread over it, and otherwise the gemeenten its
//! points lie in, with a warning that says so.

use super::manifest::{CoverageSpec, FacilityFormat, SourceKind, SourceSpec};
use super::report::{Action, Issue, SourceReport};
use crate::crs::LonLat;
use crate::index::SpatialIndex;
use crate::model::{
    Area, AreaCode, AreaLevel, Coverage, CoverageOrigin, SourceCoverage, SourceId, Voorziening,
};
use geo::{Coord, LineString, MultiPolygon, Point, Polygon};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// The side of a grid cell in the spread test, in metres.
const SPREAD_CELL_M: f64 = 40_000.0;
/// The share of the land cells a source's points must reach to count as national.
const SPREAD_SHARE: f64 = 2.0 / 3.0;
/// The land cells the loaded areas must span before points spread over them say
/// anything about the country: the Netherlands touches about 40 cells of 40 km, a
/// province five or so, a city one.
const NATIONAL_LAND_CELLS: usize = 20;

/// Why a declared coverage cannot be used; the source fails with it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoverageError {
    #[error("source '{source_name}': dekking names '{code}', which is not the code of a loaded gemeente")]
    UnknownGemeente { source_name: String, code: String },
    #[error("source '{source_name}': dekking file {path}: {message}")]
    BadPolygon {
        source_name: String,
        path: PathBuf,
        message: String,
    },
    #[error("source '{source_name}': dekking ({described}) contains none of the source's {points} points")]
    NothingInside {
        source_name: String,
        described: String,
        points: usize,
    },
}

/// What the loader knows when it decides coverages: every area read, and an index of them.
pub(crate) struct Context<'a> {
    pub dir: &'a Path,
    pub areas: [&'a [Area]; 3],
    pub index: &'a SpatialIndex,
}

impl Context<'_> {
    /// The gemeente an RD point lies in, from the coarsest level loaded there.
    fn gemeente_at(&self, p: Point<f64>) -> Option<AreaCode> {
        let rd = crate::crs::RdPoint::new(p.x(), p.y());
        AreaLevel::ALL.into_iter().find_map(|level| {
            let areas = self.areas[level.index()];
            self.index
                .area_at(areas, level, rd)
                .map(|i| areas[i].code.gemeente())
        })
    }

    /// The gemeente codes loaded at any level, with a name for each where one is known.
    fn gemeente_names(&self) -> BTreeMap<AreaCode, String> {
        let mut names = BTreeMap::new();
        for a in self.areas[AreaLevel::Gemeente.index()] {
            names.insert(a.code, a.name.clone());
        }
        for level in [AreaLevel::Wijk, AreaLevel::Buurt] {
            for a in self.areas[level.index()] {
                names
                    .entry(a.code.gemeente())
                    .or_insert_with(|| a.gemeente_name.clone().unwrap_or_default());
            }
        }
        names
    }

    fn describe_gemeenten(&self, codes: &BTreeSet<AreaCode>) -> String {
        let names = self.gemeente_names();
        let listed: Vec<String> = codes
            .iter()
            .map(|c| match names.get(c).filter(|n| !n.is_empty()) {
                Some(n) => n.clone(),
                None => c.to_string(),
            })
            .collect();
        match listed.len() {
            1 => format!("de gemeente {}", listed[0]),
            n if n <= 12 => format!("de gemeenten {}", listed.join(", ")),
            n => format!("{n} gemeenten ({}, …)", listed[..8].join(", ")),
        }
    }
}

/// Decides the coverage of one facility source, rejects its points that lie outside a
/// declared coverage (naming each), and warns when it had to guess.
pub(crate) fn resolve(
    spec: &SourceSpec,
    id: SourceId,
    facilities: &mut Vec<Voorziening>,
    report: &mut SourceReport,
    cx: &Context<'_>,
) -> Result<SourceCoverage, CoverageError> {
    let points: Vec<Point<f64>> = facilities
        .iter()
        .filter(|v| v.source == id)
        .map(|v| Point::new(v.location.rd.x, v.location.rd.y))
        .collect();
    let resolved = match &spec.coverage {
        Some(declared) => declared_coverage(spec, declared, cx)?,
        None => match &spec.kind {
            SourceKind::Voorzieningen {
                format: FacilityFormat::OsmPbf(_),
                ..
            } if spec.postgis.is_none() => match extract_bounds(&spec.resolve(cx.dir)) {
                Some(shape) => SourceCoverage {
                    coverage: Coverage::Region(shape),
                    origin: CoverageOrigin::ExtractBounds,
                    described: "het gebied van het OpenStreetMap-uittreksel".into(),
                },
                None => guessed_coverage(spec, &points, report, cx),
            },
            _ => guessed_coverage(spec, &points, report, cx),
        },
    };
    if resolved.origin == CoverageOrigin::Declared && !points.is_empty() {
        hold_to_coverage(spec, id, &resolved, facilities, report, cx)?;
    }
    Ok(resolved)
}

fn declared_coverage(
    spec: &SourceSpec,
    declared: &CoverageSpec,
    cx: &Context<'_>,
) -> Result<SourceCoverage, CoverageError> {
    let coverage = match declared {
        CoverageSpec::National => {
            return Ok(SourceCoverage {
                coverage: Coverage::National,
                origin: CoverageOrigin::Declared,
                described: "heel Nederland".into(),
            })
        }
        CoverageSpec::Gemeenten(codes) => {
            let known = cx.gemeente_names();
            let mut set = BTreeSet::new();
            for text in codes {
                let code = AreaCode::parse_at(text.trim(), AreaLevel::Gemeente)
                    .ok()
                    .filter(|c| known.contains_key(c))
                    .ok_or_else(|| CoverageError::UnknownGemeente {
                        source_name: spec.name.clone(),
                        code: text.clone(),
                    })?;
                set.insert(code);
            }
            let described = cx.describe_gemeenten(&set);
            return Ok(SourceCoverage {
                coverage: Coverage::Gemeenten(set),
                origin: CoverageOrigin::Declared,
                described,
            });
        }
        CoverageSpec::File(path) => {
            let full = cx.dir.join(path);
            let bad = |message: String| CoverageError::BadPolygon {
                source_name: spec.name.clone(),
                path: path.clone(),
                message,
            };
            let text = std::fs::read_to_string(&full).map_err(|e| bad(e.to_string()))?;
            let is_poly = full
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("poly"));
            let shape = if is_poly {
                read_poly(&text)
            } else {
                read_geojson_polygon(&text)
            }
            .map_err(bad)?;
            SourceCoverage {
                coverage: Coverage::Region(shape),
                origin: CoverageOrigin::Declared,
                described: format!(
                    "het gebied in {}",
                    path.file_name().unwrap_or_default().to_string_lossy()
                ),
            }
        }
    };
    Ok(coverage)
}

/// Points outside the declared coverage are rejected one by one; a coverage that holds
/// none of them is a mistake in the manifest, not a source with nothing to say.
fn hold_to_coverage(
    spec: &SourceSpec,
    id: SourceId,
    resolved: &SourceCoverage,
    facilities: &mut Vec<Voorziening>,
    report: &mut SourceReport,
    cx: &Context<'_>,
) -> Result<(), CoverageError> {
    let mut outside = HashSet::new();
    let mut total = 0;
    for (i, v) in facilities.iter().enumerate() {
        if v.source != id {
            continue;
        }
        total += 1;
        let p = Point::new(v.location.rd.x, v.location.rd.y);
        if !resolved.coverage.covers_point(p, cx.gemeente_at(p)) {
            outside.insert(i);
        }
    }
    if total > 0 && outside.len() == total {
        return Err(CoverageError::NothingInside {
            source_name: spec.name.clone(),
            described: resolved.described.clone(),
            points: total,
        });
    }
    let mut position = 0;
    facilities.retain(|v| {
        let keep = !outside.contains(&position);
        if !keep {
            report.issue(Issue {
                record: 0,
                id: Some(v.id.clone()),
                field: Some("dekking".into()),
                action: Action::Rejected,
                problem: format!(
                    "lies outside the source's declared dekking ({})",
                    resolved.described
                ),
            });
        }
        position += 1;
        keep
    });
    Ok(())
}

/// Not declared: national when the points reach most of the country, else the
/// gemeenten they lie in — with a warning, because a guess should be confirmed.
fn guessed_coverage(
    spec: &SourceSpec,
    points: &[Point<f64>],
    report: &mut SourceReport,
    cx: &Context<'_>,
) -> SourceCoverage {
    let gemeenten: BTreeSet<AreaCode> = points.iter().filter_map(|p| cx.gemeente_at(*p)).collect();
    if gemeenten.is_empty() {
        // No loaded area holds a point (or none is loaded): there is nothing the source
        // could be said to cover or not, and no area that would get its figures.
        return SourceCoverage {
            coverage: Coverage::National,
            origin: CoverageOrigin::PointsNationwide,
            described: "heel Nederland (niet na te gaan: geen geladen gebied bevat de punten)"
                .into(),
        };
    }
    let spread = spread(points, cx);
    if spread == Spread::National {
        return SourceCoverage {
            coverage: Coverage::National,
            origin: CoverageOrigin::PointsNationwide,
            described: "heel Nederland (de punten liggen verspreid over het land)".into(),
        };
    }
    let described = cx.describe_gemeenten(&gemeenten);
    // With only a city or a province loaded, points all over it may be a national
    // source or a regional one: the loaded areas cannot tell, so the points' gemeenten
    // it is, and the warning says why.
    let why = match spread {
        Spread::LoadedAreasTooFew => {
            "the loaded areas do not span the country, so the points cannot show whether the source is national"
        }
        _ => "they do not spread over the country",
    };
    report.issue(Issue {
        record: 0,
        id: None,
        field: Some("dekking".into()),
        action: Action::Warning,
        problem: format!(
            "no dekking given and {} points: {why}; the source is taken to cover only {described} ({}). Set dekking = \"nederland\" in source '{}' if it is national, or list the gemeenten it covers",
            points.len(),
            gemeenten.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "),
            spec.name
        ),
    });
    SourceCoverage {
        coverage: Coverage::Gemeenten(gemeenten),
        origin: CoverageOrigin::PointsGemeenten,
        described,
    }
}

/// How far a source's points spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spread {
    /// Over at least two thirds of the land, and the loaded areas span the country.
    National,
    /// Over less.
    Regional,
    /// The loaded areas span fewer than [`NATIONAL_LAND_CELLS`] cells.
    LoadedAreasTooFew,
}

/// Whether the points reach at least two thirds of the land: the cells of a 40 km grid
/// over RD that hold a loaded area's interior point.
fn spread(points: &[Point<f64>], cx: &Context<'_>) -> Spread {
    let cell = |p: Point<f64>| {
        (
            (p.x() / SPREAD_CELL_M).floor() as i64,
            (p.y() / SPREAD_CELL_M).floor() as i64,
        )
    };
    let land: HashSet<(i64, i64)> = cx
        .areas
        .iter()
        .flat_map(|level| level.iter().map(|a| cell(a.interior_point_rd)))
        .collect();
    if land.len() < NATIONAL_LAND_CELLS {
        return Spread::LoadedAreasTooFew;
    }
    let reached: HashSet<(i64, i64)> = points
        .iter()
        .map(|p| cell(*p))
        .filter(|c| land.contains(c))
        .collect();
    if reached.len() as f64 >= land.len() as f64 * SPREAD_SHARE {
        Spread::National
    } else {
        Spread::Regional
    }
}

/// The box an extract's OSMHeader declares, as an RD polygon; `None` when the header
/// has none (the points then decide, as for any source).
fn extract_bounds(path: &Path) -> Option<MultiPolygon<f64>> {
    use osmpbf::{BlobDecode, BlobReader};
    let mut blobs = BlobReader::from_path(path).ok()?;
    let first = blobs.next()?.ok()?;
    let BlobDecode::OsmHeader(header) = first.decode().ok()? else {
        return None;
    };
    let b = header.bbox()?;
    let ring = [
        (b.left, b.bottom),
        (b.right, b.bottom),
        (b.right, b.top),
        (b.left, b.top),
        (b.left, b.bottom),
    ];
    // Densified so the RD outline follows the box's curved image, not its corners.
    let mut coords = Vec::new();
    for pair in ring.windows(2) {
        for k in 0..16 {
            let t = f64::from(k) / 16.0;
            let lon = pair[0].0 + (pair[1].0 - pair[0].0) * t;
            let lat = pair[0].1 + (pair[1].1 - pair[0].1) * t;
            let rd = LonLat::new(lon, lat).to_rd();
            coords.push(Coord { x: rd.x, y: rd.y });
        }
    }
    coords.push(coords[0]);
    Some(MultiPolygon(vec![Polygon::new(LineString(coords), vec![])]))
}

fn ring_to_rd(positions: &[(f64, f64)]) -> Result<LineString<f64>, String> {
    if positions.len() < 4 {
        return Err(format!(
            "a ring has {} positions; a polygon ring needs at least 4",
            positions.len()
        ));
    }
    let mut coords = Vec::with_capacity(positions.len());
    for &(lon, lat) in positions {
        let ll = LonLat::new(lon, lat);
        if !(lon.is_finite() && lat.is_finite() && ll.in_domain()) {
            return Err(format!(
                "position ({lon}, {lat}) is not a CRS84 longitude, latitude in the Netherlands"
            ));
        }
        let rd = ll.to_rd();
        coords.push(Coord { x: rd.x, y: rd.y });
    }
    Ok(LineString(coords))
}

/// A Polygon or MultiPolygon (as a geometry, a Feature, or all polygon features of a
/// FeatureCollection) in CRS84, to RD.
pub(crate) fn read_geojson_polygon(text: &str) -> Result<MultiPolygon<f64>, String> {
    use geojson::GeoJson;
    let parsed: GeoJson = text
        .parse()
        .map_err(|e| format!("not valid GeoJSON ({e})"))?;
    let geometries: Vec<geojson::Geometry> = match parsed {
        GeoJson::Geometry(g) => vec![g],
        GeoJson::Feature(f) => f.geometry.into_iter().collect(),
        GeoJson::FeatureCollection(fc) => {
            fc.features.into_iter().filter_map(|f| f.geometry).collect()
        }
    };
    let mut out = Vec::new();
    for g in &geometries {
        // The same reading, repair and reprojection as an area outline gets.
        let mut repairs = Vec::new();
        let shape = super::geometry::area_geometry(Some(g), crate::crs::Crs::Crs84, &mut repairs)
            .map_err(|e| format!("{e}; dekking needs a Polygon or MultiPolygon"))?;
        out.extend(shape.rd.0);
    }
    if out.is_empty() {
        return Err("holds no Polygon or MultiPolygon".into());
    }
    Ok(MultiPolygon(out))
}

/// An Osmosis polygon filter file (`.poly`, as Geofabrik publishes beside its
/// extracts): a name line, then sections of `lon lat` lines each closed by `END`
/// (a section whose name starts with `!` is a hole), then a final `END`.
pub(crate) fn read_poly(text: &str) -> Result<MultiPolygon<f64>, String> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    lines.next().ok_or("the file is empty")?;
    let mut polygons: Vec<Polygon<f64>> = Vec::new();
    loop {
        let Some(section) = lines.next() else {
            return Err("it ends without the closing END".into());
        };
        if section == "END" {
            break;
        }
        let hole = section.starts_with('!');
        let mut ring = Vec::new();
        loop {
            let line = lines
                .next()
                .ok_or_else(|| format!("section '{section}' has no END"))?;
            if line == "END" {
                break;
            }
            let mut parts = line.split_whitespace().map(str::parse::<f64>);
            match (parts.next(), parts.next()) {
                (Some(Ok(lon)), Some(Ok(lat))) => ring.push((lon, lat)),
                _ => return Err(format!("'{line}' in section '{section}' is not 'lon lat'")),
            }
        }
        if ring.first() != ring.last() {
            if let Some(&first) = ring.first() {
                ring.push(first);
            }
        }
        let ring = ring_to_rd(&ring)?;
        if hole {
            let outer = polygons
                .last_mut()
                .ok_or_else(|| format!("hole '{section}' comes before any outer ring"))?;
            outer.interiors_push(ring);
        } else {
            polygons.push(Polygon::new(ring, vec![]));
        }
    }
    if polygons.is_empty() {
        return Err("it has no polygon section".into());
    }
    Ok(MultiPolygon(polygons))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Contains;

    #[test]
    fn poly_files_read_with_holes() {
        // Synthetic: a box around Dordrecht with a hole around its centre.
        let text = "drechtsteden\n1\n 4.55 51.75\n 4.85 51.75\n 4.85 51.90\n 4.55 51.90\n 4.55 51.75\nEND\n!2\n 4.66 51.80\n 4.70 51.80\n 4.70 51.82\n 4.66 51.82\nEND\nEND\n";
        let shape = read_poly(text).unwrap();
        let at = |lon, lat| {
            let rd = LonLat::new(lon, lat).to_rd();
            Point::new(rd.x, rd.y)
        };
        assert!(shape.contains(&at(4.60, 51.85)));
        assert!(!shape.contains(&at(4.68, 51.81)), "inside the hole");
        assert!(!shape.contains(&at(5.10, 52.10)), "Utrecht lies outside");
        for bad in ["", "x\n1\n 4.5 51.7\nEND\n", "x\n1\n 4.5 nope\nEND\nEND\n"] {
            assert!(read_poly(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn geojson_coverage_must_be_a_polygon() {
        let square = r#"{"type":"Polygon","coordinates":[[[4.6,51.7],[4.9,51.7],[4.9,51.9],[4.6,51.9],[4.6,51.7]]]}"#;
        assert_eq!(read_geojson_polygon(square).unwrap().0.len(), 1);
        let point = r#"{"type":"Point","coordinates":[4.6,51.7]}"#;
        let e = read_geojson_polygon(point).unwrap_err();
        assert!(e.contains("Polygon or MultiPolygon"), "{e}");
        assert!(read_geojson_polygon("{").is_err());
    }
}
