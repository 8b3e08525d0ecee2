"""Fixtures of the end-to-end tests (tests/ssm_endpoint.py does the work).

- ``ssm_endpoint``: the session's SSM endpoint - the local emulator, started
  here in ap-northeast-1 (the seed article's Tokyo) with SigV4 checking, or the
  endpoint of SSMPATCH_TEST_ENDPOINT (AWS_REGION, AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN);
- ``provider``: a harness Provider configured for ``ep``, once over protocol 5
  and once over 6 (a test file may define its own);
- ``ep``: the same endpoint for one test, which starts from an empty emulator
  with no pending fault injection (nothing is reset on an external endpoint:
  the tests only ever see objects named with the run's prefix).
"""
import os
import sys

import pytest

TESTS = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from harness.provider import Provider  # noqa: E402
from ssm_endpoint import endpoint_fixture  # noqa: E402

EMULATOR_REGION = "ap-northeast-1"

ssm_endpoint = endpoint_fixture("ssm_endpoint", region=EMULATOR_REGION, check_sigv4=True)


@pytest.fixture
def ep(ssm_endpoint):
    ssm_endpoint.begin_test()
    return ssm_endpoint


@pytest.fixture(params=[5, 6], ids=["proto5", "proto6"])
def provider(request, ep):
    p = Provider(protocol=request.param)
    p.configure(ep.provider_config())
    yield p
    p.close()
