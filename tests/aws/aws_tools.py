"""Helpers shared by the tests/aws tests: where the C test tools are built."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def tool(name):
    build = pathlib.Path(os.environ.get("SSMPATCH_BUILD_DIR", ROOT / "build"))
    path = build / name
    if not path.exists():
        pytest.fail(f"{path} not built: cmake -S . -B build && cmake --build build")
    return str(path)
