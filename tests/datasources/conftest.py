"""Fixtures of the data source tests (tests/ssm_endpoint.py and tests/harness do the work).

- ``ssm_endpoint``: the session's SSM endpoint: the local emulator in ap-northeast-1
  with SigV4 checking and the output-shape self-check on, or the endpoint of
  SSMPATCH_TEST_ENDPOINT (tests that seed instances then skip, saying so);
- ``ep``: the same for one test, started from an empty emulator (clock back to real
  time, patch states spelled as the model does);
- ``provider``, ``provider_binary``, ``protocol``: tests/harness/fixtures.py's
  (``provider(protocol)``: a harness Provider configured for ``ep``, closed at
  teardown and required to exit cleanly; ``protocol``: 5 and 6).
"""
import os
import sys

import pytest

TESTS = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from harness.fixtures import protocol, provider, provider_binary  # noqa: E402,F401
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
