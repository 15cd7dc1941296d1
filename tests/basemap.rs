//! A self-hosted basemap (`--basemap-file`): a raster MBTiles file served as XYZ tiles
//! on a real port, named in the map's config, and refused with a clear message when it
//! is not a raster MBTiles. The files are synthetic fixtures made here: one grey
//! 256 px tile (tests/fixtures/synthetic-basemap-tile.png) at every address of zoom 0–3.

mod common;

use common::{header, raw, Server};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::process::Command;

const TILE: &[u8] = include_bytes!("fixtures/synthetic-basemap-tile.png");

/// An MBTiles file with the given metadata and every tile of zoom 0 to `maxzoom`
/// except the one at XYZ 3/4/2 (left out, to ask for a tile the file lacks).
fn mbtiles(dir: &Path, name: &str, metadata: &[(&str, &str)], maxzoom: u8) -> PathBuf {
    let path = dir.join(name);
    let db = Connection::open(&path).expect("create the MBTiles file");
    db.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
    )
    .expect("schema");
    for (k, v) in metadata {
        db.execute("INSERT INTO metadata VALUES (?1, ?2)", [k, v])
            .expect("metadata");
    }
    db.execute_batch("BEGIN").expect("begin");
    for z in 0..=maxzoom {
        let n = 1u32 << z;
        for x in 0..n {
            for y in 0..n {
                if (z, x, y) == (3, 4, 2) {
                    continue;
                }
                // MBTiles counts rows from the south.
                let tms = n - 1 - y;
                db.execute(
                    "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![z, x, tms, TILE],
                )
                .expect("tile");
            }
        }
    }
    db.execute_batch("COMMIT").expect("commit");
    path
}

fn raster_metadata() -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "synthetisch grijs"),
        ("format", "png"),
        ("minzoom", "0"),
        ("maxzoom", "3"),
        ("bounds", "3.2,50.7,7.3,53.6"),
        ("attribution", "Synthetische testkaart (wijkatlas)"),
    ]
}

#[test]
fn a_raster_mbtiles_file_is_served_as_the_basemap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = mbtiles(dir.path(), "grijs.mbtiles", &raster_metadata(), 3);
    let server = Server::start(&["--basemap-file", file.to_str().unwrap()]);

    let config = server.json("/web/config.json");
    let basemap = &config["basemap"];
    assert_eq!(basemap["tiles"], "/basemap/{z}/{x}/{y}", "{basemap}");
    assert_eq!(basemap["local"], true);
    assert_eq!(basemap["attribution"], "Synthetische testkaart (wijkatlas)");
    assert_eq!(basemap["maxzoom"], 3);
    assert_eq!(basemap["bounds"], serde_json::json!([3.2, 50.7, 7.3, 53.6]));
    let credits: Vec<&str> = config["attribution"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert!(
        credits.contains(&"Synthetische testkaart (wijkatlas)"),
        "{credits:?}"
    );

    // Every served tile is the file's own bytes, with its image type.
    for path in ["/basemap/0/0/0", "/basemap/3/4/5", "/basemap/3/7/7.png"] {
        let (status, headers, body) = raw(&server, path, &[]);
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            header(&headers, "content-type"),
            Some("image/png"),
            "{path}"
        );
        assert_eq!(body, TILE, "{path}");
        assert!(header(&headers, "cache-control").is_some_and(|c| c.contains("max-age")));
    }
    // XYZ rows count from the north: 3/4/2 is the tile left out (TMS row 5).
    let (status, _, body) = raw(&server, "/basemap/3/4/2", &[]);
    assert_eq!(status, 204, "a tile the file lacks is empty, not an error");
    assert!(body.is_empty());
    let (status, _, _) = raw(&server, "/basemap/3/4/5", &[]);
    assert_eq!(status, 200, "its TMS twin is there");

    for bad in [
        "/basemap/3/8/0",
        "/basemap/3/0/8",
        "/basemap/31/0/0",
        "/basemap/z/0/0",
        "/basemap/2/-1/0",
    ] {
        let (status, content_type, body) = server.get(bad);
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(content_type.starts_with("application/json"), "{bad}");
        assert!(body.contains("is not a whole number"), "{bad}: {body}");
    }
}

#[test]
fn without_a_basemap_file_the_tile_route_says_so() {
    let server = Server::start(&["--basemap-url", "off"]);
    let (status, content_type, body) = server.get("/basemap/0/0/0");
    assert_eq!(status, 404, "{body}");
    assert!(content_type.starts_with("application/json"));
    assert!(body.contains("--basemap-file"), "{body}");
    assert!(server.json("/web/config.json")["basemap"].is_null());
}

/// The server does not start on a file it cannot serve, and says why, naming the file.
#[test]
fn a_file_that_is_no_raster_mbtiles_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut vector = raster_metadata();
    vector[1] = ("format", "pbf");
    let mut unattributed = raster_metadata();
    unattributed.pop();
    let cases = [
        (
            mbtiles(dir.path(), "vector.mbtiles", &vector, 0),
            vec![],
            "a basemap must be raster tiles",
        ),
        (
            mbtiles(dir.path(), "zonder.mbtiles", &unattributed, 0),
            vec![],
            "give the one its licence asks for with --basemap-attribution",
        ),
        (
            dir.path().join("geen-bestand.mbtiles"),
            vec![],
            "cannot open it as SQLite",
        ),
        (
            mbtiles(dir.path(), "beide.mbtiles", &raster_metadata(), 0),
            vec!["--basemap-url", "https://example.org/{z}/{x}/{y}.png"],
            "basemap_file must be given without basemap_url",
        ),
    ];
    for (file, extra, said) in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
            .args(["serve", "--addr", "127.0.0.1:0", "--basemap-file"])
            .arg(&file)
            .args(&extra)
            .env_remove("WIJKATLAS_BASEMAP_URL")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run wijkatlas");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{}: started", file.display());
        assert!(stderr.contains(said), "{}: {stderr}", file.display());
        if !said.contains("basemap_url") {
            assert!(
                stderr.contains(&*file.to_string_lossy()),
                "the message names the file: {stderr}"
            );
        }
    }
    // Attribution given on the command line: the unattributed file is fine.
    let file = dir.path().join("zonder.mbtiles");
    let server = Server::start(&[
        "--basemap-file",
        file.to_str().unwrap(),
        "--basemap-attribution",
        "Kaart: synthetisch",
    ]);
    assert_eq!(
        server.json("/web/config.json")["basemap"]["attribution"],
        "Kaart: synthetisch"
    );
}

/// The planner in Chromium over the self-hosted basemap: drawn, its tiles from this
/// server, its credit on the map (`web/e2e/basemap.mjs`).
#[test]
fn the_self_hosted_basemap_is_drawn_in_chromium() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut metadata = raster_metadata();
    metadata[3] = ("maxzoom", "6");
    let file = mbtiles(dir.path(), "grijs.mbtiles", &metadata, 6);
    let server = Server::start(&["--basemap-file", file.to_str().unwrap()]);
    let (stdout, summary) = common::browser::run("basemap.mjs", &server.base, "e2e");
    assert_eq!(
        summary.map(|s| s["checks"].clone()),
        Some(5.into()),
        "{stdout}"
    );
}
