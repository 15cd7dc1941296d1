#!/usr/bin/env bash
# Runs every check and test of wijkatlas on a fresh machine: installs what the tests need
# (idempotent), then format, lints and the test suite. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
cargo --version
rustc --version
# The machine image ships rustfmt and clippy with its toolchain; say so if one is missing
# rather than fail obscurely later.
for c in rustfmt clippy; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
    echo "missing cargo component: $c (rustup component add $c)" >&2
    exit 1
  fi
done

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
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # Debian's nginx starts its own service when installed; the test runs a private nginx
  # on a free port, so no service may start (invoke-rc.d asks policy-rc.d; 101 = no)
  # unless the machine already has a policy of its own.
  policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  if [ -n "$policy_added" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
fi
echo "ogr2ogr: $(ogr2ogr --version)"
echo "nginx: $("$(command -v nginx || echo /usr/sbin/nginx)" -v 2>&1)"
echo "wrk: $(command -v wrk)"
echo "PostgreSQL: $(/usr/lib/postgresql/15/bin/postgres --version), PostGIS $(sed -n "s/^default_version = '\(.*\)'/\1/p" /usr/share/postgresql/15/extension/postgis.control)"
osmium --version | head -1
echo "node: $(node --version), npm: $(npm --version 2>/dev/null)"
chromium --version

step "web map packages (npm ci in web/: MapLibre, esbuild, TypeScript, Playwright, axe-core)"
# build.rs runs npm ci too when web/node_modules is missing; doing it here first keeps
# its output readable and lets the type check run before the Rust build.
( cd web && npm ci --no-audit --no-fund --loglevel=error )
( cd web && npx --no-install tsc --noEmit ) && echo "TypeScript: no type errors"

step "Python test clients (OWSLib, schemathesis, openapi-spec-validator, PySAL access) in target/pyenv"
# The OGC client and contract tests run these against the real server. Pinned, in a
# virtualenv of the project's own, so the machine's Python stays untouched.
PY_PINS=(OWSLib==0.35.0 schemathesis==4.32.5 openapi-spec-validator==0.9.0 pandas==2.3.3 numpy==2.3.5)
# PySAL access imports only pandas and numpy; without --no-deps it would pull in
# geopandas, shapely, pyproj and scipy, which the cross-check does not use.
PY_NODEPS=(access==1.1.10.post3)
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "installing: python3 python3-venv python3-pip"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3 python3-venv python3-pip >/dev/null
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
target/pyenv/bin/pip freeze | grep -i -E '^(owslib|schemathesis|openapi-spec-validator|access|pandas)=='

step "format (cargo fmt --check)"
cargo fmt --all -- --check

step "lints (cargo clippy -D warnings)"
cargo clippy --locked --all-targets -- -D warnings

step "tests (unit, loader fixtures, CRS reference points, real server on a real port, web map in Chromium)"
cargo test --locked
echo "web map screenshots and downloads: target/e2e/ ($(ls target/e2e 2>/dev/null | wc -l) files)"

step "reload under load (wrk against the real server while the data is reloaded)"
cargo build --locked --quiet
bash scripts/reload_under_load.sh target/debug/wijkatlas 15
