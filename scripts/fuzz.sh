#!/usr/bin/env bash
# Fuzzes every reader of outside input for N seconds each (default 180):
#   bash scripts/fuzz.sh [seconds-per-target]
# Targets (fuzz/fuzz_targets/): csv_register, osm_pbf, cql2_filter (the `filter=` CQL2
# text), items_query (every items parameter incl. bbox/bbox-crs/crs/datetime, then the
# query itself), geojson_sources (the area and voorzieningen GeoJSON readers) and
# wkb_geometry (GeoPackage/WKB blobs through the area geometry checks).
# TARGETS="cql2_filter items_query" runs only those.
# cargo-fuzz needs nightly -Z flags; RUSTC_BOOTSTRAP=1 lets it use a stable toolchain.
# All targets are built once, then each binary runs as `cargo fuzz run` would run it
# (so edits made meanwhile do not rebuild between targets). Seeds come from
# fuzz/seeds/<target>/, dictionaries from fuzz/dicts/<target>.dict; crashes land in
# fuzz/artifacts/<target>/; the corpus grows in fuzz/corpus/<target>/.
# Prints runs and crashes per target; exits non-zero when any target crashed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds="${1:-180}"
all_targets="csv_register osm_pbf cql2_filter items_query geojson_sources wkb_geometry"
targets="${TARGETS:-$all_targets}"
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz || exit 1
triple=$(rustc -vV | sed -n 's/^host: //p')
target_dir="${CARGO_TARGET_DIR:-$root/fuzz/target}"
cargo fuzz build --target "$triple" --target-dir "$target_dir" || exit 1
bin_dir="$target_dir/$triple/release"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
summary=()
failed=0
for target in $targets; do
  printf '\n== fuzz %s for %ss\n' "$target" "$seconds"
  corpus="$root/fuzz/corpus/$target"
  artifacts="$root/fuzz/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  dirs=("$corpus")
  [ -d "$root/fuzz/seeds/$target" ] && dirs+=("$root/fuzz/seeds/$target")
  extra=()
  [ -f "$root/fuzz/dicts/$target.dict" ] && extra+=("-dict=$root/fuzz/dicts/$target.dict")
  before=$(find "$artifacts" -type f | wc -l)
  "$bin_dir/$target" -artifact_prefix="$artifacts/" -max_total_time="$seconds" -max_len=4096 \
    -print_final_stats=1 "${extra[@]}" "${dirs[@]}" >"$logs/$target.log" 2>&1
  status=$?
  grep -E '^(INFO: seed corpus|Done [0-9]+ runs|==[0-9]+== ?ERROR|SUMMARY|artifact_prefix|Test unit written|thread .* panicked)' "$logs/$target.log" || true
  [ "$status" -eq 0 ] || tail -40 "$logs/$target.log"
  runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$logs/$target.log" | tail -1)
  [ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$logs/$target.log" | tail -1)
  crashes=$(($(find "$artifacts" -type f | wc -l) - before))
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  [ "$crashes" -eq 0 ] || failed=1
  summary+=("$(printf '%-16s %12s runs %4s crashes  (exit %s)' "$target" "${runs:-?}" "$crashes" "$status")")
done

printf '\n== fuzz summary (%ss per target; crash inputs are in fuzz/artifacts/<target>/)\n' "$seconds"
printf '%s\n' "${summary[@]}"
exit "$failed"
