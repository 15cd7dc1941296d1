//! The indicators as properties of the served area layers, so GIS tools can style
//! them: per category with voorzieningen, at the analysis level.

use super::config::AnalysisConfig;
use super::need::{self, Need};
use super::{default_level, gap, indicators};
use crate::model::{AreaCode, Dataset};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Rounds for display: indicator values carry no more precision than they have.
fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// Extra properties per area code: `behoefte_index`, and for every category `c` with
/// voorzieningen `c_afstand_m`, `c_binnen_1km`/`3km`/`5km`, `c_toegang` (normalised
/// E2SFCA), `c_gap` and `c_rang` (1 = most underserved). Missing values are `null`.
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
    for (a, n) in areas.iter().zip(&needs.areas) {
        let value = match n {
            Need::Scored { index } => json!(round(*index, 3)),
            Need::InsufficientData => Value::Null,
        };
        out.entry(a.code)
            .or_default()
            .insert("behoefte_index".into(), value);
    }
    for category in dataset.categories_present() {
        let key = category.key();
        let ranking = gap::rank(dataset, level, category, config);
        let ranked: HashMap<AreaCode, &gap::Ranked> =
            ranking.ranked.iter().map(|r| (r.code, r)).collect();
        for p in indicators::proximity(dataset, level, category) {
            let props = out.entry(p.code).or_default();
            let r = ranked.get(&p.code);
            props.insert(
                format!("{key}_afstand_m"),
                json!(p.nearest_m.map(|d| d.round())),
            );
            for (radius, n) in ["1km", "3km", "5km"].iter().zip(p.within) {
                props.insert(format!("{key}_binnen_{radius}"), json!(n));
            }
            props.insert(
                format!("{key}_toegang"),
                json!(r.and_then(|r| r.access).map(|x| round(x, 3))),
            );
            props.insert(format!("{key}_gap"), json!(r.map(|r| round(r.gap, 3))));
            props.insert(format!("{key}_rang"), json!(r.map(|r| r.rank)));
        }
    }
    out
}
