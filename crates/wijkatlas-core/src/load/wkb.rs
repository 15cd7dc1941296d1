//! Decoding WKB (bare, as PostGIS's `ST_AsBinary` writes it, or inside a GeoPackage
//! blob header) into polygon rings or a point.
//!
//! Only what the layers need: Polygon and MultiPolygon for areas, Point for facilities,
//! in 2D or with Z/M (dropped), in ISO or EWKB type codes. Every count is checked against the bytes left before anything
//! is allocated, so a corrupt blob is an error, never a huge allocation or a panic.

/// Polygons as rings of (x, y) positions in the layer's own CRS.
pub type Polygons = Vec<Vec<Vec<[f64; 2]>>>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WkbError {
    #[error("not a GeoPackage geometry (no 'GP' magic)")]
    NoMagic,
    #[error("geometry blob ends early (needed {needed} more bytes at byte {at})")]
    Truncated { at: usize, needed: usize },
    #[error("unknown envelope code {0} in the GeoPackage header")]
    BadEnvelope(u8),
    #[error("unknown byte order marker {0}")]
    BadByteOrder(u8),
    #[error("geometry type {0} is not a Polygon or MultiPolygon")]
    NotPolygonal(u32),
    #[error("geometry type {0} is not a Point")]
    NotPoint(u32),
    #[error("a MultiPoint of {0} points is not one location")]
    SeveralPoints(usize),
    #[error("the geometry is empty")]
    Empty,
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WkbError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(WkbError::Truncated {
                at: self.at,
                needed: n.saturating_sub(self.bytes.len().saturating_sub(self.at)),
            })?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, WkbError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self, little: bool) -> Result<u32, WkbError> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| WkbError::Truncated {
            at: self.at,
            needed: 4,
        })?;
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, little: bool) -> Result<f64, WkbError> {
        let b: [u8; 8] = self.take(8)?.try_into().map_err(|_| WkbError::Truncated {
            at: self.at,
            needed: 8,
        })?;
        Ok(if little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count of items of `item_bytes` each, refused if the blob cannot hold them.
    fn count(&mut self, little: bool, item_bytes: usize) -> Result<usize, WkbError> {
        let n = self.u32(little)? as usize;
        let needed = n.saturating_mul(item_bytes);
        if needed > self.bytes.len() - self.at {
            return Err(WkbError::Truncated {
                at: self.at,
                needed,
            });
        }
        Ok(n)
    }

    fn byte_order(&mut self) -> Result<bool, WkbError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(WkbError::BadByteOrder(other)),
        }
    }
}

/// Splits a WKB type code into its base type and the number of ordinates per point.
fn type_and_dims(code: u32) -> (u32, usize) {
    // EWKB flags in the high bits, ISO thousands for Z (1000), M (2000), ZM (3000).
    let z = code & 0x8000_0000 != 0;
    let m = code & 0x4000_0000 != 0;
    let iso = code & 0x0FFF_FFFF;
    let (base, extra) = match iso / 1000 {
        1 | 2 => (iso % 1000, 1),
        3 => (iso % 1000, 2),
        _ => (iso, 0),
    };
    (base, 2 + extra + usize::from(z) + usize::from(m))
}

fn polygon_body(
    r: &mut Reader<'_>,
    little: bool,
    dims: usize,
) -> Result<Vec<Vec<[f64; 2]>>, WkbError> {
    let rings = r.count(little, 4)?;
    let mut out = Vec::with_capacity(rings);
    for _ in 0..rings {
        let points = r.count(little, 8 * dims)?;
        let mut ring = Vec::with_capacity(points);
        for _ in 0..points {
            let x = r.f64(little)?;
            let y = r.f64(little)?;
            for _ in 2..dims {
                r.f64(little)?;
            }
            ring.push([x, y]);
        }
        out.push(ring);
    }
    Ok(out)
}

/// Decodes standard (ISO or EWKB) WKB.
pub fn decode_wkb(bytes: &[u8]) -> Result<Polygons, WkbError> {
    let mut r = Reader { bytes, at: 0 };
    let little = r.byte_order()?;
    let code = r.u32(little)?;
    if code & 0x2000_0000 != 0 {
        // EWKB with an embedded SRID: the layer's CRS is authoritative.
        r.u32(little)?;
    }
    let (base, dims) = type_and_dims(code);
    let polygons = match base {
        3 => vec![polygon_body(&mut r, little, dims)?],
        6 => {
            let n = r.count(little, 9)?;
            let mut polys = Vec::with_capacity(n);
            for _ in 0..n {
                let little = r.byte_order()?;
                let code = r.u32(little)?;
                let (base, dims) = type_and_dims(code);
                if base != 3 {
                    return Err(WkbError::NotPolygonal(code));
                }
                polys.push(polygon_body(&mut r, little, dims)?);
            }
            polys
        }
        _ => return Err(WkbError::NotPolygonal(code)),
    };
    Ok(polygons)
}

/// Decodes a Point, or a MultiPoint holding one point, from standard WKB: its x and y.
pub fn decode_point(bytes: &[u8]) -> Result<[f64; 2], WkbError> {
    fn xy(r: &mut Reader<'_>, little: bool, dims: usize) -> Result<[f64; 2], WkbError> {
        let x = r.f64(little)?;
        let y = r.f64(little)?;
        for _ in 2..dims {
            r.f64(little)?;
        }
        // WKB writes POINT EMPTY as NaN ordinates.
        if x.is_nan() && y.is_nan() {
            return Err(WkbError::Empty);
        }
        Ok([x, y])
    }
    let mut r = Reader { bytes, at: 0 };
    let little = r.byte_order()?;
    let code = r.u32(little)?;
    if code & 0x2000_0000 != 0 {
        r.u32(little)?;
    }
    let (base, dims) = type_and_dims(code);
    match base {
        1 => xy(&mut r, little, dims),
        4 => match r.count(little, 21)? {
            0 => Err(WkbError::Empty),
            1 => {
                let little = r.byte_order()?;
                let code = r.u32(little)?;
                let (base, dims) = type_and_dims(code);
                if base != 1 {
                    return Err(WkbError::NotPoint(code));
                }
                xy(&mut r, little, dims)
            }
            n => Err(WkbError::SeveralPoints(n)),
        },
        _ => Err(WkbError::NotPoint(code)),
    }
}

/// Decodes a GeoPackage geometry blob (GeoPackage 1.x, §2.1.3).
pub fn decode_gpkg(bytes: &[u8]) -> Result<Polygons, WkbError> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(2)? != b"GP" {
        return Err(WkbError::NoMagic);
    }
    let _version = r.u8()?;
    let flags = r.u8()?;
    if flags & 0b1_0000 != 0 {
        return Err(WkbError::Empty);
    }
    let envelope_bytes = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => return Err(WkbError::BadEnvelope(other)),
    };
    r.take(4 + envelope_bytes)?;
    decode_wkb(&bytes[r.at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le_polygon(points: &[[f64; 2]], code: u32, z: bool) -> Vec<u8> {
        let mut b = vec![1u8];
        b.extend(code.to_le_bytes());
        b.extend(1u32.to_le_bytes());
        b.extend((points.len() as u32).to_le_bytes());
        for p in points {
            b.extend(p[0].to_le_bytes());
            b.extend(p[1].to_le_bytes());
            if z {
                b.extend(7.0f64.to_le_bytes());
            }
        }
        b
    }

    const SQUARE: [[f64; 2]; 5] = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]];

    #[test]
    fn decodes_polygon_multipolygon_and_z() {
        assert_eq!(
            decode_wkb(&le_polygon(&SQUARE, 3, false)).unwrap(),
            vec![vec![SQUARE.to_vec()]]
        );
        assert_eq!(
            decode_wkb(&le_polygon(&SQUARE, 1003, true)).unwrap(),
            vec![vec![SQUARE.to_vec()]]
        );
        let mut multi = vec![0u8];
        multi.extend(6u32.to_be_bytes());
        multi.extend(2u32.to_be_bytes());
        multi.extend(le_polygon(&SQUARE, 3, false));
        multi.extend(le_polygon(&SQUARE, 3, false));
        assert_eq!(decode_wkb(&multi).unwrap().len(), 2);
    }

    #[test]
    fn decodes_a_gpkg_header_with_envelope() {
        let mut blob = b"GP".to_vec();
        blob.push(0);
        blob.push(0b0000_0011); // little-endian header, xy envelope
        blob.extend(28992i32.to_le_bytes());
        blob.extend([0u8; 32]);
        blob.extend(le_polygon(&SQUARE, 3, false));
        assert_eq!(decode_gpkg(&blob).unwrap(), vec![vec![SQUARE.to_vec()]]);
    }

    #[test]
    fn decodes_points_and_refuses_other_shapes() {
        let mut p = vec![1u8];
        p.extend(1u32.to_le_bytes());
        p.extend(155_000.0f64.to_le_bytes());
        p.extend(463_000.0f64.to_le_bytes());
        assert_eq!(decode_point(&p), Ok([155_000.0, 463_000.0]));
        let mut multi = vec![0u8];
        multi.extend(4u32.to_be_bytes());
        multi.extend(1u32.to_be_bytes());
        multi.extend(&p);
        assert_eq!(decode_point(&multi), Ok([155_000.0, 463_000.0]));
        let mut empty = vec![1u8];
        empty.extend(1u32.to_le_bytes());
        empty.extend(f64::NAN.to_le_bytes());
        empty.extend(f64::NAN.to_le_bytes());
        assert_eq!(decode_point(&empty), Err(WkbError::Empty));
        assert_eq!(
            decode_point(&le_polygon(&SQUARE, 3, false)),
            Err(WkbError::NotPoint(3))
        );
        for cut in 0..p.len() {
            assert!(decode_point(&p[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn corrupt_blobs_are_errors() {
        let good = le_polygon(&SQUARE, 3, false);
        for cut in 0..good.len() {
            assert!(decode_wkb(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut huge = good.clone();
        huge[9..13].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(decode_wkb(&huge), Err(WkbError::Truncated { .. })));
        assert_eq!(
            decode_wkb(&le_polygon(&SQUARE, 2, false)),
            Err(WkbError::NotPolygonal(2))
        );
        assert_eq!(decode_gpkg(b"XX\0\0"), Err(WkbError::NoMagic));
    }
}
