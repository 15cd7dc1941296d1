//! PC4 centroid tables: `pc4,lon,lat,places,gemeentecode`, WGS84.

use super::error::SourceError;
use super::geometry::{coordinate_pair, PointIn};
use super::report::{Action, Issue, SourceReport};
use crate::crs::Crs;
use crate::model::{AreaCode, Postcode};
use std::collections::BTreeMap;
use std::path::Path;

const REQUIRED: [&str; 3] = ["pc4", "lon", "lat"];

pub fn read(
    path: &Path,
    report: &mut SourceReport,
) -> Result<BTreeMap<u16, Postcode>, SourceError> {
    let csv_error = |line: u64, message: String| SourceError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(source) => SourceError::Io {
                path: path.to_path_buf(),
                source,
            },
            other => csv_error(1, format!("{other:?}")),
        })?;
    let headers = reader
        .headers()
        .map_err(|e| csv_error(1, e.to_string()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let mut idx = [0usize; 3];
    for (slot, name) in idx.iter_mut().zip(REQUIRED) {
        *slot = column(name).ok_or_else(|| SourceError::MissingColumn {
            path: path.to_path_buf(),
            column: name.to_string(),
            found: headers.iter().collect::<Vec<_>>().join(", "),
        })?;
    }
    let [pc4_col, lon_col, lat_col] = idx;
    let places_col = column("places");
    let gemeente_col = column("gemeentecode");

    let mut out = BTreeMap::new();
    for (i, row) in reader.records().enumerate() {
        // Line 1 is the header.
        let line = i as u64 + 2;
        let row = row.map_err(|e| csv_error(line, e.to_string()))?;
        report.read += 1;
        report.kept += 1;
        let get = |c: usize| row.get(c).unwrap_or("");
        let reject = |report: &mut SourceReport, field: &str, problem: String| {
            report.issue(Issue {
                record: line,
                id: Some(get(pc4_col).to_string()),
                field: Some(field.to_string()),
                action: Action::Rejected,
                problem,
            })
        };
        let pc4 = match get(pc4_col).parse::<u16>() {
            Ok(p) if (1000..=9999).contains(&p) => p,
            _ => {
                reject(
                    report,
                    "pc4",
                    format!("'{}' is not a 4-digit postcode", get(pc4_col)),
                );
                continue;
            }
        };
        let (Ok(lon), Ok(lat)) = (get(lon_col).parse::<f64>(), get(lat_col).parse::<f64>()) else {
            reject(report, "lon/lat", "coordinates are not numbers".into());
            continue;
        };
        let wgs84 = match coordinate_pair(&[lon, lat], Crs::Crs84) {
            Ok(PointIn::Wgs84(w)) => w,
            Ok(PointIn::Rd(r)) => r.to_wgs84(),
            Err(e) => {
                reject(report, "lon/lat", e.to_string());
                continue;
            }
        };
        if out.contains_key(&pc4) {
            reject(report, "pc4", "duplicate postcode".into());
            continue;
        }
        out.insert(
            pc4,
            Postcode {
                pc4,
                wgs84,
                rd: wgs84.to_rd(),
                places: places_col.map(get).unwrap_or("").to_string(),
                gemeente: gemeente_col.and_then(|c| get(c).parse::<AreaCode>().ok()),
            },
        );
    }
    Ok(out)
}
