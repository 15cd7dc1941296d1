#!/usr/bin/env bash
# Tile bench: tiles/s and latency for a mix of zooms across the country, on a cold cache
# (the server started with --tile-cache-mb 0, so every tile is made when asked) and on a
# warm one (every tile of the mix asked once first), beside the GeoJSON route and a
# bare axum server answering a ready-made 6.5 KB body (the ceiling). wrk, loopback.
# Prints figures and ratios; asserts nothing (machines are noisy).
#
#   bash scripts/bench_tiles.sh                 # bundled data (3,474 wijken)
#   DATA=dir LAYER=buurten bash scripts/bench_tiles.sh
#   DATA=national bash scripts/bench_tiles.sh   # CBS buurten 2014 from ../shared
#
# Besides the mix, cold tiles at zoom 9 (every tile over the data) and zoom 12 (the 150
# sampled) are measured alone, beside the figures issue 22 gave for this machine.
#
#   MARTIN=/path/to/martin DATA=national bash scripts/bench_tiles.sh
#   MARTIN=build DATA=national bash scripts/bench_tiles.sh   # builds martin into target/martin
#
# also runs martin (github.com/maplibre/martin; `cargo install martin@1.14.0 --locked
# --no-default-features --features postgres` builds it, the last release that builds with
# Rust 1.95; about 20 minutes here on 2 cores) on a throw-away PostGIS cluster (Debian's
# postgresql-15-postgis-3, as scripts/test.sh installs it) holding the very features this
# server serves, in EPSG:3857 with a GiST index, so martin transforms nothing, and times
# the same cold z9 and z12 tiles from it in the same run (martin with --cache-size 0).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-2}"
DATA="${DATA:-data}"
LAYER="${LAYER:-wijken}"

command -v wrk >/dev/null 2>&1 || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
echo "building release binaries…" >&2
cargo build --release --locked --quiet --bin wijkatlas --example ceiling
# BIN=path runs another build of the server (an earlier commit's, to compare in one run).
BIN="${BIN:-target/release/wijkatlas}"

work="$(mktemp -d)"
# `start` runs inside $(…), a subshell, so the servers' pids go to a file: an array set
# there never reached this shell, and every run left its servers running.
cleanup() {
  if [ -f "$work/pids" ]; then
    while read -r p; do kill "$p" 2>/dev/null || true; done <"$work/pids"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$DATA" = national ]; then
  national="../shared/data/cbs_buurten_2014_coarse/buurten_2014_coarse.geojson"
  [ -f "$national" ] || { echo "no national layer at $national" >&2; exit 1; }
  DATA="$work/national"; LAYER=buurten
  mkdir -p "$DATA"
  cat >"$DATA/wijkatlas.toml" <<TOML
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
fi

start() { # log-name command…: prints the base URL once the server listens
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

# The mix: every tile over the data at zooms 5–8, and at zooms 10, 12 and 14 the tiles
# of 150 features picked with a fixed seed (so runs compare).
warm=$(start warm "$BIN" serve --addr 127.0.0.1:0 --data "$DATA")
curl -s "$warm/collections/$LAYER/items?limit=10000&properties=code" >"$work/layer.json"
python3 - "$work/layer.json" "$LAYER" >"$work/tiles.txt" <<'PY'
import json, math, random, sys
features = json.load(open(sys.argv[1]))["features"]
layer = sys.argv[2]
def tile(lon, lat, z):
    n = 2 ** z
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)
def first_point(g):
    c = g["coordinates"]
    while isinstance(c[0], list):
        c = c[0]
    return c
points = [first_point(f["geometry"]) for f in features if f.get("geometry")]
lons = [p[0] for p in points]; lats = [p[1] for p in points]
tiles = set()
for z in (5, 6, 7, 8):
    x0, y0 = tile(min(lons), max(lats), z); x1, y1 = tile(max(lons), min(lats), z)
    tiles |= {(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}
random.seed(20261124)
for z in (10, 12, 14):
    for p in random.sample(points, min(150, len(points))):
        tiles.add((z, *tile(p[0], p[1], z)))
# Zoom 9 over the whole data, for the cold z9 row.
x0, y0 = tile(min(lons), max(lats), 9); x1, y1 = tile(max(lons), min(lats), 9)
tiles |= {(9, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}
for z, x, y in sorted(tiles):
    print(f"/collections/{layer}/tiles/WebMercatorQuad/{z}/{y}/{x}")
PY
for z in 9 12; do grep "/WebMercatorQuad/$z/" "$work/tiles.txt" >"$work/tiles.z$z.txt"; done
grep -v "/WebMercatorQuad/9/" "$work/tiles.txt" >"$work/mix.txt"
echo "$(wc -l <"$work/tiles.txt") tiles in the mix" >&2
lua() { # list file -> a wrk script that cycles through it
  cat <<LUA
local paths = {}
for line in io.lines("$1") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
}
lua "$work/mix.txt" >"$work/mix.lua"
lua "$work/tiles.z9.txt" >"$work/z9.lua"
lua "$work/tiles.z12.txt" >"$work/z12.lua"

measure() { # url [lua]: prints "req/s p50 p99 non2xx"
  local lua=()
  [ -n "${2:-}" ] && lua=(-s "$2")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${lua[@]}" "$1" >"$work/wrk.txt" 2>&1 || true
  awk '
    function ms(v) { if (v ~ /us$/) return substr(v, 1, length(v)-2)/1000;
                     if (v ~ /ms$/) return substr(v, 1, length(v)-2)+0;
                     if (v ~ /s$/)  return substr(v, 1, length(v)-1)*1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.2f %.2f %s\n", rps, p50, p99, (bad == "" ? 0 : bad) }' "$work/wrk.txt"
}
row() { # name stats
  read -r rps p50 p99 bad <<<"$2"
  printf "%-44s %10s %9s %9s %s\n" "$1" "$rps" "$p50" "$p99" "$([ "$bad" != 0 ] && echo "non-2xx: $bad")"
  echo "$rps" >"$work/rps.$3"
}

# Warm the cache: every tile of the mix once (and the sizes, for the report).
bytes=0
while read -r path; do
  b=$(curl -s -o /dev/null -w '%{size_download}' "$warm$path"); bytes=$((bytes + b))
done <"$work/tiles.txt"
n=$(wc -l <"$work/mix.txt")
cold=$(start cold "$BIN" serve --addr 127.0.0.1:0 --data "$DATA" --tile-cache-mb 0)
# Let the cold server make its per-zoom generalisations once, as a server would have
# by the time its cache is cold again after a reload.
while read -r path; do curl -s -o /dev/null "$cold$path"; done <"$work/tiles.txt"
ceiling=$(start ceiling target/release/examples/ceiling 127.0.0.1:0 6656)

echo
echo "== tiles of $LAYER from $DATA: $n tiles, mean $((bytes / n)) bytes ($DURATION s each, $CONNECTIONS connections)"
printf "%-44s %10s %9s %9s\n" "route" "req/s" "p50 ms" "p99 ms"
row "tiles, warm cache (mix of zooms)" "$(measure "$warm" "$work/mix.lua")" warm
row "tiles, cold (no cache; made on request)" "$(measure "$cold" "$work/mix.lua")" cold
row "cold z9, $(wc -l <"$work/tiles.z9.txt") tiles over the data" "$(measure "$cold" "$work/z9.lua")" z9
row "cold z12, $(wc -l <"$work/tiles.z12.txt") sampled tiles" "$(measure "$cold" "$work/z12.lua")" z12
row "GeoJSON page: 100 $LAYER" "$(measure "$warm/collections/$LAYER/items?limit=100")" geojson
row "ceiling: static 6.5 KB body" "$(measure "$ceiling/page")" ceiling
awk -v w="$(cat "$work/rps.warm")" -v c="$(cat "$work/rps.cold")" -v g="$(cat "$work/rps.geojson")" -v x="$(cat "$work/rps.ceiling")" \
  'BEGIN { printf "ratios: warm/ceiling %.2f, cold/ceiling %.3f, warm/cold %.1f, warm/GeoJSON page %.1f\n", w/x, c/x, w/c, w/g }'
# Issue 22 measured on this machine, national 2014 buurten, before the R-trees: cold z9
# 187/s, cold z12 4,200/s, which it put at 2.7x martin on PostGIS (so martin ~1,550/s).
awk -v a="$(cat "$work/rps.z9")" -v b="$(cat "$work/rps.z12")" \
  'BEGIN { printf "cold z9: %.0f/s (issue 22 before: 187/s, %.1fx)   cold z12: %.0f/s (before: 4,200/s; martin on PostGIS ~1,550/s from the issue: %.1fx, goal >= 3)\n", a, a/187, b, b/1550 }'

[ -n "${MARTIN:-}" ] || exit 0

if [ "$MARTIN" = build ]; then
  echo "building martin 1.14.0 into target/martin (about 20 minutes on 2 cores)…" >&2
  cargo install martin@1.14.0 --locked --no-default-features --features postgres \
    --root target/martin --quiet
  MARTIN=target/martin/bin/martin
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
[ -f /usr/share/postgresql/15/extension/postgis.control ] || need+=(postgresql-15-postgis-3)
command -v ogr2ogr >/dev/null || need+=(gdal-bin)
if [ "${#need[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# martin on PostGIS, same run. The cluster runs as the `postgres` user when we are root
# (initdb refuses root), as ourselves otherwise.
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
[ -x "$PGBIN/initdb" ] || { echo "no PostgreSQL server binaries in $PGBIN (apt-get install postgresql-15 postgresql-15-postgis-3)" >&2; exit 1; }
command -v ogr2ogr >/dev/null || { echo "ogr2ogr is needed (apt-get install gdal-bin)" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Its own folder, open to the `postgres` user (the work folder is ours alone).
pg="$(mktemp -d)"; chmod 755 "$pg"
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$pg"; su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
pgport=$(free_port)
as_pg "$PGBIN/initdb -D $pg/data -A trust -U postgres >/dev/null"
as_pg "$PGBIN/pg_ctl -D $pg/data -o '-p $pgport -k $pg -c listen_addresses=127.0.0.1' -l $pg/log start -w >/dev/null"
stop_pg() { as_pg "$PGBIN/pg_ctl -D $pg/data stop -m fast >/dev/null" || true; rm -rf "$pg"; }
trap 'stop_pg; cleanup' EXIT
url="postgres://postgres@127.0.0.1:$pgport/atlas"
psql -h 127.0.0.1 -p "$pgport" -U postgres -qc 'create database atlas'
psql "$url" -qc 'create extension postgis'
# The features this server serves (its kept records, its properties), page by page.
total=$(curl -s "$warm/collections/$LAYER/items?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')
for offset in $(seq 0 10000 $((total - 1))); do
  curl -s "$warm/collections/$LAYER/items?limit=10000&offset=$offset" >"$work/page.$offset.json"
  # The layer's options when the first page creates it; later pages are appended.
  create=(-lco GEOMETRY_NAME=geom -lco FID=gid)
  [ "$offset" = 0 ] || create=()
  ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$pgport user=postgres dbname=atlas" "$work/page.$offset.json" \
    -nln "$LAYER" -append "${create[@]}" -t_srs EPSG:3857 -nlt PROMOTE_TO_MULTI
done
psql "$url" -qc "analyze $LAYER"
loaded=$(psql "$url" -Atc "select count(*) from $LAYER")
echo "PostGIS: $loaded of $total features of $LAYER loaded (EPSG:3857, GiST index)" >&2
# Tiles of different features are no comparison.
[ "$loaded" = "$total" ] || { echo "PostGIS holds $loaded of our $total features: no same-data comparison" >&2; exit 1; }
martin_port=$(free_port)
"$MARTIN" --listen-addresses "127.0.0.1:$martin_port" --cache-size 0 "$url" >"$work/martin.log" 2>&1 &
echo "$!" >>"$work/pids"
martin="http://127.0.0.1:$martin_port"
for _ in $(seq 1 300); do curl -sf "$martin/catalog" >/dev/null && break; sleep 0.2; done
curl -sf "$martin/catalog" | grep -q "\"$LAYER\"" || { echo "martin does not serve $LAYER: $(tail -5 "$work/martin.log")" >&2; exit 1; }
for z in 9 12; do
  # Ours: …/WebMercatorQuad/{z}/{row}/{col}; martin's: /{source}/{z}/{x}/{y}.
  sed "s#^/collections/[^/]*/tiles/WebMercatorQuad/\([0-9]*\)/\([0-9]*\)/\([0-9]*\)\$#/$LAYER/\1/\3/\2#" \
    "$work/tiles.z$z.txt" >"$work/martin.z$z.txt"
  lua "$work/martin.z$z.txt" >"$work/martin.z$z.lua"
done
tile_bytes() { # base list: total bytes of the tiles in the list
  local sum=0 b
  while read -r path; do b=$(curl -s -o /dev/null -w '%{size_download}' "$1$path"); sum=$((sum + b)); done <"$2"
  echo "$sum"
}
echo
echo "== the same cold tiles from martin on PostGIS, same run"
for z in 9 12; do
  echo "z$z: ours $(tile_bytes "$cold" "$work/tiles.z$z.txt") bytes, martin's $(tile_bytes "$martin" "$work/martin.z$z.txt") bytes over $(wc -l <"$work/tiles.z$z.txt") tiles"
done
printf "%-44s %10s %9s %9s\n" "route" "req/s" "p50 ms" "p99 ms"
row "martin cold z9" "$(measure "$martin" "$work/martin.z9.lua")" mz9
row "martin cold z12" "$(measure "$martin" "$work/martin.z12.lua")" mz12
row "wijkatlas cold z9 (again)" "$(measure "$cold" "$work/z9.lua")" z9b
row "wijkatlas cold z12 (again)" "$(measure "$cold" "$work/z12.lua")" z12b
awk -v a="$(cat "$work/rps.z9b")" -v b="$(cat "$work/rps.z12b")" -v ma="$(cat "$work/rps.mz9")" -v mb="$(cat "$work/rps.mz12")" \
  'BEGIN { printf "cold tiles against martin on PostGIS, same run: z9 %.1fx, z12 %.1fx (issue 22 goal >= 3 each)\n", a/ma, b/mb }'
