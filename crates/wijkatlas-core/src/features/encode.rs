//! Writing areas and voorzieningen as GeoJSON features, in each served CRS.

use crate::crs::Crs;
use crate::model::{
    Area, AreaCode, Dataset, ExtraProperties, KeyFigures, SourceId, UnlocatedArea, Voorziening,
};
use geo::{Coord, MapCoords, MultiPolygon};
use serde_json::{json, Map, Value};
use std::fmt::Write as _;

/// Six decimals of a degree are 0.1 m and two decimals of a metre 1 cm: finer than any
/// source we load.
fn decimals(crs: Crs) -> usize {
    if crs.is_geographic() {
        6
    } else {
        2
    }
}

/// The two ordinates of a position in the axis order of `crs` (EPSG:4326 is latitude first).
fn ordinates(c: Coord<f64>, crs: Crs) -> (f64, f64) {
    match crs {
        Crs::Epsg4326 => (c.y, c.x),
        Crs::Crs84 | Crs::RdNew => (c.x, c.y),
    }
}

/// An area's outline in the datum `crs` needs: RD for EPSG:28992, WGS84 otherwise.
fn area_outline(area: &Area, crs: Crs) -> &MultiPolygon<f64> {
    match crs {
        Crs::RdNew => &area.geometry.rd,
        Crs::Crs84 | Crs::Epsg4326 => &area.geometry.wgs84,
    }
}

/// A facility's position in the datum `crs` needs.
fn facility_position(v: &Voorziening, crs: Crs) -> Coord<f64> {
    match crs {
        Crs::RdNew => Coord {
            x: v.location.rd.x,
            y: v.location.rd.y,
        },
        Crs::Crs84 | Crs::Epsg4326 => Coord {
            x: v.location.wgs84.lon,
            y: v.location.wgs84.lat,
        },
    }
}

/// Writes one position as a GeoJSON array.
fn write_position(out: &mut String, c: Coord<f64>, crs: Crs) {
    let d = decimals(crs);
    let (a, b) = ordinates(c, crs);
    let _ = write!(out, "[{a:.d$},{b:.d$}]");
}

fn write_ring(out: &mut String, ring: &geo::LineString<f64>, crs: Crs) {
    out.push('[');
    for (i, c) in ring.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_position(out, *c, crs);
    }
    out.push(']');
}

/// A MultiPolygon as a GeoJSON geometry object; `mp` must already be in `crs`'s datum
/// (WGS84 coordinates for CRS84 and EPSG:4326, RD for EPSG:28992).
pub fn write_multipolygon(out: &mut String, mp: &MultiPolygon<f64>, crs: Crs) {
    out.push_str(r#"{"type":"MultiPolygon","coordinates":["#);
    for (i, poly) in mp.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        write_ring(out, poly.exterior(), crs);
        for ring in poly.interiors() {
            out.push(',');
            write_ring(out, ring, crs);
        }
        out.push(']');
    }
    out.push_str("]}");
}

/// What the properties of an area are written from, located or not.
pub struct AreaFacts<'a> {
    pub code: AreaCode,
    pub name: &'a str,
    pub gemeente_name: Option<&'a str>,
    pub figures: &'a KeyFigures,
    pub extra: &'a ExtraProperties,
    pub year: Option<u16>,
    pub source: SourceId,
}

impl<'a> From<&'a Area> for AreaFacts<'a> {
    fn from(a: &'a Area) -> Self {
        AreaFacts {
            code: a.code,
            name: &a.name,
            gemeente_name: a.gemeente_name.as_deref(),
            figures: &a.figures,
            extra: &a.extra,
            year: a.year,
            source: a.source,
        }
    }
}

impl<'a> From<&'a UnlocatedArea> for AreaFacts<'a> {
    fn from(a: &'a UnlocatedArea) -> Self {
        AreaFacts {
            code: a.code,
            name: &a.name,
            gemeente_name: a.gemeente_name.as_deref(),
            figures: &a.figures,
            extra: &a.extra,
            year: a.year,
            source: a.source,
        }
    }
}

/// The JSON type the model gives a property of an area or a voorziening, whatever the
/// data: so a property null in every feature can still be listed and filtered on.
/// `None` for names the model does not fix (a source's own columns, analysis results).
pub fn model_type(name: &str) -> Option<&'static str> {
    if crate::model::Figure::ALL.iter().any(|f| f.key() == name) {
        return Some("number");
    }
    match name {
        "code" | "naam" | "niveau" | "gemeentecode" | "gemeentenaam" | "wijkcode" | "bron"
        | "id" | "categorie" | "categorie_naam" | "subtype" | "adres" | "postcode" | "plaats"
        | "precisie" | "buurtcode" => Some("string"),
        "jaar" | "woningen_punten" | "pct_sociale_huur_punten" | "capaciteit" => Some("number"),
        _ => None,
    }
}

pub fn area_properties(area: AreaFacts<'_>, dataset: &Dataset) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("code".into(), json!(area.code));
    props.insert("naam".into(), json!(area.name));
    props.insert("niveau".into(), json!(area.code.level()));
    let gemeente = area.code.gemeente();
    props.insert("gemeentecode".into(), json!(gemeente));
    let gemeente_name = dataset
        .area(gemeente)
        .map(|g| g.name.as_str())
        .or(area.gemeente_name);
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
    for (k, v) in area.extra {
        props.entry(k.clone()).or_insert_with(|| v.clone());
    }
    props
}

/// A whole area feature with another outline than its own (a generalised one), given in
/// RD and written in `crs`.
pub fn write_area_feature_from_rd(
    out: &mut String,
    area: &Area,
    outline_rd: &MultiPolygon<f64>,
    props: &str,
    crs: Crs,
) {
    let _ = write!(
        out,
        r#"{{"type":"Feature","id":"{}","geometry":"#,
        area.code
    );
    match crs {
        Crs::RdNew => write_multipolygon(out, outline_rd, crs),
        Crs::Crs84 | Crs::Epsg4326 => {
            let wgs84 = outline_rd.map_coords(|c| {
                let p = crate::crs::RdPoint::new(c.x, c.y).to_wgs84();
                Coord { x: p.lon, y: p.lat }
            });
            write_multipolygon(out, &wgs84, crs);
        }
    }
    out.push_str(r#","properties":"#);
    out.push_str(props);
    out.push('}');
}

/// A feature without an outline: `"geometry": null`, as GeoJSON allows.
pub fn write_unlocated_feature(out: &mut String, area: &UnlocatedArea, props: &str) {
    let _ = write!(
        out,
        r#"{{"type":"Feature","id":"{}","geometry":null,"properties":{props}}}"#,
        area.code
    );
}

/// A whole feature; `props` is the properties object already written as JSON.
pub fn write_area_feature(out: &mut String, area: &Area, props: &str, crs: Crs) {
    let _ = write!(
        out,
        r#"{{"type":"Feature","id":"{}","geometry":"#,
        area.code
    );
    write_multipolygon(out, area_outline(area, crs), crs);
    out.push_str(r#","properties":"#);
    out.push_str(props);
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

pub fn write_facility_feature(out: &mut String, v: &Voorziening, props: &str, crs: Crs) {
    let _ = write!(
        out,
        r#"{{"type":"Feature","id":{},"geometry":{{"type":"Point","coordinates":"#,
        Value::String(v.id.clone())
    );
    let c = facility_position(v, crs);
    write_position(out, c, crs);
    out.push_str(r#"},"properties":"#);
    out.push_str(props);
    out.push('}');
}

/// Writes a position as WKT ordinates (`x y`), in the axis order of `crs`.
fn write_wkt_position(out: &mut String, c: Coord<f64>, crs: Crs) {
    let d = decimals(crs);
    let (a, b) = ordinates(c, crs);
    let _ = write!(out, "{a:.d$} {b:.d$}");
}

/// An area's outline as WKT in `crs`, for CSV downloads.
pub fn area_wkt(area: &Area, crs: Crs) -> String {
    let mp = area_outline(area, crs);
    let mut out = String::from("MULTIPOLYGON(");
    for (i, poly) in mp.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('(');
        for (j, ring) in std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .enumerate()
        {
            if j > 0 {
                out.push(',');
            }
            out.push('(');
            for (k, c) in ring.0.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write_wkt_position(&mut out, *c, crs);
            }
            out.push(')');
        }
        out.push(')');
    }
    out.push(')');
    out
}

/// A facility's position as WKT in `crs`.
pub fn facility_wkt(v: &Voorziening, crs: Crs) -> String {
    let c = facility_position(v, crs);
    let mut out = String::from("POINT(");
    write_wkt_position(&mut out, c, crs);
    out.push(')');
    out
}
