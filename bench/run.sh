#!/usr/bin/env bash
# bench/run.sh - build the provider and run the benchmarks (bench/README.md):
# bench.py, then the fleet benchmark fleet.py (a real terraform, ~20 min).
#
#   bench/run.sh [bench.py options]        e.g. --runs 40, --skip callgrind
#
# Builds build/ (the default configuration: SSMPATCH_STATIC=ON) unless
# SSMPATCH_BUILD_DIR names an existing build to use instead, and — unless
# SSMPATCH_BENCH_COMPARE=0 — the provider in the other link mode
# (build-bench-dynamic/ or build-bench-static/) so the start-up table shows
# both. Results: a table on stdout, bench/results/latest.json.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

configure_and_build() { # DIR [cmake args...]
  local dir=$1; shift
  echo "== build: $dir $*" >&2
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j"$jobs" --target terraform-provider-ssmpatch >/dev/null
}

if [ -n "${SSMPATCH_BUILD_DIR:-}" ]; then
  build=$(cd "$SSMPATCH_BUILD_DIR" && pwd)
else
  build=$root/build
  configure_and_build "$build"
fi
provider=$build/terraform-provider-ssmpatch
[ -x "$provider" ] || { echo "error: $provider not built" >&2; exit 1; }

args=(--provider "$provider")
if [ "${SSMPATCH_BENCH_COMPARE:-1}" = 1 ]; then
  if grep -q '^SSMPATCH_STATIC:BOOL=OFF' "$build/CMakeCache.txt" 2>/dev/null; then
    other=ON; odir=$root/build-bench-static
  else
    other=OFF; odir=$root/build-bench-dynamic
  fi
  configure_and_build "$odir" -DSSMPATCH_STATIC=$other
  args+=(--compare "$odir/terraform-provider-ssmpatch")
fi
/usr/bin/python3 "$root/bench/bench.py" "${args[@]}" "$@"
# The fleet benchmark (bench/fleet.py) needs a real terraform; it says so and
# stops when there is none. SSMPATCH_BENCH_FLEET=0 leaves it out.
if [ "${SSMPATCH_BENCH_FLEET:-1}" = 1 ]; then
  /usr/bin/python3 "$root/bench/fleet.py" --provider "$provider" || echo "fleet benchmark failed" >&2
fi
