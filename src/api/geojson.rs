//! Writing areas and voorzieningen as GeoJSON (RFC 7946, CRS84), once per snapshot.

use crate::model::{Area, Dataset, Voorziening};
use geo::MultiPolygon;
use serde_json::{json, Map, Value};
use std::fmt::Write as _;

/// Six decimals of a degree are 0.1 m: finer than any source we load.
const DECIMALS: usize = 6;

fn write_ring(out: &mut String, ring: &geo::LineString<f64>) {
    out.push('[');
    for (i, c) in ring.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "[{:.*},{:.*}]", DECIMALS, c.x, DECIMALS, c.y);
    }
    out.push(']');
}

/// A MultiPolygon in lon/lat as a GeoJSON geometry object.
pub fn write_multipolygon(out: &mut String, mp: &MultiPolygon<f64>) {
    out.push_str(r#"{"type":"MultiPolygon","coordinates":["#);
    for (i, poly) in mp.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        write_ring(out, poly.exterior());
        for ring in poly.interiors() {
            out.push(',');
            write_ring(out, ring);
        }
        out.push(']');
    }
    out.push_str("]}");
}

pub fn area_properties(area: &Area, dataset: &Dataset) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("code".into(), json!(area.code));
    props.insert("naam".into(), json!(area.name));
    props.insert("niveau".into(), json!(area.level()));
    let gemeente = area.code.gemeente();
    props.insert("gemeentecode".into(), json!(gemeente));
    let gemeente_name = dataset
        .area(gemeente)
        .map(|g| g.name.clone())
        .or_else(|| area.gemeente_name.clone());
    props.insert("gemeentenaam".into(), json!(gemeente_name));
    if let Some(wijk) = area
        .code
        .ancestor(crate::model::AreaLevel::Wijk)
        .filter(|w| *w != area.code)
    {
        props.insert("wijkcode".into(), json!(wijk));
    }
    props.insert("jaar".into(), json!(area.year));
    props.insert(
        "bron".into(),
        json!(dataset.sources.get(area.source.0).map(|s| s.name.as_str())),
    );
    if let Value::Object(figures) = json!(area.figures) {
        props.extend(figures);
    }
    if !dataset.dwellings().is_empty() {
        // Counted from dwelling points, next to CBS's own share.
        let housing = dataset.housing(area.code).copied().unwrap_or_default();
        props.insert("woningen_punten".into(), json!(housing.dwellings));
        props.insert(
            "pct_sociale_huur_punten".into(),
            json!(housing.social_rent_pct()),
        );
    }
    for (k, v) in &area.extra {
        props.entry(k.clone()).or_insert_with(|| v.clone());
    }
    props
}

pub fn write_area_feature(out: &mut String, area: &Area, dataset: &Dataset) {
    let _ = write!(
        out,
        r#"{{"type":"Feature","id":"{}","geometry":"#,
        area.code
    );
    write_multipolygon(out, &area.geometry.wgs84);
    out.push_str(r#","properties":"#);
    out.push_str(&Value::Object(area_properties(area, dataset)).to_string());
    out.push('}');
}

pub fn facility_properties(v: &Voorziening, dataset: &Dataset) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("id".into(), json!(v.id));
    props.insert("naam".into(), json!(v.name));
    props.insert("categorie".into(), json!(v.category));
    props.insert("categorie_naam".into(), json!(v.category.label()));
    props.insert("subtype".into(), json!(v.subtype));
    props.insert("adres".into(), json!(v.address.street));
    props.insert("postcode".into(), json!(v.address.postcode));
    props.insert("plaats".into(), json!(v.address.city));
    props.insert("precisie".into(), json!(v.precision));
    props.insert("capaciteit".into(), json!(v.capacity));
    props.insert("gemeentecode".into(), json!(v.containing.gemeente));
    props.insert("wijkcode".into(), json!(v.containing.wijk));
    props.insert("buurtcode".into(), json!(v.containing.buurt));
    props.insert(
        "bron".into(),
        json!(dataset.sources.get(v.source.0).map(|s| s.name.as_str())),
    );
    props
}

pub fn write_facility_feature(out: &mut String, v: &Voorziening, dataset: &Dataset) {
    let _ = write!(
        out,
        r#"{{"type":"Feature","id":{},"geometry":{{"type":"Point","coordinates":[{:.*},{:.*}]}},"properties":"#,
        Value::String(v.id.clone()),
        DECIMALS,
        v.location.wgs84.lon,
        DECIMALS,
        v.location.wgs84.lat
    );
    out.push_str(&Value::Object(facility_properties(v, dataset)).to_string());
    out.push('}');
}

/// A FeatureCollection of already written features.
pub fn feature_collection<I: IntoIterator<Item = String>>(features: I) -> String {
    let mut out = String::from(r#"{"type":"FeatureCollection","features":["#);
    for (i, f) in features.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&f);
    }
    out.push_str("]}");
    out
}
