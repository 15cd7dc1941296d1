//! `wijkatlas fetch` end to end against a local HTTP server (these machines have no
//! internet): a GeoPackage written by GDAL from the bundled Baarn data in CBS's 2024
//! column family behind a PDOK-like Atom feed, and a small .osm.pbf made by osmium from
//! the synthetic OSM fixture with its Geofabrik-like .md5. The server cuts transfers and
//! serves wrong checksums on demand.

mod common;

use common::file_server::FileServer;
use md5::{Digest, Md5};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GPKG_PATH: &str = "/cbs/wijkenbuurten/2024/atom/downloads/wijkenbuurten_2024.gpkg";
const FEED_PATH: &str = "/cbs/wijkenbuurten/2024/atom/index.xml";
const PBF_PATH: &str = "/europe/netherlands/utrecht-latest.osm.pbf";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tool(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed for this test ({e}); bash scripts/test.sh installs it")
        });
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Baarn's gemeente, wijken and buurten (bundled, real CBS data) as one GeoPackage in
/// RD New with CBS's layer and column names, written by ogr2ogr as CBS's own file is.
fn baarn_geopackage(dir: &Path) -> Vec<u8> {
    let out = dir.join("wijkenbuurten_2024.gpkg");
    let o = out.to_str().unwrap();
    let data = root().join("data");
    let gm = data.join("gemeenten_2022.geojson");
    let wk = data.join("wijken_2024.geojson");
    let bu = data.join("buurten_baarn_2024.geojson");
    let rd = ["-t_srs", "EPSG:28992", "-f", "GPKG"];
    tool(
        "ogr2ogr",
        &[&rd[..], &[o, bu.to_str().unwrap(), "-nln", "buurten"]].concat(),
    );
    tool(
        "ogr2ogr",
        &[
            &rd[..],
            &[
                "-update",
                o,
                wk.to_str().unwrap(),
                "-nln",
                "wijken",
                "-sql",
                "SELECT wijkcode, wijknaam, gemeentecode, gemeentenaam, aantal_inwoners, \"65plus\" AS percentage_personen_65_jaar_en_ouder FROM wijken_2024 WHERE gemeentecode = 'GM0308'",
            ],
        ]
        .concat(),
    );
    tool(
        "ogr2ogr",
        &[
            &rd[..],
            &[
                "-update",
                o,
                gm.to_str().unwrap(),
                "-nln",
                "gemeenten",
                "-sql",
                "SELECT gemeentecode, gemeentenaam, aantal_inwoners FROM gemeenten_2022 WHERE gemeentecode = 'GM0308'",
            ],
        ]
        .concat(),
    );
    std::fs::read(&out).unwrap()
}

fn synthetic_pbf(dir: &Path) -> Vec<u8> {
    let out = dir.join("synthetic_care.osm.pbf");
    let src = root().join("tests/fixtures/osm/synthetic_care.osm");
    tool(
        "osmium",
        &[
            "cat",
            src.to_str().unwrap(),
            "--overwrite",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    std::fs::read(&out).unwrap()
}

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn feed(base: &str, length: usize) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>CBS Wijken en Buurten 2024</title>
  <link rel="self" href="{base}{FEED_PATH}"/>
  <entry>
    <title>wijkenbuurten_2024</title>
    <link rel="alternate" type="application/geopackage+sqlite3" length="{length}" href="https://service.pdok.nl{GPKG_PATH}"/>
  </entry>
</feed>"#
    )
    .into_bytes()
}

/// Runs `wijkatlas fetch …` with no proxy variables of the machine's own.
fn fetch(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wijkatlas"));
    cmd.arg("fetch").args(args).args(["--retry-wait-s", "0"]);
    for v in [
        "ALL_PROXY",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "NO_PROXY",
        "all_proxy",
        "https_proxy",
        "http_proxy",
        "no_proxy",
        "WIJKATLAS_MIRROR",
    ] {
        cmd.env_remove(v);
    }
    cmd.envs(env.iter().copied())
        .output()
        .expect("run wijkatlas")
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

struct Osm {
    server: FileServer,
    pbf: Vec<u8>,
    _tmp: tempfile::TempDir,
}

fn osm_server() -> Osm {
    let tmp = tempfile::tempdir().unwrap();
    let pbf = synthetic_pbf(tmp.path());
    let server = FileServer::start();
    server.put(PBF_PATH, pbf.clone());
    server.put(
        &format!("{PBF_PATH}.md5"),
        format!("{}  utrecht-latest.osm.pbf\n", md5_hex(&pbf)).into_bytes(),
    );
    Osm {
        server,
        pbf,
        _tmp: tmp,
    }
}

fn data_dir(tmp: &tempfile::TempDir) -> PathBuf {
    tmp.path().join("landelijk")
}

#[test]
fn cbs_is_downloaded_checked_staged_at_three_levels_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let gpkg = baarn_geopackage(tmp.path());
    let server = FileServer::start();
    server.put(GPKG_PATH, gpkg.clone());
    server.put(FEED_PATH, feed(&server.base, gpkg.len()));
    let data = data_dir(&tmp);
    let out = fetch(
        &[
            "cbs",
            "--year",
            "2024",
            "--data",
            data.to_str().unwrap(),
            "--mirror",
            &server.base,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read(data.join("wijkenbuurten_2024.gpkg")).unwrap(),
        gpkg
    );
    assert!(
        !data.join(".download").exists(),
        "the staging folder is left behind"
    );
    let manifest = std::fs::read_to_string(data.join("wijkatlas.toml")).unwrap();
    for expected in [
        "cbs-gemeenten-2024",
        "cbs-wijken-2024",
        "cbs-buurten-2024",
        "CC BY 4.0",
        "Bron: CBS, Kadaster",
        "year = 2024",
    ] {
        assert!(manifest.contains(expected), "{expected} not in\n{manifest}");
    }
    // `check` ran and printed its report.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("cbs-buurten-2024"), "{}", text(&out));
    let loaded = wijkatlas::load::load_dir(&data).unwrap();
    assert!(
        !loaded.report.has_failures(),
        "{}",
        loaded.report.failure_summary()
    );
    let kept: Vec<u64> = loaded.report.sources.iter().map(|s| s.kept).collect();
    assert_eq!(kept, [1, 5, 21], "gemeente, wijken, buurten of Baarn");
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, [FEED_PATH, GPKG_PATH]);
}

#[test]
fn a_year_pdok_does_not_serve_is_refused_by_its_feed() {
    let server = FileServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(&tmp);
    let out = fetch(
        &[
            "cbs",
            "--year",
            "2031",
            "--data",
            data.to_str().unwrap(),
            "--mirror",
            &server.base,
        ],
        &[],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("PDOK publishes no CBS Wijk- en Buurtkaart 2031"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_cut_transfer_is_resumed_with_a_range_request() {
    let osm = osm_server();
    let half = osm.pbf.len() / 2;
    osm.server.cut_next(PBF_PATH, half);
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(&tmp);
    let out = fetch(
        &[
            "osm",
            "--region",
            "utrecht",
            "--data",
            data.to_str().unwrap(),
            "--mirror",
            &osm.server.base,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read(data.join("utrecht-latest.osm.pbf")).unwrap(),
        osm.pbf
    );
    let ranges: Vec<Option<String>> = osm
        .server
        .requests()
        .into_iter()
        .filter(|r| r.path == PBF_PATH)
        .map(|r| r.range)
        .collect();
    assert_eq!(ranges, [None, Some(format!("bytes={half}-"))]);
    let manifest = std::fs::read_to_string(data.join("wijkatlas.toml")).unwrap();
    for expected in [
        "osm-utrecht",
        "ODbL 1.0",
        "© OpenStreetMap contributors",
        &md5_hex(&osm.pbf),
    ] {
        assert!(manifest.contains(expected), "{expected} not in\n{manifest}");
    }
    assert!(text(&out).contains("resuming from byte"), "{}", text(&out));
}

#[test]
fn a_failed_run_keeps_its_part_and_the_next_run_resumes() {
    let osm = osm_server();
    let cut = osm.pbf.len() / 3;
    osm.server.cut_next(PBF_PATH, cut);
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(&tmp);
    let args = [
        "osm",
        "--region",
        "utrecht",
        "--data",
        data.to_str().unwrap(),
        "--mirror",
        &osm.server.base,
    ];
    let out = fetch(&[&args[..], &["--retries", "0"]].concat(), &[]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("run the same command again to resume"),
        "{}",
        text(&out)
    );
    assert!(
        !data.join("utrecht-latest.osm.pbf").exists(),
        "half a file was moved into place"
    );
    let part = data.join(".download/utrecht-latest.osm.pbf.part");
    assert_eq!(std::fs::metadata(&part).unwrap().len(), cut as u64);
    assert!(!data.join("wijkatlas.toml").exists());

    let out = fetch(&args, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read(data.join("utrecht-latest.osm.pbf")).unwrap(),
        osm.pbf
    );
    let last = osm
        .server
        .requests()
        .into_iter()
        .rfind(|r| r.path == PBF_PATH)
        .unwrap();
    assert_eq!(last.range, Some(format!("bytes={cut}-")));
}

#[test]
fn a_wrong_checksum_is_refused_and_nothing_is_staged() {
    let osm = osm_server();
    osm.server.put(
        &format!("{PBF_PATH}.md5"),
        format!("{}  utrecht-latest.osm.pbf\n", md5_hex(b"another file")).into_bytes(),
    );
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(&tmp);
    let out = fetch(
        &[
            "osm",
            "--region",
            "utrecht",
            "--data",
            data.to_str().unwrap(),
            "--mirror",
            &osm.server.base,
        ],
        &[],
    );
    assert!(!out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("its MD5 is") && t.contains("the file was not staged"),
        "{t}"
    );
    assert!(!data.join("utrecht-latest.osm.pbf").exists());
    assert!(!data.join(".download/utrecht-latest.osm.pbf.part").exists());
    assert!(!data.join("wijkatlas.toml").exists());
}

#[test]
fn from_file_goes_through_the_same_checks_without_a_network() {
    let tmp = tempfile::tempdir().unwrap();
    let gpkg = baarn_geopackage(tmp.path());
    let by_hand = tmp.path().join("Downloads-wijkenbuurten_2024.gpkg");
    std::fs::write(&by_hand, &gpkg).unwrap();
    let data = data_dir(&tmp);
    // A mirror nobody listens on: nothing may be asked of the network.
    let nowhere = "http://127.0.0.1:9";
    let out = fetch(
        &[
            "cbs",
            "--year",
            "2024",
            "--data",
            data.to_str().unwrap(),
            "--mirror",
            nowhere,
            "--from-file",
            by_hand.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read(data.join("wijkenbuurten_2024.gpkg")).unwrap(),
        gpkg
    );

    // An error page saved by hand is refused.
    let page = tmp.path().join("page.gpkg");
    std::fs::write(&page, "<html><body>502 Bad Gateway</body></html>").unwrap();
    let other = tmp.path().join("other");
    let out = fetch(
        &[
            "cbs",
            "--year",
            "2024",
            "--data",
            other.to_str().unwrap(),
            "--from-file",
            page.to_str().unwrap(),
        ],
        &[],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("not a GeoPackage"), "{}", text(&out));
    assert!(!other.join("wijkenbuurten_2024.gpkg").exists());

    // An extract with its .md5 beside it is checked against it.
    let osm = osm_server();
    let pbf = tmp.path().join("utrecht-latest.osm.pbf");
    std::fs::write(&pbf, &osm.pbf).unwrap();
    std::fs::write(
        tmp.path().join("utrecht-latest.osm.pbf.md5"),
        md5_hex(b"not it"),
    )
    .unwrap();
    let out = fetch(
        &[
            "osm",
            "--region",
            "utrecht",
            "--data",
            other.to_str().unwrap(),
            "--from-file",
            pbf.to_str().unwrap(),
        ],
        &[],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("its MD5 is"), "{}", text(&out));
}

#[test]
fn an_unreachable_host_is_a_clear_error_with_the_manual_way() {
    // A port that was free a moment ago: the connection is refused, as offline.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(&tmp);
    let out = fetch(
        &[
            "osm",
            "--region",
            "nederland",
            "--data",
            data.to_str().unwrap(),
            "--mirror",
            &format!("http://127.0.0.1:{port}"),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    for expected in [
        "cannot reach 127.0.0.1",
        "/europe/netherlands-latest.osm.pbf",
        "wijkatlas fetch osm --region nederland --from-file PATH",
        "HTTPS_PROXY",
    ] {
        assert!(t.contains(expected), "{expected} not in {t}");
    }
    assert!(!data.join("wijkatlas.toml").exists());
}

#[test]
fn proxies_come_from_the_environment_with_no_proxy_exceptions() {
    let osm = osm_server();
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(&tmp);
    // Through the proxy: the test server, asked to tunnel to a host that does not
    // resolve here.
    let out = fetch(
        &[
            "osm",
            "--region",
            "utrecht",
            "--data",
            data.to_str().unwrap(),
            "--mirror",
            "http://geofabrik.invalid",
            "--no-check",
        ],
        &[("HTTPS_PROXY", &osm.server.base)],
    );
    assert!(out.status.success(), "{}", text(&out));
    let targets: Vec<String> = osm
        .server
        .requests()
        .into_iter()
        .map(|r| r.target)
        .collect();
    assert_eq!(
        targets,
        [
            "CONNECT geofabrik.invalid:80",
            &format!("{PBF_PATH}.md5"),
            "CONNECT geofabrik.invalid:80",
            PBF_PATH
        ]
    );
    // NO_PROXY: a dead proxy is not used for the hosts it lists.
    let other = tmp.path().join("other");
    let out = fetch(
        &[
            "osm",
            "--region",
            "utrecht",
            "--data",
            other.to_str().unwrap(),
            "--mirror",
            &osm.server.base,
            "--no-check",
        ],
        &[
            ("HTTPS_PROXY", "http://127.0.0.1:9"),
            ("NO_PROXY", "127.0.0.1"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read(other.join("utrecht-latest.osm.pbf")).unwrap(),
        osm.pbf
    );
}
