//! Polygon rings into tile pixels: clipped to the tile and its buffer, snapped to the
//! integer grid, and wound as the MVT spec asks.
//!
//! Clipping is Sutherland–Hodgman against the buffered square, which is exact for a
//! convex window: a ring cut by the window follows the window's edge, so two areas that
//! share an edge still share it after clipping (both are cut at the same points).

/// A point in tile pixels (0..extent, y down).
pub type Px = (f64, f64);

/// One side of the clipping square: which axis, and whether inside is above or below.
#[derive(Clone, Copy)]
enum Side {
    MinX(f64),
    MaxX(f64),
    MinY(f64),
    MaxY(f64),
}

impl Side {
    fn inside(self, p: Px) -> bool {
        match self {
            Side::MinX(m) => p.0 >= m,
            Side::MaxX(m) => p.0 <= m,
            Side::MinY(m) => p.1 >= m,
            Side::MaxY(m) => p.1 <= m,
        }
    }

    /// Where the segment a–b crosses this side (a and b lie on either side of it).
    fn cross(self, a: Px, b: Px) -> Px {
        match self {
            Side::MinX(x) | Side::MaxX(x) => (x, a.1 + (x - a.0) / (b.0 - a.0) * (b.1 - a.1)),
            Side::MinY(y) | Side::MaxY(y) => (a.0 + (y - a.1) / (b.1 - a.1) * (b.0 - a.0), y),
        }
    }
}

/// Clips a closed ring (first point not repeated) to the square `min..=max` on both axes.
pub fn clip_ring(ring: &[Px], min: f64, max: f64) -> Vec<Px> {
    let mut out: Vec<Px> = ring.to_vec();
    for side in [
        Side::MinX(min),
        Side::MaxX(max),
        Side::MinY(min),
        Side::MaxY(max),
    ] {
        let Some(&last) = out.last() else { break };
        let input = std::mem::take(&mut out);
        let mut prev = last;
        for &cur in &input {
            match (side.inside(cur), side.inside(prev)) {
                (true, true) => out.push(cur),
                (true, false) => {
                    out.push(side.cross(prev, cur));
                    out.push(cur);
                }
                (false, true) => out.push(side.cross(prev, cur)),
                (false, false) => {}
            }
            prev = cur;
        }
    }
    out
}

/// Snaps to whole pixels and drops repeated points; `None` when nothing with an area is
/// left (a ring smaller than a pixel, or one clipped away).
pub fn snap(ring: &[Px]) -> Option<Vec<(i32, i32)>> {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(ring.len());
    for &(x, y) in ring {
        // Tile pixels are within a few times the extent, so the casts cannot overflow.
        let p = (x.round() as i32, y.round() as i32);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    (out.len() >= 3 && twice_area(&out) != 0).then_some(out)
}

/// Twice the signed area, in tile pixels (y down): positive is clockwise on screen,
/// which MVT 2.1 asks of exterior rings.
pub fn twice_area(ring: &[(i32, i32)]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (x0, y0) = ring[i];
            let (x1, y1) = ring[(i + 1) % n];
            i64::from(x0) * i64::from(y1) - i64::from(x1) * i64::from(y0)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_inside_stays_as_it_is() {
        let r = [(10.0, 10.0), (20.0, 10.0), (20.0, 20.0)];
        assert_eq!(clip_ring(&r, 0.0, 100.0), r.to_vec());
    }

    #[test]
    fn a_ring_across_the_edge_is_cut_at_the_edge() {
        let r = [(-50.0, 10.0), (50.0, 10.0), (50.0, 30.0), (-50.0, 30.0)];
        let c = clip_ring(&r, 0.0, 100.0);
        let s = snap(&c).unwrap();
        assert_eq!(s.len(), 4);
        assert!(s.contains(&(0, 10)) && s.contains(&(0, 30)), "{s:?}");
        assert_eq!(twice_area(&s).abs(), 2 * 50 * 20);
    }

    #[test]
    fn a_ring_outside_is_gone() {
        let r = [(200.0, 10.0), (300.0, 10.0), (300.0, 30.0)];
        assert!(clip_ring(&r, 0.0, 100.0).is_empty() || snap(&clip_ring(&r, 0.0, 100.0)).is_none());
    }

    #[test]
    fn neighbours_cut_by_the_edge_still_share_their_edge() {
        // Two squares sharing the edge x = 50, both running past the tile's top edge.
        let left = [(10.0, -40.0), (50.0, -40.0), (50.0, 60.0), (10.0, 60.0)];
        let right = [(50.0, -40.0), (90.0, -40.0), (90.0, 60.0), (50.0, 60.0)];
        let l = snap(&clip_ring(&left, 0.0, 100.0)).unwrap();
        let r = snap(&clip_ring(&right, 0.0, 100.0)).unwrap();
        let on_edge = |ring: &[(i32, i32)]| {
            let mut v: Vec<_> = ring.iter().filter(|p| p.0 == 50).copied().collect();
            v.sort();
            v
        };
        assert_eq!(on_edge(&l), on_edge(&r), "{l:?} {r:?}");
        assert_eq!(on_edge(&l), [(50, 0), (50, 60)]);
    }

    #[test]
    fn a_sliver_below_a_pixel_is_dropped() {
        let r = [(10.0, 10.0), (10.3, 10.2), (10.1, 10.4)];
        assert_eq!(snap(&r), None);
    }
}
