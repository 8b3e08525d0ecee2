#!/usr/bin/env bash
# check-cppcheck.sh - cppcheck finds nothing in provider/ and schema/
# (style.md item 9).
#
#   scripts/check-cppcheck.sh            provider/ and schema/
#   scripts/check-cppcheck.sh PATH...    just these files or directories
#
# Prints each finding as FILE:LINE:COL: severity: message [id] and exits 1 if
# there is one. Exit 2: no cppcheck. A finding that is wrong is suppressed
# where it is, with the reason, on the line before it:
#     /* cppcheck-suppress <id> ; <why this is fine> */
#
# The configuration, and why:
#   --std=c11 --library=posix     the provider is C11 on POSIX (pthreads, sockets)
#   --library=scripts/cppcheck/jansson.cfg
#                                 jansson's json_*_foreach macros; without them
#                                 cppcheck stops at the first one (unknownMacro)
#   --enable=warning,style,performance,portability
#                                 everything but "information" (include lookups)
#   --suppress=variableScope      the project declares a function's variables at
#                                 its top (style.md's libgit2 convention);
#                                 "scope can be reduced" asks for the opposite
#   -I provider -I schema -I BUILD/proto -I BUILD/generated
#                                 our headers, and the generated protobuf-c
#                                 headers: without them the message structs are
#                                 unknown and their initializers read as unused.
#                                 BUILD is $SSMPATCH_BUILD_DIR or build/; the
#                                 protobuf-c headers are generated there
#                                 (cmake target ssmpatch_proto_gen) when missing.
#                                 System headers are not read (slow, noisy).
set -euo pipefail
paths=()
for f in "$@"; do paths+=("$(realpath "$f")"); done
cd "$(dirname "$0")/.."
root=$(pwd)
[ ${#paths[@]} -gt 0 ] || paths=(provider schema)

if ! command -v cppcheck >/dev/null; then
  echo "check-cppcheck: cppcheck not found (apt-get install cppcheck)" >&2
  exit 2
fi
build=$(realpath -m "${SSMPATCH_BUILD_DIR:-build}")
if ! ls "$build"/proto/*.pb-c.h >/dev/null 2>&1; then
  echo "check-cppcheck: generating the protobuf-c headers in $build"
  cmake -S "$root" -B "$build" >/dev/null
  cmake --build "$build" --target ssmpatch_proto_gen >/dev/null
fi

out=$(cppcheck --std=c11 --library=posix --library="$root/scripts/cppcheck/jansson.cfg" \
  --enable=warning,style,performance,portability --suppress=variableScope --inline-suppr \
  --error-exitcode=1 --quiet -j "$(nproc)" \
  --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
  -I "$root/provider" -I "$root/schema" -I "$build/proto" -I "$build/generated" \
  "${paths[@]}" 2>&1) && rc=0 || rc=$?
findings=$(printf '%s\n' "$out" | grep -cE '^[^ ]+:[0-9]+:[0-9]+: [a-z]+: ' || true)
if [ "$rc" -ne 0 ] || [ "$findings" -gt 0 ]; then
  printf '%s\n' "$out"
  echo "check-cppcheck: $findings finding(s)"
  exit 1
fi
echo "check-cppcheck: no finding in ${paths[*]}"
