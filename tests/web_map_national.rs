//! The web map on a national-size dataset: the SYNTHETIC buurten of `common::national`
//! (every bundled wijk cut in four, about 13,900 "buurten") drawn from vector tiles in
//! Debian's Chromium, at country, region and street zoom, with no gaps between buurten.

mod common;
use common::Server;
use std::path::Path;
use std::process::Command;

#[test]
fn the_national_map_renders_from_vector_tiles_without_gaps() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if Command::new("node").arg("--version").output().is_err() {
        panic!("node is needed for the browser test (the test command installs it)");
    }
    let data = root.join("target/e2e-national/data");
    let buurten = common::national::write_dataset(&data);
    assert!(buurten > 12_000, "{buurten} synthetic buurten");
    // No basemap: the test counts the background colour between the buurten.
    let server = Server::start(&[
        "--data",
        data.to_str().expect("path"),
        "--basemap-url",
        "off",
    ]);
    common::browser::run("national.mjs", &server.base, "e2e-national");
}
