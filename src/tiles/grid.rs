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

    /// OGC Two Dimensional Tile Matrix Set (OGC 17-083r4), annex D, WebMercatorQuad: the
    /// top-left point of origin is (-20037508.3427892, 20037508.3427892) and the one tile
    /// of level 0 is 256 cells of 156543.0339280410 m. Seven decimals are published, so
    /// the check is to 1e-6 m.
    #[test]
    fn the_world_tile_is_ogcs_webmercatorquad_level_0() {
        let b = TileId::new(0, 0, 0).unwrap().bounds();
        let origin = 20_037_508.342_789_2;
        for (got, want) in b.iter().zip([-origin, -origin, origin, origin]) {
            assert!((got - want).abs() < 1e-6, "{b:?}");
        }
        assert!(((b[2] - b[0]) / 256.0 - 156_543.033_928_041).abs() < 1e-6);
    }

    /// The test tile of jGeoTile (geometalab/jGeoTile,
    /// src/test/java/ch/hsr/ifsgeometalab/jgeotile/Chicago.java): Chicago, 41.85 N,
    /// 87.65 W, lies in XYZ tile 19/134494/194918, whose bounds are x -9757186.660602748
    /// to -9757110.223574463 and y 5138479.226470973 to 5138555.663499258 in EPSG:3857,
    /// or 87.65029907226562 to 87.64961242675781 W and 41.8496161693754 to
    /// 41.85012764855732 N. All published, none computed here.
    #[test]
    fn chicago_lies_in_the_published_tile_with_the_published_bounds() {
        let b = TileId::new(19, 134_494, 194_918).unwrap().bounds();
        let want = [
            -9_757_186.660_602_748,
            5_138_479.226_470_973,
            -9_757_110.223_574_463,
            5_138_555.663_499_258,
        ];
        for (got, want) in b.iter().zip(want) {
            assert!((got - want).abs() < 1e-6, "{b:?}");
        }
        let (x, y) = to_mercator(LonLat::new(-87.65, 41.85));
        assert!(
            b[0] <= x && x < b[2] && b[1] < y && y <= b[3],
            "({x}, {y}) {b:?}"
        );
        let (sw, ne) = (from_mercator(b[0], b[1]), from_mercator(b[2], b[3]));
        assert!((sw.lon + 87.650_299_072_265_62).abs() < 1e-12, "{sw:?}");
        assert!((sw.lat - 41.849_616_169_375_4).abs() < 1e-12, "{sw:?}");
        assert!((ne.lon + 87.649_612_426_757_81).abs() < 1e-12, "{ne:?}");
        assert!((ne.lat - 41.850_127_648_557_32).abs() < 1e-12, "{ne:?}");
    }

    /// OpenStreetMap's tile formula (wiki "Slippy map tilenames": x = ⌊(lon + 180) / 360 ·
    /// 2^z⌋, y = ⌊(1 − ln(tan φ + sec φ) / π) / 2 · 2^z⌋), written out here apart from
    /// `to_mercator`, must pick the tile whose bounds hold the point, across the country
    /// and at every zoom served.
    #[test]
    fn points_lie_in_the_tile_osms_formula_names() {
        let osm_tile = |lon: f64, lat: f64, z: u8| {
            let n = f64::from(1u32 << z);
            let phi = lat.to_radians();
            let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
            let y = ((1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / std::f64::consts::PI) / 2.0 * n)
                .floor() as u32;
            (x, y)
        };
        // Amersfoort, Groningen, Vaals, Cadzand, Texel.
        for (lon, lat) in [
            (5.387, 52.156),
            (6.567, 53.219),
            (6.017, 50.773),
            (3.384, 51.373),
            (4.797, 53.055),
        ] {
            let (mx, my) = to_mercator(LonLat::new(lon, lat));
            for z in 0..=MAX_ZOOM {
                let (x, y) = osm_tile(lon, lat, z);
                let b = TileId::new(u32::from(z), x, y).unwrap().bounds();
                assert!(
                    b[0] <= mx && mx < b[2] && b[1] < my && my <= b[3],
                    "{lon} {lat} z{z}: tile {x}/{y} {b:?} does not hold ({mx}, {my})"
                );
            }
        }
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
