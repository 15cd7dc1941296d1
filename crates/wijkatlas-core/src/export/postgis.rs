//! The tables into PostGIS: one table per layer with a typed geometry column
//! (`geometry(MultiPolygon, 28992)`, `geometry(Point, 28992)`) and a GiST index,
//! filled with COPY, all in one transaction so a failed export leaves nothing half done.

use super::{
    wkb, Column, ColumnType, ExportError, Table, GEOMETRY_COLUMN, KEY_COLUMN, SOURCES_TABLE, SRID,
};
use crate::load::postgis::Target;
use crate::model::SourceInfo;
use serde_json::Value;
use std::io::Write;

use crate::text::sql_identifier as quote;

fn sql_type(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Integer => "bigint",
        ColumnType::Real => "double precision",
        ColumnType::Text => "text",
        ColumnType::Boolean => "boolean",
    }
}

/// A value in COPY's text format: `\N` for null, text with its specials escaped.
fn copy_field(out: &mut Vec<u8>, v: &Value, kind: ColumnType) {
    let text = match (v, kind) {
        (Value::Null, _) => None,
        (Value::Bool(b), ColumnType::Boolean) => Some(if *b { "t" } else { "f" }.to_string()),
        (Value::Number(n), ColumnType::Integer) => Some(match n.as_i64() {
            Some(i) => i.to_string(),
            None => n.to_string(),
        }),
        (Value::Number(n), ColumnType::Real) => n.as_f64().map(|f| format!("{f:?}")),
        (other, _) => super::as_text(other),
    };
    match text {
        None => out.extend(b"\\N"),
        Some(t) => {
            for b in t.bytes() {
                match b {
                    b'\\' => out.extend(b"\\\\"),
                    b'\t' => out.extend(b"\\t"),
                    b'\n' => out.extend(b"\\n"),
                    b'\r' => out.extend(b"\\r"),
                    other => out.push(other),
                }
            }
        }
    }
}

fn hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 15)]);
    }
}

/// What an export wrote: each table and its row count.
pub type Written = Vec<(String, usize)>;

/// Writes `tables` and the sources into `schema` (created if missing); tables that
/// exist are replaced only when `replace`.
pub fn write(
    target: &Target,
    schema: &str,
    tables: &[Table],
    sources: &[SourceInfo],
    replace: bool,
) -> Result<Written, ExportError> {
    let mut client = target.connect()?;
    let fail = |table: &str, e: postgres::Error| ExportError::Postgis {
        target: target.described().to_string(),
        table: format!("{schema}.{table}"),
        message: target.redact(&crate::load::postgis::message(&e)),
    };
    let mut tx = client.transaction().map_err(|e| fail("", e))?;
    tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", quote(schema)))
        .map_err(|e| fail("", e))?;
    let mut written = Written::new();
    let (source_columns, source_rows) = super::sources_table(sources);
    let names: Vec<&str> = tables
        .iter()
        .map(|t| t.name.as_str())
        .chain([SOURCES_TABLE])
        .collect();
    for name in &names {
        let exists: bool = tx
            .query_one(
                "SELECT to_regclass($1) IS NOT NULL",
                &[&format!("{}.{}", quote(schema), quote(name))],
            )
            .and_then(|r| r.try_get(0))
            .map_err(|e| fail(name, e))?;
        if exists && !replace {
            return Err(ExportError::TableExists {
                target: target.described().to_string(),
                table: format!("{schema}.{name}"),
            });
        }
    }

    for table in tables {
        let qualified = format!("{}.{}", quote(schema), quote(&table.name));
        let kind = match table.geometry {
            super::GeometryType::MultiPolygon => "MultiPolygon",
            super::GeometryType::Point => "Point",
        };
        create(&mut tx, &qualified, &table.columns, Some(kind))
            .map_err(|e| fail(&table.name, e))?;
        tx.batch_execute(&format!(
            "COMMENT ON TABLE {qualified} IS '{}'",
            format!("{}: {}", table.title, table.description).replace('\'', "''")
        ))
        .map_err(|e| fail(&table.name, e))?;
        let column_list = column_list(&table.columns, true);
        let mut copy = tx
            .copy_in(&format!("COPY {qualified} ({column_list}) FROM STDIN"))
            .map_err(|e| fail(&table.name, e))?;
        let mut line = Vec::new();
        for (i, row) in table.rows.iter().enumerate() {
            line.clear();
            line.extend((i + 1).to_string().bytes());
            line.push(b'\t');
            match &row.wkb {
                Some(w) => hex(&mut line, &wkb::with_srid(w, SRID)),
                None => line.extend(b"\\N"),
            }
            for (v, c) in row.values.iter().zip(&table.columns) {
                line.push(b'\t');
                copy_field(&mut line, v, c.kind);
            }
            line.push(b'\n');
            copy.write_all(&line).map_err(|e| ExportError::Postgis {
                target: target.described().to_string(),
                table: format!("{schema}.{}", table.name),
                message: e.to_string(),
            })?;
        }
        copy.finish().map_err(|e| fail(&table.name, e))?;
        tx.batch_execute(&format!(
            "CREATE INDEX ON {qualified} USING GIST ({}); ANALYZE {qualified}",
            quote(GEOMETRY_COLUMN)
        ))
        .map_err(|e| fail(&table.name, e))?;
        written.push((format!("{schema}.{}", table.name), table.rows.len()));
    }

    let qualified = format!("{}.{}", quote(schema), quote(SOURCES_TABLE));
    create(&mut tx, &qualified, &source_columns, None).map_err(|e| fail(SOURCES_TABLE, e))?;
    let column_list = column_list(&source_columns, false);
    let mut copy = tx
        .copy_in(&format!("COPY {qualified} ({column_list}) FROM STDIN"))
        .map_err(|e| fail(SOURCES_TABLE, e))?;
    let mut buf = Vec::new();
    for (i, row) in source_rows.iter().enumerate() {
        buf.extend((i + 1).to_string().bytes());
        for (v, c) in row.iter().zip(&source_columns) {
            buf.push(b'\t');
            copy_field(&mut buf, v, c.kind);
        }
        buf.push(b'\n');
    }
    copy.write_all(&buf).map_err(|e| ExportError::Postgis {
        target: target.described().to_string(),
        table: format!("{schema}.{SOURCES_TABLE}"),
        message: e.to_string(),
    })?;
    copy.finish().map_err(|e| fail(SOURCES_TABLE, e))?;
    written.push((format!("{schema}.{SOURCES_TABLE}"), source_rows.len()));
    tx.commit().map_err(|e| fail("", e))?;
    Ok(written)
}

fn column_list(columns: &[Column], geometry: bool) -> String {
    let mut names = vec![quote(KEY_COLUMN)];
    if geometry {
        names.push(quote(GEOMETRY_COLUMN));
    }
    names.extend(columns.iter().map(|c| quote(&c.name)));
    names.join(", ")
}

fn create(
    tx: &mut postgres::Transaction<'_>,
    qualified: &str,
    columns: &[Column],
    geometry: Option<&str>,
) -> Result<(), postgres::Error> {
    let mut defs = vec![format!("{} integer PRIMARY KEY", quote(KEY_COLUMN))];
    if let Some(kind) = geometry {
        defs.push(format!(
            "{} geometry({kind}, {SRID})",
            quote(GEOMETRY_COLUMN)
        ));
    }
    defs.extend(
        columns
            .iter()
            .map(|c| format!("{} {}", quote(&c.name), sql_type(c.kind))),
    );
    tx.batch_execute(&format!(
        "DROP TABLE IF EXISTS {qualified}; CREATE TABLE {qualified} ({})",
        defs.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn copy_text_escapes_its_specials() {
        let mut out = Vec::new();
        copy_field(&mut out, &json!("a\tb\\c\nd"), ColumnType::Text);
        assert_eq!(out, b"a\\tb\\\\c\\nd");
        out.clear();
        copy_field(&mut out, &Value::Null, ColumnType::Real);
        assert_eq!(out, b"\\N");
        out.clear();
        copy_field(&mut out, &json!(0.1), ColumnType::Real);
        assert_eq!(out, b"0.1");
        out.clear();
        copy_field(&mut out, &json!(12), ColumnType::Integer);
        assert_eq!(out, b"12");
        out.clear();
        hex(&mut out, &[0x01, 0xAB]);
        assert_eq!(out, b"01AB");
    }
}
