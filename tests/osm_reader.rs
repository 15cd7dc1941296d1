//! The OpenStreetMap PBF reader on SYNTHETIC fixtures (hand-written `.osm` XML under
//! `tests/fixtures/osm/`, converted to PBF at run time with osmium) and on the real
//! extracts in `../shared/data/osm_nl_fixtures/`, which fail under CI when missing and
//! are listed as skipped elsewhere (`common::skip`).

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use wijkatlas::load::{read_osm_bytes, Action, OsmOptions, SourceError, SourceReport};
use wijkatlas::model::{Category, Voorziening};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/osm");

/// Builds `<name>.osm.pbf` from the hand-written XML; fails loudly without osmium.
fn build_pbf(name: &str, dir: &Path) -> PathBuf {
    let out = dir.join(format!("{name}.osm.pbf"));
    let status = Command::new("osmium")
        .arg("cat")
        .arg(Path::new(FIXTURES).join(format!("{name}.osm")))
        .args(["-f", "pbf", "--overwrite", "-o"])
        .arg(&out)
        .status();
    match status {
        Ok(s) if s.success() => out,
        Ok(s) => panic!("osmium cat failed ({s}) for fixture {name}"),
        Err(e) => panic!(
            "cannot run osmium ({e}): the OSM tests build their fixtures with osmium-tool; run `bash scripts/test.sh`, which installs it"
        ),
    }
}

fn read(path: &Path) -> Result<(Vec<Voorziening>, SourceReport), SourceError> {
    let bytes = std::fs::read(path).expect("fixture readable");
    read_osm_bytes(&bytes, path, &OsmOptions::default())
}

fn synthetic() -> (Vec<Voorziening>, SourceReport) {
    let dir = tempfile::tempdir().expect("temp dir");
    read(&build_pbf("synthetic_care", dir.path())).expect("synthetic fixture reads")
}

fn by_id<'a>(all: &'a [Voorziening], id: &str) -> &'a Voorziening {
    all.iter()
        .find(|v| v.id == id)
        .unwrap_or_else(|| panic!("{id} not read"))
}

#[test]
fn every_mapping_row_gives_its_category() {
    use Category::*;
    let (all, _) = synthetic();
    let expected = [
        (101, Verpleeghuis, "amenity=nursing_home"),
        (102, Verpleeghuis, "amenity=social_facility"),
        (103, Opvang, "amenity=social_facility"),
        (104, Opvang, "social_facility=group_home"),
        (105, Opvang, "social_facility=assisted_living"),
        (106, SociaalWerk, "amenity=social_facility"),
        (107, Thuiszorg, "social_facility=ambulatory_care"),
        (108, Ggz, "amenity=doctors"),
        (109, Ggz, "healthcare=psychotherapist"),
        (110, Ziekenhuis, "amenity=hospital"),
        (111, Ziekenhuis, "healthcare=hospital"),
        (112, Apotheek, "amenity=pharmacy"),
        (113, Apotheek, "healthcare=pharmacy"),
        (114, Tandarts, "amenity=dentist"),
        (115, Tandarts, "healthcare=dentist"),
        (116, Fysiotherapie, "healthcare=physiotherapist"),
        (117, Buurthuis, "amenity=community_centre"),
        (118, Bibliotheek, "amenity=library"),
        (119, Huisarts, "healthcare=centre"),
        (120, Huisarts, "amenity=doctors"),
        (121, Huisarts, "healthcare=doctor"),
        (122, Overig, "amenity=clinic"),
        (123, Overig, "amenity=social_facility"),
        (124, Overig, "healthcare=midwife"),
        (125, Overig, "social_facility=food_bank"),
    ];
    assert_eq!(expected.len(), wijkatlas::load::OSM_TAG_RULES.len());
    for (id, category, subtype) in expected {
        let v = by_id(&all, &format!("osm:node/{id}"));
        assert_eq!(
            (v.category, v.subtype.as_deref()),
            (category, Some(subtype)),
            "node {id}"
        );
    }
    let p = by_id(&all, "osm:node/112");
    assert_eq!(p.name, "Apotheek Markt");
    assert_eq!(p.address.street.as_deref(), Some("Markt 12a"));
    assert_eq!(p.address.postcode.as_deref(), Some("2611 GW"));
    assert_eq!(p.address.city.as_deref(), Some("Delft"));
    assert!((p.location.wgs84.lon - 4.3612).abs() < 1e-7);
    assert_eq!(by_id(&all, "osm:node/101").capacity, Some(80.0));
    assert_eq!(by_id(&all, "osm:node/102").capacity, Some(120.0));
}

#[test]
fn counts_only_care_elements_and_keeps_read_equal_kept_plus_rejected() {
    let (all, report) = synthetic();
    // 25 table rows + Paris + the name-less dentist + two ways; not the 11 other nodes,
    // the highway or the relation.
    assert_eq!(report.read, 29);
    assert_eq!(report.read, report.kept + report.rejected);
    assert_eq!((report.kept, report.rejected), (28, 1));
    assert_eq!(all.len(), 28);
    let ids: HashSet<&str> = all.iter().map(|v| v.id.as_str()).collect();
    for other in [
        "osm:node/7",
        "osm:node/9",
        "osm:node/10",
        "osm:node/11",
        "osm:way/303",
    ] {
        assert!(!ids.contains(other), "{other} is not care or welfare");
    }
}

#[test]
fn ways_stand_on_their_surface_or_at_their_mean() {
    let (all, _) = synthetic();
    let block = by_id(&all, "osm:way/301");
    assert_eq!(block.category, Category::Huisarts);
    assert_eq!(block.address.street.as_deref(), Some("Blokweg 1"));
    let w = block.location.wgs84;
    assert!(
        (4.4000..=4.4010).contains(&w.lon) && (52.0000..=52.0010).contains(&w.lat),
        "{w:?}"
    );
    let line = by_id(&all, "osm:way/302").location.wgs84;
    assert!(
        (line.lon - 4.4120).abs() < 1e-7 && (line.lat - 52.0110).abs() < 1e-7,
        "{line:?}"
    );
}

#[test]
fn a_node_outside_the_netherlands_is_rejected_by_id() {
    let (_, report) = synthetic();
    let issue = report
        .issues
        .iter()
        .find(|i| i.id.as_deref() == Some("osm:node/201"))
        .expect("an issue for the Paris node");
    assert_eq!(issue.action, Action::Rejected);
    assert_eq!(issue.field.as_deref(), Some("geometry"));
    assert!(
        issue.problem.contains("outside the Netherlands"),
        "{}",
        issue.problem
    );
}

#[test]
fn a_nameless_poi_is_named_by_category_and_warned() {
    let (all, report) = synthetic();
    assert_eq!(by_id(&all, "osm:node/202").name, Category::Tandarts.label());
    assert!(report
        .issues
        .iter()
        .any(|i| i.id.as_deref() == Some("osm:node/202")
            && i.field.as_deref() == Some("name")
            && i.action == Action::Warning));
    let capacity = report
        .issues
        .iter()
        .find(|i| i.id.as_deref() == Some("osm:node/120"))
        .expect("the non-numeric capacity is reported");
    assert_eq!(
        (capacity.field.as_deref(), capacity.action),
        (Some("capacity"), Action::ValueDropped)
    );
    assert!(report
        .issues
        .iter()
        .any(|i| i.problem.contains("osm:relation/401")));
}

#[test]
fn a_truncated_file_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = build_pbf("synthetic_care", dir.path());
    let bytes = std::fs::read(&path).expect("built");
    for cut in [bytes.len() - 7, bytes.len() / 2, 20] {
        let cut_path = dir.path().join("cut.osm.pbf");
        let err = read_osm_bytes(&bytes[..cut], &cut_path, &OsmOptions::default())
            .expect_err("a truncated file must not read");
        let msg = err.to_string();
        assert!(matches!(err, SourceError::Pbf { .. }), "{msg}");
        assert!(
            msg.contains("cut.osm.pbf") && msg.contains("truncated or corrupt"),
            "{msg}"
        );
    }
    let err = read_osm_bytes(
        b"",
        &dir.path().join("empty.osm.pbf"),
        &OsmOptions::default(),
    )
    .expect_err("empty is not a PBF");
    assert!(err.to_string().contains("no OSMHeader"), "{err}");
}

fn shared(test: &str, name: &str) -> Option<(Vec<Voorziening>, SourceReport)> {
    let path = common::skip::shared_data(test, &format!("osm_nl_fixtures/{name}"))?;
    Some(read(&path).expect("real extract reads"))
}

fn count(all: &[Voorziening], c: Category) -> usize {
    all.iter().filter(|v| v.category == c).count()
}

#[test]
fn real_amsterdam_centre() {
    let Some((all, report)) = shared("real_amsterdam_centre", "amsterdam_centrum_2026-02.osm.pbf")
    else {
        return;
    };
    assert_eq!(report.read, report.kept + report.rejected);
    let named = |name: &str| {
        all.iter()
            .find(|v| v.name == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let gp = named("Huisartsenpraktijk A.M. Heijnen");
    assert_eq!(
        (gp.category, gp.address.postcode.as_deref()),
        (Category::Huisarts, Some("1012BW"))
    );
    let pharmacy = named("Dam Apotheek");
    assert_eq!(
        (pharmacy.category, pharmacy.address.postcode.as_deref()),
        (Category::Apotheek, Some("1012JM"))
    );
    assert_eq!(named("De Boomspijker").category, Category::Buurthuis);
    assert!(all.iter().any(|v| v.name.contains("Leger des Heils")));
    assert!(all.iter().any(|v| v.name.contains("Princehof")));
    // SOURCE.md: doctors 1, pharmacy 1, community_centre 3, library 1, dentist 2.
    assert_eq!(count(&all, Category::Huisarts), 1);
    assert_eq!(count(&all, Category::Apotheek), 1);
    assert_eq!(count(&all, Category::Buurthuis), 3);
    assert_eq!(count(&all, Category::Bibliotheek), 1);
    assert_eq!(count(&all, Category::Tandarts), 2);
    assert_eq!(count(&all, Category::Fysiotherapie), 1);
    assert!(all
        .iter()
        .all(|v| v.id.starts_with("osm:node/") || v.id.starts_with("osm:way/")));
}

#[test]
fn real_delft_campus() {
    let Some((all, report)) = shared("real_delft_campus", "delft_tudelft_2025-08.osm.pbf") else {
        return;
    };
    assert_eq!(report.read, report.kept + report.rejected);
    // SOURCE.md: doctors 3, dentist 4, community_centre 1, library 1, physiotherapist 1,
    // healthcare=centre 1.
    assert_eq!(count(&all, Category::Huisarts), 3);
    assert_eq!(count(&all, Category::Tandarts), 4);
    assert_eq!(count(&all, Category::Buurthuis), 1);
    assert_eq!(count(&all, Category::Bibliotheek), 1);
    assert_eq!(count(&all, Category::Fysiotherapie), 1);
}
