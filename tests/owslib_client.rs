//! OWSLib, the Python OGC client GIS scripters use, against the real server.

mod common;

use common::Server;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn owslib_reads_collections_items_queryables_and_cql2_filters() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/pyenv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `bash scripts/test.sh`, which installs OWSLib in a virtualenv",
        python.display()
    );
    let server = Server::start(&[]);
    let out = Command::new(python)
        .arg(root.join("tests/clients/owslib_features.py"))
        .arg(&server.base)
        .output()
        .expect("run the OWSLib script");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "OWSLib checks failed:\n{text}");
    assert!(text.contains(" 0 failed"), "{text}");
}
