"""Cross-check of the C msgpack encoder against the Python msgpack library.

tests/unit/test_msgpack.c writes its encodings to $MSGPACK_DUMP_DIR when that
variable is set; this test runs it that way and decodes every file with
python3-msgpack, comparing against the structures go-cty would produce.

Run: /usr/bin/python3 -m pytest tests/unit_py -q
The test binary is looked up in $SSMPATCH_BUILD_DIR (default: build, then
build-asan) relative to the repository root.
"""
import json
import os
import pathlib
import subprocess

import msgpack
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
UNKNOWN = msgpack.ExtType(0, b"\x00")


def find_binary():
    dirs = [os.environ.get("SSMPATCH_BUILD_DIR")] if os.environ.get("SSMPATCH_BUILD_DIR") else ["build", "build-asan"]
    for d in dirs:
        p = pathlib.Path(d)
        if not p.is_absolute():
            p = ROOT / p
        exe = p / "test_msgpack"
        if exe.exists():
            return exe
    pytest.skip("test_msgpack not built (cmake --build build --target test_msgpack)")


@pytest.fixture(scope="module")
def dumps(tmp_path_factory):
    out = tmp_path_factory.mktemp("msgpack")
    env = dict(os.environ, MSGPACK_DUMP_DIR=str(out))
    res = subprocess.run([str(find_binary())], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    files = {p.stem: p.read_bytes() for p in out.glob("*.msgpack")}
    assert "xc_big" in files, sorted(files)
    return files


def unpack(b):
    # strict: raw strings must be valid UTF-8, whole buffer consumed
    return msgpack.unpackb(b, raw=False, strict_map_key=False)


def pairs(b):
    return msgpack.unpackb(b, raw=False, object_pairs_hook=list, strict_map_key=False)


def assert_sorted_keys(node):
    """Every map in the encoding has its keys sorted (as cty writes them)."""
    if isinstance(node, list) and node and all(isinstance(x, tuple) and len(x) == 2 for x in node):
        keys = [k for k, _ in node]
        assert keys == sorted(keys, key=lambda k: k.encode()), keys
        for _, v in node:
            assert_sorted_keys(v)
    elif isinstance(node, list):
        for v in node:
            assert_sorted_keys(v)


EXPECTED_BIG = {
    "count": "123456789012345678901234567890",
    "enabled": UNKNOWN,
    "id": "pb-0123456789abcdef0",
    "ids": ["i-1", "i-2"],
    "meta": [b'["map","number"]', {"x": 0.5, "y": "-1e+400"}],
    "nested": [{"deep": {"k": [9223372036854775807, "18446744073709551615"], "n": None}, "inner": []}],
    "pair": ["0.1", [True]],
    # tf_value_number_double(1.0/3) keeps the shortest decimal, which is not
    # exactly a float64, so (as cty does for such decimals) it goes as a string
    "ratio": "0.3333333333333333",
    "rules": [
        {"key": "CLASSIFICATION", "values": ["Security", "Bugfix"]},
        {"key": None, "values": None},
        UNKNOWN,
    ],
    "tags": {"Env": None, "PatchWindowTaskAM2": "SCAN", "Unk": UNKNOWN},
}


def test_big_object(dumps):
    got = unpack(dumps["xc_big"])
    assert got == EXPECTED_BIG
    assert isinstance(got["meta"][1]["x"], float)
    assert_sorted_keys(pairs(dumps["xc_big"]))


def test_big_object_as_dynamic(dumps):
    got = unpack(dumps["xc_big_dynamic"])
    assert isinstance(got, list) and len(got) == 2
    type_json, value = got
    assert isinstance(type_json, bytes)  # cty writes the type as msgpack bin
    ty = json.loads(type_json)
    assert ty[0] == "object"
    attrs = ty[1]
    assert list(attrs) == sorted(attrs)
    assert attrs["tags"] == ["map", "string"]
    assert attrs["meta"] == "dynamic"
    assert attrs["pair"] == ["tuple", ["number", ["set", "bool"]]]
    assert attrs["rules"] == ["list", ["object", {"key": "string", "values": ["list", "string"]}]]
    assert value == EXPECTED_BIG


@pytest.mark.parametrize("name,expected", [
    ("null_string", None),
    ("unknown_string", UNKNOWN),
    ("string", "stg"),
    ("string_nul", "a\x00b"),
    ("bool_true", True),
    ("bool_false", False),
    ("num_1800", 1800),
    ("num_neg", -1),
    ("num_int64_min", -9223372036854775808),
    ("num_half", 0.5),
    ("num_tenth", "0.1"),
    ("num_big", "123456789012345678901234567890"),
    ("num_1e20", 1e20),
    ("num_inf", float("-inf")),
    ("num_huge", "-1e+400"),
    ("object_sorted", {"a": None, "b": 1}),
    ("list", ["x", UNKNOWN, None]),
    ("map_sorted", {"a": False, "z": True}),
    ("tuple", ["", True]),
    ("empty_set", []),
    ("dynamic_string", [b'"string"', "a"]),
    ("dynamic_null", None),
    ("dynamic_unknown", UNKNOWN),
    ("dynamic_list", [b'["list","number"]', [7]]),
])
def test_primitive_cases(dumps, name, expected):
    assert name in dumps
    assert unpack(dumps[name]) == expected


def test_refined_unknown(dumps):
    ext = unpack(dumps["unknown_not_null"])
    assert isinstance(ext, msgpack.ExtType) and ext.code == 12
    assert msgpack.unpackb(ext.data, strict_map_key=False) == {1: False}


def test_round_trip_dumps_decode_cleanly(dumps):
    # every dump is one complete msgpack value with nothing after it
    for name, data in dumps.items():
        u = msgpack.Unpacker(raw=False, strict_map_key=False)
        u.feed(data)
        items = list(u)
        assert len(items) == 1, name
