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
