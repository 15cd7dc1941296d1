//! GeoPackage area layers written by GDAL (as CBS's own are), in each CBS column family.
//!
//! The fixtures are the bundled Baarn buurten (real CBS data) converted by `ogr2ogr` at
//! test time into RD New, with the columns renamed to each family's names.

use std::path::{Path, PathBuf};
use std::process::Command;
use wijkatlas::crs::LonLat;
use wijkatlas::load::{self, LoadReport};
use wijkatlas::model::{AreaLevel, Figure};

fn baarn_geojson() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/buurten_baarn_2024.geojson")
}

/// Runs ogr2ogr, failing the test with a pointer to the installer when GDAL is absent.
fn ogr2ogr(args: &[&str]) {
    let out = Command::new("ogr2ogr").args(args).output().unwrap_or_else(|e| {
        panic!("ogr2ogr is needed for this test ({e}); scripts/test.sh installs it (Debian gdal-bin)")
    });
    assert!(
        out.status.success(),
        "ogr2ogr failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn gpkg(dir: &Path, name: &str, srs: &str, select: Option<&str>) -> PathBuf {
    let path = dir.join(name);
    let src = baarn_geojson();
    let mut args = vec![
        "-f",
        "GPKG",
        path.to_str().unwrap(),
        src.to_str().unwrap(),
        "-nln",
        "buurten",
        "-t_srs",
        srs,
    ];
    let sql;
    if let Some(columns) = select {
        sql = format!("SELECT {columns}, geometry FROM buurten_baarn_2024");
        args.extend(["-dialect", "SQLite", "-sql", sql.as_str()]);
    }
    ogr2ogr(&args);
    path
}

fn manifest(dir: &Path, file: &str, extra: &str) {
    std::fs::write(
        dir.join("wijkatlas.toml"),
        format!("[[source]]\nname = \"buurten\"\npath = \"{file}\"\nkind = \"areas\"\nlevel = \"buurt\"\n{extra}"),
    )
    .unwrap();
}

fn load_ok(dir: &Path) -> load::Loaded {
    let loaded = load::load_dir(dir).expect("manifest");
    assert!(
        !loaded.report.has_failures(),
        "{}",
        loaded.report.failure_summary()
    );
    loaded
}

fn counts(report: &LoadReport) -> (u64, u64, u64) {
    let s = &report.sources[0];
    (s.read, s.kept, s.rejected)
}

const FAMILIES: [(&str, &str); 3] = [
    (
        "CBS GeoPackage snake_case",
        "buurtcode, buurtnaam, gemeentecode, aantal_inwoners, percentage_personen_65_jaar_en_ouder, aantal_huishoudens, woningvoorraad",
    ),
    (
        "CBS shapefile upper case",
        "buurtcode AS BU_CODE, buurtnaam AS BU_NAAM, gemeentecode AS GM_CODE, aantal_inwoners AS AANT_INW, percentage_personen_65_jaar_en_ouder AS P_65_EO_JR, aantal_huishoudens AS AANTAL_HH, woningvoorraad AS WONINGEN",
    ),
    (
        "PDOK web service camelCase",
        "buurtcode AS buurtCode, buurtnaam AS buurtNaam, gemeentecode AS gemeenteCode, aantal_inwoners AS aantalInwoners, percentage_personen_65_jaar_en_ouder AS percentagePersonen65JaarEnOuder, aantal_huishoudens AS aantalHuishoudens, woningvoorraad AS woningvoorraad",
    ),
];

#[test]
fn every_cbs_column_family_reads_the_same_figures() {
    for (family, columns) in FAMILIES {
        let dir = tempfile::tempdir().unwrap();
        gpkg(dir.path(), "kwb.gpkg", "EPSG:28992", Some(columns));
        manifest(dir.path(), "kwb.gpkg", "");
        let loaded = load_ok(dir.path());
        assert_eq!(counts(&loaded.report), (21, 21, 0), "{family}");
        let area = loaded
            .dataset
            .area("BU03080005".parse().unwrap())
            .unwrap_or_else(|| panic!("{family}: Nieuwe-Oosterhei missing"));
        assert_eq!(area.name, "Nieuwe-Oosterhei", "{family}");
        assert_eq!(
            area.figures.get(Figure::Inhabitants),
            Some(2585.0),
            "{family}"
        );
        assert_eq!(area.figures.get(Figure::Age65Plus), Some(20.0), "{family}");
        assert_eq!(
            area.figures.get(Figure::Households),
            Some(1215.0),
            "{family}"
        );
        // -99995 in CBS's early 2024 release: missing, and counted as such.
        assert_eq!(area.figures.get(Figure::Dwellings), None, "{family}");
        let nodata: u64 = loaded.report.sources[0].nodata.values().sum();
        assert_eq!(nodata, 21, "{family}: one woningvoorraad nodata per buurt");
    }
}

#[test]
fn rd_and_wgs84_geopackages_place_buurten_alike() {
    let dir = tempfile::tempdir().unwrap();
    gpkg(dir.path(), "rd.gpkg", "EPSG:28992", None);
    manifest(dir.path(), "rd.gpkg", "");
    let rd = load_ok(dir.path());

    let dir84 = tempfile::tempdir().unwrap();
    gpkg(dir84.path(), "wgs.gpkg", "EPSG:4326", None);
    manifest(dir84.path(), "wgs.gpkg", "");
    let wgs = load_ok(dir84.path());

    use geo::Area as _;
    for (a, b) in rd
        .dataset
        .areas(AreaLevel::Buurt)
        .iter()
        .zip(wgs.dataset.areas(AreaLevel::Buurt))
    {
        assert_eq!(a.code, b.code);
        let (x, y) = (a.geometry.rd.unsigned_area(), b.geometry.rd.unsigned_area());
        // GDAL's datum shift and our polynomials differ by well under a metre.
        assert!((x - y).abs() / x < 0.001, "{}: {x} vs {y} m²", a.code);
    }
    // A point in Baarn's centre lies in the same buurt in both.
    let centre = LonLat::new(5.2877, 52.2115).to_rd();
    let in_rd = rd.dataset.area_at(AreaLevel::Buurt, centre).map(|a| a.code);
    let in_wgs = wgs
        .dataset
        .area_at(AreaLevel::Buurt, centre)
        .map(|a| a.code);
    assert!(in_rd.is_some());
    assert_eq!(in_rd, in_wgs);
}

#[test]
fn a_missing_layer_or_a_non_geopackage_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    gpkg(dir.path(), "kwb.gpkg", "EPSG:28992", None);
    manifest(dir.path(), "kwb.gpkg", "layer = \"straten\"\n");
    let loaded = load::load_dir(dir.path()).unwrap();
    let summary = loaded.report.failure_summary();
    assert!(
        summary.contains("kwb.gpkg")
            && summary.contains("no layer 'straten'")
            && summary.contains("buurten"),
        "{summary}"
    );

    std::fs::write(dir.path().join("nep.gpkg"), "dit is geen GeoPackage").unwrap();
    manifest(dir.path(), "nep.gpkg", "");
    let loaded = load::load_dir(dir.path()).unwrap();
    let summary = loaded.report.failure_summary();
    assert!(summary.contains("nep.gpkg"), "{summary}");
    assert!(
        summary.contains("not a GeoPackage") || summary.contains("cannot be opened"),
        "{summary}"
    );
}
