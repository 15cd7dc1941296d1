#!/usr/bin/env bash
# Runs every check and test of wijkatlas on a fresh machine: installs what the tests need
# (idempotent), then format, lints and the test suite. .ci/run calls exactly this.
# At the end it prints the time each step took and the tests that were skipped (a test
# whose data or service is missing records itself in target/tmp/skipped-tests.tsv; under
# CI=true such a test fails instead).
set -euo pipefail
cd "$(dirname "$0")/.."

# The list of skipped tests starts empty; scripts/skipped_tests.sh prints it at the end.
bash scripts/skipped_tests.sh --clear
# A fresh clone under CI is built once: incremental caches only cost time and disk there.
if [ -n "${CI:-}" ] && [ "${CI}" != "false" ] && [ "${CI}" != "0" ]; then
  export CARGO_INCREMENTAL=0
fi
# WIJKATLAS_TIMINGS=1 (scripts/build_times.sh sets it): cargo's --timings reports of the
# lint and test builds, in target/cargo-timings/.
timing_flags=()
[ -z "${WIJKATLAS_TIMINGS:-}" ] || timing_flags=(--timings)

started=$SECONDS
step_name=""
step_start=$SECONDS
step_times=()
step() {
  if [ -n "$step_name" ]; then step_times+=("$((SECONDS - step_start))|$step_name"); fi
  step_name="$*"
  step_start=$SECONDS
  printf '\n== %s\n' "$*"
}

# Printed however the run ends: where the time went and what did not run.
summary() {
  local rc=$?
  if [ -n "$step_name" ]; then step_times+=("$((SECONDS - step_start))|$step_name"); fi
  printf '\n== time per step (%s)\n' "$(nproc 2>/dev/null || echo '?') cores"
  local t
  for t in "${step_times[@]}"; do
    printf '%6ss  %s\n' "${t%%|*}" "${t#*|}"
  done
  printf '%6ss  total\n' "$((SECONDS - started))"
  bash scripts/skipped_tests.sh || true
  exit "$rc"
}
trap summary EXIT

# apt-get as root, or through sudo; without either, say exactly what to run.
apt_install() {
  local SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO="sudo"
    else
      echo "these Debian packages are needed: $*" >&2
      echo "run as root: apt-get update && apt-get install -y --no-install-recommends $*" >&2
      exit 1
    fi
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

step "toolchain"
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install Rust with rustup (its default profile), then open a new shell" >&2
  exit 1
fi
cargo --version
rustc --version
# Cargo.toml's rust-version; cargo would refuse an older compiler less plainly.
need_rust=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
have_rust=$(rustc --version | sed -n 's/^rustc \([0-9]*\.[0-9]*\).*/\1/p')
if [ "$(printf '%s\n%s\n' "$need_rust" "$have_rust" | sort -V | head -1)" != "$need_rust" ]; then
  echo "Rust $need_rust or newer is needed, this is $have_rust: run  rustup update stable" >&2
  exit 1
fi
# rustfmt and clippy come with rustup's default profile, not with the minimal one.
missing=()
cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing Rust components: ${missing[*]}; run:" >&2
  echo "  rustup component add ${missing[*]}" >&2
  exit 1
fi
# The linker rustc calls is the system's C compiler driver, and libsqlite3-sys compiles
# SQLite's C source: a C toolchain is needed for every build.
if ! command -v cc >/dev/null 2>&1; then
  echo "no C compiler (cc): installing build-essential"
  apt_install build-essential
fi
echo "C compiler: $(cc --version | head -1)"

step "system packages the tests use"
# gdal-bin: ogr2ogr writes the GeoPackage fixtures as CBS's own tools would.
# osmium-tool: builds the OSM .osm.pbf fixtures from hand-written XML.
# wrk: the reload-under-load and scale-out tests.
# nginx-light: the scale-out test runs two replicas behind nginx (tests/scale_out.rs).
# chromium: the web map's end-to-end test (Playwright drives Debian's Chromium).
# nodejs, npm: build the web map (build.rs) and run Playwright.
# postgresql-15, postgresql-15-postgis-3: the PostGIS source, export and bench start a
# throw-away cluster with Debian's server binaries (tests/common/postgis.rs).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v osmium >/dev/null 2>&1 || need+=(osmium-tool)
command -v ogr2ogr >/dev/null 2>&1 || need+=(gdal-bin)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
[ -f /usr/share/postgresql/15/extension/postgis.control ] || need+=(postgresql-15-postgis-3)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  # Debian's nginx starts its own service when installed; the test runs a private nginx
  # on a free port, so no service may start (invoke-rc.d asks policy-rc.d; 101 = no)
  # unless the machine already has a policy of its own.
  policy_added=""
  SUDO=""
  [ "$(id -u)" -eq 0 ] || ! command -v sudo >/dev/null 2>&1 || SUDO="sudo"
  if [ ! -e /usr/sbin/policy-rc.d ] && { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; }; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  apt_install "${need[@]}"
  if [ -n "$policy_added" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
fi
echo "ogr2ogr: $(ogr2ogr --version)"
echo "nginx: $("$(command -v nginx || echo /usr/sbin/nginx)" -v 2>&1)"
echo "wrk: $(command -v wrk)"
echo "PostgreSQL: $(/usr/lib/postgresql/15/bin/postgres --version), PostGIS $(sed -n "s/^default_version = '\(.*\)'/\1/p" /usr/share/postgresql/15/extension/postgis.control)"
osmium --version | head -1
echo "node: $(node --version), npm: $(npm --version 2>/dev/null)"
# The map builds with Node 18 (esbuild), but the browser tests drive Chromium with
# Playwright 1.65, whose stated minimum is Node 20; Debian 12's own nodejs is 18.
node_major=$(node --version | sed -n 's/^v\([0-9]*\).*/\1/p')
if [ "${node_major:-0}" -lt 20 ]; then
  echo "Node.js 20 or newer is needed for the browser tests (Playwright 1.65); this is $(node --version)." >&2
  echo "Install a Node.js 20+ package (Debian 13 ships nodejs 20; for Debian 12 use a Node.js 20 build for it), then run this again." >&2
  exit 1
fi
chromium --version

step "web map packages (npm ci in web/: MapLibre, esbuild, TypeScript, Playwright, axe-core)"
# build.rs runs npm ci too when web/node_modules is missing; doing it here first keeps
# its output readable and lets the type check run before the Rust build.
# Skipped when web/node_modules holds exactly what package-lock.json pins: npm's own
# record of the install (node_modules/.package-lock.json) names the same version and
# integrity for every package, none is missing but platform-specific optional ones, and
# each folder is there. Then the hidden lockfile is touched so that build.rs, which
# compares dates, does not reinstall either.
installed_matches_lock() {
  ( cd web && node -e '
    const fs = require("fs");
    const locked = JSON.parse(fs.readFileSync("package-lock.json")).packages;
    const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json")).packages;
    delete locked[""];
    const ok = Object.entries(have).every(([k, p]) => locked[k] && fs.existsSync(k)
        && locked[k].version === p.version && locked[k].integrity === p.integrity)
      && Object.entries(locked).every(([k, p]) => p.optional || k in have);
    process.exit(ok ? 0 : 1);
  ' ) 2>/dev/null
}
if [ -f web/node_modules/.package-lock.json ] && installed_matches_lock; then
  echo "web/node_modules matches package-lock.json: npm ci not needed"
  touch web/node_modules/.package-lock.json
else
  ( cd web && npm ci --no-audit --no-fund --loglevel=error )
fi
( cd web && npx --no-install tsc --noEmit ) && echo "TypeScript: no type errors"

step "Python test clients (OWSLib, schemathesis, openapi-spec-validator, PySAL access, networkx) in target/pyenv"
# The OGC client and contract tests run these against the real server. Pinned, in a
# virtualenv of the project's own, so the machine's Python stays untouched.
# networkx: the independent router of the routing cross-check (tests/routing_networkx.rs).
PY_PINS=(OWSLib==0.35.0 schemathesis==4.32.5 openapi-spec-validator==0.9.0 pandas==2.3.3 numpy==2.3.5 networkx==3.4.2)
# PySAL access imports only pandas and numpy; without --no-deps it would pull in
# geopandas, shapely, pyproj and scipy, which the cross-check does not use.
PY_NODEPS=(access==1.1.10.post3)
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "installing: python3 python3-venv python3-pip"
  apt_install python3 python3-venv python3-pip
fi
[ -x target/pyenv/bin/python ] || python3 -m venv target/pyenv
have="$(target/pyenv/bin/pip freeze 2>/dev/null | tr 'A-Z' 'a-z')"
missing=()
for pin in "${PY_PINS[@]}"; do
  grep -qx "$(echo "$pin" | tr 'A-Z' 'a-z')" <<<"$have" || missing+=("$pin")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "pip installing: ${missing[*]}"
  target/pyenv/bin/pip install -q --disable-pip-version-check "${missing[@]}"
fi
for pin in "${PY_NODEPS[@]}"; do
  grep -qx "$(echo "$pin" | tr 'A-Z' 'a-z')" <<<"$have" \
    || target/pyenv/bin/pip install -q --disable-pip-version-check --no-deps "$pin"
done
target/pyenv/bin/pip freeze | grep -i -E '^(owslib|schemathesis|openapi-spec-validator|access|pandas|networkx)=='

step "format (cargo fmt --check)"
cargo fmt --all -- --check

step "lints (cargo clippy -D warnings)"
cargo clippy --locked --workspace --all-targets "${timing_flags[@]}" -- -D warnings

step "the core crate alone (no HTTP stack in its dependency tree)"
if cargo tree --locked -p wijkatlas-core -e normal --prefix none | grep -E '^(axum|hyper|tower|tower-http) '; then
  echo "wijkatlas-core depends on an HTTP crate (listed above); it must build without the server" >&2
  exit 1
fi
echo "cargo tree -p wijkatlas-core: no axum, hyper or tower"

step "test build (cargo test --no-run: both crates, the server binary and every test binary)"
cargo test --locked --workspace --no-run "${timing_flags[@]}"

step "tests (unit, loader fixtures, CRS reference points, real server on a real port, web map in Chromium)"
cargo test --locked --workspace
echo "web map screenshots and downloads: target/e2e/ ($(ls target/e2e 2>/dev/null | wc -l) files)"

step "reload under load (wrk against the real server while the data is reloaded)"
cargo build --locked --quiet
bash scripts/reload_under_load.sh target/debug/wijkatlas 15
