#!/bin/sh
# coverage.sh - line coverage of the provider reached by a fuzz target's corpus.
#
#   fuzz/coverage.sh TARGET [CORPUS_DIR...]
#
# Needs a coverage build of the fuzz targets:
#   CC=clang cmake -S . -B build-cov -DSSMPATCH_FUZZ=ON \
#     -DCMAKE_C_FLAGS="-fprofile-instr-generate -fcoverage-mapping" \
#     -DCMAKE_EXE_LINKER_FLAGS="-fprofile-instr-generate"
#   cmake --build build-cov --target TARGET
# Runs every input of the seed corpus, the regressions and the given corpus
# directories (default: the scratch corpus of run.sh) once, then prints
# llvm-cov's per-file report of provider/ and schema/ sources.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cov=${SSMPATCH_COV_BUILD:-$root/build-cov}
target=$1
case $target in fuzz_*) ;; *) target=fuzz_$target ;; esac
shift
[ $# -gt 0 ] || set -- "${SSMPATCH_FUZZ_WORK:-$root/build-fuzz/work}/$target/corpus"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for d in "$here/corpus/$target" "$here/regressions/$target" "$@"; do
	[ -d "$d" ] || continue
	# -runs=0 on directories: libFuzzer executes each file once and stops.
	LLVM_PROFILE_FILE="$out/%p.profraw" TF_LOG=OFF "$cov/$target" -runs=0 "$d" >/dev/null 2>&1 || true
done
llvm-profdata merge -sparse "$out"/*.profraw -o "$out/all.profdata"
llvm-cov report "$cov/$target" -instr-profile="$out/all.profdata" \
	"$root/provider" "$root/schema" 2>/dev/null | sed "s|$root/||"
