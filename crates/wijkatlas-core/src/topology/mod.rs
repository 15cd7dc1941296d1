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

/// Every ring of a coverage as arcs: per area, per polygon, the exterior then the holes.
type CutCoverage = Vec<Vec<Vec<RingArcs>>>;

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
    let mut table = ArcTable::default();
    let cut_rings: CutCoverage = polygons
        .iter()
        .map(|mp| {
            mp.0.iter()
                .map(|p| {
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|r| table.cut(r, &nodes))
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut simplified: Vec<Vec<Coord<f64>>> = table
        .originals
        .iter()
        .map(|a| simplify_arc(a, tolerance))
        .collect();
    let specks = Specks { tolerance };
    restore_collapsing_rings(
        polygons,
        &cut_rings,
        &table.originals,
        &mut simplified,
        specks,
    );
    polygons
        .iter()
        .zip(&cut_rings)
        .map(|(mp, cut_mp)| rebuild(mp, cut_mp, &simplified, specks))
        .collect()
}

/// Every distinct arc once, in its canonical direction, numbered in the order first met.
#[derive(Default)]
struct ArcTable {
    ids: HashMap<Vec<arcs::VertexKey>, usize>,
    originals: Vec<Vec<Coord<f64>>>,
}

impl ArcTable {
    /// The ring as the arcs it runs along, and in which direction; arcs not seen before
    /// are added.
    fn cut(&mut self, ring: &LineString<f64>, nodes: &arcs::Nodes) -> RingArcs {
        arcs::cut(&ring.0, nodes)
            .into_iter()
            .map(|mut arc| {
                let (canonical, reversed) = arcs::canonical(&arc);
                let id = *self.ids.entry(canonical).or_insert_with(|| {
                    if reversed {
                        arc.reverse();
                    }
                    self.originals.push(arc);
                    self.originals.len() - 1
                });
                (id, reversed)
            })
            .collect()
    }
}

/// A ring put back together from its (simplified) arcs, each in the ring's direction.
fn assemble(arcs_of_ring: &[(usize, bool)], simplified: &[Vec<Coord<f64>>]) -> Vec<Coord<f64>> {
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
}

/// The corners of a closed ring (its last vertex repeats the first).
fn distinct(ring: &[Coord<f64>]) -> usize {
    ring.len().saturating_sub(1)
}

/// One ring of an area: `index` 0 is the polygon's exterior, then its holes; `parts`
/// is how many polygons the area has.
#[derive(Clone, Copy)]
struct RingOf<'a> {
    polygon: &'a Polygon<f64>,
    parts: usize,
    index: usize,
}

impl<'a> RingOf<'a> {
    fn original(self) -> &'a LineString<f64> {
        match self.index {
            0 => self.polygon.exterior(),
            k => &self.polygon.interiors()[k - 1],
        }
    }
}

/// Which rings are too small to show at the tolerance, and may go.
#[derive(Clone, Copy)]
struct Specks {
    tolerance: f64,
}

impl Specks {
    /// Whether a ring is a speck: smaller than the tolerance squared, and a hole or an
    /// island beside other parts, never an area's only outline.
    fn is_speck(self, ring: RingOf) -> bool {
        let area = if ring.index == 0 {
            ring.polygon.unsigned_area()
        } else {
            Polygon::new(ring.original().clone(), vec![]).unsigned_area()
        };
        area < self.tolerance * self.tolerance && (ring.index > 0 || ring.parts > 1)
    }
}

/// A ring that would collapse keeps its outline as it is (unless it is a speck that
/// goes, in [`rebuild`]); so must the arcs it shares, on every ring that runs along them, or
/// its neighbours would pull away from it and leave a gap (many small buurten side by
/// side in a city centre made visible holes at country scale).
fn restore_collapsing_rings(
    polygons: &[MultiPolygon<f64>],
    cut_rings: &CutCoverage,
    originals: &[Vec<Coord<f64>>],
    simplified: &mut [Vec<Coord<f64>>],
    specks: Specks,
) {
    for (mp, cut_mp) in polygons.iter().zip(cut_rings) {
        for (p, cut_p) in mp.0.iter().zip(cut_mp) {
            for (index, r) in cut_p.iter().enumerate() {
                let ring = RingOf {
                    polygon: p,
                    parts: mp.0.len(),
                    index,
                };
                if distinct(&assemble(r, simplified)) < 3 && !specks.is_speck(ring) {
                    for &(id, _) in r {
                        simplified[id] = originals[id].clone();
                    }
                }
            }
        }
    }
}

/// One area from its simplified rings: a ring that still collapses is a speck and goes;
/// an area all of whose parts went keeps its largest as it was, so the area stays.
fn rebuild(
    mp: &MultiPolygon<f64>,
    cut_mp: &[Vec<RingArcs>],
    simplified: &[Vec<Coord<f64>>],
    specks: Specks,
) -> MultiPolygon<f64> {
    let mut kept: Vec<Polygon<f64>> =
        mp.0.iter()
            .zip(cut_mp)
            .filter_map(|(polygon, cut_p)| {
                let mut rings = cut_p.iter().enumerate().map(|(index, arcs_of_ring)| {
                    let ring = RingOf {
                        polygon,
                        parts: mp.0.len(),
                        index,
                    };
                    rebuild_ring(ring, arcs_of_ring, simplified, specks)
                });
                // A speck of an island beside larger parts: invisible, dropped.
                let exterior = rings.next().flatten()?;
                Some(Polygon::new(exterior, rings.flatten().collect()))
            })
            .collect();
    if kept.is_empty() {
        if let Some(largest) =
            mp.0.iter()
                .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
        {
            kept.push(largest.clone());
        }
    }
    MultiPolygon(kept)
}

/// A ring from its simplified arcs; as it was when those collapse, or `None` when it is
/// then a speck.
fn rebuild_ring(
    ring: RingOf,
    arcs_of_ring: &[(usize, bool)],
    simplified: &[Vec<Coord<f64>>],
    specks: Specks,
) -> Option<LineString<f64>> {
    let coords = assemble(arcs_of_ring, simplified);
    if distinct(&coords) >= 3 {
        Some(LineString(coords))
    } else if specks.is_speck(ring) {
        None
    } else {
        Some(ring.original().clone())
    }
}

#[cfg(test)]
mod tests;
