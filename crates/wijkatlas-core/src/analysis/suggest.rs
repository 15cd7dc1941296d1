//! Where next: candidate locations for a new voorziening that bring the most people
//! who now have none within the catchment into reach.
//!
//! Greedy maximal covering (Church & ReVelle 1974, solved greedily): the candidates are
//! the demand points of the areas; an area is *unserved* when no voorziening of the
//! category lies within d0 of its demand point. Each round takes the candidate whose
//! catchment holds the most unserved demand, counts that demand as served, and repeats.
//! The gain of each pick is the demand it newly brings into reach.

use super::access::{Demand, Supply};
use super::config::AnalysisConfig;
use super::gap;
use crate::model::{AreaCode, AreaLevel, Category, Dataset};
use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::Serialize;

pub const MAX_SUGGESTIONS: usize = 20;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The area whose demand point is the candidate location.
    pub area: AreaCode,
    pub naam: String,
    pub x: f64,
    pub y: f64,
    pub lon: f64,
    pub lat: f64,
    /// Demand newly within reach (people of the category's demand group).
    pub gain: f64,
    /// Areas newly within reach.
    pub areas_reached: usize,
}

/// `within`: a gemeente the planner chose; only its areas are candidates and only its
/// people count. Areas outside the category's coverage take no part.
pub fn suggest(
    dataset: &Dataset,
    level: AreaLevel,
    category: Category,
    n: usize,
    config: &AnalysisConfig,
    within: Option<AreaCode>,
) -> Vec<Suggestion> {
    let radius = config.settings(category).catchment.radius_m;
    let coverage = super::coverage::CategoryCoverage::new(dataset, category);
    let mut demand: Vec<Demand> = gap::area_demand(dataset, level, category, config);
    let taking_part: Vec<bool> = dataset
        .areas(level)
        .iter()
        .map(|a| coverage.covers(a) && within.is_none_or(|g| a.code.gemeente() == g))
        .collect();
    for (d, part) in demand.iter_mut().zip(&taking_part) {
        if !part {
            d.population = None;
        }
    }
    let supply: Vec<Supply> = gap::loaded_supply(dataset, category);
    let facilities: RTree<[f64; 2]> =
        RTree::bulk_load(supply.iter().map(|s| [s.at.x, s.at.y]).collect());
    let mut unserved: Vec<bool> = demand
        .iter()
        .map(|d| {
            facilities
                .nearest_neighbor_iter_with_distance_2(&[d.at.x, d.at.y])
                .next()
                .is_none_or(|(_, d2)| d2.sqrt() > radius)
        })
        .collect();
    let points: RTree<GeomWithData<[f64; 2], usize>> = RTree::bulk_load(
        demand
            .iter()
            .enumerate()
            .map(|(i, d)| GeomWithData::new([d.at.x, d.at.y], i))
            .collect(),
    );
    let reach = |c: usize| -> Vec<usize> {
        let at = demand[c].at;
        points
            .locate_within_distance([at.x, at.y], radius * radius * (1.0 + 1e-9))
            .map(|e| e.data)
            .filter(|&k| demand[k].at.distance_m(at) <= radius)
            .collect()
    };
    let areas = dataset.areas(level);
    let mut picks = Vec::new();
    for _ in 0..n.min(MAX_SUGGESTIONS) {
        // Each round weighs every candidate: stop when nobody waits (`crate::deadline`).
        if crate::deadline::expired() {
            break;
        }
        let best = (0..demand.len())
            .filter(|&c| unserved[c] && taking_part[c])
            .map(|c| {
                let covered = reach(c);
                let gain: f64 = covered
                    .iter()
                    .filter(|&&k| unserved[k])
                    .map(|&k| demand[k].population.unwrap_or(0.0))
                    .sum();
                (c, gain, covered)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((c, gain, covered)) = best else {
            break;
        };
        if gain <= 0.0 {
            break;
        }
        let newly = covered
            .iter()
            .filter(|&&k| unserved[k] && taking_part[k])
            .count();
        for k in covered {
            unserved[k] = false;
        }
        let at = demand[c].at;
        let wgs = at.to_wgs84();
        picks.push(Suggestion {
            area: areas[c].code,
            naam: areas[c].name.clone(),
            x: (at.x * 100.0).round() / 100.0,
            y: (at.y * 100.0).round() / 100.0,
            lon: wgs.lon,
            lat: wgs.lat,
            gain,
            areas_reached: newly,
        });
    }
    picks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture::{area, dataset, facility};
    use crate::model::Figure::Inhabitants;

    #[test]
    fn greedy_picks_the_biggest_unserved_cluster_first() {
        // Synthetic: a served wijk at 0 km (huisarts there), a row of three unserved
        // wijken 4 km apart at 20, 24 and 28 km (9,000 people; only the middle one has
        // both others within the 5 km catchment) and a lone one at 40 km (5,000).
        let ds = dataset(
            vec![
                area("WK000101", 0.0, &[(Inhabitants, 4000.0)]),
                area("WK000102", 20.0, &[(Inhabitants, 3000.0)]),
                area("WK000103", 24.0, &[(Inhabitants, 3000.0)]),
                area("WK000104", 28.0, &[(Inhabitants, 3000.0)]),
                area("WK000105", 40.0, &[(Inhabitants, 5000.0)]),
            ],
            vec![facility("h", Category::Huisarts, 0.5)],
        );
        let s = suggest(
            &ds,
            AreaLevel::Wijk,
            Category::Huisarts,
            5,
            &AnalysisConfig::default(),
            None,
        );
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(
            s[0].area.to_string(),
            "WK000103",
            "the middle one reaches all three"
        );
        assert_eq!((s[0].gain, s[0].areas_reached), (9000.0, 3));
        assert_eq!(s[1].area.to_string(), "WK000105");
        assert_eq!(s[1].gain, 5000.0);
        // The planner of another gemeente (GM0002, one wijk at 60 km) gets a place in
        // it, not the biggest cluster elsewhere.
        let mut areas: Vec<_> = ds.areas(AreaLevel::Wijk).to_vec();
        areas.push(area("WK000201", 60.0, &[(Inhabitants, 800.0)]));
        let ds = dataset(areas, ds.voorzieningen().to_vec());
        let g2 = "GM0002".parse().ok();
        let s = suggest(
            &ds,
            AreaLevel::Wijk,
            Category::Huisarts,
            5,
            &AnalysisConfig::default(),
            g2,
        );
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].area.to_string(), "WK000201");
        assert_eq!(s[0].gain, 800.0);
    }
}
