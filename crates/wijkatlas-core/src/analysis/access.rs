//! Accessibility by the (enhanced) two-step floating catchment area method.
//!
//! E2SFCA (Luo & Qi 2009): step 1, every facility j gets a supply-to-demand ratio
//! R_j = S_j / Σ_k P_k·W(d_kj) over the demand points k within the catchment d0;
//! step 2, every demand point i gets A_i = Σ_j R_j·W(d_ij) over the facilities within
//! d0. W is a step function over three equal sub-zones of d0 (default 1.00 / 0.68 /
//! 0.22); plain 2SFCA is W = 1. The conventions follow PySAL's `access` package
//! (v1.1.x) so results compare one to one: no per-1,000 scaling, a distance exactly on
//! a zone boundary belongs to the nearer zone, a demand point with nothing in reach has
//! no score (missing, not 0), and the normalised score is the score divided by the
//! population-weighted mean over all demand points with a known population.

use crate::crs::RdPoint;
use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::{Deserialize, Serialize};

/// A place people live: a buurt's demand point with its population (`None` when CBS
/// publishes none: such a point gets a score but adds no demand).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demand {
    pub at: RdPoint,
    pub population: Option<f64>,
}

/// A facility with its supply (capacity, or 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Supply {
    pub at: RdPoint,
    pub capacity: f64,
}

/// How weight falls off with distance inside the catchment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decay {
    /// Plain 2SFCA: everything within the catchment counts fully.
    Flat,
    /// E2SFCA: weights for the near, middle and far third of the catchment.
    Steps([f64; 3]),
}

/// Luo & Qi's weights for three travel-time zones (a Gaussian with β = 100 sampled at
/// the zone midpoints), used by PySAL as its default.
pub const LUO_QI_STEPS: [f64; 3] = [1.0, 0.68, 0.22];

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Catchment {
    /// d0, in metres.
    pub radius_m: f64,
    pub decay: Decay,
}

impl Catchment {
    /// The upper bounds of the three sub-zones, as PySAL's step function takes them.
    pub fn zone_bounds(&self) -> [f64; 3] {
        let d0 = self.radius_m;
        [d0 / 3.0, 2.0 * d0 / 3.0, d0]
    }

    /// W(d): 0 beyond the catchment; bounds are inclusive.
    pub fn weight(&self, d: f64) -> f64 {
        let [b1, b2, b3] = self.zone_bounds();
        match self.decay {
            Decay::Flat => f64::from(u8::from(d <= b3)),
            Decay::Steps([w1, w2, w3]) => {
                if d <= b1 {
                    w1
                } else if d <= b2 {
                    w2
                } else if d <= b3 {
                    w3
                } else {
                    0.0
                }
            }
        }
    }
}

/// The scores of one run, indexed like the demand and supply given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// A_i per demand point; `None` when no facility with a ratio is within reach.
    pub score: Vec<Option<f64>>,
    /// A_i divided by the population-weighted mean score.
    pub normalised: Vec<Option<f64>>,
    /// The population-weighted mean score (PySAL's normalisation divisor).
    pub weighted_mean: Option<f64>,
    /// R_j per facility; `None` when no demand with people lies in its catchment.
    pub ratio: Vec<Option<f64>>,
}

/// Every demand–supply pair within the catchment, with its distance: found with an
/// R-tree of the demand points, so the work grows with the pairs, not with all pairs.
fn pairs(demand: &[Demand], supply: &[Supply], radius: f64) -> Vec<(usize, usize, f64)> {
    let tree: RTree<GeomWithData<[f64; 2], usize>> = RTree::bulk_load(
        demand
            .iter()
            .enumerate()
            .map(|(i, d)| GeomWithData::new([d.at.x, d.at.y], i))
            .collect(),
    );
    let mut out = Vec::new();
    for (j, s) in supply.iter().enumerate() {
        // A hair wider than d0 in the tree query; the exact test is on the distance.
        for e in tree.locate_within_distance([s.at.x, s.at.y], radius * radius * (1.0 + 1e-9)) {
            let d = demand[e.data].at.distance_m(s.at);
            if d <= radius {
                out.push((e.data, j, d));
            }
        }
    }
    out
}

pub fn two_step(demand: &[Demand], supply: &[Supply], catchment: &Catchment) -> Scores {
    two_step_costs(
        demand,
        supply,
        catchment,
        &pairs(demand, supply, catchment.radius_m),
    )
}

/// E2SFCA over any cost: `pairs` are (demand index, supply index, cost) for every pair
/// within the catchment (and only those), in the catchment's unit (metres in a straight line, or seconds
/// along the network, as PySAL `access` takes any cost matrix).
pub fn two_step_costs(
    demand: &[Demand],
    supply: &[Supply],
    catchment: &Catchment,
    pairs: &[(usize, usize, f64)],
) -> Scores {
    // Step 1: the weighted demand on each facility.
    let mut weighted_demand = vec![0.0; supply.len()];
    let mut in_reach = vec![false; supply.len()];
    for &(i, j, d) in pairs {
        if let Some(p) = demand[i].population {
            weighted_demand[j] += p * catchment.weight(d);
            in_reach[j] = true;
        }
    }
    let ratio: Vec<Option<f64>> = supply
        .iter()
        .enumerate()
        .map(|(j, s)| {
            // No one lives within reach: the facility serves no demand point here.
            (in_reach[j] && weighted_demand[j] > 0.0).then(|| s.capacity / weighted_demand[j])
        })
        .collect();
    // Step 2: each demand point sums the ratios of the facilities it reaches.
    let mut score: Vec<Option<f64>> = vec![None; demand.len()];
    for &(i, j, d) in pairs {
        if let Some(r) = ratio[j] {
            *score[i].get_or_insert(0.0) += r * catchment.weight(d);
        }
    }
    let (weighted, people) = demand
        .iter()
        .zip(&score)
        .fold((0.0, 0.0), |(w, p), (d, s)| match d.population {
            Some(pop) => (w + s.unwrap_or(0.0) * pop, p + pop),
            None => (w, p),
        });
    let weighted_mean = (people > 0.0 && weighted > 0.0).then(|| weighted / people);
    let normalised = score
        .iter()
        .map(|s| s.zip(weighted_mean).map(|(a, m)| a / m))
        .collect();
    Scores {
        score,
        normalised,
        weighted_mean,
        ratio,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demand(x: f64, population: f64) -> Demand {
        Demand {
            at: RdPoint::new(x, 0.0),
            population: Some(population),
        }
    }

    fn supply(x: f64, capacity: f64) -> Supply {
        Supply {
            at: RdPoint::new(x, 0.0),
            capacity,
        }
    }

    const E2: Catchment = Catchment {
        radius_m: 3000.0,
        decay: Decay::Steps(LUO_QI_STEPS),
    };

    #[test]
    fn weights_are_inclusive_at_zone_bounds() {
        assert_eq!(E2.weight(0.0), 1.0);
        assert_eq!(E2.weight(1000.0), 1.0);
        assert_eq!(E2.weight(1000.001), 0.68);
        assert_eq!(E2.weight(2000.0), 0.68);
        assert_eq!(E2.weight(3000.0), 0.22);
        assert_eq!(E2.weight(3000.001), 0.0);
        let flat = Catchment {
            radius_m: 3000.0,
            decay: Decay::Flat,
        };
        assert_eq!(flat.weight(2999.0), 1.0);
        assert_eq!(flat.weight(3001.0), 0.0);
    }

    /// Synthetic points on a line (x in metres):
    ///   demand A at 0 (1,000 people), B at 1,500 (2,000), C at 3,000 (500), D at 9,000 (800)
    ///   facility F at 500 (capacity 2), G at 3,000 (capacity 1)
    /// d(A,F)=500 w1; d(B,F)=1,000 w1 (bound); d(C,F)=2,500 w.22; d(D,·) out of reach.
    /// d(A,G)=3,000 w.22 (bound); d(B,G)=1,500 w.68; d(C,G)=0 w1.
    /// R_F = 2 / (1000·1 + 2000·1 + 500·0.22) = 2 / 3110
    /// R_G = 1 / (1000·0.22 + 2000·0.68 + 500·1) = 1 / 2080
    /// A_A = R_F·1 + R_G·0.22; A_B = R_F·1 + R_G·0.68; A_C = R_F·0.22 + R_G·1; A_D none.
    #[test]
    fn a_hand_computed_example() {
        let d = [
            demand(0.0, 1000.0),
            demand(1500.0, 2000.0),
            demand(3000.0, 500.0),
            demand(9000.0, 800.0),
        ];
        let s = [supply(500.0, 2.0), supply(3000.0, 1.0)];
        let r = two_step(&d, &s, &E2);
        let (rf, rg) = (2.0 / 3110.0, 1.0 / 2080.0);
        let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-15);
        assert!(
            close(r.ratio[0], rf) && close(r.ratio[1], rg),
            "{:?}",
            r.ratio
        );
        assert!(close(r.score[0], rf + 0.22 * rg));
        assert!(close(r.score[1], rf + 0.68 * rg));
        assert!(close(r.score[2], 0.22 * rf + rg));
        assert_eq!(r.score[3], None, "out of reach is missing, not 0");
        // Normalised by the population-weighted mean over everyone with a population,
        // the unreachable 800 included in the denominator (as PySAL does).
        let mean = (r.score[0].unwrap() * 1000.0
            + r.score[1].unwrap() * 2000.0
            + r.score[2].unwrap() * 500.0)
            / 4300.0;
        assert!(close(r.weighted_mean, mean));
        assert!(close(r.normalised[1], r.score[1].unwrap() / mean));
    }

    #[test]
    fn plain_two_step_counts_everything_in_reach_fully() {
        let d = [demand(0.0, 100.0), demand(2000.0, 300.0)];
        let s = [supply(1000.0, 4.0)];
        let flat = Catchment {
            radius_m: 1000.0,
            decay: Decay::Flat,
        };
        let r = two_step(&d, &s, &flat);
        // Both at exactly d0 = 1,000 m: inside. R = 4 / 400; each A = R.
        assert_eq!(r.ratio[0], Some(0.01));
        assert_eq!(r.score, vec![Some(0.01), Some(0.01)]);
        assert_eq!(r.normalised, vec![Some(1.0), Some(1.0)]);
    }

    #[test]
    fn unknown_population_adds_no_demand_but_gets_a_score() {
        let d = [
            demand(0.0, 100.0),
            Demand {
                at: RdPoint::new(10.0, 0.0),
                population: None,
            },
        ];
        let s = [supply(0.0, 1.0)];
        let r = two_step(&d, &s, &E2);
        assert_eq!(r.ratio[0], Some(0.01));
        assert_eq!(r.score[1], Some(0.01));
        // A facility with only unknown or zero population in reach has no ratio.
        let lonely = two_step(&d[1..], &s, &E2);
        assert_eq!(lonely.ratio[0], None);
        assert_eq!(lonely.score[0], None);
        assert_eq!(lonely.weighted_mean, None);
    }
}
