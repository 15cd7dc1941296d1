//! Collections of the loaded snapshot, each serialised to GeoJSON once at start-up.

use super::geojson::{feature_collection, write_area_feature, write_facility_feature};
use crate::model::{AreaLevel, Dataset};
use axum::body::Bytes;
use serde::Serialize;

/// One served layer.
#[derive(Debug, Clone, Serialize)]
pub struct Layer {
    pub id: &'static str,
    pub title: &'static str,
    pub feature_count: usize,
    #[serde(skip)]
    pub geojson: Bytes,
}

pub const FACILITIES: &str = "voorzieningen";

/// Every non-empty layer, areas coarsest first, then the voorzieningen.
pub fn build(dataset: &Dataset) -> Vec<Layer> {
    let mut layers = Vec::new();
    for level in AreaLevel::ALL {
        let areas = dataset.areas(level);
        if areas.is_empty() {
            continue;
        }
        let features = areas.iter().map(|a| {
            let mut s = String::new();
            write_area_feature(&mut s, a, dataset);
            s
        });
        layers.push(Layer {
            id: level.collection(),
            title: match level {
                AreaLevel::Gemeente => "Gemeenten",
                AreaLevel::Wijk => "Wijken",
                AreaLevel::Buurt => "Buurten",
            },
            feature_count: areas.len(),
            geojson: Bytes::from(feature_collection(features)),
        });
    }
    let facilities = dataset.voorzieningen();
    if !facilities.is_empty() {
        let features = facilities.iter().map(|v| {
            let mut s = String::new();
            write_facility_feature(&mut s, v, dataset);
            s
        });
        layers.push(Layer {
            id: FACILITIES,
            title: "Voorzieningen (zorg en welzijn)",
            feature_count: facilities.len(),
            geojson: Bytes::from(feature_collection(features)),
        });
    }
    layers
}
