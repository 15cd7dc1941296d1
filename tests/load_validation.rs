//! The loader on synthetic fixtures (made up here, named as such): every kind of bad
//! record is reported with its file, record and field, and nothing is lost silently.

use std::fs;
use std::path::Path;
use wijkatlas::load::{self, Action, LoadError, LoadReport, SourceReport};
use wijkatlas::model::{AreaLevel, Figure};

fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).expect("write fixture");
}

/// A square of side `d` degrees near Amersfoort, as GeoJSON coordinates.
fn square(lon: f64, lat: f64, d: f64) -> String {
    format!(
        "[[[{lon},{lat}],[{},{lat}],[{},{}],[{lon},{}],[{lon},{lat}]]]",
        lon + d,
        lon + d,
        lat + d,
        lat + d
    )
}

fn feature(props: &str, geometry: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{{{props}}},"geometry":{geometry}}}"#)
}

fn polygon(coords: &str) -> String {
    format!(r#"{{"type":"Polygon","coordinates":{coords}}}"#)
}

fn collection(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

fn source<'a>(report: &'a LoadReport, name: &str) -> &'a SourceReport {
    report
        .sources
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no source {name}"))
}

fn problems(s: &SourceReport, action: Action) -> Vec<String> {
    s.issues
        .iter()
        .filter(|i| i.action == action)
        .map(|i| {
            format!(
                "{}|{}|{}|{}",
                i.record,
                i.id.clone().unwrap_or_default(),
                i.field.clone().unwrap_or_default(),
                i.problem
            )
        })
        .collect()
}

const MANIFEST: &str = r#"
name = "synthetic test fixture"

[[source]]
name = "gemeenten"
path = "gemeenten.geojson"
kind = "areas"
level = "gemeente"
year = 2022

[[source]]
name = "wijken"
path = "wijken.geojson"
kind = "areas"
level = "wijk"

[[source]]
name = "voorzieningen"
path = "voorzieningen.geojson"
kind = "voorzieningen"

[[source]]
name = "postcodes"
path = "pc4.csv"
kind = "postcodes"
"#;

fn fixture_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, "wijkatlas.toml", MANIFEST);
    let big = square(5.30, 52.10, 0.2);
    write(
        d,
        "gemeenten.geojson",
        &collection(&[feature(
            r#""gemeentecode":"GM9901","gemeentenaam":"Proefstad","aantal_inwoners":1000,"pct_huurcorporatie":31,"cr_totaal":5"#,
            &polygon(&big),
        )]),
    );
    let open_ring = "[[[5.30,52.10],[5.35,52.10],[5.35,52.15],[5.30,52.15]]]";
    let bowtie = "[[[5.40,52.10],[5.45,52.15],[5.45,52.10],[5.40,52.15],[5.40,52.10]]]";
    let wijken = [
        // 1: good, with nodata and an unknown column
        feature(
            r#""wijkcode":"WK990101","wijknaam":"Noord","gemeentecode":"GM9901","65plus":-99997,"aantal_inwoners":400,"bijzonder":"ja""#,
            &polygon(&square(5.30, 52.20, 0.05)),
        ),
        // 2: unclosed ring, repaired
        feature(
            r#""wijkcode":"WK990102","wijknaam":"Oost""#,
            &polygon(open_ring),
        ),
        // 3: bowtie, repaired
        feature(
            r#""wijkcode":"WK990103","wijknaam":"Zuid""#,
            &polygon(bowtie),
        ),
        // 4: no code
        feature(
            r#""wijknaam":"Zonder code""#,
            &polygon(&square(5.31, 52.11, 0.01)),
        ),
        // 5: malformed code
        feature(
            r#""wijkcode":"WK99X","wijknaam":"Krom""#,
            &polygon(&square(5.31, 52.11, 0.01)),
        ),
        // 6: duplicate of 1
        feature(
            r#""wijkcode":"WK990101","wijknaam":"Dubbel""#,
            &polygon(&square(5.31, 52.11, 0.01)),
        ),
        // 7: outside the Netherlands (lat/lon swapped)
        feature(
            r#""wijkcode":"WK990107","wijknaam":"Verwisseld""#,
            &polygon(&square(52.10, 5.30, 0.01)),
        ),
        // 8: percentage over 100 and a negative count: values dropped, record kept
        feature(
            r#""wijkcode":"WK990108","wijknaam":"Raar","65plus":140,"aantal_inwoners":-5"#,
            &polygon(&square(5.36, 52.16, 0.02)),
        ),
        // 9: wrong parent in its properties
        feature(
            r#""wijkcode":"WK990109","wijknaam":"Verdwaald","gemeentecode":"GM0505""#,
            &polygon(&square(5.39, 52.17, 0.01)),
        ),
        // 10: no geometry: kept with its figures, without an outline
        r#"{"type":"Feature","properties":{"wijkcode":"WK990110","wijknaam":"Zonder kaart","aantal_inwoners":250,"65plus":-99997},"geometry":null}"#.to_string(),
        // 11: parent gemeente not loaded
        feature(
            r#""wijkcode":"WK990201","wijknaam":"Elders""#,
            &polygon(&square(5.60, 52.40, 0.01)),
        ),
    ];
    write(d, "wijken.geojson", &collection(&wijken));
    let point = |id: &str, cat: &str, lon: f64, lat: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"id":"{id}","name":"Punt {id}","category":"{cat}"}},"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}}}}"#
        )
    };
    write(
        d,
        "voorzieningen.geojson",
        &collection(&[
            point("t:1", "huisarts", 5.32, 52.22),
            point("t:2", "supermarkt", 5.32, 52.22),
            point("t:1", "apotheek", 5.33, 52.22),
            point("t:4", "wijkteam", 6.50, 53.20),
            point("t:5", "apotheek", 52.2, 5.3),
        ]),
    );
    write(
        d,
        "pc4.csv",
        "pc4,lon,lat,places,gemeentecode\n3811,5.38,52.15,Amersfoort,GM0307\n38X1,5.38,52.15,Fout,GM0307\n3812,95.0,52.15,Ver weg,GM0307\n",
    );
    dir
}

#[test]
fn every_bad_record_is_reported_with_record_and_field() {
    let dir = fixture_dir();
    let loaded = load::load_dir(dir.path()).expect("manifest loads");
    let report = &loaded.report;
    assert!(!report.has_failures(), "{}", report.failure_summary());

    let wijken = source(report, "wijken");
    assert_eq!(wijken.read, 11);
    assert_eq!(wijken.read, wijken.kept + wijken.rejected);
    let rejected = problems(wijken, Action::Rejected);
    assert_eq!(wijken.rejected, 4, "{rejected:#?}");
    assert!(
        rejected.iter().any(|p| p.starts_with("4|||no CBS code")),
        "{rejected:#?}"
    );
    assert!(
        rejected.iter().any(|p| p.starts_with("5|WK99X|wijkcode|")),
        "{rejected:#?}"
    );
    assert!(
        rejected
            .iter()
            .any(|p| p.starts_with("6|WK990101|wijkcode|duplicate code")),
        "{rejected:#?}"
    );
    assert!(
        rejected
            .iter()
            .any(|p| p.starts_with("7|WK990107|geometry|") && p.contains("axes swapped")),
        "{rejected:#?}"
    );

    let repaired = problems(wijken, Action::Repaired);
    assert_eq!(wijken.repaired, 2, "{repaired:#?}");
    assert!(repaired
        .iter()
        .any(|p| p.starts_with("2|WK990102|geometry|") && p.contains("not closed")));
    assert!(repaired
        .iter()
        .any(|p| p.starts_with("3|WK990103|geometry|invalid polygon")));

    let dropped = problems(wijken, Action::ValueDropped);
    assert_eq!(dropped.len(), 2, "{dropped:#?}");
    assert!(dropped
        .iter()
        .any(|p| p.starts_with("8|WK990108|65plus|140%")));
    assert!(dropped
        .iter()
        .any(|p| p.starts_with("8|WK990108|aantal_inwoners|-5")));
    assert_eq!(wijken.nodata.get("65plus"), Some(&2));

    let warnings = problems(wijken, Action::Warning);
    assert!(
        warnings
            .iter()
            .any(|p| p.starts_with("9|WK990109|gemeentecode|")),
        "{warnings:#?}"
    );
    assert!(
        warnings
            .iter()
            .any(|p| p.contains("WK990201")
                && p.contains("GM9902 is not in the loaded gemeente layer")),
        "{warnings:#?}"
    );

    assert!(
        warnings
            .iter()
            .any(|p| p.starts_with("10|WK990110|geometry|no geometry: served with")),
        "{warnings:#?}"
    );

    let ds = &loaded.dataset;
    assert_eq!(ds.areas(AreaLevel::Wijk).len(), 6);
    let unlocated = ds.unlocated(AreaLevel::Wijk);
    assert_eq!(unlocated.len(), 1);
    assert_eq!(unlocated[0].name, "Zonder kaart");
    assert_eq!(unlocated[0].figures.get(Figure::Inhabitants), Some(250.0));
    assert_eq!(unlocated[0].figures.get(Figure::Age65Plus), None);
    assert!(
        ds.area("WK990110".parse().unwrap()).is_none(),
        "not on the map"
    );
    let noord = ds.area("WK990101".parse().unwrap()).expect("kept");
    assert_eq!(noord.figures.get(Figure::Inhabitants), Some(400.0));
    assert_eq!(
        noord.figures.get(Figure::Age65Plus),
        None,
        "nodata is missing, not 0"
    );
    assert_eq!(
        noord.extra.get("bijzonder").and_then(|v| v.as_str()),
        Some("ja")
    );
    let raar = ds.area("WK990108".parse().unwrap()).expect("kept");
    assert_eq!(raar.figures.get(Figure::Age65Plus), None);

    let gemeente = ds.area("GM9901".parse().unwrap()).expect("kept");
    assert_eq!(gemeente.figures.get(Figure::CorporationOwned), Some(31.0));
    assert_eq!(gemeente.year, Some(2022));
}

#[test]
fn voorzieningen_are_checked_and_placed_in_their_areas() {
    let dir = fixture_dir();
    let loaded = load::load_dir(dir.path()).expect("manifest loads");
    let v = source(&loaded.report, "voorzieningen");
    assert_eq!((v.read, v.kept, v.rejected), (5, 2, 3));
    let rejected = problems(v, Action::Rejected);
    assert!(
        rejected
            .iter()
            .any(|p| p.starts_with("2|t:2|category|unknown category 'supermarkt'")),
        "{rejected:#?}"
    );
    assert!(
        rejected
            .iter()
            .any(|p| p.starts_with("3|t:1|id|duplicate id")),
        "{rejected:#?}"
    );
    // t:5 has swapped axes but shares the file with good points, so only it is rejected.
    assert!(
        rejected
            .iter()
            .any(|p| p.starts_with("5|t:5|geometry|") && p.contains("axes swapped")),
        "{rejected:#?}"
    );
    assert_eq!(loaded.dataset.voorzieningen().len(), 2);
    let huisarts = loaded
        .dataset
        .voorzieningen()
        .iter()
        .find(|f| f.id == "t:1")
        .expect("kept");
    assert_eq!(
        huisarts.containing.wijk.map(|c| c.to_string()).as_deref(),
        Some("WK990101")
    );
    assert_eq!(
        huisarts
            .containing
            .gemeente
            .map(|c| c.to_string())
            .as_deref(),
        Some("GM9901")
    );
    let placement = &loaded.report.placement;
    assert_eq!(placement.outside_every_area.len(), 1, "{placement:?}");
    assert!(placement.outside_every_area[0].starts_with("t:4"));
}

#[test]
fn postcode_rows_are_validated_by_line() {
    let dir = fixture_dir();
    let loaded = load::load_dir(dir.path()).expect("manifest loads");
    let pc = source(&loaded.report, "postcodes");
    assert_eq!((pc.read, pc.kept, pc.rejected), (3, 1, 2));
    let rejected = problems(pc, Action::Rejected);
    assert!(
        rejected.iter().any(|p| p.starts_with("3|38X1|pc4|")),
        "{rejected:#?}"
    );
    assert!(
        rejected
            .iter()
            .any(|p| p.starts_with("4|3812|lon/lat|") && p.contains("outside the Netherlands")),
        "{rejected:#?}"
    );
    assert!(loaded.dataset.postcodes().contains_key(&3811));
}

#[test]
fn a_missing_or_broken_manifest_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = load::load_dir(dir.path()).unwrap_err();
    assert!(matches!(err, LoadError::ManifestMissing(_)), "{err}");
    assert!(err.to_string().contains("wijkatlas.toml"));

    write(dir.path(), "wijkatlas.toml", "[[source]]\nname = 1\n");
    let err = load::load_dir(dir.path()).unwrap_err();
    assert!(matches!(err, LoadError::ManifestInvalid { .. }), "{err}");

    write(
        dir.path(),
        "wijkatlas.toml",
        "[[source]]\nname = \"x\"\npath = \"x.geojson\"\nkind = \"areas\"\nlevel = \"stadsdeel\"\n",
    );
    let err = load::load_dir(dir.path()).unwrap_err();
    assert!(err.to_string().contains("stadsdeel"), "{err}");
}

#[test]
fn a_source_that_cannot_be_read_fails_alone_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "wijkatlas.toml",
        r#"
[[source]]
name = "ontbreekt"
path = "ontbreekt.geojson"
kind = "areas"
level = "wijk"

[[source]]
name = "kapot"
path = "kapot.geojson"
kind = "areas"
level = "wijk"

[[source]]
name = "rd-als-wgs84"
path = "rd.geojson"
kind = "areas"
level = "buurt"

[[source]]
name = "goed"
path = "goed.geojson"
kind = "areas"
level = "gemeente"
"#,
    );
    write(
        d,
        "kapot.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feat"#,
    );
    let rd_square =
        "[[[150000,450000],[151000,450000],[151000,451000],[150000,451000],[150000,450000]]]";
    write(
        d,
        "rd.geojson",
        &collection(&[feature(r#""buurtcode":"BU99010101""#, &polygon(rd_square))]),
    );
    write(
        d,
        "goed.geojson",
        &collection(&[feature(
            r#""gemeentecode":"GM9901""#,
            &polygon(&square(5.3, 52.1, 0.1)),
        )]),
    );
    let loaded = load::load_dir(d).expect("manifest is fine");
    let report = &loaded.report;
    assert_eq!(report.failed_sources().count(), 3);
    let summary = report.failure_summary();
    assert!(summary.contains("ontbreekt.geojson"), "{summary}");
    assert!(
        summary.contains("kapot.geojson is not valid GeoJSON"),
        "{summary}"
    );
    assert!(
        summary.contains("rd.geojson") && summary.contains("EPSG:28992"),
        "{summary}"
    );
    assert!(!source(report, "goed").failed());
    assert_eq!(loaded.dataset.areas(AreaLevel::Gemeente).len(), 1);
}

#[test]
fn rd_sources_are_read_in_metres() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "wijkatlas.toml",
        "[[source]]\nname = \"rd\"\npath = \"rd.geojson\"\nkind = \"areas\"\nlevel = \"buurt\"\ncrs = \"EPSG:28992\"\n",
    );
    let rd_square =
        "[[[154000,462000],[156000,462000],[156000,464000],[154000,464000],[154000,462000]]]";
    write(
        d,
        "rd.geojson",
        &collection(&[feature(
            r#""buurtcode":"BU99010101","buurtnaam":"Rond Amersfoort""#,
            &polygon(rd_square),
        )]),
    );
    let loaded = load::load_dir(d).unwrap();
    let area = &loaded.dataset.areas(AreaLevel::Buurt)[0];
    use geo::Area as _;
    assert!((area.geometry.rd.unsigned_area() - 4_000_000.0).abs() < 1e-6);
    let centre = wijkatlas::crs::RdPoint::new(155_000.0, 463_000.0);
    let found = loaded
        .dataset
        .area_at(AreaLevel::Buurt, centre)
        .expect("contains Amersfoort");
    assert_eq!(found.code.to_string(), "BU99010101");
    // The WGS84 copy contains the Amersfoort base point too.
    use geo::Contains;
    assert!(area
        .geometry
        .wgs84
        .contains(&geo::Point::new(5.38720621, 52.15517440)));
}

/// The fast validity test must never call an invalid real polygon valid.
#[test]
fn fast_validity_agrees_with_the_exact_check_on_real_polygons() {
    use geo::{MultiPolygon, Validation};
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let mut checked = 0;
    let mut exact_invalid = 0;
    for file in [
        "gemeenten_2022.geojson",
        "wijken_2024.geojson",
        "buurten_baarn_2024.geojson",
    ] {
        let text = fs::read_to_string(data.join(file)).unwrap();
        let fc: geojson::FeatureCollection = text.parse().unwrap();
        for f in fc.features {
            let Some(g) = f.geometry else { continue };
            let mp: MultiPolygon<f64> = match geo::Geometry::<f64>::try_from(g) {
                Ok(geo::Geometry::Polygon(p)) => p.into(),
                Ok(geo::Geometry::MultiPolygon(mp)) => mp,
                _ => continue,
            };
            checked += 1;
            let valid = mp.is_valid();
            exact_invalid += usize::from(!valid);
            assert!(
                !load::surely_valid(&mp) || valid,
                "{file}: {:?} called valid",
                f.properties.and_then(|p| p.get("wijkcode").cloned())
            );
        }
    }
    assert!(checked > 3800, "{checked}");
    // data/README.md: 17 wijken and 7 gemeenten are invalid in the source.
    assert!(exact_invalid >= 20, "{exact_invalid}");
}

#[test]
fn figures_from_a_csv_join_onto_areas_by_code() {
    let dir = fixture_dir();
    let d = dir.path();
    // Listed before the areas on purpose: the loader orders sources by what they need.
    let body = MANIFEST.replace("name = \"synthetic test fixture\"\n", "");
    let manifest = format!(
        "name = \"synthetic test fixture\"\n[[source]]\nname = \"kwb-csv\"\npath = \"kwb.csv\"\nkind = \"figures\"\nlevel = \"wijk\"\n{body}"
    );
    write(d, "wijkatlas.toml", &manifest);
    write(
        d,
        "kwb.csv",
        "\u{feff}wijkcode;aantal_inwoners;percentage_personen_65_jaar_en_ouder;opmerking\nWK990101;410;17,5;nieuw\nWK999999;5;1;weg\nWK990102;-99997;12;\nWK990103;abc;;\n",
    );
    let loaded = load::load_dir(d).expect("loads");
    let csv = source(&loaded.report, "kwb-csv");
    assert_eq!(
        (csv.read, csv.kept, csv.rejected),
        (4, 3, 1),
        "{:#?}",
        csv.issues
    );
    let rejected = problems(csv, Action::Rejected);
    assert!(
        rejected[0].starts_with("3|WK999999|wijkcode|no loaded wijk"),
        "{rejected:?}"
    );
    let dropped = problems(csv, Action::ValueDropped);
    assert!(
        dropped
            .iter()
            .any(|p| p.starts_with("5|WK990103|aantal_inwoners|'\"abc\"' is not a number")),
        "{dropped:?}"
    );
    assert_eq!(csv.nodata.get("aantal_inwoners"), Some(&1));

    let ds = &loaded.dataset;
    let noord = ds.area("WK990101".parse().unwrap()).unwrap();
    assert_eq!(
        noord.figures.get(Figure::Inhabitants),
        Some(410.0),
        "the CSV's newer figure wins"
    );
    assert_eq!(
        noord.figures.get(Figure::Age65Plus),
        Some(17.5),
        "decimal comma"
    );
    assert_eq!(
        noord.extra.get("opmerking").and_then(|v| v.as_str()),
        Some("nieuw")
    );
    let oost = ds.area("WK990102".parse().unwrap()).unwrap();
    assert_eq!(oost.figures.get(Figure::Age65Plus), Some(12.0));
    assert_eq!(oost.figures.get(Figure::Inhabitants), None);
}

#[test]
fn dwelling_points_are_counted_per_area_with_their_social_rent_share() {
    let dir = fixture_dir();
    let d = dir.path();
    let manifest = format!(
        "{MANIFEST}\n[[source]]\nname = \"woningen-rd\"\npath = \"woningen.csv\"\nkind = \"woningen\"\n\n[[source]]\nname = \"woningen-geojson\"\npath = \"woningen.geojson\"\nkind = \"woningen\"\nsocial_field = \"corp\"\n"
    );
    write(d, "wijkatlas.toml", &manifest);
    // Synthetic points: three in wijk Noord (5.30–5.35 E, 52.20–52.25 N), as RD x/y.
    let mut csv = String::from("x,y,sociale_huur\n");
    for (lon, lat, flag) in [(5.31, 52.21, "ja"), (5.32, 52.22, "nee"), (5.33, 52.23, "")] {
        let rd = wijkatlas::crs::LonLat::new(lon, lat).to_rd();
        csv.push_str(&format!("{:.2},{:.2},{flag}\n", rd.x, rd.y));
    }
    csv.push_str("1,2,ja\n");
    write(d, "woningen.csv", &csv);
    let point = |lon: f64, lat: f64, corp: &str| {
        format!(
            r#"{{"type":"Feature","properties":{{"corp":{corp}}},"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}}}}"#
        )
    };
    write(
        d,
        "woningen.geojson",
        &collection(&[
            point(5.34, 52.24, "true"),
            point(5.34, 52.24, "\"misschien\""),
            point(5.45, 52.28, "1"),
        ]),
    );
    let loaded = load::load_dir(d).expect("loads");
    let rd = source(&loaded.report, "woningen-rd");
    assert_eq!((rd.read, rd.kept, rd.rejected), (4, 3, 1));
    assert!(
        problems(rd, Action::Rejected)[0].starts_with("5||geometry|coordinates (1, 2) lie outside")
    );
    let gj = source(&loaded.report, "woningen-geojson");
    assert_eq!((gj.read, gj.kept, gj.values_dropped), (3, 3, 1));

    let noord = loaded
        .dataset
        .housing("WK990101".parse().unwrap())
        .copied()
        .expect("counted");
    assert_eq!(
        (noord.dwellings, noord.with_flag, noord.social_rent),
        (5, 3, 2)
    );
    assert!((noord.social_rent_pct().unwrap() - 66.666).abs() < 0.01);
    let gemeente = loaded
        .dataset
        .housing("GM9901".parse().unwrap())
        .copied()
        .expect("counted");
    assert_eq!(gemeente.dwellings, 6);
    let area = loaded.dataset.area("WK990101".parse().unwrap()).unwrap();
    let props = wijkatlas::features::encode::area_properties(area.into(), &loaded.dataset);
    assert_eq!(props["woningen_punten"], 5);
}

#[test]
fn areas_without_an_outline_are_served_with_null_geometry() {
    use wijkatlas::crs::Crs;
    use wijkatlas::features::{self, ItemsQuery};
    let dir = fixture_dir();
    let loaded = load::load_dir(dir.path()).expect("manifest loads");
    let collections = features::build(&loaded.dataset, &Default::default());
    let wijken = collections
        .iter()
        .find(|c| c.id == "wijken")
        .expect("wijken");
    let item = wijken.item("WK990110").expect("served");
    for crs in Crs::ALL {
        let feature: serde_json::Value =
            serde_json::from_slice(&wijken.render(&loaded.dataset, item, crs, None, None))
                .expect("valid JSON");
        assert_eq!(feature["type"], "Feature");
        assert!(feature["geometry"].is_null(), "{feature}");
        assert_eq!(feature["properties"]["inwoners"], 250.0);
        assert!(feature["properties"]["pct_65plus"].is_null(), "{feature}");
    }
    // In the listing, in CSV with an empty WKT, and never inside a box.
    let pairs = |q: &str| -> Vec<(String, String)> {
        q.split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (k.to_string(), v.to_string())
            })
            .collect()
    };
    let all = wijken.query(
        &loaded.dataset,
        &ItemsQuery::parse(&pairs("limit=1000"), wijken).unwrap(),
    );
    assert!(all.items.iter().any(|i| i.id == "WK990110"));
    let boxed = ItemsQuery::parse(&pairs("bbox=3,50,8,54&limit=1000"), wijken).unwrap();
    let inside = wijken.query(&loaded.dataset, &boxed);
    assert!(inside.items.iter().all(|i| i.id != "WK990110"));
    assert_eq!(inside.matched + 1, all.matched);
    let csv =
        String::from_utf8(wijken.write_csv(&loaded.dataset, &[item], Crs::Crs84, None)).unwrap();
    assert!(
        csv.lines()
            .nth(1)
            .is_some_and(|row| row.starts_with("WK990110,") && row.ends_with(',')),
        "{csv}"
    );
}
