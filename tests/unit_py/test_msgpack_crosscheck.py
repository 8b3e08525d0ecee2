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


class Err(str):
    """Expected decode error: a substring of the diagnostic detail."""


def ext12(payload):
    return msgpack.ExtType(12, msgpack.packb(payload))


# Inputs written by Python for the C decoder: name -> (type JSON, packed bytes,
# what the C encoder must give back after decoding, or an error substring).
OBJ_AB = ["object", {"a": "string", "b": "number"}]
DECODE_CASES = {
    "fixint": ("number", msgpack.packb(5), 5),
    "uint8": ("number", msgpack.packb(200), 200),
    "int16": ("number", msgpack.packb(-200), -200),
    "uint64_big": ("number", msgpack.packb(2**40), 2**40),
    "int64_neg": ("number", msgpack.packb(-(2**40)), -(2**40)),
    "uint64_max": ("number", msgpack.packb(2**64 - 1), "18446744073709551615"),
    "float32_half": ("number", msgpack.packb(0.5, use_single_float=True), 0.5),
    "float64_tenth": ("number", msgpack.packb(0.1), 0.1),  # bit-identical float64 back
    "float_integral": ("number", msgpack.packb(1800.0), 1800),
    "num_string": ("number", msgpack.packb("1e400"), "1e400"),
    "str": ("string", msgpack.packb("日本語"), "日本語"),
    "bin_as_str": ("string", msgpack.packb(b"raw"), "raw"),
    "unknown_ext0": ("string", msgpack.packb(msgpack.ExtType(0, b"\x00")), UNKNOWN),
    "unknown_ext5": ("bool", msgpack.packb(msgpack.ExtType(5, b"abcd")), UNKNOWN),
    "refined_not_null": ("string", msgpack.packb(ext12({1: False, 2: "pb-", 99: [1, 2]})), ext12({1: False})),
    "refined_prefix_only": ("string", msgpack.packb(ext12({2: "pb-"})), UNKNOWN),
    "object_unsorted": (OBJ_AB, msgpack.packb({"b": 1, "a": "x"}), {"a": "x", "b": 1}),
    "set_of_str": (["set", "string"], msgpack.packb(["b", "a"]), ["b", "a"]),
    "map_of_list": (["map", ["list", "bool"]], msgpack.packb({"z": [True], "a": None}), {"a": None, "z": [True]}),
    "tuple": (["tuple", ["string", "number"]], msgpack.packb(["x", 2]), ["x", 2]),
    "dynamic_list": ("dynamic", msgpack.packb([b'["list","bool"]', [True]]), [b'["list","bool"]', [True]]),
    "dynamic_str_type": ("dynamic", msgpack.packb(['"number"', 7]), [b'"number"', 7]),
    "missing_attr": (OBJ_AB, msgpack.packb({"a": "x"}), Err('missing attribute "b"')),
    "extra_attr": (OBJ_AB, msgpack.packb({"a": "x", "b": 1, "c": 2}), Err('unsupported attribute "c"')),
    "wrong_kind": (["list", "string"], msgpack.packb(["x", 1]), Err("at [1]: a string is required")),
    "trailing": ("bool", msgpack.packb(True) + b"\xc0", Err("unexpected bytes")),
}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("msgpack")
    for name, (ty, packed, _) in DECODE_CASES.items():
        (out / f"in_{name}.msgpack").write_bytes(packed)
        (out / f"in_{name}.type").write_text(json.dumps(ty, separators=(",", ":")))
    env = dict(os.environ, MSGPACK_DUMP_DIR=str(out))
    res = subprocess.run([str(find_binary())], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def dumps(run_dir):
    files = {p.stem: p.read_bytes() for p in run_dir.glob("*.msgpack")
             if not p.name.startswith(("in_", "out_"))}
    assert "xc_big" in files, sorted(files)
    return files


@pytest.mark.parametrize("name", sorted(DECODE_CASES))
def test_c_decodes_python_encoding(run_dir, name):
    _, _, expected = DECODE_CASES[name]
    out = run_dir / f"out_{name}.msgpack"
    err = run_dir / f"out_{name}.err"
    if isinstance(expected, Err):
        assert err.exists() and not out.exists()
        assert expected in err.read_text()
        return
    assert out.exists(), err.read_text() if err.exists() else "no output"
    got = unpack(out.read_bytes())
    assert got == expected
    if isinstance(expected, float):
        assert isinstance(got, float)
    if name == "float64_tenth":
        assert out.read_bytes() == msgpack.packb(0.1)


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
