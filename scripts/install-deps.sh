#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, skipping those
# already present (used by tests/run-all.sh and scripts/quickstart.sh).
#   scripts/install-deps.sh          build + test packages
#   scripts/install-deps.sh build    only what building and the quickstart need
set -euo pipefail

BUILD_PACKAGES=(
  build-essential cmake pkg-config
  libgrpc-dev protobuf-c-compiler libprotobuf-c-dev libprotobuf-dev protobuf-compiler
  libcurl4-openssl-dev libssl-dev libmsgpack-dev libjansson-dev
  python3 python3-botocore
)
TEST_PACKAGES=(
  python3-grpcio python3-protobuf python3-msgpack python3-cryptography python3-pytest
  valgrind openssl clang libclang-rt-14-dev
  clang-format-14 cppcheck
)

packages=("${BUILD_PACKAGES[@]}")
[ "${1:-all}" = build ] || packages+=("${TEST_PACKAGES[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "== packages: all present"
  exit 0
fi
echo "== packages: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "error: need root to install: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
