//! The browser checks: a script of `web/e2e/` run by Node (Playwright driving Debian's
//! Chromium) against a running server.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project's root (where `web/` and `target/` are).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `web/e2e/{script}` against `base`, leaving its screenshots in `target/{out}`;
/// fails the test when the script fails. Returns what it printed and its summary (the
/// JSON object on its last line), when it ends with one.
pub fn run(script: &str, base: &str, out: &str) -> (String, Option<serde_json::Value>) {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: install Debian's chromium (scripts/test.sh does), or set CHROMIUM"
    );
    let out: PathBuf = root().join("target").join(out);
    let run = Command::new("node")
        .arg(format!("e2e/{script}"))
        .arg(base)
        .arg(&out)
        .env("CHROMIUM", &chromium)
        .current_dir(root().join("web"))
        .output()
        .expect("run node (Node.js is needed to build the web map too)");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr);
    println!("{stdout}");
    assert!(
        run.status.success(),
        "web/e2e/{script} failed:\n{stdout}\n{stderr}"
    );
    let summary = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok());
    (stdout, summary)
}
