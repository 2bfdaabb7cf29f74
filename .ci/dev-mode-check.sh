#!/usr/bin/env bash
# The README's run command, tried as a new user would: dev mode starts, prints a generated key, and that key works.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=$(mktemp -d)
log=target/dev-mode-check.log
# Its own session, so that Maven and the application JVM it forks are stopped together.
HEXGATE_STORE_FILE_DIR="$DIR" setsid ./mvnw -B quarkus:dev -Dquarkus.console.enabled=false -Dquarkus.http.port=18180 -Dquarkus.management.port=18190 \
  >"$log" 2>&1 &
dev=$!
trap 'kill -- -$dev 2>/dev/null || true; sleep 2; kill -9 -- -$dev 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 120); do grep -qE "Listening on|BUILD FAILURE|Failed to start" "$log" && break; sleep 1; done
grep -q "Listening on" "$log" || { tail -40 "$log"; echo "dev mode did not start"; exit 1; }
key=$(grep -o "Bearer hexgate_dev_[0-9a-f]*" "$log" | head -1 | cut -d' ' -f2)
[ -n "$key" ] || { echo "dev mode printed no generated key"; exit 1; }
curl -fsS -o /dev/null "http://localhost:18190/q/health/live"
curl -fsS -o /dev/null -H "Authorization: Bearer $key" "http://localhost:18180/connections"
echo "== dev mode: started, printed a key, the key works"
