//! Area layers from a GeoPackage, as CBS publishes its Wijk- en Buurtkaart every year.
//!
//! Read with SQLite (bundled, so no system library is needed) and our own decoder for
//! GeoPackage geometry blobs; the CRS comes from `gpkg_spatial_ref_sys`.

use super::areas::{AreaLayer, AreaRecords, AreaSource};
use super::error::SourceError;
use super::report::SourceReport;
use super::{geometry, wkb, SeenCodes};
use crate::crs::Crs;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Map, Value};

struct Layer {
    table: String,
    geometry_column: String,
    srs_id: i64,
}

fn error(src: &AreaSource<'_>, message: impl Into<String>) -> SourceError {
    SourceError::GeoPackage {
        path: src.path.to_path_buf(),
        message: message.into(),
    }
}

fn layers(conn: &Connection) -> rusqlite::Result<Vec<Layer>> {
    let mut stmt = conn.prepare(
        "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns ORDER BY table_name",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok(Layer {
            table: row.get(0)?,
            geometry_column: row.get(1)?,
            srs_id: row.get(2)?,
        })
    })?;
    rows.collect()
}

/// The layer named in the manifest, else the one named after the level (CBS's own
/// names: `gemeenten`, `wijken`, `buurten`), else the only one.
fn choose<'l>(src: &AreaSource<'_>, layers: &'l [Layer]) -> Result<&'l Layer, SourceError> {
    let names = || {
        layers
            .iter()
            .map(|l| l.table.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let wanted = src.layer.unwrap_or(src.level.collection());
    if let Some(l) = layers.iter().find(|l| l.table.eq_ignore_ascii_case(wanted)) {
        return Ok(l);
    }
    match (src.layer, layers) {
        (None, [only]) => Ok(only),
        (Some(name), _) => Err(error(src, format!("has no layer '{name}'; its layers are: {}", names()))),
        (None, _) => Err(error(
            src,
            format!(
                "has no layer '{wanted}' and more than one other; name one with layer = \"…\" (its layers are: {})",
                names()
            ),
        )),
    }
}

fn layer_crs(conn: &Connection, src: &AreaSource<'_>, layer: &Layer) -> Result<Crs, SourceError> {
    let (org, code): (String, i64) = conn
        .query_row(
            "SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [layer.srs_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .map_err(|e| error(src, format!("layer '{}': its CRS (srs_id {}) is not described: {e}", layer.table, layer.srs_id)))?;
    match (org.to_ascii_uppercase().as_str(), code) {
        ("EPSG", 28992) => Ok(Crs::RdNew),
        // GeoPackage stores x = longitude whatever the EPSG axis order says.
        ("EPSG", 4326) | ("OGC", _) => Ok(Crs::Crs84),
        _ => Err(SourceError::UnsupportedCrs {
            path: src.path.to_path_buf(),
            declared: format!("{org}:{code}"),
        }),
    }
}

use crate::text::sql_identifier as quote;

fn json(value: ValueRef<'_>) -> Option<Value> {
    match value {
        ValueRef::Null => Some(Value::Null),
        ValueRef::Integer(i) => Some(Value::from(i)),
        ValueRef::Real(f) => {
            Some(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number))
        }
        ValueRef::Text(t) => Some(Value::String(String::from_utf8_lossy(t).into_owned())),
        // Binary columns carry nothing a planner reads as a figure.
        ValueRef::Blob(_) => None,
    }
}

pub fn read(
    src: &AreaSource<'_>,
    seen: &mut SeenCodes,
    source_name: &str,
    report: &mut SourceReport,
) -> Result<AreaLayer, SourceError> {
    if !src.path.exists() {
        return Err(SourceError::Io {
            path: src.path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let conn = Connection::open_with_flags(
        src.path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| error(src, format!("cannot be opened as SQLite: {e}")))?;
    let layers = layers(&conn).map_err(|e| {
        error(
            src,
            format!("is not a GeoPackage (no readable gpkg_geometry_columns: {e})"),
        )
    })?;
    let layer = choose(src, &layers)?;
    let crs = match src.crs {
        Some(c) => c,
        None => layer_crs(&conn, src, layer)?,
    };

    let sql = format!("SELECT * FROM {}", quote(&layer.table));
    let mut stmt = conn
        .prepare(&sql)
        .map_err(|e| error(src, format!("layer '{}' cannot be read: {e}", layer.table)))?;
    let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
    let geometry_index = columns
        .iter()
        .position(|c| c.eq_ignore_ascii_case(&layer.geometry_column))
        .ok_or_else(|| {
            error(
                src,
                format!(
                    "layer '{}' lacks its geometry column '{}'",
                    layer.table, layer.geometry_column
                ),
            )
        })?;
    let mut rows = stmt
        .query([])
        .map_err(|e| error(src, format!("layer '{}' cannot be read: {e}", layer.table)))?;

    let mut records = AreaRecords::new(src, crs, source_name);
    let mut record = 0u64;
    loop {
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                return Err(error(
                    src,
                    format!("layer '{}', row {}: {e}", layer.table, record + 1),
                ))
            }
        };
        record += 1;
        let mut props = Map::new();
        let mut blob: Option<Vec<u8>> = None;
        for (i, name) in columns.iter().enumerate() {
            let Ok(value) = row.get_ref(i) else { continue };
            if i == geometry_index {
                if let ValueRef::Blob(b) = value {
                    blob = Some(b.to_vec());
                }
            } else if let Some(v) = json(value) {
                props.insert(name.clone(), v);
            }
        }
        records.record(
            record,
            &props,
            |crs, repairs| {
                let bytes = blob.ok_or(geometry::GeometryProblem::Missing)?;
                let polygons = wkb::decode_gpkg(&bytes).map_err(|e| match e {
                    wkb::WkbError::Empty => geometry::GeometryProblem::Missing,
                    wkb::WkbError::NotPolygonal(_) => {
                        geometry::GeometryProblem::NotPolygonal("non-polygon WKB geometry")
                    }
                    other => geometry::GeometryProblem::Unreadable(other.to_string()),
                })?;
                geometry::area_geometry_from_polygons(&polygons, crs, repairs)
            },
            seen,
            report,
        );
    }
    records.finish(report)
}
