//! Facility sources in the wijkatlas voorzieningen GeoJSON schema.
//!
//! Properties: `id`, `name`, `category` (a taxonomy key or Dutch label), `subtype`,
//! `address`, `postcode`, `city`, `precision` (exact | address | postcode_area |
//! unknown) and `capacity`. Registers in other shapes arrive through their own readers.

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
    let mut out = Vec::with_capacity(fc.features.len());
    let mut outside = geometry::OutsideTally::default();

    for (i, feature) in fc.features.iter().enumerate() {
        let record = i as u64 + 1;
        report.read += 1;
        report.kept += 1;
        let props = feature.properties.as_ref().unwrap_or(&empty);
        let text = |key: &str| props.get(key).and_then(values::text);
        let issue =
            |report: &mut SourceReport, id: Option<&str>, field: &str, action, problem: String| {
                report.issue(Issue {
                    record,
                    id: id.map(str::to_string),
                    field: Some(field.to_string()),
                    action,
                    problem,
                })
            };

        let Some(id) = geojson_file::feature_id(feature, "id") else {
            issue(
                report,
                None,
                "id",
                Action::Rejected,
                "no id: a voorziening needs a stable id".into(),
            );
            continue;
        };
        if !seen_ids.insert(id.clone()) {
            issue(
                report,
                Some(&id),
                "id",
                Action::Rejected,
                "duplicate id".into(),
            );
            continue;
        }
        let category = match text("category") {
            Some(c) => match c.parse::<Category>() {
                Ok(c) => c,
                Err(e) => {
                    issue(
                        report,
                        Some(&id),
                        "category",
                        Action::Rejected,
                        e.to_string(),
                    );
                    continue;
                }
            },
            None => {
                match src.default_category {
                    Some(c) => c,
                    None => {
                        issue(report, Some(&id), "category", Action::Rejected,
                        "no category, and the manifest sets no default category for this source".into());
                        continue;
                    }
                }
            }
        };
        let location = match geometry::point(feature.geometry.as_ref(), crs) {
            Ok(PointIn::Wgs84(w)) => Location::from_wgs84(w),
            Ok(PointIn::Rd(r)) => Location::from_rd(r),
            Err(problem) => {
                outside.note(&problem);
                issue(
                    report,
                    Some(&id),
                    "geometry",
                    Action::Rejected,
                    problem.to_string(),
                );
                continue;
            }
        };
        let precision = match text("precision") {
            None => LocationPrecision::Unknown,
            Some(p) => match serde_json::from_value(serde_json::Value::String(p.clone())) {
                Ok(p) => p,
                Err(_) => {
                    issue(report, Some(&id), "precision", Action::Warning,
                        format!("unknown precision '{p}' (exact, address, postcode_area, unknown); read as unknown"));
                    LocationPrecision::Unknown
                }
            },
        };
        let capacity = match props.get("capacity").map(values::number) {
            None | Some(Number::Missing) => None,
            Some(Number::Present(c)) if c >= 0.0 => Some(c),
            Some(_) => {
                issue(
                    report,
                    Some(&id),
                    "capacity",
                    Action::ValueDropped,
                    "capacity is not a non-negative number; read as missing".into(),
                );
                None
            }
        };
        let name = text("name").unwrap_or_else(|| {
            issue(
                report,
                Some(&id),
                "name",
                Action::Warning,
                "no name; the category is used".into(),
            );
            category.label().to_string()
        });
        out.push(Voorziening {
            id,
            category,
            subtype: text("subtype"),
            name,
            address: Address {
                street: text("address"),
                postcode: text("postcode"),
                city: text("city"),
            },
            location,
            precision,
            capacity,
            source: src.id,
            containing: Containing::default(),
        });
    }

    outside.check(src.path, report.read, crs)?;
    Ok(out)
}
