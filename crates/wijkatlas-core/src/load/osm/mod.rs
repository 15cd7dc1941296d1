//! OpenStreetMap extracts (`.osm.pbf`): the care and welfare POIs among them.
//!
//! Nodes and ways whose tags mean care or welfare (see [`tags::RULES`]) become
//! voorzieningen with the OSM id (`osm:node/123`, `osm:way/456`), so a planner can fix the
//! map at the source. A way stands at a point on its surface when it is closed (a building
//! outline) and at the mean of its nodes otherwise. Relations (multipolygon sites) are
//! not read: they are counted and reported as one warning.
//!
//! The file is streamed block by block, twice at most: the first pass keeps the matching
//! nodes and the node ids of the matching ways, the second (only when there are such
//! ways) looks up just those nodes. Memory grows with the number of care POIs, not with
//! the file.

mod pbf;
pub mod tags;
pub mod ways;

use super::error::SourceError;
use super::geometry::{self, GeometryProblem, PointIn};
use super::report::{Action, Issue, SourceReport};
use crate::crs::{Crs, LonLat};
use crate::model::{Category, Containing, Location, LocationPrecision, SourceId, Voorziening};
use geo::{Centroid, InteriorPoint, LineString, MultiPoint, Point, Polygon};
use pbf::{Candidate, OsmKind, Scan};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use tags::TagPattern;

/// The `[source.osm]` table of a manifest entry.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OsmOptions {
    /// Extra `"key=value"` (or `"key=*"`) → category rows, tried before the built-in
    /// table; they also select elements the built-in table does not know, such as a
    /// gemeente's own `office=social_worker` wijkteams.
    #[serde(default)]
    pub categories: BTreeMap<TagPattern, Category>,
    /// Also build the walking, cycling and driving graphs from this extract
    /// (`crate::routing`), so distances are measured along the network.
    #[serde(default)]
    pub routing: bool,
}

pub struct OsmSource<'a> {
    pub path: &'a Path,
    pub id: SourceId,
    pub options: &'a OsmOptions,
}

/// At most this many skipped relations are named in the report's warning.
const NAMED_RELATIONS: usize = 5;

pub fn read(
    src: &OsmSource<'_>,
    seen_ids: &mut HashSet<String>,
    report: &mut SourceReport,
) -> Result<Vec<Voorziening>, SourceError> {
    let io = |source| SourceError::Io {
        path: src.path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(src.path).map_err(io)?.len();
    let open = || {
        std::fs::File::open(src.path)
            .map(|f| std::io::BufReader::with_capacity(1 << 16, f))
            .map_err(io)
    };
    read_from(open, size, src, seen_ids, report)
}

/// Reads an extract held in memory, as the fuzz target does. The report is named after
/// `path`, which need not exist.
pub fn read_bytes(
    bytes: &[u8],
    path: &Path,
    options: &OsmOptions,
) -> Result<(Vec<Voorziening>, SourceReport), SourceError> {
    let src = OsmSource {
        path,
        id: SourceId(0),
        options,
    };
    let mut report = SourceReport::new("osm", path.to_path_buf(), "voorzieningen");
    let open = || Ok::<_, SourceError>(bytes);
    let out = read_from(
        open,
        bytes.len() as u64,
        &src,
        &mut HashSet::new(),
        &mut report,
    )?;
    Ok((out, report))
}

fn read_from<R, F>(
    open: F,
    size: u64,
    src: &OsmSource<'_>,
    seen_ids: &mut HashSet<String>,
    report: &mut SourceReport,
) -> Result<Vec<Voorziening>, SourceError>
where
    R: Read + Send,
    F: Fn() -> Result<R, SourceError>,
{
    let scan = Scan::new(src.path, size, &src.options.categories);
    let found = scan.pois(open()?)?;
    let positions = if found.way_nodes.is_empty() {
        HashMap::new()
    } else {
        scan.node_positions(open()?, &found.way_nodes, found.last_node_block)?
    };
    report_relations(&found.relations, found.relation_count, report);
    let out = assemble(src, found.candidates, &positions, seen_ids, report)?;
    tracing::info!(
        path = %src.path.display(),
        care_elements = report.read,
        kept = report.kept,
        rejected = report.rejected,
        "OSM extract read"
    );
    Ok(out)
}

fn report_relations(named: &[i64], count: u64, report: &mut SourceReport) {
    if count == 0 {
        return;
    }
    let ids: Vec<String> = named
        .iter()
        .take(NAMED_RELATIONS)
        .map(|id| format!("osm:relation/{id}"))
        .collect();
    report.issue(Issue {
        record: 0,
        id: None,
        field: None,
        action: Action::Warning,
        problem: format!(
            "{count} care/welfare relation(s) skipped: relations are not read ({}{})",
            ids.join(", "),
            if count as usize > ids.len() {
                ", …"
            } else {
                ""
            }
        ),
    });
}

/// Turns the candidates of the first pass into voorzieningen, in file order.
fn assemble(
    src: &OsmSource<'_>,
    candidates: Vec<Candidate>,
    positions: &HashMap<i64, LonLat>,
    seen_ids: &mut HashSet<String>,
    report: &mut SourceReport,
) -> Result<Vec<Voorziening>, SourceError> {
    let mut out = Vec::with_capacity(candidates.len());
    let mut outside = 0u64;
    let mut first_hint = None;
    for (i, c) in candidates.into_iter().enumerate() {
        let record = i as u64 + 1;
        report.read += 1;
        report.kept += 1;
        let id = c.kind.osm_id(c.osm_id);
        let mut issue = |field: &str, action, problem: String| {
            report.issue(Issue {
                record,
                id: Some(id.clone()),
                field: Some(field.to_string()),
                action,
                problem,
            })
        };
        if !seen_ids.insert(id.clone()) {
            issue("id", Action::Rejected, "duplicate id".into());
            continue;
        }
        let lonlat = match position(&c, positions) {
            Ok((p, missing)) => {
                if missing > 0 {
                    issue(
                        "nodes",
                        Action::Warning,
                        format!(
                            "{missing} of its {} nodes are not in the extract; placed by the others",
                            c.refs.len()
                        ),
                    );
                }
                p
            }
            Err(problem) => {
                issue("nodes", Action::Rejected, problem);
                continue;
            }
        };
        let location = match geometry::coordinate_pair(&[lonlat.lon, lonlat.lat], Crs::Crs84) {
            Ok(PointIn::Wgs84(w)) => Location::from_wgs84(w),
            Ok(PointIn::Rd(r)) => Location::from_rd(r),
            Err(problem) => {
                if let GeometryProblem::OutsideNetherlands { hint, .. } = &problem {
                    outside += 1;
                    first_hint.get_or_insert(*hint);
                }
                issue("geometry", Action::Rejected, problem.to_string());
                continue;
            }
        };
        let capacity = match c.capacity {
            Some((field, raw)) => match parse_capacity(&raw) {
                Some(v) => Some(v),
                None => {
                    issue(
                        field,
                        Action::ValueDropped,
                        format!("'{raw}' is not a non-negative number; capacity read as missing"),
                    );
                    None
                }
            },
            None => None,
        };
        let name = c.name.unwrap_or_else(|| {
            issue(
                "name",
                Action::Warning,
                "no name; the category is used".into(),
            );
            c.classified.category.label().to_string()
        });
        out.push(Voorziening {
            id,
            category: c.classified.category,
            subtype: Some(c.classified.subtype),
            name,
            address: c.address,
            location,
            precision: LocationPrecision::Exact,
            capacity,
            source: src.id,
            containing: Containing::default(),
        });
    }
    if report.read > 0 && outside == report.read {
        return Err(SourceError::NothingInNetherlands {
            path: src.path.to_path_buf(),
            read: report.read,
            crs: "WGS84 (OSM)".into(),
            hint: "the extract does not cover the Netherlands".into(),
        });
    }
    Ok(out)
}

/// The point a candidate stands at, and how many of a way's nodes were missing.
fn position(c: &Candidate, positions: &HashMap<i64, LonLat>) -> Result<(LonLat, usize), String> {
    if let Some(p) = c.position {
        return Ok((p, 0));
    }
    let found: Vec<LonLat> = c
        .refs
        .iter()
        .filter_map(|id| positions.get(id).copied())
        .collect();
    let missing = c.refs.len() - found.len();
    way_point(&c.refs, &found)
        .map(|p| (p, missing))
        .ok_or_else(|| {
            format!(
                "none of its {} nodes is in the extract, so it has no position",
                c.refs.len()
            )
        })
}

/// A point on the surface of a closed way (a building: its centroid may lie in the
/// courtyard, or outside an L-shape), else the mean of the nodes.
fn way_point(refs: &[i64], found: &[LonLat]) -> Option<LonLat> {
    let closed = refs.len() >= 4 && refs.first() == refs.last() && found.len() == refs.len();
    let points: Vec<Point<f64>> = found.iter().map(|p| Point::new(p.lon, p.lat)).collect();
    let surface = closed
        .then(|| Polygon::new(LineString::from(points.clone()), vec![]).interior_point())
        .flatten();
    surface
        .or_else(|| MultiPoint::new(points).centroid())
        .map(|p| LonLat::new(p.x(), p.y()))
}

fn parse_capacity(raw: &str) -> Option<f64> {
    raw.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

impl OsmKind {
    fn osm_id(self, id: i64) -> String {
        match self {
            OsmKind::Node => format!("osm:node/{id}"),
            OsmKind::Way => format!("osm:way/{id}"),
        }
    }
}
