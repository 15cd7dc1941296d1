//! Writing ISO WKB (little-endian, 2D), the geometry encoding GeoPackage and PostGIS
//! share; `load::wkb` reads it back.

use geo::MultiPolygon;

fn ring(out: &mut Vec<u8>, ring: &geo::LineString<f64>) {
    out.extend((ring.0.len() as u32).to_le_bytes());
    for c in &ring.0 {
        out.extend(c.x.to_le_bytes());
        out.extend(c.y.to_le_bytes());
    }
}

pub fn multipolygon(mp: &MultiPolygon<f64>) -> Vec<u8> {
    let points: usize =
        mp.0.iter()
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
            .sum();
    let mut out = Vec::with_capacity(9 + mp.0.len() * 13 + points * 16);
    out.push(1);
    out.extend(6u32.to_le_bytes());
    out.extend((mp.0.len() as u32).to_le_bytes());
    for p in &mp.0 {
        out.push(1);
        out.extend(3u32.to_le_bytes());
        out.extend((1 + p.interiors().len() as u32).to_le_bytes());
        ring(&mut out, p.exterior());
        for r in p.interiors() {
            ring(&mut out, r);
        }
    }
    out
}

pub fn point(x: f64, y: f64) -> Vec<u8> {
    let mut out = Vec::with_capacity(21);
    out.push(1);
    out.extend(1u32.to_le_bytes());
    out.extend(x.to_le_bytes());
    out.extend(y.to_le_bytes());
    out
}

/// The same geometry as EWKB carrying its SRID, as PostGIS takes it in COPY.
pub fn with_srid(wkb: &[u8], srid: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(wkb.len() + 4);
    out.push(1);
    let code = u32::from_le_bytes([wkb[1], wkb[2], wkb[3], wkb[4]]) | 0x2000_0000;
    out.extend(code.to_le_bytes());
    out.extend(srid.to_le_bytes());
    out.extend(&wkb[5..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::wkb::{decode_wkb, Polygons};
    use geo::polygon;

    fn decode(bytes: &[u8]) -> Polygons {
        // The reader is the loader's; a round trip through it is the test.
        decode_wkb(bytes).expect("decodes")
    }

    #[test]
    fn round_trips_through_the_loaders_reader() {
        let p = polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 0.0)];
        let mp = MultiPolygon(vec![p.clone(), p]);
        let polys = decode(&multipolygon(&mp));
        assert_eq!(polys.len(), 2);
        assert_eq!(polys[0][0][1], [10.0, 0.0]);
        let ewkb = with_srid(&multipolygon(&mp), 28992);
        assert_eq!(decode(&ewkb).len(), 2);
        assert_eq!(&ewkb[5..9], &28992i32.to_le_bytes());
        assert_eq!(point(1.5, 2.5).len(), 21);
    }
}
