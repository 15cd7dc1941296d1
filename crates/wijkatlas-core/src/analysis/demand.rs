//! Where an area's people live: the weighted points its demand is measured from.
//!
//! One point per area decides everything for short distances: a large rural wijk's
//! interior point can lie kilometres from its village. So an area's demand is a set of
//! points with weights summing to 1, from the best source loaded, in this order:
//! 1. dwelling or address points (as CBS measures its proximity figures), gathered in
//!    100 m cells so that millions of addresses stay a bounded number of points;
//! 2. the areas of a finer loaded level inside it, weighted by their inhabitants, when
//!    they hold (nearly) all of its inhabitants;
//! 3. the PC4 postcode points inside it, weighted equally — a stand-in for addresses;
//! 4. its representative (interior) point.

use crate::crs::RdPoint;
use crate::model::{AreaCode, AreaLevel, Dataset, Figure};
use serde::Serialize;
use std::collections::HashMap;

/// The side of the cells dwelling points are gathered in, in metres.
const DWELLING_CELL_M: f64 = 100.0;
/// The finer areas must hold at least this share of the area's inhabitants.
const FINER_SHARE: f64 = 0.9;

/// What an area's demand points stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandBasis {
    Addresses,
    FinerAreas(AreaLevel),
    Postcodes,
    RepresentativePoint,
    /// Not our points: CBS's figure, measured by CBS from every address in the area.
    CbsAddresses,
}

impl DemandBasis {
    /// A stable key for properties and CSV.
    pub fn key(self) -> &'static str {
        match self {
            DemandBasis::Addresses => "adressen",
            DemandBasis::FinerAreas(AreaLevel::Buurt) => "buurten",
            DemandBasis::FinerAreas(_) => "wijken",
            DemandBasis::Postcodes => "postcodes",
            DemandBasis::RepresentativePoint => "representatief_punt",
            DemandBasis::CbsAddresses => "cbs_adressen",
        }
    }

    /// In words, for the panel and the profile.
    pub fn described(self) -> &'static str {
        match self {
            DemandBasis::Addresses => "gemeten vanaf de adressen (woningen) in het gebied",
            DemandBasis::FinerAreas(AreaLevel::Buurt) => {
                "gemeten vanaf de buurten in het gebied, gewogen naar hun inwoners"
            }
            DemandBasis::FinerAreas(_) => {
                "gemeten vanaf de wijken in het gebied, gewogen naar hun inwoners"
            }
            DemandBasis::Postcodes => {
                "gemeten vanaf de postcodepunten (PC4) in het gebied, elk even zwaar: een benadering van waar mensen wonen"
            }
            DemandBasis::RepresentativePoint => {
                "gemeten vanaf één punt in het gebied: er zijn geen adressen, buurten of postcodes geladen die het fijner maken"
            }
            DemandBasis::CbsAddresses => {
                "gemeten door CBS, over de weg vanaf alle adressen in het gebied"
            }
        }
    }
}

/// Points with a weight (inhabitants, dwellings) under the code of the area they lie in.
type WeightedByArea = HashMap<AreaCode, Vec<(RdPoint, f64)>>;

/// A place people live, with its share of the area's people.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemandPoint {
    pub at: RdPoint,
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AreaPoints {
    pub points: Vec<DemandPoint>,
    pub basis: DemandBasis,
}

/// The demand points of every area of `level`, in the dataset's order.
pub fn demand_points(dataset: &Dataset, level: AreaLevel) -> Vec<AreaPoints> {
    let by_dwellings = dwelling_cells(dataset, level);
    let by_postcode = postcode_points(dataset, level);
    let finer: Vec<(AreaLevel, WeightedByArea)> = AreaLevel::ALL
        .into_iter()
        .rev()
        .filter(|l| *l > level)
        .map(|l| (l, finer_points(dataset, l, level)))
        .collect();
    dataset
        .areas(level)
        .iter()
        .map(|a| {
            if let Some(cells) = by_dwellings.get(&a.code) {
                return weighted(cells, DemandBasis::Addresses);
            }
            let inhabitants = a.figures.get(Figure::Inhabitants);
            for (finer_level, map) in &finer {
                let Some(parts) = map.get(&a.code) else {
                    continue;
                };
                let held: f64 = parts.iter().map(|p| p.1).sum();
                let enough = match inhabitants {
                    Some(n) => n > 0.0 && held >= FINER_SHARE * n,
                    None => held > 0.0,
                };
                if enough {
                    return weighted(parts, DemandBasis::FinerAreas(*finer_level));
                }
            }
            if let Some(points) = by_postcode.get(&a.code) {
                let each: Vec<(RdPoint, f64)> = points.iter().map(|p| (*p, 1.0)).collect();
                return weighted(&each, DemandBasis::Postcodes);
            }
            AreaPoints {
                points: vec![DemandPoint {
                    at: RdPoint::new(a.interior_point_rd.x(), a.interior_point_rd.y()),
                    weight: 1.0,
                }],
                basis: DemandBasis::RepresentativePoint,
            }
        })
        .collect()
}

fn weighted(parts: &[(RdPoint, f64)], basis: DemandBasis) -> AreaPoints {
    let total: f64 = parts.iter().map(|p| p.1).sum();
    AreaPoints {
        points: parts
            .iter()
            .filter(|p| p.1 > 0.0)
            .map(|&(at, w)| DemandPoint {
                at,
                weight: w / total,
            })
            .collect(),
        basis,
    }
}

/// Dwelling points per area at `level`, gathered in 100 m cells (centre, count).
fn dwelling_cells(dataset: &Dataset, level: AreaLevel) -> WeightedByArea {
    let mut cells: HashMap<AreaCode, HashMap<(i64, i64), f64>> = HashMap::new();
    for d in dataset.dwellings() {
        let code = match level {
            AreaLevel::Gemeente => d.containing.gemeente,
            AreaLevel::Wijk => d.containing.wijk,
            AreaLevel::Buurt => d.containing.buurt,
        };
        let Some(code) = code else { continue };
        let key = (
            (d.location.rd.x / DWELLING_CELL_M).floor() as i64,
            (d.location.rd.y / DWELLING_CELL_M).floor() as i64,
        );
        *cells.entry(code).or_default().entry(key).or_default() += 1.0;
    }
    cells
        .into_iter()
        .map(|(code, cells)| {
            let mut points: Vec<(RdPoint, f64)> = cells
                .into_iter()
                .map(|((i, j), n)| {
                    let centre = |k: i64| (k as f64 + 0.5) * DWELLING_CELL_M;
                    (RdPoint::new(centre(i), centre(j)), n)
                })
                .collect();
            // A stable order, so the same data gives the same figures to the last digit.
            points.sort_by(|a, b| a.0.x.total_cmp(&b.0.x).then(a.0.y.total_cmp(&b.0.y)));
            (code, points)
        })
        .collect()
}

/// The areas of `finer` grouped under their ancestor at `level`, as (interior point,
/// inhabitants); an area without published inhabitants weighs 0.
fn finer_points(dataset: &Dataset, finer: AreaLevel, level: AreaLevel) -> WeightedByArea {
    let mut out = WeightedByArea::new();
    for a in dataset.areas(finer) {
        let Some(parent) = a.code.ancestor(level) else {
            continue;
        };
        let n = a.figures.get(Figure::Inhabitants).unwrap_or(0.0);
        out.entry(parent).or_default().push((
            RdPoint::new(a.interior_point_rd.x(), a.interior_point_rd.y()),
            n,
        ));
    }
    out
}

/// The PC4 points inside each area of `level`.
fn postcode_points(dataset: &Dataset, level: AreaLevel) -> HashMap<AreaCode, Vec<RdPoint>> {
    let mut out: HashMap<AreaCode, Vec<RdPoint>> = HashMap::new();
    for p in dataset.postcodes().values() {
        if let Some(a) = dataset.area_at(level, p.rd) {
            out.entry(a.code).or_default().push(p.rd);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture::{area, dataset, X0, Y0};
    use crate::model::Figure::Inhabitants;

    #[test]
    fn finer_areas_weigh_by_inhabitants_when_they_hold_nearly_everyone() {
        // Synthetic: wijk WK000101 (1 km square at x 0–1 km) with two buurten holding
        // 900 and 100 of its 1,000 inhabitants; wijk WK000102 whose one buurt holds
        // only 400 of 1,000 falls back to its representative point.
        let mut b1 = area("BU00010101", 0.0, &[(Inhabitants, 900.0)]);
        b1.interior_point_rd = geo::Point::new(X0 + 200.0, Y0 + 500.0);
        let mut b2 = area("BU00010102", 0.0, &[(Inhabitants, 100.0)]);
        b2.interior_point_rd = geo::Point::new(X0 + 800.0, Y0 + 500.0);
        let b3 = area("BU00010201", 2.0, &[(Inhabitants, 400.0)]);
        let ds = crate::model::Dataset::assemble(
            vec![],
            [
                vec![],
                vec![
                    area("WK000101", 0.0, &[(Inhabitants, 1000.0)]),
                    area("WK000102", 2.0, &[(Inhabitants, 1000.0)]),
                ],
                vec![b1, b2, b3],
            ],
            vec![],
            Default::default(),
            vec![],
        );
        let d = demand_points(&ds, AreaLevel::Wijk);
        assert_eq!(d[0].basis, DemandBasis::FinerAreas(AreaLevel::Buurt));
        assert_eq!(d[0].points.len(), 2);
        assert!((d[0].points[0].weight - 0.9).abs() < 1e-12);
        assert!((d[0].points[0].at.x - (X0 + 200.0)).abs() < 1e-9);
        assert_eq!(d[1].basis, DemandBasis::RepresentativePoint);
        assert_eq!(d[1].points.len(), 1);
    }

    #[test]
    fn postcodes_stand_in_and_dwellings_come_first() {
        use crate::model::Postcode;
        let ds = dataset(vec![area("WK000101", 0.0, &[(Inhabitants, 10.0)])], vec![]);
        let mut pcs = std::collections::BTreeMap::new();
        for (pc4, dx) in [(1000u16, 100.0), (1001, 900.0)] {
            let rd = RdPoint::new(X0 + dx, Y0 + 500.0);
            pcs.insert(
                pc4,
                Postcode {
                    pc4,
                    wgs84: rd.to_wgs84(),
                    rd,
                    places: "Synthetisch".into(),
                    gemeente: None,
                },
            );
        }
        let with_pc = crate::model::Dataset::assemble(
            vec![],
            AreaLevel::ALL.map(|l| ds.areas(l).to_vec()),
            vec![],
            pcs,
            vec![],
        );
        let d = demand_points(&with_pc, AreaLevel::Wijk);
        assert_eq!(d[0].basis, DemandBasis::Postcodes);
        assert_eq!(d[0].points.len(), 2);
        assert!((d[0].points[1].weight - 0.5).abs() < 1e-12);
        // Dwellings: three in one 100 m cell, one in another: weights 3/4 and 1/4.
        let dw = crate::analysis::fixture::with_dwellings(&with_pc, &[0.01, 0.02, 0.03, 0.55]);
        let d = demand_points(&dw, AreaLevel::Wijk);
        assert_eq!(d[0].basis, DemandBasis::Addresses);
        let mut w: Vec<f64> = d[0].points.iter().map(|p| p.weight).collect();
        w.sort_by(f64::total_cmp);
        assert_eq!(w, vec![0.25, 0.75]);
        // Nothing finer at all: the representative point.
        let d = demand_points(&ds, AreaLevel::Wijk);
        assert_eq!(d[0].basis, DemandBasis::RepresentativePoint);
    }
}
