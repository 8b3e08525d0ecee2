#!/usr/bin/env bash
# check-format.sh - every C file (*.c, *.h) is as clang-format 14 formats it
# with the checked-in .clang-format (style.md item 9). A dry run: nothing is
# changed.
#
#   scripts/check-format.sh            every C file of the repository
#   scripts/check-format.sh FILE...    just these
#
# Prints clang-format's complaints and the files to reformat, exits 1 if there
# is one (fix: clang-format-14 -i FILE). Exit 2: no clang-format 14. Only
# version 14 (Debian 12's) is accepted: other versions format differently.
set -euo pipefail
files=()
for f in "$@"; do files+=("$(realpath "$f")"); done
cd "$(dirname "$0")/.."

CF=${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}
if [ -z "$CF" ] || ! "$CF" --version | grep -q "version 14\."; then
  echo "check-format: clang-format 14 not found (apt-get install clang-format-14, or set CLANG_FORMAT)" >&2
  exit 2
fi
if [ ${#files[@]} -eq 0 ]; then
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h')
  else
    mapfile -t files < <(find . -path ./build\* -prune -o -type f -name '*.[ch]' -print)
  fi
fi

# One clang-format run for all files; its complaints name file:line:col.
if out=$("$CF" --style=file --dry-run --Werror "${files[@]}" 2>&1); then
  echo "check-format: ${#files[@]} files formatted"
  exit 0
fi
printf '%s\n' "$out" | head -n 40
mapfile -t bad < <(printf '%s\n' "$out" | sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' | sort -u)
[ ${#bad[@]} -gt 0 ] || bad=("(see clang-format's output above)")
echo "check-format: ${#bad[@]} file(s) not formatted; run: $(basename "$CF") -i ${bad[*]}"
exit 1
