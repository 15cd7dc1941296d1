//! What-if: add, remove or change voorzieningen of one category and see every area's
//! access, gap and rank before and after, without touching the loaded data.

use super::access::Supply;
use super::assess::LevelDemand;
use super::config::AnalysisConfig;
use super::demand;
use super::gap::{self, Ranking};
use super::proximity::QueryPoint;
use super::AnalysisError;
use crate::model::{AreaCode, AreaLevel, Category, Dataset};
use serde::Serialize;
use std::collections::HashMap;

/// A facility the scenario opens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Opened {
    pub at: QueryPoint,
    pub capacity: f64,
}

/// Changes to the loaded voorzieningen of one category.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scenario {
    pub open: Vec<Opened>,
    /// Ids of loaded voorzieningen to close.
    pub close: Vec<String>,
    /// New capacities for loaded voorzieningen, by id.
    pub capacity: Vec<(String, f64)>,
    /// Loaded voorzieningen moved to another place, by id.
    pub moved: Vec<(String, QueryPoint)>,
}

/// How an area's own situation changes: its access score (the supply within its
/// reach) and its distance to the nearest facility — not its rank, which also moves
/// when other areas change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Beter,
    Slechter,
    Gelijk,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaChange {
    pub code: AreaCode,
    pub naam: String,
    pub richting: Direction,
    pub afstand_voor_m: Option<f64>,
    pub afstand_na_m: Option<f64>,
    /// People of the demand group within 1, 3 and 5 km of a facility.
    pub binnen_bereik_voor: Option<[f64; 3]>,
    pub binnen_bereik_na: Option<[f64; 3]>,
    pub access_before: Option<f64>,
    pub access_after: Option<f64>,
    pub gap_before: f64,
    pub gap_after: f64,
    /// 1 = most underserved: a higher number after means less urgent.
    pub rank_before: usize,
    pub rank_after: usize,
    /// The change in words, rank included ("rang 1 → 12: minder urgent").
    pub uitleg: String,
}

/// The scenario's effect over all ranked areas.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// People of the demand group within 1, 3 and 5 km of a facility, before and after.
    pub binnen_bereik_voor: [f64; 3],
    pub binnen_bereik_na: [f64; 3],
    /// People farther than the category's threshold, before and after.
    pub verder_voor: f64,
    pub verder_na: f64,
    pub gebieden_beter: usize,
    pub gebieden_slechter: usize,
    /// Areas whose own access and distance stay the same but whose rank moves,
    /// because other areas changed.
    pub gebieden_alleen_rang: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub after: Ranking,
    /// Areas that got better or worse, and those whose rank alone moved, the largest
    /// change in gap first.
    pub changed: Vec<AreaChange>,
    pub totals: Totals,
}

/// The largest capacity a scenario may give: one facility with `1e308` would take every
/// area's share and make every other access 0.
pub const MAX_CAPACITY: f64 = 1e6;

/// The most a scenario may open, close or change at once.
pub const MAX_CHANGES: usize = 1_000;

/// What every what-if of one level and category starts from: the demand points and
/// the ranking with the loaded voorzieningen. The same for every scenario on the same
/// data, so a server keeps it per snapshot and a scenario computes only the "after".
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub level: AreaLevel,
    pub category: Category,
    demand: LevelDemand,
    before: Ranking,
    /// People within 10/15/20 minutes with the loaded voorzieningen, per mode with a
    /// graph (in the order of the snapshot's networks): the "before" of every network
    /// what-if, searched once on first use.
    network_before: std::sync::OnceLock<Vec<[f64; 3]>>,
}

impl Baseline {
    pub fn new(
        dataset: &Dataset,
        level: AreaLevel,
        category: Category,
        config: &AnalysisConfig,
    ) -> Baseline {
        let demand = demand::demand_points(dataset, level);
        let before = gap::rank_with(
            dataset,
            level,
            category,
            config,
            &demand,
            &gap::loaded_supply(dataset, category),
        );
        Baseline {
            level,
            category,
            demand,
            before,
            network_before: std::sync::OnceLock::new(),
        }
    }
}

pub fn run(
    dataset: &Dataset,
    level: AreaLevel,
    category: Category,
    scenario: &Scenario,
    config: &AnalysisConfig,
) -> Result<Outcome, AnalysisError> {
    let baseline = Baseline::new(dataset, level, category, config);
    run_from(dataset, &baseline, scenario, config)
}

/// The scenario against a baseline made for the same dataset and settings.
pub fn run_from(
    dataset: &Dataset,
    baseline: &Baseline,
    scenario: &Scenario,
    config: &AnalysisConfig,
) -> Result<Outcome, AnalysisError> {
    let (level, category) = (baseline.level, baseline.category);
    super::basis::require_voorzieningen(dataset, category)?;
    let changes =
        scenario.open.len() + scenario.close.len() + scenario.capacity.len() + scenario.moved.len();
    if changes > MAX_CHANGES {
        return Err(AnalysisError::TooManyChanges {
            changes,
            max: MAX_CHANGES,
        });
    }
    let supply = supply_after(dataset, category, scenario)?;
    let after = gap::rank_with(dataset, level, category, config, &baseline.demand, &supply);
    let (changed, totals) = compare(&baseline.before, &after);
    Ok(Outcome {
        after,
        changed,
        totals,
    })
}

/// The supply of `category` after the scenario: the loaded voorzieningen with those
/// closed left out, those moved at their new place, new capacities, and the opened
/// ones; an unknown id or a capacity out of range is refused.
pub fn supply_after(
    dataset: &Dataset,
    category: Category,
    scenario: &Scenario,
) -> Result<Vec<Supply>, AnalysisError> {
    let loaded: Vec<_> = dataset
        .voorzieningen()
        .iter()
        .filter(|v| v.category == category)
        .collect();
    for id in scenario
        .close
        .iter()
        .chain(scenario.capacity.iter().map(|(id, _)| id))
    {
        if !loaded.iter().any(|v| &v.id == id) {
            return Err(AnalysisError::UnknownFacility {
                id: id.clone(),
                category,
            });
        }
    }
    for (id, c) in &scenario.capacity {
        if !(c.is_finite() && *c > 0.0 && *c <= MAX_CAPACITY) {
            return Err(AnalysisError::BadCapacity { id: id.clone() });
        }
    }
    let mut supply: Vec<Supply> = loaded
        .iter()
        .filter(|v| !scenario.close.contains(&v.id))
        .map(|v| Supply {
            at: scenario
                .moved
                .iter()
                .find(|(id, _)| id == &v.id)
                .map_or(v.location.rd, |(_, p)| p.rd()),
            capacity: scenario
                .capacity
                .iter()
                .find(|(id, _)| id == &v.id)
                .map(|(_, c)| *c)
                .unwrap_or(v.capacity.unwrap_or(1.0)),
        })
        .collect();
    for o in &scenario.open {
        if !(o.capacity.is_finite() && o.capacity > 0.0 && o.capacity <= MAX_CAPACITY) {
            return Err(AnalysisError::BadCapacity { id: "new".into() });
        }
        supply.push(Supply {
            at: o.at.rd(),
            capacity: o.capacity,
        });
    }
    Ok(supply)
}

/// People within 10, 15 and 20 minutes along one mode's network, before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkTotals {
    pub modus: &'static str,
    pub minuten: [f64; 3],
    pub binnen_voor: [f64; 3],
    pub binnen_na: [f64; 3],
    /// Opened or moved facilities farther than the snap limit from the mode's network:
    /// they reach nobody along it.
    pub nieuw_buiten_netwerk: usize,
}

impl Baseline {
    /// The scenario's effect along the network, per walking and cycling: one
    /// multi-source search from the supply before and one from the supply after (a
    /// placed facility is one more seed), over the demand points of the areas inside
    /// the category's coverage. `placed` are the points the scenario opens or moves
    /// facilities to. Stops when the request's deadline passes. `networks` must be the
    /// graphs of the snapshot this baseline belongs to: the "before" is kept.
    pub fn network_totals(
        &self,
        dataset: &Dataset,
        config: &AnalysisConfig,
        after: &[Supply],
        placed: &[crate::crs::LonLat],
        networks: &crate::routing::Networks,
    ) -> Result<Vec<NetworkTotals>, crate::deadline::Stopped> {
        use super::network;
        let after: Vec<crate::crs::LonLat> = after.iter().map(|s| s.at.to_wgs84()).collect();
        let (population, covered) =
            network::populations(dataset, self.level, self.category, config);
        let snapped = network::level_networks(networks, &self.demand)?;
        let kept = self.network_before.get().cloned();
        let before: Vec<crate::crs::LonLat> = match kept {
            Some(_) => Vec::new(),
            None => gap::loaded_supply(dataset, self.category)
                .iter()
                .map(|s| s.at.to_wgs84())
                .collect(),
        };
        // Every search this answer needs (after, and before unless kept) side by side
        // on the cores, as the indicators run theirs: a national one takes seconds.
        let mut jobs: Vec<(usize, &[crate::crs::LonLat])> =
            (0..snapped.len()).map(|m| (m, after.as_slice())).collect();
        if kept.is_none() {
            jobs.extend((0..snapped.len()).map(|m| (m, before.as_slice())));
        }
        let mut totals = crate::parallel::map(&jobs, |&(m, supply)| {
            snapped[m]
                .measure(supply, &population, &covered)
                .map(|measured| network::total_within(&measured))
        })?;
        let before_within = match kept {
            Some(kept) => kept,
            None => {
                let computed = totals.split_off(snapped.len());
                // A concurrent request may have kept the same figures first.
                let _ = self.network_before.set(computed.clone());
                computed
            }
        };
        let mut out = Vec::new();
        for ((level_net, binnen_voor), binnen_na) in snapped.iter().zip(before_within).zip(totals) {
            out.push(NetworkTotals {
                modus: level_net.mode().dutch(),
                minuten: network::MINUTES,
                binnen_voor,
                binnen_na,
                nieuw_buiten_netwerk: placed
                    .iter()
                    .filter(|p| {
                        level_net
                            .network()
                            .snap(**p, crate::routing::DEFAULT_SNAP_LIMIT_M)
                            .is_err()
                    })
                    .count(),
            });
        }
        Ok(out)
    }
}

/// A relative change smaller than this is rounding, not a change.
const SAME: f64 = 1e-9;

fn direction(b: &gap::Ranked, a: &gap::Ranked) -> Direction {
    let by_score = match (b.score, a.score) {
        (None, Some(_)) => Some(Direction::Beter),
        (Some(_), None) => Some(Direction::Slechter),
        (Some(x), Some(y)) if y > x * (1.0 + SAME) => Some(Direction::Beter),
        (Some(x), Some(y)) if y < x * (1.0 - SAME) => Some(Direction::Slechter),
        _ => None,
    };
    let by_distance = match (b.nearest_m, a.nearest_m) {
        (Some(x), Some(y)) if y < x - 0.5 => Some(Direction::Beter),
        (Some(x), Some(y)) if y > x + 0.5 => Some(Direction::Slechter),
        (None, Some(_)) => Some(Direction::Beter),
        (Some(_), None) => Some(Direction::Slechter),
        _ => None,
    };
    by_score.or(by_distance).unwrap_or(Direction::Gelijk)
}

fn explain(c: &AreaChange, label_beyond: Option<(f64, f64)>) -> String {
    let mut parts = Vec::new();
    parts.push(
        match c.richting {
            Direction::Beter => "beter",
            Direction::Slechter => "slechter",
            Direction::Gelijk => {
                "eigen toegang en afstand gelijk; de rang verschuift doordat andere gebieden veranderen"
            }
        }
        .to_string(),
    );
    if let (Some(b), Some(a)) = (c.afstand_voor_m, c.afstand_na_m) {
        if (b - a).abs() >= 0.5 {
            parts.push(format!(
                "afstand {} → {} km",
                gap::dutch(b / 1000.0, 1),
                gap::dutch(a / 1000.0, 1)
            ));
        }
    }
    if let (Some(b), Some(a)) = (c.binnen_bereik_voor, c.binnen_bereik_na) {
        if (b[0] - a[0]).abs() >= 0.5 {
            parts.push(format!(
                "binnen 1 km {} → {}",
                gap::dutch(b[0], 0),
                gap::dutch(a[0], 0)
            ));
        }
    }
    if let Some((b, a)) = label_beyond {
        if (b - a).abs() >= 0.5 {
            parts.push(format!(
                "verder dan de drempel {} → {}",
                gap::dutch(b, 0),
                gap::dutch(a, 0)
            ));
        }
    }
    parts.push(format!(
        "rang {} → {}{}",
        c.rank_before,
        c.rank_after,
        match c.rank_after.cmp(&c.rank_before) {
            std::cmp::Ordering::Greater => ": minder urgent",
            std::cmp::Ordering::Less => ": urgenter",
            std::cmp::Ordering::Equal => "",
        }
    ));
    parts.join(", ")
}

fn compare(before: &Ranking, after: &Ranking) -> (Vec<AreaChange>, Totals) {
    let old: HashMap<AreaCode, &gap::Ranked> = before.ranked.iter().map(|r| (r.code, r)).collect();
    let sum_within = |r: &Ranking| {
        r.ranked.iter().fold([0.0; 3], |mut acc, x| {
            if let Some(p) = x.people_within {
                for k in 0..3 {
                    acc[k] += p[k];
                }
            }
            acc
        })
    };
    let sum_beyond = |r: &Ranking| -> f64 { r.ranked.iter().filter_map(|x| x.people_beyond).sum() };
    let mut totals = Totals {
        binnen_bereik_voor: sum_within(before),
        binnen_bereik_na: sum_within(after),
        verder_voor: sum_beyond(before),
        verder_na: sum_beyond(after),
        gebieden_beter: 0,
        gebieden_slechter: 0,
        gebieden_alleen_rang: 0,
    };
    let mut changed = Vec::new();
    for a in &after.ranked {
        let Some(b) = old.get(&a.code) else { continue };
        let richting = direction(b, a);
        match richting {
            Direction::Beter => totals.gebieden_beter += 1,
            Direction::Slechter => totals.gebieden_slechter += 1,
            Direction::Gelijk if b.rank != a.rank => totals.gebieden_alleen_rang += 1,
            Direction::Gelijk => continue,
        }
        let mut c = AreaChange {
            code: a.code,
            naam: a.naam.clone(),
            richting,
            afstand_voor_m: b.nearest_m,
            afstand_na_m: a.nearest_m,
            binnen_bereik_voor: b.people_within,
            binnen_bereik_na: a.people_within,
            access_before: b.access,
            access_after: a.access,
            gap_before: b.gap,
            gap_after: a.gap,
            rank_before: b.rank,
            rank_after: a.rank,
            uitleg: String::new(),
        };
        c.uitleg = explain(&c, b.people_beyond.zip(a.people_beyond));
        changed.push(c);
    }
    changed.sort_by(|a, b| {
        (b.gap_before - b.gap_after)
            .abs()
            .total_cmp(&(a.gap_before - a.gap_after).abs())
            .then(a.code.cmp(&b.code))
    });
    (changed, totals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture::{area, dataset, facility};
    use crate::model::Figure::*;

    fn ds() -> Dataset {
        // Synthetic: wijken at 0–3 km with a huisarts at 1.5 km, one far wijk at 12 km.
        dataset(
            vec![
                area("WK000101", 0.0, &[(Inhabitants, 3000.0), (Age65Plus, 15.0)]),
                area("WK000102", 1.0, &[(Inhabitants, 3000.0), (Age65Plus, 16.0)]),
                area("WK000103", 2.0, &[(Inhabitants, 3000.0), (Age65Plus, 14.0)]),
                area(
                    "WK000104",
                    12.0,
                    &[(Inhabitants, 3100.0), (Age65Plus, 31.0)],
                ),
            ],
            vec![facility("h1", Category::Huisarts, 1.5)],
        )
    }

    #[test]
    fn opening_a_huisarts_in_the_far_wijk_lifts_it_out_of_first_place() {
        let ds = ds();
        let at = QueryPoint::from_rd(&ds, 162_500.0, 450_500.0).unwrap();
        let s = Scenario {
            open: vec![Opened { at, capacity: 1.0 }],
            ..Default::default()
        };
        let out = run(
            &ds,
            AreaLevel::Wijk,
            Category::Huisarts,
            &s,
            &AnalysisConfig::default(),
        )
        .unwrap();
        let far = out
            .changed
            .iter()
            .find(|c| c.code.to_string() == "WK000104")
            .unwrap();
        assert_eq!(far.access_before, None);
        assert!(far.access_after.is_some());
        assert_eq!(far.rank_before, 1);
        assert!(far.rank_after > 1);
        assert!(far.gap_after < far.gap_before);
        // The loaded data is untouched.
        assert_eq!(ds.voorzieningen().len(), 1);
    }

    #[test]
    fn a_kept_baseline_answers_every_scenario_as_a_fresh_run_does() {
        let ds = ds();
        let config = AnalysisConfig::default();
        let baseline = Baseline::new(&ds, AreaLevel::Wijk, Category::Huisarts, &config);
        let at = QueryPoint::from_rd(&ds, 162_500.0, 450_500.0).unwrap();
        let scenarios = [
            Scenario {
                open: vec![Opened { at, capacity: 1.0 }],
                ..Default::default()
            },
            Scenario {
                close: vec!["h1".into()],
                ..Default::default()
            },
        ];
        for s in &scenarios {
            let fresh = run(&ds, AreaLevel::Wijk, Category::Huisarts, s, &config).unwrap();
            let served = run_from(&ds, &baseline, s, &config).unwrap();
            assert!(!fresh.changed.is_empty());
            assert_eq!(served, fresh);
        }
    }

    /// The huisarts moved from 1.5 km to next to the far wijk (12.5 km).
    fn moved_to_the_far_wijk(ds: &Dataset) -> Outcome {
        let to = QueryPoint::from_rd(ds, 162_500.0, 450_500.0).unwrap();
        let s = Scenario {
            moved: vec![("h1".into(), to)],
            ..Default::default()
        };
        run(
            ds,
            AreaLevel::Wijk,
            Category::Huisarts,
            &s,
            &AnalysisConfig::default(),
        )
        .unwrap()
    }

    #[test]
    fn moving_counts_the_areas_that_get_worse_as_well_as_better() {
        let out = moved_to_the_far_wijk(&ds());
        // The far wijk gains the huisarts; the three near the old place lose it.
        assert_eq!(out.totals.gebieden_beter, 1);
        assert_eq!(out.totals.gebieden_slechter, 3);
        let far = out
            .changed
            .iter()
            .find(|c| c.code.to_string() == "WK000104")
            .unwrap();
        assert_eq!(far.richting, Direction::Beter);
        assert!(
            far.uitleg.starts_with("beter, afstand 11,0 → 0,0 km"),
            "{}",
            far.uitleg
        );
        assert!(far.uitleg.ends_with("minder urgent"), "{}", far.uitleg);
        let near = out
            .changed
            .iter()
            .find(|c| c.code.to_string() == "WK000101")
            .unwrap();
        assert_eq!(near.richting, Direction::Slechter);
        // People within 1 km (inclusive): before, the 9,000 of the three wijken at
        // most 1 km from it; after, the 3,100 of the far wijk.
        assert_eq!(out.totals.binnen_bereik_voor[0], 9000.0);
        assert_eq!(out.totals.binnen_bereik_na[0], 3100.0);
    }

    #[test]
    fn moving_the_huisarts_next_to_the_far_wijk_gives_it_access() {
        let out = moved_to_the_far_wijk(&ds());
        let far = out
            .after
            .ranked
            .iter()
            .find(|r| r.code.to_string() == "WK000104")
            .unwrap();
        assert!(far.access.is_some());
        let near = out
            .after
            .ranked
            .iter()
            .find(|r| r.code.to_string() == "WK000101")
            .unwrap();
        assert!(near.access.is_none(), "8 km from where the huisarts went");
    }

    #[test]
    fn closing_the_only_huisarts_leaves_no_access_and_bad_ids_are_refused() {
        let ds = ds();
        let s = Scenario {
            close: vec!["h1".into()],
            ..Default::default()
        };
        let out = run(
            &ds,
            AreaLevel::Wijk,
            Category::Huisarts,
            &s,
            &AnalysisConfig::default(),
        )
        .unwrap();
        assert!(out.after.ranked.iter().all(|r| r.access.is_none()));
        let bad = Scenario {
            close: vec!["nope".into()],
            ..Default::default()
        };
        let e = run(
            &ds,
            AreaLevel::Wijk,
            Category::Huisarts,
            &bad,
            &AnalysisConfig::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
        let zero = Scenario {
            capacity: vec![("h1".into(), 0.0)],
            ..Default::default()
        };
        assert!(run(
            &ds,
            AreaLevel::Wijk,
            Category::Huisarts,
            &zero,
            &AnalysisConfig::default()
        )
        .is_err());
    }
}
