#!/usr/bin/env bash
# HTTP bench: requests/s and latency of wijkatlas's routes against the machine's ceiling
# (a bare axum server answering a ready-made body of the same size, examples/ceiling.rs),
# with wrk on loopback. Prints a table, then the goals of issue 22 side by side: /health
# and the 100-area page as a share of the bare server's rate (goal >= 0.6 each), and the
# p99 of single features asked while the page is under load (goal < 2 ms), with the
# machine's load average beside them. Each row also gives the server's CPU time (user and
# system, from /proc) per request answered: wrk shares the cores, so a rate moves with
# how the two take turns, and the CPU a request costs the server says what the server
# itself spends. Asserts nothing (machines are noisy).
#
#   bash scripts/bench_http.sh            # bundled data, plus the national 2014 buurt
#                                         # layer from ../shared when it is there
#   DURATION=20 CONNECTIONS=16 bash scripts/bench_http.sh
#   ROUNDS=5 bash scripts/bench_http.sh   # more turns of the bbox/page ratio (default 3)
#
# wrk sends no Accept-Encoding, so every body here goes uncompressed, ours and the
# ceiling's alike: the comparison is of serving, not of compressing.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-2}"

if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
echo "building release binaries…" >&2
cargo build --release --locked --quiet --bin wijkatlas --example ceiling
# BIN=path runs another build of the server (an earlier commit's, to compare in one run).
BIN="${BIN:-target/release/wijkatlas}"

work="$(mktemp -d)"
# `start` runs inside $(…), a subshell, so the servers' pids go to a file: an array set
# there never reached this shell, and the servers outlived the script.
cleanup() {
  if [ -f "$work/pids" ]; then
    while read -r p; do kill "$p" 2>/dev/null || true; done <"$work/pids"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a server, waits for its "listening on" line, prints its base URL.
start() {
  local log="$work/$1.log"; shift
  "$@" >"$log" 2>"$log.err" &
  echo "$!" >>"$work/pids"
  for _ in $(seq 1 600); do
    if grep -q "listening on" "$log" 2>/dev/null; then
      sed -n 's/.*listening on \(http[^ ]*\)\/.*/\1/p' "$log" | head -1
      return
    fi
    sleep 0.1
  done
  echo "server $* did not start: $(cat "$log.err")" >&2
  exit 1
}

# One wrk run: prints "req/s p50 p99 non-2xx requests" (latencies in ms).
measure() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1" >"$work/wrk.txt" 2>&1 || true
  measure_parse
}

# Two wrk runs at once: the page on CONNECTIONS-2 connections and single features on 2.
# Prints "page-req/s feature-req/s feature-p99" for the run.
# The page's wrk runs at the niceness given (0: the server's own priority).
measure_mixed() { # page-url feature-url niceness
  nice -n "$3" wrk -t"$THREADS" -c"$((CONNECTIONS - 2))" -d"${DURATION}s" --latency "$1" >"$work/wrk-page.txt" 2>&1 &
  local page_pid=$!
  wrk -t1 -c2 -d"${DURATION}s" --latency "$2" >"$work/wrk.txt" 2>&1 || true
  wait "$page_pid" || true
  local page feature
  page=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$work/wrk-page.txt")
  read -r feature _ p99 _ <<<"$(measure_parse)"
  echo "$page $feature $p99"
}

# The figures of the last wrk run in $work/wrk.txt: "req/s p50 p99 non-2xx requests".
measure_parse() {
  awk '
    function ms(v) { if (v ~ /us$/) return substr(v, 1, length(v)-2)/1000;
                     if (v ~ /ms$/) return substr(v, 1, length(v)-2)+0;
                     if (v ~ /s$/)  return substr(v, 1, length(v)-1)*1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    / requests in / { n = $1 }
    END { printf "%.0f %.2f %.2f %s %d\n", rps, p50, p99, (bad == "" ? 0 : bad), n }' "$work/wrk.txt"
}

# The CPU time (user + system, in clock ticks) process $1 has used so far.
HZ="$(getconf CLK_TCK)"
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# Server CPU per request, microseconds: ticks used over requests answered. On a machine
# whose cores the server shares with wrk, the rate moves with how the two take turns;
# the server's own CPU per request does not, so the two are printed side by side.
per_request() { # ticks requests
  awk -v d="$1" -v n="$2" -v hz="$HZ" 'BEGIN { if (n > 0) printf "%.1f", d / hz * 1e6 / n; else printf "?" }'
}

# `measure` with the server's CPU time per request over that run appended (server: pid $2).
measure_cpu() { # url pid
  local t0 stats n
  t0=$(cpu_ticks "$2")
  stats=$(measure "$1")
  read -r _ _ _ _ n <<<"$stats"
  echo "$stats $(per_request "$(( $(cpu_ticks "$2") - t0 ))" "$n")"
}

# The bbox page against the unfiltered page measured in turn, ROUNDS times at half the
# route time each: rows measured a minute apart see a machine whose load has moved, and
# a ratio of two such rows moved with it. Prints the ratios and their median.
alternate_ratio() { # unfiltered-url bbox-url server-pid
  local half=$(( (DURATION + 1) / 2 )) ratios=() cpu_ratios=() p b pc bc
  for _ in $(seq 1 "${ROUNDS:-3}"); do
    read -r p _ _ _ _ pc <<<"$(DURATION=$half measure_cpu "$1" "$3")"
    read -r b _ _ _ _ bc <<<"$(DURATION=$half measure_cpu "$2" "$3")"
    ratios+=("$(awk -v a="$b" -v p="$p" 'BEGIN { printf "%.3f", a/p }')")
    cpu_ratios+=("$(awk -v a="$bc" -v p="$pc" 'BEGIN { printf "%.3f", p/a }')")
  done
  median_line "ratio bbox/unfiltered page measured in turn" "$half" "${ratios[@]}"
  median_line "  by server CPU per request (page's over bbox's), the same turns" "$half" "${cpu_ratios[@]}"
}

# "label (N rounds of Ss each): the ratios sorted -> median" for the turns above.
median_line() { # label seconds-per-turn ratios…
  local label="$1" half="$2"; shift 2
  printf '%s\n' "$@" | sort -n | awk -v label="$label" -v half="$half" '{ r[NR] = $1 } END {
    printf "%s (%d rounds of %ds each): ", label, NR, half
    for (i = 1; i <= NR; i++) printf "%s ", r[i]
    printf "-> median %.2f (goal >= 0.9)\n", r[int((NR + 1) / 2)] }'
}

row() { # name url pid-of-the-server-answering
  local bytes cpu
  bytes=$(curl -s "$2" | wc -c)
  read -r rps p50 p99 bad _ cpu <<<"$(measure_cpu "$2" "$3")"
  printf "%-34s %9s %10s %9s %9s %9s %s\n" "$1" "$bytes" "$rps" "$p50" "$p99" "$cpu" "$([ "$bad" != 0 ] && echo "non-2xx: $bad")"
  echo "$rps" >"$work/rps.$1"
  echo "$p99" >"$work/p99.$1"
  echo "$cpu" >"$work/cpu.$1"
}

# "load average 1, 5, 15 min (N cores)": the machine is shared, so say how busy it was.
load_now() {
  printf '%s (%s cores)' "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
}

bench_dataset() { # label data-dir layer bbox cql2-filter (percent-encoded)
  local label="$1" dir="$2" layer="$3" bbox="$4" filter="$5" base page size ceiling fid load_start
  base=$(start "wijkatlas-$label" "$BIN" serve --addr 127.0.0.1:0 --data "$dir")
  # Resident memory at start: once the tiles made ahead are cached (the server logs it).
  local pid rss
  pid=$(tail -1 "$work/pids")
  for _ in $(seq 1 300); do
    grep -q "tiles made ahead" "$work/wijkatlas-$label.log.err" 2>/dev/null && break
    sleep 0.1
  done
  sleep 1
  rss=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo "?")
  page="$base/collections/$layer/items?limit=100"
  size=$(curl -s "$page" | wc -c)
  # The first feature of the page, percent-encoded for its path segment.
  fid=$(curl -s "$page" | python3 -c 'import json,sys,urllib.parse; print(urllib.parse.quote(json.load(sys.stdin)["features"][0]["id"], safe=""))')
  ceiling=$(start "ceiling-$label" target/release/examples/ceiling 127.0.0.1:0 "$size")
  local ceiling_pid
  ceiling_pid=$(tail -1 "$work/pids")
  echo
  load_start=$(load_now)
  echo "== $label ($DURATION s per route, $CONNECTIONS connections, $THREADS wrk threads; load average $load_start)"
  echo "resident memory at start, tiles made ahead: ${rss} MB (issue 22's goal for national-2014: < 120 MB)"
  printf "%-34s %9s %10s %9s %9s %9s\n" "route" "bytes" "req/s" "p50 ms" "p99 ms" "CPU µs/r"
  row "page: 100 $layer, full geometry" "$page" "$pid"
  row "ceiling: static body, same size" "$ceiling/page" "$ceiling_pid"
  row "single feature" "$base/collections/$layer/items/$fid" "$pid"
  row "bbox over a gemeente (Utrecht)" "$base/collections/$layer/items?limit=100&bbox=$bbox" "$pid"
  row "S_INTERSECTS, the same box" "$base/collections/$layer/items?limit=100&filter=S_INTERSECTS(geometry,BBOX($bbox))" "$pid"
  row "page in EPSG:28992 (written on request)" "$base/collections/$layer/items?limit=100&crs=EPSG:28992" "$pid"
  row "CQL2 filter" "$base/collections/$layer/items?limit=100&filter=$filter" "$pid"
  row "property filter" "$base/collections/$layer/items?limit=100&gemeentecode=GM0344" "$pid"
  row "analysis: 5 nearest, any category" "$base/api/nearest?x=155000&y=463000&k=5" "$pid"
  row "analysis: area at a point" "$base/api/area-at?x=155000&y=463000" "$pid"
  row "landing page" "$base/" "$pid"
  row "health" "$base/health" "$pid"
  row "ceiling health" "$ceiling/health" "$ceiling_pid"
  # On 2 cores wrk's own threads take turns with the server's: a feature can wait for
  # a time slice of the load generator, which clients on other machines never take.
  # So the load is measured twice: its wrk at the server's priority, then at nice 19
  # (it still sends as fast as the server answers, and only yields the CPU first).
  local mixed calm
  mixed=$(measure_mixed "$page" "$base/collections/$layer/items/$fid" 0)
  calm=$(measure_mixed "$page" "$base/collections/$layer/items/$fid" 19)
  local load_end
  load_end=$(load_now)
  read -r mixed_page mixed_rps mixed_p99 <<<"$mixed"
  read -r calm_page calm_rps calm_p99 <<<"$calm"
  echo
  echo "-- goals (issue 22), $label; load average at start: $load_start, at end: $load_end"
  local page_row="page: 100 $layer, full geometry" ceiling_row="ceiling: static body, same size"
  awk -v pr="$(cat "$work/rps.$page_row")" -v pp="$(cat "$work/p99.$page_row")" \
      -v cr="$(cat "$work/rps.$ceiling_row")" -v cp="$(cat "$work/p99.$ceiling_row")" \
      -v hr="$(cat "$work/rps.health")" -v hp="$(cat "$work/p99.health")" \
      -v br="$(cat "$work/rps.ceiling health")" -v bp="$(cat "$work/p99.ceiling health")" \
      -v fr="$mixed_rps" -v fp="$mixed_p99" -v mp="$mixed_page" -v c="$CONNECTIONS" \
      -v gr="$calm_rps" -v gp="$calm_p99" -v gm="$calm_page" \
      'function verdict(ok) { return ok ? "met" : "NOT met" }
       BEGIN {
         printf "%-22s %12s %9s   %12s %9s   %6s\n", "", "wijkatlas", "p99 ms", "bare axum", "p99 ms", "ratio"
         printf "%-22s %12s %9.2f   %12s %9.2f   %6.2f  goal >= 0.6: %s\n", "/health", hr " req/s", hp, br " req/s", bp, hr/br, verdict(hr/br >= 0.6)
         printf "%-22s %12s %9.2f   %12s %9.2f   %6.2f  goal >= 0.6: %s\n", "100-area page", pr " req/s", pp, cr " req/s", cp, pr/cr, verdict(pr/cr >= 0.6)
         printf "single feature p99 under page load: %.2f ms (goal < 2 ms: %s); %s req/s on 2 connections while the page took %s req/s on %d\n", fp, verdict(fp < 2), fr, mp, c - 2
         printf "  the same, the wrk sending the page load at nice 19: %.2f ms (goal < 2 ms: %s); %s req/s on 2 connections while the page took %s req/s\n", gp, verdict(gp < 2), gr, gm
       }'
  # bbox goes through the R-trees: the goal is >= 0.9 of a page without a filter (the
  # pages differ in their features, so their sizes are printed above). A lone
  # S_INTERSECTS with a BBOX is answered as a bbox, so it has a ratio too; other
  # filters count as expensive, and the cap on those answers part of wrk's 16
  # connections with a refusal (the CQL2 row's non-2xx count).
  awk -v a="$(cat "$work/rps.bbox over a gemeente (Utrecht)")" \
      -v s="$(cat "$work/rps.S_INTERSECTS, the same box")" \
      -v p="$(cat "$work/rps.page: 100 $layer, full geometry")" -v r="$(cat "$work/rps.page in EPSG:28992 (written on request)")" \
      'BEGIN { printf "ratio bbox page/unfiltered page: %.2f (goal >= 0.9)   S_INTERSECTS: %.2f   EPSG:28992/CRS84 page: %.2f\n", a/p, s/p, r/p }'
  awk -v a="$(cat "$work/cpu.bbox over a gemeente (Utrecht)")" -v p="$(cat "$work/cpu.page: 100 $layer, full geometry")" \
      'BEGIN { printf "  by server CPU per request: page %.1f µs, bbox page %.1f µs: %.2f\n", p, a, p/a }'
  alternate_ratio "$page" "$base/collections/$layer/items?limit=100&bbox=$bbox" "$pid"
}

bench_dataset bundled data wijken "5.05,52.05,5.20,52.13" \
  "gemeentecode%3D%27GM0344%27%20AND%20inwoners%20%3E%201000"

national="../shared/data/cbs_buurten_2014_coarse/buurten_2014_coarse.geojson"
if [ -f "$national" ]; then
  mkdir -p "$work/national"
  cat >"$work/national/wijkatlas.toml" <<TOML
name = "CBS buurten 2014 (coarse), national, read in place for the bench"
[[source]]
name = "buurten_2014_coarse"
path = '$(realpath "$national")'
kind = "areas"
level = "buurt"
code_field = "statcode"
name_field = "statnaam"
year = 2014
TOML
  # The 2014 layer has codes and names only, so its filter uses those.
  bench_dataset national-2014 "$work/national" buurten "5.05,52.05,5.20,52.13" \
    "gemeentecode%3D%27GM0344%27%20AND%20naam%20LIKE%20%27%25e%25%27"
else
  echo "(no national layer at $national: bundled data only)"
fi

# Issue 24: the resident's questions along the road network, under HTTP load, on the
# REAL TU Delft extract (OpenStreetMap, ../shared) with the Delft wijken of CBS 2024.
# Goal: nearest by network and a 15-minute isochrone < 50 ms p99.
wijken="../shared/data/geoinzicht_wijken_gemeenten_2024/wijken_2024.geojson"
pbf="../shared/data/osm_nl_fixtures/delft_tudelft_2025-08.osm.pbf"
if [ -f "$wijken" ] && [ -f "$pbf" ]; then
  mkdir -p "$work/delft"
  python3 - "$wijken" "$work/delft/wijken.geojson" <<'PY'
import json, sys
fc = json.load(open(sys.argv[1]))
fc["features"] = [f for f in fc["features"] if f["properties"].get("gemeentenaam") == "Delft"]
json.dump(fc, open(sys.argv[2], "w"))
PY
  sed -e "s|@PBF@|$(realpath "$pbf")|" -e "s|@ROUTING@|true|" \
    tests/fixtures/delft/wijkatlas.toml.in >"$work/delft/wijkatlas.toml"
  base=$(start wijkatlas-delft "$BIN" serve --addr 127.0.0.1:0 --data "$work/delft")
  pid=$(tail -1 "$work/pids")
  echo
  echo "== delft, along the network ($DURATION s per route, $CONNECTIONS connections; load average $(load_now))"
  printf "%-34s %9s %10s %9s %9s %9s\n" "route" "bytes" "req/s" "p50 ms" "p99 ms" "CPU µs/r"
  # A point on the TU Delft campus (Mekelweg), inside the extract.
  at="lon=4.3713&lat=51.9990"
  row "nearest 3, walking and cycling" "$base/api/nearest?$at&k=3" "$pid"
  # An isochrone counts as expensive: the server runs max_expensive (the cores) at once
  # and queues four times that, refusing the rest with a 503 at once. So its rows use 8
  # connections, which it takes all of, rather than time refusals.
  CONNECTIONS=8 row "isochrone 15 min walking (8 conn.)" "$base/api/isochrone?$at&minuten=15&modus=lopen" "$pid"
  CONNECTIONS=8 row "isochrone 15 min cycling (8 conn.)" "$base/api/isochrone?$at&minuten=15&modus=fietsen" "$pid"
  row "health" "$base/health" "$pid"
  awk -v n="$(cat "$work/p99.nearest 3, walking and cycling")" \
      -v w="$(cat "$work/p99.isochrone 15 min walking (8 conn.)")" -v c="$(cat "$work/p99.isochrone 15 min cycling (8 conn.)")" \
      'function verdict(ok) { return ok ? "met" : "NOT met" }
       BEGIN { printf "-- goal (issue 24), p99 < 50 ms under load: nearest %.2f ms %s; isochrone walking %.2f ms %s, cycling %.2f ms %s\n",
               n, verdict(n < 50), w, verdict(w < 50), c, verdict(c < 50) }'
else
  echo "(no Delft wijken or extract in ../shared: the network rows are left out)"
fi
