//! Resident lookups: the nearest voorzieningen, those within a radius, and the areas at
//! a point. The point is a person's location: it is never logged.

use super::AnalysisError;
use crate::crs::{LonLat, RdPoint, RD_DOMAIN, WGS84_DOMAIN};
use crate::model::{AreaLevel, Category, Dataset, Voorziening};

/// Most facilities one nearest-k question may ask for.
pub const MAX_K: usize = 100;
/// Widest radius of a within-radius question, in metres.
pub const MAX_RADIUS_M: f64 = 50_000.0;

/// A place in the Netherlands to measure from, in RD metres. Only made through
/// [`QueryPoint::from_lonlat`] or [`QueryPoint::from_rd`], which check it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueryPoint(RdPoint);

impl QueryPoint {
    pub fn from_lonlat(dataset: &Dataset, lon: f64, lat: f64) -> Result<QueryPoint, AnalysisError> {
        if !lon.is_finite() || !lat.is_finite() {
            return Err(AnalysisError::NotFinite);
        }
        if !WGS84_DOMAIN.contains(lon, lat) {
            return Err(AnalysisError::OutsideNetherlands {
                hint: if WGS84_DOMAIN.contains(lat, lon) {
                    " (longitude and latitude swapped?)"
                } else {
                    ""
                },
            });
        }
        QueryPoint::on_land(dataset, LonLat::new(lon, lat).to_rd())
    }

    pub fn from_rd(dataset: &Dataset, x: f64, y: f64) -> Result<QueryPoint, AnalysisError> {
        if !x.is_finite() || !y.is_finite() {
            return Err(AnalysisError::NotFinite);
        }
        if !RD_DOMAIN.contains(x, y) {
            return Err(AnalysisError::OutsideNetherlands { hint: "" });
        }
        QueryPoint::on_land(dataset, RdPoint::new(x, y))
    }

    /// Within the box of the Netherlands is not enough (the box holds the North Sea):
    /// the point must lie in a loaded area at the coarsest level there is.
    fn on_land(dataset: &Dataset, p: RdPoint) -> Result<QueryPoint, AnalysisError> {
        let coarsest = AreaLevel::ALL
            .into_iter()
            .find(|l| !dataset.areas(*l).is_empty());
        match coarsest {
            Some(level) if dataset.area_at(level, p).is_none() => {
                Err(AnalysisError::OutsideLoadedAreas { level })
            }
            _ => Ok(QueryPoint(p)),
        }
    }

    pub fn rd(self) -> RdPoint {
        self.0
    }
}

/// A voorziening and how far it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearby<'a> {
    pub facility: &'a Voorziening,
    /// Straight line, in metres.
    pub distance_m: f64,
    /// Straight line × the circuity factor: an estimate of the distance by road.
    pub travel_m: f64,
}

fn wanted(categories: &[Category], v: &Voorziening) -> bool {
    categories.is_empty() || categories.contains(&v.category)
}

/// The categories asked for (any present when empty) whose sources do not cover the
/// point: for them the nearest loaded one says nothing, so none is given.
pub fn not_covered(dataset: &Dataset, from: QueryPoint, categories: &[Category]) -> Vec<Category> {
    dataset
        .categories_present()
        .filter(|c| categories.is_empty() || categories.contains(c))
        .filter(|c| !super::coverage::CategoryCoverage::new(dataset, *c).covers_point(from.rd()))
        .collect()
}

/// The `k` nearest voorzieningen of the given categories (any when empty), nearest
/// first, leaving out the categories whose sources do not cover the point.
pub fn nearest<'a>(
    dataset: &'a Dataset,
    from: QueryPoint,
    k: usize,
    categories: &[Category],
    circuity: f64,
) -> Result<Vec<Nearby<'a>>, AnalysisError> {
    if !(1..=MAX_K).contains(&k) {
        return Err(AnalysisError::KOutOfRange { k, max: MAX_K });
    }
    let all = dataset.voorzieningen();
    let uncovered = not_covered(dataset, from, categories);
    Ok(dataset
        .index()
        .nearest_facilities(all, from.rd(), None)
        .filter(|(i, _)| wanted(categories, &all[*i]) && !uncovered.contains(&all[*i].category))
        .take(k)
        .map(|(i, d)| Nearby {
            facility: &all[i],
            distance_m: d,
            travel_m: d * circuity,
        })
        .collect())
}

/// Voorzieningen within `radius_m` (inclusive), nearest first: how many there are, and
/// the page from `offset` of at most `limit`.
pub fn within<'a>(
    dataset: &'a Dataset,
    from: QueryPoint,
    radius_m: f64,
    categories: &[Category],
    circuity: f64,
    offset: usize,
    limit: usize,
) -> Result<(usize, Vec<Nearby<'a>>), AnalysisError> {
    if !(radius_m > 0.0 && radius_m <= MAX_RADIUS_M) {
        return Err(AnalysisError::RadiusOutOfRange {
            radius: radius_m,
            max: MAX_RADIUS_M,
        });
    }
    let all = dataset.voorzieningen();
    let mut found: Vec<(usize, f64)> = dataset
        .index()
        .facilities_within(from.rd(), radius_m)
        .filter(|(i, _)| wanted(categories, &all[*i]))
        .collect();
    found.sort_by(|a, b| a.1.total_cmp(&b.1).then(all[a.0].id.cmp(&all[b.0].id)));
    let total = found.len();
    let page = found
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(i, d)| Nearby {
            facility: &all[i],
            distance_m: d,
            travel_m: d * circuity,
        })
        .collect();
    Ok((total, page))
}

/// The area at each loaded level that contains the point, coarsest first.
pub fn areas_at(dataset: &Dataset, at: QueryPoint) -> Vec<&crate::model::Area> {
    AreaLevel::ALL
        .into_iter()
        .filter_map(|l| dataset.area_at(l, at.rd()))
        .collect()
}
