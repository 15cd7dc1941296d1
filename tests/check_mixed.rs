//! `wijkatlas check` on one data directory that mixes every source kind and format:
//! a GeoPackage, GeoJSON areas, a figures CSV, an OSM extract, a register, dwelling points
//! and a postcode table. The report must count each truthfully and the command succeed.

use std::path::Path;
use std::process::Command;

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed ({e}); scripts/test.sh installs it"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The table row of one source: read, kept, rejected, status.
fn row<'a>(table: &'a str, source: &str) -> Vec<&'a str> {
    table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(source))
        .unwrap_or_else(|| panic!("no row for {source} in:\n{table}"))
        .split_whitespace()
        .collect()
}

#[test]
fn check_reports_a_directory_mixing_every_kind() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Real CBS data in CBS's own format: the bundled Baarn buurten as a GeoPackage in RD.
    let gpkg = d.join("buurten.gpkg");
    run(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            gpkg.to_str().unwrap(),
            repo.join("data/buurten_baarn_2024.geojson")
                .to_str()
                .unwrap(),
            "-nln",
            "buurten",
            "-t_srs",
            "EPSG:28992",
        ],
    );
    // Real OSM data: the library points of the bundled ODbL extract, as an .osm.pbf.
    let osm = d.join("bibliotheken.osm");
    let mut xml = String::from("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"wijkatlas test\">\n");
    let libraries: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            repo.join("data/voorzieningen/bibliotheken_drechtsteden_osm.geojson"),
        )
        .unwrap(),
    )
    .unwrap();
    for f in libraries["features"].as_array().unwrap() {
        let id = f["id"]
            .as_str()
            .or(f["properties"]["id"].as_str())
            .unwrap()
            .trim_start_matches("osm:node/")
            .to_string();
        let c = &f["geometry"]["coordinates"];
        let name = f["properties"]["name"]
            .as_str()
            .unwrap()
            .replace('&', "&amp;")
            .replace('"', "&quot;");
        xml.push_str(&format!(
            "  <node id=\"{id}\" version=\"1\" lat=\"{}\" lon=\"{}\"><tag k=\"amenity\" v=\"library\"/><tag k=\"name\" v=\"{name}\"/></node>\n",
            c[1], c[0]
        ));
    }
    xml.push_str("</osm>\n");
    std::fs::write(&osm, xml).unwrap();
    run(
        "osmium",
        &[
            "cat",
            osm.to_str().unwrap(),
            "-o",
            d.join("bibliotheken.osm.pbf").to_str().unwrap(),
            "--overwrite",
        ],
    );
    std::fs::copy(
        repo.join("data/postcodes/pc4_geonames.csv"),
        d.join("pc4.csv"),
    )
    .unwrap();
    std::fs::copy(
        repo.join("data/wijken_2024.geojson"),
        d.join("wijken.geojson"),
    )
    .unwrap();
    // Synthetic files, named so: a figures CSV, a register, dwelling points.
    std::fs::write(
        d.join("synthetic_figures.csv"),
        "buurtcode;percentage_huurwoningen_in_bezit_woningcorporaties\nBU03080000;31\nBU03080005;12,5\nBU99999999;10\n",
    )
    .unwrap();
    std::fs::write(
        d.join("synthetic_register.csv"),
        "naam;soort;postcode\nWijkteam Baarn;Sociaal wijkteam;3743 AB\nHuisarts Centrum;Huisartsenpraktijk;3741\nKapper;Kapsalon;3742\n",
    )
    .unwrap();
    std::fs::write(
        d.join("synthetic_woningen.csv"),
        "lon,lat,sociale_huur\n5.2877,52.2115,ja\n5.2890,52.2120,nee\n",
    )
    .unwrap();
    std::fs::write(
        d.join("wijkatlas.toml"),
        r#"
[[source]]
name = "register"
path = "synthetic_register.csv"
kind = "voorzieningen"
[source.register.categories]
"Sociaal wijkteam" = "wijkteam"
"Huisartsenpraktijk" = "huisarts"

[[source]]
name = "osm"
path = "bibliotheken.osm.pbf"
kind = "voorzieningen"

[[source]]
name = "buurten"
path = "buurten.gpkg"
kind = "areas"
level = "buurt"

[[source]]
name = "wijken"
path = "wijken.geojson"
kind = "areas"
level = "wijk"

[[source]]
name = "figures"
path = "synthetic_figures.csv"
kind = "figures"
level = "buurt"

[[source]]
name = "woningen"
path = "synthetic_woningen.csv"
kind = "woningen"

[[source]]
name = "pc4"
path = "pc4.csv"
kind = "postcodes"
"#,
    )
    .unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
        .args(["check", "--data"])
        .arg(d)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{table}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // name, kind, read, kept, rejected, repaired, dropped, warnings, status
    assert_eq!(row(&table, "buurten")[1..5], ["areas", "21", "21", "0"]);
    assert_eq!(row(&table, "wijken")[1..5], ["areas", "3474", "3474", "0"]);
    assert_eq!(row(&table, "figures")[1..5], ["figures", "3", "2", "1"]);
    assert_eq!(
        row(&table, "register")[1..5],
        ["voorzieningen", "3", "2", "1"]
    );
    assert_eq!(row(&table, "osm")[1..5], ["voorzieningen", "19", "19", "0"]);
    assert_eq!(row(&table, "woningen")[1..5], ["woningen", "2", "2", "0"]);
    assert_eq!(row(&table, "pc4")[1..5], ["postcodes", "4086", "4086", "0"]);
    for source in [
        "buurten", "wijken", "figures", "register", "osm", "woningen", "pc4",
    ] {
        assert_eq!(row(&table, source).last(), Some(&"ok"), "{source}");
    }
    assert!(
        table.contains("BU99999999"),
        "the unknown code is named:\n{table}"
    );
    assert!(
        table.contains("Kapsalon"),
        "the unmapped category is named:\n{table}"
    );
}
