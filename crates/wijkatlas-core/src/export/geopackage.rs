//! The tables as an OGC GeoPackage (1.3): one feature table per layer in EPSG:28992,
//! registered in `gpkg_contents` and `gpkg_geometry_columns`, and the sources as an
//! attributes table.

use super::{ColumnType, ExportError, Table, GEOMETRY_COLUMN, KEY_COLUMN, SOURCES_TABLE, SRID};
use crate::model::SourceInfo;
use rusqlite::{params_from_iter, Connection};
use serde_json::Value;
use std::path::Path;

/// GeoPackage's `application_id`, "GPKG".
const APPLICATION_ID: i32 = 0x4750_4B47;
/// `user_version` of GeoPackage 1.3.0.
const USER_VERSION: i32 = 10300;

const RD_NEW_WKT: &str = r#"PROJCS["Amersfoort / RD New",GEOGCS["Amersfoort",DATUM["Amersfoort",SPHEROID["Bessel 1841",6377397.155,299.1528128,AUTHORITY["EPSG","7004"]],AUTHORITY["EPSG","6289"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4289"]],PROJECTION["Oblique_Stereographic"],PARAMETER["latitude_of_origin",52.1561605555556],PARAMETER["central_meridian",5.38763888888889],PARAMETER["scale_factor",0.9999079],PARAMETER["false_easting",155000],PARAMETER["false_northing",463000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","28992"]]"#;
const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

use crate::text::sql_identifier as quote;

fn sql_type(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Integer => "INTEGER",
        ColumnType::Real => "DOUBLE",
        ColumnType::Text => "TEXT",
        ColumnType::Boolean => "BOOLEAN",
    }
}

/// A GeoPackage geometry blob: the header with the SRS and an xy envelope, then WKB.
fn blob(wkb: &[u8], bbox: Option<[f64; 4]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(wkb.len() + 40);
    out.extend(b"GP");
    out.push(0); // version 1
                 // Little-endian header; envelope [minx, maxx, miny, maxy] when there is one.
    out.push(if bbox.is_some() {
        0b0000_0011
    } else {
        0b0000_0001
    });
    out.extend(SRID.to_le_bytes());
    if let Some([x0, y0, x1, y1]) = bbox {
        for v in [x0, x1, y0, y1] {
            out.extend(v.to_le_bytes());
        }
    }
    out.extend(wkb);
    out
}

fn to_sql(v: &Value, kind: ColumnType) -> rusqlite::types::Value {
    use rusqlite::types::Value as S;
    match (v, kind) {
        (Value::Null, _) => S::Null,
        (Value::Bool(b), _) => S::Integer(i64::from(*b)),
        (Value::Number(n), ColumnType::Integer) => match n.as_i64() {
            Some(i) => S::Integer(i),
            None => n.as_f64().map_or(S::Null, S::Real),
        },
        (Value::Number(n), _) if kind != ColumnType::Text => n.as_f64().map_or(S::Null, S::Real),
        (other, _) => super::as_text(other).map_or(S::Null, S::Text),
    }
}

fn now_utc() -> String {
    // RFC 3339 in UTC from the Unix time, without a date library.
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil-from-days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Writes `tables` and the sources into a new GeoPackage at `path` (replacing the file
/// only when `replace`).
pub fn write(
    path: &Path,
    tables: &[Table],
    sources: &[SourceInfo],
    replace: bool,
) -> Result<(), ExportError> {
    let fail = |message: String| ExportError::GeoPackage {
        path: path.to_path_buf(),
        message,
    };
    if path.exists() {
        if !replace {
            return Err(ExportError::FileExists {
                path: path.to_path_buf(),
            });
        }
        std::fs::remove_file(path).map_err(|e| fail(e.to_string()))?;
    }
    fill(path, tables, sources).map_err(|e| fail(e.to_string()))
}

/// Creates the file and writes everything in one transaction.
fn fill(path: &Path, tables: &[Table], sources: &[SourceInfo]) -> rusqlite::Result<()> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    conn.pragma_update(None, "user_version", USER_VERSION)?;
    let tx = conn.transaction()?;
    write_metadata(&tx)?;
    let changed = now_utc();
    for table in tables {
        register_table(&tx, table, &changed)?;
        insert_rows(&tx, table)?;
    }
    write_sources(&tx, sources, &changed)?;
    tx.commit()
}

/// The GeoPackage's own tables, and the reference systems its layers use.
fn write_metadata(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE gpkg_spatial_ref_sys (
           srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
           organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
         CREATE TABLE gpkg_contents (
           table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
           description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
           CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (
           table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
           srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
           CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
           CONSTRAINT uk_gc_table_name UNIQUE (table_name),
           CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
           CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));",
    )
    ?;
    let srs = [
        (
            "Undefined cartesian SRS",
            -1,
            "NONE",
            -1,
            "undefined",
            "undefined cartesian coordinate reference system",
        ),
        (
            "Undefined geographic SRS",
            0,
            "NONE",
            0,
            "undefined",
            "undefined geographic coordinate reference system",
        ),
        (
            "WGS 84 geodetic",
            4326,
            "EPSG",
            4326,
            WGS84_WKT,
            "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
        ),
        (
            "Amersfoort / RD New",
            SRID,
            "EPSG",
            SRID,
            RD_NEW_WKT,
            "Rijksdriehoeksstelsel, the Dutch national grid",
        ),
    ];
    for (name, id, org, code, definition, description) in srs {
        tx.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![name, id, org, code, definition, description],
        )?;
    }
    Ok(())
}

/// Creates a feature table and enters it in `gpkg_contents` (with its extent) and
/// `gpkg_geometry_columns`.
fn register_table(
    tx: &rusqlite::Transaction<'_>,
    table: &Table,
    changed: &str,
) -> rusqlite::Result<()> {
    let mut columns = vec![
        format!(
            "{} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL",
            quote(KEY_COLUMN)
        ),
        format!("{} {}", quote(GEOMETRY_COLUMN), table.geometry.name()),
    ];
    columns.extend(
        table
            .columns
            .iter()
            .map(|c| format!("{} {}", quote(&c.name), sql_type(c.kind))),
    );
    tx.execute_batch(&format!(
        "CREATE TABLE {} ({})",
        quote(&table.name),
        columns.join(", ")
    ))?;
    let extent = table.extent();
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
         VALUES (?1, 'features', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        rusqlite::params![
            table.name,
            table.title,
            table.description,
            changed,
            extent.map(|e| e[0]),
            extent.map(|e| e[1]),
            extent.map(|e| e[2]),
            extent.map(|e| e[3]),
            SRID
        ],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, ?2, ?3, ?4, 0, 0)",
        rusqlite::params![table.name, GEOMETRY_COLUMN, table.geometry.name(), SRID],
    )?;
    Ok(())
}

/// The `INSERT` of a row of `columns` (quoted) into `table`.
fn insert_statement(table: &str, columns: &[String]) -> String {
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quote(table),
        columns.join(", "),
        placeholders.join(", ")
    )
}

/// A feature table's rows: numbered from 1, the geometry as a GeoPackage blob.
fn insert_rows(tx: &rusqlite::Transaction<'_>, table: &Table) -> rusqlite::Result<()> {
    use rusqlite::types::Value as S;
    let names: Vec<String> = [KEY_COLUMN, GEOMETRY_COLUMN]
        .into_iter()
        .map(quote)
        .chain(table.columns.iter().map(|c| quote(&c.name)))
        .collect();
    let mut insert = tx.prepare(&insert_statement(&table.name, &names))?;
    for (i, row) in table.rows.iter().enumerate() {
        let mut values = vec![
            S::Integer(i as i64 + 1),
            row.wkb
                .as_ref()
                .map_or(S::Null, |w| S::Blob(blob(w, row.bbox))),
        ];
        values.extend(
            row.values
                .iter()
                .zip(&table.columns)
                .map(|(v, c)| to_sql(v, c.kind)),
        );
        insert.execute(params_from_iter(values))?;
    }
    Ok(())
}

/// The sources, with licence and credit, as an attributes table beside the layers.
fn write_sources(
    tx: &rusqlite::Transaction<'_>,
    sources: &[SourceInfo],
    changed: &str,
) -> rusqlite::Result<()> {
    let (columns, rows) = super::sources_table(sources);
    let defs: Vec<String> = std::iter::once(format!(
        "{} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL",
        quote(KEY_COLUMN)
    ))
    .chain(
        columns
            .iter()
            .map(|c| format!("{} {}", quote(&c.name), sql_type(c.kind))),
    )
    .collect();
    tx.execute_batch(&format!(
        "CREATE TABLE {} ({})",
        quote(SOURCES_TABLE),
        defs.join(", ")
    ))?;
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
         VALUES (?1, 'attributes', ?1, 'Bronnen met licentie en naamsvermelding', ?2)",
        rusqlite::params![SOURCES_TABLE, changed],
    )?;
    let names: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();
    let insert = insert_statement(SOURCES_TABLE, &names);
    for row in rows {
        tx.execute(
            &insert,
            params_from_iter(row.iter().zip(&columns).map(|(v, c)| to_sql(v, c.kind))),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn blobs_are_read_back_by_the_loader() {
        let wkb = super::super::wkb::point(155_000.0, 463_000.0);
        let b = blob(&wkb, Some([155_000.0, 463_000.0, 155_000.0, 463_000.0]));
        assert_eq!(&b[..2], b"GP");
        assert_eq!(b.len(), 8 + 32 + 21);
        // The GeoPackage reader skips the same header before the WKB.
        assert!(
            crate::load::wkb::decode_gpkg(&b).is_err(),
            "a point is not an area"
        );
        let mp = geo::MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)],
        ]);
        let b = blob(
            &super::super::wkb::multipolygon(&mp),
            Some([0.0, 0.0, 1.0, 1.0]),
        );
        assert_eq!(crate::load::wkb::decode_gpkg(&b).map(|p| p.len()), Ok(1));
    }

    #[test]
    fn dates_are_rfc3339() {
        let t = now_utc();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'), "{t}");
    }
}
