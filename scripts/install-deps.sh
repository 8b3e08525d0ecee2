#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, skipping those
# already present (used by tests/run-all.sh and scripts/quickstart.sh).
#   scripts/install-deps.sh              build + test packages
#   scripts/install-deps.sh build        only what building and the quickstart need
#   scripts/install-deps.sh arm64        build + the linux_arm64 cross build: the
#                                        aarch64 cross compiler, the :arm64 -dev
#                                        packages (multiarch) and qemu-user-static
#                                        to run its tests (cmake/toolchain-linux-arm64.cmake)
#   scripts/install-deps.sh test arm64   sets combine
set -euo pipefail

BUILD_PACKAGES=(
  build-essential cmake pkg-config
  libgrpc-dev protobuf-c-compiler libprotobuf-c-dev libprotobuf-dev protobuf-compiler
  libcurl4-openssl-dev libssl-dev libmsgpack-dev libjansson-dev
  python3 python3-botocore tzdata
)
TEST_PACKAGES=(
  python3-grpcio python3-protobuf python3-msgpack python3-cryptography python3-pytest
  valgrind openssl clang libclang-rt-14-dev gnupg
  clang-format-14 cppcheck
)
# The same libraries as BUILD_PACKAGES for aarch64 (Multi-Arch: same, installed
# side by side with the amd64 ones), the cross compiler with its static C++
# runtime, and the user-mode emulator ctest and the handshake test run under.
ARM64_PACKAGES=(
  gcc-aarch64-linux-gnu libstdc++-12-dev-arm64-cross qemu-user-static
  libgrpc-dev:arm64 libprotobuf-c-dev:arm64 libcurl4-openssl-dev:arm64 libssl-dev:arm64
  libmsgpack-dev:arm64 libjansson-dev:arm64
)

sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(build test)
packages=("${BUILD_PACKAGES[@]}")
want_arm64=0
for s in "${sets[@]}"; do
  case $s in
  build | all) ;;
  test) packages+=("${TEST_PACKAGES[@]}") ;;
  arm64) packages+=("${ARM64_PACKAGES[@]}"); want_arm64=1 ;;
  *) echo "usage: install-deps.sh [build] [test] [arm64]" >&2; exit 2 ;;
  esac
done
[ "${sets[*]}" != all ] || packages+=("${TEST_PACKAGES[@]}")

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
  hint="apt-get install ${missing[*]}"
  [ $want_arm64 = 0 ] || hint="dpkg --add-architecture arm64 && apt-get update && $hint"
  echo "error: need root to install: $hint" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ $want_arm64 = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
