//! The voorzieningen of a category in an R-tree, and the radii proximity is counted in;
//! the per-area indicators themselves are made in `assess`.

use crate::model::{Category, Dataset};
use rstar::primitives::GeomWithData;
use rstar::RTree;

/// The radii counted around each area, in metres.
pub const COUNT_RADII_M: [f64; 3] = [1_000.0, 3_000.0, 5_000.0];

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture::{dataset, facility, X0, Y0};

    #[test]
    fn nearest_and_counts_with_inclusive_radii() {
        // Synthetic: huisartsen at 0.5 (on the point), 1.5 (1 km away: inside 1 km),
        // 3.5 (3 km), 5.5 (5 km) and 6.5 km (6 km); an apotheek that does not count.
        let ds = dataset(
            vec![],
            vec![
                facility("a", Category::Huisarts, 0.5),
                facility("b", Category::Huisarts, 1.5),
                facility("c", Category::Huisarts, 3.5),
                facility("d", Category::Huisarts, 5.5),
                facility("e", Category::Huisarts, 6.5),
                facility("f", Category::Apotheek, 0.6),
            ],
        );
        let p = CategoryPoints::new(&ds, Category::Huisarts);
        let (x, y) = (X0 + 500.0, Y0 + 500.0);
        assert_eq!(p.nearest_m(x, y), Some(0.0));
        assert_eq!(p.count_within(x, y), [2, 3, 4]);
        assert!(CategoryPoints::new(&ds, Category::Ggz).is_empty());
    }
}
