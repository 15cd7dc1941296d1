//! Builds the web map (`web/`, TypeScript + MapLibre, bundled by esbuild) and embeds the
//! result, so that `wijkatlas serve` is one binary that needs no files beside it.
//!
//! Needs Node.js and npm. `npm ci` runs once, when `web/node_modules` is missing or
//! older than `web/package-lock.json`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    for watched in [
        "web/src",
        "web/static",
        "web/build.mjs",
        "web/package.json",
        "web/package-lock.json",
    ] {
        println!("cargo:rerun-if-changed={watched}");
    }
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let web = root.join("web");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("web");

    if needs_install(&web) {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&web),
            "npm ci (in web/)",
        );
    }
    run(
        Command::new("node")
            .arg("build.mjs")
            .arg("--out")
            .arg(&out)
            .current_dir(&web),
        "node build.mjs (in web/)",
    );
    write_asset_table(&out);
}

fn needs_install(web: &Path) -> bool {
    let modified = |p: PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified(web.join("node_modules/.package-lock.json")),
        modified(web.join("package-lock.json")),
    ) {
        (Some(installed), Some(locked)) => installed < locked,
        _ => true,
    }
}

fn run(command: &mut Command, what: &str) {
    match command.status() {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("building the web map: `{what}` failed ({s})"),
        Err(e) => panic!(
            "building the web map: cannot run `{what}` ({e}); install Node.js 18 or newer and npm (Debian: apt-get install nodejs npm)"
        ),
    }
}

/// `web_assets.rs`: one entry per built file, with a content hash for its ETag.
fn write_asset_table(out: &Path) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .expect("the web build wrote its folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut table = String::from("pub static ASSETS: &[Asset] = &[\n");
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 names");
        let bytes = std::fs::read(&path).expect("read a built file");
        // FNV-1a: a stable hash without a build dependency. Weak tags: the compression
        // layer sends each file as gzip, brotli or identity bytes under one URL.
        let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
        let _ = writeln!(
            table,
            "    Asset {{ name: {name:?}, etag: \"W/\\\"{hash:016x}\\\"\", bytes: include_bytes!({path:?}) }},",
            path = path.display().to_string()
        );
    }
    table.push_str("];\n");
    std::fs::write(out.parent().expect("OUT_DIR").join("web_assets.rs"), table)
        .expect("write web_assets.rs");
}
