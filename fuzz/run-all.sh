#!/bin/sh
# run-all.sh - CI entry point: replay every target's seed corpus and
# regressions, then fuzz each target for SECONDS (default 30) in turn.
#
#   fuzz/run-all.sh [SECONDS]
#
# Configures and builds build-fuzz/ first (clang required). Exit status is
# non-zero when any target crashed; the crashing inputs stay under
# build-fuzz/work/<target>/ (see run.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${SSMPATCH_FUZZ_BUILD:-$root/build-fuzz}
secs=${1:-30}

# Configure every time (cheap): a tree left half-configured by a failed run is repaired.
if ! grep -q "^CMAKE_PROJECT_NAME" "$build/CMakeCache.txt" 2>/dev/null; then
	rm -rf "$build"
fi
CC=${CC:-clang} cmake -S "$root" -B "$build" -DSSMPATCH_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 >/dev/null

targets="fuzz_msgpack fuzz_json fuzz_type_json fuzz_schema_validate fuzz_schema_checks fuzz_aws fuzz_rpc"
failed=""
for t in $targets; do
	echo "== $t: replay"
	if ! SSMPATCH_FUZZ_BUILD=$build "$here/run.sh" --replay "$t" >"$build/$t.replay.log" 2>&1; then
		tail -40 "$build/$t.replay.log"
		failed="$failed $t"
		continue
	fi
	echo "== $t: fuzz ${secs}s"
	if ! SSMPATCH_FUZZ_BUILD=$build "$here/run.sh" "$t" "$secs" >"$build/$t.fuzz.log" 2>&1; then
		tail -60 "$build/$t.fuzz.log"
		failed="$failed $t"
		continue
	fi
	grep -E "^stat::number_of_executed_units|DONE" "$build/$t.fuzz.log" | tail -2
done
if [ -n "$failed" ]; then
	echo "FAILED:$failed" >&2
	exit 1
fi
echo "all fuzz targets passed"
