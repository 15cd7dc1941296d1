//! RD New ⇄ WGS84 by the published approximation formulas.
//!
//! Source: F.H. Schreutelkamp and G.L. Strang van Hees, "Benaderingsformules voor de
//! transformatie tussen RD- en WGS84-kaartcoördinaten", Geodesia 2001/2. The two
//! polynomials are developed around the Amersfoort base point and reproduce the full
//! RDNAPTRANS transformation to well under a metre over the RD domain, which is far
//! finer than the generalised CBS polygons and geocoded facility points we hold. We use
//! them instead of a datum-shift library so the build needs no C (PROJ) and the
//! transformation is a few dozen multiplications per point.

use super::{Domain, LonLat, RdPoint};

/// Amersfoort base point, RD.
const X0: f64 = 155_000.0;
const Y0: f64 = 463_000.0;
/// Amersfoort base point, WGS84 degrees.
const PHI0: f64 = 52.155_174_40;
const LAM0: f64 = 5.387_206_21;

/// Area of use of EPSG:28992 (EPSG registry, projected bounds), metres.
pub const RD_DOMAIN: Domain = Domain {
    min_x: -7_000.0,
    min_y: 289_000.0,
    max_x: 300_000.0,
    max_y: 629_000.0,
};

/// The Netherlands with its coastal waters and a margin, WGS84 degrees (lon, lat).
///
/// Wider than EPSG's stated area of use (3.2–7.22 E), which cuts off the eastern tip of
/// Oldambt at 7.2275 E.
pub const WGS84_DOMAIN: Domain = Domain {
    min_x: 3.0,
    min_y: 50.65,
    max_x: 7.3,
    max_y: 53.8,
};

/// (p, q, K_pq) for latitude: Δφ″ = Σ K_pq · dX^p · dY^q.
const K: [(i32, i32, f64); 11] = [
    (0, 1, 3_235.653_89),
    (2, 0, -32.582_97),
    (0, 2, -0.247_50),
    (2, 1, -0.849_78),
    (0, 3, -0.065_50),
    (2, 2, -0.017_09),
    (1, 0, -0.007_38),
    (4, 0, 0.005_30),
    (2, 3, -0.000_39),
    (4, 1, 0.000_33),
    (1, 1, -0.000_12),
];

/// (p, q, L_pq) for longitude: Δλ″ = Σ L_pq · dX^p · dY^q.
const L: [(i32, i32, f64); 12] = [
    (1, 0, 5_260.529_16),
    (1, 1, 105.946_84),
    (1, 2, 2.456_56),
    (3, 0, -0.818_85),
    (1, 3, 0.055_94),
    (3, 1, -0.056_07),
    (0, 1, 0.011_99),
    (3, 2, -0.002_56),
    (1, 4, 0.001_28),
    (0, 2, 0.000_22),
    (2, 0, -0.000_22),
    (5, 0, 0.000_26),
];

/// (p, q, R_pq) for x: X = X0 + Σ R_pq · dφ^p · dλ^q.
const R: [(i32, i32, f64); 9] = [
    (0, 1, 190_094.945),
    (1, 1, -11_832.228),
    (2, 1, -114.221),
    (0, 3, -32.391),
    (1, 0, -0.705),
    (3, 1, -2.340),
    (1, 3, -0.608),
    (0, 2, -0.008),
    (2, 3, 0.148),
];

/// (p, q, S_pq) for y: Y = Y0 + Σ S_pq · dφ^p · dλ^q.
const S: [(i32, i32, f64); 10] = [
    (1, 0, 309_056.544),
    (0, 2, 3_638.893),
    (2, 0, 73.077),
    (1, 2, -157.984),
    (3, 0, 59.788),
    (0, 1, 0.433),
    (2, 2, -6.439),
    (1, 1, -0.032),
    (0, 4, 0.092),
    (1, 4, -0.054),
];

fn poly(terms: &[(i32, i32, f64)], a: f64, b: f64) -> f64 {
    // The powers each series uses (none above the fifth), made once: every box in
    // longitude and latitude a query asks about is drawn in RD point by point.
    let powers = |v: f64| {
        let v2 = v * v;
        [1.0, v, v2, v2 * v, v2 * v2, v2 * v2 * v]
    };
    let (pa, pb) = (powers(a), powers(b));
    terms
        .iter()
        .map(|&(p, q, c)| {
            let power = |table: &[f64; 6], n: i32| table.get(n as usize).copied().unwrap_or(0.0);
            c * power(&pa, p) * power(&pb, q)
        })
        .sum()
}

/// RD New (metres) to WGS84 (degrees).
pub fn rd_to_wgs84(p: RdPoint) -> LonLat {
    let dx = (p.x - X0) * 1e-5;
    let dy = (p.y - Y0) * 1e-5;
    LonLat {
        lat: PHI0 + poly(&K, dx, dy) / 3600.0,
        lon: LAM0 + poly(&L, dx, dy) / 3600.0,
    }
}

/// WGS84 (degrees) to RD New (metres).
pub fn wgs84_to_rd(p: LonLat) -> RdPoint {
    // The formulas take differences in units of 10,000 arc seconds.
    let dphi = 0.36 * (p.lat - PHI0);
    let dlam = 0.36 * (p.lon - LAM0);
    RdPoint {
        x: X0 + poly(&R, dphi, dlam),
        y: Y0 + poly(&S, dphi, dlam),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `poly` reads powers from a table up to the fifth; a term beyond it would count 0.
    #[test]
    fn every_power_of_the_series_is_in_the_table() {
        for terms in [&K[..], &L[..], &R[..], &S[..]] {
            assert!(terms
                .iter()
                .all(|&(p, q, _)| (0..=5).contains(&p) && (0..=5).contains(&q)));
        }
    }

    /// Point 03 (Amersfoort) of the RDNAPTRANS™2008 test sheet (Kadaster/Rijkswaterstaat;
    /// quoted in openearth/matlab-tools, convertCoordinates_test_RDNAPTRANS.m): RD
    /// (155000.0000, 463000.0000) is ETRS89 52.155172897 N, 5.387203657 E. The formulas'
    /// own anchor lies about 0.24 m from it (see tests/crs_reference_points.rs), so near
    /// their origin they must agree with the official transformation to 0.3 m both ways.
    /// The values come from the sheet, not from the constants above.
    #[test]
    fn amersfoort_agrees_with_the_rdnaptrans_test_sheet() {
        let (x, y, lat, lon) = (155_000.0, 463_000.0, 52.155_172_897, 5.387_203_657);
        let w = rd_to_wgs84(RdPoint::new(x, y));
        // Metres per degree at 52.155° N on GRS80 (the usual series): 111,270 north,
        // 68,441 east.
        let off_m = ((w.lat - lat) * 111_270.0).hypot((w.lon - lon) * 68_441.0);
        assert!(off_m < 0.3, "RD→WGS84 {off_m:.3} m from the sheet");
        let r = wgs84_to_rd(LonLat::new(lon, lat));
        let off_m = r.distance_m(RdPoint::new(x, y));
        assert!(off_m < 0.3, "WGS84→RD {off_m:.3} m from the sheet");
    }

    #[test]
    fn round_trip_stays_within_a_decimetre_over_the_domain() {
        let mut worst: f64 = 0.0;
        for x in (0..=280_000).step_by(20_000) {
            for y in (300_000..=620_000).step_by(20_000) {
                let p = RdPoint::new(x as f64, y as f64);
                let back = wgs84_to_rd(rd_to_wgs84(p));
                worst = worst.max(p.distance_m(back));
            }
        }
        assert!(worst < 0.1, "worst round-trip error {worst} m");
    }
}
