//! Which areas a category's sources speak for, and which lie near the edge of that.

use crate::crs::RdPoint;
use crate::model::{Area, AreaLevel, Category, Coverage, Dataset, SourceCoverage};
use geo::{Distance, Euclidean, Point};
use serde::Serialize;

/// Where an area stands against a category's coverage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaCoverage {
    Inside,
    /// Inside, but the nearest loaded facility is farther than the edge of the
    /// coverage: a nearer one may lie just outside what the source describes.
    Edge {
        edge_m: f64,
    },
    Outside,
}

impl AreaCoverage {
    pub fn key(self) -> &'static str {
        match self {
            AreaCoverage::Inside => "binnen",
            AreaCoverage::Edge { .. } => "rand",
            AreaCoverage::Outside => "buiten",
        }
    }

    pub fn known(self) -> bool {
        !matches!(self, AreaCoverage::Outside)
    }
}

/// The union of the coverages of a category's sources.
pub struct CategoryCoverage<'a> {
    dataset: &'a Dataset,
    parts: Vec<&'a SourceCoverage>,
}

impl<'a> CategoryCoverage<'a> {
    pub fn new(dataset: &'a Dataset, category: Category) -> Self {
        CategoryCoverage {
            dataset,
            parts: dataset.coverage_of(category),
        }
    }

    /// True when some source is national, or nothing says otherwise (a dataset built
    /// without a loader states no coverage).
    pub fn is_national(&self) -> bool {
        self.parts.is_empty()
            || self
                .parts
                .iter()
                .any(|p| matches!(p.coverage, Coverage::National))
    }

    pub fn covers(&self, area: &Area) -> bool {
        self.is_national() || self.parts.iter().any(|p| p.coverage.covers(area))
    }

    /// Whether a point (a resident's place) lies inside.
    pub fn covers_point(&self, p: RdPoint) -> bool {
        if self.is_national() {
            return true;
        }
        let gemeente = AreaLevel::ALL
            .into_iter()
            .find_map(|l| self.dataset.area_at(l, p).map(|a| a.code.gemeente()));
        let point = Point::new(p.x, p.y);
        self.parts
            .iter()
            .any(|part| part.coverage.covers_point(point, gemeente))
    }

    /// In words: "heel Nederland", or what each source covers.
    pub fn described(&self) -> String {
        if self.is_national() {
            return "heel Nederland".into();
        }
        self.parts
            .iter()
            .map(|p| p.described.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The area's standing, given the distance to its nearest loaded facility.
    pub fn status(&self, area: &Area, nearest_m: Option<f64>) -> AreaCoverage {
        if !self.covers(area) {
            return AreaCoverage::Outside;
        }
        if self.is_national() {
            return AreaCoverage::Inside;
        }
        let Some(nearest) = nearest_m else {
            return AreaCoverage::Inside;
        };
        match self.edge_within(area.interior_point_rd, nearest) {
            Some(edge_m) => AreaCoverage::Edge { edge_m },
            None => AreaCoverage::Inside,
        }
    }

    /// The distance from `p` to the nearest point outside the coverage, when that is
    /// less than `limit_m`.
    fn edge_within(&self, p: Point<f64>, limit_m: f64) -> Option<f64> {
        let mut best: Option<f64> = None;
        let mut consider = |d: f64| {
            if d < limit_m && best.is_none_or(|b| d < b) {
                best = Some(d);
            }
        };
        // Gemeenten outside every part, found through the index within the limit.
        let coarsest = AreaLevel::ALL
            .into_iter()
            .find(|l| !self.dataset.areas(*l).is_empty());
        if let Some(level) = coarsest {
            let areas = self.dataset.areas(level);
            let (min, max) = (
                RdPoint::new(p.x() - limit_m, p.y() - limit_m),
                RdPoint::new(p.x() + limit_m, p.y() + limit_m),
            );
            self.dataset.index().areas_in_box(level, min, max, |i, _| {
                let other = &areas[i];
                if !self.covers(other) {
                    consider(Euclidean.distance(&p, &other.geometry.rd));
                }
            });
        }
        for part in &self.parts {
            if let Coverage::Region(shape) = &part.coverage {
                for polygon in &shape.0 {
                    for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                        consider(Euclidean.distance(&p, ring));
                    }
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture::{area, facility};
    use crate::model::{CoverageOrigin, SourceId, SourceInfo};
    use std::collections::BTreeSet;

    /// Synthetic: gemeenten GM0001 (wijken at x 0–3 km) and GM0002 (x 4–9 km), the
    /// source covering GM0001 only.
    fn ds() -> Dataset {
        let covered: BTreeSet<_> = ["GM0001".parse().unwrap()].into();
        let source = SourceInfo {
            name: "bibliotheken".into(),
            path: "synthetisch".into(),
            year: None,
            licence: None,
            attribution: None,
            coverage: Some(SourceCoverage {
                coverage: Coverage::Gemeenten(covered),
                origin: CoverageOrigin::Declared,
                described: "de gemeente Een".into(),
            }),
        };
        let mut f = facility("b1", Category::Bibliotheek, 0.5);
        f.source = SourceId(0);
        Dataset::assemble(
            vec![source],
            [
                vec![],
                vec![
                    area("WK000101", 0.0, &[]),
                    area("WK000103", 3.0, &[]),
                    area("WK000201", 4.0, &[]),
                    area("WK000209", 9.0, &[]),
                ],
                vec![],
            ],
            vec![f],
            Default::default(),
            vec![],
        )
    }

    #[test]
    fn inside_edge_and_outside() {
        let ds = ds();
        let c = CategoryCoverage::new(&ds, Category::Bibliotheek);
        assert!(!c.is_national());
        let areas = ds.areas(AreaLevel::Wijk);
        // 0.5 km from the library, 3.5 km from GM0002: inside.
        assert_eq!(c.status(&areas[0], Some(0.0)), AreaCoverage::Inside);
        // WK000103's point (3.5 km) lies 3 km from the library but 0.5 km from
        // GM0002's first wijk (x 4 km): a nearer library may lie across the border.
        match c.status(&areas[1], Some(3000.0)) {
            AreaCoverage::Edge { edge_m } => assert!((edge_m - 500.0).abs() < 1e-6),
            other => panic!("{other:?}"),
        }
        assert_eq!(c.status(&areas[2], Some(3500.0)), AreaCoverage::Outside);
        assert_eq!(c.status(&areas[3], None), AreaCoverage::Outside);
        assert_eq!(c.described(), "de gemeente Een");
    }
}
