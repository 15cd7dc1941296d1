#!/usr/bin/env bash
# Fuzzes every reader of outside input for N seconds each (default 180):
#   bash scripts/fuzz.sh [seconds-per-target]
# cargo-fuzz needs nightly -Z flags; RUSTC_BOOTSTRAP=1 lets it use a stable toolchain.
# Crashes land in fuzz/artifacts/<target>/; the corpus grows in fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-180}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
for target in csv_register osm_pbf; do
  printf '\n== fuzz %s for %ss\n' "$target" "$seconds"
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" -- -max_total_time="$seconds" -max_len=4096
done
