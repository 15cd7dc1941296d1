//! The core library on its own, as a script or another service would use it: no server,
//! no HTTP stack (this crate does not depend on one). The bundled data (real CBS and
//! RIVM files, see data/README.md) is loaded, indexed and ranked, and the figures are
//! checked against the files read independently here with serde_json.

use std::path::PathBuf;
use wijkatlas_core::analysis::config::AnalysisConfig;
use wijkatlas_core::analysis::gap;
use wijkatlas_core::crs::LonLat;
use wijkatlas_core::load::{self, SourceStatus};
use wijkatlas_core::model::{AreaLevel, Category};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// The number of features in a GeoJSON file, counted without the loader.
fn features_in(file: &str) -> u64 {
    let text = std::fs::read_to_string(data_dir().join(file)).expect("read bundled file");
    let value: serde_json::Value = serde_json::from_str(&text).expect("parse bundled file");
    value["features"].as_array().expect("features").len() as u64
}

#[test]
fn the_bundled_data_loads_indexes_and_ranks_without_a_server() {
    let loaded = load::load_dir(&data_dir()).expect("load the bundled data");
    for source in &loaded.report.sources {
        assert!(
            matches!(source.status, SourceStatus::Loaded),
            "source {} did not load: {:?}",
            source.name,
            source.status
        );
        assert_eq!(
            source.read,
            source.kept + source.rejected,
            "source {}: every record read is kept or rejected",
            source.name
        );
    }
    let dataset = &loaded.dataset;
    for (level, file) in [
        (AreaLevel::Gemeente, "gemeenten_2022.geojson"),
        (AreaLevel::Wijk, "wijken_2024.geojson"),
        (AreaLevel::Buurt, "buurten_baarn_2024.geojson"),
    ] {
        let areas = dataset.areas(level).len() + dataset.unlocated(level).len();
        let report = loaded
            .report
            .sources
            .iter()
            .find(|s| s.path.ends_with(file))
            .expect("a report per source");
        assert_eq!(report.read, features_in(file), "{file}: records read");
        assert_eq!(areas as u64, report.kept, "{file}: areas kept");
    }

    // The spatial index finds the gemeente of a known place: Utrecht Dom tower, in RD
    // New (EPSG:28992) from its CRS84 position.
    let dom = LonLat::new(5.121_32, 52.090_74).to_rd();
    let gemeente = dataset
        .area_at(AreaLevel::Gemeente, dom)
        .expect("the Dom lies in a gemeente");
    assert_eq!(gemeente.name, "Utrecht");

    // The hospital ranking accounts for every gemeente (ranked, short of figures, or
    // outside coverage), ranked 1..n by falling gap.
    let ranking = gap::rank(
        dataset,
        AreaLevel::Gemeente,
        Category::Ziekenhuis,
        &AnalysisConfig::default(),
    );
    let rows = &ranking.ranked;
    assert!(!rows.is_empty(), "some gemeenten are ranked");
    assert_eq!(
        rows.len() + ranking.insufficient_data.len() + ranking.outside_coverage.len(),
        dataset.areas(AreaLevel::Gemeente).len()
    );
    for (i, pair) in rows.windows(2).enumerate() {
        assert_eq!(pair[0].rank, i + 1);
        assert!(pair[0].gap >= pair[1].gap, "ranked by falling gap at {i}");
    }
}

/// The smallest box around two, as min x, min y, max x, max y.
fn widen(extent: Option<[f64; 4]>, b: [f64; 4]) -> Option<[f64; 4]> {
    Some(extent.map_or(b, |e| {
        [
            e[0].min(b[0]),
            e[1].min(b[1]),
            e[2].max(b[2]),
            e[3].max(b[3]),
        ]
    }))
}

/// The served collections, checked against the dataset they are made from: which there
/// are and in what order, their titles, extents and years, every feature once (areas in
/// id order, facilities as read) with its box, and an indicator added to its own area.
#[test]
fn the_served_collections_hold_every_area_and_facility_with_extent_and_years() {
    use geo::BoundingRect;
    use wijkatlas_core::features;
    let loaded = load::load_dir(&data_dir()).expect("load the bundled data");
    let dataset = &loaded.dataset;
    let marked = dataset.areas(AreaLevel::Wijk)[0].code;
    let mut extra = serde_json::Map::new();
    extra.insert("test_indicator".into(), serde_json::json!(1.5));
    let indicators = std::collections::HashMap::from([(marked, extra)]);
    let collections = features::build(dataset, &indicators);

    let ids: Vec<&str> = collections.iter().map(|c| c.id).collect();
    assert_eq!(ids, ["gemeenten", "wijken", "buurten", "voorzieningen"]);
    let titles: Vec<&str> = collections.iter().map(|c| c.title).collect();
    assert_eq!(titles, ["Gemeenten", "Wijken", "Buurten", "Voorzieningen"]);
    assert!(collections[3].description.contains("?categorie=huisarts"));

    for (c, level) in collections.iter().zip(AreaLevel::ALL) {
        assert_eq!(
            c.description,
            format!("{} met kerncijfers van het CBS", c.title)
        );
        let areas = dataset.areas(level);
        let mut codes: Vec<String> = areas
            .iter()
            .map(|a| a.code.to_string())
            .chain(dataset.unlocated(level).iter().map(|a| a.code.to_string()))
            .collect();
        codes.sort();
        let served: Vec<&str> = c.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(served, codes, "{}: every area once, in id order", c.id);
        let mut extent = None;
        for a in areas {
            let r = a.geometry.wgs84.bounding_rect().expect("an outline");
            extent = widen(extent, [r.min().x, r.min().y, r.max().x, r.max().y]);
            let rd = a.geometry.rd.bounding_rect().expect("an outline");
            let item = c.items.iter().find(|i| i.id == a.code.to_string());
            assert_eq!(
                item.map(|i| i.bbox_rd),
                Some([rd.min().x, rd.min().y, rd.max().x, rd.max().y]),
                "{}",
                a.code
            );
            assert_eq!(item.and_then(|i| i.year), a.year, "{}", a.code);
        }
        assert_eq!(c.extent, extent, "{}", c.id);
        let mut years: Vec<u16> = areas.iter().filter_map(|a| a.year).collect();
        years.sort_unstable();
        years.dedup();
        assert!(
            !years.is_empty(),
            "{}: the bundled areas state a year",
            c.id
        );
        assert_eq!(c.years, years, "{}", c.id);
        for item in &c.items {
            let has = item.props.contains_key("test_indicator");
            assert_eq!(has, item.id == marked.to_string(), "{}", item.id);
        }
    }

    let facilities = &collections[3];
    let served: Vec<&str> = facilities.items.iter().map(|i| i.id.as_str()).collect();
    let read: Vec<&str> = dataset
        .voorzieningen()
        .iter()
        .map(|v| v.id.as_str())
        .collect();
    assert_eq!(served, read);
    let mut extent = None;
    for (item, v) in facilities.items.iter().zip(dataset.voorzieningen()) {
        let (lon, lat) = (v.location.wgs84.lon, v.location.wgs84.lat);
        extent = widen(extent, [lon, lat, lon, lat]);
        let (x, y) = (v.location.rd.x, v.location.rd.y);
        assert_eq!(item.bbox_rd, [x, y, x, y], "{}", v.id);
    }
    assert_eq!(facilities.extent, extent);
    assert!(facilities.years.is_empty());
}

/// A page's features handed out as pieces of the collection's own bytes read, joined, as
/// the features with commas between them, whatever features are asked for: one piece per
/// run of positions that follow each other (counted here from the positions), and none
/// at all past the most pieces allowed.
#[test]
fn a_page_as_pieces_is_its_features_comma_separated() {
    let loaded = load::load_dir(&data_dir()).expect("load the bundled data");
    let collections = wijkatlas_core::features::build(&loaded.dataset, &Default::default());
    let (mut checked, mut refused) = (0, 0);
    for c in &collections {
        let n = c.items.len();
        // Thirteen runs: one more than the pieces allowed below.
        let every_other: Vec<usize> = (0..n).step_by(2).take(13).collect();
        let selections: Vec<Vec<usize>> = vec![
            (0..n).collect(),
            (n / 3..(n / 3 + 25).min(n)).collect(),
            every_other,
            [2, 3, 4, 10, 11, 40]
                .into_iter()
                .filter(|&i| i < n)
                .collect(),
            // Out of order: each position is a run of its own.
            [5, 4, 3].into_iter().filter(|&i| i < n).collect(),
            vec![],
        ];
        for positions in selections {
            let items: Vec<&wijkatlas_core::features::Item> =
                positions.iter().map(|&i| &c.items[i]).collect();
            let runs = positions
                .iter()
                .zip(positions.iter().skip(1))
                .filter(|(a, b)| **a + 1 != **b)
                .count()
                + usize::from(!positions.is_empty());
            let expected: Vec<u8> = items
                .iter()
                .map(|item| item.crs84_fragment().to_vec())
                .collect::<Vec<_>>()
                .join(&b","[..]);
            match c.crs84_pieces(&items, 12) {
                Some(pieces) => {
                    assert_eq!(pieces.len(), runs, "{}: {positions:?}", c.id);
                    assert!(pieces.concat() == expected, "{}: {positions:?}", c.id);
                    checked += 1;
                }
                None => {
                    assert!(runs > 12, "{}: {positions:?} refused in {runs} runs", c.id);
                    assert!(c.crs84_pieces(&items, runs).is_some(), "{}", c.id);
                    assert!(c.crs84_pieces(&items, runs - 1).is_none(), "{}", c.id);
                    refused += 1;
                }
            }
        }
    }
    assert!(
        checked >= 4 * collections.len(),
        "{checked} selections checked"
    );
    assert!(refused >= 1, "no selection went past the most pieces");
}
