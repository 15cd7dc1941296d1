//! Area sources: polygons of one level with their key figures, from GeoJSON.

use super::error::SourceError;
use super::geometry::{self, GeometryProblem};
use super::report::{Action, Issue, SourceReport};
use super::values::{self, Number};
use super::{geojson_file, SeenCodes};
use crate::crs::Crs;
use crate::model::{
    Area, AreaCode, AreaGeometry, AreaLevel, ExtraProperties, Figure, KeyFigures, SourceId,
    UnlocatedArea,
};
use geo::{Centroid, Contains, InteriorPoint, MultiPolygon, Point};
use std::path::Path;

/// Options for one area source, from its manifest entry.
pub struct AreaSource<'a> {
    pub path: &'a Path,
    pub id: SourceId,
    pub level: AreaLevel,
    pub crs: Option<Crs>,
    pub year: Option<u16>,
    pub code_field: Option<&'a str>,
    pub name_field: Option<&'a str>,
    /// GeoPackage layer name.
    pub layer: Option<&'a str>,
}

/// Columns tried, in order, for the code and name of each level in each CBS family.
pub(super) fn code_columns(level: AreaLevel) -> &'static [&'static str] {
    match level {
        AreaLevel::Gemeente => &[
            "gemeentecode",
            "GM_CODE",
            "gemeenteCode",
            "statcode",
            "code",
        ],
        AreaLevel::Wijk => &["wijkcode", "WK_CODE", "wijkCode", "statcode", "code"],
        AreaLevel::Buurt => &[
            "buurtcode",
            "BU_CODE",
            "buurtCode",
            "cbsCode",
            "statcode",
            "code",
            "id",
        ],
    }
}

fn name_columns(level: AreaLevel) -> &'static [&'static str] {
    match level {
        AreaLevel::Gemeente => &[
            "gemeentenaam",
            "GM_NAAM",
            "gemeenteNaam",
            "statnaam",
            "naam",
            "name",
        ],
        AreaLevel::Wijk => &[
            "wijknaam", "WK_NAAM", "wijkNaam", "statnaam", "naam", "name",
        ],
        AreaLevel::Buurt => &[
            "buurtnaam",
            "BU_NAAM",
            "buurtNaam",
            "statnaam",
            "naam",
            "name",
        ],
    }
}

/// Columns that describe the area's place in the hierarchy rather than a figure.
const HIERARCHY_COLUMNS: &[&str] = &[
    "gemeentecode",
    "gemeentenaam",
    "wijkcode",
    "wijknaam",
    "buurtcode",
    "buurtnaam",
    "GM_CODE",
    "GM_NAAM",
    "WK_CODE",
    "WK_NAAM",
    "BU_CODE",
    "BU_NAAM",
    "jaar",
];

pub(super) fn find_column<'m>(
    props: &'m serde_json::Map<String, serde_json::Value>,
    explicit: Option<&str>,
    candidates: &[&str],
) -> Option<(&'m str, &'m serde_json::Value)> {
    let wanted: Vec<&str> = explicit
        .map(|e| vec![e])
        .unwrap_or_else(|| candidates.to_vec());
    wanted.iter().find_map(|w| {
        props
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(w))
            .map(|(k, v)| (k.as_str(), v))
    })
}

/// Builds areas from records of any format: properties plus a geometry to decode.
pub struct AreaRecords<'a> {
    src: &'a AreaSource<'a>,
    crs: Crs,
    source_name: &'a str,
    areas: Vec<Area>,
    unlocated: Vec<UnlocatedArea>,
    outside: geometry::OutsideTally,
    /// The geometry's column as the source names it, for the report.
    geometry_field: String,
}

/// The areas of one source: those with an outline, and those listed without one.
#[derive(Debug, Default)]
pub struct AreaLayer {
    pub located: Vec<Area>,
    pub unlocated: Vec<UnlocatedArea>,
}

impl<'a> AreaRecords<'a> {
    pub fn new(src: &'a AreaSource<'a>, crs: Crs, source_name: &'a str) -> Self {
        AreaRecords {
            src,
            crs,
            source_name,
            areas: Vec::new(),
            unlocated: Vec::new(),
            outside: geometry::OutsideTally::default(),
            geometry_field: "geometry".into(),
        }
    }

    /// Names the geometry column in issues (a database's `geom`, say).
    pub fn with_geometry_field(mut self, column: &str) -> Self {
        self.geometry_field = column.to_string();
        self
    }

    /// Reads one record; `geometry` decodes its outline in the source CRS.
    pub fn record(
        &mut self,
        record: u64,
        props: &serde_json::Map<String, serde_json::Value>,
        geometry: impl FnOnce(Crs, &mut Vec<geometry::Repair>) -> Result<AreaGeometry, GeometryProblem>,
        seen: &mut SeenCodes,
        report: &mut SourceReport,
    ) {
        self.record_keyed(record, None, props, geometry, seen, report)
    }

    /// [`Self::record`] for a source whose rows have a key of their own (a database's
    /// primary key): a record rejected before its code is known is named by it.
    pub fn record_keyed(
        &mut self,
        record: u64,
        row_key: Option<&str>,
        props: &serde_json::Map<String, serde_json::Value>,
        geometry: impl FnOnce(Crs, &mut Vec<geometry::Repair>) -> Result<AreaGeometry, GeometryProblem>,
        seen: &mut SeenCodes,
        report: &mut SourceReport,
    ) {
        report.read += 1;
        report.kept += 1;
        let Ok((code_col, code)) = self.code(record, row_key, props, seen, report) else {
            return;
        };
        let Ok(placed) = self.place(record, code, geometry, report) else {
            return;
        };
        let src = self.src;
        let name_col = find_column(props, src.name_field, name_columns(src.level));
        let name = name_or_code(name_col, code, record, report);
        check_parents(props, code, src.level, record, report);

        let mut figures = KeyFigures::default();
        let mut extra = ExtraProperties::new();
        let skip = |column: &str| {
            column == code_col
                || name_col.is_some_and(|(c, _)| c == column)
                || HIERARCHY_COLUMNS
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(column))
        };
        read_properties(props, skip, record, code, &mut figures, &mut extra, report);

        let year = src.year.or_else(|| {
            props
                .get("jaar")
                .and_then(|v| v.as_u64())
                .and_then(|y| u16::try_from(y).ok())
        });
        let gemeente_name = props.get("gemeentenaam").and_then(values::text);
        seen.insert(
            code,
            format!("source '{}' record {record}", self.source_name),
        );
        match placed {
            Some((geometry, interior_point_rd)) => self.areas.push(Area {
                code,
                name,
                gemeente_name,
                geometry,
                interior_point_rd,
                figures,
                extra,
                year,
                source: src.id,
            }),
            None => self.unlocated.push(UnlocatedArea {
                code,
                name,
                gemeente_name,
                figures,
                extra,
                year,
                source: src.id,
            }),
        }
    }

    /// The record's CBS code and the column it is in; a record without a valid code, or
    /// with one already taken, is rejected.
    fn code<'p>(
        &self,
        record: u64,
        row_key: Option<&str>,
        props: &'p serde_json::Map<String, serde_json::Value>,
        seen: &SeenCodes,
        report: &mut SourceReport,
    ) -> Result<(&'p str, AreaCode), Rejected> {
        let src = self.src;
        let Some((code_col, code_value)) =
            find_column(props, src.code_field, code_columns(src.level))
        else {
            let looked = src
                .code_field
                .map(|c| vec![c])
                .unwrap_or_else(|| code_columns(src.level).to_vec());
            return Err(reject(
                report,
                record,
                row_key.map(str::to_string),
                None,
                format!("no CBS code (looked for columns {})", looked.join(", ")),
            ));
        };
        let code_text = values::text(code_value).unwrap_or_default();
        let code = match AreaCode::parse_at(&code_text, src.level) {
            Ok(c) => c,
            Err(e) => {
                let id = match (code_text.is_empty(), row_key) {
                    (true, Some(key)) => key.to_string(),
                    _ => code_text,
                };
                return Err(reject(
                    report,
                    record,
                    Some(id),
                    Some(code_col),
                    e.to_string(),
                ));
            }
        };
        if let Some(first) = seen.get(&code) {
            return Err(reject(
                report,
                record,
                Some(code.to_string()),
                Some(code_col),
                format!("duplicate code; first seen in {first}"),
            ));
        }
        Ok((code_col, code))
    }

    /// The record's outline (repaired where needed) and its demand point; `None` for a
    /// record without geometry, which is kept without an outline.
    fn place(
        &mut self,
        record: u64,
        code: AreaCode,
        geometry: impl FnOnce(Crs, &mut Vec<geometry::Repair>) -> Result<AreaGeometry, GeometryProblem>,
        report: &mut SourceReport,
    ) -> Result<Option<(AreaGeometry, Point)>, Rejected> {
        let geometry_field: &str = &self.geometry_field;
        let mut repairs = Vec::new();
        let geometry = match geometry(self.crs, &mut repairs) {
            Ok(g) => g,
            // A record without any geometry is still an area with figures: keep it and
            // serve it without an outline, rather than lose its figures.
            Err(GeometryProblem::Missing) => {
                report.issue(Issue {
                    record,
                    id: Some(code.to_string()),
                    field: Some(geometry_field.into()),
                    action: Action::Warning,
                    problem: "no geometry: served with \"geometry\": null, left out of maps, lookups and analysis".into(),
                });
                return Ok(None);
            }
            Err(problem) => {
                self.outside.note(&problem);
                return Err(reject(
                    report,
                    record,
                    Some(code.to_string()),
                    Some(geometry_field),
                    problem.to_string(),
                ));
            }
        };
        if !repairs.is_empty() {
            report.issue(Issue {
                record,
                id: Some(code.to_string()),
                field: Some(geometry_field.into()),
                action: Action::Repaired,
                problem: describe_repairs(&repairs).join("; "),
            });
        }
        let Some(interior_point_rd) = demand_point(&geometry.rd) else {
            return Err(reject(
                report,
                record,
                Some(code.to_string()),
                Some(geometry_field),
                "polygon has no interior".into(),
            ));
        };
        Ok(Some((geometry, interior_point_rd)))
    }

    /// The areas read, or an error when no record at all lay in the Netherlands.
    pub fn finish(self, report: &SourceReport) -> Result<AreaLayer, SourceError> {
        self.outside.check(self.src.path, report.read, self.crs)?;
        Ok(AreaLayer {
            located: self.areas,
            unlocated: self.unlocated,
        })
    }
}

/// A record turned away; its reason is in the report.
struct Rejected;

fn reject(
    report: &mut SourceReport,
    record: u64,
    id: Option<String>,
    field: Option<&str>,
    problem: String,
) -> Rejected {
    report.issue(Issue {
        record,
        id,
        field: field.map(str::to_string),
        action: Action::Rejected,
        problem,
    });
    Rejected
}

/// The area's name, or its code (with a warning) when the record has none.
fn name_or_code(
    name_col: Option<(&str, &serde_json::Value)>,
    code: AreaCode,
    record: u64,
    report: &mut SourceReport,
) -> String {
    match name_col.and_then(|(_, v)| values::text(v)) {
        Some(n) => n,
        None => {
            report.issue(Issue {
                record,
                id: Some(code.to_string()),
                field: name_col.map(|(c, _)| c.to_string()),
                action: Action::Warning,
                problem: "no name; the code is used as its name".into(),
            });
            code.to_string()
        }
    }
}

/// Checks the gemeente (and, for a buurt, the wijk) a record names against its code.
fn check_parents(
    props: &serde_json::Map<String, serde_json::Value>,
    code: AreaCode,
    level: AreaLevel,
    record: u64,
    report: &mut SourceReport,
) {
    if level != AreaLevel::Gemeente {
        check_parent(
            props,
            code,
            AreaLevel::Gemeente,
            "gemeentecode",
            record,
            report,
        );
    }
    if level == AreaLevel::Buurt {
        check_parent(props, code, AreaLevel::Wijk, "wijkcode", record, report);
    }
}

/// Reads an area layer from a GeoJSON FeatureCollection.
pub fn read(
    src: &AreaSource<'_>,
    seen: &mut SeenCodes,
    source_name: &str,
    report: &mut SourceReport,
) -> Result<AreaLayer, SourceError> {
    let (fc, declared) = geojson_file::read(src.path)?;
    from_collection(src, &fc, declared, seen, source_name, report)
}

/// Reads an area layer from a FeatureCollection already parsed; `declared` is the CRS
/// the file names, if any.
pub(super) fn from_collection(
    src: &AreaSource<'_>,
    fc: &geojson::FeatureCollection,
    declared: Option<Crs>,
    seen: &mut SeenCodes,
    source_name: &str,
    report: &mut SourceReport,
) -> Result<AreaLayer, SourceError> {
    let crs = src.crs.or(declared).unwrap_or(Crs::Crs84);
    let empty = serde_json::Map::new();
    let mut records = AreaRecords::new(src, crs, source_name);
    for (i, feature) in fc.features.iter().enumerate() {
        let props = feature.properties.as_ref().unwrap_or(&empty);
        records.record(
            i as u64 + 1,
            props,
            |crs, repairs| geometry::area_geometry(feature.geometry.as_ref(), crs, repairs),
            seen,
            report,
        );
    }
    records.finish(report)
}

/// Sorts a record's columns into key figures (through the alias table) and extra
/// properties, turning CBS nodata into missing values and counting it.
pub(super) fn read_properties(
    props: &serde_json::Map<String, serde_json::Value>,
    skip: impl Fn(&str) -> bool,
    record: u64,
    code: AreaCode,
    figures: &mut KeyFigures,
    extra: &mut ExtraProperties,
    report: &mut SourceReport,
) {
    let mut seen_here = Vec::new();
    for (column, value) in props {
        if skip(column) {
            continue;
        }
        // The first column of a record that names a figure wins; a second one is extra.
        match Figure::from_column(column).filter(|f| !seen_here.contains(f)) {
            Some(figure) => {
                seen_here.push(figure);
                read_figure(figures, figure, column, value, record, code, report);
            }
            None => {
                // A CBS nodata code is never a value, whatever the column.
                let kept = match values::number(value) {
                    values::Number::Missing if !value.is_null() => {
                        report.count_nodata(column);
                        serde_json::Value::Null
                    }
                    _ => value.clone(),
                };
                extra.insert(column.clone(), kept);
            }
        }
    }
    extra.shrink_to_fit();
}

fn read_figure(
    figures: &mut KeyFigures,
    figure: Figure,
    column: &str,
    value: &serde_json::Value,
    record: u64,
    code: AreaCode,
    report: &mut SourceReport,
) {
    let dropped = |report: &mut SourceReport, problem: String| {
        report.issue(Issue {
            record,
            id: Some(code.to_string()),
            field: Some(column.to_string()),
            action: Action::ValueDropped,
            problem,
        })
    };
    match values::number(value) {
        Number::Present(v) => {
            let (lo, hi) = figure.quantity().range();
            if v < lo || v > hi {
                let unit = figure.quantity().unit();
                dropped(
                    report,
                    format!(
                        "{v}{unit} is out of range for {} ({lo}–{hi}{unit}); read as missing",
                        figure.label()
                    ),
                );
            } else {
                figures.set(figure, Some(v));
            }
        }
        Number::Missing => report.count_nodata(column),
        Number::Invalid => dropped(
            report,
            format!("'{value}' is not a number; read as missing"),
        ),
    }
}

fn check_parent(
    props: &serde_json::Map<String, serde_json::Value>,
    code: AreaCode,
    level: AreaLevel,
    column: &str,
    record: u64,
    report: &mut SourceReport,
) {
    let Some(given) = props.get(column).and_then(values::text) else {
        return;
    };
    let expected = code.ancestor(level);
    if given.parse::<AreaCode>().ok() != expected {
        report.issue(Issue {
            record,
            id: Some(code.to_string()),
            field: Some(column.to_string()),
            action: Action::Warning,
            problem: format!(
                "says its {level} is {given}, but its code places it in {}; the code is used",
                expected.map(|c| c.to_string()).unwrap_or_default()
            ),
        });
    }
}

/// "closed 2 rings; dropped 9 rings …": one line per kind of repair, with its count.
fn describe_repairs(repairs: &[geometry::Repair]) -> Vec<String> {
    let mut lines: Vec<(String, usize)> = Vec::new();
    for r in repairs {
        let text = r.to_string();
        match lines.iter_mut().find(|(t, _)| *t == text) {
            Some((_, n)) => *n += 1,
            None => lines.push((text, 1)),
        }
    }
    lines
        .into_iter()
        .map(|(t, n)| if n == 1 { t } else { format!("{t} (×{n})") })
        .collect()
}

/// A point on the area's surface, near its middle: the centroid when it lies inside
/// (nearly always, and cheap), else geo's interior point (a full sweep per polygon).
fn demand_point(rd: &MultiPolygon<f64>) -> Option<Point<f64>> {
    rd.centroid()
        .filter(|c| rd.contains(c))
        .or_else(|| rd.interior_point())
}
