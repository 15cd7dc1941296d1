//! The R-trees stand in for a scan of every feature: `bbox`, `S_INTERSECTS` and tiles
//! answered through them must give the same features, in the same order, as a look at
//! every feature of the bundled data does, for many boxes and tiles across the country.
//! A box or polygon in longitude and latitude is held to a scan made there, which draws
//! each feature in longitude and latitude (the server draws the box in RD instead).

use geo::Intersects;
use std::collections::HashMap;
use std::path::Path;
use wijkatlas::crs::RdPoint;
use wijkatlas::features::{self, Collection, Format, ItemsQuery, OutlineRd};
use wijkatlas::model::Dataset;
use wijkatlas::tiles::{self, projected::Projected, TileId};

fn bundled() -> (Dataset, Vec<Collection>) {
    let loaded = wijkatlas::load::load_dir(Path::new("data")).expect("the bundled data loads");
    let collections = features::build(&loaded.dataset, &HashMap::new());
    (loaded.dataset, collections)
}

/// A fixed-seed generator (a 64-bit LCG), so a failing box can be found again.
struct Lcg(u64);
impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// A box in RD metres from 50 m to 60 km wide: every other one near a feature of the
/// collection (so most meet something), the rest anywhere over the Netherlands.
fn rd_box(rng: &mut Lcg, c: &Collection) -> [f64; 4] {
    let located: Vec<&[f64; 4]> = c
        .items
        .iter()
        .map(|i| &i.bbox_rd)
        .filter(|b| b[2] > 0.0)
        .collect();
    let (x, y) = if rng.unit() < 0.5 && !located.is_empty() {
        let b = located[(rng.unit() * located.len() as f64) as usize % located.len()];
        (rng.between(b[0], b[2]), rng.between(b[1], b[3]))
    } else {
        (
            rng.between(20_000.0, 270_000.0),
            rng.between(310_000.0, 610_000.0),
        )
    };
    let (w, h) = (
        50.0 * 1200f64.powf(rng.unit()),
        50.0 * 1200f64.powf(rng.unit()),
    );
    [x - w / 2.0, y - h / 2.0, x + w / 2.0, y + h / 2.0]
}

/// The box around an RD box's corners in longitude and latitude (RD's axes are turned
/// against them): min lon, min lat, max lon, max lat.
fn lonlat_box([x0, y0, x1, y1]: [f64; 4]) -> [f64; 4] {
    let corners =
        [(x0, y0), (x1, y0), (x0, y1), (x1, y1)].map(|(x, y)| RdPoint::new(x, y).to_wgs84());
    let lon = corners.iter().map(|c| c.lon);
    let lat = corners.iter().map(|c| c.lat);
    [
        lon.clone().fold(f64::MAX, f64::min),
        lat.clone().fold(f64::MAX, f64::min),
        lon.fold(f64::MIN, f64::max),
        lat.fold(f64::MIN, f64::max),
    ]
}

fn rd_rect([x0, y0, x1, y1]: [f64; 4]) -> geo::Rect<f64> {
    geo::Rect::new(geo::Coord { x: x0, y: y0 }, geo::Coord { x: x1, y: y1 })
}

fn text([a, b, c, d]: [f64; 4]) -> String {
    format!("{a},{b},{c},{d}")
}

/// Each feature's geometry in longitude and latitude, in the collection's order: its RD
/// outline with every edge cut into pieces of at most 5 m first (a straight edge in RD
/// is curved in longitude and latitude), each point drawn with `RdPoint::to_wgs84`. The
/// other way round from the server, which draws the asked box in RD.
fn lonlat_shapes(c: &Collection, dataset: &Dataset) -> Vec<(String, Option<geo::Geometry<f64>>)> {
    let to_lonlat = |p: geo::Coord<f64>| {
        let ll = RdPoint::new(p.x, p.y).to_wgs84();
        geo::Coord {
            x: ll.lon,
            y: ll.lat,
        }
    };
    let ring = |r: &geo::LineString<f64>| {
        let mut out = Vec::new();
        for w in r.0.windows(2) {
            let pieces = ((w[1].x - w[0].x).hypot(w[1].y - w[0].y) / 5.0)
                .ceil()
                .max(1.0);
            for i in 0..pieces as usize {
                let t = i as f64 / pieces;
                out.push(to_lonlat(geo::Coord {
                    x: w[0].x + (w[1].x - w[0].x) * t,
                    y: w[0].y + (w[1].y - w[0].y) * t,
                }));
            }
        }
        out.extend(r.0.last().map(|&p| to_lonlat(p)));
        geo::LineString(out)
    };
    c.items
        .iter()
        .map(|item| {
            let shape = c.outline_rd(dataset, item).map(|o| match o {
                OutlineRd::Area(mp) => geo::Geometry::MultiPolygon(geo::MultiPolygon(
                    mp.0.iter()
                        .map(|p| {
                            geo::Polygon::new(
                                ring(p.exterior()),
                                p.interiors().iter().map(ring).collect(),
                            )
                        })
                        .collect(),
                )),
                OutlineRd::Point(p) => geo::Geometry::Point(geo::Point(to_lonlat(p))),
            });
            (item.id.clone(), shape)
        })
        .collect()
}

/// The features whose geometry meets a box in longitude and latitude, by a look at every
/// one (see [`lonlat_shapes`]), in the collection's order: those that meet it shrunk by
/// `margin` degrees all round (which must be found) and those that meet it grown by as
/// much (the most that may be found).
fn scan_lonlat(
    shapes: &[(String, Option<geo::Geometry<f64>>)],
    [x0, y0, x1, y1]: [f64; 4],
    margin: f64,
) -> (Vec<String>, Vec<String>) {
    let meeting = |m: f64| -> Vec<String> {
        let r = geo::Rect::new(
            geo::Coord {
                x: x0 + m,
                y: y0 + m,
            },
            geo::Coord {
                x: x1 - m,
                y: y1 - m,
            },
        );
        shapes
            .iter()
            .filter(|(_, g)| g.as_ref().is_some_and(|g| g.intersects(&r)))
            .map(|(id, _)| id.clone())
            .collect()
    };
    (meeting(margin), meeting(-margin))
}

/// `got` lies between what must and what may be found, in the same order.
fn between(got: &[String], (must, may): &(Vec<String>, Vec<String>)) -> bool {
    let mut must = must.iter().peekable();
    let mut may = may.iter();
    got.iter().all(|id| {
        if must.peek() == Some(&id) {
            must.next();
        }
        may.any(|m| m == id)
    }) && must.next().is_none()
}

/// How far inside or outside a box's edge a feature may lie and still be found or left
/// out either way, in degrees (1e-6 is 7 to 11 cm): the RD formulas each way agree to
/// about a centimetre, and the server draws the box's curved edges to within 4 cm.
const EDGE_MARGIN: f64 = 1e-6;

fn query(c: &Collection, pairs: &[(&str, String)]) -> ItemsQuery {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    ItemsQuery::parse(&pairs, c).unwrap_or_else(|e| panic!("{pairs:?}: {e}"))
}

fn ids(c: &Collection, dataset: &Dataset, q: &ItemsQuery) -> Vec<String> {
    c.query(dataset, q)
        .items
        .iter()
        .map(|i| i.id.clone())
        .collect()
}

/// The features whose own geometry meets the RD box, by looking at every one, in the
/// collection's order.
fn scan(c: &Collection, dataset: &Dataset, rd: &geo::Rect<f64>) -> Vec<String> {
    c.items
        .iter()
        .filter(|item| match c.outline_rd(dataset, item) {
            Some(OutlineRd::Area(mp)) => mp.intersects(rd),
            Some(OutlineRd::Point(p)) => {
                (rd.min().x..=rd.max().x).contains(&p.x) && (rd.min().y..=rd.max().y).contains(&p.y)
            }
            None => false,
        })
        .map(|item| item.id.clone())
        .collect()
}

#[test]
fn bbox_through_the_index_is_the_scan_in_both_crs() {
    let (dataset, collections) = bundled();
    let mut rng = Lcg(20261206);
    let mut nonempty = 0;
    for c in &collections {
        let shapes = lonlat_shapes(c, &dataset);
        for _ in 0..60 {
            let b = rd_box(&mut rng, c);
            let lonlat = lonlat_box(b);
            for pairs in [
                vec![("bbox", text(b)), ("bbox-crs", "EPSG:28992".to_string())],
                vec![("bbox", text(lonlat))],
            ] {
                let mut all = pairs.clone();
                all.push(("limit", "10000".into()));
                let q = query(c, &all);
                let got = ids(c, &dataset, &q);
                let expected = if pairs.len() == 2 {
                    scan(c, &dataset, &rd_rect(b))
                } else {
                    let bounds = scan_lonlat(&shapes, lonlat, EDGE_MARGIN);
                    assert!(
                        between(&got, &bounds),
                        "{} {pairs:?}: {got:?} against {bounds:?}",
                        c.id
                    );
                    got.clone()
                };
                assert_eq!(got, expected, "{} {pairs:?}", c.id);
                nonempty += usize::from(!got.is_empty());
                // A page from the middle is the same slice of the scan.
                let mut paged = pairs.clone();
                paged.extend([("offset", "3".to_string()), ("limit", "4".to_string())]);
                let paged = query(c, &paged);
                let page = c.query(&dataset, &paged);
                assert_eq!(page.matched, expected.len(), "{} {pairs:?}", c.id);
                let slice: Vec<String> = expected.iter().skip(3).take(4).cloned().collect();
                let got: Vec<String> = page.items.iter().map(|i| i.id.clone()).collect();
                assert_eq!(got, slice, "{} {pairs:?} offset 3", c.id);
                // The server's way for GeoJSON: planned on the async worker, then paged.
                let plan = c
                    .ready_made(&paged, Format::GeoJson)
                    .expect("a bbox page of ready-made features");
                let planned = c.query_ready_made(&dataset, &paged, plan);
                assert_eq!(planned.matched, expected.len(), "{} {pairs:?}", c.id);
                let got: Vec<String> = planned.items.iter().map(|i| i.id.clone()).collect();
                assert_eq!(got, slice, "{} {pairs:?} planned", c.id);
            }
        }
    }
    // Boxes that meet nothing would pass against any index: most must find features.
    assert!(
        nonempty > collections.len() * 60,
        "only {nonempty} boxes met features"
    );
}

/// A filter that is one `S_INTERSECTS` with a `BBOX` asks what `bbox` asks: the same
/// page, answered the same cheap way (not counted as an expensive request), in both
/// CRS; with anything beside it, it stays a filter.
#[test]
fn a_lone_box_filter_is_answered_as_a_bbox() {
    let (dataset, collections) = bundled();
    let mut rng = Lcg(20261207);
    let mut nonempty = 0;
    for c in &collections {
        let shapes = lonlat_shapes(c, &dataset);
        for _ in 0..30 {
            let b = rd_box(&mut rng, c);
            let rd = text(b);
            let lonlat = text(lonlat_box(b));
            for (bbox, crs) in [(&rd, "EPSG:28992"), (&lonlat, "CRS84")] {
                let as_filter = query(
                    c,
                    &[
                        ("filter", format!("S_INTERSECTS(geometry,BBOX({bbox}))")),
                        ("filter-crs", crs.to_string()),
                        ("limit", "10000".to_string()),
                    ],
                );
                assert!(as_filter.filter.is_none() && as_filter.bbox.is_some());
                let default_page = query(
                    c,
                    &[
                        ("filter", format!("S_INTERSECTS(geometry,BBOX({bbox}))")),
                        ("filter-crs", crs.to_string()),
                    ],
                );
                assert!(
                    !default_page.is_expensive(Format::GeoJson),
                    "{} {bbox}",
                    c.id
                );
                let got = ids(c, &dataset, &as_filter);
                let expected = if crs == "CRS84" {
                    let bounds = scan_lonlat(&shapes, lonlat_box(b), EDGE_MARGIN);
                    assert!(
                        between(&got, &bounds),
                        "{} {bbox}: {got:?} against {bounds:?}",
                        c.id
                    );
                    got
                } else {
                    scan(c, &dataset, &rd_rect(b))
                };
                assert_eq!(ids(c, &dataset, &as_filter), expected, "{} {bbox}", c.id);
                let as_bbox = query(
                    c,
                    &[
                        ("bbox", bbox.clone()),
                        ("bbox-crs", crs.to_string()),
                        ("limit", "10000".to_string()),
                    ],
                );
                assert_eq!(ids(c, &dataset, &as_bbox), expected, "{} {bbox}", c.id);
                nonempty += usize::from(!expected.is_empty());
            }
            let with_more = query(
                c,
                &[
                    ("filter", format!("S_INTERSECTS(geometry,BBOX({rd})) AND NOT S_INTERSECTS(geometry,BBOX({rd}))")),
                    ("filter-crs", "EPSG:28992".to_string()),
                ],
            );
            assert!(with_more.filter.is_some() && with_more.bbox.is_none());
            assert_eq!(ids(c, &dataset, &with_more), Vec::<String>::new());
        }
    }
    assert!(
        nonempty > collections.len() * 20,
        "only {nonempty} boxes met features"
    );
}

/// A page answered on the async worker must cost no more than its bound says: for a
/// bbox the bound covers every candidate, so it is never below the page's own bytes,
/// and a CQL2 filter or an order (whose work has no such bound) gives none.
#[test]
fn ready_made_bound_covers_every_bbox_page_and_no_filter() {
    let (dataset, collections) = bundled();
    let mut rng = Lcg(20261207);
    let mut bounded = 0;
    for c in &collections {
        for _ in 0..40 {
            let b = rd_box(&mut rng, c);
            let rd = format!("{},{},{},{}", b[0], b[1], b[2], b[3]);
            let crs = ("bbox-crs", "EPSG:28992".to_string());
            let q = query(c, &[("bbox", rd.clone()), crs.clone()]);
            let plan = c
                .ready_made(&q, features::Format::GeoJson)
                .expect("a bbox page is joined from ready-made features");
            let bound = plan.bytes;
            let page = c.query(&dataset, &q);
            // The page made from the plan's candidates is the query's own.
            let planned = c.query_ready_made(&dataset, &q, plan);
            assert_eq!(planned.matched, page.matched, "{} {rd}", c.id);
            let ids = |p: &features::Page| p.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
            assert_eq!(ids(&planned), ids(&page), "{} {rd}", c.id);
            let bytes: usize = page
                .items
                .iter()
                .map(|i| i.crs84_fragment().len() + 1)
                .sum();
            assert!(
                bytes <= bound,
                "{} {rd}: page {bytes} > bound {bound}",
                c.id
            );
            bounded += usize::from(bytes > 0);
            // The server checks its response cap against this bound in place of the
            // page's own estimate: it must never be the smaller.
            let estimate = c.estimate_bytes(&page.items, features::Format::GeoJson, None);
            let estimate_bound = Collection::estimate_bound(bound, page.items.len());
            assert!(
                estimate <= estimate_bound,
                "{} {rd}: estimate {estimate} > its bound {estimate_bound}",
                c.id
            );
            let everything = c.items.iter().map(|i| i.crs84_fragment().len() + 1).sum();
            assert!(
                bound <= everything,
                "{} {rd}: bound beyond the collection",
                c.id
            );
            let filtered = [
                ("filter", format!("S_INTERSECTS(geometry,BBOX({rd}))")),
                ("filter-crs", "EPSG:28992".to_string()),
            ];
            let first = c.properties.keys().next().expect("a property to order by");
            let ordered = [("sortby", format!("-{first}"))];
            for extra in [&filtered[..], &ordered[..]] {
                let mut pairs = vec![("bbox", rd.clone()), crs.clone()];
                pairs.extend(extra.iter().cloned());
                let q = query(c, &pairs);
                assert_eq!(
                    c.ready_made(&q, features::Format::GeoJson).map(|r| r.bytes),
                    None,
                    "{} {extra:?}",
                    c.id
                );
            }
            let q = query(c, &[("bbox", rd.clone()), crs.clone()]);
            assert_eq!(
                c.ready_made(&q, features::Format::Csv).map(|r| r.bytes),
                None
            );
        }
    }
    assert!(
        bounded > collections.len() * 10,
        "only {bounded} pages had features"
    );
}

#[test]
fn bbox_with_a_property_filter_is_the_scan_narrowed() {
    let (dataset, collections) = bundled();
    let c = collections
        .iter()
        .find(|c| c.id == "wijken")
        .expect("bundled wijken");
    // Utrecht's wijken and a box over its west side and beyond.
    let rd = "125000,450000,136000,460000";
    let q = query(
        c,
        &[
            ("bbox", rd.into()),
            ("bbox-crs", "EPSG:28992".into()),
            ("gemeentecode", "GM0344".into()),
            ("limit", "10000".into()),
        ],
    );
    let expected: Vec<String> = scan(
        c,
        &dataset,
        &rd_rect([125_000.0, 450_000.0, 136_000.0, 460_000.0]),
    )
    .into_iter()
    .filter(|id| id.starts_with("WK0344"))
    .collect();
    assert!(!expected.is_empty(), "the box meets Utrecht's wijken");
    assert_eq!(ids(c, &dataset, &q), expected);
}

/// A `POLYGON` given in longitude and latitude has edges straight there, curved in RD:
/// its answer is the features an independent scan in longitude and latitude finds in
/// it (see [`lonlat_shapes`]). Long thin triangles, whose long edges bow furthest.
#[test]
fn a_polygon_in_longitude_and_latitude_has_its_edges_straight_there() {
    let (dataset, collections) = bundled();
    let mut rng = Lcg(20261208);
    let (mut nonempty, mut cases) = (0, 0);
    for c in &collections {
        let shapes = lonlat_shapes(c, &dataset);
        for _ in 0..40 {
            let [x0, y0, x1, y1] = lonlat_box(rd_box(&mut rng, c));
            // From the lower left corner to the right edge's middle and back along the
            // top: a triangle with a long edge across the box.
            let ym = (y0 + y1) / 2.0;
            let triangle = geo::Polygon::new(
                geo::LineString::from(vec![(x0, y0), (x1, ym), (x0, y1), (x0, y0)]),
                vec![],
            );
            let filter = format!(
                "S_INTERSECTS(geometry,POLYGON(({x0} {y0},{x1} {ym},{x0} {y1},{x0} {y0})))"
            );
            let q = query(c, &[("filter", filter.clone()), ("limit", "10000".into())]);
            let got = ids(c, &dataset, &q);
            let expected: Vec<String> = shapes
                .iter()
                .filter(|(_, g)| g.as_ref().is_some_and(|g| g.intersects(&triangle)))
                .map(|(id, _)| id.clone())
                .collect();
            assert_eq!(got, expected, "{} {filter}", c.id);
            nonempty += usize::from(!got.is_empty());
            cases += 1;
        }
    }
    assert!(
        nonempty * 2 > cases,
        "only {nonempty} of {cases} triangles met features"
    );
}

#[test]
fn s_intersects_through_the_index_is_the_scan() {
    let (dataset, collections) = bundled();
    let mut rng = Lcg(7);
    let mut nonempty = 0;
    let mut cases = 0;
    for c in &collections {
        for _ in 0..40 {
            let [x0, y0, x1, y1] = rd_box(&mut rng, c);
            let (mx, my) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
            let shapes = [
                format!("BBOX({x0},{y0},{x1},{y1})"),
                format!("POINT({mx} {my})"),
                // A triangle: its box holds features its outline does not meet.
                format!("POLYGON(({x0} {y0},{x1} {y0},{mx} {y1},{x0} {y0}))"),
            ];
            for shape in shapes {
                let narrowed = format!("S_INTERSECTS(geometry,{shape})");
                // Inside an OR the spatial test cannot narrow: every feature is tested.
                let nothing = if c.properties.contains_key("code") {
                    "code = 'nothing'"
                } else {
                    "id = 'nothing'"
                };
                let scanned = format!("{narrowed} OR {nothing}");
                let get = |filter: &str| {
                    let q = query(
                        c,
                        &[
                            ("filter", filter.to_string()),
                            ("filter-crs", "EPSG:28992".into()),
                            ("limit", "10000".into()),
                        ],
                    );
                    ids(c, &dataset, &q)
                };
                let got = get(&narrowed);
                assert_eq!(got, get(&scanned), "{} {narrowed}", c.id);
                if shape.starts_with("BBOX") {
                    // The same box as a bbox parameter, against the independent scan.
                    let q = query(
                        c,
                        &[
                            ("bbox", format!("{x0},{y0},{x1},{y1}")),
                            ("bbox-crs", "EPSG:28992".into()),
                            ("limit", "10000".into()),
                        ],
                    );
                    assert!(q.bbox.is_some());
                    assert_eq!(got, scan(c, &dataset, &rd_rect([x0, y0, x1, y1])));
                }
                // Two spatial terms under AND: both narrow, and the answer is the same.
                let both = format!(
                    "{narrowed} AND S_INTERSECTS(geometry,BBOX({},{},{},{}))",
                    x0 - 500.0,
                    y0 - 500.0,
                    x1,
                    y1
                );
                let both_scanned = format!("({both}) OR {nothing}");
                assert_eq!(get(&both), get(&both_scanned), "{} {both}", c.id);
                nonempty += usize::from(!got.is_empty());
                cases += 1;
            }
        }
    }
    assert!(
        nonempty * 2 > cases,
        "only {nonempty} of {cases} filters met features"
    );
}

#[test]
fn tiles_through_the_index_are_the_scanned_tiles() {
    let (dataset, collections) = bundled();
    let projected = Projected::default();
    let mut rng = Lcg(42);
    let mut with_features = 0;
    let mut tiles_made = 0;
    for c in &collections {
        let extent = c.extent.expect("bundled collections have an extent");
        for z in [3u8, 5, 7, 9, 10, 12, 14] {
            let n = 1u32 << z;
            for _ in 0..12 {
                // A tile under a random point of the extent.
                let lon = rng.between(extent[0], extent[2]);
                let lat = rng.between(extent[1], extent[3]);
                let x = ((lon + 180.0) / 360.0 * f64::from(n)) as u32;
                let lat_r = lat.to_radians();
                let y = ((1.0 - (lat_r.tan() + 1.0 / lat_r.cos()).ln() / std::f64::consts::PI)
                    / 2.0
                    * f64::from(n)) as u32;
                let id = TileId::new(u32::from(z), x, y).expect("a tile on the grid");
                let table = projected.tags(c);
                let indexed = tiles::layer(c, &dataset, &projected, &table, id);
                let scanned = tiles::encode::layer_scanning_every_feature(
                    c, &dataset, &projected, &table, id,
                );
                assert_eq!(indexed.is_empty(), scanned.is_empty(), "{} {id:?}", c.id);
                with_features += usize::from(!indexed.is_empty());
                tiles_made += 1;
                let a = tiles::mvt::encode(vec![indexed.finish()]);
                let b = tiles::mvt::encode(vec![scanned.finish()]);
                assert_eq!(a, b, "{} tile {id:?}", c.id);
            }
        }
    }
    assert!(
        with_features * 2 > tiles_made,
        "only {with_features} of {tiles_made} tiles had features"
    );
}
