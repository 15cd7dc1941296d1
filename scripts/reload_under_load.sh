#!/usr/bin/env bash
# Reload under load: wrk drives a mix of routes at a real server while the data is
# reloaded over and over through the admin endpoint. Passes only when no request failed
# and every reload swapped in the new snapshot.
#
#   bash scripts/reload_under_load.sh [BINARY] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/wijkatlas}
seconds=${2:-15}
command -v wrk >/dev/null || { echo "wrk is needed (Debian package wrk; scripts/test.sh installs it)" >&2; exit 1; }
[ -x "$bin" ] || { echo "no binary at $bin: build it first (cargo build)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

token="reload-test-$$"
"$bin" serve --addr 127.0.0.1:0 --admin-token "$token" > "$work/stdout" 2> "$work/stderr" &
server_pid=$!
for _ in $(seq 1 200); do
  grep -q "listening on" "$work/stdout" 2>/dev/null && break
  sleep 0.1
done
base=$(sed -n 's/^wijkatlas listening on \(http:[^ ]*\)\/$/\1/p' "$work/stdout")
[ -n "$base" ] || { echo "server did not start:"; cat "$work/stderr"; exit 1; }
echo "server at $base; ${seconds}s of load with reloads"

cat > "$work/mix.lua" <<'LUA'
local paths = { "/health", "/collections", "/collections/buurten/items?limit=50",
                "/collections/voorzieningen/items?limit=1000", "/status", "/collections/wijken/items/WK050501", "/" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA

wrk -t2 -c16 -d"${seconds}s" -s "$work/mix.lua" "$base" > "$work/wrk.txt" &
wrk_pid=$!
ok=0; bad=0
while kill -0 "$wrk_pid" 2>/dev/null; do
  code=$(curl -s -o "$work/reload.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" "$base/admin/reload" || echo 000)
  if [ "$code" = 200 ]; then ok=$((ok + 1)); else bad=$((bad + 1)); echo "reload answered $code: $(cat "$work/reload.json")"; fi
  sleep 0.3
done
wait "$wrk_pid"
cat "$work/wrk.txt"

requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$work/wrk.txt")
socket=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$work/wrk.txt")
non2xx=${non2xx:-0}; socket=${socket:-0}
echo "reload under load: ${requests:-0} requests, ${non2xx} non-2xx, ${socket} socket errors; reloads ${ok} swapped, ${bad} failed"
if [ "${requests:-0}" -gt 0 ] && [ "$non2xx" -eq 0 ] && [ "$socket" -eq 0 ] && [ "$ok" -gt 0 ] && [ "$bad" -eq 0 ]; then
  echo "reload-under-load: 1 passed, 0 failed"
else
  echo "reload-under-load: 0 passed, 1 failed"
  exit 1
fi
