#!/bin/sh
# run.sh - run one libFuzzer target, or replay its corpus and regressions.
#
#   fuzz/run.sh TARGET SECONDS     fuzz for SECONDS (new inputs go to a scratch
#                                  corpus under $SSMPATCH_FUZZ_WORK, default
#                                  build-fuzz/work/TARGET; the committed seed
#                                  corpus fuzz/corpus/TARGET is read, not written)
#   fuzz/run.sh --replay TARGET    run every file of fuzz/corpus/TARGET and
#                                  fuzz/regressions/TARGET once (no fuzzing);
#                                  fails when any input crashes (ctest uses this)
#
# TARGET is a fuzz_* name (fuzz_msgpack, fuzz_json, fuzz_type_json,
# fuzz_schema_validate, fuzz_schema_checks, fuzz_aws, fuzz_rpc); "fuzz_" may be omitted.
# The targets are built by: CC=clang cmake -S . -B build-fuzz -DSSMPATCH_FUZZ=ON
# && cmake --build build-fuzz -j2 (SSMPATCH_FUZZ_BUILD overrides build-fuzz).
# A crash leaves its input in the work directory (crash-*, leak-*, timeout-*);
# copy it to fuzz/regressions/TARGET/ once the bug is fixed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${SSMPATCH_FUZZ_BUILD:-$root/build-fuzz}

replay=0
if [ "${1:-}" = "--replay" ]; then
	replay=1
	shift
fi
[ $# -ge 1 ] || { echo "usage: $0 TARGET SECONDS | $0 --replay TARGET" >&2; exit 2; }
target=$1
case $target in fuzz_*) ;; *) target=fuzz_$target ;; esac
exe=$build/$target
[ -x "$exe" ] || { echo "$exe not built: CC=clang cmake -S . -B build-fuzz -DSSMPATCH_FUZZ=ON && cmake --build build-fuzz" >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TF_LOG=OFF

# -rss_limit_mb: types are interned for the process's life (value.h), so a long
# run of fuzz_type_json/fuzz_msgpack legitimately grows.
opts="-rss_limit_mb=4096 -timeout=20 -max_len=65536"

if [ $replay -eq 1 ]; then
	set --
	for d in "$here/corpus/$target" "$here/regressions/$target"; do
		[ -d "$d" ] || continue
		for f in "$d"/*; do
			[ -f "$f" ] && set -- "$@" "$f"
		done
	done
	[ $# -gt 0 ] || { echo "$target: nothing to replay"; exit 0; }
	# Without -runs, libFuzzer runs each file given on the command line once.
	exec "$exe" $opts "$@"
fi

[ $# -ge 2 ] || { echo "usage: $0 TARGET SECONDS" >&2; exit 2; }
secs=$2
work=${SSMPATCH_FUZZ_WORK:-$build/work}/$target
mkdir -p "$work/corpus"
dict=""
[ -f "$here/dict/$target.dict" ] && dict="-dict=$here/dict/$target.dict"
cd "$work"
# First corpus dir is written to (scratch); the seed corpus and the regressions are read.
set -- "$work/corpus" "$here/corpus/$target"
[ -d "$here/regressions/$target" ] && set -- "$@" "$here/regressions/$target"
exec "$exe" $opts $dict -max_total_time="$secs" -print_final_stats=1 \
	-artifact_prefix="$work/" "$@"
