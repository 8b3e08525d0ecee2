"""Fixtures for the emulator's own tests: one emulator process per test module (reset
before each test) and real botocore clients pointed at it. Helpers live in
emu_helpers.py.

Every emulator here runs with the output self-check on: a response that does not
conform to the model's output shape is answered 500 EmulatorSelfCheckFailed (so the
botocore call fails) and logged; after each test the server log is checked for such
a line, so no test passes with a non-conforming answer anywhere in it."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emu_helpers import make_client  # noqa: E402  (also puts tests/emulator on sys.path)
from emulator import Emulator  # noqa: E402

SETTINGS = dict(latency_ms=0, throttle_rate=0.0, error_rate=0.0, namespaced_errors=False,
                fault_ops=None, delete_missing="success", inject=[], seed=7, limits={},
                assume_role_deny=[], patch_state_spelling="model", command_progress="poll",
                command_step_ms=100)


@pytest.fixture(scope="module")
def emu_server():
    with Emulator(seed=7) as emu:
        yield emu


@pytest.fixture
def emu(emu_server):
    emu_server.reset()
    emu_server.configure(**SETTINGS)
    seen = len(emu_server.log())
    yield emu_server
    failures = [line for line in emu_server.log()[seen:].splitlines()
                if line.startswith("self-check failed")]
    assert not failures, "responses that do not conform to the model:\n" + "\n".join(failures)


@pytest.fixture
def ssm(emu):
    return make_client(emu, "ssm")


@pytest.fixture
def sts(emu):
    return make_client(emu, "sts")
