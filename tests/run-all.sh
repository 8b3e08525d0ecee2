#!/usr/bin/env bash
# The project's one test command (README "Testing"; .ci/run calls exactly this).
#
# On a fresh Debian 12 machine, as root, it installs what the build and the tests
# need from Debian's packages, runs the static checks (scripts/check-*.sh:
# clang-format, banned functions, cppcheck; seconds), builds the provider with
# -Wall -Wextra -Werror,
# runs the unit tests (ctest) and the Python protocol, emulator, AWS and
# end-to-end tests (pytest; the tests start and stop the local SSM emulator
# themselves), then does it all again in an ASan+UBSan build, and fuzzes every
# libFuzzer target for a bounded time.
#
# Environment:
#   SSMPATCH_SKIP_INSTALL=1   do not call apt-get (packages already there)
#   SSMPATCH_SKIP_SANITIZE=1  skip the ASan+UBSan pass
#   SSMPATCH_SKIP_FUZZ=1      skip the bounded fuzzing pass (SSMPATCH_FUZZ_SECONDS, default 30)
#   SSMPATCH_SKIP_ARM64=1     skip the linux_arm64 cross build (build-arm64) that tests/dist
#                             checks under qemu-user-static (ELF, handshake, unit tests)
#   SSMPATCH_TEST_ENDPOINT    run the acceptance tests against another SSM endpoint
#                             (see tests/README.md) instead of the local emulator
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Debian's python3 has grpcio/msgpack/botocore; a python3 earlier on PATH may not.
PY=/usr/bin/python3

build() { # build DIR [cmake args...]
  local dir=$1; shift
  echo "== build: $dir $*"
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j"$(nproc)"
}

run_tests() { # run_tests BUILD_DIR LABEL
  local dir=$1 label=$2
  echo "== unit tests ($label)"
  (cd "$dir" && ctest --output-on-failure -j"$(nproc)")
  echo "== protocol, emulator, AWS and end-to-end tests ($label)"
  SSMPATCH_PROVIDER="$dir/terraform-provider-ssmpatch" SSMPATCH_BUILD_DIR="$dir" \
    "$PY" -m pytest -q -p no:cacheprovider "$root/tests"
}

[ "${SSMPATCH_SKIP_INSTALL:-0}" = 1 ] || "$root/scripts/install-deps.sh"

echo "== static checks"
"$root/scripts/check-format.sh"
"$root/scripts/check-banned.sh"
"$root/scripts/check-cppcheck.sh"

build "$root/build"
if [ "${SSMPATCH_SKIP_ARM64:-0}" != 1 ]; then
  # linux_arm64, cross-compiled (cmake/toolchain-linux-arm64.cmake); tests/dist
  # (in the pytest run below) checks it under qemu and releases it with amd64.
  [ "${SSMPATCH_SKIP_INSTALL:-0}" = 1 ] || "$root/scripts/install-deps.sh" arm64
  build "$root/build-arm64" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-linux-arm64.cmake"
fi
run_tests "$root/build" "release build"

if [ "${SSMPATCH_SKIP_SANITIZE:-0}" != 1 ]; then
  build "$root/build-asan" -DSSMPATCH_SANITIZE=ON
  # LeakSanitizer does not work under ptrace-restricted sandboxes; ASan still runs.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  # The client matrix (tests/harness/tfcli.py) already ran above: primary terraform only here.
  SSMPATCH_SANITIZER_BUILD=1 SSMPATCH_TF_CLIENTS=${SSMPATCH_TF_CLIENTS:-terraform} \
    run_tests "$root/build-asan" "ASan+UBSan build"
fi
if [ "${SSMPATCH_SKIP_FUZZ:-0}" != 1 ]; then
  # Every libFuzzer target (fuzz/): replay of the seed corpus and regressions,
  # then a bounded run each, with ASan+UBSan.
  echo "== fuzzing (${SSMPATCH_FUZZ_SECONDS:-30} s per target)"
  "$root/fuzz/run-all.sh" "${SSMPATCH_FUZZ_SECONDS:-30}"
fi
echo "== all tests passed"
