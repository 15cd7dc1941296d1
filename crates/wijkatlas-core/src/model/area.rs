//! An area (gemeente, wijk or buurt) with its geometry and key figures.

use super::{AreaCode, AreaLevel, ExtraProperties, KeyFigures, SourceId};
use geo::{MultiPolygon, Point};

/// An area's outline in both coordinate systems, converted once at load.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaGeometry {
    /// RD New (EPSG:28992), metres: used for every measurement.
    pub rd: MultiPolygon<f64>,
    /// WGS84, lon/lat (CRS84): used for GeoJSON and the web map.
    pub wgs84: MultiPolygon<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub code: AreaCode,
    pub name: String,
    /// The gemeente name as the source gives it (useful when the gemeente layer is absent).
    pub gemeente_name: Option<String>,
    pub geometry: AreaGeometry,
    /// A point guaranteed inside the area (RD), the demand point for proximity work.
    pub interior_point_rd: Point<f64>,
    pub figures: KeyFigures,
    pub extra: ExtraProperties,
    /// The reference year of the figures, when the source states it.
    pub year: Option<u16>,
    pub source: SourceId,
}

impl Area {
    pub fn level(&self) -> AreaLevel {
        self.code.level()
    }
}

/// An area a source lists without an outline: its figures are served (with
/// `"geometry": null`), but it is on no map, in no index and in no analysis, which all
/// need to know where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct UnlocatedArea {
    pub code: AreaCode,
    pub name: String,
    pub gemeente_name: Option<String>,
    pub figures: KeyFigures,
    pub extra: ExtraProperties,
    pub year: Option<u16>,
    pub source: SourceId,
}
