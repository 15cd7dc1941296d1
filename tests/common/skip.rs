//! Tests whose data or service is missing on this machine. Under CI they fail, so a
//! green CI run has run every check; elsewhere they return early and write one line to
//! a file that `scripts/test.sh` empties before the tests and prints at the end, so the
//! person who ran it sees what did not run, why, and how to run it.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Where skips are written: `target/tmp/skipped-tests.tsv` (`CARGO_TARGET_TMPDIR`).
/// One line per skip: test, what is missing, how to get it, separated by tabs.
pub const SKIP_LOG: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/skipped-tests.tsv");

/// Whether this run is CI's: `CI` set to anything but empty, `0` or `false`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// Test `test` cannot run its real check because `missing` is not here; `how` says how
/// to get it. Panics under CI; otherwise records the skip and returns, and the caller
/// returns from the test.
pub fn skip(test: &str, missing: &str, how: &str) {
    let name = format!("{}::{test}", env!("CARGO_CRATE_NAME"));
    assert!(
        !in_ci(),
        "{name}: {missing} is needed under CI and is not here ({how})"
    );
    eprintln!("SKIPPED {name}: {missing} ({how})");
    let line = format!("{name}\t{}\t{}\n", one_line(missing), one_line(how));
    // One write per line with O_APPEND: lines from tests running in parallel, in this
    // process or another test binary, do not interleave.
    let written = std::fs::create_dir_all(env!("CARGO_TARGET_TMPDIR")).and_then(|()| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(SKIP_LOG)?
            .write_all(line.as_bytes())
    });
    if let Err(e) = written {
        // The skip must not pass unseen: without the record, fail instead.
        panic!(
            "{name} is skipped ({missing}) and the skip could not be recorded in {SKIP_LOG}: {e}"
        );
    }
}

fn one_line(text: &str) -> String {
    text.replace(['\t', '\n'], " ")
}

/// How to get `../shared`, said once for every test that reads it.
pub const SHARED_HOW: &str = "../shared is the project's staged open data beside the \
repository (or the folder WIJKATLAS_SHARED names); it comes with the project's workspace \
and CI, not with a clone (README, Testing)";

/// The folder of the staged open data: `WIJKATLAS_SHARED` when set, else `../shared`
/// beside the repository. Pointing the variable at an empty folder shows what a run
/// without the data does (fails under CI, lists the skips elsewhere) without moving the
/// real folder, which other checkouts on the machine read.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("WIJKATLAS_SHARED") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    }
}

/// A file or folder under the shared `data/` folder, or `None` after recording the skip
/// of `test` (a failure under CI, where a copy of `../shared` is always beside the clone).
pub fn shared_data(test: &str, rel: &str) -> Option<PathBuf> {
    let path = shared_dir().join("data").join(rel);
    if path.exists() {
        Some(path)
    } else {
        skip(test, &path.display().to_string(), SHARED_HOW);
        None
    }
}

/// A test that needs a PostGIS cluster: the cluster, or `None` when this machine cannot
/// start one (recorded as a skip; under CI a failure).
pub fn cluster_or_skip(test: &str) -> Option<super::postgis::Cluster> {
    match super::postgis::Cluster::start() {
        Ok(c) => Some(c),
        Err(why) => {
            skip(
                test,
                &format!("a PostGIS cluster ({why})"),
                "bash scripts/test.sh installs postgresql-15 and postgresql-15-postgis-3",
            );
            None
        }
    }
}
