//! E2SFCA with network time as its cost (an option: one bounded search per facility),
//! over the demand points a [`LevelNetwork`] has snapped. The scores follow the
//! straight-line E2SFCA of `access` (the same step weights and conventions), so PySAL
//! `access` given our cost matrix gives the same numbers.

use super::network::LevelNetwork;
use crate::crs::LonLat;
use crate::deadline::Stopped;
use crate::routing::{Mode, DEFAULT_SNAP_LIMIT_M};

/// An area's E2SFCA score along the network and its normalised value (1 = the
/// population-weighted mean); `None` when no facility is within the catchment.
pub type Access = (Option<f64>, Option<f64>);

impl LevelNetwork<'_> {
    /// E2SFCA along the network: the cost of a pair is the travel time between the
    /// facility and the demand point (seconds), found with one search per facility
    /// bounded by the catchment `within_s`. The search runs from the facility, so on a
    /// one-way street the time is the way back; walking ignores one-way streets, so
    /// there it is the same both ways. Points off the network reach nothing.
    /// `population` is the area's demand group; areas not `measured` take no part.
    /// Gives the score per area (the weighted mean of its points' scores, as the
    /// straight-line E2SFCA does) and its normalised value.
    pub fn e2sfca(
        &self,
        facilities: &[(LonLat, f64)],
        population: &[Option<f64>],
        measured: &[bool],
        catchment: &super::access::Catchment,
    ) -> Result<Vec<Access>, Stopped> {
        use super::access::{two_step_costs, Demand, Supply};
        let within_s = catchment.radius_m;
        let (demand, index): (Vec<Demand>, Vec<usize>) = self
            .points
            .iter()
            .enumerate()
            .filter(|(_, p)| measured.get(p.area).copied().unwrap_or(false))
            .map(|(k, p)| {
                let d = Demand {
                    at: crate::crs::RdPoint::new(p.rd[0], p.rd[1]),
                    population: population
                        .get(p.area)
                        .copied()
                        .flatten()
                        .map(|n| n * p.weight),
                };
                (d, k)
            })
            .unzip();
        // Pairs of every point; those of the points measured, renumbered.
        let mut position = vec![usize::MAX; self.points.len()];
        for (i, &k) in index.iter().enumerate() {
            position[k] = i;
        }
        let located: Vec<LonLat> = facilities.iter().map(|f| f.0).collect();
        let pairs: Vec<(usize, usize, f64)> = self
            .time_pairs(&located, within_s)?
            .into_iter()
            .filter(|(k, _, _)| position[*k] != usize::MAX)
            .map(|(k, j, t)| (position[k], j, t))
            .collect();
        let supply: Vec<Supply> = facilities
            .iter()
            .map(|&(at, capacity)| Supply {
                at: at.to_rd(),
                capacity,
            })
            .collect();
        let scores = two_step_costs(&demand, &supply, catchment, &pairs);
        let mut sums = vec![(0.0, false); self.areas];
        for (i, &k) in index.iter().enumerate() {
            if let Some(a) = scores.score[i] {
                let p = &self.points[k];
                sums[p.area].0 += p.weight * a;
                sums[p.area].1 = true;
            }
        }
        // Normalised as the straight-line score: by the population-weighted mean over
        // every demand point measured.
        let mean = scores.weighted_mean;
        Ok(sums
            .iter()
            .map(|&(sum, scored)| {
                let score = scored.then_some(sum);
                (score, score.zip(mean).map(|(a, m)| a / m))
            })
            .collect())
    }

    /// Every (point, facility, seconds) within `within_s` along the network, the point
    /// indices in the order the points were given: one search per facility, bounded
    /// by the time, over the points within the straight-line reach of that time.
    pub fn time_pairs(
        &self,
        facilities: &[LonLat],
        within_s: f64,
    ) -> Result<Vec<(usize, usize, f64)>, Stopped> {
        use rstar::primitives::GeomWithData;
        let tree: rstar::RTree<GeomWithData<[f64; 2], usize>> = rstar::RTree::bulk_load(
            self.points
                .iter()
                .enumerate()
                .filter(|(_, p)| p.snap.is_some())
                .map(|(k, p)| GeomWithData::new(p.rd, k))
                .collect(),
        );
        // Nothing travels faster than the mode's top pace (a ferry's aside, which is
        // slow): beyond that straight-line radius no point can be within the time.
        let reach_m = within_s * self.top_speed_ms() + 2.0 * DEFAULT_SNAP_LIMIT_M;
        let mut pairs = Vec::new();
        for (j, &at) in facilities.iter().enumerate() {
            let search = match self.network.from_point(at, DEFAULT_SNAP_LIMIT_M, within_s) {
                Ok(search) => search,
                Err(crate::routing::RoutingError::Stopped(stopped)) => return Err(stopped),
                Err(_) => continue, // off the network: it reaches nobody along it
            };
            let rd = at.to_rd();
            for e in tree.locate_within_distance([rd.x, rd.y], reach_m * reach_m) {
                let Some(snap) = self.points[e.data].snap else {
                    continue;
                };
                if let Some(trip) = search.to_snap(&snap) {
                    if trip.time_s <= within_s {
                        pairs.push((e.data, j, trip.time_s));
                    }
                }
            }
        }
        Ok(pairs)
    }

    /// The mode's fastest pace on land, m/s.
    fn top_speed_ms(&self) -> f64 {
        match self.mode() {
            Mode::Foot => f64::from(crate::routing::profile::WALKING_KMH) / 3.6,
            Mode::Bicycle => f64::from(crate::routing::profile::CYCLING_KMH) / 3.6,
            Mode::Car => 130.0 / 3.6,
        }
    }
}

/// The catchment of E2SFCA along the network: the category's d0 at the mode's pace
/// (5 km walking is an hour, cycling 20 minutes), in seconds, with its weights.
pub fn time_catchment(
    catchment: &super::access::Catchment,
    mode: Mode,
) -> super::access::Catchment {
    super::access::Catchment {
        radius_m: catchment.radius_m * 3.6 / crate::routing::off_network_kmh(mode),
        decay: catchment.decay,
    }
}
