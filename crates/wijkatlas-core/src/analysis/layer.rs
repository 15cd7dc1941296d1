//! The indicators as properties of the served area layers, so GIS tools can style
//! them: per category with voorzieningen or with CBS's distance, at the analysis level.

use super::config::AnalysisConfig;
use super::need::{self, Need};
use super::{assess, calibrate, default_level, demand, gap};
use crate::model::{AreaCode, Dataset};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Rounds for display: indicator values carry no more precision than they have.
fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// Extra properties per area code: `behoefte_index`, `vraag_basis` (what the demand
/// points stand for), and for every category `c` with voorzieningen: `c_dekking`
/// (binnen, rand or buiten the sources' coverage), `c_afstand_m` (mean over the
/// area's people), `c_binnen_1km`/`3km`/`5km` (mean count within reach),
/// `c_inwoners_binnen_1km`/`3km`/`5km`, `c_inwoners_verder` (people past the
/// category's threshold), `c_toegang` (normalised E2SFCA), `c_gap`, `c_rang`
/// (1 = most underserved) and `c_cbs_afstand_km` (CBS's own, where loaded). Outside
/// the coverage, and wherever a value is missing, they are `null`.
pub fn properties(
    dataset: &Dataset,
    config: &AnalysisConfig,
) -> HashMap<AreaCode, Map<String, Value>> {
    let mut out: HashMap<AreaCode, Map<String, Value>> = HashMap::new();
    let Some(level) = default_level(dataset) else {
        return out;
    };
    let areas = dataset.areas(level);
    let needs = need::compute(dataset, level, &config.need_weights);
    let demand = demand::demand_points(dataset, level);
    for ((a, n), d) in areas.iter().zip(&needs.areas).zip(&demand) {
        let value = match n {
            Need::Scored { index } => json!(round(*index, 3)),
            Need::InsufficientData => Value::Null,
        };
        let props = out.entry(a.code).or_default();
        props.insert("behoefte_index".into(), value);
        props.insert("vraag_basis".into(), json!(d.basis.key()));
    }
    for (category, _) in super::basis::analysed_categories(dataset) {
        let key = category.key();
        let supply = gap::loaded_supply(dataset, category);
        let assessment = assess::assess(dataset, level, category, config, &demand, &supply);
        let ranking = gap::rank_assessed(dataset, config, &assessment);
        let ranked: HashMap<AreaCode, &gap::Ranked> =
            ranking.ranked.iter().map(|r| (r.code, r)).collect();
        for (a, m) in areas.iter().zip(&assessment.areas) {
            let props = out.entry(a.code).or_default();
            let r = ranked.get(&a.code);
            props.insert(format!("{key}_dekking"), json!(m.coverage.key()));
            props.insert(
                format!("{key}_afstand_m"),
                json!(m.nearest_m.map(|d| d.round())),
            );
            for (k, radius) in ["1km", "3km", "5km"].iter().enumerate() {
                props.insert(
                    format!("{key}_binnen_{radius}"),
                    json!(m.within_mean.map(|w| round(w[k], 1))),
                );
                props.insert(
                    format!("{key}_inwoners_binnen_{radius}"),
                    json!(m.people_within.map(|p| p[k].round())),
                );
            }
            props.insert(
                format!("{key}_inwoners_verder"),
                json!(m.people_beyond.map(f64::round)),
            );
            props.insert(
                format!("{key}_toegang"),
                json!(m.access.map(|x| round(x, 3))),
            );
            props.insert(format!("{key}_gap"), json!(r.map(|r| round(r.gap, 3))));
            props.insert(format!("{key}_rang"), json!(r.map(|r| r.rank)));
            props.insert(
                format!("{key}_cbs_afstand_km"),
                json!(calibrate::cbs_figure(category).and_then(|f| a.figures.get(f))),
            );
        }
    }
    out
}
