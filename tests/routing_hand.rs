//! The routing graph on a SYNTHETIC, hand-made extract (`tests/fixtures/osm/
//! synthetic_river.osm`, converted to PBF with osmium at run time): a river with a public
//! bridge, a private bridge, a ferry and a one-way street. Every expected figure below is
//! worked out by hand from the fixture's coordinates:
//!
//! - 0.001° of latitude = 111.1951 m (haversine, R = 6,371,008.8 m), so a bridge or the
//!   ferry (0.002°) is 222.3902 m and the footway (0.001°) 111.1951 m;
//! - 0.001° of longitude = 68.4585 m on the south street (lat 52.000) and 68.4555 m on
//!   the north street (lat 52.002);
//! - walking 5 km/h = 0.72 s/m, cycling 15 km/h = 0.24 s/m, a residential street by car
//!   30 km/h = 0.12 s/m, the bridge (maxspeed 50) 0.072 s/m, the ferry 300 s.

use std::path::{Path, PathBuf};
use std::process::Command;
use wijkatlas::crs::LonLat;
use wijkatlas::routing::{Mode, Networks, RoutingError, Trip};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/osm/synthetic_river.osm"
);

const SOUTH_EW: f64 = 68.4585;
const NORTH_EW: f64 = 68.4555;
const NS: f64 = 111.1951;
const LIMIT: f64 = 500.0;

fn build_pbf(dir: &Path) -> PathBuf {
    let out = dir.join("river.osm.pbf");
    let status = Command::new("osmium")
        .arg("cat")
        .arg(FIXTURE)
        .args(["-f", "pbf", "--overwrite", "-o"])
        .arg(&out)
        .status();
    match status {
        Ok(s) if s.success() => out,
        Ok(s) => panic!("osmium cat failed ({s})"),
        Err(e) => panic!(
            "cannot run osmium ({e}): the routing tests build their fixture with osmium-tool; run `bash scripts/test.sh`, which installs it"
        ),
    }
}

fn networks() -> Networks {
    let dir = tempfile::tempdir().expect("temp dir");
    let pbf = build_pbf(dir.path());
    Networks::from_pbf(&pbf, &Mode::ALL).expect("the fixture builds")
}

/// South street node i (S0..S4), north street node i (N0..N4), the footway's end P.
fn s(i: u32) -> LonLat {
    LonLat::new(4.300 + 0.001 * f64::from(i), 52.000)
}
fn n(i: u32) -> LonLat {
    LonLat::new(4.300 + 0.001 * f64::from(i), 52.002)
}
fn p() -> LonLat {
    LonLat::new(4.302, 51.999)
}

fn trip(net: &Networks, mode: Mode, from: LonLat, to: LonLat) -> Option<Trip> {
    net.get(mode)
        .expect("mode built")
        .trip(from, to, LIMIT)
        .expect("both points snap")
}

#[track_caller]
fn assert_trip(got: Option<Trip>, time_s: f64, length_m: f64) {
    let got = got.expect("reachable");
    assert!(
        (got.time_s - time_s).abs() <= 1e-3 * time_s,
        "time {:.2} s, expected {time_s:.2} s",
        got.time_s
    );
    assert!(
        (got.length_m - length_m).abs() <= 1e-3 * length_m,
        "length {:.2} m, expected {length_m:.2} m",
        got.length_m
    );
}

#[test]
fn degree_two_nodes_are_contracted_per_mode() {
    let net = networks();
    let size = |m| {
        let g = &net.get(m).unwrap().graph;
        (g.node_count(), g.edge_count())
    };
    // Foot: S2 (three ways meet), P (the footway's end), S4 and N4 (walking meets the
    // ferry's pace); S0, N0 and N2 join streets of the same pace and disappear.
    // Edges: S2–P, S2–S4, the ferry S4–N4, and N4–N2–N0–S0–S2 in one.
    assert_eq!(size(Mode::Foot), (4, 4));
    // Bicycle: no footway, so S2 is no junction; only the ferry's ends stay.
    assert_eq!(size(Mode::Bicycle), (2, 2));
    // Car: no ferry; S4 and N4 are dead ends, S0 and N0 join 30 and 50 km/h, N2 joins a
    // two-way and a one-way street.
    assert_eq!(size(Mode::Car), (5, 4));
    // The private bridge's nodes (42) and the river's (31) are in no graph.
    for m in Mode::ALL {
        let g = &net.get(m).unwrap().graph;
        assert_eq!(g.node_of_osm(42), None);
        assert_eq!(g.node_of_osm(31), None);
    }
}

#[test]
fn on_foot_the_ferry_wins_over_the_walk_round() {
    let net = networks();
    // Ferry: 300 s over 222.39 m. Round by the bridge: 4 × 68.4585 + 222.3902 +
    // 4 × 68.4555 = 770.05 m = 554.4 s.
    assert_trip(trip(&net, Mode::Foot, s(4), n(4)), 300.0, 2.0 * NS);
    assert_trip(trip(&net, Mode::Foot, n(4), s(4)), 300.0, 2.0 * NS);
}

#[test]
fn by_bicycle_the_bridge_wins_and_the_one_way_street_is_open_both_ways() {
    let net = networks();
    let round = 4.0 * SOUTH_EW + 2.0 * NS + 4.0 * NORTH_EW; // 770.05 m
    assert_trip(trip(&net, Mode::Bicycle, s(4), n(4)), round * 0.24, round); // 184.81 s
                                                                             // Westward along the one-way street: allowed for bicycles (oneway:bicycle=no).
    assert_trip(trip(&net, Mode::Bicycle, n(4), s(4)), round * 0.24, round);
}

#[test]
fn by_car_no_ferry_and_the_one_way_street_only_eastward() {
    let net = networks();
    // S4 → S0 (273.83 m at 30 km/h) → bridge (222.39 m at 50) → N0 → N4 (273.82 m at 30).
    let streets = 4.0 * SOUTH_EW + 4.0 * NORTH_EW;
    let time = streets * 0.12 + 2.0 * NS * 0.072; // 81.73 s
    assert_trip(trip(&net, Mode::Car, s(4), n(4)), time, streets + 2.0 * NS);
    // N4 can only be left westward, against the one-way street, and the ferry takes no
    // cars: S4 cannot be reached.
    assert_eq!(trip(&net, Mode::Car, n(4), s(4)), None);
    // N2 → N4 is with the one-way direction: 2 × 68.4555 m at 30 km/h.
    assert_trip(
        trip(&net, Mode::Car, n(2), n(4)),
        2.0 * NORTH_EW * 0.12,
        2.0 * NORTH_EW,
    );
}

#[test]
fn nobody_crosses_the_private_bridge() {
    let net = networks();
    // P → S2 → S0 → bridge → N0 → N2: 111.1951 + 136.917 + 222.3902 + 136.911 = 607.41 m,
    // 437.34 s on foot. Over the private bridge it would be 333.59 m (240.2 s); via the
    // ferry 385.02 m of walking + 300 s = 577.2 s.
    let walk = NS + 2.0 * SOUTH_EW + 2.0 * NS + 2.0 * NORTH_EW;
    assert_trip(trip(&net, Mode::Foot, p(), n(2)), walk * 0.72, walk);
}

#[test]
fn the_distance_to_the_network_is_added_and_a_far_point_is_refused() {
    let net = networks();
    // 0.00045° south of S1 = 50.04 m off the south street; then S1 → S0 (68.4585 m) and
    // the bridge (222.3902 m) to N0: 340.89 m walked, 245.44 s.
    let off = 0.45 * NS;
    let from = LonLat::new(4.301, 52.000 - 0.00045);
    let walk = off + SOUTH_EW + 2.0 * NS;
    assert_trip(trip(&net, Mode::Foot, from, n(0)), walk * 0.72, walk);
    // 0.008° north of the north street is 889.6 m from any road: not snapped.
    let far = LonLat::new(4.302, 52.010);
    match net.get(Mode::Foot).unwrap().trip(far, n(0), LIMIT) {
        Err(RoutingError::From { mode, source }) => {
            assert_eq!(mode, Mode::Foot);
            assert_eq!(source.limit_m, LIMIT);
        }
        other => panic!("expected the start to be refused, got {other:?}"),
    }
    // With a limit of 1 km it snaps, 889.56 m off, to the north street.
    let snap = net
        .get(Mode::Foot)
        .unwrap()
        .snap(far, 1000.0)
        .expect("within 1 km");
    assert!((snap.off_m - 8.0 * NS).abs() < 0.5, "{}", snap.off_m);
}

#[test]
fn one_search_gives_everyone_their_nearest_facility() {
    let net = networks();
    let foot = net.get(Mode::Foot).unwrap();
    // Two facilities: 0 at S4, 1 at N0.
    let catchment = foot
        .towards(&[s(4), n(0)], LIMIT, f64::INFINITY)
        .expect("no deadline here");
    assert!(catchment.unsnapped.is_empty());
    let nearest = |at| catchment.from(at, LIMIT).expect("snaps").expect("reaches");
    // P → S2 → S4: 111.1951 + 136.917 = 248.11 m (to N0 it is 470.50 m).
    let (which, t) = nearest(p());
    assert_eq!(which, 0);
    assert!((t.length_m - (NS + 2.0 * SOUTH_EW)).abs() < 0.3, "{t:?}");
    // N2 → N0: 136.91 m (to S4 by ferry: 136.91 m + 300 s).
    let (which, t) = nearest(n(2));
    assert_eq!(which, 1);
    assert!((t.time_s - 2.0 * NORTH_EW * 0.72).abs() < 0.2, "{t:?}");
    // On the same edge as facility 1, between it and N2: N1 → N0 directly, 68.46 m.
    let (which, t) = nearest(n(1));
    assert_eq!(which, 1);
    assert!((t.length_m - NORTH_EW).abs() < 0.3, "{t:?}");
    // By car, towards facility 0 (S4) from N4: impossible (one-way, no ferry); the
    // other facility, N0, is not reachable from N4 either.
    let car = net
        .get(Mode::Car)
        .unwrap()
        .towards(&[s(4), n(0)], LIMIT, f64::INFINITY)
        .expect("no deadline here");
    assert_eq!(car.from(n(4), LIMIT).expect("snaps"), None);
    // From N2 by car: N0 is 136.91 m away at 30 km/h.
    let (which, t) = car.from(n(2), LIMIT).expect("snaps").expect("reaches");
    assert_eq!(which, 1);
    assert!((t.time_s - 2.0 * NORTH_EW * 0.12).abs() < 0.1, "{t:?}");
}

#[test]
fn an_isochrone_is_the_network_reached_in_time() {
    let net = networks();
    let foot = net.get(Mode::Foot).unwrap();
    // Two minutes on foot from P: 166.67 m. P → S2 is 111.1951 m (80.06 s); the 39.94 s
    // left reach 55.47 m towards S0 and 55.47 m towards S4: 222.14 m of lines.
    let lines = foot.isochrone(p(), LIMIT, 120.0).expect("P snaps");
    let metres: f64 = lines
        .iter()
        .flat_map(|l| l.windows(2))
        .map(|w| haversine(w[0], w[1]))
        .sum();
    assert!(
        (metres - (NS + 2.0 * 55.47)).abs() < 1.0,
        "{metres} m in {lines:?}"
    );
    // Nothing north of the river: the bridge is 136.9 m further than reached.
    assert!(lines.iter().flatten().all(|q| q.lat < 52.0005), "{lines:?}");
}

fn haversine(a: LonLat, b: LonLat) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((b.lon - a.lon).to_radians() / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// The network indicators of `wijkatlas::analysis::network` on the river, against the
/// figures worked out by hand (facility at S4; walking 0.72 s/m, cycling 0.24 s/m, the
/// stretch off the network at the mode's pace):
///
/// - P walks P → S2 → S4: 111.1951 + 136.917 = 248.112 m, 178.641 s; it cycles from the
///   south street (P is 111.195 m off it: 26.687 s) 136.917 m more: 59.547 s.
/// - N2 walks to N4 (136.911 m, 98.576 s) and takes the ferry (300 s): 398.576 s over
///   359.301 m; it cycles round by the bridge, 633.135 m in 151.952 s.
/// - Q, 0.004° north of N2 (444.780 m off the north street), adds 320.242 s walking
///   (718.818 s over 804.082 m: between 10 and 15 minutes) or 106.747 s cycling
///   (258.700 s over 1,077.916 m).
/// - S0 walks 4 × 68.4585 = 273.834 m to S4: 197.161 s.
/// - The far point, 890 m from any road, is not snapped: it is counted off the network
///   and adds nothing.
#[test]
fn network_indicators_per_area_by_hand() {
    use wijkatlas::analysis::network::{total_within, LevelNetwork};
    let net = networks();
    let q = LonLat::new(4.302, 52.006);
    let far = LonLat::new(4.302, 52.010);
    // Area 0 (1,000 people): P and N2, half each. Area 1 (400): Q 3/4, the far point 1/4.
    // Area 2 (population unpublished): S0. Area 3 (outside the coverage): S0.
    let points = [
        (0, p(), 0.5),
        (0, n(2), 0.5),
        (1, q, 0.75),
        (1, far, 0.25),
        (2, s(0), 1.0),
        (3, s(0), 1.0),
    ];
    let population = [Some(1000.0), Some(400.0), None, Some(50.0)];
    let measured = [true, true, true, false];
    let close = |got: Option<f64>, want: f64, tol: f64| {
        let got = got.expect("a figure");
        assert!(
            (got - want).abs() <= tol,
            "got {got:.3}, expected {want:.3}"
        );
    };

    let foot = LevelNetwork::new(net.get(Mode::Foot).unwrap(), &points, 4, LIMIT);
    assert_eq!(foot.points(), 6);
    assert_eq!(foot.off_network(), 1, "the far point only");
    let m = foot
        .measure(&[s(4)], &population, &measured)
        .expect("no deadline here");
    assert_eq!(m.facilities_off_network, 0);
    assert_eq!(m.points_beyond, 0);
    close(m.areas[0].time_s, (178.641 + 398.576) / 2.0, 0.3);
    close(m.areas[0].length_m, (248.112 + 359.301) / 2.0, 0.3);
    assert_eq!(m.areas[0].people_within, Some([1000.0; 3]));
    // Area 1: the mean over the point that is on the network (its weight renormalised).
    close(m.areas[1].time_s, 718.818, 0.5);
    close(m.areas[1].length_m, 804.082, 0.5);
    assert_eq!(m.areas[1].people_within, Some([0.0, 300.0, 300.0]));
    close(m.areas[2].time_s, 197.161, 0.2);
    assert_eq!(m.areas[2].people_within, None, "no published population");
    assert_eq!(m.areas[3], Default::default(), "not measured");
    assert_eq!(total_within(&m), [1000.0, 1300.0, 1300.0]);

    let bike = LevelNetwork::new(net.get(Mode::Bicycle).unwrap(), &points, 4, LIMIT);
    let m = bike
        .measure(&[s(4)], &population, &measured)
        .expect("no deadline here");
    close(m.areas[0].time_s, (59.547 + 151.952) / 2.0, 0.3);
    close(m.areas[0].length_m, (248.112 + 633.135) / 2.0, 0.3);
    close(m.areas[1].time_s, 258.700, 0.3);
    close(m.areas[1].length_m, 1077.916, 0.5);
    assert_eq!(m.areas[1].people_within, Some([300.0; 3]));

    // A what-if: a second facility placed at N2 is one more seed. Q then walks
    // 444.780 m to it (320.242 s, within 10 minutes) and N2 is on it.
    let m = foot
        .measure(&[s(4), n(2)], &population, &measured)
        .expect("no deadline here");
    close(m.areas[1].time_s, 320.242, 0.3);
    close(m.areas[0].time_s, 178.641 / 2.0, 0.3);
    assert_eq!(total_within(&m), [1300.0; 3]);
    // A facility in the water is reported, not snapped.
    let m = foot
        .measure(&[s(4), far], &population, &measured)
        .expect("no deadline here");
    assert_eq!(m.facilities_off_network, 1);
}

/// The indicator searches stop at 20 minutes. On a SYNTHETIC straight street of 0.040°
/// along 52°N (2,738.34 m; built in memory, 68.4585 m per 0.001°) with one facility at
/// its west end, walking (0.72 s/m):
///
/// - a point 0.005° east walks 342.293 m, 246.451 s; one 0.035° east 2,396.05 m,
///   1,725.15 s: beyond 20 minutes. Their area (half the people each) gets no mean (the
///   old unbounded mean, 985.8 s, would pass for a figure; a mean over the first alone,
///   246 s, would be too low), but half its people beyond, and 500 of its 1,000 people
///   within 10, 15 and 20 minutes, as before;
/// - a point 0.010° east (684.585 m, 492.901 s) is its area's mean alone, none beyond.
///
/// Cycling (0.24 s/m) the far point takes 575.05 s: every area has its mean.
#[test]
fn an_area_with_people_beyond_twenty_minutes_is_labelled_not_averaged() {
    use wijkatlas::analysis::network::{LevelNetwork, BOUND_S};
    use wijkatlas::load::{RawWay, RawWays};
    use wijkatlas::routing::profile::way_rules;
    use wijkatlas::routing::{Graph, Network};
    assert_eq!(BOUND_S, 1200.0);
    let at = |k: i32| [43_000_000 + k * 10_000, 520_000_000];
    let raw = RawWays {
        ways: vec![RawWay {
            osm_id: 1,
            rules: way_rules(&[("highway", "residential")]).expect("routable"),
            start: 0,
            end: 41,
        }],
        refs: (0..41).collect(),
        node_ids: (1..=41).collect(),
        positions: (0..41).map(at).collect(),
    };
    let west = LonLat::new(4.300, 52.000);
    let east = |d: f64| LonLat::new(4.300 + d, 52.000);
    let points = [
        (0, east(0.005), 0.5),
        (0, east(0.035), 0.5),
        (1, east(0.010), 1.0),
    ];
    let population = [Some(1000.0), Some(200.0)];
    let measured = [true, true];
    let close = |got: Option<f64>, want: f64| {
        let got = got.expect("a figure");
        assert!(
            (got - want).abs() <= 0.2,
            "got {got:.3}, expected {want:.3}"
        );
    };

    let foot = Network::new(Graph::build(&raw, Mode::Foot));
    let level = LevelNetwork::new(&foot, &points, 2, LIMIT);
    assert_eq!(level.off_network(), 0);
    let m = level
        .measure(&[west], &population, &measured)
        .expect("no deadline here");
    assert_eq!(m.points_beyond, 1, "the far point");
    assert_eq!(
        m.areas[0].time_s, None,
        "no mean with people beyond 20 minutes"
    );
    assert_eq!(m.areas[0].length_m, None);
    assert_eq!(m.areas[0].beyond_share, Some(0.5));
    assert_eq!(m.areas[0].people_within, Some([500.0; 3]));
    close(m.areas[1].time_s, 492.901);
    close(m.areas[1].length_m, 684.585);
    assert_eq!(m.areas[1].beyond_share, Some(0.0));
    assert_eq!(m.areas[1].people_within, Some([200.0; 3]));

    let bike = Network::new(Graph::build(&raw, Mode::Bicycle));
    let m = LevelNetwork::new(&bike, &points, 2, LIMIT)
        .measure(&[west], &population, &measured)
        .expect("no deadline here");
    assert_eq!(m.points_beyond, 0);
    close(m.areas[0].time_s, (82.150 + 575.052) / 2.0);
    close(m.areas[0].length_m, (342.293 + 2396.048) / 2.0);
    assert_eq!(m.areas[0].beyond_share, Some(0.0));
    assert_eq!(m.areas[0].people_within, Some([1000.0; 3]));
}

#[test]
fn searches_stop_when_the_deadline_has_passed() {
    use std::time::Duration;
    use wijkatlas::deadline::{Deadline, Stopped};
    let net = networks();
    let foot = net.get(Mode::Foot).unwrap();
    // Inside a run whose deadline has passed, each search itself answers Stopped.
    let passed = Deadline::after(Duration::ZERO);
    let mut towards = None;
    let mut from_point = None;
    let mut trip = None;
    let after = passed.run(|| {
        towards = Some(foot.towards(&[s(4)], LIMIT, f64::INFINITY).map(|_| ()));
        from_point = Some(foot.from_point(p(), LIMIT, 600.0).map(|_| ()));
        trip = Some(foot.trip(p(), n(0), LIMIT));
    });
    assert_eq!(after, Err(Stopped));
    assert_eq!(towards, Some(Err(Stopped)));
    assert!(
        matches!(from_point, Some(Err(RoutingError::Stopped(_)))),
        "{from_point:?}"
    );
    assert!(
        matches!(trip, Some(Err(RoutingError::Stopped(_)))),
        "{trip:?}"
    );
    // With time left, the same searches answer.
    let mut trip = None;
    let ok = Deadline::after(Duration::from_secs(60)).run(|| {
        trip = Some(foot.trip(p(), n(0), LIMIT));
    });
    assert_eq!(ok, Ok(()));
    assert!(matches!(trip, Some(Ok(Some(_)))), "{trip:?}");
}
