"""Shared fixtures for the emulator's own tests: one emulator process per test module
(reset before each test) and real botocore clients pointed at it."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulator"))

import botocore.session  # noqa: E402
from botocore.config import Config  # noqa: E402

from emulator import Emulator  # noqa: E402

NO_RETRY = Config(retries={"mode": "standard", "total_max_attempts": 1},
                  parameter_validation=False)


_SESSION = []


def session():
    """One botocore session for the whole run (creating one loads its data files)."""
    if not _SESSION:
        _SESSION.append(botocore.session.get_session())
    return _SESSION[0]


def make_client(emu, service, credentials=None, region=None, validate=False):
    ak, sk, token = credentials or (emu.access_key, emu.secret_key, None)
    cfg = NO_RETRY if not validate else NO_RETRY.merge(Config(parameter_validation=True))
    return session().create_client(
        service, region_name=region or emu.region, endpoint_url=emu.url,
        aws_access_key_id=ak, aws_secret_access_key=sk, aws_session_token=token, config=cfg)


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


from emu_helpers import error_code  # noqa: E402,F401
