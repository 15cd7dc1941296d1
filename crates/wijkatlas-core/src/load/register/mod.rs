//! Facility registers: the CSV and XLSX exports that gemeenten, GGDs and welfare
//! organisations keep, located by coordinates or geocoded by postcode.
//!
//! The flow is one file per step: [`decode`] bytes to text, split the text into a
//! [`table`] (or read an [`xlsx`] sheet into one), find the [`columns`], and turn rows
//! into [`records`], each placed by [`locate`] and, without an id column, given a
//! content-derived [`id`].
//!
//! - Ids: `<source name>:<id column>` when the register has an id column, else
//!   `<source name>:<16 hex digits>` hashed from name + address + postcode, so ids stay
//!   the same when rows are re-sorted or the file is reloaded.
//! - Location, per row, first that is filled in: lat/lon columns (read as RD x/y when the
//!   source sets `crs = "EPSG:28992"`), RD x/y columns, then the postcode (PC6 or PC4)
//!   geocoded to its PC4 centroid. Each record's `precision` says which: `postcode_area`
//!   for geocoded rows, the `precision` option (default `unknown`) for coordinate rows.
//! - A whole source fails for what is a setting rather than bad records: an undecodable
//!   encoding, a wrong delimiter, a broken quote, missing columns, swapped coordinate
//!   columns, or no record in the Netherlands at all.

mod columns;
mod decode;
mod id;
mod locate;
mod options;
mod records;
mod table;
mod xlsx;

pub use options::{ColumnNames, DecimalMark, Delimiter, RegisterOptions, TextEncoding};

use super::error::SourceError;
use super::report::SourceReport;
use crate::crs::Crs;
use crate::model::{Category, LocationPrecision, Postcode, SourceId, Voorziening};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

pub struct RegisterSource<'a> {
    pub path: &'a Path,
    /// The manifest's source name: the prefix of every id.
    pub name: &'a str,
    pub id: SourceId,
    pub crs: Option<Crs>,
    pub default_category: Option<Category>,
    pub options: &'a RegisterOptions,
    /// PC4 centroids loaded from the data directory, for geocoding by postcode.
    pub postcodes: &'a BTreeMap<u16, Postcode>,
}

pub fn read(
    src: &RegisterSource<'_>,
    seen_ids: &mut HashSet<String>,
    report: &mut SourceReport,
) -> Result<Vec<Voorziening>, SourceError> {
    let bytes = std::fs::read(src.path).map_err(|source| SourceError::Io {
        path: src.path.to_path_buf(),
        source,
    })?;
    let is_xlsx = src
        .path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let table = if is_xlsx {
        xlsx::parse(&bytes, src.options.sheet.as_deref()).map_err(|message| SourceError::Xlsx {
            path: src.path.to_path_buf(),
            message,
        })?
    } else {
        csv_table(&bytes, src.path, src.options)?
    };
    read_table(&table, src, seen_ids, report)
}

/// Reads a CSV register from memory, as [`read`] does from a file; for the fuzzer and
/// for callers that have the bytes already. `name` is both the source name (the id
/// prefix) and the path shown in messages. Geocodes with `postcodes`.
pub fn read_bytes(
    bytes: &[u8],
    name: &str,
    options: &RegisterOptions,
    postcodes: &BTreeMap<u16, Postcode>,
    report: &mut SourceReport,
) -> Result<Vec<Voorziening>, SourceError> {
    let path = Path::new(name);
    let table = csv_table(bytes, path, options)?;
    let src = RegisterSource {
        path,
        name,
        id: SourceId(0),
        crs: None,
        default_category: None,
        options,
        postcodes,
    };
    read_table(&table, &src, &mut HashSet::new(), report)
}

fn csv_table(
    bytes: &[u8],
    path: &Path,
    options: &RegisterOptions,
) -> Result<table::Table, SourceError> {
    let (text, _) = decode::decode(bytes, options.encoding.map(|e| e.0)).map_err(|e| {
        SourceError::Csv {
            path: path.to_path_buf(),
            line: e.line,
            message: format!(
                "the text is not valid {}; set encoding = \"windows-1252\" (or leave encoding out to detect it)",
                e.encoding
            ),
        }
    })?;
    table::parse(&text, options.delimiter).map_err(|e| SourceError::Csv {
        path: path.to_path_buf(),
        line: e.line,
        message: e.message,
    })
}

fn read_table(
    table: &table::Table,
    src: &RegisterSource<'_>,
    seen_ids: &mut HashSet<String>,
    report: &mut SourceReport,
) -> Result<Vec<Voorziening>, SourceError> {
    let columns = columns::find(&table.headers, &src.options.columns).map_err(|missing| {
        SourceError::MissingColumn {
            path: src.path.to_path_buf(),
            column: missing.wanted,
            found: table.headers.join(", "),
        }
    })?;
    let ctx = records::Context {
        path: src.path,
        source_name: src.name,
        source: src.id,
        default_category: src.default_category,
        options: src.options,
        locator: locate::Locator {
            columns: &columns,
            headers: &table.headers,
            crs: src.crs,
            decimal: src.options.decimal,
            precision: src.options.precision.unwrap_or(LocationPrecision::Unknown),
            postcodes: src.postcodes,
        },
    };
    records::read(table, &ctx, seen_ids, report)
}
