#!/usr/bin/env bash
# Builds the JVM image from src/main/docker/Dockerfile.jvm without Docker (buildah, vfs storage, chroot isolation) on a
# Debian + JRE 17 base made by debootstrap (the UBI base is out of reach here), starts it configured only through
# environment variables, and checks /q/health/ready (management port) and one proxied request against the fake Hex.
# Needs: target/quarkus-app (./mvnw package) and compiled test classes (the fake Hex). Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

export STORAGE_DRIVER=vfs
CACHE=${HEXGATE_CI_CACHE:-/var/cache/hexgate-ci}   # kept between runs on the same machine
BASE=localhost/hexgate-ci-base:bookworm-jre17
IMAGE=localhost/hexgate:ci
PORT=18080
MGMT_PORT=18090
FAKE_HEX_PORT=18089
KEY=container-check-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
step() { echo "== container: $* ($(date +%T))"; }

if ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
  step "installing buildah and debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq buildah debootstrap >/dev/null
fi

# The Debian mirror this machine's apt already uses (deb822 .sources or a one-line sources.list), not a host written here.
debian_mirror() {
  local uri
  uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -1)
  [ -n "$uri" ] || uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -1)
  [ -n "$uri" ] || { echo "no Debian mirror found in /etc/apt/sources.list{,.d}" >&2; return 1; }
  echo "$uri"
}

if ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  mkdir -p "$CACHE"
  if [ ! -f "$CACHE/rootfs.tar" ]; then
    step "debootstrap of a Debian bookworm root with openjdk-17-jre-headless"
    rm -rf "$CACHE/rootfs"
    mirror=$(debian_mirror)
    step "debootstrap from $mirror"
    debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$CACHE/rootfs" \
      "$mirror" >"$CACHE/debootstrap.log" 2>&1 || { tail -20 "$CACHE/debootstrap.log"; exit 1; }
    rm -rf "$CACHE/rootfs/var/cache/apt/archives/"*.deb "$CACHE/rootfs/usr/share/doc" "$CACHE/rootfs/usr/share/man"
    tar -C "$CACHE/rootfs" -cf "$CACHE/rootfs.tar" .
    rm -rf "$CACHE/rootfs"
  fi
  step "base image from the cached root file system"
  ctr=$(buildah from scratch)
  buildah add "$ctr" "$CACHE/rootfs.tar" / >/dev/null
  buildah config --env JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 \
    --env PATH=/usr/lib/jvm/java-17-openjdk-amd64/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
  buildah commit -q "$ctr" "$BASE" >/dev/null
  buildah rm "$ctr" >/dev/null
fi

step "building $IMAGE from src/main/docker/Dockerfile.jvm (FROM overridden to $BASE)"
buildah bud -q --isolation chroot --pull-never --build-arg BASE_IMAGE="$BASE" \
  -f src/main/docker/Dockerfile.jvm -t "$IMAGE" . >/dev/null
buildah images --format '{{.Name}}:{{.Tag}} {{.Size}}' "$IMAGE"
user=$(buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$IMAGE")
echo "== container: runs as user '$user'"
[ -n "$user" ] && [ "$user" != "0" ] && [ "$user" != "root" ]

cleanup() {
  [ -n "${app:-}" ] && kill "$app" 2>/dev/null || true
  [ -n "${fake:-}" ] && kill "$fake" 2>/dev/null || true
  pkill -f "hexgate-container-check" 2>/dev/null || true
  [ -n "${run:-}" ] && buildah rm "$run" >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "starting the fake Hex on 127.0.0.1:$FAKE_HEX_PORT"
./mvnw -B -q -o exec:java@fake-hex -Dfake-hex.port=$FAKE_HEX_PORT >target/container-fake-hex.log 2>&1 &
fake=$!

step "starting the image, configured only through environment variables"
run=$(buildah from "$IMAGE")
# The UBI image's run-java.sh is not in the Debian base; the command below is what it would run.
buildah run --isolation chroot \
  --env HEXGATE_API_KEYS="$KEY" \
  --env HEXGATE_PUBLIC_URL=http://container-check.invalid \
  --env HEXGATE_STORE=file \
  --env HEXGATE_STORE_FILE_DIR=/deployments/hexgate-data \
  --env HEXGATE_UPSTREAM_SCHEME=http \
  --env HEXGATE_UPSTREAM_CONNECT_TO=127.0.0.1:$FAKE_HEX_PORT \
  --env QUARKUS_HTTP_PORT=$PORT \
  --env QUARKUS_MANAGEMENT_PORT=$MGMT_PORT \
  --env QUARKUS_LOG_CONSOLE_JSON_ENABLED=true \
  "$run" -- java -Dhexgate-container-check=1 -jar /deployments/quarkus-run.jar >target/container-app.log 2>&1 &
app=$!

for i in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$MGMT_PORT/q/health/ready" >/dev/null 2>&1 && grep -q "personal token" target/container-fake-hex.log && break
  sleep 1
done
step "readiness"
curl -fsS "http://127.0.0.1:$MGMT_PORT/q/health/ready"; echo
TOKEN=$(grep -o 'hxtp_[A-Za-z0-9]*' target/container-fake-hex.log | head -1)

step "link a connection and proxy one request"
curl -fsS -o /dev/null -w "link: %{http_code}\n" -X POST "http://127.0.0.1:$PORT/connections" \
  -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "{\"provider_config_key\":\"hex\",\"connection_id\":\"container\",\"connection_config\":{\"subdomain\":\"app\"},\"credentials\":{\"type\":\"API_KEY\",\"apiKey\":\"$TOKEN\"}}"
body=$(curl -fsS "http://127.0.0.1:$PORT/proxy/v1/projects" -H "Authorization: Bearer $KEY" -H 'Connection-Id: container')
echo "proxied: $body"
echo "$body" | grep -q '"title":"Revenue"'
grep -q '"loggerName"' target/container-app.log && echo "== container: logs are JSON (QUARKUS_LOG_CONSOLE_JSON_ENABLED=true)"
if grep -q "$TOKEN\|$KEY" target/container-app.log; then echo "a secret reached the container log"; exit 1; fi
step "passed"
