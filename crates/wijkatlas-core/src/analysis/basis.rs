//! What a category's access is measured from: the loaded voorzieningen, or — when none
//! of the category is loaded — CBS's own distance figure carried by the areas. The
//! second is how a planner gets a national huisarts gap map from open data alone: CBS
//! publishes the mean road distance from every address to the nearest huisarts for
//! every buurt, wijk and gemeente.

use super::calibrate::cbs_figure;
use crate::model::{AreaLevel, Category, Dataset, Figure};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "soort")]
pub enum AccessBasis {
    /// Distances, counts and E2SFCA from the loaded voorzieningen.
    Voorzieningen,
    /// No voorziening of the category is loaded: CBS's mean road distance of the area
    /// (its own figure, not a coarser area's) is the access measure.
    CbsAfstand {
        #[serde(serialize_with = "figure_key")]
        figuur: Figure,
    },
}

fn figure_key<S: serde::Serializer>(f: &Figure, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(f.key())
}

impl AccessBasis {
    pub fn key(self) -> &'static str {
        match self {
            AccessBasis::Voorzieningen => "voorzieningen",
            AccessBasis::CbsAfstand { .. } => "cbs_afstand",
        }
    }

    /// In words, for the legend, panel and profile.
    pub fn described(self) -> &'static str {
        match self {
            AccessBasis::Voorzieningen => "gemeten vanaf de geladen voorzieningen",
            AccessBasis::CbsAfstand { .. } => {
                "afstand volgens CBS (gemiddelde afstand over de weg vanaf alle adressen; er zijn geen voorzieningen van deze soort geladen)"
            }
        }
    }
}

/// The basis of a category's access, or `None` when the data says nothing about it
/// (no voorziening loaded and no area of the analysis level carries CBS's distance).
pub fn access_basis(dataset: &Dataset, category: Category) -> Option<AccessBasis> {
    basis_at(dataset, category, || super::default_level(dataset))
}

/// `access_basis` with the analysis level found only when a CBS figure is in question
/// (finding it reads every area), and found once by a caller that asks for many.
fn basis_at(
    dataset: &Dataset,
    category: Category,
    analysis_level: impl FnOnce() -> Option<AreaLevel>,
) -> Option<AccessBasis> {
    if !dataset.coverage_of(category).is_empty()
        || dataset
            .voorzieningen()
            .iter()
            .any(|v| v.category == category)
    {
        return Some(AccessBasis::Voorzieningen);
    }
    // At the analysis level itself: a gemeente's mean is no measure for its wijken, so
    // figures only at a coarser level (the bundled data's) do not make a map.
    let figure = cbs_figure(category)?;
    let level = analysis_level()?;
    dataset
        .areas(level)
        .iter()
        .any(|a| a.figures.get(figure).is_some())
        .then_some(AccessBasis::CbsAfstand { figuur: figure })
}

/// What-ifs and suggestions move points: they need the category's voorzieningen.
pub fn require_voorzieningen(
    dataset: &Dataset,
    category: Category,
) -> Result<(), super::AnalysisError> {
    match access_basis(dataset, category) {
        Some(AccessBasis::CbsAfstand { .. }) => {
            Err(super::AnalysisError::NoVoorzieningen { category })
        }
        _ => Ok(()),
    }
}

/// Every category the map, the ranking and the profiles can speak about, in taxonomy
/// order, with what its access is measured from.
pub fn analysed_categories(dataset: &Dataset) -> Vec<(Category, AccessBasis)> {
    let level = super::default_level(dataset);
    Category::ALL
        .iter()
        .filter_map(|c| basis_at(dataset, *c, || level).map(|b| (*c, b)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture::{area, dataset, facility};
    use crate::model::Figure::*;

    #[test]
    fn cbs_distance_stands_in_only_where_no_voorziening_is_loaded() {
        // Synthetic: wijken with CBS's GP and hospital distances, one hospital loaded.
        let ds = dataset(
            vec![
                area("WK000101", 0.0, &[(Inhabitants, 100.0), (DistanceGp, 0.8)]),
                area(
                    "WK000102",
                    1.0,
                    &[(Inhabitants, 100.0), (DistanceHospital, 4.0)],
                ),
            ],
            vec![facility("z", Category::Ziekenhuis, 0.5)],
        );
        assert_eq!(
            access_basis(&ds, Category::Huisarts),
            Some(AccessBasis::CbsAfstand { figuur: DistanceGp })
        );
        assert_eq!(
            access_basis(&ds, Category::Ziekenhuis),
            Some(AccessBasis::Voorzieningen)
        );
        // CBS publishes a pharmacy distance, but these areas do not carry it.
        assert_eq!(access_basis(&ds, Category::Apotheek), None);
        // A figure at a coarser level only (the gemeente's) is no measure for wijken.
        let coarse = Dataset::assemble(
            vec![],
            [
                vec![area(
                    "GM0001",
                    0.0,
                    &[(Inhabitants, 200.0), (DistanceGp, 0.8)],
                )],
                vec![
                    area("WK000101", 0.0, &[(Inhabitants, 100.0)]),
                    area("WK000102", 1.0, &[(Inhabitants, 100.0)]),
                ],
                vec![],
            ],
            vec![],
            Default::default(),
            vec![],
        );
        assert_eq!(access_basis(&coarse, Category::Huisarts), None);
        // CBS publishes no distance to a wijkteam.
        assert_eq!(access_basis(&ds, Category::Wijkteam), None);
        let all: Vec<Category> = analysed_categories(&ds).into_iter().map(|c| c.0).collect();
        assert_eq!(all, vec![Category::Huisarts, Category::Ziekenhuis]);
    }
}
