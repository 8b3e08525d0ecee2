"""Fixtures of the Terraform 1.12-1.14 tests (issue 17): resource identity, list
resources (`terraform query`) and the action ssmpatch_patch_now. tests/ssm_endpoint.py
and tests/harness do the work.

- ``ssm_endpoint``: the session's SSM endpoint: the local emulator in ap-northeast-1
  with SigV4 checking, or the endpoint of SSMPATCH_TEST_ENDPOINT (tests that need
  instances or fault injection then skip, saying so);
- ``ep``: the same for one test, started from an empty emulator;
- ``provider``: factory ``provider(protocol=6, configure=True)`` of harness Providers
  configured for ``ep``; each is closed at teardown and must exit cleanly;
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
    return ssm_endpoint


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
