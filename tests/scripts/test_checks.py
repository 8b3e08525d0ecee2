"""The static checks of scripts/ (style.md item 9), each shown to pass on
the tree and to fail on a file planted with the fault it looks for:

- check-format.sh: clang-format 14 with the checked-in .clang-format;
- check-banned.sh: calls of banned functions (comments and strings ignored);
- check-cppcheck.sh: cppcheck with the jansson configuration (it must read
  past json_array_foreach and still find the bug after it).

(tests/run-all.sh runs the checks over the whole tree before building; the
unknown unit-test name check is the ctest unit_only_unknown_name_fails.)
"""

import os
import shutil
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPTS = os.path.join(REPO, "scripts")


def check(name, *files):
    r = subprocess.run([os.path.join(SCRIPTS, name), *map(str, files)], capture_output=True, text=True,
                       timeout=600)
    if r.returncode == 2:
        pytest.skip("%s: tool missing: %s" % (name, r.stderr.strip()))
    return r.returncode, r.stdout + r.stderr


GOOD_C = """/* good.c - a formatted file with nothing to find */
#include <stdio.h>

int good(char *out, size_t len, const char *name)
{
\treturn snprintf(out, len, "%s", name);
}
"""


def test_format_passes_on_the_tree():
    rc, out = check("check-format.sh")
    assert rc == 0, out[-3000:]


def test_format_fails_on_a_misformatted_file(tmp_path):
    shutil.copy(os.path.join(REPO, ".clang-format"), tmp_path)
    (tmp_path / "good.c").write_text(GOOD_C)
    (tmp_path / "bad.c").write_text("int  bad( int x ){ if (x) return 1; return 0; }\n")
    rc, out = check("check-format.sh", tmp_path / "good.c")
    assert rc == 0, out
    rc, out = check("check-format.sh", tmp_path / "good.c", tmp_path / "bad.c")
    assert rc == 1, out
    assert "1 file(s) not formatted" in out and str(tmp_path / "bad.c") in out, out


def test_banned_passes_on_the_tree():
    rc, out = check("check-banned.sh")
    assert rc == 0, out[-3000:]


def test_banned_fails_on_each_banned_call(tmp_path):
    f = tmp_path / "calls.c"
    f.write_text("""/* sprintf( in a comment is no call, nor "strcpy(" in a string */
#include <stdlib.h>
#include <string.h>
int calls(char *d, const char *s, struct ops *o)
{
	const char *t = "strcat(d, s)";
	o->sprintf(d);      /* a member */
	my_strcpy(d, s);    /* a longer name */
	strcpy(d, s);
	return atoi (s) + (strtok(d, ",") != NULL) + (t != NULL);
}
int kept(char *d) { return sprintf(d, "x"); /* check-banned: allow a test of the escape */ }
""")
    rc, out = check("check-banned.sh", f)
    assert rc == 1, out
    found = sorted(ln.split(": ")[0].rsplit(":", 1)[1] + " " + ln.split(": ")[1].split("(")[0]
                   for ln in out.splitlines() if " is banned: " in ln)
    assert found == ["10 atoi", "10 strtok", "9 strcpy"], out
    assert "3 call(s) of banned functions" in out


def test_cppcheck_passes_a_clean_file(tmp_path):
    (tmp_path / "good.c").write_text(GOOD_C)
    rc, out = check("check-cppcheck.sh", tmp_path / "good.c")
    assert rc == 0, out


def test_cppcheck_reads_past_jansson_macros_and_finds_the_bug(tmp_path):
    f = tmp_path / "uses_jansson.c"
    f.write_text("""#include <jansson.h>
int last_index(json_t *arr)
{
	size_t i;
	json_t *v;
	int a[4];

	json_array_foreach (arr, i, v)
		;
	a[4] = (int)i;
	return a[0];
}
""")
    rc, out = check("check-cppcheck.sh", f)
    assert rc == 1, out
    assert "unknownMacro" not in out, out
    assert "uses_jansson.c:10:" in out and "arrayIndexOutOfBounds" in out, out
