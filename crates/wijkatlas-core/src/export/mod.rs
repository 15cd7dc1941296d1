//! Writing the loaded data out for GIS users: every served layer, with the analysis
//! indicators, as GeoPackage or PostGIS tables that QGIS opens as they are.
//!
//! The tables are made from the same collections and property maps the API serves, so
//! a value in a table is the value `/collections/{id}/items` gives. Geometry is written
//! in RD New (EPSG:28992), the system the data is measured in.

pub mod geopackage;
pub mod postgis;
mod wkb;

use crate::analysis::config::AnalysisConfig;
use crate::features::{self, CollectionKind, OutlineRd};
use crate::model::{Dataset, SourceInfo};
use serde_json::Value;
use std::path::PathBuf;

/// EPSG code of the exported geometry.
pub const SRID: i32 = 28992;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    #[error("cannot write the GeoPackage {path}: {message}")]
    GeoPackage { path: PathBuf, message: String },
    #[error("{path} exists; give --replace to write over it")]
    FileExists { path: PathBuf },
    #[error(transparent)]
    Connect(#[from] crate::load::postgis::PostgisError),
    #[error("{target}: table {table} exists; give --replace to write over it")]
    TableExists { target: String, table: String },
    #[error("{target}: writing {table}: {message}")]
    Postgis {
        target: String,
        table: String,
        message: String,
    },
}

/// How a column's values are typed in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Integer,
    Real,
    Text,
    Boolean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryType {
    MultiPolygon,
    Point,
}

impl GeometryType {
    /// The name GeoPackage and PostGIS use.
    pub fn name(self) -> &'static str {
        match self {
            GeometryType::MultiPolygon => "MULTIPOLYGON",
            GeometryType::Point => "POINT",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub kind: ColumnType,
}

/// One feature: its properties in column order and its geometry as WKB in RD.
#[derive(Debug)]
pub struct Row {
    pub values: Vec<Value>,
    pub wkb: Option<Vec<u8>>,
    /// min x, min y, max x, max y in RD.
    pub bbox: Option<[f64; 4]>,
}

/// A served collection as a table.
#[derive(Debug)]
pub struct Table {
    /// The collection id: `gemeenten`, `wijken`, `buurten`, `voorzieningen`.
    pub name: String,
    pub title: String,
    pub description: String,
    pub geometry: GeometryType,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

impl Table {
    pub fn extent(&self) -> Option<[f64; 4]> {
        self.rows
            .iter()
            .filter_map(|r| r.bbox)
            .reduce(crate::index::box_union)
    }
}

/// The names the writers give the key and geometry columns; a property of the same
/// name is left out rather than clash with them.
pub const KEY_COLUMN: &str = "fid";
pub const GEOMETRY_COLUMN: &str = "geom";

/// The tables of a loaded dataset: each collection, its areas carrying the indicators.
/// With a road network loaded, the layer carries the indicators along it too.
pub fn tables(
    dataset: &Dataset,
    analysis: &AnalysisConfig,
    routing: Option<&crate::routing::Networks>,
) -> Vec<Table> {
    let (indicators, _) = crate::analysis::layer::with_network(dataset, analysis, routing);
    let collections = features::build(dataset, &indicators);
    collections
        .iter()
        .map(|c| {
            let columns: Vec<Column> = c
                .properties
                .iter()
                .filter(|(name, _)| {
                    !name.eq_ignore_ascii_case(KEY_COLUMN)
                        && !name.eq_ignore_ascii_case(GEOMETRY_COLUMN)
                })
                .map(|(name, json_type)| Column {
                    name: name.clone(),
                    kind: column_type(json_type, c.items.iter().map(|i| i.props.get(name))),
                })
                .collect();
            let rows = c
                .items
                .iter()
                .map(|item| {
                    let values = columns
                        .iter()
                        .map(|col| item.props.get(&col.name).cloned().unwrap_or(Value::Null))
                        .collect();
                    let (wkb, bbox) = match c.outline_rd(dataset, item) {
                        Some(OutlineRd::Area(mp)) => (Some(wkb::multipolygon(mp)), bbox(mp)),
                        Some(OutlineRd::Point(p)) => {
                            (Some(wkb::point(p.x, p.y)), Some([p.x, p.y, p.x, p.y]))
                        }
                        None => (None, None),
                    };
                    Row { values, wkb, bbox }
                })
                .collect();
            Table {
                name: c.id.to_string(),
                title: c.title.to_string(),
                description: c.description.clone(),
                geometry: match c.kind {
                    CollectionKind::Areas(_) => GeometryType::MultiPolygon,
                    CollectionKind::Facilities => GeometryType::Point,
                },
                columns,
                rows,
            }
        })
        .collect()
}

fn bbox(mp: &geo::MultiPolygon<f64>) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    mp.bounding_rect()
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

/// Integers stay integers (a count read back is a count), any fraction makes the whole
/// column real.
fn column_type<'v>(json_type: &str, values: impl Iterator<Item = Option<&'v Value>>) -> ColumnType {
    match json_type {
        "string" => ColumnType::Text,
        "boolean" => ColumnType::Boolean,
        "number" => {
            let mut values = values.flatten().filter(|v| !v.is_null()).peekable();
            let integral = values.peek().is_some()
                && values.all(|v| matches!(v, Value::Number(n) if n.is_i64() || n.is_u64()));
            if integral {
                ColumnType::Integer
            } else {
                ColumnType::Real
            }
        }
        _ => ColumnType::Text,
    }
}

/// The sources with their licence and attribution, as a table beside the layers: open
/// data licences ask that the credit travels with the data.
pub fn sources_table(sources: &[SourceInfo]) -> (Vec<Column>, Vec<Vec<Value>>) {
    let columns = ["naam", "jaar", "licentie", "naamsvermelding"]
        .into_iter()
        .zip([
            ColumnType::Text,
            ColumnType::Integer,
            ColumnType::Text,
            ColumnType::Text,
        ])
        .map(|(name, kind)| Column {
            name: name.to_string(),
            kind,
        })
        .collect();
    let rows = sources
        .iter()
        .map(|s| {
            vec![
                Value::from(s.name.clone()),
                s.year.map_or(Value::Null, Value::from),
                s.licence.clone().map_or(Value::Null, Value::from),
                s.attribution.clone().map_or(Value::Null, Value::from),
            ]
        })
        .collect();
    (columns, rows)
}

/// The name of the sources table.
pub const SOURCES_TABLE: &str = "bronnen";

/// A value as text for a text column: strings as they are, anything else as JSON.
fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integer_columns_stay_integers() {
        let ints = [json!(1), json!(null), json!(3)];
        assert_eq!(
            column_type("number", ints.iter().map(Some)),
            ColumnType::Integer
        );
        let mixed = [json!(1), json!(2.5)];
        assert_eq!(
            column_type("number", mixed.iter().map(Some)),
            ColumnType::Real
        );
        let none = [json!(null)];
        assert_eq!(
            column_type("number", none.iter().map(Some)),
            ColumnType::Real
        );
        assert_eq!(column_type("string", [].into_iter()), ColumnType::Text);
    }
}
