//! PostGIS as a source, on a real throw-away PostgreSQL cluster: the bundled data loaded
//! into it with ogr2ogr is served exactly as from the files (the same features, ids,
//! properties and indicator values, the same load report), bad rows are rejected with
//! their table, key and column, a bad connection string is explained without its
//! password, and a reload (asked for, or on NOTIFY) re-reads the database.

mod common;

use common::postgis::Cluster;
use common::skip::cluster_or_skip;
use common::Server;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled layers and the tables they are copied into.
const LAYERS: [(&str, &str, bool); 5] = [
    ("gemeenten_2022.geojson", "gemeenten_2022", true),
    ("wijken_2024.geojson", "wijken_2024", true),
    ("buurten_baarn_2024.geojson", "buurten_baarn_2024", true),
    (
        "voorzieningen/ziekenhuizen_2019.geojson",
        "ziekenhuizen_2019",
        false,
    ),
    (
        "voorzieningen/bibliotheken_drechtsteden_osm.geojson",
        "bibliotheken_drechtsteden_osm",
        false,
    ),
];

/// The bundled manifest with every GeoJSON layer read from its table instead, and the
/// postcode CSV (a table PostGIS sources do not cover) from the bundled folder.
fn postgis_manifest() -> String {
    let bundled = std::fs::read_to_string(root().join("data/wijkatlas.toml")).expect("manifest");
    bundled
        .lines()
        .map(|line| {
            let Some(path) = line
                .strip_prefix("path = \"")
                .and_then(|p| p.strip_suffix('"'))
            else {
                return line.to_string();
            };
            match LAYERS.iter().find(|(file, _, _)| *file == path) {
                Some((_, table, _)) => format!("postgis = {{ table = \"{table}\" }}"),
                None => format!("path = \"{}\"", root().join("data").join(path).display()),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn load_bundled(cluster: &Cluster) {
    for (file, table, polygons) in LAYERS {
        cluster.ogr2ogr(&root().join("data").join(file), table, polygons);
    }
}

fn write_manifest(dir: &Path, text: &str) {
    std::fs::write(dir.join("wijkatlas.toml"), text).expect("write manifest");
}

/// Every feature of a collection by id, in the order served.
fn features(server: &Server, collection: &str) -> Vec<(String, Value)> {
    let fc = server.json(&format!("/collections/{collection}/items?limit=10000"));
    fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| (f["id"].as_str().expect("id").to_string(), f.clone()))
        .collect()
}

fn counts(status: &Value) -> BTreeMap<String, (u64, u64, u64, u64, u64)> {
    status["report"]["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| {
            let n = |k: &str| s[k].as_u64().unwrap_or(u64::MAX);
            (
                s["name"].as_str().unwrap_or("").to_string(),
                (
                    n("read"),
                    n("kept"),
                    n("rejected"),
                    n("repaired"),
                    n("warnings"),
                ),
            )
        })
        .collect()
}

#[test]
fn postgis_serves_what_the_files_serve() {
    let Some(cluster) = cluster_or_skip("postgis_serves_what_the_files_serve") else {
        return;
    };
    load_bundled(&cluster);
    let dir = tempfile::tempdir().expect("tempdir");
    write_manifest(dir.path(), &postgis_manifest());
    let url = cluster.url();
    let files = Server::start(&[]);
    let db = Server::start_with_env(
        &["--data", dir.path().to_str().expect("path")],
        &[("WIJKATLAS_DATABASE_URL", url.as_str())],
    );

    let ids = |s: &Server| -> Vec<String> {
        s.json("/collections")["collections"]
            .as_array()
            .expect("collections")
            .iter()
            .map(|c| c["id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let collections = ids(&files);
    assert_eq!(collections, ids(&db));
    assert!(collections.len() >= 4, "{collections:?}");

    let mut compared = 0;
    for c in &collections {
        let a = features(&files, c);
        let b = features(&db, c);
        assert_eq!(a.len(), b.len(), "{c}: feature counts");
        let ids_a: Vec<&str> = a.iter().map(|(id, _)| id.as_str()).collect();
        let ids_b: Vec<&str> = b.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids_a, ids_b, "{c}: ids in order");
        for ((id, fa), (_, fb)) in a.iter().zip(&b) {
            assert!(
                common::json_close(&fa["properties"], &fb["properties"]),
                "{c} {id}: properties differ\nfiles:   {}\npostgis: {}",
                fa["properties"],
                fb["properties"]
            );
            assert_eq!(fa["geometry"], fb["geometry"], "{c} {id}: geometry differs");
            compared += 1;
        }
    }
    assert!(compared > 4000, "{compared} features compared");

    // The indicators themselves, beside the layer: the same ranking from either source.
    for path in [
        "/api/gaps?categorie=ziekenhuis&limit=50",
        "/api/access?categorie=ziekenhuis",
    ] {
        assert!(
            common::json_close(&files.json(path), &db.json(path)),
            "{path} differs between files and PostGIS"
        );
    }

    let (sa, sb) = (files.json("/status"), db.json("/status"));
    assert_eq!(
        counts(&sa),
        counts(&sb),
        "read/kept/rejected/repaired/warnings"
    );
    let wijken = sb["report"]["sources"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "wijken_2024"))
        .expect("wijken in the report");
    assert_eq!(wijken["path"], "postgis:wijken_2024");
    let status = sb.to_string();
    assert!(
        !status.contains(&cluster.password),
        "the password is on /status"
    );
}

/// `wijkatlas check --json` on `dir` with the database URL in `variable`.
fn check(dir: &Path, variable: &str, url: &str) -> (bool, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
        .args(["check", "--json", "--data"])
        .arg(dir)
        .env(variable, url)
        .output()
        .expect("run check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.success(),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_rows_and_bad_connections_are_explained() {
    let Some(cluster) = cluster_or_skip("bad_rows_and_bad_connections_are_explained") else {
        return;
    };
    cluster.ogr2ogr(
        &root().join("data/buurten_baarn_2024.geojson"),
        "buurten",
        true,
    );
    // A geometry column without a type constraint, so a point can stand in an area layer.
    cluster.sql(
        "ALTER TABLE buurten ALTER COLUMN geom TYPE geometry(Geometry, 4326);
         UPDATE buurten SET buurtcode = NULL WHERE gid = 2;
         UPDATE buurten SET geom = ST_SetSRID(ST_MakePoint(5.27, 52.21), 4326) WHERE gid = 3;
         UPDATE buurten SET geom = NULL WHERE gid = 4;",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    write_manifest(
        dir.path(),
        "[postgis]\nurl_env = \"ATLAS_TEST_DB\"\n\n[[source]]\nname = \"buurten\"\nkind = \"areas\"\nlevel = \"buurt\"\npostgis = { table = \"buurten\" }\n",
    );
    let (ok, report, stderr) = check(dir.path(), "ATLAS_TEST_DB", &cluster.url());
    assert!(ok, "{stderr}");
    let s = &report["sources"][0];
    assert_eq!(s["path"], "postgis:buurten");
    assert_eq!(
        (&s["read"], &s["kept"], &s["rejected"]),
        (&Value::from(21), &Value::from(19), &Value::from(2)),
        "{s}"
    );
    let issues = s["issues"].as_array().expect("issues");
    let find = |record: u64| {
        issues
            .iter()
            .find(|i| i["record"] == record && i["action"] != "value_dropped")
            .unwrap_or_else(|| panic!("no issue for row {record}: {s}"))
    };
    let no_code = find(2);
    assert_eq!(no_code["action"], "rejected");
    assert_eq!(no_code["id"], "gid=2", "{no_code}");
    assert_eq!(no_code["field"], "buurtcode", "{no_code}");
    let point = find(3);
    assert_eq!(point["action"], "rejected");
    assert_eq!(point["field"], "geom", "{point}");
    assert_eq!(point["id"], "BU03080002", "{point}");
    let no_geometry = find(4);
    assert_eq!(no_geometry["action"], "warning", "{no_geometry}");
    assert_eq!(no_geometry["field"], "geom");

    // A query instead of a table: its geometry column and SRID found from its rows.
    write_manifest(
        dir.path(),
        "[postgis]\nurl_env = \"ATLAS_TEST_DB\"\n\n[[source]]\nname = \"buurten\"\nkind = \"areas\"\nlevel = \"buurt\"\npostgis = { query = \"SELECT buurtcode, buurtnaam, aantal_inwoners, geom AS outline FROM buurten WHERE gid > 4\", key_column = \"buurtcode\" }\n",
    );
    let (ok, report, stderr) = check(dir.path(), "ATLAS_TEST_DB", &cluster.url());
    assert!(ok, "{stderr}");
    let s = &report["sources"][0];
    assert_eq!(s["path"], "postgis:query");
    assert_eq!(
        (&s["read"], &s["kept"]),
        (&Value::from(17), &Value::from(17)),
        "{s}"
    );
    write_manifest(
        dir.path(),
        "[postgis]\nurl_env = \"ATLAS_TEST_DB\"\n\n[[source]]\nname = \"buurten\"\nkind = \"areas\"\nlevel = \"buurt\"\npostgis = { table = \"buurten\" }\n",
    );

    // A wrong password: refused by the server, said with the target but not the secret.
    let wrong = format!(
        "postgresql://{}:wrong-secret-pw@127.0.0.1:{}/{}",
        common::postgis::USER,
        cluster.port,
        common::postgis::DATABASE
    );
    let (ok, report, stderr) = check(dir.path(), "ATLAS_TEST_DB", &wrong);
    assert!(!ok);
    let said = format!("{report}{stderr}");
    assert!(!said.contains("wrong-secret-pw"), "{said}");
    assert!(said.contains("password authentication failed"), "{said}");
    assert!(
        said.contains(&format!("wijkatlas@127.0.0.1:{}/atlas", cluster.port)),
        "{said}"
    );

    // No server there at all.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let (ok, _, stderr) = check(
        dir.path(),
        "ATLAS_TEST_DB",
        &format!("postgresql://atlas:other-secret@127.0.0.1:{port}/atlas"),
    );
    assert!(!ok);
    assert!(
        stderr.contains("cannot connect to postgresql://atlas@127.0.0.1"),
        "{stderr}"
    );
    assert!(!stderr.contains("other-secret"), "{stderr}");

    // No variable set: the message names the variable to set.
    let (ok, _, stderr) = check(dir.path(), "ATLAS_TEST_DB_OTHER", "x");
    assert!(!ok);
    assert!(stderr.contains("ATLAS_TEST_DB"), "{stderr}");

    // A table that is not there lists the ones that are.
    write_manifest(
        dir.path(),
        "[postgis]\nurl_env = \"ATLAS_TEST_DB\"\n\n[[source]]\nname = \"buurten\"\nkind = \"areas\"\nlevel = \"buurt\"\npostgis = { table = \"buurt\" }\n",
    );
    let (ok, _, stderr) = check(dir.path(), "ATLAS_TEST_DB", &cluster.url());
    assert!(!ok);
    assert!(
        stderr.contains("postgis:buurt: no such table") && stderr.contains("public.buurten"),
        "{stderr}"
    );
}

#[test]
fn a_reload_re_reads_the_database() {
    let Some(cluster) = cluster_or_skip("a_reload_re_reads_the_database") else {
        return;
    };
    cluster.ogr2ogr(
        &root().join("data/buurten_baarn_2024.geojson"),
        "buurten",
        true,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    write_manifest(
        dir.path(),
        "[postgis]\nnotify_channel = \"wijkatlas_reload\"\n\n[[source]]\nname = \"buurten\"\nkind = \"areas\"\nlevel = \"buurt\"\npostgis = { table = \"buurten\" }\n",
    );
    let url = cluster.url();
    let server = Server::start_with_env(
        &[
            "--data",
            dir.path().to_str().expect("path"),
            "--admin-token",
            "geheim",
        ],
        &[("WIJKATLAS_DATABASE_URL", url.as_str())],
    );
    let item = "/collections/buurten/items/BU03080000";
    let before = server.json(item);
    assert_eq!(before["properties"]["naam"], "Centrum");
    assert_eq!(before["properties"]["inwoners"], 1825.0);

    cluster.sql(
        "UPDATE buurten SET buurtnaam = 'Centrum (herzien)', aantal_inwoners = 1900 WHERE buurtcode = 'BU03080000';
         DELETE FROM buurten WHERE buurtcode = 'BU03080001';",
    );
    // Not before the reload: the snapshot is what was read.
    assert_eq!(server.json(item)["properties"]["naam"], "Centrum");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .post(&server.url("/admin/reload"))
        .header("Authorization", "Bearer geheim")
        .send_empty()
        .expect("POST /admin/reload");
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_string().unwrap_or_default();
    assert_eq!(status, 200, "{body}");

    let after = server.json(item);
    assert_eq!(after["properties"]["naam"], "Centrum (herzien)");
    assert_eq!(after["properties"]["inwoners"], 1900.0);
    let (gone, _, _) = server.get("/collections/buurten/items/BU03080001");
    assert_eq!(gone, 404);
    assert_eq!(
        server.json("/collections/buurten/items?limit=100")["numberMatched"],
        20
    );

    // A NOTIFY on the manifest's channel reloads without anyone calling the endpoint.
    cluster.sql(
        "UPDATE buurten SET buurtnaam = 'Centrum (via NOTIFY)' WHERE buurtcode = 'BU03080000'; NOTIFY wijkatlas_reload;",
    );
    let started = std::time::Instant::now();
    loop {
        let naam = server.json(item)["properties"]["naam"].clone();
        if naam == "Centrum (via NOTIFY)" {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "no reload 20 s after NOTIFY: {naam}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
