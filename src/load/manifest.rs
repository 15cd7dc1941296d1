//! The data manifest (`wijkatlas.toml`): which sources make up a dataset.

use crate::crs::Crs;
use crate::model::{AreaLevel, Category};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const MANIFEST_FILE: &str = "wijkatlas.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// A human name for the dataset, shown on the status page.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "source", default)]
    pub sources: Vec<SourceSpec>,
}

/// One file to load, with what it holds and how to read it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    pub name: String,
    /// Relative to the manifest's directory.
    pub path: PathBuf,
    #[serde(flatten)]
    pub kind: SourceKind,
    /// Coordinate system of the file; GeoJSON defaults to CRS84 unless it says otherwise.
    #[serde(default)]
    pub crs: Option<Crs>,
    #[serde(default)]
    pub year: Option<u16>,
    #[serde(default)]
    pub licence: Option<String>,
    #[serde(default)]
    pub attribution: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SourceKind {
    /// Area polygons of one level with their key figures.
    Areas {
        level: AreaLevel,
        /// Column holding the CBS code, when it is not one of the usual names.
        #[serde(default)]
        code_field: Option<String>,
        #[serde(default)]
        name_field: Option<String>,
    },
    /// Facility points in the wijkatlas voorzieningen schema.
    Voorzieningen {
        /// Category for records that carry none.
        #[serde(default)]
        category: Option<Category>,
    },
    /// A PC4 centroid table (`pc4,lon,lat,places,gemeentecode`).
    Postcodes,
}

impl SourceKind {
    pub fn label(&self) -> &'static str {
        match self {
            SourceKind::Areas { .. } => "areas",
            SourceKind::Voorzieningen { .. } => "voorzieningen",
            SourceKind::Postcodes => "postcodes",
        }
    }
}

impl SourceSpec {
    pub fn resolve(&self, dir: &Path) -> PathBuf {
        dir.join(&self.path)
    }
}
