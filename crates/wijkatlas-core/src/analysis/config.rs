//! The analysis settings and their defaults, each with its reason.

use super::access::{Catchment, Decay, LUO_QI_STEPS};
use crate::model::{Category, Figure, KeyFigures};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Straight-line distance × this ≈ distance over the road network. Dutch road and
/// cycle networks are dense; 1.3 is the usual figure for the Netherlands and other
/// dense networks (it is also the median ratio of road to straight-line distance found
/// in European studies of detour indices).
pub const DEFAULT_CIRCUITY: f64 = 1.3;

/// Who a category serves, for the demand side of the access score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DemandGroup {
    /// Everyone (`inwoners`).
    #[serde(rename = "inwoners")]
    Inhabitants,
    /// People aged 65 and over: `inwoners` × `pct_65plus`.
    #[serde(rename = "65plus")]
    Aged65Plus,
    /// Children under 15 (`pct_0_15`): CBS publishes no 0–4 share per area, so the
    /// youngest published band stands in for the consultatiebureau's 0–4 year olds.
    #[serde(rename = "0_15")]
    Children0To15,
}

impl DemandGroup {
    /// The people in words, plural: "inwoners", "65-plussers", "kinderen tot 15".
    pub fn label(self) -> &'static str {
        match self {
            DemandGroup::Inhabitants => "inwoners",
            DemandGroup::Aged65Plus => "65-plussers",
            DemandGroup::Children0To15 => "kinderen tot 15",
        }
    }

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
    /// People living farther than this from the nearest facility are counted as
    /// affected ("4.100 inwoners verder dan 2 km"), in metres.
    pub threshold_m: f64,
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
        Category::Huisartsenpost => 15_000.0,
        Category::Ziekenhuis | Category::Buitenpolikliniek | Category::Verpleeghuis => 20_000.0,
        Category::Overig => 5_000.0,
    }
}

/// The distance past which people count as far from a category, in metres: about a
/// 20–25 minute walk (2 km) for first-line care and neighbourhood welfare, a short
/// drive for care people travel to.
fn default_threshold(c: Category) -> f64 {
    match c {
        Category::Huisarts
        | Category::Apotheek
        | Category::Consultatiebureau
        | Category::Fysiotherapie
        | Category::Tandarts
        | Category::Wijkteam
        | Category::SociaalWerk
        | Category::Buurthuis
        | Category::Bibliotheek
        | Category::Overig => 2_000.0,
        Category::Thuiszorg => 5_000.0,
        Category::Ggz | Category::Ggd | Category::Schuldhulp | Category::Opvang => 10_000.0,
        Category::Huisartsenpost
        | Category::Ziekenhuis
        | Category::Buitenpolikliniek
        | Category::Verpleeghuis => 10_000.0,
    }
}

fn default_settings(c: Category) -> CategorySettings {
    CategorySettings {
        catchment: Catchment {
            radius_m: default_radius(c),
            decay: Decay::Steps(LUO_QI_STEPS),
        },
        demand: default_demand(c),
        threshold_m: default_threshold(c),
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
    /// The need index's figures and weights (see `need::DEFAULT_WEIGHTS`).
    #[serde(serialize_with = "weights_by_key")]
    pub need_weights: Vec<(Figure, f64)>,
    /// Also E2SFCA with network time as its cost, per walking and cycling, where a road
    /// network is loaded (`{categorie}_lopen_toegang`, `_fietsen_toegang`): one bounded
    /// search per facility, so off unless asked for.
    #[serde(rename = "toegang_over_netwerk")]
    pub network_access: bool,
    per_category: Vec<(Category, CategorySettings)>,
}

/// Need weights as `{ "pct_65plus": 0.3, … }` in `/status`.
fn weights_by_key<S: serde::Serializer>(
    weights: &[(Figure, f64)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(weights.len()))?;
    for (figure, w) in weights {
        map.serialize_entry(figure.key(), w)?;
    }
    map.end()
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            circuity: DEFAULT_CIRCUITY,
            need_weights: super::need::DEFAULT_WEIGHTS.to_vec(),
            network_access: false,
            per_category: Category::ALL
                .iter()
                .map(|&c| (c, default_settings(c)))
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
            .unwrap_or_else(|| default_settings(c))
    }
}

/// The `[analysis]` table of the manifest: settings that replace the defaults.
///
/// ```toml
/// [analysis]
/// circuity = 1.25
/// toegang_over_netwerk = true  # E2SFCA on walking and cycling time too
/// [analysis.categorie.huisarts]
/// catchment_m = 4000
/// methode = "e2sfca"          # or "2sfca" (every distance within d0 weighs 1)
/// gewichten = [1.0, 0.68, 0.22]
/// vraag = "65plus"            # inwoners, 65plus or 0_15
/// [analysis.behoefte]         # need index weights by figure key, replacing the set
/// pct_65plus = 0.5
/// pct_eenpersoonshuishoudens = 0.5
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisSettings {
    pub circuity: Option<f64>,
    #[serde(default, rename = "categorie")]
    pub categories: BTreeMap<String, CategorySettingsToml>,
    /// Need index weights by figure key (`pct_65plus = 0.4`); replaces the whole set.
    #[serde(default, rename = "behoefte")]
    pub need_weights: BTreeMap<String, f64>,
    /// E2SFCA along the network too (see [`AnalysisConfig::network_access`]).
    pub toegang_over_netwerk: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    E2sfca,
    #[serde(rename = "2sfca")]
    TwoSfca,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategorySettingsToml {
    pub catchment_m: Option<f64>,
    pub methode: Option<Method>,
    pub gewichten: Option<[f64; 3]>,
    pub vraag: Option<DemandGroup>,
    pub drempel_m: Option<f64>,
}

impl AnalysisConfig {
    /// The defaults with the manifest's settings applied; a value out of range is an
    /// error that names it.
    pub fn from_settings(settings: &AnalysisSettings) -> Result<AnalysisConfig, String> {
        let mut config = AnalysisConfig::default();
        if let Some(c) = settings.circuity {
            if !(1.0..=3.0).contains(&c) {
                return Err(format!(
                    "analysis.circuity = {c}: give a factor from 1.0 to 3.0"
                ));
            }
            config.circuity = c;
        }
        config.network_access = settings.toegang_over_netwerk.unwrap_or(false);
        if !settings.need_weights.is_empty() {
            let mut weights = Vec::new();
            for (key, w) in &settings.need_weights {
                let figure = Figure::ALL
                    .iter()
                    .copied()
                    .find(|f| f.key() == key)
                    .ok_or_else(|| format!("analysis.behoefte.{key}: not a key figure (see the README's table of key figures)"))?;
                if !super::need::is_rate(figure) {
                    return Err(format!(
                        "analysis.behoefte.{key}: the need index is made of rates and shares (percentages, per 1.000 inwoners); {key} is {} and would make big areas needy because they are big",
                        match figure.quantity() {
                            crate::model::Quantity::Count => "a count",
                            _ => "not a rate or share",
                        }
                    ));
                }
                if !(w.is_finite() && *w >= 0.0) {
                    return Err(format!(
                        "analysis.behoefte.{key} = {w}: a weight is 0 or more"
                    ));
                }
                weights.push((figure, *w));
            }
            if weights.iter().all(|(_, w)| *w == 0.0) {
                return Err("analysis.behoefte: at least one weight must be above 0".into());
            }
            config.need_weights = weights;
        }
        for (key, t) in &settings.categories {
            let category: Category = key
                .parse()
                .map_err(|e| format!("analysis.categorie.{key}: {e}"))?;
            let mut s = config.settings(category);
            if let Some(r) = t.catchment_m {
                if !(r > 0.0 && r <= 100_000.0) {
                    return Err(format!(
                        "analysis.categorie.{key}.catchment_m = {r}: give metres above 0 and at most 100000"
                    ));
                }
                s.catchment.radius_m = r;
            }
            let weights = match s.catchment.decay {
                Decay::Steps(w) => w,
                Decay::Flat => LUO_QI_STEPS,
            };
            let weights = t.gewichten.unwrap_or(weights);
            if weights.iter().any(|w| !(0.0..=1.0).contains(w)) {
                return Err(format!(
                    "analysis.categorie.{key}.gewichten = {weights:?}: each weight is from 0 to 1"
                ));
            }
            s.catchment.decay = match t.methode {
                Some(Method::TwoSfca) => Decay::Flat,
                Some(Method::E2sfca) | None => Decay::Steps(weights),
            };
            if let Some(v) = t.vraag {
                s.demand = v;
            }
            if let Some(d) = t.drempel_m {
                if !(d > 0.0 && d <= 100_000.0) {
                    return Err(format!(
                        "analysis.categorie.{key}.drempel_m = {d}: give metres above 0 and at most 100000"
                    ));
                }
                s.threshold_m = d;
            }
            if let Some(slot) = config.per_category.iter_mut().find(|(c, _)| *c == category) {
                slot.1 = s;
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<AnalysisConfig, String> {
        let settings: AnalysisSettings = toml::from_str(text).map_err(|e| e.to_string())?;
        AnalysisConfig::from_settings(&settings)
    }

    #[test]
    fn settings_replace_defaults_per_category() {
        let c = parse(
            "circuity = 1.25\n[categorie.huisarts]\ncatchment_m = 4000\nvraag = \"65plus\"\n[categorie.apotheek]\nmethode = \"2sfca\"\n",
        )
        .unwrap();
        assert_eq!(c.circuity, 1.25);
        let h = c.settings(Category::Huisarts);
        assert_eq!(h.catchment.radius_m, 4000.0);
        assert_eq!(h.demand, DemandGroup::Aged65Plus);
        assert_eq!(c.settings(Category::Apotheek).catchment.decay, Decay::Flat);
        let w = parse("[behoefte]\npct_65plus = 0.5\nwmo_clienten_per_1000 = 0.5").unwrap();
        assert_eq!(
            w.need_weights,
            vec![(Figure::Age65Plus, 0.5), (Figure::WmoClients, 0.5)]
        );
        // Untouched categories keep their defaults.
        assert_eq!(
            c.settings(Category::Ziekenhuis),
            AnalysisConfig::default().settings(Category::Ziekenhuis)
        );
    }

    #[test]
    fn bad_settings_name_the_key() {
        for (text, expected) in [
            ("circuity = 0.5", "analysis.circuity"),
            (
                "[categorie.kapper]\ncatchment_m = 1",
                "analysis.categorie.kapper",
            ),
            ("[categorie.huisarts]\ncatchment_m = -1", "catchment_m"),
            (
                "[categorie.huisarts]\ngewichten = [1.0, 2.0, 0.1]",
                "gewichten",
            ),
            ("[categorie.huisarts]\nradius = 1", "unknown field"),
            ("[behoefte]\ninwoners = 1", "rates and shares"),
            ("[categorie.huisarts]\ndrempel_m = 0", "drempel_m"),
            (
                "[categorie.huisarts]\nvraag = \"kinderen\"",
                "unknown variant",
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(expected), "{text}: {e}");
        }
    }
}
