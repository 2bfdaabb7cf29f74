#!/usr/bin/env bash
# Installs schemathesis (PyPI) for SchemathesisIT, once per machine: a Python virtual environment in a cache folder with
# the pinned version. Called by the build (pom.xml, generate-test-resources); reused when that version answers there.
# An interrupted install does not answer, so it is simply made again.
# Usage: install-schemathesis.sh <version> <cache dir>      Needs: python3 with venv and pip, and PyPI.
set -euo pipefail
version=$1
home=$2
if [ -x "$home/bin/st" ] && "$home/bin/st" --version 2>/dev/null | grep -q "version $version\$"; then
  exit 0
fi
echo "== installing schemathesis $version from PyPI into $home"
command -v python3 >/dev/null || { echo "python3 is needed for the tests (it installs schemathesis from PyPI)"; exit 1; }
rm -rf "$home"
python3 -m venv "$home"
"$home/bin/pip" install --disable-pip-version-check -q "schemathesis==$version"
"$home/bin/st" --version
