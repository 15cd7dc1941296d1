#!/usr/bin/env bash
# Soak test of the real server: a release build on loopback under a mix of routes (wrk)
# for DURATION seconds while the data is reloaded through the admin endpoint every
# 10 s and the server's resident memory is sampled every 10 s. Abusive clients run
# beside it (scripts/abusive_clients.py: slowloris, answers never read, CPU-heavy
# filters and exports, 40 KB URLs; /health timed all along), and after the load the
# data is reloaded RELOADS times more and the RSS after them reported.
#
#   bash scripts/soak.sh                      # 180 s
#   DURATION=600 CONNECTIONS=32 bash scripts/soak.sh
#
# Environment: DURATION (s, default 180), CONNECTIONS (default 8), THREADS (wrk
# threads, default 2), WARMUP (s of load the memory baseline is taken over, default
# 30), DATA (a data directory; default the bundled data), ABUSE (1: run the abusive
# clients, default 1), RELOADS (reloads after the load, default 50).
# Fails (exit 1) on any non-2xx/3xx answer, socket error (connect, read, write,
# timeout), failed reload, or when the last RSS is over 1.5x the RSS after warm-up:
# the highest sample of the warm-up, which spans a few reloads (a reload holds two
# snapshots for a moment and refills the tile cache, so RSS swings between reloads);
# also when an abusive client got an answer other than the expected (200/503 for heavy
# work; a page of repeated properties bounded or refused), /health ever took over HEALTH_MAX_MS (default
# 1000), the server closed no slowloris connection, or the RSS after the RELOADS is
# over 1.25x the RSS after the first ten of them (memory after N reloads is flat).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-180}"
CONNECTIONS="${CONNECTIONS:-8}"
THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-30}"
ABUSE="${ABUSE:-1}"
RELOADS="${RELOADS:-50}"
HEALTH_MAX_MS="${HEALTH_MAX_MS:-1000}"
if [ "$WARMUP" -ge "$DURATION" ]; then WARMUP=$((DURATION / 4)); fi

if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
echo "building the release binary…" >&2
cargo build --release --locked --quiet --bin wijkatlas
bin="${CARGO_TARGET_DIR:-target}/release/wijkatlas"

work=$(mktemp -d)
server_pid=""
wrk_pid=""
abuse_pid=""
cleanup() {
  [ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null || true
  [ -n "$abuse_pid" ] && kill "$abuse_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
data_args=()
[ -n "${DATA:-}" ] && data_args=(--data "$DATA")
# Room in line for wrk's own expensive requests (its connections bunch up on /api/gaps
# behind the abusive clients' heavy work): the cap's 503s are tested in tests/abuse.rs,
# here every wrk request must be answered.
"$bin" serve --addr 127.0.0.1:0 --admin-token "$token" --max-queued 24 "${data_args[@]}" >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 1 600); do
  grep -q "listening on" "$work/stdout" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
base=$(sed -n 's/.*listening on \(http:[^ ]*\)\/.*/\1/p' "$work/stdout" | head -1)
[ -n "$base" ] || { echo "server did not start:" >&2; cat "$work/stderr" >&2; exit 1; }
case "$base" in http://127.0.0.1:* | http://localhost:* | http://\[::1\]:*) ;;
  *) echo "refusing to load a non-loopback address: $base" >&2; exit 1 ;;
esac

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0; }

# A real wijk code and category from the running server, so the mix hits real features.
wijk=$(curl -sf "$base/collections/wijken/items?limit=1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["features"][0]["id"])')
categorie=ziekenhuis
curl -sf "$base/collections/voorzieningen/items?categorie=$categorie&limit=1" |
  python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["features"] else 1)' ||
  { echo "no voorzieningen of category '$categorie' in the served data" >&2; exit 1; }
paths=(
  "/collections/wijken/items?limit=100"
  "/collections/wijken/items/$wijk"
  "/api/nearest?lon=4.67&lat=51.81&categorie=$categorie"
  "/api/gaps?categorie=$categorie"
  "/collections/wijken/tiles/WebMercatorQuad/8/84/131"
  "/"
  "/health"
)
echo "server at $base (pid $server_pid); wijk $wijk, categorie $categorie"
for p in "${paths[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$base$p")
  echo "  preflight $code $p"
  case "$code" in 2* | 3*) ;; *) echo "route answers $code before any load: $p" >&2; exit 1 ;; esac
done

{
  printf 'local paths = {\n'
  for p in "${paths[@]}"; do printf '  "%s",\n' "$p"; done
  cat <<'LUA'
}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {}; i = math.random(#paths) end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  for code, n in pairs(total) do io.write(string.format("status %d: %d\n", code, n)) end
end
LUA
} >"$work/mix.lua"

rss_start=$(rss_kb)
echo "RSS before load: $((rss_start / 1024)) MiB; ${DURATION}s of load, $CONNECTIONS connections"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -s "$work/mix.lua" "$base" >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
if [ "$ABUSE" = 1 ]; then
  python3 scripts/abusive_clients.py "$base" "$DURATION" >"$work/abuse.json" 2>"$work/abuse.err" &
  abuse_pid=$!
fi

reload_ok=0; reload_bad=0
rss_warm=""; rss_max=$rss_start; rss_last=$rss_start; rss_samples=()
t=0
while kill -0 "$wrk_pid" 2>/dev/null; do
  sleep 1
  t=$((t + 1))
  if [ $((t % 10)) -eq 5 ]; then
    code=$(curl -s -m 60 -o "$work/reload.json" -w '%{http_code}' -X POST \
      -H "Authorization: Bearer $token" "$base/admin/reload" || true)
    if [ "$code" = 200 ]; then
      reload_ok=$((reload_ok + 1))
    else
      reload_bad=$((reload_bad + 1))
      echo "  ${t}s: reload answered ${code:-nothing}: $(head -c 300 "$work/reload.json" 2>/dev/null)"
    fi
  fi
  if [ $((t % 10)) -eq 0 ]; then
    kill -0 "$server_pid" 2>/dev/null || { echo "the server died at ${t}s:" >&2; tail -20 "$work/stderr" >&2; exit 1; }
    rss_last=$(rss_kb)
    rss_samples+=("$((rss_last / 1024))")
    [ "$rss_last" -gt "$rss_max" ] && rss_max=$rss_last
    if [ "$t" -le "$WARMUP" ] && [ "$rss_last" -gt "${rss_warm:-0}" ]; then rss_warm=$rss_last; fi
    echo "  ${t}s: RSS $((rss_last / 1024)) MiB, reloads ${reload_ok} ok ${reload_bad} failed"
  fi
done
wrk_status=0
wait "$wrk_pid" || wrk_status=$?
wrk_pid=""
kill -0 "$server_pid" 2>/dev/null || { echo "the server died:" >&2; tail -20 "$work/stderr" >&2; exit 1; }
rss_last=$(rss_kb)
[ "$rss_last" -gt "$rss_max" ] && rss_max=$rss_last
rss_warm=${rss_warm:-$rss_last}
cat "$work/wrk.txt"
abuse="{}"
if [ -n "$abuse_pid" ]; then
  wait "$abuse_pid" || true
  abuse_pid=""
  abuse=$(tail -1 "$work/abuse.json" 2>/dev/null || echo '{}')
  [ -n "$abuse" ] || { abuse="{}"; cat "$work/abuse.err" >&2; }
fi

# Reloads one after the other, without load: the memory a reload leaves behind.
reload_rss=()
more_ok=0; more_bad=0
for r in $(seq 1 "$RELOADS"); do
  code=$(curl -s -m 120 -o "$work/reload.json" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $token" "$base/admin/reload" || true)
  if [ "$code" = 200 ]; then more_ok=$((more_ok + 1)); else more_bad=$((more_bad + 1)); fi
  if [ $((r % 10)) -eq 0 ]; then
    kb=$(rss_kb)
    reload_rss+=("$((kb / 1024))")
  fi
done
rss_reloads=$(rss_kb)

requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$work/wrk.txt")
socket=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$work/wrk.txt")
requests=${requests:-0}; non2xx=${non2xx:-0}; socket=${socket:-0}
mib() { echo "$(($1 / 1024))"; }
grown=$(awk -v l="$rss_last" -v w="$rss_warm" 'BEGIN { printf "%.2f", l / w }')

echo
echo "== soak: ${DURATION}s, $CONNECTIONS connections, routes: ${#paths[@]}"
echo "requests:          $requests"
echo "non-2xx/3xx:       $non2xx"
echo "socket errors:     $socket"
echo "reloads:           $reload_ok ok, $reload_bad failed"
echo "RSS (MiB):         first $(mib "$rss_start"), after warm-up (peak of the first ${WARMUP}s) $(mib "$rss_warm"), last $(mib "$rss_last"), max $(mib "$rss_max") (last/warm-up ${grown}x)"
echo "RSS samples (MiB): ${rss_samples[*]:-}"
echo "after $RELOADS more reloads ($more_ok ok, $more_bad failed): RSS $(mib "$rss_reloads") MiB; every 10: ${reload_rss[*]:-}"
echo "abusive clients:   $abuse"
fail=()
[ "$wrk_status" -eq 0 ] || fail+=("wrk exited $wrk_status")
[ "$requests" -gt 0 ] || fail+=("no requests")
[ "$non2xx" -eq 0 ] || fail+=("$non2xx non-2xx/3xx answers")
[ "$socket" -eq 0 ] || fail+=("$socket socket errors")
[ "$reload_bad" -eq 0 ] || fail+=("$reload_bad failed reloads")
awk -v l="$rss_last" -v w="$rss_warm" 'BEGIN { exit !(l <= 1.5 * w) }' || fail+=("RSS grew ${grown}x after warm-up")
[ "$more_bad" -eq 0 ] || fail+=("$more_bad of the $RELOADS reloads failed")
# Flat: the RSS after the last reload no higher than 1.25x the RSS after the first ten
# (two snapshots and their tile caches are in memory during each reload).
rss_ten_kb=$(( ${reload_rss[0]:-0} * 1024 ))
awk -v l="$rss_reloads" -v t="$rss_ten_kb" 'BEGIN { exit !(t == 0 || l <= 1.25 * t) }' ||
  fail+=("RSS after $RELOADS reloads is $(mib "$rss_reloads") MiB, over 1.25x the $((rss_ten_kb / 1024)) MiB after the first 10")
if [ "$ABUSE" = 1 ]; then
  abuse_fail=$(printf '%s' "$abuse" | python3 scripts/abusive_clients.py --judge "$HEALTH_MAX_MS")
  [ -z "$abuse_fail" ] || fail+=("$abuse_fail")
fi
if [ "${#fail[@]}" -eq 0 ]; then
  echo "soak: passed"
else
  printf 'soak: FAILED: %s\n' "$(IFS=';'; echo "${fail[*]}")"
  exit 1
fi
