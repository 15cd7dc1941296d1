//! Topology-safe simplification of a polygon coverage, for light overviews.
//!
//! Simplifying each polygon on its own moves a shared edge differently on its two
//! sides and opens slivers and gaps between neighbours. Here every ring is cut into
//! arcs at nodes (see [`arcs`]), each distinct arc is simplified once with
//! Douglas–Peucker keeping its end nodes, and every ring is rebuilt from the simplified
//! arcs in its own direction: two areas that shared an edge share the same simplified
//! edge, vertex for vertex.
//!
//! Guarantees and limits: nodes never move, so the pattern of who borders whom stays;
//! an exterior ring that would collapse (fewer than three corners) keeps its original
//! vertices, so no area disappears; a hole or island that collapses and is smaller
//! than the tolerance squared is dropped. Douglas–Peucker can, at large tolerances,
//! make an arc cross a nearby arc; at the tolerances used (half a screen pixel) that
//! stays below what a map shows.

mod arcs;

use geo::{Area, Coord, LineString, MultiPolygon, Polygon, Simplify};
use std::collections::HashMap;

/// Metres in RD for half a 256-pixel Web Mercator tile pixel at zoom `zoom` at 52.1°N,
/// the middle of the Netherlands: what a map at that zoom cannot show.
pub fn tolerance_for_zoom(zoom: u8) -> f64 {
    const EQUATOR_METRES_PER_PIXEL: f64 = 156_543.033_928;
    let at_latitude = EQUATOR_METRES_PER_PIXEL * 52.1_f64.to_radians().cos();
    at_latitude / 2f64.powi(i32::from(zoom)) / 2.0
}

/// Simplifies an open arc keeping both ends; a closed one is split at its far point
/// first, so that point and the start both stay.
fn simplify_arc(arc: &[Coord<f64>], tolerance: f64) -> Vec<Coord<f64>> {
    if arc.len() <= 2 {
        return arc.to_vec();
    }
    let closed = arc.first() == arc.last();
    if closed {
        let start = arc[0];
        let far = (1..arc.len() - 1)
            .max_by(|&a, &b| {
                let d = |i: usize| (arc[i].x - start.x).hypot(arc[i].y - start.y);
                d(a).total_cmp(&d(b))
            })
            .unwrap_or(1);
        let mut first = simplify_arc(&arc[..=far], tolerance);
        let second = simplify_arc(&arc[far..], tolerance);
        first.extend_from_slice(&second[1..]);
        return first;
    }
    LineString(arc.to_vec()).simplify(tolerance).0
}

/// A ring as the arcs it runs along: each arc's number and whether it is walked backwards.
type RingArcs = Vec<(usize, bool)>;

/// Simplifies every polygon of a coverage with `tolerance` (in the coordinates' units),
/// keeping shared edges shared. The output is in the input's order.
pub fn simplify_coverage(polygons: &[MultiPolygon<f64>], tolerance: f64) -> Vec<MultiPolygon<f64>> {
    if tolerance <= 0.0 {
        return polygons.to_vec();
    }
    let rings = polygons.iter().flat_map(|mp| {
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|r| r.0.as_slice())
    });
    let nodes = arcs::Nodes::find(rings);
    // Every distinct arc once (in its canonical direction) with its simplification; each
    // ring as the arcs it runs along, and in which direction.
    let mut arc_ids: HashMap<Vec<arcs::VertexKey>, usize> = HashMap::new();
    let mut originals: Vec<Vec<Coord<f64>>> = Vec::new();
    let mut cut = |r: &LineString<f64>| -> Vec<(usize, bool)> {
        arcs::cut(&r.0, &nodes)
            .into_iter()
            .map(|mut arc| {
                let (canonical, reversed) = arcs::canonical(&arc);
                let id = *arc_ids.entry(canonical).or_insert_with(|| {
                    if reversed {
                        arc.reverse();
                    }
                    originals.push(arc);
                    originals.len() - 1
                });
                (id, reversed)
            })
            .collect()
    };
    let cut_rings: Vec<Vec<Vec<RingArcs>>> = polygons
        .iter()
        .map(|mp| {
            mp.0.iter()
                .map(|p| {
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(&mut cut)
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut simplified: Vec<Vec<Coord<f64>>> = originals
        .iter()
        .map(|a| simplify_arc(a, tolerance))
        .collect();
    let assemble = |arcs_of_ring: &[(usize, bool)], simplified: &[Vec<Coord<f64>>]| {
        let mut out: Vec<Coord<f64>> = Vec::new();
        for &(id, reversed) in arcs_of_ring {
            let mut piece = simplified[id].clone();
            if reversed {
                piece.reverse();
            }
            // Each arc starts where the previous one ended.
            let skip = usize::from(!out.is_empty());
            out.extend_from_slice(&piece[skip.min(piece.len())..]);
        }
        out
    };
    // A ring that would collapse keeps its outline as it is (unless it is a speck that
    // goes, below); so must the arcs it shares, on every ring that runs along them, or its
    // neighbours would pull away from it and leave a gap (many small buurten side by side
    // in a city centre made visible holes at country scale).
    let speck = |p: &Polygon<f64>, parts: usize, ring: usize| -> bool {
        let area = if ring == 0 {
            p.unsigned_area()
        } else {
            Polygon::new(p.interiors()[ring - 1].clone(), vec![]).unsigned_area()
        };
        area < tolerance * tolerance && (ring > 0 || parts > 1)
    };
    for (mp, cut_mp) in polygons.iter().zip(&cut_rings) {
        for (p, cut_p) in mp.0.iter().zip(cut_mp) {
            for (k, r) in cut_p.iter().enumerate() {
                if assemble(r, &simplified).len().saturating_sub(1) < 3 && !speck(p, mp.0.len(), k)
                {
                    for &(id, _) in r {
                        simplified[id] = originals[id].clone();
                    }
                }
            }
        }
    }
    let distinct = |c: &[Coord<f64>]| c.len().saturating_sub(1);
    polygons
        .iter()
        .zip(&cut_rings)
        .map(|(mp, cut_mp)| {
            let polys = mp.0.iter().zip(cut_mp).filter_map(|(p, cut_p)| {
                let exterior = assemble(&cut_p[0], &simplified);
                let exterior = if distinct(&exterior) >= 3 {
                    LineString(exterior)
                } else if speck(p, mp.0.len(), 0) {
                    // A speck of an island beside larger parts: invisible, dropped.
                    return None;
                } else {
                    p.exterior().clone()
                };
                let holes = p
                    .interiors()
                    .iter()
                    .enumerate()
                    .filter_map(|(k, h)| {
                        let simplified = assemble(&cut_p[k + 1], &simplified);
                        if distinct(&simplified) >= 3 {
                            Some(LineString(simplified))
                        } else if speck(p, mp.0.len(), k + 1) {
                            None
                        } else {
                            Some(h.clone())
                        }
                    })
                    .collect();
                Some(Polygon::new(exterior, holes))
            });
            let mut kept: Vec<Polygon<f64>> = polys.collect();
            if kept.is_empty() {
                // Every part was a speck: keep the largest as it was, so the area stays.
                if let Some(largest) =
                    mp.0.iter()
                        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
                {
                    kept.push(largest.clone());
                }
            }
            MultiPolygon(kept)
        })
        .collect()
}

#[cfg(test)]
mod tests;
