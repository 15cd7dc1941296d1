//! One collection's features in one tile, as a Mapbox Vector Tile layer.

use super::clip::{clip_ring, snap, twice_area, Px};
use super::grid::{from_mercator, to_mercator, TileId};
use super::mvt::{Geometry, LayerBuilder, Value};
use super::projected::Projected;
use crate::crs::{LonLat, RdPoint};
use crate::features::{Collection, OutlineRd};
use crate::model::Dataset;

/// Tile coordinates per side (the MVT default).
pub const EXTENT: u32 = 4096;
/// How far past the tile edge features are kept, in tile units: enough that a line
/// drawn on the edge is not cut short by the neighbouring tile.
pub const BUFFER: u32 = 64;

/// The collection's features that meet the tile, as a layer named after it. Area
/// outlines come from `projected` (in Web Mercator for this zoom, made once); the
/// features near the tile are found through the R-trees.
pub fn layer(
    collection: &Collection,
    dataset: &Dataset,
    projected: &Projected,
    id: TileId,
) -> LayerBuilder {
    layer_of(collection, dataset, projected, id, false)
}

/// The same layer made by a look at every feature of the collection, as tiles were
/// made before the R-trees: the reference a test holds [`layer`] to. Serves nothing.
#[doc(hidden)]
pub fn layer_scanning_every_feature(
    collection: &Collection,
    dataset: &Dataset,
    projected: &Projected,
    id: TileId,
) -> LayerBuilder {
    layer_of(collection, dataset, projected, id, true)
}

fn layer_of(
    collection: &Collection,
    dataset: &Dataset,
    projected: &Projected,
    id: TileId,
    every: bool,
) -> LayerBuilder {
    let b = id.bounds();
    let scale = f64::from(EXTENT) / (b[2] - b[0]);
    let merc_to_px = |x: f64, y: f64| -> Px { ((x - b[0]) * scale, (b[3] - y) * scale) };
    let to_px = |p: RdPoint| -> Px {
        let (x, y) = to_mercator(p.to_wgs84());
        merc_to_px(x, y)
    };
    let margin = f64::from(BUFFER);
    let (lo, hi) = (-margin, f64::from(EXTENT) + margin);
    let window = [
        b[0] - margin / scale,
        b[1] - margin / scale,
        b[2] + margin / scale,
        b[3] + margin / scale,
    ];
    let window_rd = rd_window(id, margin / scale);
    let areas = matches!(collection.kind, crate::features::CollectionKind::Areas(_))
        .then(|| projected.layer(collection, dataset, id.z));
    // Only the features near the tile, through the R-trees, in item order as a scan of
    // every one would find them (so tiles are the same, ids included).
    let near = match &areas {
        _ if every => (0..collection.items.len()).collect(),
        Some(areas) => areas.in_box(window),
        None => collection.positions_in_rd_box(
            dataset,
            &geo::Rect::new(
                geo::Coord {
                    x: window_rd[0],
                    y: window_rd[1],
                },
                geo::Coord {
                    x: window_rd[2],
                    y: window_rd[3],
                },
            ),
        ),
    };
    let mut layer = LayerBuilder::new(collection.id, EXTENT);
    for n in near {
        let Some(item) = collection.items.get(n) else {
            continue;
        };
        let geometry = if let Some(areas) = &areas {
            let Some(Some((mp, bb))) = areas.outlines.get(n) else {
                continue;
            };
            // The tree's answer again, cheaply: so `layer_of` over every item is the
            // scan the tree stands in for.
            if bb[0] > window[2] || bb[2] < window[0] || bb[1] > window[3] || bb[3] < window[1] {
                continue;
            }
            let mut rings: Vec<Vec<(i32, i32)>> = Vec::new();
            for polygon in &mp.0 {
                let exterior = ring_px(polygon.exterior(), &merc_to_px, lo, hi);
                let Some(mut outer) = exterior else { continue };
                wind(&mut outer, true);
                rings.push(outer);
                for hole in polygon.interiors() {
                    if let Some(mut inner) = ring_px(hole, &merc_to_px, lo, hi) {
                        wind(&mut inner, false);
                        rings.push(inner);
                    }
                }
            }
            if rings.is_empty() {
                continue;
            }
            Geometry::polygon(&rings)
        } else {
            let bb = item.bbox_rd;
            if bb[0] > window_rd[2]
                || bb[2] < window_rd[0]
                || bb[1] > window_rd[3]
                || bb[3] < window_rd[1]
            {
                continue;
            }
            match collection.outline_for_zoom(dataset, item, id.z) {
                Some(OutlineRd::Point(c)) => {
                    let (x, y) = to_px(RdPoint::new(c.x, c.y));
                    if !(lo..=hi).contains(&x) || !(lo..=hi).contains(&y) {
                        continue;
                    }
                    // Within the buffered tile, so the casts cannot overflow.
                    Geometry::point(x.round() as i32, y.round() as i32)
                }
                // Areas go through `projected` above.
                _ => continue,
            }
        };
        // MVT ids are numbers; the CBS code or facility id travels as the `id` property.
        let tags = std::iter::once(("id".to_string(), Value::String(item.id.clone()))).chain(
            item.props.iter().filter_map(|(key, value)| {
                let v = match value {
                    serde_json::Value::String(s) => Value::String(s.clone()),
                    serde_json::Value::Bool(b) => Value::Bool(*b),
                    serde_json::Value::Number(num) => match (num.as_i64(), num.as_f64()) {
                        (Some(i), _) => Value::Int(i),
                        (None, Some(f)) => Value::Double(f.to_bits()),
                        _ => return None,
                    },
                    // Nulls are left out: a missing key is how MVT says "no value".
                    _ => return None,
                };
                Some((key.clone(), v))
            }),
        );
        layer.add(n as u64 + 1, geometry, tags);
    }
    layer
}

/// A ring in Web Mercator metres as tile units, clipped to the buffered tile.
fn ring_px(
    ring: &geo::LineString<f64>,
    to_px: &impl Fn(f64, f64) -> Px,
    lo: f64,
    hi: f64,
) -> Option<Vec<(i32, i32)>> {
    let mut px: Vec<Px> = ring.0.iter().map(|c| to_px(c.x, c.y)).collect();
    if px.len() > 1 && px.first() == px.last() {
        px.pop();
    }
    snap(&clip_ring(&px, lo, hi))
}

/// Exterior rings clockwise on screen (positive area, y down), holes the other way.
fn wind(ring: &mut [(i32, i32)], exterior: bool) {
    if (twice_area(ring) > 0) != exterior {
        ring.reverse();
    }
}

/// The tile with its buffer as a box in RD metres, a little generous: RD's axes are
/// turned against Web Mercator's, so the corners and edge midpoints are all taken.
fn rd_window(id: TileId, buffer_m: f64) -> [f64; 4] {
    let b = id.bounds();
    let (x0, y0, x1, y1) = (
        b[0] - buffer_m,
        b[1] - buffer_m,
        b[2] + buffer_m,
        b[3] + buffer_m,
    );
    let mut w = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for (x, y) in [
        (x0, y0),
        (x1, y0),
        (x0, y1),
        (x1, y1),
        ((x0 + x1) / 2.0, y0),
        ((x0 + x1) / 2.0, y1),
        (x0, (y0 + y1) / 2.0),
        (x1, (y0 + y1) / 2.0),
    ] {
        // Far outside the Netherlands the RD formulas do not hold: corners are pulled
        // onto RD's domain first, which only ever widens the window over our data.
        let ll = from_mercator(x, y);
        let d = &crate::crs::WGS84_DOMAIN;
        let rd = LonLat::new(
            ll.lon.clamp(d.min_x, d.max_x),
            ll.lat.clamp(d.min_y, d.max_y),
        )
        .to_rd();
        w = [
            w[0].min(rd.x),
            w[1].min(rd.y),
            w[2].max(rd.x),
            w[3].max(rd.y),
        ];
    }
    let pad = (w[2] - w[0]).max(w[3] - w[1]) * 0.01;
    [w[0] - pad, w[1] - pad, w[2] + pad, w[3] + pad]
}
