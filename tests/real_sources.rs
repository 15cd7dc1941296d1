//! Importers on real files from ../shared/data that have no stated licence: read in place,
//! never copied. Without ../shared these tests fail under CI and are listed as skipped
//! elsewhere (`common::skip`); the synthetic fixtures in the other test files cover the
//! same code there.

mod common;

use serde_json::Value;
use std::path::PathBuf;
use wijkatlas::load::{self, Action};
use wijkatlas::model::{AreaLevel, Figure};

fn shared(test: &str, rel: &str) -> Option<PathBuf> {
    common::skip::shared_data(test, rel)
}

/// A data directory whose manifest reads one buurt layer in place, with its code (and
/// name) column.
fn buurt_layer_dir(name: &str, path: &std::path::Path, fields: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wijkatlas.toml"),
        format!(
            "[[source]]\nname = \"{name}\"\npath = '{}'\nkind = \"areas\"\nlevel = \"buurt\"\n{fields}",
            path.display()
        ),
    )
    .unwrap();
    dir
}

/// Rotterdam's 92 buurten (a third-party copy of CBS geometry, 8 invalid polygons) with
/// a CBS StatLine extract joined onto them as a figures CSV.
#[test]
fn rotterdam_buurten_with_a_statline_extract() {
    let (Some(geometry), Some(statline)) = (
        shared(
            "rotterdam_buurten_with_a_statline_extract",
            "rotterdam_buurten/rotterdam_buurten.geojson",
        ),
        shared(
            "rotterdam_buurten_with_a_statline_extract",
            "rotterdam_buurten/ikgeoData_cbs_rotterdam.json",
        ),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The StatLine extract as the semicolon CSV a StatLine download gives, values padded.
    let text = std::fs::read_to_string(&statline).unwrap();
    let json: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap();
    let records: Vec<&Value> = json["value"].as_object().unwrap().values().collect();
    let columns = [
        "WijkenEnBuurten",
        "Koopwoningen_40",
        "HuurwoningenTotaal_41",
        "GemiddeldInkomenPerInwoner_66",
        "Bevolkingsdichtheid_33",
    ];
    let mut csv = columns.join(";") + "\n";
    for r in &records {
        let row: Vec<String> = columns
            .iter()
            .map(|c| r[*c].as_str().unwrap_or("").to_string())
            .collect();
        csv.push_str(&row.join(";"));
        csv.push('\n');
    }
    std::fs::write(dir.path().join("statline.csv"), csv).unwrap();
    std::fs::write(
        dir.path().join("wijkatlas.toml"),
        format!(
            "[[source]]\nname = \"buurten\"\npath = \"{}\"\nkind = \"areas\"\nlevel = \"buurt\"\ncode_field = \"id\"\nname_field = \"name\"\n\n[[source]]\nname = \"statline\"\npath = \"statline.csv\"\nkind = \"figures\"\nlevel = \"buurt\"\ncode_field = \"WijkenEnBuurten\"\n",
            geometry.display()
        ),
    )
    .unwrap();

    let loaded = load::load_dir(dir.path()).expect("loads");
    assert!(
        !loaded.report.has_failures(),
        "{}",
        loaded.report.failure_summary()
    );
    let areas = &loaded.report.sources[0];
    assert_eq!((areas.read, areas.kept, areas.rejected), (92, 92, 0));
    // SOURCE.md: 8 polygons are invalid per GEOS; all are repaired, none dropped.
    assert_eq!(areas.repaired, 8, "{:#?}", areas.issues);

    let figures = &loaded.report.sources[1];
    assert_eq!(figures.read, records.len() as u64);
    // 1 gemeente and 22 wijken in the extract are not buurten.
    assert_eq!(figures.rejected, 23);
    assert!(figures
        .issues
        .iter()
        .filter(|i| i.action == Action::Rejected)
        .all(|i| i.problem.contains("wrong level")));

    let stadsdriehoek = loaded
        .dataset
        .area("BU05990110".parse().unwrap())
        .expect("Stadsdriehoek");
    assert_eq!(stadsdriehoek.name, "Stadsdriehoek");
    assert_eq!(
        stadsdriehoek.figures.get(Figure::Inhabitants),
        Some(13_770.0),
        "population column"
    );
    let source = records
        .iter()
        .find(|r| r["WijkenEnBuurten"].as_str().map(str::trim) == Some("BU05990110"))
        .unwrap();
    let expect = |c: &str| {
        source[c]
            .as_str()
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    assert_eq!(
        stadsdriehoek.figures.get(Figure::OwnerOccupied),
        expect("Koopwoningen_40")
    );
    assert_eq!(
        stadsdriehoek.figures.get(Figure::Rental),
        expect("HuurwoningenTotaal_41")
    );
    assert_eq!(
        stadsdriehoek.figures.get(Figure::IncomePerInhabitant),
        expect("GemiddeldInkomenPerInwoner_66")
    );
    assert!(stadsdriehoek.figures.get(Figure::OwnerOccupied).is_some());
    assert_eq!(loaded.dataset.areas(AreaLevel::Buurt).len(), 92);
}

/// Amsterdam's 518 buurten of 2022 (exact geometry, letter codes such as BU0363AF03).
#[test]
fn amsterdam_buurten_with_letter_codes() {
    let Some(geometry) = shared(
        "amsterdam_buurten_with_letter_codes",
        "amsterdam_buurten/buurten.geojson",
    ) else {
        return;
    };
    let dir = buurt_layer_dir("amsterdam", &geometry, "code_field = \"cbsCode\"\n");
    let loaded = load::load_dir(dir.path()).expect("loads");
    let s = &loaded.report.sources[0];
    assert!(!s.failed(), "{:?}", s.status);
    assert_eq!(s.read, 518);
    assert_eq!(s.read, s.kept + s.rejected);
    assert!(s.kept >= 500, "{:#?}", s.issues);
    let letter = loaded.dataset.areas(AreaLevel::Buurt).iter().find(|a| {
        a.code.to_string().starts_with("BU0363")
            && a.code
                .to_string()
                .bytes()
                .skip(6)
                .any(|b| b.is_ascii_alphabetic())
    });
    assert!(letter.is_some(), "Amsterdam's letter codes are read");
    // Dam square lies in a buurt of Amsterdam.
    let dam = wijkatlas::crs::LonLat::new(4.8930, 52.3731).to_rd();
    let buurt = loaded
        .dataset
        .area_at(AreaLevel::Buurt, dam)
        .expect("the Dam is in a buurt");
    assert_eq!(buurt.code.gemeente().to_string(), "GM0363");
}

/// CBS's national buurten of 2014 (coarse): 1,061 outlines repaired on load. `make_valid`
/// walks hash sets whose keys differ between hashers, so the repaired pieces once came
/// out in another order in each load and replicas disagreed on the snapshot id (found
/// with buurt BU03211252, two pieces touching at their least vertex). Loaded three times
/// in this process, each load with fresh hash keys: the outlines must be identical.
#[test]
fn national_buurten_are_repaired_into_the_same_outlines_in_every_load() {
    let Some(geometry) = shared(
        "national_buurten_are_repaired_into_the_same_outlines_in_every_load",
        "cbs_buurten_2014_coarse/buurten_2014_coarse.geojson",
    ) else {
        return;
    };
    let dir = buurt_layer_dir(
        "buurten_2014",
        &geometry,
        "code_field = \"statcode\"\nname_field = \"statnaam\"\nyear = 2014\n",
    );
    let outlines = || {
        let loaded = load::load_dir(dir.path()).expect("loads");
        let report = &loaded.report.sources[0];
        assert!(report.repaired > 1_000, "{} repaired", report.repaired);
        loaded
            .dataset
            .areas(AreaLevel::Buurt)
            .iter()
            .map(|a| (a.code.to_string(), a.geometry.clone()))
            .collect::<Vec<_>>()
    };
    let first = outlines();
    assert_eq!(first.len(), 10_531);
    for _ in 0..2 {
        let again = outlines();
        let differ: Vec<&str> = first
            .iter()
            .zip(&again)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.0.as_str())
            .collect();
        assert!(
            differ.is_empty(),
            "outlines differ between loads: {differ:?}"
        );
    }
}
