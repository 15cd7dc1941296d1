//! The analysis settings and their defaults, each with its reason.

use super::access::{Catchment, Decay, LUO_QI_STEPS};
use crate::model::{Category, Figure, KeyFigures};
use serde::Serialize;

/// Straight-line distance × this ≈ distance over the road network. Dutch road and
/// cycle networks are dense; 1.3 is the usual figure for the Netherlands and other
/// dense networks (it is also the median ratio of road to straight-line distance found
/// in European studies of detour indices).
pub const DEFAULT_CIRCUITY: f64 = 1.3;

/// Who a category serves, for the demand side of the access score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandGroup {
    /// Everyone (`inwoners`).
    Inhabitants,
    /// People aged 65 and over: `inwoners` × `pct_65plus`.
    Aged65Plus,
    /// Children under 15 (`pct_0_15`): CBS publishes no 0–4 share per area, so the
    /// youngest published band stands in for the consultatiebureau's 0–4 year olds.
    Children0To15,
}

impl DemandGroup {
    /// The group's size in an area, when the figures for it are published.
    pub fn size(self, f: &KeyFigures) -> Option<f64> {
        let inhabitants = f.get(Figure::Inhabitants)?;
        match self {
            DemandGroup::Inhabitants => Some(inhabitants),
            DemandGroup::Aged65Plus => f.get(Figure::Age65Plus).map(|p| inhabitants * p / 100.0),
            DemandGroup::Children0To15 => f.get(Figure::Age0To15).map(|p| inhabitants * p / 100.0),
        }
    }
}

/// The settings for one category.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CategorySettings {
    pub catchment: Catchment,
    pub demand: DemandGroup,
}

/// The catchment radius d0 per category, in metres: about how far people travel to
/// such a place — walking or cycling distance for first-line care and welfare in the
/// neighbourhood, further for specialised care and hospitals.
fn default_radius(c: Category) -> f64 {
    match c {
        Category::Huisarts | Category::Apotheek | Category::Consultatiebureau => 5_000.0,
        Category::Wijkteam | Category::SociaalWerk | Category::Buurthuis => 3_000.0,
        Category::Fysiotherapie | Category::Tandarts | Category::Bibliotheek => 5_000.0,
        Category::Thuiszorg => 10_000.0,
        Category::Ggz | Category::Ggd | Category::Schuldhulp | Category::Opvang => 15_000.0,
        Category::Ziekenhuis | Category::Verpleeghuis => 20_000.0,
        Category::Overig => 5_000.0,
    }
}

fn default_demand(c: Category) -> DemandGroup {
    match c {
        Category::Thuiszorg | Category::Verpleeghuis => DemandGroup::Aged65Plus,
        Category::Consultatiebureau => DemandGroup::Children0To15,
        _ => DemandGroup::Inhabitants,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalysisConfig {
    pub circuity: f64,
    per_category: Vec<(Category, CategorySettings)>,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            circuity: DEFAULT_CIRCUITY,
            per_category: Category::ALL
                .iter()
                .map(|&c| {
                    (
                        c,
                        CategorySettings {
                            catchment: Catchment {
                                radius_m: default_radius(c),
                                decay: Decay::Steps(LUO_QI_STEPS),
                            },
                            demand: default_demand(c),
                        },
                    )
                })
                .collect(),
        }
    }
}

impl AnalysisConfig {
    pub fn settings(&self, c: Category) -> CategorySettings {
        self.per_category
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, s)| *s)
            .unwrap_or(CategorySettings {
                catchment: Catchment {
                    radius_m: default_radius(c),
                    decay: Decay::Steps(LUO_QI_STEPS),
                },
                demand: default_demand(c),
            })
    }
}
