//! Coordinate reference systems: RD New (EPSG:28992) for measuring, WGS84 for the web.
//!
//! wijkatlas stores every geometry twice, once in each system, so that distances are
//! always computed in metres on the RD plane and no request ever reprojects.

mod rd;

pub use rd::{rd_to_wgs84, wgs84_to_rd, RD_DOMAIN, WGS84_DOMAIN};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A position in RD New (Amersfoort / RD New, EPSG:28992), in metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RdPoint {
    pub x: f64,
    pub y: f64,
}

/// A position in WGS84 with longitude first (CRS84 axis order, as in GeoJSON).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

impl RdPoint {
    pub fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    pub fn to_wgs84(self) -> LonLat {
        rd_to_wgs84(self)
    }

    /// Straight-line distance in metres on the RD plane.
    ///
    /// RD's scale error stays below 1e-4 over the Netherlands, so planar distance is
    /// good to 10 cm per kilometre, far better than any facility location we hold.
    pub fn distance_m(self, other: RdPoint) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }

    pub fn in_domain(self) -> bool {
        RD_DOMAIN.contains(self.x, self.y)
    }
}

impl LonLat {
    pub fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }

    pub fn to_rd(self) -> RdPoint {
        wgs84_to_rd(self)
    }

    pub fn in_domain(self) -> bool {
        WGS84_DOMAIN.contains(self.lon, self.lat)
    }
}

/// An axis-aligned box in one CRS, used for the areas of use of RD and WGS84.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Domain {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl Domain {
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.min_x && x <= self.max_x && y >= self.min_y && y <= self.max_y
    }
}

/// The coordinate systems wijkatlas reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Crs {
    /// WGS84 with longitude, latitude axis order (OGC CRS84; GeoJSON's only CRS).
    #[serde(rename = "CRS84")]
    Crs84,
    /// WGS84 with the EPSG axis order latitude, longitude.
    #[serde(rename = "EPSG:4326")]
    Epsg4326,
    /// RD New: Amersfoort / RD New, x east and y north in metres.
    #[serde(rename = "EPSG:28992")]
    RdNew,
}

impl Crs {
    pub const ALL: [Crs; 3] = [Crs::Crs84, Crs::Epsg4326, Crs::RdNew];

    pub fn uri(self) -> &'static str {
        match self {
            Crs::Crs84 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            Crs::Epsg4326 => "http://www.opengis.net/def/crs/EPSG/0/4326",
            Crs::RdNew => "http://www.opengis.net/def/crs/EPSG/0/28992",
        }
    }

    pub fn short_name(self) -> &'static str {
        match self {
            Crs::Crs84 => "CRS84",
            Crs::Epsg4326 => "EPSG:4326",
            Crs::RdNew => "EPSG:28992",
        }
    }

    /// Whether coordinates are geographic degrees (as opposed to projected metres).
    pub fn is_geographic(self) -> bool {
        !matches!(self, Crs::RdNew)
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown CRS '{0}': use CRS84, EPSG:4326 or EPSG:28992 (or their OGC URIs)")]
pub struct UnknownCrs(pub String);

impl FromStr for Crs {
    type Err = UnknownCrs;

    /// Accepts the short names, OGC URIs, URNs and the aliases GIS tools write.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        // The canonical URI, as clients mostly send it, without the allocations below.
        if let Some(&crs) = Crs::ALL.iter().find(|c| c.uri() == t) {
            return Ok(crs);
        }
        let lower = t.to_ascii_lowercase();
        let code = lower
            .trim_start_matches("http://www.opengis.net/def/crs/")
            .trim_start_matches("https://www.opengis.net/def/crs/")
            .trim_start_matches("urn:ogc:def:crs:")
            .replace("::", ":")
            .replace('/', ":");
        match code.as_str() {
            "crs84" | "ogc:1.3:crs84" | "ogc:crs84" | "wgs84" => Ok(Crs::Crs84),
            "epsg:4326" | "epsg:0:4326" | "4326" => Ok(Crs::Epsg4326),
            "epsg:28992" | "epsg:0:28992" | "28992" | "rd" | "rd new" => Ok(Crs::RdNew),
            _ => Err(UnknownCrs(t.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_uris_and_urns() {
        assert_eq!("CRS84".parse::<Crs>(), Ok(Crs::Crs84));
        assert_eq!(
            "urn:ogc:def:crs:OGC:1.3:CRS84".parse::<Crs>(),
            Ok(Crs::Crs84)
        );
        assert_eq!(
            "http://www.opengis.net/def/crs/EPSG/0/4326".parse::<Crs>(),
            Ok(Crs::Epsg4326)
        );
        assert_eq!("urn:ogc:def:crs:EPSG::28992".parse::<Crs>(), Ok(Crs::RdNew));
        assert_eq!("EPSG:28992".parse::<Crs>(), Ok(Crs::RdNew));
        assert!("EPSG:3857".parse::<Crs>().is_err());
        // The canonical URIs (the fast path), and the same in other letter case (the
        // general one).
        for crs in Crs::ALL {
            assert_eq!(crs.uri().parse::<Crs>(), Ok(crs));
            assert_eq!(crs.uri().to_uppercase().parse::<Crs>(), Ok(crs));
        }
    }

    #[test]
    fn uri_round_trips() {
        for crs in Crs::ALL {
            assert_eq!(crs.uri().parse::<Crs>(), Ok(crs));
        }
    }
}
