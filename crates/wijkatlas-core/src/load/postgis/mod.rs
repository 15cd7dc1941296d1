//! Area and facility layers read from PostGIS: a table, a view or a query per source.
//!
//! Rows are streamed, never collected, inside one read-only REPEATABLE READ transaction,
//! so every layer of a load sees the same state of the database. The geometry comes as
//! WKB (`ST_AsBinary`) and goes through the decoder, checks and repairs the GeoPackage
//! reader uses; every other column becomes a property as in the file readers, so the
//! alias table maps CBS's column names and the report counts the same way.

mod connection;
mod listen;

pub use connection::{message, Target};
pub use listen::watch;

use super::areas::{AreaLayer, AreaRecords, AreaSource};
use super::error::SourceError;
use super::geometry::{self, GeometryProblem};
use super::manifest::{PostgisLayer, PostgisSettings, Relation};
use super::report::SourceReport;
use super::voorzieningen::{FacilityRecords, FacilitySource};
use super::{wkb, SeenCodes};
use crate::crs::Crs;
use crate::model::Voorziening;
use connection::message as db_message;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::Type;
use postgres::{Client, Row};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Why a PostGIS source, or the database behind it, could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum PostgisError {
    #[error("no connection string for the PostGIS sources: set {variable} (or give a password-less [postgis] url in the manifest)")]
    NoUrl { variable: String },
    #[error("the connection string in {origin} cannot be read: {message}")]
    BadUrl { origin: String, message: String },
    #[error("[postgis] url in the manifest holds a password; a manifest is read and copied by others, so give the connection string in {variable} instead")]
    PasswordInManifest { variable: String },
    #[error("{target} asks for sslmode=require, but wijkatlas speaks to PostgreSQL without TLS; reach the database over a Unix socket, on the same host or through a tunnel")]
    TlsRequired { target: String },
    #[error("cannot connect to {target}: {message}")]
    Connect { target: String, message: String },
    #[error(
        "{target} has no PostGIS (no geometry_columns view); run CREATE EXTENSION postgis in it"
    )]
    NoPostgis { target: String },
    #[error("{layer}: no such table or view; the tables and views with geometry are: {available}")]
    NoRelation { layer: String, available: String },
    #[error("{layer}: {message}")]
    GeometryColumn { layer: String, message: String },
    #[error("{layer}: SRID {srid} is not a CRS wijkatlas reads (EPSG:28992 or EPSG:4326); serve it through a view with ST_Transform(geom, 28992), or set crs = … if the SRID is wrong")]
    UnsupportedSrid { layer: String, srid: i32 },
    #[error("{layer}: {message}")]
    Query { layer: String, message: String },
    #[error("{layer}, row {row}: {message}")]
    Row {
        layer: String,
        row: u64,
        message: String,
    },
}

/// One connection for every PostGIS source of a load.
pub struct Database {
    client: Client,
    target: Target,
}

impl Database {
    /// Connects and opens the read-only transaction the whole load reads in.
    pub fn open(settings: &PostgisSettings) -> Result<Database, PostgisError> {
        let target = Target::from_settings(settings)?;
        let mut client = target.connect()?;
        client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .map_err(|e| PostgisError::Connect {
                target: target.described().to_string(),
                message: target.redact(&db_message(&e)),
            })?;
        Ok(Database { client, target })
    }

    fn query_error(&self, layer: &str, e: &postgres::Error) -> PostgisError {
        PostgisError::Query {
            layer: layer.to_string(),
            message: self.target.redact(&db_message(e)),
        }
    }
}

/// How one column's values are fetched and turned into JSON.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Read {
    Bool,
    I16,
    I32,
    I64,
    F32,
    F64,
    Text,
    /// `numeric`, fetched as text so no precision is lost on the way.
    Numeric,
    /// `json`/`jsonb`, fetched as text and parsed.
    Json,
}

impl Read {
    /// `None` for columns that hold nothing a planner reads as a property (binary data,
    /// other geometries); anything else unknown is fetched as its text.
    fn for_type(t: &Type) -> Option<Read> {
        Some(match *t {
            Type::BOOL => Read::Bool,
            Type::INT2 => Read::I16,
            Type::INT4 => Read::I32,
            Type::INT8 => Read::I64,
            Type::FLOAT4 => Read::F32,
            Type::FLOAT8 => Read::F64,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => Read::Text,
            Type::NUMERIC => Read::Numeric,
            Type::JSON | Type::JSONB => Read::Json,
            Type::BYTEA => return None,
            _ if is_geometry(t) => return None,
            _ => Read::Text,
        })
    }

    /// Whether the value has to be cast to text in the SELECT.
    fn cast(self) -> bool {
        matches!(self, Read::Numeric | Read::Json)
    }

    fn is_integer(self) -> bool {
        matches!(self, Read::I16 | Read::I32 | Read::I64)
    }
}

fn is_geometry(t: &Type) -> bool {
    matches!(t.name(), "geometry" | "geography")
}

#[derive(Debug)]
struct Column {
    name: String,
    read: Read,
    /// False for the row key when it is a surrogate (an integer primary key such as
    /// ogr2ogr's `ogc_fid`): the database's identity of a row, not a figure.
    property: bool,
}

/// A layer as the database describes it, and the SELECT that streams it.
#[derive(Debug)]
struct Plan {
    label: String,
    sql: String,
    geometry_column: String,
    /// The layer's SRID; rows in another are rejected.
    srid: i32,
    crs: Crs,
    /// The columns after the geometry's WKB and SRID, in SELECT order.
    columns: Vec<Column>,
    /// Position in `columns` of the column that names a row in the report.
    key: Option<usize>,
}

use crate::text::sql_identifier as quote;

/// The FROM clause of a relation, aliased `q`.
fn from_clause(relation: &Relation) -> String {
    match relation {
        Relation::Table {
            schema: Some(schema),
            name,
        } => format!("{}.{} AS q", quote(schema), quote(name)),
        Relation::Table { schema: None, name } => format!("{} AS q", quote(name)),
        Relation::Query(sql) => format!("({}) AS q", sql.trim().trim_end_matches(';')),
    }
}

/// The relation's qualified name as `to_regclass` reads it.
fn regclass(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(s) => format!("{}.{}", quote(s), quote(name)),
        None => quote(name),
    }
}

/// Plans the reading of a layer: what the database says of it, in named steps.
fn plan(
    db: &mut Database,
    layer: &PostgisLayer,
    label: &str,
    declared: Option<Crs>,
) -> Result<Plan, PostgisError> {
    require_postgis(db, label)?;
    let catalogue = match &layer.relation {
        Relation::Table { schema, name } => catalogue(db, schema.as_deref(), name, label)?,
        Relation::Query(_) => Catalogue::default(),
    };
    // What a SELECT * returns, which for a query is all there is to know.
    let from = from_clause(&layer.relation);
    let statement = db
        .client
        .prepare(&format!("SELECT * FROM {from}"))
        .map_err(|e| db.query_error(label, &e))?;
    let all: Vec<(String, Type)> = statement
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), c.type_().clone()))
        .collect();
    let geometry_column = geometry_column(layer, label, &all)?;
    let key_name = layer.key_column.clone().or(catalogue.primary_key);
    let (columns, key) = property_columns(&all, &geometry_column, key_name.as_deref());
    if let (Some(wanted), None) = (&layer.key_column, key) {
        return Err(PostgisError::Query {
            layer: label.to_string(),
            message: format!(
                "has no column '{wanted}' for key_column (its columns: {})",
                list(&all.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>())
            ),
        });
    }
    let g = format!("q.{}", quote(&geometry_column));
    let srid = match catalogue.srids.iter().find(|(c, _)| *c == geometry_column) {
        Some((_, srid)) if *srid > 0 => *srid,
        // An unconstrained column or a query: the first row's SRID stands for the layer.
        _ => db
            .client
            .query_opt(
                &format!("SELECT ST_SRID({g}) FROM {from} WHERE {g} IS NOT NULL LIMIT 1"),
                &[],
            )
            .map_err(|e| db.query_error(label, &e))?
            .map_or(0, |r| r.get::<_, i32>(0)),
    };
    let crs = layer_crs(declared, srid, label)?;
    let sql = select_sql(&g, &from, &columns, key);
    Ok(Plan {
        label: label.to_string(),
        sql,
        geometry_column,
        srid,
        crs,
        columns,
        key,
    })
}

fn require_postgis(db: &mut Database, label: &str) -> Result<(), PostgisError> {
    let has_postgis: bool = db
        .client
        .query_one("SELECT to_regclass('geometry_columns') IS NOT NULL", &[])
        .and_then(|r| r.try_get(0))
        .map_err(|e| db.query_error(label, &e))?;
    if has_postgis {
        Ok(())
    } else {
        Err(PostgisError::NoPostgis {
            target: db.target.described().to_string(),
        })
    }
}

/// What the catalogue says of a table: its geometry columns with their SRIDs, and its
/// primary key when it is one column.
#[derive(Debug, Default)]
struct Catalogue {
    srids: Vec<(String, i32)>,
    primary_key: Option<String>,
}

fn catalogue(
    db: &mut Database,
    schema: Option<&str>,
    name: &str,
    label: &str,
) -> Result<Catalogue, PostgisError> {
    let q = |db: &Database, e: postgres::Error| db.query_error(label, &e);
    let wanted = regclass(schema, name);
    let found = db
        .client
        .query_opt(
            "SELECT n.nspname::text, c.relname::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)",
            &[&wanted],
        )
        .map_err(|e| q(db, e))?;
    let Some(found) = found else {
        return Err(no_relation(db, label));
    };
    let (schema, name): (String, String) = (found.get(0), found.get(1));
    let srids = db
        .client
        .query(
            "SELECT f_geometry_column::text, srid FROM geometry_columns \
             WHERE f_table_schema::text = $1 AND f_table_name::text = $2 \
             UNION ALL SELECT f_geography_column::text, srid FROM geography_columns \
             WHERE f_table_schema::text = $1 AND f_table_name::text = $2",
            &[&schema, &name],
        )
        .map_err(|e| q(db, e))?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let keys: Vec<String> = db
        .client
        .query(
            "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a \
             ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
             WHERE i.indrelid = to_regclass($1) AND i.indisprimary",
            &[&wanted],
        )
        .map_err(|e| q(db, e))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let primary_key = match keys.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    };
    Ok(Catalogue { srids, primary_key })
}

/// A table that is not there, with the spatial tables that are (or the error of
/// asking for them).
fn no_relation(db: &mut Database, label: &str) -> PostgisError {
    let tables = db.client.query(
        "SELECT DISTINCT f_table_schema::text || '.' || f_table_name::text FROM geometry_columns \
         UNION SELECT DISTINCT f_table_schema::text || '.' || f_table_name::text FROM geography_columns \
         ORDER BY 1",
        &[],
    );
    let tables: Vec<String> = match tables {
        Ok(rows) => rows.iter().filter_map(|r| r.try_get(0).ok()).collect(),
        Err(e) => return db.query_error(label, &e),
    };
    PostgisError::NoRelation {
        layer: label.to_string(),
        available: if tables.is_empty() {
            "none".into()
        } else {
            tables.join(", ")
        },
    }
}

/// The geometry column to read: the one named, else the only one.
fn geometry_column(
    layer: &PostgisLayer,
    label: &str,
    all: &[(String, Type)],
) -> Result<String, PostgisError> {
    let geometries: Vec<&str> = all
        .iter()
        .filter(|(_, t)| is_geometry(t))
        .map(|(n, _)| n.as_str())
        .collect();
    let problem = |message: String| PostgisError::GeometryColumn {
        layer: label.to_string(),
        message,
    };
    match (&layer.geometry_column, geometries.as_slice()) {
        (Some(named), _) if geometries.contains(&named.as_str()) => Ok(named.clone()),
        (Some(named), _) => Err(problem(format!(
            "has no geometry column '{named}' (its geometry columns: {})",
            list(&geometries)
        ))),
        (None, [only]) => Ok(only.to_string()),
        (None, []) => Err(problem("has no geometry or geography column".into())),
        (None, several) => Err(problem(format!(
            "has several geometry columns ({}); name one with geometry_column = \"…\"",
            several.join(", ")
        ))),
    }
}

/// The readable columns besides the geometry, and the position of the key among them.
fn property_columns(
    all: &[(String, Type)],
    geometry_column: &str,
    key_name: Option<&str>,
) -> (Vec<Column>, Option<usize>) {
    let mut columns = Vec::new();
    let mut key = None;
    for (name, t) in all {
        if name == geometry_column {
            continue;
        }
        let Some(read) = Read::for_type(t) else {
            continue;
        };
        let is_key = key_name == Some(name.as_str());
        if is_key {
            key = Some(columns.len());
        }
        columns.push(Column {
            name: name.clone(),
            read,
            // `id` is the facility schema's own id column, so it stays a property.
            property: !(is_key && read.is_integer() && name != "id"),
        });
    }
    (columns, key)
}

/// The layer's CRS: the manifest's, else the SRID's.
fn layer_crs(declared: Option<Crs>, srid: i32, label: &str) -> Result<Crs, PostgisError> {
    match (declared, srid) {
        (Some(crs), _) => Ok(crs),
        (None, 28992) => Ok(Crs::RdNew),
        // PostGIS keeps x = longitude whatever EPSG says about the axis order.
        (None, 4326) => Ok(Crs::Crs84),
        // An empty layer has no SRID to go by; its rows decide nothing.
        (None, 0) => Ok(Crs::Crs84),
        (None, other) => Err(PostgisError::UnsupportedSrid {
            layer: label.to_string(),
            srid: other,
        }),
    }
}

/// The SELECT that streams the layer: geometry as WKB and its SRID, then the columns
/// (cast to text where the reader parses them), in key order when there is a key.
fn select_sql(g: &str, from: &str, columns: &[Column], key: Option<usize>) -> String {
    let mut select = vec![format!("ST_AsBinary({g})"), format!("ST_SRID({g})")];
    for c in columns {
        let col = format!("q.{}", quote(&c.name));
        select.push(if c.read.cast() {
            format!("{col}::text")
        } else {
            col
        });
    }
    let order = match key.map(|k| &columns[k].name) {
        Some(k) => format!(" ORDER BY q.{}", quote(k)),
        None => String::new(),
    };
    format!("SELECT {} FROM {from}{order}", select.join(", "))
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn number(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// One column of a row as JSON; `None` when the driver cannot hand it over (it was
/// described, so this does not happen with a well-behaved server).
fn value(row: &Row, i: usize, read: Read) -> Option<Value> {
    let v = match read {
        Read::Bool => row.try_get::<_, Option<bool>>(i).ok()?.map(Value::Bool),
        Read::I16 => row.try_get::<_, Option<i16>>(i).ok()?.map(Value::from),
        Read::I32 => row.try_get::<_, Option<i32>>(i).ok()?.map(Value::from),
        Read::I64 => row.try_get::<_, Option<i64>>(i).ok()?.map(Value::from),
        Read::F32 => row
            .try_get::<_, Option<f32>>(i)
            .ok()?
            .map(|f| number(f64::from(f))),
        Read::F64 => row.try_get::<_, Option<f64>>(i).ok()?.map(number),
        Read::Text => row.try_get::<_, Option<String>>(i).ok()?.map(Value::String),
        Read::Numeric => {
            row.try_get::<_, Option<String>>(i)
                .ok()?
                .map(|t| match t.parse::<i64>() {
                    Ok(n) => Value::from(n),
                    Err(_) => t.parse::<f64>().map_or(Value::String(t), number),
                })
        }
        Read::Json => row
            .try_get::<_, Option<String>>(i)
            .ok()?
            .map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t))),
    };
    Some(v.unwrap_or(Value::Null))
}

/// A row as the readers take it.
struct Record<'r> {
    wkb: Option<&'r [u8]>,
    srid: Option<i32>,
    props: Map<String, Value>,
    /// `gid=17`: how the report names a row that has no code or id to go by.
    key: Option<String>,
}

/// Streams the layer's rows into `each`, numbered from 1.
fn stream(
    db: &mut Database,
    plan: &Plan,
    mut each: impl FnMut(u64, Record<'_>),
) -> Result<(), PostgisError> {
    let Database { client, target } = db;
    let mut rows = client
        .query_raw(plan.sql.as_str(), std::iter::empty::<&str>())
        .map_err(|e| PostgisError::Query {
            layer: plan.label.clone(),
            message: target.redact(&db_message(&e)),
        })?;
    let mut n = 0u64;
    loop {
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                return Err(PostgisError::Row {
                    layer: plan.label.clone(),
                    row: n + 1,
                    message: target.redact(&db_message(&e)),
                })
            }
        };
        n += 1;
        let mut props = Map::new();
        let mut key = None;
        for (i, c) in plan.columns.iter().enumerate() {
            let Some(v) = value(&row, i + 2, c.read) else {
                continue;
            };
            if plan.key == Some(i) {
                let shown = match &v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                key = Some(format!("{}={shown}", c.name));
            }
            if c.property {
                props.insert(c.name.clone(), v);
            }
        }
        let record = Record {
            wkb: row.try_get(0).ok().flatten(),
            srid: row.try_get(1).ok().flatten(),
            props,
            key,
        };
        each(n, record);
    }
    Ok(())
}

/// A row's geometry in another SRID than its layer's cannot be read in the layer's CRS.
fn check_srid(plan: &Plan, srid: Option<i32>) -> Result<(), GeometryProblem> {
    match srid {
        Some(s) if plan.srid > 0 && s > 0 && s != plan.srid => Err(GeometryProblem::Unreadable(
            format!("the geometry is in SRID {s}, the layer's is {}", plan.srid),
        )),
        _ => Ok(()),
    }
}

pub fn read_areas(
    db: &mut Database,
    layer: &PostgisLayer,
    src: &AreaSource<'_>,
    seen: &mut SeenCodes,
    source_name: &str,
    report: &mut SourceReport,
) -> Result<AreaLayer, SourceError> {
    let label = src.path.display().to_string();
    let plan = plan(db, layer, &label, src.crs)?;
    let mut records =
        AreaRecords::new(src, plan.crs, source_name).with_geometry_field(&plan.geometry_column);
    stream(db, &plan, |n, row| {
        records.record_keyed(
            n,
            row.key.as_deref(),
            &row.props,
            |crs, repairs| {
                check_srid(&plan, row.srid)?;
                let bytes = row.wkb.ok_or(GeometryProblem::Missing)?;
                let polygons = wkb::decode_wkb(bytes).map_err(|e| match e {
                    wkb::WkbError::Empty => GeometryProblem::Missing,
                    wkb::WkbError::NotPolygonal(_) => {
                        GeometryProblem::NotPolygonal("non-polygon WKB geometry")
                    }
                    other => GeometryProblem::Unreadable(other.to_string()),
                })?;
                // A MultiPolygon with no parts is PostGIS's empty geometry.
                if polygons.is_empty() {
                    return Err(GeometryProblem::Missing);
                }
                geometry::area_geometry_from_polygons(&polygons, crs, repairs)
            },
            seen,
            report,
        )
    })?;
    records.finish(report)
}

pub fn read_facilities(
    db: &mut Database,
    layer: &PostgisLayer,
    src: &FacilitySource<'_>,
    seen_ids: &mut HashSet<String>,
    report: &mut SourceReport,
) -> Result<Vec<Voorziening>, SourceError> {
    let label = src.path.display().to_string();
    let plan = plan(db, layer, &label, src.crs)?;
    let mut records =
        FacilityRecords::new(src, plan.crs, 0).with_geometry_field(&plan.geometry_column);
    stream(db, &plan, |n, row| {
        let id = row.props.get("id").and_then(super::values::text);
        records.record(
            n,
            id,
            &row.props,
            |crs| {
                check_srid(&plan, row.srid)?;
                let bytes = row.wkb.ok_or(GeometryProblem::Missing)?;
                let [x, y] = wkb::decode_point(bytes).map_err(|e| match e {
                    wkb::WkbError::Empty => GeometryProblem::Missing,
                    wkb::WkbError::NotPoint(_) => {
                        GeometryProblem::NotPoint("non-point WKB geometry")
                    }
                    other => GeometryProblem::Unreadable(other.to_string()),
                })?;
                geometry::coordinate_pair(&[x, y], crs)
            },
            seen_ids,
            report,
        )
    })?;
    records.finish(report)
}
