//! The gap score and the ranking of underserved areas per category.
//!
//! gap = need index − standardised access. Access is the normalised E2SFCA score (1 =
//! the population-weighted mean), taken as 0 where no voorziening of the category is
//! within the catchment — for the ranking, nothing in reach is the worst access there
//! is. Both terms are z-scores over the ranked areas, so a gap of 2 means need and
//! access together sit two standard deviations on the wrong side. Each ranked area
//! carries the reason in words.

use super::access::{Demand, Supply};
use super::assess::{assess, AreaAssessment, Assessment, LevelDemand};
use super::basis::AccessBasis;
use super::config::AnalysisConfig;
use super::coverage::AreaCoverage;
use super::need::{self, Need};
use super::{calibrate, demand};
use crate::model::{AreaCode, AreaLevel, Category, Dataset};
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
    /// The E2SFCA score itself (before normalising): it changes only when the supply
    /// within the area's reach changes, so a what-if compares it.
    pub score: Option<f64>,
    /// Mean straight-line distance from the area's people to the nearest facility.
    pub nearest_m: Option<f64>,
    /// People of the category's demand group in the area.
    pub people: Option<f64>,
    /// Of them, within 1, 3 and 5 km of a facility.
    pub people_within: Option<[f64; 3]>,
    /// Of them, farther than the category's threshold (`drempel_m`).
    pub people_beyond: Option<f64>,
    /// "binnen" or "rand" (the nearest facility may lie outside the source's area).
    pub dekking: &'static str,
    /// What the area's demand points stand for (adressen, buurten, postcodes, …).
    pub vraag_basis: &'static str,
    /// CBS's own distance for this category, where loaded: km, and the level it is of.
    pub cbs_afstand_km: Option<f64>,
    pub cbs_niveau: Option<AreaLevel>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    pub level: AreaLevel,
    pub category: Category,
    pub formula: &'static str,
    pub need_components: Vec<(&'static str, f64)>,
    /// Need components of the configured set that this level's figures lack.
    pub need_missing: Vec<&'static str>,
    pub catchment_m: f64,
    pub threshold_m: f64,
    /// What the category's sources cover, in words.
    pub coverage: String,
    /// What access is measured from: the loaded voorzieningen, or CBS's distance
    /// when none of the category is loaded.
    #[serde(rename = "toegang_bron")]
    pub access_basis: AccessBasis,
    /// Most underserved first.
    pub ranked: Vec<Ranked>,
    /// Areas left out for want of figures.
    pub insufficient_data: Vec<AreaCode>,
    /// Areas outside every source of the category: no figures, not ranked.
    pub outside_coverage: Vec<AreaCode>,
}

pub use crate::text::dutch_number as dutch;

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

/// The demand of each area of `level` for `category` at its representative point, in
/// the dataset's order (the suggestion search's candidates).
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
    let demand = demand::demand_points(dataset, level);
    rank_with(
        dataset,
        level,
        category,
        config,
        &demand,
        &loaded_supply(dataset, category),
    )
}

/// The ranking with another set of voorzieningen (a what-if scenario).
pub fn rank_with(
    dataset: &Dataset,
    level: AreaLevel,
    category: Category,
    config: &AnalysisConfig,
    demand: &LevelDemand,
    supply: &[Supply],
) -> Ranking {
    let assessment = assess(dataset, level, category, config, demand, supply);
    rank_assessed(dataset, config, &assessment)
}

/// The ranking of an assessment: need against access over the areas inside coverage.
pub fn rank_assessed(
    dataset: &Dataset,
    config: &AnalysisConfig,
    assessment: &Assessment,
) -> Ranking {
    let (level, category) = (assessment.level, assessment.category);
    let areas = dataset.areas(level);
    let settings = config.settings(category);
    let needs = need::compute(dataset, level, &config.need_weights);
    let mut insufficient_data = Vec::new();
    let mut outside_coverage = Vec::new();
    let mut candidates = Vec::new();
    for (i, a) in areas.iter().enumerate() {
        if !assessment.areas[i].coverage.known() {
            outside_coverage.push(a.code);
            continue;
        }
        match needs.areas[i] {
            Need::InsufficientData => insufficient_data.push(a.code),
            Need::Scored { index } => candidates.push((i, index)),
        }
    }
    let access_values: Vec<f64> = candidates
        .iter()
        .map(|&(i, _)| assessment.areas[i].access.unwrap_or(0.0))
        .collect();
    let access_z = z_scores(&access_values);
    let mut ranked: Vec<Ranked> = candidates
        .iter()
        .zip(&access_z)
        .map(|(&(i, need), &az)| {
            let a = &areas[i];
            let m = &assessment.areas[i];
            let cbs = calibrate::cbs_distance(dataset, a, category);
            Ranked {
                rank: 0,
                code: a.code,
                naam: a.name.clone(),
                gemeentecode: a.code.gemeente(),
                gap: need - az,
                need,
                access: m.access,
                score: m.score,
                nearest_m: m.nearest_m,
                people: m.population,
                people_within: m.people_within,
                people_beyond: m.people_beyond,
                dekking: m.coverage.key(),
                vraag_basis: m.basis.key(),
                cbs_afstand_km: cbs.map(|c| c.0),
                cbs_niveau: cbs.map(|c| c.1),
                reason: reason(category, &settings, assessment, m, cbs),
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
        need_missing: needs.missing,
        catchment_m: settings.catchment.radius_m,
        threshold_m: assessment.threshold_m,
        coverage: assessment.coverage.clone(),
        access_basis: assessment.basis,
        ranked,
        insufficient_data,
        outside_coverage,
    }
}

/// The reason when CBS's distance is the access measure: it is a mean per area, so no
/// count of people far away can be given.
fn cbs_reason(label: &str, assessment: &Assessment, m: &AreaAssessment) -> String {
    let mut parts = Vec::new();
    if let Some(d) = m.nearest_m {
        parts.push(format!(
            "gemiddeld {} km over de weg tot een {label} (CBS, per {})",
            dutch(d / 1000.0, 1),
            assessment.level
        ));
    }
    if let Some(x) = m.access {
        parts.push(format!(
            "toegang {}× het gemiddelde (de gemiddelde afstand over de geladen gebieden gedeeld door die van dit gebied)",
            dutch(x, 2)
        ));
    }
    parts.push(format!(
        "er is geen {label} geladen: de afstand is die van CBS"
    ));
    parts.join("; ")
}

/// Access lower than this share of the mean, with a facility in the near zone,
/// is put down to crowding rather than distance.
const CROWDED_ACCESS: f64 = 0.9;

/// The reason in words: how many people are far, how far the nearest is, and whether
/// low access comes from distance or from many people sharing the supply nearby.
fn reason(
    category: Category,
    settings: &super::config::CategorySettings,
    assessment: &Assessment,
    m: &AreaAssessment,
    cbs: Option<(f64, AreaLevel)>,
) -> String {
    let label = category.key();
    if let AccessBasis::CbsAfstand { .. } = assessment.basis {
        return cbs_reason(label, assessment, m);
    }
    let mut parts = Vec::new();
    if let (Some(people), Some(beyond)) = (m.population, m.people_beyond) {
        parts.push(format!(
            "{} van {} {} verder dan {} km van een {label}",
            dutch(beyond, 0),
            dutch(people, 0),
            settings.demand.label(),
            dutch(assessment.threshold_m / 1000.0, 1)
        ));
    }
    parts.push(match m.nearest_m {
        Some(d) => format!(
            "dichtstbijzijnde {label} gemiddeld op {} km",
            dutch(d / 1000.0, 1)
        ),
        None => format!("geen {label} geladen"),
    });
    let near_zone = settings.catchment.zone_bounds()[0];
    parts.push(match (m.access, m.nearest_m) {
        (Some(x), Some(d)) if x < CROWDED_ACCESS && d <= near_zone => format!(
            "toegang {}× het gemiddelde door drukte, niet door afstand: zo'n {} {} per {label} binnen bereik",
            dutch(x, 2),
            dutch(m.crowding.unwrap_or(0.0), 0),
            settings.demand.label()
        ),
        (Some(x), _) => format!("toegang {}× het gemiddelde", dutch(x, 2)),
        (None, _) => format!(
            "geen {label} binnen {} km",
            dutch(settings.catchment.radius_m / 1000.0, 0)
        ),
    });
    if let AreaCoverage::Edge { edge_m } = m.coverage {
        parts.push(format!(
            "let op: de grens van de bron ({}) ligt op {} km, dichterbij dan de dichtstbijzijnde {label}; er kan er een net buiten de bron liggen",
            assessment.coverage,
            dutch(edge_m / 1000.0, 1)
        ));
    }
    if let Some((km, level)) = cbs {
        parts.push(format!("CBS: {} km over de weg ({level})", dutch(km, 1)));
    }
    parts.join("; ")
}
#[cfg(test)]
mod tests {
    use super::*;

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
        use crate::model::Figure::*;
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
            "3.100 van 3.100 inwoners verder dan 2,0 km van een huisarts; dichtstbijzijnde huisarts gemiddeld op 11,0 km; geen huisarts binnen 5 km"
        );
        assert_eq!(first.people_beyond, Some(3100.0));
        assert!(r.ranked[1].reason.contains("toegang"));
        assert_eq!(r.insufficient_data.len(), 1);
    }
}
