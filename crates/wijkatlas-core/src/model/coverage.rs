//! The part of the country a facility source describes.
//!
//! A source of libraries in the Drechtsteden says nothing about libraries in Baarn: an
//! area outside every source of a category has no figure for it, rather than the
//! distance to the nearest point that happens to be loaded.

use super::{Area, AreaCode};
use geo::{Contains, MultiPolygon, Point};
use serde::Serialize;
use std::collections::BTreeSet;

/// Where a source's records are complete.
#[derive(Debug, Clone, PartialEq)]
pub enum Coverage {
    /// Every facility of its kind in the Netherlands.
    National,
    /// The gemeenten with these codes, whole.
    Gemeenten(BTreeSet<AreaCode>),
    /// A polygon in RD New metres (an extract's boundary or a file's outline).
    Region(MultiPolygon<f64>),
}

impl Coverage {
    /// Whether an area lies inside: by its gemeente for a list of gemeenten, by its
    /// interior point for a region.
    pub fn covers(&self, area: &Area) -> bool {
        match self {
            Coverage::National => true,
            Coverage::Gemeenten(codes) => codes.contains(&area.code.gemeente()),
            Coverage::Region(shape) => shape.contains(&area.interior_point_rd),
        }
    }

    /// Whether an RD point lies inside; `gemeente` is the gemeente the point lies in.
    pub fn covers_point(&self, p: Point<f64>, gemeente: Option<AreaCode>) -> bool {
        match self {
            Coverage::National => true,
            Coverage::Gemeenten(codes) => gemeente.is_some_and(|g| codes.contains(&g)),
            Coverage::Region(shape) => shape.contains(&p),
        }
    }
}

/// How a source's coverage was decided, so `check` and the pages can say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageOrigin {
    /// The manifest's `dekking`.
    Declared,
    /// The bounding box in an OpenStreetMap extract's header.
    ExtractBounds,
    /// Not declared; the points are spread over the whole country.
    PointsNationwide,
    /// Not declared; the points lie in a few gemeenten, taken as the coverage.
    PointsGemeenten,
}

/// A source's coverage with how it was decided and a description in words.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceCoverage {
    pub coverage: Coverage,
    pub origin: CoverageOrigin,
    /// In Dutch, for a reason text: "heel Nederland", "de gemeenten Dordrecht, …".
    pub described: String,
}

impl Serialize for SourceCoverage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry(
            "soort",
            match self.coverage {
                Coverage::National => "nederland",
                Coverage::Gemeenten(_) => "gemeenten",
                Coverage::Region(_) => "gebied",
            },
        )?;
        if let Coverage::Gemeenten(codes) = &self.coverage {
            map.serialize_entry("gemeenten", codes)?;
        }
        map.serialize_entry("herkomst", &self.origin)?;
        map.serialize_entry("omschrijving", &self.described)?;
        map.end()
    }
}
