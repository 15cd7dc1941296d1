//! One collection's features in one tile, as a Mapbox Vector Tile layer.

use super::clip::{clip_ring, snap, twice_area, Px};
use super::grid::{from_mercator, to_mercator, TileId};
use super::mvt::{Geometry, LayerBuilder};
use super::projected::Projected;
use super::tags::TagTable;
use crate::crs::{LonLat, RdPoint};
use crate::features::{Collection, Item, OutlineRd};
use crate::model::Dataset;

/// Tile coordinates per side (the MVT default).
pub const EXTENT: u32 = 4096;
/// How far past the tile edge features are kept, in tile units: enough that a line
/// drawn on the edge is not cut short by the neighbouring tile.
pub const BUFFER: u32 = 64;

/// The collection's features that meet the tile, as a layer named after it. Area
/// outlines come from `projected` (in Web Mercator for this zoom, made once); the
/// features near the tile are found through the R-trees; their tags come from `tags`
/// (the collection's, see [`Projected::tags`]).
pub fn layer<'t>(
    collection: &Collection,
    dataset: &Dataset,
    projected: &Projected,
    tags: &'t TagTable,
    id: TileId,
) -> LayerBuilder<'t> {
    layer_of(collection, dataset, projected, tags, id, false)
}

/// The same layer made by a look at every feature of the collection, as tiles were
/// made before the R-trees: the reference a test holds [`layer`] to. Serves nothing.
#[doc(hidden)]
pub fn layer_scanning_every_feature<'t>(
    collection: &Collection,
    dataset: &Dataset,
    projected: &Projected,
    tags: &'t TagTable,
    id: TileId,
) -> LayerBuilder<'t> {
    layer_of(collection, dataset, projected, tags, id, true)
}

fn layer_of<'t>(
    collection: &Collection,
    dataset: &Dataset,
    projected: &Projected,
    tags: &'t TagTable,
    id: TileId,
    every: bool,
) -> LayerBuilder<'t> {
    let frame = Frame::new(id);
    let areas = matches!(collection.kind, crate::features::CollectionKind::Areas(_))
        .then(|| projected.layer(collection, dataset, id.z));
    // Only the features near the tile, through the R-trees, in item order as a scan of
    // every one would find them (so tiles are the same, ids included).
    let near = match &areas {
        _ if every => (0..collection.items.len()).collect(),
        Some(areas) => areas.in_box(frame.window),
        None => collection.positions_in_rd_box(&frame.window_rd_rect()),
    };
    let mut layer = LayerBuilder::new(collection.id, EXTENT, tags);
    for n in near {
        let Some(item) = collection.items.get(n) else {
            continue;
        };
        let geometry = match &areas {
            Some(areas) => frame.area(areas, n),
            None => frame.point(collection, dataset, item, id.z),
        };
        if let Some(geometry) = geometry {
            layer.add(n as u64 + 1, geometry, n);
        }
    }
    layer
}

/// A tile's window on the world: the buffered tile in Web Mercator metres and in RD,
/// and how Web Mercator metres become tile units.
struct Frame {
    /// The tile's bounds in Web Mercator metres: min x, min y, max x, max y.
    bounds: [f64; 4],
    /// Tile units per Web Mercator metre.
    scale: f64,
    /// The buffered tile in tile units, the same on both axes: `lo..=hi`.
    lo: f64,
    hi: f64,
    /// The buffered tile in Web Mercator metres.
    window: [f64; 4],
    /// A box in RD metres around the buffered tile.
    window_rd: [f64; 4],
}

impl Frame {
    fn new(id: TileId) -> Frame {
        let bounds = id.bounds();
        let scale = f64::from(EXTENT) / (bounds[2] - bounds[0]);
        let margin = f64::from(BUFFER);
        Frame {
            bounds,
            scale,
            lo: -margin,
            hi: f64::from(EXTENT) + margin,
            window: [
                bounds[0] - margin / scale,
                bounds[1] - margin / scale,
                bounds[2] + margin / scale,
                bounds[3] + margin / scale,
            ],
            window_rd: rd_window(id, margin / scale),
        }
    }

    fn merc_to_px(&self, x: f64, y: f64) -> Px {
        (
            (x - self.bounds[0]) * self.scale,
            (self.bounds[3] - y) * self.scale,
        )
    }

    fn window_rd_rect(&self) -> geo::Rect<f64> {
        let w = self.window_rd;
        geo::Rect::new(
            geo::Coord { x: w[0], y: w[1] },
            geo::Coord { x: w[2], y: w[3] },
        )
    }

    /// Area `n`'s outline in tile units, clipped to the buffered tile; `None` when it
    /// has none or none of it is near the tile.
    fn area(&self, areas: &super::projected::ProjectedLayer, n: usize) -> Option<Geometry> {
        let Some(Some((mp, bb))) = areas.outlines.get(n) else {
            return None;
        };
        let w = self.window;
        // The tree's answer again, cheaply: so `layer_of` over every item is the
        // scan the tree stands in for.
        if bb[0] > w[2] || bb[2] < w[0] || bb[1] > w[3] || bb[3] < w[1] {
            return None;
        }
        let to_px = |x: f64, y: f64| self.merc_to_px(x, y);
        let mut rings: Vec<Vec<(i32, i32)>> = Vec::new();
        for polygon in &mp.0 {
            let Some(mut outer) = ring_px(polygon.exterior(), &to_px, self.lo, self.hi) else {
                continue;
            };
            wind(&mut outer, true);
            rings.push(outer);
            for hole in polygon.interiors() {
                if let Some(mut inner) = ring_px(hole, &to_px, self.lo, self.hi) {
                    wind(&mut inner, false);
                    rings.push(inner);
                }
            }
        }
        (!rings.is_empty()).then(|| Geometry::polygon(&rings))
    }

    /// A facility's point in tile units, or `None` outside the buffered tile.
    fn point(
        &self,
        collection: &Collection,
        dataset: &Dataset,
        item: &Item,
        zoom: u8,
    ) -> Option<Geometry> {
        let (bb, w) = (item.bbox_rd, self.window_rd);
        if bb[0] > w[2] || bb[2] < w[0] || bb[1] > w[3] || bb[3] < w[1] {
            return None;
        }
        // Areas go through `projected` in [`Frame::area`].
        let Some(OutlineRd::Point(c)) = collection.outline_for_zoom(dataset, item, zoom) else {
            return None;
        };
        let (x, y) = to_mercator(RdPoint::new(c.x, c.y).to_wgs84());
        let (x, y) = self.merc_to_px(x, y);
        let inside = |v: f64| (self.lo..=self.hi).contains(&v);
        // Within the buffered tile, so the casts cannot overflow.
        (inside(x) && inside(y)).then(|| Geometry::point(x.round() as i32, y.round() as i32))
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FACILITIES;
    use crate::tiles::mvt::{GeomType, TileValue};
    use std::collections::HashMap;

    /// The zoom-14 tile holding a point, from the Web Mercator definition.
    fn tile_at(lon: f64, lat: f64, z: u32) -> TileId {
        let n = f64::from(1u32 << z);
        let x = ((lon + 180.0) / 360.0 * n) as u32;
        let lat = lat.to_radians();
        let y =
            ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n) as u32;
        TileId::new(z, x, y).expect("a tile on the grid")
    }

    fn unzigzag(v: u32) -> i32 {
        ((v >> 1) as i32) ^ -((v & 1) as i32)
    }

    /// A facility's tile holds it as one point, numbered after its place in the
    /// collection, at the tile units its position gives, with its id and its valued
    /// properties as tags (nulls left out); a tile further on does not hold it.
    #[test]
    fn a_facility_is_a_point_with_its_properties_as_tags() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let loaded = crate::load::load_dir(&dir).expect("the bundled data loads");
        let dataset = &loaded.dataset;
        let collections = crate::features::build(dataset, &HashMap::new());
        let c = collections
            .iter()
            .find(|c| c.id == FACILITIES)
            .expect("facilities");
        let n = c.items.len() / 2;
        let (item, v) = (&c.items[n], &dataset.voorzieningen()[n]);
        let z = 14;
        let id = tile_at(v.location.wgs84.lon, v.location.wgs84.lat, z);
        let projected = Projected::default();
        let table = projected.tags(c);
        let layer = layer(c, dataset, &projected, &table, id).finish();
        assert_eq!(layer.name, FACILITIES);
        let feature = layer
            .features
            .iter()
            .find(|f| f.id == Some(n as u64 + 1))
            .expect("the facility is in its tile");
        assert_eq!(feature.r#type, Some(GeomType::Point as i32));
        let [command, x, y] = feature.geometry[..] else {
            panic!("one point: {:?}", feature.geometry)
        };
        assert_eq!(command, 1 | (1 << 3), "MoveTo, once");
        let b = id.bounds();
        let scale = f64::from(EXTENT) / (b[2] - b[0]);
        let (mx, my) = to_mercator(v.location.wgs84);
        let (want_x, want_y) = ((mx - b[0]) * scale, (b[3] - my) * scale);
        assert!(
            (f64::from(unzigzag(x)) - want_x).abs() <= 2.0,
            "{x} {want_x}"
        );
        assert!(
            (f64::from(unzigzag(y)) - want_y).abs() <= 2.0,
            "{y} {want_y}"
        );
        let tags: HashMap<&str, &TileValue> = feature
            .tags
            .chunks(2)
            .map(|kv| {
                (
                    layer.keys[kv[0] as usize].as_str(),
                    &layer.values[kv[1] as usize],
                )
            })
            .collect();
        assert_eq!(tags["id"].string_value.as_deref(), Some(item.id.as_str()));
        for (key, value) in &item.props {
            assert_eq!(tags.contains_key(key.as_str()), !value.is_null(), "{key}");
            if let Some(text) = value.as_str() {
                assert_eq!(
                    tags[key.as_str()].string_value.as_deref(),
                    Some(text),
                    "{key}"
                );
            }
        }
        let further = TileId::new(u32::from(id.z), id.x + 3, id.y).expect("a tile");
        let layer = super::layer(c, dataset, &projected, &table, further).finish();
        assert!(layer.features.iter().all(|f| f.id != Some(n as u64 + 1)));
    }
}
