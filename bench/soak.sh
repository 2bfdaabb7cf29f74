#!/usr/bin/env bash
# hexgate soak: an hour of mixed load with faults, then a check that the gateway is as it was and nothing was lost.
#   Upstream: nginx (as bench/proxy.sh) answering the fake Hex API from memory and files, plus a small Python server
#     behind it for uploads (it hashes what it received) and for connections reset mid-body.
#   Store: a real OpenBao 2.7 server on Raft storage (one node, not dev mode), so it can be killed and restarted without losing data.
#   Load: wrk, paced at RATE proxied GETs/s (default: half of what the gateway answers flat out here, measured first);
#     bench/soak_driver.py: a link, a replace and a delete every second; a connect session opened and submitted every
#     10 s; a 64 MiB download and a 20 MB upload every minute; two callers reading 8 MiB bodies at 100 KB/s without end.
#   Faults, every CYCLE seconds (first at CYCLE/2): OpenBao killed (SIGKILL) and started again 20 s later and unsealed;
#     then the upstream resetting every download mid-body for 60 s; then a burst of 429s on the proxied load for 20 s.
#   Every SAMPLE_EVERY seconds: RSS, heap after a full GC, open file descriptors, event-loop delay, upstream pool size
#     (established connections to the upstream port), the gateway's error counts.
#   At the end: requests by outcome, writes attempted and acknowledged vs found in OpenBao afterwards, errors outside the
#     fault windows, slopes of RSS and FDs over the last 40 minutes (or the last two thirds of a shorter run), and whether
#     any request or upstream connection was left open.
# Usage: bench/soak.sh        Env: DURATION (s, default 3600), CYCLE (s, default 600), RATE (req/s), SAMPLE_EVERY (s, 30),
#        KEEP=1 (keep the work directory). Needs root for apt-get (wrk, nginx-light) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-3600}
CYCLE=${CYCLE:-600}
SAMPLE_EVERY=${SAMPLE_EVERY:-30}
WORK=$(mktemp -d /tmp/hexgate-soak.XXXXXX)
UPSTREAM=19101
HELPER=19102
HEXGATE=19103
HEXGATE_MGMT=19104
BAO_PORT=19105   # and its cluster port, 19106
KEY=soak-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
TOKEN=hxtp_soakLoad$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')

. bench/common.sh
need wrk wrk
need nginx nginx-light
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
OPENBAO_VERSION=$(sed -n 's:.*<openbao.version>\(.*\)</openbao.version>.*:\1:p' pom.xml)
BAO=$HOME/.cache/hexgate/openbao-$OPENBAO_VERSION/bao
[ -x "$BAO" ] || bash src/test/scripts/install-openbao.sh "$OPENBAO_VERSION" "$HOME/.cache/hexgate/openbao-$OPENBAO_VERSION"

cleanup() {
  for pid in ${WRK_PID:-} ${DRIVER_PID:-} ${HEXGATE_PID:-} ${HELPER_PID:-}; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/bao.pid" ] && kill "$(cat "$WORK/bao.pid")" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  # The work directory holds OpenBao's unseal key and root token: it goes unless KEEP is set.
  [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# ---- upstream: nginx, and the Python helper behind it ----
truncate -s 64M "$WORK/big.bin"; truncate -s 8M "$WORK/mid.bin"
chmod 755 "$WORK"; chmod 644 "$WORK"/*.bin
{ nginx_head nginx; cat <<EOF
  client_max_body_size 64m;
  server {
    listen 127.0.0.1:$UPSTREAM;
    default_type application/json;
    # Faults are switched on and off by files the driver creates and removes.
    if (-f $WORK/fault-429) { rewrite ^/api/v1/projects\$ /fault-429 last; }
    if (-f $WORK/fault-reset) { rewrite ^/api/v1/(big|mid)\$ /fault-reset last; }
    location = /api/v1/users/me { return 200 '{"id":"u-1","email":"soak@example.com","org":{"id":"soak"},"token":{"exp":null}}'; }
    location = /api/v1/projects { return 200 '{"values":[{"id":"4f0c5d2e-0000-4000-8000-000000000001","title":"Revenue"}],"pagination":{"after":null,"before":null}}'; }
    location = /api/v1/big { alias $WORK/big.bin; default_type application/octet-stream; }
    location = /api/v1/mid { alias $WORK/mid.bin; default_type application/octet-stream; }
    location = /api/v1/upload { proxy_pass http://127.0.0.1:$HELPER/upload; proxy_request_buffering off; proxy_http_version 1.1; }
    location = /fault-reset { proxy_pass http://127.0.0.1:$HELPER/reset; proxy_buffering off; proxy_http_version 1.1; }
    location = /fault-429 { add_header Retry-After 1 always; return 429 '{"reason":"rate limited"}'; }
  }
}
EOF
} >"$WORK/nginx.conf"
python3 - "$HELPER" >"$WORK/helper.log" 2>&1 <<'PY' &
import hashlib, http.server, json, socket, struct, sys
class Helper(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):  # /upload: reads the whole body, answers its size and SHA-256
        digest, left = hashlib.sha256(), int(self.headers.get("Content-Length", "0"))
        size = left
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            digest.update(chunk); left -= len(chunk)
        body = json.dumps({"bytes": size - left, "sha256": digest.hexdigest()}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_GET(self):  # /reset: promises 64 MiB, sends 1 MiB, then resets the connection
        self.send_response(200); self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(64 << 20)); self.end_headers()
        self.wfile.write(b"\0" * (1 << 20)); self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close(); self.close_connection = True
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Helper).serve_forever()
PY
HELPER_PID=$!
nginx -c "$WORK/nginx.conf" -p "$WORK"

# ---- OpenBao on Raft storage (one node; 2.7 has no file storage): initialised, unsealed, KV v2 at secret/ ----
mkdir -p "$WORK/bao-data"
cat >"$WORK/bao.hcl" <<EOF
storage "raft" {
  path = "$WORK/bao-data"
  node_id = "soak"
}
listener "tcp" {
  address = "127.0.0.1:$BAO_PORT"
  cluster_address = "127.0.0.1:$((BAO_PORT + 1))"
  tls_disable = true
}
api_addr = "http://127.0.0.1:$BAO_PORT"
cluster_addr = "http://127.0.0.1:$((BAO_PORT + 1))"
EOF
export BAO_ADDR=http://127.0.0.1:$BAO_PORT
start_bao() {
  "$BAO" server -config="$WORK/bao.hcl" >>"$WORK/bao.log" 2>&1 &
  echo $! >"$WORK/bao.pid"
  for _ in $(seq 1 100); do curl -s -o /dev/null "$BAO_ADDR/v1/sys/health" && break; sleep 0.1; done
}
start_bao
"$BAO" operator init -key-shares=1 -key-threshold=1 -format=json >"$WORK/bao-init.json"
chmod 600 "$WORK/bao-init.json"
UNSEAL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["unseal_keys_b64"][0])' "$WORK/bao-init.json")
ROOT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["root_token"])' "$WORK/bao-init.json")
"$BAO" operator unseal "$UNSEAL" >/dev/null
for _ in $(seq 1 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$BAO_ADDR/v1/sys/health")" = 200 ] && break; sleep 0.1; done
BAO_TOKEN=$ROOT "$BAO" secrets enable -path=secret kv-v2 >/dev/null

# ---- hexgate ----
HEXGATE_API_KEYS=$KEY HEXGATE_PUBLIC_URL=http://127.0.0.1:$HEXGATE HEXGATE_STORE=vault HEXGATE_UPSTREAM_SCHEME=http \
  HEXGATE_UPSTREAM_CONNECT_TO=127.0.0.1:$UPSTREAM QUARKUS_HTTP_PORT=$HEXGATE QUARKUS_MANAGEMENT_PORT=$HEXGATE_MGMT \
  QUARKUS_VAULT_URL=$BAO_ADDR QUARKUS_VAULT_AUTHENTICATION_CLIENT_TOKEN=$ROOT HEXGATE_PROXY_MAX_BODY_SIZE=32M \
  java -Dquarkus.vertx.event-loops-pool-size="$(nproc)" ${JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar \
  >"$WORK/hexgate.log" 2>&1 &
HEXGATE_PID=$!
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$HEXGATE_MGMT/q/health/ready" && break; sleep 0.2; done
curl -fsS -o /dev/null -X POST "http://127.0.0.1:$HEXGATE/connections" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "{\"provider_config_key\":\"hex\",\"connection_id\":\"soak-load\",\"connection_config\":{\"subdomain\":\"app\"},\"credentials\":{\"type\":\"API_KEY\",\"apiKey\":\"$TOKEN\"}}"

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(java -version 2>&1 | head -1); $(nginx -v 2>&1); OpenBao $OPENBAO_VERSION (Raft storage)"
H=(-H "Authorization: Bearer $KEY" -H "Connection-Id: soak-load")
URL=http://127.0.0.1:$HEXGATE/proxy/v1/projects
if [ -z "${RATE:-}" ]; then
  wrk -t2 -c64 -d15s "${H[@]}" "$URL" >/dev/null   # warm-up
  max=$(wrk -t2 -c64 -d15s "${H[@]}" "$URL" | awk '/Requests\/sec/ {printf "%d", $2}')
  RATE=$((max / 2))
  echo "== flat out: $max req/s; the soak's proxied load: $RATE req/s"
fi

# ---- the load: wrk, paced, counting answers other than 200 per second of the clock ----
# wrk's delay() has whole-millisecond timers: each connection waits 3 ms between requests, and there are as many
# connections as that takes to reach RATE with about half a millisecond of latency per request.
DELAY_MS=3
CONNS=$(awk -v r="$RATE" -v d=$DELAY_MS 'BEGIN { c = int(r * (d + 0.5) / 1000 + 0.5); print (c < 2 ? 2 : c) }')
cat >"$WORK/paced.lua" <<EOF
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) failed = {} end
function delay() return $DELAY_MS end
function response(status, headers, body)
  if status ~= 200 then local t = os.time(); failed[t] = (failed[t] or 0) + 1 end
end
function done(summary, latency, requests)
  local out = io.open("$WORK/wrk-failed.tsv", "w")
  for _, thread in ipairs(threads) do
    for t, n in pairs(thread:get("failed")) do out:write(string.format("%d\t%d\n", t, n)) end
  end
  out:close()
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d %.3f %.3f %.3f\n", summary.requests, e.connect, e.read, e.write, e.timeout,
    e.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
EOF
echo "== soak: ${DURATION}s, $CONNS paced connections, faults every ${CYCLE}s, samples every ${SAMPLE_EVERY}s; work directory $WORK"
wrk -t2 -c$CONNS -d"${DURATION}s" --timeout 10s -s "$WORK/paced.lua" "${H[@]}" "$URL" >"$WORK/wrk.out" 2>&1 &
WRK_PID=$!
python3 bench/soak_driver.py --base "http://127.0.0.1:$HEXGATE" --mgmt "http://127.0.0.1:$HEXGATE_MGMT" --key "$KEY" \
  --pid "$HEXGATE_PID" --work "$WORK" --duration "$DURATION" --cycle "$CYCLE" --sample-every "$SAMPLE_EVERY" \
  --upstream-port "$UPSTREAM" --bao "$BAO" --bao-addr "$BAO_ADDR" --bao-token "$ROOT" --bao-unseal "$UNSEAL" \
  --bao-config "$WORK/bao.hcl" &
DRIVER_PID=$!
wait "$WRK_PID" || true
WRK_PID=
wait "$DRIVER_PID"
DRIVER_PID=
