//! Per-area proximity indicators for one category: the distance from the area's demand
//! point to the nearest voorziening, and how many lie within 1, 3 and 5 km (inclusive).

use crate::model::{AreaCode, AreaLevel, Category, Dataset};
use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::Serialize;

/// The radii counted around each area, in metres.
pub const COUNT_RADII_M: [f64; 3] = [1_000.0, 3_000.0, 5_000.0];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaProximity {
    pub code: AreaCode,
    /// Straight line from the demand point; `None` when no such voorziening is loaded.
    pub nearest_m: Option<f64>,
    /// Counts within [`COUNT_RADII_M`].
    pub within: [usize; 3],
}

/// The voorzieningen of one category in an R-tree of their own, so that a rare
/// category is not found by walking past all the others.
pub struct CategoryPoints {
    tree: RTree<GeomWithData<[f64; 2], usize>>,
}

impl CategoryPoints {
    pub fn new(dataset: &Dataset, category: Category) -> CategoryPoints {
        let tree = RTree::bulk_load(
            dataset
                .voorzieningen()
                .iter()
                .enumerate()
                .filter(|(_, v)| v.category == category)
                .map(|(i, v)| GeomWithData::new([v.location.rd.x, v.location.rd.y], i))
                .collect(),
        );
        CategoryPoints { tree }
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    pub fn nearest_m(&self, x: f64, y: f64) -> Option<f64> {
        self.tree
            .nearest_neighbor_iter_with_distance_2(&[x, y])
            .next()
            .map(|(_, d2)| d2.sqrt())
    }

    pub fn count_within(&self, x: f64, y: f64) -> [usize; 3] {
        let mut counts = [0; 3];
        let outer = COUNT_RADII_M[2];
        for e in self
            .tree
            .locate_within_distance([x, y], outer * outer * (1.0 + 1e-9))
        {
            let d = (e.geom()[0] - x).hypot(e.geom()[1] - y);
            for (k, r) in COUNT_RADII_M.iter().enumerate() {
                counts[k] += usize::from(d <= *r);
            }
        }
        counts
    }
}

/// The distance from each demand point to the nearest of `supply` (`None` when there is
/// no supply at all).
pub fn nearest_supply(
    demand: &[super::access::Demand],
    supply: &[super::access::Supply],
) -> Vec<Option<f64>> {
    let tree: RTree<[f64; 2]> = RTree::bulk_load(supply.iter().map(|s| [s.at.x, s.at.y]).collect());
    demand
        .iter()
        .map(|d| {
            tree.nearest_neighbor_iter_with_distance_2(&[d.at.x, d.at.y])
                .next()
                .map(|(_, d2)| d2.sqrt())
        })
        .collect()
}

/// Mean distance to the nearest voorziening over the dwellings of each area, when
/// dwelling points are loaded: CBS measures its proximity figures the same way, from
/// every address rather than from one point.
fn dwelling_means(
    dataset: &Dataset,
    level: AreaLevel,
    points: &CategoryPoints,
) -> std::collections::HashMap<AreaCode, f64> {
    let mut sums: std::collections::HashMap<AreaCode, (f64, u32)> = Default::default();
    for d in dataset.dwellings() {
        let code = match level {
            AreaLevel::Gemeente => d.containing.gemeente,
            AreaLevel::Wijk => d.containing.wijk,
            AreaLevel::Buurt => d.containing.buurt,
        };
        let (Some(code), Some(m)) = (code, points.nearest_m(d.location.rd.x, d.location.rd.y))
        else {
            continue;
        };
        let e = sums.entry(code).or_default();
        e.0 += m;
        e.1 += 1;
    }
    sums.into_iter()
        .map(|(code, (sum, n))| (code, sum / f64::from(n)))
        .collect()
}

/// The indicators of every area of `level` for `category`, in the dataset's area order.
/// The distance to the nearest is the mean over the area's dwellings where dwelling
/// points are loaded, and from the area's demand point elsewhere; the counts are
/// around the demand point.
pub fn proximity(dataset: &Dataset, level: AreaLevel, category: Category) -> Vec<AreaProximity> {
    let points = CategoryPoints::new(dataset, category);
    let by_dwellings = dwelling_means(dataset, level, &points);
    dataset
        .areas(level)
        .iter()
        .map(|a| {
            let (x, y) = (a.interior_point_rd.x(), a.interior_point_rd.y());
            AreaProximity {
                code: a.code,
                nearest_m: by_dwellings
                    .get(&a.code)
                    .copied()
                    .or_else(|| points.nearest_m(x, y)),
                within: points.count_within(x, y),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture::{area, dataset, facility};

    #[test]
    fn nearest_and_counts_with_inclusive_radii() {
        // Demand points at x = 0.5 km and 10.5 km; huisartsen at 0.5 (on the point),
        // 1.5 (1 km away: inside 1 km), 3.5 (3 km), 5.5 (5 km) and 6.5 km (6 km).
        let ds = dataset(
            vec![area("WK000101", 0.0, &[]), area("WK000102", 10.0, &[])],
            vec![
                facility("a", Category::Huisarts, 0.5),
                facility("b", Category::Huisarts, 1.5),
                facility("c", Category::Huisarts, 3.5),
                facility("d", Category::Huisarts, 5.5),
                facility("e", Category::Huisarts, 6.5),
                facility("f", Category::Apotheek, 0.6),
            ],
        );
        let p = proximity(&ds, AreaLevel::Wijk, Category::Huisarts);
        assert_eq!(p[0].nearest_m, Some(0.0));
        assert_eq!(p[0].within, [2, 3, 4]);
        assert!((p[1].nearest_m.unwrap() - 4000.0).abs() < 1e-9);
        assert_eq!(p[1].within, [0, 0, 2]);
        // With dwelling points the distance is their mean: synthetic dwellings of the
        // second wijk at 10.1 and 10.3 km lie 3.6 and 3.8 km from the huisarts at 6.5.
        let with_dwellings = crate::analysis::fixture::with_dwellings(&ds, &[10.1, 10.3]);
        let p = proximity(&with_dwellings, AreaLevel::Wijk, Category::Huisarts);
        assert!(
            (p[1].nearest_m.unwrap() - 3700.0).abs() < 1e-9,
            "{:?}",
            p[1]
        );
        assert_eq!(
            p[0].nearest_m,
            Some(0.0),
            "no dwellings there: the demand point"
        );
        let ds = with_dwellings;
        let none = proximity(&ds, AreaLevel::Wijk, Category::Ggz);
        assert_eq!(none[0].nearest_m, None);
        assert_eq!(none[0].within, [0, 0, 0]);
    }
}
