//! Facility sources in the wijkatlas voorzieningen GeoJSON schema.
//!
//! Properties: `id`, `name`, `category` (a taxonomy key or Dutch label), `subtype`,
//! `address`, `postcode`, `city`, `precision` (exact | address | postcode_area |
//! unknown) and `capacity`; the Dutch names wijkatlas serves them under (`naam`,
//! `categorie`, `adres`, `plaats`, `precisie`, `capaciteit`) are read too. Registers in other shapes arrive through their own readers.

use super::error::SourceError;
use super::geojson_file;
use super::geometry::{self, PointIn};
use super::report::{Action, Issue, SourceReport};
use super::values::{self, Number};
use crate::crs::Crs;
use crate::model::{
    Address, Category, Containing, Location, LocationPrecision, SourceId, Voorziening,
};
use std::collections::HashSet;
use std::path::Path;

pub struct FacilitySource<'a> {
    pub path: &'a Path,
    pub id: SourceId,
    pub crs: Option<Crs>,
    pub default_category: Option<Category>,
}

pub fn read(
    src: &FacilitySource<'_>,
    seen_ids: &mut HashSet<String>,
    report: &mut SourceReport,
) -> Result<Vec<Voorziening>, SourceError> {
    let (fc, declared) = geojson_file::read(src.path)?;
    from_collection(src, &fc, declared, seen_ids, report)
}

/// Reads facilities from a FeatureCollection already parsed; `declared` is the CRS the
/// file names, if any.
pub(super) fn from_collection(
    src: &FacilitySource<'_>,
    fc: &geojson::FeatureCollection,
    declared: Option<Crs>,
    seen_ids: &mut HashSet<String>,
    report: &mut SourceReport,
) -> Result<Vec<Voorziening>, SourceError> {
    let crs = src.crs.or(declared).unwrap_or(Crs::Crs84);
    let empty = serde_json::Map::new();
    let mut records = FacilityRecords::new(src, crs, fc.features.len());
    for (i, feature) in fc.features.iter().enumerate() {
        records.record(
            i as u64 + 1,
            geojson_file::feature_id(feature, "id"),
            feature.properties.as_ref().unwrap_or(&empty),
            |crs| geometry::point(feature.geometry.as_ref(), crs),
            seen_ids,
            report,
        );
    }
    records.finish(report)
}

/// The first of these properties that has text: the schema's English name, then the
/// Dutch one wijkatlas serves (so its own export reads back).
fn text_of(props: &serde_json::Map<String, serde_json::Value>, keys: [&str; 2]) -> Option<String> {
    keys.iter()
        .find_map(|k| props.get(*k).and_then(values::text))
}

/// Builds facilities from records of any format: an id, properties and a point.
pub struct FacilityRecords<'a> {
    src: &'a FacilitySource<'a>,
    crs: Crs,
    out: Vec<Voorziening>,
    outside: geometry::OutsideTally,
    /// The geometry's column as the source names it, for the report.
    geometry_field: String,
}

impl<'a> FacilityRecords<'a> {
    pub fn new(src: &'a FacilitySource<'a>, crs: Crs, expected: usize) -> Self {
        FacilityRecords {
            src,
            crs,
            out: Vec::with_capacity(expected),
            outside: geometry::OutsideTally::default(),
            geometry_field: "geometry".into(),
        }
    }

    /// Names the geometry column in issues (a database's `geom`, say).
    pub fn with_geometry_field(mut self, column: &str) -> Self {
        self.geometry_field = column.to_string();
        self
    }

    /// Reads one record; `point` decodes its location in the source CRS.
    pub fn record(
        &mut self,
        record: u64,
        id: Option<String>,
        props: &serde_json::Map<String, serde_json::Value>,
        point: impl FnOnce(Crs) -> Result<PointIn, geometry::GeometryProblem>,
        seen_ids: &mut HashSet<String>,
        report: &mut SourceReport,
    ) {
        report.read += 1;
        report.kept += 1;
        let Some(id) = new_id(record, id, seen_ids, report) else {
            return;
        };
        let at = RecordAt { record, id: &id };
        let Some(category) = self.category(&at, props, report) else {
            return;
        };
        let Some(location) = self.location(&at, point, report) else {
            return;
        };
        let precision = precision(&at, props, report);
        let capacity = capacity(&at, props, report);
        let name = text_of(props, ["name", "naam"]).unwrap_or_else(|| {
            at.issue(
                report,
                "name",
                Action::Warning,
                "no name; the category is used".into(),
            );
            category.label().to_string()
        });
        self.out.push(Voorziening {
            id,
            category,
            subtype: props.get("subtype").and_then(values::text),
            name,
            address: Address {
                street: text_of(props, ["address", "adres"]),
                postcode: props.get("postcode").and_then(values::text),
                city: text_of(props, ["city", "plaats"]),
            },
            location,
            precision,
            capacity,
            source: self.src.id,
            containing: Containing::default(),
        });
    }

    /// The record's category, else the source's default; `None` (reported) when neither.
    fn category(
        &self,
        at: &RecordAt<'_>,
        props: &serde_json::Map<String, serde_json::Value>,
        report: &mut SourceReport,
    ) -> Option<Category> {
        let problem = match text_of(props, ["category", "categorie"]) {
            Some(c) => match c.parse::<Category>() {
                Ok(c) => return Some(c),
                Err(e) => e.to_string(),
            },
            None => match self.src.default_category {
                Some(c) => return Some(c),
                None => {
                    "no category, and the manifest sets no default category for this source".into()
                }
            },
        };
        at.issue(report, "category", Action::Rejected, problem);
        None
    }

    /// Where the record is; `None` (reported, and tallied when outside) when its
    /// geometry does not give a point.
    fn location(
        &mut self,
        at: &RecordAt<'_>,
        point: impl FnOnce(Crs) -> Result<PointIn, geometry::GeometryProblem>,
        report: &mut SourceReport,
    ) -> Option<Location> {
        match point(self.crs) {
            Ok(PointIn::Wgs84(w)) => Some(Location::from_wgs84(w)),
            Ok(PointIn::Rd(r)) => Some(Location::from_rd(r)),
            Err(problem) => {
                self.outside.note(&problem);
                at.issue(
                    report,
                    &self.geometry_field,
                    Action::Rejected,
                    problem.to_string(),
                );
                None
            }
        }
    }

    /// The facilities read, or an error when none lay in the Netherlands.
    pub fn finish(self, report: &SourceReport) -> Result<Vec<Voorziening>, SourceError> {
        self.outside.check(self.src.path, report.read, self.crs)?;
        Ok(self.out)
    }
}

/// The record's id when it has one no earlier record had; `None` (reported) otherwise.
fn new_id(
    record: u64,
    id: Option<String>,
    seen_ids: &mut HashSet<String>,
    report: &mut SourceReport,
) -> Option<String> {
    let Some(id) = id else {
        issue(
            report,
            record,
            None,
            "id",
            Action::Rejected,
            "no id: a voorziening needs a stable id".into(),
        );
        return None;
    };
    if !seen_ids.insert(id.clone()) {
        issue(
            report,
            record,
            Some(&id),
            "id",
            Action::Rejected,
            "duplicate id".into(),
        );
        return None;
    }
    Some(id)
}

/// The record's stated precision; unknown when it states none or one not in the list.
fn precision(
    at: &RecordAt<'_>,
    props: &serde_json::Map<String, serde_json::Value>,
    report: &mut SourceReport,
) -> LocationPrecision {
    let Some(p) = text_of(props, ["precision", "precisie"]) else {
        return LocationPrecision::Unknown;
    };
    serde_json::from_value(serde_json::Value::String(p.clone())).unwrap_or_else(|_| {
        at.issue(
            report,
            "precision",
            Action::Warning,
            format!(
                "unknown precision '{p}' (exact, address, postcode_area, unknown); read as unknown"
            ),
        );
        LocationPrecision::Unknown
    })
}

/// The record's capacity when it is a non-negative number; anything else is dropped
/// with a note.
fn capacity(
    at: &RecordAt<'_>,
    props: &serde_json::Map<String, serde_json::Value>,
    report: &mut SourceReport,
) -> Option<f64> {
    match ["capacity", "capaciteit"]
        .iter()
        .find_map(|k| props.get(*k).filter(|v| !v.is_null()))
        .map(values::number)
    {
        None | Some(Number::Missing) => None,
        Some(Number::Present(c)) if c >= 0.0 => Some(c),
        Some(_) => {
            at.issue(
                report,
                "capacity",
                Action::ValueDropped,
                "capacity is not a non-negative number; read as missing".into(),
            );
            None
        }
    }
}

/// The record being read, as its issues name it.
struct RecordAt<'r> {
    record: u64,
    id: &'r str,
}

impl RecordAt<'_> {
    fn issue(&self, report: &mut SourceReport, field: &str, action: Action, problem: String) {
        issue(report, self.record, Some(self.id), field, action, problem);
    }
}

fn issue(
    report: &mut SourceReport,
    record: u64,
    id: Option<&str>,
    field: &str,
    action: Action,
    problem: String,
) {
    report.issue(Issue {
        record,
        id: id.map(str::to_string),
        field: Some(field.to_string()),
        action,
        problem,
    })
}
