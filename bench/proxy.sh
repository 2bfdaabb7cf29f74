#!/usr/bin/env bash
# hexgate proxy benchmark: the same wrk load, in one run, against
#   direct  — a local nginx answering a small JSON body (the physical limit),
#   nginx   — an nginx reverse proxy in front of it, keep-alive, injecting the same Authorization header,
#   hexgate — the packaged jar, HEXGATE_UPSTREAM_CONNECT_TO at the same upstream, one linked connection.
# Modes: rate (default: throughput and latency, then p99 at half of nginx's maximum rate),
#        stream (1 GiB through each, throughput and hexgate's peak RSS), startup (JVM start to first proxied response:
#        plain, with an AppCDS archive, and with a JDK 24+ AOT cache when such a JDK is installed),
#        all.
# Usage: bench/proxy.sh [rate|stream|startup|all]     Needs root for apt-get (wrk, nginx-light) when they are missing.
# Env: DURATION (default 15s), CONNECTIONS (64), THREADS (2), WARMUP (20s), JAVA_OPTS (extra JVM flags),
#      AOT_JAVA (a JDK 24+ java for the AOT-cache start-up variant; found under /usr/lib/jvm when unset).
# hexgate runs with one Vert.x event loop per core (QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE=$(nproc)), the tuning
# docs/benchmarks.md recommends; Quarkus's default is two per core.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-rate}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-20s}
WORK=$(mktemp -d /tmp/hexgate-bench.XXXXXX)
UPSTREAM=19001
NGINX=19002
HEXGATE=19003
HEXGATE_MGMT=19004
KEY=bench-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
TOKEN=hxtp_benchToken$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')

. bench/common.sh
need wrk wrk
need nginx nginx-light
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

cleanup() {
  [ -n "${HEXGATE_PID:-}" ] && kill "$HEXGATE_PID" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- nginx: the upstream (a fake Hex answering JSON) and the reference reverse proxy ----
truncate -s 1G "$WORK/1g.bin"
chmod 755 "$WORK"; chmod 644 "$WORK/1g.bin"   # nginx workers run unprivileged
{ nginx_head nginx; cat <<EOF
  upstream hex { server 127.0.0.1:$UPSTREAM; keepalive 128; }
  server {
    listen 127.0.0.1:$UPSTREAM;
    default_type application/json;
    location = /api/v1/users/me { return 200 '{"org":{"id":"bench"},"token":{"exp":null}}'; }
    location = /api/v1/projects { return 200 '{"values":[{"id":"4f0c5d2e-0000-4000-8000-000000000001","title":"Revenue"}],"pagination":{"after":null,"before":null}}'; }
    location = /api/v1/big { alias $WORK/1g.bin; default_type application/octet-stream; }
  }
  server {
    listen 127.0.0.1:$NGINX;
    location / {
      proxy_pass http://hex/api/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host app.hex.tech;
      proxy_set_header Authorization "Bearer $TOKEN";
      proxy_buffering off;
    }
  }
}
EOF
} >"$WORK/nginx.conf"
nginx -c "$WORK/nginx.conf" -p "$WORK"

# ---- hexgate ----
start_hexgate() {
  HEXGATE_API_KEYS=$KEY HEXGATE_PUBLIC_URL=http://bench.invalid HEXGATE_STORE=file HEXGATE_STORE_FILE_DIR="$WORK/data" HEXGATE_UPSTREAM_SCHEME=http \
    HEXGATE_UPSTREAM_CONNECT_TO=127.0.0.1:$UPSTREAM QUARKUS_HTTP_PORT=$HEXGATE QUARKUS_MANAGEMENT_PORT=$HEXGATE_MGMT \
    "${JAVA:-java}" -Dquarkus.vertx.event-loops-pool-size="$(nproc)" ${JAVA_OPTS:-} -jar "${JAR:-target/quarkus-app/quarkus-run.jar}" \
    >"$WORK/hexgate.log" 2>&1 &
  HEXGATE_PID=$!
}
link() {
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:$HEXGATE/connections" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' \
    -d "{\"provider_config_key\":\"hex\",\"connection_id\":\"bench\",\"connection_config\":{\"subdomain\":\"app\"},\"credentials\":{\"type\":\"API_KEY\",\"apiKey\":\"$TOKEN\"}}"
}
wait_ready() { for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$HEXGATE_MGMT/q/health/ready" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }
store_reads() { curl -fs "http://127.0.0.1:$HEXGATE_MGMT/q/metrics" | awk '/^hexgate_store_operations_seconds_count\{.*op="read"/ {s+=$2} END {printf "%d", s}'; }
proxied() { curl -fs "http://127.0.0.1:$HEXGATE_MGMT/q/metrics" | awk '/^hexgate_proxy_requests_seconds_count\{.*outcome="proxied"/ {s+=$2} END {printf "%d", s}'; }

# ---- wrk helpers: requests/s and latency percentiles (ms) ----
wrk_report "$WORK/report.lua"
# CPU time (ms) used so far by the nginx worker and by hexgate: where the two cores go during a run.
cpu_ms() { [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] && awk -v hz="$(getconf CLK_TCK)" '{printf "%.0f", ($14 + $15) * 1000 / hz}' "/proc/$1/stat" || echo 0; }
run_wrk() { # name url extra-args...
  local name=$1 url=$2; shift 2
  local worker; worker=$(pgrep -f "nginx: worker" | head -1)
  local n0 h0; n0=$(cpu_ms "$worker"); h0=$(cpu_ms "${HEXGATE_PID:-}")
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/report.lua" "$@" "$url" | grep '^RESULT')
  read -r _ rps p50 p99 errors total <<<"$out"
  local n1 h1; n1=$(cpu_ms "$worker"); h1=$(cpu_ms "${HEXGATE_PID:-}")
  printf "%-8s %10.0f req/s   p50 %7.3f ms   p99 %7.3f ms   errors %s of %s   CPU/request: nginx %.1f us, hexgate %.1f us\n" \
    "$name" "$rps" "$p50" "$p99" "$errors" "$total" "$(awk -v c=$((n1 - n0)) -v t="$total" 'BEGIN {print c * 1000 / t}')" \
    "$(awk -v c=$((h1 - h0)) -v t="$total" 'BEGIN {print c * 1000 / t}')"
  eval "${name}_rps=$rps ${name}_p99=$p99"
}
paced() { # name url rate extra-args... : closed-loop pacing, each connection waits between requests
  local name=$1 url=$2 rate=$3; shift 3
  local conns=16 delay; delay=$(awk -v c=$conns -v r="$rate" 'BEGIN { printf "%.3f", c * 1000 / r }')
  cat >"$WORK/paced.lua" <<EOF
$(cat "$WORK/report.lua")
delay = function() return $delay end
EOF
  local out; out=$(wrk -t2 -c$conns -d"$DURATION" -s "$WORK/paced.lua" "$@" "$url" | grep '^RESULT')
  read -r _ rps p50 p99 errors total <<<"$out"
  printf "%-8s %10.0f req/s   p50 %7.3f ms   p99 %7.3f ms   (target %s req/s)\n" "$name" "$rps" "$p50" "$p99" "$rate"
  eval "${name}_paced_p99=$p99"
}

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(java -version 2>&1 | head -1); $(nginx -v 2>&1); wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"

if [ "$MODE" = rate ] || [ "$MODE" = all ]; then
  start_hexgate; wait_ready; link
  H=(-H "Authorization: Bearer $KEY" -H "Connection-Id: bench")
  echo "== warm-up: $WARMUP against hexgate"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${H[@]}" "http://127.0.0.1:$HEXGATE/proxy/v1/projects" >/dev/null
  reads0=$(store_reads); proxied0=$(proxied)
  echo "== throughput: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, keep-alive, GET of a 118-byte JSON body"
  run_wrk direct "http://127.0.0.1:$UPSTREAM/api/v1/projects" -H "Authorization: Bearer $TOKEN"
  run_wrk nginx "http://127.0.0.1:$NGINX/v1/projects"
  run_wrk hexgate "http://127.0.0.1:$HEXGATE/proxy/v1/projects" "${H[@]}"
  reads1=$(store_reads); proxied1=$(proxied)
  half=$(awk -v r="$nginx_rps" 'BEGIN { printf "%d", r / 2 }')
  echo "== latency at half of nginx's maximum rate ($half req/s, 16 connections paced by wrk's delay())"
  paced direct "http://127.0.0.1:$UPSTREAM/api/v1/projects" "$half" -H "Authorization: Bearer $TOKEN"
  paced nginx "http://127.0.0.1:$NGINX/v1/projects" "$half"
  paced hexgate "http://127.0.0.1:$HEXGATE/proxy/v1/projects" "$half" "${H[@]}"
  echo "== ratios"
  awk -v h="$hexgate_rps" -v n="$nginx_rps" -v d="$direct_rps" 'BEGIN {
    printf "hexgate/nginx throughput  %.2fx   (target >= 1.0)\n", h / n
    printf "hexgate/direct throughput %.2fx\n", h / d }'
  awk -v h="$hexgate_paced_p99" -v d="$direct_paced_p99" 'BEGIN {
    printf "added p99 over direct at half nginx rate: %.3f ms   (target <= 1 ms)\n", h - d }'
  echo "store reads during the measured load: $((reads1 - reads0)) for $((proxied1 - proxied0)) proxied requests (target 0)"
  kill "$HEXGATE_PID"; wait "$HEXGATE_PID" 2>/dev/null || true; HEXGATE_PID=
fi

if [ "$MODE" = stream ] || [ "$MODE" = all ]; then
  # A 128 MiB heap: a gateway that held the body could not pass 1 GiB through it.
  JAVA_OPTS="-Xmx128m ${JAVA_OPTS:-}" start_hexgate; wait_ready; link
  rss_start=$(awk '/VmRSS/ {print $2}' /proc/$HEXGATE_PID/status)
  echo "== 1 GiB download through each (curl, one stream); hexgate with -Xmx128m, RSS before: $((rss_start / 1024)) MiB"
  for target in "direct http://127.0.0.1:$UPSTREAM/api/v1/big" "nginx http://127.0.0.1:$NGINX/v1/big" \
      "hexgate http://127.0.0.1:$HEXGATE/proxy/v1/big"; do
    set -- $target
    speed=$(curl -fsS -o /dev/null -w '%{speed_download} %{size_download}' -H "Authorization: Bearer $KEY" \
      -H "Connection-Id: bench" "$2")
    awk -v n="$1" -v s="${speed% *}" -v b="${speed#* }" 'BEGIN { printf "%-8s %8.0f MiB/s  (%d bytes)\n", n, s / 1048576, b }'
  done
  rss_before=$(awk '/VmRSS/ {print $2}' /proc/$HEXGATE_PID/status)
  awk -v r="$rss_before" -v h="$(awk '/VmHWM/ {print $2}' /proc/$HEXGATE_PID/status)" \
    'BEGIN { printf "hexgate RSS after the 1 GiB stream: %.0f MiB (peak %.0f MiB)\n", r / 1024, h / 1024 }'
  kill "$HEXGATE_PID"; wait "$HEXGATE_PID" 2>/dev/null || true; HEXGATE_PID=
fi

if [ "$MODE" = startup ] || [ "$MODE" = all ]; then
  # Quarkus records an AppCDS archive of the classes loaded while starting (quarkus.package.jar.appcds.enabled).
  if [ ! -f target/quarkus-app/app-cds.jsa ] || [ target/quarkus-app/app-cds.jsa -ot target/quarkus-app/quarkus-run.jar ]; then
    echo "== building target/quarkus-app/app-cds.jsa (./mvnw package -Dquarkus.package.jar.appcds.enabled=true)"
    ./mvnw -B -q package -DskipTests -Dquarkus.package.jar.appcds.enabled=true
  fi
  # A JDK 24+ (Leyden AOT cache, JEP 483/514/515), if one is installed: AOT_JAVA=/path/to/bin/java, else found under /usr/lib/jvm.
  AOT_JAVA=${AOT_JAVA:-$(for j in /usr/lib/jvm/*/bin/java; do v=$("$j" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2}'); [ "${v:-0}" -ge 24 ] 2>/dev/null && { echo "$j"; break; }; done)}
  # Archives store class-path entries relative to target/quarkus-app: those variants start from there, as the image does.
  in_app_dir() { cd target/quarkus-app; JAR=quarkus-run.jar "$@"; cd - >/dev/null; }
  first_proxied() { until curl -fs -o /dev/null "http://127.0.0.1:$HEXGATE/proxy/v1/projects" -H "Authorization: Bearer $KEY" \
    -H "Connection-Id: bench"; do sleep 0.01; done; }
  echo "== JVM start to first proxied response (3 runs each, file store already holding the connection)"
  start_hexgate; wait_ready; link; kill "$HEXGATE_PID"; wait "$HEXGATE_PID" 2>/dev/null || true
  variants="plain appcds"
  if [ -n "$AOT_JAVA" ]; then
    # Training run: start, proxy 50 requests, stop; the JVM writes the cache at exit.
    JAVA=$AOT_JAVA JAVA_OPTS="-XX:AOTCacheOutput=$WORK/app.aot ${JAVA_OPTS:-}" in_app_dir start_hexgate
    for _ in $(seq 50); do first_proxied; done
    kill "$HEXGATE_PID"; wait "$HEXGATE_PID" 2>/dev/null || true; HEXGATE_PID=
    [ -f "$WORK/app.aot" ] && variants="$variants jdk-plain jdk-aot"
    echo "   (AOT cache variants with $("$AOT_JAVA" -version 2>&1 | head -1))"
  fi
  for variant in $variants; do
    for i in 1 2 3; do
      t0=$(date +%s%N)
      case $variant in
        plain) start_hexgate ;;
        appcds) JAVA_OPTS="-XX:SharedArchiveFile=app-cds.jsa ${JAVA_OPTS:-}" in_app_dir start_hexgate ;;
        jdk-plain) JAVA=$AOT_JAVA in_app_dir start_hexgate ;;
        jdk-aot) JAVA=$AOT_JAVA JAVA_OPTS="-XX:AOTCache=$WORK/app.aot ${JAVA_OPTS:-}" in_app_dir start_hexgate ;;
      esac
      first_proxied
      t1=$(date +%s%N)
      awk -v v=$variant -v ms=$(((t1 - t0) / 1000000)) -v q="$(grep -o 'started in [0-9.]*s' "$WORK/hexgate.log")" \
        'BEGIN { printf "%-9s run: %d ms to the first proxied 200 (Quarkus: %s)\n", v, ms, q }'
      kill "$HEXGATE_PID"; wait "$HEXGATE_PID" 2>/dev/null || true; HEXGATE_PID=
    done
  done
fi
