use super::*;
use geo::{polygon, BooleanOps};

fn mp(p: Polygon<f64>) -> MultiPolygon<f64> {
    MultiPolygon(vec![p])
}

/// Two synthetic 10 × 10 squares whose common edge at x = 10 zig-zags by ±0.1.
fn zigzag_pair() -> Vec<MultiPolygon<f64>> {
    let left = polygon![
        (x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.1, y: 2.0), (x: 9.9, y: 4.0),
        (x: 10.1, y: 6.0), (x: 9.9, y: 8.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0),
    ];
    let right = polygon![
        (x: 10.0, y: 0.0), (x: 20.0, y: 0.0), (x: 20.0, y: 10.0), (x: 10.0, y: 10.0),
        (x: 9.9, y: 8.0), (x: 10.1, y: 6.0), (x: 9.9, y: 4.0), (x: 10.1, y: 2.0),
    ];
    vec![mp(left), mp(right)]
}

fn vertices(mps: &[MultiPolygon<f64>]) -> usize {
    mps.iter()
        .flat_map(|m| &m.0)
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|h| h.0.len()).sum::<usize>())
        .sum()
}

#[test]
fn a_shared_edge_is_simplified_once_for_both_sides() {
    let input = zigzag_pair();
    let out = simplify_coverage(&input, 0.5);
    assert!(vertices(&out) < vertices(&input));
    let left: Vec<Coord<f64>> = out[0].0[0].exterior().0.clone();
    let right: Vec<Coord<f64>> = out[1].0[0].exterior().0.clone();
    // The zig-zag is gone on both sides: the edge runs straight from (10,0) to (10,10).
    for ring in [&left, &right] {
        assert!(
            ring.iter()
                .all(|c| c.x == 0.0 || c.x == 10.0 || c.x == 20.0),
            "{ring:?}"
        );
    }
    let a = &out[0];
    let b = &out[1];
    assert!(a.intersection(b).unsigned_area() < 1e-9, "no overlap");
    assert!((a.union(b).unsigned_area() - 200.0).abs() < 1e-9, "no gap");
}

#[test]
fn where_three_areas_meet_the_node_stays() {
    // Three synthetic areas: left half, and the right half cut in two at y = 5; the
    // vertical edge wiggles, and (10, 5) is where all three meet.
    let left = polygon![
        (x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.05, y: 2.5), (x: 10.0, y: 5.0),
        (x: 10.05, y: 7.5), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0),
    ];
    let low = polygon![
        (x: 10.0, y: 0.0), (x: 20.0, y: 0.0), (x: 20.0, y: 5.0), (x: 10.0, y: 5.0), (x: 10.05, y: 2.5),
    ];
    let high = polygon![
        (x: 10.0, y: 5.0), (x: 20.0, y: 5.0), (x: 20.0, y: 10.0), (x: 10.0, y: 10.0), (x: 10.05, y: 7.5),
    ];
    let input = vec![mp(left), mp(low), mp(high)];
    let out = simplify_coverage(&input, 1.0);
    let node = Coord { x: 10.0, y: 5.0 };
    for (i, m) in out.iter().enumerate() {
        assert!(
            m.0[0].exterior().0.contains(&node),
            "area {i} lost the node"
        );
    }
    let total: f64 = out.iter().map(|m| m.unsigned_area()).sum();
    assert!((total - 200.0).abs() < 1e-9, "{total}");
    assert!(out[0].intersection(&out[1]).unsigned_area() < 1e-9);
    assert!(out[0].intersection(&out[2]).unsigned_area() < 1e-9);
}

#[test]
fn a_hole_and_the_enclave_filling_it_stay_in_step() {
    // A synthetic area with a wiggly hole, and the enclave that fills the hole exactly
    // (drawn the other way round, as a separate area would be).
    let hole = LineString::from(vec![
        (4.0, 4.0),
        (5.0, 4.05),
        (6.0, 4.0),
        (6.05, 5.0),
        (6.0, 6.0),
        (5.0, 5.95),
        (4.0, 6.0),
        (3.95, 5.0),
        (4.0, 4.0),
    ]);
    let outer = Polygon::new(
        LineString::from(vec![
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (0.0, 0.0),
        ]),
        vec![hole.clone()],
    );
    let mut enclave_ring = hole.0.clone();
    enclave_ring.reverse();
    let enclave = Polygon::new(LineString(enclave_ring), vec![]);
    let out = simplify_coverage(&[mp(outer), mp(enclave)], 0.2);
    let total: f64 = out.iter().map(|m| m.unsigned_area()).sum();
    assert!((total - 100.0).abs() < 1e-9, "{total}");
    assert!(out[0].intersection(&out[1]).unsigned_area() < 1e-9);
    assert!(vertices(&out) < 2 * 9 + 5);
}

#[test]
fn nothing_disappears_and_specks_go() {
    // A synthetic area far smaller than the tolerance keeps its outline…
    let tiny = polygon![(x: 0.0, y: 0.0), (x: 0.5, y: 0.0), (x: 0.5, y: 0.5), (x: 0.0, y: 0.5)];
    let out = simplify_coverage(&[mp(tiny.clone())], 10.0);
    assert_eq!(out[0].0.len(), 1);
    assert!((out[0].unsigned_area() - 0.25).abs() < 1e-12);
    // …but as a speck of an island beside a large part it is dropped.
    let big = polygon![(x: 100.0, y: 0.0), (x: 200.0, y: 0.0), (x: 200.0, y: 100.0), (x: 100.0, y: 100.0)];
    let out = simplify_coverage(&[MultiPolygon(vec![big, tiny.clone()])], 10.0);
    assert_eq!(out[0].0.len(), 1);
    // An area made of specks only keeps its largest.
    let shifted = polygon![(x: 5.0, y: 5.0), (x: 5.2, y: 5.0), (x: 5.2, y: 5.2), (x: 5.0, y: 5.2)];
    let out = simplify_coverage(&[MultiPolygon(vec![shifted, tiny])], 10.0);
    assert_eq!(out[0].0.len(), 1);
    assert!((out[0].unsigned_area() - 0.25).abs() < 1e-12);
}

#[test]
fn zero_tolerance_and_empty_input_change_nothing() {
    let input = zigzag_pair();
    assert_eq!(simplify_coverage(&input, 0.0), input);
    assert!(simplify_coverage(&[], 5.0).is_empty());
    assert_eq!(
        simplify_coverage(&[MultiPolygon(vec![])], 5.0),
        vec![MultiPolygon(vec![])]
    );
}

#[test]
fn tolerance_halves_with_every_zoom_level() {
    let z0 = tolerance_for_zoom(0);
    assert!((z0 - 48_083.0).abs() < 50.0, "{z0}");
    assert!((tolerance_for_zoom(10) * 1024.0 - z0).abs() < 1e-6);
}

/// A small triangle whose two slanted sides zig-zag, between a big area that runs along
/// both of them: at a tolerance larger than the triangle, the triangle would collapse.
#[test]
fn an_area_too_small_to_simplify_keeps_its_neighbour_along_it() {
    // Synthetic: the triangle (10,0)-(12,0)-(11,1.5) with a kink on each slanted side,
    // cut out of the bottom edge of a 20 × 10 area.
    let small = polygon![
        (x: 10.0, y: 0.0), (x: 12.0, y: 0.0), (x: 11.6, y: 0.6), (x: 11.5, y: 0.9),
        (x: 11.0, y: 1.5), (x: 10.5, y: 0.9), (x: 10.4, y: 0.6),
    ];
    let big = polygon![
        (x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.4, y: 0.6), (x: 10.5, y: 0.9),
        (x: 11.0, y: 1.5), (x: 11.5, y: 0.9), (x: 11.6, y: 0.6), (x: 12.0, y: 0.0),
        (x: 20.0, y: 0.0), (x: 20.0, y: 10.0), (x: 0.0, y: 10.0),
    ];
    let input = vec![mp(small.clone()), mp(big)];
    let out = simplify_coverage(&input, 3.0);
    // The triangle keeps its outline, and the big area still runs along every vertex of
    // it: the edge they share was not simplified on one side only.
    assert_eq!(out[0].0[0].exterior(), small.exterior());
    let big_ring = &out[1].0[0].exterior().0;
    for c in &small.exterior().0 {
        assert!(
            big_ring.contains(c),
            "{c:?} is not on the big area: {big_ring:?}"
        );
    }
    // The two together cover what they did: no gap opened between them.
    let before = input[0].union(&input[1]).unsigned_area();
    let after = out[0].union(&out[1]).unsigned_area();
    assert!((after - out[0].unsigned_area() - out[1].unsigned_area()).abs() < 1e-9);
    assert!(after >= before * 0.9, "{after} vs {before}");
}

/// A hole that simplifying would collapse stays as it was when it is larger than the
/// tolerance squared, and goes when it is a speck.
#[test]
fn a_collapsing_hole_stays_unless_it_is_a_speck() {
    // Synthetic: a 200 × 200 square with a 20 × 20 hole and a 1 × 1 hole; at a tolerance
    // of 15 both holes would fold to a line.
    let ring = |x: f64, y: f64, side: f64| {
        LineString::from(vec![
            (x, y),
            (x + side, y),
            (x + side, y + side),
            (x, y + side),
            (x, y),
        ])
    };
    let large = ring(50.0, 50.0, 20.0);
    let speck = ring(150.0, 150.0, 1.0);
    let outer = Polygon::new(ring(0.0, 0.0, 200.0), vec![large.clone(), speck]);
    let out = simplify_coverage(&[mp(outer.clone())], 15.0);
    assert_eq!(out[0].0.len(), 1);
    assert_eq!(out[0].0[0].exterior(), outer.exterior());
    assert_eq!(out[0].0[0].interiors(), [large]);
}
