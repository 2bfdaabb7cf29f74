#!/usr/bin/env bash
# hexgate next to its peers: the same upstream, the same wrk load, in one invocation, in shuffled rounds.
#   direct   the upstream itself (an nginx with one worker answering a 118-byte JSON body): the physical limit
#   nginx    an nginx reverse proxy, one worker, keep-alive upstream pool, injecting the Authorization header
#   haproxy  HAProxy, one thread, connection reuse, injecting the same header
#   vertx    bench/peers/VertxProxy.java: a bare Vert.x proxy on the Vert.x Quarkus brings (the floor of hexgate's stack)
#   netty    bench/peers/NettyProxy.java: a bare Netty proxy on the Netty Quarkus brings
#   hexgate  the packaged jar, one linked connection (file store)
# Each round runs every peer once, in a new random order, with wrk (closed loop: -t THREADS -c CONNECTIONS, DURATION);
# it records requests/s, p50/p99, and the CPU time the proxy process used per request (for direct: the upstream's).
# Then each peer gets an open-loop run at PACED_RATE req/s (bench/peers/Paced.java, latency from the intended send time).
# Printed: every round, then medians and the ratios to nginx and to the bare Vert.x proxy.
# Usage: bench/peers.sh     Env: ROUNDS (3), DURATION (15s), CONNECTIONS (64), THREADS (2), WARMUP (10s),
#        PACED_RATE (5000), PACED_SECONDS (20), PEERS (default "direct nginx haproxy vertx netty hexgate").
# Needs root for apt-get (wrk, nginx-light, haproxy) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-10s}
PACED_RATE=${PACED_RATE:-5000}
PACED_SECONDS=${PACED_SECONDS:-20}
read -r -a PEERS <<<"${PEERS:-direct nginx haproxy vertx netty hexgate}"
WORK=$(mktemp -d /tmp/hexgate-peers.XXXXXX)
UPSTREAM=19201
declare -A PORT=([direct]=19201 [nginx]=19202 [haproxy]=19203 [vertx]=19204 [netty]=19205 [hexgate]=19206)
HEXGATE_MGMT=19207
KEY=bench-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
TOKEN=hxtp_benchToken$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
LIB="target/quarkus-app/lib/main/*"

. bench/common.sh
need wrk wrk
need nginx nginx-light
need haproxy haproxy
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

declare -A PID=()
cleanup() {
  for pid in "${PID[@]}"; do kill "$pid" 2>/dev/null || true; done
  for f in "$WORK"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
chmod 755 "$WORK"

nginx_conf() { # <name> <server block>
  { nginx_head "$1"; printf '  %s\n}\n' "$2"; } >"$WORK/$1.conf"
  nginx -c "$WORK/$1.conf" -p "$WORK"
  sleep 0.3
  PID[$1]=$(pgrep -P "$(cat "$WORK/$1.pid")" | head -1)   # its one worker: the process doing the work
}

# ---- the upstream, and the peers ----
nginx_conf direct "server { listen 127.0.0.1:$UPSTREAM; default_type application/json;
    location = /api/v1/projects { return 200 '{\"values\":[{\"id\":\"4f0c5d2e-0000-4000-8000-000000000001\",\"title\":\"Revenue\"}],\"pagination\":{\"after\":null,\"before\":null}}'; } }"
nginx_conf nginx "upstream hex { server 127.0.0.1:$UPSTREAM; keepalive 128; }
  server { listen 127.0.0.1:${PORT[nginx]};
    location / { proxy_pass http://hex/api/; proxy_http_version 1.1; proxy_set_header Connection \"\";
      proxy_set_header Host app.hex.tech; proxy_set_header Authorization \"Bearer $TOKEN\"; proxy_buffering off; } }"
cat >"$WORK/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend peers
  bind 127.0.0.1:${PORT[haproxy]}
  default_backend hex
backend hex
  http-request set-path /api%[path]
  http-request set-header Host app.hex.tech
  http-request set-header Authorization "Bearer $TOKEN"
  server upstream 127.0.0.1:$UPSTREAM
EOF
haproxy -f "$WORK/haproxy.cfg" -D -p "$WORK/haproxy.pid"
sleep 0.3
PID[haproxy]=$(cat "$WORK/haproxy.pid")

java -cp "$LIB" bench/peers/VertxProxy.java "${PORT[vertx]}" "$UPSTREAM" "$TOKEN" >"$WORK/vertx.log" 2>&1 &
PID[vertx]=$!
java -cp "$LIB" bench/peers/NettyProxy.java "${PORT[netty]}" "$UPSTREAM" "$TOKEN" >"$WORK/netty.log" 2>&1 &
PID[netty]=$!
HEXGATE_API_KEYS=$KEY HEXGATE_PUBLIC_URL=http://bench.invalid HEXGATE_STORE=file HEXGATE_STORE_FILE_DIR="$WORK/data" \
  HEXGATE_UPSTREAM_SCHEME=http HEXGATE_UPSTREAM_CONNECT_TO=127.0.0.1:$UPSTREAM HEXGATE_VERIFY_ON_LINK=false \
  QUARKUS_HTTP_PORT=${PORT[hexgate]} QUARKUS_MANAGEMENT_PORT=$HEXGATE_MGMT \
  java -Dquarkus.vertx.event-loops-pool-size="$(nproc)" ${JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar \
  >"$WORK/hexgate.log" 2>&1 &
PID[hexgate]=$!
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$HEXGATE_MGMT/q/health/ready" && break; sleep 0.2; done
curl -fsS -o /dev/null -X POST "http://127.0.0.1:${PORT[hexgate]}/connections" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' \
  -d "{\"provider_config_key\":\"hex\",\"connection_id\":\"bench\",\"connection_config\":{\"subdomain\":\"app\"},\"credentials\":{\"type\":\"API_KEY\",\"apiKey\":\"$TOKEN\"}}"

url() { case $1 in direct) echo "http://127.0.0.1:$UPSTREAM/api/v1/projects" ;; hexgate) echo "http://127.0.0.1:${PORT[hexgate]}/proxy/v1/projects" ;;
  *) echo "http://127.0.0.1:${PORT[$1]}/v1/projects" ;; esac; }
headers() { case $1 in direct) echo "Authorization: Bearer $TOKEN" ;; hexgate) printf '%s\n%s\n' "Authorization: Bearer $KEY" "Connection-Id: bench" ;; esac; }
wrk_headers() { local -n out=$2; out=(); while IFS= read -r h; do [ -n "$h" ] && out+=(-H "$h"); done < <(headers "$1"); }
for peer in "${PEERS[@]}"; do
  wrk_headers "$peer" H
  code=000
  for _ in $(seq 1 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "${H[@]}" "$(url "$peer")" || true)
    [ "$code" = 200 ] && break
    sleep 0.2
  done
  [ "$code" = 200 ] || { echo "$peer answers $code, not 200"; exit 1; }
done

wrk_report "$WORK/report.lua"
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.0f", ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(java -version 2>&1 | head -1); $(nginx -v 2>&1); $(haproxy -v | head -1 | cut -d' ' -f1-3); wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
echo "== warm-up: $WARMUP each"
for peer in "${PEERS[@]}"; do
  wrk_headers "$peer" H
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${H[@]}" "$(url "$peer")" >/dev/null
done

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  order=$(printf '%s\n' "${PEERS[@]}" | shuf | tr '\n' ' ')
  echo "== round $round: $order"
  for peer in $order; do
    wrk_headers "$peer" H
    pid=${PID[$peer]}
    c0=$(cpu_ms "$pid")
    read -r _ rps p50 p99 errors total < <(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/report.lua" "${H[@]}" \
      "$(url "$peer")" | grep '^RESULT')
    c1=$(cpu_ms "$pid")
    cpu_us=$(awk -v c=$((c1 - c0)) -v t="$total" 'BEGIN { printf "%.1f", c * 1000 / t }')
    rss=$(rss_mb "$pid")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$peer" "$rps" "$p50" "$p99" "$cpu_us" "$rss" "$errors" >>"$RESULTS"
    printf "   %-8s %9.0f req/s   p50 %7.3f ms   p99 %7.3f ms   CPU %6.1f us/request   RSS %5s MB   errors %s\n" \
      "$peer" "$rps" "$p50" "$p99" "$cpu_us" "$rss" "$errors"
  done
done

echo "== open loop: $PACED_RATE req/s for ${PACED_SECONDS}s each (bench/peers/Paced.java, 32 connections, latency from the intended send time)"
PACED="$WORK/paced.tsv"
: >"$PACED"
for peer in $(printf '%s\n' "${PEERS[@]}" | shuf); do
  mapfile -t hs < <(headers "$peer")
  read -r _ sent p50 p90 p99 p999 max errors _ < <(java -cp "$LIB" bench/peers/Paced.java "$(url "$peer" | sed 's|http://127.0.0.1:\([0-9]*\).*|\1|')" \
    "$(url "$peer" | sed 's|http://127.0.0.1:[0-9]*||')" "$PACED_RATE" "$PACED_SECONDS" 32 "${hs[@]}" 2>/dev/null | grep '^PACED')
  printf '%s\t%s\t%s\t%s\n' "$peer" "$p50" "$p99" "$errors" >>"$PACED"
  printf "   %-8s sent %6s/s   p50 %7.3f ms   p90 %7.3f ms   p99 %7.3f ms   p99.9 %7.3f ms   max %8.3f ms   errors %s\n" \
    "$peer" "$sent" "$p50" "$p90" "$p99" "$p999" "$max" "$errors"
done

echo "== medians of $ROUNDS rounds"
python3 - "$RESULTS" "$PACED" <<'PY'
import statistics, sys
rows, paced = {}, {}
for line in open(sys.argv[1]):
    peer, rps, p50, p99, cpu, rss, errors = line.split("\t")
    rows.setdefault(peer, []).append((float(rps), float(p50), float(p99), float(cpu), float(rss), int(errors)))
for line in open(sys.argv[2]):
    peer, p50, p99, errors = line.split("\t")
    paced[peer] = (float(p50), float(p99), int(errors))
med = {p: [statistics.median(v[i] for v in runs) for i in range(5)] + [sum(v[5] for v in runs)] for p, runs in rows.items()}
def ratio(a, b):
    return "%5.2f" % (a / b) if b else "    -"
print("%-8s %10s %8s %8s %9s %7s %7s | %8s %8s %8s | %9s %9s %8s" % ("peer", "req/s", "p50 ms", "p99 ms", "CPU us/req",
      "RSS MB", "errors", "thr/ngx", "CPU/ngx", "CPU/vx", "paced p50", "paced p99", "p50/vx"))
for peer in ["direct", "nginx", "haproxy", "vertx", "netty", "hexgate"]:
    if peer not in med:
        continue
    rps, p50, p99, cpu, rss, errors = med[peer]
    n, v = med.get("nginx"), med.get("vertx")
    pp = paced.get(peer, (0, 0, 0))
    pv = paced.get("vertx", (0, 0, 0))
    print("%-8s %10.0f %8.3f %8.3f %9.1f %7.0f %7d | %8s %8s %8s | %9.3f %9.3f %8s" % (peer, rps, p50, p99, cpu, rss, errors,
          ratio(rps, n[0]) if n else "-", ratio(cpu, n[3]) if n else "-", ratio(cpu, v[3]) if v else "-",
          pp[0], pp[1], ratio(pp[0], pv[0]) if pv[0] else "-"))
PY
