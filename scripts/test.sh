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

step "osmium-tool (builds the OSM test fixtures)"
if ! command -v osmium >/dev/null 2>&1; then
  if ! dpkg -s osmium-tool >/dev/null 2>&1; then
    apt-get update
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y osmium-tool
fi
osmium --version | head -1

step "format (cargo fmt --check)"
cargo fmt --all -- --check

step "lints (cargo clippy -D warnings)"
cargo clippy --locked --all-targets -- -D warnings

step "tests (unit, loader fixtures, CRS reference points, real server on a real port)"
cargo test --locked
