"""Fixtures for the protocol tests (and for any test built on tests/harness).

- ``provider_binary`` (tests/harness/fixtures.py): env SSMPATCH_PROVIDER or build/terraform-provider-ssmpatch;
  the tests skip when it does not exist or protoc/.proto files are missing.
- ``start``: factory ``start(**PluginProcess/Provider kwargs)`` returning a
  connected ``Provider``; every provider started is closed at teardown: its
  Shutdown RPC must answer, and it must exit 0 within go-plugin's 2 s and
  remove its socket (``harness.plugin.close_all``), else the test fails.
- ``ssm``: the SSM endpoint, session-scoped: the local emulator (tests/emulator,
  started and stopped here) or, with SSMPATCH_TEST_ENDPOINT set, that endpoint with
  credentials and region from the AWS_* environment. ``ssm.provider_config()``
  gives the provider configuration for it; ``ssm.emulator`` is None for an
  external endpoint (emulator-only checks skip).
- ``contract``: the resource contract (resources.md) parsed, or skip.
"""

import os
import sys

import pytest

TESTS = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from harness import contract as contract_mod  # noqa: E402
from harness import plugin as plugin_mod  # noqa: E402
from harness.provider import Provider  # noqa: E402
from harness.fixtures import provider_binary  # noqa: E402,F401
from ssm_endpoint import endpoint_fixture  # noqa: E402


@pytest.fixture
def start(provider_binary):
    started = []

    def _start(kind=Provider, **kw):
        kw.setdefault("binary", provider_binary)
        obj = kind(**kw)
        started.append(obj)
        return obj
    yield _start
    problems = plugin_mod.close_all(obj.plugin if isinstance(obj, Provider) else obj for obj in started)
    if problems:
        pytest.fail("\n".join(problems))


# The SSM endpoint (tests/ssm_endpoint.py): the local emulator (us-east-1, no
# SigV4 check) or SSMPATCH_TEST_ENDPOINT; the provider retries once at most.
ssm = endpoint_fixture("ssm", provider_defaults={"max_retries": 1})


@pytest.fixture
def emulator(ssm):
    if ssm.emulator is None:
        pytest.skip("emulator-only check (SSMPATCH_TEST_ENDPOINT is set)")
    return ssm.emulator


@pytest.fixture(scope="session")
def contract():
    path = contract_mod.contract_path()
    if path is None:
        pytest.skip("resources.md contract not found (set SSMPATCH_CONTRACT)")
    return contract_mod.parse(path)
