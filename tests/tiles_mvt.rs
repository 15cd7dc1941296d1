//! Vector tiles from a real server, decoded by an independent decoder
//! (@mapbox/vector-tile, run by web/e2e/decode_mvt.mjs), against the same features as
//! GeoJSON.

mod common;
use common::Server;
use serde_json::Value;
use std::collections::HashMap;
use std::process::Command;

/// The XYZ tile holding a lon/lat at zoom z (the OSM formula).
fn tile_of(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let lat = lat.to_radians();
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x as u32, y as u32)
}

fn fetch(server: &Server, path: &str) -> (u16, String, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent.get(&server.url(path)).call().expect("request");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = r
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .expect("body");
    (status, ct, body)
}

fn decode(bytes: &[u8], z: u8, x: u32, y: u32) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("tile.mvt");
    std::fs::write(&file, bytes).expect("write");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("node")
        .arg("e2e/decode_mvt.mjs")
        .arg(&file)
        .args([z.to_string(), x.to_string(), y.to_string()])
        .current_dir(root.join("web"))
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "decoder: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("decoder JSON")
}

#[test]
fn a_tile_of_baarn_decodes_to_the_same_wijken_as_the_geojson() {
    let server = Server::start(&[]);
    // Zoom 9: Baarn lies well inside one tile (from zoom 8 on a tile edge runs through it).
    let z = 9;
    let (x, y) = tile_of(5.2870, 52.2117, z);
    let (status, ct, bytes) = fetch(
        &server,
        &format!("/collections/wijken/tiles/WebMercatorQuad/{z}/{y}/{x}"),
    );
    assert_eq!(status, 200);
    assert_eq!(ct, "application/vnd.mapbox-vector-tile");
    let tile = decode(&bytes, z, x, y);
    let layer = &tile["wijken"];
    assert_eq!(layer["version"], 2);
    assert_eq!(layer["extent"], 4096);
    let decoded: HashMap<String, &Value> = layer["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| (f["properties"]["id"].as_str().expect("id").to_string(), f))
        .collect();
    let baarn = server.json("/collections/wijken/items?gemeentecode=GM0308&zoom=9");
    let wijken = baarn["features"].as_array().expect("features");
    assert!(wijken.len() >= 5, "Baarn has its wijken");
    let mut fully_inside = 0;
    for w in wijken {
        let code = w["id"].as_str().unwrap();
        // The decoded outline covers the same ground: bounding boxes agree to within
        // a few tile units (one unit is about 12 m at zoom 9).
        let bbox = |g: &Value| {
            let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
            let mut visit = |p: &Value| {
                if let (Some(x), Some(y)) = (p[0].as_f64(), p[1].as_f64()) {
                    b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
                }
            };
            fn walk(v: &Value, f: &mut dyn FnMut(&Value)) {
                match v.as_array() {
                    Some(a) if a.first().is_some_and(Value::is_number) => f(v),
                    Some(a) => a.iter().for_each(|c| walk(c, f)),
                    None => {}
                }
            }
            walk(&g["coordinates"], &mut visit);
            b
        };
        // The tile holds the outline cut at its edge plus the buffer (64 of 4096 units):
        // a wijk inside that window must come out with the same bounding box; one that
        // crosses it, with a box inside its own.
        let n = f64::from(1u32 << z);
        let lon = |x: f64| x / n * 360.0 - 180.0;
        let lat = |y: f64| {
            (std::f64::consts::PI * (1.0 - 2.0 * y / n))
                .sinh()
                .atan()
                .to_degrees()
        };
        let pad = 64.0 / 4096.0;
        let window = [
            lon(f64::from(x) - pad),
            lat(f64::from(y) + 1.0 + pad),
            lon(f64::from(x) + 1.0 + pad),
            lat(f64::from(y) - pad),
        ];
        let a = bbox(&w["geometry"]);
        if a[0] > window[2] || a[2] < window[0] || a[1] > window[3] || a[3] < window[1] {
            assert!(
                !decoded.contains_key(code),
                "{code} lies outside the tile but is in it"
            );
            continue;
        }
        let f = decoded
            .get(code)
            .unwrap_or_else(|| panic!("{code} is in the tile"));
        assert_eq!(f["type"], 3, "{code} is a polygon");
        for key in ["naam", "inwoners", "gemeentecode", "ziekenhuis_rang"] {
            let want = &w["properties"][key];
            let got = &f["properties"][key];
            let same = match (want.as_f64(), got.as_f64()) {
                (Some(a), Some(b)) => (a - b).abs() < 1e-9,
                _ => want == got,
            };
            assert!(same, "{code} {key}: GeoJSON {want}, tile {got}");
        }
        let b = bbox(&f["geojson"]);
        let inside =
            a[0] >= window[0] && a[1] >= window[1] && a[2] <= window[2] && a[3] <= window[3];
        const TOLERANCE: f64 = 2e-4; // about 20 m, two tile units at zoom 9
        if inside {
            fully_inside += 1;
            for i in 0..4 {
                assert!(
                    (a[i] - b[i]).abs() < TOLERANCE,
                    "{code} bbox {a:?} vs tile {b:?}"
                );
            }
        } else {
            assert!(
                b[0] >= a[0] - TOLERANCE
                    && b[1] >= a[1] - TOLERANCE
                    && b[2] <= a[2] + TOLERANCE
                    && b[3] <= a[3] + TOLERANCE,
                "{code}, cut by the tile: {b:?} should lie within {a:?}"
            );
        }
    }
    assert!(
        fully_inside >= 3,
        "most of Baarn lies inside this tile: {fully_inside}"
    );
}

type Pt = (i64, i64);
/// Segments by grid cell: (feature, start, end).
type SegmentGrid = HashMap<(i64, i64), Vec<(usize, Pt, Pt)>>;

/// Whether p lies on the segment a–b, exactly (integer tile units).
fn on_segment(p: Pt, a: Pt, b: Pt) -> bool {
    let cross = (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
    cross == 0
        && p.0 >= a.0.min(b.0)
        && p.0 <= a.0.max(b.0)
        && p.1 >= a.1.min(b.1)
        && p.1 <= a.1.max(b.1)
}

/// Of the vertices inside the tile, the share that lies exactly on another feature's
/// outline: where neighbours meet without a gap or an overlap, their outlines pass
/// through each other's vertices.
fn share_on_a_neighbour(features: &[Vec<Vec<Pt>>], shift: i64) -> (usize, usize) {
    const CELL: i64 = 64;
    let mut grid: SegmentGrid = HashMap::new();
    for (n, rings) in features.iter().enumerate() {
        // `shift` moves every other feature by that many units on both axes: the check
        // must see it.
        let d = if n % 2 == 1 { shift } else { 0 };
        for ring in rings {
            let closed: Vec<Pt> = ring
                .iter()
                .chain(ring.first())
                .map(|p| (p.0 + d, p.1))
                .collect();
            for w in closed.windows(2) {
                let (a, b) = (w[0], w[1]);
                for cx in a.0.min(b.0).div_euclid(CELL)..=a.0.max(b.0).div_euclid(CELL) {
                    for cy in a.1.min(b.1).div_euclid(CELL)..=a.1.max(b.1).div_euclid(CELL) {
                        grid.entry((cx, cy)).or_default().push((n, a, b));
                    }
                }
            }
        }
    }
    let (mut on, mut all) = (0, 0);
    for (n, rings) in features.iter().enumerate() {
        let d = if n % 2 == 1 { shift } else { 0 };
        for p in rings.iter().flatten().map(|p| (p.0 + d, p.1 + d)) {
            if !(1..4095).contains(&p.0) || !(1..4095).contains(&p.1) {
                continue;
            }
            all += 1;
            let cell = (p.0.div_euclid(CELL), p.1.div_euclid(CELL));
            if grid
                .get(&cell)
                .is_some_and(|segs| segs.iter().any(|&(m, a, b)| m != n && on_segment(p, a, b)))
            {
                on += 1;
            }
        }
    }
    (on, all)
}

#[test]
fn neighbouring_wijken_share_their_edges_in_the_tile() {
    let server = Server::start(&[]);
    for z in [8u8, 9, 10] {
        let (x, y) = tile_of(5.2870, 52.2117, z);
        let (_, _, bytes) = fetch(
            &server,
            &format!("/collections/wijken/tiles/WebMercatorQuad/{z}/{y}/{x}"),
        );
        let tile = decode(&bytes, z, x, y);
        let features: Vec<Vec<Vec<Pt>>> = tile["wijken"]["features"]
            .as_array()
            .expect("features")
            .iter()
            .map(|f| {
                f["rings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|ring| {
                        let mut pts: Vec<Pt> = ring
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|p| (p[0].as_i64().unwrap(), p[1].as_i64().unwrap()))
                            .collect();
                        if pts.len() > 1 && pts.first() == pts.last() {
                            pts.pop();
                        }
                        pts
                    })
                    .collect()
            })
            .collect();
        let (on, all) = share_on_a_neighbour(&features, 0);
        assert!(
            all >= 50,
            "zoom {z}: a tile with enough outline to judge ({all} vertices)"
        );
        let (on_shifted, _) = share_on_a_neighbour(&features, 1);
        println!("zoom {z}: {on} of {all} vertices on a neighbour's outline; {on_shifted} with every other wijk moved one unit right and down");
        // Wijken along water or the tile's own data edge have vertices with no
        // neighbour; the rest must meet exactly.
        // (CBS's own outlines are not a perfect coverage either: some neighbours meet
        // with small gaps or overlaps in the source, which show more as the zoom deepens
        // and the generalisation merges less: at zoom 12 this share is 58% here.)
        assert!(
            on * 10 >= all * 6,
            "zoom {z}: only {on} of {all} vertices meet a neighbour"
        );
        assert!(
            on_shifted * 3 < on,
            "zoom {z}: the check cannot tell a one-unit gap"
        );
    }
}

#[test]
fn tile_requests_outside_the_grid_are_400s_and_empty_tiles_204s() {
    let server = Server::start(&[]);
    for bad in [
        "/collections/wijken/tiles/WebMercatorQuad/23/0/0",
        "/collections/wijken/tiles/WebMercatorQuad/3/8/0",
        "/collections/wijken/tiles/WebMercatorQuad/3/0/-1",
        "/collections/wijken/tiles/WebMercatorQuad/z/0/0",
    ] {
        let (status, ct, body) = fetch(&server, bad);
        assert_eq!(status, 400, "{bad}: {}", String::from_utf8_lossy(&body));
        assert!(ct.starts_with("application/json"), "{bad}");
    }
    assert_eq!(
        fetch(&server, "/collections/nothing/tiles/WebMercatorQuad/3/0/0").0,
        404
    );
    // A tile in the Pacific holds nothing of the Netherlands.
    assert_eq!(
        fetch(&server, "/collections/wijken/tiles/WebMercatorQuad/6/30/2").0,
        204
    );
    let ts = server.json("/collections/voorzieningen/tiles/WebMercatorQuad");
    assert_eq!(ts["tilejson"], "3.0.0");
    assert!(ts["tiles"][0]
        .as_str()
        .unwrap()
        .ends_with("/collections/voorzieningen/tiles/WebMercatorQuad/{z}/{y}/{x}"));
    let tms = server.json("/tileMatrixSets/WebMercatorQuad");
    assert_eq!(tms["tileMatrices"].as_array().unwrap().len(), 23);
    assert_eq!(tms["tileMatrices"][10]["matrixWidth"], 1024);
}

#[test]
fn tiles_are_cached_per_snapshot_and_made_ahead_at_country_scale() {
    let server = Server::start(&["--admin-token", "geheim"]);
    // The country-scale tiles are made in the background after start.
    let mut made = 0;
    for _ in 0..100 {
        made = server.json("/status")["tile_cache"]["tiles"]
            .as_u64()
            .unwrap_or(0);
        if made >= 40 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(
        made >= 40,
        "zooms 0–7 over four collections: {made} tiles made ahead"
    );
    let deep = "/collections/wijken/tiles/WebMercatorQuad/13/2699/4215";
    let stats = |s: &Server| s.json("/status")["tile_cache"].clone();
    let before = stats(&server);
    let first = fetch(&server, deep);
    let second = fetch(&server, deep);
    assert_eq!(first.2, second.2, "the cached tile is the tile");
    let after = stats(&server);
    assert_eq!(
        after["misses"].as_u64(),
        before["misses"].as_u64().map(|m| m + 1),
        "{after}"
    );
    assert_eq!(
        after["hits"].as_u64(),
        before["hits"].as_u64().map(|h| h + 1),
        "{after}"
    );
    assert!(after["bytes"].as_u64() <= after["cap_bytes"].as_u64());

    // A reload brings a new snapshot with its own cache: the deep tile is made again.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let r = agent
        .post(&server.url("/admin/reload"))
        .header("authorization", "Bearer geheim")
        .send_empty()
        .expect("reload");
    assert_eq!(r.status().as_u16(), 200);
    let misses = stats(&server)["misses"].as_u64().unwrap_or(0);
    let third = fetch(&server, deep);
    assert_eq!(third.2, first.2, "the same data makes the same tile");
    assert_eq!(
        stats(&server)["misses"].as_u64(),
        Some(misses + 1),
        "not served from the old snapshot's cache"
    );
}
