//! `wijkatlas export`: the bundled data written as a GeoPackage and into PostGIS, opened
//! with GDAL's ogrinfo (as QGIS would read them), and read back by wijkatlas itself to
//! serve the same features, figures and indicators as the files.

mod common;

use common::skip::cluster_or_skip;
use common::Server;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn export(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
        .arg("export")
        .args(args)
        .envs(env.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run export");
    assert!(
        out.status.success(),
        "export {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `ogrinfo -so` of every layer: name → (feature count, geometry type, EPSG code).
fn ogrinfo(source: &str, layers: &[&str]) -> BTreeMap<String, (u64, String, bool)> {
    let mut c = Command::new("ogrinfo");
    c.args(["-ro", "-so", source]);
    if layers.is_empty() {
        c.arg("-al");
    }
    let out = c.args(layers).output().expect("ogrinfo (gdal-bin)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ogrinfo {source}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found = BTreeMap::new();
    for block in text.split("Layer name: ").skip(1) {
        let name = block.lines().next().unwrap_or("").trim().to_string();
        let field = |key: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let count = field("Feature Count:").parse().unwrap_or(u64::MAX);
        found.insert(
            name,
            (
                count,
                field("Geometry:"),
                block.contains("ID[\"EPSG\",28992]"),
            ),
        );
    }
    found
}

/// Feature counts of the bundled data as served.
fn served_counts(server: &Server) -> BTreeMap<String, u64> {
    server.json("/collections")["collections"]
        .as_array()
        .expect("collections")
        .iter()
        .map(|c| {
            let id = c["id"].as_str().expect("id").to_string();
            let n = server.json(&format!("/collections/{id}/items?limit=1"))["numberMatched"]
                .as_u64()
                .expect("numberMatched");
            (id, n)
        })
        .collect()
}

/// Every feature of a collection in RD (the exported system, so positions compare
/// exactly), by id.
fn features(server: &Server, collection: &str) -> Vec<(String, Value)> {
    server.json(&format!(
        "/collections/{collection}/items?limit=10000&crs=EPSG:28992"
    ))["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| (f["id"].as_str().expect("id").to_string(), f.clone()))
        .collect()
}

fn compare(files: &Server, back: &Server, collection: &str, ignore: &[&str]) -> usize {
    let a = features(files, collection);
    let b = features(back, collection);
    assert_eq!(a.len(), b.len(), "{collection}: feature counts");
    let ids = |v: &[(String, Value)]| v.iter().map(|(i, _)| i.clone()).collect::<Vec<_>>();
    let (mut ia, mut ib) = (ids(&a), ids(&b));
    ia.sort();
    ib.sort();
    assert_eq!(ia, ib, "{collection}: ids");
    let b: BTreeMap<String, Value> = b.into_iter().collect();
    for (id, fa) in &a {
        let fb = &b[id];
        let strip = |f: &Value| {
            let mut p = f["properties"].clone();
            if let Some(o) = p.as_object_mut() {
                for k in ignore {
                    o.remove(*k);
                }
            }
            p
        };
        assert!(
            common::json_close(&strip(fa), &strip(fb)),
            "{collection} {id}: properties differ\nfiles:    {}\nexported: {}",
            strip(fa),
            strip(fb)
        );
        assert_eq!(
            fa["geometry"], fb["geometry"],
            "{collection} {id}: geometry"
        );
    }
    a.len()
}

#[test]
fn the_geopackage_opens_in_gdal_and_reads_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gpkg = dir.path().join("wijkatlas.gpkg");
    let gpkg_arg = gpkg.to_str().expect("path");
    let printed = export(&["--to", "gpkg", "--out", gpkg_arg], &[]);
    assert!(printed.contains("wijken: 3474 rows"), "{printed}");

    let files = Server::start(&[]);
    let counts = served_counts(&files);
    let layers = ogrinfo(gpkg_arg, &[]);
    for (id, n) in &counts {
        let (count, geometry, rd) = layers
            .get(id)
            .unwrap_or_else(|| panic!("{id} not in the GeoPackage: {layers:?}"));
        assert_eq!(count, n, "{id}");
        assert!(*rd, "{id} is not in EPSG:28992");
        let expected = if id == "voorzieningen" {
            "Point"
        } else {
            "Multi Polygon"
        };
        assert_eq!(geometry, expected, "{id}");
    }
    assert_eq!(layers.get("bronnen").map(|l| l.0), Some(6), "{layers:?}");

    // A second export refuses to write over the file unless told to.
    let again = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
        .args(["export", "--to", "gpkg", "--out", gpkg_arg])
        .output()
        .expect("run export");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--replace"));
    export(&["--to", "gpkg", "--out", gpkg_arg, "--replace"], &[]);

    // Our own GeoPackage reader takes the exported areas as a source.
    let back = dir.path().join("data");
    std::fs::create_dir_all(&back).expect("mkdir");
    let mut manifest = String::new();
    for (name, level, layer, year) in [
        ("gemeenten_2022", "gemeente", "gemeenten", 2022),
        ("wijken_2024", "wijk", "wijken", 2024),
        ("buurten_baarn_2024", "buurt", "buurten", 2024),
    ] {
        manifest.push_str(&format!(
            "[[source]]\nname = \"{name}\"\npath = \"{gpkg_arg}\"\nkind = \"areas\"\nlevel = \"{level}\"\nlayer = \"{layer}\"\nyear = {year}\n\n"
        ));
    }
    std::fs::write(back.join("wijkatlas.toml"), manifest).expect("manifest");
    let loaded = wijkatlas::load::load_dir(&back).expect("load the exported GeoPackage");
    assert!(
        !loaded.report.has_failures(),
        "{}",
        loaded.report.failure_summary()
    );
    let bundled = wijkatlas::load::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"))
        .expect("load the bundled data");
    for level in wijkatlas::model::AreaLevel::ALL {
        let (a, b) = (bundled.dataset.areas(level), loaded.dataset.areas(level));
        assert_eq!(a.len(), b.len(), "{level}");
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x.code, y.code);
            assert_eq!(x.figures, y.figures, "{}", x.code);
            assert_eq!(x.geometry.rd, y.geometry.rd, "{}", x.code);
        }
    }
}

#[test]
fn postgis_tables_open_in_gdal_and_serve_the_same() {
    let Some(cluster) = cluster_or_skip("postgis_tables_open_in_gdal_and_serve_the_same") else {
        return;
    };
    let url = cluster.url();
    let printed = export(
        &[
            "--to",
            "postgis",
            "--schema",
            "atlas_export",
            "--database-url-env",
            "ATLAS_EXPORT_DB",
        ],
        &[("ATLAS_EXPORT_DB", url.as_str())],
    );
    assert!(
        printed.contains("atlas_export.wijken: 3474 rows"),
        "{printed}"
    );

    let files = Server::start(&[]);
    let counts = served_counts(&files);
    let tables: Vec<String> = counts
        .keys()
        .map(|id| format!("atlas_export.{id}"))
        .collect();
    let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
    let layers = ogrinfo(&cluster.gdal(), &tables);
    for (id, n) in &counts {
        let (count, geometry, rd) = layers
            .get(&format!("atlas_export.{id}"))
            .unwrap_or_else(|| panic!("{id} not in PostGIS: {layers:?}"));
        assert_eq!(count, n, "{id}");
        assert!(*rd, "{id} is not in EPSG:28992");
        let expected = if id == "voorzieningen" {
            "Point"
        } else {
            "Multi Polygon"
        };
        assert_eq!(geometry, expected, "{id}");
    }
    assert_eq!(
        cluster.sql(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'atlas_export' AND indexdef LIKE '%gist%'"
        )
        .trim(),
        counts.len().to_string()
    );
    assert_eq!(
        cluster
            .sql("SELECT naamsvermelding FROM atlas_export.bronnen WHERE naam = 'wijken_2024'")
            .trim(),
        "Bron: CBS, Kadaster (Wijk- en Buurtkaart 2024)"
    );

    // Exporting again without --replace leaves the tables alone.
    let again = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
        .args(["export", "--to", "postgis", "--schema", "atlas_export"])
        .env("WIJKATLAS_DATABASE_URL", &url)
        .output()
        .expect("run export");
    assert!(!again.status.success());
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains("--replace") && !said.contains(&cluster.password),
        "{said}"
    );

    // The exported tables as sources: the same areas, figures and indicators.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut manifest = String::new();
    for (name, kind, level, table, year) in [
        (
            "gemeenten_2022",
            "areas",
            Some("gemeente"),
            "gemeenten",
            Some(2022),
        ),
        ("wijken_2024", "areas", Some("wijk"), "wijken", Some(2024)),
        (
            "buurten_baarn_2024",
            "areas",
            Some("buurt"),
            "buurten",
            Some(2024),
        ),
    ] {
        manifest.push_str(&format!(
            "[[source]]\nname = \"{name}\"\nkind = \"{kind}\"\npostgis = {{ schema = \"atlas_export\", table = \"{table}\" }}\n"
        ));
        if let Some(level) = level {
            manifest.push_str(&format!("level = \"{level}\"\n"));
        }
        if let Some(year) = year {
            manifest.push_str(&format!("year = {year}\n"));
        }
        manifest.push('\n');
    }
    // One table holds the facilities of both sources; each comes back with the coverage
    // its source declares, and the postcodes give the same demand points.
    for (name, condition, dekking) in [
        ("ziekenhuizen", "<>", "\"nederland\""),
        (
            "bibliotheken",
            "=",
            "[\"GM0482\", \"GM0505\", \"GM0523\", \"GM0531\", \"GM0590\", \"GM0610\", \"GM0642\"]",
        ),
    ] {
        manifest.push_str(&format!(
            "[[source]]\nname = \"{name}\"\nkind = \"voorzieningen\"\npostgis = {{ query = \"SELECT * FROM atlas_export.voorzieningen WHERE categorie {condition} 'bibliotheek'\" }}\ndekking = {dekking}\n\n"
        ));
    }
    manifest.push_str(&format!(
        "[[source]]\nname = \"postcodes\"\nkind = \"postcodes\"\npath = {:?}\n",
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/postcodes/pc4_geonames.csv")
    ));
    std::fs::write(dir.path().join("wijkatlas.toml"), manifest).expect("manifest");
    let back = Server::start_with_env(
        &["--data", dir.path().to_str().expect("path")],
        &[("WIJKATLAS_DATABASE_URL", url.as_str())],
    );
    let mut compared = 0;
    for id in counts.keys() {
        // The facilities of two sources come back from one table, under its name.
        let ignore: &[&str] = if id == "voorzieningen" {
            &["bron"]
        } else {
            &[]
        };
        compared += compare(&files, &back, id, ignore);
    }
    assert_eq!(compared as u64, counts.values().sum::<u64>());
}
