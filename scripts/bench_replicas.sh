#!/usr/bin/env bash
# Replica bench: throughput of one wijkatlas replica asked directly, through nginx, and
# two replicas behind nginx (deploy/nginx/wijkatlas.conf, ports swapped in), with wrk on
# loopback over a mixed URL list (vector tiles, items pages, one feature, a profile).
# Also the CPU each request costs, from the processes' own CPU time (/proc/PID/stat,
# utime + stime) before and after a run divided by the requests served, for the mix and
# per kind of request, so a deployment can be sized on paper. Asserts nothing.
#
#   bash scripts/bench_replicas.sh
#   DURATION=20 CONNECTIONS=32 bash scripts/bench_replicas.sh
#
# Every process here (wrk, nginx, the replicas) shares the machine's cores: on a 2-core
# machine a second replica cannot add throughput, and the figure that carries over to a
# bigger machine is the CPU per request.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-2}"
CLASS_DURATION="${CLASS_DURATION:-5}"

need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
echo "building the release binary…" >&2
cargo build --release --locked --quiet --bin wijkatlas

work="$(mktemp -d)"
pids=()
nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

TICK=$(getconf CLK_TCK)
# CPU seconds (user + system) a process has used so far. The command name in field 2
# may hold spaces, so count fields from after its closing bracket.
cpu_s() { awk -v t="$TICK" '{ sub(/^.*\) /, ""); printf "%.3f\n", ($12 + $13) / t }' "/proc/$1/stat"; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
# Busy share of the whole machine between two readings of /proc/stat.
machine() { awk '/^cpu / { print $2+$3+$4+$6+$7+$8, $5 }' /proc/stat; }

# Starts a replica on a free port; sets REPLICA_PID and REPLICA_PORT.
start_replica() {
  local name="$1" log="$work/$1.out"
  # Profiles count as expensive; the cap would answer part of the load 503 by design.
  target/release/wijkatlas serve --addr 127.0.0.1:0 --max-expensive 64 >"$log" 2>"$work/$name.err" &
  REPLICA_PID=$!
  pids+=("$REPLICA_PID")
  for _ in $(seq 1 600); do
    if grep -q "listening on" "$log" 2>/dev/null; then
      REPLICA_PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\)\/.*/\1/p' "$log" | head -1)
      return
    fi
    sleep 0.1
  done
  echo "replica $name did not start: $(cat "$work/$name.err")" >&2
  exit 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# nginx with the shipped site file, upstream = the given replica ports.
start_nginx() {
  local port="$1"; shift
  local site="$work/wijkatlas.conf" upstreams="" p
  for p in "$@"; do upstreams+="    server 127.0.0.1:$p max_fails=1 fail_timeout=2s;\n"; done
  # Drop the shipped replica lines and put ours in their place.
  awk -v ups="$upstreams" '
    /^ *server 127\.0\.0\.1:808[12] / { if (!done) { printf "%s", ups; done = 1 } next }
    { print }' deploy/nginx/wijkatlas.conf \
    | sed -e "s|listen 80;|listen 127.0.0.1:$port;|" -e '/listen \[::\]:80;/d' \
          -e "s|/var/log/nginx/wijkatlas.access.log|$work/access.log|" \
    > "$site"
  local user=""; [ "$(id -u)" -eq 0 ] && user="user root;"
  cat > "$work/nginx.conf" <<CONF
$user
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.error.log warn;
events { worker_connections 4096; }
http {
    client_body_temp_path $work/client_body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
    include $site;
}
CONF
  "$NGINX" -p "$work/" -c "$work/nginx.conf" -e "$work/nginx.error.log" -t -q
  "$NGINX" -p "$work/" -c "$work/nginx.conf" -e "$work/nginx.error.log" -g 'daemon off;' &
  nginx_pid=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "nginx did not start: $(cat "$work/nginx.error.log")" >&2
  exit 1
}

stop_nginx() { kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=""; }

# The mix: a map session is mostly tiles, then pages of features, the odd profile.
MIX=(
  /tiles/WebMercatorQuad/7/42/66
  /tiles/WebMercatorQuad/9/168/262
  /tiles/WebMercatorQuad/10/337/526
  /tiles/WebMercatorQuad/12/1349/2100
  /tiles/WebMercatorQuad/14/5403/8424
  "/collections/wijken/items?limit=100"
  "/collections/voorzieningen/items?limit=50"
  "/collections/wijken/items?gemeentecode=GM0344"
  /collections/wijken/items/WK050501
  /profiles/GM0505
)
lua_for() { # paths… → a wrk script asking them in turn
  local list="" p
  for p in "$@"; do list+="\"$p\", "; done
  cat <<LUA
local paths = { $list }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA
}
lua_for "${MIX[@]}" > "$work/mix.lua"

warm() { local p; for p in "${MIX[@]}"; do curl -fs -o /dev/null "$1$p"; done; }

# One wrk run against $1 with script $2 for $3 s while the processes $4… are watched.
# Prints: requests req/s p50 p99 bad cpu-of-watched-processes… wrk-cpu machine-busy%
run() {
  local url="$1" script="$2" secs="$3"; shift 3
  local before=() after=() p m0 m1
  for p in "$@"; do before+=("$(cpu_s "$p")"); done
  m0=$(machine)
  { TIMEFORMAT='%U %S'; time wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --latency "${WRK_HEADERS[@]}" -s "$script" "$url" >"$work/wrk.txt" 2>&1 || true; } 2>"$work/wrk.time"
  m1=$(machine)
  for p in "$@"; do after+=("$(cpu_s "$p")"); done
  local stats
  stats=$(awk '
    function ms(v) { if (v ~ /us$/) return substr(v, 1, length(v)-2)/1000;
                     if (v ~ /ms$/) return substr(v, 1, length(v)-2)+0;
                     if (v ~ /s$/)  return substr(v, 1, length(v)-1)*1000; return v }
    / requests in / { n = $1 }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad += $NF }
    /Socket errors/ { gsub(",", ""); bad += $4 + $6 + $8 + $10 }
    END { printf "%d %.0f %.2f %.2f %d", n, rps, p50, p99, bad }' "$work/wrk.txt")
  local cpus="" i
  for i in "${!before[@]}"; do cpus+=" $(add "${after[$i]}" "-${before[$i]}")"; done
  local wrk_cpu busy
  wrk_cpu=$(awk '{ print $1 + $2 }' "$work/wrk.time")
  busy=$(echo "$m0 $m1" | awk '{ b = $3 - $1; i = $4 - $2; printf "%.0f", 100 * b / (b + i) }')
  echo "$stats$cpus $wrk_cpu $busy"
}

# wrk sends no Accept-Encoding unless told: bodies go uncompressed, as in bench_http.sh.
WRK_HEADERS=()

nginx_procs() { echo "$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')"; }
ms_per() { echo "$1 $2" | awk '{ printf "%.3f", ($2 > 0 ? 1000 * $1 / $2 : 0) }'; }

start_replica a; A_PID=$REPLICA_PID; A_PORT=$REPLICA_PORT
start_replica b; B_PID=$REPLICA_PID; B_PORT=$REPLICA_PORT
N_PORT=$(free_port)
warm "http://127.0.0.1:$A_PORT"; warm "http://127.0.0.1:$B_PORT"
cores=$(nproc)
echo
echo "== replicas: ${DURATION} s per run, $CONNECTIONS connections, $THREADS wrk threads, $cores cores, mix of ${#MIX[@]} URLs"
printf "%-26s %9s %8s %8s %5s %12s %12s %9s %6s\n" "shape" "req/s" "p50 ms" "p99 ms" "bad" "replica ms/r" "nginx ms/r" "wrk ms/r" "busy%"

# 1. one replica, asked directly.
read -r n1 rps1 p50 p99 bad ca wrk_cpu busy <<<"$(run "http://127.0.0.1:$A_PORT" "$work/mix.lua" "$DURATION" "$A_PID")"
printf "%-26s %9s %8s %8s %5s %12s %12s %9s %6s\n" "1 replica, direct" "$rps1" "$p50" "$p99" "$bad" "$(ms_per "$ca" "$n1")" "—" "$(ms_per "$wrk_cpu" "$n1")" "$busy"
direct_ms=$(ms_per "$ca" "$n1")

# 1b. the same, compressed as a browser asks (brotli where offered): the replica's CPU
# then includes compressing.
WRK_HEADERS=(-H "Accept-Encoding: br, gzip")
read -r n1z rps1z p50 p99 bad ca wrk_cpu busy <<<"$(run "http://127.0.0.1:$A_PORT" "$work/mix.lua" "$DURATION" "$A_PID")"
WRK_HEADERS=()
printf "%-26s %9s %8s %8s %5s %12s %12s %9s %6s\n" "1 replica, direct, br" "$rps1z" "$p50" "$p99" "$bad" "$(ms_per "$ca" "$n1z")" "—" "$(ms_per "$wrk_cpu" "$n1z")" "$busy"
compressed_ms=$(ms_per "$ca" "$n1z")

# 2. nginx in front of one replica.
start_nginx "$N_PORT" "$A_PORT"
warm "http://127.0.0.1:$N_PORT"
read -r -a procs <<<"$(nginx_procs)"
read -r -a r <<<"$(run "http://127.0.0.1:$N_PORT" "$work/mix.lua" "$DURATION" "$A_PID" "${procs[@]}")"
n2=${r[0]}; rps2=${r[1]}; ca=${r[5]}; cn=0
for ((i = 6; i < 6 + ${#procs[@]}; i++)); do cn=$(add "$cn" "${r[$i]}"); done
wrk_cpu=${r[$((6 + ${#procs[@]}))]}; busy=${r[$((7 + ${#procs[@]}))]}
printf "%-26s %9s %8s %8s %5s %12s %12s %9s %6s\n" "nginx -> 1 replica" "$rps2" "${r[2]}" "${r[3]}" "${r[4]}" "$(ms_per "$ca" "$n2")" "$(ms_per "$cn" "$n2")" "$(ms_per "$wrk_cpu" "$n2")" "$busy"
stop_nginx

# 3. nginx in front of two replicas.
start_nginx "$N_PORT" "$A_PORT" "$B_PORT"
warm "http://127.0.0.1:$N_PORT"
read -r -a procs <<<"$(nginx_procs)"
read -r -a r <<<"$(run "http://127.0.0.1:$N_PORT" "$work/mix.lua" "$DURATION" "$A_PID" "$B_PID" "${procs[@]}")"
n3=${r[0]}; rps3=${r[1]}; cab=$(add "${r[5]}" "${r[6]}"); cn=0
for ((i = 7; i < 7 + ${#procs[@]}; i++)); do cn=$(add "$cn" "${r[$i]}"); done
wrk_cpu=${r[$((7 + ${#procs[@]}))]}; busy=${r[$((8 + ${#procs[@]}))]}
printf "%-26s %9s %8s %8s %5s %12s %12s %9s %6s\n" "nginx -> 2 replicas" "$rps3" "${r[2]}" "${r[3]}" "${r[4]}" "$(ms_per "$cab" "$n3")" "$(ms_per "$cn" "$n3")" "$(ms_per "$wrk_cpu" "$n3")" "$busy"
nginx_ms=$(ms_per "$cn" "$n3")
echo "   (replica B's share of the two-replica run: $(echo "${r[6]} ${r[5]}" | awk '{ printf "%.0f%%", 100 * $1 / ($1 + $2) }') of the replicas' CPU)"
stop_nginx

echo
echo "ratios: nginx->1 / direct $(echo "$rps2 $rps1" | awk '{ printf "%.2f", $1 / $2 }'), nginx->2 / nginx->1 $(echo "$rps3 $rps2" | awk '{ printf "%.2f", $1 / $2 }')"
echo "per core (direct, all $cores cores shared with wrk): $(echo "$rps1 $cores" | awk '{ printf "%.0f", $1 / $2 }') req/s; from the replica's CPU alone: $(echo "$direct_ms" | awk '{ printf "%.0f", 1000 / $1 }') req/s per core-second"

# CPU per kind of request, one replica asked directly: what the mix is made of.
echo
echo "== CPU per request by kind (one replica, direct, ${CLASS_DURATION} s each)"
printf "%-44s %9s %9s %12s\n" "request" "req/s" "p99 ms" "replica ms/r"
for u in /tiles/WebMercatorQuad/12/1349/2100 /tiles/WebMercatorQuad/7/42/66 "/collections/wijken/items?limit=100" \
         /collections/wijken/items/WK050501 /profiles/GM0505 /profiles/WK050501; do
  lua_for "$u" > "$work/one.lua"
  read -r n rps _ p99 _ ca _ _ <<<"$(run "http://127.0.0.1:$A_PORT" "$work/one.lua" "$CLASS_DURATION" "$A_PID")"
  printf "%-44s %9s %9s %12s\n" "$u" "$rps" "$p99" "$(ms_per "$ca" "$n")"
done

# On paper: cores for a national service, from the measured CPU per request of the mix.
echo
echo "== sizing for 1,000 requests/s of this mix"
echo "$direct_ms $compressed_ms $nginx_ms" | awk '{
  r = $1; z = $2; n = $3
  printf "replica CPU %.3f ms/request uncompressed, %.3f compressed -> %.2f / %.2f cores; nginx %.3f ms/request -> %.2f cores\n", r, z, r, z, n, n
  printf "at 60%% utilisation (headroom for reloads, which take a core for a second or two, and bursts): %.1f cores of replicas (compressed)\n", z / 0.6
}'
