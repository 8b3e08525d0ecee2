"""Fixtures of the data source tests (tests/ssm_endpoint.py and tests/harness do the work).

- ``ssm_endpoint``: the session's SSM endpoint: the local emulator in ap-northeast-1
  with SigV4 checking and the output-shape self-check on, or the endpoint of
  SSMPATCH_TEST_ENDPOINT (tests that seed instances then skip, saying so);
- ``ep``: the same for one test, started from an empty emulator (clock back to real
  time, patch states spelled as the model does);
- ``provider``: factory ``provider(protocol)`` of harness Providers configured for
  ``ep``; each is closed at teardown and must exit cleanly;
- ``protocol``: 5 and 6, for tests that run over both.
"""
import os
import sys

import pytest

TESTS = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from harness import plugin as plugin_mod  # noqa: E402
from harness import protos  # noqa: E402
from harness.provider import Provider  # noqa: E402
from ssm_endpoint import EMULATOR_DIR, endpoint_fixture  # noqa: E402

if EMULATOR_DIR not in sys.path:
    sys.path.insert(0, EMULATOR_DIR)

ssm_endpoint = endpoint_fixture("ssm_endpoint", provider_defaults={"max_retries": 1},
                                region="ap-northeast-1", check_sigv4=True)


@pytest.fixture
def ep(ssm_endpoint):
    ssm_endpoint.begin_test()
    if ssm_endpoint.emulator is not None:
        ssm_endpoint.emulator.configure(patch_state_spelling="model", latency_ms=0)
    yield ssm_endpoint
    if ssm_endpoint.emulator is not None:
        ssm_endpoint.emulator.configure(patch_state_spelling="model", latency_ms=0)


@pytest.fixture(scope="session")
def provider_binary():
    path = plugin_mod.provider_binary()
    if not os.access(path, os.X_OK):
        pytest.skip("provider binary not built: %s (set SSMPATCH_PROVIDER)" % path)
    try:
        protos.load()
    except protos.ProtoUnavailable as e:
        pytest.skip(str(e))
    return path


@pytest.fixture
def provider(provider_binary, ep):
    started = []

    def _start(protocol=6, configure=True, **kw):
        p = Provider(binary=provider_binary, protocol=protocol, **kw)
        started.append(p)
        if configure:
            p.configure(ep.provider_config())
        return p
    yield _start
    problems = []
    for p in started:
        p.close()
        try:
            p.plugin.check_clean_exit()
        except AssertionError as e:
            problems.append(str(e))
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture(params=[5, 6], ids=["p5", "p6"])
def protocol(request):
    return request.param
