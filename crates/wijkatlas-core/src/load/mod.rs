//! Loading a data directory: the manifest, each source, and the validation report.

mod areas;
mod coverage;
mod dwellings;
mod error;
mod figures_csv;
mod geojson_file;
mod geometry;
mod geopackage;
mod manifest;
mod osm;
mod postcodes;
pub mod postgis;
mod register;
mod report;
mod source;
mod validity;
mod values;
mod voorzieningen;
pub(crate) mod wkb;

pub use coverage::CoverageError;
pub use error::{LoadError, SourceError};
pub use geometry::{GeometryProblem, Repair};
pub use manifest::{
    CoverageSpec, FacilityFormat, Manifest, PostgisLayer, PostgisSettings, Relation, SourceKind,
    SourceSpec, Vintage, DATABASE_URL_ENV, MANIFEST_FILE,
};
pub use osm::read_bytes as read_osm_bytes;
pub use osm::tags::{Rule, TagPattern, RULES as OSM_TAG_RULES};
pub use osm::ways::{read_ways, RawWay, RawWays};
pub use osm::OsmOptions;
pub use register::{
    read_bytes as read_register_bytes, ColumnNames, DecimalMark, Delimiter, RegisterOptions,
    TextEncoding,
};
pub use report::{Action, Issue, LoadReport, PlacementReport, SourceReport, SourceStatus};
pub use validity::surely_valid;

use crate::model::{AreaCode, AreaLevel, Dataset, SourceId, SourceInfo};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where each area code was first seen, to report duplicates across sources.
pub(crate) type SeenCodes = HashMap<AreaCode, String>;

/// A dataset and the report of how it was read.
#[derive(Debug)]
pub struct Loaded {
    pub dataset: Dataset,
    pub report: LoadReport,
    /// The analysis settings: the defaults with the manifest's `[analysis]` applied.
    pub analysis: crate::analysis::config::AnalysisConfig,
    /// The walking, cycling and driving graphs, when an OSM source asks for them.
    pub routing: Option<std::sync::Arc<crate::routing::Networks>>,
}

/// Builds the routing graphs of an OSM source that asks for them (`routing = true`). A
/// failure is a warning on that source: the facilities stand, distances stay straight
/// lines. One extract carries the network; a second asking is told so.
fn routing_graphs(
    path: &Path,
    routing: &mut Option<std::sync::Arc<crate::routing::Networks>>,
    report: &mut SourceReport,
) {
    let mut warn = |problem: String| {
        report.issue(Issue {
            record: 0,
            id: None,
            field: Some("routing".into()),
            action: Action::Warning,
            problem,
        })
    };
    if let Some(first) = routing.as_ref() {
        warn(format!(
            "routing graphs are built from one extract only, and {} already has them; cut one extract covering both with osmium",
            first.source.display()
        ));
        return;
    }
    match crate::routing::Networks::from_pbf(path, &crate::routing::Mode::ALL) {
        Ok(n) => *routing = Some(std::sync::Arc::new(n)),
        Err(e) => warn(format!("{e}; distances stay straight lines (hemelsbreed)")),
    }
}

pub fn read_manifest(dir: &Path) -> Result<Manifest, LoadError> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            LoadError::ManifestMissing(path.clone())
        } else {
            LoadError::Io {
                path: path.clone(),
                source,
            }
        }
    })?;
    let manifest: Manifest = toml::from_str(&text).map_err(|e| LoadError::ManifestInvalid {
        path: path.clone(),
        source: Box::new(e),
    })?;
    if manifest.sources.is_empty() {
        return Err(LoadError::ManifestEmpty { path });
    }
    let mut names = HashSet::new();
    for s in &manifest.sources {
        if !names.insert(s.name.as_str()) {
            return Err(LoadError::DuplicateSourceName {
                path,
                name: s.name.clone(),
            });
        }
    }
    Ok(manifest)
}

/// Loads every source the manifest in `dir` lists.
///
/// A source that cannot be read at all is marked failed in the report and contributes
/// nothing; callers decide whether that is fatal (`check` and `serve` say it is).
pub fn load_dir(dir: &Path) -> Result<Loaded, LoadError> {
    let started = Instant::now();
    let manifest = read_manifest(dir)?;
    let analysis = crate::analysis::config::AnalysisConfig::from_settings(&manifest.analysis)
        .map_err(|message| LoadError::AnalysisSettings {
            path: dir.join(MANIFEST_FILE),
            message,
        })?;
    let mut loading = source::Loading::new(&manifest.postgis);
    let mut slots: Vec<Option<(SourceInfo, SourceReport)>> = vec![None; manifest.sources.len()];
    for i in reading_order(&manifest) {
        slots[i] = Some(read_source(
            dir,
            &manifest.sources[i],
            SourceId(i),
            &mut loading,
        ));
    }
    decide_coverages(
        dir,
        &manifest,
        &loading.areas,
        &mut loading.facilities,
        &mut slots,
    );
    let (sources, mut reports): (Vec<_>, Vec<_>) = slots.into_iter().flatten().unzip();
    warn_unknown_parents(&loading.areas, &mut reports);
    let dataset = Dataset::assemble(
        sources,
        loading.areas,
        loading.facilities,
        loading.postcodes,
        loading.dwellings,
    )
    .with_unlocated(loading.unlocated)
    .with_earlier(loading.earlier);
    let placement = placement_report(&dataset);
    Ok(Loaded {
        dataset,
        analysis,
        routing: loading.routing,
        report: LoadReport {
            data_dir: dir.to_path_buf(),
            sources: reports,
            placement,
            elapsed_ms: started.elapsed().as_millis() as u64,
        },
    })
}

/// The manifest's sources in the order they must be read, whatever their place in it:
/// postcode tables first (registers geocode with them), then areas, then the figures
/// that join onto areas, then facilities and dwellings.
fn reading_order(manifest: &Manifest) -> Vec<usize> {
    let mut order: Vec<usize> = (0..manifest.sources.len()).collect();
    order.sort_by_key(|&i| match manifest.sources[i].kind {
        SourceKind::Postcodes => 0,
        SourceKind::Areas { .. } => 1,
        SourceKind::Figures { .. } => 2,
        SourceKind::Voorzieningen { .. } | SourceKind::Woningen { .. } => 3,
    });
    order
}

/// Reads one source into `loading`: what it is (for the dataset) and how its records
/// fared (a source that cannot be read is marked failed, and the load goes on).
fn read_source(
    dir: &Path,
    spec: &SourceSpec,
    id: SourceId,
    loading: &mut source::Loading<'_>,
) -> (SourceInfo, SourceReport) {
    let path = spec.resolve(dir);
    let source_started = Instant::now();
    let mut report = SourceReport::new(&spec.name, path.clone(), spec.kind.label());
    tracing::debug!(source = %spec.name, path = %path.display(), "reading");
    let outcome = source::for_entry(spec, &path, id).and_then(|s| s.read(loading, &mut report));
    if let Err(e) = outcome {
        report.status = SourceStatus::Failed {
            error: e.to_string(),
        };
    }
    report.elapsed_ms = source_started.elapsed().as_millis() as u64;
    tracing::info!(
        source = %spec.name,
        read = report.read,
        kept = report.kept,
        rejected = report.rejected,
        repaired = report.repaired,
        ms = report.elapsed_ms,
        "source loaded"
    );
    let info = SourceInfo {
        name: spec.name.clone(),
        path,
        year: spec.year,
        licence: spec.licence.clone(),
        attribution: attribution(spec),
        coverage: None,
    };
    (info, report)
}

/// The credit a source's data asks for: the manifest's, else OpenStreetMap's for an
/// OSM extract (ODbL requires it).
fn attribution(spec: &SourceSpec) -> Option<String> {
    spec.attribution.clone().or_else(|| {
        matches!(
            spec.kind,
            SourceKind::Voorzieningen {
                format: FacilityFormat::OsmPbf(_),
                ..
            }
        )
        .then(|| "© OpenStreetMap contributors".to_string())
    })
}

/// Gives every facility source that loaded its coverage; a source whose declared
/// coverage is wrong fails, and its points go with it.
fn decide_coverages(
    dir: &Path,
    manifest: &Manifest,
    areas: &[Vec<crate::model::Area>; 3],
    facilities: &mut Vec<crate::model::Voorziening>,
    slots: &mut [Option<(SourceInfo, SourceReport)>],
) {
    let probe = crate::index::SpatialIndex::build([&areas[0], &areas[1], &areas[2]], &[]);
    let cx = coverage::Context {
        dir,
        areas: [&areas[0], &areas[1], &areas[2]],
        index: &probe,
    };
    for (i, spec) in manifest.sources.iter().enumerate() {
        if !matches!(spec.kind, SourceKind::Voorzieningen { .. }) {
            continue;
        }
        let Some((info, report)) = slots.get_mut(i).and_then(Option::as_mut) else {
            continue;
        };
        if report.failed() {
            continue;
        }
        match coverage::resolve(spec, SourceId(i), facilities, report, &cx) {
            Ok(c) => info.coverage = Some(c),
            Err(e) => {
                facilities.retain(|v| v.source != SourceId(i));
                report.kept = 0;
                report.status = SourceStatus::Failed {
                    error: e.to_string(),
                };
            }
        }
    }
}

/// Areas whose parent level is loaded but whose parent is not in it are kept and flagged:
/// this is what mixing years across a gemeente merger looks like.
fn warn_unknown_parents(areas: &[Vec<crate::model::Area>; 3], reports: &mut [SourceReport]) {
    let present: HashSet<AreaCode> = areas.iter().flatten().map(|a| a.code).collect();
    for level in [AreaLevel::Wijk, AreaLevel::Buurt] {
        for area in &areas[level.index()] {
            for parent_level in AreaLevel::ALL.into_iter().filter(|l| *l < level) {
                if areas[parent_level.index()].is_empty() {
                    continue;
                }
                let Some(parent) = area.code.ancestor(parent_level) else {
                    continue;
                };
                if !present.contains(&parent) {
                    reports[area.source.0].issue(Issue {
                        record: 0,
                        id: Some(area.code.to_string()),
                        field: None,
                        action: Action::Warning,
                        problem: format!(
                            "its {parent_level} {parent} is not in the loaded {parent_level} layer (different years, or a merger?)"
                        ),
                    });
                }
            }
        }
    }
}

fn placement_report(dataset: &Dataset) -> PlacementReport {
    let facilities = dataset.voorzieningen();
    let mut inside = BTreeMap::new();
    for level in AreaLevel::ALL {
        if dataset.areas(level).is_empty() {
            continue;
        }
        let n = facilities
            .iter()
            .filter(|v| match level {
                AreaLevel::Gemeente => v.containing.gemeente.is_some(),
                AreaLevel::Wijk => v.containing.wijk.is_some(),
                AreaLevel::Buurt => v.containing.buurt.is_some(),
            })
            .count();
        inside.insert(level.to_string(), n as u64);
    }
    let any_areas = AreaLevel::ALL.iter().any(|l| !dataset.areas(*l).is_empty());
    PlacementReport {
        facilities: facilities.len() as u64,
        inside,
        outside_every_area: facilities
            .iter()
            .filter(|v| any_areas && v.containing.is_empty())
            .map(|v| format!("{} ({})", v.id, v.name))
            .collect(),
    }
}

/// The bundled data directory: `./data` when run from a checkout, else the one the
/// binary was built from.
pub fn default_data_dir() -> PathBuf {
    let local = PathBuf::from("data");
    if local.join(MANIFEST_FILE).exists() {
        local
    } else {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data"))
    }
}

/// Entry points for the fuzz targets in `fuzz/`: the readers of outside input on bytes
/// in memory instead of files. Not an API; the loader goes through [`load_dir`].
#[doc(hidden)]
pub mod fuzzing {
    use super::report::SourceReport;
    use super::{areas, geojson_file, geometry, voorzieningen, wkb, SeenCodes};
    use crate::crs::Crs;
    use crate::model::{AreaLevel, Category, SourceId};
    use std::collections::HashSet;
    use std::path::Path;

    pub use super::wkb::{Polygons, WkbError};

    const PATH: &str = "fuzz.geojson";

    /// An area layer from GeoJSON text: (areas with an outline, areas without), and the
    /// report of the records read.
    pub fn areas_geojson(
        text: &str,
        level: AreaLevel,
        crs: Option<Crs>,
    ) -> (Result<(usize, usize), super::SourceError>, SourceReport) {
        let path = Path::new(PATH);
        let mut report = SourceReport::new("fuzz", path.into(), "areas");
        let src = areas::AreaSource {
            path,
            id: SourceId(0),
            level,
            crs,
            year: None,
            code_field: None,
            name_field: None,
            layer: None,
        };
        let result = geojson_file::parse(text, path).and_then(|(fc, declared)| {
            let mut seen = SeenCodes::new();
            areas::from_collection(&src, &fc, declared, &mut seen, "fuzz", &mut report)
        });
        (
            result.map(|layer| (layer.located.len(), layer.unlocated.len())),
            report,
        )
    }

    /// Voorzieningen from GeoJSON text: how many were kept, and the report.
    pub fn voorzieningen_geojson(
        text: &str,
        crs: Option<Crs>,
        default_category: Option<Category>,
    ) -> (Result<usize, super::SourceError>, SourceReport) {
        let path = Path::new(PATH);
        let mut report = SourceReport::new("fuzz", path.into(), "voorzieningen");
        let src = voorzieningen::FacilitySource {
            path,
            id: SourceId(0),
            crs,
            default_category,
        };
        let result = geojson_file::parse(text, path).and_then(|(fc, declared)| {
            let mut seen = HashSet::new();
            voorzieningen::from_collection(&src, &fc, declared, &mut seen, &mut report)
        });
        (result.map(|v| v.len()), report)
    }

    /// A WKB geometry (`gpkg`: inside a GeoPackage blob header), decoded and then read as
    /// an area outline the way the GeoPackage reader does: checked, repaired, reprojected.
    /// Returns the number of polygons kept.
    pub fn wkb_area(bytes: &[u8], gpkg: bool, crs: Crs) -> Result<usize, String> {
        let polygons = if gpkg {
            wkb::decode_gpkg(bytes)
        } else {
            wkb::decode_wkb(bytes)
        }
        .map_err(|e| e.to_string())?;
        let mut repairs = Vec::new();
        geometry::area_geometry_from_polygons(&polygons, crs, &mut repairs)
            .map(|g| g.rd.0.len())
            .map_err(|e| e.to_string())
    }
}
