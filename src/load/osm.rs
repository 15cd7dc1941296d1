//! OpenStreetMap extracts (`.osm.pbf`): the care and welfare POIs among them.

use super::error::SourceError;
use super::report::SourceReport;
use crate::model::{SourceId, Voorziening};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

/// The `[source.osm]` table of a manifest entry.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OsmOptions {}

#[allow(dead_code)] // filled in by the OSM reader
pub struct OsmSource<'a> {
    pub path: &'a Path,
    pub id: SourceId,
    pub options: &'a OsmOptions,
}

pub fn read(
    src: &OsmSource<'_>,
    _seen_ids: &mut HashSet<String>,
    _report: &mut SourceReport,
) -> Result<Vec<Voorziening>, SourceError> {
    Err(SourceError::UnsupportedFormat {
        path: src.path.to_path_buf(),
        extension: "osm.pbf (not yet supported)".into(),
        kind: "voorzieningen",
    })
}
