//! Dwelling points: a BAG extract or a corporation's address list, with a social-rent flag.
//!
//! GeoJSON points, or CSV with `lon`/`lat` (WGS84) or `x`/`y` (RD New) columns. The flag
//! column is `sociale_huur` (or `social_rent`, `corporatie`) unless the manifest names it.

use super::error::SourceError;
use super::geojson_file;
use super::geometry::{self, PointIn};
use super::report::{Action, Issue, SourceReport};
use super::values;
use crate::crs::Crs;
use crate::model::{Containing, Dwelling, Location, SourceId};
use serde_json::{Map, Value};
use std::path::Path;

pub struct DwellingSource<'a> {
    pub path: &'a Path,
    pub id: SourceId,
    pub crs: Option<Crs>,
    pub social_field: Option<&'a str>,
}

const FLAG_COLUMNS: [&str; 4] = [
    "sociale_huur",
    "social_rent",
    "corporatie",
    "woningcorporatie",
];

/// Reads a yes/no the way Dutch and English registers write it.
fn flag(value: &Value) -> Result<Option<bool>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            _ => Err(format!("{n} is not a yes/no value")),
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "ja" | "j" | "yes" | "y" | "true" | "waar" | "1" => Ok(Some(true)),
            "nee" | "n" | "no" | "false" | "onwaar" | "0" => Ok(Some(false)),
            other => Err(format!(
                "'{other}' is not a yes/no value (ja/nee, true/false, 1/0)"
            )),
        },
        other => Err(format!("{other} is not a yes/no value")),
    }
}

struct Reader<'a> {
    src: &'a DwellingSource<'a>,
    out: Vec<Dwelling>,
    outside: geometry::OutsideTally,
}

impl Reader<'_> {
    fn record(
        &mut self,
        record: u64,
        props: &Map<String, Value>,
        point: Result<PointIn, geometry::GeometryProblem>,
        report: &mut SourceReport,
    ) {
        report.read += 1;
        report.kept += 1;
        let location = match point {
            Ok(PointIn::Wgs84(w)) => Location::from_wgs84(w),
            Ok(PointIn::Rd(r)) => Location::from_rd(r),
            Err(problem) => {
                self.outside.note(&problem);
                report.issue(Issue {
                    record,
                    id: None,
                    field: Some("geometry".into()),
                    action: Action::Rejected,
                    problem: problem.to_string(),
                });
                return;
            }
        };
        let column = match self.src.social_field {
            Some(f) => props.get_key_value(f),
            None => FLAG_COLUMNS.iter().find_map(|c| props.get_key_value(*c)),
        };
        let social_rent = match column.map(|(name, v)| (name, flag(v))) {
            None => None,
            Some((_, Ok(f))) => f,
            Some((name, Err(problem))) => {
                report.issue(Issue {
                    record,
                    id: None,
                    field: Some(name.clone()),
                    action: Action::ValueDropped,
                    problem: format!("{problem}; read as unknown"),
                });
                None
            }
        };
        self.out.push(Dwelling {
            location,
            social_rent,
            source: self.src.id,
            containing: Containing::default(),
        });
    }

    fn finish(self, report: &SourceReport) -> Result<Vec<Dwelling>, SourceError> {
        let crs = self.src.crs.unwrap_or(Crs::Crs84);
        self.outside.check(self.src.path, report.read, crs)?;
        Ok(self.out)
    }
}

pub fn read(
    src: &DwellingSource<'_>,
    report: &mut SourceReport,
) -> Result<Vec<Dwelling>, SourceError> {
    let mut reader = Reader {
        src,
        out: Vec::new(),
        outside: geometry::OutsideTally::default(),
    };
    let is_csv = src
        .path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        read_csv(&mut reader, report)?;
    } else {
        let (fc, declared) = geojson_file::read(src.path)?;
        let crs = src.crs.or(declared).unwrap_or(Crs::Crs84);
        let empty = Map::new();
        for (i, f) in fc.features.iter().enumerate() {
            let point = geometry::point(f.geometry.as_ref(), crs);
            reader.record(
                i as u64 + 1,
                f.properties.as_ref().unwrap_or(&empty),
                point,
                report,
            );
        }
    }
    reader.finish(report)
}

fn read_csv(reader: &mut Reader<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
    let path = reader.src.path;
    let csv_error = |line: u64, message: String| SourceError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| csv_error(1, e.to_string()))?;
    let headers = csv
        .headers()
        .map_err(|e| csv_error(1, e.to_string()))?
        .clone();
    let find = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (a, b, crs) = match (find("lon"), find("lat"), find("x"), find("y")) {
        (Some(lon), Some(lat), _, _) => (lon, lat, reader.src.crs.unwrap_or(Crs::Crs84)),
        (_, _, Some(x), Some(y)) => (x, y, reader.src.crs.unwrap_or(Crs::RdNew)),
        _ => {
            return Err(SourceError::MissingColumn {
                path: path.to_path_buf(),
                column: "lon and lat (WGS84), or x and y (RD New)".into(),
                found: headers.iter().collect::<Vec<_>>().join(", "),
            })
        }
    };
    for (i, row) in csv.records().enumerate() {
        let line = i as u64 + 2;
        let row = row.map_err(|e| csv_error(line, e.to_string()))?;
        let props: Map<String, Value> = headers
            .iter()
            .zip(row.iter())
            .map(|(h, v)| (h.to_string(), Value::String(v.to_string())))
            .collect();
        let number =
            |c: usize| match values::number(&Value::String(row.get(c).unwrap_or("").to_string())) {
                values::Number::Present(v) => Some(v),
                _ => None,
            };
        let point = match (number(a), number(b)) {
            (Some(x), Some(y)) => geometry::coordinate_pair(&[x, y], crs),
            _ => Err(geometry::GeometryProblem::NonFinite),
        };
        reader.record(line, &props, point, report);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_yes_and_no_in_both_languages() {
        assert_eq!(flag(&json!("Ja")), Ok(Some(true)));
        assert_eq!(flag(&json!("nee")), Ok(Some(false)));
        assert_eq!(flag(&json!(1)), Ok(Some(true)));
        assert_eq!(flag(&json!(false)), Ok(Some(false)));
        assert_eq!(flag(&json!("")), Ok(None));
        assert!(flag(&json!("misschien")).is_err());
    }
}
