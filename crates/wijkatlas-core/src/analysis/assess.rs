//! Every indicator of every area of a level for one category, measured from the
//! areas' demand points, within the category's coverage: the one computation the
//! layer, the ranking, the profile and the what-if all read.

use super::access::{two_step, Demand, Scores, Supply};
use super::basis::{access_basis, AccessBasis};
use super::config::{AnalysisConfig, DemandGroup};
use super::coverage::{AreaCoverage, CategoryCoverage};
use super::demand::{AreaPoints, DemandBasis};
use super::indicators::COUNT_RADII_M;
use crate::crs::RdPoint;
use crate::model::{Area, AreaLevel, Category, Dataset, Figure};
use rstar::primitives::GeomWithData;
use rstar::RTree;

/// One area's figures for one category. Outside the coverage every figure is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaAssessment {
    pub coverage: AreaCoverage,
    pub basis: DemandBasis,
    /// The category's demand group in the area (inhabitants, 65+, …).
    pub population: Option<f64>,
    /// Mean straight-line distance from the area's people to the nearest facility.
    pub nearest_m: Option<f64>,
    /// Mean number of facilities within 1, 3 and 5 km of the area's people (as CBS
    /// publishes its "gemiddeld aantal binnen … km").
    pub within_mean: Option<[f64; 3]>,
    /// People of the demand group within 1, 3 and 5 km of a facility.
    pub people_within: Option<[f64; 3]>,
    /// People of the demand group farther than the category's threshold.
    pub people_beyond: Option<f64>,
    /// The E2SFCA score, averaged over the area's people; `None` when nothing is in reach.
    pub score: Option<f64>,
    /// The score divided by the population-weighted mean over the coverage.
    pub access: Option<f64>,
    /// People of the demand group per unit of capacity at the facilities nearest to the
    /// area's people: how crowded the nearby supply is.
    pub crowding: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub level: AreaLevel,
    pub category: Category,
    /// What the category's sources cover, in words.
    pub coverage: String,
    pub national: bool,
    pub threshold_m: f64,
    /// The population-weighted mean E2SFCA score over the coverage (the divisor of
    /// `access`).
    pub weighted_mean: Option<f64>,
    /// What the figures are measured from: the voorzieningen, or CBS's distance.
    pub basis: AccessBasis,
    /// One per area of the level, in the dataset's order.
    pub areas: Vec<AreaAssessment>,
}

/// The demand points of a level: computed once and shared by every category.
pub type LevelDemand = Vec<AreaPoints>;

pub fn assess(
    dataset: &Dataset,
    level: AreaLevel,
    category: Category,
    config: &AnalysisConfig,
    demand: &LevelDemand,
    supply: &[Supply],
) -> Assessment {
    if let Some(AccessBasis::CbsAfstand { figuur }) = access_basis(dataset, category) {
        return assess_cbs_distance(dataset, level, category, config, figuur);
    }
    let settings = config.settings(category);
    let coverage = CategoryCoverage::new(dataset, category);
    let areas = dataset.areas(level);
    let tree = supply_tree(supply);
    let covered = CoveredDemand::new(areas, demand, &coverage, &settings.demand);
    let scores = two_step(&covered.points, supply, &settings.catchment);
    let mut out = unmeasured(&covered.populations, demand);
    let sums = sums_per_area(&covered, demand, &tree, &scores, settings.threshold_m);
    for (i, (a, s)) in areas.iter().zip(&sums).enumerate() {
        if !covered.areas[i] {
            continue;
        }
        let o = &mut out[i];
        o.nearest_m = s.nearest_known.then_some(s.nearest);
        o.coverage = coverage.status(a, o.nearest_m);
        o.within_mean = Some(s.within);
        o.people_within = covered.populations[i].map(|_| s.people_within);
        o.people_beyond = covered.populations[i].map(|_| s.beyond);
        o.score = s.scored.then_some(s.score);
        o.access = o.score.zip(scores.weighted_mean).map(|(a, m)| a / m);
        o.crowding = (s.crowding_weight > 0.0).then(|| s.crowding / s.crowding_weight);
    }
    Assessment {
        level,
        category,
        coverage: coverage.described(),
        national: coverage.is_national(),
        threshold_m: settings.threshold_m,
        weighted_mean: scores.weighted_mean,
        basis: AccessBasis::Voorzieningen,
        areas: out,
    }
}

/// The facilities by place, each with its index in the supply.
type SupplyTree = RTree<GeomWithData<[f64; 2], usize>>;

fn supply_tree(supply: &[Supply]) -> SupplyTree {
    RTree::bulk_load(
        supply
            .iter()
            .enumerate()
            .map(|(j, s)| GeomWithData::new([s.at.x, s.at.y], j))
            .collect(),
    )
}

/// Every demand point of every covered area, in area order; per area, whether it is
/// covered and the size of its demand group.
struct CoveredDemand {
    points: Vec<Demand>,
    areas: Vec<bool>,
    populations: Vec<Option<f64>>,
}

impl CoveredDemand {
    fn new(
        areas: &[Area],
        demand: &LevelDemand,
        coverage: &CategoryCoverage,
        group: &DemandGroup,
    ) -> CoveredDemand {
        let mut points = Vec::new();
        let mut covered = vec![false; areas.len()];
        let mut populations = vec![None; areas.len()];
        for (i, (a, d)) in areas.iter().zip(demand).enumerate() {
            populations[i] = group.size(&a.figures);
            if !coverage.covers(a) {
                continue;
            }
            covered[i] = true;
            for p in &d.points {
                points.push(Demand {
                    at: p.at,
                    population: populations[i].map(|n| n * p.weight),
                });
            }
        }
        CoveredDemand {
            points,
            areas: covered,
            populations,
        }
    }
}

/// Every area as outside the coverage: its basis and population, no figures.
fn unmeasured(populations: &[Option<f64>], demand: &LevelDemand) -> Vec<AreaAssessment> {
    populations
        .iter()
        .zip(demand)
        .map(|(population, d)| AreaAssessment {
            coverage: AreaCoverage::Outside,
            basis: d.basis,
            population: *population,
            nearest_m: None,
            within_mean: None,
            people_within: None,
            people_beyond: None,
            score: None,
            access: None,
            crowding: None,
        })
        .collect()
}

/// Sums per area over its points, weighted by the points' shares.
#[derive(Default)]
struct Sums {
    nearest: f64,
    nearest_known: bool,
    within: [f64; 3],
    people_within: [f64; 3],
    beyond: f64,
    score: f64,
    scored: bool,
    crowding: f64,
    crowding_weight: f64,
}

/// The sums of every covered area, from each of its demand points (`scores` has one
/// per point, in the order `CoveredDemand` lists them).
fn sums_per_area(
    covered: &CoveredDemand,
    demand: &LevelDemand,
    tree: &SupplyTree,
    scores: &Scores,
    threshold_m: f64,
) -> Vec<Sums> {
    let mut sums: Vec<Sums> = (0..covered.areas.len()).map(|_| Sums::default()).collect();
    let mut k = 0;
    for (i, d) in demand.iter().enumerate() {
        if !covered.areas[i] {
            continue;
        }
        for p in &d.points {
            let people = covered.populations[i].map_or(0.0, |n| n * p.weight);
            sums[i].add_point(p.at, p.weight, people, tree, scores, threshold_m);
            if let Some(a) = scores.score[k] {
                sums[i].score += p.weight * a;
                sums[i].scored = true;
            }
            k += 1;
        }
    }
    sums
}

impl Sums {
    /// One demand point of weight `w` with `people` of the demand group: its nearest
    /// facility, the facilities within the count radii, and how crowded the nearest is.
    fn add_point(
        &mut self,
        at: RdPoint,
        w: f64,
        people: f64,
        tree: &SupplyTree,
        scores: &Scores,
        threshold_m: f64,
    ) {
        let nearest = tree
            .nearest_neighbor_iter_with_distance_2(&[at.x, at.y])
            .next()
            .map(|(e, d2)| (e.data, d2.sqrt()));
        if let Some((j, dist)) = nearest {
            self.nearest += w * dist;
            self.nearest_known = true;
            for (r, radius) in COUNT_RADII_M.iter().enumerate() {
                if dist <= *radius {
                    self.people_within[r] += people;
                }
            }
            if dist > threshold_m {
                self.beyond += people;
            }
            if let Some(ratio) = scores.ratio[j].filter(|r| *r > 0.0) {
                self.crowding += w / ratio;
                self.crowding_weight += w;
            }
        } else {
            self.beyond += people;
        }
        let outer = COUNT_RADII_M[2];
        for e in tree.locate_within_distance([at.x, at.y], outer * outer * (1.0 + 1e-9)) {
            let dist = (e.geom()[0] - at.x).hypot(e.geom()[1] - at.y);
            for (r, radius) in COUNT_RADII_M.iter().enumerate() {
                if dist <= *radius {
                    self.within[r] += w;
                }
            }
        }
    }
}

/// CBS's distances below this (the figure is published to 0.1 km) count as this, so
/// that an area next door does not get an unbounded access.
const MIN_CBS_DISTANCE_M: f64 = 100.0;

/// With no voorziening of the category loaded: every area's figure is CBS's mean road
/// distance from its addresses, its own and not a coarser area's (a wijk is not given
/// its gemeente's mean). Access is the people-weighted mean distance over the level
/// divided by the area's: 1 is as near as the average inhabitant, 0.5 twice as far.
/// Counts within reach, people past the threshold and E2SFCA need points and stay
/// `None`; areas without the figure are outside what the source describes.
fn assess_cbs_distance(
    dataset: &Dataset,
    level: AreaLevel,
    category: Category,
    config: &AnalysisConfig,
    figure: Figure,
) -> Assessment {
    let settings = config.settings(category);
    let areas = dataset.areas(level);
    let distance_m: Vec<Option<f64>> = areas
        .iter()
        .map(|a| {
            a.figures
                .get(figure)
                .filter(|km| km.is_finite() && *km >= 0.0)
                .map(|km| km * 1000.0)
        })
        .collect();
    let populations: Vec<Option<f64>> = areas
        .iter()
        .map(|a| settings.demand.size(&a.figures))
        .collect();
    let (sum, people) = distance_m
        .iter()
        .zip(&populations)
        .filter_map(|(d, n)| d.zip(*n))
        .fold((0.0, 0.0), |(s, p), (d, n)| (s + d * n, p + n));
    let mean_m = (people > 0.0).then(|| sum / people);
    let with_figure = distance_m.iter().filter(|d| d.is_some()).count();
    let out = distance_m
        .iter()
        .zip(&populations)
        .map(|(d, n)| AreaAssessment {
            coverage: if d.is_some() {
                AreaCoverage::Inside
            } else {
                AreaCoverage::Outside
            },
            basis: DemandBasis::CbsAddresses,
            population: *n,
            nearest_m: *d,
            within_mean: None,
            people_within: None,
            people_beyond: None,
            score: None,
            access: d.zip(mean_m).map(|(d, m)| m / d.max(MIN_CBS_DISTANCE_M)),
            crowding: None,
        })
        .collect();
    Assessment {
        level,
        category,
        coverage: format!(
            "de {with_figure} van {} {} waarvoor CBS de afstand tot een {} publiceert",
            areas.len(),
            level.collection(),
            category.key()
        ),
        national: false,
        threshold_m: settings.threshold_m,
        weighted_mean: None,
        basis: AccessBasis::CbsAfstand { figuur: figure },
        areas: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::demand::{demand_points, DemandPoint};
    use crate::analysis::fixture::{area, dataset, facility};
    use crate::analysis::gap::loaded_supply;
    use crate::crs::RdPoint;
    use crate::model::Figure::*;

    #[test]
    fn with_no_huisarts_loaded_cbs_distance_is_the_measure() {
        // Synthetic: three wijken with CBS's GP distance (1, 2 and 4 km) and one
        // without; a hospital is loaded, no huisarts.
        let ds = dataset(
            vec![
                area(
                    "WK000101",
                    0.0,
                    &[(Inhabitants, 1000.0), (DistanceGp, 1.0), (Age65Plus, 15.0)],
                ),
                area(
                    "WK000102",
                    1.0,
                    &[(Inhabitants, 1000.0), (DistanceGp, 2.0), (Age65Plus, 15.5)],
                ),
                area(
                    "WK000103",
                    2.0,
                    &[(Inhabitants, 2000.0), (DistanceGp, 4.0), (Age65Plus, 16.0)],
                ),
                area("WK000104", 3.0, &[(Inhabitants, 500.0), (Age65Plus, 15.5)]),
            ],
            vec![facility("z", Category::Ziekenhuis, 0.0)],
        );
        let config = AnalysisConfig::default();
        let demand = demand_points(&ds, AreaLevel::Wijk);
        let a = assess(
            &ds,
            AreaLevel::Wijk,
            Category::Huisarts,
            &config,
            &demand,
            &[],
        );
        assert_eq!(a.basis, AccessBasis::CbsAfstand { figuur: DistanceGp });
        // People-weighted mean: (1·1000 + 2·1000 + 4·2000) / 4000 = 2.75 km.
        let access: Vec<Option<f64>> = a.areas.iter().map(|m| m.access).collect();
        let expected = [Some(2.75), Some(1.375), Some(0.6875), None];
        for (got, want) in access.iter().zip(expected) {
            assert_eq!(got.map(|x| (x * 1e9).round() / 1e9), want);
        }
        assert_eq!(a.areas[2].nearest_m, Some(4000.0));
        assert_eq!(a.areas[2].basis, DemandBasis::CbsAddresses);
        assert_eq!(
            a.areas[2].people_beyond, None,
            "a mean says nothing per person"
        );
        assert_eq!(a.areas[3].coverage, AreaCoverage::Outside);
        // The ranking puts the farthest first and says whose distance it is.
        let r = crate::analysis::gap::rank_assessed(&ds, &config, &a);
        assert_eq!(r.access_basis, a.basis);
        assert_eq!(r.outside_coverage.len(), 1);
        assert_eq!(r.ranked[0].code.to_string(), "WK000103");
        assert!(
            r.ranked[0]
                .reason
                .starts_with("gemiddeld 4,0 km over de weg tot een huisarts (CBS, per wijk)"),
            "{}",
            r.ranked[0].reason
        );
        // With a huisarts loaded, the points are the measure again.
        let with_gp = dataset(
            vec![area(
                "WK000101",
                0.0,
                &[(Inhabitants, 1000.0), (DistanceGp, 1.0)],
            )],
            vec![facility("h", Category::Huisarts, 0.0)],
        );
        let supply = loaded_supply(&with_gp, Category::Huisarts);
        let d = demand_points(&with_gp, AreaLevel::Wijk);
        let b = assess(
            &with_gp,
            AreaLevel::Wijk,
            Category::Huisarts,
            &config,
            &d,
            &supply,
        );
        assert_eq!(b.basis, AccessBasis::Voorzieningen);
    }

    #[test]
    fn figures_are_means_over_the_areas_people() {
        // Synthetic: one wijk of 1,000 people split 3:1 between points 0.5 km and
        // 2.5 km from the only huisarts (at x = 0).
        let ds = dataset(
            vec![area("WK000101", 0.0, &[(Inhabitants, 1000.0)])],
            vec![facility("h", Category::Huisarts, 0.0)],
        );
        let y = crate::analysis::fixture::Y0 + 500.0;
        let x0 = crate::analysis::fixture::X0;
        let demand = vec![AreaPoints {
            points: vec![
                DemandPoint {
                    at: RdPoint::new(x0 + 500.0, y),
                    weight: 0.75,
                },
                DemandPoint {
                    at: RdPoint::new(x0 + 2500.0, y),
                    weight: 0.25,
                },
            ],
            basis: DemandBasis::Postcodes,
        }];
        let supply = loaded_supply(&ds, Category::Huisarts);
        let a = assess(
            &ds,
            AreaLevel::Wijk,
            Category::Huisarts,
            &AnalysisConfig::default(),
            &demand,
            &supply,
        );
        let w = &a.areas[0];
        assert!((w.nearest_m.unwrap() - (0.75 * 500.0 + 0.25 * 2500.0)).abs() < 1e-9);
        assert_eq!(w.people_within, Some([750.0, 1000.0, 1000.0]));
        assert_eq!(w.within_mean, Some([0.75, 1.0, 1.0]));
        // 250 people live farther than the 2 km threshold.
        assert_eq!(w.people_beyond, Some(250.0));
        assert_eq!(w.coverage, AreaCoverage::Inside);
        // E2SFCA: R = 1 / (750·1 + 250·0.68); the area's score is the people-weighted
        // mean of its points' scores, and normalised it is 1 (the only area).
        let r = 1.0 / (750.0 + 250.0 * 0.68);
        let expected = 0.75 * r + 0.25 * 0.68 * r;
        assert!((w.score.unwrap() - expected).abs() < 1e-15);
        assert!((w.access.unwrap() - 1.0).abs() < 1e-12);
        assert!((w.crowding.unwrap() - 1.0 / r).abs() < 1e-9);
        // The one-point demand of the same dataset measures from the interior point.
        let one = demand_points(&ds, AreaLevel::Wijk);
        let a = assess(
            &ds,
            AreaLevel::Wijk,
            Category::Huisarts,
            &AnalysisConfig::default(),
            &one,
            &supply,
        );
        assert_eq!(a.areas[0].nearest_m, Some(500.0));
    }
}
