//! Errors that stop a whole source or the whole load.

use std::path::PathBuf;

/// A dataset directory that cannot be loaded at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    #[error("no data manifest at {0}: a data directory needs a wijkatlas.toml that lists its sources (see data/README.md)")]
    ManifestMissing(PathBuf),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("manifest {path} is not valid: {source}")]
    ManifestInvalid {
        path: PathBuf,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("manifest {path} lists no sources")]
    ManifestEmpty { path: PathBuf },
    #[error("manifest {path} names source '{name}' twice")]
    DuplicateSourceName { path: PathBuf, name: String },
    #[error("manifest {path}: {message}")]
    AnalysisSettings { path: PathBuf, message: String },
}

/// A source file that could not be read at all; its records are not loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid GeoJSON: {message}")]
    GeoJson { path: PathBuf, message: String },
    #[error("{path} is a GeoJSON {found}, expected a FeatureCollection")]
    NotFeatureCollection { path: PathBuf, found: &'static str },
    #[error("{path} {message}")]
    GeoPackage { path: PathBuf, message: String },
    #[error("{path}: the file declares CRS '{declared}', which wijkatlas cannot read (use CRS84, EPSG:4326 or EPSG:28992)")]
    UnsupportedCrs { path: PathBuf, declared: String },
    #[error(
        "{path}: unsupported format '{extension}' for a {kind} source (use .geojson/.json or .csv)"
    )]
    UnsupportedFormat {
        path: PathBuf,
        extension: String,
        kind: &'static str,
    },
    #[error("{path}, line {line}: {message}")]
    Csv {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: required column '{column}' is missing (columns found: {found})")]
    MissingColumn {
        path: PathBuf,
        column: String,
        found: String,
    },
    #[error("{path}: {swapped} of the {with_coordinates} records with coordinates in columns {columns} lie outside the Netherlands but would lie inside with the two coordinates exchanged: the columns are swapped; exchange them in the file or set {fix} in [source.register.columns]")]
    SwappedAxes {
        path: PathBuf,
        swapped: u64,
        with_coordinates: u64,
        columns: String,
        /// The column settings that read the file the right way round.
        fix: String,
    },
    #[error("{path}: not a readable XLSX workbook: {message}")]
    Xlsx { path: PathBuf, message: String },
    #[error("{path}: none of the {read} records lies in the Netherlands in {crs}; {hint}")]
    NothingInNetherlands {
        path: PathBuf,
        read: u64,
        crs: String,
        hint: String,
    },
    #[error("{path} cannot be read as an OpenStreetMap extract: {message}")]
    Pbf { path: PathBuf, message: String },
    #[error(transparent)]
    Postgis(#[from] super::postgis::PostgisError),
}
