//! The need index: how much an area's population is likely to need care and welfare,
//! from its CBS figures, as a weighted sum of standardised values.
//!
//! Each component is standardised over the areas of the level (z = (x − mean) / sd),
//! then weighted. Components no area of the level has are left out and the weights of
//! the rest rescaled; an area missing a component that others have is scored on the
//! components it has, when they carry at least half of the weight. Areas whose number
//! of inhabitants CBS does not publish (too few people) are "insufficient data" and
//! are not ranked.
//!
//! Every component is a rate or a share, never a count: a big wijk is not needier than
//! a small one because it is big. How many people are affected is a figure of its own
//! (see `assess`), shown beside the index.

use crate::model::{AreaLevel, Dataset, Figure};
use serde::Serialize;

/// The components and their default weights: age (65+), living alone, low income and
/// income around the social minimum, corporation-owned housing, and the use of Wmo
/// support and youth care (proxies for vulnerability in the literature on the
/// wijkaanpak). A level uses those its figures hold; the rest are named as missing.
pub const DEFAULT_WEIGHTS: [(Figure, f64); 7] = [
    (Figure::Age65Plus, 0.25),
    (Figure::SinglePersonHouseholds, 0.15),
    (Figure::LowIncomeHouseholds, 0.15),
    (Figure::NearSocialMinimum, 0.15),
    (Figure::CorporationOwned, 0.10),
    (Figure::WmoClients, 0.10),
    (Figure::YouthCare, 0.10),
];

/// Whether a figure may be a component: a share or a rate, not a size.
pub fn is_rate(figure: Figure) -> bool {
    matches!(
        figure.quantity(),
        crate::model::Quantity::Percent | crate::model::Quantity::PerThousand
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Need {
    Scored { index: f64 },
    InsufficientData,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedIndex {
    pub level: AreaLevel,
    /// The components used, with their weights rescaled to sum to 1.
    pub components: Vec<(&'static str, f64)>,
    /// Components of the configured set that no area of this level has.
    pub missing: Vec<&'static str>,
    /// One per area of the level, in the dataset's order.
    pub areas: Vec<Need>,
}

pub fn compute(dataset: &Dataset, level: AreaLevel, weights: &[(Figure, f64)]) -> NeedIndex {
    let areas = dataset.areas(level);
    let stats: Vec<(Figure, f64, f64, f64)> = weights
        .iter()
        .filter_map(|&(figure, w)| {
            let values: Vec<f64> = areas.iter().filter_map(|a| a.figures.get(figure)).collect();
            if values.len() < 2 {
                return None;
            }
            let n = values.len() as f64;
            let mean = values.iter().sum::<f64>() / n;
            let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            (sd > 0.0).then_some((figure, w, mean, sd))
        })
        .collect();
    let total: f64 = stats.iter().map(|s| s.1).sum();
    let scored = areas
        .iter()
        .map(|a| {
            if a.figures.get(Figure::Inhabitants).is_none() {
                return Need::InsufficientData;
            }
            let (mut sum, mut weight) = (0.0, 0.0);
            for &(figure, w, mean, sd) in &stats {
                if let Some(v) = a.figures.get(figure) {
                    sum += w * (v - mean) / sd;
                    weight += w;
                }
            }
            if total == 0.0 || weight < total / 2.0 {
                Need::InsufficientData
            } else {
                Need::Scored {
                    index: sum / weight,
                }
            }
        })
        .collect();
    NeedIndex {
        level,
        components: stats.iter().map(|s| (s.0.key(), s.1 / total)).collect(),
        missing: weights
            .iter()
            .filter(|(f, w)| *w > 0.0 && !stats.iter().any(|s| s.0 == *f))
            .map(|(f, _)| f.key())
            .collect(),
        areas: scored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture::{area, dataset};

    #[test]
    fn standardised_weighted_sum_over_the_components_present() {
        use Figure::*;
        // Synthetic: only 65+ and Wmo clients exist in this level; the other components
        // drop out and the weights 0.25 and 0.10 rescale to 5/7 and 2/7.
        let ds = dataset(
            vec![
                area(
                    "WK000101",
                    0.0,
                    &[(Inhabitants, 1000.0), (Age65Plus, 10.0), (WmoClients, 50.0)],
                ),
                area(
                    "WK000102",
                    1.0,
                    &[(Inhabitants, 2000.0), (Age65Plus, 20.0), (WmoClients, 60.0)],
                ),
                area("WK000103", 2.0, &[(Inhabitants, 3000.0), (Age65Plus, 30.0)]),
                area("WK000104", 3.0, &[(Age65Plus, 30.0)]),
            ],
            vec![],
        );
        let n = compute(&ds, AreaLevel::Wijk, &DEFAULT_WEIGHTS);
        assert_eq!(n.components.len(), 2);
        assert!((n.components[0].1 - 5.0 / 7.0).abs() < 1e-12);
        assert_eq!(
            n.missing,
            vec![
                "pct_eenpersoonshuishoudens",
                "pct_huishoudens_laag_inkomen",
                "pct_rond_sociaal_minimum",
                "pct_corporatiewoningen",
                "pct_jongeren_met_jeugdzorg"
            ]
        );
        // 65+ over four areas: mean 22.5, sd √68.75; Wmo over two: mean 55, sd 5.
        let z65 = (10.0 - 22.5) / 68.75_f64.sqrt();
        let zwmo = (50.0 - 55.0) / 5.0;
        let expected = (0.25 * z65 + 0.10 * zwmo) / 0.35;
        match n.areas[0] {
            Need::Scored { index } => {
                assert!((index - expected).abs() < 1e-12, "{index} vs {expected}")
            }
            other => panic!("{other:?}"),
        }
        // No published inhabitants: insufficient data, not ranked.
        assert_eq!(n.areas[3], Need::InsufficientData);
        // Size is not need: the same shares in a wijk ten times as big score the same.
        let big = dataset(
            vec![
                area("WK000101", 0.0, &[(Inhabitants, 1000.0), (Age65Plus, 10.0)]),
                area(
                    "WK000102",
                    1.0,
                    &[(Inhabitants, 10000.0), (Age65Plus, 10.0)],
                ),
                area("WK000103", 2.0, &[(Inhabitants, 1000.0), (Age65Plus, 30.0)]),
            ],
            vec![],
        );
        let n = compute(&big, AreaLevel::Wijk, &DEFAULT_WEIGHTS);
        assert_eq!(n.areas[0], n.areas[1]);
    }
}
