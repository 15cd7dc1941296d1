#!/usr/bin/env bash
# Build time as a tracked figure: what a newcomer waits for. Clones this repository's
# HEAD into a fresh folder (nothing built, no web/node_modules, no ../shared beside it),
# then times the README's two commands there:
#   1. cargo build --release --timings      (what `cargo run --release -- serve` builds)
#   2. bash scripts/test.sh                 (the full test command, with --timings)
# and prints the wall times, the CPU time used (user + system, all processes: on a busy
# machine the wall time grows, the CPU time much less), the size of target/, the
# machine's load while it ran, and the slowest compile units. The cargo --timings reports are copied to
# target/build-times/<date>/ here. The system packages the test command installs are
# taken as already present (they are, after one run): the figure is the build and test
# time, not the download time.
#
#   bash scripts/build_times.sh [--release-only] [--keep]
#
# Runs for long (about 40 min on 2 busy cores): start it with `nice` when others share
# the machine, e.g.  nice -n 10 bash scripts/build_times.sh
set -euo pipefail
cd "$(dirname "$0")/.."

release_only=""
keep=""
for arg in "$@"; do
  case "$arg" in
    --release-only) release_only=1 ;;
    --keep) keep=1 ;;
    *) echo "unknown option $arg (use --release-only, --keep)" >&2; exit 2 ;;
  esac
done

repo=$(pwd)
commit=$(git rev-parse --short HEAD)
[ -z "$(git status --porcelain --untracked-files=no)" ] \
  || echo "note: uncommitted changes are not in the clone; timing commit $commit"
work=$(mktemp -d "${TMPDIR:-/tmp}/wijkatlas-build-times.XXXXXX")
sampler=""
cleanup() {
  [ -z "$sampler" ] || kill "$sampler" 2>/dev/null || true
  [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT
clone="$work/wijkatlas"
git clone --quiet --no-local "$repo" "$clone"
git -C "$clone" checkout --quiet "$commit"
report="$repo/target/build-times/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$report"

# The 1-minute load every 15 s while a step runs: on a shared machine the figures mean
# little without it (2 cores: a load of 2 is this build alone, 4 is twice as slow).
sample_start() {
  ( while :; do cut -d' ' -f1 /proc/loadavg >> "$1"; sleep 15; done ) &
  sampler=$!
}
sample_stop() {
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  awk '{ s += $1; if ($1 > m) m = $1 } END { if (NR) printf "mean %.1f, max %.1f", s / NR, m }' "$1"
}
sizes() { du -sh "$clone/target" 2>/dev/null | cut -f1; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 1; }

echo "commit $commit, $(nproc) cores, $(rustc --version)"
echo "clone: $clone (no ../shared beside it)"

echo
echo "== 1. cargo build --release --timings (includes npm ci and the web build)"
sample_start "$report/load-release.txt"
t0=$SECONDS
( cd "$clone" && /usr/bin/time -f '%U %S' -o "$report/cpu-release.txt" \
  env -u CARGO_TARGET_DIR cargo build --release --locked --timings 2>&1 | tail -3 )
release_s=$((SECONDS - t0))
release_cpu=$(awk 'END { printf "%d", $1 + $2 }' "$report/cpu-release.txt")
release_load=$(sample_stop "$report/load-release.txt")
release_disk=$(sizes)
cp "$clone"/target/cargo-timings/cargo-timing-*.html "$report/" 2>/dev/null || true

test_s=""
if [ -z "$release_only" ]; then
  echo
  echo "== 2. bash scripts/test.sh (its own per-step times follow its output)"
  sample_start "$report/load-tests.txt"
  t0=$SECONDS
  set +e
  ( cd "$clone" && /usr/bin/time -f '%U %S' -o "$report/cpu-tests.txt" \
    env -u CARGO_TARGET_DIR WIJKATLAS_TIMINGS=1 bash scripts/test.sh ) \
    > "$report/test.log" 2>&1
  test_rc=$?
  test_cpu=$(awk 'END { printf "%d", $1 + $2 }' "$report/cpu-tests.txt")
  set -e
  test_s=$((SECONDS - t0))
  test_load=$(sample_stop "$report/load-tests.txt")
  sed -n '/^== time per step/,$p' "$report/test.log"
  cp "$clone"/target/cargo-timings/cargo-timing-*.html "$report/" 2>/dev/null || true
fi

# The slowest compile units of the reports (their JSON blob holds one entry per unit).
slowest() {
  python3 - "$@" <<'PY'
import json, re, sys
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    m = re.search(r"const UNIT_DATA = (\[.*?\]);\n", text, re.S)
    if not m:
        continue
    units = json.loads(m.group(1))
    total = sum(u["duration"] for u in units)
    top = sorted(units, key=lambda u: -u["duration"])[:8]
    print(f"  {path.rsplit('/', 1)[-1]}: {len(units)} units, {total:.0f} s of compiler time")
    for u in top:
        print(f"    {u['duration']:7.1f} s  {u['name']} {u.get('target', '').strip()}")
PY
}

echo
echo "== build times, commit $commit, $(nproc) cores"
mmss() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
printf '  release build (fresh clone): %s wall, %s CPU, target/ %s, load %s\n' \
  "$(mmss "$release_s")" "$(mmss "$release_cpu")" "$release_disk" "$release_load"
if [ -n "$test_s" ]; then
  printf '  test command (after it):     %s wall, %s CPU, target/ %s, load %s, exit %d\n' \
    "$(mmss "$test_s")" "$(mmss "$test_cpu")" "$(sizes)" "$test_load" "$test_rc"
fi
echo "  (load: the machine's 1-minute load average sampled every 15 s; $(nproc) cores)"
echo "  slowest units (cargo --timings; reports in $report):"
slowest "$report"/cargo-timing-*.html || true
[ -z "$keep" ] || echo "  clone kept at $clone"
if [ -n "$test_s" ] && [ "$test_rc" -ne 0 ]; then
  echo "the test command failed: see $report/test.log" >&2
  exit "$test_rc"
fi
