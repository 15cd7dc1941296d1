//! One trait every kind of source implements, and the choice of implementation for a
//! manifest entry.
//!
//! A source reads its file or table into the dataset being built ([`Loading`]) and
//! records each record's fate in its report. Which implementation reads an entry
//! depends on its kind and its format (the file's extension, or a PostGIS table), and is
//! decided once, in [`for_entry`]; `load_dir` only runs them in order.

use super::manifest::{FacilityFormat, PostgisSettings, SourceKind, SourceSpec, Vintage};
use super::postgis::{Database, PostgisError};
use super::report::SourceReport;
use super::{
    areas, dwellings, figures_csv, geopackage, osm, postcodes, postgis, register, voorzieningen,
    SeenCodes, SourceError,
};
use crate::model::{
    Area, AreaLevel, Dwelling, EarlierAreas, Postcode, SourceId, UnlocatedArea, Voorziening,
};
use crate::routing::Networks;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// Reads one source into the dataset being loaded.
pub(super) trait Source {
    fn read(&self, into: &mut Loading<'_>, report: &mut SourceReport) -> Result<(), SourceError>;
}

/// The dataset while sources are read into it, with what sources share: the codes and
/// ids already taken, the postcode table registers geocode with, one database
/// connection, one routing network.
pub(super) struct Loading<'m> {
    pub areas: [Vec<Area>; 3],
    pub unlocated: [Vec<UnlocatedArea>; 3],
    pub earlier: Vec<EarlierAreas>,
    pub facilities: Vec<Voorziening>,
    pub postcodes: BTreeMap<u16, Postcode>,
    pub dwellings: Vec<Dwelling>,
    pub routing: Option<Arc<Networks>>,
    seen_codes: SeenCodes,
    seen_ids: HashSet<String>,
    postgis: &'m PostgisSettings,
    /// Opened at the first PostGIS source, and shared by the rest.
    database: Option<Result<Database, PostgisError>>,
}

impl<'m> Loading<'m> {
    pub fn new(postgis: &'m PostgisSettings) -> Self {
        Loading {
            areas: Default::default(),
            unlocated: Default::default(),
            earlier: Vec::new(),
            facilities: Vec::new(),
            postcodes: BTreeMap::new(),
            dwellings: Vec::new(),
            routing: None,
            seen_codes: SeenCodes::new(),
            seen_ids: HashSet::new(),
            postgis,
            database: None,
        }
    }

    /// The load's database connection, opened on first use; a connection that failed
    /// fails every PostGIS source with the same reason.
    fn database(&mut self) -> Result<&mut Database, SourceError> {
        let settings = self.postgis;
        match self
            .database
            .get_or_insert_with(|| Database::open(settings))
        {
            Ok(db) => Ok(db),
            Err(e) => Err(e.clone().into()),
        }
    }

    /// Keeps a layer of areas: today's with the rest of their level, an earlier year's
    /// apart (it repeats today's codes).
    fn keep_areas(&mut self, layer: areas::AreaLayer, src: &AreaSource<'_>) {
        match (src.vintage, src.options.year) {
            (Vintage::Earlier, Some(year)) => self.earlier.push(EarlierAreas {
                level: src.options.level,
                year,
                source: src.options.id,
                areas: layer.located,
            }),
            _ => {
                let level = src.options.level.index();
                self.areas[level].extend(layer.located);
                self.unlocated[level].extend(layer.unlocated);
            }
        }
    }
}

/// The implementation that reads `spec` (found at `path`), or why none can.
pub(super) fn for_entry<'a>(
    spec: &'a SourceSpec,
    path: &'a Path,
    id: SourceId,
) -> Result<Box<dyn Source + 'a>, SourceError> {
    let unsupported = |kind: &'static str| SourceError::UnsupportedFormat {
        path: path.to_path_buf(),
        extension: extension(path),
        kind,
    };
    let facility = |default_category| voorzieningen::FacilitySource {
        path,
        id,
        crs: spec.crs,
        default_category,
    };
    Ok(match &spec.kind {
        SourceKind::Areas {
            level,
            code_field,
            name_field,
            layer,
            vintage,
        } => {
            let src = AreaSource {
                name: &spec.name,
                vintage: *vintage,
                options: areas::AreaSource {
                    path,
                    id,
                    level: *level,
                    crs: spec.crs,
                    year: spec.year,
                    code_field: code_field.as_deref(),
                    name_field: name_field.as_deref(),
                    layer: layer.as_deref(),
                },
            };
            match (&spec.postgis, extension(path).as_str()) {
                (Some(table), _) => Box::new(PostgisAreas { src, table }),
                (None, "gpkg") => Box::new(GeoPackageAreas(src)),
                (None, "geojson" | "json") => Box::new(GeoJsonAreas(src)),
                (None, _) => return Err(unsupported("areas (use .gpkg, .geojson or .json)")),
            }
        }
        SourceKind::Voorzieningen { category, format } => match (&spec.postgis, format) {
            (Some(table), _) => Box::new(PostgisFacilities {
                src: facility(*category),
                table,
            }),
            (None, FacilityFormat::GeoJson) => Box::new(GeoJsonFacilities(facility(*category))),
            (None, FacilityFormat::OsmPbf(options)) => {
                Box::new(OsmExtract(osm::OsmSource { path, id, options }))
            }
            (None, FacilityFormat::Register(options)) => Box::new(Register {
                path,
                name: &spec.name,
                id,
                spec,
                options,
            }),
        },
        SourceKind::Woningen { social_field } => {
            check_extension(path, &["geojson", "json", "csv"], "woningen")?;
            Box::new(DwellingFile(dwellings::DwellingSource {
                path,
                id,
                crs: spec.crs,
                social_field: social_field.as_deref(),
            }))
        }
        SourceKind::Figures { level, code_field } => {
            check_extension(path, &["csv", "txt"], "figures")?;
            Box::new(FiguresTable(figures_csv::FiguresSource {
                path,
                level: *level,
                code_field: code_field.as_deref(),
            }))
        }
        SourceKind::Postcodes => {
            check_extension(path, &["csv"], "postcodes")?;
            Box::new(PostcodeTable(path))
        }
    })
}

/// An area source in any format: the reader's options, and what decides where its
/// areas go.
struct AreaSource<'a> {
    options: areas::AreaSource<'a>,
    /// The manifest's name for the source, which the readers put in their messages.
    name: &'a str,
    vintage: Vintage,
}

impl AreaSource<'_> {
    /// The codes this layer must not repeat: today's across all sources, an earlier
    /// year's only within itself.
    fn codes<'s>(&self, shared: &'s mut SeenCodes, own: &'s mut SeenCodes) -> &'s mut SeenCodes {
        match self.vintage {
            Vintage::Current => shared,
            Vintage::Earlier => own,
        }
    }
}

struct GeoJsonAreas<'a>(AreaSource<'a>);

impl Source for GeoJsonAreas<'_> {
    fn read(&self, into: &mut Loading<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let mut own = SeenCodes::new();
        let seen = self.0.codes(&mut into.seen_codes, &mut own);
        let layer = areas::read(&self.0.options, seen, self.0.name, report)?;
        into.keep_areas(layer, &self.0);
        Ok(())
    }
}

struct GeoPackageAreas<'a>(AreaSource<'a>);

impl Source for GeoPackageAreas<'_> {
    fn read(&self, into: &mut Loading<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let mut own = SeenCodes::new();
        let seen = self.0.codes(&mut into.seen_codes, &mut own);
        let layer = geopackage::read(&self.0.options, seen, self.0.name, report)?;
        into.keep_areas(layer, &self.0);
        Ok(())
    }
}

struct PostgisAreas<'a> {
    src: AreaSource<'a>,
    table: &'a super::PostgisLayer,
}

impl Source for PostgisAreas<'_> {
    fn read(&self, into: &mut Loading<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let mut own = SeenCodes::new();
        // The connection and the seen codes are both the load's: take the codes out
        // while the connection is borrowed.
        let mut shared = std::mem::take(&mut into.seen_codes);
        let read = into.database().and_then(|db| {
            let seen = self.src.codes(&mut shared, &mut own);
            postgis::read_areas(
                db,
                self.table,
                &self.src.options,
                seen,
                self.src.name,
                report,
            )
        });
        into.seen_codes = shared;
        into.keep_areas(read?, &self.src);
        Ok(())
    }
}

struct GeoJsonFacilities<'a>(voorzieningen::FacilitySource<'a>);

impl Source for GeoJsonFacilities<'_> {
    fn read(&self, into: &mut Loading<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let read = voorzieningen::read(&self.0, &mut into.seen_ids, report)?;
        into.facilities.extend(read);
        Ok(())
    }
}

struct PostgisFacilities<'a> {
    src: voorzieningen::FacilitySource<'a>,
    table: &'a super::PostgisLayer,
}

impl Source for PostgisFacilities<'_> {
    fn read(&self, into: &mut Loading<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let mut seen_ids = std::mem::take(&mut into.seen_ids);
        let read = into.database().and_then(|db| {
            postgis::read_facilities(db, self.table, &self.src, &mut seen_ids, report)
        });
        into.seen_ids = seen_ids;
        into.facilities.extend(read?);
        Ok(())
    }
}

/// An OpenStreetMap extract: its care and welfare facilities, and the routing graphs
/// when the entry asks for them.
struct OsmExtract<'a>(osm::OsmSource<'a>);

impl Source for OsmExtract<'_> {
    fn read(&self, into: &mut Loading<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let read = osm::read(&self.0, &mut into.seen_ids, report)?;
        into.facilities.extend(read);
        if self.0.options.routing {
            super::routing_graphs(self.0.path, &mut into.routing, report);
        }
        Ok(())
    }
}

/// A register (CSV or XLSX), geocoded by coordinates or by the postcode table.
struct Register<'a> {
    path: &'a Path,
    name: &'a str,
    id: SourceId,
    spec: &'a SourceSpec,
    options: &'a super::RegisterOptions,
}

impl Source for Register<'_> {
    fn read(&self, into: &mut Loading<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let default_category = match self.spec.kind {
            SourceKind::Voorzieningen { category, .. } => category,
            _ => None,
        };
        let src = register::RegisterSource {
            path: self.path,
            name: self.name,
            id: self.id,
            crs: self.spec.crs,
            default_category,
            options: self.options,
            postcodes: &into.postcodes,
        };
        let read = register::read(&src, &mut into.seen_ids, report)?;
        into.facilities.extend(read);
        Ok(())
    }
}

struct DwellingFile<'a>(dwellings::DwellingSource<'a>);

impl Source for DwellingFile<'_> {
    fn read(&self, into: &mut Loading<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let read = dwellings::read(&self.0, report)?;
        into.dwellings.extend(read);
        Ok(())
    }
}

/// CBS key figures in CSV, joined onto the areas of their level by code.
struct FiguresTable<'a>(figures_csv::FiguresSource<'a>);

impl Source for FiguresTable<'_> {
    fn read(&self, into: &mut Loading<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let level: AreaLevel = self.0.level;
        figures_csv::apply(&self.0, &mut into.areas[level.index()], report)
    }
}

struct PostcodeTable<'a>(&'a Path);

impl Source for PostcodeTable<'_> {
    fn read(&self, into: &mut Loading<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let table = postcodes::read(self.0, report)?;
        into.postcodes.extend(table);
        Ok(())
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn check_extension(path: &Path, allowed: &[&str], kind: &'static str) -> Result<(), SourceError> {
    let ext = extension(path);
    if allowed.contains(&ext.as_str()) {
        Ok(())
    } else {
        Err(SourceError::UnsupportedFormat {
            path: path.to_path_buf(),
            extension: ext,
            kind,
        })
    }
}
