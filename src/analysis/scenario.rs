//! What-if: add, remove or change voorzieningen of one category and see every area's
//! access, gap and rank before and after, without touching the loaded data.

use super::access::Supply;
use super::config::AnalysisConfig;
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaChange {
    pub code: AreaCode,
    pub naam: String,
    pub access_before: Option<f64>,
    pub access_after: Option<f64>,
    pub gap_before: f64,
    pub gap_after: f64,
    pub rank_before: usize,
    pub rank_after: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub after: Ranking,
    /// Areas whose access or rank changed, the largest change in gap first.
    pub changed: Vec<AreaChange>,
}

/// The most a scenario may open, close or change at once.
pub const MAX_CHANGES: usize = 1_000;

pub fn run(
    dataset: &Dataset,
    level: AreaLevel,
    category: Category,
    scenario: &Scenario,
    config: &AnalysisConfig,
) -> Result<Outcome, AnalysisError> {
    let changes =
        scenario.open.len() + scenario.close.len() + scenario.capacity.len() + scenario.moved.len();
    if changes > MAX_CHANGES {
        return Err(AnalysisError::TooManyChanges {
            changes,
            max: MAX_CHANGES,
        });
    }
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
        if !(c.is_finite() && *c > 0.0) {
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
        if !(o.capacity.is_finite() && o.capacity > 0.0) {
            return Err(AnalysisError::BadCapacity { id: "new".into() });
        }
        supply.push(Supply {
            at: o.at.rd(),
            capacity: o.capacity,
        });
    }
    let before = gap::rank(dataset, level, category, config);
    let after = gap::rank_with(dataset, level, category, config, &supply);
    let old: HashMap<AreaCode, &gap::Ranked> = before.ranked.iter().map(|r| (r.code, r)).collect();
    let mut changed: Vec<AreaChange> = after
        .ranked
        .iter()
        .filter_map(|r| {
            let b = old.get(&r.code)?;
            (b.access != r.access || b.rank != r.rank).then(|| AreaChange {
                code: r.code,
                naam: r.naam.clone(),
                access_before: b.access,
                access_after: r.access,
                gap_before: b.gap,
                gap_after: r.gap,
                rank_before: b.rank,
                rank_after: r.rank,
            })
        })
        .collect();
    changed.sort_by(|a, b| {
        (b.gap_before - b.gap_after)
            .abs()
            .total_cmp(&(a.gap_before - a.gap_after).abs())
            .then(a.code.cmp(&b.code))
    });
    Ok(Outcome { after, changed })
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
    fn moving_the_huisarts_next_to_the_far_wijk_gives_it_access() {
        let ds = ds();
        let to = QueryPoint::from_rd(&ds, 162_500.0, 450_500.0).unwrap();
        let s = Scenario {
            moved: vec![("h1".into(), to)],
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
