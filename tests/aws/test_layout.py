"""scripts/check_layout.py (issue 12, point 2) on this tree, and on small
made-up trees to show that it fails where it must: an include cycle between
provider/aws modules, aws_internal.h included from provider/aws, a provider/
file over 800 lines. (No file is allowed more any longer: value.c and
server.c were split, OVER_LIMIT is empty.)
"""
import importlib.util
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_layout.py"


def check(repo):
    p = subprocess.run([sys.executable, str(SCRIPT), str(repo)], capture_output=True, text=True)
    return p.returncode, p.stdout


def over_limit():
    """The script's own OVER_LIMIT table (files allowed over 800 lines)."""
    spec = importlib.util.spec_from_file_location("check_layout", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.OVER_LIMIT


def tree(tmp_path, files):
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "provider/aws").mkdir(parents=True, exist_ok=True)
    for rel, cap in over_limit().items():  # the allowed long ones, at their cap
        path = tmp_path / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x\n" * cap)
    return tmp_path


def test_this_tree_passes():
    rc, out = check(ROOT)
    assert rc == 0, out
    assert "no include cycle" in out


def test_one_way_includes_pass(tmp_path):
    rc, out = check(tree(tmp_path, {
        "provider/aws/a.c": '#include "a.h"\n#include "b.h"\n',
        "provider/aws/a.h": '#include "b.h"\n',
        "provider/aws/b.c": '#include "b.h"\n#include "core/buf.h"\n',
        "provider/aws/b.h": "",
    }))
    assert rc == 0, out


def test_include_cycle_fails(tmp_path):
    rc, out = check(tree(tmp_path, {
        "provider/aws/a.c": '#include "a.h"\n#include "b.h"\n',
        "provider/aws/a.h": "",
        "provider/aws/b.c": '#include "b.h"\n#include "c.h"\n',
        "provider/aws/b.h": "",
        "provider/aws/c.c": '#include "aws/a.h"\n',
        "provider/aws/c.h": "",
    }))
    assert rc == 1
    assert "include cycle in provider/aws: a -> b -> c -> a" in out


def test_umbrella_header_inside_aws_fails(tmp_path):
    rc, out = check(tree(tmp_path, {
        "provider/aws/aws_internal.h": '#include "a.h"\n',
        "provider/aws/a.c": '#include "aws_internal.h"\n',
        "provider/aws/a.h": "",
    }))
    assert rc == 1
    assert "provider/aws/a.c includes aws_internal.h" in out


def test_long_file_fails(tmp_path):
    rc, out = check(tree(tmp_path, {
        "provider/aws/a.c": "x\n" * 800,
        "provider/resources/r.c": "x\n" * 801,
    }))
    assert rc == 1
    assert "provider/resources/r.c: 801 lines (at most 800)" in out
    assert "a.c" not in out
