//! The WebMercatorQuad tile grid (OGC TMS; the XYZ scheme of web maps): tile ids, their
//! bounds in EPSG:3857 metres, and lon/lat to Web Mercator.

use crate::crs::LonLat;

/// The deepest zoom served: 22 is about 4 cm per pixel, past any use for areas.
pub const MAX_ZOOM: u8 = 22;

/// Half the side of the Web Mercator square, in EPSG:3857 metres.
pub const HALF_WORLD_M: f64 = std::f64::consts::PI * EARTH_RADIUS_M;
const EARTH_RADIUS_M: f64 = 6_378_137.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileIdError {
    #[error("zoom {z} is deeper than the deepest served, {MAX_ZOOM}")]
    TooDeep { z: u32 },
    #[error(
        "tile {z}/{y}/{x} is outside the grid: at zoom {z} rows and columns run from 0 to {last}"
    )]
    OutsideGrid { z: u8, x: u32, y: u32, last: u32 },
}

/// A box in EPSG:3857 metres: min x, min y, max x, max y.
pub type MercatorBox = [f64; 4];

impl TileId {
    /// A tile id, checked: the path segments of a request go straight in here.
    pub fn new(z: u32, x: u32, y: u32) -> Result<TileId, TileIdError> {
        let z8 = u8::try_from(z)
            .ok()
            .filter(|z| *z <= MAX_ZOOM)
            .ok_or(TileIdError::TooDeep { z })?;
        let last = (1u32 << z8) - 1;
        if x > last || y > last {
            return Err(TileIdError::OutsideGrid { z: z8, x, y, last });
        }
        Ok(TileId { z: z8, x, y })
    }

    /// Tile bounds in EPSG:3857 metres. Row 0 is the north edge.
    pub fn bounds(self) -> MercatorBox {
        let size = 2.0 * HALF_WORLD_M / f64::from(1u32 << self.z);
        let min_x = -HALF_WORLD_M + f64::from(self.x) * size;
        let max_y = HALF_WORLD_M - f64::from(self.y) * size;
        [min_x, max_y - size, min_x + size, max_y]
    }
}

/// WGS84 lon/lat to Web Mercator metres (EPSG:3857).
pub fn to_mercator(p: LonLat) -> (f64, f64) {
    let x = EARTH_RADIUS_M * p.lon.to_radians();
    let y = EARTH_RADIUS_M
        * (std::f64::consts::FRAC_PI_4 + p.lat.to_radians() / 2.0)
            .tan()
            .ln();
    (x, y)
}

/// Web Mercator metres back to WGS84 lon/lat.
pub fn from_mercator(x: f64, y: f64) -> LonLat {
    let lon = (x / EARTH_RADIUS_M).to_degrees();
    let lat = (2.0 * (y / EARTH_RADIUS_M).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    LonLat::new(lon, lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_tile_spans_the_whole_square() {
        let b = TileId::new(0, 0, 0).unwrap().bounds();
        assert!(
            (b[0] + 20_037_508.342_789).abs() < 1e-3 && (b[3] - 20_037_508.342_789).abs() < 1e-3
        );
    }

    #[test]
    fn amersfoort_lies_in_its_osm_tile() {
        // The reference: OSM's tile formula for 5.387 E, 52.156 N at zoom 10 gives 527/337,
        // and EPSG.io gives x 599678.10, y 6828381.55 for the point.
        let (x, y) = to_mercator(LonLat::new(5.387, 52.156));
        assert!((x - 599_678.097).abs() < 0.01, "{x}");
        assert!((y - 6_828_381.554).abs() < 0.01, "{y}");
        let b = TileId::new(10, 527, 337).unwrap().bounds();
        assert!(b[0] <= x && x < b[2] && b[1] < y && y <= b[3], "{b:?}");
        let back = from_mercator(x, y);
        assert!((back.lon - 5.387).abs() < 1e-9 && (back.lat - 52.156).abs() < 1e-9);
    }

    #[test]
    fn ids_outside_the_grid_are_refused_with_the_range() {
        assert_eq!(TileId::new(23, 0, 0), Err(TileIdError::TooDeep { z: 23 }));
        assert_eq!(
            TileId::new(u32::MAX, 0, 0),
            Err(TileIdError::TooDeep { z: u32::MAX })
        );
        let e = TileId::new(3, 8, 0).unwrap_err();
        assert!(e.to_string().contains("0 to 7"), "{e}");
        assert!(TileId::new(22, (1 << 22) - 1, 0).is_ok());
    }
}
