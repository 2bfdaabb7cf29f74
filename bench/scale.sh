#!/usr/bin/env bash
# hexgate scale benchmark: does listing cost the same at 1,000 connections as at 100,000?
# For each store (the file store, and a real OpenBao dev server), one gateway process is filled step by step to each N
# (HEXGATE_VERIFY_ON_LINK=false, 16 parallel links, end users u-0..u-99, so every end user has N/100 connections), and
# at each N it measures, with keep-alive:
#   GET /connections?endUserId=u-7&limit=10    (how a backend finds a user's connections)
#   GET /connections?limit=100&page=0          (the first page)
#   GET /connections?limit=100&page=<last>     (the deepest page: N/100 - 1)
#   a cold proxied request (a connection not in the token cache), and the gateway's RSS after a full GC.
# Beside each list call's p50 it prints how much of a call the store's own LISTs took on average (from the gateway's
# hexgate_store_operations_seconds{op="list"}): a KV v2 server decrypts every key name of a folder for each LIST, whatever
# its limit, so that part grows with the folder on any Vault or OpenBao; the rest is the gateway's and its reads.
# Then it prints the growth factor from the smallest to the largest N, of the whole call and of the part that is not LIST.
# Usage: bench/scale.sh [file|vault|both] [N ...]     (default: both 1000 10000 100000)
# Env: RUNS (timed calls per measurement, default 50), JAVA_OPTS (extra JVM flags), DATA_DIR (parent of the file store,
#      default a temporary directory under /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
STORES=${1:-both}
shift || true
SIZES=("${@:-1000 10000 100000}")
read -r -a SIZES <<<"${SIZES[*]}"
RUNS=${RUNS:-50}
WORK=$(mktemp -d "${DATA_DIR:-/tmp}/hexgate-scale.XXXXXX")
HEXGATE=19013
HEXGATE_MGMT=19014
UPSTREAM=19011
BAO_PORT=19020   # its cluster listener takes the next port too
KEY=bench-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
BASE=http://127.0.0.1:$HEXGATE
CLIENT=bench/scale_client.py

[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
OPENBAO_VERSION=$(sed -n 's:.*<openbao.version>\(.*\)</openbao.version>.*:\1:p' pom.xml)
BAO=$HOME/.cache/hexgate/openbao-$OPENBAO_VERSION/bao
[ -x "$BAO" ] || bash src/test/scripts/install-openbao.sh "$OPENBAO_VERSION" "$HOME/.cache/hexgate/openbao-$OPENBAO_VERSION"

cleanup() {
  for pid in ${HEXGATE_PID:-} ${BAO_PID:-} ${UPSTREAM_PID:-}; do kill "$pid" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# A fake Hex for the proxied request: any GET answers a small JSON body.
python3 - "$UPSTREAM" >"$WORK/upstream.log" 2>&1 <<'PY' &
import http.server, sys
class Hex(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = b'{"values":[],"pagination":{"after":null,"before":null}}'
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hex).serve_forever()
PY
UPSTREAM_PID=$!

wait_for() { for _ in $(seq 1 300); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done; echo "not ready: $1"; exit 1; }
list_ms() { curl -fs "http://127.0.0.1:$HEXGATE_MGMT/q/metrics" | awk '/^hexgate_store_operations_seconds_sum\{.*op="list"/ {s+=$2} END {printf "%.3f", s*1000}'; }
# "p50 p95 LIST-ms-per-call" of a list call (the client makes 3 unmeasured calls, then <runs>).
timed() { # <path> <runs>
  local before after times
  before=$(list_ms)
  times=$(python3 "$CLIENT" time "$BASE" "$KEY" "$1" "$2")
  after=$(list_ms)
  echo "$times $(awk -v a="$after" -v b="$before" -v n="$(($2 + 3))" 'BEGIN {printf "%.2f", (a - b) / n}')"
}
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$HEXGATE_PID/status"; }

start_gateway() { # <store> [env...]
  local store=$1; shift
  env HEXGATE_API_KEYS="$KEY" HEXGATE_PUBLIC_URL=http://bench.invalid HEXGATE_STORE="$store" HEXGATE_VERIFY_ON_LINK=false HEXGATE_UPSTREAM_SCHEME=http \
    HEXGATE_UPSTREAM_CONNECT_TO=127.0.0.1:$UPSTREAM QUARKUS_HTTP_PORT=$HEXGATE QUARKUS_MANAGEMENT_PORT=$HEXGATE_MGMT HEXGATE_TOKEN_CACHE_TTL=1s QUARKUS_LOG_LEVEL=WARN "$@" \
    java -Dquarkus.vertx.event-loops-pool-size="$(nproc)" ${JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar \
    >"$WORK/hexgate-$store.log" 2>&1 &
  HEXGATE_PID=$!
  wait_for "http://127.0.0.1:$HEXGATE_MGMT/q/health/ready"
}

measure_store() { # <store>
  local store=$1 linked=0 n
  local -a rows=()
  for n in "${SIZES[@]}"; do
    python3 "$CLIENT" link "$BASE" "$KEY" "$linked" "$n" | sed "s/^/   $store N=$n: /"
    linked=$n
    local by_user first deep cold last_page=$((n / 100 - 1))
    by_user=$(timed "/connections?endUserId=u-7&limit=10" "$RUNS")
    first=$(timed "/connections?limit=100&page=0" "$RUNS")
    deep=$(timed "/connections?limit=100&page=$last_page" "$((RUNS / 5 + 1))")
    # Cold: the token cache keeps a token 1 s here (HEXGATE_TOKEN_CACHE_TTL=1s), so after 2 s this is a store read too.
    sleep 2
    cold=$(python3 "$CLIENT" proxy "$BASE" "$KEY" "c-0000007" | awk '{print $2}')
    jcmd "$HEXGATE_PID" GC.run >/dev/null 2>&1 || true
    sleep 1
    rows+=("$(printf '%-6s %8d   by user p50 %7s p95 %7s LIST %6s   first page p50 %7s p95 %7s LIST %6s   page %5d p50 %8s p95 %8s LIST %6s   cold proxy %6s ms   RSS %5s MB' \
      "$store" "$n" ${by_user} ${first} "$last_page" ${deep} "$cold" "$(rss_mb)")")
    echo "   ${rows[-1]}"
  done
  RESULTS+=("${rows[@]}")
}

RESULTS=()
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(java -version 2>&1 | head -1); OpenBao $OPENBAO_VERSION; sizes ${SIZES[*]}; $RUNS calls per measurement"

if [ "$STORES" = file ] || [ "$STORES" = both ]; then
  echo "== file store in $WORK/data"
  start_gateway file HEXGATE_STORE_FILE_DIR="$WORK/data"
  measure_store file
  kill "$HEXGATE_PID"; wait "$HEXGATE_PID" 2>/dev/null || true; HEXGATE_PID=
fi

if [ "$STORES" = vault ] || [ "$STORES" = both ]; then
  ROOT=root-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  "$BAO" server -dev -dev-root-token-id="$ROOT" -dev-listen-address="127.0.0.1:$BAO_PORT" >"$WORK/bao.log" 2>&1 &
  BAO_PID=$!
  wait_for "http://127.0.0.1:$BAO_PORT/v1/sys/health"
  echo "== OpenBao $OPENBAO_VERSION dev server (in-memory storage), KV v2 at secret/"
  start_gateway vault QUARKUS_VAULT_URL="http://127.0.0.1:$BAO_PORT" QUARKUS_VAULT_AUTHENTICATION_CLIENT_TOKEN="$ROOT"
  measure_store vault
  kill "$HEXGATE_PID"; wait "$HEXGATE_PID" 2>/dev/null || true; HEXGATE_PID=
fi

echo "== results"
printf '%s\n' "${RESULTS[@]}"
echo "== growth from N=${SIZES[0]} to N=${SIZES[-1]} (largest / smallest; p50 for latencies)"
printf '%s\n' "${RESULTS[@]}" | awk -v small="${SIZES[0]}" -v large="${SIZES[-1]}" '
  { store=$1; n=$2; user[store,n]=$6; userl[store,n]=$10; first[store,n]=$14; firstl[store,n]=$18
    deep[store,n]=$22; deepl[store,n]=$26; cold[store,n]=$29; rss[store,n]=$32; seen[store]=1 }
  function x(a, b) { return b > 0 ? a / b : 0 }
  END { for (s in seen) {
    printf "%-6s by user x%.2f   first page x%.2f   deepest page x%.2f   cold proxy x%.2f   RSS x%.2f\n", s,
        x(user[s,large], user[s,small]), x(first[s,large], first[s,small]), x(deep[s,large], deep[s,small]),
        x(cold[s,large], cold[s,small]), x(rss[s,large], rss[s,small])
    printf "%-6s without the store'"'"'s LIST time: by user x%.2f   first page x%.2f   deepest page x%.2f\n", s,
        x(user[s,large] - userl[s,large], user[s,small] - userl[s,small]),
        x(first[s,large] - firstl[s,large], first[s,small] - firstl[s,small]),
        x(deep[s,large] - deepl[s,large], deep[s,small] - deepl[s,small]) } }'
