//! The gap score and the ranking of underserved areas per category.
//!
//! gap = need index − standardised access. Access is the normalised E2SFCA score (1 =
//! the population-weighted mean), taken as 0 where no voorziening of the category is
//! within the catchment — for the ranking, nothing in reach is the worst access there
//! is. Both terms are z-scores over the ranked areas, so a gap of 2 means need and
//! access together sit two standard deviations on the wrong side. Each ranked area
//! carries the reason in words.

use super::access::{two_step, Demand, Supply};
use super::config::AnalysisConfig;
use super::indicators;
use super::need::{self, Need};
use crate::model::{AreaCode, AreaLevel, Category, Dataset, Figure};
use serde::Serialize;

pub const FORMULA: &str =
    "gap = need index − z(access); access = normalised E2SFCA score, 0 where nothing is in reach";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub rank: usize,
    pub code: AreaCode,
    pub naam: String,
    pub gemeentecode: AreaCode,
    pub gap: f64,
    pub need: f64,
    /// Normalised E2SFCA score; `None` when nothing is within the catchment.
    pub access: Option<f64>,
    pub nearest_m: Option<f64>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    pub level: AreaLevel,
    pub category: Category,
    pub formula: &'static str,
    pub need_components: Vec<(&'static str, f64)>,
    pub catchment_m: f64,
    /// Most underserved first.
    pub ranked: Vec<Ranked>,
    /// Areas left out for want of figures.
    pub insufficient_data: Vec<AreaCode>,
}

/// Dutch number text: thousands with a dot, decimals with a comma.
fn dutch(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

fn z_scores(values: &[f64]) -> Vec<f64> {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    values
        .iter()
        .map(|v| if sd > 0.0 { (v - mean) / sd } else { 0.0 })
        .collect()
}

/// The loaded voorzieningen of a category as supply.
pub fn loaded_supply(dataset: &Dataset, category: Category) -> Vec<Supply> {
    dataset
        .voorzieningen()
        .iter()
        .filter(|v| v.category == category)
        .map(|v| Supply {
            at: v.location.rd,
            capacity: v.capacity.unwrap_or(1.0),
        })
        .collect()
}

/// The demand of each area of `level` for `category`, in the dataset's order.
pub fn area_demand(
    dataset: &Dataset,
    level: AreaLevel,
    category: Category,
    config: &AnalysisConfig,
) -> Vec<Demand> {
    let settings = config.settings(category);
    dataset
        .areas(level)
        .iter()
        .map(|a| Demand {
            at: crate::crs::RdPoint::new(a.interior_point_rd.x(), a.interior_point_rd.y()),
            population: settings.demand.size(&a.figures),
        })
        .collect()
}

/// The ranking with the loaded voorzieningen.
pub fn rank(
    dataset: &Dataset,
    level: AreaLevel,
    category: Category,
    config: &AnalysisConfig,
) -> Ranking {
    rank_with(
        dataset,
        level,
        category,
        config,
        &loaded_supply(dataset, category),
    )
}

/// The ranking with another set of voorzieningen (a what-if scenario).
pub fn rank_with(
    dataset: &Dataset,
    level: AreaLevel,
    category: Category,
    config: &AnalysisConfig,
    supply: &[Supply],
) -> Ranking {
    let areas = dataset.areas(level);
    let settings = config.settings(category);
    let needs = need::compute(dataset, level, &config.need_weights);
    let demand = area_demand(dataset, level, category, config);
    let access = two_step(&demand, supply, &settings.catchment);
    let nearest = indicators::nearest_supply(&demand, supply);
    let mut insufficient_data = Vec::new();
    let mut candidates = Vec::new();
    for (i, a) in areas.iter().enumerate() {
        match needs.areas[i] {
            Need::InsufficientData => insufficient_data.push(a.code),
            Need::Scored { index } => candidates.push((i, index)),
        }
    }
    let access_values: Vec<f64> = candidates
        .iter()
        .map(|&(i, _)| access.normalised[i].unwrap_or(0.0))
        .collect();
    let access_z = z_scores(&access_values);
    let mut ranked: Vec<Ranked> = candidates
        .iter()
        .zip(&access_z)
        .map(|(&(i, need), &az)| {
            let a = &areas[i];
            let mut parts = Vec::new();
            if let Some(n) = a.figures.get(Figure::Inhabitants) {
                parts.push(format!("{} inwoners", dutch(n, 0)));
            }
            if let Some(p) = a.figures.get(Figure::Age65Plus) {
                parts.push(format!("{}% 65+", dutch(p, 0)));
            }
            parts.push(match nearest[i] {
                Some(d) => format!(
                    "dichtstbijzijnde {} op {} km",
                    category.key(),
                    dutch(d / 1000.0, 1)
                ),
                None => format!("geen {} geladen", category.key()),
            });
            parts.push(match access.normalised[i] {
                Some(x) => format!("toegang {}× het gemiddelde", dutch(x, 2)),
                None => format!(
                    "geen {} binnen {} km",
                    category.key(),
                    dutch(settings.catchment.radius_m / 1000.0, 0)
                ),
            });
            Ranked {
                rank: 0,
                code: a.code,
                naam: a.name.clone(),
                gemeentecode: a.code.gemeente(),
                gap: need - az,
                need,
                access: access.normalised[i],
                nearest_m: nearest[i],
                reason: parts.join(", "),
            }
        })
        .collect();
    ranked.sort_by(|a, b| b.gap.total_cmp(&a.gap).then(a.code.cmp(&b.code)));
    for (k, r) in ranked.iter_mut().enumerate() {
        r.rank = k + 1;
    }
    Ranking {
        level,
        category,
        formula: FORMULA,
        need_components: needs.components,
        catchment_m: settings.catchment.radius_m,
        ranked,
        insufficient_data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_numbers() {
        assert_eq!(dutch(3100.0, 0), "3.100");
        assert_eq!(dutch(2.84, 1), "2,8");
        assert_eq!(dutch(1234567.891, 2), "1.234.567,89");
        assert_eq!(dutch(-1500.0, 0), "-1.500");
        assert_eq!(dutch(12.0, 0), "12");
    }

    #[test]
    fn z_scores_centre_and_scale() {
        let z = z_scores(&[1.0, 2.0, 3.0]);
        assert!((z[0] + 1.224_744_871).abs() < 1e-6 && z[1] == 0.0);
        assert_eq!(z_scores(&[5.0, 5.0]), vec![0.0, 0.0]);
    }
}

#[cfg(test)]
mod ranking_tests {
    use super::*;
    use crate::analysis::fixture::{area, dataset, facility};

    #[test]
    fn high_need_far_from_care_ranks_first_with_its_reason() {
        use Figure::*;
        // Synthetic: three similar wijken next to a huisarts, and one older one 12 km
        // away with nothing within the 5 km catchment.
        let ds = dataset(
            vec![
                area("WK000101", 0.0, &[(Inhabitants, 3000.0), (Age65Plus, 15.0)]),
                area("WK000102", 1.0, &[(Inhabitants, 3000.0), (Age65Plus, 16.0)]),
                area("WK000103", 2.0, &[(Inhabitants, 3000.0), (Age65Plus, 14.0)]),
                area(
                    "WK000104",
                    12.0,
                    &[(Inhabitants, 3100.0), (Age65Plus, 31.0)],
                ),
                area("WK000105", 3.0, &[(Age65Plus, 40.0)]),
            ],
            vec![facility("h1", Category::Huisarts, 1.5)],
        );
        let r = rank(
            &ds,
            AreaLevel::Wijk,
            Category::Huisarts,
            &AnalysisConfig::default(),
        );
        assert_eq!(r.ranked.len(), 4);
        let first = &r.ranked[0];
        assert_eq!(first.code.to_string(), "WK000104");
        assert_eq!(first.rank, 1);
        assert_eq!(first.access, None);
        assert!(first.gap > r.ranked[1].gap);
        assert_eq!(
            first.reason,
            "3.100 inwoners, 31% 65+, dichtstbijzijnde huisarts op 11,0 km, geen huisarts binnen 5 km"
        );
        assert!(r.ranked[1].reason.contains("toegang"));
        assert_eq!(r.insufficient_data.len(), 1);
    }
}
