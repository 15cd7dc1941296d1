//! The indicators as properties of the served area layers, so GIS tools can style
//! them: per category with voorzieningen or with CBS's distance, at the analysis level.

use super::config::AnalysisConfig;
use super::need::{self, Need};
use super::{assess, calibrate, default_level, demand, gap, network, network_access};
use crate::model::{AreaCode, Dataset};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Extra properties per area code.
pub type Properties = HashMap<AreaCode, Map<String, Value>>;

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

/// [`properties`] with, when a road network is loaded, the indicators along it beside
/// the straight-line ones, and what those rest on. Without a network the properties are
/// the straight-line ones alone (the network names are absent, not null).
pub fn with_network(
    dataset: &Dataset,
    config: &AnalysisConfig,
    networks: Option<&crate::routing::Networks>,
) -> (Properties, Option<network::NetworkReport>) {
    let mut out = properties(dataset, config);
    let Some(networks) = networks else {
        return (out, None);
    };
    match network_properties(dataset, config, networks) {
        Ok(Some((extra, report))) => {
            for (code, props) in extra {
                out.entry(code).or_default().extend(props);
            }
            (out, Some(report))
        }
        Ok(None) => (out, None),
        Err(crate::deadline::Stopped) => {
            tracing::warn!("the network indicators were stopped before they were done");
            (out, None)
        }
    }
}

/// Per area of the analysis level and every category with voorzieningen, walking and
/// cycling: `{categorie}_{lopen|fietsen}_minuten` (mean time to the nearest, one
/// decimal), `_afstand_m` (mean distance along the network; both `null` where some of
/// the area's people are beyond 20 minutes), `_inwoners_binnen_10min`/`15min`/`20min`
/// and `_aandeel_verder_dan_20min`; `null` outside the category's coverage.
/// Categories measured by CBS's distance have no points to search from and get none.
pub fn network_properties(
    dataset: &Dataset,
    config: &AnalysisConfig,
    networks: &crate::routing::Networks,
) -> Result<Option<(Properties, network::NetworkReport)>, crate::deadline::Stopped> {
    let started = std::time::Instant::now();
    let Some(level) = default_level(dataset) else {
        return Ok(None);
    };
    let areas = dataset.areas(level);
    let demand = demand::demand_points(dataset, level);
    let snapped = network::level_networks(networks, &demand)?;
    let categories: Vec<_> = super::basis::analysed_categories(dataset)
        .into_iter()
        .filter(|(_, b)| *b == super::basis::AccessBasis::Voorzieningen)
        .map(|(c, _)| c)
        .collect();
    // One search per mode and category, spread over the cores (each search is one
    // thread's work of seconds at national size), the longest first so that none runs
    // on alone at the end; the results go in in a fixed order.
    let jobs: Vec<(usize, crate::model::Category)> = (0..snapped.len())
        .flat_map(|m| categories.iter().map(move |&c| (m, c)))
        .collect();
    // Label arrays handed from one search to the next (a fresh national array costs a
    // tenth of a second to fill); freed when the indicators are done.
    let scratch = crate::routing::Scratch::new();
    let cost = |&(m, category): &(usize, crate::model::Category)| {
        network::search_cost(
            snapped[m].mode(),
            network::facilities(dataset, category).len(),
        )
    };
    let results = crate::parallel::map_longest_first(&jobs, cost, |&(m, category)| {
        measure_category(dataset, config, level, &snapped[m], category, &scratch)
    })?;
    let mut results = results.into_iter();
    let mut out: HashMap<AreaCode, Map<String, Value>> = HashMap::new();
    let mut modes = Vec::new();
    for level_net in &snapped {
        let mode = level_net.mode();
        let mut reports = Vec::new();
        for &category in &categories {
            let Some((measured, scores)) = results.next() else {
                break;
            };
            write_figures(&mut out, areas, category, mode, &measured);
            if let Some(scores) = scores {
                let name = format!("{}_{}_toegang", category.key(), mode.dutch());
                for (a, (_, normalised)) in areas.iter().zip(&scores) {
                    out.entry(a.code)
                        .or_default()
                        .insert(name.clone(), json!(normalised.map(|x| round(x, 3))));
                }
            }
            reports.push(network::CategoryReport {
                categorie: category.key(),
                voorzieningen_buiten_netwerk: measured.facilities_off_network,
                vraagpunten_verder_dan_20min: measured.points_beyond,
            });
        }
        modes.push(mode_report(level_net, reports));
    }
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        categories = categories.len(),
        modes = modes.len(),
        ms = (seconds * 1000.0) as u64,
        "network indicators made"
    );
    Ok(Some((
        out,
        network::NetworkReport {
            niveau: level,
            methode: network::METHOD,
            bron: network::SOURCE,
            modi: modes,
            seconden: round(seconds, 2),
        },
    )))
}

/// A category's figures for one mode, and its E2SFCA scores (raw and normalised per
/// area) where they are made.
type Searched = (network::Measured, Option<Vec<(Option<f64>, Option<f64>)>>);

/// One category's search for one mode, and its E2SFCA scores by network time when the
/// configuration asks for them.
fn measure_category(
    dataset: &Dataset,
    config: &AnalysisConfig,
    level: crate::model::AreaLevel,
    level_net: &network::LevelNetwork<'_>,
    category: crate::model::Category,
    scratch: &crate::routing::Scratch,
) -> Result<Searched, crate::deadline::Stopped> {
    let (population, covered) = network::populations(dataset, level, category, config);
    let measured = level_net.measure_reusing(
        &network::facilities(dataset, category),
        &population,
        &covered,
        scratch,
    )?;
    if !config.network_access {
        return Ok((measured, None));
    }
    let supply: Vec<(crate::crs::LonLat, f64)> = gap::loaded_supply(dataset, category)
        .iter()
        .map(|s| (s.at.to_wgs84(), s.capacity))
        .collect();
    let catchment =
        network_access::time_catchment(&config.settings(category).catchment, level_net.mode());
    let scores = level_net.e2sfca(&supply, &population, &covered, &catchment)?;
    Ok((measured, Some(scores)))
}

/// One category's figures for one mode as the areas' properties (see
/// [`network_properties`] for the names and their rounding).
fn write_figures(
    out: &mut Properties,
    areas: &[crate::model::Area],
    category: crate::model::Category,
    mode: crate::routing::Mode,
    measured: &network::Measured,
) {
    let names = network::property_names(category, mode);
    for (a, m) in areas.iter().zip(&measured.areas) {
        let props = out.entry(a.code).or_default();
        props.insert(
            names[0].clone(),
            json!(m.time_s.map(|t| round(t / 60.0, 1))),
        );
        props.insert(names[1].clone(), json!(m.length_m.map(f64::round)));
        for k in 0..3 {
            props.insert(
                names[2 + k].clone(),
                json!(m.people_within.map(|p| p[k].round())),
            );
        }
        props.insert(names[5].clone(), json!(m.beyond_share.map(|x| round(x, 3))));
    }
}

/// What one mode's searches met, for `/status`; the points off the network are logged
/// as a count (they are where people live).
fn mode_report(
    level_net: &network::LevelNetwork<'_>,
    reports: Vec<network::CategoryReport>,
) -> network::ModeReport {
    let off = level_net.off_network();
    if off > 0 {
        tracing::warn!(
            mode = level_net.mode().name(),
            points = level_net.points(),
            off_network = off,
            "demand points farther than the snap limit from every path are left out of the network indicators"
        );
    }
    network::ModeReport {
        modus: level_net.mode().dutch(),
        vraagpunten: level_net.points(),
        vraagpunten_buiten_netwerk: off,
        snap_grens_m: crate::routing::DEFAULT_SNAP_LIMIT_M,
        categorieen: reports,
    }
}
