//! `/api/…`: the analysis as JSON, a thin layer over `crate::analysis`.
//!
//! Resident lookups carry a person's location in the query string: the request log
//! names the route only, and no handler here logs or stores a point.

use super::compute::RequestDeadline;
use super::compute::{self, Cost};
use super::query_pairs::Pairs;
use super::{ApiError, AppState};
use crate::analysis::proximity::{self, Nearby, QueryPoint};
use crate::analysis::scenario::{run_from, NetworkTotals, Opened, Outcome, Scenario};
use crate::analysis::{gap, housing, AnalysisError};
use crate::model::{Area, AreaLevel, Category, Dataset};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

type Shared = Arc<AppState>;

impl From<AnalysisError> for ApiError {
    fn from(e: AnalysisError) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}

/// The parameters that locate a resident; their values stay out of error messages.
const LOCATION_PARAMETERS: [&str; 4] = ["lon", "lat", "x", "y"];

/// Query parameters checked against the names a route accepts.
struct Params<'a> {
    pairs: &'a [(String, String)],
}

impl<'a> Params<'a> {
    fn new(pairs: &'a [(String, String)], accepted: &[&str]) -> Result<Self, ApiError> {
        // A set, so thousands of parameters are checked in linear time.
        let mut seen = std::collections::HashSet::with_capacity(pairs.len());
        for (k, _) in pairs {
            if !accepted.contains(&k.as_str()) {
                return Err(ApiError::BadRequest(format!(
                    "unknown parameter '{k}'; this route takes: {}",
                    accepted.join(", ")
                )));
            }
            if !seen.insert(k.as_str()) {
                return Err(ApiError::BadRequest(format!(
                    "parameter '{k}' given more than once"
                )));
            }
        }
        Ok(Params { pairs })
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn number(&self, name: &str) -> Result<Option<f64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| {
                        // A point's value is never repeated back: it may be where someone lives.
                        if LOCATION_PARAMETERS.contains(&name) {
                            ApiError::BadRequest(format!(
                                "parameter '{name}' is not a number (use a decimal point)"
                            ))
                        } else {
                            ApiError::BadRequest(format!(
                                "parameter '{name}': '{v}' is not a number"
                            ))
                        }
                    })
            })
            .transpose()
    }

    fn count(&self, name: &str, default: usize) -> Result<usize, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.trim().parse::<usize>().map_err(|_| {
                ApiError::BadRequest(format!(
                    "parameter '{name}': '{v}' is not a whole number of 0 or more"
                ))
            }),
        }
    }

    /// `categorie=huisarts,apotheek`: empty when absent (any category).
    fn categories(&self) -> Result<Vec<Category>, ApiError> {
        match self.get("categorie") {
            None => Ok(vec![]),
            Some(v) => v
                .split(',')
                .map(|c| {
                    c.parse::<Category>()
                        .map_err(|e| ApiError::BadRequest(format!("parameter 'categorie': {e}")))
                })
                .collect(),
        }
    }

    /// Exactly one `categorie` (the access, gap and suggestion routes need one).
    fn one_category(&self) -> Result<Category, ApiError> {
        match self.categories()?.as_slice() {
            [one] => Ok(*one),
            _ => Err(ApiError::BadRequest(
                "parameter 'categorie': give exactly one category".into(),
            )),
        }
    }

    /// The point, as `lon`/`lat` (WGS84) or `x`/`y` (RD New metres).
    fn point(&self, dataset: &Dataset) -> Result<QueryPoint, ApiError> {
        match (self.number("lon")?, self.number("lat")?, self.number("x")?, self.number("y")?) {
            (Some(lon), Some(lat), None, None) => Ok(QueryPoint::from_lonlat(dataset, lon, lat)?),
            (None, None, Some(x), Some(y)) => Ok(QueryPoint::from_rd(dataset, x, y)?),
            _ => Err(ApiError::BadRequest(
                "give a point as lon and lat (WGS84 degrees) or as x and y (RD New, EPSG:28992, metres), not both".into(),
            )),
        }
    }
}

const POINT: [&str; 4] = ["lon", "lat", "x", "y"];

fn nearby_json(n: &Nearby<'_>) -> Value {
    let v = n.facility;
    json!({
        "id": v.id,
        "naam": v.name,
        "categorie": v.category.key(),
        "categorie_naam": v.category.label(),
        "adres": v.address.street,
        "postcode": v.address.postcode,
        "plaats": v.address.city,
        "lon": v.location.wgs84.lon,
        "lat": v.location.wgs84.lat,
        "afstand_m": (n.distance_m * 10.0).round() / 10.0,
        "reisafstand_m": (n.travel_m * 10.0).round() / 10.0,
    })
}

fn with(names: &[&str], more: &[&'static str]) -> Vec<&'static str> {
    POINT
        .iter()
        .chain(more)
        .copied()
        .filter(|n| !names.contains(n))
        .collect()
}

/// `GET /api/nearest`: the k nearest voorzieningen.
pub async fn nearest(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
    RequestDeadline(deadline): RequestDeadline,
) -> Result<Json<Value>, ApiError> {
    let p = Params::new(&pairs, &with(&[], &["k", "categorie"]))?;
    let s = state.snapshot();
    let config = &s.analysis;
    let from = p.point(&s.dataset)?;
    let k = p.count("k", 5)?;
    let categories = p.categories()?;
    let found = proximity::nearest(&s.dataset, from, k, &categories, config.circuity)?;
    let uncovered: Vec<Value> = proximity::not_covered(&s.dataset, from, &categories)
        .into_iter()
        .map(|c| {
            let coverage = crate::analysis::coverage::CategoryCoverage::new(&s.dataset, c);
            json!({
                "categorie": c.key(),
                "categorie_naam": c.label(),
                "uitleg": format!(
                    "buiten het gebied van de bron: de geladen gegevens over {} beschrijven alleen {}",
                    c.label().to_lowercase(),
                    coverage.described()
                ),
            })
        })
        .collect();
    let mut voorzieningen: Vec<Value> = found.iter().map(nearby_json).collect();
    let afstanden = match s.routing.clone() {
        Some(networks) => {
            let at = from.rd().to_wgs84();
            let places: Vec<crate::crs::LonLat> =
                found.iter().map(|n| n.facility.location.wgs84).collect();
            // Graph searches are CPU work: off the async workers, under the deadline.
            let timed = compute::run(&state, &deadline, Cost::Light, move || {
                network_times(&networks, at, &places)
            })
            .await?
            .map_err(|_| compute::out_of_time(&state))?;
            for (mode, times) in timed {
                for (v, t) in voorzieningen.iter_mut().zip(times) {
                    v[mode.dutch()] = t;
                }
            }
            "over het netwerk"
        }
        None => "hemelsbreed",
    };
    Ok(Json(json!({
        "circuity": config.circuity,
        "note": "afstand_m is in a straight line; reisafstand_m = afstand_m × circuity, an estimate of the distance by road; where a road network is loaded, lopen and fietsen give the time and distance along it",
        "afstanden": afstanden,
        "voorzieningen": voorzieningen,
        "buiten_dekking": uncovered,
    })))
}

/// How far a resident's network search reaches: beyond it a trip is "more than".
const NETWORK_SEARCH_S: f64 = 30.0 * 60.0;

/// Walking and cycling times along the network from `at` to each place: per mode one
/// bounded search, then a look-up per place. A point off the network (farther than the
/// snap limit from any path of the mode) gets the reason instead of a time. Stops when
/// the request's deadline passes.
fn network_times(
    networks: &crate::routing::Networks,
    at: crate::crs::LonLat,
    places: &[crate::crs::LonLat],
) -> Result<Vec<(crate::routing::Mode, Vec<Value>)>, crate::deadline::Stopped> {
    use crate::routing::{Mode, RoutingError, DEFAULT_SNAP_LIMIT_M as LIMIT};
    let mut out = Vec::new();
    for mode in [Mode::Foot, Mode::Bicycle] {
        let Some(network) = networks.get(mode) else {
            continue;
        };
        let times = match network.from_point(at, LIMIT, NETWORK_SEARCH_S) {
            Err(RoutingError::Stopped(stopped)) => return Err(stopped),
            Err(e) => vec![
                json!({ "uitleg": format!("geen weg of pad binnen {:.0} m van het punt", too_far_m(&e)) });
                places.len()
            ],
            Ok(search) => places
                .iter()
                .map(|p| match search.to(*p, LIMIT) {
                    Ok(Some(trip)) => json!({
                        "minuten": (trip.time_s / 6.0).round() / 10.0,
                        "afstand_m": trip.length_m.round(),
                    }),
                    Ok(None) => json!({
                        "uitleg": format!(
                            "meer dan {} minuten, of niet bereikbaar",
                            NETWORK_SEARCH_S / 60.0
                        ),
                    }),
                    Err(e) => json!({
                        "uitleg": format!("geen weg of pad binnen {:.0} m van de voorziening", e.limit_m)
                    }),
                })
                .collect(),
        };
        out.push((mode, times));
    }
    Ok(out)
}

/// The snap limit a point missed, from a routing error about its start.
fn too_far_m(e: &crate::routing::RoutingError) -> f64 {
    use crate::routing::RoutingError;
    match e {
        RoutingError::From { source, .. } | RoutingError::To { source, .. } => source.limit_m,
        _ => crate::routing::DEFAULT_SNAP_LIMIT_M,
    }
}

/// `GET /api/within`: every voorziening within a radius, nearest first, paged.
pub async fn within(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
) -> Result<Json<Value>, ApiError> {
    let p = Params::new(
        &pairs,
        &with(&[], &["radius", "categorie", "limit", "offset"]),
    )?;
    let s = state.snapshot();
    let config = &s.analysis;
    let from = p.point(&s.dataset)?;
    let radius = p
        .number("radius")?
        .ok_or_else(|| ApiError::BadRequest("parameter 'radius' (metres) is required".into()))?;
    let limit = p.count("limit", 100)?;
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "parameter 'limit': {limit} is not from 1 to 1000"
        )));
    }
    let offset = p.count("offset", 0)?;
    let (total, page) = proximity::within(
        &s.dataset,
        from,
        radius,
        &p.categories()?,
        config.circuity,
        offset,
        limit,
    )?;
    Ok(Json(json!({
        "radius_m": radius,
        "numberMatched": total,
        "numberReturned": page.len(),
        "offset": offset,
        "circuity": config.circuity,
        "voorzieningen": page.iter().map(nearby_json).collect::<Vec<_>>(),
    })))
}

/// An area with its key figures and, at the analysis level, its indicators (the
/// properties the layer serves under `behoefte_index` and `{categorie}_…`).
fn area_json(s: &super::Snapshot, a: &Area) -> Value {
    let indicators: serde_json::Map<String, Value> = s
        .collection(a.level().collection())
        .and_then(|c| c.item(&a.code.to_string()))
        .map(|item| {
            item.props
                .iter()
                .filter(|(k, _)| {
                    k.as_str() == "behoefte_index"
                        || Category::ALL
                            .iter()
                            .any(|c| k.starts_with(&format!("{}_", c.key())))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "code": a.code,
        "naam": a.name,
        "niveau": a.level(),
        "jaar": a.year,
        "kerncijfers": a.figures,
        "indicatoren": indicators,
    })
}

/// `GET /api/area-at`: the gemeente, wijk and buurt that contain a point.
pub async fn area_at(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
) -> Result<Json<Value>, ApiError> {
    let p = Params::new(&pairs, &POINT)?;
    let s = state.snapshot();
    let at = p.point(&s.dataset)?;
    let areas = proximity::areas_at(&s.dataset, at);
    Ok(Json(json!({
        "gebieden": areas.iter().map(|a| area_json(&s, a)).collect::<Vec<_>>(),
        "fijnste_niveau": areas.last().map(|a| a.level()),
    })))
}

fn level_param(
    p: &Params<'_>,
    dataset: &Dataset,
    default: Option<AreaLevel>,
) -> Result<AreaLevel, ApiError> {
    match p.get("niveau") {
        None => default.ok_or_else(|| ApiError::BadRequest("no areas are loaded".into())),
        Some(v) => AreaLevel::ALL
            .into_iter()
            .find(|l| {
                l.to_string().eq_ignore_ascii_case(v) || l.collection().eq_ignore_ascii_case(v)
            })
            .filter(|l| !dataset.areas(*l).is_empty())
            .ok_or_else(|| {
                let loaded: Vec<String> = AreaLevel::ALL
                    .into_iter()
                    .filter(|l| !dataset.areas(*l).is_empty())
                    .map(|l| l.to_string())
                    .collect();
                ApiError::BadRequest(format!(
                    "parameter 'niveau': '{v}' is not a loaded level ({})",
                    loaded.join(", ")
                ))
            }),
    }
}

/// `gemeente=GM0505`: a loaded gemeente's code, to narrow a ranking or a search.
fn gemeente_param(
    p: &Params<'_>,
    dataset: &Dataset,
) -> Result<Option<crate::model::AreaCode>, ApiError> {
    let Some(v) = p.get("gemeente") else {
        return Ok(None);
    };
    let code = v
        .parse::<crate::model::AreaCode>()
        .ok()
        .filter(|c| c.level() == AreaLevel::Gemeente)
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "parameter 'gemeente': '{v}' is not a gemeente code such as GM0344"
            ))
        })?;
    let loaded = AreaLevel::ALL
        .into_iter()
        .any(|l| dataset.areas(l).iter().any(|a| a.code.gemeente() == code));
    if !loaded {
        return Err(ApiError::BadRequest(format!(
            "parameter 'gemeente': no areas of {code} are loaded"
        )));
    }
    Ok(Some(code))
}

/// `GET /api/housing`: the corporation-owned share per area against the 30% target.
pub async fn housing(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
) -> Result<Json<Value>, ApiError> {
    let p = Params::new(&pairs, &["niveau", "doel"])?;
    let s = state.snapshot();
    let level = level_param(
        &p,
        &s.dataset,
        Some(AreaLevel::Gemeente)
            .filter(|l| !s.dataset.areas(*l).is_empty())
            .or(s.dataset.finest_level()),
    )?;
    let target = p.number("doel")?.unwrap_or(housing::NATIONAL_TARGET_PCT);
    if !(0.0..=100.0).contains(&target) {
        return Err(ApiError::BadRequest(format!(
            "parameter 'doel': {target} is not a percentage from 0 to 100"
        )));
    }
    Ok(Json(
        serde_json::to_value(housing::check(&s.dataset, level, target)).unwrap_or_default(),
    ))
}

/// `GET /api/access`: the E2SFCA access score of every area of a level for a category.
pub async fn access(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
    RequestDeadline(deadline): RequestDeadline,
) -> Result<Json<Value>, ApiError> {
    let p = Params::new(&pairs, &["categorie", "niveau"])?;
    let s = state.snapshot();
    let category = p.one_category()?;
    let level = level_param(&p, &s.dataset, crate::analysis::default_level(&s.dataset))?;
    let settings = s.analysis.settings(category);
    let areas = s.dataset.areas(level);
    let (supply, a) = {
        let s = s.clone();
        compute::run(&state, &deadline, Cost::Heavy, move || {
            let demand = crate::analysis::demand::demand_points(&s.dataset, level);
            let supply = gap::loaded_supply(&s.dataset, category);
            let a = crate::analysis::assess::assess(
                &s.dataset,
                level,
                category,
                &s.analysis,
                &demand,
                &supply,
            );
            (supply, a)
        })
        .await?
    };
    Ok(Json(json!({
        "categorie": category.key(),
        "niveau": level,
        "methode": match a.basis {
            crate::analysis::basis::AccessBasis::Voorzieningen => "E2SFCA (Luo & Qi 2009), PySAL access conventions, over each area's demand points (weighted)",
            crate::analysis::basis::AccessBasis::CbsAfstand { .. } => "no voorziening of this category is loaded: CBS's mean road distance per area; 'genormaliseerd' is the people-weighted mean distance over the level divided by the area's",
        },
        "toegang_bron": a.basis,
        "catchment": settings.catchment,
        "vraag": settings.demand,
        "dekking": a.coverage,
        "voorzieningen": supply.len(),
        "gewogen_gemiddelde": a.weighted_mean,
        "gebieden": areas.iter().zip(&a.areas).map(|(area, m)| json!({
            "code": area.code,
            "naam": area.name,
            "vraag": m.population,
            "vraag_basis": m.basis.key(),
            "dekking": m.coverage.key(),
            "score": m.score,
            "genormaliseerd": m.access,
        })).collect::<Vec<_>>(),
    })))
}

/// `GET /api/gaps`: the most underserved areas for a category, with the reason.
///
/// `f=xlsx` gives the same ranking as an Excel workbook, every ranked area unless
/// `limit` says fewer.
pub async fn gaps(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
    RequestDeadline(deadline): RequestDeadline,
) -> Result<Response, ApiError> {
    let p = Params::new(&pairs, &["categorie", "niveau", "gemeente", "limit", "f"])?;
    let workbook = match p.get("f") {
        None => false,
        Some(f) if f.eq_ignore_ascii_case("json") => false,
        Some(f) if f.eq_ignore_ascii_case("xlsx") => true,
        Some(f) => {
            return Err(ApiError::BadRequest(format!(
                "parameter 'f': '{f}' is not a format of the ranking; use json or xlsx"
            )))
        }
    };
    let s = state.snapshot();
    let category = p.one_category()?;
    let level = level_param(&p, &s.dataset, crate::analysis::default_level(&s.dataset))?;
    // A workbook holds the whole ranking by default; the areas of a level bound it.
    let (default_limit, most) = if workbook {
        (MAX_WORKBOOK_ROWS, MAX_WORKBOOK_ROWS)
    } else {
        (20, 10_000)
    };
    let limit = p.count("limit", default_limit)?;
    if !(1..=most).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "parameter 'limit': {limit} is not from 1 to {most}"
        )));
    }
    let gemeente = gemeente_param(&p, &s.dataset)?;
    // One computation (a request's deadline serves one): the ranking and, for f=xlsx,
    // the workbook (up to a whole level's rows of XML, zipped), off the async workers.
    let (ranking, total, matched, workbook_bytes) = {
        let s = s.clone();
        compute::run(&state, &deadline, Cost::Heavy, move || {
            let mut ranking = crate::analysis::gap::rank(&s.dataset, level, category, &s.analysis);
            let total = ranking.ranked.len();
            ranking
                .ranked
                .retain(|r| gemeente.is_none_or(|g| r.gemeentecode == g));
            let matched = ranking.ranked.len();
            ranking.ranked.truncate(limit);
            let bytes = workbook.then(|| {
                let attribution = super::features::attribution(&s);
                let sheets = super::ranking_xlsx::sheets(&ranking, &s.dataset, &attribution);
                super::xlsx::workbook(&sheets)
            });
            (ranking, total, matched, bytes)
        })
        .await?
    };
    if let Some(bytes) = workbook_bytes {
        let bytes = bytes
            .map_err(|e| ApiError::Internal(format!("the workbook could not be written: {e}")))?;
        let file = match gemeente {
            Some(g) => format!(
                "ranglijst-{}-{}-{g}.xlsx",
                category.key(),
                level.collection()
            ),
            None => format!("ranglijst-{}-{}.xlsx", category.key(), level.collection()),
        };
        return Ok(super::profiles::download(
            super::xlsx::CONTENT_TYPE,
            file,
            bytes,
        ));
    }
    let mut body = serde_json::to_value(&ranking).unwrap_or_default();
    body["numberRanked"] = json!(total);
    body["numberMatched"] = json!(matched);
    Ok(Json(body).into_response())
}

/// Excel's own limit is about a million rows; the Netherlands has some 14,000 buurten.
const MAX_WORKBOOK_ROWS: usize = 100_000;

/// `GET /api/zoek`: places (PC4 postcodes, area names) in the loaded data, for the
/// resident page when PDOK's Locatieserver is out of reach. The text may be where
/// someone lives: it is not logged.
pub async fn search(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
) -> Result<Json<Value>, ApiError> {
    use crate::analysis::search::{search, MAX_HITS};
    let p = Params::new(&pairs, &["q", "limit"])?;
    let s = state.snapshot();
    let text = p.get("q").ok_or_else(|| {
        ApiError::BadRequest("parameter 'q' is missing: give a postcode or a place name".into())
    })?;
    let limit = p.count("limit", 10)?;
    if !(1..=MAX_HITS).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "parameter 'limit': {limit} is not from 1 to {MAX_HITS}"
        )));
    }
    let hits = search(&s.dataset, text, limit)
        .map_err(|e| ApiError::BadRequest(format!("parameter 'q': {e}")))?;
    Ok(Json(json!({ "resultaten": hits })))
}

/// `GET /api/suggest`: where a new voorziening would bring the most people into reach.
pub async fn suggest(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
    RequestDeadline(deadline): RequestDeadline,
) -> Result<Json<Value>, ApiError> {
    let p = Params::new(&pairs, &["categorie", "niveau", "n", "gemeente"])?;
    let s = state.snapshot();
    let category = p.one_category()?;
    crate::analysis::basis::require_voorzieningen(&s.dataset, category)?;
    let gemeente = gemeente_param(&p, &s.dataset)?;
    let level = level_param(&p, &s.dataset, crate::analysis::default_level(&s.dataset))?;
    let n = p.count("n", 5)?;
    let max = crate::analysis::suggest::MAX_SUGGESTIONS;
    if !(1..=max).contains(&n) {
        return Err(ApiError::BadRequest(format!(
            "parameter 'n': {n} is not from 1 to {max}"
        )));
    }
    let config = &s.analysis;
    let picks = {
        let s = s.clone();
        compute::run(&state, &deadline, Cost::Heavy, move || {
            crate::analysis::suggest::suggest(&s.dataset, level, category, n, &s.analysis, gemeente)
        })
        .await?
    };
    Ok(Json(json!({
        "categorie": category.key(),
        "niveau": level,
        "methode": "greedy maximal covering: each pick is the area demand point whose catchment holds the most demand with no voorziening of the category within reach",
        "catchment_m": config.settings(category).catchment.radius_m,
        "gemeente": gemeente,
        "suggesties": picks,
    })))
}

/// The body of `POST /api/scenario`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioBody {
    categorie: String,
    niveau: Option<String>,
    #[serde(default)]
    open: Vec<OpenBody>,
    #[serde(default)]
    sluit: Vec<String>,
    #[serde(default)]
    capaciteit: std::collections::BTreeMap<String, f64>,
    #[serde(default)]
    verplaats: Vec<MoveBody>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveBody {
    id: String,
    lon: Option<f64>,
    lat: Option<f64>,
    x: Option<f64>,
    y: Option<f64>,
}

/// A point given as lon/lat or x/y in a scenario body; `what` names it in errors.
fn body_point(
    dataset: &Dataset,
    what: &str,
    lon: Option<f64>,
    lat: Option<f64>,
    x: Option<f64>,
    y: Option<f64>,
) -> Result<QueryPoint, ApiError> {
    match (lon, lat, x, y) {
        (Some(lon), Some(lat), None, None) => QueryPoint::from_lonlat(dataset, lon, lat),
        (None, None, Some(x), Some(y)) => QueryPoint::from_rd(dataset, x, y),
        _ => {
            return Err(ApiError::BadRequest(format!(
                "{what}: give lon and lat, or x and y"
            )))
        }
    }
    .map_err(|e| ApiError::BadRequest(format!("{what}: {e}")))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenBody {
    lon: Option<f64>,
    lat: Option<f64>,
    x: Option<f64>,
    y: Option<f64>,
    capaciteit: Option<f64>,
}

/// `POST /api/scenario`: what if voorzieningen open, close or change capacity.
pub async fn scenario(
    State(state): State<Shared>,
    RequestDeadline(deadline): RequestDeadline,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let b = ScenarioBody::parse(&body)?;
    let s = state.snapshot();
    let category = b.category()?;
    // Refused before the baseline is made: with CBS's distance there is nothing to move.
    crate::analysis::basis::require_voorzieningen(&s.dataset, category)?;
    let level = b.level(&s.dataset)?;
    let (scenario, notes) = b.into_scenario(&s.dataset, category)?;
    let (out, network) = run_scenario(&state, &deadline, s, level, category, scenario).await?;
    Ok(Json(scenario_answer(category, level, out, network, notes)))
}

impl ScenarioBody {
    fn parse(body: &[u8]) -> Result<ScenarioBody, ApiError> {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::BadRequest(format!(
                "the body is not a scenario ({e}); send JSON like {{\"categorie\":\"huisarts\",\"open\":[{{\"lon\":5.1,\"lat\":52.1}}],\"sluit\":[\"id\"],\"capaciteit\":{{\"id\":2}}}}"
            ))
        })
    }

    fn category(&self) -> Result<Category, ApiError> {
        self.categorie
            .parse()
            .map_err(|e| ApiError::BadRequest(format!("categorie: {e}")))
    }

    /// `niveau`, read as the query parameter of the other routes is.
    fn level(&self, dataset: &Dataset) -> Result<AreaLevel, ApiError> {
        let pairs: Vec<(String, String)> = self
            .niveau
            .iter()
            .map(|n| ("niveau".to_string(), n.clone()))
            .collect();
        level_param(
            &Params { pairs: &pairs },
            dataset,
            crate::analysis::default_level(dataset),
        )
    }

    /// The changes to make, with a note for each opened voorziening outside the area
    /// the category's source describes.
    fn into_scenario(
        self,
        dataset: &Dataset,
        category: Category,
    ) -> Result<(Scenario, Vec<String>), ApiError> {
        let coverage = crate::analysis::coverage::CategoryCoverage::new(dataset, category);
        let mut notes = Vec::new();
        let mut open = Vec::new();
        for (i, o) in self.open.iter().enumerate() {
            let at = body_point(dataset, &format!("open[{i}]"), o.lon, o.lat, o.x, o.y)?;
            if !coverage.covers_point(at.rd()) {
                notes.push(format!(
                    "open[{i}] ligt buiten het gebied van de bron ({}): de gebieden daar hebben geen cijfers, dus alleen gebieden binnen de bron kunnen erdoor veranderen",
                    coverage.described()
                ));
            }
            open.push(Opened {
                at,
                capacity: o.capaciteit.unwrap_or(1.0),
            });
        }
        let mut moved = Vec::new();
        for (i, m) in self.verplaats.iter().enumerate() {
            let to = body_point(dataset, &format!("verplaats[{i}]"), m.lon, m.lat, m.x, m.y)?;
            moved.push((m.id.clone(), to));
        }
        let scenario = Scenario {
            open,
            close: self.sluit,
            capacity: self.capaciteit.into_iter().collect(),
            moved,
        };
        Ok((scenario, notes))
    }
}

/// The what-if's outcome in straight lines, and along the network as well where one is
/// loaded (the straight-line outcome stays as it is).
async fn run_scenario(
    state: &AppState,
    deadline: &crate::deadline::Deadline,
    s: Arc<super::Snapshot>,
    level: AreaLevel,
    category: Category,
    scenario: Scenario,
) -> Result<(Outcome, Option<Vec<NetworkTotals>>), ApiError> {
    // Where voorzieningen open or move to, for the network's snapping.
    let placed: Vec<crate::crs::LonLat> = scenario
        .open
        .iter()
        .map(|o| o.at)
        .chain(scenario.moved.iter().map(|(_, at)| *at))
        .map(|at| at.rd().to_wgs84())
        .collect();
    let (out, network) = compute::run(state, deadline, Cost::Heavy, move || {
        // The baseline is made on the first what-if of a level and category after a
        // load and kept with the snapshot; later what-ifs compute only the "after".
        let baseline = s.baseline(level, category);
        let out = run_from(&s.dataset, &baseline, &scenario, &s.analysis)?;
        let network = match &s.routing {
            Some(networks) => {
                let after =
                    crate::analysis::scenario::supply_after(&s.dataset, category, &scenario)?;
                Some(baseline.network_totals(&s.dataset, &s.analysis, &after, &placed, networks))
            }
            None => None,
        };
        Ok::<_, AnalysisError>((out, network))
    })
    .await??;
    let network = network
        .transpose()
        .map_err(|_| compute::out_of_time(state))?;
    Ok((out, network))
}

/// The answer: what changed, the totals, and the ranking after (its first 50).
fn scenario_answer(
    category: Category,
    level: AreaLevel,
    out: Outcome,
    network: Option<Vec<NetworkTotals>>,
    notes: Vec<String>,
) -> Value {
    let mut top = out.after;
    top.ranked.truncate(50);
    let mut answer = json!({
        "categorie": category.key(),
        "niveau": level,
        "gewijzigd": out.changed,
        "totaal": out.totals,
        "afstanden": if network.is_some() { "over het netwerk" } else { "hemelsbreed" },
        "dekking": top.coverage,
        "opmerkingen": notes,
        "rangorde_na": top.ranked,
    });
    // Only where a network is loaded: without one the answer is as before.
    if let Some(totals) = network {
        answer["totaal_netwerk"] = json!(totals);
    }
    answer
}

/// The longest isochrone asked for, minutes: a resident's trip, and a bound on the work.
const MAX_ISOCHRONE_MIN: f64 = 60.0;

/// `GET /api/isochrone`: the network reachable from a point within t minutes by one mode,
/// as GeoJSON lines (the stretches of road and path, the last one cut where time runs
/// out). Needs a loaded road network; without one it says so.
pub async fn isochrone(
    State(state): State<Shared>,
    Pairs(pairs): Pairs,
    RequestDeadline(deadline): RequestDeadline,
) -> Result<Json<Value>, ApiError> {
    let p = Params::new(&pairs, &with(&[], &["minuten", "modus"]))?;
    let s = state.snapshot();
    let from = p.point(&s.dataset)?;
    let minutes = p.number("minuten")?.unwrap_or(15.0);
    if !(minutes > 0.0 && minutes <= MAX_ISOCHRONE_MIN) {
        return Err(ApiError::BadRequest(format!(
            "parameter 'minuten': give a number of minutes above 0 and at most {MAX_ISOCHRONE_MIN}"
        )));
    }
    let mode = match p.get("modus") {
        None => crate::routing::Mode::Foot,
        Some(m) => m
            .parse::<crate::routing::Mode>()
            .map_err(|e| ApiError::BadRequest(format!("parameter 'modus': {e}")))?,
    };
    let Some(networks) = s.routing.clone() else {
        return Err(ApiError::NotFound(
            "no road network is loaded, so there are no isochrones: distances are straight lines (hemelsbreed); load an OSM extract with routing = true".into(),
        ));
    };
    if networks.get(mode).is_none() {
        return Err(ApiError::NotFound(format!(
            "no {} network is loaded",
            mode.dutch()
        )));
    }
    let at = from.rd().to_wgs84();
    // A graph search: off the async workers, admitted as expensive work.
    let searched = compute::run(&state, &deadline, Cost::Heavy, move || {
        networks.get(mode).map(|network| {
            network
                .isochrone(at, crate::routing::DEFAULT_SNAP_LIMIT_M, minutes * 60.0)
                .map(|lines| {
                    // The length of road and path reached, for the maps' text alternative.
                    let length_m: f64 = lines
                        .iter()
                        .flat_map(|l| l.windows(2))
                        .map(|w| w[0].to_rd().distance_m(w[1].to_rd()))
                        .sum();
                    (lines, length_m)
                })
        })
    })
    .await?;
    let Some(searched) = searched else {
        return Err(ApiError::Internal("the network went missing".into()));
    };
    let (lines, length_m) = searched.map_err(|e| match e {
        crate::routing::RoutingError::Stopped(_) => compute::out_of_time(&state),
        e => ApiError::BadRequest(format!(
            "geen weg of pad om te {} binnen {:.0} m van het punt",
            mode.dutch(),
            too_far_m(&e)
        )),
    })?;
    // Bounded before the answer is written: about 25 bytes a rounded coordinate pair.
    let points: usize = lines.iter().map(|l| l.len()).sum();
    let cap = state.limits().max_response_bytes;
    if points.saturating_mul(25) > cap {
        return Err(ApiError::BadRequest(format!(
            "parameter 'minuten': the isochrone of {minutes} minutes has {points} points, more than this server sends in one answer ({cap} bytes); ask for fewer minutes"
        )));
    }
    let coordinates: Vec<Vec<[f64; 2]>> = lines
        .iter()
        .map(|l| {
            l.iter()
                .map(|p| [(p.lon * 1e6).round() / 1e6, (p.lat * 1e6).round() / 1e6])
                .collect()
        })
        .collect();
    Ok(Json(json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "geometry": { "type": "MultiLineString", "coordinates": coordinates },
            "properties": {
                "modus": mode.dutch(),
                "minuten": minutes,
                "lijnen": coordinates.len(),
                "lengte_m": length_m.round(),
                "uitleg": format!(
                    "de wegen en paden die binnen {minutes} minuten {} bereikbaar zijn, over het netwerk",
                    mode.dutch()
                ),
            },
        }],
    })))
}
