//! Opening a GeoJSON file and finding out which CRS its coordinates are in.

use super::error::SourceError;
use crate::crs::Crs;
use geojson::{FeatureCollection, GeoJson};
use std::path::Path;

/// Reads a FeatureCollection and the CRS it declares with the pre-RFC 7946 `crs` member
/// (ogr2ogr still writes one for RD files), if any.
pub fn read(path: &Path) -> Result<(FeatureCollection, Option<Crs>), SourceError> {
    let text = std::fs::read_to_string(path).map_err(|source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// The same for text already read; `path` only names the file in errors.
pub fn parse(text: &str, path: &Path) -> Result<(FeatureCollection, Option<Crs>), SourceError> {
    let geojson: GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| SourceError::GeoJson {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    let fc = match geojson {
        GeoJson::FeatureCollection(fc) => fc,
        GeoJson::Feature(_) => {
            return Err(SourceError::NotFeatureCollection {
                path: path.to_path_buf(),
                found: "Feature",
            })
        }
        GeoJson::Geometry(_) => {
            return Err(SourceError::NotFeatureCollection {
                path: path.to_path_buf(),
                found: "Geometry",
            })
        }
    };
    let declared = fc
        .foreign_members
        .as_ref()
        .and_then(|m| m.get("crs"))
        .and_then(|crs| crs.pointer("/properties/name"))
        .and_then(|name| name.as_str())
        .map(|name| {
            name.parse::<Crs>()
                .map_err(|_| SourceError::UnsupportedCrs {
                    path: path.to_path_buf(),
                    declared: name.to_string(),
                })
        })
        .transpose()?;
    Ok((fc, declared))
}

/// The id of a feature as text: its `id` member, else the named property.
pub fn feature_id(feature: &geojson::Feature, property: &str) -> Option<String> {
    match &feature.id {
        Some(geojson::feature::Id::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(geojson::feature::Id::Number(n)) => Some(n.to_string()),
        _ => feature
            .properties
            .as_ref()
            .and_then(|p| p.get(property))
            .and_then(super::values::text),
    }
}
