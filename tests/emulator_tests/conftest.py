"""Fixtures for the emulator's own tests: one emulator process per test module (reset
before each test) and real botocore clients pointed at it. Helpers live in
emu_helpers.py."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emu_helpers import make_client  # noqa: E402  (also puts tests/emulator on sys.path)
from emulator import Emulator  # noqa: E402


@pytest.fixture(scope="module")
def emu_server():
    with Emulator(seed=7) as emu:
        yield emu


@pytest.fixture
def emu(emu_server):
    emu_server.reset()
    emu_server.configure(latency_ms=0, throttle_rate=0.0, error_rate=0.0, namespaced_errors=False,
                         fault_ops=None, delete_missing="success", inject=[], seed=7,
                         limits={}, assume_role_deny=[])
    yield emu_server


@pytest.fixture
def ssm(emu):
    return make_client(emu, "ssm")


@pytest.fixture
def sts(emu):
    return make_client(emu, "sts")
