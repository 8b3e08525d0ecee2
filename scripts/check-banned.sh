#!/usr/bin/env bash
# check-banned.sh - no C file calls a banned function (style.md item 9; the
# list follows curl's scripts/checksrc.pl, narrowed to what matters here).
#
#   scripts/check-banned.sh            every C file of the repository
#   scripts/check-banned.sh FILE...    just these
#
# Prints FILE:LINE: name() and why for each call, exits 1 if there is one.
# Comments and string literals are ignored; a member or a longer name
# (s->sprintf, my_strcpy) is not a call of the banned function. A call that
# must stay says so on its line: /* check-banned: allow <reason> */.
set -euo pipefail
files=()
for f in "$@"; do files+=("$(realpath "$f")"); done
cd "$(dirname "$0")/.."

if [ ${#files[@]} -gt 0 ]; then
  :
elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' '*.inc')
else
  mapfile -t files < <(find . -path ./build\* -prune -o -type f \( -name '*.[ch]' -o -name '*.inc' \) -print)
fi

exec /usr/bin/python3 - "${files[@]}" <<'PY'
import re
import sys

BANNED = {
    # Unbounded writes: the size of the destination is never checked.
    # snprintf, or memcpy with a length you know, or core/buf.
    "gets": "unbounded read into a buffer; fgets or getline",
    "strcpy": "unbounded copy; snprintf or memcpy with a known length",
    "stpcpy": "unbounded copy; snprintf or memcpy with a known length",
    "strcat": "unbounded append; snprintf or a growable buffer",
    "sprintf": "unbounded format; snprintf",
    "vsprintf": "unbounded format; vsnprintf",
    # Bounded, but traps: strncpy leaves the result unterminated when it
    # truncates; strncat's bound is the room left, not the buffer's size.
    "strncpy": "no terminating NUL on truncation; snprintf",
    "strncat": "bound is the room left, not the buffer size; snprintf",
    # No error reporting: garbage, overflow and "0" all look alike.
    "atoi": "no error detection; strtol with an end pointer and errno",
    "atol": "no error detection; strtol with an end pointer and errno",
    "atoll": "no error detection; strtoll with an end pointer and errno",
    "atof": "no error detection; strtod with an end pointer and errno",
    # Hidden static state: the RPC worker threads would share it.
    "strtok": "static state, not thread-safe; strtok_r or an explicit parser",
    "gmtime": "static result, not thread-safe; gmtime_r",
    "localtime": "static result, not thread-safe; localtime_r",
    "asctime": "static result, not thread-safe; strftime",
    "ctime": "static result, not thread-safe; strftime",
    "tmpnam": "racy temporary name; mkstemp",
    "mktemp": "racy temporary name; mkstemp",
}
CALL = re.compile(r"(?<![\w.>])(%s)\s*\(" % "|".join(sorted(BANNED, key=len, reverse=True)))
# comments and literals, replaced by blanks (newlines kept, so lines still count)
NOISE = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)


def blank(m):
    return re.sub(r"[^\n]", " ", m.group(0))


found = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    lines = text.split("\n")
    code = NOISE.sub(blank, text).split("\n")
    for n, line in enumerate(code, 1):
        if "check-banned: allow" in lines[n - 1]:
            continue
        for m in CALL.finditer(line):
            found += 1
            print("%s:%d: %s() is banned: %s" % (path, n, m.group(1), BANNED[m.group(1)]))
            print("    %s" % lines[n - 1].strip())
if found:
    print("check-banned: %d call(s) of banned functions" % found)
    sys.exit(1)
print("check-banned: %d files, no banned function" % (len(sys.argv) - 1))
PY
