#!/usr/bin/env bash
# After Quarkus's native build steps (sources-only): checks that the reflection metadata handed to native-image holds the
# classes that are bound from JSON only by reflection on paths hexgate depends on. The JVM never needs this metadata, so
# no JVM test can see it missing; a native image would silently lose the data (e.g. Vault's error list: the readiness
# reason said "no active Vault node" for a sealed Vault).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=$(ls target/native-sources/*-runner.jar)
python3 - "$jar" <<'PY'
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = {e["name"] for e in json.loads(z.read("META-INF/native-image/reflect-config.json"))}
required = [
    "io.quarkus.vault.client.common.VaultErrorResponse",   # Vault's {"errors":[...]} (store/VaultErrors)
    "dev.hexgate.hex.HexIdentity",                          # Hex's /v1/users/me answer
]
missing = [n for n in required if n not in names]
if missing:
    sys.exit("not registered for reflection in the native image: " + ", ".join(missing))
print(f"== native reflection metadata: {len(names)} classes, including {', '.join(required)}")
PY
