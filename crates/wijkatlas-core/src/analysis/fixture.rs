//! Synthetic areas and voorzieningen for the analysis unit tests (made up, in RD
//! metres near Amersfoort; not real data).

use crate::crs::RdPoint;
use crate::model::{
    Area, AreaGeometry, AreaLevel, Category, Containing, Dataset, Dwelling, Figure, KeyFigures,
    Location, LocationPrecision, SourceId, Voorziening,
};
use geo::{polygon, MultiPolygon, Point};

pub const X0: f64 = 150_000.0;
pub const Y0: f64 = 450_000.0;

/// A 1 km square area with its south-west corner `x` km east of X0, and its figures.
pub fn area(code: &str, x_km: f64, figures: &[(Figure, f64)]) -> Area {
    let x = X0 + x_km * 1000.0;
    let square: MultiPolygon<f64> = MultiPolygon(vec![polygon![
        (x: x, y: Y0), (x: x + 1000.0, y: Y0), (x: x + 1000.0, y: Y0 + 1000.0), (x: x, y: Y0 + 1000.0)
    ]]);
    let mut f = KeyFigures::default();
    for &(figure, v) in figures {
        f.set(figure, Some(v));
    }
    Area {
        code: code.parse().expect("code"),
        name: format!("Gebied {code}"),
        gemeente_name: None,
        geometry: AreaGeometry {
            rd: square.clone(),
            wgs84: square,
        },
        interior_point_rd: Point::new(x + 500.0, Y0 + 500.0),
        figures: f,
        extra: Default::default(),
        year: Some(2024),
        source: SourceId(0),
    }
}

/// A voorziening `x` km east of X0 on the line y = Y0 + 500 m.
pub fn facility(id: &str, category: Category, x_km: f64) -> Voorziening {
    Voorziening {
        id: id.into(),
        category,
        subtype: None,
        name: format!("Voorziening {id}"),
        address: Default::default(),
        location: Location::from_rd(RdPoint::new(X0 + x_km * 1000.0, Y0 + 500.0)),
        precision: LocationPrecision::Exact,
        capacity: None,
        source: SourceId(0),
        containing: Containing::default(),
    }
}

/// A dataset of wijken (all in one gemeente, GM0001) and voorzieningen.
pub fn dataset(wijken: Vec<Area>, facilities: Vec<Voorziening>) -> Dataset {
    Dataset::assemble(
        vec![],
        [vec![], wijken, vec![]],
        facilities,
        Default::default(),
        vec![],
    )
}

/// The same dataset with synthetic dwelling points `x` km east of X0 on y = Y0 + 500 m.
pub fn with_dwellings(ds: &Dataset, xs_km: &[f64]) -> Dataset {
    let dwellings = xs_km
        .iter()
        .map(|x| Dwelling {
            location: Location::from_rd(RdPoint::new(X0 + x * 1000.0, Y0 + 500.0)),
            social_rent: None,
            source: SourceId(0),
            containing: Containing::default(),
        })
        .collect();
    Dataset::assemble(
        vec![],
        AreaLevel::ALL.map(|l| ds.areas(l).to_vec()),
        ds.voorzieningen().to_vec(),
        Default::default(),
        dwellings,
    )
}
