//! Facility registers: the CSV and XLSX exports that gemeenten, GGDs and welfare
//! organisations keep, located by coordinates or geocoded by postcode.

use super::error::SourceError;
use super::report::SourceReport;
use crate::crs::Crs;
use crate::model::{Category, Postcode, SourceId, Voorziening};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// The `[source.register]` table of a manifest entry.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterOptions {}

#[allow(dead_code)] // filled in by the register reader
pub struct RegisterSource<'a> {
    pub path: &'a Path,
    pub id: SourceId,
    pub crs: Option<Crs>,
    pub default_category: Option<Category>,
    pub options: &'a RegisterOptions,
    /// PC4 centroids loaded from the data directory, for geocoding by postcode.
    pub postcodes: &'a BTreeMap<u16, Postcode>,
}

pub fn read(
    src: &RegisterSource<'_>,
    _seen_ids: &mut HashSet<String>,
    _report: &mut SourceReport,
) -> Result<Vec<Voorziening>, SourceError> {
    Err(SourceError::UnsupportedFormat {
        path: src.path.to_path_buf(),
        extension: "csv/xlsx register (not yet supported)".into(),
        kind: "voorzieningen",
    })
}
