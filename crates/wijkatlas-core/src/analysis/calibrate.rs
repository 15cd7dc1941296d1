//! Fitting the circuity factor to CBS's own road distances.
//!
//! CBS publishes per area the average distance by road from its residents' addresses
//! to the nearest huisarts, apotheek and ziekenhuis. Where the loaded data has both
//! such a figure and voorzieningen of that category, the ratio of CBS's road distance
//! to our straight line (from the area's demand point to the nearest loaded
//! voorziening) estimates the circuity; the median over the areas is the fit. It is
//! only as good as the match between the two: other years, or a register that misses
//! facilities CBS counts, pull it away from the true detour.

use super::indicators::CategoryPoints;
use crate::model::{AreaLevel, Category, Dataset, Figure};
use serde::Serialize;

/// The CBS distance figures and the categories they measure, defined alike: CBS's
/// hospital distance leaves out outpatient clinics, and so does our `ziekenhuis`.
const PAIRS: [(Figure, Category); 5] = [
    (Figure::DistanceGp, Category::Huisarts),
    (Figure::DistanceGpPost, Category::Huisartsenpost),
    (Figure::DistancePharmacy, Category::Apotheek),
    (Figure::DistanceHospital, Category::Ziekenhuis),
    (Figure::DistanceLibrary, Category::Bibliotheek),
];

/// CBS's own distance figure for a category, when CBS publishes one defined as ours.
pub fn cbs_figure(category: Category) -> Option<Figure> {
    PAIRS.iter().find(|p| p.1 == category).map(|p| p.0)
}

/// CBS's distance for the area in km and the level it is of: the area's own figure,
/// else that of the nearest coarser area that has one (a wijk shows its gemeente's).
pub fn cbs_distance(
    dataset: &Dataset,
    area: &crate::model::Area,
    category: Category,
) -> Option<(f64, AreaLevel)> {
    let figure = cbs_figure(category)?;
    if let Some(v) = area.figures.get(figure) {
        return Some((v, area.level()));
    }
    AreaLevel::ALL
        .into_iter()
        .rev()
        .filter(|l| *l < area.level())
        .find_map(|l| {
            let parent = dataset.area(area.code.ancestor(l)?)?;
            parent.figures.get(figure).map(|v| (v, l))
        })
}

/// Straight lines shorter than this say more about where the demand point lies than
/// about the road network, so they are left out of the fit.
const MIN_STRAIGHT_M: f64 = 1_000.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    pub level: AreaLevel,
    pub category: Category,
    pub figure: &'static str,
    /// Areas with both a CBS distance and a straight line of at least 1 km.
    pub areas: usize,
    /// Median of CBS road distance / straight line.
    pub factor: f64,
}

/// One fit per level and CBS distance figure for which the data allows one.
pub fn circuity(dataset: &Dataset) -> Vec<Fit> {
    let mut fits = Vec::new();
    for (figure, category) in PAIRS {
        let points = CategoryPoints::new(dataset, category);
        if points.is_empty() {
            continue;
        }
        // Only where the category's sources speak: elsewhere the nearest loaded point
        // is not the nearest one there is.
        let coverage = super::coverage::CategoryCoverage::new(dataset, category);
        for level in AreaLevel::ALL {
            let mut ratios: Vec<f64> = dataset
                .areas(level)
                .iter()
                .filter(|a| coverage.covers(a))
                .filter_map(|a| {
                    let road_m = a.figures.get(figure)? * 1000.0;
                    let straight =
                        points.nearest_m(a.interior_point_rd.x(), a.interior_point_rd.y())?;
                    (straight >= MIN_STRAIGHT_M && road_m > 0.0).then(|| road_m / straight)
                })
                .collect();
            if ratios.len() < 10 {
                continue;
            }
            ratios.sort_by(f64::total_cmp);
            fits.push(Fit {
                level,
                category,
                figure: figure.key(),
                areas: ratios.len(),
                factor: ratios[ratios.len() / 2],
            });
        }
    }
    fits
}
