//! A care or welfare facility at a point.

use super::{AreaCode, Category, SourceId};
use crate::crs::{LonLat, RdPoint};
use serde::{Deserialize, Serialize};

/// How exactly a facility's position is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationPrecision {
    /// Surveyed or mapped on the building (e.g. an OpenStreetMap node).
    Exact,
    /// Geocoded from a street address.
    Address,
    /// Only the centroid of the postcode area is known.
    PostcodeArea,
    /// The source does not say how the position was obtained.
    Unknown,
}

/// A position held in both coordinate systems, converted once at load.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Location {
    pub rd: RdPoint,
    pub wgs84: LonLat,
}

impl Location {
    pub fn from_wgs84(wgs84: LonLat) -> Self {
        Location {
            rd: wgs84.to_rd(),
            wgs84,
        }
    }

    pub fn from_rd(rd: RdPoint) -> Self {
        Location {
            rd,
            wgs84: rd.to_wgs84(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Address {
    /// Street and house number as one line.
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        self.street.is_none() && self.postcode.is_none() && self.city.is_none()
    }
}

/// The areas a facility lies in, one per loaded level, found by point-in-polygon.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Containing {
    pub gemeente: Option<AreaCode>,
    pub wijk: Option<AreaCode>,
    pub buurt: Option<AreaCode>,
}

impl Containing {
    pub fn is_empty(&self) -> bool {
        self.gemeente.is_none() && self.wijk.is_none() && self.buurt.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Voorziening {
    /// Stable id, prefixed by its register (`osm:node/…`, `rivm2019:…`).
    pub id: String,
    pub category: Category,
    /// The source's own finer type, e.g. "Buitenpolikliniek".
    pub subtype: Option<String>,
    pub name: String,
    pub address: Address,
    pub location: Location,
    pub precision: LocationPrecision,
    /// Supply for the accessibility analysis (FTE, places); `None` counts as 1.
    pub capacity: Option<f64>,
    pub source: SourceId,
    pub containing: Containing,
}
